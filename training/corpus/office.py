"""Prose of LibreOffice: its translated help pages and, for languages without them, the
sentence-like strings of its translated user interface (see SOURCES.md).

Both give documents in the shape of manpages.load_manpages(): [(title, [(kind, text)])] with
kind "h" (heading) or "p" (paragraph). Only translated text is kept: a help paragraph whose
text is that of the same paragraph (same id, same file) in the English help was left
untranslated, and an interface string must be written mostly in the language's script.
"""

import gettext
import glob
import os
import re
import unicodedata
import zlib
from html.parser import HTMLParser

from .manpages import _looks_like_prose
from .tsvio import clean

# Script of the interface strings kept (a word of the Unicode character names).
_SCRIPT = {"th": "THAI", "fa": "ARABIC", "bn": "BENGALI"}


class _HelpParser(HTMLParser):
    """(id, kind, text) of the headings and paragraphs of one help page's display area, up to
    its "help content debug info" section."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks, self._cur, self._buf, self._done, self._in_area = [], None, [], False, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == "DisplayArea":
            self._in_area = True
        if not self._in_area or self._done:
            return
        if tag == "h3" and a.get("class") == "bug":
            self._done = True
            return
        if tag in ("h1", "h2", "h3", "p") and self._cur is None:
            ident = a.get("id") or ""
            if tag == "p" and not ident.startswith("par_id"):
                return
            self._cur, self._buf = (ident, "t" if tag == "h1" else ("h" if tag != "p" else "p"),
                                    tag), []

    def handle_endtag(self, tag):
        if self._cur is not None and tag == self._cur[2]:
            text = clean("".join(self._buf))
            if text:
                self.blocks.append((self._cur[0], self._cur[1], text))
            self._cur = None

    def handle_data(self, data):
        if self._cur is not None:
            self._buf.append(data)


def _help_blocks(path):
    p = _HelpParser()
    with open(path, encoding="utf-8", errors="replace") as f:
        p.feed(f.read())
    return p.blocks


def _mostly_ascii(text):
    letters = [c for c in text if c.isalpha()]
    return sum(c.isascii() for c in letters) > 0.5 * len(letters)


def load_help(root, locale, en_root, cjk, latin=True, limit=4000):
    """[(title, blocks)] from the help pages of one language (libreoffice-help-LOCALE), files
    in a stable hashed order (so that every module is drawn from), up to `limit` paragraphs.
    In a language not written in Latin letters, paragraphs mostly in them are left out (some
    differ from the English help by a word only)."""
    base = os.path.join(root, "usr/share/libreoffice/help", locale)
    en_base = os.path.join(en_root, "usr/share/libreoffice/help", "en-US")
    paths = sorted(glob.glob(os.path.join(base, "text", "**", "*.html"), recursive=True),
                   key=lambda p: (zlib.crc32(os.path.relpath(p, base).encode()), p))
    docs, total = [], 0
    for path in paths:
        rel = os.path.relpath(path, base)
        en_path = os.path.join(en_base, rel)
        english = {(i, t) for i, _, t in _help_blocks(en_path)} if os.path.exists(en_path) else None
        if english is None:
            continue
        title, blocks = None, []
        for ident, kind, text in _help_blocks(path):
            if (ident, text) in english or not ident:
                continue
            if kind == "t":
                title = title or text
            elif kind == "h":
                if len(text) < 60 and not re.search(r"[<>{}$=]", text):
                    blocks.append(("h", text))
            elif _looks_like_prose(text, cjk) and (latin or not _mostly_ascii(text)):
                blocks.append(("p", text))
        out = [b for i, b in enumerate(blocks)
               if b[0] == "p" or (i + 1 < len(blocks) and blocks[i + 1][0] == "p")]
        paras = sum(1 for k, _ in out if k == "p")
        if paras >= 2 and title:
            docs.append((title, out))
            total += paras
            if total >= limit:
                break
    return docs


def _ui_sentence(text, iso):
    """True for an interface string that reads as a sentence of the language."""
    letters = [c for c in text if c.isalpha()]
    if len(text) < 30 or len(text) > 400 or not letters:
        return False
    script = _SCRIPT[iso]
    if sum(script in unicodedata.name(c, "") for c in letters) < 0.85 * len(letters):
        return False
    if re.search(r"[%$<>{}~&_|\\/=#@]|\.\.\.|…", text):
        return False
    # Scripts written with spaces between words: at least five words.
    return iso == "th" or len(text.split()) >= 5


def load_ui(root, locale, iso):
    """[(None, blocks)] from the interface strings of one language (libreoffice-l10n-LOCALE):
    the sentence-like strings of each catalogue, in the catalogue's order (strings of one
    dialog stay together), as documents of 3-6 paragraphs of 1-3 strings."""
    d = os.path.join(root, "usr/lib/libreoffice/program/resource", locale, "LC_MESSAGES")
    docs = []
    for path in sorted(glob.glob(os.path.join(d, "*.mo"))):
        with open(path, "rb") as f:
            catalog = gettext.GNUTranslations(f)._catalog
        strings = []
        for key in sorted(k for k in catalog if isinstance(k, str)):
            text = clean(catalog[key])
            if _ui_sentence(text, iso) and text not in strings:
                strings.append(text)
        # Deterministic grouping: paragraphs of 1-3 strings, documents of up to 6 paragraphs.
        paras, i = [], 0
        while i < len(strings):
            n = 1 + zlib.crc32(strings[i].encode()) % 3
            paras.append(" ".join(strings[i:i + n]))
            i += n
        for i in range(0, len(paras), 6):
            doc = [("p", t) for t in paras[i:i + 6]]
            if len(doc) >= 3:
                docs.append((None, doc))
    return docs
