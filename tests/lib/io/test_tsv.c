/*
 * test_tsv.c - the labelled TSV format: escapes, field splitting, line ends, error locations.
 */
#include "chaff.h"
#include "tsv.h"

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
    write_temp_named("tsv", data, len, path);
}

/* Opens a reader on a temporary file holding the string 's'. */
static struct chaff_tsv_reader *open_string(const char *s, char path[static 512])
{
    write_temp(s, strlen(s), path);
    struct chaff_tsv_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_open(path, &r, &err), CHAFF_OK);
    assert_non_null(r);
    return r;
}

/* Reads rows of 's' until the first error and checks it is CHAFF_ERR_PARSE at line 'line' with
 * the message 'msg'. */
static void assert_parse_error(const char *s, unsigned line, const char *msg)
{
    char path[512];
    struct chaff_tsv_reader *r = open_string(s, path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    int got;
    while ((got = chaff_tsv_next(r, &row, &err)) > 0)
        ;
    assert_int_equal(got, -1);
    assert_int_equal(err.code, CHAFF_ERR_PARSE);
    char where[600];
    snprintf(where, sizeof(where), "%s:%u", path, line);
    assert_string_equal(err.where, where);
    assert_string_equal(err.msg, msg);
    chaff_tsv_close(r);
    unlink(path);
}

/* The TSV escape of 'len' bytes, one byte at a time (the reference for the fast escapers). */
static size_t naive_escape(char *dst, const char *text, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        const char c = text[i];
        const char e = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n' : c == '\r' ? 'r' : 0;
        if (e != 0) {
            dst[n++] = '\\';
            dst[n++] = e;
        } else {
            dst[n++] = c;
        }
    }
    return n;
}

static void escapes_round_trip_through_write_and_unescape(void **state)
{
    (void)state;
    static const char text[] = "a\\b\tc\nd\re\\\\t \xc3\xa7\0end\\";
    const size_t len = sizeof(text) - 1;
    char *buf = NULL;
    size_t buf_len = 0;
    FILE *mem = open_memstream(&buf, &buf_len);
    assert_non_null(mem);
    assert_int_equal(chaff_tsv_write_escaped(mem, text, len), 0);
    assert_int_equal(fclose(mem), 0);
    assert_null(memchr(buf, '\t', buf_len));
    assert_null(memchr(buf, '\n', buf_len));
    assert_null(memchr(buf, '\r', buf_len));
    assert_memory_equal(buf, "a\\\\b\\tc\\nd\\re\\\\\\\\t \xc3\xa7\0end\\\\", buf_len);

    /* Decode from an exactly sized copy so an over-read is caught by the sanitizer. */
    char *copy = malloc(buf_len);
    assert_non_null(copy);
    memcpy(copy, buf, buf_len);
    assert_int_equal(chaff_tsv_unescape(copy, buf_len), (long)len);
    assert_memory_equal(copy, text, len);
    free(copy);

    /* Escaping into memory gives the same bytes, within its bound of 2 bytes per input byte. */
    char *dst = malloc(2 * len);
    assert_non_null(dst);
    assert_int_equal(chaff_tsv_escape(dst, text, len), buf_len);
    assert_memory_equal(dst, buf, buf_len);
    static const char all_escaped[] = "\\\t\n\r";
    assert_int_equal(chaff_tsv_escape(dst, all_escaped, 4), 8);
    assert_memory_equal(dst, "\\\\\\t\\n\\r", 8);
    assert_int_equal(chaff_tsv_escape(dst, NULL, 0), 0);
    free(dst);
    free(buf);

    /* The escaper skips eight bytes at a time: one special byte at every offset of 40, and
     * text that ends in mid-block, give what the FILE writer and a byte-by-byte escape give. */
    static const char specials[] = "\\\t\n\r";
    char text40[40], out40[80], ref[80], naive[80];
    for (size_t len40 = 1; len40 <= 40; len40 += 13)
        for (size_t at = 0; at < len40; at++)
            for (size_t k = 0; k < 4; k++) {
                memset(text40, 'x', sizeof(text40));
                text40[at] = specials[k];
                FILE *f = fmemopen(ref, sizeof(ref), "w");
                assert_non_null(f);
                assert_int_equal(chaff_tsv_write_escaped(f, text40, len40), 0);
                long n = ftell(f);
                fclose(f);
                assert_int_equal(chaff_tsv_escape(out40, text40, len40), (size_t)n);
                assert_memory_equal(out40, ref, (size_t)n);
                assert_int_equal(n, (long)len40 + 1);
                assert_int_equal(naive_escape(naive, text40, len40), (size_t)n);
                assert_memory_equal(naive, ref, (size_t)n);
            }

    /* The FILE writer escapes in chunks: specials on both sides of its chunk boundaries. */
    enum { LONG = 10000 };
    char *text_long = malloc(LONG), *want = malloc(2 * LONG), *got = NULL;
    assert_non_null(text_long);
    assert_non_null(want);
    for (size_t i = 0; i < LONG; i++)
        text_long[i] = (i % 4096 == 0 || i % 4096 == 4095 || i % 97 == 0) ? specials[i % 4]
                                                                            : (char)('a' + i % 26);
    size_t want_len = naive_escape(want, text_long, LONG), got_len = 0;
    FILE *f = open_memstream(&got, &got_len);
    assert_non_null(f);
    assert_int_equal(chaff_tsv_write_escaped(f, text_long, LONG), 0);
    assert_int_equal(fclose(f), 0);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    free(got);
    free(want);
    free(text_long);
}

