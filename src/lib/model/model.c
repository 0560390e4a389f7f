/*
 * model.c - chaff's model: creation from trained weights, scoring, and the binary file format.
 *
 * File format (all integers little-endian, floats IEEE-754 binary32 little-endian):
 *   "CHAFFMDL"  magic, 8 bytes
 *   u32         format version (CHAFF_MODEL_VERSION)
 *   u32         hash id (CHAFF_HASH_ID), u64 hash seed (0)
 *   u32 x 8     feature config: hash_bits, char_ngram_min, char_ngram_max, word_ngram_max,
 *               context, groups, stacking, max_chars (version 1: the first 7; max_chars 0)
 *   u32         number of labels L; then per label: u8 length, bytes
 *   u32         weight bits (8 or 16)
 *   u32 dim1, f32 scale1, f32 bias1[L], then for 8 bits: f32 codebook[256], u8 w1[dim1][L]
 *   (weight = codebook[code]); for 16 bits: i16 w1[dim1][L] (weight = value * scale1)
 *   if stacking: u32 dim2, f32 bias2[L], f32 w2[dim2][L]
 *   u32         CRC-32 (zlib) of every byte before it
 * Loading reads the file once and checks every field; a model is immutable afterwards.
 */
#include "model.h"

#include "error.h"
#include "hash.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

/* Models larger than this are refused before reading them. */
#define MAX_MODEL_BYTES ((size_t)1 << 31)

/* No weight, bias or codebook entry of a model may exceed this in magnitude (liblinear's are
 * below 100 on every corpus tried). Finite weights this small cannot add up to an infinite or
 * NaN score, so every paragraph gets a label with a real confidence. */
#define MAX_ABS_WEIGHT 1e6f

static int weight_ok(float w)
{
    return isfinite(w) && fabsf(w) <= MAX_ABS_WEIGHT;
}

/* Checks the values (not the shape) of a model's weights; returns NULL or what is wrong,
 * formatted into 'buf'. The same rule applies when a model is saved and when it is loaded. */
static const char *check_weights(const struct chaff_model *m, char *buf, size_t cap)
{
    double qmax = m->weight_bits == 16 ? 32767.0 : 1.0;
    if (!isfinite(m->scale1) || m->scale1 <= 0 || m->scale1 * qmax > MAX_ABS_WEIGHT)
        return snprintf(buf, cap, "weight scale %g", (double)m->scale1), buf;
    for (size_t k = 0; m->weight_bits == 8 && k < 256; k++)
        if (!weight_ok(m->lut1[k]) || (k > 0 && m->lut1[k] < m->lut1[k - 1]))
            return snprintf(buf, cap, "codebook entry %zu is %g", k, (double)m->lut1[k]), buf;
    for (uint32_t l = 0; l < m->nlabels; l++) {
        const float b1 = m->bias1[l], b2 = m->bias2[l], bad = weight_ok(b1) ? b2 : b1;
        if (!weight_ok(b1) || (m->cfg.stacking && !weight_ok(b2)))
            return snprintf(buf, cap, "bias of label %u is %g", l, (double)bad), buf;
    }
    for (size_t i = 0; m->cfg.stacking && i < (size_t)m->dim2 * m->nlabels; i++)
        if (!weight_ok(m->w2[i]))
            return snprintf(buf, cap, "second-pass weight %zu is %g", i, (double)m->w2[i]), buf;
    return NULL;
}

static uint32_t stride_for(uint32_t nlabels)
{
    return nlabels == 3 ? 3u : (nlabels + 3u) & ~3u;
}

