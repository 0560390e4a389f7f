/*
 * test_features.c - the featuriser: configuration checks, one vector per paragraph in order,
 * index ranges, determinism, character n-grams over code points, bounded cost of huge
 * paragraphs, context features, and the second-pass (stacking) vectors.
 */
#include "features.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* What the test sink records: the paragraph indices in call order, and copies of the vectors. */
struct capture {
    uint32_t dim; /* every index must be below it */
    size_t ncalls;
    size_t order[64];
    struct chaff_fvec vecs[64];
    int stop_at; /* return 7 at this call, or -1 */
};

/* Keeps a copy of each paragraph's vector: its own part followed by the rest, as the scorer
 * and the trainer take them. */
static int capture_sink(void *ctx, size_t i, const struct chaff_fvec *own,
                        const struct chaff_fvec *rest, const float *chars)
{
    assert_null(chars); /* no character scorer */
    struct capture *c = ctx;
    assert_true(c->ncalls < 64);
    c->order[c->ncalls] = i;
    struct chaff_fvec *copy = &c->vecs[c->ncalls];
    const size_t n = own->n + rest->n;
    copy->n = copy->cap = n;
    copy->idx = malloc((n + 1) * sizeof(uint32_t));
    copy->val = malloc((n + 1) * sizeof(float));
    assert_non_null(copy->idx);
    assert_non_null(copy->val);
    if (own->n > 0) {
        memcpy(copy->idx, own->idx, own->n * sizeof(uint32_t));
        memcpy(copy->val, own->val, own->n * sizeof(float));
    }
    if (rest->n > 0) {
        memcpy(copy->idx + own->n, rest->idx, rest->n * sizeof(uint32_t));
        memcpy(copy->val + own->n, rest->val, rest->n * sizeof(float));
    }
    for (size_t k = 0; k < n; k++)
        assert_true(copy->idx[k] < c->dim);
    c->ncalls++;
    return (int)c->ncalls - 1 == c->stop_at ? 7 : 0;
}

static void capture_release(struct capture *c)
{
    for (size_t i = 0; i < c->ncalls; i++)
        chaff_fvec_release(&c->vecs[i]);
    c->ncalls = 0;
}

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

/* 1 when 'a' and 'b' hold the same (index, value) pairs in the same order. */
static int fvec_equal(const struct chaff_fvec *a, const struct chaff_fvec *b)
{
    return a->n == b->n && memcmp(a->idx, b->idx, a->n * sizeof(uint32_t)) == 0 &&
           memcmp(a->val, b->val, a->n * sizeof(float)) == 0;
}

/* 1 when 'a' and 'b' hold the same multiset of indices. */
static int same_indices(const struct chaff_fvec *a, const struct chaff_fvec *b)
{
    if (a->n != b->n)
        return 0;
    uint32_t *x = malloc((a->n + 1) * sizeof(uint32_t)), *y = malloc((a->n + 1) * sizeof(uint32_t));
    assert_non_null(x);
    assert_non_null(y);
    memcpy(x, a->idx, a->n * sizeof(uint32_t));
    memcpy(y, b->idx, b->n * sizeof(uint32_t));
    qsort(x, a->n, sizeof(uint32_t), cmp_u32);
    qsort(y, b->n, sizeof(uint32_t), cmp_u32);
    int eq = memcmp(x, y, a->n * sizeof(uint32_t)) == 0;
    free(x);
    free(y);
    return eq;
}

/* Featurises the NUL-terminated paragraphs 'texts' with 'cfg' into 'c', each paragraph from an
 * exactly sized heap copy. */
static void featurise(const struct chaff_features_config *cfg, const char *const *texts, size_t n,
                      struct capture *c)
{
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, cfg), 0);
    char *copies[64];
    size_t lens[64];
    assert_true(n <= 64);
    for (size_t i = 0; i < n; i++) {
        lens[i] = strlen(texts[i]);
        copies[i] = malloc(lens[i] > 0 ? lens[i] : 1);
        assert_non_null(copies[i]);
        memcpy(copies[i], texts[i], lens[i]);
    }
    c->dim = UINT32_C(1) << cfg->hash_bits;
    c->ncalls = 0;
    c->stop_at = -1;
    assert_int_equal(
        chaff_features_page(&fx, (const char *const *)copies, lens, n, capture_sink, c), 0);
    for (size_t i = 0; i < n; i++)
        free(copies[i]);
    chaff_featurizer_release(&fx);
}

static struct chaff_features_config small_config(void)
{
    struct chaff_features_config cfg;
    chaff_features_config_defaults(&cfg);
    cfg.hash_bits = 12;
    return cfg;
}

static const char *const page[] = {
    "Home",
    "News | Sport | Weather",
    "Wir verwenden Cookies, um Ihnen ein besseres Erlebnis zu bieten.",
    "The council approved the new budget on Monday after a long debate about school funding.",
    "\xe6\x94\xbf\xe5\xba\x9c\xe3\x81\xaf\xe6\x9c\x88\xe6\x9b\x9c\xe6\x97\xa5\xe3\x80\x81"
    "\xe6\x96\xb0\xe3\x81\x97\xe3\x81\x84\xe4\xba\x88\xe7\xae\x97\xe3\x82\x92\xe7\x99\xba"
    "\xe8\xa1\xa8\xe3\x81\x97\xe3\x81\x9f\xe3\x80\x82",
    "\xd9\x82\xd8\xa8\xd9\x88\xd9\x84 \xd8\xa7\xd9\x84\xd9\x83\xd9\x84",
    "\xc2\xa9 2024 Example Media Ltd.",
};
#define NPAGE (sizeof(page) / sizeof(page[0]))

