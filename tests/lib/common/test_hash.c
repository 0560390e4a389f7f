/*
 * test_hash.c - the feature hash is part of the model format: pinned vectors, a reference
 * implementation written from the definition, seeds, and the incremental form.
 */
#include "chaff.h"
#include "hash.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

/* The hash written out from its definition, independently of hash.h: 64-bit FNV-1a (offset
 * basis XOR seed, prime 2^40 + 2^8 + 0xb3), then MurmurHash3's fmix64. */
static uint64_t reference_hash(const unsigned char *p, size_t n, uint64_t seed)
{
    uint64_t h = UINT64_C(14695981039346656037) ^ seed; /* 0xcbf29ce484222325 */
    for (size_t i = 0; i < n; i++) {
        h ^= p[i];
        h *= (UINT64_C(1) << 40) + (UINT64_C(1) << 8) + UINT64_C(0xb3);
    }
    h ^= h >> 33;
    h *= UINT64_C(0xff51afd7ed558ccd);
    h ^= h >> 33;
    h *= UINT64_C(0xc4ceb9fe1a85ec53);
    h ^= h >> 33;
    return h;
}

/* Hashes 'len' bytes from an exactly sized heap copy, so a read past the end is caught. */
static uint64_t hash_copy(const void *data, size_t len, uint64_t seed)
{
    unsigned char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, data, len);
    uint64_t h = chaff_hash_bytes(copy, len, seed);
    free(copy);
    return h;
}

struct vector {
    const char *bytes;
    size_t len;
    uint64_t seed;
    uint64_t hash;
};

/* Computed once with the implementation of chaff 0.1.0 (and with a Python transcription of the
 * definition). Any change here invalidates every model file. */
static const struct vector vectors[] = {
    {"", 0, 0, UINT64_C(0xefd01f60ba992926)},
    {"a", 1, 0, UINT64_C(0x82a2a958a9bece5b)},
    {"chaff", 5, 0, UINT64_C(0x6a823ffcfae6bd67)},
    {"Hello, world!", 13, 0, UINT64_C(0xec4d0a0cfd791203)},
    {"\xc3\xa7\xc3\xa0", 4, 0, UINT64_C(0x0b44bf52e36f0ae0)}, /* "çà" */
    {"\0", 1, 0, UINT64_C(0xb9034ad37056f5fb)},
    {"\xff\xfe\x80", 3, 0, UINT64_C(0xfda7397b98f6f428)}, /* bytes above 0x7f are unsigned */
    {"a", 1, 1, UINT64_C(0x86ede49b2924d824)},
    {"chaff", 5, UINT64_C(0x6368617267726d31), UINT64_C(0x5d78167a0a48f766)},
};

static void hash_matches_pinned_vectors(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
        const struct vector *v = &vectors[i];
        assert_int_equal(hash_copy(v->bytes, v->len, v->seed), v->hash);
    }
}

static void hash_of_all_byte_values_matches_pinned_vector(void **state)
{
    (void)state;
    unsigned char all[256];
    for (size_t i = 0; i < sizeof(all); i++)
        all[i] = (unsigned char)i;
    assert_int_equal(hash_copy(all, sizeof(all), 0), UINT64_C(0x2067db6dbd4efa06));
}

