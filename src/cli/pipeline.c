/*
 * pipeline.c - reading, classifying and writing concurrently, output in input order.
 *
 * The reader thread opens the inputs one after the other and copies their pages into batches
 * (reader buffers are reused, so a batch owns copies). A batch holds pages of one input only
 * and is sealed at about BATCH_BYTES of text, at the end of an input, and after an error, whose
 * message travels with the batch so that it is printed after the output that precedes it.
 * Workers each own a struct chaff_classifier over the shared model; they label a batch and
 * format its output into memory. The calling thread writes batches by sequence number.
 * Invariant: the bytes of the batches in flight (their input, and their output once formatted)
 * stay below the budget, except for a single batch larger than that, which then is the only
 * one in flight.
 * Batches are recycled through a free list with their buffers, so that a long run allocates
 * nothing after its first batches and its RSS does not creep up with the input's length;
 * buffers that one huge page made larger than KEEP_BYTES are freed instead of kept.
 */
#include "pipeline.h"

#include "cli_util.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <malloc.h>
#include <unistd.h>

#define BATCH_BYTES    (1u << 20)
#define BATCH_PAGES    1024
#define MAX_LABELS     64
/* Bytes in flight (input copied into batches, and their formatted output) per thread, plus one
 * share for the reader and writer: enough to keep the workers busy (measured: no slower than
 * 16 MiB on WET, 100 MB in 3.5 s with 2 threads) and RSS under 40 MB for every output. */
#define BUDGET_SHARE ((size_t)2 << 20)
#define KEEP_BYTES     ((size_t)4 << 20)  /* largest buffer a recycled batch keeps */
/* A batch's output past this goes to a temporary file: a page whose paragraphs are in a spill
 * (chaff_page.spill) may write gigabytes. */
#define OUT_MEMORY_BYTES ((size_t)8 << 20)
/* An HTML page's tree takes up to ~80 bytes per byte of HTML (a page of <p> elements, measured)
 * while a worker makes its paragraphs: a page of BIG_HTML_BYTES or more counts that much
 * against the budget, so that such a page is the only batch in flight. */
#define BIG_HTML_BYTES  ((size_t)1 << 20)
#define BIG_HTML_WEIGHT 80

/* A page copied into a batch: offsets into the batch arena. */
struct page_ref {
    size_t id, url, raw, raw_len, payload, payload_len, fields;
    size_t html, html_len, charset; /* a page of HTML, to be made into paragraphs by a worker */
    size_t para0, nparas;
    uint64_t index, offset, lineno;
    int passthrough, has_raw, has_payload, has_fields, has_html, has_charset, is_html;
    struct chaff_spill *spill; /* a reference to the page's over-long paragraphs, or NULL */
    uint64_t para_base;        /* a page in parts: chaff_page.para_base, part and more */
    uint32_t part;
    int more;
};

struct batch {
    uint64_t seq;
    const char *path; /* the input, as given */
    enum chaff_format format;
    struct chaff_writer_options wopt;
    char *arena;
    size_t arena_len, arena_cap;
    struct page_ref *pages;
    size_t npages, pages_cap;
    size_t *para_off, *para_len;
    size_t nparas, paras_cap;
    size_t cost;    /* bytes counted against the budget */
    char *messages; /* "chaff: ..." lines to print after the output */
    size_t messages_len;
    int status;        /* exit status contribution */
    uint64_t consumed; /* input bytes consumed (all inputs) when the batch was sealed */
    /* filled by a worker */
    char *out;
    size_t out_len, out_cap;
    FILE *out_file; /* output past OUT_MEMORY_BYTES, in a temporary file (written after out) */
    uint64_t label_counts[MAX_LABELS];      /* by label of cfg->model */
    uint64_t html_label_counts[MAX_LABELS]; /* by label of cfg->html_model */
    uint64_t pages_done, paras_done, text_bytes;
    uint64_t cut;        /* HTML pages cut for the element limit */
    size_t html_weight;  /* big HTML pages: what their trees may take, counted in 'cost' */
    struct batch *next;
};

