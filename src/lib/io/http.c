/*
 * http.c - HTTP response heads and body codings, as WARC response records hold them (the
 * message as it came over the wire: wget, Heritrix, Webrecorder; Common Crawl stores bodies
 * decoded and renames the coding headers). Heads are parsed leniently, as browsers read them
 * (LF or CRLF, folded lines, junk lines ignored); chunked bodies and compressed bodies strictly:
 * damage is an error, never a silently shortened page. Decoded sizes are bounded by the caller's
 * limit.
 */
#include "grow.h"
#include "http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>
#include <zstd.h>

#define MAX_HEAD_BYTES (64u << 10)

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The next line of [p, end): its length without CR LF in *n; returns the start of the line after
 * it, or NULL when the line is not ended by LF. */
static const char *next_line(const char *p, const char *end, size_t *n)
{
    const char *nl = memchr(p, '\n', (size_t)(end - p));
    if (nl == NULL)
        return NULL;
    size_t k = (size_t)(nl - p);
    if (k > 0 && p[k - 1] == '\r')
        k--;
    *n = k;
    return nl + 1;
}

static int name_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && strncasecmp(name, want, len) == 0;
}

/* Adds the codings of the comma-separated list 'v' ('len' bytes) to 'h'. 'te': the list is a
 * Transfer-Encoding, whose "chunked" is no content coding. */
static void add_codings(struct chaff_http_head *h, const char *v, size_t len, int te)
{
    const char *p = v, *end = v + len;
    while (p < end) {
        while (p < end && (is_ws(*p) || *p == ','))
            p++;
        const char *s = p;
        while (p < end && *p != ',' && *p != ';' && !is_ws(*p))
            p++;
        size_t n = (size_t)(p - s);
        while (p < end && *p != ',') /* parameters of a coding are ignored */
            p++;
        if (n == 0)
            continue;
        if (te)
            h->chunked = name_is(s, n, "chunked"); /* only as the last coding */
        if (name_is(s, n, "chunked") || name_is(s, n, "identity"))
            continue;
        enum chaff_http_coding c;
        if (name_is(s, n, "gzip") || name_is(s, n, "x-gzip"))
            c = CHAFF_HTTP_GZIP;
        else if (name_is(s, n, "deflate"))
            c = CHAFF_HTTP_DEFLATE;
        else if (name_is(s, n, "zstd"))
            c = CHAFF_HTTP_ZSTD;
        else {
            if (h->unsupported == NULL) {
                h->unsupported = s;
                h->unsupported_len = n;
            }
            continue;
        }
        if (h->ncodings == CHAFF_HTTP_MAX_CODINGS) {
            if (h->unsupported == NULL) {
                h->unsupported = "more than 8 codings";
                h->unsupported_len = strlen(h->unsupported);
            }
            continue;
        }
        h->codings[h->ncodings++] = c;
    }
}

int chaff_http_parse_head(const char *block, size_t len, struct chaff_http_head *h,
                          const char **why)
{
    memset(h, 0, sizeof(*h));
    const char *p = block, *end = block + len;
    size_t n;
    /* The status line: HTTP-version SP 3DIGIT [SP reason]. */
    if (len < 5 || memcmp(p, "HTTP/", 5) != 0) {
        *why = "response block without an HTTP status line";
        return -1;
    }
    const char *next = next_line(p, end, &n);
    if (next == NULL) {
        *why = "HTTP head cut by the end of the record (in its status line)";
        return -1;
    }
    size_t i = 5;
    while (i < n && ((p[i] >= '0' && p[i] <= '9') || p[i] == '.'))
        i++;
    if (i == 5 || i >= n || p[i] != ' ') {
        *why = "malformed HTTP status line (expected \"HTTP/1.1 200 ...\")";
        return -1;
    }
    while (i < n && p[i] == ' ')
        i++;
    if (i + 3 > n || p[i] < '1' || p[i] > '9' || p[i + 1] < '0' || p[i + 1] > '9' ||
        p[i + 2] < '0' || p[i + 2] > '9' || (i + 3 < n && !is_ws(p[i + 3]))) {
        *why = "malformed HTTP status code";
        return -1;
    }
    h->status = (p[i] - '0') * 100 + (p[i + 1] - '0') * 10 + (p[i + 2] - '0');
    p = next;
    /* Header fields up to the empty line. A field's value runs over its continuation lines. */
    const char *name = NULL, *value = NULL, *value_end = NULL, *te = NULL;
    size_t name_len = 0, te_len = 0;
    for (;;) {
        if ((size_t)(p - block) > MAX_HEAD_BYTES) {
            *why = "HTTP head longer than 64 KiB";
            return -1;
        }
        next = p < end ? next_line(p, end, &n) : NULL;
        if (next == NULL) {
            *why = "HTTP head cut by the end of the record (no empty line after the headers)";
            return -1;
        }
        int folded = n > 0 && (p[0] == ' ' || p[0] == '\t');
        if (folded && name != NULL) {
            value_end = p + n;
            p = next;
            continue;
        }
        if (name != NULL) { /* the field before is complete */
            const char *v = value, *ve = value_end;
            while (v < ve && is_ws(*v))
                v++;
            while (ve > v && is_ws(ve[-1]))
                ve--;
            if (name_is(name, name_len, "Content-Type")) {
                h->content_type = v;
                h->content_type_len = (size_t)(ve - v);
            } else if (name_is(name, name_len, "Content-Encoding")) {
                add_codings(h, v, (size_t)(ve - v), 0);
            } else if (name_is(name, name_len, "Transfer-Encoding")) {
                te = v; /* its codings were applied after the content codings */
                te_len = (size_t)(ve - v);
            }
            name = NULL;
        }
        if (n == 0)
            break;
        const char *colon = folded ? NULL : memchr(p, ':', n);
        if (colon != NULL && colon > p) {
            name = p;
            name_len = (size_t)(colon - p);
            while (name_len > 0 && is_ws(name[name_len - 1]))
                name_len--;
            value = colon + 1;
            value_end = p + n;
        }
        p = next;
    }
    if (te != NULL)
        add_codings(h, te, te_len, 1);
    h->head_len = (size_t)(next - block);
    return 0;
}

