#!/bin/sh
# chaff train: malformed TSV names the file and line, data that cannot train a model and a model
# path that cannot be written exit 1, option errors exit 2; no model file is left behind.
# Usage: train_badinput.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_train_badinput.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

no_model() {
    [ -e "$tmp/m.chaff" ] && fail "a model file was written although training failed: $*"
    return 0
}

good='p1\ten\tcontent\tThe council approved the budget on Monday.\np1\ten\tnavigation\tHome\n'

# Malformed rows: chaff: FILE:LINE: WHAT, exit 1.
printf "$good"'p2\ten\tcontent\n' >"$tmp/fields.tsv"
expect 1 "chaff: $tmp/fields.tsv:3: expected 4 tab-separated fields, found 3" \
    "$chaff" train --model "$tmp/m.chaff" "$tmp/fields.tsv"
no_model "3 fields"
printf "$good"'p2\ten\tcontent\tone\ttwo\n' >"$tmp/five.tsv"
expect 1 "chaff: $tmp/five.tsv:3: expected 4 tab-separated fields, found 5" \
    "$chaff" train --model "$tmp/m.chaff" "$tmp/five.tsv"
printf "$good"'\np2\ten\tcontent\tbad \\q escape\n' >"$tmp/escape.tsv"
expect 1 "chaff: $tmp/escape.tsv:4: bad escape '\\q' in text" \
    "$chaff" train --model "$tmp/m.chaff" "$tmp/escape.tsv"
no_model "bad escape"
printf "$good"'p2\ten\t\tno label\n' >"$tmp/nolabel.tsv"
expect 1 "chaff: $tmp/nolabel.tsv:3: empty label" \
    "$chaff" train --model "$tmp/m.chaff" "$tmp/nolabel.tsv"
# On standard input the file is called <stdin>.
"$chaff" train --model "$tmp/m.chaff" - <"$tmp/fields.tsv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "a bad row on standard input did not exit 1"
grep -qF "chaff: <stdin>:3: expected 4 tab-separated fields, found 3" "$tmp/err" ||
    fail "stdin error does not say <stdin>:3"
# A bad file after a good one still fails the run.
expect 1 "chaff: $tmp/escape.tsv:4:" \
    "$chaff" train --model "$tmp/m.chaff" "$data/fixture_small.tsv" "$tmp/escape.tsv"
no_model "good file then bad file"
expect 1 "chaff: $tmp/missing.tsv: cannot open: No such file or directory" \
    "$chaff" train --model "$tmp/m.chaff" "$tmp/missing.tsv"

# Data that cannot train a model: one label only, or no rows at all.
printf 'p1\ten\tcontent\tOne.\np1\ten\tcontent\tTwo.\np2\tde\tcontent\tDrei.\n' >"$tmp/one.tsv"
expect 1 "label" "$chaff" train --model "$tmp/m.chaff" "$tmp/one.tsv"
grep -q "^chaff: " "$tmp/err" || fail "single-label message is not 'chaff: ...'"
no_model "single label"
: >"$tmp/empty.tsv"
"$chaff" train --model "$tmp/m.chaff" "$tmp/empty.tsv" >"$tmp/out" 2>"$tmp/err"
[ $? -eq 1 ] || fail "training on an empty file did not exit 1"
grep -q "^chaff: " "$tmp/err" || fail "empty data gave no 'chaff: ...' message"
no_model "empty data"

# A model path that cannot be written.
expect 1 "chaff: $tmp/no/such/dir/m.chaff: cannot create" \
    "$chaff" train --model "$tmp/no/such/dir/m.chaff" --hash-bits 12 "$data/fixture_small.tsv"

# Option errors: exit 2, a pointer to the usage, nothing on stdout.
expect 2 "chaff: train: --model OUT is required" "$chaff" train "$data/fixture_small.tsv"
grep -qF "chaff train --help" "$tmp/err" || fail "no pointer to the usage without --model"
[ -s "$tmp/out" ] && fail "a usage error wrote to stdout"
for bits in 9 27 40 abc -1 ''; do
    expect 2 "--hash-bits" "$chaff" train --model "$tmp/m.chaff" --hash-bits "$bits" \
        "$data/fixture_small.tsv"
    no_model "--hash-bits '$bits'"
done
for chars in 1 7 65537 abc -1 ''; do
    expect 2 "--max-chars" "$chaff" train --model "$tmp/m.chaff" --max-chars "$chars" \
        "$data/fixture_small.tsv"
    no_model "--max-chars '$chars'"
done
expect 2 "no training data given" "$chaff" train --model "$tmp/m.chaff"
expect 2 "--bogus" "$chaff" train --model "$tmp/m.chaff" --bogus "$data/fixture_small.tsv"
expect 0 "" "$chaff" train --help
grep -qF "Usage: chaff train" "$tmp/out" || fail "train --help printed no usage"
no_model "usage errors"

# An output path whose directory does not exist fails before training, naming the path.
expect 1 "$tmp/none/m.chaff: cannot create" "$chaff" train --model "$tmp/none/m.chaff" \
    "$data/fixture_small.tsv"
[ ! -s "$tmp/out" ] || fail "a failed train printed a summary"

exit 0
