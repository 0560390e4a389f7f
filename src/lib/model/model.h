/*
 * model.h - the layout of struct chaff_model and the scoring primitives.
 *
 * First-pass weights are 8-bit codes into a 256-entry codebook fitted to the weights (Lloyd-Max:
 * most weights are tiny, a linear 8-bit scale would round them to zero) or int16 with one scale
 * ('scale1'), as stored in the file. They are row-major with all labels of a feature together in
 * one row of 'stride' entries (stride = nlabels rounded up to 4, except 3 labels: rows of 3), so
 * one feature costs one cache line (rows of 3 bytes cross a line 1 time in 32); with three
 * labels and 8-bit codes 2^18 rows take 768 KB, which fits a core's 1 MB L2 cache with room
 * to spare (rows of 4: 1 MB; 3.5 % slower).
 * Second-pass weights are few and stay float.
 */
#ifndef CHAFF_LIB_MODEL_H
#define CHAFF_LIB_MODEL_H

#include "chaff.h"
#include "features.h"

#define CHAFF_MAX_LABELS       64
#define CHAFF_MODEL_MAGIC      "CHAFFMDL"
#define CHAFF_MODEL_VERSION    2u /* 2: the feature config ends with max_chars */
#define CHAFF_MAX_LABEL_BYTES  255

struct chaff_model {
    struct chaff_features_config cfg;
    uint32_t nlabels;
    char **labels;
    uint32_t weight_bits; /* precision in the file: 8 or 16 */
    /* first pass */
    uint32_t dim1;   /* 2^hash_bits */
    uint32_t stride; /* entries per row of w1 */
    float scale1;    /* 16 bits: weight = w1_16[row * stride + label] * scale1 */
    uint8_t *w1_8;   /* 8 bits: weight = lut1[w1_8[row * stride + label]] */
    float lut1[256];
    int16_t *w1_16;
    float bias1[CHAFF_MAX_LABELS];
    /* second pass (cfg.stacking == 1) */
    uint32_t dim2;
    float *w2; /* [dim2][nlabels] */
    float bias2[CHAFF_MAX_LABELS];
};

/* Returns a new model with zero weights for 'cfg' and the 'nlabels' names (copied), or NULL
 * when out of memory. */
struct chaff_model *chaff_model_new(const struct chaff_features_config *cfg, uint32_t nlabels,
                                    const char *const *labels, uint32_t weight_bits);

/* Sets the first-pass weights from liblinear's layout: w[f * nlabels + l] for feature f (0-based)
 * and label l, plus biases; quantises to weight_bits. Returns 0 or -1 (out of memory). */
int chaff_model_set_stage1(struct chaff_model *m, const double *w, const double *bias);
/* The same for the second pass (kept in float). */
void chaff_model_set_stage2(struct chaff_model *m, const double *w, const double *bias);

/* First-pass weight of feature row 'f' and label 'l', as its stored integer (code or value). */
static inline int chaff_model_w1(const struct chaff_model *m, size_t f, uint32_t l)
{
    size_t k = f * m->stride + l;
    return m->w1_8 != NULL ? m->w1_8[k] : m->w1_16[k];
}

/* Scores of every label (raw decision values) into 'scores' for the first-pass vector made of
 * 'own', 'rest' (NULL: none) and the scored character n-grams 'chars' (NULL: none), as the
 * featuriser's sink receives them. */
void chaff_model_score1(const struct chaff_model *m, const struct chaff_fvec *own,
                        const struct chaff_fvec *rest, const float *chars, float *scores);
void chaff_model_score2(const struct chaff_model *m, const struct chaff_fvec *v, float *scores);

/* Turns decision values into probabilities (one-vs-rest logistic, normalised to sum 1). */
void chaff_model_probs(const float *scores, size_t nlabels, float *probs);

#endif
