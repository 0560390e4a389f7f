/*
 * reader.c - opening an input for page reading: path, "-" or memory, decompression (source.c),
 * format sniffing, line and block reading with line numbers and byte offsets, and the page buffer
 * the format readers fill. Lines and records may be of any length up to opt.max_record_bytes;
 * the buffers grow and are reused. Invariant: r->next_offset is the decompressed offset of
 * r->buf[r->buf_pos].
 */
#include "grow.h"
#include "reader.h"

#include "error.h"
#include "spill.h"
#include "tmpfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (1u << 16)
#define SNIFF_MAX  (1u << 16) /* blanks skipped when sniffing the format */

void chaff_reader_options_defaults(struct chaff_reader_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->format = CHAFF_FORMAT_AUTO;
    opt->max_record_bytes = CHAFF_MAX_RECORD_DEFAULT;
}

/* Makes the reader's own storage hold the unconsumed bytes at its start, with room for 'room'
 * more after them, and r->buf point to it. Returns 0, or -1 when out of memory. */
static int own_bytes(struct chaff_reader *r, size_t room)
{
    const size_t left = r->buf_len - r->buf_pos;
    if (r->buf == r->own) {
        if (r->buf_pos > 0)
            memmove(r->own, r->own + r->buf_pos, left);
        r->buf_pos = 0;
        r->buf_len = left;
        if (chaff_grow((void **)&r->own, &r->own_cap, left + room, 1) != 0)
            return -1;
        r->buf = r->own;
        return 0;
    }
    /* Lent bytes: copied. */
    if (chaff_grow((void **)&r->own, &r->own_cap, left + room, 1) != 0)
        return -1;
    if (left > 0)
        memcpy(r->own, r->buf + r->buf_pos, left);
    r->buf = r->own;
    r->buf_pos = 0;
    r->buf_len = left;
    return 0;
}

/* Refills r->buf with at least one more byte unless the input is over; returns bytes read, or 0
 * at end of input (source damage included: it is kept in r->src_err and ends the input), -1 when
 * out of memory. When every byte at hand has been consumed, the source's own buffer is taken
 * as it is if it lends it. */
static long fill(struct chaff_reader *r, struct chaff_error *err)
{
    if (r->eof)
        return 0;
    if (r->buf_pos == r->buf_len) {
        const char *data;
        size_t got = chaff_source_lend(r->src, &data);
        if (got > 0) {
            r->buf = data;
            r->buf_pos = 0;
            r->buf_len = got;
            return (long)got;
        }
    }
    if (own_bytes(r, READ_CHUNK) != 0) {
        chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory");
        return -1;
    }
    long n = chaff_source_read(r->src, r->own + r->buf_len, r->own_cap - r->buf_len, &r->src_err);
    if (n < 0) {
        r->src_failed = 1;
        n = 0;
    }
    if (n == 0)
        r->eof = 1;
    r->buf_len += (size_t)n;
    return n;
}

/* Picks the format from the first bytes of the decompressed input. */
static enum chaff_format sniff(struct chaff_reader *r, struct chaff_error *err)
{
    while (r->buf_len - r->buf_pos < 64 && !r->eof)
        if (fill(r, err) < 0)
            return CHAFF_FORMAT_AUTO;
    const char *p = r->buf + r->buf_pos;
    size_t n = r->buf_len - r->buf_pos;
    if (n >= 5 && memcmp(p, "WARC/", 5) == 0)
        return CHAFF_FORMAT_WARC;
    const int bom = n >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0; /* UTF-8 byte order mark */
    size_t i = bom ? 3 : 0;
    for (;;) {
        while (i < n && (p[i] == ' ' || p[i] == '\t' || p[i] == '\r' || p[i] == '\n' ||
                         p[i] == '\f'))
            i++;
        if (i + 1 < n || r->eof || n >= SNIFF_MAX)
            break;
        /* Only blanks so far: look further, up to SNIFF_MAX bytes. */
        if (fill(r, err) < 0)
            return CHAFF_FORMAT_AUTO;
        p = r->buf + r->buf_pos;
        n = r->buf_len - r->buf_pos;
    }
    if (i < n && p[i] == '{' && !bom)
        return CHAFF_FORMAT_JSONL;
    /* HTML: '<' starting a tag ("<html", "<p"), a comment or doctype ("<!"), or an XML
     * declaration ("<?xml"). Text lines rarely start so; --format text reads them as text. */
    if (i + 1 < n && p[i] == '<' &&
        (p[i + 1] == '!' || p[i + 1] == '?' || (p[i + 1] >= 'a' && p[i + 1] <= 'z') ||
         (p[i + 1] >= 'A' && p[i + 1] <= 'Z')))
        return CHAFF_FORMAT_HTML;
    return CHAFF_FORMAT_TEXT;
}

