/*
 * features.c - the featuriser. A page is processed in one pass with a ring of 2 * context + 1
 * slots: paragraph j is normalised and featurised into slot j % nring, and paragraph
 * i = j - context is assembled (own features + its neighbours' context hashes + window
 * features) and handed to the sink. Memory is therefore bounded by the ring and by a few
 * integers per paragraph, whatever the page's length; no allocation happens once the buffers
 * have grown.
 */
#include "grow.h"
#include "features.h"
#include "compiler.h"

#include "error.h"
#include "hash.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <utf8proc.h>

/* Seeds of the feature families: distinct so that equal strings in two families differ. */
#define SEED_CHAR    UINT64_C(0x6368617267726d31) /* "chargrm1" */
#define SEED_WORD    UINT64_C(0x776f726467726d31) /* "wordgrm1" */
#define SEED_BIGRAM  UINT64_C(0x626967726d2d3031) /* "bigrm-01" */
#define SEED_SHALLOW UINT64_C(0x7368616c6c6f7731) /* "shallow1" */
#define SEED_WINDOW  UINT64_C(0x77696e646f773031) /* "window01" */
#define SEED_CONTEXT UINT64_C(0x636f6e7465787431) /* "context1" */
#define SEED_STRUCT  UINT64_C(0x7374727563743031) /* "struct01" */

/* Feature values of the families (each family's vector has a norm near its value). */
#define VAL_SHALLOW  0.35f
#define VAL_WINDOW   0.35f
#define VAL_CTX_WORD 0.5f
#define VAL_CTX_SHAL 0.2f
#define VAL_STRUCT   0.3f
#define MAX_CTX_WORDS 16

enum shallow_kind {
    SK_LEN = 1, SK_WORDS, SK_LETTERS, SK_DIGITS, SK_PUNCT, SK_UPPER, SK_LAST, SK_FIRST,
    SK_SEP, SK_NSEP, SK_URL, SK_EMAIL, SK_COPYRIGHT, SK_YEAR, SK_INVALID, SK_LEN_LAST,
    SK_TITLECASE, SK_ALLCAPS, SK_EMPTY, SK_WORDS_LAST, SK_TITLE, SK_TITLE_FIRST,
};

enum window_kind {
    WK_PROSE3 = 1, WK_PROSE10, WK_LONG3, WK_LONG10, WK_DIST_BEFORE, WK_DIST_AFTER, WK_DIST_MIN,
    WK_FROM_START, WK_FROM_END, WK_DECILE, WK_PAGE_SIZE, WK_LEN_PROSE3, WK_INSIDE,
};

static int is_word_category(int32_t cp)
{
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LL:
    case UTF8PROC_CATEGORY_LT:
    case UTF8PROC_CATEGORY_LM:
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_MN:
    case UTF8PROC_CATEGORY_MC:
    case UTF8PROC_CATEGORY_ME:
    case UTF8PROC_CATEGORY_ND:
    case UTF8PROC_CATEGORY_NL:
    case UTF8PROC_CATEGORY_NO:
        return 1;
    default:
        return 0;
    }
}

/* Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana and Han
 * (CJK ideographs, with their extension A and compatibility forms). A run of their letters is
 * a clause, not a word: each letter (with the marks that follow it) is taken as a word. */
static int is_unsegmented_script(int32_t cp)
{
    return (cp >= 0x0E00 && cp <= 0x0EFF) || (cp >= 0x1000 && cp <= 0x109F) ||
           (cp >= 0x1780 && cp <= 0x17FF) || (cp >= 0x3040 && cp <= 0x30FF) ||
           (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x4E00 && cp <= 0x9FFF) ||
           (cp >= 0xF900 && cp <= 0xFAFF);
}

static int is_mark_category(int32_t cp)
{
    const utf8proc_category_t c = utf8proc_category(cp);
    return c == UTF8PROC_CATEGORY_MN || c == UTF8PROC_CATEGORY_MC || c == UTF8PROC_CATEGORY_ME;
}

/* Word characters of the BMP, two bits each (16 KB), built at first use: bit 0 a word
 * character, bit 1 a letter of an unsegmented script (a word by itself). */
enum { WB_WORD = 1, WB_ALONE = 2 };
static uint8_t word_bits[0x10000 / 4];
static pthread_once_t word_once = PTHREAD_ONCE_INIT;

static void build_word_bits(void)
{
    for (int32_t cp = 0; cp < 0x10000; cp++) {
        int w = cp < 0x80 ? (cp >= 'a' && cp <= 'z') || (cp >= '0' && cp <= '9') ||
                                (cp >= 'A' && cp <= 'Z')
                          : is_word_category(cp);
        unsigned bits = w ? WB_WORD : 0;
        if (w && is_unsegmented_script(cp) && !is_mark_category(cp))
            bits |= WB_ALONE;
        word_bits[cp >> 2] |= (uint8_t)(bits << (2 * (cp & 3)));
    }
}

/* WB_* bits of a code point (those above the BMP: word characters, never alone). */
static inline unsigned word_class(int32_t cp)
{
    if ((uint32_t)cp < 0x10000)
        return (word_bits[cp >> 2] >> (2 * (cp & 3))) & 3;
    return is_word_category(cp) ? WB_WORD : 0;
}

/* chaff_hash_combine(seed, kind) of the shallow and window kinds, computed once. */
#define TAG_KINDS 32
static uint64_t shallow_kind_hash[TAG_KINDS], window_kind_hash[TAG_KINDS];
static pthread_once_t kind_once = PTHREAD_ONCE_INIT;

static void build_kind_hashes(void)
{
    for (unsigned k = 0; k < TAG_KINDS; k++) {
        shallow_kind_hash[k] = chaff_hash_combine(SEED_SHALLOW, k);
        window_kind_hash[k] = chaff_hash_combine(SEED_WINDOW, k);
    }
}

/* The hash of feature 'kind' with value 'bin': chaff_hash_combine(chaff_hash_combine(seed,
 * kind), bin), the seed being SEED_SHALLOW or SEED_WINDOW. */
static inline uint64_t tag_hash(const uint64_t *kind_hash, unsigned kind, unsigned bin)
{
    return chaff_hash_combine(kind_hash[kind], bin);
}

void chaff_features_config_defaults(struct chaff_features_config *cfg)
{
    cfg->hash_bits = 20;
    cfg->char_ngram_min = 2;
    cfg->char_ngram_max = 4;
    cfg->word_ngram_max = 2;
    cfg->context = 2;
    cfg->groups = CHAFF_FEAT_ALL;
    cfg->stacking = 1;
    cfg->max_chars = 128;
}

int chaff_features_config_check(const struct chaff_features_config *cfg, struct chaff_error *err)
{
    if (cfg->hash_bits < 10 || cfg->hash_bits > 26)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "hash bits must be 10..26, not %u",
                               cfg->hash_bits);
    if (cfg->char_ngram_min < 1 || cfg->char_ngram_max > 8 ||
        cfg->char_ngram_min > cfg->char_ngram_max)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "character n-gram range must satisfy 1 <= min <= max <= 8, not %u-%u",
                               cfg->char_ngram_min, cfg->char_ngram_max);
    if (cfg->word_ngram_max > 2)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "word n-grams must be 0, 1 or 2, not %u",
                               cfg->word_ngram_max);
    if (cfg->context > 4)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "context must be 0..4, not %u",
                               cfg->context);
    if ((cfg->groups & ~(CHAFF_FEAT_ALL | CHAFF_FEAT_STRUCTURE)) != 0 || cfg->groups == 0)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "invalid feature groups 0x%x",
                               cfg->groups);
    if (cfg->stacking > 1)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "stacking must be 0 or 1, not %u",
                               cfg->stacking);
    if (cfg->max_chars != 0 && (cfg->max_chars < 8 || cfg->max_chars > 65536))
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "max chars must be 0 (all) or 8..65536, not %u", cfg->max_chars);
    return CHAFF_OK;
}

/* ------------------------------------------------------------------ buffers */

