/*
 * tune.c - adjusting a trained model's decision thresholds on held-out data. liblinear's
 * one-vs-rest models are fitted to the label frequencies of the training data, which favours
 * the frequent label (navigation) on short, ambiguous lines. One offset per label, added to the
 * final decision values, is chosen by coordinate search to maximise macro-F1 on a held-out
 * split, then folded into the model's final biases. The held-out data is never the data a
 * figure is reported on alone: report tuned models on other sets too.
 */
#include "classify.h"
#include "dataset.h"
#include "error.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

#define OFFSET_MIN   -3.0
#define OFFSET_STEP  0.1
#define OFFSET_STEPS 61
#define ROUNDS       3

static double macro_f1(const float *scores, const uint32_t *gold, size_t n, uint32_t L,
                       const double *offset, uint64_t *tp, uint64_t *ngold, uint64_t *npred)
{
    memset(tp, 0, L * sizeof(*tp));
    memset(ngold, 0, L * sizeof(*ngold));
    memset(npred, 0, L * sizeof(*npred));
    for (size_t i = 0; i < n; i++) {
        if (gold[i] == CHAFF_LABEL_NONE)
            continue; /* an extracted paragraph no labelled row matched */
        const float *s = scores + i * L;
        uint32_t best = 0;
        double bv = s[0] + offset[0];
        for (uint32_t l = 1; l < L; l++)
            if (s[l] + offset[l] > bv) {
                bv = s[l] + offset[l];
                best = l;
            }
        npred[best]++;
        ngold[gold[i]]++;
        tp[best] += best == gold[i];
    }
    double sum = 0;
    unsigned present = 0;
    for (uint32_t l = 0; l < L; l++)
        if (ngold[l] + npred[l] > 0) {
            sum += 2.0 * (double)tp[l] / (double)(ngold[l] + npred[l]);
            present++;
        }
    return present > 0 ? sum / present : 0;
}

int chaff_model_tune(struct chaff_model *m, const struct chaff_dataset *heldout,
                     struct chaff_tune_report *report, struct chaff_error *err)
{
    const uint32_t L = m->nlabels;
    uint32_t map[CHAFF_MAX_LABELS];
    float *scores = NULL;
    uint32_t *gold = NULL;
    const char **paras = NULL;
    size_t *lens = NULL;
    struct chaff_result *results = NULL;
    uint32_t *off = NULL;
    struct chaff_classifier *cl = NULL;
    uint64_t tp[CHAFF_MAX_LABELS], ng[CHAFF_MAX_LABELS], np[CHAFF_MAX_LABELS];
    double offset[CHAFF_MAX_LABELS] = {0};
    int rc = CHAFF_OK;

    if (heldout->npara == 0)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "the tuning data has no paragraphs");
    for (size_t l = 0; l < heldout->nlabels; l++) {
        int k = chaff_model_label_index(m, heldout->labels[l]);
        if (k < 0)
            return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                                   "the tuning data has label '%s', which the model lacks",
                                   heldout->labels[l]);
        map[l] = (uint32_t)k;
    }
    size_t maxn = 0;
    for (size_t p = 0; p < heldout->npages; p++)
        maxn = heldout->pages[p].n > maxn ? heldout->pages[p].n : maxn;
    scores = malloc(heldout->npara * L * sizeof(float));
    gold = malloc(heldout->npara * sizeof(uint32_t));
    paras = malloc((maxn > 0 ? maxn : 1) * sizeof(*paras));
    lens = malloc((maxn > 0 ? maxn : 1) * sizeof(*lens));
    results = malloc((maxn > 0 ? maxn : 1) * sizeof(*results));
    off = malloc((maxn + 1) * sizeof(*off));
    cl = chaff_classifier_create(m);
    if (scores == NULL || gold == NULL || paras == NULL || lens == NULL || results == NULL ||
        off == NULL || cl == NULL) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory while tuning");
        goto out;
    }
    for (size_t p = 0; p < heldout->npages; p++) {
        const struct chaff_dataset_page *pg = &heldout->pages[p];
        for (size_t k = 0; k < pg->n; k++) {
            paras[k] = heldout->arena + heldout->text_off[pg->first + k];
            lens[k] = heldout->text_len[pg->first + k];
            uint32_t g = heldout->label[pg->first + k];
            gold[pg->first + k] = g == CHAFF_LABEL_NONE ? CHAFF_LABEL_NONE : map[g];
        }
        struct chaff_page_structure st;
        if ((rc = chaff_classify_page_structured(
                 cl, paras, lens, pg->n, chaff_dataset_page_structure(heldout, p, off, &st),
                 results, err)) != CHAFF_OK)
            goto out;
        for (size_t k = 0; k < pg->n; k++)
            memcpy(scores + (pg->first + k) * L, chaff_classifier_scores(cl, k),
                   L * sizeof(float));
    }
    double best = macro_f1(scores, gold, heldout->npara, L, offset, tp, ng, np);
    if (report != NULL)
        report->macro_f1_before = best;
    /* Label 0 stays the reference; the others move against it. */
    for (int round = 0; round < ROUNDS; round++) {
        int changed = 0;
        for (uint32_t l = 1; l < L; l++) {
            double keep = offset[l];
            for (int k = 0; k < OFFSET_STEPS; k++) {
                offset[l] = OFFSET_MIN + k * OFFSET_STEP;
                double f = macro_f1(scores, gold, heldout->npara, L, offset, tp, ng, np);
                if (f > best + 1e-9) {
                    best = f;
                    keep = offset[l];
                    changed = 1;
                }
            }
            offset[l] = keep;
        }
        if (!changed)
            break;
    }
    float *bias = m->cfg.stacking ? m->bias2 : m->bias1;
    for (uint32_t l = 0; l < L; l++)
        bias[l] += (float)offset[l];
    if (report != NULL) {
        report->macro_f1_after = best;
        report->paragraphs = 0;
        for (size_t i = 0; i < heldout->npara; i++)
            report->paragraphs += gold[i] != CHAFF_LABEL_NONE;
        for (uint32_t l = 0; l < L; l++)
            report->offsets[l] = offset[l];
    }
out:
    chaff_classifier_free(cl);
    free(scores);
    free(gold);
    free(paras);
    free(lens);
    free(results);
    free(off);
    return rc;
}