static int open_common(struct chaff_reader *r, const struct chaff_reader_options *opt,
                       struct chaff_error *err)
{
    if (opt != NULL)
        r->opt = *opt;
    else
        chaff_reader_options_defaults(&r->opt);
    if (r->opt.max_record_bytes == 0)
        r->opt.max_record_bytes = CHAFF_MAX_RECORD_DEFAULT;
    if (r->opt.hold_para_bytes == 0)
        r->opt.hold_para_bytes = CHAFF_HOLD_PARA_DEFAULT;
    if (r->opt.max_parsed_bytes == 0)
        r->opt.max_parsed_bytes = CHAFF_MAX_PARSED_DEFAULT;
    if (r->opt.part_paras == 0)
        r->opt.part_paras = CHAFF_PART_PARAS_DEFAULT;
    r->stop_at = UINT64_MAX;
    r->stats.in_size = chaff_source_size(r->src);
    enum chaff_format format = r->opt.format;
    if (format == CHAFF_FORMAT_AUTO) {
        format = sniff(r, err);
        if (format == CHAFF_FORMAT_AUTO)
            return CHAFF_ERR_NOMEM;
    }
    r->format = format;
    r->line_limit = format == CHAFF_FORMAT_WARC ? (uint64_t)1 << 20 : r->opt.max_record_bytes;
    if (format == CHAFF_FORMAT_JSONL && r->opt.max_parsed_bytes < r->line_limit)
        r->line_limit = r->opt.max_parsed_bytes; /* a JSON line is parsed whole */
    switch (format) {
    case CHAFF_FORMAT_TEXT:
        r->next = chaff_reader_text_next;
        break;
    case CHAFF_FORMAT_JSONL:
        r->next = chaff_reader_jsonl_next;
        break;
    case CHAFF_FORMAT_WARC:
        r->next = chaff_reader_warc_next;
        break;
    case CHAFF_FORMAT_HTML:
        r->next = chaff_reader_html_next;
        break;
    default:
        return chaff_error_set(err, CHAFF_ERR_USAGE, r->name, "unknown input format %d",
                               (int)format);
    }
    return CHAFF_OK;
}

int chaff_reader_open(const char *path, const struct chaff_reader_options *opt,
                      struct chaff_reader **reader_out, struct chaff_error *err)
{
    *reader_out = NULL;
    struct chaff_reader *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    r->name = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
    if (r->name == NULL) {
        free(r);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    }
    int rc = chaff_source_open(path, r->name, &r->src, err);
    if (rc == CHAFF_OK)
        rc = open_common(r, opt, err);
    if (rc != CHAFF_OK) {
        chaff_reader_close(r);
        return rc;
    }
    *reader_out = r;
    return CHAFF_OK;
}

int chaff_reader_open_memory(const void *data, size_t nbytes, const char *name,
                             const struct chaff_reader_options *opt,
                             struct chaff_reader **reader_out, struct chaff_error *err)
{
    *reader_out = NULL;
    struct chaff_reader *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    r->name = strdup(name);
    if (r->name == NULL) {
        free(r);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    }
    int rc = chaff_source_open_memory(data, nbytes, r->name, &r->src, err);
    if (rc == CHAFF_OK)
        rc = open_common(r, opt, err);
    if (rc != CHAFF_OK) {
        chaff_reader_close(r);
        return rc;
    }
    *reader_out = r;
    return CHAFF_OK;
}