struct chaff_model *chaff_model_new(const struct chaff_features_config *cfg, uint32_t nlabels,
                                    const char *const *labels, uint32_t weight_bits)
{
    if (nlabels == 0 || nlabels > CHAFF_MAX_LABELS)
        return NULL;
    struct chaff_model *m = calloc(1, sizeof(*m));
    if (m == NULL)
        return NULL;
    m->cfg = *cfg;
    m->nlabels = nlabels;
    m->weight_bits = weight_bits;
    m->dim1 = UINT32_C(1) << cfg->hash_bits;
    m->stride = stride_for(nlabels);
    m->scale1 = 1.0f;
    m->labels = calloc(nlabels, sizeof(char *));
    if (weight_bits == 8)
        m->w1_8 = calloc((size_t)m->dim1 * m->stride, sizeof(uint8_t));
    else
        m->w1_16 = calloc((size_t)m->dim1 * m->stride, sizeof(int16_t));
    if (m->labels == NULL || (m->w1_8 == NULL && m->w1_16 == NULL))
        goto fail;
    for (uint32_t l = 0; l < nlabels; l++) {
        m->labels[l] = strdup(labels[l]);
        if (m->labels[l] == NULL)
            goto fail;
    }
    if (cfg->stacking) {
        m->dim2 = (uint32_t)chaff_stack_dim_cfg(cfg, nlabels);
        m->w2 = calloc((size_t)m->dim2 * nlabels, sizeof(float));
        if (m->w2 == NULL)
            goto fail;
    }
    return m;
fail:
    chaff_model_free(m);
    return NULL;
}

void chaff_model_free(struct chaff_model *m)
{
    if (m == NULL)
        return;
    for (uint32_t l = 0; m->labels != NULL && l < m->nlabels; l++)
        free(m->labels[l]);
    free(m->labels);
    free(m->w1_8);
    free(m->w1_16);
    free(m->w2);
    free(m);
}

static int16_t quantise(double w, double inv_scale, int qmax)
{
    double q = nearbyint(w * inv_scale);
    if (q > qmax)
        q = qmax;
    if (q < -qmax)
        q = -qmax;
    return (int16_t)q;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Fits a 256-level codebook to the 'n' weights at 'w' (Lloyd-Max: levels start at quantiles,
 * then each moves to the mean of the weights nearest to it), ascending. Returns 0 or -1. */
static int codebook_fit(const double *w, size_t n, float lut[256])
{
    double *s = malloc((n > 0 ? n : 1) * sizeof(double));
    if (s == NULL)
        return -1;
    memcpy(s, w, n * sizeof(double));
    qsort(s, n, sizeof(double), cmp_double);
    double lev[256];
    for (size_t k = 0; k < 256; k++)
        lev[k] = n > 0 ? s[((2 * k + 1) * n) / 512] : 0;
    for (int iter = 0; iter < 12 && n > 0; iter++) {
        size_t i = 0;
        for (size_t k = 0; k < 256; k++) {
            double hi = k + 1 < 256 ? (lev[k] + lev[k + 1]) / 2 : INFINITY;
            double sum = 0;
            size_t cnt = 0;
            while (i < n && (s[i] < hi || k == 255)) {
                sum += s[i++];
                cnt++;
            }
            if (cnt > 0)
                lev[k] = sum / (double)cnt;
        }
        for (size_t k = 1; k < 256; k++) /* keep them ascending */
            if (lev[k] < lev[k - 1])
                lev[k] = lev[k - 1];
    }
    for (size_t k = 0; k < 256; k++)
        lut[k] = (float)lev[k];
    free(s);
    return 0;
}

/* Index of the codebook level nearest to 'x'. */
static uint8_t codebook_code(const float lut[256], double x)
{
    size_t lo = 0, hi = 255;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x > ((double)lut[mid] + lut[mid + 1]) / 2)
            lo = mid + 1;
        else
            hi = mid;
    }
    return (uint8_t)lo;
}

