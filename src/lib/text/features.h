/*
 * features.h - turns the paragraphs of a page into sparse feature vectors.
 *
 * First pass (hashed, dimension 2^hash_bits): character n-grams and word n-grams of the
 * normalised text, shallow features, context features (words and shallow features of the
 * neighbours, tagged with their offset) and window features (prose density around the
 * paragraph, position in the page). Second pass (dense, chaff_stack_dim()): the first pass's
 * probabilities of the paragraph and of its neighbours over several window sizes.
 *
 * Vectors are unsorted and may repeat an index (the scorer adds; training sorts and merges).
 */
#ifndef CHAFF_LIB_FEATURES_H
#define CHAFF_LIB_FEATURES_H

#include "chaff.h"
#include "normalize.h"

/* Only the first CHAFF_FEATURE_MAX_BYTES bytes of a paragraph are featurised, so a 50 MB
 * paragraph costs bounded time and memory; its length still counts in the shallow features. */
#define CHAFF_FEATURE_MAX_BYTES (256u * 1024u)

struct chaff_fvec {
    uint32_t *idx; /* 0-based indices */
    float *val;
    size_t n, cap;
};

/* Facts about one paragraph read off its raw bytes, for window and second-pass features. */
struct chaff_para_info {
    uint32_t nchars;   /* code points (lead bytes) */
    uint32_t weight;   /* length with wide (CJK) characters counted twice */
    uint8_t prose;     /* a sentence-like paragraph of some length */
    uint8_t long_line; /* a long paragraph */
    uint8_t len_bucket;
    uint8_t prose_before; /* distance to the nearest prose paragraph before (0: none within */
    uint8_t prose_after;  /* PROSE_REACH), and after */
    uint8_t title;        /* 0, or 1 + how its words overlap the page's first paragraph's
                             (features.c, SK_TITLE) */
};

#define PROSE_REACH 30

/* Per-paragraph scratch of the context ring. */
struct chaff_fx_slot {
    struct chaff_fvec own; /* the paragraph's own features */
    float chars[3];        /* with a character scorer: its character n-grams' weighted sums */
    uint64_t *ctx;         /* hashes its neighbours see */
    size_t nctx, ctx_cap;
};

#define TITLE_SET       128 /* slots of the title's word set (at most half of them used) */
#define TITLE_MAX_WORDS 40  /* longer lines are not compared with the title */

struct chaff_featurizer {
    struct chaff_features_config cfg;
    uint32_t mask;  /* hash_bits low bits */
    unsigned shift; /* 64 - hash_bits */
    struct chaff_normalizer nz;
    struct chaff_fx_slot *ring; /* 2 * context + 1 slots */
    size_t nring;
    struct chaff_para_info *info; /* per paragraph of the current page */
    size_t info_cap;
    uint32_t *prose_sum, *long_sum; /* prefix sums over the page, n + 1 entries */
    size_t sum_cap;
    struct chaff_fvec out; /* the context and window features handed to the sink */
    uint8_t *pad;          /* " " + normalised text + " " for the character n-grams */
    size_t pad_cap;
    uint32_t *offs;        /* byte offset of each code point of 'pad' */
    size_t offs_cap;
    uint64_t *words;       /* word hashes of the current paragraph */
    uint32_t *word_at;     /* and the code point each of them starts at */
    size_t words_cap, word_at_cap;
    uint64_t ninvalid; /* invalid UTF-8 and NUL bytes replaced, summed over all pages */
    int timing;        /* 1: measure ns_normalize */
    uint64_t ns_normalize;
    const uint8_t *char_codes; /* see chaff_featurizer_score_chars() */
    const float *char_lut;
    uint64_t title[TITLE_SET]; /* distinct word hashes of the page's first paragraph */
    uint8_t title_main[TITLE_SET]; /* 1: the word is in its main part (see features.c) */
    unsigned ntitle, nmain;    /* how many, and how many of the main part */
    size_t headline;           /* the first later line made of them (SIZE_MAX: none yet) */
    double *psum; /* second pass: prefix sums of first-pass probabilities */
    size_t region_first[64], region_last[64]; /* second pass: each label's region */
    uint8_t mass_bin[64], mean_bin[64]; /* and its mass in the page, binned */
    size_t psum_cap;
    /* The page's structure (HTML input), or NULL; set by the caller for each page
     * (chaff_features_page reads it when cfg.groups has CHAFF_FEAT_STRUCTURE). Borrowed. */
    const struct chaff_page_structure *structure;
    double *gsum;      /* second pass: first-pass probabilities summed per structure group */
    uint32_t *gcount;  /* and the group's lines */
    size_t gsum_cap, gcount_cap;
    int grouped;       /* 1: gsum and gcount describe the current page */
};

