#!/bin/sh
# chaff train --html and chaff eval --html: HTML pages (a WARC of responses and .html files)
# joined by page id with labelled TSV rows, aligned in order; a gold row the extraction does not
# reproduce is scored as predicted navigation and counted (unaligned_gold), an extracted line no
# row matches is counted (unaligned_pred) and not scored; a labelled page without HTML counts
# all its rows as unaligned. A model trained with --html needs HTML: text input is refused.
# Usage: html_train_eval.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_html_train_eval.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }

# 24 pages: title, menu, article, cookie notice; labels by construction.
python3 - "$tmp" <<'PYEOF' || fail "making the pages"
import sys
tmp = sys.argv[1]
warc = open(tmp + "/pages.warc", "wb")
tsv = open(tmp + "/gold.tsv", "w")
for k in range(24):
    pid = "site%d-page%d" % (k % 4, k)
    title = "Storm %d closes schools in the north" % k
    body = ("The storm closed %d schools across the north on Thursday, and many trains were "
            "cancelled." % (100 + k))
    html = ("<!DOCTYPE html><html><head><title>%s</title></head><body>"
            "<nav class='site-nav'><ul><li><a href='/'>Home</a></li><li><a href='/n'>News</a>"
            "</li><li><a href='/s'>Sport</a></li></ul></nav>"
            "<article><h1>%s</h1><p>%s</p><p>Forecasters expect more rain on Friday and "
            "Saturday.</p></article><footer><a href='/about'>About us</a></footer>"
            "<div class='cookieBanner'><p>We use cookies to improve your experience.</p>"
            "<button>Accept all</button><button>Reject</button></div></body></html>"
            % (title, title, body)).encode()
    block = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    head = ("WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:uuid:%08d-0000-0000-0000-"
            "000000000000>\r\nWARC-Target-URI: http://site%d.example/%d\r\nWARC-Page-ID: %s\r\n"
            "Content-Type: application/http; msgtype=response\r\nContent-Length: %d\r\n\r\n"
            % (k, k % 4, k, pid, len(block))).encode()
    warc.write(head + block + b"\r\n\r\n")
    rows = [("content", title), ("navigation", "Home"), ("navigation", "News"),
            ("navigation", "Sport"), ("content", title), ("content", body),
            ("content", "Forecasters expect more rain on Friday and Saturday."),
            ("navigation", "About us"), ("consent", "We use cookies to improve your experience."),
            ("consent", "Accept all"), ("consent", "Reject")]
    if k == 0:
        rows.insert(3, ("navigation", "A line the HTML does not have"))
    for label, text in rows:
        tsv.write("%s\ten\t%s\t%s\n" % (pid, label, text))
# a labelled page without HTML
tsv.write("lost-page\ten\tcontent\tNo HTML has this page.\n")
PYEOF

expect 0 "" "$chaff" train --html --model "$tmp/h.chaff" --min-sites 2 -t 1 \
    "$tmp/pages.warc" "$tmp/gold.tsv"
grep -q "24 pages joined, 264 of 266 labelled rows aligned, 0 paragraphs unaligned" "$tmp/out" ||
    fail "train --html summary: $(cat "$tmp/out")"

expect 0 "1 labelled pages of" "$chaff" eval --html --json --model "$tmp/h.chaff" "$tmp/pages.warc" "$tmp/gold.tsv"
python3 - "$tmp/out" <<'PYEOF' || fail "eval --html --json: $(cat "$tmp/out")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["gold_rows"] == 266 and d["aligned"] == 264, d
assert d["unaligned_gold"] == 2 and d["unaligned_pred"] == 0, d
assert d["pages_without_html"] == 1 and d["n"] == 266, d
assert set(d["per_source"]) == {"site0", "site1", "site2", "site3", "lost"}, d["per_source"]
# The two rows without HTML are scored as navigation: the content one is a miss, the
# navigation one a hit.
assert d["confusion"]["content"]["navigation"] >= 1, d["confusion"]
assert d["macro_f1"] > 0.9, d["macro_f1"]
PYEOF

# An extracted line no gold row matches is counted, not scored.
sed '/\tAbout us$/d' "$tmp/gold.tsv" >"$tmp/gold2.tsv"
expect 0 "have no HTML there" "$chaff" eval --html --json --model "$tmp/h.chaff" "$tmp/pages.warc" "$tmp/gold2.tsv"
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["unaligned_pred"] == 24 and d["n"] == 242, d' \
    "$tmp/out" || fail "unaligned_pred"

# tune --html: thresholds chosen on pages read from HTML (an extracted line without a row is
# not scored, nor is a row the extraction did not make: 266 - 24 - 2); the tuned model still
# labels HTML. Text held-out data cannot tune it.
expect 0 "" "$chaff" tune --html --model "$tmp/h.chaff" --out "$tmp/ht.chaff" "$tmp/pages.warc" "$tmp/gold2.tsv"
grep -q "^tuned	240 paragraphs" "$tmp/out" || fail "tune --html: $(cat "$tmp/out")"
expect 0 "1 labelled pages of" "$chaff" eval --html --model "$tmp/ht.chaff" "$tmp/pages.warc" "$tmp/gold.tsv"
expect 1 "needs HTML" "$chaff" tune --model "$tmp/h.chaff" --out "$tmp/x.chaff" "$tmp/gold.tsv"
expect 2 "pairs" "$chaff" tune --html --model "$tmp/h.chaff" --out "$tmp/x.chaff" "$tmp/pages.warc"

# The model needs HTML: text input is refused with a clear message, HTML is labelled.
printf 'Home\nWe use cookies.\n' >"$tmp/page.txt"
expect 1 "needs HTML" "$chaff" classify --model "$tmp/h.chaff" "$tmp/page.txt"
expect 1 "needs HTML" "$chaff" eval --model "$tmp/h.chaff" "$tmp/gold.tsv"
expect 0 "" "$chaff" classify --model "$tmp/h.chaff" -o labels "$tmp/pages.warc"
[ "$(wc -l <"$tmp/out")" -eq $((24 * 11)) ] || fail "not one label per extracted paragraph"
[ "$(sed -n 9p "$tmp/out")" = consent ] || fail "the cookie line of page 1 is $(sed -n 9p "$tmp/out")"
[ "$(sed -n 6p "$tmp/out")" = content ] || fail "the article line of page 1 is $(sed -n 6p "$tmp/out")"

# Usage errors: odd argument counts, --structure without --html.
expect 2 "pairs" "$chaff" eval --html "$tmp/pages.warc"
expect 2 "pairs" "$chaff" train --html --model "$tmp/x.chaff" "$tmp/pages.warc"
expect 2 "need --html" "$chaff" train --features all,structure --model "$tmp/x.chaff" "$tmp/gold.tsv"
# A missing file names itself.
expect 1 "nope.warc" "$chaff" eval --html --model "$tmp/h.chaff" "$tmp/nope.warc" "$tmp/gold.tsv"
exit 0
