/*
 * test_eval.c - evaluation metrics on hand-computed confusion matrices: accuracy, per-label and
 * macro precision/recall/F1, their character-weighted versions, and per-language figures.
 *
 * Labels are 0 = content, 1 = consent, 2 = navigation. Expected values are written as the same
 * fractions the library divides, so they compare exactly.
 */
#include "chaff.h"
#include "eval.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>

#define assert_exact(a, b) assert_exact_at((a), (b), #a, __FILE__, __LINE__)

static void assert_exact_at(double got, double want, const char *what, const char *file, int line)
{
    if (got != want) {
        print_error("%s is %.17g, expected %.17g\n", what, got, want);
        _fail(file, line);
    }
}

/* Adds 'n' paragraphs of 'nchars' characters each. */
static void add_n(struct chaff_eval *ev, unsigned n, uint32_t gold, uint32_t pred, const char *lang,
                  uint64_t nchars)
{
    struct chaff_error err = {0};
    for (unsigned i = 0; i < n; i++)
        assert_int_equal(chaff_eval_add(ev, gold, pred, lang, nchars, &err), CHAFF_OK);
}

/*
 *  gold \ pred  content consent navigation
 *  content            5       1          2   support 8
 *  consent            0       3          1   support 4
 *  navigation         1       0          4   support 5
 */
static struct chaff_eval *make_matrix(void)
{
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    add_n(ev, 5, 0, 0, "en", 1);
    add_n(ev, 1, 0, 1, "en", 1);
    add_n(ev, 2, 0, 2, "en", 1);
    add_n(ev, 3, 1, 1, "en", 1);
    add_n(ev, 1, 1, 2, "en", 1);
    add_n(ev, 1, 2, 0, "en", 1);
    add_n(ev, 4, 2, 2, "en", 1);
    return ev;
}

static void paragraph_metrics_match_the_hand_computed_matrix(void **state)
{
    (void)state;
    struct chaff_eval *ev = make_matrix();
    assert_int_equal(chaff_eval_count(ev), 17);
    assert_exact(chaff_eval_accuracy(ev), 12.0 / 17.0);
    assert_int_equal(chaff_eval_confusion(ev, 0, 2), 2);
    assert_int_equal(chaff_eval_confusion(ev, 2, 0), 1);
    assert_int_equal(chaff_eval_confusion(ev, 1, 0), 0);
    assert_int_equal(chaff_eval_confusion(ev, 3, 0), 0);

    struct chaff_label_metrics m;
    chaff_eval_label(ev, 0, &m);
    assert_int_equal(m.support, 8);
    assert_exact(m.precision, 5.0 / 6.0);
    assert_exact(m.recall, 5.0 / 8.0);
    assert_exact(m.f1, 5.0 / 7.0);
    chaff_eval_label(ev, 1, &m);
    assert_int_equal(m.support, 4);
    assert_exact(m.precision, 3.0 / 4.0);
    assert_exact(m.recall, 3.0 / 4.0);
    assert_exact(m.f1, 3.0 / 4.0);
    chaff_eval_label(ev, 2, &m);
    assert_int_equal(m.support, 5);
    assert_exact(m.precision, 4.0 / 7.0);
    assert_exact(m.recall, 4.0 / 5.0);
    assert_exact(m.f1, 2.0 / 3.0);
    assert_exact(chaff_eval_macro_f1(ev), (5.0 / 7.0 + 3.0 / 4.0 + 2.0 / 3.0) / 3.0);

    /* Every paragraph weighs one character here, so the weighted figures are the same. */
    assert_exact(m.char_precision, 4.0 / 7.0);
    assert_exact(chaff_eval_char_macro_f1(ev), chaff_eval_macro_f1(ev));
    chaff_eval_free(ev);
}

static void labels_without_gold_or_predictions_are_left_out_of_macro_f1(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    add_n(ev, 3, 0, 0, "en", 10);
    add_n(ev, 1, 0, 1, "en", 10);
    /* navigation never occurs: macro-F1 averages content (6/7) and consent (0) only. */
    assert_exact(chaff_eval_macro_f1(ev), (6.0 / 7.0 + 0.0) / 2.0);
    struct chaff_label_metrics m;
    chaff_eval_label(ev, 1, &m);
    assert_int_equal(m.support, 0);
    assert_exact(m.precision, 0.0);
    assert_exact(m.recall, 0.0);
    assert_exact(m.f1, 0.0);
    chaff_eval_free(ev);
}