/* Called once per paragraph, in order, with its first-pass vector in two parts (borrowed for
 * the call): 'own' (its n-grams and shallow features) and 'rest' (context and window
 * features); the vector is their concatenation. Handing them apart saves copying the own
 * features, the most numerous, for every paragraph. 'chars' is NULL, or, with a character
 * scorer, the paragraph's character n-grams already scored (three sums, one per label); they
 * are then not in 'own'. A non-zero return stops featurisation and is returned by
 * chaff_features_page(). */
typedef int (*chaff_fvec_sink)(void *sink_ctx, size_t i, const struct chaff_fvec *own,
                               const struct chaff_fvec *rest, const float *chars);

/* 'cfg' must have passed chaff_features_config_check(). Returns 0 or -1 (out of memory). */
int chaff_featurizer_init(struct chaff_featurizer *fx, const struct chaff_features_config *cfg);
void chaff_featurizer_release(struct chaff_featurizer *fx);

/* For classifying with a three-label model of 8-bit weights: the character n-grams, two thirds
 * of the features, are scored as they are hashed (no index is stored and read back) and
 * handed to the sink as sums. 'codes' holds 2^hash_bits rows of three codes into the
 * codebook 'lut' (struct chaff_model's w1_8 and lut1); both are borrowed. */
void chaff_featurizer_score_chars(struct chaff_featurizer *fx, const uint8_t *codes,
                                  const float *lut);

/* Featurises the 'n' paragraphs of a page and hands each first-pass vector to 'sink'.
 * Afterwards fx->info holds the page's paragraph facts, and the title facts (info[i].title,
 * fx->headline) as well. Returns 0, -1 when out of memory, or the sink's non-zero return. */
int chaff_features_page(struct chaff_featurizer *fx, const char *const *paras, const size_t *lens,
                        size_t n, chaff_fvec_sink sink, void *sink_ctx);

/* Fills fx->info for the 'n' paragraphs of a page without featurising them (what the second
 * pass needs), except the title facts, which come from the words: they are left empty, and a
 * caller that featurised the page before (training) puts back the ones it kept. Returns 0 or
 * -1 (out of memory). */
int chaff_features_page_info(struct chaff_featurizer *fx, const char *const *paras,
                             const size_t *lens, size_t n);

/* Dimension of the second-pass vectors for 'nlabels' labels: of a text model, and of a model
 * of configuration 'cfg' (a structure model pools over the page's structure groups too). */
size_t chaff_stack_dim(size_t nlabels);
size_t chaff_stack_dim_cfg(const struct chaff_features_config *cfg, size_t nlabels);

/* Prepares the second pass over a page whose first-pass probabilities are p1[i * nlabels + l]
 * (fx->info must describe the same page). Returns 0 or -1 (out of memory). */
int chaff_stack_prepare(struct chaff_featurizer *fx, const float *p1, size_t n, size_t nlabels);

/* Writes the second-pass vector of paragraph 'i' to 'out' (reusing its buffers). Returns 0 or -1. */
int chaff_stack_features(struct chaff_featurizer *fx, const float *p1, size_t n, size_t nlabels,
                         size_t i, struct chaff_fvec *out);

void chaff_fvec_release(struct chaff_fvec *v);

/* Monotonic clock in nanoseconds, for the stage timers. */
uint64_t chaff_clock_ns(void);

#endif
