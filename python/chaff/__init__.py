"""chaff: label the paragraphs of web pages as content, consent or navigation.

A thin layer over libchaff (ctypes; nothing to compile):

    import chaff
    model = chaff.Model()                       # the built-in text model
    model.labels                                # ['content', 'consent', 'navigation']
    model.classify(["Home", "We use cookies.", "An article's paragraph ..."])
        # -> [('navigation', 0.97), ('consent', 0.99), ('content', 0.93)]
    for page, labels in zip(pages, model.classify_pages(pages, threads=4)):
        ...                                     # in input order, on the library's threads
    for page in chaff.read("crawl.warc.wet.gz"):    # any input chaff classify reads
        page.id, page.paragraphs
    html_model = chaff.Model(html=True)         # pages of HTML, with their structure
    for page in html_model.classify_html([chaff.HtmlPage("id", html_bytes)], threads=2):
        page.id, page.paragraphs, page.results

Text is str; invalid UTF-8 read from files comes back as surrogate escapes
(errors="surrogateescape") and goes to the library as the same bytes. The library's errors
raise ChaffError, with its message and location (file:line or file: byte N). The library
releases the GIL while it works (ctypes does so for every call).
"""
import collections
import ctypes
import threading
import warnings

from . import _lib

__all__ = ["ChaffError", "Model", "Page", "HtmlPage", "LabelledPage", "read", "FORMATS"]
__version__ = "0.1.0"

FORMATS = {"auto": 0, "text": 1, "jsonl": 2, "warc": 3, "html": 4}

_ERRORS = {1: "io", 2: "parse", 3: "nomem", 4: "model", 5: "usage"}
_USAGE = 5


class ChaffError(Exception):
    """An error of libchaff: 'message' says what, 'where' where ("pages.jsonl:3",
    "crawl.warc.gz: byte 81920", or ""), 'code' the library's status (its name in 'kind':
    io, parse, nomem, model, usage)."""

    def __init__(self, code, where, message):
        self.code = code
        self.kind = _ERRORS.get(code, "error")
        self.where = where
        self.message = message
        super().__init__("%s: %s" % (where, message) if where else message)


def _new_error():
    return ctypes.create_string_buffer(_lib.STRUCT_BYTES)


def _raise(err_buf, rc=None):
    e = _lib.Error.from_buffer(err_buf)
    message = e.msg.decode("utf-8", "replace")
    if not message:
        message = (_lib.strerror(e.code) or b"error").decode()
    raise ChaffError(e.code or rc, e.where.decode("utf-8", "replace"), message)


def _encode(text):
    return text.encode("utf-8", "surrogateescape")


def _decode(data):
    return data.decode("utf-8", "surrogateescape")


Page = collections.namedtuple("Page", ["id", "paragraphs"])
Page.__doc__ = "A page as chaff.read() yields it: its id and its paragraphs (str)."

HtmlPage = collections.namedtuple("HtmlPage", ["id", "html", "charset"], defaults=[None])
HtmlPage.__doc__ = """A page of HTML for Model.classify_html(): its id, its HTML (bytes, or str),
and the charset of its HTTP Content-Type header (or None)."""

LabelledPage = collections.namedtuple("LabelledPage", ["id", "paragraphs", "results"])
LabelledPage.__doc__ = """A page of HTML as Model.classify_html() yields it: its id, its
paragraphs as chaff's HTML reader made them, and their (label, confidence)."""


