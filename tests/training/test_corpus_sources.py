#!/usr/bin/env python3
"""training/corpus/fetch.py: every source of the training corpus resolves against its registry.

Two parts. The fallback rule is tested on made-up registry answers (a pinned version that is
gone gives the archive's current one; a package that is gone entirely is an error naming it).
Then every real source is resolved against Debian's archive and the npm registry, downloading
nothing, so that the next pinned version to leave a registry is seen by CI, not by a user
running training/build-corpus. That part needs apt-cache (after apt-get update), npm and the
registries; without them it is skipped (exit 77).

Run: python3 tests/training/test_corpus_sources.py [--offline]
(ctest runs it as corpus_sources)."""

import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))

from corpus import fetch  # noqa: E402

MADISON = """chromium-l10n | 156.0.8078.129-1~deb12u1 | http://deb.example/debian-security bookworm-security/main amd64 Packages
chromium-l10n | 150.0.7871.100-1~deb12u1 | http://deb.example/debian bookworm/main amd64 Packages
"""
POLICY = """chromium-l10n:
  Installed: (none)
  Candidate: 156.0.8078.129-1~deb12u1
"""


class FakeRegistry:
    def __init__(self, answers):
        self.answers = answers

    def __call__(self, cmd, cwd):
        key = " ".join(cmd[:2])
        if key not in self.answers:
            raise RuntimeError("command failed: %s" % " ".join(cmd))
        return self.answers[key]


class Fallback(unittest.TestCase):
    def setUp(self):
        self.run = fetch._run

    def tearDown(self):
        fetch._run = self.run

    def test_pinned_version_kept_when_there(self):
        fetch._run = FakeRegistry({"apt-cache madison": MADISON, "apt-cache policy": POLICY})
        r = fetch.resolve_deb("chromium-l10n", "150.0.7871.100-1~deb12u1")
        self.assertEqual(r.used, "150.0.7871.100-1~deb12u1")
        self.assertFalse(r.fallback)

    def test_gone_version_falls_back_to_candidate(self):
        fetch._run = FakeRegistry({"apt-cache madison": MADISON, "apt-cache policy": POLICY})
        r = fetch.resolve_deb("chromium-l10n", "156.0.8078.108-1~deb12u1")
        self.assertEqual(r.used, "156.0.8078.129-1~deb12u1")
        self.assertTrue(r.fallback)
        self.assertIn("156.0.8078.108-1~deb12u1", r.note())
        self.assertIn("156.0.8078.129-1~deb12u1", r.note())

    def test_gone_package_is_an_error(self):
        fetch._run = FakeRegistry({"apt-cache madison": "", "apt-cache policy": ""})
        with self.assertRaisesRegex(RuntimeError, "no package chromium-l10n"):
            fetch.resolve_deb("chromium-l10n", "156.0.8078.108-1~deb12u1")

    def test_npm_gone_version_takes_latest(self):
        fetch._run = FakeRegistry({"npm view": '{"versions": ["1.0.0", "1.1.0"], '
                                                '"dist-tags.latest": "1.1.0"}'})
        self.assertEqual(fetch.resolve_npm("klaro", "1.0.0").used, "1.0.0")
        r = fetch.resolve_npm("klaro", "0.9.0")
        self.assertEqual(r.used, "1.1.0")
        self.assertTrue(r.fallback)

    def test_manifest_lists_every_source(self):
        import tempfile
        rs = [fetch.Resolved("npm", "klaro", "0.9.0", "1.1.0"),
              fetch.Resolved("debian", "manpages", "6.03-2", "6.03-2")]
        with tempfile.TemporaryDirectory() as d:
            path = os.path.join(d, "MANIFEST.tsv")
            fetch.write_manifest(path, rs)
            with open(path, encoding="utf-8") as f:
                rows = [l.rstrip("\n").split("\t") for l in f]
        self.assertEqual(rows[0][:4], ["registry", "package", "pinned", "used"])
        self.assertEqual(rows[1][:4], ["npm", "klaro", "0.9.0", "1.1.0"])
        self.assertEqual(len(rows), 3)


def resolve_real_sources():
    """0 when every source resolves, 1 when one does not, 77 when the registries can't be asked."""
    if not shutil.which("apt-cache") or not shutil.which("npm"):
        print("corpus_sources: SKIP: apt-cache or npm not installed")
        return 77
    try:
        if not fetch._deb_versions("manpages")["manpages"]:
            print("corpus_sources: SKIP: apt-cache knows no packages (run apt-get update)")
            return 77
        # The registry itself: a machine without network skips; a package gone fails below.
        fetch._run(["npm", "view", "npm", "version"], cwd=None)
    except RuntimeError as e:
        print("corpus_sources: SKIP: a registry cannot be asked: %s" % str(e).splitlines()[0])
        return 77
    try:
        resolved = fetch.resolve_all(lambda m: print(m))
    except RuntimeError as e:
        print("corpus_sources: FAIL: %s" % e)
        return 1
    n = len(fetch.sources())
    if len(resolved) != n:
        print("corpus_sources: FAIL: %d of %d sources resolved" % (len(resolved), n))
        return 1
    print("corpus_sources: %d sources resolve (%d at another version than pinned; "
          "update the pins in training/corpus/fetch.py and SOURCES.md)"
          % (n, sum(r.fallback for r in resolved)))
    return 0


if __name__ == "__main__":
    offline = "--offline" in sys.argv
    argv = [a for a in sys.argv if a != "--offline"]
    result = unittest.main(argv=argv, exit=False).result
    if not result.wasSuccessful():
        sys.exit(1)
    sys.exit(0 if offline else resolve_real_sources())
