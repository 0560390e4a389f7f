/*
 * dataset_html.c - labelled pages from HTML: the pages of an HTML input (WARC response records,
 * .html files) joined by page id with the labelled rows of a TSV file, for training and
 * evaluating a model on what the HTML reader makes of a page.
 *
 * Each HTML page becomes a dataset page of all its extracted paragraphs, with their structure
 * features, so that a model sees its pages exactly as it will when classifying. The labelled
 * rows of the page (white space collapsed) are aligned with the extracted lines in order
 * (align.c): an aligned paragraph takes the row's label, an unaligned one CHAFF_LABEL_NONE (not
 * trained on, not scored), and an unaligned row is kept in ds->missing for evaluation, which
 * scores it as predicted navigation. Labelled pages without HTML are empty pages whose rows are
 * all missing; HTML pages without labels are counted and left out.
 */
#include "align.h"
#include "dataset.h"
#include "error.h"
#include "hash.h"
#include "html.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ the labelled pages */

struct gold_page {
    size_t id_off;   /* in gold.names */
    size_t lang_off; /* in gold.names */
    size_t first, n; /* rows */
    int used;
};

struct gold {
    char *names;       /* ids and languages, NUL-terminated */
    size_t names_len, names_cap;
    char *text;        /* row texts, collapsed, NUL-terminated */
    size_t text_len, text_cap;
    size_t *row_off, *row_len;
    uint64_t *row_hash;
    uint32_t *row_label; /* index into ds->labels */
    size_t nrows, rows_cap;
    struct gold_page *pages;
    size_t npages, pages_cap;
    size_t *slots; /* open addressing: page index + 1, 0 empty */
    size_t nslots;
};

static void gold_free(struct gold *g)
{
    free(g->names);
    free(g->text);
    free(g->row_off);
    free(g->row_len);
    free(g->row_hash);
    free(g->row_label);
    free(g->pages);
    free(g->slots);
}

static int put_name(struct gold *g, const char *s, size_t *off_out)
{
    size_t n = strlen(s) + 1;
    char *p = chaff_dataset_grow(g->names, g->names_cap, g->names_len + n, 1, &g->names_cap);
    if (p == NULL)
        return -1;
    g->names = p;
    memcpy(g->names + g->names_len, s, n);
    *off_out = g->names_len;
    g->names_len += n;
    return 0;
}

/* Collapses the white space of 'len' bytes at 's' into 'out' (room for len bytes) as the HTML
 * reader collapses its lines (Python's str.split()): runs become one space, the ends are
 * trimmed. Returns the new length. */
static size_t collapse(const char *s, size_t len, char *out)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t o = 0, i = 0;
    int pending = 0;
    while (i < len) {
        size_t w = chaff_html_space_len(p + i, len - i);
        if (w > 0) {
            pending = o > 0;
            i += w;
            continue;
        }
        if (pending) {
            out[o++] = ' ';
            pending = 0;
        }
        out[o++] = (char)p[i++];
    }
    return o;
}

static uint64_t line_hash(const char *s, size_t len)
{
    return chaff_hash_bytes(s, len, 0x616c69676eu);
}

static int gold_add_row(struct gold *g, uint32_t label, const char *text, size_t len)
{
    size_t cap = g->rows_cap;
    if (g->nrows >= cap) {
        size_t ncap = cap ? cap * 2 : 1024;
        void *p;
        if ((p = realloc(g->row_off, ncap * sizeof(size_t))) == NULL)
            return -1;
        g->row_off = p;
        if ((p = realloc(g->row_len, ncap * sizeof(size_t))) == NULL)
            return -1;
        g->row_len = p;
        if ((p = realloc(g->row_hash, ncap * sizeof(uint64_t))) == NULL)
            return -1;
        g->row_hash = p;
        if ((p = realloc(g->row_label, ncap * sizeof(uint32_t))) == NULL)
            return -1;
        g->row_label = p;
        g->rows_cap = ncap;
    }
    char *t = chaff_dataset_grow(g->text, g->text_cap, g->text_len + len + 1, 1, &g->text_cap);
    if (t == NULL)
        return -1;
    g->text = t;
    size_t n = collapse(text, len, g->text + g->text_len);
    g->text[g->text_len + n] = '\0';
    g->row_off[g->nrows] = g->text_len;
    g->row_len[g->nrows] = n;
    g->row_hash[g->nrows] = line_hash(g->text + g->text_len, n);
    g->row_label[g->nrows] = label;
    g->text_len += n + 1;
    g->nrows++;
    return 0;
}