class Model:
    """A loaded model. Model() is the built-in text model, Model(html=True) the built-in HTML
    model, Model(path) a model file, Model(data=bytes) (or Model.from_bytes) a model file's
    bytes. A model may be shared by threads; classify() keeps one classifier per thread."""

    def __init__(self, path=None, html=False, data=None, name=None):
        self._ptr = None
        ptr = ctypes.c_void_p()
        err = _new_error()
        if data is not None:
            data = bytes(data)
            rc = _lib.model_load_buffer(data, len(data), _encode(name or "<bytes>"),
                                        ctypes.byref(ptr), err)
        elif path is not None:
            rc = _lib.model_load_file(_encode(str(path)), ctypes.byref(ptr), err)
        elif html:
            rc = _lib.model_load_default_html(ctypes.byref(ptr), err)
        else:
            rc = _lib.model_load_default(ctypes.byref(ptr), err)
        if rc != 0:
            _raise(err, rc)
        self._ptr = ptr.value
        n = _lib.model_nlabels(self._ptr)
        self.labels = [_decode(_lib.model_label_name(self._ptr, i)) for i in range(n)]
        self.needs_html = bool(_lib.model_needs_html(self._ptr))
        self._local = threading.local()
        self._pipelines = 0  # classify_pages() iterators running over the model
        self._classifiers = []
        self._lock = threading.Lock()

    @classmethod
    def from_bytes(cls, data, name="<bytes>"):
        """The model whose file holds 'data'."""
        return cls(data=data, name=name)

    def close(self):
        """Frees the model (also done when it is garbage collected). Iterators of
        classify_pages() and classify_html() over it must be finished or closed first."""
        if self._ptr is None:
            return
        if self._pipelines:
            raise RuntimeError("chaff: the model is in use by %d classify_pages() iterator(s); "
                               "finish or close them first" % self._pipelines)
        with self._lock:
            for cl in self._classifiers:
                _lib.classifier_free(cl)
            self._classifiers = []
        _lib.model_free(self._ptr)
        self._ptr = None

    def __del__(self):
        try:
            self.close()
        except Exception:
            pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def _check_open(self):
        if self._ptr is None:
            raise ValueError("chaff: the model is closed")

    def _classifier(self):
        cl = getattr(self._local, "cl", None)
        if cl is None:
            cl = _lib.classifier_create(self._ptr)
            if not cl:
                raise MemoryError("chaff: out of memory for a classifier")
            with self._lock:
                self._classifiers.append(cl)
            self._local.cl = cl
        return cl

    def classify(self, paragraphs):
        """Labels the paragraphs of one page (a sequence of str, in reading order): a list of
        (label, confidence), one per paragraph."""
        self._check_open()
        if isinstance(paragraphs, (str, bytes)):
            raise TypeError("chaff: a page is a sequence of paragraphs, not one string")
        data = [p if isinstance(p, bytes) else _encode(p) for p in paragraphs]
        n = len(data)
        if n == 0:
            return []
        paras = (ctypes.c_char_p * n)(*data)
        lens = (ctypes.c_size_t * n)(*map(len, data))
        out = (_lib.Result * n)()
        err = _new_error()
        rc = _lib.classify_page(self._classifier(), paras, lens, n, out, err)
        if rc != 0:
            _raise(err, rc)
        labels = self.labels
        return [(labels[r.label], r.confidence) for r in out]

    def classify_pages(self, pages, threads=None):
        """Labels many pages on the library's pipeline with 'threads' worker threads (default:
        1): an iterator over the pages' results (each a list of (label, confidence), as
        classify() gives), in input order, taking pages from 'pages' as it goes (memory stays
        bounded whatever their number). A page is a sequence of paragraphs (str), or a Page (or
        any object with .paragraphs and .id). The GIL is released while the library waits for
        its threads."""
        self._check_open()
        return _classify_pages(self, pages, threads)

    def classify_html(self, pages, threads=None):
        """Labels pages of HTML (HtmlPage, or any object with .html and .id; bytes or str) on
        the library's pipeline: its workers make each page's paragraphs as chaff's HTML reader
        does (and as chaff classify does for .html files and WARC responses) and label them,
        with their page structure when this is an HTML model (Model(html=True)). Yields a
        LabelledPage (id, paragraphs, results) per page, in input order."""
        self._check_open()
        return _classify_pages(self, pages, threads, html=True)


def _page_parts(page):
    paras = getattr(page, "paragraphs", None)
    if paras is not None:
        return getattr(page, "id", None), paras
    if isinstance(page, (str, bytes)):
        raise TypeError("chaff: a page is a sequence of paragraphs, not one string")
    return None, page


def _prepare(page):
    """The arguments of the push of one page: (id, joined bytes, count, paragraphs) for
    chaff_pipeline_push_split(), or (id, None, arrays, None) for a page whose paragraphs are
    bytes, pushed as a struct chaff_page (see _prepare_arrays)."""
    page_id, paras = _page_parts(page)
    if not isinstance(paras, (list, tuple)):
        paras = list(paras)
    pid = _encode(str(page_id)) if page_id is not None else None
    try:
        # The library checks that there are n - 1 separators: when a paragraph holds a NUL
        # byte the push fails with CHAFF_ERR_USAGE and the page goes by arrays instead.
        return pid, _encode("\0".join(paras)), len(paras), paras
    except TypeError:  # bytes among the paragraphs
        return _prepare_arrays(pid, paras)


def _prepare_arrays(pid, paras):
    n = len(paras)
    data = [p if isinstance(p, bytes) else _encode(p) for p in paras]
    page_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    cp = _lib.Page.from_buffer(page_buf)
    arr = (ctypes.c_char_p * max(n, 1))(*data)
    lens = (ctypes.c_size_t * max(n, 1))(*map(len, data))
    cp.id = pid
    cp.nparas = n
    cp.paras = ctypes.cast(arr, ctypes.POINTER(ctypes.c_void_p))
    cp.lens = ctypes.cast(lens, _lib.c_size_p)
    return pid, None, (page_buf, arr, lens, data), None


def _prepare_html(page):
    html = page.html.encode("utf-8", "surrogateescape") if isinstance(page.html, str) \
        else bytes(page.html)
    charset = getattr(page, "charset", None)
    page_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    cp = _lib.Page.from_buffer(page_buf)
    page_id = getattr(page, "id", None)
    cp.id = _encode(str(page_id)) if page_id is not None else None
    cp.html = ctypes.cast(ctypes.c_char_p(html), ctypes.c_void_p)
    cp.html_len = len(html)
    cp.charset = _encode(charset) if charset else None
    cp.is_html = 1
    return None, None, (page_buf, html, cp.id, cp.charset), None


