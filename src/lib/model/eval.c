/*
 * eval.c - confusion counts over the labels of a model and the metrics derived from them.
 *
 * Two L x L matrices, gold label by row and predicted label by column: one counts paragraphs,
 * the other sums their lengths in characters. Each language seen gets its own paragraph matrix;
 * languages are kept sorted by name (binary search, insertion), so reports list them in order.
 * Every metric is computed from the matrices when asked for; a ratio with a zero denominator is
 * 0, and a label with neither gold nor predicted items is left out of a macro average.
 *
 * Page-averaged figures: the paragraphs added since the last chaff_eval_end_page() also go to a
 * page matrix; ending the page adds that page's macro-F1 to a sum, overall and under the
 * language of the page's last paragraph, and clears the matrix.
 */
#include "classify.h"
#include "dataset.h"
#include "eval.h"
#include "error.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct eval_lang {
    char *name;
    uint64_t count;
    uint64_t *confusion; /* [nlabels * nlabels] paragraphs */
    uint64_t npages;     /* pages ended under this language */
    double page_f1_sum;  /* their macro-F1s, summed */
};

#define CHAFF_MAX_EVAL_LABELS 64

struct chaff_eval {
    size_t nlabels;
    uint64_t count;
    uint64_t *confusion;      /* [gold * nlabels + pred] paragraphs */
    uint64_t *char_confusion; /* [gold * nlabels + pred] characters */
    struct eval_lang *langs;  /* sorted by name */
    size_t nlangs, langs_cap;
    size_t last_lang; /* index of the language of the previous call, a cache */
    uint64_t *page_confusion; /* [gold * nlabels + pred] paragraphs of the open page */
    uint64_t page_count;      /* paragraphs of the open page */
    const char *page_lang;    /* language of the open page's last paragraph (the table's) */
    uint64_t npages;
    double page_f1_sum;
};

struct chaff_eval *chaff_eval_create(const struct chaff_model *model)
{
    return chaff_eval_create_nlabels(chaff_model_nlabels(model));
}

struct chaff_eval *chaff_eval_create_nlabels(size_t nlabels)
{
    if (nlabels == 0 || nlabels > SIZE_MAX / sizeof(uint64_t) / nlabels)
        return NULL;
    struct chaff_eval *ev = calloc(1, sizeof(*ev));
    if (ev == NULL)
        return NULL;
    ev->nlabels = nlabels;
    ev->confusion = calloc(nlabels * nlabels, sizeof(uint64_t));
    ev->char_confusion = calloc(nlabels * nlabels, sizeof(uint64_t));
    ev->page_confusion = calloc(nlabels * nlabels, sizeof(uint64_t));
    if (ev->confusion == NULL || ev->char_confusion == NULL || ev->page_confusion == NULL) {
        chaff_eval_free(ev);
        return NULL;
    }
    return ev;
}

void chaff_eval_free(struct chaff_eval *ev)
{
    if (ev == NULL)
        return;
    for (size_t i = 0; i < ev->nlangs; i++) {
        free(ev->langs[i].name);
        free(ev->langs[i].confusion);
    }
    free(ev->langs);
    free(ev->confusion);
    free(ev->char_confusion);
    free(ev->page_confusion);
    free(ev);
}

/* Returns the index of language 'name', inserting it in sorted position when new; returns
 * SIZE_MAX when out of memory. */