/* The media type of a Content-Type value, without parameters and blanks. */
static size_t media_type(const char *ct, size_t len, const char **type)
{
    size_t i = 0;
    while (i < len && is_ws(ct[i]))
        i++;
    size_t s = i;
    while (i < len && ct[i] != ';' && !is_ws(ct[i]))
        i++;
    *type = ct + s;
    return i - s;
}

int chaff_http_is_html_type(const char *ct, size_t len)
{
    const char *t;
    size_t n = media_type(ct, len, &t);
    return name_is(t, n, "text/html") || name_is(t, n, "application/xhtml+xml");
}

size_t chaff_http_charset(const char *ct, size_t len, char *out, size_t cap)
{
    const char *p = ct, *end = ct + len;
    while (p < end) {
        const char *semi = memchr(p, ';', (size_t)(end - p));
        if (semi == NULL)
            return 0;
        p = semi + 1;
        while (p < end && is_ws(*p))
            p++;
        if ((size_t)(end - p) < 8 || strncasecmp(p, "charset", 7) != 0)
            continue;
        const char *q = p + 7;
        while (q < end && is_ws(*q))
            q++;
        if (q == end || *q != '=')
            continue;
        q++;
        while (q < end && is_ws(*q))
            q++;
        const char *s = q;
        if (q < end && (*q == '"' || *q == '\'')) {
            char quote = *q++;
            s = q;
            while (q < end && *q != quote)
                q++;
        } else {
            while (q < end && *q != ';' && !is_ws(*q))
                q++;
        }
        size_t n = (size_t)(q - s);
        if (n == 0 || cap == 0)
            return 0;
        if (n > cap - 1)
            n = cap - 1;
        memcpy(out, s, n);
        out[n] = '\0';
        return n;
    }
    return 0;
}

static int has_prefix_ci(const char *p, const char *end, const char *want)
{
    size_t n = strlen(want);
    return (size_t)(end - p) >= n && strncasecmp(p, want, n) == 0;
}

int chaff_http_sniff_html(const char *body, size_t len)
{
    const char *end = body + (len < 1024 ? len : 1024);
    for (const char *p = body; p < end; p++) {
        p = memchr(p, '<', (size_t)(end - p));
        if (p == NULL)
            return 0;
        if (has_prefix_ci(p, end, "<html") || has_prefix_ci(p, end, "<!doctype html"))
            return 1;
    }
    return 0;
}

/* Whether 'b' starts with a zlib header (RFC 1950: deflate, and a check of the first two
 * bytes). */
static int is_zlib_header(const unsigned char *b, size_t len)
{
    return len >= 2 && (b[0] & 0x0f) == 8 && ((unsigned)b[0] << 8 | b[1]) % 31 == 0;
}

int chaff_http_looks_coded(enum chaff_http_coding coding, const char *body, size_t len)
{
    const unsigned char *b = (const unsigned char *)body;
    switch (coding) {
    case CHAFF_HTTP_IDENTITY: {
        unsigned c = len > 0 ? b[0] : 0;
        return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'f');
    }
    case CHAFF_HTTP_GZIP:
        return len >= 2 && b[0] == 0x1f && b[1] == 0x8b;
    case CHAFF_HTTP_ZSTD:
        return len >= 4 && b[0] == 0x28 && b[1] == 0xb5 && b[2] == 0x2f && b[3] == 0xfd;
    case CHAFF_HTTP_DEFLATE:
        /* A zlib header, or raw deflate (no mark: only text, which starts with '<' or white
         * space, is taken for already decoded). */
        if (is_zlib_header(b, len))
            return 1;
        return !(len > 0 && (b[0] == '<' || b[0] == ' ' || b[0] == '\t' || b[0] == '\r' ||
                             b[0] == '\n' || (b[0] == 0xef && len >= 3 && b[1] == 0xbb)));
    }
    return 1;
}