static void defaults_are_documented_values_and_pass_the_check(void **state)
{
    (void)state;
    struct chaff_features_config cfg;
    memset(&cfg, 0xab, sizeof(cfg));
    chaff_features_config_defaults(&cfg);
    assert_int_equal(cfg.hash_bits, 20);
    assert_int_equal(cfg.char_ngram_min, 2);
    assert_int_equal(cfg.char_ngram_max, 4);
    assert_int_equal(cfg.word_ngram_max, 2);
    assert_int_equal(cfg.context, 2);
    assert_int_equal(cfg.groups, CHAFF_FEAT_ALL);
    assert_int_equal(cfg.stacking, 1);
    assert_int_equal(cfg.max_chars, 128);
    struct chaff_error err = {0};
    assert_int_equal(chaff_features_config_check(&cfg, &err), CHAFF_OK);
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
}

static void check_rejects_out_of_range_fields(void **state)
{
    (void)state;
    static const struct {
        size_t field; /* offset of the uint32_t field */
        uint32_t value;
        const char *msg; /* part of the message */
    } bad[] = {
        {offsetof(struct chaff_features_config, hash_bits), 9, "hash bits"},
        {offsetof(struct chaff_features_config, hash_bits), 27, "hash bits"},
        {offsetof(struct chaff_features_config, hash_bits), 0, "hash bits"},
        {offsetof(struct chaff_features_config, char_ngram_min), 0, "n-gram"},
        {offsetof(struct chaff_features_config, char_ngram_min), 5, "n-gram"}, /* > max 4 */
        {offsetof(struct chaff_features_config, char_ngram_max), 9, "n-gram"},
        {offsetof(struct chaff_features_config, word_ngram_max), 3, "word"},
        {offsetof(struct chaff_features_config, context), 5, "context"},
        {offsetof(struct chaff_features_config, groups), 0, "groups"},
        {offsetof(struct chaff_features_config, groups), 0x40, "groups"},
        {offsetof(struct chaff_features_config, stacking), 2, "stacking"},
        {offsetof(struct chaff_features_config, max_chars), 7, "max chars"},
        {offsetof(struct chaff_features_config, max_chars), 65537, "max chars"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        struct chaff_features_config cfg;
        chaff_features_config_defaults(&cfg);
        memcpy((char *)&cfg + bad[i].field, &bad[i].value, sizeof(uint32_t));
        struct chaff_error err = {0};
        assert_int_equal(chaff_features_config_check(&cfg, &err), CHAFF_ERR_USAGE);
        assert_int_equal(err.code, CHAFF_ERR_USAGE);
        assert_non_null(strstr(err.msg, bad[i].msg));
        assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_ERR_USAGE);
    }
    /* The edges of the ranges are accepted. */
    struct chaff_features_config cfg;
    chaff_features_config_defaults(&cfg);
    cfg.hash_bits = 10;
    cfg.char_ngram_min = cfg.char_ngram_max = 8;
    cfg.word_ngram_max = 0;
    cfg.context = 4;
    cfg.groups = CHAFF_FEAT_CHARS;
    cfg.stacking = 0;
    cfg.max_chars = 0;
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
    cfg.max_chars = 8;
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
    cfg.max_chars = 65536;
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
    cfg.hash_bits = 26;
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
}

static void featurise_page(struct chaff_featurizer *fx, const char *const *texts, size_t n);

/* Only the first max_chars code points give n-grams, words, shares and the last character;
 * the length comes from the whole paragraph, and so does the count of invalid bytes. */
static void features_come_from_the_first_max_chars(void **state)
{
    (void)state;
    char a[800], b[800], c[800];
    memset(a, 0, sizeof(a));
    for (size_t k = 0; k < 30; k++)
        strcat(a, "\xc3\xa9t\xc3\xa9 x "); /* 7 code points, 9 bytes */
    strcpy(b, a);
    strcpy(c, a);
    strcat(a, "alpha beta.");
    strcat(b, "gamma delt|");  /* the same length as a, other words after the cut */
    for (size_t k = 0; k < 30; k++)
        strcat(c, "\xc3\xa9t\xc3\xa9 x "); /* longer */
    const char *const ab[] = {a, b}, *const ac[] = {a, c};
    struct chaff_features_config cfg = small_config();
    cfg.groups = CHAFF_FEAT_CHARS | CHAFF_FEAT_WORDS | CHAFF_FEAT_SHALLOW;
    struct capture x, y;
    featurise(&cfg, ab, 2, &x);
    assert_true(same_indices(&x.vecs[0], &x.vecs[1]));
    featurise(&cfg, ac, 2, &y);
    assert_false(same_indices(&y.vecs[0], &y.vecs[1]));
    capture_release(&x);
    capture_release(&y);
    cfg.max_chars = 0;
    featurise(&cfg, ab, 2, &x);
    assert_false(same_indices(&x.vecs[0], &x.vecs[1]));
    capture_release(&x);
    cfg.max_chars = 256; /* past the 210 code points they share */
    featurise(&cfg, ab, 2, &x);
    assert_false(same_indices(&x.vecs[0], &x.vecs[1]));
    capture_release(&x);

    /* Invalid bytes past the cut are counted. */
    char d[300];
    memset(d, 'a', sizeof(d));
    d[250] = '\x80';
    d[299] = '\0';
    const char *const pd[] = {d};
    struct chaff_featurizer fx;
    cfg.max_chars = 128;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    featurise_page(&fx, pd, 1);
    assert_int_equal(fx.ninvalid, 1);
    assert_int_equal(fx.info[0].nchars, 298); /* lead bytes: the stray 0x80 is none */
    chaff_featurizer_release(&fx);
}

