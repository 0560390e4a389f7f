#!/bin/sh
# chaff classify on HTML: an .html file (one page, named by the file), WARCs of HTTP responses
# (chunked, gzip-encoded, LF-only heads; plain and gzip-compressed), skipped records, -o clean
# making WET conversion records that chaff reads back, and the same output with 1 and 2 threads.
# Whatever model labels HTML pages, each paragraph gets exactly one label.
# Usage: html_input.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_html_input.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.inc"
command -v python3 >/dev/null || { echo "python3 not found: skipped"; exit 77; }

page() { # page N: an HTML page with a title, a menu, an article and a cookie notice
    printf '<!DOCTYPE html><html><head><title>Storm %s closes schools</title></head><body>' "$1"
    printf '<nav><ul><li><a href="/">Home</a></li><li><a href="/n">News</a></li></ul></nav>'
    printf '<article><h1>Storm %s closes schools</h1><p>The storm closed hundreds of schools' "$1"
    printf ' across the north on Thursday, and trains were cancelled.</p><p>Forecasters expect'
    printf ' more rain.</p></article><div class="cookie">We use cookies. <button>Accept all'
    printf '</button></div></body></html>\n'
}

# An .html file: one page, its id the file name without extension.
page 1 >"$tmp/story.html"
expect 0 "" "$chaff" classify "$tmp/story.html"
cp "$tmp/out" "$tmp/story.tsv"
n=$(wc -l <"$tmp/story.tsv")
[ "$n" -ge 3 ] || fail "story.html gave $n paragraphs"
[ "$(cut -f3 "$tmp/story.tsv" | grep -c 'The storm closed hundreds')" -eq 1 ] ||
    fail "the article paragraph is not one row"
expect 0 "" "$chaff" classify --page-ids "$tmp/story.html"
[ "$(cut -f1 "$tmp/out" | sort -u)" = "story" ] || fail "page id of story.html is not 'story'"
expect 0 "" "$chaff" classify -o labels "$tmp/story.html"
[ "$(wc -l <"$tmp/out")" -eq "$n" ] || fail "-o labels: not one label per paragraph"
gzip -c "$tmp/story.html" >"$tmp/story.html.gz"
expect 0 "" "$chaff" classify "$tmp/story.html.gz"
cmp -s "$tmp/out" "$tmp/story.tsv" || fail "gzip .html differs"
expect 0 "" "$chaff" classify - <"$tmp/story.html"
cmp -s "$tmp/out" "$tmp/story.tsv" || fail ".html on stdin differs"
expect 0 "" "$chaff" classify -o jsonl "$tmp/story.html"
python3 -c 'import json,sys; o=json.loads(open(sys.argv[1]).read()); assert o["id"]=="story" and len(o["labels"])==int(sys.argv[2]), o' \
    "$tmp/out" "$n" || fail "-o jsonl of story.html"
# Text that starts with '<' but no tag stays text; -f text forces text.
printf '<3 my cat\nSecond line\n' >"$tmp/t.txt"
expect 0 "" "$chaff" classify -o labels "$tmp/t.txt"
[ "$(wc -l <"$tmp/out")" -eq 2 ] || fail "'<3' text was not read as text"
expect 0 "" "$chaff" classify -f text -o labels "$tmp/story.html"
[ "$(wc -l <"$tmp/out")" -eq 1 ] || fail "-f text on .html: not one line"

# A WARC of responses as wget, Heritrix and Common Crawl write them.
i=0
while [ $i -lt 30 ]; do page $i >"$tmp/p$i.html"; i=$((i + 1)); done
python3 - "$tmp" <<'PYEOF' || fail "making the WARC"
import gzip, sys, zlib
tmp = sys.argv[1]
def rec(typ, rid, block, extra=b"", lf=False):
    nl = b"\n" if lf else b"\r\n"
    h = [b"WARC/1.1" if not lf else b"WARC/1.0", b"WARC-Type: " + typ,
         b"WARC-Record-ID: <urn:uuid:" + rid + b">", b"WARC-Target-URI: http://ex.com/" + rid,
         b"WARC-Date: 2026-01-0" + rid[-1:] + b"T00:00:00Z"] + ([extra] if extra else [])
    h.append(b"Content-Length: %d" % len(block))
    return nl.join(h) + nl + nl + block + b"\r\n\r\n"
def chunked(b, ext=b""):
    out = b""
    for i in range(0, len(b), 97):
        c = b[i:i + 97]
        out += b"%x%s\r\n" % (len(c), ext) + c + b"\r\n"
    return out + b"0\r\nX-Trailer: 1\r\n\r\n"