int64_t chaff_http_dechunk(const char *in, size_t len, char *out, char *why, size_t why_cap)
{
    size_t i = 0, o = 0;
    for (;;) {
        /* chunk-size [BWS ';' chunk-ext] CRLF */
        size_t line = i;
        uint64_t size = 0;
        size_t digits = 0;
        while (i < len) {
            char c = in[i];
            int d = c >= '0' && c <= '9'   ? c - '0'
                    : c >= 'a' && c <= 'f' ? c - 'a' + 10
                    : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                           : -1;
            if (d < 0)
                break;
            if (size > (UINT64_MAX >> 4)) {
                snprintf(why, why_cap, "chunked body: chunk size too large at body byte %zu",
                         line);
                return -1;
            }
            size = size << 4 | (uint64_t)d;
            digits++;
            i++;
        }
        if (digits == 0) {
            snprintf(why, why_cap,
                     i < len ? "chunked body: chunk size is not hexadecimal at body byte %zu"
                             : "chunked body cut short at body byte %zu (no last chunk)",
                     line);
            return -1;
        }
        while (i < len && (in[i] == ' ' || in[i] == '\t'))
            i++;
        if (i < len && in[i] == ';') { /* chunk extensions: skipped up to the end of the line */
            while (i < len && in[i] != '\n' && in[i] != '\r')
                i++;
        }
        if (i < len && in[i] == '\r')
            i++;
        if (i >= len || in[i] != '\n') {
            snprintf(why, why_cap,
                     i < len ? "chunked body: unexpected byte after the chunk size at body byte "
                               "%zu"
                             : "chunked body cut short at body byte %zu (in a chunk size line)",
                     i);
            return -1;
        }
        i++;
        if (size == 0)
            break;
        if (size > len - i) {
            snprintf(why, why_cap,
                     "chunked body: chunk of %llu bytes at body byte %zu runs past the end of the "
                     "body (%zu bytes left)",
                     (unsigned long long)size, line, len - i);
            return -1;
        }
        memmove(out + o, in + i, (size_t)size); /* 'out' may be 'in': o <= i */
        o += (size_t)size;
        i += (size_t)size;
        if (i < len && in[i] == '\r')
            i++;
        if (i >= len || in[i] != '\n') {
            snprintf(why, why_cap,
                     "chunked body: chunk data not followed by CRLF at body byte %zu", i);
            return -1;
        }
        i++;
    }
    /* trailer-section CRLF: header lines up to an empty line (or the end of the body, which a
     * record cut right after the last chunk's line has). */
    while (i < len) {
        const char *nl = memchr(in + i, '\n', len - i);
        size_t n = nl != NULL ? (size_t)(nl - (in + i)) : len - i;
        int empty = n == 0 || (n == 1 && in[i] == '\r');
        if (!empty && memchr(in + i, ':', n) == NULL) {
            snprintf(why, why_cap, "chunked body: malformed trailer line at body byte %zu", i);
            return -1;
        }
        i += n + (nl != NULL);
        if (empty)
            break;
    }
    for (; i < len; i++)
        if (!is_ws(in[i])) {
            snprintf(why, why_cap, "chunked body: data after the last chunk at body byte %zu", i);
            return -1;
        }
    return (int64_t)o;
}

static int64_t too_big(char *why, size_t why_cap, uint64_t limit)
{
    snprintf(why, why_cap, "decoded body exceeds the limit of %llu bytes (--max-parsed, --max-record)",
             (unsigned long long)limit);
    return -1;
}

