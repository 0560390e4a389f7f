/*
 * eval.c - confusion counts over the labels of a model and the metrics derived from them.
 *
 * Two L x L matrices, gold label by row and predicted label by column: one counts paragraphs,
 * the other sums their lengths in characters. Each language seen gets its own paragraph matrix;
 * languages are kept sorted by name (binary search, insertion), so reports list them in order.
 * Every metric is computed from the matrices when asked for; a ratio with a zero denominator is
 * 0, and a label with neither gold nor predicted items is left out of a macro average.
 */
#include "eval.h"
#include "error.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct eval_lang {
    char *name;
    uint64_t count;
    uint64_t *confusion; /* [nlabels * nlabels] paragraphs */
};

struct chaff_eval {
    size_t nlabels;
    uint64_t count;
    uint64_t *confusion;      /* [gold * nlabels + pred] paragraphs */
    uint64_t *char_confusion; /* [gold * nlabels + pred] characters */
    struct eval_lang *langs;  /* sorted by name */
    size_t nlangs, langs_cap;
    size_t last_lang; /* index of the language of the previous call, a cache */
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
    if (ev->confusion == NULL || ev->char_confusion == NULL) {
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
