/*
 * fuzz_reader.c - libFuzzer entry points for the page readers and the decompression layer.
 * Compiled once per target with one of FUZZ_TARGET_TEXT, _JSONL, _WARC (a reader of that format
 * over the input, which may itself be gzip or zstd), _SOURCE (source.c alone), _MODEL (the
 * input plus its CRC-32 loaded as a model file, which, when accepted, labels a fixed page) or
 * _TSV (the input read as labelled training data), _WRITER (pages of any format written in
 * any output form, and the output checked) or _CLASSIFY (text pages labelled by the built-in
 * model, and every paragraph's normalisation compared with utf8proc's) or _HTML (the input as an
 * HTML page, chaff_html_extract()).
 * Without libFuzzer (CHAFF_FUZZ_MAIN) main() runs the fuzz function over the files given as
 * arguments.
 */
#include "chaff.h"
#include "dataset.h"
#include "model.h"
#include "normalize.h"
#include "reader.h"
#include "source.h"

#include <json-c/json.h>
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
#elif defined(FUZZ_TARGET_WRITER)
/* The first byte picks the input format, the output form and the kept labels; the rest is read
 * as that format, every page is given made-up labels and written. Each page's output must be
 * what the form promises: a TSV row or a label line per paragraph, one JSONL line that json-c
 * parses strictly (valid UTF-8) into an object with a label and a confidence per paragraph. */
static struct chaff_model *fuzz_model(void)
{
    static struct chaff_model *m;
    if (m == NULL) {
        static const char *const labels[] = {"content", "navigation", "consent"};
        struct chaff_features_config cfg;
        chaff_features_config_defaults(&cfg);
        cfg.hash_bits = 10;
        m = chaff_model_new(&cfg, 3, labels, 8);
        if (m == NULL)
            abort();
    }
    return m;
}

static size_t count_byte(const char *s, size_t len, char c)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += s[i] == c;
    return n;
}

static void check_jsonl(const char *out, size_t len, size_t nparas)
{
    if (len == 0 || out[len - 1] != '\n' || count_byte(out, len, '\n') != 1)
        abort(); /* one line per page */
    struct json_tokener *tok = json_tokener_new();
    json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    struct json_object *obj = json_tokener_parse_ex(tok, out, (int)len - 1);
    json_tokener_free(tok);
    struct json_object *labels, *conf, *text;
    if (!json_object_is_type(obj, json_type_object) ||
        !json_object_object_get_ex(obj, "labels", &labels) ||
        !json_object_object_get_ex(obj, "confidences", &conf) ||
        !json_object_object_get_ex(obj, "text", &text) ||
        json_object_array_length(labels) != nparas || json_object_array_length(conf) != nparas ||
        !json_object_is_type(text, json_type_string))
        abort();
    json_object_put(obj);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    static const enum chaff_format formats[] = {CHAFF_FORMAT_TEXT, CHAFF_FORMAT_JSONL,
                                                CHAFF_FORMAT_WARC};
    static const enum chaff_output outputs[] = {CHAFF_OUTPUT_TSV, CHAFF_OUTPUT_LABELS,
                                                CHAFF_OUTPUT_JSONL, CHAFF_OUTPUT_CLEAN};
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.format = formats[data[0] % 3];
    opt.skip_bad = 1;
    opt.max_record_bytes = 1u << 20;
    opt.hold_para_bytes = 16 + size % 61; /* spilled lines and pages in parts written too */
    opt.part_paras = 1 + size % 7;
    struct chaff_writer_options wopt;
    chaff_writer_options_defaults(&wopt);
    wopt.output = outputs[(data[0] / 3) % 4];
    wopt.keep_mask = (uint64_t)(data[0] >> 6);
    wopt.tsv_ids = (data[0] / 12) & 1;
    struct chaff_reader *r = NULL;
    struct chaff_error err;
    if (chaff_reader_open_memory(data + 1, size - 1, "fuzz", &opt, &r, &err) != CHAFF_OK)
        return 0;
    const struct chaff_model *m = fuzz_model();
    struct chaff_page page;
    int rc;
    for (int i = 0; i < 100000 && (rc = chaff_reader_next(r, &page, &err)) != 0; i++) {
        if (rc < 0)
            continue;
        struct chaff_result *res = calloc(page.nparas + 1, sizeof(*res));
        if (res == NULL)
            break;
        for (size_t k = 0; k < page.nparas; k++) {
            res[k].label = (uint32_t)((k * 7 + (size_t)data[0]) % 3);
            res[k].confidence = (float)(k % 10) / 9.0f;
        }
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        if (f == NULL)
            abort();
        if (chaff_page_write(f, m, &wopt, chaff_reader_format(r), &page, res, &err) != CHAFF_OK)
            abort(); /* a page the reader gave is always written */
        fclose(f);
        const size_t want = page.passthrough ? 0 : page.nparas;
        if (wopt.output == CHAFF_OUTPUT_TSV || wopt.output == CHAFF_OUTPUT_LABELS) {
            const size_t tabs = wopt.output == CHAFF_OUTPUT_LABELS ? 0 : wopt.tsv_ids ? 4 : 2;
            if (count_byte(out, len, '\n') != want || count_byte(out, len, '\t') != tabs * want)
                abort(); /* a row per paragraph, its fields escaped */
        } else if (wopt.output == CHAFF_OUTPUT_JSONL && !page.passthrough &&
                   !(page.part > 0 && page.nparas == 0)) { /* an empty last part: nothing */
            check_jsonl(out, len, page.nparas);
        }
        free(out);
        free(res);
    }
    chaff_reader_close(r);
    return 0;
}
#elif defined(FUZZ_TARGET_CLASSIFY)
/* The normalisations of one paragraph by the fast paths and by utf8proc alone must be equal:
 * text, code point offsets, code points and counts. */
