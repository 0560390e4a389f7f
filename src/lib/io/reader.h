/*
 * reader.h - what the page readers share: the byte source (file or standard input; gzip and
 * zstd are decoded here), line reading with exact line numbers and byte offsets, and the page
 * under construction. Each format (reader_text.c, ...) provides a next-page function.
 */
#ifndef CHAFF_LIB_READER_H
#define CHAFF_LIB_READER_H

#include "chaff.h"
#include "source.h"

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
    struct chaff_source *src;
    struct chaff_reader_options opt;
    enum chaff_format format;
    /* line reading: r->buf[buf_pos..buf_len) are bytes read, not yet consumed; r->buf is the
     * reader's own storage (own, own_cap bytes) or bytes the source lends (a gzip member
     * decompressed whole, chaff_source_lend()), valid until the source is read again */
    const char *buf;
    size_t buf_pos, buf_len;
    char *own;
    size_t own_cap;
    char *line; /* the current line (no newline), NUL-terminated */
    size_t line_cap;
    uint64_t lineno;      /* 1-based number of the current line */
    uint64_t offset;      /* byte offset of the current line */
    uint64_t next_offset; /* byte offset of the first unconsumed byte */
    int line_complete;    /* the current line ended with a newline */
    uint64_t line_limit;  /* longest line: opt.max_record_bytes, 1 MiB for WARC header lines */
    int eof;              /* no more bytes will come (end of input or source damage) */
    int failed;           /* reading cannot go on: chaff_reader_next returns 0 */
    int src_failed;       /* the source reported damage, kept in src_err until delivered */
    struct chaff_error src_err;
    struct chaff_page_buf page;
    char *url;
    size_t url_cap;
    char *fields; /* JSONL: the other members of the current record (chaff_page.fields) */
    size_t fields_cap;
    void *json;   /* JSONL: the parser (chaff_jsonl_parser_new()), made at the first record */
    uint64_t page_index;
    struct chaff_reader_stats stats;
    /* WARC: the header block of the current record; a line read while resynchronising that
     * starts the next record (have_line: it is in r->line, have_line_len bytes) */
    char *hdr;
    size_t hdr_len, hdr_cap;
    int have_line;
    size_t have_line_len;
    /* HTML pages: the HTML reader (made at the first page the reader extracts itself), two
     * buffers an HTTP body is decoded into by turns, the input of an .html file, the charset */
    struct chaff_html *html;
    char *body[2];
    size_t body_cap[2];
    char *whole;
    size_t whole_cap;
    char charset[64];
    int html_done; /* the one page of an .html input was read */
    /* Over-long paragraphs (spill.h): the spill of the page being built (one reference, dropped
     * at the next page), and what chaff_reader_getline_spill() says of the line it read */
    struct chaff_spill *spill;
    int line_spilled; /* the line is longer than opt.hold_para_bytes: r->line holds its first
                         bytes, the spill all of them */
    int line_blank;   /* ... and the whole of it is blank */
    uint64_t stop_at; /* lines end at this decompressed offset too (a WARC block's end), or
                         UINT64_MAX */
    /* A page handed out in parts: the next call goes on with it (part_more), at paragraph
     * part_base, as part part_no; the page's offset, its WARC block's length; JSONL: the rest
     * of the "text" member, from jtext_pos */
    int part_more;
    uint32_t part_no;
    uint64_t part_base, part_offset, part_len, block_start, block_end;
    char *jtext;
    size_t jtext_len, jtext_pos;
    int (*next)(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err);
};

/* Reads the next line into r->line (newline and a trailing CR removed). Returns 1 with its length
 * in *len, 0 at end of input, -1 with 'err' filled when the line is longer than
 * opt.max_record_bytes (the line is consumed), or -2 with 'err' filled when out of memory.
 * Source damage is not an error here: it ends the input and is kept in r->src_err. */
int chaff_reader_getline(struct chaff_reader *r, size_t *len, struct chaff_error *err);

/* The same, for a line that may become paragraph 'para' of the page being built: when it is
 * longer than opt.hold_para_bytes, r->line holds its first hold_para_bytes bytes, all of it is
 * appended to the page's spill (r->spill, made when needed) as paragraph 'para', and
 * r->line_spilled is set (r->line_blank tells whether it is blank throughout: the caller then
 * drops it with chaff_reader_unspill()). */
int chaff_reader_getline_spill(struct chaff_reader *r, size_t para, size_t *len,
                               struct chaff_error *err);

/* Forgets the last paragraph written to r->spill (a blank line). */
void chaff_reader_unspill(struct chaff_reader *r);

/* Starts a page: the reader's reference to the last page's spill is dropped. */
void chaff_reader_page_start(struct chaff_reader *r);

/* Hands out r->spill with 'page' (page->spill), flushed. Returns 0 or -1 when writing the
 * temporary file failed. */
int chaff_reader_page_spill(struct chaff_reader *r, struct chaff_page *page);

