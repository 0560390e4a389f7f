#!/bin/sh
# chaff bench: on small archives written by bench/make-corpus (text, WET .gz, JSONL .zst) it
# reports in --json the pages and paragraphs the generator wrote, with one thread and with the
# pipeline, for one input and several; --help works; bad usage exits 2; a missing file exits 1
# with "chaff: FILE: ...". No timing assertions.
# Usage: bench_basic.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
gen="$data/../../bench/make-corpus"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_bench_basic.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

# field FILE KEY: a top-level number or string of the JSON object in FILE.
field() {
    python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2" ||
        fail "$1 is not a JSON object with '$2'"
}

"$chaff" train --model "$tmp/m.chaff" --hash-bits 16 "$data/fixture_small.tsv" >/dev/null \
    2>"$tmp/err" || fail "chaff train on fixture_small.tsv failed"

formats=wet,text
command -v zstd >/dev/null 2>&1 && formats=wet,jsonl,text
python3 "$gen" --source "$data/fixture_small.tsv" --seed 3 --jobs 1 --formats "$formats" 150K \
    "$tmp/c" 2>"$tmp/err" || fail "bench/make-corpus failed"
pages=$(field "$tmp/c.manifest.json" pages)
paras=$(field "$tmp/c.manifest.json" paragraphs)
[ "$pages" -gt 10 ] && [ "$paras" -gt "$pages" ] || fail "make-corpus wrote $pages pages, $paras paragraphs"

inputs="$tmp/c.txt $tmp/c.warc.wet.gz"
[ -f "$tmp/c.jsonl.zst" ] && inputs="$inputs $tmp/c.jsonl.zst"
for input in $inputs; do
    for t in 1 2; do
        "$chaff" bench --model "$tmp/m.chaff" --threads $t --json "$input" >"$tmp/out.json" \
            2>"$tmp/err" || fail "chaff bench -t $t $input exited $?"
        got_pages=$(field "$tmp/out.json" pages)
        got_paras=$(field "$tmp/out.json" paragraphs)
        [ "$got_pages" = "$pages" ] || fail "$input -t $t: $got_pages pages, expected $pages"
        [ "$got_paras" = "$paras" ] || fail "$input -t $t: $got_paras paragraphs, expected $paras"
    done
done

# Several inputs add up; --repeat gives one time per run; the WET file is larger decompressed
# than its text (WARC headers).
"$chaff" bench -m "$tmp/m.chaff" -t 1 -r 2 -j "$tmp/c.txt" "$tmp/c.warc.wet.gz" >"$tmp/out.json" \
    2>"$tmp/err" || fail "chaff bench on two inputs exited $?"
[ "$(field "$tmp/out.json" paragraphs)" = $((2 * paras)) ] || fail "two inputs: paragraphs"
[ "$(field "$tmp/out.json" pages)" = $((2 * pages)) ] || fail "two inputs: pages"
python3 -c 'import json, sys
r = json.load(open(sys.argv[1]))
assert len(r["runs_seconds"]) == 2, r
assert set(r["stages_seconds"]) == {"read", "normalize", "featurize", "score", "other"}, r
assert r["peak_rss_bytes"] > 0 and r["bytes"] > r["paragraph_bytes"], r' "$tmp/out.json" ||
    fail "bench --json lacks runs, stages or RSS"

# Hand-made text on standard input: blank lines are no paragraphs, a form feed line separates
# pages; the table names the figures.
printf 'Home\n\n  \nThe minister said on Tuesday that the plan would go ahead.\n\f\nNews\n' |
    "$chaff" bench -m "$tmp/m.chaff" -t 1 --json >"$tmp/out.json" 2>"$tmp/err" ||
    fail "chaff bench on standard input exited $?"
[ "$(field "$tmp/out.json" pages)" = 2 ] || fail "stdin: pages"
[ "$(field "$tmp/out.json" paragraphs)" = 3 ] || fail "stdin: paragraphs"
"$chaff" bench -m "$tmp/m.chaff" "$tmp/c.txt" >"$tmp/out.txt" 2>"$tmp/err" ||
    fail "chaff bench (table) exited $?"
for word in paragraphs/s MB/s "peak RSS" "read and decompress" normalise featurise score; do
    grep -q "$word" "$tmp/out.txt" || fail "the table lacks '$word'"
done

# Usage and errors.
"$chaff" bench --help >"$tmp/out.txt" 2>"$tmp/err" || fail "--help exited $?"
grep -q '^Usage: chaff bench' "$tmp/out.txt" || fail "--help prints no usage on stdout"
for bad in "--bogus" "--threads 0" "--repeat x" "--format pdf" "--repeat 2 -"; do
    # shellcheck disable=SC2086
    "$chaff" bench -m "$tmp/m.chaff" $bad "$tmp/c.txt" >/dev/null 2>"$tmp/err"
    rc=$?
    [ $rc -eq 2 ] || fail "bench $bad exited $rc, expected 2"
done
"$chaff" bench -m "$tmp/m.chaff" -t 1 "$tmp/missing.txt" "$tmp/c.txt" >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "a missing input exited $rc, expected 1"
grep -q "^chaff: .*missing.txt" "$tmp/err" || fail "no 'chaff: FILE' message for a missing input"
exit 0
