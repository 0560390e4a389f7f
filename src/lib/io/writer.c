/*
 * writer.c - writing one classified page: TSV rows, labels, a JSONL object, or the clean text
 * (for WARC input a WARC record whose payload holds only the kept paragraphs: the conversion
 * record itself, or for a page read from HTML a new conversion record, as in a WET file; the
 * records of crawled content that are no pages are left out). Invariant: every
 * input paragraph is written exactly once by tsv and labels, and by clean output run once with
 * the kept labels and once with the others, so nothing of the input is lost.
 */
#include "chaff.h"
#include "error.h"
#include "model.h"
#include "normalize.h"
#include "reader.h"
#include "spill.h"
#include "tsv.h"

#include <json-c/json.h>
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
    if (len == 0)
        return 0; /* b->data may still be NULL */
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
            uint64_t v = page->para_base + i; /* its index in the whole page */
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
        uint64_t whole;
        if (page->spill != NULL && chaff_spill_find(page->spill, i, &whole)) {
            /* The text comes from the spill, streamed. */
            if (bytes_put(&row, label, strlen(label)) != 0 || bytes_put(&row, "\t", 1) != 0 ||
                bytes_put(&row, num, nconf) != 0 || bytes_put(&row, "\t", 1) != 0) {
                rc = -2;
                break;
            }
            if (fwrite(row.data, 1, row.len, out) != row.len ||
                chaff_write_para(out, page, i, 1) != 0 || putc('\n', out) == EOF)
                rc = -1;
            continue;
        }
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

static int raw_field(const char *raw, size_t raw_len, const char *name, const char **value,
                     size_t *value_len);
static void derived_record_id(const char *source_id, size_t len, char out[static 64]);
static int put_field(struct bytes *b, const char *name, const char *value, size_t len);

/* The clean WARC record of a page: the header without Content-Length and WARC-Block-Digest,
 * the new Content-Length, and a payload of the kept paragraphs, one per line. */
static int build_warc_record(struct bytes *b, const struct chaff_page *page,
                             const struct chaff_result *results, uint64_t mask, int head_only)
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
            payload_len += chaff_page_para_len(page, i) + 1;
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
        if (page->part > 0 && n > 15 && strncasecmp(p, "WARC-Record-ID:", 15) == 0) {
            /* A further part of a page: a record of its own, with an id derived from the
             * page's and the part's number, referring to the first. */
            const char *id;
            size_t id_len;
            char src[300], new_id[64];
            raw_field(page->raw, page->raw_len, "WARC-Record-ID", &id, &id_len);
            int k = snprintf(src, sizeof(src), "%.*s#%u", (int)(id_len < 256 ? id_len : 256), id,
                             (unsigned)page->part);
            derived_record_id(src, (size_t)k, new_id);
            if (put_field(b, "WARC-Record-ID", new_id, strlen(new_id)) != 0 ||
                put_field(b, "WARC-Refers-To", id, id_len) != 0)
                return -1;
            p = next;
            continue;
        }
        if (!(n > 15 && strncasecmp(p, "Content-Length:", 15) == 0) &&
            !(n > 18 && strncasecmp(p, "WARC-Block-Digest:", 18) == 0) && bytes_put(b, p, n) != 0)
            return -1;
        p = next;
    }
    if (head_only)
        return 0;
    for (size_t i = 0; i < page->nparas; i++)
        if (kept(mask, results[i].label) &&
            (bytes_put(b, page->paras[i], page->lens[i]) != 0 || bytes_put(b, "\n", 1) != 0))
            return -1;
    return bytes_put(b, "\r\n\r\n", 4);
}

/* The value of header field 'name' in the WARC header block 'raw' (lines ending in CRLF), blanks
 * trimmed; 0 when it is absent. */
static int raw_field(const char *raw, size_t raw_len, const char *name, const char **value,
                     size_t *value_len)
{
    const size_t name_len = strlen(name);
    const char *p = raw, *end = raw + raw_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *next = eol != NULL ? eol + 1 : end;
        const char *stop = eol != NULL ? eol : end;
        if ((size_t)(stop - p) > name_len && p[name_len] == ':' &&
            strncasecmp(p, name, name_len) == 0) {
            const char *v = p + name_len + 1;
            while (v < stop && (*v == ' ' || *v == '\t'))
                v++;
            while (stop > v && (stop[-1] == ' ' || stop[-1] == '\t' || stop[-1] == '\r'))
                stop--;
            *value = v;
            *value_len = (size_t)(stop - v);
            return 1;
        }
        p = next;
    }
    return 0;
}