static void sink_is_called_once_per_paragraph_in_order(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    for (uint32_t context = 0; context <= 4; context++) {
        cfg.context = context;
        struct capture c;
        featurise(&cfg, page, NPAGE, &c); /* the sink checks indices < 2^hash_bits */
        assert_int_equal(c.ncalls, NPAGE);
        for (size_t i = 0; i < NPAGE; i++) {
            assert_int_equal(c.order[i], i);
            assert_true(c.vecs[i].n > 0);
            for (size_t k = 0; k < c.vecs[i].n; k++)
                assert_true(c.vecs[i].val[k] > 0.0f && c.vecs[i].val[k] < 100.0f);
        }
        capture_release(&c);
    }
}

static void a_non_zero_sink_return_stops_and_is_returned(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    size_t lens[NPAGE];
    for (size_t i = 0; i < NPAGE; i++)
        lens[i] = strlen(page[i]);
    struct capture c = {.dim = 1u << 12, .stop_at = 2};
    assert_int_equal(chaff_features_page(&fx, page, lens, NPAGE, capture_sink, &c), 7);
    assert_int_equal(c.ncalls, 3);
    capture_release(&c);
    chaff_featurizer_release(&fx);
}

static void same_text_gives_the_same_vector(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct capture a, b;
    featurise(&cfg, page, NPAGE, &a);
    featurise(&cfg, page, NPAGE, &b);
    for (size_t i = 0; i < NPAGE; i++)
        assert_true(fvec_equal(&a.vecs[i], &b.vecs[i]));
    capture_release(&b);

    /* A featuriser reused for a second page gives the same vectors as a fresh one. */
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    size_t lens[NPAGE];
    for (size_t i = 0; i < NPAGE; i++)
        lens[i] = strlen(page[i]);
    static const char *const other[] = {"Menu", "Login", "Accept all cookies"};
    static const size_t other_lens[] = {4, 5, 18};
    struct capture junk = {.dim = 1u << 12, .stop_at = -1};
    assert_int_equal(chaff_features_page(&fx, other, other_lens, 3, capture_sink, &junk), 0);
    capture_release(&junk);
    b.dim = 1u << 12;
    b.stop_at = -1;
    assert_int_equal(chaff_features_page(&fx, page, lens, NPAGE, capture_sink, &b), 0);
    assert_int_equal(b.ncalls, NPAGE);
    for (size_t i = 0; i < NPAGE; i++)
        assert_true(fvec_equal(&a.vecs[i], &b.vecs[i]));
    chaff_featurizer_release(&fx);
    capture_release(&a);
    capture_release(&b);
}

static void different_text_gives_a_different_vector(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    static const char *const one[] = {"Accept all cookies"};
    static const char *const two[] = {"Reject all cookies"};
    struct capture a, b;
    featurise(&cfg, one, 1, &a);
    featurise(&cfg, two, 1, &b);
    assert_false(same_indices(&a.vecs[0], &b.vecs[0]));
    capture_release(&a);
    capture_release(&b);
}

static void char_ngrams_never_split_a_code_point(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    cfg.groups = CHAFF_FEAT_CHARS;
    cfg.char_ngram_min = 1;
    cfg.char_ngram_max = 4;
    cfg.context = 0;
    cfg.stacking = 0;
    /* "çà" is 2 code points (4 bytes); with the two boundary marks 4 positions, so n-grams of
     * length 1..4 number 4 + 3 + 2 + 1 = 10. Byte n-grams would give 6 + 5 + 4 + 3 = 18. */
    static const char *const accents[] = {"\xc3\xa7\xc3\xa0"};
    static const char *const ascii[] = {"ca"};
    struct capture a, b;
    featurise(&cfg, accents, 1, &a);
    featurise(&cfg, ascii, 1, &b);
    assert_int_equal(a.vecs[0].n, 10);
    assert_int_equal(b.vecs[0].n, 10);
    /* Four-byte code points too: "😀" alone gives 3 + 2 + 1 = 6 n-grams. */
    static const char *const emoji[] = {"\xf0\x9f\x98\x80"};
    struct capture e;
    featurise(&cfg, emoji, 1, &e);
    assert_int_equal(e.vecs[0].n, 6);
    /* Unigrams only: one per code point plus the two marks. */
    cfg.char_ngram_max = 1;
    struct capture u;
    featurise(&cfg, accents, 1, &u);
    assert_int_equal(u.vecs[0].n, 4);
    capture_release(&a);
    capture_release(&b);
    capture_release(&e);
    capture_release(&u);
}

static void empty_paragraph_and_single_paragraph_pages_work(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    static const char *const empty[] = {""};
    static const char *const blanks[] = {"", "   ", "text", ""};
    struct capture c;
    featurise(&cfg, empty, 1, &c);
    assert_int_equal(c.ncalls, 1);
    assert_int_equal(c.order[0], 0);
    assert_true(c.vecs[0].n > 0); /* shallow features say "empty" */
    capture_release(&c);
    featurise(&cfg, blanks, 4, &c);
    assert_int_equal(c.ncalls, 4);
    capture_release(&c);
    static const char *const one[] = {"A single paragraph."};
    featurise(&cfg, one, 1, &c);
    assert_int_equal(c.ncalls, 1);
    capture_release(&c);
    /* A page of no paragraphs calls nothing. */
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    c.stop_at = -1;
    c.ncalls = 0;
    assert_int_equal(chaff_features_page(&fx, NULL, NULL, 0, capture_sink, &c), 0);
    assert_int_equal(c.ncalls, 0);
    chaff_featurizer_release(&fx);
}