static void unescape_leaves_text_without_backslashes_alone(void **state)
{
    (void)state;
    char *copy = malloc(5);
    assert_non_null(copy);
    memcpy(copy, "plain", 5);
    assert_int_equal(chaff_tsv_unescape(copy, 5), 5);
    assert_memory_equal(copy, "plain", 5);
    assert_int_equal(chaff_tsv_unescape(copy, 0), 0);
    free(copy);
}

static void unescape_rejects_unknown_escapes_and_a_lone_final_backslash(void **state)
{
    (void)state;
    static const char *const bad[] = {"a\\xb", "\\0", "ends with\\", "\\", "\\\\\\", "\\N"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        size_t len = strlen(bad[i]);
        char *copy = malloc(len);
        assert_non_null(copy);
        memcpy(copy, bad[i], len);
        assert_int_equal(chaff_tsv_unescape(copy, len), -1);
        free(copy);
    }
}

static void reader_splits_four_fields_and_decodes_the_text(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r =
        open_string("p1\ten\tcontent\tHello\\tworld\\n\\\\\np1\tfr\tnavigation\tAccueil\n", path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.page_id, "p1");
    assert_string_equal(row.lang, "en");
    assert_string_equal(row.label, "content");
    assert_int_equal(row.text_len, 13);
    assert_memory_equal(row.text, "Hello\tworld\n\\", 14); /* with its NUL */
    assert_int_equal(row.line, 1);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.lang, "fr");
    assert_string_equal(row.label, "navigation");
    assert_string_equal(row.text, "Accueil");
    assert_int_equal(row.line, 2);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void too_few_fields_is_an_error_at_file_and_line(void **state)
{
    (void)state;
    assert_parse_error("p\ten\tcontent\tok\np\ten\tcontent\n", 2,
                       "expected 4 tab-separated fields, found 3");
    assert_parse_error("just text\n", 1, "expected 4 tab-separated fields, found 1");
}

static void too_many_fields_is_an_error_at_file_and_line(void **state)
{
    (void)state;
    assert_parse_error("p\ten\tcontent\tok\n\np\ten\tcontent\ta\tb\n", 3,
                       "expected 4 tab-separated fields, found 5");
    assert_parse_error("p\ten\tcontent\ta\t\t\n", 1, "expected 4 tab-separated fields, found 6");
}

static void bad_escape_is_an_error_at_file_and_line(void **state)
{
    (void)state;
    assert_parse_error("p\ten\tcontent\tok\np\ten\tcontent\tC:\\xyz\n", 2,
                       "bad escape '\\x' in text");
    assert_parse_error("p\ten\tcontent\ta\\\n", 1, "lone backslash at the end of the text");
    assert_parse_error("p\ten\tcontent\ta\\ b\n", 1,
                       "bad escape: backslash before byte 0x20 in text");
}

static void empty_page_id_or_label_is_an_error(void **state)
{
    (void)state;
    assert_parse_error("\ten\tcontent\ttext\n", 1, "empty page id");
    assert_parse_error("p\ten\t\ttext\n", 1, "empty label");
}

static void nul_byte_outside_the_text_is_an_error(void **state)
{
    (void)state;
    char path[512];
    static const char data[] = "p\0q\ten\tcontent\ttext\n";
    write_temp(data, sizeof(data) - 1, path);
    struct chaff_tsv_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_open(path, &r, &err), CHAFF_OK);
    struct chaff_tsv_row row;
    assert_int_equal(chaff_tsv_next(r, &row, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_PARSE);
    assert_string_equal(err.msg, "NUL byte in the page id field");
    chaff_tsv_close(r);
    unlink(path);
}