int chaff_model_set_stage1(struct chaff_model *m, const double *w, const double *bias)
{
    for (uint32_t l = 0; l < m->nlabels; l++)
        m->bias1[l] = (float)bias[l];
    if (m->weight_bits == 8) {
        size_t nw = (size_t)m->dim1 * m->nlabels;
        if (codebook_fit(w, nw, m->lut1) != 0)
            return -1;
        m->scale1 = 1.0f;
        for (uint32_t f = 0; f < m->dim1; f++)
            for (uint32_t l = 0; l < m->nlabels; l++)
                m->w1_8[(size_t)f * m->stride + l] =
                    codebook_code(m->lut1, w[(size_t)f * m->nlabels + l]);
        return 0;
    }
    const int qmax = 32767;
    double maxabs = 0;
    size_t nw = (size_t)m->dim1 * m->nlabels;
    for (size_t i = 0; i < nw; i++)
        maxabs = fabs(w[i]) > maxabs ? fabs(w[i]) : maxabs;
    /* The scale is stored as a float: round-trip it so that training and loading agree. */
    m->scale1 = maxabs > 0 ? (float)(maxabs / qmax) : 1.0f;
    double inv = 1.0 / (double)m->scale1;
    for (uint32_t f = 0; f < m->dim1; f++)
        for (uint32_t l = 0; l < m->nlabels; l++) {
            m->w1_16[(size_t)f * m->stride + l] =
                quantise(w[(size_t)f * m->nlabels + l], inv, qmax);
        }
    return 0;
}

void chaff_model_set_stage2(struct chaff_model *m, const double *w, const double *bias)
{
    for (size_t i = 0; i < (size_t)m->dim2 * m->nlabels; i++)
        m->w2[i] = (float)w[i];
    for (uint32_t l = 0; l < m->nlabels; l++)
        m->bias2[l] = (float)bias[l];
}

/* The first-pass dot products for weights of type T: rows of four labels, four features at a
 * time into four sets of sums (one set would make every feature wait for the previous one's
 * addition: a chain of 3-4 cycles a feature). The table is a megabyte and the rows are random,
 * so all rows of a block are prefetched first, letting their cache misses overlap. */
#define PREFETCH_BLOCK 256
#define SCORE1_ROW(T, table, DECODE, S, k, s)                                                      \
    do {                                                                                           \
        const T *row_ = (table) + (size_t)v->idx[k] * (S);                                         \
        const float x_ = v->val[k];                                                                \
        _Pragma("GCC unroll 4") for (int l_ = 0; l_ < (S); l_++)                                  \
            s[l_] += x_ * DECODE(row_[l_]);                                                        \
    } while (0)
/* Rows of a constant S entries (S = stride, 3 or 4: the loops over labels unroll). */
#define SCORE1_FIXED(T, table, DECODE, S)                                                          \
    do {                                                                                           \
        float s0[S] = {0}, s1[S] = {0}, s2[S] = {0}, s3[S] = {0};                                  \
        for (size_t k0 = 0; k0 < v->n; k0 += PREFETCH_BLOCK) {                                     \
            const size_t k1 = k0 + PREFETCH_BLOCK < v->n ? k0 + PREFETCH_BLOCK : v->n;             \
            for (size_t k = k0; k < k1; k++)                                                       \
                __builtin_prefetch((table) + (size_t)v->idx[k] * (S));                             \
            size_t k = k0;                                                                         \
            for (; k + 4 <= k1; k += 4) {                                                          \
                SCORE1_ROW(T, table, DECODE, S, k, s0);                                            \
                SCORE1_ROW(T, table, DECODE, S, k + 1, s1);                                        \
                SCORE1_ROW(T, table, DECODE, S, k + 2, s2);                                        \
                SCORE1_ROW(T, table, DECODE, S, k + 3, s3);                                        \
            }                                                                                      \
            for (; k < k1; k++)                                                                    \
                SCORE1_ROW(T, table, DECODE, S, k, s0);                                            \
        }                                                                                          \
        for (int l_ = 0; l_ < (S); l_++)                                                           \
            acc[l_] = (s0[l_] + s1[l_]) + (s2[l_] + s3[l_]);                                       \
    } while (0)
