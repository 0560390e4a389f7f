/*
 * reader_warc.c - WARC 1.0/1.1 records (Common Crawl WET and WARC, wget, Heritrix,
 * Webrecorder). A record is a version line "WARC/1.x", header lines "Name: value" (CRLF or LF,
 * any order, continuation lines), an empty line, Content-Length bytes of block and two CRLFs.
 * Pages are: conversion records with a text block (paragraphs: the block's non-blank lines);
 * response records holding a 2xx HTTP response of HTML (text/html, application/xhtml+xml, or
 * sniffed when the Content-Type is missing), their body dechunked and decoded (http.c); and
 * resource records of text/html, whose block is the HTML. HTML is made into paragraphs by the
 * HTML reader, here or by the caller (opt.defer_html). A page's id is its WARC-Page-ID, else its
 * WARC-Record-ID; its url the WARC-Target-URI. Other records (warcinfo, request, revisit,
 * metadata, other responses) are counted and skipped, or handed out as passthrough records.
 *
 * A malformed header is reported with the byte offset of its record (in the decompressed
 * stream); the reader then resynchronises on the next line that starts with "WARC/". A record
 * whose block is larger than opt.max_record_bytes is skipped without being held in memory, and
 * so is an HTML record larger than opt.max_parsed_bytes and a record that is no page (unless
 * passed through). A conversion record is read line by line as it streams by, its long lines
 * spilled and a long page handed out in parts (reader.h); only HTML is held whole. A
 * response whose HTTP head or body coding is damaged is reported the same way; reading goes on
 * with the next record.
 */
#include "error.h"
#include "grow.h"
#include "http.h"
#include "reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

struct warc_fields {
    const char *type, *uri, *id, *content_type, *page_id;
    size_t type_len, uri_len, id_len, content_type_len, page_id_len;
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
        } else if (IS("WARC-Page-ID")) {
            f->page_id = v;
            f->page_id_len = vlen;
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

enum record_kind {
    KIND_OTHER = 0, /* no page: skipped or passed through */
    KIND_TEXT,      /* a conversion record of text: its lines are paragraphs */
    KIND_RESPONSE,  /* a response record of HTTP: a page when it is a 2xx of HTML */
    KIND_RESOURCE,  /* a resource record of text/html: the block is the HTML */
};

static int type_is(const struct warc_fields *f, const char *type)
{
    return f->type != NULL && f->type_len == strlen(type) &&
           strncasecmp(f->type, type, f->type_len) == 0;
}

static int content_type_starts(const struct warc_fields *f, const char *prefix)
{
    size_t n = strlen(prefix);
    return f->content_type != NULL && f->content_type_len >= n &&
           strncasecmp(f->content_type, prefix, n) == 0;
}

static enum record_kind record_kind(const struct warc_fields *f)
{
    if (type_is(f, "conversion"))
        return f->content_type == NULL || content_type_starts(f, "text/") ? KIND_TEXT
                                                                           : KIND_OTHER;
    if (type_is(f, "response")) /* HTTP (application/http); not DNS (text/dns) and the like */
        return f->content_type == NULL || content_type_starts(f, "application/http")
                   ? KIND_RESPONSE
                   : KIND_OTHER;
    if (type_is(f, "resource"))
        return f->content_type != NULL &&
                       chaff_http_is_html_type(f->content_type, f->content_type_len)
                   ? KIND_RESOURCE
                   : KIND_OTHER;
    return KIND_OTHER;
}

/* The HTML of the response record 'block' ('len' bytes, at 'offset'): its HTTP head parsed, the
 * body dechunked and decoded into r->body. Returns 1 with *html_out, *len_out and *charset_out
 * (NULL or r->charset) set for a 2xx response of HTML, 0 for a response that is no page (other
 * status, other media type, a coding chaff cannot decode), -1 with 'err' filled for a malformed
 * one, -2 when out of memory. */
static int http_body(struct chaff_reader *r, const char *block, size_t len, uint64_t offset,
                     const char **html_out, size_t *len_out, const char **charset_out,
                     struct chaff_error *err)
{
    struct chaff_http_head h;
    const char *why = NULL;
    char msg[200];
    if (chaff_http_parse_head(block, len, &h, &why) != 0)
        return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset, "response record: %s",
                                     why),
               -1;
    if (h.status < 200 || h.status > 299 || h.unsupported != NULL)
        return 0;
    if (h.content_type != NULL && !chaff_http_is_html_type(h.content_type, h.content_type_len))
        return 0; /* decode only what may be a page */
    const char *body = block + h.head_len;
    size_t n = len - h.head_len;
    int cur = 0; /* r->body[cur] is free to decode into */
    int raw = 0; /* a coding of the head does not fit the body: read as stored */
    if (h.chunked && !chaff_http_looks_coded(CHAFF_HTTP_IDENTITY, body, n)) {
        h.chunked = 0;
        raw = 1;
    }
    if (h.chunked) {
        if (chaff_grow((void **)&r->body[cur], &r->body_cap[cur], n + 1, 1) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        int64_t k = chaff_http_dechunk(body, n, r->body[cur], msg, sizeof(msg));
        if (k < 0)
            return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset, "response record: %s",
                                         msg),
                   -1;
        body = r->body[cur];
        n = (size_t)k;
        cur ^= 1;
    }
    for (size_t c = h.ncodings; c-- > 0;) {
        if (!chaff_http_looks_coded(h.codings[c], body, n)) {
            raw = 1;
            break;
        }
        int64_t k = chaff_http_decode(h.codings[c], body, n, &r->body[cur], &r->body_cap[cur],
                                      r->opt.max_parsed_bytes < r->opt.max_record_bytes
                                          ? r->opt.max_parsed_bytes
                                          : r->opt.max_record_bytes,
                                      msg, sizeof(msg));
        if (k == -2)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        if (k < 0)
            return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset, "response record: %s",
                                         msg),
                   -1;
        body = r->body[cur];
        n = (size_t)k;
        cur ^= 1;
    }
    if (h.content_type == NULL && !chaff_http_sniff_html(body, n))
        return 0;
    r->stats.raw_bodies += raw;
    *charset_out = NULL;
    if (h.content_type != NULL &&
        chaff_http_charset(h.content_type, h.content_type_len, r->charset, sizeof(r->charset)) > 0)
        *charset_out = r->charset;
    *html_out = body;
    *len_out = n;
    return 1;
}

