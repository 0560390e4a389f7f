/*
 * test_model.c - the model file: a model trained on the fixture survives save and load with
 * bitwise-identical results (16- and 8-bit weights), and every kind of damaged or foreign file
 * is refused with CHAFF_ERR_MODEL (or CHAFF_ERR_IO) and a message that says what is wrong, also
 * a file with a right checksum whose weights are not finite or absurdly large.
 */
#include "chaff.h"
#include "dataset.h"
#include "features.h"
#include "hash.h"
#include "model.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#define FIXTURE CHAFF_TEST_DATA "/fixture_small.tsv"

/* Made once by the group setup: the fixture, a model trained on it, and its file. */
struct fixture {
    struct chaff_dataset *ds;
    struct chaff_model *model;
    char path[512];         /* the saved model */
    unsigned char *bytes;   /* the file's contents */
    size_t nbytes;
};

static void temp_path(char path[static 512], const char *tag)
{
    const char *dir = getenv("TMPDIR");
    snprintf(path, 512, "%s/chaff_test_model_%s_XXXXXX", dir != NULL && *dir != '\0' ? dir : "/tmp",
             tag);
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
}

static void write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

static unsigned char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    assert_int_equal(fseek(f, 0, SEEK_END), 0);
    long n = ftell(f);
    assert_true(n > 0);
    rewind(f);
    unsigned char *data = malloc((size_t)n);
    assert_non_null(data);
    assert_int_equal(fread(data, 1, (size_t)n, f), (size_t)n);
    fclose(f);
    *len = (size_t)n;
    return data;
}

static struct chaff_model *train(const struct chaff_dataset *ds, unsigned weight_bits)
{
    struct chaff_train_options opt;
    chaff_train_options_defaults(&opt);
    opt.features.hash_bits = 14;
    opt.threads = 1;
    opt.weight_bits = weight_bits;
    struct chaff_model *model = NULL;
    struct chaff_train_summary sum;
    struct chaff_error err = {0};
    int rc = chaff_train(ds, &opt, &model, &sum, &err);
    if (rc != CHAFF_OK)
        fprintf(stderr, "chaff_train: %s: %s\n", err.where, err.msg);
    assert_int_equal(rc, CHAFF_OK);
    assert_non_null(model);
    assert_int_equal(sum.pages, chaff_dataset_npages(ds));
    assert_int_equal(sum.paragraphs, chaff_dataset_nparagraphs(ds));
    assert_int_equal(sum.labels, 3);
    return model;
}

static int setup(void **state)
{
    struct fixture *fx = calloc(1, sizeof(*fx));
    assert_non_null(fx);
    fx->ds = chaff_dataset_create();
    assert_non_null(fx->ds);
    struct chaff_error err = {0};
    assert_int_equal(chaff_dataset_read_tsv(fx->ds, FIXTURE, &err), CHAFF_OK);
    assert_true(chaff_dataset_npages(fx->ds) > 10);
    fx->model = train(fx->ds, 16);
    temp_path(fx->path, "saved");
    assert_int_equal(chaff_model_save_file(fx->model, fx->path, &err), CHAFF_OK);
    fx->bytes = read_file(fx->path, &fx->nbytes);
    *state = fx;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *fx = *state;
    unlink(fx->path);
    free(fx->bytes);
    chaff_model_free(fx->model);
    chaff_dataset_free(fx->ds);
    free(fx);
    return 0;
}

/* Classifies every page of 'ds' with 'a' and 'b' and asserts identical labels and bitwise
 * identical confidences and probabilities. */
