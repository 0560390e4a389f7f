#!/usr/bin/env python3
"""Generate realistic-looking archives for chaff classify, and check its outputs against them.

  make_arch.py make --format wet|jsonl|text [--pages N] [--bytes N] [--source TSV] [--seed S]
               [--gzip] OUT EXPECTED
      Writes an archive to OUT (WET: one gzip member per record with --gzip; a warcinfo record
      first and a metadata record now and then) and the paragraphs of every page, in order, to
      EXPECTED (JSON: [[page_id, [para, ...]], ...]). Pages are made of the paragraphs of the
      pages of SOURCE (labelled TSV page_id, lang, label, text), with blank lines, CRLF line ends,
      tabs and backslashes mixed in. --bytes stops after about N bytes of page text.

  make_arch.py check EXPECTED TSV [KEPT REMOVED [FORMAT]]
      TSV is `chaff classify -o tsv` output (5 columns). Checks one row per input paragraph in
      order. KEPT and REMOVED are `-o clean` outputs with complementary --keep lists; checks that
      per page they hold exactly the kept and the removed paragraphs (FORMAT wet: WARC records,
      gzip or not, with correct Content-Length; else one paragraph per line).

Standard library only.
"""
import gzip
import json
import random
import sys
import uuid
import zlib


def read_source(path):
    pages, order = {}, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 4:
                continue
            pid, text = parts[0], parts[3]
            text = text.replace("\\t", "\t").replace("\\n", " ").replace("\\r", " ")
            text = text.replace("\\\\", "\\")
            if pid not in pages:
                pages[pid] = []
                order.append(pid)
            pages[pid].append(text)
    return [pages[p] for p in order]


def warc_record(headers, body):
    head = "WARC/1.0\r\n" + "".join("%s: %s\r\n" % kv for kv in headers)
    head += "Content-Length: %d\r\n\r\n" % len(body)
    return head.encode() + body + b"\r\n\r\n"


def paragraphs_of(text):
    out = []
    for line in text.split("\n"):
        if line.endswith("\r"):
            line = line[:-1]
        if line.strip(" \t\r\v\f") != "":
            out.append(line)
    return out


