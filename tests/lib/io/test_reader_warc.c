/*
 * test_reader_warc.c - the WARC/WET page reader: conversion records are pages, and so are 2xx
 * HTTP responses of HTML (head parsed, chunked and compressed bodies decoded) and resource
 * records of text/html; other records are counted (or passed through), malformed records are
 * reported with their byte offset and the reader resynchronises on the next "WARC/" line.
 */
#include "chaff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#define INFO                                                                                       \
    "WARC/1.0\r\nWARC-Type: warcinfo\r\nWARC-Record-ID: <urn:i>\r\nContent-Length: 9\r\n\r\n"      \
    "software!\r\n\r\n"
#define CONV1                                                                                      \
    "WARC/1.1\r\nWARC-Type: conversion\r\nWARC-Target-URI: http://a/\r\n"                          \
    "WARC-Record-ID: <urn:1>\r\nContent-Type: text/plain\r\nContent-Length: 16\r\n\r\n"            \
    "Hello.\n\nWorld.\r\n\r\n\r\n"
#define CONV2                                                                                      \
    "WARC/1.0\r\nwarc-type: conversion\r\nWARC-Record-ID: <urn:2>\r\ncontent-length:3\r\n\r\n"     \
    "End\r\n\r\n"

struct opened {
    struct chaff_reader *r;
    char *copy;
};

static struct opened open_warc(const char *s, size_t len, int passthrough, uint64_t max_record)
{
    struct opened o;
    o.copy = malloc(len > 0 ? len : 1);
    assert_non_null(o.copy);
    memcpy(o.copy, s, len);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.skip_bad = 1;
    opt.passthrough = passthrough;
    if (max_record > 0)
        opt.max_record_bytes = max_record;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(o.copy, len, "w.warc", &opt, &o.r, &err), CHAFF_OK);
    return o;
}

static void close_opened(struct opened o)
{
    chaff_reader_close(o.r);
    free(o.copy);
}

static void conversion_records_are_pages_and_others_are_counted(void **state)
{
    (void)state;
    static const char in[] = INFO CONV1 CONV2;
    struct opened o = open_warc(in, sizeof(in) - 1, 0, 0);
    assert_int_equal(chaff_reader_format(o.r), CHAFF_FORMAT_WARC);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "<urn:1>");
    assert_string_equal(page.url, "http://a/");
    assert_int_equal(page.nparas, 2);
    assert_string_equal(page.paras[0], "Hello.");
    assert_string_equal(page.paras[1], "World.");
    assert_int_equal(page.offset, strlen(INFO));
    assert_int_equal(page.payload_len, 16);
    assert_non_null(strstr(page.raw, "WARC-Target-URI: http://a/\r\n"));
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "<urn:2>");
    assert_string_equal(page.url, "");
    assert_int_equal(page.nparas, 1);
    assert_int_equal(page.index, 1);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    struct chaff_reader_stats st;
    chaff_reader_stats(o.r, &st);
    assert_int_equal(st.pages, 2);
    assert_int_equal(st.skipped, 1);
    assert_int_equal(st.bytes, sizeof(in) - 1);
    close_opened(o);
}

