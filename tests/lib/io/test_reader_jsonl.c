/*
 * test_reader_jsonl.c - the JSONL page reader: paragraphs are the non-blank lines of "text", the
 * id is "id" (string or integer), else "url", else NAME:LINE; broken lines are reported with
 * their line number, and skipped with skip_bad.
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

struct opened {
    struct chaff_reader *r;
    char *copy; /* exactly sized heap copy of the input */
};

static struct opened open_jsonl(const char *s, int skip_bad, uint64_t max_record)
{
    struct opened o;
    size_t len = strlen(s);
    o.copy = malloc(len > 0 ? len : 1);
    assert_non_null(o.copy);
    memcpy(o.copy, s, len);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.skip_bad = skip_bad;
    if (max_record > 0)
        opt.max_record_bytes = max_record;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(o.copy, len, "p.jsonl", &opt, &o.r, &err), CHAFF_OK);
    assert_int_equal(chaff_reader_format(o.r), CHAFF_FORMAT_JSONL);
    return o;
}

static void close_opened(struct opened o)
{
    chaff_reader_close(o.r);
    free(o.copy);
}

static void paragraphs_are_the_non_blank_lines_of_text(void **state)
{
    (void)state;
    struct opened o = open_jsonl("{\"id\":\"p1\",\"url\":\"http://x/\",\"text\":\"One.\\r\\n\\n  "
                                 "\\nTwo \\u00e9.\\n\",\"k\":1}\n",
                                 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "p1");
    assert_string_equal(page.url, "http://x/");
    assert_int_equal(page.nparas, 2);
    assert_string_equal(page.paras[0], "One.");
    assert_string_equal(page.paras[1], "Two \xc3\xa9.");
    assert_int_equal(page.lineno, 1);
    assert_int_equal(page.raw_len, strlen(page.raw));
    assert_non_null(strstr(page.raw, "\"k\":1"));
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void id_falls_back_to_url_then_to_the_line(void **state)
{
    (void)state;
    struct opened o = open_jsonl("{\"id\":42,\"text\":\"a\"}\n\n{\"url\":\"u\",\"text\":\"b\"}\n"
                                 "{\"text\":\"\"}\n",
                                 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "42");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "u");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "p.jsonl:4");
    assert_int_equal(page.nparas, 0);
    assert_int_equal(page.index, 2);
    close_opened(o);
}

