#!/bin/sh
# chaff eval: the text and JSON reports, and a failing standard output.
# Usage: eval_report.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
fixture=$data/fixture_small.tsv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_eval_report.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

"$chaff" train --model "$tmp/x.chaff" "$fixture" >/dev/null 2>"$tmp/err" ||
    fail "chaff train on fixture_small.tsv failed"
rows=$(grep -c . "$fixture")

# Text report.
"$chaff" eval --model "$tmp/x.chaff" "$fixture" >"$tmp/out" 2>"$tmp/err" ||
    fail "chaff eval exited $?"
[ -s "$tmp/err" ] && fail "chaff eval wrote to stderr"
for pattern in "paragraphs: $rows in " "accuracy:" "macro-F1:" "char-weighted macro-F1:" \
    "confusion (rows: gold, columns: predicted)" "language" "content" "consent" "navigation"; do
    grep -qF "$pattern" "$tmp/out" || fail "text report lacks '$pattern'"
done
for lang in en de ja ar ru; do
    grep -q "^$lang " "$tmp/out" || fail "text report has no row for language '$lang'"
done

# JSON report: parses, has the keys, and its counts add up.
"$chaff" eval --json --model "$tmp/x.chaff" "$fixture" "$fixture" >"$tmp/out" 2>"$tmp/err" ||
    fail "chaff eval --json exited $?"
python3 - "$tmp/out" "$((rows * 2))" <<'PY' || fail "JSON report is wrong"
import json, sys
with open(sys.argv[1], encoding="utf-8") as f:
    d = json.load(f)
n = int(sys.argv[2])
for key in ("n", "accuracy", "macro_f1", "per_label", "char_f1", "per_lang", "confusion", "files"):
    assert key in d, "missing key " + key
assert d["n"] == n, (d["n"], n)
assert len(d["files"]) == 2
labels = set(d["per_label"])
assert labels == {"content", "consent", "navigation"}, labels
assert set(d["char_f1"]["per_label"]) == labels
assert 0.0 <= d["char_f1"]["macro_f1"] <= 1.0
for m in d["per_label"].values():
    assert set(m) == {"support", "precision", "recall", "f1"}, m
    assert all(0.0 <= m[k] <= 1.0 for k in ("precision", "recall", "f1"))
assert sum(m["support"] for m in d["per_label"].values()) == n
assert sum(c for row in d["confusion"].values() for c in row.values()) == n
for gold, row in d["confusion"].items():
    assert sum(row.values()) == d["per_label"][gold]["support"]
assert sum(v["n"] for v in d["per_lang"].values()) == n
assert list(d["per_lang"]) == sorted(d["per_lang"]), "languages not sorted"
assert {"en", "de", "ja", "ar", "ru"} <= set(d["per_lang"])
correct = sum(d["confusion"][k][k] for k in labels)
assert abs(d["accuracy"] - correct / n) < 1e-9
# Page-averaged: the mean of the per-language page means weighted by their pages is the whole.
assert 0.0 <= d["page_macro_f1"] <= 1.0
pages = sum(v["pages"] for v in d["per_lang"].values())
assert pages == d["pages"], (pages, d["pages"])
mean = sum(v["page_macro_f1"] * v["pages"] for v in d["per_lang"].values()) / pages
assert abs(mean - d["page_macro_f1"]) < 1e-9, (mean, d["page_macro_f1"])
assert sum(v["pages"] for v in d["per_source"].values()) == pages
PY

# Writing to a full device fails with exit 1 and a message.
if [ -w /dev/full ]; then
    for opt in "" --json; do
        "$chaff" eval $opt --model "$tmp/x.chaff" "$fixture" >/dev/full 2>"$tmp/err"
        rc=$?
        [ "$rc" -eq 1 ] || fail "eval $opt > /dev/full exited $rc, expected 1"
        grep -qF "chaff: writing output failed" "$tmp/err" || fail "no message for /dev/full"
    done
fi

exit 0
