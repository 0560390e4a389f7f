#!/bin/sh
# The built-in default model on the brief's typical page (tests/data/sample_page.txt, the page
# of the README's first command): an English news article whose text ends with the site's
# Turkish cookie notice. Every paragraph of the article's body must be kept as content, every
# line of the notice must be labelled consent, and `-o clean` must hold the body and nothing
# of the notice. A model that fails this is not fit to be the default, whatever its F1.
# Usage: default_model_sample.sh CHAFF_BINARY TESTS_DATA_DIR
chaff=$1
data=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff_default_model_sample.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$(dirname "$0")/common.inc"

page="$data/sample_page.txt"
[ "$(wc -l <"$page")" -eq 34 ] || fail "sample_page.txt is not the 34-line page this test knows"
expect 0 "" "$chaff" classify -t 1 -o labels "$page"
cp "$tmp/out" "$tmp/labels"
[ "$(wc -l <"$tmp/labels")" -eq 34 ] || fail "expected 34 labels"
# Lines 15-19: the article's paragraphs; 30-34: the Turkish cookie notice and its buttons.
for n in 15 16 17 18 19; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = content ] || fail "article paragraph on line $n labelled $got: $(sed -n "${n}p" "$page")"
done
for n in 30 31 32 33 34; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = consent ] || fail "cookie-notice line $n labelled $got: $(sed -n "${n}p" "$page")"
done
# Menus, breadcrumb, share row, footer and copyright are navigation.
for n in 3 4 5 11 20 28 29; do
    got=$(sed -n "${n}p" "$tmp/labels")
    [ "$got" = navigation ] || fail "chrome line $n labelled $got: $(sed -n "${n}p" "$page")"
done

expect 0 "" "$chaff" classify -t 1 -o clean "$page"
sed -n '15,19p' "$page" >"$tmp/body"
grep -qxFf "$tmp/body" "$tmp/out" || fail "clean output lacks an article paragraph"
[ "$(grep -cxFf "$tmp/body" "$tmp/out")" -eq 5 ] || fail "clean output lacks article paragraphs"
grep -q 'Çerez\|Reddet\|Kabul et\|kullanıyoruz' "$tmp/out" && fail "clean output keeps the cookie notice"
exit 0
