/*
 * test_reader_text.c - the plain text page reader: paragraphs are non-blank lines, a line holding
 * only a form feed separates pages, CRLF and a missing final newline are accepted, lines of any
 * length are read whole, and errors name the file.
 */
#include "chaff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "../temp_file.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Writes the 'len' bytes of 'data' to a new temporary file whose path goes to 'path'. */
static void write_temp(const void *data, size_t len, char path[static 512])
{
    write_temp_named("reader", data, len, path);
}

/* Opens a text reader with default options on a temporary file holding 'len' bytes of 's'. */
static struct chaff_reader *open_bytes(const char *s, size_t len, char path[static 512])
{
    write_temp(s, len, path);
    struct chaff_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open(path, NULL, &r, &err), CHAFF_OK);
    assert_non_null(r);
    return r;
}

static struct chaff_reader *open_string(const char *s, char path[static 512])
{
    return open_bytes(s, strlen(s), path);
}

/* Reads the next page and asserts that it holds exactly the paragraphs 'want' (NULL-ended). */
static void expect_page(struct chaff_reader *r, const char *const *want, struct chaff_page *page)
{
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, page, &err), 1);
    size_t n = 0;
    while (want[n] != NULL)
        n++;
    assert_int_equal(page->nparas, n);
    for (size_t i = 0; i < n; i++) {
        assert_int_equal(page->lens[i], strlen(want[i]));
        assert_memory_equal(page->paras[i], want[i], page->lens[i] + 1); /* NUL-terminated */
    }
}

static void expect_end(struct chaff_reader *r)
{
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, &page, &err), 0);
    assert_int_equal(chaff_reader_next(r, &page, &err), 0); /* and stays there */
}