static void crlf_line_ends_are_stripped(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r = open_string("p\ten\tcontent\tone\r\np\ten\tcontent\ttwo\\r\r\n"
                                             "p\ten\tcontent\tthree\r",
                                             path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.text, "one");
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.text, "two\r"); /* an escaped CR is data */
    assert_int_equal(row.text_len, 4);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.text, "three");
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void final_line_without_newline_is_a_row(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r = open_string("p\ten\tcontent\tfirst\np\tde\tconsent\tlast", path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.label, "consent");
    assert_string_equal(row.text, "last");
    assert_int_equal(row.line, 2);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void blank_lines_are_skipped_but_counted(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r = open_string("\n\r\np\ten\tcontent\tthird\n\n", path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_int_equal(row.line, 3);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void empty_text_is_a_row_and_empty_lang_reads_as_und(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r = open_string("p\t\tcontent\t\n", path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.lang, "und");
    assert_string_equal(row.text, "");
    assert_int_equal(row.text_len, 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void raw_nul_byte_in_the_text_is_kept(void **state)
{
    (void)state;
    char path[512];
    static const char data[] = "p\ten\tcontent\ta\0b\\tc\n";
    write_temp(data, sizeof(data) - 1, path);
    struct chaff_tsv_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_open(path, &r, &err), CHAFF_OK);
    struct chaff_tsv_row row;
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_int_equal(row.text_len, 5);
    assert_memory_equal(row.text, "a\0b\tc", 6); /* NUL-terminated after the decoded text */
    chaff_tsv_close(r);
    unlink(path);
}

static void empty_file_has_no_rows(void **state)
{
    (void)state;
    char path[512];
    struct chaff_tsv_reader *r = open_string("", path);
    struct chaff_tsv_row row;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
}

static void ten_megabyte_line_is_one_row(void **state)
{
    (void)state;
    const size_t n = 10u << 20;
    const size_t head = sizeof("big\txx\tcontent\t") - 1;
    char *data = malloc(head + n + 2 + 20);
    assert_non_null(data);
    memcpy(data, "big\txx\tcontent\t", head);
    for (size_t i = 0; i < n; i++)
        data[head + i] = (char)('a' + i % 26);
    memcpy(data + head + n, "\\n\nb\txx\tcontent\tz\n", 18);
    char path[512];
    write_temp(data, head + n + 18, path);
    struct chaff_tsv_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_open(path, &r, &err), CHAFF_OK);
    struct chaff_tsv_row row;
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_int_equal(row.text_len, n + 1);
    assert_memory_equal(row.text, data + head, n);
    assert_int_equal(row.text[n], '\n');
    assert_int_equal(chaff_tsv_next(r, &row, &err), 1);
    assert_string_equal(row.text, "z");
    assert_int_equal(row.line, 2);
    assert_int_equal(chaff_tsv_next(r, &row, &err), 0);
    chaff_tsv_close(r);
    unlink(path);
    free(data);
}

static void missing_file_is_an_io_error_naming_the_path(void **state)
{
    (void)state;
    struct chaff_tsv_reader *r = (struct chaff_tsv_reader *)1;
    struct chaff_error err = {0};
    assert_int_equal(chaff_tsv_open("/nonexistent/chaff/rows.tsv", &r, &err), CHAFF_ERR_IO);
    assert_null(r);
    assert_string_equal(err.where, "/nonexistent/chaff/rows.tsv");
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    chaff_tsv_close(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(escapes_round_trip_through_write_and_unescape),
        cmocka_unit_test(unescape_leaves_text_without_backslashes_alone),
        cmocka_unit_test(unescape_rejects_unknown_escapes_and_a_lone_final_backslash),
        cmocka_unit_test(reader_splits_four_fields_and_decodes_the_text),
        cmocka_unit_test(too_few_fields_is_an_error_at_file_and_line),
        cmocka_unit_test(too_many_fields_is_an_error_at_file_and_line),
        cmocka_unit_test(bad_escape_is_an_error_at_file_and_line),
        cmocka_unit_test(empty_page_id_or_label_is_an_error),
        cmocka_unit_test(nul_byte_outside_the_text_is_an_error),
        cmocka_unit_test(crlf_line_ends_are_stripped),
        cmocka_unit_test(final_line_without_newline_is_a_row),
        cmocka_unit_test(blank_lines_are_skipped_but_counted),
        cmocka_unit_test(empty_text_is_a_row_and_empty_lang_reads_as_und),
        cmocka_unit_test(raw_nul_byte_in_the_text_is_kept),
        cmocka_unit_test(empty_file_has_no_rows),
        cmocka_unit_test(ten_megabyte_line_is_one_row),
        cmocka_unit_test(missing_file_is_an_io_error_naming_the_path),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
