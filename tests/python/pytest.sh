#!/bin/sh
# pytest.sh SOURCE_DIR LIBCHAFF CHAFF: runs the Python package's tests (python/tests) with
# Debian's python3 and pytest over the built library, the built chaff command as reference.
# Skipped (77) when python3 or pytest is missing.
set -u
src=$1
command -v /usr/bin/python3 >/dev/null || { echo "skipped: no /usr/bin/python3"; exit 77; }
/usr/bin/python3 -c 'import pytest' 2>/dev/null || { echo "skipped: no pytest (python3-pytest)"; exit 77; }
CHAFF_LIBRARY=$2 CHAFF_CLI=$3 CHAFF_TEST_DATA="$src/tests/data" PYTHONPATH="$src/python" \
    PYTHONDONTWRITEBYTECODE=1 exec /usr/bin/python3 -m pytest -q -p no:cacheprovider \
    "$src/python/tests"