static size_t eval_lang_index(struct chaff_eval *ev, const char *name)
{
    if (ev->last_lang < ev->nlangs && strcmp(ev->langs[ev->last_lang].name, name) == 0)
        return ev->last_lang;
    size_t lo = 0, hi = ev->nlangs;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(ev->langs[mid].name, name);
        if (c == 0)
            return ev->last_lang = mid;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (ev->nlangs == ev->langs_cap) {
        size_t cap = ev->langs_cap != 0 ? ev->langs_cap * 2 : 8;
        struct eval_lang *langs = realloc(ev->langs, cap * sizeof(*langs));
        if (langs == NULL)
            return SIZE_MAX;
        ev->langs = langs;
        ev->langs_cap = cap;
    }
    struct eval_lang lang = {0};
    lang.name = strdup(name);
    lang.confusion = calloc(ev->nlabels * ev->nlabels, sizeof(uint64_t));
    if (lang.name == NULL || lang.confusion == NULL) {
        free(lang.name);
        free(lang.confusion);
        return SIZE_MAX;
    }
    memmove(ev->langs + lo + 1, ev->langs + lo, (ev->nlangs - lo) * sizeof(*ev->langs));
    ev->langs[lo] = lang;
    ev->nlangs++;
    return ev->last_lang = lo;
}

int chaff_eval_add(struct chaff_eval *ev, uint32_t gold, uint32_t pred, const char *lang,
                   uint64_t nchars, struct chaff_error *err)
{
    if (gold >= ev->nlabels || pred >= ev->nlabels)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "label index %u out of range (the model has %zu labels)",
                               gold >= ev->nlabels ? gold : pred, ev->nlabels);
    size_t li = eval_lang_index(ev, lang != NULL && *lang != '\0' ? lang : "und");
    if (li == SIZE_MAX)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
    const size_t cell = (size_t)gold * ev->nlabels + pred;
    ev->count++;
    ev->confusion[cell]++;
    ev->char_confusion[cell] += nchars;
    ev->langs[li].count++;
    ev->langs[li].confusion[cell]++;
    ev->page_confusion[cell]++;
    ev->page_count++;
    ev->page_lang = ev->langs[li].name; /* owned by the language table, freed with it */
    return CHAFF_OK;
}

static double ratio(uint64_t num, uint64_t den)
{
    return den != 0 ? (double)num / (double)den : 0.0;
}

/* Precision, recall and F1 of label 'k' in the L x L matrix 'm'. Returns 0 when the label has
 * neither gold nor predicted items (it then takes no part in a macro average), else 1. */
static int label_prf(const uint64_t *m, size_t L, size_t k, double *p, double *r, double *f1)
{
    uint64_t tp = m[k * L + k], gold = 0, pred = 0;
    for (size_t j = 0; j < L; j++) {
        gold += m[k * L + j];
        pred += m[j * L + k];
    }
    *p = ratio(tp, pred);
    *r = ratio(tp, gold);
    /* 2PR / (P + R) == 2tp / (gold + pred), exact in integers up to the final division. */
    *f1 = ratio(2 * tp, gold + pred);
    return gold + pred != 0;
}

static double macro_f1(const uint64_t *m, size_t L)
{
    double sum = 0.0;
    size_t n = 0;
    for (size_t k = 0; k < L; k++) {
        double p, r, f1;
        if (label_prf(m, L, k, &p, &r, &f1)) {
            sum += f1;
            n++;
        }
    }
    return n != 0 ? sum / (double)n : 0.0;
}

int chaff_eval_end_page(struct chaff_eval *ev)
{
    if (ev->page_count == 0)
        return CHAFF_OK;
    const double f1 = macro_f1(ev->page_confusion, ev->nlabels);
    ev->npages++;
    ev->page_f1_sum += f1;
    size_t li = eval_lang_index(ev, ev->page_lang);
    if (li != SIZE_MAX) { /* the language is in the table: found, never inserted */
        ev->langs[li].npages++;
        ev->langs[li].page_f1_sum += f1;
    }
    memset(ev->page_confusion, 0, ev->nlabels * ev->nlabels * sizeof(uint64_t));
    ev->page_count = 0;
    ev->page_lang = NULL;
    return CHAFF_OK;
}

uint64_t chaff_eval_npages(const struct chaff_eval *ev)
{
    return ev->npages;
}

double chaff_eval_page_macro_f1(const struct chaff_eval *ev)
{
    return ev->npages != 0 ? ev->page_f1_sum / (double)ev->npages : 0.0;
}

