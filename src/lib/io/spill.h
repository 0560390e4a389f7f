/*
 * spill.h - the whole text of paragraphs too long to hold in memory. A reader keeps the first
 * CHAFF_PARA_HOLD_BYTES bytes of such a paragraph in the page (every feature comes from them)
 * and appends all of its bytes to the page's spill, a temporary file; writers copy the text
 * through from there. A spill is reference-counted (chaff_spill_retain/release in chaff.h):
 * the reader holds one reference until its next page, and whoever keeps a page longer takes
 * its own.
 */
#ifndef CHAFF_LIB_SPILL_H
#define CHAFF_LIB_SPILL_H

#include "chaff.h"

#include <stdint.h>

/* A new spill with one reference, or NULL when out of memory or when no temporary file can be
 * made. */
struct chaff_spill *chaff_spill_create(void);

/* Starts paragraph 'para' (paragraphs must come in ascending order) at the end of the file. */
int chaff_spill_begin(struct chaff_spill *s, size_t para);

/* Appends 'len' bytes to the paragraph begun last. Returns 0 or -1 on a write error. */
int chaff_spill_write(struct chaff_spill *s, const char *data, size_t len);

/* Shortens the paragraph begun last by its last byte when that is a CR. */
void chaff_spill_trim_cr(struct chaff_spill *s);

/* Forgets the paragraph begun last; its bytes are overwritten by the next. */
void chaff_spill_drop_last(struct chaff_spill *s);

/* Flushes what was written, before the page is handed out: readers of the spill use pread().
 * Returns 0, or -1 when a write failed. */
int chaff_spill_finish(struct chaff_spill *s);

/* Why the first of the spill's failed calls failed (an errno value), or 0. */
int chaff_spill_error(const struct chaff_spill *s);

/* The whole length of paragraph 'para' when it is in the spill (1), else 0. */
int chaff_spill_find(const struct chaff_spill *s, size_t para, uint64_t *len_out);

/* Calls 'sink' on the bytes of paragraph 'para' in order, in chunks of at most 64 KiB. Returns
 * 0, -1 when the file cannot be read, or what 'sink' returned when that was not 0. Safe from
 * several threads at once (pread). */
int chaff_spill_copy(const struct chaff_spill *s, size_t para,
                     int (*sink)(void *ctx, const char *data, size_t len), void *ctx);

#endif

/* ------------------------------------------------------------------ writing spilled text */

#include <stdio.h>

/* Writes paragraph 'i' of 'page' whole to 'out': as it is (escape 0) or escaped for the TSV
 * text field (escape 1), from memory or from the spill. Returns 0, -1 on a write or read
 * error. */
int chaff_write_para(FILE *out, const struct chaff_page *page, size_t i, int escape);

/* Writes the kept paragraphs of 'page' (label bit set in 'mask'), joined by newlines, as one
 * JSON string: quoted, escaped, invalid UTF-8 as U+FFFD. Returns 0 or -1 on an error. */
int chaff_write_json_text(FILE *out, const struct chaff_page *page,
                          const struct chaff_result *results, uint64_t mask);

/* Writes 'len' bytes of 'head' (a WARC record's header block), then the kept paragraphs of
 * 'page' one per line, then the record's closing CRLF CRLF, to 'out': as they are, or as one
 * gzip member (gzip 1, zlib's deflate: the record need not be in memory). Returns 0, -1 on an
 * error. */
int chaff_write_warc_body(FILE *out, int gzip, const char *head, size_t len,
                          const struct chaff_page *page, const struct chaff_result *results,
                          uint64_t mask);
