"""Reading and writing the labelled TSV format."""

import re

LABELS = ("content", "consent", "navigation")
_WS = re.compile(r"\s+")


def clean(text):
    """Collapse whitespace (including newlines) the way line extraction does."""
    return _WS.sub(" ", text).strip()


def escape(text):
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "")


def unescape(text):
    out = []
    i = 0
    while i < len(text):
        c = text[i]
        if c == "\\" and i + 1 < len(text):
            n = text[i + 1]
            out.append({"\\": "\\", "t": "\t", "n": "\n"}.get(n, "\\" + n))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def format_row(page_id, lang, label, text):
    assert label in LABELS, label
    assert text, "empty text on page %s" % page_id
    return "%s\t%s\t%s\t%s\n" % (page_id, lang, label, escape(text))


def read_pages(path):
    """Yield (page_id, lang, [(label, escaped_text)]) from a labelled TSV, keeping rows verbatim."""
    page, lang, rows = None, None, []
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4 or parts[2] not in LABELS or not parts[3]:
                continue
            if parts[0] != page:
                if rows:
                    yield page, lang, rows
                page, lang, rows = parts[0], parts[1], []
            rows.append((parts[2], parts[3]))
    if rows:
        yield page, lang, rows
