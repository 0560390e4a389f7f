#!/bin/sh
# chaff classify on damaged archives: truncated or corrupt gzip and zstd streams, malformed
# WARC records, Content-Length past the end, broken JSON lines (with and without --skip-bad),
# the record size limit, bad options and a failing output.
# Usage: archive_errors.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_archive_errors.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }

# expect CODE PATTERN ARGS...: runs chaff classify with the test model, checks its exit code and
# that stderr holds the fixed string PATTERN (empty: stderr must be empty). Output in $tmp/out.
expect() {
    code=$1
    pattern=$2
    shift 2
    "$chaff" classify --model "$tmp/m.chaff" "$@" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    [ "$rc" -eq "$code" ] || fail "'classify $*' exited $rc, expected $code"
    if [ -n "$pattern" ]; then
        grep -qF -- "$pattern" "$tmp/err" || fail "'classify $*': stderr lacks '$pattern'"
    else
        [ -s "$tmp/err" ] && fail "'classify $*': unexpected stderr"
    fi
    return 0
}
# is_prefix PART WHOLE: PART is non-empty and WHOLE starts with it.
is_prefix() {
    [ -s "$1" ] || fail "nothing was output before the damage"
    head -c "$(wc -c <"$1")" "$2" | cmp -s - "$1" || fail "output before the damage differs"
}

"$chaff" train --model "$tmp/m.chaff" "$data/fixture_small.tsv" >/dev/null 2>"$tmp/err" ||
    fail "chaff train on fixture_small.tsv failed"
python3 "$data/make_arch.py" make --format wet --gzip --pages 600 --source \
    "$data/fixture_small.tsv" "$tmp/a.warc.gz" "$tmp/a.json" || fail "make_arch.py"
expect 0 "" -t 2 "$tmp/a.warc.gz"
cp "$tmp/out" "$tmp/full.tsv"
size=$(wc -c <"$tmp/a.warc.gz")

# Truncated gzip: the complete members are output, then the error with the compressed offset.
cut=$((size * 3 / 5))
head -c "$cut" "$tmp/a.warc.gz" >"$tmp/trunc.warc.gz"
expect 1 "chaff: $tmp/trunc.warc.gz: byte $cut: truncated gzip stream (member starting at byte" \
    -t 2 "$tmp/trunc.warc.gz"
is_prefix "$tmp/out" "$tmp/full.tsv"
[ "$(wc -l <"$tmp/err")" -eq 1 ] || fail "truncated gzip: more than one message"
# Also on standard input, and with a clean WARC output that stays valid up to the damage.
"$chaff" classify --model "$tmp/m.chaff" - <"$tmp/trunc.warc.gz" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "truncated gzip on stdin did not exit 1"
grep -qF "chaff: <stdin>: byte $cut: truncated gzip stream" "$tmp/err" || fail "stdin message"
is_prefix "$tmp/out" "$tmp/full.tsv"

# Corrupt gzip data in the middle of the file.
head -c 40000 "$tmp/a.warc.gz" >"$tmp/bad.warc.gz"
printf 'XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX' >>"$tmp/bad.warc.gz"
tail -c +40069 "$tmp/a.warc.gz" >>"$tmp/bad.warc.gz"
expect 1 "chaff: $tmp/bad.warc.gz: byte " "$tmp/bad.warc.gz"
grep -q "invalid gzip data (member starting at byte [0-9]*): " "$tmp/err" || fail "corrupt gzip"
is_prefix "$tmp/out" "$tmp/full.tsv"

# Truncated zstd.
if command -v zstd >/dev/null; then
    gzip -dc "$tmp/a.warc.gz" | zstd -q -c >"$tmp/a.warc.zst"
    zsize=$(wc -c <"$tmp/a.warc.zst")
    head -c $((zsize * 3 / 4)) "$tmp/a.warc.zst" >"$tmp/trunc.warc.zst"
    expect 1 "chaff: $tmp/trunc.warc.zst: byte $((zsize * 3 / 4)): truncated zstd stream" \
        "$tmp/trunc.warc.zst"
    is_prefix "$tmp/out" "$tmp/full.tsv"
fi

# WARC records: a malformed header is reported with its offset, then the reader goes on with
# the next record.
rec() { # rec TYPE ID BODY [EXTRA_HEADER_LINE]
    printf 'WARC/1.0\r\nWARC-Type: %s\r\nWARC-Record-ID: %s\r\n%sContent-Length: %d\r\n\r\n%s\r\n\r\n' \
        "$1" "$2" "${4:-}" "$(printf '%s' "$3" | wc -c)" "$3"
}
{
    rec conversion "<p1>" "First page paragraph."
    rec conversion "<p2>" "Second page" "Broken header line
"
    rec conversion "<p3>" "Third page paragraph."
} >"$tmp/mal.warc"
off=$(rec conversion "<p1>" "First page paragraph." | wc -c)
expect 1 "chaff: $tmp/mal.warc: byte $off: malformed WARC header: header line without ':'" \
    "$tmp/mal.warc"
