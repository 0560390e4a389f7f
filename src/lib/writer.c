/*
 * writer.c - writing one classified page: TSV rows, labels, a JSONL object, or the clean text
 * (for WARC input a WARC record whose payload holds only the kept paragraphs). Invariant: every
 * input paragraph is written exactly once by tsv and labels, and by clean output run once with
 * the kept labels and once with the others, so nothing of the input is lost.
 */
#include "chaff.h"
#include "error.h"
#include "reader.h"
#include "tsv.h"

#include <jansson.h>
#include <libdeflate.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

void chaff_writer_options_defaults(struct chaff_writer_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->output = CHAFF_OUTPUT_TSV;
}

/* Formats confidence 'c' (0..1) into 'buf' as printf's "%.4f" does and returns its length:
 * c * 10000 is exact in double (24 + 14 bits), so its fraction decides the rounding exactly,
 * halfway cases (such as 1/32) to even as printf rounds them. printf cost 5 % of classify. */
static size_t format_confidence(char buf[static 32], float c)
{
    double x = (double)c;
    if (!(x >= 0 && x <= 1))
        return (size_t)snprintf(buf, 32, "%.4f", x);
    double scaled = x * 10000.0;
    unsigned v = (unsigned)scaled;
    double frac = scaled - v;
    if (frac > 0.5 || (frac == 0.5 && (v & 1)))
        v++;
    buf[0] = (char)('0' + v / 10000);
    buf[1] = '.';
    buf[2] = (char)('0' + v / 1000 % 10);
    buf[3] = (char)('0' + v / 100 % 10);
    buf[4] = (char)('0' + v / 10 % 10);
    buf[5] = (char)('0' + v % 10);
    buf[6] = '\0';
    return 6;
}

static void put_confidence(FILE *out, const char *before, float c, const char *after)
{
    char buf[32];
    format_confidence(buf, c);
    fputs(before, out);
    fputs(buf, out);
    fputs(after, out);
}

static uint64_t keep_mask(const struct chaff_model *model, const struct chaff_writer_options *opt)
{
    if (opt->keep_mask != 0)
        return opt->keep_mask;
    int content = chaff_model_label_index(model, "content");
    return content >= 0 && content < 64 ? (uint64_t)1 << content : 0;
}

static int kept(uint64_t mask, uint32_t label)
{
    return label < 64 && (mask >> label & 1) != 0;
}

/* A growable byte buffer for records assembled before they are written. */
struct bytes {
    char *data;
    size_t len, cap;
};

/* Makes room for 'len' more bytes. Returns 0, or -1 when out of memory. */
static int bytes_reserve(struct bytes *b, size_t len)
{
    if (len > SIZE_MAX / 2 - b->len)
        return -1;
    if (b->len + len > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 4096;
        while (cap < b->len + len)
            cap *= 2;
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return -1;
        b->data = p;
        b->cap = cap;
    }
    return 0;
}

static int bytes_put(struct bytes *b, const void *data, size_t len)
{
    if (bytes_reserve(b, len) != 0)
        return -1;
    if (len > 0)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    return 0;
}

/* Appends 'text' escaped as in the TSV text field. */
static int bytes_put_escaped(struct bytes *b, const char *text, size_t len)
{
    if (len > SIZE_MAX / 4 || bytes_reserve(b, 2 * len) != 0)
        return -1;
    b->len += chaff_tsv_escape(b->data + b->len, text, len);
    return 0;
}

/* Writes the TSV rows of a page: [page_id<TAB>index<TAB>]label<TAB>confidence<TAB>text. Each
 * row is assembled in memory and written with one call (stdio calls per field, and printf for
 * the index, cost 8 % of classify on WET). Returns 0, -1 on a write error, -2 out of memory. */
static int write_tsv(FILE *out, const struct chaff_model *model, int ids,
                     const struct chaff_page *page, const struct chaff_result *results)
{
    struct bytes row = {0};
    size_t prefix = 0;
    int rc = 0;
    if (ids) {
        if (bytes_put_escaped(&row, page->id, strlen(page->id)) != 0 || bytes_put(&row, "\t", 1))
            rc = -2;
        prefix = row.len;
    }
    for (size_t i = 0; rc == 0 && i < page->nparas; i++) {
        row.len = prefix;
        char num[32];
        if (ids) {
            size_t n = sizeof(num);
            num[--n] = '\t';
            size_t v = i;
            do
                num[--n] = (char)('0' + v % 10);
            while ((v /= 10) > 0);
            if (bytes_put(&row, num + n, sizeof(num) - n) != 0) {
                rc = -2;
                break;
            }
        }
        const char *label = chaff_model_label_name(model, results[i].label);
        size_t nconf = format_confidence(num, results[i].confidence);
        if (bytes_put(&row, label, strlen(label)) != 0 || bytes_put(&row, "\t", 1) != 0 ||
            bytes_put(&row, num, nconf) != 0 || bytes_put(&row, "\t", 1) != 0 ||
            bytes_put_escaped(&row, page->paras[i], page->lens[i]) != 0 ||
            bytes_put(&row, "\n", 1) != 0) {
            rc = -2;
            break;
        }
        if (fwrite(row.data, 1, row.len, out) != row.len)
            rc = -1;
    }
    free(row.data);
    return rc;
}