/* Reads the block of the conversion record at hand (r->part_offset, ending at decompressed
 * offset r->block_end) line by line into r->page, a line longer than opt.hold_para_bytes into
 * the page's spill, and hands it out as 'page' (header and id from the record, r->hdr and
 * r->page.id) or as its next part when it is full. Returns 1, -1 when the input ends before the
 * block does (reported), 0 when that is due to damage of the compressed stream, -2 when reading
 * cannot go on. */
static int text_page(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err)
{
    struct chaff_page_buf *pb = &r->page;
    pb->arena_len = 0; /* the id stays */
    pb->n = 0;
    chaff_reader_page_start(r);
    const uint64_t line_limit = r->line_limit;
    r->stop_at = r->block_end;
    r->line_limit = r->opt.max_record_bytes;
    int rc, more = 0;
    size_t len;
    while ((rc = chaff_reader_getline_spill(r, pb->n, &len, err)) == 1) {
        if (r->line_spilled ? r->line_blank : chaff_is_blank(r->line, len)) {
            if (r->line_spilled)
                chaff_reader_unspill(r);
            continue;
        }
        if (chaff_page_buf_add(pb, r->line, len) != 0) {
            chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory");
            rc = -2;
            break;
        }
        if (chaff_reader_part_full(r)) {
            more = r->next_offset < r->block_end;
            break;
        }
    }
    r->stop_at = UINT64_MAX;
    r->line_limit = line_limit;
    if (rc < 0)
        return -2;
    if (!more && r->next_offset != r->block_end) {
        r->part_more = 0;
        if (r->src_failed)
            return 0;
        return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, r->part_offset,
                                     "Content-Length %llu past the end of the input (%llu "
                                     "bytes left)",
                                     (unsigned long long)r->part_len,
                                     (unsigned long long)(r->next_offset - r->block_start)),
               -1;
    }
    if (chaff_page_buf_finish(pb) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    page->raw = r->hdr;
    page->raw_len = r->hdr_len;
    page->payload_len = (size_t)r->part_len;
    page->offset = r->part_offset;
    page->id = pb->id;
    page->url = r->url;
    page->nparas = pb->n;
    page->paras = pb->paras;
    page->lens = pb->lens;
    chaff_reader_part_done(r, page, more);
    if (chaff_reader_page_spill(r, page) != 0)
        return chaff_reader_spill_error(r, err), -2;
    return 1;
}

/* 1 when 'f' is a record of crawled content (clean output leaves those out). */
static int crawl_record(const struct warc_fields *f)
{
    return type_is(f, "request") || type_is(f, "response") || type_is(f, "resource") ||
           type_is(f, "revisit") || type_is(f, "metadata");
}

/* A record larger than opt.max_parsed_bytes (header fields 'f', of kind 'kind', at 'offset'),
 * too big to hold: it is skipped unread (but for a response's first 64 KiB). A response is looked at by its HTTP head first: one
 * that is no HTML page (an image, a video, a PDF) is skipped like any record that is no page,
 * even when records are passed through (clean output leaves crawled content out). Returns 0
 * when it was skipped so (or the input ended inside it with damage, reported later), -1 with 'err' filled when a page (or a record to pass through) was
 * lost to the limit or the input ends inside it, -2 when reading cannot go on. */
