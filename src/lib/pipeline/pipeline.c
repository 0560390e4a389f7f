/*
 * pipeline.c - reading, labelling and handing out pages concurrently, in input order
 * (chaff_pipeline_* in chaff.h): the one pipeline of chaff classify, the Python package and any
 * C host.
 *
 * Pages come in batches. Over files, a reader thread opens the inputs one after the other and
 * copies their pages into batches (reader buffers are reused, so a batch owns copies; the HTML
 * of a big page is not copied: the batch takes over the buffer it was read into); a
 * pushed pipeline copies the host's pages in the host's thread. A batch holds pages of one
 * input only and is sealed at about BATCH_BYTES of text, at the end of an input, and after a
 * reader error, which travels with the batch so that it is handed out after the pages that
 * precede it. Workers each own a struct chaff_classifier over the shared model (and one over
 * the HTML model); they make the paragraphs of pages of HTML, label the batch and, when asked,
 * write its output into memory. chaff_pipeline_next() hands the batches out by sequence number.
 * Invariant: the bytes of the batches in flight (their input, and what the workers made of it
 * once labelled) stay below the budget, except for a single batch larger than that, which then
 * is the only one in flight.
 * Batches are recycled through a free list with their buffers, so that a long run allocates
 * nothing after its first batches and its RSS does not creep up with the input's length;
 * buffers that one huge page made larger than KEEP_BYTES are freed instead of kept, and the
 * memory of a kept buffer past what its batch used is given back to the system.
 */
#include "chaff.h"
#include "error.h"
#include "grow.h"
#include "html.h"
#include "reader.h"
#include "tmpfile.h"

#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#define BATCH_BYTES (1u << 20)
#define BATCH_PAGES 1024
/* Bytes in flight (input copied into batches, and their formatted output) per thread, plus one
 * share for the reader and writer: enough to keep the workers busy (measured: no slower than
 * 16 MiB on WET, 100 MB in 3.5 s with 2 threads) and RSS under 40 MB for every output. */
#define BUDGET_SHARE ((size_t)2 << 20)
#define KEEP_BYTES   ((size_t)4 << 20) /* largest buffer a recycled batch keeps */
#define SHED_BYTES   ((size_t)512 << 10) /* least memory a recycled batch's buffer gives back */
/* A page's output past this goes to a temporary file of its own (chaff_pipeline_item.
 * output_file): a page whose paragraphs are in a spill (chaff_page.spill) may write gigabytes. */
#define OUT_MEMORY_BYTES ((size_t)8 << 20)
/* While a worker makes an HTML page's paragraphs, their elements, lines and structure tokens
 * (up to 64 of 8 bytes a line) take tens of bytes per byte of HTML on a page of tiny elements
 * (libxml2's tree, which the reader no longer builds, took up to ~80, measured on a page of
 * <p> elements): a page of BIG_HTML_BYTES or more counts 80 per byte against the budget, so
 * that such a page is the only batch in flight. */
#define BIG_HTML_BYTES  ((size_t)1 << 20)
#define BIG_HTML_WEIGHT 80

/* A page copied into a batch: offsets into the batch's arrays. */
struct page_ref {
    size_t id, url, raw, raw_len, payload, payload_len, fields;
    size_t html, html_len, charset; /* a page of HTML, to be made into paragraphs by a worker */
    char *html_own; /* the buffer its HTML is in (at 'html', NUL-terminated), taken over from
                       the reader; NULL: the HTML is in the arena */
    size_t para0, nparas;           /* its paragraphs as read: para_off / para_len */
    uint64_t index, offset, lineno;
    int passthrough, has_raw, has_payload, has_fields, has_html, has_charset, is_html;
    struct chaff_spill *spill; /* a reference to the page's over-long paragraphs, or NULL */
    uint64_t para_base;        /* a page in parts: chaff_page.para_base, part and more */
    uint32_t part;
    int more;
    /* Filled by the worker. */
    int failed;          /* not handed out: its problem (an event) is */
    int use_html;        /* labelled by the HTML model */
    size_t made0, nmade; /* a page of HTML: the paragraphs made of it, made_off / made_lens */
    int has_structure, has_groups;
    size_t tok0, off0, grp0; /* its structure: tokens[tok0..], u32[off0..], u32[grp0..] */
    size_t res0;             /* its results: results[res0 ..] */
    size_t out0, out_len;    /* its output: out[out0 .. out0 + out_len) */
    FILE *out_file;          /* or, past OUT_MEMORY_BYTES, this temporary file (owned) */
    uint64_t html_cut;       /* a page of HTML cut for the element limit: bytes left out */
};

/* A problem handed out in its place: after page 'after' of its batch, or SIZE_MAX: after all. */
struct event {
    size_t after;
    int rc; /* -1 or -2, as chaff_pipeline_next() returns it */
    struct chaff_error err;
};

struct batch {
    uint64_t seq;
    const char *path; /* the input, as given ("" for pushed pages) */
    enum chaff_format format;
    struct chaff_writer_options wopt;
    char *arena;
    size_t arena_len, arena_cap;
    struct page_ref *pages;
    size_t npages, pages_cap;
    size_t *para_off, *para_len;
    size_t nparas, paras_cap;
    size_t cost;       /* bytes counted against the budget */
    size_t own_bytes;  /* HTML in buffers of its pages' own (page_ref.html_own) */
    size_t html_weight; /* big pages of HTML: what their trees may take, counted in 'cost' */
    uint64_t consumed; /* input bytes consumed (all inputs) when the batch was sealed */
    struct event *events;
    size_t nevents, events_cap;
    /* Filled by a worker. */
    char *out;
    size_t out_len, out_cap;
    size_t page_out0; /* where the page being written starts in 'out' */
    FILE *page_file;  /* the page being written, when it went past OUT_MEMORY_BYTES */
    int tmp_errno;    /* why page_file could not be made or written, else 0 */
    struct chaff_result *results;
    size_t nresults, results_cap;
    char *made; /* the text of the paragraphs made of pages of HTML */
    size_t made_bytes, made_cap;
    size_t *made_off, *made_lens;
    size_t nmade, made_paras_cap;
    uint64_t *tokens;
    size_t ntokens, tokens_cap;
    uint32_t *u32; /* structure offsets and groups */
    size_t nu32, u32_cap;
    struct batch *next;
};

struct worker {
    struct chaff_pipeline *pl;
    struct chaff_classifier *cl;      /* over model */
    struct chaff_classifier *cl_html; /* over html_model, or NULL */
    struct chaff_html *hx;            /* made at the first page of HTML */
    const char **paras;
    size_t paras_cap;
    const char **made_paras;              /* a big page of HTML: its paragraphs in the batch */
    size_t made_paras_cap;
    struct chaff_page_structure made_st; /* and their structure */
    uint64_t ns_classify; /* with timing */
    pthread_t thread;
    int started;
};