static size_t id_slot(const struct gold *g, const char *id)
{
    size_t mask = g->nslots - 1;
    size_t k = (size_t)chaff_hash_bytes(id, strlen(id), 0x69647331u) & mask;
    while (g->slots[k] != 0 && strcmp(g->names + g->pages[g->slots[k] - 1].id_off, id) != 0)
        k = (k + 1) & mask;
    return k;
}

/* Reads the labelled rows of 'path'; labels are interned into ds->labels. */
static int gold_read(struct gold *g, struct chaff_dataset *ds, const char *path,
                     struct chaff_error *err)
{
    struct chaff_tsv_reader *r = NULL;
    int rc = chaff_tsv_open(path, &r, err);
    if (rc != CHAFF_OK)
        return rc;
    struct chaff_tsv_row row;
    int got;
    const char *where = strcmp(path, "-") == 0 ? "<stdin>" : path;
    char *last_id = NULL;
    while ((got = chaff_tsv_next(r, &row, err)) > 0) {
        if (last_id == NULL || strcmp(last_id, row.page_id) != 0) {
            struct gold_page *pages = chaff_dataset_grow(g->pages, g->pages_cap, g->npages + 1,
                                                         sizeof(*pages), &g->pages_cap);
            if (pages == NULL)
                goto nomem;
            g->pages = pages;
            struct gold_page *pg = &g->pages[g->npages];
            memset(pg, 0, sizeof(*pg));
            if (put_name(g, row.page_id, &pg->id_off) != 0 ||
                put_name(g, row.lang, &pg->lang_off) != 0)
                goto nomem;
            pg->first = g->nrows;
            g->npages++;
            free(last_id);
            if ((last_id = strdup(row.page_id)) == NULL)
                goto nomem;
        }
        long label = chaff_dataset_intern(&ds->labels, &ds->nlabels, &ds->labels_cap, row.label);
        if (label < 0 || gold_add_row(g, (uint32_t)label, row.text, row.text_len) != 0)
            goto nomem;
        g->pages[g->npages - 1].n++;
    }
    free(last_id);
    last_id = NULL;
    chaff_tsv_close(r);
    r = NULL;
    if (got < 0)
        return err != NULL ? err->code : CHAFF_ERR_PARSE;
    g->nslots = 16;
    while (g->nslots < 2 * g->npages)
        g->nslots *= 2;
    if ((g->slots = calloc(g->nslots, sizeof(size_t))) == NULL)
        goto nomem;
    for (size_t p = 0; p < g->npages; p++) {
        size_t k = id_slot(g, g->names + g->pages[p].id_off);
        if (g->slots[k] != 0)
            return chaff_error_set(err, CHAFF_ERR_PARSE, where,
                                   "page '%s' appears twice (its rows are not contiguous)",
                                   g->names + g->pages[p].id_off);
        g->slots[k] = p + 1;
    }
    return CHAFF_OK;
nomem:
    free(last_id);
    chaff_tsv_close(r);
    return chaff_error_set(err, CHAFF_ERR_NOMEM, where, "out of memory");
}

/* ------------------------------------------------------------------ the dataset side */