static void passthrough_yields_the_other_records_whole(void **state)
{
    (void)state;
    static const char in[] = INFO CONV1;
    struct opened o = open_warc(in, sizeof(in) - 1, 1, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(page.passthrough, 1);
    assert_int_equal(page.nparas, 0);
    /* header + block + CRLF CRLF is exactly the input record */
    assert_int_equal(page.raw_len + page.payload_len + 4, strlen(INFO));
    assert_memory_equal(page.raw, INFO, page.raw_len);
    assert_memory_equal(page.payload, "software!", 9);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(page.passthrough, 0);
    assert_int_equal(page.index, 0);
    close_opened(o);
}

static void malformed_header_is_reported_at_its_offset_then_resynchronised(void **state)
{
    (void)state;
    static const char in[] = CONV1 "WARC/1.0\r\nWARC-Type conversion\r\nContent-Length: 3\r\n\r\n"
                                   "abc\r\n\r\n" CONV2;
    struct opened o = open_warc(in, sizeof(in) - 1, 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    char want[64];
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_PARSE);
    snprintf(want, sizeof(want), "w.warc: byte %zu", strlen(CONV1));
    assert_string_equal(err.where, want);
    assert_string_equal(err.msg, "malformed WARC header: header line without ':'");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "<urn:2>");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void content_length_past_the_end_is_reported(void **state)
{
    (void)state;
    static const char in[] =
        CONV2 "WARC/1.0\r\nWARC-Type: conversion\r\nContent-Length: 100\r\n\r\nab";
    struct opened o = open_warc(in, sizeof(in) - 1, 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    char want[64];
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    snprintf(want, sizeof(want), "w.warc: byte %zu", strlen(CONV2));
    assert_string_equal(err.where, want);
    assert_string_equal(err.msg, "Content-Length 100 past the end of the input (2 bytes left)");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void a_record_over_the_limit_is_skipped_and_names_the_limit(void **state)
{
    (void)state;
    static const char in[] = CONV1 CONV2;
    struct opened o = open_warc(in, sizeof(in) - 1, 0, 10);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_NOMEM);
    assert_string_equal(err.where, "w.warc: byte 0");
    assert_string_equal(err.msg,
                        "WARC record of 16 bytes exceeds the limit of 10 bytes (--max-record); skipped");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "<urn:2>");
    close_opened(o);
}

static void header_cut_by_the_end_is_reported(void **state)
{
    (void)state;
    static const char in[] = "WARC/1.0\r\nWARC-Type: conversion\r\n";
    struct opened o = open_warc(in, sizeof(in) - 1, 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_string_equal(err.where, "w.warc: byte 0");
    assert_string_equal(err.msg, "WARC header cut by the end of the input");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}


/* ------------------------------------------------------------------ response and resource records */

#define HTML "<!DOCTYPE html><html><head><title>Hi</title></head><body><p>Hello there.</p></body></html>"
#define HTTP_CT "Content-Type: application/http; msgtype=response\r\n"

/* A WARC record of type 'type' with extra header lines 'extra' (each ending in CRLF) and block
 * 'block' ('len' bytes) appended to 'out' (a NUL-terminated malloc'ed string, reallocated). */
static char *add_record(char *out, size_t *out_len, const char *type, const char *id,
                        const char *extra, const char *block, size_t len)
{
    char head[1024];
    int n = snprintf(head, sizeof(head),
                     "WARC/1.1\r\nWARC-Type: %s\r\nWARC-Record-ID: <urn:%s>\r\n"
                     "WARC-Target-URI: http://ex/%s\r\n%sContent-Length: %zu\r\n\r\n",
                     type, id, id, extra, len);
    out = realloc(out, *out_len + (size_t)n + len + 5);
    assert_non_null(out);
    memcpy(out + *out_len, head, (size_t)n);
    memcpy(out + *out_len + n, block, len);
    memcpy(out + *out_len + n + len, "\r\n\r\n", 5);
    *out_len += (size_t)n + len + 4;
    return out;
}

static char *add_response(char *out, size_t *out_len, const char *id, const char *http)
{
    return add_record(out, out_len, "response", id, HTTP_CT, http, strlen(http));
}

static struct opened open_html_warc(const char *s, size_t len, int defer)
{
    struct opened o;
    o.copy = malloc(len > 0 ? len : 1);
    assert_non_null(o.copy);
    memcpy(o.copy, s, len);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.skip_bad = 1;
    opt.defer_html = defer;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(o.copy, len, "w.warc", &opt, &o.r, &err), CHAFF_OK);
    return o;
}

/* The next page must be the deferred HTML 'html' with id 'id'. */
static void expect_html_page(struct chaff_reader *r, const char *id, const char *html,
                             size_t html_len, const char *charset)
{
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, &page, &err), 1);
    assert_string_equal(page.id, id);
    assert_int_equal(page.is_html, 1);
    assert_int_equal(page.nparas, 0);
    assert_non_null(page.html);
    assert_int_equal(page.html_len, html_len);
    assert_memory_equal(page.html, html, html_len);
    if (charset == NULL)
        assert_null(page.charset);
    else
        assert_string_equal(page.charset, charset);
}