struct chaff_pipeline {
    struct chaff_pipeline_options opt;
    char **paths; /* file pipelines: copies of the paths */
    size_t npaths;
    int pushed; /* 1: made by chaff_pipeline_create() */
    pthread_mutex_t mu;
    pthread_cond_t todo_cv, space_cv, done_cv;
    struct batch *todo_head, *todo_tail; /* sealed batches waiting for a worker */
    struct batch *done;                  /* labelled batches, any order */
    struct batch *spare;                 /* handed-out batches, for reuse */
    uint64_t nsealed;                    /* batches sealed so far */
    int reader_done;                     /* no batch will be sealed any more */
    int abort;                           /* closing: stop early */
    size_t inflight_bytes, inflight_batches, max_batches, budget;
    int text_needs_html; /* opt.model needs the structure of pages of HTML */
    struct worker *workers;
    unsigned nworkers;
    pthread_t reader;
    int reader_started;
    /* Reader totals, under 'mu'. */
    uint64_t bytes_in, in_bytes, skipped, bad, cut, raw_bodies, ns_read, ns_batch;
    /* The host's side. */
    struct batch *in;  /* pushed pipelines: the batch being filled */
    uint64_t npushed;  /* pages pushed so far */
    struct batch *cur; /* the batch being handed out */
    uint64_t next_seq; /* sequence number of the next batch to hand out */
    size_t cur_page;   /* position in 'cur' (npages: its end) */
    int cur_stage;     /* 0: arriving at cur_page; 1: handing out its events */
    size_t cur_ev;
    struct chaff_page item_page;
    struct chaff_page_structure item_structure;
    const char **item_paras;
    size_t item_paras_cap;
    const char **split_paras; /* chaff_pipeline_push_split()'s paragraphs */
    size_t *split_lens;
    size_t split_cap;
    struct chaff_pipeline_stats stats;
};

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int grow(void *p, size_t *cap, size_t need, size_t size)
{
    return chaff_grow((void **)p, cap, need, size);
}

/* Drops the batch's references to spills and its pages' output files. */
static void batch_release_files(struct batch *b)
{
    for (size_t p = 0; p < b->npages; p++) {
        chaff_spill_release(b->pages[p].spill);
        b->pages[p].spill = NULL;
        if (b->pages[p].out_file != NULL)
            fclose(b->pages[p].out_file);
        b->pages[p].out_file = NULL;
        free(b->pages[p].html_own);
        b->pages[p].html_own = NULL;
    }
}

static void batch_free(struct batch *b)
{
    if (b == NULL)
        return;
    batch_release_files(b);
    free(b->arena);
    free(b->pages);
    free(b->para_off);
    free(b->para_len);
    free(b->events);
    free(b->out);
    free(b->results);
    free(b->made);
    free(b->made_off);
    free(b->made_lens);
    free(b->tokens);
    free(b->u32);
    free(b);
}

/* Frees '*p' when its capacity (in bytes) is above KEEP_BYTES; else gives the memory of its
 * whole pages past its first 'used' elements back to the system, keeping the buffer (its
 * bytes there read as zeros the next time). A recycled batch thus holds the memory its last
 * use needed, not the most that any of its uses needed: over a long input every spare batch
 * would come to hold the most. */
static void trim(void **p, size_t *cap, size_t size, size_t used)
{
    if (*cap * size > KEEP_BYTES) {
        free(*p);
        *p = NULL;
        *cap = 0;
        return;
    }
#ifdef MADV_DONTNEED
    const long n = sysconf(_SC_PAGESIZE);
    const size_t page = n > 0 ? (size_t)n : 4096;
    const uintptr_t from = ((uintptr_t)*p + used * size + page - 1) / page * page;
    const uintptr_t to = ((uintptr_t)*p + *cap * size) / page * page;
    if (*p != NULL && to > from && to - from >= SHED_BYTES)
        madvise((void *)from, to - from, MADV_DONTNEED);
#else
    (void)used;
#endif
}

/* trim() for two arrays of 'size_t' of the same capacity '*cap'. */
static void trim_pair(size_t **a, size_t **b, size_t *cap, size_t used)
{
    size_t cap_b = *cap;
    trim((void **)a, cap, sizeof(size_t), used);
    trim((void **)b, &cap_b, sizeof(size_t), used);
}

/* Empties a handed-out batch, keeping its buffers for the next one. */
static void batch_reset(struct batch *b)
{
    batch_release_files(b);
    trim((void **)&b->arena, &b->arena_cap, 1, b->arena_len);
    trim((void **)&b->pages, &b->pages_cap, sizeof(*b->pages), b->npages);
    trim_pair(&b->para_off, &b->para_len, &b->paras_cap, b->nparas);
    trim((void **)&b->events, &b->events_cap, sizeof(*b->events), b->nevents);
    trim((void **)&b->out, &b->out_cap, 1, b->out_len);
    trim((void **)&b->results, &b->results_cap, sizeof(*b->results), b->nresults);
    trim((void **)&b->made, &b->made_cap, 1, b->made_bytes);
    trim_pair(&b->made_off, &b->made_lens, &b->made_paras_cap, b->nmade);
    trim((void **)&b->tokens, &b->tokens_cap, sizeof(*b->tokens), b->ntokens);
    trim((void **)&b->u32, &b->u32_cap, sizeof(*b->u32), b->nu32);
    b->seq = 0;
    b->path = NULL;
    b->arena_len = b->npages = b->nparas = b->cost = b->nevents = b->html_weight = 0;
    b->own_bytes = 0;
    b->consumed = 0;
    b->out_len = b->nresults = b->made_bytes = b->nmade = b->ntokens = b->nu32 = 0;
    b->next = NULL;
}

/* The HTML of page 'ref' of 'b'. */
static const char *ref_html(const struct batch *b, const struct page_ref *ref)
{
    return ref->html_own != NULL ? ref->html_own + ref->html : b->arena + ref->html;
}

/* Copies 'len' bytes into the arena with a NUL after them; returns the offset or SIZE_MAX. */
static size_t arena_put(struct batch *b, const char *data, size_t len)
{
    if (grow(&b->arena, &b->arena_cap, b->arena_len + len + 1, 1) != 0)
        return SIZE_MAX;
    size_t off = b->arena_len;
    if (len > 0)
        memcpy(b->arena + off, data, len);
    b->arena[off + len] = '\0';
    b->arena_len += len + 1;
    return off;
}

/* Makes room for 'n' more paragraphs in the batch's para_off / para_len. */
static int reserve_paras(struct batch *b, size_t n)
{
    size_t cap = b->paras_cap;
    /* + 1: never realloc() to 0 bytes, which may give NULL */
    if (grow(&b->para_off, &cap, b->nparas + n + 1, sizeof(size_t)) != 0)
        return -1;
    if (cap != b->paras_cap) {
        void *q = realloc(b->para_len, cap * sizeof(size_t));
        if (q == NULL)
            return -1;
        b->para_len = q;
        b->paras_cap = cap;
    }
    return 0;
}

/* Copies the page's strings and record fields (not its paragraphs) into a new page_ref; the
 * HTML of a big page read by 'reader' (NULL: a pushed page) is taken over instead. */