static uint64_t count_chars(const char *s, size_t len)
{
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

/* The host of 'url' ("https://www.x.org/a" -> "x.org"), or 'fallback' when it has none. */
static void url_site(const char *url, const char *fallback, char *out, size_t cap)
{
    const char *p = strstr(url != NULL ? url : "", "://");
    if (p == NULL) {
        snprintf(out, cap, "%s", fallback);
        return;
    }
    p += 3;
    size_t n = strcspn(p, "/:?#");
    if (n >= 4 && strncmp(p, "www.", 4) == 0) {
        p += 4;
        n -= 4;
    }
    if (n == 0) {
        snprintf(out, cap, "%s", fallback);
        return;
    }
    snprintf(out, cap, "%.*s", (int)(n < cap - 1 ? n : cap - 1), p);
    for (char *c = out; *c; c++)
        if (*c >= 'A' && *c <= 'Z')
            *c = (char)(*c - 'A' + 'a');
}

static int new_page(struct chaff_dataset *ds, const char *id, const char *lang, const char *site)
{
    long li = chaff_dataset_intern(&ds->langs, &ds->nlangs, &ds->langs_cap, lang);
    long si = chaff_dataset_intern(&ds->sites, &ds->nsites, &ds->sites_cap, site);
    struct chaff_dataset_page *pages = chaff_dataset_grow(ds->pages, ds->pages_cap, ds->npages + 1,
                                                          sizeof(*pages), &ds->pages_cap);
    if (li < 0 || si < 0 || pages == NULL)
        return -1;
    ds->pages = pages;
    size_t n = strlen(id) + 1;
    char *ids = chaff_dataset_grow(ds->ids, ds->ids_cap, ds->ids_len + n, 1, &ds->ids_cap);
    if (ids == NULL)
        return -1;
    ds->ids = ids;
    memcpy(ds->ids + ds->ids_len, id, n);
    struct chaff_dataset_page *pg = &ds->pages[ds->npages++];
    pg->first = ds->npara;
    pg->n = 0;
    pg->lang = (uint32_t)li;
    pg->site = (uint32_t)si;
    pg->id_off = ds->ids_len;
    ds->ids_len += n;
    return 0;
}

static int add_missing(struct chaff_dataset *ds, uint32_t label, uint64_t nchars)
{
    struct chaff_dataset_gold_row *m = chaff_dataset_grow(ds->missing, ds->missing_cap,
                                                          ds->nmissing + 1, sizeof(*m),
                                                          &ds->missing_cap);
    if (m == NULL)
        return -1;
    ds->missing = m;
    m[ds->nmissing].page = ds->npages - 1;
    m[ds->nmissing].label = label;
    m[ds->nmissing].nchars = nchars;
    ds->nmissing++;
    return 0;
}

/* Appends paragraph 'text' with its structure tokens and label. */
static int add_paragraph(struct chaff_dataset *ds, const char *text, size_t len,
                         const uint64_t *tokens, size_t ntokens, const uint32_t *groups,
                         uint32_t label)
{
    uint32_t *g = chaff_dataset_grow(ds->st_groups, ds->st_groups_cap,
                                     (ds->npara + 1) * CHAFF_STRUCT_GROUPS, sizeof(uint32_t),
                                     &ds->st_groups_cap);
    if (g == NULL)
        return -1;
    ds->st_groups = g;
    for (size_t k = 0; k < CHAFF_STRUCT_GROUPS; k++)
        g[ds->npara * CHAFF_STRUCT_GROUPS + k] =
            groups != NULL ? groups[k] : CHAFF_STRUCT_NO_GROUP;
    if (chaff_dataset_grow_paragraphs(ds) != 0)
        return -1;
    size_t *first = chaff_dataset_grow(ds->st_first, ds->st_first_cap, ds->npara + 2,
                                       sizeof(size_t), &ds->st_first_cap);
    if (first == NULL)
        return -1;
    ds->st_first = first;
    uint64_t *tok = chaff_dataset_grow(ds->st_tokens, ds->st_cap, ds->st_len + ntokens + 1,
                                       sizeof(uint64_t), &ds->st_cap);
    if (tok == NULL)
        return -1;
    ds->st_tokens = tok;
    char *arena = chaff_dataset_grow(ds->arena, ds->arena_cap, ds->arena_len + len + 1, 1,
                                     &ds->arena_cap);
    if (arena == NULL)
        return -1;
    ds->arena = arena;
    memcpy(ds->arena + ds->arena_len, text, len);
    ds->arena[ds->arena_len + len] = '\0';
    ds->text_off[ds->npara] = ds->arena_len;
    ds->text_len[ds->npara] = len;
    ds->label[ds->npara] = label;
    ds->arena_len += len + 1;
    if (ntokens > 0)
        memcpy(ds->st_tokens + ds->st_len, tokens, ntokens * sizeof(uint64_t));
    ds->st_first[ds->npara] = ds->st_len;
    ds->st_len += ntokens;
    ds->st_first[ds->npara + 1] = ds->st_len;
    ds->npara++;
    ds->pages[ds->npages - 1].n++;
    return 0;
}

/* Adds one extracted HTML page and its labelled rows, aligned. */
static int add_aligned(struct chaff_dataset *ds, const struct gold *g, const struct gold_page *gp,
                       const struct chaff_page *page, struct chaff_align_counts *c)
{
    const size_t n = page->nparas;
    uint64_t *hash = malloc((n > 0 ? n : 1) * sizeof(uint64_t));
    size_t *p_to_g = malloc((n > 0 ? n : 1) * sizeof(size_t));
    const char **gtext = malloc((gp->n > 0 ? gp->n : 1) * sizeof(char *));
    uint8_t *hit = calloc(gp->n > 0 ? gp->n : 1, 1);
    int rc = -1;
    if (hash == NULL || p_to_g == NULL || gtext == NULL || hit == NULL)
        goto out;
    for (size_t i = 0; i < n; i++)
        hash[i] = line_hash(page->paras[i], page->lens[i]);
    for (size_t k = 0; k < gp->n; k++)
        gtext[k] = g->text + g->row_off[gp->first + k];
    struct chaff_align_seq a = {page->paras, page->lens, hash, n};
    struct chaff_align_seq b = {gtext, g->row_len + gp->first, g->row_hash + gp->first, gp->n};
    if (chaff_align(&a, &b, p_to_g) != 0)
        goto out;
    for (size_t i = 0; i < n; i++) {
        const uint64_t *tok = NULL;
        const uint32_t *groups = NULL;
        size_t ntok = 0;
        if (page->structure != NULL) {
            tok = page->structure->tokens + page->structure->off[i];
            ntok = page->structure->off[i + 1] - page->structure->off[i];
            if (page->structure->groups != NULL)
                groups = page->structure->groups + i * CHAFF_STRUCT_GROUPS;
        }
        uint32_t label = CHAFF_LABEL_NONE;
        if (p_to_g[i] != SIZE_MAX) {
            label = g->row_label[gp->first + p_to_g[i]];
            hit[p_to_g[i]] = 1;
            c->aligned++;
        } else {
            c->unaligned_pred++;
        }
        if (add_paragraph(ds, page->paras[i], page->lens[i], tok, ntok, groups, label) != 0)
            goto out;
    }
    for (size_t k = 0; k < gp->n; k++)
        if (!hit[k]) {
            c->unaligned_gold++;
            if (add_missing(ds, g->row_label[gp->first + k],
                            count_chars(gtext[k], g->row_len[gp->first + k])) != 0)
                goto out;
        }
    rc = 0;
out:
    free(hash);
    free(p_to_g);
    free(gtext);
    free(hit);
    return rc;
}

int chaff_dataset_read_html(struct chaff_dataset *ds, const char *pages_path,
                            const char *labels_path, struct chaff_align_counts *counts,
                            struct chaff_error *err)
{
    struct chaff_align_counts local_counts;
    struct chaff_error local_err;
    if (counts == NULL)
        counts = &local_counts;
    if (err == NULL)
        err = &local_err;
    memset(counts, 0, sizeof(*counts));
    if (ds->npara > 0 && !ds->has_structure)
        return chaff_error_set(err, CHAFF_ERR_USAGE, pages_path,
                               "HTML pages cannot join a dataset of TSV pages");
    if (ds->npara == 0 && ds->st_first == NULL) {
        if ((ds->st_first = calloc(16, sizeof(size_t))) == NULL)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
        ds->st_first_cap = 16;
    }
    ds->has_structure = 1;
    free(ds->last_page_id);
    ds->last_page_id = NULL;

    struct gold g;
    memset(&g, 0, sizeof(g));
    int rc = gold_read(&g, ds, labels_path, err);
    if (rc != CHAFF_OK) {
        gold_free(&g);
        return rc;
    }
    counts->gold = g.nrows;

    struct chaff_reader *r = NULL;
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.skip_bad = 1;
    rc = chaff_reader_open(pages_path, &opt, &r, err);
    if (rc != CHAFF_OK) {
        gold_free(&g);
        return rc;
    }
    struct chaff_page page;
    int got;
    char site[256];
    while ((got = chaff_reader_next(r, &page, err)) != 0) {
        if (got == -2) {
            rc = err->code;
            break;
        }
        if (got < 0) {
            counts->bad_records++;
            continue;
        }
        size_t k = id_slot(&g, page.id);
        if (g.slots[k] == 0 || g.pages[g.slots[k] - 1].used) {
            counts->extra_pages++;
            continue;
        }
        struct gold_page *gp = &g.pages[g.slots[k] - 1];
        gp->used = 1;
        url_site(page.url, page.id, site, sizeof(site));
        if (new_page(ds, page.id, g.names + gp->lang_off, site) != 0 ||
            add_aligned(ds, &g, gp, &page, counts) != 0) {
            rc = chaff_error_set(err, CHAFF_ERR_NOMEM, pages_path, "out of memory");
            break;
        }
        counts->pages++;
    }
    chaff_reader_close(r);
    /* Labelled pages without HTML: every row is missing. */
    for (size_t p = 0; rc == CHAFF_OK && p < g.npages; p++) {
        const struct gold_page *gp = &g.pages[p];
        if (gp->used)
            continue;
        counts->missing_pages++;
        if (new_page(ds, g.names + gp->id_off, g.names + gp->lang_off,
                     g.names + gp->id_off) != 0) {
            rc = chaff_error_set(err, CHAFF_ERR_NOMEM, pages_path, "out of memory");
            break;
        }
        for (size_t i = 0; i < gp->n; i++) {
            counts->unaligned_gold++;
            if (add_missing(ds, g.row_label[gp->first + i],
                            count_chars(g.text + g.row_off[gp->first + i],
                                        g.row_len[gp->first + i])) != 0) {
                rc = chaff_error_set(err, CHAFF_ERR_NOMEM, pages_path, "out of memory");
                break;
            }
        }
    }
    gold_free(&g);
    return rc;
}

const struct chaff_page_structure *chaff_dataset_page_structure(const struct chaff_dataset *ds,
                                                                size_t page, uint32_t *off,
                                                                struct chaff_page_structure *st)
{
    if (!ds->has_structure)
        return NULL;
    const struct chaff_dataset_page *pg = &ds->pages[page];
    const size_t base = ds->st_first[pg->first];
    for (size_t i = 0; i <= pg->n; i++)
        off[i] = (uint32_t)(ds->st_first[pg->first + i] - base);
    st->tokens = ds->st_tokens + base;
    st->off = off;
    st->groups = ds->st_groups + pg->first * CHAFF_STRUCT_GROUPS;
    return st;
}

const char *chaff_dataset_page_id(const struct chaff_dataset *ds, size_t page)
{
    if (page >= ds->npages || ds->pages[page].id_off == SIZE_MAX)
        return NULL;
    return ds->ids + ds->pages[page].id_off;
}