#define SCORE1_LOOP(T, w1, DECODE)                                                                 \
    do {                                                                                           \
        const T *table = (w1);                                                                     \
        if (stride == 4) {                                                                         \
            SCORE1_FIXED(T, table, DECODE, 4);                                                     \
        } else if (stride == 3) {                                                                  \
            SCORE1_FIXED(T, table, DECODE, 3);                                                     \
        } else {                                                                                   \
            for (size_t k = 0; k < v->n; k++) {                                                    \
                const T *row = table + (size_t)v->idx[k] * stride;                                 \
                for (uint32_t l = 0; l < L; l++)                                                   \
                    acc[l] += v->val[k] * DECODE(row[l]);                                          \
            }                                                                                      \
        }                                                                                          \
    } while (0)

/* Sums of vector 'v' into acc[0..L). */
static void score1_add(const struct chaff_model *m, const struct chaff_fvec *v, float *acc)
{
    const uint32_t L = m->nlabels, stride = m->stride;
    const float *lut = m->lut1;
#define CODEBOOK(c) lut[c]
#define PLAIN(q) (q)
    if (m->w1_8 != NULL)
        SCORE1_LOOP(uint8_t, m->w1_8, CODEBOOK);
    else
        SCORE1_LOOP(int16_t, m->w1_16, PLAIN);
#undef CODEBOOK
#undef PLAIN
}

void chaff_model_score1(const struct chaff_model *m, const struct chaff_fvec *own,
                        const struct chaff_fvec *rest, const float *chars, float *scores)
{
    float a[CHAFF_MAX_LABELS] = {0}, b[CHAFF_MAX_LABELS] = {0};
    score1_add(m, own, a);
    if (rest != NULL)
        score1_add(m, rest, b);
    for (uint32_t l = 0; chars != NULL && l < m->nlabels && l < 3; l++)
        a[l] += chars[l]; /* three labels: chaff_featurizer_score_chars() */
    for (uint32_t l = 0; l < m->nlabels; l++)
        scores[l] = m->bias1[l] + (a[l] + b[l]) * m->scale1;
}

/* The second pass: a few hundred dense features. Sums are kept in locals (writing through
 * 'scores', which might alias the weights, made the compiler store and reload every term);
 * three labels, the usual case, are unrolled. */
void chaff_model_score2(const struct chaff_model *m, const struct chaff_fvec *v, float *scores)
{
    const uint32_t L = m->nlabels;
    const float *w2 = m->w2;
    if (L == 3) {
        float a0 = m->bias2[0], a1 = m->bias2[1], a2 = m->bias2[2];
        float b0 = 0, b1 = 0, b2 = 0; /* a second set of sums halves the chain of additions */
        size_t k = 0;
        for (; k + 2 <= v->n; k += 2) {
            const float *row = w2 + (size_t)v->idx[k] * 3;
            const float *row2 = w2 + (size_t)v->idx[k + 1] * 3;
            const float x = v->val[k], y = v->val[k + 1];
            a0 += x * row[0];
            a1 += x * row[1];
            a2 += x * row[2];
            b0 += y * row2[0];
            b1 += y * row2[1];
            b2 += y * row2[2];
        }
        if (k < v->n) {
            const float *row = w2 + (size_t)v->idx[k] * 3;
            const float x = v->val[k];
            a0 += x * row[0];
            a1 += x * row[1];
            a2 += x * row[2];
        }
        scores[0] = a0 + b0, scores[1] = a1 + b1, scores[2] = a2 + b2;
        return;
    }
    float acc[CHAFF_MAX_LABELS];
    for (uint32_t l = 0; l < L; l++)
        acc[l] = m->bias2[l];
    for (size_t k = 0; k < v->n; k++) {
        const float *row = w2 + (size_t)v->idx[k] * L;
        for (uint32_t l = 0; l < L; l++)
            acc[l] += v->val[k] * row[l];
    }
    for (uint32_t l = 0; l < L; l++)
        scores[l] = acc[l];
}