struct pipeline {
    const struct pipeline_config *cfg;
    char *const *paths;
    int npaths;
    pthread_mutex_t mu;
    pthread_cond_t todo_cv, space_cv, done_cv;
    struct batch *todo_head, *todo_tail; /* sealed batches waiting for a worker */
    struct batch *done;                  /* classified batches, any order */
    struct batch *spare;                 /* written batches, for reuse */
    uint64_t nsealed;                    /* batches sealed so far */
    int reader_done;
    int abort; /* writing failed: stop early */
    size_t inflight_bytes, inflight_batches, max_batches, budget;
    int64_t total_size;         /* sum of input sizes, or -1 when one is unknown */
    uint64_t bytes_in;          /* decompressed bytes read (all inputs) */
    uint64_t skipped, bad;      /* WARC records that are no pages; malformed records */
    uint64_t cut;               /* records skipped for a size limit: exit 1 even with
                                   --skip-bad (the limit, not the input, lost them) */
    uint64_t in_bytes;          /* input bytes as stored (all inputs) */
    uint64_t ns_read, ns_batch; /* reader thread time, with cfg->report */
    int text_needs_html;        /* cfg->model needs the structure of HTML pages */
};

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Drops the batch's references to spills and its output file. */
static void batch_release_files(struct batch *b)
{
    for (size_t p = 0; p < b->npages; p++) {
        chaff_spill_release(b->pages[p].spill);
        b->pages[p].spill = NULL;
    }
    if (b->out_file != NULL)
        fclose(b->out_file);
    b->out_file = NULL;
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
    free(b->messages);
    free(b->out);
    free(b);
}

/* Frees '*p' when its capacity (in bytes) is above KEEP_BYTES. */
static void trim(void **p, size_t *cap, size_t size)
{
    if (*cap * size > KEEP_BYTES) {
        free(*p);
        *p = NULL;
        *cap = 0;
    }
}

/* Empties a written batch, keeping its buffers for the next one. */
static void batch_reset(struct batch *b)
{
    batch_release_files(b);
    trim((void **)&b->arena, &b->arena_cap, 1);
    trim((void **)&b->pages, &b->pages_cap, sizeof(*b->pages));
    if (b->paras_cap * sizeof(size_t) > KEEP_BYTES) {
        free(b->para_off);
        free(b->para_len);
        b->para_off = b->para_len = NULL;
        b->paras_cap = 0;
    }
    trim((void **)&b->out, &b->out_cap, 1);
    free(b->messages);
    struct batch keep = *b;
    memset(b, 0, sizeof(*b));
    b->arena = keep.arena;
    b->arena_cap = keep.arena_cap;
    b->pages = keep.pages;
    b->pages_cap = keep.pages_cap;
    b->para_off = keep.para_off;
    b->para_len = keep.para_len;
    b->paras_cap = keep.paras_cap;
    b->out = keep.out;
    b->out_cap = keep.out_cap;
}

static int grow(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap > 0 ? *cap : 64;
    while (ncap < need)
        ncap *= 2;
    void *q = realloc(*p, ncap * size);
    if (q == NULL)
        return -1;
    *p = q;
    *cap = ncap;
    return 0;
}

/* Copies 'len' bytes into the arena with a NUL after them; returns the offset or SIZE_MAX. */
static size_t arena_put(struct batch *b, const char *data, size_t len)
{
    if (grow((void **)&b->arena, &b->arena_cap, b->arena_len + len + 1, 1) != 0)
        return SIZE_MAX;
    size_t off = b->arena_len;
    if (len > 0)
        memcpy(b->arena + off, data, len);
    b->arena[off + len] = '\0';
    b->arena_len += len + 1;
    return off;
}

