/*
 * reader_html.c - an .html file (or standard input) as one page: the whole decompressed input,
 * at most opt.max_parsed_bytes, is the page's HTML; its paragraphs and structure are made by
 * the HTML reader (here, or by the caller with opt.defer_html). The page id is the input's base
 * name without its extension ("/x/y/abc.html" and "abc.html.gz" give "abc"; standard input
 * gives "<stdin>"). Input of blanks only is no page.
 */
#include "error.h"
#include "grow.h"
#include "reader.h"

#include <string.h>

/* The base name of 'name' without a compression suffix and one extension. */
static void page_id(const char *name, const char **id, size_t *len)
{
    const char *base = strrchr(name, '/');
    base = base != NULL ? base + 1 : name;
    size_t n = strlen(base);
    if (strcmp(name, "<stdin>") == 0 || n == 0) {
        *id = name;
        *len = strlen(name);
        return;
    }
    static const char *const compressed[] = {".gz", ".zst", ".zstd"};
    for (size_t k = 0; k < sizeof(compressed) / sizeof(compressed[0]); k++) {
        size_t c = strlen(compressed[k]);
        if (n > c && memcmp(base + n - c, compressed[k], c) == 0) {
            n -= c;
            break;
        }
    }
    for (size_t i = n; i > 1; i--) /* a leading dot (".page") is no extension */
        if (base[i - 1] == '.') {
            n = i - 1;
            break;
        }
    *id = base;
    *len = n;
}

int chaff_reader_html_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err)
{
    if (r->html_done)
        return 0;
    r->html_done = 1;
    /* Read everything, one byte more than the limit to see whether it is exceeded. */
    const uint64_t limit = r->opt.max_parsed_bytes < r->opt.max_record_bytes
                               ? r->opt.max_parsed_bytes
                               : r->opt.max_record_bytes;
    size_t len = 0;
    for (;;) {
        size_t want = len + (1u << 16);
        if ((uint64_t)want > limit + 1)
            want = (size_t)(limit + 1);
        if (chaff_grow((void **)&r->whole, &r->whole_cap, want + 1, 1) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        const char *data;
        size_t got;
        int rc = chaff_reader_take(r, want - len, &data, &got, err);
        if (rc == -2)
            return -2;
        memcpy(r->whole + len, data, got);
        len += got;
        if (rc == 0)
            break; /* the end of the input */
        if ((uint64_t)len > limit) {
            uint64_t total = len + chaff_reader_skip(r, UINT64_MAX);
            r->stats.cut++;
            return chaff_reader_error_at(r, err, CHAFF_ERR_NOMEM, 0,
                                         "HTML page of %llu bytes exceeds the limit of %llu bytes "
                                         "(%s); skipped",
                                         (unsigned long long)total, (unsigned long long)limit,
                                         limit < r->opt.max_record_bytes ? "--max-parsed"
                                                                         : "--max-record"),
                   -1;
        }
    }
    r->whole[len] = '\0';
    size_t i = 0;
    while (i < len && (r->whole[i] == '\n' || chaff_is_blank(r->whole + i, 1)))
        i++;
    if (i == len)
        return 0; /* empty, or blanks only */
    const char *id;
    size_t id_len;
    page_id(r->name, &id, &id_len);
    struct chaff_page_buf *pb = &r->page;
    chaff_page_buf_clear(pb);
    if (chaff_page_buf_set_id(pb, id, id_len) != 0 || chaff_page_buf_finish(pb) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    page->id = pb->id;
    page->offset = 0;
    return chaff_reader_html_page(r, page, r->whole, len, NULL, err);
}
