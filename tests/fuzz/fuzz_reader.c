/*
 * fuzz_reader.c - libFuzzer entry points for the page readers and the decompression layer.
 * Compiled once per target with one of FUZZ_TARGET_TEXT, _JSONL, _WARC (a reader of that format
 * over the input, which may itself be gzip or zstd), _SOURCE (source.c alone), _MODEL (the
 * input plus its CRC-32 loaded as a model file, which, when accepted, labels a fixed page) or
 * _TSV (the input read as labelled training data).
 * Without libFuzzer (CHAFF_FUZZ_MAIN) main() runs the fuzz function over the files given as
 * arguments.
 */
#include "chaff.h"
#include "dataset.h"
#include "source.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#if defined(FUZZ_TARGET_MODEL)
/* The input is a model file without its trailing checksum, which is appended here so that the
 * fuzzer reaches the checks behind it. An accepted model must label every paragraph of a page
 * with one of its labels and finite confidences and probabilities in [0, 1]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (64u << 20))
        return 0;
    uint8_t *file = malloc(size + 4);
    if (file == NULL)
        return 0;
    memcpy(file, data, size);
    uint32_t crc = (uint32_t)crc32(0L, data, (uInt)size);
    for (int k = 0; k < 4; k++)
        file[size + k] = (uint8_t)(crc >> (8 * k));
    struct chaff_model *m = NULL;
    struct chaff_error err;
    int rc = chaff_model_load_buffer(file, size + 4, "fuzz", &m, &err);
    free(file);
    if (rc != CHAFF_OK) {
        if (m != NULL || err.msg[0] == '\0')
            abort(); /* a refused model says why and gives nothing */
        return 0;
    }
    static const char *const paras[] = {
        "Home", "News | Sport | Weather", "We use cookies to improve your experience.",
        "Accept all", "The storm closed hundreds of schools across the north on Thursday, "
        "and trains were cancelled.", "\xc3\x87" "erez ayarlar\xc4\xb1", "\xe7\xac\xac\xe4\xb8\x80\xe6\x9d\xa1",
        "\xc2\xa9 2026", "x",
    };
    enum { N = sizeof(paras) / sizeof(paras[0]) };
    size_t lens[N];
    for (size_t i = 0; i < N; i++)
        lens[i] = strlen(paras[i]);
    const size_t nlabels = chaff_model_nlabels(m);
    struct chaff_classifier *c = chaff_classifier_create(m);
    struct chaff_result res[N];
    float probs[64];
    if (c != NULL && chaff_classify_page(c, paras, lens, N, res, &err) == CHAFF_OK) {
        for (size_t i = 0; i < N; i++) {
            if (res[i].label >= nlabels || !isfinite(res[i].confidence) ||
                res[i].confidence < 0 || res[i].confidence > 1)
                abort();
            if (chaff_classifier_probs(c, i, probs, &err) != CHAFF_OK)
                abort();
            for (size_t l = 0; l < nlabels; l++)
                if (!isfinite(probs[l]) || probs[l] < 0 || probs[l] > 1)
                    abort();
        }
    }
    chaff_classifier_free(c);
    chaff_model_free(m);
    return 0;
}
#elif defined(FUZZ_TARGET_TSV)
/* The TSV reader reads files: the input is written to one scratch file, made once. A dataset
 * read without error holds every row exactly once, grouped into pages; an error says where. */
static char tsv_path[512];

