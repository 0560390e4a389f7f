#!/bin/sh
# chaff eval: exit codes and messages for bad options, bad files and bad rows.
# Usage: eval_errors.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_eval_errors.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

# Usage errors need no model.
expect 2 "chaff: eval: unknown option '--bogus'" "$chaff" eval --bogus "$data/fixture_small.tsv"
grep -qF "Usage: chaff eval" "$tmp/err" || fail "no short usage after a bad option"
[ -s "$tmp/out" ] && fail "usage error wrote to stdout"
expect 2 "chaff: eval: unknown option '-x'" "$chaff" eval -x "$data/fixture_small.tsv"
expect 2 "chaff: eval: option '--model' needs an argument" "$chaff" eval --model
expect 2 "chaff: eval: no data files given" "$chaff" eval --json
expect 0 "" "$chaff" eval --help
grep -qF "Usage: chaff eval" "$tmp/out" || fail "--help printed no usage on stdout"
expect 1 "chaff: $tmp/none.chaff" "$chaff" eval --model "$tmp/none.chaff" \
    "$data/fixture_small.tsv"

"$chaff" train --model "$tmp/x.chaff" "$data/fixture_small.tsv" >/dev/null 2>"$tmp/err" ||
    fail "chaff train on fixture_small.tsv failed"

# A gold label the model does not know names the file, the line and the known labels.
printf 'p1\ten\tcontent\tThe article text.\np1\ten\tfooter\tImprint\n' >"$tmp/unknown.tsv"
expect 1 "chaff: $tmp/unknown.tsv:2: unknown label 'footer' (the model knows: " \
    "$chaff" eval --model "$tmp/x.chaff" "$tmp/unknown.tsv"
for label in content consent navigation; do
    grep -q "knows: .*$label" "$tmp/err" || fail "unknown-label message does not list '$label'"
done
[ -s "$tmp/out" ] && fail "a report was printed although a file failed"

# Malformed rows name the file and line.
printf 'p1\ten\tcontent\tok\n\np1\ten\tcontent\n' >"$tmp/short.tsv"
expect 1 "chaff: $tmp/short.tsv:3: expected 4 tab-separated fields, found 3" \
    "$chaff" eval --model "$tmp/x.chaff" "$tmp/short.tsv"
printf 'p1\ten\tcontent\tC:\\xyz\n' >"$tmp/escape.tsv"
expect 1 "chaff: $tmp/escape.tsv:1: bad escape '\\x' in text" \
    "$chaff" eval --model "$tmp/x.chaff" "$tmp/escape.tsv"
printf 'p1\ten\t\ttext\n' >"$tmp/nolabel.tsv"
expect 1 "chaff: $tmp/nolabel.tsv:1: empty label" \
    "$chaff" eval --model "$tmp/x.chaff" "$tmp/nolabel.tsv"

# A missing file is reported, the other files are still read, and the exit code is 1.
expect 1 "chaff: $tmp/missing.tsv: cannot open: No such file or directory" \
    "$chaff" eval --model "$tmp/x.chaff" "$tmp/missing.tsv" "$tmp/short.tsv"
grep -qF "$tmp/short.tsv:3:" "$tmp/err" || fail "the file after a missing one was not read"
[ -s "$tmp/out" ] && fail "a report was printed although a file was missing"

# Standard input is shown as <stdin>.
"$chaff" eval --model "$tmp/x.chaff" - <"$tmp/short.tsv" >/dev/null 2>"$tmp/err"
[ $? -eq 1 ] || fail "bad row on stdin did not exit 1"
grep -qF "chaff: <stdin>:3: expected 4 tab-separated fields, found 3" "$tmp/err" ||
    fail "stdin error does not say <stdin>:3"

exit 0