static int fvec_reserve(struct chaff_fvec *v, size_t extra)
{
    if (v->n + extra <= v->cap)
        return 0;
    size_t cap = v->cap;
    if (chaff_grow((void **)&v->idx, &cap, v->n + extra, sizeof(uint32_t)) != 0)
        return -1;
    size_t cap2 = v->cap;
    if (chaff_grow((void **)&v->val, &cap2, v->n + extra, sizeof(float)) != 0)
        return -1;
    v->cap = cap < cap2 ? cap : cap2;
    return 0;
}

static inline void fvec_push(struct chaff_fvec *v, uint32_t idx, float val)
{
    v->idx[v->n] = idx;
    v->val[v->n] = val;
    v->n++;
}

uint64_t chaff_clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void chaff_fvec_release(struct chaff_fvec *v)
{
    free(v->idx);
    free(v->val);
    memset(v, 0, sizeof(*v));
}

int chaff_featurizer_init(struct chaff_featurizer *fx, const struct chaff_features_config *cfg)
{
    memset(fx, 0, sizeof(*fx));
    fx->cfg = *cfg;
    fx->mask = (UINT32_C(1) << cfg->hash_bits) - 1;
    fx->shift = 64 - cfg->hash_bits;
    pthread_once(&word_once, build_word_bits);
    pthread_once(&kind_once, build_kind_hashes);
    chaff_normalizer_init(&fx->nz);
    fx->headline = SIZE_MAX;
    fx->nring = 2 * (size_t)cfg->context + 1;
    fx->ring = calloc(fx->nring, sizeof(*fx->ring));
    return fx->ring != NULL ? 0 : -1;
}

void chaff_featurizer_release(struct chaff_featurizer *fx)
{
    chaff_normalizer_release(&fx->nz);
    for (size_t i = 0; fx->ring != NULL && i < fx->nring; i++) {
        chaff_fvec_release(&fx->ring[i].own);
        free(fx->ring[i].ctx);
    }
    free(fx->ring);
    free(fx->info);
    free(fx->prose_sum);
    free(fx->long_sum);
    chaff_fvec_release(&fx->out);
    free(fx->words);
    free(fx->word_at);
    free(fx->pad);
    free(fx->offs);
    free(fx->psum);
    free(fx->gsum);
    free(fx->gcount);
    memset(fx, 0, sizeof(*fx));
}

/* ------------------------------------------------------------------ paragraph facts */

static uint8_t log2_bucket(uint64_t n, uint8_t max)
{
    uint8_t b = 0;
    while (n > 0 && b < max) {
        n >>= 1;
        b++;
    }
    return b;
}

/* 1 when the last code point ending at 'end' is sentence-final punctuation. */
static int ends_sentence(const uint8_t *s, size_t end)
{
    uint8_t c = s[end - 1];
    if (c == '"' || c == '\'' || c == ')') {
        if (end < 2)
            return 0;
        c = s[end - 2];
    }
    if (c == '.' || c == '!' || c == '?')
        return 1;
    if (end >= 3) {
        const uint8_t *t = s + end - 3;
        if ((t[0] == 0xE3 && t[1] == 0x80 && t[2] == 0x82) ||  /* 。 */
            (t[0] == 0xEF && t[1] == 0xBC && t[2] == 0x81) ||  /* ！ */
            (t[0] == 0xEF && t[1] == 0xBC && t[2] == 0x9F) ||  /* ？ */
            (t[0] == 0xE2 && t[1] == 0x80 && t[2] == 0x9D) ||  /* ” */
            (t[0] == 0xE0 && t[1] == 0xA5 && t[2] == 0xA4))    /* । */
            return 1;
    }
    if (end >= 2 && s[end - 2] == 0xD8 && s[end - 1] == 0x9F) /* ؟ */
        return 1;
    return 0;
}

static void para_info(const uint8_t *s, size_t len, struct chaff_para_info *pi)
{
    uint32_t nchars = 0, wide = 0;
    for (size_t i = 0; i < len; i++) {
        nchars += (s[i] & 0xC0) != 0x80;
        wide += s[i] >= 0xE3 && s[i] <= 0xED;
    }
    size_t end = len;
    while (end > 0 && (s[end - 1] == ' ' || (s[end - 1] >= 0x09 && s[end - 1] <= 0x0d)))
        end--;
    pi->nchars = nchars;
    pi->weight = nchars + wide;
    int sentence = end > 0 && ends_sentence(s, end);
    pi->prose = (pi->weight >= 60 && sentence) || pi->weight >= 150;
    pi->long_line = pi->weight >= 100;
    pi->len_bucket = log2_bucket(pi->weight, 12);
    pi->title = 0; /* set by add_shallow() */
}

/* ------------------------------------------------------------------ own features */

struct own_ctx {
    struct chaff_featurizer *fx;
    struct chaff_fx_slot *slot;
};

static inline uint32_t bucket(const struct chaff_featurizer *fx, uint64_t h)
{
    return (uint32_t)h & fx->mask;
}

/* The key of an n-gram of L >= 1 bytes: its bytes read as a little-endian integer when L <= 8,
 * longer ones folded eight bytes at a time. Reads up to 7 bytes past the n-gram (the buffer has
 * CHAR_PAD_SLACK bytes of slack). Different byte strings of at most 8 bytes get different keys
 * (the text holds no NUL bytes). */
