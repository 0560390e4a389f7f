"""Loading libchaff and declaring the functions of chaff.h that the package calls (ctypes).

The structs the library fills or reads are mirrored here only as far as the fields used, and
the memory handed to the library for them is a zeroed buffer of STRUCT_BYTES, larger than any
of them: a library whose structs gained fields at their end still works with this module.
"""
import ctypes
import os
import subprocess

STRUCT_BYTES = 4096

c_size_p = ctypes.POINTER(ctypes.c_size_t)
c_char_pp = ctypes.POINTER(ctypes.c_char_p)


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("where", ctypes.c_char * 256),
                ("msg", ctypes.c_char * 256)]


class Result(ctypes.Structure):
    _fields_ = [("label", ctypes.c_uint32), ("confidence", ctypes.c_float)]


class Page(ctypes.Structure):
    """struct chaff_page, up to is_html."""
    _fields_ = [("id", ctypes.c_char_p), ("nparas", ctypes.c_size_t),
                ("paras", ctypes.POINTER(ctypes.c_void_p)), ("lens", c_size_p),
                ("index", ctypes.c_uint64), ("offset", ctypes.c_uint64),
                ("url", ctypes.c_char_p), ("raw", ctypes.c_void_p), ("raw_len", ctypes.c_size_t),
                ("payload", ctypes.c_void_p), ("payload_len", ctypes.c_size_t),
                ("passthrough", ctypes.c_int), ("lineno", ctypes.c_uint64),
                ("fields", ctypes.c_char_p), ("structure", ctypes.c_void_p),
                ("html", ctypes.c_void_p), ("html_len", ctypes.c_size_t),
                ("charset", ctypes.c_char_p), ("is_html", ctypes.c_int)]


class ReaderOptions(ctypes.Structure):
    """struct chaff_reader_options, its first fields."""
    _fields_ = [("format", ctypes.c_int), ("skip_bad", ctypes.c_int),
                ("passthrough", ctypes.c_int), ("max_record_bytes", ctypes.c_uint64),
                ("defer_html", ctypes.c_int), ("hold_para_bytes", ctypes.c_uint64),
                ("max_html_elements", ctypes.c_uint64), ("part_paras", ctypes.c_uint64)]


class PipelineOptions(ctypes.Structure):
    """struct chaff_pipeline_options, its first fields."""
    _fields_ = [("model", ctypes.c_void_p), ("html_model", ctypes.c_void_p),
                ("threads", ctypes.c_uint)]


class PipelineItem(ctypes.Structure):
    """struct chaff_pipeline_item, its first fields."""
    _fields_ = [("page", ctypes.POINTER(Page)), ("results", ctypes.c_void_p),
                ("model", ctypes.c_void_p)]


def _candidates():
    env = os.environ.get("CHAFF_LIBRARY")
    if env:
        return [env]
    names = ["libchaff.so.0", "libchaff.so"]
    try:
        libdir = subprocess.run(["pkg-config", "--variable=libdir", "chaff"],
                                capture_output=True, text=True, timeout=10).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        libdir = ""
    if libdir:
        names += [os.path.join(libdir, n) for n in ("libchaff.so.0", "libchaff.so")]
    names += ["/usr/local/lib/libchaff.so.0"]
    return names


def _load():
    tried = []
    for name in _candidates():
        try:
            return ctypes.CDLL(name)
        except OSError as e:
            tried.append("%s (%s)" % (name, e))
    raise ImportError("chaff: cannot load libchaff: tried " + "; ".join(tried) +
                      ". Install it (cmake --install build) or set CHAFF_LIBRARY to the path "
                      "of libchaff.so")


lib = _load()


def _fn(name, restype, *argtypes):
    f = getattr(lib, name)
    f.restype = restype
    f.argtypes = list(argtypes)
    return f


vp = ctypes.c_void_p
vpp = ctypes.POINTER(ctypes.c_void_p)
c_int = ctypes.c_int
c_size = ctypes.c_size_t

strerror = _fn("chaff_strerror", ctypes.c_char_p, c_int)
model_load_file = _fn("chaff_model_load_file", c_int, ctypes.c_char_p, vpp, vp)
model_load_buffer = _fn("chaff_model_load_buffer", c_int, ctypes.c_char_p, c_size,
                        ctypes.c_char_p, vpp, vp)
model_load_default = _fn("chaff_model_load_default", c_int, vpp, vp)
model_load_default_html = _fn("chaff_model_load_default_html", c_int, vpp, vp)
model_free = _fn("chaff_model_free", None, vp)
model_nlabels = _fn("chaff_model_nlabels", c_size, vp)
model_label_name = _fn("chaff_model_label_name", ctypes.c_char_p, vp, c_size)
model_needs_html = _fn("chaff_model_needs_html", c_int, vp)
classifier_create = _fn("chaff_classifier_create", vp, vp)
classifier_free = _fn("chaff_classifier_free", None, vp)
classify_page = _fn("chaff_classify_page", c_int, vp, vp, vp, c_size, vp, vp)
reader_options_defaults = _fn("chaff_reader_options_defaults", None, vp)
reader_open = _fn("chaff_reader_open", c_int, ctypes.c_char_p, vp, vpp, vp)
reader_next = _fn("chaff_reader_next", c_int, vp, vp, vp)
reader_close = _fn("chaff_reader_close", None, vp)
pipeline_options_defaults = _fn("chaff_pipeline_options_defaults", None, vp)
pipeline_create = _fn("chaff_pipeline_create", c_int, vp, vpp, vp)
pipeline_open_files = _fn("chaff_pipeline_open_files", c_int, vp, vp, c_size, vpp, vp)
pipeline_push_split = _fn("chaff_pipeline_push_split", c_int, vp, ctypes.c_char_p,
                          ctypes.c_char_p, c_size, ctypes.c_char, c_size, vp)
pipeline_push = _fn("chaff_pipeline_push", c_int, vp, vp, vp)
pipeline_next = _fn("chaff_pipeline_next", c_int, vp, vp, vp)
pipeline_close = _fn("chaff_pipeline_close", None, vp)
