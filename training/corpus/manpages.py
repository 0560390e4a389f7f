"""Prose paragraphs from Debian's translated manual pages (roff source, stripped to text).

Only running-text paragraphs are kept: option tags, synopses and example blocks are dropped,
and paragraphs must look like natural-language sentences.
"""

import glob
import gzip
import os
import re

from .tsvio import clean

_FONT = re.compile(r"\\f(\[[^\]]*\]|\(..|.)")
_NAMED = {"em": "—", "en": "–", "aq": "'", "dq": '"', "lq": "“", "rq": "”", "oq": "‘", "cq": "’",
          "bu": "•", "co": "©", "rg": "®", "mi": "-", "hy": "-", "ga": "`", "ti": "~", "ha": "^",
          "Fo": "«", "Fc": "»", "fo": "‹", "fc": "›", ">=": "≥", "<=": "≤"}
_BREAKS = {"PP", "LP", "P", "SH", "SS", "TP", "IP", "sp", "HP", "RS", "RE", "TQ", "in", "ti", "br",
           "Pp", "Sh", "Ss", "It", "Bl", "El", "Bd", "Ed", "TH", "Dt", "SY", "YS", "UR", "UE", "MT"}
_CODE_START = {"nf", "EX", "Bd", "TS", "SY"}
_CODE_END = {"fi", "EE", "Ed", "TE", "YS"}
_FONT_MACROS = {"B", "I", "BR", "RB", "IR", "RI", "BI", "IB", "SM", "SB", "Nm", "Ar", "Fl", "Em"}


def _unescape(s):
    s = _FONT.sub("", s)
    s = re.sub(r"\\\[([^\]]*)\]", lambda m: _NAMED.get(m.group(1), ""), s)
    s = re.sub(r"\\\((..)", lambda m: _NAMED.get(m.group(1), ""), s)
    s = re.sub(r"\\\*(\(..|\[[^\]]*\]|.)", "", s)
    s = s.replace("\\-", "-").replace("\\&", "").replace("\\ ", " ").replace("\\e", "\\")
    s = s.replace("\\c", "").replace("\\%", "").replace("\\|", "").replace("\\^", "")
    s = re.sub(r"\\[sv]'?[-+]?\d+'?", "", s)
    s = re.sub(r"\\.", "", s)
    return s


def _macro_args(rest):
    args = re.findall(r'"([^"]*)"|(\S+)', rest)
    return " ".join(a or b for a, b in args)


def _looks_like_prose(text, cjk):
    if len(text) < (25 if cjk else 60) or len(text) > 1500:
        return False
    letters = sum(ch.isalpha() or ch.isspace() for ch in text)
    if letters < 0.85 * len(text):
        return False
    if re.search(r"(^|\s)--?[a-zA-Z]|[{}<>$=]|/\w+/|\w\(\d\)", text):
        return False
    if cjk:
        return text[-1] in "。．.!?！？"
    return text[-1] in ".!?:;)»\"" and len(text.split()) >= 8


def parse_manpage(src, cjk):
    """Return ([(kind, text)], title) where kind is "h" or "p"."""
    blocks, buf, in_code, skip_next, section = [], [], False, False, ""
    title = None
    joiner = "" if cjk else " "

    def flush():
        if buf:
            text = clean(joiner.join(buf)) if not cjk else clean("".join(b.strip() for b in buf))
            if section and section not in ("name", "synopsis") and _looks_like_prose(text, cjk):
                blocks.append(("p", text))
            elif section == "name" and title is None and " - " in text:
                return text.split(" - ", 1)[1].strip()
        buf.clear()
        return None

    sec_index = 0
    for line in src.splitlines():
        if line.startswith(".\\\"") or line.startswith("'\\\""):
            continue
        if line.startswith(".") or line.startswith("'"):
            m = re.match(r"^[.'](\S+)\s*(.*)$", line)
            if not m:
                continue
            macro, rest = m.group(1), m.group(2)
            if in_code:
                if macro in _CODE_END:
                    in_code = False
                continue
            if macro in _CODE_START:
                t = flush()
                title = title or t
                in_code = True
                continue
            if macro in _BREAKS:
                t = flush()
                title = title or t
                if macro in ("SH", "Sh", "SS", "Ss"):
                    heading = clean(_unescape(_macro_args(rest)))
                    sec_index += 1
                    section = "name" if sec_index == 1 else ("synopsis" if sec_index == 2 else heading)
                    if sec_index > 2 and heading and len(heading) < 60:
                        h = heading.capitalize() if heading.isupper() else heading
                        blocks.append(("h", h))
                skip_next = macro in ("TP", "TQ")
                continue
            if macro in _FONT_MACROS:
                line = _macro_args(rest)
            else:
                continue
        if in_code:
            continue
        if skip_next:
            skip_next = False
            continue
        text = _unescape(line).strip()
        if text:
            buf.append(text)
    t = flush()
    title = title or t
    # Drop headings that introduce nothing.
    out = []
    for i, (kind, text) in enumerate(blocks):
        if kind == "h" and (i + 1 == len(blocks) or blocks[i + 1][0] == "h"):
            continue
        out.append((kind, text))
    return out, title


def load_manpages(root, langdir, cjk, limit=4000):
    """[(title, blocks)] for the man pages of one language, in sorted file order."""
    docs = []
    pattern = os.path.join(root, "usr/share/man", langdir, "man[1-8]", "*.gz") if langdir else \
        os.path.join(root, "usr/share/man", "man[1-8]", "*.gz")
    total = 0
    for path in sorted(glob.glob(pattern)):
        try:
            with gzip.open(path, "rb") as f:
                src = f.read().decode("utf-8")
        except (UnicodeDecodeError, OSError):
            continue
        if src.startswith(".so "):
            continue
        blocks, title = parse_manpage(src, cjk)
        paras = sum(1 for k, _ in blocks if k == "p")
        if paras >= 2:
            docs.append((title, blocks))
            total += paras
            if total >= limit:
                break
    return docs