static void hash_matches_reference_implementation(void **state)
{
    (void)state;
    /* Pseudo-random inputs of every length up to 300, several seeds. */
    unsigned char buf[300];
    uint64_t x = UINT64_C(0x9e3779b97f4a7c15);
    for (size_t i = 0; i < sizeof(buf); i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
    static const uint64_t seeds[] = {0, 1, UINT64_C(0xffffffffffffffff),
                                     UINT64_C(0x776f726467726d31)};
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
        for (size_t len = 0; len <= sizeof(buf); len++)
            assert_int_equal(hash_copy(buf, len, seeds[s]), reference_hash(buf, len, seeds[s]));
}

static void empty_input_hashes_the_mixed_offset_basis(void **state)
{
    (void)state;
    assert_int_equal(chaff_hash_bytes(NULL, 0, 0), chaff_hash_mix(CHAFF_FNV64_OFFSET));
    assert_int_equal(chaff_hash_bytes("", 0, 7), chaff_hash_mix(CHAFF_FNV64_OFFSET ^ 7));
    assert_int_not_equal(chaff_hash_bytes("", 0, 0), chaff_hash_bytes("", 0, 1));
}

static void different_seeds_give_different_hashes(void **state)
{
    (void)state;
    static const char *const words[] = {"cookie", "accept", "home", "a", ""};
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
        size_t len = strlen(words[i]);
        uint64_t h0 = chaff_hash_bytes(words[i], len, 0);
        uint64_t h1 = chaff_hash_bytes(words[i], len, 1);
        uint64_t h2 = chaff_hash_bytes(words[i], len, UINT64_C(0x6368617267726d31));
        assert_int_not_equal(h0, h1);
        assert_int_not_equal(h0, h2);
        assert_int_not_equal(h1, h2);
    }
}

static void one_changed_bit_changes_the_hash(void **state)
{
    (void)state;
    unsigned char buf[16] = "navigation menu";
    uint64_t h = chaff_hash_bytes(buf, sizeof(buf), 0);
    for (size_t i = 0; i < sizeof(buf); i++)
        for (unsigned b = 0; b < 8; b++) {
            buf[i] ^= (unsigned char)(1u << b);
            assert_int_not_equal(chaff_hash_bytes(buf, sizeof(buf), 0), h);
            buf[i] ^= (unsigned char)(1u << b);
        }
    assert_int_equal(chaff_hash_bytes(buf, sizeof(buf), 0), h);
}

static void incremental_form_equals_one_call(void **state)
{
    (void)state;
    static const char text[] = "Wir verwenden Cookies \xe2\x80\x94 \xe3\x82\xaf\xe3\x83\x83\xe3\x82\xad\xe3\x83\xbc";
    const size_t len = sizeof(text) - 1;
    static const uint64_t seeds[] = {0, 42, UINT64_C(0x626967726d2d3031)};
    for (size_t s = 0; s < sizeof(seeds) / sizeof(seeds[0]); s++)
        for (size_t n = 0; n <= len; n++) {
            uint64_t h = chaff_hash_init(seeds[s]);
            for (size_t i = 0; i < n; i++)
                h = chaff_hash_byte(h, (unsigned char)text[i]);
            assert_int_equal(chaff_hash_final(h), chaff_hash_bytes(text, n, seeds[s]));
        }
}

static void hash_constants_are_fnv1a_64(void **state)
{
    (void)state;
    assert_int_equal(CHAFF_FNV64_OFFSET, UINT64_C(0xcbf29ce484222325));
    assert_int_equal(CHAFF_FNV64_PRIME, UINT64_C(0x100000001b3));
    assert_int_equal(CHAFF_HASH_ID, 9);
}

/* Char n-gram buckets: the top bits of the FNV state times 2^64 / golden ratio, pinned. */
static void fibonacci_bucket_takes_the_top_bits(void **state)
{
    (void)state;
    uint64_t h = chaff_hash_init(0);
    h = chaff_hash_byte(h, 'a');
    h = chaff_hash_byte(h, 'b');
    assert_int_equal(chaff_hash_bucket_fib(h, 64 - 20), 991367);
    assert_int_equal(chaff_hash_bucket_fib(h, 64 - 18), 247841);
    for (uint64_t x = 1; x < 1000; x++)
        assert_true(chaff_hash_bucket_fib(x * CHAFF_FNV64_PRIME, 64 - 10) < 1024);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(hash_matches_pinned_vectors),
        cmocka_unit_test(fibonacci_bucket_takes_the_top_bits),
        cmocka_unit_test(hash_of_all_byte_values_matches_pinned_vector),
        cmocka_unit_test(hash_matches_reference_implementation),
        cmocka_unit_test(empty_input_hashes_the_mixed_offset_basis),
        cmocka_unit_test(different_seeds_give_different_hashes),
        cmocka_unit_test(one_changed_bit_changes_the_hash),
        cmocka_unit_test(incremental_form_equals_one_call),
        cmocka_unit_test(hash_constants_are_fnv1a_64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
