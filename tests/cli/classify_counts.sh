#!/bin/sh
# chaff classify: exactly one output row per non-blank input line, in input order, for standard
# input with several pages, for files given as arguments and for a mix of both; the clean output
# keeps only content lines, each an input line.
# Usage: classify_counts.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_classify_counts.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

"$chaff" train --model "$tmp/m.chaff" --hash-bits 16 "$data/fixture_small.tsv" >/dev/null \
    2>"$tmp/err" || fail "chaff train on fixture_small.tsv failed"
ff=$(printf '\f')

# Inputs: blank and white-space-only lines, CRLF, a missing final newline, form feeds.
printf 'Home\nNews\n\n   \nThe minister said on Tuesday that the plan would go ahead.\n' >"$tmp/a.txt"
printf 'We use cookies.\r\n\r\nAccept all\r\nReject all\r\n' >"$tmp/b.txt"
printf '\t\n\nOnly line, no newline at the end' >"$tmp/c.txt"
printf 'Page one, first line\n\f\nPage two\nsecond paragraph\n\f\n\f\nPage four\n' >"$tmp/d.txt"
: >"$tmp/empty.txt"
# A real page: the first page of the fixture (its texts hold no TSV escapes).
awk -F'\t' 'NR == 1 { id = $1 } $1 == id { print $4 }' "$data/fixture_small.tsv" >"$tmp/e.txt"
grep -q '\\' "$tmp/e.txt" && fail "the first fixture page has escapes"

# Non-blank lines that are not page separators, counted file by file (a file may lack its
# final newline).
paragraphs() {
    n=0
    for file in "$@"; do
        n=$((n + $(tr -d '\r' <"$file" | grep -v "^$ff\$" | grep -c '[^[:space:]]')))
    done
    echo "$n"
}

# check_count EXPECTED OUTPUT_FORMAT ARGS...: runs classify and compares the row count.
check_count() {
    want=$1
    format=$2
    shift 2
    "$chaff" classify --model "$tmp/m.chaff" --output "$format" "$@" >"$tmp/out" 2>"$tmp/err" ||
        fail "classify -o $format $* exited $?"
    [ -s "$tmp/err" ] && fail "classify -o $format $* wrote to stderr"
    got=$(wc -l <"$tmp/out")
    [ "$got" -eq "$want" ] || fail "classify -o $format $*: $got rows for $want paragraphs"
    return 0
}

for format in tsv labels; do
    for f in a b c d e; do
        check_count "$(paragraphs "$tmp/$f.txt")" "$format" "$tmp/$f.txt"
        check_count "$(paragraphs "$tmp/$f.txt")" "$format" - <"$tmp/$f.txt"
    done
    check_count "$(paragraphs "$tmp/a.txt" "$tmp/b.txt" "$tmp/c.txt" "$tmp/d.txt")" "$format" \
        "$tmp/a.txt" "$tmp/b.txt" "$tmp/c.txt" "$tmp/d.txt"
    # Several pages on standard input.
    cat "$tmp/a.txt" >"$tmp/multi.txt"
    printf '\f\n' >>"$tmp/multi.txt"
    cat "$tmp/b.txt" >>"$tmp/multi.txt"
    printf '\f\n' >>"$tmp/multi.txt"
    cat "$tmp/d.txt" >>"$tmp/multi.txt"
    printf '\f\n' >>"$tmp/multi.txt"
    cat "$tmp/e.txt" >>"$tmp/multi.txt"
    check_count "$(paragraphs "$tmp/multi.txt")" "$format" <"$tmp/multi.txt"
    # Files and standard input mixed, and an empty file in between.
    check_count "$(paragraphs "$tmp/a.txt" "$tmp/multi.txt" "$tmp/c.txt")" "$format" \
        "$tmp/a.txt" - "$tmp/empty.txt" "$tmp/c.txt" <"$tmp/multi.txt"
    check_count 0 "$format" "$tmp/empty.txt"
done

# Every labels row is a label of the model; every tsv row has three fields.
"$chaff" classify -m "$tmp/m.chaff" -o labels "$tmp/multi.txt" >"$tmp/out" 2>"$tmp/err"
grep -Evx 'content|consent|navigation' "$tmp/out" && fail "labels output has a row that is no label"
"$chaff" classify -m "$tmp/m.chaff" "$tmp/multi.txt" >"$tmp/out" 2>"$tmp/err"
awk -F'\t' 'NF != 3 { bad = 1 } END { exit bad }' "$tmp/out" || fail "a tsv row has not 3 fields"
# The tsv rows are the input paragraphs in order.
tr -d '\r' <"$tmp/multi.txt" | grep -v "^$ff\$" | grep '[^[:space:]]' >"$tmp/want"
cut -f3 "$tmp/out" | cmp -s "$tmp/want" - || fail "tsv texts are not the input paragraphs in order"

# Clean output: only the content paragraphs, each an input line, in order.
"$chaff" classify -m "$tmp/m.chaff" -o labels "$tmp/multi.txt" >"$tmp/labels" 2>"$tmp/err"
"$chaff" classify -m "$tmp/m.chaff" -o clean "$tmp/multi.txt" >"$tmp/clean" 2>"$tmp/err" ||
    fail "classify -o clean exited $?"
paste "$tmp/labels" "$tmp/want" | awk -F'\t' '$1 == "content" { print $2 }' >"$tmp/content"
cmp -s "$tmp/content" "$tmp/clean" || fail "clean output is not the content paragraphs in order"
while IFS= read -r line; do
    grep -qxF -- "$line" "$tmp/want" || fail "clean output line is no input line: $line"
done <"$tmp/clean"
[ "$(grep -c . "$tmp/clean")" -ge 1 ] || fail "clean output kept no paragraph of the article"

exit 0