static struct page_ref *batch_add_ref(struct batch *b, const struct chaff_page *page,
                                      struct chaff_reader *reader)
{
    if (grow(&b->pages, &b->pages_cap, b->npages + 1, sizeof(*b->pages)) != 0)
        return NULL;
    struct page_ref *ref = &b->pages[b->npages];
    memset(ref, 0, sizeof(*ref));
    const char *id = page->id != NULL ? page->id : "";
    const char *url = page->url != NULL ? page->url : "";
    ref->id = arena_put(b, id, strlen(id));
    ref->url = arena_put(b, url, strlen(url));
    if (ref->id == SIZE_MAX || ref->url == SIZE_MAX)
        return NULL;
    if (page->raw != NULL) {
        ref->raw = arena_put(b, page->raw, page->raw_len);
        ref->raw_len = page->raw_len;
        ref->has_raw = 1;
        if (ref->raw == SIZE_MAX)
            return NULL;
    }
    if (page->fields != NULL) {
        ref->fields = arena_put(b, page->fields, strlen(page->fields));
        ref->has_fields = 1;
        if (ref->fields == SIZE_MAX)
            return NULL;
    }
    if (page->charset != NULL) {
        ref->charset = arena_put(b, page->charset, strlen(page->charset));
        ref->has_charset = 1;
        if (ref->charset == SIZE_MAX)
            return NULL;
    }
    ref->is_html = page->is_html;
    if (page->passthrough && page->payload != NULL) {
        ref->payload = arena_put(b, page->payload, page->payload_len);
        ref->payload_len = page->payload_len;
        ref->has_payload = 1;
        if (ref->payload == SIZE_MAX)
            return NULL;
    }
    if (page->html != NULL) {
        /* A big page's HTML stays in the buffer it was read into, which the reader hands
         * over, rather than being copied. */
        char *own = reader != NULL && page->html_len >= BIG_HTML_BYTES
                        ? chaff_reader_detach(reader, page->html, page->html_len)
                        : NULL;
        if (own != NULL) {
            ref->html_own = own;
            ref->html = (size_t)(page->html - own);
            own[ref->html + page->html_len] = '\0';
            b->own_bytes += page->html_len;
        } else if ((ref->html = arena_put(b, page->html, page->html_len)) == SIZE_MAX) {
            return NULL;
        }
        ref->html_len = page->html_len;
        ref->has_html = 1;
    }
    ref->para0 = b->nparas;
    ref->index = page->index;
    ref->offset = page->offset;
    ref->lineno = page->lineno;
    ref->passthrough = page->passthrough;
    ref->para_base = page->para_base;
    ref->part = page->part;
    ref->more = page->more;
    ref->spill = page->spill;
    chaff_spill_retain(ref->spill);
    if (ref->has_html && ref->html_len >= BIG_HTML_BYTES)
        b->html_weight += ref->html_len * BIG_HTML_WEIGHT;
    return ref;
}

static int batch_add_page(struct batch *b, const struct chaff_page *page,
                          struct chaff_reader *reader)
{
    if (reserve_paras(b, page->nparas) != 0)
        return -1;
    struct page_ref *ref = batch_add_ref(b, page, reader);
    if (ref == NULL)
        return -1;
    for (size_t i = 0; i < page->nparas; i++) {
        size_t off = arena_put(b, page->paras[i], page->lens[i]);
        if (off == SIZE_MAX) {
            chaff_spill_release(ref->spill); /* the page is not in the batch */
            ref->spill = NULL;
            free(ref->html_own);
            ref->html_own = NULL;
            return -1;
        }
        b->para_off[b->nparas] = off;
        b->para_len[b->nparas] = page->lens[i];
        b->nparas++;
    }
    ref->nparas = page->nparas;
    b->npages++;
    return 0;
}

/* Records a problem of the batch, handed out after page 'after' (SIZE_MAX: after them all). */
static void batch_event(struct batch *b, size_t after, int rc, const struct chaff_error *err)
{
    if (grow(&b->events, &b->events_cap, b->nevents + 1, sizeof(*b->events)) != 0)
        return;
    struct event *e = &b->events[b->nevents++];
    e->after = after;
    e->rc = rc;
    e->err = *err;
}

/* The same with a message made here. */
static void batch_eventf(struct batch *b, size_t after, int rc, enum chaff_status code,
                         const char *where, const char *format, ...)
    __attribute__((format(printf, 6, 7)));

static void batch_eventf(struct batch *b, size_t after, int rc, enum chaff_status code,
                         const char *where, const char *format, ...)
{
    struct chaff_error err;
    memset(&err, 0, sizeof(err));
    err.code = code;
    snprintf(err.where, sizeof(err.where), "%s", where != NULL ? where : "");
    va_list ap;
    va_start(ap, format);
    vsnprintf(err.msg, sizeof(err.msg), format, ap);
    va_end(ap);
    batch_event(b, after, rc, &err);
}

static struct batch *batch_new(struct chaff_pipeline *pl, const struct chaff_writer_options *wopt,
                               enum chaff_format format, const char *path)
{
    pthread_mutex_lock(&pl->mu);
    struct batch *b = pl->spare;
    if (b != NULL)
        pl->spare = b->next;
    pthread_mutex_unlock(&pl->mu);
    if (b == NULL)
        b = calloc(1, sizeof(*b));
    else
        b->next = NULL;
    if (b != NULL) {
        b->wopt = *wopt;
        b->format = format;
        b->path = path;
    }
    return b;
}

/* ------------------------------------------------------------------ sealing batches */

static int batch_full(const struct batch *b)
{
    return b->arena_len + b->own_bytes >= BATCH_BYTES || b->npages >= BATCH_PAGES;
}

static size_t batch_input_cost(const struct batch *b)
{
    return b->arena_len + b->own_bytes + b->nparas * 2 * sizeof(size_t) +
           b->npages * sizeof(struct page_ref) +
           b->nevents * sizeof(struct event) + b->html_weight;
}

/* With 'mu' held: whether a batch of 'cost' bytes fits the budget now. */
static int fits(const struct chaff_pipeline *pl, size_t cost)
{
    return pl->inflight_batches == 0 ||
           (pl->inflight_bytes + cost <= pl->budget && pl->inflight_batches < pl->max_batches);
}

/* With 'mu' held: hands 'b' to the workers. */
static void seal_locked(struct chaff_pipeline *pl, struct batch *b)
{
    b->seq = pl->nsealed++;
    pl->inflight_bytes += b->cost;
    pl->inflight_batches++;
    if (pl->todo_tail != NULL)
        pl->todo_tail->next = b;
    else
        pl->todo_head = b;
    pl->todo_tail = b;
    pthread_cond_signal(&pl->todo_cv);
}

/* Hands a batch to the workers, after waiting for room in the budget. 'b' may be empty (it
 * then only carries events). */
static void seal(struct chaff_pipeline *pl, struct batch *b, uint64_t consumed)
{
    b->cost = batch_input_cost(b);
    b->consumed = consumed;
    pthread_mutex_lock(&pl->mu);
    while (!pl->abort && !fits(pl, b->cost))
        pthread_cond_wait(&pl->space_cv, &pl->mu);
    seal_locked(pl, b);
    pthread_mutex_unlock(&pl->mu);
}

static int aborted(struct chaff_pipeline *pl)
{
    pthread_mutex_lock(&pl->mu);
    int a = pl->abort;
    pthread_mutex_unlock(&pl->mu);
    return a;
}

