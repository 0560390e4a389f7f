#!/bin/sh
# The built-in HTML model on the brief's typical page as HTML (tests/data/sample_page.html, the
# page of the README's first command): an English news article whose page ends with the site's
# Turkish cookie notice. Its paragraphs must be the lines of sample_page.txt with the <title>
# first; every paragraph of the article's body must be kept as content, every line of the notice
# labelled consent, the menus and footer navigation, and `-o clean` must hold the body and
# nothing of the notice. A model that fails this is not fit to be the default, whatever its F1.
# Usage: html_model_sample.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_html_model_sample.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.inc"

page="$data/sample_page.html"
models="$(dirname "$0")/../../models"
expect 0 "" "$chaff" classify -t 1 "$page"
cp "$tmp/out" "$tmp/builtin"
# The built-in model for HTML pages is models/html.chaff.
expect 0 "" "$chaff" classify -t 1 --model "$models/html.chaff" "$page"
cmp -s "$tmp/out" "$tmp/builtin" || fail "HTML pages are not labelled by models/html.chaff"
cut -f3- "$tmp/out" >"$tmp/lines"
# Its lines: the title, then the 34 lines of the text version of the page.
[ "$(wc -l <"$tmp/lines")" -eq 35 ] || fail "sample_page.html gave $(wc -l <"$tmp/lines") lines, not 35"
tail -n 34 "$tmp/lines" | cmp -s - "$data/sample_page.txt" ||
    fail "the lines of sample_page.html are not those of sample_page.txt"
cut -f1 "$tmp/out" >"$tmp/labels"
# Line numbers of sample_page.txt, plus one for the title.
for n in 16 17 18 19 20; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = content ] || fail "article paragraph on line $n labelled $got: $(sed -n "${n}p" "$tmp/lines")"
done
for n in 31 32 33 34 35; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = consent ] || fail "cookie-notice line $n labelled $got: $(sed -n "${n}p" "$tmp/lines")"
done
for n in 4 5 6 12 21 29; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = navigation ] || fail "chrome line $n labelled $got: $(sed -n "${n}p" "$tmp/lines")"
done
expect 0 "" "$chaff" classify -t 1 -o clean "$page"
sed -n '15,19p' "$data/sample_page.txt" >"$tmp/body"
[ "$(grep -cxFf "$tmp/body" "$tmp/out")" -eq 5 ] || fail "clean output lacks article paragraphs"
grep -q 'Çerez\|Reddet\|Kabul et\|kullanıyoruz' "$tmp/out" && fail "clean output keeps the cookie notice"
# The same page labelled by the built-in text model from its text gives the same lines.
expect 0 "" "$chaff" classify -t 1 --model "$models/default.chaff" -o labels "$page"
[ "$(wc -l <"$tmp/out")" -eq 35 ] || fail "the text model does not label the 35 lines"
exit 0
