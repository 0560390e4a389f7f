"""Pages of two shapes that long real pages rarely show, cut from real pages' own lines.

- Short pages (2-15 lines): feed items, short posts and snippets, what a new user tries first:
  perhaps the page's title, a few menu lines, 1-4 content paragraphs in their order, perhaps a
  consent block, perhaps a footer line or two; some are just an article sentence and a consent
  sentence.
- Notice after the article: an article's content lines, then (half the time) a lone close
  button, then a whole consent block of another page of the same language, as a banner lands
  in extracted text. The opening sentence of the notice has no consent line before it.

Both are cut from the pages of one side of the split only (training pages for training,
held-out pages for the held-out files), so no line crosses the split. Rows stay escaped TSV
text; labels are the real pages' own.
"""

import collections

CLOSE_BUTTONS = ("×", "X", "✕", "x", "Close", "✖")


def _blocks(rows):
    """[(label, first, end)] runs of one label."""
    out, start = [], 0
    for i in range(1, len(rows) + 1):
        if i == len(rows) or rows[i][0] != rows[start][0]:
            out.append((rows[start][0], start, i))
            start = i
    return out


def _sentence_like(text):
    return len(text) >= 40 and text.rstrip().endswith((".", "。", "।", "؟", "?", "!"))


class ShapeMaker:
    """Makes short and notice-after-article pages from a list of (page_id, lang, rows)."""

    def __init__(self, pages):
        self.pages = [p for p in pages if any(label == "content" for label, _ in p[2])]
        self.consent = collections.defaultdict(list)  # lang -> consent blocks (rows)
        for _, lang, rows in pages:
            for label, a, b in _blocks(rows):
                if label == "consent":
                    self.consent[lang].append(rows[a:b])

    def _content_run(self, rng, rows, most):
        """Up to 'most' consecutive content rows, started at a sentence-like one if there is."""
        idx = [i for i, (label, _) in enumerate(rows) if label == "content"]
        good = [i for i in idx if _sentence_like(rows[i][1])] or idx
        start = rng.choice(good)
        out = []
        for label, text in rows[start:]:
            if label != "content" or len(out) == most:
                break
            out.append((label, text))
        return out

    def _nav_run(self, rng, rows, most, last=False):
        runs = [rows[a:b] for label, a, b in _blocks(rows) if label == "navigation"]
        if not runs or most == 0:
            return []
        run = runs[-1] if last else rng.choice(runs)
        return run[:most] if not last else run[-most:]

    def _consent_block(self, rng, lang, rows, most):
        own = [rows[a:b] for label, a, b in _blocks(rows) if label == "consent"]
        pool = own or self.consent.get(lang)
        if not pool:
            return []
        block = rng.choice(pool)
        return block[:most]

    def short_page(self, rng, page):
        _, lang, rows = page
        if rng.random() < 0.1:  # an article sentence and a consent sentence, nothing else
            content = self._content_run(rng, rows, 1)
            consent = self._consent_block(rng, lang, rows, 1)
            return content + consent if consent else None
        out = []
        if rng.random() < 0.5 and rows[0][0] != "consent" and len(rows[0][1]) < 150:
            out.append(rows[0])
        out += self._nav_run(rng, rows, rng.choice((0, 0, 1, 2, 3, 4)))
        content = self._content_run(rng, rows, rng.randint(1, 4))
        out += content
        if rng.random() < 0.35:
            block = self._consent_block(rng, lang, rows, rng.randint(1, 5))
            out = block + out if rng.random() < 0.25 else out + block
        if rng.random() < 0.5:
            out += self._nav_run(rng, rows, rng.randint(1, 3), last=True)
        out = out[:15]
        return out if len(out) >= 2 and any(label == "content" for label, _ in out) else None

    def notice_page(self, rng, page):
        _, lang, rows = page
        pool = self.consent.get(lang)
        if not pool:
            return None
        out = []
        if rng.random() < 0.5 and rows[0][0] != "consent" and len(rows[0][1]) < 150:
            out.append(rows[0])
        out += self._content_run(rng, rows, rng.randint(3, 12))
        if rng.random() < 0.5:
            out.append(("navigation", rng.choice(CLOSE_BUTTONS)))
        out += rng.choice(pool)[:12]
        if rng.random() < 0.3:
            out += self._nav_run(rng, rows, rng.randint(1, 3), last=True)
        return out

    def make(self, rng, prefix, per_page_short, per_page_notice):
        """Yield (page_id, lang, rows): 'per_page_*' pages of each shape per source page (a
        fraction is a chance)."""
        for kind, per_page, fn in (("short", per_page_short, self.short_page),
                                   ("notice", per_page_notice, self.notice_page)):
            n = 0
            for page in self.pages:
                k = int(per_page) + (rng.random() < per_page - int(per_page))
                for _ in range(k):
                    rows = fn(rng, page)
                    if rows:
                        n += 1
                        yield "%s%s-%05d-%s" % (prefix, kind, n, page[0]), page[1], rows
