/*
 * dataset.h - the layout of struct chaff_dataset, shared by dataset.c (which fills it from TSV)
 * and train.c (which reads it). All paragraph texts live in one arena.
 */
#ifndef CHAFF_LIB_DATASET_H
#define CHAFF_LIB_DATASET_H

#include "chaff.h"

struct chaff_dataset_page {
    size_t first;  /* index of the page's first paragraph */
    size_t n;      /* number of paragraphs */
    uint32_t lang; /* index into langs */
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
    /* A page's language is that of its first row; the rows of one page (consecutive rows of one
     * file with the same page id) may name other languages, which are not recorded. */
};

#endif
