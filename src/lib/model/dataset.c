/*
 * dataset.c - labelled pages in memory, filled from TSV files for training.
 *
 * Paragraph texts are appended to one arena, each NUL-terminated, and addressed by offset so the
 * arena may move when it grows; the per-paragraph arrays (text_off, text_len, label) grow
 * together. All growth doubles, so a million rows cost about twenty reallocations. Consecutive
 * rows of one file with the same page id form one page; a page's language is that of its first
 * row. A file that fails to read leaves the dataset exactly as it was before the call.
 */
#include "dataset.h"
#include "error.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chaff_dataset *chaff_dataset_create(void)
{
    return calloc(1, sizeof(struct chaff_dataset));
}

static void free_names(char **names, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++)
        free(names[i]);
}

void chaff_dataset_free(struct chaff_dataset *ds)
{
    if (ds == NULL)
        return;
    free(ds->arena);
    free(ds->text_off);
    free(ds->text_len);
    free(ds->label);
    free(ds->pages);
    free_names(ds->labels, 0, ds->nlabels);
    free(ds->labels);
    free_names(ds->langs, 0, ds->nlangs);
    free(ds->langs);
    free(ds->last_page_id);
    free(ds->last_file);
    free(ds->st_tokens);
    free(ds->st_first);
    free(ds->st_groups);
    free_names(ds->sites, 0, ds->nsites);
    free(ds->sites);
    free(ds->ids);
    free(ds->missing);
    free(ds);
}

size_t chaff_dataset_npages(const struct chaff_dataset *ds)
{
    return ds->npages;
}

size_t chaff_dataset_nparagraphs(const struct chaff_dataset *ds)
{
    return ds->npara;
}

size_t chaff_dataset_nlabels(const struct chaff_dataset *ds)
{
    return ds->nlabels;
}

const char *chaff_dataset_label_name(const struct chaff_dataset *ds, size_t i)
{
    return i < ds->nlabels ? ds->labels[i] : NULL;
}

/* Returns the capacity, doubled from 'cap' (16 when 0), that holds 'need' elements of 'size'
 * bytes, or 0 when that many bytes do not fit a size_t. */
static size_t grown_capacity(size_t cap, size_t need, size_t size)
{
    size_t ncap = cap != 0 ? cap : 16;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return 0;
        ncap *= 2;
    }
    return ncap <= SIZE_MAX / size ? ncap : 0;
}

/* Reallocates the array 'p' of 'cap' elements of 'size' bytes to hold 'need' elements. Returns
 * the array (moved or not) and sets *cap_out, or returns NULL when out of memory, leaving 'p'
 * valid. */
void *chaff_dataset_grow(void *p, size_t cap, size_t need, size_t size, size_t *cap_out)
{
    *cap_out = cap;
    if (need <= cap)
        return p;
    size_t ncap = grown_capacity(cap, need, size);
    void *q = ncap != 0 ? realloc(p, ncap * size) : NULL;
    if (q != NULL)
        *cap_out = ncap;
    return q;
}

/* The three per-paragraph arrays share 'para_cap', committed only once all three have grown;
 * after a failure they are all still usable at the old capacity. */
int chaff_dataset_grow_paragraphs(struct chaff_dataset *ds)
{
    if (ds->npara < ds->para_cap)
        return 0;
    size_t cap = 0;
    void *p = chaff_dataset_grow(ds->text_off, ds->para_cap, ds->npara + 1, sizeof(*ds->text_off), &cap);
    if (p == NULL)
        return -1;
    ds->text_off = p;
    if ((p = realloc(ds->text_len, cap * sizeof(*ds->text_len))) == NULL)
        return -1;
    ds->text_len = p;
    if ((p = realloc(ds->label, cap * sizeof(*ds->label))) == NULL)
        return -1;
    ds->label = p;
    ds->para_cap = cap;
    return 0;
}

/* Returns the index of 'name' in names[0..*n), appending a copy when it is new; -1 when out of
 * memory or past the uint32_t index range. '*cap' is the capacity of *names. */
long chaff_dataset_intern(char ***names, size_t *n, size_t *cap, const char *name)
{
    for (size_t i = *n; i-- > 0;)
        if (strcmp((*names)[i], name) == 0)
            return (long)i;
    if (*n >= UINT32_MAX)
        return -1;
    char **grown = chaff_dataset_grow(*names, *cap, *n + 1, sizeof(**names), cap);
    if (grown == NULL)
        return -1;
    *names = grown;
    char *copy = strdup(name);
    if (copy == NULL)
        return -1;
    (*names)[*n] = copy;
    return (long)(*n)++;
}

