"""Tests of the chaff Python package, run by ctest (tests/CMakeLists.txt) with CHAFF_LIBRARY set
to the built libchaff.so, CHAFF_CLI to the built chaff command and CHAFF_TEST_DATA to
tests/data. The CLI is the reference: the package must label as it does."""
import ctypes
import gzip
import json
import os
import random
import subprocess
import sys
import threading

import pytest

import chaff

CLI = os.environ.get("CHAFF_CLI")
DATA = os.environ.get("CHAFF_TEST_DATA",
                      os.path.join(os.path.dirname(__file__), "..", "..", "tests", "data"))
MODELS = os.path.join(os.path.dirname(__file__), "..", "..", "models")


def fixture_pages():
    """The pages of tests/data/fixture_small.tsv: (id, [paragraph, ...])."""
    pages = []
    with open(os.path.join(DATA, "fixture_small.tsv"), encoding="utf-8") as f:
        for line in f:
            page_id, _lang, _label, text = line.rstrip("\n").split("\t", 3)
            text = text.replace("\\t", "\t").replace("\\n", " ").replace("\\r", " ")
            text = text.replace("\\\\", "\\")
            if not pages or pages[-1][0] != page_id:
                pages.append((page_id, []))
            pages[-1][1].append(text)
    return pages


def cli_labels(*args):
    assert CLI, "CHAFF_CLI is not set"
    out = subprocess.run([CLI, "classify", "--no-progress", "-o", "labels", *args],
                         check=True, capture_output=True).stdout
    return out.decode().split()


@pytest.fixture(scope="module")
def model():
    with chaff.Model() as m:
        yield m


@pytest.fixture(scope="module")
def jsonl_file(tmp_path_factory):
    """A JSONL file of the fixture's pages, one of them with a NUL byte and an accent."""
    path = tmp_path_factory.mktemp("data") / "pages.jsonl"
    with open(path, "wb") as f:
        for i, (page_id, paras) in enumerate(fixture_pages()):
            text = "\n".join(paras)
            line = json.dumps({"id": page_id, "text": text}).encode()
            if i == 3:
                line = line.replace(b'"text": "', b'"text": "caf\\u0000\xc3\xa9\\n', 1)
            f.write(line + b"\n")
    return str(path)


def test_labels_are_the_model_labels(model):
    assert sorted(model.labels) == ["consent", "content", "navigation"]
    assert not model.needs_html


def test_labels_equal_the_cli_on_the_same_pages(model, jsonl_file):
    pages = list(chaff.read(jsonl_file))
    assert len(pages) == len(fixture_pages())
    expected = cli_labels(jsonl_file)
    # one page at a time, and on the pipeline
    single = [label for p in pages for label, _ in model.classify(p.paragraphs)]
    piped = [label for r in model.classify_pages(pages, threads=2) for label, _ in r]
    assert single == expected
    assert piped == expected


def test_text_file_pages_and_labels_equal_the_cli(model, tmp_path):
    path = tmp_path / "pages.txt"
    path.write_text("\n\f\n".join("\n".join(p) for _, p in fixture_pages()) + "\n",
                    encoding="utf-8")
    pages = list(chaff.read(str(path)))
    assert [p.paragraphs for p in pages] == [p for _, p in fixture_pages()]
    got = [label for r in model.classify_pages(p.paragraphs for p in pages) for label, _ in r]
    assert got == cli_labels(str(path))


def test_threads_give_the_same_labels_and_confidences(model):
    pages = [p for _, p in fixture_pages()] * 40  # enough pages for many batches
    rng = random.Random(7)
    rng.shuffle(pages)
    one = list(model.classify_pages(pages, threads=1))
    for threads in (2, 3, 8):
        assert list(model.classify_pages(pages, threads=threads)) == one
    assert one[:50] == [model.classify(p) for p in pages[:50]]
    assert [len(r) for r in one] == [len(p) for p in pages]


def test_many_small_pages_come_back_in_order(model):
    # 20,000 pages fill the pipeline's budget many times over: pushing waits for taking.
    pages = [["Accept all cookies"] if i % 3 == 0 else ["Home", "News", "Contact us"] * (i % 5)
             for i in range(20000)]
    results = list(model.classify_pages(iter(pages), threads=2))
    assert [len(r) for r in results] == [len(p) for p in pages]
    first = model.classify(["Accept all cookies"])
    assert all(results[i] == first for i in range(0, 20000, 3))


def test_empty_pages_nul_bytes_and_odd_text(model):
    pages = [[], ["a\0b", "Home"], ["", " "], ["caf\udcc3\udca9"], [b"raw bytes"]]
    results = list(model.classify_pages(pages, threads=2))
    assert [len(r) for r in results] == [0, 2, 2, 1, 1]
    assert results[1] == model.classify(["a\0b", "Home"])
    assert results[3] == model.classify(["caf\udcc3\udca9"])  # the bytes c3 a9: "café"
    assert results[3] == model.classify(["café"])
    assert model.classify([]) == []