static int64_t decode_zlib(enum chaff_http_coding coding, const char *in, size_t len, char **out,
                           size_t *out_cap, uint64_t limit, char *why, size_t why_cap)
{
    const char *name = coding == CHAFF_HTTP_GZIP ? "gzip" : "deflate";
    int wbits = 15 + 16; /* gzip */
    if (coding == CHAFF_HTTP_DEFLATE) {
        /* RFC 9110 says zlib; some servers send raw deflate, which browsers accept too. */
        wbits = is_zlib_header((const unsigned char *)in, len) ? 15 : -15;
    }
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    if (inflateInit2(&zs, wbits) != Z_OK)
        return -2;
    size_t o = 0, i = 0;
    int64_t rc = 0;
    for (;;) {
        if (*out_cap - o < 4096 &&
            chaff_grow((void **)out, out_cap, o + (len < 65536 ? 65536 : len), 1) != 0) {
            rc = -2;
            break;
        }
        size_t room = *out_cap - o;
        if (limit - o < room)
            room = (size_t)(limit - o) + 1; /* one more than allowed shows the excess */
        zs.next_in = (Bytef *)(uintptr_t)(in + i);
        zs.avail_in = (uInt)(len - i > UINT32_MAX ? UINT32_MAX : len - i);
        zs.next_out = (Bytef *)(*out + o);
        zs.avail_out = (uInt)(room > UINT32_MAX ? UINT32_MAX : room);
        const uInt in0 = zs.avail_in, out0 = zs.avail_out;
        int z = inflate(&zs, Z_NO_FLUSH);
        i += in0 - zs.avail_in;
        o += out0 - zs.avail_out;
        if (o > limit) {
            rc = too_big(why, why_cap, limit);
            break;
        }
        if (z == Z_STREAM_END) {
            /* gzip: another member may follow; anything else after the end is ignored, as
             * browsers do (servers pad). */
            if (coding == CHAFF_HTTP_GZIP && len - i >= 2 && (unsigned char)in[i] == 0x1f &&
                (unsigned char)in[i + 1] == 0x8b) {
                inflateReset(&zs);
                continue;
            }
            rc = (int64_t)o;
            break;
        }
        if (z == Z_MEM_ERROR) {
            rc = -2;
            break;
        }
        if (z == Z_DATA_ERROR || z == Z_NEED_DICT) {
            snprintf(why, why_cap, "Content-Encoding %s: invalid data at body byte %zu (%s)", name,
                     i, zs.msg != NULL ? zs.msg : "zlib error");
            rc = -1;
            break;
        }
        if (i == len && zs.avail_out > 0) {
            snprintf(why, why_cap, "Content-Encoding %s: data cut short (%zu bytes)", name, len);
            rc = -1;
            break;
        }
        if (z == Z_BUF_ERROR && zs.avail_out > 0) {
            snprintf(why, why_cap, "Content-Encoding %s: data cut short (%zu bytes)", name, len);
            rc = -1;
            break;
        }
    }
    inflateEnd(&zs);
    return rc;
}

static int64_t decode_zstd(const char *in, size_t len, char **out, size_t *out_cap, uint64_t limit,
                           char *why, size_t why_cap)
{
    ZSTD_DCtx *zd = ZSTD_createDCtx();
    if (zd == NULL)
        return -2;
    ZSTD_inBuffer ib = {in, len, 0};
    size_t o = 0, last = 1;
    int64_t rc = 0;
    for (;;) {
        if (*out_cap - o < 4096 &&
            chaff_grow((void **)out, out_cap, o + (len < 65536 ? 65536 : len), 1) != 0) {
            rc = -2;
            break;
        }
        size_t room = *out_cap - o;
        if (limit - o < room)
            room = (size_t)(limit - o) + 1;
        ZSTD_outBuffer ob = {*out + o, room, 0};
        last = ZSTD_decompressStream(zd, &ob, &ib);
        o += ob.pos;
        if (ZSTD_isError(last)) {
            snprintf(why, why_cap, "Content-Encoding zstd: invalid data at body byte %zu (%s)",
                     ib.pos, ZSTD_getErrorName(last));
            rc = -1;
            break;
        }
        if (o > limit) {
            rc = too_big(why, why_cap, limit);
            break;
        }
        if (ib.pos == len && ob.pos < ob.size) { /* all input used, output not full: done */
            if (last != 0) {
                snprintf(why, why_cap, "Content-Encoding zstd: data cut short (%zu bytes)", len);
                rc = -1;
            } else {
                rc = (int64_t)o;
            }
            break;
        }
    }
    ZSTD_freeDCtx(zd);
    return rc;
}

int64_t chaff_http_decode(enum chaff_http_coding coding, const char *in, size_t len, char **out,
                          size_t *out_cap, uint64_t limit, char *why, size_t why_cap)
{
    switch (coding) {
    case CHAFF_HTTP_GZIP:
    case CHAFF_HTTP_DEFLATE:
        return decode_zlib(coding, in, len, out, out_cap, limit, why, why_cap);
    case CHAFF_HTTP_ZSTD:
        return decode_zstd(in, len, out, out_cap, limit, why, why_cap);
    case CHAFF_HTTP_IDENTITY:
        break;
    }
    if (len > limit)
        return too_big(why, why_cap, limit);
    if (chaff_grow((void **)out, out_cap, len + 1, 1) != 0)
        return -2;
    if (len > 0)
        memcpy(*out, in, len);
    return (int64_t)len;
}