static void huge_paragraph_gives_a_bounded_vector(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    /* Without context and window features the two paragraphs' vectors are comparable. */
    cfg.groups = CHAFF_FEAT_CHARS | CHAFF_FEAT_WORDS | CHAFF_FEAT_SHALLOW;
    cfg.max_chars = 0; /* the whole paragraph, up to CHAFF_FEATURE_MAX_BYTES */
    const size_t n = 10u << 20;
    char *big = malloc(n);
    assert_non_null(big);
    /* Words of two-byte letters, so the cut must find a code point boundary. */
    for (size_t i = 0; i < n; i++)
        big[i] = (i % 12 == 11) ? ' ' : (i % 2 == 0 ? '\xc3' : (char)(0xa0 + i % 7));
    const char *paras[] = {big, big};
    /* The second ends on the same letter as the first (the last character is a feature). */
    size_t n2 = 2 * (size_t)CHAFF_FEATURE_MAX_BYTES + 1;
    while ((n2 - 1) % 2 != 1 || (n2 - 1) % 12 == 11 || (n2 - 1) % 7 != (n - 1) % 7)
        n2++;
    size_t lens[] = {n, n2};
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    struct capture c = {.dim = 1u << 12, .stop_at = -1};
    assert_int_equal(chaff_features_page(&fx, paras, lens, 2, capture_sink, &c), 0);
    assert_int_equal(c.ncalls, 2);
    /* Character n-grams of at most MAX_BYTES code points, word n-grams, a few dozen others. */
    const size_t bound = (size_t)cfg.char_ngram_max * (CHAFF_FEATURE_MAX_BYTES + 2) +
                         2 * CHAFF_FEATURE_MAX_BYTES + 4096;
    assert_true(c.vecs[0].n > 0);
    assert_true(c.vecs[0].n < bound);
    assert_true(fx.out.cap < 2 * bound);
    assert_true(fx.nz.text_len <= CHAFF_FEATURE_MAX_BYTES * 3);
    /* Both paragraphs are cut at the same place: the same features. */
    assert_true(same_indices(&c.vecs[0], &c.vecs[1]));
    capture_release(&c);
    chaff_featurizer_release(&fx);
    free(big);
}

static void context_features_follow_the_neighbours(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    const char *a[] = {"Home", "Cookie settings", "The minister said the plan would cost less."};
    const char *b[] = {"Home", "Privacy policy and terms", "The minister said the plan would cost less."};
    struct capture ca, cb;
    featurise(&cfg, a, 3, &ca);
    featurise(&cfg, b, 3, &cb);
    /* Paragraph 0's neighbour at +1 changed: its vector changes although its text did not. */
    assert_false(same_indices(&ca.vecs[0], &cb.vecs[0]));
    assert_false(same_indices(&ca.vecs[2], &cb.vecs[2]));
    capture_release(&ca);
    capture_release(&cb);

    /* Without context features only the changed paragraph's vector changes. */
    cfg.groups = CHAFF_FEAT_ALL & ~(CHAFF_FEAT_CONTEXT | CHAFF_FEAT_WINDOW);
    featurise(&cfg, a, 3, &ca);
    featurise(&cfg, b, 3, &cb);
    assert_true(fvec_equal(&ca.vecs[0], &cb.vecs[0]));
    assert_false(same_indices(&ca.vecs[1], &cb.vecs[1]));
    assert_true(fvec_equal(&ca.vecs[2], &cb.vecs[2]));
    capture_release(&ca);
    capture_release(&cb);

    /* With context = 0, the neighbours are not looked at either. */
    cfg = small_config();
    cfg.context = 0;
    cfg.groups = CHAFF_FEAT_ALL & ~CHAFF_FEAT_WINDOW;
    featurise(&cfg, a, 3, &ca);
    featurise(&cfg, b, 3, &cb);
    assert_true(fvec_equal(&ca.vecs[0], &cb.vecs[0]));
    assert_true(fvec_equal(&ca.vecs[2], &cb.vecs[2]));
    capture_release(&ca);
    capture_release(&cb);

    /* With context = 1 a change two paragraphs away is not seen. */
    cfg.context = 1;
    const char *c5a[] = {"Home", "x", "Cookie settings", "y", "z"};
    const char *c5b[] = {"Home", "x", "Privacy policy", "y", "z"};
    featurise(&cfg, c5a, 5, &ca);
    featurise(&cfg, c5b, 5, &cb);
    assert_true(fvec_equal(&ca.vecs[0], &cb.vecs[0]));
    assert_false(same_indices(&ca.vecs[1], &cb.vecs[1]));
    assert_false(same_indices(&ca.vecs[3], &cb.vecs[3]));
    assert_true(fvec_equal(&ca.vecs[4], &cb.vecs[4]));
    capture_release(&ca);
    capture_release(&cb);
}

/* features.c marks the word hashes a neighbour passes on (to weigh them apart from its
 * shallow tags) and tells them apart by their lowest bit. The words of a neighbour should all
 * get the word value VAL_CTX_WORD / sqrt(nwords) = 0.5 / 2, the shallow tags VAL_CTX_SHAL. */