def test_classify_pages_takes_page_objects_and_stops_early(model):
    pages = [chaff.Page("p%d" % i, p) for i, (_, p) in enumerate(fixture_pages())]
    it = model.classify_pages(pages, threads=2)
    first = next(it)
    assert first == model.classify(pages[0].paragraphs)
    it.close()  # closes the pipeline with pages still in it


def test_classify_pages_releases_the_gil(model):
    # A Python thread keeps counting while the pipeline works.
    pages = [p for _, p in fixture_pages()] * 60
    count = [0]
    stop = threading.Event()

    def spin():
        while not stop.is_set():
            count[0] += 1

    t = threading.Thread(target=spin)
    t.start()
    try:
        list(model.classify_pages(pages, threads=2))
    finally:
        stop.set()
        t.join()
    assert count[0] > 0


def test_read_keeps_nul_bytes_and_invalid_utf8(jsonl_file, tmp_path, model):
    assert list(chaff.read(jsonl_file))[3].paragraphs[0] == "caf\0é"
    path = tmp_path / "bytes.txt"
    path.write_bytes(b"caf\xc3\xa9 \xff\nHome\n")
    (page,) = chaff.read(str(path))
    assert page.paragraphs[0] == "caf\xe9 \udcff"
    assert page.paragraphs[0].encode("utf-8", "surrogateescape") == b"caf\xc3\xa9 \xff"
    got = [label for label, _ in next(model.classify_pages([page]))]
    assert got == cli_labels(str(path))


def test_read_gives_long_paragraphs_and_big_pages_whole(tmp_path):
    # The CLI holds a line over 256 KiB by its first bytes (the rest in a spill file) and hands
    # a page of over 65,536 lines out in parts; read() gives both whole.
    long_line = "word " * 100000  # 500 KB
    path = tmp_path / "long.txt"
    path.write_text("Title\n" + long_line.strip() + "\nHome\n")
    (page,) = chaff.read(str(path))
    assert page.paragraphs == ["Title", long_line.strip(), "Home"]
    path = tmp_path / "many.txt"
    path.write_text("".join("line %d\n" % i for i in range(70000)))
    pages = list(chaff.read(str(path)))
    assert len(pages) == 1 and len(pages[0].paragraphs) == 70000
    assert pages[0].paragraphs[-1] == "line 69999"


def test_read_warc_gz_and_html(tmp_path):
    warc = tmp_path / "a.warc.gz"
    records = []
    for i, (page_id, paras) in enumerate(fixture_pages()[:5]):
        body = ("\n".join(paras) + "\n").encode()
        head = ("WARC/1.0\r\nWARC-Type: conversion\r\nWARC-Record-ID: <urn:uuid:%d>\r\n"
                "WARC-Target-URI: http://example.com/%d\r\nContent-Type: text/plain\r\n"
                "Content-Length: %d\r\n\r\n" % (i, i, len(body))).encode()
        records.append(gzip.compress(head + body + b"\r\n\r\n"))
    warc.write_bytes(b"".join(records))
    pages = list(chaff.read(str(warc)))
    assert [p.paragraphs for p in pages] == [p for _, p in fixture_pages()[:5]]
    assert pages[0].id == "<urn:uuid:0>"
    html = list(chaff.read(os.path.join(DATA, "sample_page.html")))
    assert len(html) == 1 and html[0].id == "sample_page" and len(html[0].paragraphs) > 5


def test_html_model_labels_pages_read_from_html_as_the_cli_does():
    try:
        hm = chaff.Model(html=True)
    except chaff.ChaffError:
        pytest.skip("no built-in HTML model")
    assert hm.needs_html
    # Its pages need their structure: text paragraphs are refused with the library's message.
    with pytest.raises(chaff.ChaffError, match="needs HTML"):
        hm.classify(["Home", "News"])
    with pytest.raises(chaff.ChaffError, match="needs HTML"):
        list(hm.classify_pages([["Home", "News"]]))
    hm.close()


def test_bad_input_raises_with_the_library_message_and_location(tmp_path, model):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "a", "text": "Home\\nNews"}\n{"id": "b", "text": \n'
                   '{"id": "c", "text": "x"}\n')
    with pytest.raises(chaff.ChaffError) as e:
        list(chaff.read(str(bad)))
    assert e.value.where == "%s:2" % bad and e.value.kind == "parse"
    assert "invalid JSON" in e.value.message and str(e.value).startswith(str(bad) + ":2: ")
    with pytest.warns(UserWarning, match=":2: invalid JSON"):
        pages = list(chaff.read(str(bad), skip_bad=True))
    assert [p.id for p in pages] == ["a", "c"]
    with pytest.raises(chaff.ChaffError) as e:
        list(chaff.read(str(tmp_path / "missing.txt")))
    assert e.value.kind == "io" and "cannot open" in e.value.message
    # damaged gzip: the pages before the damage, then the error with its byte offset
    good = gzip.compress(b"Home\nNews\n\f\nMore\n")
    damaged = tmp_path / "damaged.txt.gz"
    damaged.write_bytes(good[:-12])
    got = []
    with pytest.raises(chaff.ChaffError) as e:
        for p in chaff.read(str(damaged)):
            got.append(p)
    assert "byte" in e.value.where and e.value.where.startswith(str(damaged))
    with pytest.raises(chaff.ChaffError) as e:
        chaff.Model(str(tmp_path / "missing.chaff"))
    assert e.value.kind == "io"
    with pytest.raises(ValueError):
        chaff.read(str(bad), format="pdf").__next__()
    with pytest.raises(TypeError):
        model.classify("one string")


