/*
 * test_pipeline.c - the threaded pipeline (chaff_pipeline_*): pages come back in input order
 * with the labels chaff_classify_page() gives them, whatever the number of threads and however
 * small the budget; problems come in order with the pages; pushing never blocks; pages of HTML
 * are made into paragraphs by the workers; closing with pages in flight frees everything.
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

#define NPAGES 3000

static const char *const words[] = {
    "Home", "News", "Accept all cookies", "We use cookies to improve your experience.",
    "The council approved the budget on Tuesday after a long debate about the new bridge.",
    "Privacy policy", "Share on Facebook", "Contact", "",
    "Residents said the plan would bring more traffic to the old town centre."};
#define NWORDS (sizeof(words) / sizeof(words[0]))

/* Page 'i' of the test: between 0 and 11 paragraphs drawn from 'words'. */
static size_t test_page(size_t i, const char **paras, size_t *lens)
{
    size_t n = (i * 7) % 12;
    for (size_t k = 0; k < n; k++) {
        paras[k] = words[(i + 3 * k) % NWORDS];
        lens[k] = strlen(paras[k]);
    }
    return n;
}

static int setup(void **state)
{
    struct chaff_model *m = NULL;
    if (chaff_model_load_default(&m, NULL) != CHAFF_OK)
        return -1;
    *state = m;
    return 0;
}

static int teardown(void **state)
{
    chaff_model_free(*state);
    return 0;
}

static void check_page(struct chaff_classifier *cl, size_t i, const struct chaff_pipeline_item *it)
{
    const char *paras[16];
    size_t lens[16];
    struct chaff_result want[16];
    size_t n = test_page(i, paras, lens);
    assert_int_equal(it->page->nparas, n);
    if (n > 0)
        assert_int_equal(chaff_classify_page(cl, paras, lens, n, want, NULL), CHAFF_OK);
    for (size_t k = 0; k < n; k++) {
        assert_int_equal(it->page->lens[k], lens[k]);
        assert_memory_equal(it->page->paras[k], paras[k], lens[k]);
        assert_int_equal(it->results[k].label, want[k].label);
        assert_true(it->results[k].confidence == want[k].confidence);
    }
}

/* Pushes NPAGES pages into a pipeline of 'threads' threads and budget 'budget', taking pages out
 * whenever it is full, and checks every page against chaff_classify_page(). */
static void push_and_take(const struct chaff_model *m, unsigned threads, size_t budget)
{
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = m;
    opt.threads = threads;
    opt.max_inflight_bytes = budget;
    struct chaff_pipeline *pl = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_pipeline_create(&opt, &pl, &err), CHAFF_OK);
    struct chaff_classifier *cl = chaff_classifier_create(m);
    assert_non_null(cl);
    struct chaff_pipeline_item it;
    size_t taken = 0, full = 0;
    char id[32];
    for (size_t i = 0; i < NPAGES; i++) {
        const char *paras[16];
        size_t lens[16];
        struct chaff_page page;
        memset(&page, 0, sizeof(page));
        snprintf(id, sizeof(id), "p%zu", i);
        page.id = id;
        page.nparas = test_page(i, paras, lens);
        page.paras = paras;
        page.lens = lens;
        int rc;
        while ((rc = chaff_pipeline_push(pl, &page, &err)) == 0) {
            full++;
            assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
            check_page(cl, taken, &it);
            snprintf(id, sizeof(id), "p%zu", taken);
            assert_string_equal(it.page->id, id);
            snprintf(id, sizeof(id), "p%zu", i);
            taken++;
        }
        assert_int_equal(rc, 1);
    }
    int rc;
    while ((rc = chaff_pipeline_next(pl, &it, &err)) == 1) {
        check_page(cl, taken, &it);
        assert_ptr_equal(it.model, m);
        assert_string_equal(it.input, "");
        assert_null(it.output);
        taken++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(taken, NPAGES);
    if (budget > 0 && budget < 4096)
        assert_true(full > 0); /* the budget did stop pushing */
    struct chaff_pipeline_stats st;
    chaff_pipeline_stats(pl, &st);
    assert_int_equal(st.pages, NPAGES);
    /* Pushing more after everything was taken works too. */
    const char *p1[] = {"Home"};
    size_t l1[] = {4};
    struct chaff_page page = {.id = "late", .nparas = 1, .paras = p1, .lens = l1};
    assert_int_equal(chaff_pipeline_push(pl, &page, &err), 1);
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_string_equal(it.page->id, "late");
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 0);
    chaff_classifier_free(cl);
    chaff_pipeline_close(pl);
}

