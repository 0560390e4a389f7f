/*
 * classify.c - per-thread classification contexts. A page is featurised paragraph by paragraph
 * (features.c), scored with the first-pass weights, and, when the model stacks, scored again
 * with the second-pass features built from the first pass's probabilities of its neighbours.
 * All buffers belong to the context and are reused from page to page.
 */
#include "classify.h"
#include "error.h"
#include "features.h"
#include "model.h"

#include <stdlib.h>
#include <string.h>

struct chaff_classifier {
    const struct chaff_model *model;
    struct chaff_featurizer fx;
    float *p1;    /* [n][nlabels] first-pass probabilities */
    float *probs; /* [n][nlabels] final probabilities */
    float *scores; /* [n][nlabels] final decision values */
    size_t cap;   /* paragraphs p1 and probs have room for */
    size_t n;     /* paragraphs of the last page */
    struct chaff_fvec v2;
    struct chaff_counters counters;
};

struct chaff_classifier *chaff_classifier_create(const struct chaff_model *model)
{
    struct chaff_classifier *cl = calloc(1, sizeof(*cl));
    if (cl == NULL)
        return NULL;
    cl->model = model;
    if (chaff_featurizer_init(&cl->fx, &model->cfg) != 0) {
        free(cl);
        return NULL;
    }
    if (model->nlabels == 3 && model->stride == 3 && model->w1_8 != NULL)
        chaff_featurizer_score_chars(&cl->fx, model->w1_8, model->lut1);
    return cl;
}

void chaff_classifier_free(struct chaff_classifier *cl)
{
    if (cl == NULL)
        return;
    chaff_featurizer_release(&cl->fx);
    chaff_fvec_release(&cl->v2);
    free(cl->p1);
    free(cl->probs);
    free(cl->scores);
    free(cl);
}

/* Paragraph capacity a classifier keeps after a larger page: a page of a million paragraphs
 * must not pin its buffers for the rest of the run. */
#define KEEP_PARAGRAPHS 65536

static int reserve(struct chaff_classifier *cl, size_t n)
{
    if (cl->cap > KEEP_PARAGRAPHS && n <= KEEP_PARAGRAPHS) {
        free(cl->p1);
        free(cl->probs);
        free(cl->scores);
        cl->p1 = cl->probs = cl->scores = NULL;
        cl->cap = 0;
    }
    if (n <= cl->cap)
        return 0;
    size_t cap = cl->cap > 0 ? cl->cap : 256;
    while (cap < n)
        cap *= 2;
    const size_t L = cl->model->nlabels;
    float *p1 = realloc(cl->p1, cap * L * sizeof(float));
    if (p1 == NULL)
        return -1;
    cl->p1 = p1;
    float *probs = realloc(cl->probs, cap * L * sizeof(float));
    if (probs == NULL)
        return -1;
    cl->probs = probs;
    float *scores = realloc(cl->scores, cap * L * sizeof(float));
    if (scores == NULL)
        return -1;
    cl->scores = scores;
    cl->cap = cap;
    return 0;
}

static int score_first_pass(void *ctx, size_t i, const struct chaff_fvec *own,
                            const struct chaff_fvec *rest, const float *chars)
{
    struct chaff_classifier *cl = ctx;
    float scores[CHAFF_MAX_LABELS];
    uint64_t t0 = cl->fx.timing ? chaff_clock_ns() : 0;
    chaff_model_score1(cl->model, own, rest, chars, scores);
    chaff_model_probs(scores, cl->model->nlabels, cl->p1 + i * cl->model->nlabels);
    if (!cl->model->cfg.stacking)
        memcpy(cl->scores + i * cl->model->nlabels, scores, cl->model->nlabels * sizeof(float));
    if (cl->fx.timing)
        cl->counters.ns_score += chaff_clock_ns() - t0;
    return 0;
}

void chaff_classifier_set_timing(struct chaff_classifier *cl, int on)
{
    cl->fx.timing = on != 0;
}