static void assert_same_results(const struct chaff_dataset *ds, const struct chaff_model *a,
                                const struct chaff_model *b)
{
    assert_int_equal(chaff_model_nlabels(a), chaff_model_nlabels(b));
    const size_t nlabels = chaff_model_nlabels(a);
    struct chaff_classifier *ca = chaff_classifier_create(a);
    struct chaff_classifier *cb = chaff_classifier_create(b);
    assert_non_null(ca);
    assert_non_null(cb);
    for (size_t p = 0; p < ds->npages; p++) {
        const struct chaff_dataset_page *pg = &ds->pages[p];
        const char **paras = malloc(pg->n * sizeof(*paras));
        struct chaff_result *ra = malloc(pg->n * sizeof(*ra));
        struct chaff_result *rb = malloc(pg->n * sizeof(*rb));
        assert_non_null(paras);
        assert_non_null(ra);
        assert_non_null(rb);
        for (size_t i = 0; i < pg->n; i++)
            paras[i] = ds->arena + ds->text_off[pg->first + i];
        const size_t *lens = ds->text_len + pg->first;
        struct chaff_error err = {0};
        assert_int_equal(chaff_classify_page(ca, paras, lens, pg->n, ra, &err), CHAFF_OK);
        assert_int_equal(chaff_classify_page(cb, paras, lens, pg->n, rb, &err), CHAFF_OK);
        for (size_t i = 0; i < pg->n; i++) {
            assert_int_equal(ra[i].label, rb[i].label);
            assert_true(ra[i].label < nlabels);
            assert_memory_equal(&ra[i].confidence, &rb[i].confidence, sizeof(float));
            float pa[8], pb[8];
            assert_int_equal(chaff_classifier_probs(ca, i, pa, &err), CHAFF_OK);
            assert_int_equal(chaff_classifier_probs(cb, i, pb, &err), CHAFF_OK);
            assert_memory_equal(pa, pb, nlabels * sizeof(float));
        }
        free(paras);
        free(ra);
        free(rb);
    }
    assert_int_equal(chaff_classifier_counters(ca)->paragraphs, ds->npara);
    chaff_classifier_free(ca);
    chaff_classifier_free(cb);
}

static void saved_model_loads_back_with_identical_results(void **state)
{
    struct fixture *fx = *state;
    struct chaff_model *loaded = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_load_file(fx->path, &loaded, &err), CHAFF_OK);
    assert_non_null(loaded);
    assert_int_equal(chaff_model_nlabels(loaded), 3);
    for (size_t l = 0; l < 3; l++)
        assert_string_equal(chaff_model_label_name(loaded, l),
                            chaff_model_label_name(fx->model, l));
    assert_null(chaff_model_label_name(loaded, 3));
    assert_true(chaff_model_label_index(loaded, "content") >= 0);
    assert_true(chaff_model_label_index(loaded, "consent") >= 0);
    assert_true(chaff_model_label_index(loaded, "navigation") >= 0);
    assert_int_equal(chaff_model_label_index(loaded, "footer"), -1);
    assert_memory_equal(chaff_model_features(loaded), chaff_model_features(fx->model),
                        sizeof(struct chaff_features_config));
    assert_int_equal(chaff_model_features(loaded)->hash_bits, 14);
    assert_same_results(fx->ds, fx->model, loaded);

    /* Saving the loaded model gives the same bytes. */
    char again[512];
    temp_path(again, "again");
    assert_int_equal(chaff_model_save_file(loaded, again, &err), CHAFF_OK);
    size_t n;
    unsigned char *bytes = read_file(again, &n);
    assert_int_equal(n, fx->nbytes);
    assert_memory_equal(bytes, fx->bytes, n);
    free(bytes);
    unlink(again);
    chaff_model_free(loaded);
}

static void model_loaded_from_a_buffer_equals_the_file(void **state)
{
    struct fixture *fx = *state;
    unsigned char *copy = malloc(fx->nbytes);
    assert_non_null(copy);
    memcpy(copy, fx->bytes, fx->nbytes);
    struct chaff_model *loaded = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_load_buffer(copy, fx->nbytes, "buf", &loaded, &err), CHAFF_OK);
    free(copy); /* the model keeps its own copy */
    assert_same_results(fx->ds, fx->model, loaded);
    chaff_model_free(loaded);
}

/* Saves 'm' to a new temporary file named by 'tag' (its path left in 'path') and returns the
 * file's bytes. */
static unsigned char *save_and_read(const struct chaff_model *m, const char *tag,
                                    char path[static 512], size_t *n)
{
    temp_path(path, tag);
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_save_file(m, path, &err), CHAFF_OK);
    return read_file(path, n);
}

static void eight_bit_weights_round_trip(void **state)
{
    struct fixture *fx = *state;
    struct chaff_model *m8 = train(fx->ds, 8);
    char path[512];
    size_t n;
    unsigned char *bytes = save_and_read(m8, "w8", path, &n);
    struct chaff_error err = {0};
    assert_true(n < fx->nbytes); /* one byte per weight instead of two */
    free(bytes);
    struct chaff_model *loaded = NULL;
    assert_int_equal(chaff_model_load_file(path, &loaded, &err), CHAFF_OK);
    assert_same_results(fx->ds, m8, loaded);
    chaff_model_free(loaded);
    chaff_model_free(m8);
    unlink(path);
}

