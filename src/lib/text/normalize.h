/*
 * normalize.h - text normalisation for features: NFKC + case folding (utf8proc), invalid UTF-8
 * and NUL bytes replaced by U+FFFD and counted, white space collapsed to single spaces and
 * trimmed, decimal digits folded to '0'. Also measures the raw text (letters, digits, upper case,
 * punctuation) before folding. Buffers live in the normaliser and are reused: no allocation per
 * paragraph once they have grown.
 */
#ifndef CHAFF_LIB_NORMALIZE_H
#define CHAFF_LIB_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>

/* Counts over the raw text (code points after replacing invalid bytes). */
struct chaff_text_stats {
    uint32_t nchars;   /* code points */
    uint32_t nletters; /* Unicode categories L* */
    uint32_t nupper;   /* Lu and Lt */
    uint32_t ndigits;  /* Nd */
    uint32_t npunct;   /* P* and S* */
    uint32_t nspace;   /* white space */
    uint32_t ninvalid; /* invalid UTF-8 bytes and NUL bytes */
    int32_t first_cp;  /* first code point that is not white space, or -1 */
    int32_t last_cp;   /* last code point that is not white space, or -1 */
    uint32_t ncapword; /* upper-case letters (Lu, Lt) at the start of a word: after a code
                          point that is not a letter (L*) or digit (Nd), or first */
    uint32_t in_word;  /* scan state: 1 when the last code point was a letter or digit */
};

struct chaff_normalizer {
    uint8_t *clean; /* raw text with invalid bytes replaced; non-ASCII path only */
    size_t clean_cap;
    int32_t *cps; /* decomposed / composed code points */
    size_t cps_cap;
    uint8_t *text; /* normalised UTF-8, NUL-terminated */
    size_t text_len, text_cap;
    uint32_t *starts; /* byte offset of every code point of 'text', plus one past the end */
    size_t ncps, starts_cap;
    int32_t *cpv; /* the code point of every entry of 'starts' (ncps of them) */
    size_t cpv_cap;
};

void chaff_normalizer_init(struct chaff_normalizer *nz);
void chaff_normalizer_release(struct chaff_normalizer *nz);

/* Normalises 'len' bytes at 's' into nz->text / nz->starts / nz->ncps and fills 'st'.
 * Returns 0, or -1 when out of memory. Time is linear in 'len'. */
int chaff_normalize(struct chaff_normalizer *nz, const char *s, size_t len,
                    struct chaff_text_stats *st);

/* The same as chaff_normalize(), always by utf8proc (no fast path): the reference the fast
 * paths are tested against. */
int chaff_normalize_utf8proc(struct chaff_normalizer *nz, const char *s, size_t len,
                             struct chaff_text_stats *st);

/* Decodes one code point of 's' (at most 'len' bytes, len >= 1) into *cp, replacing an invalid
 * sequence or a NUL byte by U+FFFD. Returns the number of bytes consumed (>= 1); *invalid is set
 * to 1 when the bytes were replaced. */
size_t chaff_utf8_decode(const uint8_t *s, size_t len, int32_t *cp, int *invalid);

/* The length in bytes of the first 'max' code points of s[0..len), counted as
 * chaff_normalize() decodes them (an invalid byte is one code point); len if it has fewer. */
size_t chaff_utf8_cut(const char *s, size_t len, size_t max);

/* The invalid UTF-8 bytes and NUL bytes of s[0..len), as chaff_normalize() counts them. */
size_t chaff_utf8_invalid(const char *s, size_t len);

#endif