int chaff_classify_page(struct chaff_classifier *cl, const char *const *paras, const size_t *lens,
                        size_t n, struct chaff_result *out, struct chaff_error *err)
{
    return chaff_classify_page_structured(cl, paras, lens, n, NULL, out, err);
}

int chaff_classify_page_structured(struct chaff_classifier *cl, const char *const *paras,
                                   const size_t *lens, size_t n,
                                   const struct chaff_page_structure *st,
                                   struct chaff_result *out, struct chaff_error *err)
{
    const struct chaff_model *m = cl->model;
    if (st == NULL && chaff_model_needs_html(m) && n > 0)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "the model needs HTML input (it was trained on page structure); "
                               "give it HTML or WARC response records, or use a text model");
    cl->fx.structure = st;
    const size_t L = m->nlabels;
    cl->n = 0;
    const uint64_t t_start = cl->fx.timing ? chaff_clock_ns() : 0;
    const uint64_t norm_before = cl->fx.ns_normalize, score_before = cl->counters.ns_score;
    if (reserve(cl, n) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory for a page of %zu paragraphs", n);
    if (chaff_features_page(&cl->fx, paras, lens, n, score_first_pass, cl) != 0) {
        cl->fx.structure = NULL;
        return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory featurising a page");
    }
    if (m->cfg.stacking && n > 0) {
        uint64_t t_stack = cl->fx.timing ? chaff_clock_ns() : 0;
        if (chaff_stack_prepare(&cl->fx, cl->p1, n, L) != 0) {
            cl->fx.structure = NULL;
            return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
        }
        for (size_t i = 0; i < n; i++) {
            float scores[CHAFF_MAX_LABELS];
            if (chaff_stack_features(&cl->fx, cl->p1, n, L, i, &cl->v2) != 0)
                return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
            chaff_model_score2(m, &cl->v2, scores);
            chaff_model_probs(scores, L, cl->probs + i * L);
            memcpy(cl->scores + i * L, scores, L * sizeof(float));
        }
        if (cl->fx.timing)
            cl->counters.ns_score += chaff_clock_ns() - t_stack;
    } else if (n > 0) {
        memcpy(cl->probs, cl->p1, n * L * sizeof(float));
    }
    cl->fx.structure = NULL; /* borrowed for this call only */
    for (size_t i = 0; i < n; i++) {
        const float *p = cl->probs + i * L;
        uint32_t best = 0;
        for (uint32_t l = 1; l < L; l++)
            if (p[l] > p[best])
                best = l;
        out[i].label = best;
        out[i].confidence = p[best];
        cl->counters.bytes += lens[i];
    }
    cl->n = n;
    cl->counters.pages++;
    cl->counters.paragraphs += n;
    cl->counters.invalid_bytes = cl->fx.ninvalid;
    if (cl->fx.timing) {
        uint64_t total = chaff_clock_ns() - t_start;
        uint64_t norm = cl->fx.ns_normalize - norm_before;
        uint64_t score = cl->counters.ns_score - score_before;
        cl->counters.ns_normalize += norm;
        cl->counters.ns_featurize += total > norm + score ? total - norm - score : 0;
    }
    return CHAFF_OK;
}

int chaff_classifier_probs(const struct chaff_classifier *cl, size_t i, float *probs,
                           struct chaff_error *err)
{
    if (i >= cl->n)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "paragraph %zu out of range (%zu)", i,
                               cl->n);
    memcpy(probs, cl->probs + i * cl->model->nlabels, cl->model->nlabels * sizeof(float));
    return CHAFF_OK;
}

const float *chaff_classifier_scores(const struct chaff_classifier *cl, size_t i)
{
    return i < cl->n ? cl->scores + i * cl->model->nlabels : NULL;
}

const struct chaff_counters *chaff_classifier_counters(const struct chaff_classifier *cl)
{
    return &cl->counters;
}

const struct chaff_model *chaff_classifier_model(const struct chaff_classifier *cl)
{
    return cl->model;
}
