/*
 * test_reader_warc.c - the WARC/WET page reader: conversion records are pages, other records
 * are counted (or passed through), malformed records are reported with their byte offset and the
 * reader resynchronises on the next "WARC/" line.
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
                        "WARC record of 16 bytes exceeds the limit of 10 bytes (max record size)");
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

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(conversion_records_are_pages_and_others_are_counted),
        cmocka_unit_test(passthrough_yields_the_other_records_whole),
        cmocka_unit_test(malformed_header_is_reported_at_its_offset_then_resynchronised),
        cmocka_unit_test(content_length_past_the_end_is_reported),
        cmocka_unit_test(a_record_over_the_limit_is_skipped_and_names_the_limit),
        cmocka_unit_test(header_cut_by_the_end_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