static inline uint64_t load_le64(const uint8_t *p)
{
    uint64_t x;
    memcpy(&x, p, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
    x = __builtin_bswap64(x);
#endif
    return x;
}

static inline uint64_t ngram_key(const uint8_t *p, uint32_t len)
{
    if (len <= 8)
        return load_le64(p) & (~UINT64_C(0) >> (64 - 8 * len));
    uint64_t h = load_le64(p);
    for (p += 8, len -= 8; len > 8; p += 8, len -= 8)
        h = (h ^ load_le64(p)) * CHAFF_FIB64;
    return (h * CHAFF_FNV64_PRIME) ^ (load_le64(p) & (~UINT64_C(0) >> (64 - 8 * len)));
}

#define CHAR_PAD_SLACK 16

/* fx->pad = " " + the normalised text + " " + CHAR_PAD_SLACK zero bytes. */
static int pad_text(struct chaff_featurizer *fx)
{
    const struct chaff_normalizer *nz = &fx->nz;
    if (chaff_grow((void **)&fx->pad, &fx->pad_cap, nz->text_len + 2 + CHAR_PAD_SLACK, 1) != 0)
        return -1;
    fx->pad[0] = ' ';
    memcpy(fx->pad + 1, nz->text, nz->text_len);
    fx->pad[nz->text_len + 1] = ' ';
    memset(fx->pad + nz->text_len + 2, 0, CHAR_PAD_SLACK);
    return 0;
}

/* The number of character n-grams of the paragraph in fx->nz (over " " + text + " "). */
static size_t char_ngram_count(const struct chaff_featurizer *fx)
{
    const size_t total = fx->nz.ncps + 2; /* with the two boundary marks */
    size_t count = 0;
    for (unsigned n = fx->cfg.char_ngram_min; n <= fx->cfg.char_ngram_max; n++)
        count += total >= n ? total - n + 1 : 0;
    return count;
}

/* fx->offs = the byte offset in fx->pad of each of its code points, plus the end. */
static int char_offsets(struct chaff_featurizer *fx)
{
    const struct chaff_normalizer *nz = &fx->nz;
    const size_t total = nz->ncps + 2;
    if (chaff_grow((void **)&fx->offs, &fx->offs_cap, total + 1, sizeof(uint32_t)) != 0)
        return -1;
    uint32_t *const offs = fx->offs;
    offs[0] = 0;
    for (size_t k = 1; k <= nz->ncps + 1; k++)
        offs[k] = nz->starts[k - 1] + 1;
    offs[total] = (uint32_t)nz->text_len + 2;
    return 0;
}

/* Character n-grams over " " + text + " " (the spaces mark the paragraph boundaries of the
 * first and last word; inner word boundaries are already single spaces). An n-gram's bucket is
 * the top bits of (key ^ seed) * 2^64/phi: one multiplication, no chain of byte hashes. */
static int add_char_ngrams(struct chaff_featurizer *fx, struct chaff_fvec *v)
{
    const size_t count = char_ngram_count(fx);
    if (count == 0)
        return 0;
    if (fvec_reserve(v, count) != 0 || char_offsets(fx) != 0)
        return -1;
    const unsigned nmin = fx->cfg.char_ngram_min, nmax = fx->cfg.char_ngram_max;
    const size_t total = fx->nz.ncps + 2;
    const uint8_t *const pad = fx->pad;
    const uint32_t *const offs = fx->offs;
    const float val = 1.0f / sqrtf((float)count);
    const unsigned shift = fx->shift;
    /* Locals only in the loop: stores through v->idx could alias fx and v, and the compiler
     * would reload them for every n-gram. */
    uint32_t *const idx = v->idx + v->n;
    float *const vals = v->val + v->n;
    size_t m = 0;
    for (size_t start = 0; start + nmin <= total; start++) {
        const uint32_t base = offs[start];
        const size_t nend = total - start < nmax ? total - start : nmax;
        for (size_t n = nmin; n <= nend; n++) {
            const uint64_t key = ngram_key(pad + base, offs[start + n] - base);
            idx[m] = chaff_hash_bucket_fib(key ^ SEED_CHAR, shift);
            vals[m] = val;
            m++;
        }
    }
    v->n += m;
    return 0;
}

void chaff_featurizer_score_chars(struct chaff_featurizer *fx, const uint8_t *codes,
                                  const float *lut)
{
    fx->char_codes = codes;
    fx->char_lut = lut;
}

/* The loop of score_char_ngrams(), with 'ascii' a constant: when every code point of the text
 * is one byte, an n-gram of n code points is n bytes and no offsets are needed. The shortest
 * n-grams and the others are summed apart (a[] and b[]), which halves the chains of additions. */
static inline CHAFF_ALWAYS_INLINE void score_ngrams_loop(const struct chaff_featurizer *fx,
                                                         int ascii, float a[3], float b[3])
{
    const unsigned nmin = fx->cfg.char_ngram_min, nmax = fx->cfg.char_ngram_max;
    const size_t total = fx->nz.ncps + 2;
    const uint8_t *const pad = fx->pad;
    const uint32_t *const offs = fx->offs;
    const uint8_t *const codes = fx->char_codes;
    const float *const lut = fx->char_lut;
    const unsigned shift = fx->shift;
    float a0 = 0, a1 = 0, a2 = 0, b0 = 0, b1 = 0, b2 = 0;
    for (size_t start = 0; start + nmin <= total; start++) {
        const uint32_t base = ascii ? (uint32_t)start : offs[start];
        const size_t nend = total - start < nmax ? total - start : nmax;
        uint64_t key = ngram_key(pad + base, ascii ? nmin : offs[start + nmin] - base);
        const uint8_t *row = codes + (size_t)chaff_hash_bucket_fib(key ^ SEED_CHAR, shift) * 3;
        a0 += lut[row[0]], a1 += lut[row[1]], a2 += lut[row[2]];
        for (size_t n = nmin + 1; n <= nend; n++) {
            key = ngram_key(pad + base, ascii ? (uint32_t)n : offs[start + n] - base);
            row = codes + (size_t)chaff_hash_bucket_fib(key ^ SEED_CHAR, shift) * 3;
            b0 += lut[row[0]], b1 += lut[row[1]], b2 += lut[row[2]];
        }
    }
    a[0] = a0, a[1] = a1, a[2] = a2, b[0] = b0, b[1] = b1, b[2] = b2;
}

/* The same n-grams as add_char_ngrams(), scored: out[l] = val * (sum of their weights for
 * label l), which is what the scorer would add up from the vector. */
static int score_char_ngrams(struct chaff_featurizer *fx, float out[3])
{
    out[0] = out[1] = out[2] = 0;
    const size_t count = char_ngram_count(fx);
    if (count == 0)
        return 0;
    float a[3], b[3];
    if (fx->nz.text_len == fx->nz.ncps) {
        score_ngrams_loop(fx, 1, a, b);
    } else {
        if (char_offsets(fx) != 0)
            return -1;
        score_ngrams_loop(fx, 0, a, b);
    }
    const float val = 1.0f / sqrtf((float)count);
    out[0] = (a[0] + b[0]) * val, out[1] = (a[1] + b[1]) * val, out[2] = (a[2] + b[2]) * val;
    return 0;
}

/* Word hashes are finished (fmix64): a bigram's bucket and a context feature's need only one
 * multiplication more. The rotation keeps "a b" and "b a" apart. */
static inline uint32_t bigram_bucket(const struct chaff_featurizer *fx, uint64_t w1, uint64_t w2)
{
    return chaff_hash_bucket_fib(((w1 << 17) | (w1 >> 47)) ^ w2 ^ SEED_BIGRAM, fx->shift);
}

/* Word unigrams (and bigrams); the unigram hashes are also kept in fx->words for context. */
static int add_words(struct chaff_featurizer *fx, struct chaff_fvec *v, size_t *nwords_out)
{
    const struct chaff_normalizer *nz = &fx->nz;
    size_t nwords = 0;
    /* At most one word a code point (letters of unsegmented scripts are words). */
    if (chaff_grow((void **)&fx->words, &fx->words_cap, nz->ncps + 1, sizeof(uint64_t)) != 0 ||
        chaff_grow((void **)&fx->word_at, &fx->word_at_cap, nz->ncps + 1, sizeof(uint32_t)) != 0)
        return -1;
    const int32_t *const cpv = nz->cpv;
    const uint32_t *const starts = nz->starts;
    const size_t ncps = nz->ncps;
    size_t k = 0;
    while (k < ncps) {
        const unsigned wc = word_class(cpv[k]);
        if (!(wc & WB_WORD)) {
            k++;
            continue;
        }
        size_t begin = k++;
        if (wc & WB_ALONE) { /* one letter of Han, kana, Thai...: with its marks only */
            while (k < ncps && word_class(cpv[k]) == WB_WORD && is_mark_category(cpv[k]))
                k++;
        } else {
            while (k < ncps && word_class(cpv[k]) == WB_WORD)
                k++;
        }
        fx->word_at[nwords] = (uint32_t)begin;
        fx->words[nwords++] = chaff_hash_bytes(nz->text + starts[begin], starts[k] - starts[begin],
                                               SEED_WORD);
    }
    *nwords_out = nwords;
    if (nwords == 0 || fx->cfg.word_ngram_max == 0 || !(fx->cfg.groups & CHAFF_FEAT_WORDS))
        return 0;
    size_t count = nwords + (fx->cfg.word_ngram_max >= 2 ? nwords - 1 : 0);
    if (fvec_reserve(v, count) != 0)
        return -1;
    const float val = 1.0f / sqrtf((float)count);
    for (size_t w = 0; w < nwords; w++) {
        fvec_push(v, bucket(fx, fx->words[w]), val);
        if (fx->cfg.word_ngram_max >= 2 && w > 0)
            fvec_push(v, bigram_bucket(fx, fx->words[w - 1], fx->words[w]), val);
    }
    return 0;
}

/* Coarse class of a code point for the first/last character features. */
static unsigned cp_class(int32_t cp)
{
    switch (cp) {
    case -1: return 0;
    case '.': return 1;
    case '!': return 2;
    case '?': return 3;
    case ':': return 4;
    case ';': return 5;
    case ',': return 6;
    case 0x2026: return 7; /* … */
    case 0x3002: case 0xFF01: case 0xFF1F: case 0x0964: case 0x061F: return 8;
    case ')': case ']': case '"': case '\'': case 0x201D: case 0x00BB: return 9;
    case '|': return 10;
    case 0x00A9: return 11; /* © */
    case '#': return 12;
    case '*': case 0x2022: case 0x00B7: case '-': case 0x2013: case 0x2014: return 13;
    case 0x203A: case '>': case 0x2192: return 14;
    case '(': case '[': case 0x201C: case 0x00AB: return 15;
    case '@': return 16;
    case '+': return 17;
    case '/': return 18;
    default: break;
    }
    if (cp >= '0' && cp <= '9')
        return 20;
    if (cp < 0x80) {
        if (cp >= 'A' && cp <= 'Z')
            return 21;
        if (cp >= 'a' && cp <= 'z')
            return 22;
        return 23;
    }
    switch (utf8proc_category(cp)) {
    case UTF8PROC_CATEGORY_LU:
    case UTF8PROC_CATEGORY_LT:
        return 21;
    case UTF8PROC_CATEGORY_LL:
        return 22;
    case UTF8PROC_CATEGORY_LO:
    case UTF8PROC_CATEGORY_LM:
        return 24;
    case UTF8PROC_CATEGORY_ND:
        return 20;
    case UTF8PROC_CATEGORY_SO:
    case UTF8PROC_CATEGORY_SM:
    case UTF8PROC_CATEGORY_SC:
    case UTF8PROC_CATEGORY_SK:
        return 25;
    default:
        return 26;
    }
}

static unsigned share_bin(uint32_t part, uint32_t whole)
{
    if (whole == 0 || part == 0)
        return 0;
    if (part == whole)
        return 6;
    unsigned b = 1 + (unsigned)(4.0 * part / whole); /* 1..4 */
    return b > 5 ? 5 : b;
}

/* ASCII characters add_shallow() looks at: the separators '|', '/', '>' and the ':', '.' and '@'
 * of URLs and e-mail addresses ('0' is checked before). Bit c of the 128-bit set. */
static const uint32_t interesting_ascii[4] = {
    0,
    (1u << ('/' - 32)) | (1u << (':' - 32)) | (1u << ('.' - 32)) | (1u << ('>' - 32)),
    1u << ('@' - 64),
    1u << ('|' - 96),
};

/* Separators of menus, breadcrumbs and footers. */
static int separator_id(int32_t cp)
{
    switch (cp) {
    case '|': return 1;
    case 0x00B7: return 2; /* · */
    case 0x2022: return 3; /* • */
    case 0x00BB: return 4; /* » */
    case 0x203A: return 5; /* › */
    case '/': return 6;
    case '>': return 7;
    case 0x2013: return 8; /* – */
    case 0x2014: return 9; /* — */
    case 0x2192: return 10; /* → */
    case 0x00A9: return 11; /* © */
    default: return 0;
    }
}

/* A title is often "Headline | Site" or "Site - Headline": code point k of the normalised
 * text separates its parts when it is one of | – — · • » or a '-' between spaces. */
static int title_separator(const int32_t *cpv, size_t ncps, size_t k)
{
    switch (cpv[k]) {
    case '|': case 0x2013: case 0x2014: case 0x00B7: case 0x2022: case 0x00BB:
        return 1;
    case '-':
        return k > 0 && k + 1 < ncps && cpv[k - 1] == ' ' && cpv[k + 1] == ' ';
    default:
        return 0;
    }
}

#define TITLE_PARTS 8

/* The page's first paragraph is its title when the text was extracted from HTML (Common
 * Crawl's WET records and the labelled pages begin with <title>); the article's headline
 * repeats its words, a breadcrumb or a related link only some of them. Its distinct word
 * hashes are kept in a small open-addressing set (0 marks a free slot; hashes get bit 0 set).
 * Builds the set from the first paragraph's words (fx->words, fx->word_at; fx->nz still holds
 * its text). The part of the title with the most words (the first of equals) is its main part,
 * the headline, the others the site's name and the like. */
static void title_set_build(struct chaff_featurizer *fx, size_t nwords)
{
    memset(fx->title, 0, sizeof(fx->title));
    memset(fx->title_main, 0, sizeof(fx->title_main));
    fx->ntitle = fx->nmain = 0;
    fx->headline = SIZE_MAX;
    const int32_t *const cpv = fx->nz.cpv;
    const size_t ncps = fx->nz.ncps;
    /* The part of each word, and the words in each part. */
    uint8_t part_of[TITLE_SET / 2];
    unsigned words_in[TITLE_PARTS] = {0};
    unsigned part = 0;
    size_t k = 0;
    const size_t nw = nwords < TITLE_SET / 2 ? nwords : TITLE_SET / 2;
    for (size_t w = 0; w < nw; w++) {
        for (; k < fx->word_at[w]; k++)
            part += part + 1 < TITLE_PARTS && title_separator(cpv, ncps, k);
        part_of[w] = (uint8_t)part;
        words_in[part]++;
    }
    unsigned main_part = 0;
    for (unsigned p = 1; p < TITLE_PARTS; p++)
        if (words_in[p] > words_in[main_part])
            main_part = p;
    for (size_t w = 0; w < nw; w++) {
        const uint64_t h = fx->words[w] | 1;
        size_t at = (size_t)(h >> 32) & (TITLE_SET - 1);
        while (fx->title[at] != 0 && fx->title[at] != h)
            at = (at + 1) & (TITLE_SET - 1);
        if (fx->title[at] == 0) {
            fx->title[at] = h;
            fx->ntitle++;
        }
        if (part_of[w] == main_part && !fx->title_main[at]) {
            fx->title_main[at] = 1;
            fx->nmain++;
        }
    }
}

/* 0: 'word' is not in the title; 1: it is; 2: it is in its main part. */
static unsigned title_has(const struct chaff_featurizer *fx, uint64_t word)
{
    const uint64_t h = word | 1;
    for (size_t at = (size_t)(h >> 32) & (TITLE_SET - 1); fx->title[at] != 0;
         at = (at + 1) & (TITLE_SET - 1))
        if (fx->title[at] == h)
            return 1u + fx->title_main[at];
    return 0;
}

/* Appends the shallow features of the current paragraph (number 'para' of the page; 'cut':
 * only its start was featurised) to 'v' and their hashes to the slot's context list. */
static int add_shallow(struct chaff_featurizer *fx, struct chaff_fx_slot *slot,
                       struct chaff_fvec *v, const struct chaff_text_stats *st,
                       const struct chaff_para_info *pi, size_t nwords, size_t para, int cut)
{
    uint64_t tags[64];
    uint8_t to_ctx[64]; /* 1: the neighbours see this tag too (the coarse, telling ones) */
    size_t nt = 0;
    const struct chaff_normalizer *nz = &fx->nz;
#define TAG(kind, ctx, bin) (to_ctx[nt] = (ctx), tags[nt++] = tag_hash(shallow_kind_hash, kind, bin))
    unsigned last = cp_class(st->last_cp), first = cp_class(st->first_cp);
    TAG(SK_LEN, 1, pi->len_bucket);
    TAG(SK_WORDS, 1, log2_bucket(nwords, 10));
    TAG(SK_LETTERS, 0, share_bin(st->nletters, st->nchars - st->nspace));
    TAG(SK_DIGITS, 0, share_bin(st->ndigits, st->nchars - st->nspace));
    TAG(SK_PUNCT, 0, share_bin(st->npunct, st->nchars - st->nspace));
    TAG(SK_UPPER, 0, share_bin(st->nupper, st->nletters));
    TAG(SK_LAST, 1, last);
    TAG(SK_FIRST, 1, first);
    TAG(SK_LEN_LAST, 1, pi->len_bucket * 32u + last);
    TAG(SK_WORDS_LAST, 0, log2_bucket(nwords, 10) * 32u + first);
    if (st->nchars == 0)
        TAG(SK_EMPTY, 0, 1);
    if (st->ninvalid > 0)
        TAG(SK_INVALID, 0, 1);
    if (st->nletters >= 4 && st->nupper == st->nletters)
        TAG(SK_ALLCAPS, 0, 1);
    /* How many of its words are capitalised, with how many words it has: menu items, product
     * names and headlines are Title Case, list items and table cells in running text mostly
     * not (in the languages that have case). */
    {
        const size_t cw = st->ncapword;
        const unsigned tc = nwords < 2 ? 0 : cw == 0 ? 1 : 2 * cw < nwords ? 2 : cw < nwords ? 3 : 4;
        TAG(SK_TITLECASE, 1, tc * 16u + log2_bucket(nwords, 10));
    }
    /* Separators, URLs, e-mail addresses, years: one scan of the code points (bounded by the
     * feature byte cap); only a few ASCII characters need a look. */
    unsigned seen = 0, nsep = 0, year = 0, url = 0, zeros = 0;
    int email = -1; /* -1: no '@' yet; 0: the first one does not start an address; 1: it does */
    const int32_t *const cpv = nz->cpv;
    const size_t ncps = nz->ncps;
    for (size_t k = 0; k < ncps; k++) {
        const int32_t cp = cpv[k];
        if (cp == '0') {
            zeros++;
            continue;
        }
        year |= zeros == 4; /* digits were folded to '0': a run of exactly four is a year */
        zeros = 0;
        if (cp < 0x80 && !((interesting_ascii[cp >> 5] >> (cp & 31)) & 1))
            continue; /* the common case */
        if (cp == ':') {
            /* "http://" or "https://" */
            url |= k + 2 < ncps && cpv[k + 1] == '/' && cpv[k + 2] == '/' &&
                   ((k >= 4 && cpv[k - 4] == 'h' && cpv[k - 3] == 't' && cpv[k - 2] == 't' &&
                     cpv[k - 1] == 'p') ||
                    (k >= 5 && cpv[k - 5] == 'h' && cpv[k - 4] == 't' && cpv[k - 3] == 't' &&
                     cpv[k - 2] == 'p' && cpv[k - 1] == 's'));
            continue;
        }
        if (cp == '.') {
            url |= k >= 3 && cpv[k - 3] == 'w' && cpv[k - 2] == 'w' && cpv[k - 1] == 'w';
            continue;
        }
        if (cp == '@') {
            /* Only the first '@': a word before it, and a '.' after it before the next space. */
            if (email < 0) {
                email = 0;
                if (k > 0 && cpv[k - 1] != ' ')
                    for (size_t j = k + 1; j < ncps && cpv[j] != ' '; j++)
                        if (cpv[j] == '.') {
                            email = 1;
                            break;
                        }
            }
            continue;
        }
        int id = separator_id(cp);
        if (id > 0) {
            nsep++;
            if (!(seen & (1u << id))) {
                seen |= 1u << id;
                if (nt < 60)
                    TAG(SK_SEP, 1, (unsigned)id);
            }
        }
    }
    year |= zeros == 4;
    /* How much of the line is in the title, and how much of the title is in the line. */
    if (para > 0 && fx->ntitle > 0 && nwords > 0 && nwords <= TITLE_MAX_WORDS && !cut) {
        unsigned m = 0, mm = 0; /* the line's words in the title, in its main part */
        for (size_t w = 0; w < nwords; w++) {
            const unsigned t = title_has(fx, fx->words[w]);
            m += t > 0;
            mm += t == 2;
        }
        if (m > 0) {
            unsigned in_title = m == nwords ? 3 : 2 * m >= nwords ? 2 : 1;
            unsigned of_title = 10 * mm >= 9 * fx->nmain   ? 3
                                : 10 * mm >= 6 * fx->nmain ? 2
                                : 10 * mm >= 3 * fx->nmain ? 1
                                                           : 0;
            TAG(SK_TITLE, 1, in_title * 4 + of_title);
            fx->info[para].title = (uint8_t)(1 + in_title * 4 + of_title);
            if (in_title == 3 && of_title >= 2 && fx->headline == SIZE_MAX) {
                fx->headline = para; /* the first line that looks like the headline */
                TAG(SK_TITLE_FIRST, 1, 1);
            }
        }
    }
    TAG(SK_NSEP, 0, log2_bucket(nsep, 6));
    if (url)
        TAG(SK_URL, 1, 1);
    if (email > 0)
        TAG(SK_EMAIL, 0, 1);
    if (seen & (1u << 11))
        TAG(SK_COPYRIGHT, 1, 1);
    if (year)
        TAG(SK_YEAR, 1, 1);

    if (fx->cfg.groups & CHAFF_FEAT_SHALLOW) {
        if (fvec_reserve(v, nt) != 0)
            return -1;
        for (size_t i = 0; i < nt; i++)
            fvec_push(v, bucket(fx, tags[i]), VAL_SHALLOW);
    }
    if (fx->cfg.groups & CHAFF_FEAT_CONTEXT) {
        if (chaff_grow((void **)&slot->ctx, &slot->ctx_cap, slot->nctx + nt, sizeof(uint64_t)) != 0)
            return -1;
        for (size_t i = 0; i < nt; i++)
            if (to_ctx[i])
                slot->ctx[slot->nctx++] = tags[i] & ~UINT64_C(1);
    }
    return 0;
#undef TAG
}

/* The structure features an HTML reader gave paragraph 'j' (chaff_page_structure), each a
 * token hash salted into the hashed space, and, so that a page's kind of line can tell how much
 * its place in the structure matters, each crossed with whether the line reads as prose. */
static int add_structure(struct chaff_featurizer *fx, struct chaff_fvec *v, size_t j,
                         const struct chaff_para_info *pi)
{
    const struct chaff_page_structure *st = fx->structure;
    if (!(fx->cfg.groups & CHAFF_FEAT_STRUCTURE) || st == NULL)
        return 0;
    const uint32_t lo = st->off[j], hi = st->off[j + 1];
    if (hi <= lo)
        return 0;
    if (fvec_reserve(v, 2 * (size_t)(hi - lo)) != 0)
        return -1;
    const uint64_t cross = chaff_hash_combine(SEED_STRUCT, 2u + pi->prose);
    for (uint32_t k = lo; k < hi; k++) {
        const uint64_t t = st->tokens[k];
        fvec_push(v, bucket(fx, chaff_hash_combine(SEED_STRUCT, t)), VAL_STRUCT);
        fvec_push(v, bucket(fx, chaff_hash_combine(cross, t)), VAL_STRUCT);
    }
    return 0;
}

/* Featurises paragraph 'i' of the page into 'slot'. */
static int featurize_own(struct chaff_featurizer *fx, struct chaff_fx_slot *slot, size_t j,
                         const char *s, size_t len, const struct chaff_para_info *pi)
{
    struct chaff_text_stats st;
    slot->own.n = 0;
    slot->nctx = 0;
    size_t flen = len;
    if (flen > CHAFF_FEATURE_MAX_BYTES) {
        flen = CHAFF_FEATURE_MAX_BYTES;
        while (flen > 0 && ((uint8_t)s[flen] & 0xC0) == 0x80)
            flen--; /* cut at a code point boundary */
    }
    /* Only the first max_chars code points give features (a paragraph's length and place
     * come from the page info): past them a long paragraph only repeats what its start says
     * about it, and its features cost time in proportion to its length. Its last character
     * is then the cut part's: the whole text's scored lower on held-out pages (models/). */
    if (fx->cfg.max_chars > 0 && flen > fx->cfg.max_chars) /* fewer bytes: fewer characters */
        flen = chaff_utf8_cut(s, flen, fx->cfg.max_chars);
    uint64_t t0 = fx->timing ? chaff_clock_ns() : 0;
    if (chaff_normalize(&fx->nz, s, flen, &st) != 0)
        return -1;
    if (fx->timing)
        fx->ns_normalize += chaff_clock_ns() - t0;
    /* chaff_counters.invalid_bytes counts the input's, the part not featurised too. */
    fx->ninvalid += st.ninvalid + (flen < len ? chaff_utf8_invalid(s + flen, len - flen) : 0);
    if (fx->cfg.groups & CHAFF_FEAT_CHARS) {
        if (pad_text(fx) != 0)
            return -1;
        if (fx->char_codes != NULL ? score_char_ngrams(fx, slot->chars) != 0
                                   : add_char_ngrams(fx, &slot->own) != 0)
            return -1;
    }
    size_t nwords;
    if (add_words(fx, &slot->own, &nwords) != 0)
        return -1;
    if (fx->cfg.groups & CHAFF_FEAT_CONTEXT) {
        size_t nw = nwords < MAX_CTX_WORDS ? nwords : MAX_CTX_WORDS;
        if (chaff_grow((void **)&slot->ctx, &slot->ctx_cap, nw + 1, sizeof(uint64_t)) != 0)
            return -1;
        /* Bit 0 tells the kinds apart: set on word hashes, clear on shallow tags. */
        for (size_t w = 0; w < nw; w++)
            slot->ctx[slot->nctx++] = fx->words[w] | UINT64_C(1);
    }
    if (j == 0)
        title_set_build(fx, nwords);
    if (add_structure(fx, &slot->own, j, pi) != 0)
        return -1;
    /* A cut line is a long one: not compared with the title either. */
    return add_shallow(fx, slot, &slot->own, &st, pi, nwords, j, flen < len);
}

/* ------------------------------------------------------------------ window features */

static unsigned dist_bin(size_t d)
{
    if (d == 0)
        return 0;
    if (d <= 3)
        return (unsigned)d;
    if (d <= 5)
        return 4;
    if (d <= 10)
        return 5;
    if (d <= 20)
        return 6;
    return 7;
}

static unsigned position_bin(size_t k)
{
    return k < 4 ? (unsigned)k : 2u + log2_bucket(k, 8);
}

/* Share of flagged paragraphs among the neighbours within 'r' of 'i' (the paragraph excluded). */
static unsigned window_share(const uint32_t *sum, size_t n, size_t i, size_t r)
{
    size_t lo = i >= r ? i - r : 0;
    size_t hi = i + r + 1 <= n ? i + r + 1 : n;
    uint32_t flagged = sum[hi] - sum[lo] - (sum[i + 1] - sum[i]);
    uint32_t total = (uint32_t)(hi - lo - 1);
    return share_bin(flagged, total);
}

static int add_window(struct chaff_featurizer *fx, struct chaff_fvec *v, size_t i, size_t n)
{
    const uint32_t *ps = fx->prose_sum, *ls = fx->long_sum;
    uint64_t tags[16];
    size_t nt = 0;
    unsigned p3 = window_share(ps, n, i, 3);
    tags[nt++] = tag_hash(window_kind_hash, WK_PROSE3, p3);
    tags[nt++] = tag_hash(window_kind_hash, WK_PROSE10, window_share(ps, n, i, 10));
    tags[nt++] = tag_hash(window_kind_hash, WK_LONG3, window_share(ls, n, i, 3));
    tags[nt++] = tag_hash(window_kind_hash, WK_LONG10, window_share(ls, n, i, 10));
    const size_t before = fx->info[i].prose_before, after = fx->info[i].prose_after;
    tags[nt++] = tag_hash(window_kind_hash, WK_DIST_BEFORE, dist_bin(before));
    tags[nt++] = tag_hash(window_kind_hash, WK_DIST_AFTER, dist_bin(after));
    size_t dmin = before == 0 ? after : (after == 0 || before < after ? before : after);
    tags[nt++] = tag_hash(window_kind_hash, WK_DIST_MIN, dist_bin(dmin));
    tags[nt++] = tag_hash(window_kind_hash, WK_INSIDE,
                          (before > 0 && after > 0) * 2u + (before > 0 && before <= 3 && after > 0 &&
                                                             after <= 3));
    tags[nt++] = tag_hash(window_kind_hash, WK_FROM_START, position_bin(i));
    tags[nt++] = tag_hash(window_kind_hash, WK_FROM_END, position_bin(n - 1 - i));
    tags[nt++] = tag_hash(window_kind_hash, WK_DECILE, n > 1 ? (unsigned)(10 * i / n) : 10);
    tags[nt++] = tag_hash(window_kind_hash, WK_PAGE_SIZE, log2_bucket(n, 14));
    tags[nt++] = tag_hash(window_kind_hash, WK_LEN_PROSE3, fx->info[i].len_bucket * 8u + p3);
    if (fvec_reserve(v, nt) != 0)
        return -1;
    for (size_t k = 0; k < nt; k++)
        fvec_push(v, bucket(fx, tags[k]), VAL_WINDOW);
    return 0;
}

/* ------------------------------------------------------------------ the page */

/* Builds the context and window features of paragraph 'i' from the ring into fx->out. */
static int assemble(struct chaff_featurizer *fx, size_t i, size_t n)
{
    struct chaff_fvec *v = &fx->out;
    v->n = 0;
    if (fx->cfg.groups & CHAFF_FEAT_CONTEXT) {
        const long c = (long)fx->cfg.context;
        for (long o = -c; o <= c; o++) {
            if (o == 0)
                continue;
            long j = (long)i + o;
            uint64_t salt = chaff_hash_combine(SEED_CONTEXT, (uint64_t)(o + 8));
            if (j < 0 || j >= (long)n) {
                if (fvec_reserve(v, 1) != 0)
                    return -1;
                fvec_push(v, bucket(fx, salt), VAL_CTX_SHAL); /* "no neighbour here" */
                continue;
            }
            const struct chaff_fx_slot *nb = &fx->ring[(size_t)j % fx->nring];
            if (fvec_reserve(v, nb->nctx) != 0)
                return -1;
            size_t nw = 0;
            for (size_t k = 0; k < nb->nctx; k++)
                nw += nb->ctx[k] & 1;
            const float wval = nw > 0 ? VAL_CTX_WORD / sqrtf((float)nw) : 0;
            for (size_t k = 0; k < nb->nctx; k++) {
                uint64_t h = nb->ctx[k];
                fvec_push(v, chaff_hash_bucket_fib(h ^ salt, fx->shift),
                          (h & 1) ? wval : VAL_CTX_SHAL);
            }
        }
    }
    if ((fx->cfg.groups & CHAFF_FEAT_WINDOW) && add_window(fx, v, i, n) != 0)
        return -1;
    return 0;
}

int chaff_features_page_info(struct chaff_featurizer *fx, const char *const *paras,
                             const size_t *lens, size_t n)
{
    if (chaff_grow((void **)&fx->info, &fx->info_cap, n + 1, sizeof(*fx->info)) != 0)
        return -1;
    fx->headline = SIZE_MAX; /* the title facts are chaff_features_page()'s */
    size_t scap = fx->sum_cap;
    if (chaff_grow((void **)&fx->prose_sum, &scap, n + 1, sizeof(uint32_t)) != 0)
        return -1;
    size_t scap2 = fx->sum_cap;
    if (chaff_grow((void **)&fx->long_sum, &scap2, n + 1, sizeof(uint32_t)) != 0)
        return -1;
    fx->sum_cap = scap < scap2 ? scap : scap2;
    fx->prose_sum[0] = fx->long_sum[0] = 0;
    struct chaff_para_info *info = fx->info;
    size_t last = SIZE_MAX; /* the last prose paragraph so far */
    for (size_t i = 0; i < n; i++) {
        para_info((const uint8_t *)paras[i], lens[i], &info[i]);
        fx->prose_sum[i + 1] = fx->prose_sum[i] + info[i].prose;
        fx->long_sum[i + 1] = fx->long_sum[i] + info[i].long_line;
        info[i].prose_before = last != SIZE_MAX && i - last <= PROSE_REACH ? (uint8_t)(i - last) : 0;
        if (info[i].prose)
            last = i;
    }
    last = SIZE_MAX;
    for (size_t i = n; i-- > 0;) {
        info[i].prose_after = last != SIZE_MAX && last - i <= PROSE_REACH ? (uint8_t)(last - i) : 0;
        if (info[i].prose)
            last = i;
    }
    return 0;
}

int chaff_features_page(struct chaff_featurizer *fx, const char *const *paras, const size_t *lens,
                        size_t n, chaff_fvec_sink sink, void *sink_ctx)
{
    if (n == 0)
        return 0;
    if (chaff_features_page_info(fx, paras, lens, n) != 0)
        return -1;
    const size_t c = fx->cfg.context;
    for (size_t j = 0; j < n + c; j++) {
        if (j < n && featurize_own(fx, &fx->ring[j % fx->nring], j, paras[j], lens[j],
                                   &fx->info[j]) != 0)
            return -1;
        if (j < c)
            continue;
        size_t i = j - c;
        if (assemble(fx, i, n) != 0)
            return -1;
        const struct chaff_fx_slot *slot = &fx->ring[i % fx->nring];
        const float *chars = fx->char_codes != NULL && (fx->cfg.groups & CHAFF_FEAT_CHARS)
                                 ? slot->chars
                                 : NULL;
        int rc = sink(sink_ctx, i, &slot->own, &fx->out, chars);
        if (rc != 0)
            return rc;
    }
    return 0;
}

/* ------------------------------------------------------------------ second pass */

/* Layout of the dense second-pass vector for L labels. */
#define CHAFF_STACK_MAX_LABELS 64
#define STACK_BINS      5
#define STACK_OFFSETS   6 /* -3 .. +3 */
#define STACK_RADII     5 /* 2, 3, 5, 10, 30 */
#define STACK_R3        1 /* index of radius 3 */
#define STACK_REGION    (4 + 2 * STACK_BINS + 1 + STACK_DIST) /* per label */
#define STACK_CROSS     (STACK_LEN * STACK_BINS * 4 + STACK_BINS * STACK_BINS * 4) /* per label */
#define STACK_LEN       13
#define STACK_DIST      8
#define STACK_TITLE     (17 + 4 * STACK_DIST) /* title overlap bins, place x distance */
#define STACK_MASS_BINS 11 /* the label's paragraphs in the page: 0, 1, 2-3, ... 512+ */
#define STACK_MEAN_BINS 10 /* the label's mean probability over the page, in tenths */
#define STACK_MASS      ((STACK_MASS_BINS + STACK_MEAN_BINS) * (1 + STACK_BINS)) /* per label */
#define STACK_GROUP_SIZES 8 /* lines in the group: 2, 3-4, 5-8, ... 129+ */
/* Per group level (HTML): the others' mean probability of each label, binned, the group's
 * size, and "alone in its group". */
#define STACK_GROUP(L)  ((L) + (L) * STACK_BINS + STACK_GROUP_SIZES + 1)

static const size_t stack_radius[STACK_RADII] = {2, 3, 5, 10, 30};
static const long stack_offset[STACK_OFFSETS] = {-3, -2, -1, 1, 2, 3};

size_t chaff_stack_dim(size_t L)
{
    return L                      /* own probability */
           + L                    /* own log-odds */
           + L * STACK_BINS       /* own probability, binned */
           + L * STACK_OFFSETS + STACK_OFFSETS /* neighbours + "no neighbour" */
           + L * STACK_RADII      /* window means */
           + L * STACK_BINS       /* window mean r3, binned */
           + 3 * L                /* max before, max after, min of both (r10) */
           + STACK_LEN            /* length bucket */
           + STACK_LEN * L * 3    /* length bucket x window mean r3 (3 bins) */
           + 12                   /* first, last, decile */
           + 2 * STACK_DIST       /* distance to prose before / after */
           + STACK_REGION * L     /* the label's region of the page */
           + STACK_CROSS * L      /* conjunctions: length x own x region, own x window x region */
           + L * L * L            /* argmax labels of previous, own, next */
           + STACK_TITLE          /* overlap with the title, place relative to the headline */
           + STACK_MASS * L;      /* the label's mass in the page */
}

size_t chaff_stack_dim_cfg(const struct chaff_features_config *cfg, size_t L)
{
    return chaff_stack_dim(L) +
           ((cfg->groups & CHAFF_FEAT_STRUCTURE) ? CHAFF_STRUCT_GROUPS * STACK_GROUP(L) : 0);
}

static size_t argmax(const float *p, size_t L)
{
    size_t best = 0;
    for (size_t l = 1; l < L; l++)
        if (p[l] > p[best])
            best = l;
    return best;
}

static unsigned prob_bin(double p, unsigned nbins)
{
    unsigned b = (unsigned)(p * nbins);
    return b >= nbins ? nbins - 1 : b;
}

/* The sums of the first-pass probabilities over each group of the page's structure (HTML). */
static int group_sums(struct chaff_featurizer *fx, const float *p1, size_t n, size_t L)
{
    const struct chaff_page_structure *st = fx->structure;
    fx->grouped = 0;
    if (!(fx->cfg.groups & CHAFF_FEAT_STRUCTURE) || st == NULL || st->groups == NULL)
        return 0;
    const size_t ng = CHAFF_STRUCT_GROUPS * n;
    if (chaff_grow((void **)&fx->gsum, &fx->gsum_cap, ng * L + 1, sizeof(double)) != 0 ||
        chaff_grow((void **)&fx->gcount, &fx->gcount_cap, ng + 1, sizeof(uint32_t)) != 0)
        return -1;
    memset(fx->gsum, 0, ng * L * sizeof(double));
    memset(fx->gcount, 0, ng * sizeof(uint32_t));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < CHAFF_STRUCT_GROUPS; k++) {
            uint32_t g = st->groups[i * CHAFF_STRUCT_GROUPS + k];
            if (g >= n)
                continue;
            size_t slot = k * n + g;
            fx->gcount[slot]++;
            for (size_t l = 0; l < L; l++)
                fx->gsum[slot * L + l] += p1[i * L + l];
        }
    fx->grouped = 1;
    return 0;
}