/* Records that hold what was crawled rather than text: clean output, a WET-like archive of
 * text, leaves them out (their pages became conversion records). */
static int is_crawl_record(const struct chaff_page *page)
{
    const char *type;
    size_t n;
    if (page->raw == NULL || !raw_field(page->raw, page->raw_len, "WARC-Type", &type, &n))
        return 0;
    static const char *const crawl[] = {"request", "response", "resource", "revisit", "metadata"};
    for (size_t i = 0; i < sizeof(crawl) / sizeof(crawl[0]); i++)
        if (n == strlen(crawl[i]) && strncasecmp(type, crawl[i], n) == 0)
            return 1;
    return 0;
}

/* A record id for the conversion record made from the record 'source_id': a UUID (version 8,
 * RFC 9562's custom kind) of 128 bits of the hash of the source id, so that the same input
 * gives the same output. */
static void derived_record_id(const char *source_id, size_t len, char out[static 64])
{
    uint64_t a = chaff_hash_bytes(source_id, len, UINT64_C(0x63686166662d7763)); /* "chaff-wc" */
    uint64_t b = chaff_hash_bytes(source_id, len, a ^ UINT64_C(0x9e3779b97f4a7c15));
    a = (a & ~UINT64_C(0xf000)) | UINT64_C(0x8000);                  /* version 8 */
    b = (b & ~(UINT64_C(3) << 62)) | (UINT64_C(2) << 62);            /* variant 10 */
    snprintf(out, 64, "<urn:uuid:%08x-%04x-%04x-%04x-%012llx>", (unsigned)(a >> 32),
             (unsigned)(a >> 16 & 0xffff), (unsigned)(a & 0xffff), (unsigned)(b >> 48),
             (unsigned long long)(b & UINT64_C(0xffffffffffff)));
}

static int put_field(struct bytes *b, const char *name, const char *value, size_t len)
{
    return bytes_put(b, name, strlen(name)) != 0 || bytes_put(b, ": ", 2) != 0 ||
                   bytes_put(b, value, len) != 0 || bytes_put(b, "\r\n", 2) != 0
               ? -1
               : 0;
}

/* The conversion record of a page read from HTML (a response or resource record): as Common
 * Crawl's WET records, the text of the page (here its kept paragraphs, one per line) with the
 * source record's URI, date and page id, a record id derived from the source's and
 * WARC-Refers-To naming it. */
