#!/bin/sh
# chaff eval --predictions: another classifier's labels are scored with the same metrics; the
# counts must match the data rows exactly.
# Usage: eval_predictions.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
fixture=$data/fixture_small.tsv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_eval_pred.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
"$chaff" train --model "$tmp/m.chaff" "$fixture" >/dev/null 2>&1 || fail "train failed"

# Gold labels as predictions (fastText's prefix and probability included): perfect scores.
cut -f3 "$fixture" | sed 's/^/__label__/; s/$/ 0.9/' >"$tmp/gold"
"$chaff" eval --model "$tmp/m.chaff" --predictions "$tmp/gold" --json "$fixture" >"$tmp/out" ||
    fail "eval with gold predictions exited $?"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["accuracy"] == 1.0, r["accuracy"]' \
    "$tmp/out" || fail "gold predictions do not score 1.0"

# Everything predicted navigation: accuracy is the share of navigation rows.
nav=$(cut -f3 "$fixture" | grep -cx navigation)
rows=$(grep -c . "$fixture")
cut -f3 "$fixture" | sed 's/.*/navigation/' >"$tmp/nav"
"$chaff" eval --model "$tmp/m.chaff" -p "$tmp/nav" --json "$fixture" >"$tmp/out" || fail "eval exited $?"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); n,t=int(sys.argv[2]),int(sys.argv[3]); assert abs(r["accuracy"]-n/t) < 1e-9, (r["accuracy"], n, t)' \
    "$tmp/out" "$nav" "$rows" || fail "constant predictions scored wrongly"

# Too few, too many, unknown labels: exit 1 with the file named.
head -n 5 "$tmp/gold" >"$tmp/short"
"$chaff" eval --model "$tmp/m.chaff" -p "$tmp/short" "$fixture" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "short predictions should exit 1"
grep -q "short.*fewer predictions" "$tmp/err" || fail "short predictions message: $(cat "$tmp/err")"
{ cat "$tmp/gold"; echo content; } >"$tmp/long"
"$chaff" eval --model "$tmp/m.chaff" -p "$tmp/long" "$fixture" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "long predictions should exit 1"
grep -q "more predictions" "$tmp/err" || fail "long predictions message: $(cat "$tmp/err")"
sed '3s/.*/bogus/' "$tmp/gold" >"$tmp/bad"
"$chaff" eval --model "$tmp/m.chaff" -p "$tmp/bad" "$fixture" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown predicted label should exit 1"
grep -q "bad:3: unknown predicted label 'bogus'" "$tmp/err" || fail "bad label message: $(cat "$tmp/err")"
exit 0