def test_model_from_bytes(tmp_path, model):
    path = os.path.join(MODELS, "default.chaff")
    if not os.path.exists(path):
        assert CLI
        path = str(tmp_path / "small.chaff")
        subprocess.run([CLI, "train", "--model", path, "--hash-bits", "16",
                        os.path.join(DATA, "fixture_small.tsv")], check=True,
                       capture_output=True)
    with open(path, "rb") as f:
        data = f.read()
    from_file = chaff.Model(path)
    from_bytes = chaff.Model.from_bytes(data)
    assert from_bytes.labels == from_file.labels
    pages = [p for _, p in fixture_pages()]
    assert [from_bytes.classify(p) for p in pages] == [from_file.classify(p) for p in pages]
    assert list(from_bytes.classify_pages(pages)) == list(from_file.classify_pages(pages))
    with pytest.raises(chaff.ChaffError) as e:
        chaff.Model.from_bytes(data[: len(data) // 2], name="half.chaff")
    assert e.value.kind == "model" and "half.chaff" in str(e.value)
    with pytest.raises(chaff.ChaffError):
        chaff.Model.from_bytes(b"not a model at all")


def test_classify_from_many_threads(model):
    pages = [p for _, p in fixture_pages()]
    expected = [model.classify(p) for p in pages]
    errors = []

    def work():
        try:
            for _ in range(3):
                assert [model.classify(p) for p in pages] == expected
        except AssertionError as e:
            errors.append(e)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def _example(name):
    import importlib.util
    path = os.path.join(os.path.dirname(__file__), "..", "examples", name + ".py")
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_readme_jsonl_filter_keeps_the_content_paragraphs(tmp_path, jsonl_file, model):
    out = tmp_path / "clean.jsonl"
    _example("filter_jsonl").filter_jsonl(jsonl_file, str(out), threads=2, model=model)
    pages = list(chaff.read(jsonl_file))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert len(records) == len(pages)
    for page, record in zip(pages, records):
        assert record["id"] == page.id
        kept = [p for p, (label, _) in zip(page.paragraphs, model.classify(page.paragraphs))
                if label == "content"]
        assert record["text"] == "\n".join(kept)


def test_readme_datatrove_style_filter(model):
    class Document:  # datatrove's Document: text, id, metadata
        def __init__(self, text):
            self.text, self.id, self.metadata = text, "d", {}

    filt = _example("datatrove_filter").ChaffFilter(min_content_chars=20)
    pages = [p for _, p in fixture_pages()] + [["Home", "News", "Accept all cookies"]]
    docs = [Document("\n".join(p)) for p in pages]
    one = [filt.filter(d) for d in docs]
    batch_docs = [Document("\n".join(p)) for p in pages]
    assert filt.filter_batch(batch_docs) == one
    for doc, batch_doc, page in zip(docs, batch_docs, pages):
        labels = [label for label, _ in model.classify(page)]
        assert doc.metadata["chaff_labels"] == labels == batch_doc.metadata["chaff_labels"]
        assert doc.text == "\n".join(p for p, l in zip(page, labels) if l == "content")
    assert any(r is True for r in one) and (False, "chaff_too_little_content") in one


def test_classify_html_labels_as_the_cli_does_for_html_files(tmp_path):
    try:
        hm = chaff.Model(html=True)
    except chaff.ChaffError:
        pytest.skip("no built-in HTML model")
    path = os.path.join(DATA, "sample_page.html")
    with open(path, "rb") as f:
        html = f.read()
    pages = [chaff.HtmlPage("sample", html), chaff.HtmlPage("again", html.decode("utf-8")),
             chaff.HtmlPage("empty", b"")]
    got = list(hm.classify_html(pages, threads=2))
    assert [p.id for p in got] == ["sample", "again", "empty"]
    (read_page,) = chaff.read(path)
    assert got[0].paragraphs == read_page.paragraphs == got[1].paragraphs
    assert got[2].paragraphs == [] and got[2].results == []
    assert [label for label, _ in got[0].results] == cli_labels(path)
    assert got[1].results == got[0].results
    # the text model on the same paragraphs, as chaff classify --model does
    text = chaff.Model()
    (tp,) = text.classify_html([chaff.HtmlPage("sample", html)])
    assert [label for label, _ in tp.results] == \
        cli_labels("--model", os.path.join(MODELS, "default.chaff"), path)
    hm.close()


def test_a_model_is_not_closed_under_a_running_iterator():
    m = chaff.Model()
    it = m.classify_pages([["Home"], ["News"]])
    assert next(it) == m.classify(["Home"])
    with pytest.raises(RuntimeError, match="in use"):
        m.close()
    it.close()
    m.close()
    with pytest.raises(ValueError, match="closed"):
        m.classify(["Home"])