void chaff_model_probs(const float *scores, size_t L, float *probs)
{
    /* In float: expf costs half of exp, and the probabilities are stored as floats anyway. */
    float sum = 0;
    float p[CHAFF_MAX_LABELS];
    for (size_t l = 0; l < L; l++) {
        p[l] = 1.0f / (1.0f + expf(-scores[l]));
        sum += p[l];
    }
    for (size_t l = 0; l < L; l++)
        probs[l] = sum > 0 ? p[l] / sum : 1.0f / (float)L;
}

/* ------------------------------------------------------------------ accessors */

size_t chaff_model_nlabels(const struct chaff_model *m)
{
    return m->nlabels;
}

const char *chaff_model_label_name(const struct chaff_model *m, size_t i)
{
    return i < m->nlabels ? m->labels[i] : NULL;
}

int chaff_model_label_index(const struct chaff_model *m, const char *name)
{
    for (uint32_t l = 0; l < m->nlabels; l++)
        if (strcmp(m->labels[l], name) == 0)
            return (int)l;
    return -1;
}

const struct chaff_features_config *chaff_model_features(const struct chaff_model *m)
{
    return &m->cfg;
}

/* ------------------------------------------------------------------ writing */

struct outbuf {
    unsigned char *p;
    size_t n, cap;
    int failed;
};

static void put(struct outbuf *b, const void *data, size_t n)
{
    if (b->failed)
        return;
    if (b->n + n > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 4096;
        while (cap < b->n + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (p == NULL) {
            b->failed = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, n);
    b->n += n;
}

static void put_u32(struct outbuf *b, uint32_t v)
{
    unsigned char x[4] = {(unsigned char)v, (unsigned char)(v >> 8), (unsigned char)(v >> 16),
                          (unsigned char)(v >> 24)};
    put(b, x, 4);
}

static void put_u64(struct outbuf *b, uint64_t v)
{
    put_u32(b, (uint32_t)v);
    put_u32(b, (uint32_t)(v >> 32));
}

static void put_f32(struct outbuf *b, float f)
{
    uint32_t v;
    memcpy(&v, &f, 4);
    put_u32(b, v);
}

static void put_config(struct outbuf *b, const struct chaff_features_config *c)
{
    put_u32(b, c->hash_bits);
    put_u32(b, c->char_ngram_min);
    put_u32(b, c->char_ngram_max);
    put_u32(b, c->word_ngram_max);
    put_u32(b, c->context);
    put_u32(b, c->groups);
    put_u32(b, c->stacking);
    put_u32(b, c->max_chars);
}

static int serialise(const struct chaff_model *m, struct outbuf *b)
{
    put(b, CHAFF_MODEL_MAGIC, 8);
    put_u32(b, CHAFF_MODEL_VERSION);
    put_u32(b, CHAFF_HASH_ID);
    put_u64(b, 0);
    put_config(b, &m->cfg);
    put_u32(b, m->nlabels);
    for (uint32_t l = 0; l < m->nlabels; l++) {
        size_t len = strlen(m->labels[l]);
        unsigned char n8 = (unsigned char)len;
        put(b, &n8, 1);
        put(b, m->labels[l], len);
    }
    put_u32(b, m->weight_bits);
    put_u32(b, m->dim1);
    put_f32(b, m->scale1);
    for (uint32_t l = 0; l < m->nlabels; l++)
        put_f32(b, m->bias1[l]);
    if (m->weight_bits == 8)
        for (size_t k = 0; k < 256; k++)
            put_f32(b, m->lut1[k]);
    for (uint32_t f = 0; f < m->dim1; f++)
        for (uint32_t l = 0; l < m->nlabels; l++) {
            int q = chaff_model_w1(m, f, l);
            if (m->weight_bits == 8) {
                unsigned char c = (unsigned char)q;
                put(b, &c, 1);
            } else {
                unsigned char x[2] = {(unsigned char)((uint16_t)q), (unsigned char)((uint16_t)q >> 8)};
                put(b, x, 2);
            }
        }
    if (m->cfg.stacking) {
        put_u32(b, m->dim2);
        for (uint32_t l = 0; l < m->nlabels; l++)
            put_f32(b, m->bias2[l]);
        for (size_t i = 0; i < (size_t)m->dim2 * m->nlabels; i++)
            put_f32(b, m->w2[i]);
    }
    if (!b->failed)
        put_u32(b, (uint32_t)crc32(0L, b->p, (uInt)b->n));
    return b->failed ? -1 : 0;
}

int chaff_model_save_file(const struct chaff_model *m, const char *path, struct chaff_error *err)
{
    struct outbuf b = {0};
    int rc = CHAFF_OK;
    char *tmp = NULL;
    FILE *f = NULL;
    char why[96];
    if (check_weights(m, why, sizeof(why)) != NULL)
        return chaff_error_set(err, CHAFF_ERR_MODEL, path,
                               "not saving a model that could not be loaded: %s", why);
    if (serialise(m, &b) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory writing the model");
        goto out;
    }
    size_t plen = strlen(path);
    tmp = malloc(plen + 16);
    if (tmp == NULL) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
        goto out;
    }
    snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
    f = fopen(tmp, "wb");
    if (f == NULL) {
        rc = chaff_error_set(err, CHAFF_ERR_IO, path, "cannot create: %s", strerror(errno));
        goto out;
    }
    if (fwrite(b.p, 1, b.n, f) != b.n || fflush(f) != 0 || fsync(fileno(f)) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_IO, path, "cannot write: %s", strerror(errno));
        fclose(f);
        f = NULL;
        remove(tmp);
        goto out;
    }
    if (fclose(f) != 0) {
        f = NULL;
        rc = chaff_error_set(err, CHAFF_ERR_IO, path, "cannot write: %s", strerror(errno));
        remove(tmp);
        goto out;
    }
    f = NULL;
    if (rename(tmp, path) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_IO, path, "cannot rename into place: %s",
                             strerror(errno));
        remove(tmp);
        goto out;
    }
