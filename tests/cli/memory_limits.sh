#!/bin/sh
# Usage: memory_limits.sh CHAFF_BINARY DATA_DIR
# What chaff does to keep memory bounded, seen from the command: long lines go through whole,
# long pages come in parts with every paragraph labelled in order, and what a limit skips is
# reported, counted in --stats and makes the exit status 1 even with --skip-bad.
chaff=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_memory_limits.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.inc"

# A 1.2 MB line (held by its first 256 KiB) is written whole by tsv, clean and jsonl output.
awk 'BEGIN { printf "A title\n"; for (i = 0; i < 40000; i++) printf "word%05d tab\t and more text. ", i; printf "\nlast\n" }' \
    >"$tmp/long.txt"
len=$(sed -n 2p "$tmp/long.txt" | tr -d '\n' | wc -c)
[ "$len" -gt 1000000 ] || fail "test input too short"
expect 0 "" "$chaff" classify "$tmp/long.txt"
[ "$(wc -l <"$tmp/out")" -eq 3 ] || fail "tsv: 3 rows expected"
# tsv escapes the tabs: 40000 of them, one more byte each.
[ "$(sed -n 2p "$tmp/out" | cut -f3- | tr -d '\n' | wc -c)" -eq $((len + 40000)) ] ||
    fail "tsv: the long line is not whole"
expect 0 "" "$chaff" classify -o clean -k content,navigation,consent "$tmp/long.txt"
cmp -s "$tmp/out" "$tmp/long.txt" || fail "clean output differs from the input"
expect 0 "" "$chaff" classify -o jsonl -k content,navigation,consent "$tmp/long.txt"
python3 - "$tmp/out" "$tmp/long.txt" <<'PY' || fail "jsonl text is not the input"
import json, sys
text = json.loads(open(sys.argv[1], encoding="utf-8").read())["text"]
sys.exit(0 if text + "\n" == open(sys.argv[2], encoding="utf-8").read() else 1)
PY

# The long line's temporary file goes where TMPDIR says (glibc's tmpfile() would ignore it):
# into a scratch directory it works; a directory that is not there is named, with the reason.
mkdir "$tmp/scratch"
expect 0 "" env TMPDIR="$tmp/scratch" "$chaff" classify -o clean -k content,navigation,consent \
    "$tmp/long.txt"
cmp -s "$tmp/out" "$tmp/long.txt" || fail "clean output through TMPDIR differs from the input"
[ -z "$(ls -A "$tmp/scratch")" ] || fail "a temporary file was left in TMPDIR"
expect 1 "cannot write a temporary file in $tmp/none (TMPDIR)" env TMPDIR="$tmp/none" \
    "$chaff" classify "$tmp/long.txt"
grep -qF "No such file or directory" "$tmp/err" || fail "the reason is not given: $(cat "$tmp/err")"

# A page of 70,000 lines comes in two parts: every line labelled, indices going on, one page.
awk 'BEGIN { for (i = 0; i < 70000; i++) printf "line %d\n", i }' >"$tmp/many.txt"
expect 0 "chaff: 1 pages, 70000 paragraphs" "$chaff" classify --page-ids --stats "$tmp/many.txt"
[ "$(wc -l <"$tmp/out")" -eq 70000 ] || fail "70000 rows expected"
[ "$(tail -1 "$tmp/out" | cut -f2)" = 69999 ] || fail "paragraph indices do not go on"
cut -f5 "$tmp/out" | cmp -s - "$tmp/many.txt" || fail "rows out of order"
printf '{"id":"p","text":"%s"}\n' "$(awk 'BEGIN { for (i = 0; i < 70000; i++) printf "line %d\\n", i }')" \
    >"$tmp/many.jsonl"
expect 0 "" "$chaff" classify -o jsonl "$tmp/many.jsonl"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "jsonl: one object per part expected"
grep -q '^{"id":"p","part":0,"labels":\[' "$tmp/out" || fail "jsonl: first part"
grep -q '^{"id":"p","part":1,"labels":\[' "$tmp/out" || fail "jsonl: second part"

