#!/usr/bin/env python3
"""Compares the lines chaff's HTML reader makes with those of the reference extractor.

    compare_lines.py DRIVER WARC.gz [--limit N] [--min-share 0.99] [--show N] [--keep DIR]

DRIVER is tests/html/html_lines (built); WARC.gz a gzip-per-record WARC of HTML pages such as
../shared/html/real_pages_train.warc.gz. The records are split into PAGE_ID.html files, the
reference (../shared/html/lines.py, Python + lxml, run by /usr/bin/python3) and the driver
extract their lines, and per source (the page id up to its first '-') this prints the pages,
the pages whose lines are equal, the reference lines, the share of them the driver reproduces
in order (difflib's matching blocks, about the longest common subsequence) and the driver's
lines the reference does not have. --show N prints the first differences of N pages.

Exit status: 0, 1 when a source's share is below --min-share, 77 (skipped) when ../shared or
lxml is absent. Standard library only; the reference needs Debian's python3-lxml.
"""
import argparse
import collections
import difflib
import gzip
import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
LINES_PY = os.path.join(ROOT, "..", "shared", "html", "lines.py")
REF_PYTHON = "/usr/bin/python3"

REFERENCE = r"""
import os, sys
sys.path.insert(0, os.path.dirname(sys.argv[1]))
import lines
out = sys.stdout.buffer
for path in sys.argv[2:]:
    name = os.path.basename(path)[:-5]
    with open(path, "rb") as f:
        raw = f.read()
    for ln in lines.extract_lines(raw):
        out.write(name.encode() + b"\t" + ln.encode("utf-8", "surrogateescape") + b"\n")
"""


def warc_pages(path, limit):
    """(page id, HTML bytes) of the response records, as lines.py's _warc_pages reads them."""
    n = 0
    with gzip.open(path, "rb") as f:
        while limit is None or n < limit:
            line = f.readline()
            if not line:
                return
            if not line.startswith(b"WARC/"):
                continue
            head = {}
            while True:
                h = f.readline()
                if h in (b"\r\n", b"\n", b""):
                    break
                k, _, v = h.decode("utf-8", "replace").partition(":")
                head[k.strip().lower()] = v.strip()
            block = f.read(int(head.get("content-length", "0")))
            pid = head.get("warc-page-id") or head.get("warc-record-id", "")
            if head.get("warc-type") == "response":
                m = re.search(rb"\r?\n\r?\n", block)
                n += 1
                yield pid, block[m.end():] if m else block


def run_lines(cmd, files, jobs):
    """NAME -> [lines] from running 'cmd' over 'files' in 'jobs' parallel batches."""
    out = collections.defaultdict(list)
    if not files:
        return out
    per = max(1, (len(files) + jobs - 1) // jobs)
    procs = []
    for i in range(0, len(files), per):
        procs.append(subprocess.Popen(cmd + files[i:i + per], stdout=subprocess.PIPE))
    for p in procs:
        data, _ = p.communicate()
        if p.returncode != 0:
            sys.exit("compare_lines: %s exited with %d" % (cmd[0], p.returncode))
        for row in data.split(b"\n"):
            if row:
                name, _, text = row.partition(b"\t")
                out[name.decode()].append(text)
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("driver")
    ap.add_argument("warc")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--min-share", type=float, default=0.99)
    ap.add_argument("--show", type=int, default=0)
    ap.add_argument("--keep", default=None, help="split the pages into this directory and keep it")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()

    if not os.path.exists(LINES_PY) or not os.path.exists(args.warc):
        print("compare_lines: %s or %s missing: skipped" % (LINES_PY, args.warc))
        return 77
    if subprocess.run([REF_PYTHON, "-c", "import lxml.html"], stderr=subprocess.DEVNULL).returncode:
        print("compare_lines: %s has no lxml: skipped" % REF_PYTHON)
        return 77

    work = args.keep or tempfile.mkdtemp(prefix="compare_lines.")
    os.makedirs(work, exist_ok=True)
    try:
        names, files = [], []
        for pid, html in warc_pages(args.warc, args.limit):
            name = re.sub(r"[^\w.-]", "_", pid)
            path = os.path.join(work, name + ".html")
            with open(path, "wb") as f:
                f.write(html)
            names.append(name)
            files.append(path)
        ref = run_lines([REF_PYTHON, "-c", REFERENCE, LINES_PY], files, args.jobs)
        got = run_lines([args.driver], files, args.jobs)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)

    stats = collections.OrderedDict()
    shown = 0
    for name in names:
        r, g = ref.get(name, []), got.get(name, [])
        sm = difflib.SequenceMatcher(None, r, g, autojunk=False)
        same = sum(b.size for b in sm.get_matching_blocks())
        src = name.split("-", 1)[0]
        s = stats.setdefault(src, [0, 0, 0, 0, 0])
        s[0] += 1
        s[1] += r == g
        s[2] += len(r)
        s[3] += same
        s[4] += len(g) - same
        if r != g and shown < args.show:
            shown += 1
            print("== %s: %d reference lines, %d reproduced, %d extra" % (name, len(r), same,
                                                                          len(g) - same))
            k = 0
            for op, i1, i2, j1, j2 in sm.get_opcodes():
                if op == "equal":
                    continue
                for x in r[i1:i2][:3]:
                    print("  - " + x.decode("utf-8", "replace")[:160])
                for x in g[j1:j2][:3]:
                    print("  + " + x.decode("utf-8", "replace")[:160])
                k += 1
                if k >= 4:
                    break

    bad = 0
    print("%-14s %6s %14s %9s %10s %8s %6s" % ("source", "pages", "equal", "ref lines",
                                              "reproduced", "share", "extra"))
    for src, (pages, equal, nref, same, extra) in stats.items():
        share = same / nref if nref else 1.0
        bad += share < args.min_share
        print("%-14s %6d %6d (%5.1f %%) %9d %10d %7.3f %% %6d" % (
            src, pages, equal, 100.0 * equal / pages, nref, same, 100.0 * share, extra))
    if bad:
        print("compare_lines: share below %.1f %%" % (100 * args.min_share))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