HT = b"Content-Type: application/http; msgtype=response"
recs = [rec(b"warcinfo", b"info0", b"software: test\r\n", b"Content-Type: application/warc-fields")]
for i in range(30):
    html = open("%s/p%d.html" % (tmp, i), "rb").read()
    rid = b"r%d" % i
    recs.append(rec(b"request", b"q%d" % i, b"GET / HTTP/1.1\r\nHost: ex.com\r\n\r\n",
                    b"Content-Type: application/http; msgtype=request"))
    k = i % 4
    if k == 0:
        http = b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\n\r\n" + html
    elif k == 1:
        http = (b"HTTP/1.1 200 OK\nContent-Type: text/html\nTransfer-Encoding: chunked\n\n" +
                chunked(html, b";x=1"))
    elif k == 2:
        http = (b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n"
                b"Transfer-Encoding: chunked\r\n\r\n" + chunked(gzip.compress(html)))
    else:
        http = (b"HTTP/1.0 200 OK\r\nServer: x\r\n  folded\r\nContent-Encoding: deflate\r\n"
                b"Content-Type: text/html\r\n\r\n" + zlib.compress(html))
    extra = HT + (b"\r\nWARC-Page-ID: page-%d" % i if i % 5 == 0 else b"")
    recs.append(rec(b"response", rid, http, extra, lf=(k == 1)))
    recs.append(rec(b"metadata", b"m%d" % i, b"via: x\r\n", b"Content-Type: application/warc-fields"))
