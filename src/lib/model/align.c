/*
 * align.c - lines of an extraction aligned with the labelled lines of the same page, in order:
 * a diff (the longest common subsequence of equal lines), not a search. Myers' O(ND) greedy
 * algorithm finds it; the pages it is made for differ in a handful of lines, so D is small. Past
 * ALIGN_MAX_D edits (two unrelated pages) the rest is matched greedily in order, line by line,
 * which still never pairs two lines out of order.
 */
#include "align.h"

#include <stdlib.h>
#include <string.h>

#define ALIGN_MAX_D 1024

static int same(const struct chaff_align_seq *a, size_t i, const struct chaff_align_seq *b,
                size_t j)
{
    return a->hash[i] == b->hash[j] && a->len[i] == b->len[j] &&
           memcmp(a->text[i], b->text[j], a->len[i]) == 0;
}

/* Greedy in-order matching of a[i0..n) and b[j0..m): each line of a takes the next equal line
 * of b within 'reach' lines. */
static void greedy(const struct chaff_align_seq *a, size_t i0, const struct chaff_align_seq *b,
                   size_t j0, size_t *a_to_b)
{
    size_t j = j0;
    for (size_t i = i0; i < a->n && j < b->n; i++) {
        size_t stop = b->n - j > 512 ? j + 512 : b->n;
        for (size_t k = j; k < stop; k++)
            if (same(a, i, b, k)) {
                a_to_b[i] = k;
                j = k + 1;
                break;
            }
    }
}

int chaff_align(const struct chaff_align_seq *a, const struct chaff_align_seq *b, size_t *a_to_b)
{
    const size_t n = a->n, m = b->n;
    for (size_t i = 0; i < n; i++)
        a_to_b[i] = SIZE_MAX;
    /* The common head and tail cost nothing. */
    size_t head = 0;
    while (head < n && head < m && same(a, head, b, head)) {
        a_to_b[head] = head;
        head++;
    }
    size_t tail = 0;
    while (tail < n - head && tail < m - head && same(a, n - 1 - tail, b, m - 1 - tail)) {
        a_to_b[n - 1 - tail] = m - 1 - tail;
        tail++;
    }
    const long N = (long)(n - head - tail), M = (long)(m - head - tail);
    if (N == 0 || M == 0)
        return 0;
    const long max_d = N + M < ALIGN_MAX_D ? N + M : ALIGN_MAX_D;
    /* trace[d] holds V before step d over k = -d-1 .. d+1 (2d + 3 entries at trace_at[d]). */
    size_t cells = 0;
    for (long d = 0; d <= max_d; d++)
        cells += (size_t)(2 * d + 3);
    long *trace = malloc(cells * sizeof(long));
    size_t *trace_at = malloc((size_t)(max_d + 1) * sizeof(size_t));
    long *v = calloc((size_t)(2 * max_d + 3), sizeof(long));
    if (trace == NULL || trace_at == NULL || v == NULL) {
        free(trace);
        free(trace_at);
        free(v);
        return -1;
    }
    const long off = max_d + 1;
    v[off + 1] = 0;
    long found = -1;
    size_t used = 0;
    for (long d = 0; d <= max_d && found < 0; d++) {
        trace_at[d] = used;
        for (long k = -d - 1; k <= d + 1; k++)
            trace[used++] = (k + off >= 0 && k + off < 2 * max_d + 3) ? v[k + off] : 0;
        for (long k = -d; k <= d; k += 2) {
            long x = (k == -d || (k != d && v[off + k - 1] < v[off + k + 1])) ? v[off + k + 1]
                                                                             : v[off + k - 1] + 1;
            long y = x - k;
            while (x < N && y < M && same(a, head + (size_t)x, b, head + (size_t)y)) {
                x++;
                y++;
            }
            v[off + k] = x;
            if (x >= N && y >= M) {
                found = d;
                break;
            }
        }
    }
    if (found < 0) {
        free(trace);
        free(trace_at);
        free(v);
        greedy(a, head, b, head, a_to_b);
        return 0;
    }
    /* Back from (N, M): every diagonal step is a matched pair. */
    long x = N, y = M;
    for (long d = found; d >= 0; d--) {
        const long *vd = trace + trace_at[d] + d + 1; /* vd[k] for k in -d-1 .. d+1 */
        long k = x - y;
        long prev_k;
        if (d == 0)
            prev_k = 0;
        else
            prev_k = (k == -d || (k != d && vd[k - 1] < vd[k + 1])) ? k + 1 : k - 1;
        long prev_x = d == 0 ? 0 : vd[prev_k];
        long prev_y = prev_x - prev_k;
        if (d > 0) {
            /* The snake after the edit from (prev_x, prev_y). */
            long sx = prev_k == k + 1 ? prev_x : prev_x + 1;
            long sy = sx - k;
            (void)sy;
            while (x > sx) {
                x--;
                y--;
                a_to_b[head + (size_t)x] = head + (size_t)y;
            }
            x = prev_x;
            y = prev_y;
        } else {
            while (x > 0 && y > 0) {
                x--;
                y--;
                a_to_b[head + (size_t)x] = head + (size_t)y;
            }
        }
    }
    free(trace);
    free(trace_at);
    free(v);
    return 0;
}
