/*
 * test_align.c - the in-order alignment of extracted lines with labelled lines (align.c).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "align.h"
#include "chaff.h"

#define MAXN 4096

struct seq {
    const char *text[MAXN];
    size_t len[MAXN];
    uint64_t hash[MAXN];
    struct chaff_align_seq s;
};

static void seq_of(struct seq *q, const char *const *lines, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        q->text[i] = lines[i];
        q->len[i] = strlen(lines[i]);
        q->hash[i] = chaff_hash_bytes(lines[i], q->len[i], 7);
    }
    q->s.text = q->text;
    q->s.len = q->len;
    q->s.hash = q->hash;
    q->s.n = n;
}

static struct seq A, B;

static void test_equal(void **state)
{
    (void)state;
    const char *a[] = {"t", "x", "y", "z"};
    size_t map[4];
    seq_of(&A, a, 4);
    seq_of(&B, a, 4);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
    for (size_t i = 0; i < 4; i++)
        assert_int_equal(map[i], i);
}

static void test_insertions_and_deletions(void **state)
{
    (void)state;
    /* The extraction has a junk line and lacks one labelled line; a repeated line ("Home")
     * pairs with the copy in its place, not the first one seen. */
    const char *a[] = {"Title", "Home", "junk {x}", "Para one", "Home", "Footer"};
    const char *b[] = {"Title", "Home", "Para one", "Para two", "Home", "Footer"};
    size_t map[6];
    seq_of(&A, a, 6);
    seq_of(&B, b, 6);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
    assert_int_equal(map[0], 0);
    assert_int_equal(map[1], 1);
    assert_true(map[2] == SIZE_MAX);
    assert_int_equal(map[3], 2);
    assert_int_equal(map[4], 4);
    assert_int_equal(map[5], 5);
}

static void test_reordered_is_not_searched(void **state)
{
    (void)state;
    /* Lines out of order are not all paired: only a common subsequence is. */
    const char *a[] = {"c", "b", "a"};
    const char *b[] = {"a", "b", "c"};
    size_t map[3];
    seq_of(&A, a, 3);
    seq_of(&B, b, 3);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
    size_t paired = 0, last = 0;
    for (size_t i = 0; i < 3; i++)
        if (map[i] != SIZE_MAX) {
            assert_true(paired == 0 || map[i] > last);
            last = map[i];
            paired++;
        }
    assert_int_equal(paired, 1);
}

static void test_empty_sides(void **state)
{
    (void)state;
    const char *a[] = {"a", "b"};
    size_t map[2];
    seq_of(&A, a, 2);
    seq_of(&B, a, 0);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
    assert_true(map[0] == SIZE_MAX && map[1] == SIZE_MAX);
    seq_of(&A, a, 0);
    seq_of(&B, a, 2);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
}

/* Unrelated long sequences go past the edit limit and fall back to greedy matching, which
 * still pairs in order. */
static char bufs[2][MAXN][16];
static void test_many_edits(void **state)
{
    (void)state;
    static const char *a[MAXN], *b[MAXN];
    static size_t map[MAXN];
    const size_t n = 3000;
    for (size_t i = 0; i < n; i++) {
        snprintf(bufs[0][i], 16, "a%zu", i % 7 == 0 ? i : i + 100000);
        snprintf(bufs[1][i], 16, "a%zu", i % 5 == 0 ? i : i + 200000);
        a[i] = bufs[0][i];
        b[i] = bufs[1][i];
    }
    seq_of(&A, a, n);
    seq_of(&B, b, n);
    assert_int_equal(chaff_align(&A.s, &B.s, map), 0);
    size_t last = 0, paired = 0;
    for (size_t i = 0; i < n; i++)
        if (map[i] != SIZE_MAX) {
            assert_string_equal(a[i], b[map[i]]);
            assert_true(paired == 0 || map[i] > last);
            last = map[i];
            paired++;
        }
    assert_true(paired >= 80); /* the lines i % 35 == 0 are common to both */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_equal),
        cmocka_unit_test(test_insertions_and_deletions),
        cmocka_unit_test(test_reordered_is_not_searched),
        cmocka_unit_test(test_empty_sides),
        cmocka_unit_test(test_many_edits),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