/* 'in' compressed as gzip (windowbits 31) or zlib (15); *len_out its length. */
static char *compress_as(const char *in, size_t len, int window_bits, size_t *len_out)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, window_bits, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len);
    char *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (Bytef *)(uintptr_t)in;
    zs.avail_in = (uInt)len;
    zs.next_out = (Bytef *)out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    *len_out = cap - zs.avail_out;
    deflateEnd(&zs);
    return out;
}

static void response_records_with_crlf_and_lf_heads_are_html_pages(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_response(NULL, &len, "1",
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=ISO-8859-1\r\n"
                            "Content-Length: 88\r\n\r\n" HTML);
    /* wget-like: LF-only lines in the WARC head and in the HTTP head, WARC/1.0, other order */
    static const char lf[] = "WARC/1.0\nContent-Length: 53\nWARC-Record-ID: <urn:2>\n"
                             "WARC-Type: response\n\n"
                             "HTTP/1.0 203 Fine\nContent-Type: TEXT/HTML\n\n<p>Two</p>\n\n";
    in = realloc(in, len + sizeof(lf));
    memcpy(in + len, lf, sizeof(lf));
    len += sizeof(lf) - 1;
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "<urn:1>", HTML, strlen(HTML), "ISO-8859-1");
    expect_html_page(o.r, "<urn:2>", "<p>Two</p>", 10, NULL);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void continuation_lines_are_part_of_their_header(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_record(NULL, &len, "response", "1",
                          "WARC-Warcinfo-ID: <urn:i>\r\n  <urn:folded>\r\n" HTTP_CT,
                          "HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type:\r\n text/html;\r\n"
                          "\tcharset=\"windows-1252\"\r\nX-Odd:\r\nX-No-Colon\r\n\r\n<p>x</p>",
                          strlen("HTTP/1.1 200 OK\r\nServer: x\r\nContent-Type:\r\n text/html;\r\n"
                                 "\tcharset=\"windows-1252\"\r\nX-Odd:\r\nX-No-Colon\r\n\r\n"
                                 "<p>x</p>"));
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "<urn:1>", "<p>x</p>", 8, "windows-1252");
    close_opened(o);
}

static void chunked_bodies_are_decoded_with_extensions_and_trailers(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_response(NULL, &len, "1",
                            "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n"
                            "Content-Type: text/html\r\n\r\n"
                            "5;name=\"v\"\r\n<p>He\r\nA \r\nllo</p><p>\r\n0006\r\nthere.\r\n"
                            "0;last\r\nX-Checksum: 1\r\n\r\n");
    in = add_response(in, &len, "2", /* LF only, no trailer */
                      "HTTP/1.1 200 OK\nContent-Type: text/html\nTransfer-Encoding: chunked\n\n"
                      "3\nabc\n0\n\n");
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "<urn:1>", "<p>Hello</p><p>there.", 21, NULL);
    expect_html_page(o.r, "<urn:2>", "abc", 3, NULL);
    close_opened(o);
}