/* ------------------------------------------------------------------ reader thread */

static void *reader_main(void *arg)
{
    struct chaff_pipeline *pl = arg;
    const struct chaff_pipeline_options *opt = &pl->opt;
    uint64_t consumed_before = 0; /* input bytes of the inputs already read */
    const int timed = opt->timing;
    uint64_t ns_read = 0, ns_batch = 0, t0 = 0, t1 = 0;
    /* HTML is made into paragraphs by the workers, the costly part of reading it. */
    struct chaff_reader_options ropt = opt->reader;
    ropt.defer_html = 1;
    for (size_t f = 0; f < pl->npaths && !aborted(pl); f++) {
        const char *path = pl->paths[f];
        struct chaff_error err = {0};
        struct chaff_reader *reader = NULL;
        struct chaff_writer_options wopt = opt->writer;
        struct batch *b = NULL;
        if (chaff_reader_open(path, &ropt, &reader, &err) != CHAFF_OK) {
            b = batch_new(pl, &wopt, CHAFF_FORMAT_TEXT, path);
            if (b == NULL)
                break;
            batch_event(b, SIZE_MAX, -2, &err);
            seal(pl, b, consumed_before);
            continue;
        }
        enum chaff_format format = chaff_reader_format(reader);
        if (pl->text_needs_html && (format == CHAFF_FORMAT_TEXT || format == CHAFF_FORMAT_JSONL)) {
            /* Every page would fail: say so once. */
            b = batch_new(pl, &wopt, format, path);
            if (b == NULL)
                break;
            batch_eventf(b, SIZE_MAX, -2, CHAFF_ERR_USAGE, path,
                         "the model needs HTML input (it uses the page structure); this is %s "
                         "input",
                         format == CHAFF_FORMAT_TEXT ? "text" : "JSONL");
            seal(pl, b, consumed_before);
            chaff_reader_close(reader);
            continue;
        }
        /* .html files are one page each, as text files: 3-column tsv unless asked. */
        wopt.tsv_ids =
            (format != CHAFF_FORMAT_TEXT && format != CHAFF_FORMAT_HTML) || opt->writer.tsv_ids;
        wopt.gzip_records = format == CHAFF_FORMAT_WARC &&
                            chaff_reader_compression(reader) == CHAFF_COMPRESSION_GZIP;
        struct chaff_reader_stats st;
        struct chaff_page page;
        int rc;
        b = batch_new(pl, &wopt, format, path);
        while (b != NULL) {
            if (timed)
                t0 = clock_ns();
            rc = chaff_reader_next(reader, &page, &err);
            if (timed) {
                t1 = clock_ns();
                ns_read += t1 - t0;
            }
            if (rc == 0)
                break;
            if (rc < 0) {
                batch_event(b, SIZE_MAX, rc == -2 ? -2 : -1, &err);
                chaff_reader_stats(reader, &st);
                seal(pl, b, consumed_before + st.in_bytes);
                b = rc == -2 ? NULL : batch_new(pl, &wopt, format, path);
                if (rc == -2 || aborted(pl))
                    break;
                continue;
            }
            if (batch_add_page(b, &page, reader) != 0) {
                batch_eventf(b, SIZE_MAX, -2, CHAFF_ERR_NOMEM, path,
                             "out of memory for a page of %zu paragraphs", page.nparas);
                break;
            }
            if (timed)
                ns_batch += clock_ns() - t1;
            if (batch_full(b)) {
                chaff_reader_stats(reader, &st);
                seal(pl, b, consumed_before + st.in_bytes);
                b = aborted(pl) ? NULL : batch_new(pl, &wopt, format, path);
            }
        }
        chaff_reader_stats(reader, &st);
        if (b != NULL)
            seal(pl, b, consumed_before + st.in_bytes);
        consumed_before += st.in_bytes;
        pthread_mutex_lock(&pl->mu);
        pl->bytes_in += st.bytes;
        pl->skipped += st.skipped;
        pl->bad += st.bad;
        pl->cut += st.cut;
        pl->raw_bodies += st.raw_bodies;
        pl->in_bytes += st.in_bytes;
        pthread_mutex_unlock(&pl->mu);
        chaff_reader_close(reader);
    }
    pthread_mutex_lock(&pl->mu);
    pl->ns_read = ns_read;
    pl->ns_batch = ns_batch;
    pl->reader_done = 1;
    pthread_cond_broadcast(&pl->todo_cv);
    pthread_cond_broadcast(&pl->done_cv);
    pthread_mutex_unlock(&pl->mu);
    return NULL;
}

/* ------------------------------------------------------------------ workers */

/* The output of a batch goes to its reusable buffer 'out' through a stdio stream. */
static ssize_t batch_out_write(void *cookie, const char *data, size_t len)
{
    struct batch *b = cookie;
    if (b->page_file == NULL && b->out_len - b->page_out0 + len > OUT_MEMORY_BYTES) {
        /* A page with paragraphs in a spill writes more than memory should hold: its output
         * so far and the rest go to a file of its own. */
        if ((b->page_file = chaff_tmpfile()) == NULL)
            return b->tmp_errno = errno != 0 ? errno : EIO, -1;
        const size_t have = b->out_len - b->page_out0;
        if (fwrite(b->out + b->page_out0, 1, have, b->page_file) != have)
            return b->tmp_errno = errno != 0 ? errno : EIO, -1;
        b->out_len = b->page_out0;
    }
    if (b->page_file != NULL) {
        if (fwrite(data, 1, len, b->page_file) == len)
            return (ssize_t)len;
        return b->tmp_errno = errno != 0 ? errno : EIO, -1;
    }
    if (grow(&b->out, &b->out_cap, b->out_len + len, 1) != 0) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(b->out + b->out_len, data, len);
    b->out_len += len;
    return (ssize_t)len;
}

static const cookie_io_functions_t batch_out_io = {.write = batch_out_write};

/* After a page of HTML of TRIM_PAGE_BYTES or more, the heap is trimmed when more than
 * TRIM_FREE_BYTES of it is free: the small blocks allocated while a big tree was alive pin the
 * pages around them, and over gigabytes of input the free heap would creep up. Measured on the
 * replicated training pages (bench/make-html-warc), 1.5 GB with -t 1: 88 MB peak RSS without,
 * 61 MB with a trim after every such page. */
#define TRIM_PAGE_BYTES (1u << 20)
#define TRIM_FREE_BYTES ((size_t)32 << 20)

static void trim_heap(void)
{
    struct mallinfo2 mi = mallinfo2();
    if (mi.fordblks > TRIM_FREE_BYTES)
        malloc_trim(0);
}

/* Keeps the paragraphs and structure the HTML reader made of page 'ref' in the batch, so that
 * they outlive the worker's HTML reader. */
