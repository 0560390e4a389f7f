/*
 * reader.h - what the page readers share: the byte source (file or standard input; gzip and
 * zstd are decoded here), line reading with exact line numbers and byte offsets, and the page
 * under construction. Each format (reader_text.c, ...) provides a next-page function.
 */
#ifndef CHAFF_LIB_READER_H
#define CHAFF_LIB_READER_H

#include "chaff.h"

#include <stdio.h>

/* The paragraphs of the page being built: texts in one arena, NUL-terminated. */
struct chaff_page_buf {
    char *arena;
    size_t arena_len, arena_cap;
    size_t *offs; /* [n] offsets into arena */
    size_t *lens;
    const char **paras; /* resolved pointers, valid after chaff_page_buf_finish() */
    size_t n, cap;
    char *id;
    size_t id_cap;
};

struct chaff_reader {
    char *name; /* path as given, "<stdin>" for "-" */
    FILE *file;
    int owns_file;
    struct chaff_reader_options opt;
    enum chaff_format format;
    /* line reading */
    char *buf;      /* bytes read, not yet consumed */
    size_t buf_pos, buf_len, buf_cap;
    char *line;     /* the current line (no newline), NUL-terminated */
    size_t line_cap;
    uint64_t lineno;     /* 1-based number of the current line */
    uint64_t offset;     /* byte offset of the current line */
    uint64_t next_offset;
    int eof, failed;
    struct chaff_page_buf page;
    uint64_t page_index;
    int (*next)(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err);
};

/* Reads the next line into r->line (newline and a trailing CR removed). Returns 1 with its length
 * in *len, 0 at end of input, or -1 with 'err' filled on a read error. */
int chaff_reader_getline(struct chaff_reader *r, size_t *len, struct chaff_error *err);

/* Page building. */
void chaff_page_buf_clear(struct chaff_page_buf *pb);
int chaff_page_buf_add(struct chaff_page_buf *pb, const char *text, size_t len);
int chaff_page_buf_set_id(struct chaff_page_buf *pb, const char *id, size_t len);
int chaff_page_buf_finish(struct chaff_page_buf *pb);
void chaff_page_buf_release(struct chaff_page_buf *pb);

/* Format readers. */
int chaff_reader_text_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err);

#endif