/* Each thread that writes gzip members keeps one libdeflate compressor (level 6, zlib's
 * default), made at its first member and freed when the thread ends: a compressor is hundreds
 * of kilobytes of state, too much to make for every record. */
static pthread_key_t compressor_key;
static pthread_once_t compressor_once = PTHREAD_ONCE_INIT;
static int compressor_key_made;

static void free_compressor(void *c)
{
    libdeflate_free_compressor(c);
}

static void make_compressor_key(void)
{
    compressor_key_made = pthread_key_create(&compressor_key, free_compressor) == 0;
}

static struct libdeflate_compressor *thread_compressor(void)
{
    pthread_once(&compressor_once, make_compressor_key);
    if (!compressor_key_made)
        return NULL;
    struct libdeflate_compressor *c = pthread_getspecific(compressor_key);
    if (c == NULL) {
        c = libdeflate_alloc_compressor(6);
        if (c != NULL && pthread_setspecific(compressor_key, c) != 0) {
            libdeflate_free_compressor(c);
            c = NULL;
        }
    }
    return c;
}

/* Writes 'b' to 'out' as one gzip member (libdeflate: the whole record is in memory anyway, and
 * it compresses about twice as fast as zlib's deflate at the same level). Returns 0, -1 on a
 * write error, -2 out of memory. */
static int write_gzip_member(FILE *out, const struct bytes *b)
{
    struct libdeflate_compressor *c = thread_compressor();
    if (c == NULL)
        return -2;
    size_t bound = libdeflate_gzip_compress_bound(c, b->len);
    unsigned char *z = malloc(bound);
    if (z == NULL)
        return -2;
    size_t n = libdeflate_gzip_compress(c, b->data, b->len, z, bound);
    int rc = n == 0 ? -2 : fwrite(z, 1, n, out) != n ? -1 : 0;
    free(z);
    return rc;
}

/* The clean WARC record of a page: the header without Content-Length and WARC-Block-Digest,
 * the new Content-Length, and a payload of the kept paragraphs, one per line. */
static int build_warc_record(struct bytes *b, const struct chaff_page *page,
                             const struct chaff_result *results, uint64_t mask)
{
    if (page->passthrough) {
        return bytes_put(b, page->raw, page->raw_len) ||
                       bytes_put(b, page->payload, page->payload_len) || bytes_put(b, "\r\n\r\n", 4)
                   ? -1
                   : 0;
    }
    size_t payload_len = 0;
    for (size_t i = 0; i < page->nparas; i++)
        if (kept(mask, results[i].label))
            payload_len += page->lens[i] + 1;
    const char *p = page->raw, *end = page->raw + page->raw_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *next = eol != NULL ? eol + 1 : end;
        size_t n = (size_t)(next - p);
        if (n <= 2) { /* the empty line: put the new length before it */
            char line[64];
            int k = snprintf(line, sizeof(line), "Content-Length: %zu\r\n", payload_len);
            if (bytes_put(b, line, (size_t)k) != 0)
                return -1;
            if (bytes_put(b, p, n) != 0)
                return -1;
            break;
        }
        if (!(n > 15 && strncasecmp(p, "Content-Length:", 15) == 0) &&
            !(n > 18 && strncasecmp(p, "WARC-Block-Digest:", 18) == 0) && bytes_put(b, p, n) != 0)
            return -1;
        p = next;
    }
    for (size_t i = 0; i < page->nparas; i++)
        if (kept(mask, results[i].label) &&
            (bytes_put(b, page->paras[i], page->lens[i]) != 0 || bytes_put(b, "\n", 1) != 0))
            return -1;
    return bytes_put(b, "\r\n\r\n", 4);
}

static int write_clean(FILE *out, const struct chaff_writer_options *opt, enum chaff_format format,
                       const struct chaff_page *page, const struct chaff_result *results,
                       uint64_t mask, struct chaff_error *err)
{
    if (format != CHAFF_FORMAT_WARC) {
        for (size_t i = 0; i < page->nparas; i++)
            if (kept(mask, results[i].label) &&
                (fwrite(page->paras[i], 1, page->lens[i], out) != page->lens[i] ||
                 putc('\n', out) == EOF))
                return chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
        return CHAFF_OK;
    }
    if (page->raw == NULL)
        return chaff_error_set(err, CHAFF_ERR_USAGE, page->id, "WARC page without its header");
    struct bytes b = {0};
    int rc = CHAFF_OK;
    if (build_warc_record(&b, page, results, mask) != 0)
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
    else if (opt->gzip_records) {
        int g = write_gzip_member(out, &b);
        if (g == -2)
            rc = chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
        else if (g != 0)
            rc = chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
    } else if (b.len > 0 && fwrite(b.data, 1, b.len, out) != b.len) {
        rc = chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
    }
    free(b.data);
    return rc;
}