int chaff_stack_prepare(struct chaff_featurizer *fx, const float *p1, size_t n, size_t L)
{
    if (group_sums(fx, p1, n, L) != 0)
        return -1;
    if (chaff_grow((void **)&fx->psum, &fx->psum_cap, (n + 1) * L, sizeof(double)) != 0)
        return -1;
    for (size_t l = 0; l < L; l++)
        fx->psum[l] = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t l = 0; l < L; l++)
            fx->psum[(i + 1) * L + l] = fx->psum[i * L + l] + p1[i * L + l];
    /* A label's region (content is contiguous; a short line inside its region is content):
     * the run of paragraphs with the largest sum of (first-pass probability - 1/2), as
     * body-text extraction takes the span with the most text inside and the least markup.
     * A stray paragraph far from the rest does not widen it, as it widened the span from the
     * first to the last paragraph of probability >= 1/2 that was the region before. */
    for (size_t l = 0; l < L && l < CHAFF_STACK_MAX_LABELS; l++) {
        double best = 0, run = 0;
        size_t start = 0;
        fx->region_first[l] = SIZE_MAX;
        fx->region_last[l] = SIZE_MAX;
        for (size_t i = 0; i < n; i++) {
            if (run <= 0)
                run = 0, start = i;
            run += (double)p1[i * L + l] - 0.5;
            if (run > best)
                best = run, fx->region_first[l] = start, fx->region_last[l] = i;
        }
        /* Its mass: the paragraphs it holds (log2 bins) and its mean probability (tenths). */
        const double mass = fx->psum[n * L + l];
        fx->mass_bin[l] = log2_bucket((uint64_t)(mass + 0.5), STACK_MASS_BINS - 1);
        fx->mean_bin[l] = (uint8_t)(n > 0 ? prob_bin(mass / (double)n, STACK_MEAN_BINS) : 0);
    }
    return 0;
}