out:
    free(tmp);
    free(b.p);
    return rc;
}

/* ------------------------------------------------------------------ reading */

struct inbuf {
    const unsigned char *p;
    size_t n, pos;
    int truncated;
};

static const unsigned char *take(struct inbuf *b, size_t n)
{
    if (b->truncated || n > b->n - b->pos) {
        b->truncated = 1;
        return NULL;
    }
    const unsigned char *p = b->p + b->pos;
    b->pos += n;
    return p;
}

static uint32_t get_u32(struct inbuf *b)
{
    const unsigned char *x = take(b, 4);
    if (x == NULL)
        return 0;
    return (uint32_t)x[0] | (uint32_t)x[1] << 8 | (uint32_t)x[2] << 16 | (uint32_t)x[3] << 24;
}

static float get_f32(struct inbuf *b)
{
    uint32_t v = get_u32(b);
    float f;
    memcpy(&f, &v, 4);
    return f;
}

#define MODEL_FAIL(...) chaff_error_set(err, CHAFF_ERR_MODEL, name, __VA_ARGS__)

int chaff_model_load_buffer(const void *data, size_t nbytes, const char *name,
                            struct chaff_model **model_out, struct chaff_error *err)
{
    struct inbuf b = {data, nbytes, 0, 0};
    struct chaff_model *m = NULL;
    char *labels[CHAFF_MAX_LABELS] = {0};
    int rc;
    *model_out = NULL;
    if (nbytes == 0)
        return MODEL_FAIL("truncated model file (0 bytes: empty)");
    if (data == NULL)
        return chaff_error_set(err, CHAFF_ERR_USAGE, name, "no model data");
    /* A prefix of the magic is a truncated model, anything else a foreign file. */
    size_t nmagic = nbytes < 8 ? nbytes : 8;
    if (memcmp(data, CHAFF_MODEL_MAGIC, nmagic) != 0)
        return MODEL_FAIL("not a chaff model (bad magic number)");
    if (nbytes < 12)
        return MODEL_FAIL("truncated model file (%zu bytes)", nbytes);
    take(&b, 8);
    uint32_t version = get_u32(&b);
    if (version > CHAFF_MODEL_VERSION)
        return MODEL_FAIL("model format version %u is newer than this chaff supports (%u)",
                          version, CHAFF_MODEL_VERSION);
    if (version == 0)
        return MODEL_FAIL("corrupt model: format version 0");
    uint32_t hash_id = get_u32(&b);
    uint32_t seed_lo = get_u32(&b), seed_hi = get_u32(&b);
    struct chaff_features_config cfg;
    cfg.hash_bits = get_u32(&b);
    cfg.char_ngram_min = get_u32(&b);
    cfg.char_ngram_max = get_u32(&b);
    cfg.word_ngram_max = get_u32(&b);
    cfg.context = get_u32(&b);
    cfg.groups = get_u32(&b);
    cfg.stacking = get_u32(&b);
    cfg.max_chars = version >= 2 ? get_u32(&b) : 0;
    uint32_t nlabels = get_u32(&b);
    if (b.truncated)
        goto truncated;
    if (hash_id != CHAFF_HASH_ID || seed_lo != 0 || seed_hi != 0)
        return MODEL_FAIL("model was trained with feature scheme %u (seed %u:%u); this chaff "
                          "computes scheme %u (seed 0): train the model again with it",
                          hash_id, seed_hi, seed_lo, CHAFF_HASH_ID);
    struct chaff_error cerr;
    if (chaff_features_config_check(&cfg, &cerr) != CHAFF_OK)
        return MODEL_FAIL("corrupt model: %s", cerr.msg);
    if (nlabels == 0 || nlabels > CHAFF_MAX_LABELS)
        return MODEL_FAIL("corrupt model: %u labels", nlabels);
    for (uint32_t l = 0; l < nlabels; l++) {
        const unsigned char *len = take(&b, 1);
        const unsigned char *s = len != NULL ? take(&b, *len) : NULL;
        if (s == NULL) {
            rc = -1;
            goto truncated_labels;
        }
        if (*len == 0 || memchr(s, 0, *len) != NULL || memchr(s, '\t', *len) != NULL ||
            memchr(s, '\n', *len) != NULL) {
            rc = MODEL_FAIL("corrupt model: invalid name of label %u", l);
            goto out;
        }
        labels[l] = strndup((const char *)s, *len);
        if (labels[l] == NULL) {
            rc = chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
            goto out;
        }
    }
    uint32_t wbits = get_u32(&b);
    uint32_t dim1 = get_u32(&b);
    if (b.truncated) {
        rc = -1;
        goto truncated_labels;
    }
    if (wbits != 8 && wbits != 16) {
        rc = MODEL_FAIL("corrupt model: weight precision of %u bits", wbits);
        goto out;
    }
    if (dim1 != UINT32_C(1) << cfg.hash_bits) {
        rc = MODEL_FAIL("corrupt model: %u first-pass rows for %u hash bits", dim1, cfg.hash_bits);
        goto out;
    }
    /* Check the size before allocating, so a corrupt header cannot ask for gigabytes. */
    size_t need = 4 + 4 * (size_t)nlabels + (wbits == 8 ? 4 * 256 : 0) +
                  (size_t)dim1 * nlabels * (wbits / 8) + 4;
    if (need > b.n - b.pos) {
        rc = -1;
        goto truncated_labels;
    }
    m = chaff_model_new(&cfg, nlabels, (const char *const *)labels, wbits);
    if (m == NULL) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory loading the model");
        goto out;
    }
    m->scale1 = get_f32(&b);
    for (uint32_t l = 0; l < nlabels; l++)
        m->bias1[l] = get_f32(&b);
    if (wbits == 8)
        for (size_t k = 0; k < 256; k++)
            m->lut1[k] = get_f32(&b);
    const unsigned char *w = take(&b, (size_t)dim1 * nlabels * (wbits / 8));
    for (uint32_t f = 0; w != NULL && f < dim1; f++)
        for (uint32_t l = 0; l < nlabels; l++) {
            if (wbits == 8) {
                m->w1_8[(size_t)f * m->stride + l] = *w++;
            } else {
                m->w1_16[(size_t)f * m->stride + l] = (int16_t)(uint16_t)(w[0] | w[1] << 8);
                w += 2;
            }
        }
    if (cfg.stacking) {
        uint32_t dim2 = get_u32(&b);
        if (!b.truncated && dim2 != m->dim2) {
            rc = MODEL_FAIL("corrupt model: %u second-pass features, expected %u", dim2, m->dim2);
            goto out;
        }
        for (uint32_t l = 0; l < nlabels; l++)
            m->bias2[l] = get_f32(&b);
        for (size_t i = 0; !b.truncated && i < (size_t)m->dim2 * nlabels; i++)
            m->w2[i] = get_f32(&b);
    }
    size_t body = b.pos;
    uint32_t crc = get_u32(&b);
    if (b.truncated) {
        rc = -1;
        goto truncated_labels;
    }
    if (b.pos != b.n) {
        rc = MODEL_FAIL("corrupt model: %zu unexpected bytes after the end", b.n - b.pos);
        goto out;
    }
    if (crc != (uint32_t)crc32(0L, b.p, (uInt)body)) {
        rc = MODEL_FAIL("corrupt model: checksum mismatch");
        goto out;
    }
    for (uint32_t l = 0; l < nlabels; l++)
        for (uint32_t k = 0; k < l; k++)
            if (strcmp(labels[l], labels[k]) == 0) {
                rc = MODEL_FAIL("corrupt model: label '%s' appears twice", labels[l]);
                goto out;
            }
    char why[96];
    if (check_weights(m, why, sizeof(why)) != NULL) {
        rc = MODEL_FAIL("corrupt model: %s", why);
        goto out;
    }
    *model_out = m;
    m = NULL;
    rc = CHAFF_OK;
    goto out;