void chaff_reader_close(struct chaff_reader *r)
{
    if (r == NULL)
        return;
    chaff_source_close(r->src);
    free(r->name);
    free(r->own);
    free(r->line);
    free(r->url);
    free(r->fields);
    chaff_jsonl_parser_free(r->json);
    free(r->hdr);
    chaff_html_free(r->html);
    free(r->body[0]);
    free(r->body[1]);
    free(r->whole);
    chaff_page_buf_release(&r->page);
    chaff_spill_release(r->spill);
    free(r->jtext);
    free(r);
}

enum chaff_format chaff_reader_format(const struct chaff_reader *r)
{
    return r->format;
}

enum chaff_compression chaff_reader_compression(const struct chaff_reader *r)
{
    return chaff_source_compression(r->src);
}

void chaff_reader_stats(const struct chaff_reader *r, struct chaff_reader_stats *st)
{
    *st = r->stats;
    st->bytes = r->next_offset;
    st->in_bytes = chaff_source_in_offset(r->src);
}

int chaff_reader_next(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err)
{
    if (r->failed)
        return 0;
    memset(page, 0, sizeof(*page));
    int rc = r->next(r, page, err);
    if (rc > 0) {
        if (!page->passthrough) {
            page->index = r->page_index;
            if (!page->more) { /* the last part of a page counts it */
                r->page_index++;
                r->stats.pages++;
            }
        }
        if (page->url == NULL)
            page->url = "";
        return 1;
    }
    if (rc == -1) {
        r->stats.bad++;
        if (r->opt.skip_bad)
            return -1;
        r->failed = 1;
        return -2;
    }
    if (rc < 0) {
        r->failed = 1;
        return -2;
    }
    /* End of the format's input: report source damage, if any, after every page before it. */
    r->failed = 1;
    if (r->src_failed) {
        if (err != NULL)
            *err = r->src_err;
        return -2;
    }
    return 0;
}

int chaff_reader_error_at(struct chaff_reader *r, struct chaff_error *err, enum chaff_status code,
                          uint64_t offset, const char *format, ...)
{
    if (err == NULL)
        return code;
    char where[sizeof(err->where)];
    snprintf(where, sizeof(where), "%s: byte %llu", r->name, (unsigned long long)offset);
    err->code = code;
    snprintf(err->where, sizeof(err->where), "%s", where);
    va_list ap;
    va_start(ap, format);
    vsnprintf(err->msg, sizeof(err->msg), format, ap);
    va_end(ap);
    return code;
}

void chaff_reader_page_start(struct chaff_reader *r)
{
    chaff_spill_release(r->spill);
    r->spill = NULL;
}

int chaff_reader_spill_error(const struct chaff_reader *r, struct chaff_error *err)
{
    /* Without a spill, its file could not be made: errno still says why. */
    int e = r->spill != NULL ? chaff_spill_error(r->spill) : errno;
    return chaff_error_set(err, CHAFF_ERR_IO, r->name,
                           "cannot write a temporary file in %s (TMPDIR): %s", chaff_tmpdir(),
                           strerror(e != 0 ? e : EIO));
}

int chaff_reader_page_spill(struct chaff_reader *r, struct chaff_page *page)
{
    page->spill = r->spill;
    return r->spill != NULL ? chaff_spill_finish(r->spill) : 0;
}

void chaff_reader_unspill(struct chaff_reader *r)
{
    if (r->spill != NULL)
        chaff_spill_drop_last(r->spill);
}

/* Reads a line; 'para' is SIZE_MAX, or the paragraph the line may become (its overflow goes
 * to the spill, see chaff_reader_getline_spill()). */
