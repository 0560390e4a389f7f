/*
 * test_dataset.c - labelled pages read from TSV: page grouping, label and language tables,
 * the text arena, and a failed file leaving the dataset unchanged.
 */
#include "chaff.h"
#include "dataset.h"

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
    write_temp_named("dataset", data, len, path);
}

/* Reads the string 's' as a TSV file into 'ds'; returns the status. */
static int read_string(struct chaff_dataset *ds, const char *s, struct chaff_error *err)
{
    char path[512];
    write_temp(s, strlen(s), path);
    int rc = chaff_dataset_read_tsv(ds, path, err);
    unlink(path);
    return rc;
}

static const char *text_of(const struct chaff_dataset *ds, size_t i)
{
    return ds->arena + ds->text_off[i];
}

static void consecutive_rows_with_one_page_id_form_one_page(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(read_string(ds,
                                 "a\ten\tnavigation\tHome\n"
                                 "a\ten\tcontent\tThe article.\n"
                                 "b\tde\tconsent\tAlle akzeptieren\n"
                                 "b\tde\tcontent\tDer Artikel.\n"
                                 "b\tde\tnavigation\tImpressum\n",
                                 &err),
                     CHAFF_OK);
    assert_int_equal(chaff_dataset_npages(ds), 2);
    assert_int_equal(chaff_dataset_nparagraphs(ds), 5);
    assert_int_equal(ds->pages[0].first, 0);
    assert_int_equal(ds->pages[0].n, 2);
    assert_int_equal(ds->pages[1].first, 2);
    assert_int_equal(ds->pages[1].n, 3);
    assert_int_equal(ds->nlangs, 2);
    assert_string_equal(ds->langs[ds->pages[0].lang], "en");
    assert_string_equal(ds->langs[ds->pages[1].lang], "de");

    /* Labels in first-seen order. */
    assert_int_equal(chaff_dataset_nlabels(ds), 3);
    assert_string_equal(chaff_dataset_label_name(ds, 0), "navigation");
    assert_string_equal(chaff_dataset_label_name(ds, 1), "content");
    assert_string_equal(chaff_dataset_label_name(ds, 2), "consent");
    assert_null(chaff_dataset_label_name(ds, 3));
    assert_int_equal(ds->label[2], 2);
    assert_int_equal(ds->label[4], 0);

    /* Texts are NUL-terminated in the arena. */
    assert_string_equal(text_of(ds, 0), "Home");
    assert_int_equal(ds->text_len[1], strlen("The article."));
    assert_string_equal(text_of(ds, 4), "Impressum");
    chaff_dataset_free(ds);
}

static void interleaved_page_ids_form_separate_pages(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(read_string(ds,
                                 "a\ten\tcontent\tone\n"
                                 "b\ten\tcontent\ttwo\n"
                                 "a\ten\tcontent\tthree\n",
                                 &err),
                     CHAFF_OK);
    assert_int_equal(chaff_dataset_npages(ds), 3);
    assert_int_equal(ds->pages[2].first, 2);
    assert_int_equal(ds->pages[2].n, 1);
    assert_int_equal(ds->nlangs, 1);
    chaff_dataset_free(ds);
}

static void a_page_never_spans_two_files(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(read_string(ds, "a\ten\tcontent\tone\n", &err), CHAFF_OK);
    assert_int_equal(read_string(ds, "a\ten\tcontent\ttwo\n", &err), CHAFF_OK);
    assert_int_equal(chaff_dataset_npages(ds), 2);
    assert_int_equal(chaff_dataset_nparagraphs(ds), 2);
    assert_int_equal(chaff_dataset_nlabels(ds), 1);
    chaff_dataset_free(ds);
}

static void escapes_and_nul_bytes_reach_the_arena_decoded(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    char path[512];
    static const char data[] = "p\t\tcontent\ta\\tb\0c\\\\\n";
    write_temp(data, sizeof(data) - 1, path);
    assert_int_equal(chaff_dataset_read_tsv(ds, path, &err), CHAFF_OK);
    unlink(path);
    assert_int_equal(ds->text_len[0], 6);
    assert_memory_equal(text_of(ds, 0), "a\tb\0c\\", 7);
    assert_string_equal(ds->langs[0], "und");
    chaff_dataset_free(ds);
}