/* First-pass scores of every paragraph of a page, as the classifier computes them. */
struct score_sink {
    const struct chaff_model *m;
    float scores[64][3];
    size_t n, own_features;
};

static int score_sink(void *ctx, size_t i, const struct chaff_fvec *own,
                      const struct chaff_fvec *rest, const float *chars)
{
    struct score_sink *s = ctx;
    assert_true(i < 64);
    chaff_model_score1(s->m, own, rest, chars, s->scores[i]);
    s->own_features += own->n;
    s->n++;
    return 0;
}

/* Classification sums the weights of the character n-grams as it hashes them
 * (chaff_featurizer_score_chars); the sums must be what scoring the listed n-grams gives, up
 * to the order of the float additions. */
static void scored_character_ngrams_equal_the_listed_ones(void **state)
{
    struct fixture *fx = *state;
    struct chaff_model *m8 = train(fx->ds, 8);
    assert_int_equal(m8->stride, 3);
    struct chaff_featurizer listed, scored;
    assert_int_equal(chaff_featurizer_init(&listed, &m8->cfg), 0);
    assert_int_equal(chaff_featurizer_init(&scored, &m8->cfg), 0);
    chaff_featurizer_score_chars(&scored, m8->w1_8, m8->lut1);
    size_t compared = 0;
    for (size_t p = 0; p < fx->ds->npages; p++) {
        const struct chaff_dataset_page *pg = &fx->ds->pages[p];
        if (pg->n > 64)
            continue;
        const char *paras[64];
        for (size_t i = 0; i < pg->n; i++)
            paras[i] = fx->ds->arena + fx->ds->text_off[pg->first + i];
        const size_t *lens = fx->ds->text_len + pg->first;
        struct score_sink a = {.m = m8}, b = {.m = m8};
        assert_int_equal(chaff_features_page(&listed, paras, lens, pg->n, score_sink, &a), 0);
        assert_int_equal(chaff_features_page(&scored, paras, lens, pg->n, score_sink, &b), 0);
        assert_int_equal(a.n, pg->n);
        assert_int_equal(b.n, pg->n);
        assert_true(b.own_features < a.own_features); /* the n-grams were not listed */
        for (size_t i = 0; i < pg->n; i++)
            for (size_t l = 0; l < 3; l++) {
                const float x = a.scores[i][l], y = b.scores[i][l];
                assert_true(fabsf(x - y) <= 1e-4f * (1.0f + fabsf(x)));
                compared++;
            }
    }
    assert_true(compared > 300);
    chaff_featurizer_release(&listed);
    chaff_featurizer_release(&scored);
    chaff_model_free(m8);
}

/* Loads 'len' bytes (an exactly sized heap copy of 'data') as a model file and asserts it fails
 * with 'code', where = the path, and a message containing 'what'. */
static void assert_load_fails(const void *data, size_t len, enum chaff_status code,
                              const char *what)
{
    char path[512];
    temp_path(path, "bad");
    write_file(path, data, len);
    struct chaff_model *m = (struct chaff_model *)&m;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_load_file(path, &m, &err), code);
    assert_null(m);
    assert_int_equal(err.code, code);
    assert_string_equal(err.where, path);
    if (strstr(err.msg, what) == NULL)
        fail_msg("message '%s' lacks '%s'", err.msg, what);
    unlink(path);

    unsigned char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    m = (struct chaff_model *)&m;
    memset(&err, 0, sizeof(err));
    assert_int_equal(chaff_model_load_buffer(copy, len, "mem.chaff", &m, &err), code);
    assert_null(m);
    assert_string_equal(err.where, "mem.chaff");
    if (strstr(err.msg, what) == NULL)
        fail_msg("message '%s' lacks '%s'", err.msg, what);
    free(copy);
}

static void wrong_magic_is_refused(void **state)
{
    struct fixture *fx = *state;
    unsigned char *bad = malloc(fx->nbytes);
    assert_non_null(bad);
    memcpy(bad, fx->bytes, fx->nbytes);
    assert_memory_equal(bad, "CHAFFMDL", 8);
    bad[0] = 'X';
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "magic");
    free(bad);
    static const char text[] = "this is a plain text file, not a model\n";
    assert_load_fails(text, sizeof(text) - 1, CHAFF_ERR_MODEL, "magic");
}

