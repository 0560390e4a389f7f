#!/bin/sh
# chaff train + classify: a model trained on the fixture labels the fixture's own pages exactly
# as their gold labels, read as one file per page or as \f-separated pages on standard input.
# Usage: train_classify.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
fixture=$data/fixture_small.tsv
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_train_classify.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

# Training prints a summary with the sizes of the data and the model. A weakly regularised
# model (-C 10) memorises its small training set: what is tested here is that training,
# saving, loading and classifying keep every paragraph's label and order, not generalisation.
"$chaff" train -C 10 --model "$tmp/m.chaff" "$fixture" >"$tmp/summary" 2>"$tmp/err" ||
    fail "chaff train exited $?"
[ -s "$tmp/m.chaff" ] || fail "no model file written"
pages=$(cut -f1 "$fixture" | uniq | grep -c .)
rows=$(grep -c . "$fixture")
grep -qx "pages	$pages" "$tmp/summary" || fail "summary lacks 'pages	$pages'"
grep -qx "paragraphs	$rows" "$tmp/summary" || fail "summary lacks 'paragraphs	$rows'"
grep -q "^labels	3	" "$tmp/summary" || fail "summary lacks 'labels	3'"
for label in content consent navigation; do
    grep "^labels	" "$tmp/summary" | grep -q "$label" || fail "summary labels lack '$label'"
done
grep -Eq '^features	[1-9][0-9]*$' "$tmp/summary" || fail "summary lacks a features count"
grep -Eq '^seconds	[0-9]+\.[0-9]+ \(featurise ' "$tmp/summary" || fail "summary lacks the seconds"

# Split the fixture into one text file per page (escapes decoded), the gold labels in order,
# and one \f-separated stream of all pages.
python3 - "$fixture" "$tmp" <<'PY' || fail "could not split the fixture"
import sys
fixture, out = sys.argv[1], sys.argv[2]
def unescape(s):
    r, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            r.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            r.append(c)
            i += 1
    return "".join(r)
pages, order = {}, []
with open(fixture, encoding="utf-8", newline="\n") as f:
    for line in f:
        line = line.rstrip("\n")
        if not line:
            continue
        pid, lang, label, text = line.split("\t")
        text = unescape(text)
        assert "\n" not in text and text.strip(), "fixture text must be one non-blank line"
        if pid not in pages:
            pages[pid] = []
            order.append(pid)
        pages[pid].append((label, text))
with open(out + "/list", "w") as lst, open(out + "/gold", "w") as gold, \
        open(out + "/all.txt", "w", encoding="utf-8") as all_:
    for k, pid in enumerate(order):
        name = "%s/page%03d.txt" % (out, k)
        with open(name, "w", encoding="utf-8") as p:
            for label, text in pages[pid]:
                p.write(text + "\n")
                all_.write(text + "\n")
                gold.write(label + "\n")
        if k + 1 < len(order):
            all_.write("\f\n")
        lst.write(name + "\n")
PY
[ "$(wc -l <"$tmp/list")" -eq "$pages" ] || fail "split gave the wrong number of pages"

# One file per page.
"$chaff" classify --model "$tmp/m.chaff" --output labels $(cat "$tmp/list") >"$tmp/out" \
    2>"$tmp/err" || fail "chaff classify on the page files exited $?"
[ -s "$tmp/err" ] && fail "chaff classify wrote to stderr"
diff "$tmp/gold" "$tmp/out" >"$tmp/diff" || {
    sed 's/^/  /' "$tmp/diff" >&2
    fail "labels of the page files differ from the gold labels"
}

# The same pages on standard input, separated by form feeds.
"$chaff" classify -m "$tmp/m.chaff" -o labels <"$tmp/all.txt" >"$tmp/out" 2>"$tmp/err" ||
    fail "chaff classify on standard input exited $?"
cmp -s "$tmp/gold" "$tmp/out" || fail "labels on standard input differ from the gold labels"

# The tsv output carries the same labels, a confidence in (0, 1] and the text.
"$chaff" classify -m "$tmp/m.chaff" - <"$tmp/all.txt" >"$tmp/tsv" 2>"$tmp/err" ||
    fail "chaff classify --output tsv exited $?"
cut -f1 "$tmp/tsv" | cmp -s "$tmp/gold" - || fail "tsv labels differ from the gold labels"
awk -F'\t' 'NF != 3 || $2 <= 0 || $2 > 1 { bad = 1 } END { exit bad }' "$tmp/tsv" ||
    fail "tsv rows are not label<TAB>confidence<TAB>text with a confidence in (0, 1]"
# The text field is escaped as in the TSV format, so it equals the fixture's own text field.
grep . "$fixture" | cut -f4 >"$tmp/texts"
cut -f3- "$tmp/tsv" | cmp -s "$tmp/texts" - || fail "tsv texts differ from the escaped input"

# Training is repeatable: the same data and options give the same model file, byte for byte,
# run after run and for any number of threads, also with stacking (four copies of the
# fixture's pages: 88 pages, enough for the two folds).
for k in 1 2 3 4; do grep . "$fixture" | sed "s/^/c$k-/"; done >"$tmp/x4.tsv"
for run in 1 2 3; do
    threads=$((run < 3 ? 2 : 1))
    "$chaff" train -t $threads --model "$tmp/r$run.chaff" "$tmp/x4.tsv" >"$tmp/rsum$run" \
        2>"$tmp/err" || fail "chaff train -t $threads exited $?"
done
grep -qx "stacking	on" "$tmp/rsum1" || fail "the repeatability check should train with stacking"
cmp -s "$tmp/r1.chaff" "$tmp/r2.chaff" || fail "two runs of chaff train -t 2 gave different models"
cmp -s "$tmp/r1.chaff" "$tmp/r3.chaff" || fail "chaff train -t 1 and -t 2 gave different models"

exit 0
