#!/bin/sh
# chaff classify on huge pages: a 50 MB paragraph, and a page of one million paragraphs, as text,
# JSONL and WET: each is classified with one label per paragraph. Labelled slow.
# Usage: archive_big.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_archive_big.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
"$chaff" train --model "$tmp/m.chaff" "$data/fixture_small.tsv" >/dev/null 2>"$tmp/err" ||
    fail "chaff train on fixture_small.tsv failed"

python3 - "$tmp" <<'PY' || fail "generating the inputs"
import gzip, json, sys
tmp = sys.argv[1]
w = "lorem ipsum dolor sit amet consectetur "
big = (w * (50 * 1024 * 1024 // len(w) + 1))[:50 * 1024 * 1024]
many = "".join("Paragraph %d of a long page\n" % i for i in range(1000000))
for name, text in (("big", big + "\nshort tail paragraph\n"), ("many", many)):
    open("%s/%s.txt" % (tmp, name), "w").write(text)
    with open("%s/%s.jsonl" % (tmp, name), "w") as f:
        f.write(json.dumps({"id": name, "text": text}) + "\n")
    body = text.encode()
    head = ("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <%s>\r\n"
            "Content-Length: %d\r\n\r\n" % (name, len(body))).encode()
    with gzip.open("%s/%s.warc.gz" % (tmp, name), "wb", 1) as f:
        f.write(head + body + b"\r\n\r\n")
PY
# A JSON line is parsed whole: lines this big need --max-parsed (default 8M) raised.
for f in big.txt big.jsonl big.warc.gz; do
    "$chaff" classify --model "$tmp/m.chaff" --max-parsed 128M -o labels "$tmp/$f" >"$tmp/out" \
        2>"$tmp/err" || fail "classify $f"
    [ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "$f: $(wc -l <"$tmp/out") labels for 2 paragraphs"
done
for f in many.txt many.jsonl many.warc.gz; do
    "$chaff" classify --model "$tmp/m.chaff" --max-parsed 128M -o labels "$tmp/$f" >"$tmp/out" \
        2>"$tmp/err" || fail "classify $f"
    [ "$(wc -l <"$tmp/out")" -eq 1000000 ] || fail "$f: $(wc -l <"$tmp/out") labels"
done
"$chaff" classify --model "$tmp/m.chaff" -o labels "$tmp/big.jsonl" >"$tmp/out" 2>"$tmp/err" &&
    fail "big.jsonl over --max-parsed: exit 0"
grep -qF "exceeds the limit of 8388608 bytes (--max-parsed)" "$tmp/err" || fail "big.jsonl: no report"
exit 0