static int keep_made(struct batch *b, struct page_ref *ref, const struct chaff_page *hp)
{
    size_t cap = b->made_paras_cap;
    if (grow(&b->made_off, &cap, b->nmade + hp->nparas + 1, sizeof(size_t)) != 0)
        return -1;
    if (cap != b->made_paras_cap) {
        void *q = realloc(b->made_lens, cap * sizeof(size_t));
        if (q == NULL)
            return -1;
        b->made_lens = q;
        b->made_paras_cap = cap;
    }
    ref->made0 = b->nmade;
    ref->nmade = hp->nparas;
    for (size_t i = 0; i < hp->nparas; i++) {
        if (grow(&b->made, &b->made_cap, b->made_bytes + hp->lens[i] + 1, 1) != 0)
            return -1;
        memcpy(b->made + b->made_bytes, hp->paras[i], hp->lens[i]);
        b->made[b->made_bytes + hp->lens[i]] = '\0';
        b->made_off[b->nmade] = b->made_bytes;
        b->made_lens[b->nmade] = hp->lens[i];
        b->made_bytes += hp->lens[i] + 1;
        b->nmade++;
    }
    const struct chaff_page_structure *st = hp->structure;
    ref->has_structure = st != NULL;
    if (st == NULL)
        return 0;
    const size_t ntok = st->off[hp->nparas];
    const size_t nu32 =
        hp->nparas + 1 + (st->groups != NULL ? CHAFF_STRUCT_GROUPS * hp->nparas : 0);
    if (grow(&b->tokens, &b->tokens_cap, b->ntokens + ntok + 1, sizeof(*b->tokens)) != 0 ||
        grow(&b->u32, &b->u32_cap, b->nu32 + nu32, sizeof(*b->u32)) != 0)
        return -1;
    ref->tok0 = b->ntokens;
    if (ntok > 0)
        memcpy(b->tokens + b->ntokens, st->tokens, ntok * sizeof(*b->tokens));
    b->ntokens += ntok;
    ref->off0 = b->nu32;
    memcpy(b->u32 + b->nu32, st->off, (hp->nparas + 1) * sizeof(*b->u32));
    b->nu32 += hp->nparas + 1;
    ref->has_groups = st->groups != NULL;
    if (st->groups != NULL) {
        ref->grp0 = b->nu32;
        memcpy(b->u32 + b->nu32, st->groups, CHAFF_STRUCT_GROUPS * hp->nparas * sizeof(*b->u32));
        b->nu32 += CHAFF_STRUCT_GROUPS * hp->nparas;
    }
    return 0;
}

/* Page 'ref' of batch 'b' with its 'n' paragraphs 'paras' and 'lens' (as read, or as made of its
 * HTML) and their 'structure' (may be NULL); its HTML is left out. */
static struct chaff_page page_of(const struct batch *b, const struct page_ref *ref,
                                 const char *const *paras, const size_t *lens, size_t n,
                                 const struct chaff_page_structure *structure)
{
    return (struct chaff_page){
        .id = b->arena + ref->id,
        .nparas = n,
        .paras = paras,
        .lens = lens,
        .index = ref->index,
        .offset = ref->offset,
        .url = b->arena + ref->url,
        .raw = ref->has_raw ? b->arena + ref->raw : NULL,
        .raw_len = ref->raw_len,
        .payload = ref->has_payload ? b->arena + ref->payload : NULL,
        .payload_len = ref->payload_len,
        .passthrough = ref->passthrough,
        .lineno = ref->lineno,
        .fields = ref->has_fields ? b->arena + ref->fields : NULL,
        .structure = structure,
        .charset = ref->has_charset ? b->arena + ref->charset : NULL,
        .is_html = ref->is_html,
        .spill = ref->spill,
        .para_base = ref->para_base,
        .part = ref->part,
        .more = ref->more,
    };
}

