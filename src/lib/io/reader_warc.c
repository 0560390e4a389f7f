/*
 * reader_warc.c - WARC 1.0/1.1 records (Common Crawl WET in particular). A record is a version
 * line "WARC/1.x", header lines "Name: value", an empty line, Content-Length bytes of block and
 * two CRLFs. Conversion records with a text block are pages: their paragraphs are the block's
 * non-blank lines, their id the WARC-Record-ID, their url the WARC-Target-URI. Other records are
 * counted and skipped, or handed out as passthrough records.
 *
 * A malformed header is reported with the byte offset of its record (in the decompressed
 * stream); the reader then resynchronises on the next line that starts with "WARC/". A record
 * whose block is larger than opt.max_record_bytes is skipped without being held in memory.
 */
#include "error.h"
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct warc_fields {
    const char *type, *uri, *id, *content_type;
    size_t type_len, uri_len, id_len, content_type_len;
    int have_length;
    uint64_t length;
};

static int starts_warc(const char *line, size_t len)
{
    return len >= 5 && memcmp(line, "WARC/", 5) == 0;
}

/* Reads lines until one starts a record and keeps it for the next call. */
static int resync(struct chaff_reader *r, struct chaff_error *err)
{
    struct chaff_error ignored;
    for (;;) {
        size_t len;
        int rc = chaff_reader_getline(r, &len, &ignored);
        if (rc == -2) {
            if (err != NULL)
                *err = ignored;
            return -2;
        }
        if (rc == 0)
            return 0;
        if (rc == 1 && starts_warc(r->line, len)) {
            r->have_line = 1;
            r->have_line_len = len;
            return 0;
        }
    }
}

/* Fills 'f' from the header lines in r->hdr, which end in CRLF. Returns 0, or -1 with a
 * description of the first bad line in 'why'. Pointers in 'f' point into r->hdr. */
static int parse_fields(struct chaff_reader *r, struct warc_fields *f, const char **why)
{
    memset(f, 0, sizeof(*f));
    const char *p = memchr(r->hdr, '\n', r->hdr_len) + 1; /* past the version line */
    const char *end = r->hdr + r->hdr_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = (size_t)(eol - p) - 1; /* without CR */
        if (n == 0)
            break;                         /* the empty line that ends the block */
        if (p[0] == ' ' || p[0] == '\t') { /* a continuation line of a value we ignore */
            p = eol + 1;
            continue;
        }
        const char *colon = memchr(p, ':', n);
        if (colon == NULL || colon == p) {
            *why = colon == NULL ? "header line without ':'" : "header line with an empty name";
            return -1;
        }
        for (const char *q = p; q < colon; q++)
            if ((unsigned char)*q <= ' ' || *q == 0x7f) {
                *why = "header name with a space or control character";
                return -1;
            }
        size_t name_len = (size_t)(colon - p);
        const char *v = colon + 1, *vend = p + n;
        while (v < vend && (*v == ' ' || *v == '\t'))
            v++;
        while (vend > v && (vend[-1] == ' ' || vend[-1] == '\t'))
            vend--;
        size_t vlen = (size_t)(vend - v);
#define IS(name) (name_len == sizeof(name) - 1 && strncasecmp(p, name, name_len) == 0)
        if (IS("WARC-Type")) {
            f->type = v;
            f->type_len = vlen;
        } else if (IS("WARC-Target-URI")) {
            f->uri = v;
            f->uri_len = vlen;
        } else if (IS("WARC-Record-ID")) {
            f->id = v;
            f->id_len = vlen;
        } else if (IS("Content-Type")) {
            f->content_type = v;
            f->content_type_len = vlen;
        } else if (IS("Content-Length")) {
            uint64_t x = 0;
            if (vlen == 0 || vlen > 19) {
                *why = "invalid Content-Length";
                return -1;
            }
            for (size_t i = 0; i < vlen; i++) {
                if (v[i] < '0' || v[i] > '9') {
                    *why = "invalid Content-Length";
                    return -1;
                }
                x = x * 10 + (uint64_t)(v[i] - '0');
            }
            f->have_length = 1;
            f->length = x;
        }
#undef IS
        p = eol + 1;
    }
    if (!f->have_length) {
        *why = "no Content-Length header";
        return -1;
    }
    return 0;
}

/* Reads the version line and the header lines of the next record into r->hdr (lines ending in
 * CRLF, the empty line included). Returns 1, 0 at the end of input, -1 for a malformed record
 * (reported, resynchronised), -2 when reading cannot go on. *offset_out is the record offset. */