static void char_metrics_weigh_each_paragraph_by_its_length(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    add_n(ev, 1, 0, 0, "en", 100);
    add_n(ev, 1, 0, 1, "en", 10);
    add_n(ev, 1, 1, 1, "de", 20);
    add_n(ev, 1, 2, 2, "de", 0);
    add_n(ev, 1, 2, 0, "en", 30);

    /* Characters:  content: tp 100, gold 110, predicted 130
     *              consent: tp 20, gold 20, predicted 30
     *              navigation: tp 0, gold 30, predicted 0 */
    struct chaff_label_metrics m;
    chaff_eval_label(ev, 0, &m);
    assert_exact(m.char_precision, 100.0 / 130.0);
    assert_exact(m.char_recall, 100.0 / 110.0);
    assert_exact(m.char_f1, 200.0 / 240.0);
    assert_exact(m.precision, 1.0 / 2.0);
    assert_exact(m.recall, 1.0 / 2.0);
    chaff_eval_label(ev, 1, &m);
    assert_exact(m.char_precision, 20.0 / 30.0);
    assert_exact(m.char_recall, 1.0);
    assert_exact(m.char_f1, 40.0 / 50.0);
    chaff_eval_label(ev, 2, &m);
    assert_int_equal(m.support, 2);
    assert_exact(m.char_precision, 0.0);
    assert_exact(m.char_f1, 0.0);
    assert_exact(m.f1, 2.0 / 3.0);
    assert_exact(chaff_eval_char_macro_f1(ev), (200.0 / 240.0 + 40.0 / 50.0 + 0.0) / 3.0);
    assert_exact(chaff_eval_accuracy(ev), 3.0 / 5.0);
    chaff_eval_free(ev);
}

static void languages_are_sorted_with_their_own_macro_f1(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    add_n(ev, 1, 0, 0, "en", 100);
    add_n(ev, 1, 0, 1, "en", 10);
    add_n(ev, 1, 1, 1, "de", 20);
    add_n(ev, 1, 2, 2, "de", 0);
    add_n(ev, 1, 2, 0, "en", 30);
    add_n(ev, 2, 0, 0, "zh", 5);
    add_n(ev, 1, 0, 0, "ar", 5);
    add_n(ev, 1, 1, 1, "", 5);
    add_n(ev, 1, 1, 1, NULL, 5);

    assert_int_equal(chaff_eval_nlangs(ev), 5);
    assert_string_equal(chaff_eval_lang_name(ev, 0), "ar");
    assert_string_equal(chaff_eval_lang_name(ev, 1), "de");
    assert_string_equal(chaff_eval_lang_name(ev, 2), "en");
    assert_string_equal(chaff_eval_lang_name(ev, 3), "und");
    assert_string_equal(chaff_eval_lang_name(ev, 4), "zh");
    assert_null(chaff_eval_lang_name(ev, 5));
    assert_int_equal(chaff_eval_lang_count(ev, 1), 2);
    assert_int_equal(chaff_eval_lang_count(ev, 2), 3);
    assert_int_equal(chaff_eval_lang_count(ev, 3), 2);
    assert_int_equal(chaff_eval_lang_count(ev, 4), 2);

    /* de: consent and navigation perfect, content absent and left out. */
    assert_exact(chaff_eval_lang_macro_f1(ev, 1), 1.0);
    /* en: content tp 1 of gold 2 / predicted 2 (F1 1/2); consent predicted once, never gold
     * (F1 0); navigation gold once, never predicted (F1 0). */
    assert_exact(chaff_eval_lang_macro_f1(ev, 2), (2.0 / 4.0 + 0.0 + 0.0) / 3.0);
    assert_exact(chaff_eval_lang_macro_f1(ev, 4), 1.0);
    assert_int_equal(chaff_eval_count(ev), 10);
    chaff_eval_free(ev);
}

static void empty_evaluation_reports_zeros(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    assert_int_equal(chaff_eval_count(ev), 0);
    assert_exact(chaff_eval_accuracy(ev), 0.0);
    assert_exact(chaff_eval_macro_f1(ev), 0.0);
    assert_exact(chaff_eval_char_macro_f1(ev), 0.0);
    assert_int_equal(chaff_eval_nlangs(ev), 0);
    struct chaff_label_metrics m;
    chaff_eval_label(ev, 0, &m);
    assert_int_equal(m.support, 0);
    assert_exact(m.f1, 0.0);
    chaff_eval_free(ev);
    chaff_eval_free(NULL);
    assert_null(chaff_eval_create_nlabels(0));
}

