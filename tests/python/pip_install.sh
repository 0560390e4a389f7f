#!/bin/sh
# pip_install.sh BUILD_DIR SOURCE_DIR: installs chaff into a temporary prefix (cmake --install)
# and the Python package with pip, offline, from a copy of python/; then imports it with neither
# CHAFF_LIBRARY nor the build tree: it must find libchaff through pkg-config (PKG_CONFIG_PATH
# of the prefix) and label a page as the installed chaff does. Skipped (77) without pip.
set -u
build=$(cd "$1" && pwd)
src=$(cd "$2" && pwd)
/usr/bin/python3 -m pip --version >/dev/null 2>&1 || { echo "skipped: no pip (python3-pip)"; exit 77; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/chaff-pip.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
. "$src/tests/cli/common.inc" # fail()
cmake --install "$build" --prefix "$tmp/prefix" >"$tmp/err" 2>&1 || fail "cmake --install"
cp -r "$src/python" "$tmp/python"
rm -rf "$tmp/python/build" "$tmp/python"/*.egg-info
/usr/bin/python3 -m pip install --no-build-isolation --no-index --no-deps --target "$tmp/site" \
    "$tmp/python" >"$tmp/err" 2>&1 || fail "pip install --no-build-isolation ./python"
pc=$(dirname "$(find "$tmp/prefix" -name chaff.pc | head -1)")
"$tmp/prefix/bin/chaff" classify --no-progress -o labels "$src/tests/data/sample_page.txt" \
    >"$tmp/expected" 2>"$tmp/err" || fail "chaff classify"
cd "$tmp" || exit 1
env -u CHAFF_LIBRARY PKG_CONFIG_PATH="$pc" PYTHONPATH="$tmp/site" PYTHONDONTWRITEBYTECODE=1 \
    /usr/bin/python3 -c '
import sys, chaff
assert chaff.__file__.startswith(sys.argv[2]), chaff.__file__
m = chaff.Model()
for page in chaff.read(sys.argv[1]):
    for label, _ in m.classify(page.paragraphs):
        print(label)
' "$src/tests/data/sample_page.txt" "$tmp/site" >"$tmp/out" 2>"$tmp/err" || fail "import chaff"
cmp -s "$tmp/out" "$tmp/expected" || fail "labels differ from chaff classify"
echo "pip install: ok"