static int getline_para(struct chaff_reader *r, size_t para, size_t *len, struct chaff_error *err)
{
    size_t n = 0;
    uint64_t total = 0; /* line bytes seen, kept or not */
    int too_long = 0, spilling = 0, blank = 1;
    const uint64_t hold = para != SIZE_MAX ? r->opt.hold_para_bytes : UINT64_MAX;
    r->offset = r->next_offset;
    r->line_complete = 0;
    r->line_spilled = 0;
    for (;;) {
        if (r->buf_pos == r->buf_len) {
            if (r->next_offset >= r->stop_at)
                break;
            long got = fill(r, err);
            if (got < 0) {
                r->failed = 1;
                return -2;
            }
            if (got == 0)
                break;
        }
        const char *start = r->buf + r->buf_pos;
        size_t avail = r->buf_len - r->buf_pos;
        if (r->stop_at - r->next_offset < avail)
            avail = (size_t)(r->stop_at - r->next_offset);
        if (avail == 0)
            break;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl != NULL ? (size_t)(nl - start) : avail;
        total += take;
        if (total > r->line_limit)
            too_long = 1;
        if (!too_long && !spilling && n + take > hold) {
            /* From here on the line goes to the spill; memory keeps its first bytes. */
            errno = 0;
            if ((r->spill == NULL && (r->spill = chaff_spill_create()) == NULL) ||
                chaff_spill_begin(r->spill, para) != 0 ||
                chaff_spill_write(r->spill, r->line, n) != 0) {
                r->failed = 1;
                return chaff_reader_spill_error(r, err), -2;
            }
            spilling = 1;
            blank = chaff_is_blank(r->line, n);
        }
        if (!too_long && spilling) {
            if (chaff_spill_write(r->spill, start, take) != 0) {
                r->failed = 1;
                return chaff_reader_spill_error(r, err), -2;
            }
            blank = blank && chaff_is_blank(start, take);
        }
        size_t keep = too_long ? 0 : !spilling ? take : n < hold ? (size_t)(hold - n) : 0;
        if (keep > take)
            keep = take;
        if (keep > 0) {
            if (chaff_grow((void **)&r->line, &r->line_cap, n + keep + 1, 1) != 0) {
                r->failed = 1;
                return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
            }
            memcpy(r->line + n, start, keep);
            n += keep;
        }
        r->buf_pos += take + (nl != NULL);
        r->next_offset += take + (nl != NULL);
        if (nl != NULL) {
            r->line_complete = 1;
            break;
        }
    }
    if (total == 0 && !r->line_complete)
        return 0;
    r->lineno++;
    if (spilling && too_long)
        chaff_spill_drop_last(r->spill);
    if (spilling && !too_long) {
        chaff_spill_trim_cr(r->spill); /* a CR before the newline is no part of the line */
        r->line_spilled = 1;
        r->line_blank = blank;
        if (chaff_grow((void **)&r->line, &r->line_cap, n + 1, 1) != 0) {
            r->failed = 1;
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        }
        r->line[n] = '\0';
        *len = n;
        return 1;
    }
    if (too_long) {
        char where[sizeof(err->where)];
        snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->lineno);
        r->stats.cut++;
        return chaff_error_set(err, CHAFF_ERR_NOMEM, where,
                               "line of %llu bytes exceeds the limit of %llu bytes (%s)",
                               (unsigned long long)total, (unsigned long long)r->line_limit,
                               r->format == CHAFF_FORMAT_WARC ? "WARC header line"
                               : r->line_limit < r->opt.max_record_bytes ? "--max-parsed"
                                                                         : "--max-record"),
               -1;
    }
    if (chaff_grow((void **)&r->line, &r->line_cap, n + 1, 1) != 0) {
        r->failed = 1;
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    }
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    *len = n;
    return 1;
}

int chaff_reader_getline(struct chaff_reader *r, size_t *len, struct chaff_error *err)
{
    return getline_para(r, SIZE_MAX, len, err);
}

