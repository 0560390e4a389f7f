/*
 * test_reader_html.c - .html input: sniffed from a leading '<' that starts a tag, comment,
 * doctype or XML declaration; the whole input is one page named by the file's base name without
 * its extension; bounded by the record size limit; its HTML handed out as it is (defer_html) or
 * made into paragraphs by the HTML reader.
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

#define PAGE "<!DOCTYPE html><html><head><title>Title</title></head><body><p>Hello.</p></body></html>"

struct opened {
    struct chaff_reader *r;
    char *copy;
};

/* A reader over an exactly sized copy of 'len' bytes of 's', named 'name'. */
static struct opened open_as(const char *s, size_t len, const char *name, enum chaff_format format,
                             int defer, uint64_t max_record)
{
    struct opened o;
    o.copy = malloc(len > 0 ? len : 1);
    assert_non_null(o.copy);
    memcpy(o.copy, s, len);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.format = format;
    opt.defer_html = defer;
    opt.skip_bad = 1;
    if (max_record > 0)
        opt.max_record_bytes = max_record;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(o.copy, len, name, &opt, &o.r, &err), CHAFF_OK);
    return o;
}

static void close_opened(struct opened o)
{
    chaff_reader_close(o.r);
    free(o.copy);
}

static enum chaff_format sniffed(const char *s)
{
    struct opened o = open_as(s, strlen(s), "x", CHAFF_FORMAT_AUTO, 1, 0);
    enum chaff_format f = chaff_reader_format(o.r);
    close_opened(o);
    return f;
}

static void a_leading_tag_comment_or_doctype_is_html(void **state)
{
    (void)state;
    assert_int_equal(sniffed(PAGE), CHAFF_FORMAT_HTML);
    assert_int_equal(sniffed("<html><p>x</p>"), CHAFF_FORMAT_HTML);
    assert_int_equal(sniffed("\n\n  \t<p>Para</p>"), CHAFF_FORMAT_HTML);
    assert_int_equal(sniffed("<!-- saved -->\n<html>"), CHAFF_FORMAT_HTML);
    assert_int_equal(sniffed("<?xml version=\"1.0\"?><html/>"), CHAFF_FORMAT_HTML);
    assert_int_equal(sniffed("\xef\xbb\xbf<html>"), CHAFF_FORMAT_HTML);
    /* text that merely starts with '<', and the other formats */
    assert_int_equal(sniffed("<3 my cat\nsecond line\n"), CHAFF_FORMAT_TEXT);
    assert_int_equal(sniffed("< 5 minutes ago\n"), CHAFF_FORMAT_TEXT);
    assert_int_equal(sniffed("<"), CHAFF_FORMAT_TEXT);
    assert_int_equal(sniffed("Hello <b>x</b>\n"), CHAFF_FORMAT_TEXT);
    assert_int_equal(sniffed("  {\"text\": \"<p>\"}\n"), CHAFF_FORMAT_JSONL);
    assert_int_equal(sniffed("WARC/1.0\r\n"), CHAFF_FORMAT_WARC);
    /* more blanks than the first read holds */
    char *blanks = malloc(200001);
    assert_non_null(blanks);
    memset(blanks, '\n', 100000);
    strcpy(blanks + 100000, "<p>late</p>");
    assert_int_equal(sniffed(blanks), CHAFF_FORMAT_TEXT); /* past the 64 KiB sniffed */
    memset(blanks, ' ', 1000);
    strcpy(blanks + 1000, "<p>soon</p>");
    assert_int_equal(sniffed(blanks), CHAFF_FORMAT_HTML);
    free(blanks);
}

static void the_whole_input_is_one_page_named_by_its_base_name(void **state)
{
    (void)state;
    static const struct {
        const char *name, *id;
    } names[] = {
        {"/x/y/abc.html", "abc"},  {"abc.html.gz", "abc"}, {"dir.d/page.htm.zst", "page"},
        {"noext", "noext"},        {".hidden", ".hidden"}, {"a.b.xhtml", "a.b"},
        {"<stdin>", "<stdin>"},
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        struct opened o = open_as(PAGE, strlen(PAGE), names[i].name, CHAFF_FORMAT_AUTO, 1, 0);
        struct chaff_page page;
        struct chaff_error err = {0};
        assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
        assert_string_equal(page.id, names[i].id);
        assert_int_equal(page.is_html, 1);
        assert_int_equal(page.nparas, 0);
        assert_int_equal(page.html_len, strlen(PAGE));
        assert_memory_equal(page.html, PAGE, strlen(PAGE));
        assert_null(page.charset);
        assert_int_equal(page.index, 0);
        assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
        struct chaff_reader_stats st;
        chaff_reader_stats(o.r, &st);
        assert_int_equal(st.pages, 1);
        assert_int_equal(st.bytes, strlen(PAGE));
        close_opened(o);
    }
}