# A WET record of 70,000 lines: clean output writes a record per part, the second with its own
# id referring to the first; their payloads hold every line in order.
body=$(awk 'BEGIN { for (i = 0; i < 70000; i++) printf "line %d\n", i }')
{
    printf 'WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:p>\r\n'
    printf 'Content-Length: %d\r\n\r\n%s\n\r\n\r\n' "$(printf '%s\n' "$body" | wc -c)" "$body"
} >"$tmp/many.warc"
expect 0 "" "$chaff" classify -o clean -k content,navigation,consent "$tmp/many.warc"
[ "$(grep -c '^WARC/1.0' "$tmp/out")" -eq 2 ] || fail "clean WET: one record per part expected"
grep -q '^WARC-Refers-To: <urn:p>' "$tmp/out" || fail "clean WET: no WARC-Refers-To in part 2"
[ "$(grep -c '^WARC-Record-ID: <urn:p>' "$tmp/out")" -eq 1 ] || fail "clean WET: record id twice"
grep '^line ' "$tmp/out" | cmp -s - "$tmp/many.txt" || fail "clean WET: lines lost or out of order"

# --max-parsed: a JSON line over it is reported and skipped; exit 1 even with --skip-bad.
printf '{"id":"a","text":"One."}\n{"id":"b","text":"%s"}\n{"id":"c","text":"Two."}\n' \
    "$(head -c 3000 /dev/zero | tr '\0' 'b')" >"$tmp/big.jsonl"
expect 1 "chaff: $tmp/big.jsonl:2: line of 3020 bytes exceeds the limit of 2048 bytes (--max-parsed)" \
    "$chaff" classify --skip-bad --stats --max-parsed 2K "$tmp/big.jsonl"
grep -qF ", 1 over a size limit," "$tmp/err" || fail "--stats lacks the cut"
[ "$(cut -f1 "$tmp/out" | tr '\n' ' ')" = "a c " ] || fail "the other lines are not output"
expect 0 "" "$chaff" classify --max-parsed 1M "$tmp/big.jsonl"
expect 2 "--max-parsed: expected a size" "$chaff" classify --max-parsed x "$tmp/big.jsonl"

# WARC records over --max-parsed: a response that is no HTML (an image) is skipped as a record
# that is no page, clean output too; one of HTML is reported.
img=$(head -c 3000 /dev/zero | tr '\0' 'i')
for ct in image/png text/html; do
    http=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: %s\r\n\r\n%s' "$ct" "$img")
    small=$(printf 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>Home</p><p>We use cookies.</p>')
    {
        printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:big>\r\n'
        printf 'Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
            "${#http}" "$http"
        printf 'WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:small>\r\n'
        printf 'Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n%s\r\n\r\n' \
            "${#small}" "$small"
    } >"$tmp/resp.warc"
    if [ "$ct" = image/png ]; then
        expect 0 "chaff: 1 pages, 2 paragraphs" "$chaff" classify --stats --max-parsed 2K "$tmp/resp.warc"
        grep -qF "1 records skipped, 0 malformed, 0 over a size limit" "$tmp/err" || fail "image: --stats"
        expect 0 "" "$chaff" classify -o clean --max-parsed 2K "$tmp/resp.warc"
    else
        expect 1 "page <urn:big>: HTML record of 3044 bytes exceeds the limit of 2048 bytes (--max-parsed); skipped" \
            "$chaff" classify --max-parsed 2K "$tmp/resp.warc"
        [ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "the page after the big one not labelled"
    fi
done

# An .html page over --max-parsed.
{ printf '<html><body><p>'; head -c 3000 /dev/zero | tr '\0' 'c'; printf '</p></body></html>\n'; } \
    >"$tmp/big.html"
expect 1 "exceeds the limit of 2048 bytes (--max-parsed); skipped" \
    "$chaff" classify --max-parsed 2K "$tmp/big.html"
exit 0
