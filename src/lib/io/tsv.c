/*
 * tsv.c - the labelled-data format: one row per line, page_id<TAB>lang<TAB>label<TAB>text, UTF-8,
 * no header. In the text field "\\" is a backslash, "\t" a tab, "\n" a newline and "\r" a
 * carriage return; no other escape exists, so a raw tab always separates fields.
 *
 * The reader keeps one line buffer (getline) for the whole file: once it has grown to the longest
 * line, reading a row allocates nothing. Fields are split and unescaped in place, so every row
 * pointer is borrowed from that buffer until the next call. A line is never split: a 10 MB text
 * field is one row, read in time linear in its length.
 */
#include "tsv.h"

#include "error.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct chaff_tsv_reader {
    FILE *f;
    int owns_f;    /* 0 for standard input, which is not closed */
    char *name;    /* path for messages; "<stdin>" for "-" */
    char *buf;     /* the current line, reused across rows */
    size_t cap;    /* allocated size of 'buf', managed by getline */
    uint64_t line; /* 1-based number of the line in 'buf' */
    int done;      /* end of input or an unrecoverable error was reached */
};

static const char tsv_field_names[3][8] = {"page id", "lang", "label"};

/* Sets 'err' to 'code' at "FILE:LINE" of the current line. */
static int tsv_fail(const struct chaff_tsv_reader *r, struct chaff_error *err,
                    enum chaff_status code, const char *what)
{
    char where[sizeof(err->where)];
    snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->line);
    return chaff_error_set(err, code, where, "%s", what);
}

/* Decodes the escapes of the 'len' bytes at 's' in place. Returns the decoded length, or -1 with
 * *bad_out set to the offset of the offending backslash. */
static long tsv_unescape_at(char *s, size_t len, size_t *bad_out)
{
    char *const end = s + len;
    char *src = memchr(s, '\\', len);
    if (src == NULL)
        return (long)len;
    char *dst = src;
    while (src < end) {
        if (*src != '\\') {
            /* Copy the run up to the next backslash in one go. */
            char *next = memchr(src, '\\', (size_t)(end - src));
            size_t run = (size_t)((next != NULL ? next : end) - src);
            memmove(dst, src, run);
            dst += run;
            src += run;
            continue;
        }
        if (src + 1 == end) {
            *bad_out = (size_t)(src - s);
            return -1;
        }
        switch (src[1]) {
        case '\\':
            *dst++ = '\\';
            break;
        case 't':
            *dst++ = '\t';
            break;
        case 'n':
            *dst++ = '\n';
            break;
        case 'r':
            *dst++ = '\r';
            break;
        default:
            *bad_out = (size_t)(src - s);
            return -1;
        }
        src += 2;
    }
    return (long)(dst - s);
}

long chaff_tsv_unescape(char *s, size_t len)
{
    size_t bad = 0;
    return tsv_unescape_at(s, len, &bad);
}

/* The two-byte escape of 'c' in the text field, or NULL when 'c' stands for itself. */
static inline const char *escape_of(char c)
{
    switch (c) {
    case '\\': return "\\\\";
    case '\t': return "\\t";
    case '\n': return "\\n";
    case '\r': return "\\r";
    default: return NULL;
    }
}

/* Nonzero when one of the 8 bytes of 'x' is a backslash, tab, newline or carriage return: the
 * classic "has a zero byte" test on x XOR each of them. */
static inline uint64_t has_special(uint64_t x)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    uint64_t a = x ^ (ones * '\\'), b = x ^ (ones * '\t'), c = x ^ (ones * '\n'),
             e = x ^ (ones * '\r');
    return (((a - ones) & ~a) | ((b - ones) & ~b) | ((c - ones) & ~c) | ((e - ones) & ~e)) & highs;
}

size_t chaff_tsv_escape(char *dst, const char *text, size_t len)
{
    char *d = dst;
    size_t start = 0;
    /* Most text has nothing to escape: skip eight bytes at a time while none needs it. */
    size_t i = 0;
    for (uint64_t x; i + 8 <= len; i += 8) {
        memcpy(&x, text + i, 8);
        if (has_special(x))
            break;
    }
    for (; i < len; i++) {
        const char *esc = escape_of(text[i]);
        if (esc == NULL)
            continue;
        memcpy(d, text + start, i - start);
        d += i - start;
        d[0] = esc[0];
        d[1] = esc[1];
        d += 2;
        start = i + 1;
    }
    if (len > start) {
        memcpy(d, text + start, len - start);
        d += len - start;
    }
    return (size_t)(d - dst);
}

int chaff_tsv_write_escaped(void *out, const char *text, size_t len)
{
    FILE *f = out;
    char buf[8192]; /* chunks of at most half of it, escaped by chaff_tsv_escape() */
    for (size_t i = 0; i < len; i += sizeof(buf) / 2) {
        const size_t chunk = len - i < sizeof(buf) / 2 ? len - i : sizeof(buf) / 2;
        const size_t n = chaff_tsv_escape(buf, text + i, chunk);
        if (fwrite(buf, 1, n, f) != n)
            return -1;
    }
    return 0;
}