static void newer_format_version_is_refused(void **state)
{
    struct fixture *fx = *state;
    unsigned char *bad = malloc(fx->nbytes);
    assert_non_null(bad);
    memcpy(bad, fx->bytes, fx->nbytes);
    assert_int_equal(bad[8], 2); /* u32 little-endian version after the magic */
    bad[8] = 99;
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "newer");
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "99");
    bad[8] = 0;
    bad[11] = 1; /* version 2^24 */
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "newer");
    free(bad);
}

/* A model of another feature scheme (an older chaff's) would score the wrong features: it is
 * refused, with a message that says so, even with a right checksum. */
static void model_of_another_feature_scheme_is_refused(void **state)
{
    struct fixture *fx = *state;
    unsigned char *bad = malloc(fx->nbytes);
    assert_non_null(bad);
    memcpy(bad, fx->bytes, fx->nbytes);
    assert_int_equal(bad[12], CHAFF_HASH_ID); /* u32 little-endian after magic and version */
    bad[12] = CHAFF_HASH_ID - 1;
    uint32_t crc = (uint32_t)crc32(0L, bad, (uInt)(fx->nbytes - 4));
    for (int k = 0; k < 4; k++)
        bad[fx->nbytes - 4 + k] = (unsigned char)(crc >> (8 * k));
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "feature scheme");
    assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "train the model again");
    free(bad);
}

/* Format version 1 had 7 config words, without max_chars: such a file reads as max_chars 0
 * (all of each paragraph), and everything after the config is read as before. */
static void version_1_file_reads_as_all_characters(void **state)
{
    struct fixture *fx = *state;
    const size_t at = 8 + 4 + 4 + 8 + 7 * 4; /* max_chars, the last config word */
    unsigned char *old = malloc(fx->nbytes - 4);
    assert_non_null(old);
    memcpy(old, fx->bytes, at);
    memcpy(old + at, fx->bytes + at + 4, fx->nbytes - at - 4);
    const size_t n = fx->nbytes - 4;
    assert_int_equal(old[8], 2);
    old[8] = 1;
    uint32_t crc = (uint32_t)crc32(0L, old, (uInt)(n - 4));
    for (int k = 0; k < 4; k++)
        old[n - 4 + k] = (unsigned char)(crc >> (8 * k));
    struct chaff_model *m = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_load_buffer(old, n, "v1.chaff", &m, &err), CHAFF_OK);
    assert_int_equal(chaff_model_features(fx->model)->max_chars, 128);
    assert_int_equal(chaff_model_features(m)->max_chars, 0);
    assert_int_equal(chaff_model_nlabels(m), 3);
    assert_memory_equal(m->bias1, fx->model->bias1, 3 * sizeof(float));
    chaff_model_free(m);
    free(old);
}

static void truncated_file_is_refused(void **state)
{
    struct fixture *fx = *state;
    const size_t n = fx->nbytes;
    const size_t lengths[] = {0, 4, 12, 16, 40, 100, n / 2, n - 5, n - 4, n - 1};
    for (size_t i = 0; i < sizeof(lengths) / sizeof(lengths[0]); i++)
        assert_load_fails(fx->bytes, lengths[i], CHAFF_ERR_MODEL, "truncated");
}

/* A file cut inside the 12-byte header, after the whole magic, is truncated too. */
static void file_cut_right_after_the_magic_is_truncated(void **state)
{
    struct fixture *fx = *state;
    for (size_t len = 8; len < 12; len++)
        assert_load_fails(fx->bytes, len, CHAFF_ERR_MODEL, "truncated");
}

static void flipped_byte_fails_the_checksum(void **state)
{
    struct fixture *fx = *state;
    unsigned char *bad = malloc(fx->nbytes);
    assert_non_null(bad);
    /* In the first-pass weights (the bulk of the file), in the second-pass weights near the
     * end, and in the checksum itself. */
    const size_t at[] = {fx->nbytes / 2, fx->nbytes / 3, fx->nbytes - 20, fx->nbytes - 1};
    for (size_t i = 0; i < sizeof(at) / sizeof(at[0]); i++) {
        memcpy(bad, fx->bytes, fx->nbytes);
        bad[at[i]] ^= 0x10;
        assert_load_fails(bad, fx->nbytes, CHAFF_ERR_MODEL, "checksum");
    }
    free(bad);
}

