/*
 * writer_spill.c - writing pages that have paragraphs in a spill (spill.h): their text is
 * streamed from the temporary file in chunks, escaped for TSV or JSON on the way, or
 * compressed with zlib as one gzip member for clean WARC output, so that a paragraph of
 * gigabytes is written whole without being held in memory.
 */
#include "normalize.h"
#include "spill.h"
#include "tsv.h"

#include <string.h>
#include <zlib.h>

/* ------------------------------------------------------------------ output, raw or gzip */

struct stream {
    FILE *out;
    int gzip;
    z_stream z;
    unsigned char zbuf[1 << 15];
};

static int stream_drain(struct stream *s, int flush)
{
    do {
        s->z.next_out = s->zbuf;
        s->z.avail_out = sizeof(s->zbuf);
        int rc = deflate(&s->z, flush);
        if (rc == Z_STREAM_ERROR)
            return -1;
        size_t n = sizeof(s->zbuf) - s->z.avail_out;
        if (n > 0 && fwrite(s->zbuf, 1, n, s->out) != n)
            return -1;
        if (flush == Z_FINISH && rc == Z_STREAM_END)
            return 0;
    } while (s->z.avail_out == 0 || flush == Z_FINISH);
    return 0;
}

static int stream_put(void *ctx, const char *data, size_t len)
{
    struct stream *s = ctx;
    if (!s->gzip)
        return len > 0 && fwrite(data, 1, len, s->out) != len ? -1 : 0;
    while (len > 0) {
        uInt step = len > (1u << 30) ? 1u << 30 : (uInt)len;
        s->z.next_in = (Bytef *)(uintptr_t)data;
        s->z.avail_in = step;
        if (stream_drain(s, Z_NO_FLUSH) != 0)
            return -1;
        data += step;
        len -= step;
    }
    return 0;
}

/* ------------------------------------------------------------------ TSV and raw */

static int put_escaped(void *ctx, const char *data, size_t len)
{
    FILE *out = ctx;
    char buf[8192];
    while (len > 0) {
        size_t step = len < sizeof(buf) / 2 ? len : sizeof(buf) / 2;
        size_t n = chaff_tsv_escape(buf, data, step);
        if (fwrite(buf, 1, n, out) != n)
            return -1;
        data += step;
        len -= step;
    }
    return 0;
}

static int put_raw(void *ctx, const char *data, size_t len)
{
    return len > 0 && fwrite(data, 1, len, (FILE *)ctx) != len ? -1 : 0;
}

/* Calls 'sink' on the whole text of paragraph 'i'. */
static int para_text(const struct chaff_page *page, size_t i,
                     int (*sink)(void *ctx, const char *data, size_t len), void *ctx)
{
    uint64_t len;
    if (page->spill != NULL && chaff_spill_find(page->spill, i, &len))
        return chaff_spill_copy(page->spill, i, sink, ctx);
    return sink(ctx, page->paras[i], page->lens[i]);
}

int chaff_write_para(FILE *out, const struct chaff_page *page, size_t i, int escape)
{
    return para_text(page, i, escape ? put_escaped : put_raw, out) != 0 ? -1 : 0;
}

/* ------------------------------------------------------------------ JSON */

/* A JSON string written in pieces: a UTF-8 sequence cut by a piece's end waits in 'pend'. */
struct json_out {
    FILE *out;
    unsigned char pend[4];
    size_t npend;
};

static size_t seq_len(unsigned char c)
{
    return c < 0xC0 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF8 ? 4 : 1;
}

/* Escapes 'len' bytes of 's'; with 'final' 0 an incomplete sequence at the end is kept for the
 * next piece. */
static int json_piece(struct json_out *j, const unsigned char *s, size_t len, int final)
{
    char buf[8192 + 16];
    size_t n = 0;
    size_t i = 0;
    while (i < len) {
        if (n > 8192) {
            if (fwrite(buf, 1, n, j->out) != n)
                return -1;
            n = 0;
        }
        unsigned char c = s[i];
        if (c >= 0x80) {
            size_t want = seq_len(c);
            if (!final && len - i < want) {
                j->npend = len - i;
                memcpy(j->pend, s + i, j->npend);
                break;
            }
            int32_t cp;
            int invalid;
            size_t k = chaff_utf8_decode(s + i, len - i, &cp, &invalid);
            if (invalid) {
                memcpy(buf + n, "\xef\xbf\xbd", 3);
                n += 3;
            } else {
                memcpy(buf + n, s + i, k);
                n += k;
            }
            i += k;
            continue;
        }
        if (c == '"' || c == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)c;
        } else if (c < 0x20) {
            static const char hex[] = "0123456789abcdef";
            buf[n++] = '\\';
            switch (c) {
            case '\n': buf[n++] = 'n'; break;
            case '\r': buf[n++] = 'r'; break;
            case '\t': buf[n++] = 't'; break;
            case '\b': buf[n++] = 'b'; break;
            case '\f': buf[n++] = 'f'; break;
            default:
                memcpy(buf + n, "u00", 3);
                n += 3;
                buf[n++] = hex[c >> 4];
                buf[n++] = hex[c & 15];
            }
        } else {
            buf[n++] = (char)c;
        }
        i++;
    }
    return n > 0 && fwrite(buf, 1, n, j->out) != n ? -1 : 0;
}

static int json_sink(void *ctx, const char *data, size_t len)
{
    struct json_out *j = ctx;
    const unsigned char *s = (const unsigned char *)data;
    while (j->npend > 0 && len > 0) { /* complete the sequence cut by the last piece */
        unsigned char joined[8];
        size_t have = j->npend;
        memcpy(joined, j->pend, have);
        size_t more = seq_len(joined[0]) - have;
        if (more > len)
            more = len;
        memcpy(joined + have, s, more);
        j->npend = 0;
        if (json_piece(j, joined, have + more, 0) != 0)
            return -1;
        s += more;
        len -= more;
    }
    return json_piece(j, s, len, 0);
}

int chaff_write_json_text(FILE *out, const struct chaff_page *page,
                          const struct chaff_result *results, uint64_t mask)
{
    struct json_out j = {.out = out};
    if (putc('"', out) == EOF)
        return -1;
    int first = 1;
    for (size_t i = 0; i < page->nparas; i++) {
        if (!(results[i].label < 64 && (mask >> results[i].label & 1)))
            continue;
        if ((!first && json_piece(&j, (const unsigned char *)"\n", 1, 1) != 0) ||
            para_text(page, i, json_sink, &j) != 0 ||
            json_piece(&j, j.pend, j.npend, 1) != 0) /* a cut sequence at the end */
            return -1;
        j.npend = 0;
        first = 0;
    }
    return putc('"', out) == EOF ? -1 : 0;
}

/* ------------------------------------------------------------------ WARC records */

int chaff_write_warc_body(FILE *out, int gzip, const char *head, size_t len,
                          const struct chaff_page *page, const struct chaff_result *results,
                          uint64_t mask)
{
    struct stream s = {.out = out, .gzip = gzip};
    if (gzip && deflateInit2(&s.z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
        return -1;
    int rc = stream_put(&s, head, len);
    for (size_t i = 0; rc == 0 && i < page->nparas; i++)
        if (results[i].label < 64 && (mask >> results[i].label & 1))
            rc = para_text(page, i, stream_put, &s) != 0 || stream_put(&s, "\n", 1) != 0 ? -1 : 0;
    if (rc == 0)
        rc = stream_put(&s, "\r\n\r\n", 4);
    if (gzip) {
        if (rc == 0)
            rc = stream_drain(&s, Z_FINISH);
        deflateEnd(&s.z);
    }
    return rc;
}
