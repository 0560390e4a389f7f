/*
 * error.h - filling struct chaff_error inside the library.
 */
#ifndef CHAFF_LIB_ERROR_H
#define CHAFF_LIB_ERROR_H

#include "chaff.h"

/* Sets 'err' (may be NULL) to 'code', the location 'where' (may be NULL or "") and a printf-style
 * message. Returns 'code', so a check is one line: return chaff_error_set(err, ...). */
int chaff_error_set(struct chaff_error *err, enum chaff_status code, const char *where,
                    const char *format, ...) __attribute__((format(printf, 4, 5)));

/* Clears 'err' (may be NULL) to CHAFF_OK with empty texts. */
void chaff_error_clear(struct chaff_error *err);

#endif
