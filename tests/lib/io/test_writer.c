/*
 * test_writer.c - the page writer: every output form writes a page whose results are in
 * range, and a result whose label is not one of the model's is refused before anything is
 * written (the label names would be missing).
 */
#include "chaff.h"
#include "model.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct chaff_model *three_labels(void)
{
    static const char *const labels[] = {"content", "navigation", "consent"};
    struct chaff_features_config cfg;
    chaff_features_config_defaults(&cfg);
    cfg.hash_bits = 10;
    struct chaff_model *m = chaff_model_new(&cfg, 3, labels, 8);
    assert_non_null(m);
    return m;
}

/* Writes the two-paragraph page with labels 'l0' and 'l1' in form 'output'; returns the
 * status and the output in *text (free() it). */
static int write_page(const struct chaff_model *m, enum chaff_output output, uint32_t l0,
                      uint32_t l1, char **text)
{
    static const char *const paras[] = {"Hello world.", "Home | News"};
    static const size_t lens[] = {12, 11};
    struct chaff_page page;
    memset(&page, 0, sizeof(page));
    page.id = "p1";
    page.url = "";
    page.nparas = 2;
    page.paras = paras;
    page.lens = lens;
    struct chaff_result res[2] = {{l0, 0.75f}, {l1, 0.5f}};
    struct chaff_writer_options opt;
    chaff_writer_options_defaults(&opt);
    opt.output = output;
    size_t len = 0;
    FILE *f = open_memstream(text, &len);
    assert_non_null(f);
    struct chaff_error err = {0};
    int rc = chaff_page_write(f, m, &opt, CHAFF_FORMAT_TEXT, &page, res, &err);
    assert_int_equal(fclose(f), 0);
    if (rc != CHAFF_OK)
        assert_true(err.msg[0] != '\0');
    return rc;
}

static void every_form_writes_a_page(void **state)
{
    (void)state;
    struct chaff_model *m = three_labels();
    char *text = NULL;
    assert_int_equal(write_page(m, CHAFF_OUTPUT_TSV, 0, 1, &text), CHAFF_OK);
    assert_string_equal(text, "content\t0.7500\tHello world.\nnavigation\t0.5000\tHome | News\n");
    free(text);
    assert_int_equal(write_page(m, CHAFF_OUTPUT_LABELS, 2, 1, &text), CHAFF_OK);
    assert_string_equal(text, "consent\nnavigation\n");
    free(text);
    assert_int_equal(write_page(m, CHAFF_OUTPUT_JSONL, 0, 1, &text), CHAFF_OK);
    assert_string_equal(text, "{\"id\":\"p1\",\"labels\":[\"content\",\"navigation\"],"
                              "\"confidences\":[0.7500,0.5000],\"text\":\"Hello world.\"}\n");
    free(text);
    assert_int_equal(write_page(m, CHAFF_OUTPUT_CLEAN, 0, 1, &text), CHAFF_OK);
    assert_string_equal(text, "Hello world.\n");
    free(text);
    chaff_model_free(m);
}

static void a_label_the_model_lacks_is_refused(void **state)
{
    (void)state;
    struct chaff_model *m = three_labels();
    static const enum chaff_output forms[] = {CHAFF_OUTPUT_TSV, CHAFF_OUTPUT_LABELS,
                                              CHAFF_OUTPUT_JSONL, CHAFF_OUTPUT_CLEAN};
    for (size_t k = 0; k < sizeof(forms) / sizeof(forms[0]); k++) {
        char *text = NULL;
        assert_int_equal(write_page(m, forms[k], 0, 3, &text), CHAFF_ERR_USAGE);
        assert_string_equal(text, ""); /* nothing written */
        free(text);
    }
    chaff_model_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(every_form_writes_a_page),
        cmocka_unit_test(a_label_the_model_lacks_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
