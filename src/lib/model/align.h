/*
 * align.h - aligning the lines of an extraction with the labelled lines of the same page.
 */
#ifndef CHAFF_LIB_ALIGN_H
#define CHAFF_LIB_ALIGN_H

#include <stddef.h>
#include <stdint.h>

/* A sequence of lines: line i is len[i] bytes at text[i], hash[i] a hash of those bytes (equal
 * lines must have equal hashes). All borrowed. */
struct chaff_align_seq {
    const char *const *text;
    const size_t *len;
    const uint64_t *hash;
    size_t n;
};

/* Aligns 'a' with 'b' in order: a_to_b[i] (a->n entries, caller-owned) is the index of the line
 * of 'b' that line i of 'a' is paired with, or SIZE_MAX. Pairs are equal lines, in increasing
 * order on both sides, as many as a longest common subsequence has (greedy past ~1000 edits).
 * Returns 0, or -1 when out of memory. */
int chaff_align(const struct chaff_align_seq *a, const struct chaff_align_seq *b, size_t *a_to_b);

#endif