static void gzip_and_deflate_content_encodings_are_decoded(void **state)
{
    (void)state;
    size_t gz_len, zl_len;
    char *gz = compress_as(HTML, strlen(HTML), 31, &gz_len);
    char *zl = compress_as(HTML, strlen(HTML), 15, &zl_len);
    static const char head_gz[] = "HTTP/1.1 200 OK\r\nContent-Encoding: x-gzip\r\n"
                                  "Content-Type: text/html\r\n\r\n";
    static const char head_zl[] = "HTTP/1.1 200 OK\r\nContent-Encoding: deflate\r\n"
                                  "Content-Type: application/xhtml+xml\r\n\r\n";
    char block[1024];
    size_t len = 0, n;
    memcpy(block, head_gz, sizeof(head_gz) - 1);
    memcpy(block + sizeof(head_gz) - 1, gz, gz_len);
    n = sizeof(head_gz) - 1 + gz_len;
    char *in = add_record(NULL, &len, "response", "1", HTTP_CT, block, n);
    memcpy(block, head_zl, sizeof(head_zl) - 1);
    memcpy(block + sizeof(head_zl) - 1, zl, zl_len);
    n = sizeof(head_zl) - 1 + zl_len;
    in = add_record(in, &len, "response", "2", HTTP_CT, block, n);
    /* gzip inside chunked: 3 chunks */
    n = (size_t)snprintf(block, sizeof(block),
                         "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n"
                         "Transfer-Encoding: chunked\r\n\r\n");
    for (size_t at = 0; at < gz_len; at += 20) {
        size_t k = gz_len - at < 20 ? gz_len - at : 20;
        n += (size_t)snprintf(block + n, sizeof(block) - n, "%zx\r\n", k);
        memcpy(block + n, gz + at, k);
        n += k;
        memcpy(block + n, "\r\n", 2);
        n += 2;
    }
    memcpy(block + n, "0\r\n\r\n", 5);
    n += 5;
    in = add_record(in, &len, "response", "3", HTTP_CT, block, n);
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    free(gz);
    free(zl);
    expect_html_page(o.r, "<urn:1>", HTML, strlen(HTML), NULL);
    expect_html_page(o.r, "<urn:2>", HTML, strlen(HTML), NULL);
    expect_html_page(o.r, "<urn:3>", HTML, strlen(HTML), NULL);
    close_opened(o);
}

static void resource_records_of_html_are_pages(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_record(NULL, &len, "resource", "1", "Content-Type: text/html; charset=utf-8\r\n",
                          HTML, strlen(HTML));
    in = add_record(in, &len, "resource", "2", "Content-Type: image/png\r\n", "\x89PNG", 4);
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "<urn:1>", HTML, strlen(HTML), "utf-8");
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    struct chaff_reader_stats st;
    chaff_reader_stats(o.r, &st);
    assert_int_equal(st.pages, 1);
    assert_int_equal(st.skipped, 1);
    close_opened(o);
}

static void records_that_are_no_pages_are_skipped_and_counted(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_record(NULL, &len, "warcinfo", "i", "", "software: t\r\n", 13);
    in = add_record(in, &len, "request", "q", "Content-Type: application/http; msgtype=request\r\n",
                    "GET / HTTP/1.1\r\n\r\n", 18);
    in = add_response(in, &len, "404", "HTTP/1.1 404 Not Found\r\nContent-Type: text/html\r\n\r\n"
                                       "<p>gone</p>");
    in = add_response(in, &len, "301", "HTTP/1.1 301 Moved\r\nLocation: /x\r\n\r\n");
    in = add_response(in, &len, "png", "HTTP/1.1 200 OK\r\nContent-Type: image/png\r\n\r\nPNG");
    in = add_response(in, &len, "br", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n"
                                      "Content-Encoding: br\r\n\r\n\x0b\x02\x80");
    in = add_response(in, &len, "txt", "HTTP/1.1 200 OK\r\n\r\njust text, no markup");
    in = add_record(in, &len, "response", "dns", "Content-Type: text/dns\r\n", "x.", 2);
    in = add_record(in, &len, "revisit", "v", HTTP_CT, "HTTP/1.1 200 OK\r\n\r\n", 19);
    in = add_record(in, &len, "metadata", "m", "", "via: x\r\n", 8);
    in = add_response(in, &len, "sniffed", "HTTP/1.1 200 OK\r\n\r\n  <!doctype HTML><p>x</p>");
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "<urn:sniffed>", "  <!doctype HTML><p>x</p>", 25, NULL);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    struct chaff_reader_stats st;
    chaff_reader_stats(o.r, &st);
    assert_int_equal(st.pages, 1);
    assert_int_equal(st.skipped, 10);
    assert_int_equal(st.bad, 0);
    close_opened(o);
}