recs.append(rec(b"response", b"img", b"HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG", HT))
recs.append(rec(b"response", b"404", b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n<p>x</p>", HT))
open(tmp + "/a.warc", "wb").write(b"".join(recs))
with open(tmp + "/a.warc.gz", "wb") as f:  # one gzip member per record, as crawlers write
    for r in recs:
        f.write(gzip.compress(r))
PYEOF
expect 0 "chaff: 30 pages, " "$chaff" classify --stats -t 1 "$tmp/a.warc"
grep -q "^chaff: 30 pages, .* 63 records skipped, 0 malformed" "$tmp/err" || fail "--stats of a.warc"
"$chaff" classify -t 1 "$tmp/a.warc" >"$tmp/a.tsv" 2>"$tmp/err" || fail "classify a.warc"
[ "$(cut -f1 "$tmp/a.tsv" | uniq | wc -l)" -eq 30 ] || fail "a.warc: not 30 pages"
grep -q "^page-5	" "$tmp/a.tsv" || fail "WARC-Page-ID not used as the page id"
grep -q "^<urn:uuid:r1>	" "$tmp/a.tsv" || fail "WARC-Record-ID not used as the page id"
# Each page gives the rows of the same page read from its .html file.
for i in 0 1 2 3; do
    id="<urn:uuid:r$i>"
    [ $i -eq 0 ] && id=page-0
    "$chaff" classify "$tmp/p$i.html" | cut -f3 >"$tmp/want"
    grep "^$id	" "$tmp/a.tsv" | cut -f5 >"$tmp/got"
    cmp -s "$tmp/want" "$tmp/got" || fail "page $i of a.warc differs from p$i.html"
done
expect 0 "" "$chaff" classify -t 2 "$tmp/a.warc.gz"
cmp -s "$tmp/out" "$tmp/a.tsv" || fail "gzip WARC differs from plain"
for out in tsv labels jsonl clean; do
    "$chaff" classify -t 1 -o $out "$tmp/a.warc" >"$tmp/t1" 2>"$tmp/err" || fail "-t 1 -o $out"
    "$chaff" classify -t 2 -o $out "$tmp/a.warc" >"$tmp/t2" 2>"$tmp/err" || fail "-t 2 -o $out"
    cmp -s "$tmp/t1" "$tmp/t2" || fail "-o $out differs between 1 and 2 threads"
done

# -o clean: a WET-like WARC, warcinfo kept, one conversion record per page, read back as WET.
expect 0 "" "$chaff" classify -o clean "$tmp/a.warc"
cp "$tmp/out" "$tmp/clean.warc"
[ "$(grep -c '^WARC-Type: conversion' "$tmp/clean.warc")" -eq 30 ] || fail "clean: not 30 conversions"
[ "$(grep -c '^WARC-Type: ' "$tmp/clean.warc")" -eq 31 ] || fail "clean: other records kept"
grep -q '^WARC-Refers-To: <urn:uuid:r7>' "$tmp/clean.warc" || fail "clean: no WARC-Refers-To"
grep -q '^WARC-Page-ID: page-10' "$tmp/clean.warc" || fail "clean: WARC-Page-ID not copied"
grep -q '^WARC-Date: 2026-01-07T00:00:00Z' "$tmp/clean.warc" || fail "clean: WARC-Date not copied"
"$chaff" classify -o clean "$tmp/a.warc" | cmp -s - "$tmp/clean.warc" || fail "clean is not reproducible"
expect 0 "chaff: 30 pages, " "$chaff" classify --stats -o labels "$tmp/clean.warc"
python3 - "$tmp/clean.warc" "$tmp/a.tsv" <<'PYEOF' || fail "clean payloads are not the content rows"
import re, sys
data = open(sys.argv[1], "rb").read()
ids, kept = [], {}
for row in open(sys.argv[2], encoding="utf-8"):
    f = row.rstrip("\n").split("\t")
    if f[0] not in kept:
        ids.append(f[0]); kept[f[0]] = []
    if f[2] == "content":
        kept[f[0]].append(f[4])
pos, n = 0, 0
while pos < len(data):
    head_end = data.index(b"\r\n\r\n", pos)
    head = data[pos:head_end].decode()
    length = int(re.search(r"Content-Length: (\d+)", head).group(1))
    body = data[head_end + 4:head_end + 4 + length].decode()
    assert data[head_end + 4 + length:head_end + 8 + length] == b"\r\n\r\n"
    pos = head_end + 8 + length
    if "WARC-Type: conversion" not in head:
        continue
    m = re.search(r"WARC-Page-ID: (.*)", head) or re.search(r"WARC-Refers-To: (.*)", head)
    pid = m.group(1).strip()
    assert re.search(r"WARC-Record-ID: <urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}>", head), head
    assert body.split("\n")[:-1] == kept[pid], (pid, body, kept[pid])
    n += 1
assert n == 30
PYEOF
expect 0 "" "$chaff" classify -o clean "$tmp/a.warc.gz"
gzip -dc "$tmp/out" | cmp -s - "$tmp/clean.warc" || fail "clean of a.warc.gz is not the gzip of clean"

# Damaged records: reported with their offset, every other page still classified, exit 1.
python3 - "$tmp" <<'PYEOF' || fail "making bad.warc"
import sys
tmp = sys.argv[1]
def rec(rid, http):
    return (b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Record-ID: <urn:" + rid + b">\r\n"
            b"Content-Length: %d\r\n\r\n" % len(http) + http + b"\r\n\r\n")
good = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<title>Good page</title><p>Fine text here.</p>"
recs = [rec(b"g1", good),
        rec(b"b1", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n5\r\nabcde\r\nzz\r\n"),
        rec(b"g2", good),
        rec(b"b2", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n\x1f\x8bnot gzip"),
        # Stored decoded under the head the server sent (as Webrecorder does): read as stored.
        rec(b"r1", b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n<title>Raw one</title><p>Stored dechunked.</p>"),
        rec(b"r2", b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n<title>Raw two</title><p>Stored gunzipped.</p>"),
        rec(b"g3", good)]
open(tmp + "/bad.warc", "wb").write(b"".join(recs) + b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 999\r\n\r\nHTTP/1.1 200")
PYEOF
expect 1 "bad.warc: byte " "$chaff" classify --page-ids -o labels "$tmp/bad.warc"
grep -q "chunked body: chunk size is not hexadecimal" "$tmp/err" || fail "bad chunked body not reported"
grep -q "Content-Encoding gzip: invalid data" "$tmp/err" || fail "bad gzip body not reported"
grep -q "Content-Length 999 past the end of the input" "$tmp/err" || fail "cut record not reported"
"$chaff" classify --page-ids "$tmp/bad.warc" 2>/dev/null | cut -f1 | uniq >"$tmp/ids"
printf '<urn:g1>\n<urn:g2>\n<urn:r1>\n<urn:r2>\n<urn:g3>\n' | cmp -s - "$tmp/ids" ||
    fail "good pages of bad.warc missing"
"$chaff" classify --stats -o labels "$tmp/bad.warc" >/dev/null 2>"$tmp/err"
grep -q "chaff: 2 HTML responses read as stored" "$tmp/err" || fail "raw bodies not counted"
expect 0 "bad.warc: byte " "$chaff" classify --skip-bad -o labels "$tmp/bad.warc"

exit 0
