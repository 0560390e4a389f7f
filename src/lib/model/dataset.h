/*
 * dataset.h - the layout of struct chaff_dataset, shared by dataset.c (which fills it from TSV)
 * and train.c (which reads it). All paragraph texts live in one arena.
 */
#ifndef CHAFF_LIB_DATASET_H
#define CHAFF_LIB_DATASET_H

#include "chaff.h"

/* The label of a paragraph that no labelled row was aligned with (HTML datasets): it is
 * featurised with its page but neither trained on nor scored. */
#define CHAFF_LABEL_NONE UINT32_MAX

struct chaff_dataset_page {
    size_t first;  /* index of the page's first paragraph */
    size_t n;      /* number of paragraphs */
    uint32_t lang; /* index into langs */
    uint32_t site; /* HTML datasets: index into sites (the host of its URL); else 0 */
    size_t id_off; /* HTML datasets: offset of its NUL-terminated id in ids; else SIZE_MAX */
};

/* A labelled row the extraction of its page did not reproduce (HTML datasets): evaluation
 * scores it as predicted navigation. */
struct chaff_dataset_gold_row {
    size_t page;    /* index into pages */
    uint32_t label; /* index into labels */
    uint64_t nchars;
};

struct chaff_dataset {
    char *arena;            /* paragraph texts, each NUL-terminated */
    size_t arena_len, arena_cap;
    size_t *text_off;       /* [npara] offset of paragraph i's text in arena */
    size_t *text_len;       /* [npara] its length in bytes */
    uint32_t *label;        /* [npara] index into labels */
    size_t npara, para_cap;
    struct chaff_dataset_page *pages;
    size_t npages, pages_cap;
    char **labels;          /* distinct label names, first-seen order */
    size_t nlabels, labels_cap;
    char **langs;           /* distinct language codes, first-seen order */
    size_t nlangs, langs_cap;
    char *last_page_id;     /* id of the last page read, to group consecutive rows */
    char *last_file;        /* the file it came from: a page never spans two files */
    /* HTML datasets (chaff_dataset_read_html): the paragraphs' structure features, paragraph
     * i's being st_tokens[st_first[i] .. st_first[i + 1]) (st_first has npara + 1 entries). */
    int has_structure;
    uint64_t *st_tokens;
    size_t st_len, st_cap;
    size_t *st_first;
    size_t st_first_cap;
    uint32_t *st_groups;    /* CHAFF_STRUCT_GROUPS per paragraph (chaff_page_structure.groups) */
    size_t st_groups_cap;
    char **sites;           /* distinct sites (URL hosts), first-seen order */
    size_t nsites, sites_cap;
    char *ids;              /* page ids, each NUL-terminated */
    size_t ids_len, ids_cap;
    struct chaff_dataset_gold_row *missing; /* labelled rows not reproduced */
    size_t nmissing, missing_cap;
    /* A page's language is that of its first row; the rows of one page (consecutive rows of one
     * file with the same page id) may name other languages, which are not recorded. */
};

/* Shared by dataset.c and dataset_html.c. Reallocates the array 'p' of 'cap' elements of 'size'
 * bytes to hold 'need' (doubling); returns it and sets *cap_out, or NULL (p still valid). */
void *chaff_dataset_grow(void *p, size_t cap, size_t need, size_t size, size_t *cap_out);
/* Index of 'name' in names[0..*n), appending a copy when new; -1 when out of memory. */
long chaff_dataset_intern(char ***names, size_t *n, size_t *cap, const char *name);
/* Room for one more paragraph in text_off, text_len and label. Returns 0 or -1. */
int chaff_dataset_grow_paragraphs(struct chaff_dataset *ds);
/* The structure of page 'page' of an HTML dataset, for chaff_classify_page_structured():
 * fills 'st', its offsets in 'off' (the page's paragraph count + 1 entries, caller-owned).
 * Returns 'st', or NULL for a dataset of text pages. */
const struct chaff_page_structure *chaff_dataset_page_structure(const struct chaff_dataset *ds,
                                                                size_t page, uint32_t *off,
                                                                struct chaff_page_structure *st);
/* The id of page 'page' of an HTML dataset (borrowed), or NULL. */
const char *chaff_dataset_page_id(const struct chaff_dataset *ds, size_t page);

#endif
