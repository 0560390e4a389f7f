#!/bin/sh
# man.sh CHAFF MAN_PAGE: the man page says what the --help texts say. It is rendered with groff
# (skipped, 77, without it) and every --help text (the command's and each command's) must be
# found in it, line for line, in one piece.
set -u
chaff=$1
page=$2
command -v groff >/dev/null 2>&1 || { echo "groff not installed"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff-man.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
groff -man -Tascii -P-c -P-b -P-u "$page" 2>"$tmp/warnings" |
    sed -e 's/^ *//' -e 's/ *$//' | grep -v '^$' >"$tmp/rendered" || exit 1
if [ -s "$tmp/warnings" ]; then
    echo "FAIL: groff warns:"; cat "$tmp/warnings"; exit 1
fi
for cmd in "" classify train eval tune bench; do
    # shellcheck disable=SC2086
    "$chaff" $cmd --help | sed -e 's/^ *//' -e 's/ *$//' | grep -v '^$' >"$tmp/help"
    # the help lines must appear as one run of consecutive lines of the rendered page
    n=$(wc -l <"$tmp/help")
    first=$(head -1 "$tmp/help")
    found=0
    for start in $(grep -n -F -x -- "$first" "$tmp/rendered" | cut -d: -f1); do
        tail -n "+$start" "$tmp/rendered" | head -n "$n" | cmp -s - "$tmp/help" && found=1
    done
    [ "$found" -eq 1 ] || { echo "FAIL: 'chaff $cmd --help' is not in the man page"; exit 1; }
done
echo "man: every --help text is in the page"