uint64_t chaff_eval_lang_npages(const struct chaff_eval *ev, size_t i)
{
    return i < ev->nlangs ? ev->langs[i].npages : 0;
}

double chaff_eval_lang_page_macro_f1(const struct chaff_eval *ev, size_t i)
{
    if (i >= ev->nlangs || ev->langs[i].npages == 0)
        return 0.0;
    return ev->langs[i].page_f1_sum / (double)ev->langs[i].npages;
}

uint64_t chaff_eval_count(const struct chaff_eval *ev)
{
    return ev->count;
}

double chaff_eval_accuracy(const struct chaff_eval *ev)
{
    uint64_t correct = 0;
    for (size_t k = 0; k < ev->nlabels; k++)
        correct += ev->confusion[k * ev->nlabels + k];
    return ratio(correct, ev->count);
}

double chaff_eval_macro_f1(const struct chaff_eval *ev)
{
    return macro_f1(ev->confusion, ev->nlabels);
}

double chaff_eval_char_macro_f1(const struct chaff_eval *ev)
{
    return macro_f1(ev->char_confusion, ev->nlabels);
}

void chaff_eval_label(const struct chaff_eval *ev, uint32_t label, struct chaff_label_metrics *m)
{
    memset(m, 0, sizeof(*m));
    if (label >= ev->nlabels)
        return;
    for (size_t j = 0; j < ev->nlabels; j++)
        m->support += ev->confusion[label * ev->nlabels + j];
    label_prf(ev->confusion, ev->nlabels, label, &m->precision, &m->recall, &m->f1);
    label_prf(ev->char_confusion, ev->nlabels, label, &m->char_precision, &m->char_recall,
              &m->char_f1);
}

uint64_t chaff_eval_confusion(const struct chaff_eval *ev, uint32_t gold, uint32_t pred)
{
    if (gold >= ev->nlabels || pred >= ev->nlabels)
        return 0;
    return ev->confusion[(size_t)gold * ev->nlabels + pred];
}

size_t chaff_eval_nlangs(const struct chaff_eval *ev)
{
    return ev->nlangs;
}

const char *chaff_eval_lang_name(const struct chaff_eval *ev, size_t i)
{
    return i < ev->nlangs ? ev->langs[i].name : NULL;
}

double chaff_eval_lang_macro_f1(const struct chaff_eval *ev, size_t i)
{
    return i < ev->nlangs ? macro_f1(ev->langs[i].confusion, ev->nlabels) : 0.0;
}

uint64_t chaff_eval_lang_count(const struct chaff_eval *ev, size_t i)
{
    return i < ev->nlangs ? ev->langs[i].count : 0;
}

/* ------------------------------------------------------------------ a dataset, classified */

static uint64_t code_points(const char *s, size_t len)
{
    uint64_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((unsigned char)s[i] & 0xC0) != 0x80;
    return n;
}

void chaff_page_source(const char *id, char *out, size_t cap)
{
    size_t n = strcspn(id != NULL ? id : "", "-");
    if (id == NULL || n == 0 || n >= cap)
        snprintf(out, cap, "%s", "und");
    else
        snprintf(out, cap, "%.*s", (int)n, id);
}

/* Adds a gold row the extraction did not reproduce, as predicted 'nav' (or, lacking that label,
 * a label other than the gold). */
static int add_missing(struct chaff_eval *ev, struct chaff_eval *ev_source,
                       const struct chaff_dataset *ds, const struct chaff_dataset_gold_row *row,
                       const uint32_t *map, int nav, struct chaff_error *err)
{
    uint32_t gold = map[row->label];
    uint32_t pred = nav >= 0 ? (uint32_t)nav : (gold == 0 ? 1u : 0u);
    const struct chaff_dataset_page *pg = &ds->pages[row->page];
    int rc = chaff_eval_add(ev, gold, pred, ds->langs[pg->lang], row->nchars, err);
    if (rc == CHAFF_OK && ev_source != NULL) {
        char source[64];
        chaff_page_source(chaff_dataset_page_id(ds, row->page), source, sizeof(source));
        rc = chaff_eval_add(ev_source, gold, pred, source, row->nchars, err);
    }
    return rc;
}