int chaff_stack_features(struct chaff_featurizer *fx, const float *p1, size_t n, size_t L,
                         size_t i, struct chaff_fvec *out)
{
    out->n = 0;
    if (fvec_reserve(out, chaff_stack_dim_cfg(&fx->cfg, L)) != 0)
        return -1;
    uint32_t base = 0;
    const float *own = p1 + i * L;
    unsigned own_bin[CHAFF_STACK_MAX_LABELS]; /* the paragraph's own probabilities, binned */
    for (size_t l = 0; l < L && l < CHAFF_STACK_MAX_LABELS; l++)
        own_bin[l] = prob_bin(own[l], STACK_BINS);
    for (size_t l = 0; l < L; l++)
        fvec_push(out, base + (uint32_t)l, own[l]);
    base += (uint32_t)L;
    /* Log-odds let a confident first pass carry through (probabilities saturate). In float:
     * logf costs half of log, and a quarter of a log-odds needs no more digits. */
    for (size_t l = 0; l < L; l++) {
        float p = own[l] < 1e-6f ? 1e-6f : own[l] > 1 - 1e-6f ? 1 - 1e-6f : own[l];
        fvec_push(out, base + (uint32_t)l, logf(p / (1 - p)) / 4);
    }
    base += (uint32_t)L;
    for (size_t l = 0; l < L; l++)
        fvec_push(out, base + (uint32_t)(l * STACK_BINS + own_bin[l]), 1.0f);
    base += (uint32_t)(L * STACK_BINS);
    for (size_t o = 0; o < STACK_OFFSETS; o++) {
        long j = (long)i + stack_offset[o];
        if (j < 0 || j >= (long)n) {
            fvec_push(out, base + (uint32_t)(L * STACK_OFFSETS + o), 1.0f);
            continue;
        }
        for (size_t l = 0; l < L; l++)
            fvec_push(out, base + (uint32_t)(o * L + l), p1[(size_t)j * L + l]);
    }
    base += (uint32_t)(L * STACK_OFFSETS + STACK_OFFSETS);
    double mean3[CHAFF_STACK_MAX_LABELS]; /* set for every label at r == STACK_R3 */
    for (size_t r = 0; r < STACK_RADII; r++) {
        size_t lo = i >= stack_radius[r] ? i - stack_radius[r] : 0;
        size_t hi = i + stack_radius[r] + 1 <= n ? i + stack_radius[r] + 1 : n;
        size_t cnt = hi - lo - 1;
        const double inv = cnt > 0 ? 1.0 / (double)cnt : 0;
        for (size_t l = 0; l < L; l++) {
            double s = fx->psum[hi * L + l] - fx->psum[lo * L + l] - own[l];
            double m = s * inv;
            if (r == STACK_R3)
                mean3[l] = m;
            fvec_push(out, base + (uint32_t)(r * L + l), (float)m);
        }
    }
    base += (uint32_t)(L * STACK_RADII);
    for (size_t l = 0; l < L; l++)
        fvec_push(out, base + (uint32_t)(l * STACK_BINS + prob_bin(mean3[l], STACK_BINS)),
                  1.0f);
    base += (uint32_t)(L * STACK_BINS);
    for (size_t l = 0; l < L; l++) {
        float mb = 0, ma = 0;
        for (size_t d = 1; d <= 10 && d <= i; d++)
            mb = p1[(i - d) * L + l] > mb ? p1[(i - d) * L + l] : mb;
        for (size_t d = 1; d <= 10 && i + d < n; d++)
            ma = p1[(i + d) * L + l] > ma ? p1[(i + d) * L + l] : ma;
        fvec_push(out, base + (uint32_t)(3 * l), mb);
        fvec_push(out, base + (uint32_t)(3 * l + 1), ma);
        fvec_push(out, base + (uint32_t)(3 * l + 2), mb < ma ? mb : ma);
    }
    base += (uint32_t)(3 * L);
    unsigned lb = fx->info[i].len_bucket;
    fvec_push(out, base + lb, 1.0f);
    base += STACK_LEN;
    for (size_t l = 0; l < L; l++)
        fvec_push(out, base + (uint32_t)((lb * L + l) * 3 + prob_bin(mean3[l], 3)),
                  1.0f);
    base += (uint32_t)(STACK_LEN * L * 3);
    if (i == 0)
        fvec_push(out, base, 1.0f);
    if (i + 1 == n)
        fvec_push(out, base + 1, 1.0f);
    fvec_push(out, base + 2 + (n > 1 ? (uint32_t)(10 * i / n) : 0), 1.0f);
    base += 12;
    fvec_push(out, base + dist_bin(fx->info[i].prose_before), 1.0f);
    fvec_push(out, base + STACK_DIST + dist_bin(fx->info[i].prose_after), 1.0f);
    base += 2 * STACK_DIST;
    for (size_t l = 0; l < L; l++) {
        uint32_t b = base + (uint32_t)(l * STACK_REGION);
        size_t first = fx->region_first[l], last = fx->region_last[l];
        unsigned state;
        size_t dist;
        if (first == SIZE_MAX) {
            state = 0, dist = 0;
        } else if (i < first) {
            state = 1, dist = first - i;
        } else if (i > last) {
            state = 3, dist = i - last;
        } else {
            state = 2, dist = (i - first < last - i ? i - first : last - i);
        }
        fvec_push(out, b + state, 1.0f);
        double total = fx->psum[n * L + l];
        double before_mass = fx->psum[i * L + l], after_mass = total - fx->psum[(i + 1) * L + l];
        double fb = total > 0 ? before_mass / total : 0, fa = total > 0 ? after_mass / total : 0;
        fvec_push(out, b + 4 + prob_bin(fb, STACK_BINS), 1.0f);
        fvec_push(out, b + 4 + STACK_BINS + prob_bin(fa, STACK_BINS), 1.0f);
        fvec_push(out, b + 4 + 2 * STACK_BINS, (float)(fb < fa ? fb : fa));
        fvec_push(out, b + 4 + 2 * STACK_BINS + 1 + dist_bin(dist), 1.0f);
    }
    base += (uint32_t)(STACK_REGION * L);
    /* Conjunctions a linear model cannot form by itself: a short line that the first pass
     * calls navigation, inside a region of content, is content. */
    for (size_t l = 0; l < L; l++) {
        uint32_t b = base + (uint32_t)(l * STACK_CROSS);
        size_t first = fx->region_first[l], last = fx->region_last[l];
        unsigned state = first == SIZE_MAX ? 0 : i < first ? 1 : i > last ? 3 : 2;
        unsigned ob = own_bin[l], wb = prob_bin(mean3[l], STACK_BINS);
        fvec_push(out, b + (lb * STACK_BINS + ob) * 4 + state, 1.0f);
        b += STACK_LEN * STACK_BINS * 4;
        fvec_push(out, b + (ob * STACK_BINS + wb) * 4 + state, 1.0f);
    }
    base += (uint32_t)(STACK_CROSS * L);
    {
        const size_t mine = argmax(own, L);
        size_t prev = i > 0 ? argmax(p1 + (i - 1) * L, L) : mine;
        size_t next = i + 1 < n ? argmax(p1 + (i + 1) * L, L) : mine;
        fvec_push(out, base + (uint32_t)((prev * L + mine) * L + next), 1.0f);
        base += (uint32_t)(L * L * L);
    }
    fvec_push(out, base + fx->info[i].title, 1.0f);
    base += 17;
    {
        const size_t h = fx->headline;
        unsigned where = h == SIZE_MAX ? 0 : i < h ? 1 : i == h ? 2 : 3;
        size_t dist = h == SIZE_MAX ? 0 : i < h ? h - i : i - h;
        fvec_push(out, base + where * STACK_DIST + dist_bin(dist), 1.0f);
        base += 4 * STACK_DIST;
    }
    /* How much of each label the whole page holds, alone and with the paragraph's own
     * probability: on a page with little prose (a shop listing, a list of links, a gallery)
     * the main content is short lines, which the first pass calls navigation. */
    for (size_t l = 0; l < L; l++) {
        uint32_t b = base + (uint32_t)(l * STACK_MASS);
        const unsigned ob = own_bin[l];
        const unsigned mb = fx->mass_bin[l], fb = fx->mean_bin[l]; /* chaff_stack_prepare() */
        fvec_push(out, b + mb, 1.0f);
        fvec_push(out, b + STACK_MASS_BINS + mb * STACK_BINS + ob, 1.0f);
        b += STACK_MASS_BINS * (1 + STACK_BINS);
        fvec_push(out, b + fb, 1.0f);
        fvec_push(out, b + STACK_MEAN_BINS + fb * STACK_BINS + ob, 1.0f);
    }
    base += (uint32_t)(STACK_MASS * L);
    /* HTML: what the other lines of the paragraph's enclosing block and of its section are,
     * on the first pass's reading: lines of one container mostly share a label. */
    if (fx->grouped) {
        const uint32_t *groups = fx->structure->groups + i * CHAFF_STRUCT_GROUPS;
        for (size_t k = 0; k < CHAFF_STRUCT_GROUPS; k++) {
            const uint32_t g = groups[k];
            const size_t slot = k * n + g;
            const uint32_t cnt = g < n ? fx->gcount[slot] : 0;
            if (cnt <= 1) {
                fvec_push(out, base + (uint32_t)(STACK_GROUP(L) - 1), 1.0f);
            } else {
                const double inv = 1.0 / (double)(cnt - 1);
                for (size_t l = 0; l < L; l++) {
                    double m = (fx->gsum[slot * L + l] - own[l]) * inv;
                    fvec_push(out, base + (uint32_t)l, (float)m);
                    fvec_push(out, base + (uint32_t)(L + l * STACK_BINS + prob_bin(m, STACK_BINS)),
                              1.0f);
                }
                unsigned sb = log2_bucket(cnt - 1, STACK_GROUP_SIZES - 1);
                fvec_push(out, base + (uint32_t)(L + L * STACK_BINS + sb), 1.0f);
            }
            base += (uint32_t)STACK_GROUP(L);
        }
    }
    (void)base;
    return 0;
}