cut -f1 "$tmp/out" | tr '\n' ' ' | grep -qx "<p1> <p3> " || fail "resync: pages $(cut -f1 "$tmp/out")"
expect 0 "byte $off: malformed WARC header" --skip-bad "$tmp/mal.warc"
# Garbage between records.
{
    rec conversion "<p1>" "First page paragraph."
    printf 'garbage line\r\nmore garbage\r\n'
    rec conversion "<p3>" "Third page paragraph."
} >"$tmp/garbage.warc"
expect 1 "chaff: $tmp/garbage.warc: byte $off: expected a WARC record" "$tmp/garbage.warc"
cut -f1 "$tmp/out" | tr '\n' ' ' | grep -qx "<p1> <p3> " || fail "resync after garbage"
# Content-Length past the end of the input.
{
    rec conversion "<p1>" "First page paragraph."
    printf 'WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 5000\r\n\r\nshort'
} >"$tmp/long.warc"
expect 1 "chaff: $tmp/long.warc: byte $off: Content-Length 5000 past the end of the input (5 bytes left)" \
    "$tmp/long.warc"
[ "$(cut -f1 "$tmp/out")" = "<p1>" ] || fail "record before the bad Content-Length not output"
gzip -c "$tmp/long.warc" >"$tmp/long.warc.gz"
expect 1 "chaff: $tmp/long.warc.gz: byte $off: Content-Length 5000 past the end" "$tmp/long.warc.gz"
# Bad Content-Length value, missing Content-Length.
rec conversion "<p1>" "x" "Content-Length: 12x
" >"$tmp/cl.warc"
expect 1 "chaff: $tmp/cl.warc: byte 0: malformed WARC header: invalid Content-Length" "$tmp/cl.warc"
printf 'WARC/1.0\r\nWARC-Type: conversion\r\n\r\n' >"$tmp/nocl.warc"
expect 1 "byte 0: malformed WARC header: no Content-Length header" "$tmp/nocl.warc"
# The record size limit names the limit; the next record is still read.
{
    rec conversion "<p1>" "$(head -c 3000 /dev/zero | tr '\0' 'a')"
    rec conversion "<p2>" "Small page."
} >"$tmp/big.warc"
expect 1 "chaff: $tmp/big.warc: byte 0: WARC record of 3000 bytes exceeds the limit of 2048 bytes" \
    --max-record 2K "$tmp/big.warc"
[ "$(cut -f1 "$tmp/out")" = "<p2>" ] || fail "record after an oversized one not output"
expect 0 "" --max-record 1M "$tmp/big.warc"

# JSONL: a broken line names FILE:LINE; the other lines are output; exit 1, or 0 with --skip-bad.
printf '{"id":"a","text":"One.\\nTwo."}\n{"id":"b","text":"Broken\n\n{"id":"c","text":"Three."}\n[1]\n{"id":"d"}\n' \
    >"$tmp/bad.jsonl"
expect 1 "chaff: $tmp/bad.jsonl:2: invalid JSON: " "$tmp/bad.jsonl"
grep -qF "chaff: $tmp/bad.jsonl:5: expected a JSON object" "$tmp/err" || fail "line 5 not reported"
grep -qF "chaff: $tmp/bad.jsonl:6: no \"text\" member" "$tmp/err" || fail "line 6 not reported"
cut -f1 "$tmp/out" | tr '\n' ' ' | grep -qx "a a c " || fail "good JSON lines not output"
expect 0 "chaff: $tmp/bad.jsonl:2: invalid JSON: " --skip-bad "$tmp/bad.jsonl"
cut -f1 "$tmp/out" | tr '\n' ' ' | grep -qx "a a c " || fail "--skip-bad output"
printf '{"id":"a","text":"%s"}\n{"id":"b","text":"ok"}\n' "$(head -c 3000 /dev/zero | tr '\0' 'a')" \
    >"$tmp/long.jsonl"
expect 1 "chaff: $tmp/long.jsonl:1: line of 3020 bytes exceeds the limit of 2048 bytes" \
    --max-record 2048 "$tmp/long.jsonl"
[ "$(cut -f1 "$tmp/out")" = "b" ] || fail "line after an oversized one not output"

# Usage errors exit 2.
expect 2 "chaff: --format: unknown format 'xml'" --format xml "$tmp/a.warc.gz"
expect 2 "chaff: --output: unknown format 'csv'" -o csv "$tmp/a.warc.gz"
expect 2 "chaff: --keep: the model has no label 'ads'" -o clean --keep content,ads "$tmp/a.warc.gz"
expect 2 "chaff: --threads: expected an integer from 1 to 1024, got '0'" -t 0 "$tmp/a.warc.gz"
expect 2 "chaff: --max-record: expected a size" --max-record 1X "$tmp/a.warc.gz"
# A missing file among good ones: the others are processed, exit 1.
expect 1 "chaff: $tmp/none.warc: cannot open: No such file or directory" "$tmp/none.warc" \
    "$tmp/mal.warc" --skip-bad
grep -qF "<p3>" "$tmp/out" || fail "file after a missing one not read"
# Writing to a full device fails.
if [ -w /dev/full ]; then
    "$chaff" classify --model "$tmp/m.chaff" -t 2 "$tmp/a.warc.gz" >/dev/full 2>"$tmp/err"
    [ $? -eq 1 ] || fail "writing to /dev/full did not exit 1"
    grep -qF "chaff: writing output failed" "$tmp/err" || fail "no write error message"
fi
exit 0