static void nul_inside_text_is_kept(void **state)
{
    (void)state;
    struct opened o = open_jsonl("{\"text\":\"a\\u0000b\"}\n", 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(page.nparas, 1);
    assert_int_equal(page.lens[0], 3);
    assert_memory_equal(page.paras[0], "a\0b", 4);
    close_opened(o);
}

/* The members -o jsonl passes through come with the page, without the ones it writes anew. */
static void other_members_come_with_the_page(void **state)
{
    (void)state;
    struct opened o = open_jsonl(
        "{\"id\":\"p1\",\"text\":\"a\",\"labels\":[1],\"meta\":{\"k\":\"x\\u0000y\"},"
        "\"confidences\":0,\"n\":2}\n{\"text\":\"b\"}\n",
        0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_non_null(page.fields);
    assert_string_equal(page.fields, "{\"id\":\"p1\",\"meta\":{\"k\":\"x\\u0000y\"},\"n\":2}");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.fields, "{}");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

/* What JSON does not allow and json-c would take is refused, each line with its reason: a
 * number that is not finite, an integer json-c would clamp, invalid UTF-8, anything after the
 * object, a line that ends inside it. Numbers pass through as they were written. */
static void values_json_c_would_bend_are_refused(void **state)
{
    (void)state;
    struct opened o = open_jsonl("{\"text\":\"a\",\"v\":NaN}\n"
                                 "{\"text\":\"a\",\"v\":[-Infinity]}\n"
                                 "{\"text\":\"a\",\"v\":99999999999999999999}\n"
                                 "{\"text\":\"a\",\"v\":-99999999999999999999}\n"
                                 "{\"text\":\"bad \xff\"}\n"
                                 "{\"text\":\"a\"} x\n"
                                 "{\"text\":\"a\n"
                                 "null\n"
                                 "42\n"
                                 "{\"id\":18446744073709551614,\"text\":\"ok\",\"v\":[1e5,2.50,-0.0]}\n",
                                 1, 0);
    static const char *const why[] = {
        "invalid JSON: a number is not finite",
        "invalid JSON: a number is not finite",
        "invalid JSON: an integer is out of range",
        "invalid JSON: an integer is out of range",
        "invalid JSON: invalid utf-8 string at byte 13",
        "invalid JSON: unexpected character at byte 13",
        "invalid JSON: the line ends inside the value",
        "expected a JSON object",
        "expected a JSON object",
    };
    struct chaff_page page;
    struct chaff_error err = {0};
    for (size_t i = 0; i < sizeof(why) / sizeof(why[0]); i++) {
        assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
        char where[32];
        snprintf(where, sizeof(where), "p.jsonl:%zu", i + 1);
        assert_string_equal(err.where, where);
        assert_string_equal(err.msg, why[i]);
    }
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.id, "18446744073709551614");
    assert_string_equal(page.fields, "{\"id\":18446744073709551614,\"v\":[1e5,2.50,-0.0]}");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void broken_lines_are_skipped_with_their_line_number(void **state)
{
    (void)state;
    struct opened o =
        open_jsonl("{\"text\":\"a\"}\n{\"text\":\n[1,2]\n{\"text\":7}\n{\"text\":\"z\"}", 1, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_PARSE);
    assert_string_equal(err.where, "p.jsonl:2");
    assert_non_null(strstr(err.msg, "invalid JSON: "));
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_string_equal(err.where, "p.jsonl:3");
    assert_string_equal(err.msg, "expected a JSON object");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_string_equal(err.where, "p.jsonl:4");
    assert_string_equal(err.msg, "\"text\" is not a string");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1); /* no final newline */
    assert_string_equal(page.paras[0], "z");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    struct chaff_reader_stats st;
    chaff_reader_stats(o.r, &st);
    assert_int_equal(st.pages, 2);
    assert_int_equal(st.bad, 3);
    close_opened(o);
}

static void without_skip_bad_a_broken_line_stops_the_reader(void **state)
{
    (void)state;
    struct opened o = open_jsonl("{\"text\":\"a\"}\n{oops}\n{\"text\":\"z\"}\n", 0, 0);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -2);
    assert_string_equal(err.where, "p.jsonl:2");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 0);
    close_opened(o);
}

static void a_line_over_the_limit_names_the_limit(void **state)
{
    (void)state;
    struct opened o = open_jsonl(
        "{\"text\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n{\"text\":\"b\"}\n", 1, 32);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(o.r, &page, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_NOMEM);
    assert_string_equal(err.where, "p.jsonl:1");
    assert_string_equal(err.msg,
                        "line of 49 bytes exceeds the limit of 32 bytes (--max-record)");
    assert_int_equal(chaff_reader_next(o.r, &page, &err), 1);
    assert_string_equal(page.paras[0], "b");
    assert_string_equal(page.id, "p.jsonl:2");
    close_opened(o);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paragraphs_are_the_non_blank_lines_of_text),
        cmocka_unit_test(id_falls_back_to_url_then_to_the_line),
        cmocka_unit_test(nul_inside_text_is_kept),
        cmocka_unit_test(other_members_come_with_the_page),
        cmocka_unit_test(values_json_c_would_bend_are_refused),
        cmocka_unit_test(broken_lines_are_skipped_with_their_line_number),
        cmocka_unit_test(without_skip_bad_a_broken_line_stops_the_reader),
        cmocka_unit_test(a_line_over_the_limit_names_the_limit),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
