/*
 * grow.h - the one growth policy of the library's reusable buffers: capacities double, so a
 * buffer reused from paragraph to paragraph stops allocating once it has grown.
 */
#ifndef CHAFF_LIB_GROW_H
#define CHAFF_LIB_GROW_H

#include <stdint.h>
#include <stdlib.h>

/* Grows '*buf' (of '*cap' elements of 'size' bytes) to hold at least 'need' elements. Returns 0,
 * or -1 when out of memory or on overflow ('*buf' is then unchanged). The old pointer is invalid
 * after a successful call. */
static inline int chaff_grow(void **buf, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap > 0 ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 4 / size)
            return -1;
        ncap *= 2;
    }
    void *p = realloc(*buf, ncap * size);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

#endif