static int batch_add_page(struct batch *b, const struct chaff_page *page)
{
    if (grow((void **)&b->pages, &b->pages_cap, b->npages + 1, sizeof(*b->pages)) != 0 ||
        grow((void **)&b->para_off, &b->paras_cap, b->nparas + page->nparas + 1,
             sizeof(size_t)) != 0) /* + 1: never realloc() to 0 bytes, which may give NULL */
        return -1;
    size_t cap = b->paras_cap; /* para_len follows para_off's capacity */
    void *q = realloc(b->para_len, cap * sizeof(size_t));
    if (q == NULL)
        return -1;
    b->para_len = q;
    struct page_ref *ref = &b->pages[b->npages];
    memset(ref, 0, sizeof(*ref));
    ref->id = arena_put(b, page->id, strlen(page->id));
    ref->url = arena_put(b, page->url, strlen(page->url));
    if (ref->id == SIZE_MAX || ref->url == SIZE_MAX)
        return -1;
    if (page->raw != NULL) {
        ref->raw = arena_put(b, page->raw, page->raw_len);
        ref->raw_len = page->raw_len;
        ref->has_raw = 1;
        if (ref->raw == SIZE_MAX)
            return -1;
    }
    if (page->fields != NULL) {
        ref->fields = arena_put(b, page->fields, strlen(page->fields));
        ref->has_fields = 1;
        if (ref->fields == SIZE_MAX)
            return -1;
    }
    if (page->html != NULL && page->html_len >= BIG_HTML_BYTES)
        b->html_weight += page->html_len * BIG_HTML_WEIGHT;
    if (page->html != NULL) {
        ref->html = arena_put(b, page->html, page->html_len);
        ref->html_len = page->html_len;
        ref->has_html = 1;
        if (ref->html == SIZE_MAX)
            return -1;
    }
    if (page->charset != NULL) {
        ref->charset = arena_put(b, page->charset, strlen(page->charset));
        ref->has_charset = 1;
        if (ref->charset == SIZE_MAX)
            return -1;
    }
    ref->is_html = page->is_html;
    if (page->passthrough && page->payload != NULL) {
        ref->payload = arena_put(b, page->payload, page->payload_len);
        ref->payload_len = page->payload_len;
        ref->has_payload = 1;
        if (ref->payload == SIZE_MAX)
            return -1;
    }
    ref->para0 = b->nparas;
    ref->nparas = page->nparas;
    for (size_t i = 0; i < page->nparas; i++) {
        size_t off = arena_put(b, page->paras[i], page->lens[i]);
        if (off == SIZE_MAX)
            return -1;
        b->para_off[b->nparas] = off;
        b->para_len[b->nparas] = page->lens[i];
        b->nparas++;
    }
    ref->index = page->index;
    ref->offset = page->offset;
    ref->lineno = page->lineno;
    ref->passthrough = page->passthrough;
    ref->spill = page->spill;
    chaff_spill_retain(ref->spill);
    ref->para_base = page->para_base;
    ref->part = page->part;
    ref->more = page->more;
    b->npages++;
    return 0;
}

static void batch_message(struct batch *b, const char *format, ...)
    __attribute__((format(printf, 2, 3)));

static void batch_message(struct batch *b, const char *format, ...)
{
    char line[700];
    va_list ap;
    va_start(ap, format);
    int n = vsnprintf(line, sizeof(line), format, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(line))
        n = sizeof(line) - 1;
    char *p = realloc(b->messages, b->messages_len + (size_t)n + 1);
    if (p == NULL)
        return;
    memcpy(p + b->messages_len, line, (size_t)n + 1);
    b->messages = p;
    b->messages_len += (size_t)n;
}

static void batch_error(struct batch *b, const struct chaff_error *err)
{
    const char *msg = err->msg[0] != '\0' ? err->msg : chaff_strerror(err->code);
    if (err->where[0] != '\0')
        batch_message(b, "chaff: %s: %s\n", err->where, msg);
    else
        batch_message(b, "chaff: %s\n", msg);
}

/* ------------------------------------------------------------------ reader thread */

