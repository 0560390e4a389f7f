/*
 * spill.c - the temporary file of a page's over-long paragraphs (spill.h). Entries are kept in
 * paragraph order; the file is made with chaff_tmpfile() in $TMPDIR, so it is gone when it is
 * closed or the process ends.
 */
#include "grow.h"
#include "spill.h"
#include "tmpfile.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

struct spill_entry {
    size_t para;
    uint64_t off, len;
};

struct chaff_spill {
    FILE *f;
    int refs; /* changed with __atomic builtins: pages are handed between threads */
    int failed; /* errno of the first failure (EIO when there was none), else 0 */
    char last; /* the last byte written */
    uint64_t size;
    struct spill_entry *ent;
    size_t n, cap;
};

/* Marks 's' failed, with the reason the call that failed left in errno; returns -1. */
static int fail(struct chaff_spill *s)
{
    if (!s->failed)
        s->failed = errno != 0 ? errno : EIO;
    return -1;
}

struct chaff_spill *chaff_spill_create(void)
{
    struct chaff_spill *s = calloc(1, sizeof(*s));
    if (s == NULL)
        return NULL;
    s->f = chaff_tmpfile();
    if (s->f == NULL) {
        free(s);
        return NULL;
    }
    s->refs = 1;
    return s;
}

void chaff_spill_retain(struct chaff_spill *s)
{
    if (s != NULL)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
}

void chaff_spill_release(struct chaff_spill *s)
{
    if (s == NULL || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
        return;
    fclose(s->f);
    free(s->ent);
    free(s);
}

int chaff_spill_begin(struct chaff_spill *s, size_t para)
{
    if (chaff_grow((void **)&s->ent, &s->cap, s->n + 1, sizeof(*s->ent)) != 0) {
        errno = ENOMEM;
        return fail(s);
    }
    s->ent[s->n++] = (struct spill_entry){.para = para, .off = s->size, .len = 0};
    return 0;
}

int chaff_spill_write(struct chaff_spill *s, const char *data, size_t len)
{
    errno = s->n == 0 ? EINVAL : 0; /* no paragraph begun: a caller's mistake */
    if (s->failed || s->n == 0)
        return fail(s);
    if (len > 0 && fwrite(data, 1, len, s->f) != len)
        return fail(s);
    s->size += len;
    s->ent[s->n - 1].len += len;
    if (len > 0)
        s->last = data[len - 1];
    return 0;
}

void chaff_spill_trim_cr(struct chaff_spill *s)
{
    if (s->n > 0 && s->ent[s->n - 1].len > 0 && s->last == '\r')
        s->ent[s->n - 1].len--; /* the byte stays in the file, unread */
}

void chaff_spill_drop_last(struct chaff_spill *s)
{
    if (s->n == 0)
        return;
    s->n--;
    /* The next paragraph overwrites it: a run of long blank lines takes no more disk. */
    if (fseeko(s->f, (off_t)s->ent[s->n].off, SEEK_SET) != 0)
        fail(s);
    s->size = s->ent[s->n].off;
}

int chaff_spill_finish(struct chaff_spill *s)
{
    errno = 0;
    if (!s->failed && fflush(s->f) != 0)
        fail(s);
    return s->failed ? -1 : 0;
}

int chaff_spill_error(const struct chaff_spill *s)
{
    return s->failed;
}

static const struct spill_entry *find(const struct chaff_spill *s, size_t para)
{
    size_t lo = 0, hi = s != NULL ? s->n : 0;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s->ent[mid].para < para)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < (s != NULL ? s->n : 0) && s->ent[lo].para == para ? &s->ent[lo] : NULL;
}

int chaff_spill_find(const struct chaff_spill *s, size_t para, uint64_t *len_out)
{
    const struct spill_entry *e = find(s, para);
    if (e == NULL)
        return 0;
    *len_out = e->len;
    return 1;
}

int chaff_spill_copy(const struct chaff_spill *s, size_t para,
                     int (*sink)(void *ctx, const char *data, size_t len), void *ctx)
{
    const struct spill_entry *e = find(s, para);
    if (e == NULL || s->failed)
        return -1;
    char buf[1 << 16];
    uint64_t done = 0;
    while (done < e->len) {
        size_t want = e->len - done < sizeof(buf) ? (size_t)(e->len - done) : sizeof(buf);
        ssize_t got = pread(fileno(s->f), buf, want, (off_t)(e->off + done));
        if (got <= 0)
            return -1;
        int rc = sink(ctx, buf, (size_t)got);
        if (rc != 0)
            return rc;
        done += (uint64_t)got;
    }
    return 0;
}

uint64_t chaff_page_para_len(const struct chaff_page *page, size_t i)
{
    uint64_t len;
    if (page->spill != NULL && chaff_spill_find(page->spill, i, &len))
        return len;
    return page->lens[i];
}