static void check_normalize(const char *s, size_t len)
{
    static struct chaff_normalizer a, b;
    struct chaff_text_stats sa, sb;
    if (chaff_normalize(&a, s, len, &sa) != 0 || chaff_normalize_utf8proc(&b, s, len, &sb) != 0)
        return; /* out of memory */
    if (a.text_len != b.text_len || memcmp(a.text, b.text, a.text_len) != 0 || a.ncps != b.ncps ||
        memcmp(a.starts, b.starts, (a.ncps + 1) * sizeof(uint32_t)) != 0 ||
        memcmp(a.cpv, b.cpv, a.ncps * sizeof(int32_t)) != 0 || memcmp(&sa, &sb, sizeof(sa)) != 0)
        abort();
}

/* Text pages (lines; form feeds between pages) labelled by the built-in model: every
 * paragraph gets one of its labels with a finite confidence in [0, 1]. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct chaff_model *m;
    static struct chaff_classifier *c;
    struct chaff_error err;
    if (m == NULL && (chaff_model_load_default(&m, &err) != CHAFF_OK ||
                      (c = chaff_classifier_create(m)) == NULL))
        abort();
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.format = CHAFF_FORMAT_TEXT;
    struct chaff_reader *r = NULL;
    if (chaff_reader_open_memory(data, size, "fuzz", &opt, &r, &err) != CHAFF_OK)
        return 0;
    const size_t nlabels = chaff_model_nlabels(m);
    struct chaff_page page;
    int rc;
    for (int i = 0; i < 100000 && (rc = chaff_reader_next(r, &page, &err)) != 0; i++) {
        if (rc < 0)
            continue;
        struct chaff_result *res = calloc(page.nparas + 1, sizeof(*res));
        if (res == NULL)
            break;
        if (chaff_classify_page(c, page.paras, page.lens, page.nparas, res, &err) != CHAFF_OK)
            abort();
        for (size_t k = 0; k < page.nparas; k++) {
            if (res[k].label >= nlabels || !isfinite(res[k].confidence) ||
                res[k].confidence < 0 || res[k].confidence > 1)
                abort();
            check_normalize(page.paras[k], page.lens[k]);
        }
        free(res);
    }
    chaff_reader_close(r);
    return 0;
}
#elif defined(FUZZ_TARGET_HTML)
/* The input as an HTML page (its first byte picks a declared HTTP charset): every paragraph is
 * non-empty, NUL-terminated, without a tab or newline, and the structure offsets ascend. */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct chaff_html *hx;
    static const char *const charsets[4] = {NULL, "iso-8859-1", "shift_jis", "utf-16"};
    if (hx == NULL && (hx = chaff_html_create()) == NULL)
        return 0;
    struct chaff_page page;
    memset(&page, 0, sizeof(page));
    struct chaff_error err;
    const char *charset = size > 0 ? charsets[data[0] & 3] : NULL;
    if (chaff_html_extract(hx, (const char *)data, size, charset, &page, &err) != CHAFF_OK)
        return 0;
    const struct chaff_page_structure *st = page.structure;
    if (st == NULL || st->off[0] != 0)
        abort();
    for (size_t k = 0; k < page.nparas; k++) {
        if (page.lens[k] == 0 || page.paras[k][page.lens[k]] != '\0' ||
            strlen(page.paras[k]) != page.lens[k] || memchr(page.paras[k], '\n', page.lens[k]) ||
            memchr(page.paras[k], '\t', page.lens[k]))
            abort();
        if (st->off[k + 1] < st->off[k] || st->off[k + 1] - st->off[k] > 64)
            abort();
    }
    return 0;
}
#elif defined(FUZZ_TARGET_SOURCE)
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* Read twice: with chaff_source_read() alone, then taking what the source lends
     * (chaff_source_lend()) and, with bit 1 of the size set, the lent buffers too
     * (chaff_source_detach()). Both must hand out the same bytes and end the same way. */
    uint64_t hash[2] = {0, 0}, total[2] = {0, 0};
    long end[2] = {0, 0};
    char msg[2][sizeof(((struct chaff_error *)0)->msg) + sizeof(((struct chaff_error *)0)->where) + 4];
    for (int pass = 0; pass < 2; pass++) {
        struct chaff_source *src = NULL;
        struct chaff_error err;
        if (chaff_source_open_memory(data, size, "fuzz", &src, &err) != CHAFF_OK)
            return 0;
        static unsigned char buf[4096];
        uint64_t h = 1469598103934665603u;
        long n = 0;
        memset(&err, 0, sizeof(err));
        while (total[pass] <= (64u << 20)) { /* a zip bomb is no finding */
            const char *lent = NULL;
            size_t m = pass == 1 ? chaff_source_lend(src, &lent) : 0;
            const unsigned char *p = (const unsigned char *)lent;
            if (m == 0) {
                if ((n = chaff_source_read(src, buf, sizeof(buf), &err)) <= 0)
                    break;
                m = (size_t)n;
                p = buf;
            }
            for (size_t i = 0; i < m; i++)
                h = (h ^ p[i]) * 1099511628211u;
            total[pass] += m;
            char *own = lent != NULL && (size & 2) ? chaff_source_detach(src, lent) : NULL;
            free(own);
        }
        hash[pass] = h;
        end[pass] = total[pass] > (64u << 20) ? 1 : n;
        snprintf(msg[pass], sizeof(msg[pass]), "%s: %s", err.where, err.msg);
        chaff_source_close(src);
    }
    if (end[0] != 1 && (hash[0] != hash[1] || total[0] != total[1] || end[0] != end[1] ||
                        strcmp(msg[0], msg[1]) != 0))
        abort(); /* lending changed what the source hands out */
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
    opt.defer_html = size & 1; /* HTML pages: as they are, or made into paragraphs here */
    if (size & 2) /* records too big to hold, skipped by their HTTP head or reported */
        opt.max_parsed_bytes = 1 + size % 4096;
