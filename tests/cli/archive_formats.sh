#!/bin/sh
# chaff classify on archives: WET (plain, gzip per record, zstd), JSONL and text, every output
# form, standard input, --format, and the same output with 1 and 3 threads. For every page the
# kept and the removed paragraphs together are exactly the input's (make_arch.py check).
# Usage: archive_formats.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_archive_formats.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
gen() { python3 "$data/make_arch.py" make --source "$data/fixture_small.tsv" "$@" || fail "make_arch.py make $*"; }
check() { python3 "$data/make_arch.py" check "$@" || fail "make_arch.py check $*"; }

"$chaff" train --model "$tmp/m.chaff" "$data/fixture_small.tsv" >/dev/null 2>"$tmp/err" ||
    fail "chaff train on fixture_small.tsv failed"
run() { "$chaff" classify --model "$tmp/m.chaff" "$@" 2>"$tmp/err"; }

# WET, one gzip member per record.
gen --format wet --gzip --pages 400 --seed 3 "$tmp/a.warc.gz" "$tmp/a.json"
run -t 3 "$tmp/a.warc.gz" >"$tmp/a.tsv" || fail "classify a.warc.gz"
[ -s "$tmp/err" ] && fail "unexpected stderr"
run -t 3 -o clean "$tmp/a.warc.gz" >"$tmp/k.warc.gz" || fail "clean"
run -t 2 -o clean --keep consent,navigation "$tmp/a.warc.gz" >"$tmp/r.warc.gz" || fail "clean removed"
check "$tmp/a.json" "$tmp/a.tsv" "$tmp/k.warc.gz" "$tmp/r.warc.gz" wet
cut -f3 "$tmp/a.tsv" | sort -u >"$tmp/labels"
[ "$(wc -l <"$tmp/labels")" -ge 2 ] || fail "the test model gave one label only: weak test"

# Order and content do not depend on the number of threads, for every output form.
for out in tsv labels jsonl clean; do
    run -t 1 -o "$out" "$tmp/a.warc.gz" >"$tmp/t1" || fail "-t 1 -o $out"
    run -t 3 -o "$out" "$tmp/a.warc.gz" >"$tmp/t3" || fail "-t 3 -o $out"
    cmp -s "$tmp/t1" "$tmp/t3" || fail "-o $out differs between 1 and 3 threads"
done
run -t 1 -o labels "$tmp/a.warc.gz" >"$tmp/labels.out"
cut -f3 "$tmp/a.tsv" | cmp -s - "$tmp/labels.out" || fail "-o labels is not the label column"

# The same archive uncompressed, as zstd, and on standard input gives the same rows.
gzip -dc "$tmp/a.warc.gz" >"$tmp/a.warc"
run "$tmp/a.warc" | cmp -s - "$tmp/a.tsv" || fail "plain WET differs from gzip WET"
run - <"$tmp/a.warc.gz" | cmp -s - "$tmp/a.tsv" || fail "gzip WET on stdin differs"
run -o clean "$tmp/a.warc" >"$tmp/k.warc" || fail "clean plain WET"
run -o clean --keep consent,navigation "$tmp/a.warc" >"$tmp/r.warc" || fail "clean plain WET 2"
check "$tmp/a.json" "$tmp/a.tsv" "$tmp/k.warc" "$tmp/r.warc" wet
if command -v zstd >/dev/null; then
    # Two frames back to back.
    head -c 100000 "$tmp/a.warc" | zstd -q -c >"$tmp/a.warc.zst"
    tail -c +100001 "$tmp/a.warc" | zstd -q -c >>"$tmp/a.warc.zst"
    run "$tmp/a.warc.zst" | cmp -s - "$tmp/a.tsv" || fail "zstd WET differs"
    run -o clean "$tmp/a.warc.zst" | cmp -s - "$tmp/k.warc" || fail "zstd clean is no plain WARC"
fi