static void trailing_garbage_is_refused(void **state)
{
    struct fixture *fx = *state;
    unsigned char *bad = malloc(fx->nbytes + 7);
    assert_non_null(bad);
    memcpy(bad, fx->bytes, fx->nbytes);
    memcpy(bad + fx->nbytes, "garbage", 7);
    assert_load_fails(bad, fx->nbytes + 7, CHAFF_ERR_MODEL, "after the end");
    free(bad);
}

/* A two-pass model (8-bit first pass): the fixture's pages four times over, under other page
 * ids, are enough for the second pass's two folds. */
static struct chaff_model *train_stacked(void)
{
    char path[512];
    temp_path(path, "x4");
    FILE *in = fopen(FIXTURE, "r"), *out = fopen(path, "w");
    assert_non_null(in);
    assert_non_null(out);
    char line[8192];
    for (int k = 0; k < 4; k++) {
        rewind(in);
        while (fgets(line, sizeof(line), in) != NULL)
            if (line[0] != '\n')
                fprintf(out, "c%d-%s", k, line);
    }
    fclose(in);
    assert_int_equal(fclose(out), 0);
    struct chaff_dataset *ds = chaff_dataset_create();
    assert_non_null(ds);
    struct chaff_error err = {0};
    assert_int_equal(chaff_dataset_read_tsv(ds, path, &err), CHAFF_OK);
    unlink(path);
    struct chaff_train_options opt;
    chaff_train_options_defaults(&opt);
    opt.features.hash_bits = 10;
    opt.threads = 1;
    opt.weight_bits = 8;
    struct chaff_model *model = NULL;
    struct chaff_train_summary sum;
    assert_int_equal(chaff_train(ds, &opt, &model, &sum, &err), CHAFF_OK);
    assert_int_equal(chaff_model_features(model)->stacking, 1);
    chaff_dataset_free(ds);
    return model;
}

/* A copy of the model file with the float 'v' at byte 'at' and its checksum set right, so that
 * only the check of the weights' values can refuse it. */
static unsigned char *with_value(const unsigned char *bytes, size_t n, size_t at, float v)
{
    unsigned char *copy = malloc(n);
    assert_non_null(copy);
    memcpy(copy, bytes, n);
    memcpy(copy + at, &v, 4); /* the file is little-endian, like the machines CI runs on */
    uint32_t crc = (uint32_t)crc32(0L, copy, (uInt)(n - 4));
    for (int k = 0; k < 4; k++)
        copy[n - 4 + k] = (unsigned char)(crc >> (8 * k));
    return copy;
}

static void assert_value_refused(const unsigned char *bytes, size_t n, size_t at, float v,
                                 const char *what)
{
    unsigned char *bad = with_value(bytes, n, at, v);
    assert_load_fails(bad, n, CHAFF_ERR_MODEL, what);
    free(bad);
}

/* Weights that are not finite or absurdly large would make scores NaN and every label the
 * first one: a file with a right checksum but such a weight is refused, and no such model is
 * saved. */
static void non_finite_or_huge_weights_are_refused(void **state)
{
    (void)state;
    struct chaff_model *m = train_stacked();
    char path[512];
    size_t n;
    unsigned char *bytes = save_and_read(m, "stacked", path, &n);
    struct chaff_error err = {0};
    struct chaff_model *ok = NULL;
    assert_int_equal(chaff_model_load_file(path, &ok, &err), CHAFF_OK);
    chaff_model_free(ok);

    /* Header: magic, version, hash id, seed, 8 config words, label count, the labels, weight
     * bits, dim1, scale1; then bias1[L], the 8-bit codebook[256], ... , w2, checksum. */
    size_t at = 8 + 4 + 4 + 8 + 8 * 4 + 4;
    for (size_t l = 0; l < chaff_model_nlabels(m); l++)
        at += 1 + strlen(chaff_model_label_name(m, l));
    at += 4 + 4 + 4;
    const size_t bias1 = at, lut_last = at + 4 * chaff_model_nlabels(m) + 255 * 4;
    const size_t w2_last = n - 8;
    const float bad[] = {NAN, INFINITY, -INFINITY, 1e30f, -2e6f};
    for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        assert_value_refused(bytes, n, w2_last, bad[i], "second-pass weight");
        assert_value_refused(bytes, n, bias1, bad[i], "bias of label 0");
        if (bad[i] > 0)
            assert_value_refused(bytes, n, lut_last, bad[i], "codebook entry 255");
    }
    /* Values just inside the bound still load. */
    unsigned char *edge = with_value(bytes, n, w2_last, -9e5f);
    assert_int_equal(chaff_model_load_buffer(edge, n, "edge", &ok, &err), CHAFF_OK);
    chaff_model_free(ok);
    free(edge);

    m->w2[0] = NAN;
    assert_int_equal(chaff_model_save_file(m, path, &err), CHAFF_ERR_MODEL);
    assert_non_null(strstr(err.msg, "second-pass weight 0"));
    free(bytes);
    unlink(path);
    chaff_model_free(m);
}