static void process(struct worker *w, struct batch *b)
{
    const struct chaff_pipeline_options *opt = &w->pl->opt;
    struct chaff_error err = {0};
    if (grow(&w->paras, &w->paras_cap, b->nparas + 1, sizeof(*w->paras)) != 0 ||
        grow(&b->results, &b->results_cap, b->nparas + 1, sizeof(*b->results)) != 0)
        goto nomem;
    for (size_t i = 0; i < b->nparas; i++)
        w->paras[i] = b->arena + b->para_off[i];
    b->out_len = b->nresults = b->made_bytes = b->nmade = b->ntokens = b->nu32 = 0;
    b->tmp_errno = 0;
    FILE *out = NULL;
    if (opt->write && (out = fopencookie(b, "w", batch_out_io)) == NULL)
        goto nomem;
    const uint64_t t0 = opt->timing ? clock_ns() : 0;
    for (size_t p = 0; p < b->npages; p++) {
        struct page_ref *ref = &b->pages[p];
        const char *const *paras = w->paras + ref->para0;
        const size_t *lens = b->para_len + ref->para0;
        size_t nparas = ref->nparas;
        const struct chaff_page_structure *structure = NULL;
        ref->failed = 0;
        ref->has_structure = 0;
        ref->nmade = 0;
        ref->html_cut = 0;
        if (ref->out_file != NULL)
            fclose(ref->out_file);
        ref->out_file = NULL;
        if (ref->has_html) {
            /* Made into paragraphs here, not in the reader thread: it costs more than
             * classifying them. */
            struct chaff_page hp = {0};
            if (w->hx == NULL && (w->hx = chaff_html_create()) != NULL)
                chaff_html_set_max_elements(w->hx, opt->reader.max_html_elements);
            if (w->hx == NULL ||
                chaff_html_extract_nul(w->hx, ref_html(b, ref), ref->html_len,
                                   ref->has_charset ? b->arena + ref->charset : NULL, &hp,
                                   &err) != CHAFF_OK ||
                keep_made(b, ref, &hp) != 0) {
                batch_eventf(b, p, -2, CHAFF_ERR_NOMEM, b->path,
                             "page %s: out of memory making its paragraphs", b->arena + ref->id);
                ref->failed = 1;
                continue;
            }
            paras = hp.paras;
            lens = hp.lens;
            nparas = hp.nparas;
            structure = hp.structure;
            ref->html_cut = chaff_html_cut(w->hx);
        }
        if (ref->has_html && ref->html_len >= BIG_HTML_BYTES) {
            /* The HTML reader's buffers grew to the page (lines, elements, structure), and
             * keep_made() copied what they hold into the batch: the page is labelled from the
             * copies and the reader made anew for the next page, so that a worker neither
             * holds both nor keeps its biggest page's buffers. */
            if (grow(&w->made_paras, &w->made_paras_cap, ref->nmade + 1,
                     sizeof(*w->made_paras)) != 0)
                goto nomem_out;
            for (size_t i = 0; i < ref->nmade; i++)
                w->made_paras[i] = b->made + b->made_off[ref->made0 + i];
            paras = w->made_paras;
            lens = b->made_lens + ref->made0;
            structure = NULL;
            if (ref->has_structure) {
                w->made_st.tokens = b->tokens + ref->tok0;
                w->made_st.off = b->u32 + ref->off0;
                w->made_st.groups = ref->has_groups ? b->u32 + ref->grp0 : NULL;
                structure = &w->made_st;
            }
            chaff_html_free(w->hx);
            w->hx = NULL;
        }
        if (ref->has_html && ref->html_len >= TRIM_PAGE_BYTES)
            trim_heap();
        /* The HTML model for pages read from HTML, when there is one. */
        const int use_html = ref->is_html && w->cl_html != NULL;
        ref->use_html = use_html;
        if (!ref->is_html && !ref->passthrough && w->pl->text_needs_html) {
            batch_eventf(b, p, -2, CHAFF_ERR_USAGE, b->path,
                         "page %s: the model needs HTML input (it uses the page structure); "
                         "this page is text",
                         b->arena + ref->id);
            ref->failed = 1;
            continue;
        }
        if (grow(&b->results, &b->results_cap, b->nresults + nparas + 1, sizeof(*b->results)) != 0)
            goto nomem_out;
        ref->res0 = b->nresults;
        struct chaff_result *res = b->results + ref->res0;
        if (nparas > 0 &&
            chaff_classify_page_structured(use_html ? w->cl_html : w->cl, paras, lens, nparas,
                                           structure, res, &err) != CHAFF_OK) {
            batch_eventf(b, p, -2, err.code, b->path, "page %s: %s", b->arena + ref->id,
                         err.msg[0] != '\0' ? err.msg : chaff_strerror(err.code));
            ref->failed = 1;
            continue;
        }
        b->nresults += nparas;
        if (out == NULL)
            continue;
        struct chaff_writer_options wopt = b->wopt;
        if (use_html)
            wopt.keep_mask = opt->html_keep_mask;
        const struct chaff_page page = page_of(b, ref, paras, lens, nparas, structure);
        ref->out0 = b->page_out0 = b->out_len;
        if (chaff_page_write(out, use_html ? opt->html_model : opt->model, &wopt, b->format, &page,
                             res, &err) != CHAFF_OK &&
            err.code != CHAFF_ERR_IO)
            batch_event(b, p, -2, &err);
        const int flushed = fflush(out);
        ref->out_file = b->page_file; /* NULL, or the page's whole output */
        b->page_file = NULL;
        if (flushed != 0)
            goto nomem_out;
        ref->out_len = b->out_len - ref->out0;
    }
    if (opt->timing)
        w->ns_classify += clock_ns() - t0;
    trim((void **)&w->paras, &w->paras_cap, sizeof(*w->paras), b->nparas);
    if (out != NULL && fclose(out) != 0)
        goto nomem;
    return;
nomem_out:
    if (out != NULL)
        fclose(out);
nomem:
    /* Nothing of the batch is handed out but the problem. */
    for (size_t p = 0; p < b->npages; p++)
        b->pages[p].failed = 1;
    if (b->tmp_errno != 0)
        batch_eventf(b, SIZE_MAX, -2, CHAFF_ERR_IO, b->path,
                     "cannot write the output of a long page to a temporary file in %s "
                     "(TMPDIR): %s; %zu pages not labelled",
                     chaff_tmpdir(), strerror(b->tmp_errno), b->npages);
    else
        batch_eventf(b, SIZE_MAX, -2, CHAFF_ERR_NOMEM, b->path,
                     "out of memory labelling %zu pages", b->npages);
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct chaff_pipeline *pl = w->pl;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (pl->todo_head == NULL && !pl->reader_done && !pl->abort)
            pthread_cond_wait(&pl->todo_cv, &pl->mu);
        struct batch *b = pl->todo_head;
        if (b == NULL) {
            pthread_mutex_unlock(&pl->mu);
            return NULL;
        }
        pl->todo_head = b->next;
        if (pl->todo_head == NULL)
            pl->todo_tail = NULL;
        pthread_mutex_unlock(&pl->mu);
        b->next = NULL;
        if (!aborted(pl))
            process(w, b);
        /* What the worker made waits for the host too: it counts against the budget now. */
        const size_t made = b->out_len + b->made_bytes + b->nmade * 2 * sizeof(size_t) +
                            b->nresults * sizeof(*b->results) + b->ntokens * sizeof(*b->tokens) +
                            b->nu32 * sizeof(*b->u32);
        pthread_mutex_lock(&pl->mu);
        b->cost += made;
        pl->inflight_bytes += made;
        b->next = pl->done;
        pl->done = b;
        pthread_cond_broadcast(&pl->done_cv);
        pthread_mutex_unlock(&pl->mu);
    }
}

/* ------------------------------------------------------------------ making and closing */

void chaff_pipeline_options_defaults(struct chaff_pipeline_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    opt->threads = 1;
    chaff_reader_options_defaults(&opt->reader);
    chaff_writer_options_defaults(&opt->writer);
}

static int pipeline_new(const struct chaff_pipeline_options *opt, struct chaff_pipeline **pl_out,
                        struct chaff_error *err)
{
    *pl_out = NULL;
    if (opt == NULL || opt->model == NULL)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "pipeline: no model given");
    if (opt->threads > 4096)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "pipeline: %u threads is too many (at most 4096)", opt->threads);
    struct chaff_pipeline *pl = calloc(1, sizeof(*pl));
    if (pl == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
    pl->opt = *opt;
    pl->nworkers = opt->threads > 0 ? opt->threads : 1;
    pl->text_needs_html = chaff_model_needs_html(opt->model);
    pl->budget = opt->max_inflight_bytes > 0 ? opt->max_inflight_bytes
                                             : BUDGET_SHARE * ((size_t)pl->nworkers + 1);
    pl->max_batches = 4 * (size_t)pl->nworkers + 4;
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->todo_cv, NULL);
    pthread_cond_init(&pl->space_cv, NULL);
    pthread_cond_init(&pl->done_cv, NULL);
    pl->workers = calloc(pl->nworkers, sizeof(*pl->workers));
    if (pl->workers == NULL) {
        chaff_pipeline_close(pl);
        return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
    }
    for (unsigned i = 0; i < pl->nworkers; i++) {
        struct worker *w = &pl->workers[i];
        w->pl = pl;
        w->cl = chaff_classifier_create(opt->model);
        if (opt->html_model != NULL)
            w->cl_html = chaff_classifier_create(opt->html_model);
        if (w->cl == NULL || (opt->html_model != NULL && w->cl_html == NULL)) {
            chaff_pipeline_close(pl);
            return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
        }
        if (opt->timing) {
            chaff_classifier_set_timing(w->cl, 1);
            if (w->cl_html != NULL)
                chaff_classifier_set_timing(w->cl_html, 1);
        }
    }
    *pl_out = pl;
    return CHAFF_OK;
}

static int start_workers(struct chaff_pipeline *pl, struct chaff_error *err)
{
    for (unsigned i = 0; i < pl->nworkers; i++) {
        int rc = pthread_create(&pl->workers[i].thread, NULL, worker_main, &pl->workers[i]);
        if (rc != 0)
            return chaff_error_set(err, CHAFF_ERR_IO, NULL, "cannot start a thread: %s",
                                   strerror(rc));
        pl->workers[i].started = 1;
    }
    return CHAFF_OK;
}