int chaff_reader_getline_spill(struct chaff_reader *r, size_t para, size_t *len,
                               struct chaff_error *err)
{
    return getline_para(r, para, len, err);
}

int chaff_reader_take(struct chaff_reader *r, size_t n, const char **data_out, size_t *got_out,
                      struct chaff_error *err)
{
    while (r->buf_len - r->buf_pos < n && !r->eof) {
        /* Bytes at hand are kept in the reader's storage, grown to the record; with none, the
         * next fill may lend the whole record. */
        const size_t more = n - (r->buf_len - r->buf_pos);
        if (r->buf_pos < r->buf_len && own_bytes(r, more + READ_CHUNK) != 0) {
            r->failed = 1;
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name,
                                   "out of memory for a record of %zu bytes", n),
                   -2;
        }
        if (fill(r, err) < 0) {
            r->failed = 1;
            return -2;
        }
    }
    size_t got = r->buf_len - r->buf_pos < n ? r->buf_len - r->buf_pos : n;
    *data_out = r->buf + r->buf_pos;
    *got_out = got;
    r->buf_pos += got;
    r->next_offset += got;
    return got == n ? 1 : 0;
}

char *chaff_reader_detach(struct chaff_reader *r, const char *p, size_t len)
{
    const uintptr_t at = (uintptr_t)p, start = (uintptr_t)r->buf;
    if (r->buf == NULL || at < start || at + len >= start + r->buf_len)
        return NULL;
    const char *lent = r->buf != r->own ? r->buf : NULL;
    char *base;
    if (lent != NULL) {
        if (own_bytes(r, 0) != 0) /* the bytes after them, into the reader's buffer */
            return NULL;
        base = chaff_source_detach(r->src, lent);
    } else {
        const size_t left = r->buf_len - r->buf_pos;
        char *fresh = malloc(left + READ_CHUNK);
        if (fresh == NULL)
            return NULL;
        memcpy(fresh, r->own + r->buf_pos, left);
        base = r->own;
        r->buf = r->own = fresh;
        r->own_cap = left + READ_CHUNK;
        r->buf_pos = 0;
        r->buf_len = left;
    }
    return base;
}

uint64_t chaff_reader_skip(struct chaff_reader *r, uint64_t n)
{
    uint64_t done = 0;
    while (done < n) {
        if (r->buf_pos == r->buf_len && fill(r, NULL) <= 0)
            break;
        size_t avail = r->buf_len - r->buf_pos;
        size_t step = n - done < avail ? (size_t)(n - done) : avail;
        r->buf_pos += step;
        r->next_offset += step;
        done += step;
    }
    return done;
}

int chaff_is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\v' && s[i] != '\f')
            return 0;
    return 1;
}

int chaff_reader_part_full(const struct chaff_reader *r)
{
    return r->page.n >= r->opt.part_paras || r->page.arena_len >= CHAFF_PART_BYTES;
}

void chaff_reader_part_done(struct chaff_reader *r, struct chaff_page *page, int more)
{
    page->para_base = r->part_more ? r->part_base : 0;
    page->part = r->part_more ? r->part_no : 0;
    page->more = more;
    if (more) {
        r->part_base = page->para_base + r->page.n;
        r->part_no = page->part + 1;
    }
    r->part_more = more;
}

int chaff_reader_add_lines_part(struct chaff_reader *r, const char *text, size_t len,
                                size_t *pos)
{
    const char *p = text + *pos, *end = text + len;
    while (p < end) {
        if (chaff_reader_part_full(r)) {
            *pos = (size_t)(p - text);
            return 1;
        }
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *stop = nl != NULL ? nl : end;
        size_t n = (size_t)(stop - p);
        if (n > 0 && p[n - 1] == '\r')
            n--;
        if (!chaff_is_blank(p, n) && chaff_page_buf_add(&r->page, p, n) != 0)
            return -1;
        p = nl != NULL ? nl + 1 : end;
    }
    *pos = len;
    return 0;
}

