/*
 * hash.c - chaff_hash_bytes(): the one-call form of the feature hash of hash.h. The function is
 * part of the model format: changing it invalidates every model, so tests pin it with vectors.
 */
#include "hash.h"

#include "chaff.h"

uint64_t chaff_hash_bytes(const void *data, size_t nbytes, uint64_t seed)
{
    const unsigned char *p = data;
    uint64_t h = chaff_hash_init(seed);
    for (size_t i = 0; i < nbytes; i++)
        h = chaff_hash_byte(h, p[i]);
    return chaff_hash_final(h);
}