/* Writes 'len' bytes of 's' as a JSON string. */
static int write_json_string(FILE *out, const char *s, size_t len)
{
    json_t *js = json_stringn_nocheck(s, len);
    if (js == NULL)
        return -2;
    int rc = json_dumpf(js, out, JSON_ENCODE_ANY | JSON_COMPACT);
    json_decref(js);
    return rc;
}

static int write_jsonl(FILE *out, const struct chaff_model *model, enum chaff_format format,
                       const struct chaff_page *page, const struct chaff_result *results,
                       uint64_t mask, struct chaff_error *err)
{
    /* 'head': the members passed through, as a compact JSON object. The reader keeps them with
     * the page (chaff_page.fields); a page without them has them taken from its raw line, or
     * made of its id and url. */
    const char *head = format == CHAFF_FORMAT_JSONL ? page->fields : NULL;
    char *made = NULL;
    if (head == NULL) {
        json_t *obj = NULL;
        if (format == CHAFF_FORMAT_JSONL && page->raw != NULL) {
            obj = json_loadb(page->raw, page->raw_len, JSON_ALLOW_NUL, NULL);
            if (!json_is_object(obj)) {
                json_decref(obj);
                return chaff_error_set(err, CHAFF_ERR_PARSE, page->id, "raw line is no JSON object");
            }
            made = chaff_jsonl_fields(obj);
        } else {
            obj = json_object();
            if (obj != NULL && json_object_set_new(obj, "id", json_string_nocheck(page->id)) == 0 &&
                (page->url == NULL || page->url[0] == '\0' ||
                 json_object_set_new(obj, "url", json_string_nocheck(page->url)) == 0))
                made = json_dumps(obj, JSON_COMPACT);
        }
        json_decref(obj);
        if (made == NULL)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
        head = made;
    }
    size_t hlen = strlen(head);
    if (hlen < 2 || head[0] != '{' || head[hlen - 1] != '}') {
        free(made);
        return chaff_error_set(err, CHAFF_ERR_PARSE, page->id, "fields are no JSON object");
    }
    int bad = fwrite(head, 1, hlen - 1, out) != hlen - 1; /* without the closing brace */
    free(made);
    fputs(hlen > 2 ? ",\"labels\":[" : "\"labels\":[", out); /* "{}": no member before */
    for (size_t i = 0; i < page->nparas; i++) {
        if (i > 0)
            putc(',', out);
        const char *name = chaff_model_label_name(model, results[i].label);
        if (write_json_string(out, name, strlen(name)) < 0)
            bad = 1;
    }
    fputs("],\"confidences\":[", out);
    for (size_t i = 0; i < page->nparas; i++)
        put_confidence(out, i > 0 ? "," : "", results[i].confidence, "");
    fputs("],\"text\":", out);
    struct bytes b = {0};
    int first = 1;
    for (size_t i = 0; i < page->nparas; i++) {
        if (!kept(mask, results[i].label))
            continue;
        if ((!first && bytes_put(&b, "\n", 1) != 0) ||
            bytes_put(&b, page->paras[i], page->lens[i]) != 0) {
            free(b.data);
            return chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
        }
        first = 0;
    }
    int rc = write_json_string(out, b.len > 0 ? b.data : "", b.len);
    free(b.data);
    if (rc == -2)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
    if (rc != 0 || bad || fputs("}\n", out) == EOF)
        return chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
    return CHAFF_OK;
}

int chaff_page_write(void *out_v, const struct chaff_model *model,
                     const struct chaff_writer_options *opt, enum chaff_format format,
                     const struct chaff_page *page, const struct chaff_result *results,
                     struct chaff_error *err)
{
    FILE *out = out_v;
    uint64_t mask = keep_mask(model, opt);
    if (page->passthrough && opt->output != CHAFF_OUTPUT_CLEAN)
        return CHAFF_OK;
    switch (opt->output) {
    case CHAFF_OUTPUT_TSV:
        if (write_tsv(out, model, opt->tsv_ids, page, results) == -2)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
        break;
    case CHAFF_OUTPUT_LABELS:
        for (size_t i = 0; i < page->nparas; i++) {
            fputs(chaff_model_label_name(model, results[i].label), out);
            putc('\n', out);
        }
        break;
    case CHAFF_OUTPUT_JSONL:
        return write_jsonl(out, model, format, page, results, mask, err);
    case CHAFF_OUTPUT_CLEAN:
        return write_clean(out, opt, format, page, results, mask, err);
    }
    if (ferror(out))
        return chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
    return CHAFF_OK;
}