int chaff_reader_hdr_append(struct chaff_reader *r, const char *data, size_t len)
{
    if (chaff_grow((void **)&r->hdr, &r->hdr_cap, r->hdr_len + len + 1, 1) != 0)
        return -1;
    memcpy(r->hdr + r->hdr_len, data, len);
    r->hdr_len += len;
    r->hdr[r->hdr_len] = '\0';
    return 0;
}

int chaff_reader_set_url(struct chaff_reader *r, const char *url, size_t len)
{
    if (chaff_grow((void **)&r->url, &r->url_cap, len + 1, 1) != 0)
        return -1;
    memcpy(r->url, url, len);
    r->url[len] = '\0';
    return 0;
}

int chaff_reader_html_page(struct chaff_reader *r, struct chaff_page *page, const char *html,
                           size_t len, const char *charset, struct chaff_error *err)
{
    page->is_html = 1;
    page->charset = charset;
    if (r->opt.defer_html) {
        page->html = html != NULL ? html : "";
        page->html_len = len;
        page->nparas = 0;
        return 1;
    }
    if (r->html == NULL) {
        if ((r->html = chaff_html_create()) == NULL)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        chaff_html_set_max_elements(r->html, r->opt.max_html_elements);
    }
    if (chaff_html_extract(r->html, html != NULL ? html : "", len, charset, page, err) != CHAFF_OK)
        return -2;
    if (chaff_html_cut(r->html) > 0)
        r->stats.cut++;
    return 1;
}

/* ------------------------------------------------------------------ page buffer */

void chaff_page_buf_clear(struct chaff_page_buf *pb)
{
    pb->arena_len = 0;
    pb->n = 0;
    if (pb->id != NULL)
        pb->id[0] = '\0';
}

int chaff_page_buf_add(struct chaff_page_buf *pb, const char *text, size_t len)
{
    if (chaff_grow((void **)&pb->arena, &pb->arena_cap, pb->arena_len + len + 1, 1) != 0)
        return -1;
    if (pb->n == pb->cap) {
        size_t cap = pb->cap;
        if (chaff_grow((void **)&pb->offs, &cap, pb->n + 1, sizeof(size_t)) != 0)
            return -1;
        size_t cap2 = pb->cap;
        if (chaff_grow((void **)&pb->lens, &cap2, pb->n + 1, sizeof(size_t)) != 0)
            return -1;
        size_t cap3 = pb->cap;
        if (chaff_grow((void **)&pb->paras, &cap3, pb->n + 1, sizeof(char *)) != 0)
            return -1;
        pb->cap = cap < cap2 ? (cap < cap3 ? cap : cap3) : (cap2 < cap3 ? cap2 : cap3);
    }
    memcpy(pb->arena + pb->arena_len, text, len);
    pb->offs[pb->n] = pb->arena_len;
    pb->lens[pb->n] = len;
    pb->arena_len += len;
    pb->arena[pb->arena_len++] = '\0';
    pb->n++;
    return 0;
}

int chaff_page_buf_set_id(struct chaff_page_buf *pb, const char *id, size_t len)
{
    if (chaff_grow((void **)&pb->id, &pb->id_cap, len + 1, 1) != 0)
        return -1;
    memcpy(pb->id, id, len);
    pb->id[len] = '\0';
    return 0;
}

int chaff_page_buf_finish(struct chaff_page_buf *pb)
{
    if (pb->id == NULL && chaff_page_buf_set_id(pb, "", 0) != 0)
        return -1;
    for (size_t i = 0; i < pb->n; i++)
        pb->paras[i] = pb->arena + pb->offs[i];
    return 0;
}

void chaff_page_buf_release(struct chaff_page_buf *pb)
{
    free(pb->arena);
    free(pb->offs);
    free(pb->lens);
    free(pb->paras);
    free(pb->id);
    memset(pb, 0, sizeof(*pb));
}