#endif
    opt.skip_bad = 1;
    opt.max_record_bytes = 1u << 20;
    /* Small holds and parts, so that inputs of a few kilobytes spill lines and split pages. */
    opt.hold_para_bytes = 16 + size % 61;
    opt.part_paras = 1 + size % 7;
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
            if (page.lens[k] == 0 || page.paras[k][page.lens[k]] != '\0' ||
                chaff_page_para_len(&page, k) < page.lens[k])
                abort(); /* paragraphs are non-empty and NUL-terminated, held whole or in part */
            total += page.lens[k];
        }
        if (page.raw != NULL && page.raw_len > 0)
            total += (unsigned char)page.raw[page.raw_len - 1];
        if (page.payload != NULL && page.payload_len > 0)
            total += (unsigned char)page.payload[page.payload_len - 1];
        total += strlen(page.id) + strlen(page.url);
        if (page.html != NULL && page.html_len > 0) /* the whole decoded body is readable */
            total += (unsigned char)page.html[0] + (unsigned char)page.html[page.html_len - 1];
        if (page.charset != NULL)
            total += strlen(page.charset);
#if defined(FUZZ_TARGET_WARC)
        if (page.html != NULL && (size & 4)) {
            /* The buffer holding the HTML taken over, as the pipeline takes a big page's: the
             * HTML stays readable in it, the byte after it writable, and the reader goes on
             * without it. */
            char *own = chaff_reader_detach(r, page.html, page.html_len);
            if (own != NULL) {
                char *html = own + (page.html - own);
                html[page.html_len] = '\0';
                if (page.html_len > 0)
                    total += (unsigned char)html[0] + (unsigned char)html[page.html_len - 1];
                free(own);
            }
        }
#endif
        if (page.nparas > 0 && page.structure != NULL &&
            (page.structure->off[0] != 0 || page.structure->off[page.nparas] <
                                                page.structure->off[page.nparas - 1]))
            abort(); /* each paragraph's structure tokens are a range */
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
