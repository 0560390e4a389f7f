#!/bin/sh
# chaff classify --output-dir, --inputs, --shard and --stats-json, and chaff stats-sum: one
# output per input equal to classifying it alone, names and their clashes, shards that
# partition the list, reruns that skip what is done, a failed input that fails alone, a run
# killed mid-way that leaves no file under an output's name, a full disk (RLIMIT_FSIZE always,
# a tiny tmpfs when root may mount one) that leaves no partial file, and a second process kept
# off an output being written.
# Usage: classify_outdir.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_outdir.XXXXXX") || exit 1
mnt=
cleanup() {
    [ -n "$mnt" ] && umount "$mnt" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT
LC_ALL=C
export LC_ALL
. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }

# json FILE EXPR: prints the Python expression EXPR over the JSON object in FILE, bound to 's'.
json() {
    python3 -c 'import json, sys; s = json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

in=$tmp/in
mkdir "$in" "$in/sub"
for i in 1 2 3 4 5; do
    python3 "$data/make_arch.py" make --format wet --gzip --pages 30 --seed $i \
        --source "$data/fixture_small.tsv" "$in/w$i.warc.wet.gz" /dev/null || fail "make_arch"
done
cp "$data/sample_page.txt" "$in/page.txt"
cp "$data/sample_page.html" "$in/sub/article.html"
printf '%s\n' "$in/w1.warc.wet.gz" "$in/page.txt" "" "$in/w2.warc.wet.gz" \
    "$in/sub/article.html" "$in/w3.warc.wet.gz" "$in/w4.warc.wet.gz" >"$tmp/list"
printf '%s\r\n' "$in/w5.warc.wet.gz" >>"$tmp/list" # a CRLF line

# The reference: each input classified alone, to standard output.
for f in w1 w2 w3 w4 w5; do
    "$chaff" classify -o clean "$in/$f.warc.wet.gz" >"$tmp/$f.clean" || fail "reference $f"
    "$chaff" classify -o tsv "$in/$f.warc.wet.gz" >"$tmp/$f.tsv" || fail "reference $f"
done
"$chaff" classify -o clean "$in/page.txt" >"$tmp/page.clean" || fail "reference page"
"$chaff" classify -o tsv "$in/page.txt" >"$tmp/page.tsv" || fail "reference page"
"$chaff" classify -o clean "$in/sub/article.html" >"$tmp/article.clean" || fail "reference html"
"$chaff" classify -o tsv "$in/sub/article.html" >"$tmp/article.tsv" || fail "reference html"

# same_as_reference DIR EXT_WET EXT_TEXT KIND: every output in DIR equals its reference.
same_as_reference() {
    for f in w1 w2 w3 w4 w5; do
        cmp -s "$1/$f$2" "$tmp/$f.$4" || fail "$1/$f$2 differs from classifying it alone"
    done
    cmp -s "$1/page$3" "$tmp/page.$4" || fail "$1/page$3 differs from classifying it alone"
    cmp -s "$1/article$3" "$tmp/article.$4" || fail "$1/article$3 differs from classifying it alone"
    [ "$(ls "$1" | wc -l)" -eq 7 ] || fail "$1 holds $(ls "$1" | wc -l) files, expected 7"
}

# --- one output per input, named after it, equal to classifying it alone
expect 0 "" "$chaff" classify -o clean --output-dir "$tmp/clean" --inputs "$tmp/list"
same_as_reference "$tmp/clean" .warc.wet.gz .txt clean
expect 0 "" "$chaff" classify --output-dir "$tmp/tsv" --inputs - <"$tmp/list"
same_as_reference "$tmp/tsv" .tsv .tsv tsv
ls -A "$tmp/tsv" | grep -q 'part$' && fail "a .part file was left"
expect 0 "" "$chaff" classify -o labels --output-dir "$tmp/lab" "$in/w1.warc.wet.gz" "$in/page.txt"
[ -f "$tmp/lab/w1.labels" ] && [ -f "$tmp/lab/page.labels" ] || fail "-o labels names"
expect 0 "" "$chaff" classify -o jsonl --output-dir "$tmp/jl" "$in/w1.warc.wet.gz"
[ -f "$tmp/jl/w1.jsonl" ] || fail "-o jsonl name"
# A WARC not compressed keeps no .gz; -f text makes a text name.
gzip -dc "$in/w1.warc.wet.gz" >"$in/plain.warc"
expect 0 "" "$chaff" classify -o clean --output-dir "$tmp/plain" "$in/plain.warc"
[ -f "$tmp/plain/plain.warc.wet" ] || fail "clean output of an uncompressed WARC: $(ls "$tmp/plain")"
expect 0 "" "$chaff" classify -o clean -f text --output-dir "$tmp/plain" "$in/plain.warc"
[ -f "$tmp/plain/plain.txt" ] || fail "clean output of -f text: $(ls "$tmp/plain")"

# --- names that clash, and inputs without a name
mkdir "$in/other"
cp "$in/page.txt" "$in/other/page.txt"
expect 2 "both make page.tsv" "$chaff" classify --output-dir "$tmp/x" "$in/page.txt" \
    "$in/other/page.txt"
expect 2 "listed twice" "$chaff" classify --output-dir "$tmp/x" "$in/page.txt" "$in/page.txt"
cp "$in/page.txt" "$in/page.jsonl.gz"
expect 2 "both make page.tsv" "$chaff" classify --output-dir "$tmp/x" --shard 1/2 "$in/page.txt" \
    "$in/page.jsonl.gz"
expect 2 "standard input" "$chaff" classify --output-dir "$tmp/x" -
expect 2 "standard input" "$chaff" classify --output-dir "$tmp/x" </dev/null
[ -e "$tmp/x" ] && fail "a usage error made the output directory"
expect 2 "give a file" "$chaff" classify --stats-json - "$in/page.txt"

# --- shards partition the list
expect 2 "I must be below N" "$chaff" classify --shard 3/3 "$in/page.txt"
expect 2 "expected I/N" "$chaff" classify --shard 1/0 "$in/page.txt"
expect 2 "expected I/N" "$chaff" classify --shard -1/2 "$in/page.txt"
expect 2 "expected I/N" "$chaff" classify --shard 1 "$in/page.txt"
expect 2 "expected I/N" "$chaff" classify --shard 1/2x "$in/page.txt"
expect 1 "cannot open" "$chaff" classify --inputs "$tmp/nonexistent-list"
for i in 0 1 2; do
    expect 0 "" "$chaff" classify --output-dir "$tmp/sh" --inputs "$tmp/list" --shard $i/3 \
        --stats-json "$tmp/shard$i.json"
    [ "$(json "$tmp/shard$i.json" 's["inputs"]["done"]')" -eq "$(json "$tmp/shard$i.json" \
        's["inputs"]["total"]')" ] || fail "shard $i did not do its inputs"
done
[ "$(json "$tmp/shard0.json" 's["inputs"]["total"]')" -eq 3 ] || fail "shard 0/3 of 7 inputs"
[ "$(json "$tmp/shard2.json" 's["inputs"]["total"]')" -eq 2 ] || fail "shard 2/3 of 7 inputs"
same_as_reference "$tmp/sh" .tsv .tsv tsv
# Standard output: the shards' outputs, in list order, make the whole list's.
"$chaff" classify --inputs "$tmp/list" >"$tmp/all.tsv" || fail "classify --inputs"
for i in 0 1 2; do
    "$chaff" classify --inputs "$tmp/list" --shard $i/3 >"$tmp/part$i.tsv" || fail "shard $i"
done
cat "$tmp/w1.tsv" "$tmp/page.tsv" "$tmp/w2.tsv" "$tmp/article.tsv" "$tmp/w3.tsv" \
    "$tmp/w4.tsv" "$tmp/w5.tsv" | cmp -s - "$tmp/all.tsv" || fail "--inputs to standard output"
cat "$tmp/w1.tsv" "$tmp/article.tsv" "$tmp/w5.tsv" | cmp -s - "$tmp/part0.tsv" ||
    fail "--shard 0/3 to standard output"

# --- stats: totals of the single run; the shards sum to them
expect 0 "" "$chaff" classify --output-dir "$tmp/one" --inputs "$tmp/list" \
    --stats-json "$tmp/one.json"
"$chaff" classify --stats --inputs "$tmp/list" >/dev/null 2>"$tmp/stats.txt" || fail "--stats"
pages=$(sed -n 's/^chaff: \([0-9]*\) pages, \([0-9]*\) paragraphs, \([0-9]*\) paragraph.*/\1 \2 \3/p' \
    "$tmp/stats.txt")
[ "$(json "$tmp/one.json" '"%d %d %d" % (s["pages"], s["paragraphs"], s["paragraph_bytes"])')" \
    = "$pages" ] || fail "--stats-json totals differ from --stats: $pages"
[ "$(json "$tmp/one.json" '(sum(v["paragraphs"] for v in s["labels"].values()) == s["paragraphs"]
    and sum(v["bytes"] for v in s["labels"].values()) == s["paragraph_bytes"]
    and s["paragraphs"] > 100 and s["inputs"] == {"total": 7, "done": 7, "skipped": 0,
    "failed": 0, "skipped_without_stats": 0} and s["failed_inputs"] == [])')" = True ] ||
    fail "--stats-json: $(cat "$tmp/one.json")"
for l in content navigation consent; do
    n=$(grep "chaff:   $l " "$tmp/stats.txt" | awk '{print $3}')
    [ "$(json "$tmp/one.json" "s['labels']['$l']['paragraphs']")" = "$n" ] || fail "label $l"
done
"$chaff" stats-sum "$tmp/shard0.json" "$tmp/shard1.json" "$tmp/shard2.json" >"$tmp/sum.json" ||
    fail "stats-sum"
[ "$(json "$tmp/sum.json" 's["runs"]')" -eq 3 ] || fail "stats-sum: runs"
python3 - "$tmp/sum.json" "$tmp/one.json" <<'EOF' || fail "stats-sum of the shards differs"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
for s in (a, b):
    for k in ("seconds", "cpu_seconds", "run_seconds", "run_cpu_seconds", "runs"):
        del s[k]
if a != b:
    sys.exit("%s\n%s" % (a, b))
EOF
expect 0 "" "$chaff" stats-sum -o "$tmp/sum2.json" "$tmp/sum.json" "$tmp/one.json"
[ "$(json "$tmp/sum2.json" 's["runs"], s["inputs"]["total"]')" = "(4, 14)" ] ||
    fail "a sum of sums"
echo '{"pages": "many"}' >"$tmp/bad.json"
expect 1 "pages: a number in one file, a string in another" "$chaff" stats-sum "$tmp/one.json" \
    "$tmp/bad.json"
echo '[1]' >"$tmp/bad.json"
expect 1 "not a stats file" "$chaff" stats-sum "$tmp/bad.json"
expect 1 "cannot read" "$chaff" stats-sum "$tmp/nonexistent.json"
expect 2 "no file" "$chaff" stats-sum
# Without --output-dir: the same output as without --stats-json, and the same totals.
expect 0 "" "$chaff" classify --inputs "$tmp/list" --stats-json "$tmp/stdout.json"
cmp -s "$tmp/out" "$tmp/all.tsv" || fail "--stats-json changed the output"
[ "$(json "$tmp/stdout.json" 's["paragraphs"]')" = "$(json "$tmp/one.json" 's["paragraphs"]')" ] ||
    fail "--stats-json to standard output: totals"

# --- a rerun skips what is done, and still counts it
ls -i "$tmp/one" >"$tmp/inodes"
expect 0 "" "$chaff" classify --output-dir "$tmp/one" --inputs "$tmp/list" \
    --stats-json "$tmp/rerun.json"
ls -i "$tmp/one" | cmp -s - "$tmp/inodes" || fail "a rerun rewrote outputs"
[ "$(json "$tmp/rerun.json" 's["inputs"]["skipped"], s["inputs"]["done"], s["paragraphs"]')" = \
    "(7, 0, $(json "$tmp/one.json" 's["paragraphs"]'))" ] || fail "rerun stats: $(cat "$tmp/rerun.json")"

# --- an input that fails, fails alone
mkdir "$tmp/bad"
head -c 9000 "$in/w2.warc.wet.gz" >"$tmp/bad/cut.warc.wet.gz" # a truncated gzip member
printf '%s\n' "$in/w1.warc.wet.gz" "$tmp/bad/missing.txt" "$tmp/bad/cut.warc.wet.gz" \
    "$in/w3.warc.wet.gz" >"$tmp/badlist"
expect 1 "bad/missing.txt: failed; no output written" "$chaff" classify --output-dir "$tmp/fo" \
    --inputs "$tmp/badlist" --stats-json "$tmp/fail.json"
grep -qF "cut.warc.wet.gz: failed; no output written" "$tmp/err" || fail "truncated input"
grep -qF "4 inputs: 2 classified, 0 skipped (their output was complete), 2 failed" "$tmp/err" ||
    fail "summary line"
[ "$(ls -A "$tmp/fo" | tr '\n' ' ')" = ".chaff-stats w1.tsv w3.tsv " ] ||
    fail "after failed inputs: $(ls -A "$tmp/fo")"
cmp -s "$tmp/fo/w3.tsv" "$tmp/w3.tsv" || fail "the input after the failed ones"
[ "$(json "$tmp/fail.json" 's["inputs"]["failed"], len(s["failed_inputs"])')" = "(2, 2)" ] ||
    fail "failed inputs in the stats"
json "$tmp/fail.json" 's["failed_inputs"][1]' | grep -q 'cut.warc.wet.gz$' || fail "failed_inputs"
# --skip-bad does not make a truncated file whole.
expect 1 "failed; no output written" "$chaff" classify --skip-bad --output-dir "$tmp/fo" \
    "$tmp/bad/cut.warc.wet.gz"

# --- a second process is kept off an output being written
mkdir "$tmp/lk"
flock "$tmp/lk/w1.tsv.part" sh -c "touch '$tmp/locked'; sleep 3" &
locker=$!
n=0
while [ ! -f "$tmp/locked" ] && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
expect 1 "another process is writing its output" "$chaff" classify --output-dir "$tmp/lk" \
    "$in/w1.warc.wet.gz" "$in/w2.warc.wet.gz"
[ -f "$tmp/lk/w1.tsv.part" ] || fail "the other process's .part was removed"
[ -f "$tmp/lk/w1.tsv" ] && fail "an output locked by another process was written"
cmp -s "$tmp/lk/w2.tsv" "$tmp/w2.tsv" || fail "the input after a locked one"
wait "$locker"

# --- killed mid-way: no file under the output's name; the rerun completes it
python3 "$data/make_arch.py" make --format wet --gzip --bytes 2500000 --seed 9 \
    --source "$data/fixture_small.tsv" "$tmp/big.warc.wet.gz" /dev/null || fail "make_arch"
"$chaff" classify "$tmp/big.warc.wet.gz" >"$tmp/big.tsv" || fail "reference big"
mkdir "$tmp/k"
mkfifo "$tmp/k/big.warc.wet.gz"
"$chaff" classify -t 2 --output-dir "$tmp/ko" "$in/w1.warc.wet.gz" "$tmp/k/big.warc.wet.gz" \
    "$in/w2.warc.wet.gz" >/dev/null 2>"$tmp/err" &
pid=$!
exec 3>"$tmp/k/big.warc.wet.gz" # blocks until chaff opens the FIFO
head -c 2200000 "$tmp/big.warc.wet.gz" >&3 # of 3.1 MB; chaff reads gzip input by the MB
n=0
while [ ! -s "$tmp/ko/big.tsv.part" ] && [ $n -lt 300 ]; do sleep 0.1; n=$((n + 1)); done
[ -s "$tmp/ko/big.tsv.part" ] || fail "no output was written after 2 MB of input"
kill -9 $pid
wait $pid 2>/dev/null # not "Killed" on stderr
exec 3>&-
[ -f "$tmp/ko/w1.tsv" ] || fail "the input before the killed one"
[ -e "$tmp/ko/big.tsv" ] && fail "a killed run left a file under the output's name"
[ -e "$tmp/ko/w2.tsv" ] && fail "an input after the killed one was done"
rm "$tmp/k/big.warc.wet.gz"
cp "$tmp/big.warc.wet.gz" "$tmp/k/"
ls -i "$tmp/ko/w1.tsv" >"$tmp/inode"
expect 0 "" "$chaff" classify --output-dir "$tmp/ko" "$in/w1.warc.wet.gz" \
    "$tmp/k/big.warc.wet.gz" "$in/w2.warc.wet.gz" --stats-json "$tmp/k.json"
ls -i "$tmp/ko/w1.tsv" | cmp -s - "$tmp/inode" || fail "the rerun rewrote a done output"
cmp -s "$tmp/ko/big.tsv" "$tmp/big.tsv" || fail "the rerun's output of the killed input"
cmp -s "$tmp/ko/w2.tsv" "$tmp/w2.tsv" || fail "the rerun's output after the killed input"
[ "$(ls -A "$tmp/ko" | tr '\n' ' ')" = ".chaff-stats big.tsv w1.tsv w2.tsv " ] ||
    fail "after the rerun: $(ls -A "$tmp/ko")"
[ "$(json "$tmp/k.json" 's["inputs"]["done"], s["inputs"]["skipped"]')" = "(2, 1)" ] ||
    fail "the rerun's stats"

# --- a full disk leaves no partial output: a file size limit (any user), then a tiny tmpfs
cat "$in"/w?.warc.wet.gz >"$tmp/mid.warc.wet.gz" # 216 KB of tsv output
mkdir "$tmp/fs"
(
    trap '' XFSZ
    ulimit -f 100 # 50 or 100 KB, by the shell's block size: page.tsv fits, mid.tsv does not
    exec "$chaff" classify --output-dir "$tmp/fs" "$in/page.txt" "$tmp/mid.warc.wet.gz" \
        "$in/w2.warc.wet.gz"
) >/dev/null 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] || fail "a write over the file size limit exited $rc"
grep -qF "mid.tsv.part: writing failed: File too large" "$tmp/err" || fail "no write error named"
[ "$(ls -A "$tmp/fs" | tr '\n' ' ')" = ".chaff-stats page.tsv w2.tsv " ] ||
    fail "after a failed write: $(ls -A "$tmp/fs")"
cmp -s "$tmp/fs/page.tsv" "$tmp/page.tsv" || fail "the output before the failed write"
if [ "$(id -u)" -eq 0 ] && mkdir "$tmp/full" && mount -t tmpfs -o size=64k tmpfs "$tmp/full" \
    2>/dev/null; then
    mnt=$tmp/full
    expect 1 "mid.tsv.part: writing failed: No space left on device" "$chaff" classify \
        --output-dir "$tmp/full/out" "$in/page.txt" "$tmp/mid.warc.wet.gz" \
        --stats-json "$tmp/full.json"
    [ "$(ls -A "$tmp/full/out" | tr '\n' ' ')" = ".chaff-stats page.tsv " ] ||
        fail "after a full disk: $(ls -A "$tmp/full/out")"
    cmp -s "$tmp/full/out/page.tsv" "$tmp/page.tsv" || fail "the output before the full disk"
    [ "$(json "$tmp/full.json" 's["inputs"]["failed"]')" -eq 1 ] || fail "full disk stats"
    umount "$mnt" && mnt=
else
    echo "note: cannot mount a tmpfs here (not root, or not permitted): full disk tested with" \
        "the file size limit only"
fi
echo "classify --output-dir, --inputs, --shard, --stats-json, stats-sum: ok"