static int set_string(char **dst, const char *src)
{
    char *copy = strdup(src);
    if (copy == NULL)
        return -1;
    free(*dst);
    *dst = copy;
    return 0;
}

int chaff_dataset_read_tsv(struct chaff_dataset *ds, const char *path, struct chaff_error *err)
{
    struct chaff_error local;
    if (err == NULL)
        err = &local; /* the reader's code is needed even when the caller ignores details */
    if (ds->has_structure)
        return chaff_error_set(err, CHAFF_ERR_USAGE, path,
                               "TSV pages cannot join a dataset of HTML pages");
    struct chaff_tsv_reader *r = NULL;
    int rc = chaff_tsv_open(path, &r, err);
    if (rc != CHAFF_OK)
        return rc;

    /* What to roll back to when this file fails. */
    const size_t old_npara = ds->npara, old_npages = ds->npages, old_arena = ds->arena_len;
    const size_t old_nlabels = ds->nlabels, old_nlangs = ds->nlangs;
    long last_label = -1; /* cache: rows of one page mostly share labels */
    const char *where = strcmp(path, "-") == 0 ? "<stdin>" : path;

    /* A page never spans two files, nor two reads of the same file. */
    free(ds->last_page_id);
    ds->last_page_id = NULL;
    if (set_string(&ds->last_file, where) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, where, "out of memory");
        goto out;
    }

    struct chaff_tsv_row row;
    int got;
    while ((got = chaff_tsv_next(r, &row, err)) > 0) {
        char line_where[sizeof(err->where)];
        int new_page = ds->last_page_id == NULL || strcmp(ds->last_page_id, row.page_id) != 0;
        if (new_page) {
            long lang = chaff_dataset_intern(&ds->langs, &ds->nlangs, &ds->langs_cap, row.lang);
            if (lang < 0 || set_string(&ds->last_page_id, row.page_id) != 0)
                goto nomem;
            struct chaff_dataset_page *pages =
                chaff_dataset_grow(ds->pages, ds->pages_cap, ds->npages + 1, sizeof(*pages), &ds->pages_cap);
            if (pages == NULL)
                goto nomem;
            ds->pages = pages;
            ds->pages[ds->npages].first = ds->npara;
            ds->pages[ds->npages].n = 0;
            ds->pages[ds->npages].lang = (uint32_t)lang;
            ds->pages[ds->npages].site = 0;
            ds->pages[ds->npages].id_off = SIZE_MAX;
            ds->npages++;
        }
        if (last_label < 0 || strcmp(ds->labels[last_label], row.label) != 0) {
            last_label = chaff_dataset_intern(&ds->labels, &ds->nlabels, &ds->labels_cap, row.label);
            if (last_label < 0)
                goto nomem;
        }
        if (row.text_len >= SIZE_MAX - ds->arena_len)
            goto nomem;
        char *arena =
            chaff_dataset_grow(ds->arena, ds->arena_cap, ds->arena_len + row.text_len + 1, 1, &ds->arena_cap);
        if (arena == NULL)
            goto nomem;
        ds->arena = arena;
        if (chaff_dataset_grow_paragraphs(ds) != 0)
            goto nomem;
        memcpy(ds->arena + ds->arena_len, row.text, row.text_len);
        ds->arena[ds->arena_len + row.text_len] = '\0';
        ds->text_off[ds->npara] = ds->arena_len;
        ds->text_len[ds->npara] = row.text_len;
        ds->label[ds->npara] = (uint32_t)last_label;
        ds->arena_len += row.text_len + 1;
        ds->npara++;
        ds->pages[ds->npages - 1].n++;
        continue;
    nomem:
        snprintf(line_where, sizeof(line_where), "%s:%llu", where, (unsigned long long)row.line);
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, line_where, "out of memory");
        goto out;
    }
    if (got < 0)
        rc = err->code;

out:
    chaff_tsv_close(r);
    if (rc != CHAFF_OK) {
        ds->npara = old_npara;
        ds->npages = old_npages;
        ds->arena_len = old_arena;
        free_names(ds->labels, old_nlabels, ds->nlabels);
        ds->nlabels = old_nlabels;
        free_names(ds->langs, old_nlangs, ds->nlangs);
        ds->nlangs = old_nlangs;
        free(ds->last_page_id);
        ds->last_page_id = NULL;
    }
    return rc;
}