static void warc_page_id_is_preferred_to_the_record_id(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_record(NULL, &len, "response", "1", "WARC-Page-ID: page-7\r\n" HTTP_CT,
                          "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n<p>a</p>", 52);
    in = add_record(in, &len, "conversion", "2", "WARC-Page-ID: page-8\r\n", "Text.\n", 6);
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    expect_html_page(o.r, "page-7", "<p>a</p>", 8, NULL);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "page-8");
    assert_int_equal(page.is_html, 0);
    assert_int_equal(page.nparas, 1);
    close_opened(o);
}

static void html_is_made_into_paragraphs_unless_deferred(void **state)
{
    (void)state;
    size_t len = 0;
    char *in = add_response(NULL, &len, "1",
                            "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n" HTML);
    struct opened o = open_html_warc(in, len, 0);
    free(in);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(page.is_html, 1);
    assert_null(page.html);
    assert_true(page.nparas >= 1);
    assert_non_null(page.structure);
    for (size_t i = 0; i < page.nparas; i++)
        assert_true(page.lens[i] > 0);
    close_opened(o);
}

/* Each damaged record is reported at its offset with what is wrong; the page after it comes. */
static void damaged_responses_are_reported_and_reading_goes_on(void **state)
{
    (void)state;
    size_t gz_len;
    char *gz = compress_as(HTML, strlen(HTML), 31, &gz_len);
    gz[gz_len / 2] ^= 0x55; /* a corrupt deflate stream (or a wrong CRC) */
    static const char head_gz[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                                  "Content-Type: text/html\r\n\r\n";
    char block[512];
    memcpy(block, head_gz, sizeof(head_gz) - 1);
    memcpy(block + sizeof(head_gz) - 1, gz, gz_len);
    static const struct {
        const char *http;
        const char *msg;
    } bad[] = {
        {"<html><p>no HTTP head</p></html>",
         "response record: response block without an HTTP status line"},
        {"HTTP/1.1 200 OK\r\nContent-Type: text/ht",
         "response record: HTTP head cut by the end of the record (no empty line after the "
         "headers)"},
        {"HTTP/1.1 OK\r\n\r\n", "response record: malformed HTTP status code"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
         "5\r\nabcde\r\nzz\r\nab\r\n0\r\n\r\n",
         "response record: chunked body: chunk size is not hexadecimal at body byte 10"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
         "50\r\nabcde\r\n0\r\n\r\n",
         "response record: chunked body: chunk of 80 bytes at body byte 0 runs past the end of "
         "the body (12 bytes left)"},
        {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
         "5\r\nabcde\r\n",
         "response record: chunked body cut short at body byte 10 (no last chunk)"},
        {"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Type: text/html\r\n\r\n"
         "\x1f\x8b\x08",
         "response record: Content-Encoding gzip: data cut short (3 bytes)"},
    };
    const size_t nbad = sizeof(bad) / sizeof(bad[0]);
    size_t len = 0;
    uint64_t offsets[16];
    char *in = NULL;
    for (size_t i = 0; i < nbad; i++) {
        offsets[i] = len;
        in = add_response(in, &len, "bad", bad[i].http);
        in = add_response(in, &len, "good", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                                            "<p>ok</p>");
    }
    offsets[nbad] = len;
    in = add_record(in, &len, "response", "badgz", HTTP_CT, block,
                    sizeof(head_gz) - 1 + gz_len);
    in = add_response(in, &len, "good", "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n"
                                        "<p>ok</p>");
    offsets[nbad + 1] = len;
    static const char cut[] = "WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 500\r\n\r\n"
                              "HTTP/1.1 200 OK\r\n";
    in = realloc(in, len + sizeof(cut));
    memcpy(in + len, cut, sizeof(cut));
    len += sizeof(cut) - 1;
    free(gz);
    struct opened o = open_html_warc(in, len, 1);
    free(in);
    struct chaff_page page;
    struct chaff_error err = {0};
    char want[64];
    for (size_t i = 0; i <= nbad; i++) {
        memset(&err, 0, sizeof(err));
        assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
        assert_int_equal(err.code, CHAFF_ERR_PARSE);
        snprintf(want, sizeof(want), "w.warc: byte %llu", (unsigned long long)offsets[i]);
        assert_string_equal(err.where, want);
        if (i < nbad)
            assert_string_equal(err.msg, bad[i].msg);
        else
            assert_non_null(strstr(err.msg, "response record: Content-Encoding gzip: "));
        expect_html_page(o.r, "<urn:good>", "<p>ok</p>", 9, NULL);
    }
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    snprintf(want, sizeof(want), "w.warc: byte %llu", (unsigned long long)offsets[nbad + 1]);
    assert_string_equal(err.where, want);
    assert_string_equal(err.msg, "Content-Length 500 past the end of the input (17 bytes left)");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    struct chaff_reader_stats st;
    chaff_reader_stats(o.r, &st);
    assert_int_equal(st.pages, nbad + 1);
    assert_int_equal(st.bad, nbad + 2);
    close_opened(o);
}

static void a_decoded_body_over_the_limit_is_refused(void **state)
{
    (void)state;
    char big[4096];
    memset(big, 'a', sizeof(big));
    size_t gz_len;
    char *gz = compress_as(big, sizeof(big), 31, &gz_len);
    char block[512];
    static const char head[] = "HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\n"
                               "Content-Type: text/html\r\n\r\n";
    memcpy(block, head, sizeof(head) - 1);
    memcpy(block + sizeof(head) - 1, gz, gz_len);
    size_t len = 0;
    char *in = add_record(NULL, &len, "response", "1", HTTP_CT, block, sizeof(head) - 1 + gz_len);
    free(gz);
    struct opened o;
    o.copy = in;
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.skip_bad = 1;
    opt.defer_html = 1;
    opt.max_record_bytes = 1000;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(in, len, "w.warc", &opt, &o.r, &err), CHAFF_OK);
    struct chaff_page page;
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_string_equal(err.where, "w.warc: byte 0");
    assert_string_equal(err.msg, "response record: decoded body exceeds the limit of 1000 bytes "
                                 "(--max-parsed, --max-record)");
    close_opened(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversion_records_are_pages_and_others_are_counted),
        cmocka_unit_test(passthrough_yields_the_other_records_whole),
        cmocka_unit_test(malformed_header_is_reported_at_its_offset_then_resynchronised),
        cmocka_unit_test(content_length_past_the_end_is_reported),
        cmocka_unit_test(a_record_over_the_limit_is_skipped_and_names_the_limit),
        cmocka_unit_test(header_cut_by_the_end_is_reported),
        cmocka_unit_test(response_records_with_crlf_and_lf_heads_are_html_pages),
        cmocka_unit_test(continuation_lines_are_part_of_their_header),
        cmocka_unit_test(chunked_bodies_are_decoded_with_extensions_and_trailers),
        cmocka_unit_test(gzip_and_deflate_content_encodings_are_decoded),
        cmocka_unit_test(resource_records_of_html_are_pages),
        cmocka_unit_test(records_that_are_no_pages_are_skipped_and_counted),
        cmocka_unit_test(warc_page_id_is_preferred_to_the_record_id),
        cmocka_unit_test(html_is_made_into_paragraphs_unless_deferred),
        cmocka_unit_test(damaged_responses_are_reported_and_reading_goes_on),
        cmocka_unit_test(a_decoded_body_over_the_limit_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
