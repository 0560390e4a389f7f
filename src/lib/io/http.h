/*
 * http.h - the HTTP messages inside WARC response records: the response head (status line and
 * header fields) and the body's transfer and content codings (chunked, gzip, deflate, zstd).
 * Pure functions over bytes in memory; the WARC reader calls them record by record.
 */
#ifndef CHAFF_LIB_HTTP_H
#define CHAFF_LIB_HTTP_H

#include <stddef.h>
#include <stdint.h>

/* Content codings chaff decodes. */
enum chaff_http_coding {
    CHAFF_HTTP_IDENTITY = 0,
    CHAFF_HTTP_GZIP,    /* gzip, x-gzip (one or more members) */
    CHAFF_HTTP_DEFLATE, /* deflate: zlib-wrapped, or raw deflate as some servers send it */
    CHAFF_HTTP_ZSTD,    /* zstd (one or more frames) */
};

#define CHAFF_HTTP_MAX_CODINGS 8

/* The parts of a response head chaff uses. Pointers point into the parsed block. */
struct chaff_http_head {
    int status;        /* 100..999 */
    size_t head_len;   /* bytes of the head, the empty line that ends it included */
    const char *content_type; /* the last Content-Type value (folded lines included), or NULL */
    size_t content_type_len;
    int chunked;       /* Transfer-Encoding ends with "chunked" */
    /* Codings in the order they were applied (Content-Encoding, then the Transfer-Encoding
     * codings other than chunked); decode them last to first. */
    enum chaff_http_coding codings[CHAFF_HTTP_MAX_CODINGS];
    size_t ncodings;
    const char *unsupported; /* the first coding chaff cannot decode ("br", "compress", ...),
                                or NULL; the body then is left alone */
    size_t unsupported_len;
};

/* Parses the HTTP response head at the start of the 'len' bytes at 'block': a status line
 * "HTTP/x[.y] NNN [reason]", header lines (continuation lines folded into the value before;
 * lines without a ':' ignored, as browsers do) and an empty line; lines end in CRLF or LF.
 * Returns 0, or -1 with a static description in *why (no status line, head cut by the end of
 * the block, more than 64 KiB of head lines). */
int chaff_http_parse_head(const char *block, size_t len, struct chaff_http_head *h,
                          const char **why);

/* The media type of a Content-Type value 'ct' ('len' bytes): 1 when it is text/html or
 * application/xhtml+xml (any case, parameters ignored), else 0. */
int chaff_http_is_html_type(const char *ct, size_t len);

/* The charset parameter of a Content-Type value (quotes removed) into 'out' ('cap' bytes,
 * NUL-terminated, cut to cap - 1). Returns its length, or 0 when there is none. */
size_t chaff_http_charset(const char *ct, size_t len, char *out, size_t cap);

/* 1 when the first KiB of 'body' holds "<html" or "<!doctype html" (any case). */
int chaff_http_sniff_html(const char *body, size_t len);

/* Decodes the chunked body 'in' ('len' bytes) into 'out' (room for 'len' bytes at least: the
 * data is never longer than its encoding). Strict: hexadecimal sizes, chunk extensions after
 * ';', CRLF (or LF) after each size line and each chunk, a last chunk of size 0 and its trailer
 * lines; only white space may follow. Returns the decoded length, or -1 with a description in
 * 'why' ('why_cap' bytes) that gives the offset in 'in'. */
int64_t chaff_http_dechunk(const char *in, size_t len, char *out, char *why, size_t why_cap);

/* Whether the 'len' bytes at 'body' can start a body in 'coding' (CHAFF_HTTP_IDENTITY: in the
 * chunked transfer coding): a chunk-size line's hex digit, the gzip or zstd magic, a zlib
 * header. Deflate sent raw has no mark: a body that starts as text does ('<', white space, a
 * UTF-8 byte order mark) is taken for decoded, anything else can be raw deflate. A body that
 * cannot was stored decoded by the crawler under its original head (Webrecorder and others do
 * so); warcio then reads it as it is, and so does chaff. */
int chaff_http_looks_coded(enum chaff_http_coding coding, const char *body, size_t len);

/* Decodes 'len' bytes of 'in', encoded with 'coding', into *out (a buffer of *out_cap bytes,
 * grown with realloc: the old pointer is invalid after the call). At most 'limit' bytes are
 * made. Returns the decoded length, -1 with a description in 'why' for damaged data or output
 * over 'limit', or -2 when out of memory. */
int64_t chaff_http_decode(enum chaff_http_coding coding, const char *in, size_t len, char **out,
                          size_t *out_cap, uint64_t limit, char *why, size_t why_cap);

#endif
