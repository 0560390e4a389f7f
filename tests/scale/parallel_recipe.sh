#!/bin/sh
# scale/run-parallel (GNU parallel, -j 2) over 8 WET files: outputs equal to a single-process
# run byte for byte and summed totals equal to its totals; an input missing fails alone (exit 1)
# and running the same command again once it is there does only that input.
# Usage: parallel_recipe.sh CHAFF_BINARY TESTS_DATA_DIR SCALE_DIR
chaff=$1
data=$2
scale=$3
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_parallel.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
LC_ALL=C
export LC_ALL
. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }
command -v parallel >/dev/null || { echo "GNU parallel not found (apt-get install parallel): skipped"; exit 77; }

make_wets "$tmp/wet" 8
"$chaff" classify -o clean --output-dir "$tmp/ref" --inputs "$tmp/wet.list" \
    --stats-json "$tmp/ref.json" || fail "the single-process run"

# One input is not there yet: it fails alone.
mv "$tmp/wet/CC-TEST-00005.warc.wet.gz" "$tmp/later.warc.wet.gz"
CHAFF=$chaff "$scale/run-parallel" -j 2 -n 3 "$tmp/wet.list" "$tmp/out" -o clean \
    >"$tmp/sum1.out" 2>"$tmp/err1" && fail "a missing input did not make the exit status 1"
grep -qF "CC-TEST-00005.warc.wet.gz: failed; no output written" "$tmp/err1" ||
    fail "the missing input was not named: $(cat "$tmp/err1")"
s=$tmp/out/.chaff-shards/sum-of-3.json
[ "$(json "$s" 's["inputs"], s["runs"]')" = \
    "({'total': 8, 'done': 7, 'skipped': 0, 'failed': 1, 'skipped_without_stats': 0}, 3)" ] ||
    fail "the first run's totals: $(cat "$s")"
[ -e "$tmp/out/CC-TEST-00005.warc.wet.gz" ] && fail "an output for the missing input"
ls -i "$tmp/out" >"$tmp/inodes1"

# Again, with the input there: only it is done; the totals are the single-process run's.
mv "$tmp/later.warc.wet.gz" "$tmp/wet/CC-TEST-00005.warc.wet.gz"
CHAFF=$chaff "$scale/run-parallel" -j 2 -n 3 "$tmp/wet.list" "$tmp/out" -o clean \
    >"$tmp/sum2.out" 2>"$tmp/err2" || fail "the second run failed: $(cat "$tmp/err2")"
[ "$(json "$s" 's["inputs"]')" = \
    "{'total': 8, 'done': 1, 'skipped': 7, 'failed': 0, 'skipped_without_stats': 0}" ] ||
    fail "the second run's totals: $(cat "$s")"
ls -i "$tmp/out" | grep -v CC-TEST-00005 >"$tmp/inodes2"
grep -v CC-TEST-00005 "$tmp/inodes1" | cmp -s - "$tmp/inodes2" || fail "done outputs were rewritten"
same_outputs "$tmp/out" "$tmp/ref"
same_totals "$s" "$tmp/ref.json"
cmp -s "$tmp/sum2.out" "$s" || fail "run-parallel did not print the totals"
echo "scale/run-parallel -j 2: ok"
