#!/usr/bin/env python3
"""training/corpus/build.py: the held-out split by string (build-corpus --split-strings).

Run: python3 tests/training/test_corpus_split.py (ctest runs it as corpus_split)."""

import os
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))

from corpus.build import held_string, split_sources  # noqa: E402


def sources(n):
    nav = {"slots": {"slot%d" % i: "Menu item %d" % i for i in range(n)},
           "sentences": ["Leave a reply %d." % i for i in range(n)],
           "tips": ["A list of recent changes %d" % i for i in range(n)],
           "wp": {"msg%d" % i: "View all posts %d" % i for i in range(n)},
           "months": ["M%d" % i for i in range(12)]}
    consent = {"notice": ["We use cookies %d." % i for i in range(n)],
               "button": ["Accept %d" % i for i in range(n)],
               "catname": [], "catdesc": ["Analytics %d" % i for i in range(n)]}
    prose = [("p" if i % 3 else "h", "Article %d of the declaration." % i) for i in range(n)]
    docs = [("manual%d" % i, [("p", "Text of manual %d." % i)]) for i in range(n)]
    return nav, consent, prose, docs


def strings(nav, consent, prose, docs):
    """Every string of the sources that the split decides on."""
    out = set(nav["slots"].values()) | set(nav["sentences"]) | set(nav["tips"])
    out |= set(nav["wp"].values())
    for lines in consent.values():
        out |= set(lines)
    out |= {t for _, t in prose} | {d[0] for d in docs}
    return out


class SplitByString(unittest.TestCase):
    def test_share_and_stability(self):
        texts = ["string %d" % i for i in range(20000)]
        held = [t for t in texts if held_string(t, 7, 0.1)]
        self.assertGreater(len(held), 1700)
        self.assertLess(len(held), 2300)
        self.assertEqual(held, [t for t in texts if held_string(t, 7, 0.1)])
        # Another seed draws other strings.
        self.assertNotEqual(held, [t for t in texts if held_string(t, 8, 0.1)])
        self.assertEqual([], [t for t in texts if held_string(t, 7, 0.0)])

    def test_sides_partition_the_sources(self):
        src = sources(400)
        sides = [split_sources(*src, keep=lambda t, h=h: held_string(t, 3, 0.25) == h)
                 for h in (False, True)]
        train, held = (strings(*s) for s in sides)
        self.assertEqual(train | held, strings(*src))
        self.assertEqual(train & held, set())
        self.assertGreater(len(held), 0.15 * len(strings(*src)))
        for side in sides:
            # Dates are composed, not split; slot names keep their strings.
            self.assertEqual(side[0]["months"], src[0]["months"])
            for slot, text in side[0]["slots"].items():
                self.assertEqual(src[0]["slots"][slot], text)
            # Prose keeps its order and kinds.
            self.assertEqual(side[2], [p for p in src[2] if p in side[2]])

    def test_untitled_documents_split_by_their_text(self):
        nav, consent, prose, _ = sources(10)
        docs = [(None, [("p", "Interface sentence %d of a dialog." % i)]) for i in range(400)]
        sides = [split_sources(nav, consent, prose, docs,
                               keep=lambda t, h=h: held_string(t, 3, 0.25) == h)[3]
                 for h in (False, True)]
        self.assertEqual(len(sides[0]) + len(sides[1]), 400)
        self.assertGreater(len(sides[1]), 60)
        self.assertGreater(len(sides[0]), 200)

    def test_keep_all_is_the_identity(self):
        src = sources(50)
        self.assertEqual(split_sources(*src, keep=lambda t: True), src)


if __name__ == "__main__":
    unittest.main()