static void out_of_range_label_is_a_usage_error(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    struct chaff_error err = {0};
    assert_int_equal(chaff_eval_add(ev, 3, 0, "en", 1, &err), CHAFF_ERR_USAGE);
    assert_string_equal(err.msg, "label index 3 out of range (the model has 3 labels)");
    assert_int_equal(chaff_eval_add(ev, 0, 7, "en", 1, NULL), CHAFF_ERR_USAGE);
    assert_int_equal(chaff_eval_count(ev), 0);
    assert_int_equal(chaff_eval_nlangs(ev), 0);
    chaff_eval_free(ev);
}

static void many_languages_stay_sorted(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(2);
    assert_non_null(ev);
    char name[16];
    for (unsigned i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "l%03u", (i * 37u) % 200u); /* a permutation of 0..199 */
        add_n(ev, 1, 0, 1, name, 1);
    }
    assert_int_equal(chaff_eval_nlangs(ev), 200);
    for (unsigned i = 0; i < 200; i++) {
        snprintf(name, sizeof(name), "l%03u", i);
        assert_string_equal(chaff_eval_lang_name(ev, i), name);
        assert_int_equal(chaff_eval_lang_count(ev, i), 1);
        assert_exact(chaff_eval_lang_macro_f1(ev, i), 0.0);
    }
    chaff_eval_free(ev);
}

/* Page A (en): 9 content right, 1 navigation right: macro-F1 1. Page B (en): 1 content predicted
 * navigation, 1 navigation right: content F1 0, navigation F1 2*1/(1+2) = 2/3, macro 1/3.
 * Page C (de): 2 consent right: 1. Pooled, the long page decides; averaged, each page counts. */
static void page_averaged_macro_f1_weighs_pages_alike(void **state)
{
    (void)state;
    struct chaff_eval *ev = chaff_eval_create_nlabels(3);
    assert_non_null(ev);
    assert_int_equal(chaff_eval_end_page(ev), CHAFF_OK); /* empty: no page */
    assert_int_equal(chaff_eval_npages(ev), 0);
    assert_exact(chaff_eval_page_macro_f1(ev), 0.0);
    add_n(ev, 9, 0, 0, "en", 10);
    add_n(ev, 1, 2, 2, "en", 10);
    assert_int_equal(chaff_eval_end_page(ev), CHAFF_OK);
    add_n(ev, 1, 0, 2, "en", 10);
    add_n(ev, 1, 2, 2, "en", 10);
    assert_int_equal(chaff_eval_end_page(ev), CHAFF_OK);
    add_n(ev, 2, 1, 1, "de", 10);
    assert_int_equal(chaff_eval_end_page(ev), CHAFF_OK);
    assert_int_equal(chaff_eval_npages(ev), 3);
    assert_exact(chaff_eval_page_macro_f1(ev), (1.0 + (0.0 + 2.0 / 3.0) / 2.0 + 1.0) / 3.0);
    assert_int_equal(chaff_eval_nlangs(ev), 2);
    assert_string_equal(chaff_eval_lang_name(ev, 1), "en");
    assert_int_equal(chaff_eval_lang_npages(ev, 1), 2);
    assert_exact(chaff_eval_lang_page_macro_f1(ev, 1), (1.0 + (0.0 + 2.0 / 3.0) / 2.0) / 2.0);
    assert_int_equal(chaff_eval_lang_npages(ev, 0), 1);
    assert_exact(chaff_eval_lang_page_macro_f1(ev, 0), 1.0);
    assert_int_equal(chaff_eval_lang_npages(ev, 9), 0);
    chaff_eval_free(ev);
}

static void page_source_is_the_id_up_to_its_first_dash(void **state)
{
    (void)state;
    char out[8];
    chaff_page_source("wcxb-dev0001", out, sizeof(out));
    assert_string_equal(out, "wcxb");
    chaff_page_source("nodash", out, sizeof(out));
    assert_string_equal(out, "nodash");
    chaff_page_source("-x", out, sizeof(out));
    assert_string_equal(out, "und");
    chaff_page_source("waytoolongprefix-1", out, sizeof(out));
    assert_string_equal(out, "und");
    chaff_page_source(NULL, out, sizeof(out));
    assert_string_equal(out, "und");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(paragraph_metrics_match_the_hand_computed_matrix),
        cmocka_unit_test(labels_without_gold_or_predictions_are_left_out_of_macro_f1),
        cmocka_unit_test(char_metrics_weigh_each_paragraph_by_its_length),
        cmocka_unit_test(languages_are_sorted_with_their_own_macro_f1),
        cmocka_unit_test(empty_evaluation_reports_zeros),
        cmocka_unit_test(out_of_range_label_is_a_usage_error),
        cmocka_unit_test(many_languages_stay_sorted),
        cmocka_unit_test(page_averaged_macro_f1_weighs_pages_alike),
        cmocka_unit_test(page_source_is_the_id_up_to_its_first_dash),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