/* Makes the next 'n' bytes of input contiguous and consumes them: *data_out points to them in
 * the reader's buffer or in the source's (valid until the next read; a record that is a gzip
 * member of its own is not copied). Returns 1, 0 when fewer than 'n' bytes remain
 * (*got_out tells how many; they are consumed), or -2 when out of memory. */
int chaff_reader_take(struct chaff_reader *r, size_t n, const char **data_out, size_t *got_out,
                      struct chaff_error *err);

/* Hands over the buffer holding the 'len' bytes at 'p', bytes the last read left in the reader's
 * buffer or in one the source lent it (chaff_reader_take()), followed there by at least one
 * more byte: the caller owns that buffer from now on (free() it), 'p' stays valid in it and
 * p[len] may be written. Returns the buffer, or NULL when the bytes lie elsewhere or when out of
 * memory (nothing changes then). The reader goes on with the bytes after them in a buffer of
 * its own. */
char *chaff_reader_detach(struct chaff_reader *r, const char *p, size_t len);

/* Consumes 'n' bytes without keeping them; returns the number consumed (less at end of input). */
uint64_t chaff_reader_skip(struct chaff_reader *r, uint64_t n);


/* The members of the JSONL record 'line' ('len' bytes) other than "text", "labels" and
 * "confidences", which -o jsonl writes anew, as compact JSON ("{}" when none), the way the
 * JSONL reader hands them out with a page: *fields_out is a new string (free() it). Returns 0,
 * -1 when the line is not a JSON object the reader would take, -2 when out of memory. */
int chaff_jsonl_line_fields(const char *line, size_t len, char **fields_out);

/* The JSONL reader's parser (a json-c tokener with its options), or NULL when out of memory;
 * and its release. */
void *chaff_jsonl_parser_new(void);
void chaff_jsonl_parser_free(void *parser);

/* Sets r->url to 'len' bytes of 'url'; 0 or -1 when out of memory. */
int chaff_reader_set_url(struct chaff_reader *r, const char *url, size_t len);

/* Appends 'len' bytes of 'data' to r->hdr; 0 or -1 when out of memory. */
int chaff_reader_hdr_append(struct chaff_reader *r, const char *data, size_t len);

/* 1 when the 'len' bytes at 's' are only blanks (space, tab, CR, VT, FF). */
int chaff_is_blank(const char *s, size_t len);

/* Returns 'code' after formatting "NAME: byte OFFSET" into err->where. */
int chaff_reader_error_at(struct chaff_reader *r, struct chaff_error *err, enum chaff_status code,
                          uint64_t offset, const char *format, ...)
    __attribute__((format(printf, 5, 6)));

/* Hands out the 'len' bytes of HTML at 'html' (kept valid by the caller until the next read)
 * as 'page', with 'charset' (NULL or a string in r) from the HTTP header: with opt.defer_html
 * as they are (page->html), else made into paragraphs and structure by the reader's HTML
 * reader. Sets page->is_html. Returns 1, or -2 with 'err' filled when out of memory. */
int chaff_reader_html_page(struct chaff_reader *r, struct chaff_page *page, const char *html,
                           size_t len, const char *charset, struct chaff_error *err);

/* Reports, in 'err', that the page's spill (the temporary file of its long lines) could not be
 * made or written: in which directory and why. Returns CHAFF_ERR_IO. */
int chaff_reader_spill_error(const struct chaff_reader *r, struct chaff_error *err);

/* 1 when the page being built is full: the reader hands it out as a part (chaff_page.more). */
int chaff_reader_part_full(const struct chaff_reader *r);

/* Sets page->para_base, part and more from the reader's part state for a page of which 'more'
 * is to come (1) or not (0), and moves the state on. */
void chaff_reader_part_done(struct chaff_reader *r, struct chaff_page *page, int more);

/* Splits 'len' bytes of 'text' at newlines into r->page from *pos on, every non-blank line (a
 * trailing CR removed) a paragraph, up to a full part. Returns 1 when it stopped at a full part (*pos
 * is where to go on), 0 when all of it was added, -1 when out of memory. */
int chaff_reader_add_lines_part(struct chaff_reader *r, const char *text, size_t len,
                                size_t *pos);

/* Page building. */
void chaff_page_buf_clear(struct chaff_page_buf *pb);
int chaff_page_buf_add(struct chaff_page_buf *pb, const char *text, size_t len);
int chaff_page_buf_set_id(struct chaff_page_buf *pb, const char *id, size_t len);
int chaff_page_buf_finish(struct chaff_page_buf *pb);
void chaff_page_buf_release(struct chaff_page_buf *pb);

/* Format readers. */
int chaff_reader_text_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err);
int chaff_reader_jsonl_next(struct chaff_reader *r, struct chaff_page *page,
                            struct chaff_error *err);
int chaff_reader_warc_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err);
int chaff_reader_html_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err);

#endif