static void pushed_pages_come_back_in_order_with_their_labels(void **state)
{
    push_and_take(*state, 1, 0);
    push_and_take(*state, 3, 0);
}

static void a_tiny_budget_makes_push_wait_for_next_without_blocking(void **state)
{
    push_and_take(*state, 2, 1);
}

static void split_pages_need_the_right_number_of_separators(void **state)
{
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = *state;
    struct chaff_pipeline *pl = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_pipeline_create(&opt, &pl, &err), CHAFF_OK);
    const char text[] = "Home\nNews\nWe use cookies.";
    assert_int_equal(chaff_pipeline_push_split(pl, "a", text, sizeof(text) - 1, '\n', 3, &err), 1);
    assert_int_equal(chaff_pipeline_push_split(pl, "b", text, sizeof(text) - 1, '\n', 2, &err), -1);
    assert_int_equal(err.code, CHAFF_ERR_USAGE);
    assert_int_equal(chaff_pipeline_push_split(pl, "c", "", 0, '\n', 0, &err), 1);
    assert_int_equal(chaff_pipeline_push_split(pl, "d", "", 0, '\n', 1, &err), 1);
    struct chaff_pipeline_item it;
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_string_equal(it.page->id, "a");
    assert_int_equal(it.page->nparas, 3);
    assert_int_equal(it.page->lens[2], strlen("We use cookies."));
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_string_equal(it.page->id, "c");
    assert_int_equal(it.page->nparas, 0);
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_string_equal(it.page->id, "d");
    assert_int_equal(it.page->nparas, 1);
    assert_int_equal(it.page->lens[0], 0);
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 0);
    chaff_pipeline_close(pl);
}

static void files_come_back_in_order_with_their_problems(void **state)
{
    const char *paths[] = {CHAFF_TEST_DATA "/sample_page.txt", CHAFF_TEST_DATA "/missing.txt",
                           CHAFF_TEST_DATA "/sample_page.txt"};
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = *state;
    opt.threads = 2;
    opt.write = 1;
    opt.writer.output = CHAFF_OUTPUT_LABELS;
    struct chaff_pipeline *pl = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_pipeline_open_files(&opt, paths, 3, &pl, &err), CHAFF_OK);
    assert_int_equal(chaff_pipeline_push(pl, NULL, &err), -1); /* not a pushed pipeline */
    assert_int_equal(err.code, CHAFF_ERR_USAGE);
    struct chaff_pipeline_item it;
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_string_equal(it.input, paths[0]);
    assert_string_equal(it.page->id, paths[0]); /* a text file's page is named by its path */
    assert_int_equal(it.format, CHAFF_FORMAT_TEXT);
    const size_t n = it.page->nparas;
    assert_true(n > 10);
    /* The output is one label per line, the labels of the results. */
    size_t lines = 0;
    for (size_t k = 0; k < it.output_len; k++)
        lines += it.output[k] == '\n';
    assert_int_equal(lines, n);
    const char *first = chaff_model_label_name(it.model, it.results[0].label);
    assert_memory_equal(it.output, first, strlen(first));
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), -2);
    assert_int_equal(err.code, CHAFF_ERR_IO);
    assert_string_equal(err.where, paths[1]);
    assert_non_null(strstr(err.msg, "cannot open"));
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 1);
    assert_int_equal(it.page->nparas, n);
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 0);
    struct chaff_pipeline_stats st;
    chaff_pipeline_stats(pl, &st);
    assert_int_equal(st.pages, 2);
    assert_int_equal(st.paragraphs, 2 * n);
    chaff_pipeline_close(pl);
}