def make(args):
    fmt, pages_wanted, max_bytes, source, seed, use_gzip = "wet", 50, 0, None, 1, False
    rest = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--format":
            fmt = args[i + 1]; i += 2
        elif a == "--pages":
            pages_wanted = int(args[i + 1]); i += 2
        elif a == "--bytes":
            max_bytes = int(args[i + 1]); pages_wanted = 1 << 62; i += 2
        elif a == "--source":
            source = args[i + 1]; i += 2
        elif a == "--seed":
            seed = int(args[i + 1]); i += 2
        elif a == "--gzip":
            use_gzip = True; i += 1
        else:
            rest.append(a); i += 1
    out_path, expected_path = rest
    rng = random.Random(seed)
    src = read_source(source)
    out = open(out_path, "wb")
    expected = []

    def emit(data):
        out.write(gzip.compress(data, 6) if use_gzip else data)

    if fmt == "wet":
        emit(warc_record([("WARC-Type", "warcinfo"), ("WARC-Date", "2024-01-01T00:00:00Z"),
                          ("WARC-Record-ID", "<urn:uuid:%s>" % uuid.UUID(int=rng.getrandbits(128))),
                          ("Content-Type", "application/warc-fields")],
                         b"software: make_arch.py\r\nformat: WARC File Format 1.0\r\n"))
    total = 0
    k = 0
    while k < pages_wanted and (max_bytes == 0 or total < max_bytes):
        paras = list(src[rng.randrange(len(src))])
        if rng.random() < 0.5:
            paras = paras[: rng.randint(1, len(paras))]
        paras.insert(0, "Page %d of the archive" % k)
        lines = []
        for p in paras:
            lines.append(p + ("\r" if rng.random() < 0.05 else ""))
            if rng.random() < 0.1:
                lines.append(rng.choice(["", "  ", "\t"]))
        if k % 17 == 5:
            lines.append("tab\tinside and back\\slash")
        if k % 29 == 3:
            lines = []  # an empty page
        text = "\n".join(lines)
        page_id = "<urn:uuid:%s>" % uuid.UUID(int=rng.getrandbits(128))
        url = "https://example%d.org/page/%d" % (k % 97, k)
        if fmt == "wet":
            emit(warc_record([("WARC-Type", "conversion"), ("WARC-Target-URI", url),
                              ("WARC-Date", "2024-01-01T00:00:00Z"), ("WARC-Record-ID", page_id),
                              ("WARC-Refers-To", "<urn:uuid:0>"),
                              ("WARC-Block-Digest", "sha1:AAAA"),
                              ("Content-Type", "text/plain")], text.encode()))
            if k % 23 == 7:
                emit(warc_record([("WARC-Type", "metadata"), ("WARC-Record-ID", "<urn:uuid:m%d>" % k),
                                  ("Content-Type", "application/warc-fields")], b"x: y\r\n"))
        elif fmt == "jsonl":
            page_id = "doc-%d" % k
            obj = {"id": page_id, "url": url, "text": text, "lang": "xx", "n": k}
            emit((json.dumps(obj, ensure_ascii=(k % 2 == 0)) + "\n").encode())
        else:
            if k > 0:
                emit(b"\f\n")
            emit((text + "\n").encode())
            page_id = out_path if k == 0 else "%s#%d" % (out_path, k)
        if expected_path != "/dev/null":  # benchmarks: do not hold a GB of text
            expected.append([page_id, paragraphs_of(text)])
        total += len(text)
        k += 1
    out.close()
    with open(expected_path, "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False)
    return 0


def unescape(s):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append({"t": "\t", "n": "\n", "r": "\r", "\\": "\\"}[s[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def gzip_members(data):
    """Splits gzip data into the decompressed contents of its members."""
    out = []
    while data:
        d = zlib.decompressobj(16 + 15)
        out.append(d.decompress(data) + d.flush())
        if not d.eof:
            fail("truncated gzip member")
        data = d.unused_data
    return out


def read_warc(data):
    """Returns [(type, headers dict, payload bytes)] and fails on a bad Content-Length. Gzip
    input must hold one member per record."""
    members = None
    if data[:2] == b"\x1f\x8b":
        members = gzip_members(data)
        data = b"".join(members)
    recs, pos = [], 0
    while pos < len(data):
        if data[pos:pos + 2] == b"\r\n":
            pos += 2
            continue
        end = data.index(b"\r\n\r\n", pos)
        lines = data[pos:end].decode().split("\r\n")
        assert lines[0].startswith("WARC/1."), "bad version line at %d" % pos
        hdr = dict(l.split(": ", 1) for l in lines[1:])
        n = int(hdr["Content-Length"])
        payload = data[end + 4:end + 4 + n]
        assert len(payload) == n, "Content-Length past the end"
        assert data[end + 4 + n:end + 8 + n] == b"\r\n\r\n", "record not ended by CRLF CRLF"
        recs.append((hdr.get("WARC-Type"), hdr, payload))
        pos = end + 8 + n
    if members is not None and len(members) != len(recs):
        fail("%d gzip members for %d records" % (len(members), len(recs)))
    return recs


def fail(msg):
    print("check failed: " + msg, file=sys.stderr)
    sys.exit(1)


def check(args):
    expected = json.load(open(args[0], encoding="utf-8"))
    rows = open(args[1], "rb").read().decode("utf-8", "surrogateescape").split("\n")
    assert rows[-1] == ""
    rows = [r.split("\t") for r in rows[:-1]]
    labels = []
    r = 0
    for pid, paras in expected:
        page_labels = []
        for i, p in enumerate(paras):
            if r >= len(rows):
                fail("output ends before page %s paragraph %d" % (pid, i))
            row = rows[r]
            if len(row) != 5 or unescape(row[0]) != pid or row[1] != str(i) or unescape(row[4]) != p:
                fail("row %d is %r, expected page %s paragraph %d %r" % (r + 1, row, pid, i, p))
            page_labels.append(row[2])
            r += 1
        labels.append(page_labels)
    if r != len(rows):
        fail("%d rows more than input paragraphs" % (len(rows) - r))
    if len(args) < 4:
        return 0
    fmt = args[4] if len(args) > 4 else "text"
    kept_labels = None
    for path, want_kept in ((args[2], True), (args[3], False)):
        data = open(path, "rb").read()
        if fmt == "wet":
            recs = read_warc(data)
            pages = [rec for rec in recs if rec[0] == "conversion"]
            if len(pages) != len(expected):
                fail("%s: %d conversion records, expected %d" % (path, len(pages), len(expected)))
            if recs[0][0] != "warcinfo":
                fail("%s: warcinfo record not passed through" % path)
            got = [paragraphs_of(p[2].decode("utf-8", "surrogateescape")) for p in pages]
            for (pid, _), rec in zip(expected, pages):
                if rec[1]["WARC-Record-ID"] != pid:
                    fail("%s: record order differs at %s" % (path, pid))
        else:
            lines = data.decode("utf-8", "surrogateescape").split("\n")[:-1]
            got, pos = [], 0
            for (pid, paras), page_labels in zip(expected, labels):
                n = sum(1 for lab in page_labels if (lab == "content") == want_kept) \
                    if kept_labels is None else 0
                got.append(lines[pos:pos + n])
                pos += n
            if pos != len(lines):
                fail("%s: %d lines more than expected" % (path, len(lines) - pos))
        for (pid, paras), page_labels, g in zip(expected, labels, got):
            want = [p for p, lab in zip(paras, page_labels) if (lab == "content") == want_kept]
            if g != want:
                fail("%s: page %s holds %r, expected %r" % (path, pid, g[:3], want[:3]))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("make", "check"):
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    sys.exit(make(sys.argv[2:]) if sys.argv[1] == "make" else check(sys.argv[2:]))