static void a_failed_file_leaves_the_dataset_unchanged(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(read_string(ds, "a\ten\tcontent\tone\n", &err), CHAFF_OK);
    char path[512];
    static const char bad[] = "a\tfr\tconsent\ttwo\nb\tde\tnavigation\tthree\nb\tde\tbroken\n";
    write_temp(bad, sizeof(bad) - 1, path);
    assert_int_equal(chaff_dataset_read_tsv(ds, path, &err), CHAFF_ERR_PARSE);
    char where[600];
    snprintf(where, sizeof(where), "%s:3", path);
    assert_string_equal(err.where, where);
    assert_string_equal(err.msg, "expected 4 tab-separated fields, found 3");
    /* Also without an error struct. */
    assert_int_equal(chaff_dataset_read_tsv(ds, path, NULL), CHAFF_ERR_PARSE);
    unlink(path);

    assert_int_equal(chaff_dataset_npages(ds), 1);
    assert_int_equal(chaff_dataset_nparagraphs(ds), 1);
    assert_int_equal(chaff_dataset_nlabels(ds), 1);
    assert_int_equal(ds->nlangs, 1);
    assert_int_equal(ds->arena_len, 4);

    /* The dataset is still usable. */
    assert_int_equal(read_string(ds, "c\tpt\tconsent\tAceitar\n", &err), CHAFF_OK);
    assert_int_equal(chaff_dataset_npages(ds), 2);
    assert_string_equal(chaff_dataset_label_name(ds, 1), "consent");
    assert_string_equal(text_of(ds, 1), "Aceitar");
    chaff_dataset_free(ds);
}

static void missing_file_is_an_io_error(void **state)
{
    (void)state;
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(chaff_dataset_read_tsv(ds, "/nonexistent/chaff.tsv", &err), CHAFF_ERR_IO);
    assert_string_equal(err.where, "/nonexistent/chaff.tsv");
    assert_int_equal(chaff_dataset_npages(ds), 0);
    chaff_dataset_free(ds);
    chaff_dataset_free(NULL);
}

static void many_rows_grow_every_array(void **state)
{
    (void)state;
    const size_t nrows = 100000;
    char *data = malloc(nrows * 64);
    assert_non_null(data);
    size_t len = 0;
    for (size_t i = 0; i < nrows; i++)
        len += (size_t)sprintf(data + len, "page%zu\tl%zu\tlabel%zu\tparagraph %zu\n", i / 10,
                               i / 1000 % 7, i % 4, i);
    char path[512];
    write_temp(data, len, path);
    free(data);
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(chaff_dataset_read_tsv(ds, path, &err), CHAFF_OK);
    unlink(path);
    assert_int_equal(chaff_dataset_nparagraphs(ds), nrows);
    assert_int_equal(chaff_dataset_npages(ds), nrows / 10);
    assert_int_equal(chaff_dataset_nlabels(ds), 4);
    assert_int_equal(ds->nlangs, 7);
    assert_string_equal(text_of(ds, nrows - 1), "paragraph 99999");
    assert_int_equal(ds->label[nrows - 1], 3);
    assert_int_equal(ds->pages[nrows / 10 - 1].first, nrows - 10);
    assert_int_equal(ds->pages[nrows / 10 - 1].n, 10);
    chaff_dataset_free(ds);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(consecutive_rows_with_one_page_id_form_one_page),
        cmocka_unit_test(interleaved_page_ids_form_separate_pages),
        cmocka_unit_test(a_page_never_spans_two_files),
        cmocka_unit_test(escapes_and_nul_bytes_reach_the_arena_decoded),
        cmocka_unit_test(a_failed_file_leaves_the_dataset_unchanged),
        cmocka_unit_test(missing_file_is_an_io_error),
        cmocka_unit_test(many_rows_grow_every_array),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
