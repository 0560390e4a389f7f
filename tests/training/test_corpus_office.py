#!/usr/bin/env python3
"""training/corpus/office.py: LibreOffice's help pages and interface strings as prose.

Run: python3 tests/training/test_corpus_office.py (ctest runs it as corpus_office)."""

import gettext
import os
import struct
import sys
import tempfile
import unittest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "training"))

from corpus import office  # noqa: E402

PAGE = """<!DOCTYPE html><html><head><title>%(title)s</title></head><body>
<header><p dir="auto">Help menu text that is not in the display area.</p></header>
<div id="DisplayArea">
<h1 id="hd_id1">%(title)s</h1>
<p id="par_id1" class="paragraph">%(p1)s</p>
<h2 id="hd_id2">%(h2)s</h2>
<p id="par_id2" class="paragraph">%(p2)s</p>
<p id="par_id3" class="paragraph">%(p3)s</p>
<p class="related">Related Topics</p>
<h3 class="bug">Help content debug info:</h3>
<p id="par_id9">This page is: /text/shared/guide/example.xhp and nothing after it counts.</p>
</div></body></html>"""

EN = {"title": "Templates", "h2": "Creating a Template",
      "p1": "When you open a new document with File - New, a blank document based on a template is opened.",
      "p2": "You can save any document as a template by choosing the template type in the Save dialog.",
      "p3": "The template manager is the preferred method for working with templates in every module."}
TR = {"title": "Şablonlar", "h2": "Şablon Oluşturmak",
      "p1": "Dosya - Yeni yoluyla yeni bir belge açtığınızda, şablona dayalı boş bir belge açılır ve düzenlenebilir.",
      "p2": EN["p2"],  # left untranslated
      "p3": "Şablon yöneticisi, her modülde şablonlarla çalışmanın tercih edilen yoludur ve kolayca açılır."}


def write_help(root, locale, pages):
    for name, values in pages.items():
        d = os.path.join(root, "usr/share/libreoffice/help", locale, "text", "shared")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, name), "w", encoding="utf-8") as f:
            f.write(PAGE % values)


def write_mo(path, catalog):
    """A GNU .mo file of {msgid: msgstr} (the format gettext reads)."""
    keys = sorted(catalog)
    ids = [k.encode() for k in keys]
    strs = [catalog[k].encode() for k in keys]
    n = len(keys)
    head = 7 * 4
    offs, data = [], b""
    base = head + 16 * n
    for s in ids + strs:
        offs.append((len(s), base + len(data)))
        data += s + b"\0"
    out = struct.pack("<7I", 0x950412de, 0, n, head, head + 8 * n, 0, 0)
    for length, off in offs:
        out += struct.pack("<2I", length, off)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(out + data)


class Help(unittest.TestCase):
    def test_translated_prose_only(self):
        with tempfile.TemporaryDirectory() as d:
            en, tr = os.path.join(d, "en"), os.path.join(d, "tr")
            write_help(en, "en-US", {"a.html": EN, "b.html": EN})
            write_help(tr, "tr", {"a.html": TR, "b.html": TR})
            docs = office.load_help(tr, "tr", en, cjk=False)
        self.assertEqual(len(docs), 2)
        title, blocks = docs[0]
        self.assertEqual(title, TR["title"])
        # The untranslated paragraph, the menu outside the display area, the related-topics
        # line and the debug section are left out; the heading before a paragraph stays.
        self.assertEqual(blocks, [("p", TR["p1"]), ("h", TR["h2"]), ("p", TR["p3"])])

    def test_page_without_english_counterpart_is_skipped(self):
        with tempfile.TemporaryDirectory() as d:
            en, tr = os.path.join(d, "en"), os.path.join(d, "tr")
            write_help(en, "en-US", {"a.html": EN})
            write_help(tr, "tr", {"other.html": TR})
            self.assertEqual(office.load_help(tr, "tr", en, cjk=False), [])

    def test_latin_paragraphs_dropped_in_other_scripts(self):
        ko = dict(TR, title="서식 파일", h2="서식 파일 만들기",
                  p1="파일 - 새로 만들기로 새 문서를 열면 서식 파일을 기반으로 하는 빈 문서가 열립니다. "
                     "원하면 이 서식 파일을 편집할 수 있습니다.",
                  p3="서식 파일 관리자는 모든 모듈에서 서식 파일로 작업하는 데 권장되는 방법이며 "
                     "파일 메뉴에서 열 수 있습니다.")
        mixed = dict(ko, p3="Opens the Table Format dialog, where you define borders, backgrounds and widths.")
        with tempfile.TemporaryDirectory() as d:
            en, k = os.path.join(d, "en"), os.path.join(d, "ko")
            write_help(en, "en-US", {"a.html": EN, "b.html": EN})
            write_help(k, "ko", {"a.html": ko, "b.html": mixed})
            docs = office.load_help(k, "ko", en, cjk=False, latin=False)
        # b.html keeps one paragraph only: no longer a document.
        self.assertEqual([t for t, _ in docs], ["서식 파일"])


class Interface(unittest.TestCase):
    def test_sentences_in_script_grouped_in_order(self):
        thai = ["คลิกที่รูปแบบที่คุณต้องการใช้กับช่องข้อมูลที่เลือก %d ครั้ง" % i for i in range(40)]
        catalog = {"": "Content-Type: text/plain; charset=UTF-8\n"}
        for i, t in enumerate(thai):
            catalog["ctx%02d\x04Source text %d" % (i, i)] = t
        catalog["ctxa\x04Short"] = "สั้น"                       # too short
        catalog["ctxb\x04Mixed"] = "เปิด dialog box for the settings of the page"  # mostly Latin
        catalog["ctxc\x04Placeholder"] = "ไม่สามารถเปิดแฟ้ม %1 ได้เนื่องจากมีข้อผิดพลาดเกิดขึ้น"
        with tempfile.TemporaryDirectory() as d:
            write_mo(os.path.join(d, "usr/lib/libreoffice/program/resource/th/LC_MESSAGES/sw.mo"),
                     catalog)
            docs = office.load_ui(d, "th", "th")
        paras = [t for _, blocks in docs for _, t in blocks]
        self.assertTrue(all(title is None for title, _ in docs))
        self.assertTrue(all(3 <= len(blocks) <= 6 for _, blocks in docs))
        # Every kept string once, in catalogue order; the others never.
        self.assertEqual(" ".join(paras), " ".join(thai))

    def test_sentence_rules(self):
        self.assertTrue(office._ui_sentence("এই কুকিগুলো আপনাকে এক সাইট থেকে আরেক সাইট অনুসরণ করে।", "bn"))
        self.assertFalse(office._ui_sentence("এই কুকিগুলো আপনাকেএকসাইটথেকেআরেকসাইটঅনুসরণকরে।", "bn"))
        self.assertFalse(office._ui_sentence("فایل را باز کنید تا تغییرات ذخیره شوند...", "fa"))


if __name__ == "__main__":
    unittest.main()
