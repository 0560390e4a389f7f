#!/bin/sh
# chaff train --tune: thresholds are tuned on held-out pages; macro-F1 there never drops, the
# tuned model still loads and labels every paragraph, and bad tuning data is refused.
# Usage: train_tune.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
fixture=$data/fixture_small.tsv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_tune.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# Pages 1-14 train, the rest tune.
awk -F'\t' '$1 != last { n++; last = $1 } n <= 14' "$fixture" >"$tmp/train.tsv"
awk -F'\t' '$1 != last { n++; last = $1 } n > 14' "$fixture" >"$tmp/held.tsv"
"$chaff" train --tune "$tmp/held.tsv" --model "$tmp/m.chaff" "$tmp/train.tsv" >"$tmp/out" \
    2>"$tmp/err" || fail "train --tune exited $?: $(cat "$tmp/err")"
line=$(grep '^tuned' "$tmp/out") || fail "no 'tuned' line in: $(cat "$tmp/out")"
python3 - "$line" <<'PY' || fail "tuning lowered macro-F1: $line"
import re, sys
before, after = map(float, re.search(r"macro-F1 ([0-9.]+) -> ([0-9.]+)", sys.argv[1]).groups())
assert after >= before, (before, after)
PY
rows=$(grep -c . "$tmp/held.tsv")
"$chaff" eval --model "$tmp/m.chaff" --json "$tmp/held.tsv" >"$tmp/eval" || fail "eval exited $?"
python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); assert r["n"] == int(sys.argv[2]), r["n"]' \
    "$tmp/eval" "$rows" || fail "the tuned model did not label every held-out paragraph"

# --tune repeated tunes on the pages of all its files together: the same model as one file
# holding them all, every row counted.
awk -F'\t' '$1 != last { n++; last = $1 } n % 2 == 1' "$tmp/held.tsv" >"$tmp/held_a.tsv"
awk -F'\t' '$1 != last { n++; last = $1 } n % 2 == 0' "$tmp/held.tsv" >"$tmp/held_b.tsv"
cat "$tmp/held_a.tsv" "$tmp/held_b.tsv" >"$tmp/held_ab.tsv"
"$chaff" train --tune "$tmp/held_a.tsv" --tune "$tmp/held_b.tsv" --model "$tmp/m2.chaff" \
    "$tmp/train.tsv" >"$tmp/out2" 2>"$tmp/err" || fail "train --tune x2 exited $?: $(cat "$tmp/err")"
grep -q "^tuned	$rows paragraphs of $tmp/held_a.tsv and $tmp/held_b.tsv: " "$tmp/out2" ||
    fail "train --tune x2: $(grep '^tuned' "$tmp/out2")"
"$chaff" train --tune "$tmp/held_ab.tsv" --model "$tmp/m3.chaff" "$tmp/train.tsv" >/dev/null \
    2>"$tmp/err" || fail "train --tune exited $?: $(cat "$tmp/err")"
cmp -s "$tmp/m2.chaff" "$tmp/m3.chaff" || fail "two --tune files tuned otherwise than their union"
rm -f "$tmp/m2.chaff" "$tmp/m3.chaff"

# Tuning data with a label the model lacks, or a missing file: exit 1, file named.
sed 's/	consent	/	cookie	/' "$tmp/held.tsv" >"$tmp/bad.tsv"
"$chaff" train --tune "$tmp/bad.tsv" --model "$tmp/m2.chaff" "$tmp/train.tsv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "unknown tuning label should exit 1"
grep -q "bad.tsv: .*label 'cookie'" "$tmp/err" || fail "unknown label message: $(cat "$tmp/err")"
[ ! -e "$tmp/m2.chaff" ] || fail "a model was written despite the error"
"$chaff" train --tune "$tmp/none.tsv" --model "$tmp/m3.chaff" "$tmp/train.tsv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "missing tuning file should exit 1"
grep -q "none.tsv: cannot open" "$tmp/err" || fail "missing file message: $(cat "$tmp/err")"

# chaff tune does the same to a model on disk; tuning never lowers macro-F1 on its data.
"$chaff" tune --model "$tmp/m.chaff" --out "$tmp/t.chaff" "$tmp/held.tsv" >"$tmp/out" \
    2>"$tmp/err" || fail "chaff tune exited $?: $(cat "$tmp/err")"
grep -q '^tuned' "$tmp/out" || fail "chaff tune printed no 'tuned' line"
python3 - "$(grep '^tuned' "$tmp/out")" <<'PY' || fail "re-tuning lowered macro-F1: $(cat "$tmp/out")"
import re, sys
before, after = map(float, re.search(r"macro-F1 ([0-9.]+) -> ([0-9.]+)", sys.argv[1]).groups())
assert after >= before, (before, after)
PY
"$chaff" tune --model "$tmp/m.chaff" "$tmp/held.tsv" >/dev/null 2>&1
[ $? -eq 2 ] || fail "chaff tune without --out should exit 2"
exit 0