static int too_big(struct chaff_reader *r, const struct warc_fields *f, int kind,
                   uint64_t offset, struct chaff_error *err)
{
    int page = kind == KIND_RESOURCE;
    uint64_t done = 0;
    if (kind == KIND_RESPONSE) {
        const char *head;
        size_t got;
        size_t want = f->length < (1u << 16) ? (size_t)f->length : (size_t)1 << 16;
        int rc = chaff_reader_take(r, want, &head, &got, err);
        if (rc == -2)
            return -2;
        done = got;
        struct chaff_http_head h;
        const char *why = NULL;
        page = chaff_http_parse_head(head, got, &h, &why) == 0 && h.status >= 200 &&
               h.status <= 299 && h.unsupported == NULL &&
               (h.content_type == NULL ||
                chaff_http_is_html_type(h.content_type, h.content_type_len));
    }
    done += chaff_reader_skip(r, f->length - done);
    if (done < f->length) {
        if (r->src_failed)
            return 0; /* the damage of the compressed stream is what gets reported */
        return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                                     "Content-Length %llu past the end of the input (%llu "
                                     "bytes left)",
                                     (unsigned long long)f->length, (unsigned long long)done),
               -1;
    }
    if (page || (r->opt.passthrough && !crawl_record(f))) {
        r->stats.cut++;
        return chaff_reader_error_at(r, err, CHAFF_ERR_NOMEM, offset,
                                     "%s %.*s: %s of %llu bytes exceeds the limit of %llu bytes "
                                     "(--max-parsed); skipped",
                                     page ? "page" : "record",
                                     (int)(f->id_len < 200 ? f->id_len : 200),
                                     f->id != NULL ? f->id : "",
                                     page ? "HTML record" : "record",
                                     (unsigned long long)f->length,
                                     (unsigned long long)r->opt.max_parsed_bytes),
               -1;
    }
    r->stats.skipped++;
    return 0;
}

int chaff_reader_warc_next(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err)
{
    if (r->part_more) /* the next part of a conversion record */
        return text_page(r, page, err);
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
            r->stats.cut++;
            return chaff_reader_error_at(r, err, CHAFF_ERR_NOMEM, offset,
                                         "WARC record of %llu bytes exceeds the limit of %llu "
                                         "bytes (--max-record); skipped",
                                         (unsigned long long)f.length,
                                         (unsigned long long)r->opt.max_record_bytes),
                   -1;
        }
        int kind = record_kind(&f);
        if (kind == KIND_TEXT) {
            /* Read as it streams by, line by line (an over-long line goes to the spill). */
            struct chaff_page_buf *pb = &r->page;
            const char *id = f.page_id != NULL && f.page_id_len > 0 ? f.page_id : f.id;
            size_t id_len = id == f.id ? f.id_len : f.page_id_len;
            if (chaff_page_buf_set_id(pb, id != NULL ? id : "", id != NULL ? id_len : 0) != 0 ||
                chaff_reader_set_url(r, f.uri != NULL ? f.uri : "",
                                     f.uri != NULL ? f.uri_len : 0) != 0)
                return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
            r->part_more = 0;
            r->part_offset = offset;
            r->part_len = f.length;
            r->block_start = r->next_offset;
            r->block_end = r->next_offset + f.length;
            return text_page(r, page, err);
        }
        if (kind == KIND_OTHER && !r->opt.passthrough) {
            /* A record that is no page is skipped unread. */
            uint64_t done = chaff_reader_skip(r, f.length);
            if (done < f.length) {
                if (r->src_failed)
                    return 0;
                return chaff_reader_error_at(r, err, CHAFF_ERR_PARSE, offset,
                                             "Content-Length %llu past the end of the input "
                                             "(%llu bytes left)",
                                             (unsigned long long)f.length,
                                             (unsigned long long)done),
                       -1;
            }
            r->stats.skipped++;
            continue;
        }
        if (f.length > r->opt.max_parsed_bytes) {
            rc = too_big(r, &f, kind, offset, err);
            if (rc == 0)
                continue;
            return rc;
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
        page->raw = r->hdr;
        page->raw_len = r->hdr_len;
        page->payload = block;
        page->payload_len = got;
        page->offset = offset;
        const char *html = NULL;
        size_t html_len = 0;
        const char *charset = NULL;
        if (kind == KIND_RESPONSE) {
            rc = http_body(r, block, got, offset, &html, &html_len, &charset, err);
            if (rc < 0)
                return rc;
            if (rc == 0)
                kind = KIND_OTHER;
        } else if (kind == KIND_RESOURCE) {
            html = block;
            html_len = got;
            if (chaff_http_charset(f.content_type, f.content_type_len, r->charset,
                                   sizeof(r->charset)) > 0)
                charset = r->charset;
        }
        if (kind == KIND_OTHER) {
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
        const char *id = f.page_id != NULL && f.page_id_len > 0 ? f.page_id : f.id;
        size_t id_len = id == f.id ? f.id_len : f.page_id_len;
        if (chaff_page_buf_set_id(pb, id != NULL ? id : "", id != NULL ? id_len : 0) != 0 ||
            chaff_reader_set_url(r, f.uri != NULL ? f.uri : "", f.uri != NULL ? f.uri_len : 0) !=
                0 ||
            chaff_page_buf_finish(pb) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        page->id = pb->id;
        page->url = r->url;
        return chaff_reader_html_page(r, page, html, html_len, charset, err);
    }
}
