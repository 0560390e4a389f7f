/*
 * fuzz_reader.c - libFuzzer entry points for the page readers and the decompression layer.
 * Compiled once per target with one of FUZZ_TARGET_TEXT, _JSONL, _WARC (a reader of that format
 * over the input, which may itself be gzip or zstd) or _SOURCE (source.c alone). Without
 * libFuzzer (CHAFF_FUZZ_MAIN) main() runs the fuzz function over the files given as arguments.
 */
#include "chaff.h"
#include "source.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#ifdef FUZZ_TARGET_SOURCE
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