static void context_words_of_a_neighbour_share_the_word_weight(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    cfg.groups = CHAFF_FEAT_SHALLOW | CHAFF_FEAT_CONTEXT; /* shallow values are 0.35 */
    cfg.context = 1;
    const char *paras[] = {"x", "alpha beta gamma delta"};
    struct capture c;
    featurise(&cfg, paras, 2, &c);
    size_t nword = 0, nother = 0;
    for (size_t k = 0; k < c.vecs[0].n; k++) {
        if (c.vecs[0].val[k] == 0.25f)
            nword++;
        else
            nother++;
    }
    assert_true(nother > 4); /* "no neighbour" on the left, the shallow tags on the right */
    assert_int_equal(nword, 4);
    capture_release(&c);
}

/* Groups without own features (no characters, words or shallow features) are valid: the first
 * vector is assembled from an empty own vector (features.c assemble(): memcpy from a NULL
 * buffer, which UBSan reports). Kept last: under the sanitizer it aborts the program. */
static void context_and_window_features_alone_work(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    cfg.groups = CHAFF_FEAT_CONTEXT | CHAFF_FEAT_WINDOW;
    assert_int_equal(chaff_features_config_check(&cfg, NULL), CHAFF_OK);
    struct capture c;
    featurise(&cfg, page, NPAGE, &c);
    assert_int_equal(c.ncalls, NPAGE);
    for (size_t i = 0; i < NPAGE; i++)
        assert_true(c.vecs[i].n > 0);
    capture_release(&c);
}

/* Number of shallow features of 'text' as a page of its own. */
static size_t shallow_count(const char *text)
{
    struct chaff_features_config cfg = small_config();
    cfg.groups = CHAFF_FEAT_SHALLOW;
    struct capture c;
    const char *const one[] = {text};
    featurise(&cfg, one, 1, &c);
    size_t n = c.vecs[0].n;
    capture_release(&c);
    return n;
}

/* The URL, e-mail and year flags each add one feature, and only where due: pairs of texts
 * that differ in the flag alone (same separators, same first and last characters). */
static void url_email_and_year_flags_fire_exactly_when_due(void **state)
{
    (void)state;
    static const char *const pairs[][2] = {
        {"see http://ab.cd now", "see http:x/ab.cd now"},
        {"see https://ab.cd now", "see httpsx//ab.cd now"},
        {"see HTTPS://ab.cd now", "see HTTPS:/x/ab.cd now"},
        {"see www.ab.cd now", "see wwx.ab.cd now"},
        {"mail bob@ab.cd now", "mail bob@abcd now"},
        {"mail bob@ab.cd now", "mail @ab.cd now"},
        {"mail bob@ab.cd now", "mail bob@ab cd.x now"},
        {"a@b.c then x@y", "a@b then x@y.z"}, /* only the first '@' counts */
        {"since 2019 now", "since 20199 now"},
        {"since 2019 now", "since 201 now"},
        {"since 1999", "since 19999"},         /* a run at the end */
        {"2019 was", "201 was"},               /* a run at the start */
        {"\xd9\xa2\xd9\xa0\xd9\xa1\xd9\xa9 x", "\xd9\xa2\xd9\xa0\xd9\xa1 x"}, /* Arabic-Indic digits */
    };
    for (size_t i = 0; i < sizeof(pairs) / sizeof(pairs[0]); i++) {
        size_t with = shallow_count(pairs[i][0]), without = shallow_count(pairs[i][1]);
        if (with != without + 1)
            fail_msg("'%s': %zu shallow features, '%s': %zu; expected one more", pairs[i][0],
                     with, pairs[i][1], without);
    }
}

static void page_info_measures_paragraphs(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    const char *paras[] = {"\xc3\xa7\xc3\xa0", "\xe6\xbc\xa2\xe5\xad\x97", "", page[3]};
    size_t lens[] = {4, 6, 0, strlen(page[3])};
    assert_int_equal(chaff_features_page_info(&fx, paras, lens, 4), 0);
    assert_int_equal(fx.info[0].nchars, 2);
    assert_int_equal(fx.info[0].weight, 2);
    assert_int_equal(fx.info[1].nchars, 2);
    assert_int_equal(fx.info[1].weight, 4); /* wide characters count twice */
    assert_int_equal(fx.info[2].nchars, 0);
    assert_int_equal(fx.info[2].prose, 0);
    assert_int_equal(fx.info[3].prose, 1); /* a long sentence */
    assert_int_equal(fx.prose_sum[4], 1);
    chaff_featurizer_release(&fx);
}

/* Featurises 'texts' (NUL-terminated) as one page with 'fx', discarding the vectors. */
static int ignore_sink(void *ctx, size_t i, const struct chaff_fvec *own,
                       const struct chaff_fvec *rest, const float *chars)
{
    (void)ctx, (void)i, (void)own, (void)rest, (void)chars;
    return 0;
}