def _push(pl, prepared, err):
    """Pushes one prepared page. Returns (1 when taken, 0 when the pipeline is full; the
    page as it is to be pushed again)."""
    pid, data, extra, paras = prepared
    if data is not None:
        rc = _lib.pipeline_push_split(pl, pid, data, len(data), b"\0", extra, err)
        if rc >= 0:
            return rc, prepared
        if _lib.Error.from_buffer(err).code != _USAGE:
            _raise(err, rc)
        prepared = _prepare_arrays(pid, paras)  # NUL bytes in paragraphs
    rc = _lib.pipeline_push(pl, prepared[2][0], err)
    if rc < 0:
        _raise(err, rc)
    return rc, prepared


def _classify_pages(model, pages, threads, html=False):
    # The generator's frame holds 'model' until the pipeline is closed: it outlives it.
    opt_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    _lib.pipeline_options_defaults(opt_buf)
    opt = _lib.PipelineOptions.from_buffer(opt_buf)
    opt.model = model._ptr
    opt.threads = int(threads) if threads else 1
    if opt.threads < 1:
        raise ValueError("chaff: threads must be at least 1")
    pl = ctypes.c_void_p()
    err = _new_error()
    if _lib.pipeline_create(opt_buf, ctypes.byref(pl), err) != 0:
        _raise(err)
    model._pipelines += 1
    item_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    item = _lib.PipelineItem.from_buffer(item_buf)
    labels = model.labels
    string_at = ctypes.string_at

    def take():
        rc = _lib.pipeline_next(pl, item_buf, err)
        if rc < 0:
            _raise(err, rc)
        if rc == 0:
            return None
        page = item.page.contents
        n = page.nparas
        results = []
        if n > 0:
            # struct chaff_result is {uint32_t label; float confidence;}: every other word
            view = memoryview(string_at(item.results, 8 * n))
            results = list(zip(map(labels.__getitem__, view.cast("I")[0::2]),
                               view.cast("f")[1::2]))
        if not html:
            return results
        return LabelledPage(_decode(page.id), _paragraphs(page), results)

    try:
        for page in pages:
            taken, prepared = _push(pl, _prepare_html(page) if html else _prepare(page), err)
            while not taken:
                yield take()
                taken, prepared = _push(pl, prepared, err)
        while True:
            res = take()
            if res is None:
                break
            yield res
    finally:
        _lib.pipeline_close(pl)
        model._pipelines -= 1


def _paragraphs(page):
    """The paragraphs of a struct chaff_page, as str."""
    n = page.nparas
    if n == 0:
        return []
    # the page's pointer and length arrays, read in one piece each
    addrs = (ctypes.c_void_p * n).from_address(ctypes.addressof(page.paras.contents))
    lens = (ctypes.c_size_t * n).from_address(ctypes.addressof(page.lens.contents))
    return [_decode(ctypes.string_at(a, l)) for a, l in zip(addrs, lens)]


def read(path, format="auto", skip_bad=False, max_record=None):
    """Yields the pages (Page: id, paragraphs) of 'path' ("-": standard input), read as
    chaff classify reads them: text, JSONL, WARC/WET, HTML (its paragraphs as chaff's HTML
    reader makes them), gzip or zstd compressed, the format sniffed unless 'format' says it.
    A malformed record raises ChaffError, or with skip_bad=True is skipped with a warning;
    damage that stops reading raises ChaffError after the pages before it."""
    if format not in FORMATS:
        raise ValueError("chaff: unknown format %r (one of %s)" % (format, ", ".join(FORMATS)))
    opt_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    _lib.reader_options_defaults(opt_buf)
    opt = _lib.ReaderOptions.from_buffer(opt_buf)
    opt.format = FORMATS[format]
    opt.skip_bad = 1 if skip_bad else 0
    if max_record is not None:
        opt.max_record_bytes = int(max_record)
    # A Page holds its paragraphs whole, as str: no paragraph held by its first bytes only
    # (the rest in a spill file) and no page handed out in parts.
    opt.hold_para_bytes = opt.max_record_bytes
    opt.part_paras = 1 << 62
    err = _new_error()
    reader = ctypes.c_void_p()
    if _lib.reader_open(_encode(str(path)), opt_buf, ctypes.byref(reader), err) != 0:
        _raise(err)
    page_buf = ctypes.create_string_buffer(_lib.STRUCT_BYTES)
    page = _lib.Page.from_buffer(page_buf)
    try:
        while True:
            rc = _lib.reader_next(reader, page_buf, err)
            if rc == 0:
                return
            if rc == -1:
                e = _lib.Error.from_buffer(err)
                warnings.warn("chaff: %s: %s" % (e.where.decode("utf-8", "replace"),
                                                  e.msg.decode("utf-8", "replace")))
                continue
            if rc < 0:
                _raise(err, rc)
            yield Page(_decode(page.id), _paragraphs(page))
    finally:
        _lib.reader_close(reader)
