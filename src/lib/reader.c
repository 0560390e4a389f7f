/*
 * reader.c - opening an input for page reading: path or "-", format choice, line reading with
 * line numbers and byte offsets, and the page buffer the format readers fill. Lines may be of
 * any length; the buffers grow and are reused.
 */
#include "reader.h"

#include "error.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define READ_CHUNK (1u << 16)

void chaff_reader_options_defaults(struct chaff_reader_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->format = CHAFF_FORMAT_AUTO;
}

static int grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap > 0 ? *cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 4 / size)
            return -1;
        ncap *= 2;
    }
    void *p = realloc(*buf, ncap * size);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

int chaff_reader_open(const char *path, const struct chaff_reader_options *opt,
                      struct chaff_reader **reader_out, struct chaff_error *err)
{
    *reader_out = NULL;
    struct chaff_reader *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    if (opt != NULL)
        r->opt = *opt;
    else
        chaff_reader_options_defaults(&r->opt);
    int is_stdin = strcmp(path, "-") == 0;
    r->name = strdup(is_stdin ? "<stdin>" : path);
    if (r->name == NULL) {
        free(r);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    }
    if (is_stdin) {
        r->file = stdin;
    } else {
        r->file = fopen(path, "rb");
        if (r->file == NULL) {
            int e = errno;
            chaff_reader_close(r);
            return chaff_error_set(err, CHAFF_ERR_IO, path, "cannot open: %s", strerror(e));
        }
        r->owns_file = 1;
    }
    switch (r->opt.format) {
    case CHAFF_FORMAT_AUTO:
    case CHAFF_FORMAT_TEXT:
        r->format = CHAFF_FORMAT_TEXT;
        r->next = chaff_reader_text_next;
        break;
    default:
        chaff_reader_close(r);
        return chaff_error_set(err, CHAFF_ERR_USAGE, path, "this input format is not supported");
    }
    *reader_out = r;
    return CHAFF_OK;
}

void chaff_reader_close(struct chaff_reader *r)
{
    if (r == NULL)
        return;
    if (r->owns_file && r->file != NULL)
        fclose(r->file);
    free(r->name);
    free(r->buf);
    free(r->line);
    chaff_page_buf_release(&r->page);
    free(r);
}

enum chaff_format chaff_reader_format(const struct chaff_reader *r)
{
    return r->format;
}

int chaff_reader_next(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err)
{
    if (r->failed)
        return 0;
    int rc = r->next(r, page, err);
    if (rc > 0)
        page->index = r->page_index++;
    return rc;
}

/* Refills r->buf; returns bytes read, 0 at end of input, -1 on error. */
static long fill(struct chaff_reader *r, struct chaff_error *err)
{
    if (r->buf_pos > 0) {
        memmove(r->buf, r->buf + r->buf_pos, r->buf_len - r->buf_pos);
        r->buf_len -= r->buf_pos;
        r->buf_pos = 0;
    }
    if (grow((void **)&r->buf, &r->buf_cap, r->buf_len + READ_CHUNK, 1) != 0) {
        chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory");
        return -1;
    }
    size_t n = fread(r->buf + r->buf_len, 1, READ_CHUNK, r->file);
    if (n == 0 && ferror(r->file)) {
        chaff_error_set(err, CHAFF_ERR_IO, r->name, "read error: %s", strerror(errno));
        return -1;
    }
    r->buf_len += n;
    return (long)n;
}

int chaff_reader_getline(struct chaff_reader *r, size_t *len, struct chaff_error *err)
{
    size_t n = 0;
    for (;;) {
        if (r->buf_pos == r->buf_len) {
            if (r->eof)
                break;
            long got = fill(r, err);
            if (got < 0) {
                r->failed = 1;
                return -1;
            }
            if (got == 0) {
                r->eof = 1;
                break;
            }
        }
        const char *start = r->buf + r->buf_pos;
        size_t avail = r->buf_len - r->buf_pos;
        const char *nl = memchr(start, '\n', avail);
        size_t take = nl != NULL ? (size_t)(nl - start) : avail;
        if (grow((void **)&r->line, &r->line_cap, n + take + 1, 1) != 0) {
            r->failed = 1;
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -1;
        }
        memcpy(r->line + n, start, take);
        n += take;
        r->buf_pos += take + (nl != NULL);
        if (nl != NULL) {
            r->offset = r->next_offset;
            r->next_offset += n + 1;
            goto got_line;
        }
    }
    if (n == 0)
        return 0;
    r->offset = r->next_offset;
    r->next_offset += n;
got_line:
    r->lineno++;
    if (n > 0 && r->line[n - 1] == '\r')
        n--;
    r->line[n] = '\0';
    *len = n;
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
    if (grow((void **)&pb->arena, &pb->arena_cap, pb->arena_len + len + 1, 1) != 0)
        return -1;
    if (pb->n == pb->cap) {
        size_t cap = pb->cap;
        if (grow((void **)&pb->offs, &cap, pb->n + 1, sizeof(size_t)) != 0)
            return -1;
        size_t cap2 = pb->cap;
        if (grow((void **)&pb->lens, &cap2, pb->n + 1, sizeof(size_t)) != 0)
            return -1;
        size_t cap3 = pb->cap;
        if (grow((void **)&pb->paras, &cap3, pb->n + 1, sizeof(char *)) != 0)
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
    if (grow((void **)&pb->id, &pb->id_cap, len + 1, 1) != 0)
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