int chaff_pipeline_open_files(const struct chaff_pipeline_options *opt, const char *const *paths,
                              size_t npaths, struct chaff_pipeline **pl_out,
                              struct chaff_error *err)
{
    struct chaff_pipeline *pl = NULL;
    int rc = pipeline_new(opt, &pl, err);
    if (rc != CHAFF_OK)
        return rc;
    pl->paths = calloc(npaths + 1, sizeof(*pl->paths));
    if (pl->paths == NULL)
        goto nomem;
    for (size_t i = 0; i < npaths; i++) {
        if ((pl->paths[i] = strdup(paths[i])) == NULL)
            goto nomem;
        pl->npaths++;
    }
    if ((rc = start_workers(pl, err)) != CHAFF_OK) {
        chaff_pipeline_close(pl);
        return rc;
    }
    int prc = pthread_create(&pl->reader, NULL, reader_main, pl);
    if (prc != 0) {
        chaff_pipeline_close(pl);
        return chaff_error_set(err, CHAFF_ERR_IO, NULL, "cannot start a thread: %s", strerror(prc));
    }
    pl->reader_started = 1;
    *pl_out = pl;
    return CHAFF_OK;
nomem:
    chaff_pipeline_close(pl);
    return chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
}

int chaff_pipeline_create(const struct chaff_pipeline_options *opt, struct chaff_pipeline **pl_out,
                          struct chaff_error *err)
{
    struct chaff_pipeline *pl = NULL;
    int rc = pipeline_new(opt, &pl, err);
    if (rc != CHAFF_OK)
        return rc;
    pl->pushed = 1;
    if ((rc = start_workers(pl, err)) != CHAFF_OK) {
        chaff_pipeline_close(pl);
        return rc;
    }
    *pl_out = pl;
    return CHAFF_OK;
}

static void free_list(struct batch *b)
{
    while (b != NULL) {
        struct batch *next = b->next;
        batch_free(b);
        b = next;
    }
}

void chaff_pipeline_close(struct chaff_pipeline *pl)
{
    if (pl == NULL)
        return;
    pthread_mutex_lock(&pl->mu);
    pl->abort = 1;
    pthread_cond_broadcast(&pl->todo_cv);
    pthread_cond_broadcast(&pl->space_cv);
    pthread_cond_broadcast(&pl->done_cv);
    pthread_mutex_unlock(&pl->mu);
    if (pl->reader_started)
        pthread_join(pl->reader, NULL);
    for (unsigned i = 0; pl->workers != NULL && i < pl->nworkers; i++) {
        struct worker *w = &pl->workers[i];
        if (w->started)
            pthread_join(w->thread, NULL);
        chaff_classifier_free(w->cl);
        chaff_classifier_free(w->cl_html);
        chaff_html_free(w->hx);
        free(w->paras);
        free(w->made_paras);
    }
    free(pl->workers);
    free_list(pl->todo_head);
    free_list(pl->done);
    free_list(pl->spare);
    batch_free(pl->cur);
    batch_free(pl->in);
    for (size_t i = 0; i < pl->npaths; i++)
        free(pl->paths[i]);
    free(pl->paths);
    free(pl->item_paras);
    free(pl->split_paras);
    free(pl->split_lens);
    pthread_cond_destroy(&pl->done_cv);
    pthread_cond_destroy(&pl->space_cv);
    pthread_cond_destroy(&pl->todo_cv);
    pthread_mutex_destroy(&pl->mu);
    free(pl);
}

/* ------------------------------------------------------------------ pushing pages */

/* Seals the batch being filled if the budget has room, or always with 'force'. Returns 1 when
 * it was sealed (or there was none). */
static int push_seal(struct chaff_pipeline *pl, int force)
{
    struct batch *b = pl->in;
    if (b == NULL)
        return 1;
    b->cost = batch_input_cost(b);
    pthread_mutex_lock(&pl->mu);
    int ok = force || fits(pl, b->cost);
    if (ok) {
        seal_locked(pl, b);
        pl->in = NULL;
    }
    pthread_mutex_unlock(&pl->mu);
    return ok;
}

int chaff_pipeline_push(struct chaff_pipeline *pl, const struct chaff_page *page,
                        struct chaff_error *err)
{
    if (!pl->pushed) {
        chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                        "pipeline: pages cannot be pushed into a pipeline over files");
        return -1;
    }
    if (pl->in != NULL && batch_full(pl->in) && !push_seal(pl, 0))
        return 0;
    if (pl->in == NULL) {
        struct chaff_writer_options wopt = pl->opt.writer;
        pl->in = batch_new(pl, &wopt, CHAFF_FORMAT_TEXT, "");
        if (pl->in == NULL) {
            chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
            return -1;
        }
    }
    struct chaff_page copy = *page;
    if (!page->is_html || page->html == NULL) {
        copy.html = NULL;
        copy.charset = NULL;
    } else {
        copy.nparas = 0;
        copy.is_html = 1;
    }
    copy.raw = NULL;
    copy.payload = NULL;
    copy.fields = NULL;
    copy.passthrough = 0;
    copy.structure = NULL;
    copy.index = pl->npushed; /* its index among the pushed pages */
    const size_t npages = pl->in->npages, nparas = pl->in->nparas, len = pl->in->arena_len;
    if (batch_add_page(pl->in, &copy, NULL) != 0) {
        pl->in->npages = npages; /* undo the partial copy */
        pl->in->nparas = nparas;
        pl->in->arena_len = len;
        chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory for a page of %zu paragraphs",
                        page->nparas);
        return -1;
    }
    pl->npushed++;
    if (batch_full(pl->in))
        push_seal(pl, 0);
    return 1;
}

int chaff_pipeline_push_split(struct chaff_pipeline *pl, const char *id, const char *text,
                              size_t len, char sep, size_t nparas, struct chaff_error *err)
{
    size_t nsep = 0;
    for (const char *p = text, *end = text + len; (p = memchr(p, sep, (size_t)(end - p))) != NULL;
         p++)
        nsep++;
    if (nparas == 0 ? len != 0 : nsep != nparas - 1) {
        chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                        "pipeline: page %s: %zu separators for %zu paragraphs",
                        id != NULL ? id : "", nsep, nparas);
        return -1;
    }
    size_t cap = pl->split_cap;
    if (grow(&pl->split_paras, &cap, nparas + 1, sizeof(*pl->split_paras)) != 0) {
        chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
        return -1;
    }
    if (cap != pl->split_cap) {
        void *q = realloc(pl->split_lens, cap * sizeof(*pl->split_lens));
        if (q == NULL) {
            chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory");
            return -1;
        }
        pl->split_lens = q;
        pl->split_cap = cap;
    }
    const char **paras = pl->split_paras;
    size_t *lens = pl->split_lens;
    const char *p = text;
    for (size_t i = 0; i < nparas; i++) {
        const char *q = i + 1 < nparas ? memchr(p, sep, (size_t)(text + len - p)) : text + len;
        paras[i] = p;
        lens[i] = (size_t)(q - p);
        p = q + 1;
    }
    struct chaff_page page = {.id = id, .nparas = nparas, .paras = paras, .lens = lens};
    return chaff_pipeline_push(pl, &page, err);
}

/* ------------------------------------------------------------------ handing out */

/* Takes the next batch by sequence number into pl->cur, waiting for the workers. Returns 0 when
 * there is none. */