static void empty_file_is_refused(void **state)
{
    (void)state;
    assert_load_fails("", 0, CHAFF_ERR_MODEL, "truncated");
}

static void directory_is_refused(void **state)
{
    (void)state;
    const char *dir = getenv("TMPDIR");
    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    struct chaff_model *m = (struct chaff_model *)&m;
    struct chaff_error err = {0};
    int rc = chaff_model_load_file(dir, &m, &err);
    assert_true(rc == CHAFF_ERR_MODEL || rc == CHAFF_ERR_IO);
    assert_int_equal(err.code, rc);
    assert_null(m);
    assert_string_equal(err.where, dir);
    assert_true(err.msg[0] != '\0');
}

static void missing_file_is_an_io_error(void **state)
{
    (void)state;
    struct chaff_model *m = (struct chaff_model *)&m;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_load_file("/nonexistent/chaff/model.chaff", &m, &err),
                     CHAFF_ERR_IO);
    assert_null(m);
    assert_string_equal(err.where, "/nonexistent/chaff/model.chaff");
    assert_string_equal(err.msg, "cannot open: No such file or directory");
    assert_int_equal(chaff_model_load_file("/nonexistent/chaff/model.chaff", &m, NULL),
                     CHAFF_ERR_IO);
    chaff_model_free(NULL);
}

static void saving_into_a_missing_directory_is_an_io_error(void **state)
{
    struct fixture *fx = *state;
    struct chaff_error err = {0};
    assert_int_equal(chaff_model_save_file(fx->model, "/nonexistent/chaff/out.chaff", &err),
                     CHAFF_ERR_IO);
    assert_int_equal(err.code, CHAFF_ERR_IO);
    assert_non_null(strstr(err.where, "/nonexistent/chaff/"));
}

static void default_model_is_loaded_or_reported_missing(void **state)
{
    (void)state;
    struct chaff_model *m = (struct chaff_model *)&m;
    struct chaff_error err = {0};
    int rc = chaff_model_load_default(&m, &err);
    if (chaff_has_default_model()) {
        assert_int_equal(rc, CHAFF_OK);
        assert_non_null(m);
        assert_int_equal(chaff_model_nlabels(m), 3);
        assert_true(chaff_model_label_index(m, "content") >= 0);
        assert_true(chaff_model_label_index(m, "consent") >= 0);
        assert_true(chaff_model_label_index(m, "navigation") >= 0);
        chaff_model_free(m);
    } else {
        assert_int_equal(rc, CHAFF_ERR_MODEL);
        assert_int_equal(err.code, CHAFF_ERR_MODEL);
        assert_null(m);
        assert_non_null(strstr(err.msg, "no default model"));
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(saved_model_loads_back_with_identical_results),
        cmocka_unit_test(model_loaded_from_a_buffer_equals_the_file),
        cmocka_unit_test(eight_bit_weights_round_trip),
        cmocka_unit_test(scored_character_ngrams_equal_the_listed_ones),
        cmocka_unit_test(wrong_magic_is_refused),
        cmocka_unit_test(newer_format_version_is_refused),
        cmocka_unit_test(model_of_another_feature_scheme_is_refused),
        cmocka_unit_test(version_1_file_reads_as_all_characters),
        cmocka_unit_test(truncated_file_is_refused),
        cmocka_unit_test(file_cut_right_after_the_magic_is_truncated),
        cmocka_unit_test(flipped_byte_fails_the_checksum),
        cmocka_unit_test(trailing_garbage_is_refused),
        cmocka_unit_test(non_finite_or_huge_weights_are_refused),
        cmocka_unit_test(empty_file_is_refused),
        cmocka_unit_test(directory_is_refused),
        cmocka_unit_test(missing_file_is_an_io_error),
        cmocka_unit_test(saving_into_a_missing_directory_is_an_io_error),
        cmocka_unit_test(default_model_is_loaded_or_reported_missing),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