static void featurise_page(struct chaff_featurizer *fx, const char *const *texts, size_t n)
{
    size_t lens[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        lens[i] = strlen(texts[i]);
    assert_int_equal(chaff_features_page(fx, texts, lens, n, ignore_sink, NULL), 0);
}

/* The first paragraph is the page's title: each later line gets how many of its words are the
 * title's (all, half or more, fewer) and how many of the words of the title's main part (its
 * longest part between separators such as '|') it has; the first line made of most of them is
 * the headline. */
static void lines_are_compared_with_the_title(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    assert_int_equal(fx.headline, SIZE_MAX);
    static const char *const pg[] = {
        "Big Budget Vote Passes | Example News", /* 6 distinct words, 4 in the main part */
        "Home | Sport | Weather",                /* none of them */
        "News \xe2\x80\xba Big Budget",           /* all its words, half of the main part's */
        "BIG BUDGET VOTE PASSES",                /* all its words, all of the main part's */
        "The council approved the new budget on Monday after a long debate.",
        "Big Budget Vote Passes",                /* the headline again: not the first */
    };
    featurise_page(&fx, pg, 6);
    assert_int_equal(fx.info[0].title, 0);
    assert_int_equal(fx.info[1].title, 0);
    assert_int_equal(fx.info[2].title, 1 + 3 * 4 + 1); /* all; 2 of 4 >= 0.3 */
    assert_int_equal(fx.info[3].title, 1 + 3 * 4 + 3); /* all; 4 of 4 >= 0.9 */
    assert_int_equal(fx.info[4].title, 1 + 1 * 4 + 0); /* 1 of 12 words: "budget" */
    assert_int_equal(fx.info[5].title, 1 + 3 * 4 + 3);
    assert_int_equal(fx.headline, 3);

    /* The main part may come second; a hyphen inside a word separates nothing, one between
     * spaces does; the site's name is in the title but not in its main part. */
    const char *const pg4[] = {"Example News - Big Budget Vote Passes", "Example News",
                               "Big Budget Vote Passes"};
    featurise_page(&fx, pg4, 3);
    assert_int_equal(fx.info[1].title, 1 + 3 * 4 + 0);
    assert_int_equal(fx.info[2].title, 1 + 3 * 4 + 3);
    assert_int_equal(fx.headline, 2);
    const char *const pg5[] = {"Long-Term Care - Home Help", "Home Help", "Long Care"};
    featurise_page(&fx, pg5, 3);
    assert_int_equal(fx.info[1].title, 1 + 3 * 4 + 0);
    assert_int_equal(fx.info[2].title, 1 + 3 * 4 + 2); /* 2 of "long term care" */
    assert_int_equal(fx.headline, 2);

    /* Lines of more than 40 words are not compared; a title without words compares nothing. */
    char longline[400] = "Big";
    for (int k = 0; k < 40; k++)
        strcat(longline, " budget");
    const char *const pg2[] = {"Big Budget", longline, "Big Budget"};
    featurise_page(&fx, pg2, 3);
    assert_int_equal(fx.info[1].title, 0);
    assert_int_equal(fx.info[2].title, 1 + 3 * 4 + 3);
    assert_int_equal(fx.headline, 2);
    const char *const pg3[] = {"---", "Big Budget", "Big Budget"};
    featurise_page(&fx, pg3, 3);
    assert_int_equal(fx.info[1].title, 0);
    assert_int_equal(fx.headline, SIZE_MAX);

    /* chaff_features_page_info() leaves them empty, for the caller to put back. */
    featurise_page(&fx, pg, 6);
    size_t lens[6];
    for (size_t i = 0; i < 6; i++)
        lens[i] = strlen(pg[i]);
    assert_int_equal(chaff_features_page_info(&fx, pg, lens, 6), 0);
    assert_int_equal(fx.info[3].title, 0);
    assert_int_equal(fx.headline, SIZE_MAX);
    chaff_featurizer_release(&fx);
}

/* Han, kana and Thai are written without spaces: each letter, with the marks after it, is a
 * word (seen here through the overlap with the title, which compares words). */
static void letters_of_scripts_without_spaces_are_words(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    /* 中文新闻: four words, two of them in the line 新闻 */
    const char *const zh[] = {"\xe4\xb8\xad\xe6\x96\x87\xe6\x96\xb0\xe9\x97\xbb",
                              "\xe6\x96\xb0\xe9\x97\xbb", "Home"};
    featurise_page(&fx, zh, 3);
    assert_int_equal(fx.info[1].title, 1 + 3 * 4 + 1); /* all of it; 2 of 4 >= 0.3 */
    assert_int_equal(fx.info[2].title, 0);
    /* Latin letters around Han are words of their own: "abc中def" is "abc", "中", "def" */
    const char *const mixed[] = {"abc\xe4\xb8\xad" "def", "abc", "def", "ab"};
    featurise_page(&fx, mixed, 4);
    assert_int_equal(fx.info[1].title, 1 + 3 * 4 + 1); /* all of it; 1 of 3 words */
    assert_int_equal(fx.info[2].title, 1 + 3 * 4 + 1);
    assert_int_equal(fx.info[3].title, 0);
    /* กิน: the vowel mark stays with its letter, so "กิ" is a word of it and "ก" is not */
    const char *const th[] = {"\xe0\xb8\x81\xe0\xb8\xb4\xe0\xb8\x99",
                              "\xe0\xb8\x81\xe0\xb8\xb4", "\xe0\xb8\x81"};
    featurise_page(&fx, th, 3);
    assert_int_equal(fx.info[1].title, 1 + 3 * 4 + 1);
    assert_int_equal(fx.info[2].title, 0);
    chaff_featurizer_release(&fx);
}

/* Two lines that fold to the same text, with as many upper-case letters, differ in how many of
 * their words are capitalised (Title Case menu items against words in running text). */
static void capitalised_words_change_the_features(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    static const char *const a[] = {"Title", "xx Abc def"};
    static const char *const b[] = {"Title", "xx aBc def"};
    static const char *const c[] = {"Title", "xx Abc def"};
    struct capture ca = {0}, cb = {0}, cc = {0};
    featurise(&cfg, a, 2, &ca);
    featurise(&cfg, b, 2, &cb);
    featurise(&cfg, c, 2, &cc);
    assert_false(same_indices(&ca.vecs[1], &cb.vecs[1]));
    assert_true(same_indices(&ca.vecs[1], &cc.vecs[1]));
    capture_release(&ca);
    capture_release(&cb);
    capture_release(&cc);
}

/* The headline's first-pass vector differs from the same line's on a page with another title
 * (its title features), and so does its second-pass vector. */
static void the_headline_has_its_own_features(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    static const char *const a[] = {"Big Budget Vote Passes | Example News", "Home",
                                    "Big Budget Vote Passes", "Home"};
    static const char *const b[] = {"Weather Today | Example News", "Home",
                                    "Big Budget Vote Passes", "Home"};
    struct capture ca = {0}, cb = {0};
    featurise(&cfg, a, 4, &ca);
    featurise(&cfg, b, 4, &cb);
    assert_false(same_indices(&ca.vecs[2], &cb.vecs[2]));
    capture_release(&ca);
    capture_release(&cb);

    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    const float p1[4 * 3] = {0.5f, 0.3f, 0.2f, 0.1f, 0.8f, 0.1f,
                             0.4f, 0.5f, 0.1f, 0.1f, 0.8f, 0.1f};
    struct chaff_fvec va = {0}, vb = {0};
    featurise_page(&fx, a, 4);
    assert_int_equal(chaff_stack_prepare(&fx, p1, 4, 3), 0);
    assert_int_equal(chaff_stack_features(&fx, p1, 4, 3, 2, &va), 0);
    featurise_page(&fx, b, 4);
    assert_int_equal(chaff_stack_prepare(&fx, p1, 4, 3), 0);
    assert_int_equal(chaff_stack_features(&fx, p1, 4, 3, 2, &vb), 0);
    assert_false(fvec_equal(&va, &vb));
    chaff_fvec_release(&va);
    chaff_fvec_release(&vb);
    chaff_featurizer_release(&fx);
}

/* A featuriser of small_config() with the paragraph facts of 'n' paragraphs cycling through
 * page[], for the second-pass tests. */
static void init_with_page_info(struct chaff_featurizer *fx, size_t n)
{
    struct chaff_features_config cfg = small_config();
    assert_int_equal(chaff_featurizer_init(fx, &cfg), 0);
    const char *paras[16];
    size_t lens[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        paras[i] = page[i % NPAGE], lens[i] = strlen(paras[i]);
    assert_int_equal(chaff_features_page_info(fx, paras, lens, n), 0);
}

/* A label's region is the run with the largest sum of (probability - 1/2): a stray line far
 * before it is left out, a dip inside it is not, and the second pass is told the region. */
static void the_region_leaves_out_a_stray_line(void **state)
{
    (void)state;
    struct chaff_featurizer fx;
    init_with_page_info(&fx, 10);
    /* label 0: 0.9 at 0, low at 1-5, a dip at 8 inside the run 6-9; label 1: never >= 1/2 */
    static const float c[10] = {0.9f, 0.1f, 0.1f, 0.2f, 0.1f, 0.1f, 0.8f, 0.9f, 0.45f, 0.9f};
    float p1[10 * 3];
    for (size_t i = 0; i < 10; i++)
        p1[i * 3] = c[i], p1[i * 3 + 1] = 0.3f * (1 - c[i]), p1[i * 3 + 2] = 0.7f * (1 - c[i]);
    assert_int_equal(chaff_stack_prepare(&fx, p1, 10, 3), 0);
    assert_int_equal(fx.region_first[0], 6);
    assert_int_equal(fx.region_last[0], 9);
    assert_true(fx.region_first[1] == SIZE_MAX && fx.region_last[1] == SIZE_MAX);
    assert_int_equal(fx.region_first[2], 1);
    assert_int_equal(fx.region_last[2], 5);

    struct chaff_fvec va = {0}, vb = {0};
    assert_int_equal(chaff_stack_features(&fx, p1, 10, 3, 3, &va), 0);
    fx.region_first[0] = 0; /* as if the stray line were in it */
    assert_int_equal(chaff_stack_features(&fx, p1, 10, 3, 3, &vb), 0);
    assert_false(fvec_equal(&va, &vb));
    chaff_fvec_release(&va);
    chaff_fvec_release(&vb);
    chaff_featurizer_release(&fx);
}

static int fvec_has(const struct chaff_fvec *v, uint32_t idx)
{
    for (size_t k = 0; k < v->n; k++)
        if (v->idx[k] == idx)
            return 1;
    return 0;
}

/* The second pass is told how much of each label the whole page holds (the last block of its
 * vector, 126 features a label: paragraphs in log2 bins and the mean probability in tenths,
 * each alone and with the paragraph's own probability in fifths). */
static void the_second_pass_sees_the_labels_mass_in_the_page(void **state)
{
    (void)state;
    struct chaff_featurizer fx;
    init_with_page_info(&fx, 8);
    float p1[8 * 3];
    for (size_t i = 0; i < 8; i++)
        p1[i * 3] = 0.95f, p1[i * 3 + 1] = 0.03f, p1[i * 3 + 2] = 0.02f;
    assert_int_equal(chaff_stack_prepare(&fx, p1, 8, 3), 0);
    struct chaff_fvec v = {0};
    assert_int_equal(chaff_stack_features(&fx, p1, 8, 3, 5, &v), 0);
    const uint32_t t = (uint32_t)chaff_stack_dim(3) - 3 * 126; /* label 0's block */
    assert_true(fvec_has(&v, t + 4));                   /* 7.6 paragraphs: 8, log2 bin 4 */
    assert_true(fvec_has(&v, t + 11 + 4 * 5 + 4));      /* with its own 0.95: fifth 4 */
    assert_true(fvec_has(&v, t + 66 + 9));              /* mean 0.95: tenth 9 */
    assert_true(fvec_has(&v, t + 66 + 10 + 9 * 5 + 4)); /* with its own */
    assert_true(fvec_has(&v, t + 126 + 0));             /* label 1: 0.24, rounded to 0 */
    assert_true(fvec_has(&v, t + 2 * 126 + 66 + 0));    /* label 2: mean 0.02 */

    /* The same paragraph and neighbourhood on a page with little of label 0: other features. */
    for (size_t i = 0; i < 8; i++)
        if (i != 5)
            p1[i * 3] = 0.05f, p1[i * 3 + 1] = 0.03f, p1[i * 3 + 2] = 0.92f;
    assert_int_equal(chaff_stack_prepare(&fx, p1, 8, 3), 0);
    assert_int_equal(chaff_stack_features(&fx, p1, 8, 3, 5, &v), 0);
    assert_false(fvec_has(&v, t + 4));
    assert_true(fvec_has(&v, t + 1));      /* 0.95 + 7 x 0.05 = 1.3: 1 paragraph, bin 1 */
    assert_true(fvec_has(&v, t + 66 + 1)); /* mean 0.16 */
    chaff_fvec_release(&v);
    chaff_featurizer_release(&fx);
}

static void stack_features_stay_below_the_dimension(void **state)
{
    (void)state;
    struct chaff_features_config cfg = small_config();
    struct chaff_featurizer fx;
    assert_int_equal(chaff_featurizer_init(&fx, &cfg), 0);
    size_t lens[NPAGE];
    for (size_t i = 0; i < NPAGE; i++)
        lens[i] = strlen(page[i]);
    assert_int_equal(chaff_features_page_info(&fx, page, lens, NPAGE), 0);
    for (size_t L = 1; L <= 5; L++) {
        const size_t dim = chaff_stack_dim(L);
        assert_true(dim > 0);
        assert_true(chaff_stack_dim(L + 1) > dim);
        float p1[NPAGE * 5];
        for (size_t i = 0; i < NPAGE; i++)
            for (size_t l = 0; l < L; l++) /* extreme probabilities test the bin edges */
                p1[i * L + l] = (i + l) % 3 == 0 ? 1.0f : (i + l) % 3 == 1 ? 0.0f : 0.5f;
        assert_int_equal(chaff_stack_prepare(&fx, p1, NPAGE, L), 0);
        struct chaff_fvec out = {0};
        for (size_t i = 0; i < NPAGE; i++) {
            assert_int_equal(chaff_stack_features(&fx, p1, NPAGE, L, i, &out), 0);
            assert_true(out.n > 0);
            assert_true(out.n <= dim);
            for (size_t k = 0; k < out.n; k++)
                assert_true(out.idx[k] < dim);
        }
        chaff_fvec_release(&out);
    }
    /* A page of one paragraph. */
    const float p1[3] = {0.2f, 0.3f, 0.5f};
    assert_int_equal(chaff_features_page_info(&fx, page, lens, 1), 0);
    assert_int_equal(chaff_stack_prepare(&fx, p1, 1, 3), 0);
    struct chaff_fvec out = {0};
    assert_int_equal(chaff_stack_features(&fx, p1, 1, 3, 0, &out), 0);
    for (size_t k = 0; k < out.n; k++)
        assert_true(out.idx[k] < chaff_stack_dim(3));
    chaff_fvec_release(&out);
    chaff_featurizer_release(&fx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(defaults_are_documented_values_and_pass_the_check),
        cmocka_unit_test(the_second_pass_sees_the_labels_mass_in_the_page),
        cmocka_unit_test(capitalised_words_change_the_features),
        cmocka_unit_test(check_rejects_out_of_range_fields),
        cmocka_unit_test(features_come_from_the_first_max_chars),
        cmocka_unit_test(sink_is_called_once_per_paragraph_in_order),
        cmocka_unit_test(a_non_zero_sink_return_stops_and_is_returned),
        cmocka_unit_test(same_text_gives_the_same_vector),
        cmocka_unit_test(different_text_gives_a_different_vector),
        cmocka_unit_test(char_ngrams_never_split_a_code_point),
        cmocka_unit_test(empty_paragraph_and_single_paragraph_pages_work),
        cmocka_unit_test(huge_paragraph_gives_a_bounded_vector),
        cmocka_unit_test(context_features_follow_the_neighbours),
        cmocka_unit_test(context_words_of_a_neighbour_share_the_word_weight),
        cmocka_unit_test(page_info_measures_paragraphs),
        cmocka_unit_test(url_email_and_year_flags_fire_exactly_when_due),
        cmocka_unit_test(stack_features_stay_below_the_dimension),
        cmocka_unit_test(the_region_leaves_out_a_stray_line),
        cmocka_unit_test(lines_are_compared_with_the_title),
        cmocka_unit_test(the_headline_has_its_own_features),
        cmocka_unit_test(letters_of_scripts_without_spaces_are_words),
        cmocka_unit_test(context_and_window_features_alone_work),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
