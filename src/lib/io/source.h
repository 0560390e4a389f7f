/*
 * source.h - the byte source under every page reader: a file or standard input, with gzip
 * (single or multi-member) and zstd (one or more frames) decoded on the fly, detected by their
 * magic bytes. It hands out decompressed bytes and knows how far it got in the compressed input.
 */
#ifndef CHAFF_LIB_SOURCE_H
#define CHAFF_LIB_SOURCE_H

#include "chaff.h"

#include <stdint.h>
#include <stdio.h>

struct chaff_source;

/* Opens 'path' ("-" for standard input); 'name' is used in error messages ("FILE: byte N").
 * On success *src_out is a new source owned by the caller (chaff_source_close). The first
 * bytes are read to detect the compression. */
int chaff_source_open(const char *path, const char *name, struct chaff_source **src_out,
                      struct chaff_error *err);

/* Opens a source over the 'nbytes' bytes at 'data' (borrowed: they must outlive the source).
 * Used by tests and fuzzers. */
int chaff_source_open_memory(const void *data, size_t nbytes, const char *name,
                             struct chaff_source **src_out, struct chaff_error *err);

/* Reads up to 'cap' decompressed bytes into 'buf'. Returns the number of bytes (> 0), 0 at the
 * end of input, or -1 with 'err' filled when the input is damaged or cannot be read. Bytes
 * decoded before the damage are returned first; the error comes with the next call, and every
 * call after it returns 0. err->where is "NAME: byte N" with N an offset in the compressed
 * input for damage of the compressed stream. */
long chaff_source_read(struct chaff_source *src, void *buf, size_t cap, struct chaff_error *err);

/* Lends the decoded bytes that come next when the source holds them whole in a buffer of its
 * own (a gzip member decompressed in one go), so that they need not be copied: *data_out
 * points to them, valid until the next call on 'src'. Returns their number (> 0; they count
 * as read), or 0 when there is nothing to lend now: chaff_source_read() then hands out what
 * comes next, or reports the end of the input or damage. */
size_t chaff_source_lend(struct chaff_source *src, const char **data_out);

/* Gives up the buffer of the bytes last lent (chaff_source_lend()), which 'lent' points into:
 * the caller owns it from now on (free() it). Returns it, or NULL when 'lent' is not in it.
 * The source decodes what follows into a new buffer. */
char *chaff_source_detach(struct chaff_source *src, const char *lent);

/* The compression detected (CHAFF_COMPRESSION_*). */
enum chaff_compression chaff_source_compression(const struct chaff_source *src);

/* Bytes of the (compressed) input consumed so far. */
uint64_t chaff_source_in_offset(const struct chaff_source *src);

/* Size of the input in bytes when it is a regular file, else -1. */
int64_t chaff_source_size(const struct chaff_source *src);

void chaff_source_close(struct chaff_source *src);

#endif