static int build_conversion_record(struct bytes *b, const struct chaff_page *page,
                                   const struct chaff_result *results, uint64_t mask,
                                   int head_only)
{
    const char *raw = page->raw;
    const size_t raw_len = page->raw_len;
    size_t payload_len = 0;
    for (size_t i = 0; i < page->nparas; i++)
        if (kept(mask, results[i].label))
            payload_len += chaff_page_para_len(page, i) + 1;
    const char *eol = memchr(raw, '\r', raw_len); /* the version line, "WARC/1.x" */
    size_t vlen = eol != NULL ? (size_t)(eol - raw) : 0;
    if (vlen < 6 || vlen > 16 || memcmp(raw, "WARC/", 5) != 0) {
        raw = "WARC/1.0";
        vlen = 8;
    }
    const char *id = NULL, *v;
    size_t id_len = 0, n;
    raw_field(page->raw, raw_len, "WARC-Record-ID", &id, &id_len);
    char new_id[64];
    if (id != NULL)
        derived_record_id(id, id_len, new_id);
    else /* no id to refer to: the page's id and url make one */
        derived_record_id(page->url, strlen(page->url), new_id);
    char length[32];
    int k = snprintf(length, sizeof(length), "%zu", payload_len);
    if (bytes_put(b, raw, vlen) != 0 || bytes_put(b, "\r\n", 2) != 0 ||
        put_field(b, "WARC-Type", "conversion", 10) != 0 ||
        (raw_field(page->raw, raw_len, "WARC-Target-URI", &v, &n) &&
         put_field(b, "WARC-Target-URI", v, n) != 0) ||
        (raw_field(page->raw, raw_len, "WARC-Date", &v, &n) &&
         put_field(b, "WARC-Date", v, n) != 0) ||
        put_field(b, "WARC-Record-ID", new_id, strlen(new_id)) != 0 ||
        (id != NULL && put_field(b, "WARC-Refers-To", id, id_len) != 0) ||
        (raw_field(page->raw, raw_len, "WARC-Page-ID", &v, &n) &&
         put_field(b, "WARC-Page-ID", v, n) != 0) ||
        put_field(b, "Content-Type", "text/plain", 10) != 0 ||
        put_field(b, "Content-Length", length, (size_t)k) != 0 || bytes_put(b, "\r\n", 2) != 0)
        return -1;
    if (head_only)
        return 0;
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
                ((page->spill != NULL ? chaff_write_para(out, page, i, 0) != 0
                                      : fwrite(page->paras[i], 1, page->lens[i], out) !=
                                            page->lens[i]) ||
                 putc('\n', out) == EOF))
                return chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
        return CHAFF_OK;
    }
    if (page->raw == NULL)
        return chaff_error_set(err, CHAFF_ERR_USAGE, page->id, "WARC page without its header");
    if (page->passthrough && is_crawl_record(page))
        return CHAFF_OK;
    struct bytes b = {0};
    int rc = CHAFF_OK;
    const int spilled = page->spill != NULL && !page->passthrough;
    if ((page->is_html ? build_conversion_record(&b, page, results, mask, spilled)
                       : build_warc_record(&b, page, results, mask, spilled)) != 0)
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
    else if (spilled) {
        /* Paragraphs in the spill: the record is streamed, not assembled. */
        if (chaff_write_warc_body(out, opt->gzip_records, b.data, b.len, page, results, mask) !=
            0)
            rc = chaff_error_set(err, CHAFF_ERR_IO, NULL, "write error");
    } else if (opt->gzip_records) {
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

/* Appends 'len' bytes of 's' as a JSON string (quoted and escaped by json-c). Invalid UTF-8,
 * which text and WARC input may hold, is written as U+FFFD (JSON is UTF-8; json-c would copy
 * the bytes as they are). Returns 0, or -1 when out of memory. */
static int bytes_put_json_string(struct bytes *b, const char *s, size_t len)
{
    struct bytes clean = {0};
    int dirty = 0; /* an invalid sequence was seen: 'clean' holds the text so far */
    for (size_t i = 0; i < len;) {
        const unsigned char c = (unsigned char)s[i];
        if (c < 0x80) {
            if (dirty && bytes_put(&clean, s + i, 1) != 0)
                goto nomem;
            i++;
            continue;
        }
        int32_t cp;
        int invalid;
        size_t n = chaff_utf8_decode((const uint8_t *)s + i, len - i, &cp, &invalid);
        if (invalid && !dirty) {
            if (bytes_put(&clean, s, i) != 0) /* what came before the first one */
                goto nomem;
            dirty = 1;
        }
        if (dirty && bytes_put(&clean, invalid ? "\xef\xbf\xbd" : s + i, invalid ? 3 : n) != 0)
            goto nomem;
        i += n;
    }
    if (dirty) {
        s = clean.data;
        len = clean.len;
    }
    struct json_object *js = len <= INT32_MAX ? json_object_new_string_len(s, (int)len) : NULL;
    const char *quoted = js != NULL ? json_object_to_json_string_ext(
                                          js, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)
                                    : NULL;
    int rc = quoted != NULL ? bytes_put(b, quoted, strlen(quoted)) : -1;
    json_object_put(js);
    free(clean.data);
    return rc;
nomem:
    free(clean.data);
    return -1;
}

/* Builds the JSONL object of a page in 'b': the members passed through, then "labels",
 * "confidences" and "text" (the kept paragraphs). Returns 0, -1 when the members are no JSON
 * object, -2 when out of memory. */
static int jsonl_record(struct bytes *b, const struct chaff_model *model, enum chaff_format format,
                        const struct chaff_page *page, const struct chaff_result *results,
                        uint64_t mask)
{
    /* 'head': the members passed through, as a compact JSON object. The reader keeps them with
     * the page (chaff_page.fields); a page without them has them taken from its raw line, or
     * made of its id and url. */
    const char *head = format == CHAFF_FORMAT_JSONL ? page->fields : NULL;
    char *made = NULL;
    struct bytes h = {0};
    if (head == NULL && format == CHAFF_FORMAT_JSONL && page->raw != NULL) {
        int rc = chaff_jsonl_line_fields(page->raw, page->raw_len, &made);
        if (rc != 0)
            return rc;
        head = made;
    } else if (head == NULL) {
        if (bytes_put(&h, "{\"id\":", 6) != 0 ||
            bytes_put_json_string(&h, page->id, strlen(page->id)) != 0 ||
            (page->url != NULL && page->url[0] != '\0' &&
             (bytes_put(&h, ",\"url\":", 7) != 0 ||
              bytes_put_json_string(&h, page->url, strlen(page->url)) != 0)) ||
            bytes_put(&h, "}", 2) != 0) { /* with its NUL: 'head' is a string */
            free(h.data);
            return -2;
        }
        head = h.data;
    }
    size_t hlen = strlen(head);
    int rc = hlen >= 2 && head[0] == '{' && head[hlen - 1] == '}' ? 0 : -1;
    char part[48] = "";
    if (page->part > 0 || page->more) /* a page in parts: which one this is */
        snprintf(part, sizeof(part), "%s\"part\":%u,", hlen > 2 ? "," : "",
                 (unsigned)page->part);
    if (rc == 0 && (bytes_put(b, head, hlen - 1) != 0 || /* without the closing brace */
                    bytes_put(b, part, strlen(part)) != 0 ||
                    bytes_put(b, hlen > 2 && part[0] == '\0' ? ",\"labels\":[" : "\"labels\":[",
                              hlen > 2 && part[0] == '\0' ? 11 : 10) != 0))
        rc = -2; /* "{}": no member before */
    free(made);
    free(h.data);
    if (rc != 0)
        return rc;
    /* Each label's JSON string, made once per page. */
    const size_t nlabels = chaff_model_nlabels(model);
    struct bytes names = {0};
    size_t name_at[CHAFF_MAX_LABELS], name_len[CHAFF_MAX_LABELS];
    for (size_t l = 0; l < nlabels && l < CHAFF_MAX_LABELS; l++) {
        const char *name = chaff_model_label_name(model, (uint32_t)l);
        name_at[l] = names.len;
        if (bytes_put_json_string(&names, name, strlen(name)) != 0) {
            free(names.data);
            return -2;
        }
        name_len[l] = names.len - name_at[l];
    }
    for (size_t i = 0; i < page->nparas && rc == 0; i++) {
        const uint32_t l = results[i].label; /* checked by chaff_page_write() */
        if ((i > 0 && bytes_put(b, ",", 1) != 0) ||
            bytes_put(b, names.data + name_at[l], name_len[l]) != 0)
            rc = -2;
    }
    free(names.data);
    if (rc != 0 || bytes_put(b, "],\"confidences\":[", 17) != 0)
        return -2;
    for (size_t i = 0; i < page->nparas; i++) {
        char buf[32];
        size_t n = format_confidence(buf, results[i].confidence);
        if ((i > 0 && bytes_put(b, ",", 1) != 0) || bytes_put(b, buf, n) != 0)
            return -2;
    }
    if (bytes_put(b, "],\"text\":", 9) != 0)
        return -2;
    if (page->spill != NULL)
        return 1; /* the text is streamed by the caller */
    struct bytes text = {0};
    int first = 1;
    for (size_t i = 0; i < page->nparas; i++) {
        if (!kept(mask, results[i].label))
            continue;
        if ((!first && bytes_put(&text, "\n", 1) != 0) ||
            bytes_put(&text, page->paras[i], page->lens[i]) != 0) {
            free(text.data);
            return -2;
        }
        first = 0;
    }
    rc = bytes_put_json_string(b, text.len > 0 ? text.data : "", text.len) != 0 ||
                 bytes_put(b, "}\n", 2) != 0
             ? -2
             : 0;
    free(text.data);
    return rc;
}

static int write_jsonl(FILE *out, const struct chaff_model *model, enum chaff_format format,
                       const struct chaff_page *page, const struct chaff_result *results,
                       uint64_t mask, struct chaff_error *err)
{
    struct bytes b = {0};
    int rc = jsonl_record(&b, model, format, page, results, mask);
    if (rc == 1) /* the text from the spill */
        rc = fwrite(b.data, 1, b.len, out) != b.len ||
                     chaff_write_json_text(out, page, results, mask) != 0 ||
                     fputs("}\n", out) == EOF
                 ? -3
                 : 0;
    else if (rc == 0 && b.len > 0 && fwrite(b.data, 1, b.len, out) != b.len)
        rc = -3;
    free(b.data);
    if (rc == -1)
        return chaff_error_set(err, CHAFF_ERR_PARSE, page->id, "fields are no JSON object");
    if (rc == -2)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, page->id, "out of memory");
    if (rc == -3)
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
    for (size_t i = 0; i < page->nparas; i++)
        if (results[i].label >= chaff_model_nlabels(model))
            return chaff_error_set(err, CHAFF_ERR_USAGE, page->id,
                                   "paragraph %zu has label %u; the model has %zu labels", i,
                                   (unsigned)results[i].label, chaff_model_nlabels(model));
    if (page->passthrough && opt->output != CHAFF_OUTPUT_CLEAN)
        return CHAFF_OK;
    if (page->part > 0 && page->nparas == 0)
        return CHAFF_OK; /* the empty end of a page in parts */
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