int chaff_eval_dataset(struct chaff_eval *ev, struct chaff_eval *ev_source,
                       struct chaff_classifier *cl, const struct chaff_dataset *ds,
                       struct chaff_error *err)
{
    const struct chaff_model *m = chaff_classifier_model(cl);
    uint32_t map[CHAFF_MAX_EVAL_LABELS];
    if (ds->nlabels > CHAFF_MAX_EVAL_LABELS)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "too many labels");
    for (size_t l = 0; l < ds->nlabels; l++) {
        int k = chaff_model_label_index(m, ds->labels[l]);
        if (k < 0)
            return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                                   "the data has label '%s', which the model lacks",
                                   ds->labels[l]);
        map[l] = (uint32_t)k;
    }
    int nav = chaff_model_label_index(m, "navigation");
    size_t cap = 0;
    const char **paras = NULL;
    size_t *lens = NULL;
    uint32_t *off = NULL;
    struct chaff_result *res = NULL;
    int rc = CHAFF_OK;
    char source[64];
    size_t k = 0; /* next row of ds->missing */
    for (size_t p = 0; p < ds->npages && rc == CHAFF_OK; p++) {
        const struct chaff_dataset_page *pg = &ds->pages[p];
        if (pg->n + 1 > cap) {
            size_t ncap = (pg->n + 1) * 2;
            void *a = realloc(paras, ncap * sizeof(*paras));
            if (a != NULL)
                paras = a;
            void *b = realloc(lens, ncap * sizeof(*lens));
            if (b != NULL)
                lens = b;
            void *c = realloc(off, ncap * sizeof(*off));
            if (c != NULL)
                off = c;
            void *d = realloc(res, ncap * sizeof(*res));
            if (d != NULL)
                res = d;
            if (a == NULL || b == NULL || c == NULL || d == NULL) {
                rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
                break;
            }
            cap = ncap;
        }
        for (size_t i = 0; i < pg->n; i++) {
            paras[i] = ds->arena + ds->text_off[pg->first + i];
            lens[i] = ds->text_len[pg->first + i];
        }
        struct chaff_page_structure st;
        rc = chaff_classify_page_structured(cl, paras, lens, pg->n,
                                            chaff_dataset_page_structure(ds, p, off, &st), res, err);
        if (rc != CHAFF_OK)
            break;
        const char *lang = ds->langs[pg->lang];
        chaff_page_source(chaff_dataset_page_id(ds, p), source, sizeof(source));
        for (size_t i = 0; i < pg->n && rc == CHAFF_OK; i++) {
            uint32_t gold = ds->label[pg->first + i];
            if (gold == CHAFF_LABEL_NONE)
                continue;
            uint64_t nchars = code_points(paras[i], lens[i]);
            rc = chaff_eval_add(ev, map[gold], res[i].label, lang, nchars, err);
            if (rc == CHAFF_OK && ev_source != NULL)
                rc = chaff_eval_add(ev_source, map[gold], res[i].label, source, nchars, err);
        }
        /* The page's rows the extraction did not reproduce (kept in page order): predicted
         * navigation. */
        for (; k < ds->nmissing && ds->missing[k].page == p && rc == CHAFF_OK; k++)
            rc = add_missing(ev, ev_source, ds, &ds->missing[k], map, nav, err);
        chaff_eval_end_page(ev);
        if (ev_source != NULL)
            chaff_eval_end_page(ev_source);
    }
    /* Any not in page order: pooled, after the pages. */
    for (; k < ds->nmissing && rc == CHAFF_OK; k++)
        rc = add_missing(ev, ev_source, ds, &ds->missing[k], map, nav, err);
    free(paras);
    free(lens);
    free(off);
    free(res);
    return rc;
}