int chaff_tsv_open(const char *path, struct chaff_tsv_reader **reader_out, struct chaff_error *err)
{
    *reader_out = NULL;
    const int is_stdin = strcmp(path, "-") == 0;
    struct chaff_tsv_reader *r = calloc(1, sizeof(*r));
    if (r == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    r->name = strdup(is_stdin ? "<stdin>" : path);
    if (r->name == NULL) {
        free(r);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, path, "out of memory");
    }
    if (is_stdin) {
        r->f = stdin;
    } else {
        r->f = fopen(path, "r");
        if (r->f == NULL) {
            int e = errno;
            free(r->name);
            free(r);
            return chaff_error_set(err, CHAFF_ERR_IO, path, "cannot open: %s", strerror(e));
        }
        r->owns_f = 1;
    }
    *reader_out = r;
    return CHAFF_OK;
}

int chaff_tsv_next(struct chaff_tsv_reader *r, struct chaff_tsv_row *row, struct chaff_error *err)
{
    char msg[128];
    for (;;) {
        if (r->done)
            return 0;
        errno = 0;
        ssize_t got = getline(&r->buf, &r->cap, r->f);
        if (got < 0) {
            r->done = 1;
            if (ferror(r->f)) {
                int e = errno != 0 ? errno : EIO;
                r->line++;
                tsv_fail(r, err, e == ENOMEM ? CHAFF_ERR_NOMEM : CHAFF_ERR_IO, strerror(e));
                return -1;
            }
            if (errno == ENOMEM || errno == EOVERFLOW) {
                r->line++;
                tsv_fail(r, err, CHAFF_ERR_NOMEM, "line too long for memory");
                return -1;
            }
            return 0;
        }
        r->line++;
        size_t len = (size_t)got;
        if (len > 0 && r->buf[len - 1] == '\n')
            len--;
        if (len > 0 && r->buf[len - 1] == '\r')
            len--;
        r->buf[len] = '\0';
        if (len == 0)
            continue; /* a blank line carries no paragraph */

        /* Split at the first three tabs; the text field must hold no raw tab. */
        char *fields[4];
        fields[0] = r->buf;
        char *const end = r->buf + len;
        size_t nfields = 1;
        char *p = r->buf;
        while (nfields < 4) {
            char *tab = memchr(p, '\t', (size_t)(end - p));
            if (tab == NULL)
                break;
            *tab = '\0';
            p = tab + 1;
            fields[nfields++] = p;
        }
        if (nfields == 4) {
            /* Count the extra fields for the message. */
            for (char *tab = memchr(p, '\t', (size_t)(end - p)); tab != NULL;
                 tab = memchr(tab + 1, '\t', (size_t)(end - tab - 1)))
                nfields++;
        }
        if (nfields != 4) {
            snprintf(msg, sizeof(msg), "expected 4 tab-separated fields, found %zu", nfields);
            tsv_fail(r, err, CHAFF_ERR_PARSE, msg);
            return -1;
        }
        for (size_t i = 0; i < 3; i++) {
            size_t flen = (size_t)(fields[i + 1] - 1 - fields[i]);
            if (memchr(fields[i], '\0', flen) != NULL) {
                snprintf(msg, sizeof(msg), "NUL byte in the %s field", tsv_field_names[i]);
                tsv_fail(r, err, CHAFF_ERR_PARSE, msg);
                return -1;
            }
        }
        if (fields[0][0] == '\0') {
            tsv_fail(r, err, CHAFF_ERR_PARSE, "empty page id");
            return -1;
        }
        if (fields[2][0] == '\0') {
            tsv_fail(r, err, CHAFF_ERR_PARSE, "empty label");
            return -1;
        }

        size_t bad = 0;
        long text_len = tsv_unescape_at(fields[3], (size_t)(end - fields[3]), &bad);
        if (text_len < 0) {
            const unsigned char *b = (const unsigned char *)fields[3] + bad;
            if (b + 1 == (const unsigned char *)end)
                snprintf(msg, sizeof(msg), "lone backslash at the end of the text");
            else if (b[1] > 0x20 && b[1] < 0x7f)
                snprintf(msg, sizeof(msg), "bad escape '\\%c' in text", b[1]);
            else
                snprintf(msg, sizeof(msg), "bad escape: backslash before byte 0x%02x in text",
                         b[1]);
            tsv_fail(r, err, CHAFF_ERR_PARSE, msg);
            return -1;
        }
        fields[3][text_len] = '\0';

        row->page_id = fields[0];
        row->lang = fields[1][0] != '\0' ? fields[1] : "und";
        row->label = fields[2];
        row->text = fields[3];
        row->text_len = (size_t)text_len;
        row->line = r->line;
        return 1;
    }
}

void chaff_tsv_close(struct chaff_tsv_reader *r)
{
    if (r == NULL)
        return;
    if (r->owns_f)
        fclose(r->f);
    free(r->buf);
    free(r->name);
    free(r);
}