static int read_header(struct chaff_reader *r, uint64_t *offset_out, struct chaff_error *err)
{
    size_t len;
    int rc;
    if (r->have_line) {
        r->have_line = 0;
        len = r->have_line_len;
    } else {
        do {
            rc = chaff_reader_getline(r, &len, err);
            if (rc == -2)
                return -2;
            if (rc == 0)
                return 0;
            if (rc == -1) {
                resync(r, NULL);
                return -1;
            }
        } while (chaff_is_blank(r->line, len));
    }
    uint64_t offset = r->offset;
    *offset_out = offset;
    if (!starts_warc(r->line, len)) {
        chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                              "expected a WARC record (\"WARC/1.0\" or \"WARC/1.1\")");
        return resync(r, err) == -2 ? -2 : -1;
    }
    r->hdr_len = 0;
    for (;;) {
        if (chaff_reader_hdr_append(r, r->line, len) != 0 ||
            chaff_reader_hdr_append(r, "\r\n", 2) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        if (len == 0)
            return 1;
        if (r->hdr_len > 1u << 20) {
            chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset, "WARC header longer than 1 MiB");
            return resync(r, err) == -2 ? -2 : -1;
        }
        rc = chaff_reader_getline(r, &len, err);
        if (rc == -2)
            return -2;
        if (rc == 0) {
            if (r->src_failed)
                return 0; /* the damage of the compressed stream is what gets reported */
            return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                                         "WARC header cut by the end of the input"),
                   -1;
        }
        if (rc == -1 || (len > 0 && starts_warc(r->line, len))) {
            chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                                  "WARC header not ended by an empty line");
            if (rc == 1) {
                r->have_line = 1;
                r->have_line_len = len;
                return -1;
            }
            return resync(r, err) == -2 ? -2 : -1;
        }
    }
}

int chaff_reader_warc_next(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err)
{
    for (;;) {
        uint64_t offset = 0;
        int rc = read_header(r, &offset, err);
        if (rc <= 0)
            return rc;
        struct warc_fields f;
        const char *why = NULL;
        if (parse_fields(r, &f, &why) != 0) {
            chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset, "malformed WARC header: %s",
                                  why);
            return resync(r, err) == -2 ? -2 : -1;
        }
        if (f.length > r->opt.max_record_bytes) {
            chaff_reader_skip(r, f.length);
            return chaff_reader_error_at(r, err, CHAFF_ERR_NOMEM, offset,
                                         "WARC record of %llu bytes exceeds the limit of %llu "
                                         "bytes (max record size)",
                                         (unsigned long long)f.length,
                                         (unsigned long long)r->opt.max_record_bytes),
                   -1;
        }
        const char *block;
        size_t got;
        rc = chaff_reader_take(r, (size_t)f.length, &block, &got, err);
        if (rc == -2)
            return -2;
        if (rc == 0) {
            if (r->src_failed)
                return 0;
            return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                                         "Content-Length %llu past the end of the input (%zu "
                                         "bytes left)",
                                         (unsigned long long)f.length, got),
                   -1;
        }
        int is_page = f.type != NULL && f.type_len == 10 &&
                      strncasecmp(f.type, "conversion", 10) == 0 &&
                      (f.content_type == NULL ||
                       (f.content_type_len >= 5 && strncasecmp(f.content_type, "text/", 5) == 0));
        page->raw = r->hdr;
        page->raw_len = r->hdr_len;
        page->payload = block;
        page->payload_len = got;
        page->offset = offset;
        if (!is_page) {
            r->stats.skipped++;
            if (!r->opt.passthrough)
                continue;
            page->passthrough = 1;
            page->id = "";
            page->url = "";
            return 1;
        }
        struct chaff_page_buf *pb = &r->page;
        chaff_page_buf_clear(pb);
        if (chaff_page_buf_set_id(pb, f.id != NULL ? f.id : "", f.id != NULL ? f.id_len : 0) != 0 ||
            chaff_reader_set_url(r, f.uri != NULL ? f.uri : "", f.uri != NULL ? f.uri_len : 0) !=
                0 ||
            chaff_reader_add_lines(r, block, got) != 0 || chaff_page_buf_finish(pb) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        page->id = pb->id;
        page->url = r->url;
        page->nparas = pb->n;
        page->paras = pb->paras;
        page->lens = pb->lens;
        return 1;
    }
}
