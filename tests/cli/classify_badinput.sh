#!/bin/sh
# chaff classify and the chaff command: bad bytes, huge and empty input, broken models, a full
# output device, missing files, and the exit codes of options and commands.
# Usage: classify_badinput.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_classify_badinput.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

. "$(dirname "$0")/common.inc"

rows() {
    wc -l <"$tmp/out" | tr -d ' '
}

"$chaff" train --model "$tmp/m.chaff" --hash-bits 14 "$data/fixture_small.tsv" >/dev/null \
    2>"$tmp/err" || fail "chaff train on fixture_small.tsv failed"
m=$tmp/m.chaff

# Invalid UTF-8 (lone continuation, truncated, overlong, surrogate, 0xff) and NUL bytes: every
# paragraph is still labelled, one row each.
printf 'ok line\n\200\277 lone continuation bytes\ntruncated \342\202\nover\300\257long\n' \
    >"$tmp/bad.txt"
printf 'surrogate \355\240\200 here\n\377\376\n\000\nNUL\000in\000the middle\n' >>"$tmp/bad.txt"
printf 'last line, truncated sequence at the very end \360\237\230' >>"$tmp/bad.txt"
for format in tsv labels; do
    expect 0 "" "$chaff" classify -m "$m" -o "$format" "$tmp/bad.txt"
    [ "$(rows)" -eq 9 ] || fail "invalid bytes: $(rows) $format rows for 9 paragraphs"
done
expect 0 "" "$chaff" classify -m "$m" -o clean "$tmp/bad.txt"
# -o jsonl keeps them all as valid JSON: invalid sequences become U+FFFD (the writer once cut
# the record short at the first one and glued the next record to it, exiting 0).
expect 0 "" "$chaff" classify -m "$m" -o jsonl --keep content,navigation,consent "$tmp/bad.txt" "$tmp/bad.txt"
if command -v python3 >/dev/null; then
    python3 -c '
import json, sys
recs = [json.loads(line) for line in open(sys.argv[1], encoding="utf-8")]
assert len(recs) == 2, len(recs)
for r in recs:
    assert len(r["labels"]) == 9, r["labels"]
    assert "\ufffd" in r["text"] and "ok line" in r["text"], r["text"]
' "$tmp/out" || fail "-o jsonl with invalid UTF-8: not two valid records of 9 paragraphs"
fi

# A 10 MB line is one paragraph.
python3 -c 'import sys; sys.stdout.write("word " * (2 * 1024 * 1024) + "\n")' >"$tmp/big.txt"
expect 0 "" "$chaff" classify -m "$m" -o labels "$tmp/big.txt"
[ "$(rows)" -eq 1 ] || fail "10 MB line: $(rows) rows for 1 paragraph"
expect 0 "" "$chaff" classify -m "$m" "$tmp/big.txt"
[ "$(rows)" -eq 1 ] || fail "10 MB line: $(rows) tsv rows for 1 paragraph"
[ "$(wc -c <"$tmp/out")" -gt 10000000 ] || fail "10 MB line: tsv row does not hold the text"

# Empty input: no output, success.
: >"$tmp/empty.txt"
expect 0 "" "$chaff" classify -m "$m" "$tmp/empty.txt"
[ -s "$tmp/out" ] && fail "empty file gave output"
expect 0 "" "$chaff" classify -m "$m" </dev/null
[ -s "$tmp/out" ] && fail "empty standard input gave output"
printf '\n  \n\t\n' | "$chaff" classify -m "$m" >"$tmp/out" 2>"$tmp/err" ||
    fail "blank input exited $?"
[ -s "$tmp/out" ] && fail "blank input gave output"

# Broken models: a clear message naming the model file, exit 1, no output.
head -c 100 "$m" >"$tmp/truncated.chaff"
expect 1 "chaff: $tmp/truncated.chaff: truncated" \
    "$chaff" classify -m "$tmp/truncated.chaff" "$tmp/bad.txt"
[ -s "$tmp/out" ] && fail "classify with a truncated model wrote output"
python3 -c 'import os, sys; sys.stdout.buffer.write(os.urandom(4096))' >"$tmp/random.chaff"
expect 1 "chaff: $tmp/random.chaff: not a chaff model" \
    "$chaff" classify -m "$tmp/random.chaff" "$tmp/bad.txt"
: >"$tmp/empty.chaff"
expect 1 "chaff: $tmp/empty.chaff: " "$chaff" classify -m "$tmp/empty.chaff" "$tmp/bad.txt"
expect 1 "chaff: $tmp/none.chaff: cannot open: No such file or directory" \
    "$chaff" classify -m "$tmp/none.chaff" "$tmp/bad.txt"
expect 1 "chaff: $tmp: " "$chaff" classify -m "$tmp" "$tmp/bad.txt"

# A full output device: exit 1 with a message.
if [ -w /dev/full ]; then
    for format in tsv labels clean; do
        "$chaff" classify -m "$m" -o "$format" "$data/fixture_small.tsv" >/dev/full \
            2>"$tmp/err"
        rc=$?
        [ "$rc" -eq 1 ] || fail "classify -o $format > /dev/full exited $rc, expected 1"
        grep -qF "chaff: writing output failed" "$tmp/err" ||
            fail "classify -o $format > /dev/full: no 'writing output failed' message"
    done
fi

# A missing input file is reported, the other files are still labelled, and the exit code is 1.
printf 'one\ntwo\n' >"$tmp/two.txt"
expect 1 "chaff: $tmp/missing.txt: cannot open: No such file or directory" \
    "$chaff" classify -m "$m" -o labels "$tmp/two.txt" "$tmp/missing.txt" "$tmp/two.txt"
[ "$(rows)" -eq 4 ] || fail "files around a missing one: $(rows) rows, expected 4"

# Usage errors exit 2 with a short usage on stderr and nothing on stdout.
expect 2 "--bogus" "$chaff" classify --bogus "$tmp/two.txt"
grep -qF "chaff classify --help" "$tmp/err" || fail "no pointer to the usage after a bad option"
[ -s "$tmp/out" ] && fail "a usage error wrote to stdout"
expect 2 "--output: unknown format 'xml'" "$chaff" classify -m "$m" --output xml "$tmp/two.txt"
expect 2 "chaff classify --help" "$chaff" classify -m

# Help and version go to stdout with exit 0.
expect 0 "" "$chaff" classify --help
grep -qF "Usage: chaff classify" "$tmp/out" || fail "classify --help printed no usage"
expect 0 "" "$chaff" --help
grep -qF "Usage: chaff COMMAND" "$tmp/out" || fail "chaff --help printed no usage"
grep -qF "Exit status" "$tmp/out" || fail "chaff --help has no exit status table"
expect 0 "" "$chaff" --version
grep -Eq '^chaff [0-9]+\.[0-9]+\.[0-9]+' "$tmp/out" || fail "chaff --version printed no version"

# The command alone or an unknown command: exit 2, usage on stderr.
expect 2 "Usage: chaff COMMAND" "$chaff"
[ -s "$tmp/out" ] && fail "chaff alone wrote to stdout"
expect 2 "chaff: unknown command 'frobnicate'" "$chaff" frobnicate
[ -s "$tmp/out" ] && fail "an unknown command wrote to stdout"

exit 0
