/*
 * tsv.h - the escaping of the TSV text field into memory, for writers that assemble a row before
 * writing it (writer.c); chaff_tsv_write_escaped() in chaff.h writes its output to a FILE.
 */
#ifndef CHAFF_LIB_TSV_H
#define CHAFF_LIB_TSV_H

#include <stddef.h>

/* Writes 'text' (len bytes, any bytes) escaped as in the TSV text field to 'dst', which has room
 * for 2 * len bytes; returns the number of bytes written. */
size_t chaff_tsv_escape(char *dst, const char *text, size_t len);

#endif
