#!/bin/sh
# install.sh BUILD_DIR SOURCE_DIR [CFLAGS]: installs the build into a temporary prefix, checks
# what is there, and builds and runs a small C program against it twice: with
# `pkg-config --cflags --libs chaff` and with find_package(chaff) (chaff::chaff). Its labels of
# the sample page must be chaff classify's. CFLAGS (the sanitizer flags of an ASan tree) are
# given to both builds.
set -u
build=$1
src=$2
cflags=${3:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$src/tests/cli/common.inc" # fail()
prefix=$tmp/prefix
cmake --install "$build" --prefix "$prefix" >"$tmp/err" 2>&1 || fail "cmake --install"
libdir=$(cd "$prefix" && ls -d lib* | head -1)
for f in bin/chaff include/chaff.h share/man/man1/chaff.1; do
    [ -f "$prefix/$f" ] || fail "$f not installed"
done
so=$(find "$prefix" -name 'libchaff.so.*.*.*' | head -1)
[ -n "$so" ] || fail "libchaff.so.X.Y.Z not installed"
pc=$(find "$prefix" -name chaff.pc | head -1)
[ -n "$pc" ] || fail "chaff.pc not installed"
cfg=$(find "$prefix" -name chaffConfig.cmake | head -1)
[ -n "$cfg" ] || fail "chaffConfig.cmake not installed"
soname=$(objdump -p "$so" | awk '$1 == "SONAME" { print $2 }')
[ -n "$soname" ] && [ -e "$(dirname "$so")/$soname" ] || fail "SONAME '$soname' missing"
libpath=$(dirname "$so")

"$prefix/bin/chaff" classify --no-progress -o labels "$src/tests/data/sample_page.txt" \
    >"$tmp/expected" 2>"$tmp/err" || fail "installed chaff classify"
[ -s "$tmp/expected" ] || fail "no labels from chaff classify"

# 1. pkg-config
export PKG_CONFIG_PATH="$(dirname "$pc")"
flags=$(pkg-config --cflags --libs chaff) || fail "pkg-config --cflags --libs chaff"
# shellcheck disable=SC2086
cc $cflags -o "$tmp/consumer-pc" "$src/tests/install/consumer/consumer.c" $flags \
    2>"$tmp/err" || fail "cc consumer.c $flags"
LD_LIBRARY_PATH="$libpath" "$tmp/consumer-pc" "$src/tests/data/sample_page.txt" \
    >"$tmp/out" 2>"$tmp/err" || fail "consumer built with pkg-config"
cmp -s "$tmp/out" "$tmp/expected" || fail "pkg-config consumer: labels differ from chaff classify"

# 2. find_package(chaff)
CFLAGS="$cflags" LDFLAGS="$cflags" cmake -S "$src/tests/install/consumer" -B "$tmp/cb" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_BUILD_TYPE=Release >"$tmp/err" 2>&1 ||
    fail "cmake configure with find_package(chaff)"
cmake --build "$tmp/cb" >"$tmp/err" 2>&1 || fail "cmake --build consumer"
"$tmp/cb/consumer" "$src/tests/data/sample_page.txt" >"$tmp/out" 2>"$tmp/err" ||
    fail "consumer built with find_package(chaff)"
cmp -s "$tmp/out" "$tmp/expected" || fail "find_package consumer: labels differ from chaff classify"
echo "install: ok ($libdir, $soname)"