static void remove_tsv_scratch(void)
{
    unlink(tsv_path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *const path = tsv_path;
    if (path[0] == '\0') {
        const char *dir = getenv("TMPDIR");
        snprintf(path, sizeof(tsv_path), "%s/chaff_fuzz_tsv_XXXXXX",
                 dir != NULL && *dir != '\0' ? dir : "/tmp");
        int fd = mkstemp(path);
        if (fd < 0)
            abort();
        close(fd);
        atexit(remove_tsv_scratch);
    }
    FILE *f = fopen(path, "wb");
    if (f == NULL || fwrite(data, 1, size, f) != size || fclose(f) != 0)
        abort();
    struct chaff_dataset *ds = chaff_dataset_create();
    if (ds == NULL)
        return 0;
    struct chaff_error err;
    memset(&err, 0, sizeof(err));
    if (chaff_dataset_read_tsv(ds, path, &err) != CHAFF_OK) {
        if (err.where[0] == '\0' || err.msg[0] == '\0')
            abort();
    } else {
        size_t rows = 0;
        for (size_t p = 0; p < ds->npages; p++) {
            if (ds->pages[p].first != rows || ds->pages[p].n == 0 ||
                ds->pages[p].lang >= ds->nlangs)
                abort(); /* pages are contiguous, in order, and non-empty */
            rows += ds->pages[p].n;
        }
        if (rows != ds->npara)
            abort();
        for (size_t i = 0; i < ds->npara; i++)
            if (ds->label[i] >= ds->nlabels || ds->text_off[i] + ds->text_len[i] >= ds->arena_len ||
                ds->arena[ds->text_off[i] + ds->text_len[i]] != '\0')
                abort();
    }
    chaff_dataset_free(ds);
    return 0;
}
#elif defined(FUZZ_TARGET_SOURCE)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct chaff_source *src = NULL;
    struct chaff_error err;
    if (chaff_source_open_memory(data, size, "fuzz", &src, &err) != CHAFF_OK)
        return 0;
    static unsigned char buf[4096];
    uint64_t total = 0;
    long n;
    while ((n = chaff_source_read(src, buf, sizeof(buf), &err)) > 0) {
        total += (uint64_t)n;
        if (total > (64u << 20)) /* a zip bomb is no finding */
            break;
    }
    chaff_source_close(src);
    return 0;
}
#else
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
#if defined(FUZZ_TARGET_TEXT)
    opt.format = CHAFF_FORMAT_TEXT;
#elif defined(FUZZ_TARGET_JSONL)
    opt.format = CHAFF_FORMAT_JSONL;
#else
    opt.format = CHAFF_FORMAT_WARC;
    opt.passthrough = size > 0 && (data[0] & 1);
#endif
    opt.skip_bad = 1;
    opt.max_record_bytes = 1u << 20;
    struct chaff_reader *r = NULL;
    struct chaff_error err;
    if (chaff_reader_open_memory(data, size, "fuzz", &opt, &r, &err) != CHAFF_OK)
        return 0;
    struct chaff_page page;
    uint64_t total = 0;
    int rc;
    for (int i = 0; i < 100000 && (rc = chaff_reader_next(r, &page, &err)) != 0; i++) {
        if (rc < 0) {
            if (err.where[0] == '\0' || err.msg[0] == '\0')
                abort(); /* every error says where and what */
            continue;
        }
        for (size_t k = 0; k < page.nparas; k++) {
            if (page.lens[k] == 0 || page.paras[k][page.lens[k]] != '\0')
                abort(); /* paragraphs are non-empty and NUL-terminated */
            total += page.lens[k];
        }
        if (page.raw != NULL && page.raw_len > 0)
            total += (unsigned char)page.raw[page.raw_len - 1];
        if (page.payload != NULL && page.payload_len > 0)
            total += (unsigned char)page.payload[page.payload_len - 1];
        total += strlen(page.id) + strlen(page.url);
    }
    chaff_reader_close(r);
    return total == UINT64_MAX;
}
#endif

#ifdef CHAFF_FUZZ_MAIN
int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        FILE *f = fopen(argv[i], "rb");
        if (f == NULL) {
            perror(argv[i]);
            return 1;
        }
        size_t cap = 1 << 16, len = 0, n;
        uint8_t *buf = malloc(cap);
        while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
            len += n;
            if (len == cap) {
                uint8_t *p = realloc(buf, cap *= 2);
                if (p == NULL)
                    free(buf);
                buf = p;
            }
        }
        fclose(f);
        if (buf == NULL)
            return 1;
        /* An exactly sized copy, so that over-reads are caught by ASan. */
        uint8_t *copy = malloc(len > 0 ? len : 1);
        if (copy == NULL)
            return 1;
        memcpy(copy, buf, len);
        free(buf);
        LLVMFuzzerTestOneInput(copy, len);
        free(copy);
    }
    return 0;
}
#endif