truncated_labels:
truncated:
    rc = MODEL_FAIL("truncated model file (%zu bytes)", nbytes);
out:
    for (uint32_t l = 0; l < CHAFF_MAX_LABELS; l++)
        free(labels[l]);
    chaff_model_free(m);
    return rc;
}

int chaff_model_load_file(const char *path, struct chaff_model **model_out,
                          struct chaff_error *err)
{
    *model_out = NULL;
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return chaff_error_set(err, CHAFF_ERR_IO, path, "cannot open: %s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return chaff_error_set(err, CHAFF_ERR_IO, path, "cannot stat: %s", strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return chaff_error_set(err, CHAFF_ERR_MODEL, path, "not a regular file");
    }
    if ((uint64_t)st.st_size > MAX_MODEL_BYTES) {
        close(fd);
        return chaff_error_set(err, CHAFF_ERR_MODEL, path, "model file too large (%lld bytes)",
                               (long long)st.st_size);
    }
    size_t n = (size_t)st.st_size;
    unsigned char *data = malloc(n > 0 ? n : 1);
    if (data == NULL) {
        close(fd);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    }
    size_t got = 0;
    while (got < n) {
        ssize_t r = read(fd, data + got, n - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0) {
            int e = errno;
            free(data);
            close(fd);
            return chaff_error_set(err, CHAFF_ERR_IO, path, "cannot read: %s", strerror(e));
        }
        if (r == 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    int rc = chaff_model_load_buffer(data, got, path, model_out, err);
    free(data);
    return rc;
}

int chaff_model_needs_html(const struct chaff_model *model)
{
    return (model->cfg.groups & CHAFF_FEAT_STRUCTURE) != 0;
}