# The stats line.
run --stats "$tmp/a.warc.gz" >/dev/null || fail "--stats"
grep -q "^chaff: 400 pages, [0-9]* paragraphs, .* MB/s" "$tmp/err" || fail "--stats line"
grep -q "records skipped" "$tmp/err" || fail "--stats does not count skipped records"

# JSONL: ids, every output form, fields passed through.
gen --format jsonl --pages 300 --seed 4 "$tmp/b.jsonl" "$tmp/b.json"
run -t 3 "$tmp/b.jsonl" >"$tmp/b.tsv" || fail "classify b.jsonl"
run -o clean "$tmp/b.jsonl" >"$tmp/bk.txt" || fail "clean jsonl"
run -o clean -k consent,navigation "$tmp/b.jsonl" >"$tmp/br.txt" || fail "clean jsonl removed"
check "$tmp/b.json" "$tmp/b.tsv" "$tmp/bk.txt" "$tmp/br.txt"
gzip -c "$tmp/b.jsonl" >"$tmp/b.jsonl.gz"
run "$tmp/b.jsonl.gz" | cmp -s - "$tmp/b.tsv" || fail "gzip JSONL differs"
run -t 2 -o jsonl "$tmp/b.jsonl" >"$tmp/b.out.jsonl" || fail "-o jsonl"
python3 - "$tmp/b.jsonl" "$tmp/b.out.jsonl" "$tmp/b.tsv" <<'EOF' || fail "-o jsonl objects"
import json, re, sys
def unescape(s):
    return re.sub(r"\\(.)", lambda m: {"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[m.group(1)], s)
ins = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
outs = [json.loads(l) for l in open(sys.argv[2], encoding="utf-8")]
rows = [l.rstrip("\n").split("\t") for l in open(sys.argv[3], encoding="utf-8")]
assert len(ins) == len(outs), "one object per page"
r = 0
for i, o in zip(ins, outs):
    for k in ("id", "url", "lang", "n"):
        assert o[k] == i[k], "field %s not passed through" % k
    n = len(o["labels"])
    assert len(o["confidences"]) == n
    page = rows[r:r + n]
    r += n
    assert all(row[0] == i["id"] for row in page)
    assert [row[2] for row in page] == o["labels"]
    kept = [unescape(row[4]) for row in page if row[2] == "content"]
    assert o["text"].split("\n") == kept if kept else o["text"] == "", (o["text"], kept)
assert r == len(rows)
EOF

# Text: 3 columns by default, 5 with --page-ids; pages separated by form feeds.
gen --format text --pages 40 --seed 5 "$tmp/c.txt" "$tmp/c.json"
run --page-ids -t 3 "$tmp/c.txt" >"$tmp/c.tsv" || fail "classify c.txt"
run -o clean "$tmp/c.txt" >"$tmp/ck.txt" || fail "clean text"
run -o clean -k consent,navigation "$tmp/c.txt" >"$tmp/cr.txt" || fail "clean text removed"
check "$tmp/c.json" "$tmp/c.tsv" "$tmp/ck.txt" "$tmp/cr.txt"
run "$tmp/c.txt" >"$tmp/c3.tsv" || fail "3-column tsv"
cut -f3- "$tmp/c.tsv" | cmp -s - "$tmp/c3.tsv" || fail "3-column tsv is not the last 3 columns"

# --format overrides sniffing: a JSONL file read as text has one paragraph per line.
run --format text "$tmp/b.jsonl" >"$tmp/bt.tsv" || fail "--format text"
[ "$(wc -l <"$tmp/bt.tsv")" -eq "$(grep -c . "$tmp/b.jsonl")" ] || fail "--format text rows"
run --format warc "$tmp/b.jsonl" >/dev/null && fail "JSONL read as WARC did not fail"
grep -qF "chaff: $tmp/b.jsonl: byte 0: expected a WARC record" "$tmp/err" ||
    fail "JSONL read as WARC: no byte offset"

exit 0