static int take_batch(struct chaff_pipeline *pl)
{
    if (pl->pushed && pl->in != NULL && pl->in->npages > 0) {
        pthread_mutex_lock(&pl->mu);
        int idle = pl->next_seq >= pl->nsealed;
        pthread_mutex_unlock(&pl->mu);
        if (idle)
            push_seal(pl, 1);
    }
    pthread_mutex_lock(&pl->mu);
    struct batch *b = NULL;
    for (;;) {
        struct batch **link;
        for (link = &pl->done; *link != NULL; link = &(*link)->next)
            if ((*link)->seq == pl->next_seq)
                break;
        if (*link != NULL) {
            b = *link;
            *link = b->next;
            b->next = NULL;
            pl->next_seq++;
            break;
        }
        if ((pl->pushed || pl->reader_done) && pl->next_seq >= pl->nsealed)
            break;
        if (pl->abort)
            break;
        pthread_cond_wait(&pl->done_cv, &pl->mu);
    }
    if (b == NULL) {
        /* Everything so far is handed out and the workers are idle: their counters are
         * complete. */
        struct chaff_pipeline_stats *st = &pl->stats;
        st->bytes = pl->bytes_in;
        st->in_bytes = pl->in_bytes;
        st->skipped = pl->skipped;
        st->bad = pl->bad;
        st->raw_bodies = pl->raw_bodies;
        st->ns_read = pl->ns_read;
        st->ns_batch = pl->ns_batch;
        st->ns_classify = 0;
        memset(&st->counters, 0, sizeof(st->counters));
        for (unsigned i = 0; i < pl->nworkers; i++) {
            st->ns_classify += pl->workers[i].ns_classify;
            for (int k = 0; k < 2; k++) {
                const struct chaff_classifier *cl =
                    k == 0 ? pl->workers[i].cl : pl->workers[i].cl_html;
                if (cl == NULL)
                    continue;
                const struct chaff_counters *c = chaff_classifier_counters(cl);
                st->counters.pages += c->pages;
                st->counters.paragraphs += c->paragraphs;
                st->counters.bytes += c->bytes;
                st->counters.invalid_bytes += c->invalid_bytes;
                st->counters.ns_normalize += c->ns_normalize;
                st->counters.ns_featurize += c->ns_featurize;
                st->counters.ns_score += c->ns_score;
            }
        }
    }
    pthread_mutex_unlock(&pl->mu);
    pl->cur = b;
    pl->cur_page = 0;
    pl->cur_stage = 0;
    pl->cur_ev = 0;
    return b != NULL;
}

/* Gives the handed-out batch back to the budget and the free list. */
static void release(struct chaff_pipeline *pl)
{
    struct batch *b = pl->cur;
    pl->cur = NULL;
    const size_t cost = b->cost;
    batch_reset(b);
    pthread_mutex_lock(&pl->mu);
    pl->inflight_bytes -= cost;
    pl->inflight_batches--;
    b->next = pl->spare;
    pl->spare = b;
    pthread_cond_broadcast(&pl->space_cv);
    pthread_mutex_unlock(&pl->mu);
}

static int fill_item(struct chaff_pipeline *pl, const struct batch *b, const struct page_ref *ref,
                     struct chaff_pipeline_item *item, struct chaff_error *err)
{
    const size_t n = ref->has_html ? ref->nmade : ref->nparas;
    if (grow(&pl->item_paras, &pl->item_paras_cap, n + 1, sizeof(*pl->item_paras)) != 0) {
        chaff_error_set(err, CHAFF_ERR_NOMEM, b->path, "out of memory");
        return -2;
    }
    const size_t *lens;
    if (ref->has_html) {
        for (size_t i = 0; i < n; i++)
            pl->item_paras[i] = b->made + b->made_off[ref->made0 + i];
        lens = b->made_lens + ref->made0;
    } else {
        for (size_t i = 0; i < n; i++)
            pl->item_paras[i] = b->arena + b->para_off[ref->para0 + i];
        lens = b->para_len + ref->para0;
    }
    const struct chaff_page_structure *structure = NULL;
    if (ref->has_structure) {
        pl->item_structure.tokens = b->tokens + ref->tok0;
        pl->item_structure.off = b->u32 + ref->off0;
        pl->item_structure.groups = ref->has_groups ? b->u32 + ref->grp0 : NULL;
        structure = &pl->item_structure;
    }
    pl->item_page = page_of(b, ref, pl->item_paras, lens, n, structure);
    pl->item_page.html = ref->has_html ? ref_html(b, ref) : NULL;
    pl->item_page.html_len = ref->html_len;
    item->page = &pl->item_page;
    item->results = b->results + ref->res0;
    item->model = ref->use_html ? pl->opt.html_model : pl->opt.model;
    item->input = b->path;
    item->format = pl->pushed && ref->is_html ? CHAFF_FORMAT_HTML : b->format;
    item->output = pl->opt.write ? b->out + ref->out0 : NULL;
    item->output_len = pl->opt.write ? ref->out_len : 0;
    item->output_file = pl->opt.write ? ref->out_file : NULL;
    if (item->output_file != NULL && fseeko(item->output_file, 0, SEEK_SET) != 0) {
        chaff_error_set(err, CHAFF_ERR_IO, b->path, "page %s: cannot read its output back",
                        b->arena + ref->id);
        return -2;
    }
    item->html_cut = ref->html_cut;
    item->in_bytes = b->consumed;
    if (!ref->passthrough && !ref->more) /* a page in parts counts once, at its last */
        pl->stats.pages++;
    pl->stats.paragraphs += n;
    for (size_t i = 0; i < n; i++)
        pl->stats.paragraph_bytes += chaff_page_para_len(&pl->item_page, i);
    return 1;
}

int chaff_pipeline_next(struct chaff_pipeline *pl, struct chaff_pipeline_item *item,
                        struct chaff_error *err)
{
    memset(item, 0, sizeof(*item));
    for (;;) {
        if (pl->cur == NULL && !take_batch(pl))
            return 0;
        struct batch *b = pl->cur;
        const size_t p = pl->cur_page;
        if (pl->cur_stage == 0) {
            pl->cur_stage = 1;
            pl->cur_ev = 0;
            if (p < b->npages && !b->pages[p].failed)
                return fill_item(pl, b, &b->pages[p], item, err);
        }
        const size_t after = p < b->npages ? p : SIZE_MAX;
        while (pl->cur_ev < b->nevents) {
            const struct event *e = &b->events[pl->cur_ev++];
            if (e->after == after) {
                if (err != NULL)
                    *err = e->err;
                return e->rc;
            }
        }
        if (p < b->npages) {
            pl->cur_page++;
            pl->cur_stage = 0;
        } else {
            release(pl);
        }
    }
}

void chaff_pipeline_stats(const struct chaff_pipeline *pl, struct chaff_pipeline_stats *st)
{
    *st = pl->stats;
    pthread_mutex_lock((pthread_mutex_t *)&pl->mu);
    st->bytes = pl->bytes_in;
    st->in_bytes = pl->in_bytes;
    st->skipped = pl->skipped;
    st->bad = pl->bad;
    st->cut = pl->cut;
    st->raw_bodies = pl->raw_bodies;
    pthread_mutex_unlock((pthread_mutex_t *)&pl->mu);
}
