/*
 * hash.h - the feature hash: 64-bit FNV-1a over bytes, finalised with MurmurHash3's fmix64.
 * Character n-grams, the most numerous features, take their bucket from their bytes by one
 * multiplication instead (chaff_hash_bucket_fib of a key, features.c), as do word bigrams and
 * context features from the finished hashes of their words.
 * Incremental form: start from chaff_hash_init(seed), feed bytes with chaff_hash_byte(), and
 * finish with chaff_hash_final(); chaff_hash_bytes() in chaff.h is the same function in one
 * call (the hash of words; tags are chaff_hash_combine of a seed). The id of the scheme in the
 * model file is CHAFF_HASH_ID.
 */
#ifndef CHAFF_LIB_HASH_H
#define CHAFF_LIB_HASH_H

#include <stdint.h>

#define CHAFF_HASH_ID       9u /* the feature scheme: 9: as 8, plus a shallow feature of
                                  how many of a line's words are capitalised (its upper-case
                                  letters at a word's start, chaff_text_stats.ncapword);
                                  8: as 7, plus each label's mass in
                                  the page (its paragraphs and mean probability, binned,
                                  alone and with the paragraph's own) in the second pass;
                                  7: as 6, but a label's region in the
                                  second pass is its main block, the run with the
                                  largest sum of (probability - 1/2) (chaff_stack_prepare);
                                  6: as 5, but how much of the title a
                                  line holds counts the words of the title's main part
                                  (its longest part between separators such as '|');
                                  5: as 4, but a letter of Han, kana,
                                  Thai, Lao, Khmer or Myanmar (scripts without spaces
                                  between words) is a word by itself, with its marks;
                                  4: as 3, plus the features of a line's
                                  overlap with the page's first line, its title (features.c:
                                  SK_TITLE, SK_TITLE_FIRST, the second pass's title block);
                                  3: fnv1a64-fmix64 for words and tags; char n-grams, word
                                  bigrams and context features one Fibonacci multiplication
                                  of a key (features.c);
                                  2: char n-grams fnv1a64 + Fibonacci bucket, bigrams and
                                  context by fmix64; 1 (before 2026-11-27): fmix64 for all */
#define CHAFF_FIB64         UINT64_C(0x9e3779b97f4a7c15) /* 2^64 / golden ratio, odd */
#define CHAFF_FNV64_OFFSET  UINT64_C(0xcbf29ce484222325)
#define CHAFF_FNV64_PRIME   UINT64_C(0x100000001b3)

static inline uint64_t chaff_hash_init(uint64_t seed)
{
    return CHAFF_FNV64_OFFSET ^ seed;
}

static inline uint64_t chaff_hash_byte(uint64_t h, unsigned char b)
{
    return (h ^ b) * CHAFF_FNV64_PRIME;
}

/* MurmurHash3's 64-bit finaliser: every input bit affects every output bit. */
static inline uint64_t chaff_hash_mix(uint64_t h)
{
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

static inline uint64_t chaff_hash_final(uint64_t h)
{
    return chaff_hash_mix(h);
}

/* The top 'bits' bits of h * CHAFF_FIB64 (Fibonacci hashing): one multiplication mixes the FNV
 * state well enough for a bucket index, where fmix64 costs two and three shifts. 'shift' is
 * 64 - bits. */
static inline uint32_t chaff_hash_bucket_fib(uint64_t h, unsigned shift)
{
    return (uint32_t)((h * CHAFF_FIB64) >> shift);
}

/* Combines a finished hash with a small tag (a bin number, a context offset). */
static inline uint64_t chaff_hash_combine(uint64_t h, uint64_t tag)
{
    return chaff_hash_mix(h ^ (tag * UINT64_C(0x9e3779b97f4a7c15)));
}

#endif