static void a_page_is_made_into_paragraphs_unless_deferred(void **state)
{
    (void)state;
    struct opened o = open_as(PAGE, strlen(PAGE), "p.html", CHAFF_FORMAT_AUTO, 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "p");
    assert_int_equal(page.is_html, 1);
    assert_null(page.html);
    assert_true(page.nparas >= 1);
    assert_non_null(page.structure);
    assert_int_equal(page.structure->off[0], 0);
    for (size_t i = 0; i < page.nparas; i++) {
        assert_true(page.lens[i] > 0);
        assert_int_equal(page.paras[i][page.lens[i]], '\0');
    }
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void gzip_input_is_decompressed_then_sniffed(void **state)
{
    (void)state;
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY), Z_OK);
    unsigned char gz[512];
    zs.next_in = (Bytef *)(uintptr_t)PAGE;
    zs.avail_in = (uInt)strlen(PAGE);
    zs.next_out = gz;
    zs.avail_out = sizeof(gz);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    size_t n = sizeof(gz) - zs.avail_out;
    deflateEnd(&zs);
    struct opened o = open_as((const char *)gz, n, "/tmp/q.html.gz", CHAFF_FORMAT_AUTO, 1, 0);
    assert_int_equal(chaff_reader_format(o.r), CHAFF_FORMAT_HTML);
    assert_int_equal(chaff_reader_compression(o.r), CHAFF_COMPRESSION_GZIP);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "q");
    assert_memory_equal(page.html, PAGE, strlen(PAGE));
    close_opened(o);
}

static void a_page_over_the_limit_is_reported_and_skipped(void **state)
{
    (void)state;
    struct opened o = open_as(PAGE, strlen(PAGE), "big.html", CHAFF_FORMAT_AUTO, 1, 20);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_NOMEM);
    assert_string_equal(err.where, "big.html: byte 0");
    char want[128];
    snprintf(want, sizeof(want),
             "HTML page of %zu bytes exceeds the limit of 20 bytes (--max-record); skipped",
             strlen(PAGE));
    assert_string_equal(err.msg, want);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    /* exactly at the limit is fine */
    struct opened o2 = open_as(PAGE, strlen(PAGE), "ok.html", CHAFF_FORMAT_AUTO, 1, strlen(PAGE));
    assert_int_equal(chaff_reader_next(o2.r, &page, &err), 1);
    assert_int_equal(page.html_len, strlen(PAGE));
    close_opened(o2);
    close_opened(o);
}

static void blank_or_empty_input_is_no_page(void **state)
{
    (void)state;
    static const char *const inputs[] = {"", " \n\t\r\n\f"};
    for (size_t i = 0; i < 2; i++) {
        struct opened o = open_as(inputs[i], strlen(inputs[i]), "e.html", CHAFF_FORMAT_HTML, 1, 0);
        assert_int_equal(chaff_reader_format(o.r), CHAFF_FORMAT_HTML);
        struct chaff_page page;
        struct chaff_error err = {0};
        assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
        close_opened(o);
    }
    /* --format html takes text too: it is HTML without tags */
    struct opened o = open_as("plain\n", 6, "t.txt", CHAFF_FORMAT_HTML, 1, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "t");
    assert_int_equal(page.html_len, 6);
    close_opened(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(a_leading_tag_comment_or_doctype_is_html),
        cmocka_unit_test(the_whole_input_is_one_page_named_by_its_base_name),
        cmocka_unit_test(a_page_is_made_into_paragraphs_unless_deferred),
        cmocka_unit_test(gzip_input_is_decompressed_then_sniffed),
        cmocka_unit_test(a_page_over_the_limit_is_reported_and_skipped),
        cmocka_unit_test(blank_or_empty_input_is_no_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