static struct batch *batch_new(struct pipeline *pl, const struct chaff_writer_options *wopt,
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

/* Hands a batch to the workers, after waiting for room in the budget. 'b' may be empty (it
 * then only carries messages). */
static void seal(struct pipeline *pl, struct batch *b, uint64_t consumed)
{
    b->cost = b->arena_len + b->nparas * 2 * sizeof(size_t) + b->npages * sizeof(struct page_ref) +
              b->html_weight;
    b->consumed = consumed;
    pthread_mutex_lock(&pl->mu);
    while (!pl->abort && pl->inflight_batches > 0 &&
           (pl->inflight_bytes + b->cost > pl->budget || pl->inflight_batches >= pl->max_batches))
        pthread_cond_wait(&pl->space_cv, &pl->mu);
    b->seq = pl->nsealed++;
    pl->inflight_bytes += b->cost;
    pl->inflight_batches++;
    if (pl->todo_tail != NULL)
        pl->todo_tail->next = b;
    else
        pl->todo_head = b;
    pl->todo_tail = b;
    pthread_cond_signal(&pl->todo_cv);
    pthread_mutex_unlock(&pl->mu);
}

static int aborted(struct pipeline *pl)
{
    pthread_mutex_lock(&pl->mu);
    int a = pl->abort;
    pthread_mutex_unlock(&pl->mu);
    return a;
}

static void *reader_main(void *arg)
{
    struct pipeline *pl = arg;
    const struct pipeline_config *cfg = pl->cfg;
    uint64_t consumed_before = 0; /* input bytes of the inputs already read */
    const int timed = cfg->report != NULL;
    uint64_t ns_read = 0, ns_batch = 0, t0 = 0, t1 = 0;
    /* HTML is made into paragraphs by the workers, the costly part of reading it. */
    struct chaff_reader_options ropt = cfg->ropt;
    ropt.defer_html = 1;
    for (int f = 0; f < pl->npaths && !aborted(pl); f++) {
        const char *path = pl->paths[f];
        struct chaff_error err = {0};
        struct chaff_reader *reader = NULL;
        struct chaff_writer_options wopt = cfg->wopt;
        struct batch *b = NULL;
        if (chaff_reader_open(path, &ropt, &reader, &err) != CHAFF_OK) {
            b = batch_new(pl, &wopt, CHAFF_FORMAT_TEXT, path);
            if (b == NULL)
                break;
            batch_error(b, &err);
            b->status = CLI_EXIT_DATA;
            seal(pl, b, consumed_before);
            continue;
        }
        enum chaff_format format = chaff_reader_format(reader);
        if (pl->text_needs_html && (format == CHAFF_FORMAT_TEXT || format == CHAFF_FORMAT_JSONL)) {
            /* Every page would fail: say so once. */
            b = batch_new(pl, &wopt, format, path);
            if (b == NULL)
                break;
            batch_message(b,
                          "chaff: %s: the model needs HTML input (it uses the page structure); "
                          "this is %s input\n",
                          path, format == CHAFF_FORMAT_TEXT ? "text" : "JSONL");
            b->status = CLI_EXIT_DATA;
            seal(pl, b, consumed_before);
            chaff_reader_close(reader);
            continue;
        }
        /* .html files are one page each, as text files: 3-column tsv unless asked. */
        wopt.tsv_ids = (format != CHAFF_FORMAT_TEXT && format != CHAFF_FORMAT_HTML) ||
                       cfg->tsv_ids_text;
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
                batch_error(b, &err);
                if (rc == -2 || !cfg->skip_bad)
                    b->status = CLI_EXIT_DATA;
                chaff_reader_stats(reader, &st);
                seal(pl, b, consumed_before + st.in_bytes);
                b = rc == -2 ? NULL : batch_new(pl, &wopt, format, path);
                if (rc == -2 || aborted(pl))
                    break;
                continue;
            }
            if (batch_add_page(b, &page) != 0) {
                batch_message(b, "chaff: %s: out of memory for a page of %zu paragraphs\n", path,
                              page.nparas);
                b->status = CLI_EXIT_DATA;
                break;
            }
            if (timed)
                ns_batch += clock_ns() - t1;
            if (b->arena_len >= BATCH_BYTES || b->npages >= BATCH_PAGES) {
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

struct worker {
    struct pipeline *pl;
    struct chaff_classifier *cl;      /* over cfg->model */
    struct chaff_classifier *cl_html; /* over cfg->html_model, or NULL */
    struct chaff_html *hx;            /* made at the first HTML page */
    struct chaff_result *results;
    size_t results_cap;
    struct chaff_result *hresults; /* of the HTML page at hand */
    size_t hresults_cap;
    const char **paras;
    size_t paras_cap;
    uint64_t ns_classify; /* with cfg->report */
    pthread_t thread;
    int started;
};

/* The output of a batch goes to its reusable buffer 'out' through a stdio stream. */
static ssize_t batch_out_write(void *cookie, const char *data, size_t len)
{
    struct batch *b = cookie;
    if (b->out_file != NULL || b->out_len + len > OUT_MEMORY_BYTES) {
        /* Pages with paragraphs in a spill write more than memory should hold. */
        if (b->out_file == NULL && (b->out_file = tmpfile()) == NULL)
            return -1;
        return fwrite(data, 1, len, b->out_file) == len ? (ssize_t)len : -1;
    }
    if (grow((void **)&b->out, &b->out_cap, b->out_len + len, 1) != 0) {
        errno = ENOMEM;
        return -1;
    }
    memcpy(b->out + b->out_len, data, len);
    b->out_len += len;
    return (ssize_t)len;
}

static const cookie_io_functions_t batch_out_io = {.write = batch_out_write};

/* After an HTML page of TRIM_PAGE_BYTES or more, the heap is trimmed when more than
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

static void process(struct worker *w, struct batch *b)
{
    const struct pipeline_config *cfg = w->pl->cfg;
    struct chaff_error err = {0};
    if (grow((void **)&w->paras, &w->paras_cap, b->nparas + 1, sizeof(*w->paras)) != 0 ||
        grow((void **)&w->results, &w->results_cap, b->nparas + 1, sizeof(*w->results)) != 0)
        goto nomem;
    for (size_t i = 0; i < b->nparas; i++)
        w->paras[i] = b->arena + b->para_off[i];
    b->out_len = 0;
    FILE *out = cfg->discard ? NULL : fopencookie(b, "w", batch_out_io);
    if (out == NULL && !cfg->discard)
        goto nomem;
    const uint64_t t0 = cfg->report != NULL ? clock_ns() : 0;
    for (size_t p = 0; p < b->npages; p++) {
        const struct page_ref *ref = &b->pages[p];
        const char *const *paras = w->paras + ref->para0;
        const size_t *lens = b->para_len + ref->para0;
        struct chaff_result *res = w->results + ref->para0;
        size_t nparas = ref->nparas;
        const struct chaff_page_structure *structure = NULL;
        if (ref->has_html) {
            /* Made into paragraphs here, not in the reader thread: it costs more than
             * classifying them. */
            struct chaff_page hp = {0};
            if (w->hx == NULL && (w->hx = chaff_html_create()) != NULL)
                chaff_html_set_max_elements(w->hx, cfg->ropt.max_html_elements);
            if (w->hx == NULL ||
                chaff_html_extract(w->hx, b->arena + ref->html, ref->html_len,
                                   ref->has_charset ? b->arena + ref->charset : NULL, &hp,
                                   &err) != CHAFF_OK ||
                grow((void **)&w->hresults, &w->hresults_cap, hp.nparas + 1,
                     sizeof(*w->hresults)) != 0) {
                batch_message(b, "chaff: %s: page %s: out of memory making its paragraphs\n",
                              b->path, b->arena + ref->id);
                b->status = CLI_EXIT_DATA;
                continue;
            }
            if (chaff_html_cut(w->hx) > 0) {
                batch_message(b,
                              "chaff: %s: page %s: HTML cut after %llu elements, %llu bytes "
                              "left out (--max-elements)\n",
                              b->path, b->arena + ref->id,
                              (unsigned long long)(cfg->ropt.max_html_elements > 0
                                                       ? cfg->ropt.max_html_elements
                                                       : CHAFF_HTML_MAX_ELEMENTS_DEFAULT),
                              (unsigned long long)chaff_html_cut(w->hx));
                b->status = CLI_EXIT_DATA;
                b->cut++;
            }
            paras = hp.paras;
            lens = hp.lens;
            nparas = hp.nparas;
            structure = hp.structure;
            res = w->hresults;
        }
        if (ref->has_html && ref->html_len >= TRIM_PAGE_BYTES)
            trim_heap();
        /* The HTML model for pages read from HTML, when there is one. */
        const int use_html = ref->is_html && w->cl_html != NULL;
        const struct chaff_model *model = use_html ? cfg->html_model : cfg->model;
        struct chaff_writer_options wopt = b->wopt;
        if (use_html)
            wopt.keep_mask = cfg->html_keep_mask;
        if (!ref->is_html && !ref->passthrough && w->pl->text_needs_html) {
            batch_message(b,
                          "chaff: %s: page %s: the model needs HTML input (it uses the page "
                          "structure); this page is text\n",
                          b->path, b->arena + ref->id);
            b->status = CLI_EXIT_DATA;
            continue;
        }
        struct chaff_page page = {
            .id = b->arena + ref->id,
            .nparas = ref->nparas,
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
        page.nparas = nparas;
        if (nparas > 0 && chaff_classify_page_structured(use_html ? w->cl_html : w->cl, paras,
                                                         lens, nparas, structure, res,
                                                         &err) != CHAFF_OK) {
            batch_message(b, "chaff: %s: page %s: %s\n", b->path, page.id,
                          err.msg[0] != '\0' ? err.msg : chaff_strerror(err.code));
            b->status = CLI_EXIT_DATA;
            continue;
        }
        if (!ref->passthrough && !ref->more)
            b->pages_done++;
        b->paras_done += nparas;
        uint64_t *counts = use_html ? b->html_label_counts : b->label_counts;
        for (size_t i = 0; i < nparas; i++) {
            if (res[i].label < MAX_LABELS)
                counts[res[i].label]++;
            b->text_bytes += chaff_page_para_len(&page, i);
        }
        if (out != NULL &&
            chaff_page_write(out, model, &wopt, b->format, &page, res, &err) != CHAFF_OK &&
            err.code != CHAFF_ERR_IO) {
            batch_error(b, &err);
            b->status = CLI_EXIT_DATA;
        }
        if (ref->has_html && ref->html_len >= BIG_HTML_BYTES) {
            /* The HTML reader's buffers grew to the page (lines, elements, structure): each
             * worker would keep its biggest page's. They are made anew for the next page. */
            chaff_html_free(w->hx);
            w->hx = NULL;
            trim_heap();
        }
    }
    if (cfg->report != NULL)
        w->ns_classify += clock_ns() - t0;
    trim((void **)&w->paras, &w->paras_cap, sizeof(*w->paras));
    trim((void **)&w->results, &w->results_cap, sizeof(*w->results));
    trim((void **)&w->hresults, &w->hresults_cap, sizeof(*w->hresults));
    if (out != NULL && fclose(out) != 0)
        goto nomem;
    return;
nomem:
    batch_message(b, "chaff: out of memory formatting %zu pages\n", b->npages);
    b->status = CLI_EXIT_DATA;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    struct pipeline *pl = w->pl;
    for (;;) {
        pthread_mutex_lock(&pl->mu);
        while (pl->todo_head == NULL && !pl->reader_done)
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
        pthread_mutex_lock(&pl->mu);
        /* The output waits for the writer too: it counts against the budget from now on. */
        b->cost += b->out_len;
        pl->inflight_bytes += b->out_len;
        b->next = pl->done;
        pl->done = b;
        pthread_cond_broadcast(&pl->done_cv);
        pthread_mutex_unlock(&pl->mu);
    }
}

/* ------------------------------------------------------------------ writer (calling thread) */

/* Copies the temporary file 'f' from its start to 'out'. Returns 0 or -1. */
static int copy_file(FILE *f, FILE *out)
{
    char buf[1 << 16];
    size_t n;
    if (fflush(f) != 0 || fseeko(f, 0, SEEK_SET) != 0)
        return -1;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return -1;
    return ferror(f) ? -1 : 0;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct totals {
    uint64_t pages, paras, text_bytes, consumed;
    uint64_t cut; /* HTML pages cut by the workers */
    uint64_t label_counts[MAX_LABELS], html_label_counts[MAX_LABELS];
};

static void show_progress(const struct pipeline *pl, const struct totals *t, double elapsed,
                          int final)
{
    double mb = (double)t->consumed / 1e6;
    double rate = elapsed > 0 ? mb / elapsed : 0;
    double pps = elapsed > 0 ? (double)t->pages / elapsed : 0;
    char share[64] = "";
    if (pl->total_size > 0) {
        double done = (double)t->consumed / (double)pl->total_size;
        if (done > 1)
            done = 1;
        double eta = done > 0 ? elapsed * (1 - done) / done : 0;
        snprintf(share, sizeof(share), " of %.1f MB (%.1f%%), ETA %.0fs",
                 (double)pl->total_size / 1e6, 100 * done, eta);
    }
    fprintf(stderr, "\rchaff: %.1f MB%s, %llu pages, %.0f pages/s, %.1f MB/s\033[K%s", mb, share,
            (unsigned long long)t->pages, pps, rate, final ? "\n" : "");
}

int pipeline_run(const struct pipeline_config *cfg, char *const *paths, int npaths)
{
    struct pipeline pl;
    memset(&pl, 0, sizeof(pl));
    pl.cfg = cfg;
    pl.paths = paths;
    pl.npaths = npaths;
    pl.text_needs_html = chaff_model_needs_html(cfg->model);
    pl.budget = cfg->max_inflight_bytes > 0 ? cfg->max_inflight_bytes
                                             : BUDGET_SHARE * ((size_t)cfg->threads + 1);
    pl.max_batches = 4 * (size_t)cfg->threads + 4;
    /* Batches are made in the reader thread and freed in the writer: with one malloc arena per
     * thread, glibc keeps freed batch memory spread over the arenas and RSS creeps up with the
     * input's length. Two arenas keep it flat. */
    mallopt(M_ARENA_MAX, 2);
    /* HTML: a big page's tree (libxml2 makes ~6 bytes of tree per byte of HTML) must not leave
     * the heap it grew behind. A fixed threshold keeps blocks of 1 MB and more (the page copies)
     * out of the heap, which glibc's sliding threshold stops doing after the first big page. */
    mallopt(M_MMAP_THRESHOLD, TRIM_PAGE_BYTES);
    pl.total_size = 0;
    for (int i = 0; i < npaths && pl.total_size >= 0; i++) {
        FILE *f = strcmp(paths[i], "-") == 0 ? NULL : fopen(paths[i], "rb");
        if (f == NULL || fseeko(f, 0, SEEK_END) != 0)
            pl.total_size = -1;
        else
            pl.total_size += (int64_t)ftello(f);
        if (f != NULL)
            fclose(f);
    }
    pthread_mutex_init(&pl.mu, NULL);
    pthread_cond_init(&pl.todo_cv, NULL);
    pthread_cond_init(&pl.space_cv, NULL);
    pthread_cond_init(&pl.done_cv, NULL);

    int status = CLI_EXIT_OK;
    unsigned nworkers = cfg->threads > 0 ? cfg->threads : 1;
    struct worker *workers = calloc(nworkers, sizeof(*workers));
    if (workers == NULL) {
        cli_msg("out of memory");
        return CLI_EXIT_DATA;
    }
    for (unsigned i = 0; i < nworkers; i++) {
        workers[i].pl = &pl;
        workers[i].cl = chaff_classifier_create(cfg->model);
        if (cfg->html_model != NULL)
            workers[i].cl_html = chaff_classifier_create(cfg->html_model);
        if (workers[i].cl == NULL || (cfg->html_model != NULL && workers[i].cl_html == NULL)) {
            cli_msg("out of memory");
            status = CLI_EXIT_DATA;
            goto out;
        }
        if (cfg->report != NULL) {
            chaff_classifier_set_timing(workers[i].cl, 1);
            if (workers[i].cl_html != NULL)
                chaff_classifier_set_timing(workers[i].cl_html, 1);
        }
    }
    pthread_t reader;
    if (pthread_create(&reader, NULL, reader_main, &pl) != 0) {
        cli_msg("cannot start a thread: %s", strerror(errno));
        status = CLI_EXIT_DATA;
        goto out;
    }
    for (unsigned i = 0; i < nworkers; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_main, &workers[i]) == 0)
            workers[i].started = 1;
    }
    if (!workers[0].started) {
        cli_msg("cannot start a thread: %s", strerror(errno));
        status = CLI_EXIT_DATA;
        pthread_mutex_lock(&pl.mu);
        pl.abort = 1;
        pthread_mutex_unlock(&pl.mu);
    }

    struct totals t;
    memset(&t, 0, sizeof(t));
    double start = now_seconds(), last_progress = 0;
    int write_failed = 0;
    for (uint64_t next = 0;; next++) {
        pthread_mutex_lock(&pl.mu);
        struct batch *b = NULL, **link;
        for (;;) {
            for (link = &pl.done; *link != NULL; link = &(*link)->next)
                if ((*link)->seq == next)
                    break;
            if (*link != NULL) {
                b = *link;
                *link = b->next;
                break;
            }
            if (pl.reader_done && next >= pl.nsealed)
                break;
            if (!workers[0].started) /* nobody would ever classify */
                break;
            pthread_cond_wait(&pl.done_cv, &pl.mu);
        }
        pthread_mutex_unlock(&pl.mu);
        if (b == NULL)
            break;
        if (!write_failed && b->out_len > 0 && fwrite(b->out, 1, b->out_len, stdout) != b->out_len)
            write_failed = 1;
        if (!write_failed && b->out_file != NULL && copy_file(b->out_file, stdout) != 0)
            write_failed = 1;
        if (b->messages_len > 0) {
            fflush(stdout);
            if (cfg->progress)
                fputs("\r\033[K", stderr);
            fputs(b->messages, stderr);
        }
        status |= b->status;
        t.cut += b->cut;
        t.pages += b->pages_done;
        t.paras += b->paras_done;
        t.text_bytes += b->text_bytes;
        t.consumed = b->consumed;
        for (size_t i = 0; i < MAX_LABELS; i++)
        {
            t.label_counts[i] += b->label_counts[i];
            t.html_label_counts[i] += b->html_label_counts[i];
        }
        if (ferror(stdout) && !write_failed)
            write_failed = 1;
        const size_t cost = b->cost;
        batch_reset(b);
        pthread_mutex_lock(&pl.mu);
        pl.inflight_bytes -= cost;
        pl.inflight_batches--;
        if (write_failed)
            pl.abort = 1;
        b->next = pl.spare;
        pl.spare = b;
        pthread_cond_broadcast(&pl.space_cv);
        pthread_mutex_unlock(&pl.mu);
        if (cfg->progress) {
            double now = now_seconds();
            if (now - last_progress >= 0.25) {
                show_progress(&pl, &t, now - start, 0);
                last_progress = now;
            }
        }
    }
    pthread_join(reader, NULL);
    for (unsigned i = 0; i < nworkers; i++)
        if (workers[i].started)
            pthread_join(workers[i].thread, NULL);
    /* Batches left when writing failed. */
    while (pl.todo_head != NULL) {
        struct batch *b = pl.todo_head;
        pl.todo_head = b->next;
        batch_free(b);
    }
    while (pl.done != NULL) {
        struct batch *b = pl.done;
        pl.done = b->next;
        batch_free(b);
    }
    while (pl.spare != NULL) {
        struct batch *b = pl.spare;
        pl.spare = b->next;
        batch_free(b);
    }
    double elapsed = now_seconds() - start;
    if (cfg->progress)
        show_progress(&pl, &t, elapsed, 1);
    if (cfg->stats) {
        fprintf(stderr,
                "chaff: %llu pages, %llu paragraphs, %llu paragraph bytes, %llu input bytes "
                "(decompressed), %llu records skipped, %llu malformed, %llu over a size limit, "
                "%.2f s, %.1f MB/s, %.0f pages/s\n",
                (unsigned long long)t.pages, (unsigned long long)t.paras,
                (unsigned long long)t.text_bytes, (unsigned long long)pl.bytes_in,
                (unsigned long long)pl.skipped, (unsigned long long)pl.bad,
                (unsigned long long)(pl.cut + t.cut), elapsed,
                elapsed > 0 ? (double)pl.bytes_in / 1e6 / elapsed : 0,
                elapsed > 0 ? (double)t.pages / elapsed : 0);
        /* Paragraphs per label name, of both models. */
        size_t nlabels = chaff_model_nlabels(cfg->model);
        for (size_t i = 0; i < nlabels && i < MAX_LABELS; i++) {
            const char *name = chaff_model_label_name(cfg->model, i);
            uint64_t n = t.label_counts[i];
            int h = cfg->html_model != NULL ? chaff_model_label_index(cfg->html_model, name) : -1;
            if (h >= 0 && h < MAX_LABELS)
                n += t.html_label_counts[h];
            fprintf(stderr, "chaff:   %-12s %llu\n", name, (unsigned long long)n);
        }
        size_t nhtml = cfg->html_model != NULL ? chaff_model_nlabels(cfg->html_model) : 0;
        for (size_t i = 0; i < nhtml && i < MAX_LABELS; i++) {
            const char *name = chaff_model_label_name(cfg->html_model, i);
            if (chaff_model_label_index(cfg->model, name) < 0)
                fprintf(stderr, "chaff:   %-12s %llu\n", name,
                        (unsigned long long)t.html_label_counts[i]);
        }
    }
    if (write_failed)
        status |= CLI_EXIT_DATA; /* the message comes from cli_finish_output() */
    if (pl.cut + t.cut > 0)
        status |= CLI_EXIT_DATA;
    if (cfg->report != NULL) {
        struct pipeline_report *r = cfg->report;
        memset(r, 0, sizeof(*r));
        r->pages = t.pages;
        r->paragraphs = t.paras;
        r->paragraph_bytes = t.text_bytes;
        r->bytes = pl.bytes_in;
        r->in_bytes = pl.in_bytes;
        r->ns_read = pl.ns_read;
        r->ns_batch = pl.ns_batch;
        for (unsigned i = 0; i < nworkers; i++) {
            r->ns_classify += workers[i].ns_classify;
            for (int k = 0; k < 2; k++) {
                const struct chaff_classifier *cl = k == 0 ? workers[i].cl : workers[i].cl_html;
                if (cl == NULL)
                    continue;
                const struct chaff_counters *c = chaff_classifier_counters(cl);
                r->counters.pages += c->pages;
                r->counters.paragraphs += c->paragraphs;
                r->counters.bytes += c->bytes;
                r->counters.invalid_bytes += c->invalid_bytes;
                r->counters.ns_normalize += c->ns_normalize;
                r->counters.ns_featurize += c->ns_featurize;
                r->counters.ns_score += c->ns_score;
            }
        }
    }
out:
    for (unsigned i = 0; i < nworkers; i++) {
        chaff_classifier_free(workers[i].cl);
        chaff_classifier_free(workers[i].cl_html);
        chaff_html_free(workers[i].hx);
        free(workers[i].hresults);
        free(workers[i].results);
        free(workers[i].paras);
    }
    free(workers);
    pthread_cond_destroy(&pl.done_cv);
    pthread_cond_destroy(&pl.space_cv);
    pthread_cond_destroy(&pl.todo_cv);
    pthread_mutex_destroy(&pl.mu);
    return status;
}