static void each_non_blank_line_is_a_paragraph(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("\nHome\n\n  \nNews | Sport\n\t\n \t \v\nArticle text.\n\n",
                                         path);
    struct chaff_page page;
    static const char *const want[] = {"Home", "News | Sport", "Article text.", NULL};
    expect_page(r, want, &page);
    assert_string_equal(page.id, path);
    assert_int_equal(page.index, 0);
    assert_int_equal(page.offset, 0);
    assert_int_equal(chaff_reader_format(r), CHAFF_FORMAT_TEXT);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void paragraphs_keep_their_bytes(void **state)
{
    (void)state;
    char path[512];
    /* Leading spaces, inner tabs, invalid UTF-8 and a NUL byte are the paragraph's own. */
    static const char data[] = "  indented\ttab\n\xff\xfe bad\na\0b\n";
    struct chaff_reader *r = open_bytes(data, sizeof(data) - 1, path);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, &page, &err), 1);
    assert_int_equal(page.nparas, 3);
    assert_string_equal(page.paras[0], "  indented\ttab");
    assert_string_equal(page.paras[1], "\xff\xfe bad");
    assert_int_equal(page.lens[2], 3);
    assert_memory_equal(page.paras[2], "a\0b", 4);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void crlf_line_ends_are_stripped(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("one\r\n\r\ntwo \r\nthree\r", path);
    struct chaff_page page;
    static const char *const want[] = {"one", "two ", "three", NULL};
    expect_page(r, want, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void form_feed_line_separates_pages(void **state)
{
    (void)state;
    char path[512];
    static const char data[] = "a1\na2\n\f\nb1\n\n\f\r\nc1\nc2\nc3\n";
    struct chaff_reader *r = open_string(data, path);
    struct chaff_page page;
    static const char *const p0[] = {"a1", "a2", NULL};
    static const char *const p1[] = {"b1", NULL};
    static const char *const p2[] = {"c1", "c2", "c3", NULL};
    char id[600];
    expect_page(r, p0, &page);
    assert_string_equal(page.id, path);
    assert_int_equal(page.index, 0);
    assert_int_equal(page.offset, 0);
    expect_page(r, p1, &page);
    snprintf(id, sizeof(id), "%s#1", path);
    assert_string_equal(page.id, id);
    assert_int_equal(page.index, 1);
    assert_int_equal(page.offset, strstr(data, "b1") - data);
    expect_page(r, p2, &page);
    snprintf(id, sizeof(id), "%s#2", path);
    assert_string_equal(page.id, id);
    assert_int_equal(page.index, 2);
    assert_int_equal(page.offset, strstr(data, "c1") - data);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void form_feed_beside_text_is_text(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("x\f\n\fy\n", path);
    struct chaff_page page;
    static const char *const want[] = {"x\f", "\fy", NULL};
    expect_page(r, want, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

/* reader_text.c: "Blank lines (empty or white space only) are no paragraphs". A form feed is
 * white space; only a line of exactly one form feed is a page separator. */
static void line_of_form_feeds_and_spaces_is_blank(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("a\n\f\f\n \f\n\f \nb\n", path);
    struct chaff_page page;
    static const char *const want[] = {"a", "b", NULL};
    expect_page(r, want, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void final_separator_does_not_make_an_empty_page(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("only\n\f\n", path);
    struct chaff_page page;
    static const char *const want[] = {"only", NULL};
    expect_page(r, want, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

/* "Empty input -> no output": an empty file gives no page; a file of blank lines gives one page
 * of no paragraphs (nothing to label either). */
static void empty_input_gives_no_paragraphs(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("", path);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);

    r = open_string("\n \n\r\n\t\n", path);
    struct chaff_page page;
    struct chaff_error err = {0};
    int rc;
    size_t nparas = 0;
    while ((rc = chaff_reader_next(r, &page, &err)) == 1)
        nparas += page.nparas;
    assert_int_equal(rc, 0);
    assert_int_equal(nparas, 0);
    chaff_reader_close(r);
    unlink(path);
}

static void consecutive_separators_give_empty_pages_in_between(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("a\n\f\n\f\nb\n", path);
    struct chaff_page page;
    static const char *const p0[] = {"a", NULL};
    static const char *const p1[] = {NULL};
    static const char *const p2[] = {"b", NULL};
    expect_page(r, p0, &page);
    expect_page(r, p1, &page);
    assert_int_equal(page.index, 1);
    expect_page(r, p2, &page);
    assert_int_equal(page.index, 2);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void file_without_final_newline_keeps_its_last_line(void **state)
{
    (void)state;
    char path[512];
    struct chaff_reader *r = open_string("first\nlast", path);
    struct chaff_page page;
    static const char *const want[] = {"first", "last", NULL};
    expect_page(r, want, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);

    r = open_string("single", path);
    static const char *const one[] = {"single", NULL};
    expect_page(r, one, &page);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

/* Writes 'page' as clean output (every paragraph kept) to a memory stream; returns it. */
static char *clean_text(const struct chaff_page *page, size_t *len)
{
    struct chaff_model *m = NULL;
    assert_int_equal(chaff_model_load_default(&m, NULL), CHAFF_OK);
    struct chaff_writer_options wopt;
    chaff_writer_options_defaults(&wopt);
    wopt.output = CHAFF_OUTPUT_CLEAN;
    wopt.keep_mask = ~UINT64_C(0);
    struct chaff_result *res = calloc(page->nparas, sizeof(*res));
    assert_non_null(res);
    char *out = NULL;
    FILE *f = open_memstream(&out, len);
    assert_non_null(f);
    assert_int_equal(chaff_page_write(f, m, &wopt, CHAFF_FORMAT_TEXT, page, res, NULL), CHAFF_OK);
    fclose(f);
    free(res);
    chaff_model_free(m);
    return out;
}

/* A line longer than the hold is held by its first CHAFF_HOLD_PARA_DEFAULT bytes; the writer
 * copies all of it through from the spill (a CR before its newline dropped). */
static void ten_megabyte_line_is_read_whole(void **state)
{
    (void)state;
    const size_t n = 10u << 20;
    char *data = malloc(n + 16);
    assert_non_null(data);
    for (size_t i = 0; i < n; i++)
        data[i] = (char)('a' + i % 26);
    memcpy(data + n, "\nnext\n", 6);
    data[n / 2] = '\r'; /* kept: only a CR before the newline is dropped */
    char path[512];
    struct chaff_reader *r = open_bytes(data, n + 6, path);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, &page, &err), 1);
    assert_int_equal(page.nparas, 2);
    assert_int_equal(page.lens[0], CHAFF_HOLD_PARA_DEFAULT);
    assert_int_equal(chaff_page_para_len(&page, 0), n);
    assert_int_equal(chaff_page_para_len(&page, 1), 4);
    assert_non_null(page.spill);
    assert_memory_equal(page.paras[0], data, CHAFF_HOLD_PARA_DEFAULT);
    assert_int_equal(page.paras[0][CHAFF_HOLD_PARA_DEFAULT], '\0');
    assert_string_equal(page.paras[1], "next");
    size_t len = 0;
    char *out = clean_text(&page, &len);
    assert_int_equal(len, n + 6);
    assert_memory_equal(out, data, n + 6);
    free(out);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
    free(data);
}

/* A page of more than part_paras paragraphs comes in parts: same id and index, paragraph
 * indices going on, the last part (here empty, as the page ends on a full part) not 'more'. */
static void a_long_page_comes_in_parts(void **state)
{
    (void)state;
    static const char in[] = "a\nb\nc\nd\n\ne\nf\n\f\ng\n";
    char path[512];
    write_temp(in, sizeof(in) - 1, path);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.part_paras = 3;
    struct chaff_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open(path, &opt, &r, &err), CHAFF_OK);
    static const struct {
        size_t nparas, base;
        unsigned part, more;
        const char *first;
        uint64_t index;
    } want[] = {{3, 0, 0, 1, "a", 0}, {3, 3, 1, 1, "d", 0}, {0, 6, 2, 0, NULL, 0},
                {1, 0, 0, 0, "g", 1}};
    struct chaff_page page;
    for (size_t k = 0; k < sizeof(want) / sizeof(want[0]); k++) {
        assert_int_equal(chaff_reader_next(r, &page, &err), 1);
        assert_int_equal(page.nparas, want[k].nparas);
        assert_int_equal(page.para_base, want[k].base);
        assert_int_equal(page.part, want[k].part);
        assert_int_equal(page.more, want[k].more);
        assert_int_equal(page.index, want[k].index);
        if (want[k].first != NULL)
            assert_string_equal(page.paras[0], want[k].first);
        char id[600];
        snprintf(id, sizeof(id), want[k].index == 0 ? "%s" : "%s#1", path);
        assert_string_equal(page.id, id);
    }
    expect_end(r);
    struct chaff_reader_stats st;
    chaff_reader_stats(r, &st);
    assert_int_equal(st.pages, 2);
    chaff_reader_close(r);
    unlink(path);
}

static void explicit_text_format_reads_the_same(void **state)
{
    (void)state;
    char path[512];
    write_temp("{\"text\": \"not json to this reader\"}\n", 36, path);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    assert_int_equal(opt.format, CHAFF_FORMAT_AUTO);
    assert_int_equal(opt.skip_bad, 0);
    opt.format = CHAFF_FORMAT_TEXT;
    struct chaff_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open(path, &opt, &r, &err), CHAFF_OK);
    struct chaff_page page;
    static const char *const want[] = {"{\"text\": \"not json to this reader\"}", NULL};
    expect_page(r, want, &page);
    assert_int_equal(chaff_reader_format(r), CHAFF_FORMAT_TEXT);
    expect_end(r);
    chaff_reader_close(r);
    unlink(path);
}

static void missing_file_is_an_io_error_naming_the_path(void **state)
{
    (void)state;
    struct chaff_reader *r = (struct chaff_reader *)1;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open("/nonexistent/chaff/page.txt", NULL, &r, &err),
                     CHAFF_ERR_IO);
    assert_null(r);
    assert_int_equal(err.code, CHAFF_ERR_IO);
    assert_string_equal(err.where, "/nonexistent/chaff/page.txt");
    assert_non_null(strstr(err.msg, "No such file or directory"));
    chaff_reader_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(each_non_blank_line_is_a_paragraph),
        cmocka_unit_test(paragraphs_keep_their_bytes),
        cmocka_unit_test(crlf_line_ends_are_stripped),
        cmocka_unit_test(form_feed_line_separates_pages),
        cmocka_unit_test(form_feed_beside_text_is_text),
        cmocka_unit_test(line_of_form_feeds_and_spaces_is_blank),
        cmocka_unit_test(final_separator_does_not_make_an_empty_page),
        cmocka_unit_test(empty_input_gives_no_paragraphs),
        cmocka_unit_test(consecutive_separators_give_empty_pages_in_between),
        cmocka_unit_test(file_without_final_newline_keeps_its_last_line),
        cmocka_unit_test(ten_megabyte_line_is_read_whole),
        cmocka_unit_test(a_long_page_comes_in_parts),
        cmocka_unit_test(explicit_text_format_reads_the_same),
        cmocka_unit_test(missing_file_is_an_io_error_naming_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