static void pages_of_html_are_made_into_paragraphs_by_the_workers(void **state)
{
    FILE *f = fopen(CHAFF_TEST_DATA "/sample_page.html", "rb");
    assert_non_null(f);
    static char html[1 << 20];
    size_t len = fread(html, 1, sizeof(html), f);
    fclose(f);
    struct chaff_html *hx = chaff_html_create();
    struct chaff_page want;
    memset(&want, 0, sizeof(want));
    assert_int_equal(chaff_html_extract(hx, html, len, NULL, &want, NULL), CHAFF_OK);
    struct chaff_model *hm = NULL;
    const int have_html_model = chaff_model_load_default_html(&hm, NULL) == CHAFF_OK;
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = *state;
    opt.html_model = hm;
    opt.threads = 2;
    struct chaff_pipeline *pl = NULL;
    assert_int_equal(chaff_pipeline_create(&opt, &pl, NULL), CHAFF_OK);
    struct chaff_page page;
    memset(&page, 0, sizeof(page));
    page.id = "sample";
    page.html = html;
    page.html_len = len;
    page.is_html = 1;
    assert_int_equal(chaff_pipeline_push(pl, &page, NULL), 1);
    struct chaff_pipeline_item it;
    assert_int_equal(chaff_pipeline_next(pl, &it, NULL), 1);
    assert_int_equal(it.format, CHAFF_FORMAT_HTML);
    assert_int_equal(it.page->nparas, want.nparas);
    assert_non_null(it.page->structure);
    for (size_t k = 0; k < want.nparas; k++) {
        assert_int_equal(it.page->lens[k], want.lens[k]);
        assert_memory_equal(it.page->paras[k], want.paras[k], want.lens[k]);
        assert_int_equal(it.page->structure->off[k + 1], want.structure->off[k + 1]);
    }
    assert_ptr_equal(it.model, have_html_model ? hm : *state);
    assert_int_equal(chaff_pipeline_next(pl, &it, NULL), 0);
    chaff_pipeline_close(pl);
    chaff_html_free(hx);
    chaff_model_free(hm);
}

static void a_text_page_for_an_html_model_is_a_problem_in_its_place(void **state)
{
    (void)state;
    struct chaff_model *hm = NULL;
    if (chaff_model_load_default_html(&hm, NULL) != CHAFF_OK)
        skip();
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = hm;
    struct chaff_pipeline *pl = NULL;
    assert_int_equal(chaff_pipeline_create(&opt, &pl, NULL), CHAFF_OK);
    const char *p[] = {"Home"};
    size_t l[] = {4};
    struct chaff_page page = {.id = "text", .nparas = 1, .paras = p, .lens = l};
    struct chaff_page empty = {.id = "empty"};
    assert_int_equal(chaff_pipeline_push(pl, &empty, NULL), 1);
    assert_int_equal(chaff_pipeline_push(pl, &page, NULL), 1);
    assert_int_equal(chaff_pipeline_push(pl, &empty, NULL), 1);
    struct chaff_pipeline_item it;
    struct chaff_error err = {0};
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), -2);
    assert_non_null(strstr(err.msg, "page empty: the model needs HTML input"));
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), -2);
    assert_non_null(strstr(err.msg, "page text: the model needs HTML input"));
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), -2);
    assert_int_equal(chaff_pipeline_next(pl, &it, &err), 0);
    chaff_pipeline_close(pl);
    chaff_model_free(hm);
}

static void closing_with_pages_in_flight_frees_them(void **state)
{
    const char *paths[] = {CHAFF_TEST_DATA "/sample_page.txt", CHAFF_TEST_DATA "/sample_page.txt"};
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = *state;
    opt.threads = 2;
    struct chaff_pipeline *pl = NULL;
    assert_int_equal(chaff_pipeline_open_files(&opt, paths, 2, &pl, NULL), CHAFF_OK);
    chaff_pipeline_close(pl); /* nothing taken */
    assert_int_equal(chaff_pipeline_create(&opt, &pl, NULL), CHAFF_OK);
    const char *p[] = {"Home", "News"};
    size_t l[] = {4, 4};
    struct chaff_page page = {.id = "x", .nparas = 2, .paras = p, .lens = l};
    for (int i = 0; i < 100; i++)
        assert_int_equal(chaff_pipeline_push(pl, &page, NULL), 1);
    struct chaff_pipeline_item it;
    assert_int_equal(chaff_pipeline_next(pl, &it, NULL), 1);
    chaff_pipeline_close(pl); /* 99 pages in flight */
    chaff_pipeline_close(NULL);
    assert_int_equal(chaff_pipeline_create(NULL, &pl, NULL), CHAFF_ERR_USAGE);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(pushed_pages_come_back_in_order_with_their_labels),
        cmocka_unit_test(a_tiny_budget_makes_push_wait_for_next_without_blocking),
        cmocka_unit_test(split_pages_need_the_right_number_of_separators),
        cmocka_unit_test(files_come_back_in_order_with_their_problems),
        cmocka_unit_test(pages_of_html_are_made_into_paragraphs_by_the_workers),
        cmocka_unit_test(a_text_page_for_an_html_model_is_a_problem_in_its_place),
        cmocka_unit_test(closing_with_pages_in_flight_frees_them),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
