#!/usr/bin/env python3
"""training/corpus/shapes.py: short pages and notices after the article, cut from real pages.

Run: python3 tests/training/test_corpus_shapes.py (ctest runs it as corpus_shapes)."""

import os
import random
import sys
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))

from corpus.shapes import CLOSE_BUTTONS, ShapeMaker  # noqa: E402


def page(pid, lang, with_consent):
    rows = [("navigation", "%s title" % pid)] + [("navigation", "Menu %d" % i) for i in range(5)]
    rows += [("content", "Sentence %d of page %s, long enough to be a sentence." % (i, pid))
             for i in range(8)]
    if with_consent:
        rows += [("consent", "We use cookies on %s." % pid), ("consent", "Accept")]
    rows += [("navigation", "Footer %d" % i) for i in range(3)]
    return pid, lang, rows


class Shapes(unittest.TestCase):
    def setUp(self):
        self.pages = [page("p%d" % i, "de" if i % 2 else "en", i % 3 == 0) for i in range(30)]
        self.lines = {(label, t) for _, _, rows in self.pages for label, t in rows}

    def test_short_pages(self):
        out = list(ShapeMaker(self.pages).make(random.Random(1), "", 2.0, 0.0))
        self.assertGreater(len(out), 40)
        for pid, lang, rows in out:
            self.assertTrue(pid.startswith("short-"), pid)
            self.assertTrue(2 <= len(rows) <= 15, rows)
            self.assertIn("content", [label for label, _ in rows])
            for row in rows:  # every line a real line with its own label
                self.assertIn(row, self.lines)
        self.assertTrue(any(label == "consent" for _, _, rows in out for label, _ in rows))

    def test_notice_after_article(self):
        out = list(ShapeMaker(self.pages).make(random.Random(2), "", 0.0, 1.0))
        self.assertGreater(len(out), 20)
        for pid, lang, rows in out:
            self.assertTrue(pid.startswith("notice-"), pid)
            labels = [label for label, _ in rows]
            first = labels.index("consent")
            self.assertIn("content", labels[:first])
            before = rows[first - 1]
            self.assertTrue(before[0] == "content" or before[1] in CLOSE_BUTTONS, before)
            # The notice is of a page of the same language.
            self.assertTrue(any(rows[first][1].endswith("%s." % p) for p, l, _ in self.pages
                                if l == lang))

    def test_no_consent_in_language_no_notice_page(self):
        pages = [page("q%d" % i, "fi", False) for i in range(5)]
        self.assertEqual(list(ShapeMaker(pages).make(random.Random(3), "", 0.0, 1.0)), [])


if __name__ == "__main__":
    unittest.main()
