#!/bin/sh
# exports.sh LIBCHAFF_SO INCLUDE_DIR: the shared library exports exactly the functions chaff.h
# declares (it is built with -fvisibility=hidden; chaff.h gives its declarations default
# visibility): no internal function leaks out, and none of the interface is missing.
set -u
so=$1
inc=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff-exports.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
echo '#include "chaff.h"' | cc -E -P -I "$inc" - | grep -o 'chaff_[a-z0-9_]* *(' | tr -d ' (' |
    sort -u >"$tmp/declared"
nm -D --defined-only "$so" | awk '$2 ~ /^[TtDdBbRrVvWwi]$/ { print $3 }' |
    grep -v -e '^_init$' -e '^_fini$' -e '^_edata$' -e '^_end$' -e '^__bss_start$' |
    sort -u >"$tmp/exported"
[ -s "$tmp/declared" ] || { echo "FAIL: no declarations found in chaff.h"; exit 1; }
if ! cmp -s "$tmp/declared" "$tmp/exported"; then
    echo "FAIL: exported symbols differ from chaff.h (< declared only, > exported only):"
    diff "$tmp/declared" "$tmp/exported" | grep '^[<>]'
    exit 1
fi
echo "exports: $(wc -l <"$tmp/declared") functions, as declared"
