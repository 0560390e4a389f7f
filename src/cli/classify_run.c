/*
 * classify_run.c - chaff classify's run over the library's pipeline (src/lib/pipeline/): the
 * pages come back labelled and written in input order; this file puts them on standard output,
 * prints the problems in order with them, and keeps the progress line and the totals.
 */
#include "classify_run.h"

#include "cli_util.h"

#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define MAX_LABELS 64

/* Pages of HTML of 1 MiB and more: see below. */
#define BIG_BLOCK_BYTES (1u << 20)

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

struct totals {
    uint64_t pages, consumed;
    uint64_t cut; /* pages of HTML cut at the element limit */
    int64_t total_size; /* sum of input sizes, or -1 when one is unknown */
    uint64_t label_counts[MAX_LABELS], html_label_counts[MAX_LABELS];
    uint64_t label_bytes[MAX_LABELS], html_label_bytes[MAX_LABELS];
};

/* Merges the per-label totals of both models by label name into 'labels' (PIPELINE_MAX_LABELS
 * entries); returns their number. */
static size_t label_totals(const struct pipeline_config *cfg, const struct totals *t,
                           struct pipeline_label_total *labels)
{
    size_t n = 0;
    size_t nlabels = chaff_model_nlabels(cfg->model);
    for (size_t i = 0; i < nlabels && i < MAX_LABELS; i++) {
        const char *name = chaff_model_label_name(cfg->model, i);
        labels[n] = (struct pipeline_label_total){name, t->label_counts[i], t->label_bytes[i]};
        int h = cfg->html_model != NULL ? chaff_model_label_index(cfg->html_model, name) : -1;
        if (h >= 0 && h < MAX_LABELS) {
            labels[n].paragraphs += t->html_label_counts[h];
            labels[n].bytes += t->html_label_bytes[h];
        }
        n++;
    }
    size_t nhtml = cfg->html_model != NULL ? chaff_model_nlabels(cfg->html_model) : 0;
    for (size_t i = 0; i < nhtml && i < MAX_LABELS; i++) {
        const char *name = chaff_model_label_name(cfg->html_model, i);
        if (chaff_model_label_index(cfg->model, name) < 0)
            labels[n++] = (struct pipeline_label_total){name, t->html_label_counts[i],
                                                        t->html_label_bytes[i]};
    }
    return n;
}

static void show_progress(const struct totals *t, double elapsed, int final)
{
    double mb = (double)t->consumed / 1e6;
    double rate = elapsed > 0 ? mb / elapsed : 0;
    double pps = elapsed > 0 ? (double)t->pages / elapsed : 0;
    char share[64] = "";
    if (t->total_size > 0) {
        double done = (double)t->consumed / (double)t->total_size;
        if (done > 1)
            done = 1;
        double eta = done > 0 ? elapsed * (1 - done) / done : 0;
        snprintf(share, sizeof(share), " of %.1f MB (%.1f%%), ETA %.0fs",
                 (double)t->total_size / 1e6, 100 * done, eta);
    }
    fprintf(stderr, "\rchaff: %.1f MB%s, %llu pages, %.0f pages/s, %.1f MB/s\033[K%s", mb, share,
            (unsigned long long)t->pages, pps, rate, final ? "\n" : "");
}

static int64_t total_size(char *const *paths, int npaths)
{
    int64_t total = 0;
    for (int i = 0; i < npaths && total >= 0; i++) {
        /* stat(), not open(): opening a FIFO would block, and closing it lose its data. */
        struct stat st;
        if (strcmp(paths[i], "-") == 0 || stat(paths[i], &st) != 0 || !S_ISREG(st.st_mode))
            total = -1;
        else
            total += (int64_t)st.st_size;
    }
    return total;
}

/* Copies the temporary file 'f' (a FILE *, at its start) to 'out'. Returns 0 or -1. */
static int copy_file(void *f, FILE *out)
{
    char buf[1 << 16];
    size_t n;
    while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
        if (fwrite(buf, 1, n, out) != n)
            return -1;
    return ferror((FILE *)f) ? -1 : 0;
}

static void print_stats(const struct pipeline_config *cfg, const struct totals *t,
                        const struct chaff_pipeline_stats *st, double elapsed)
{
    fprintf(stderr,
            "chaff: %llu pages, %llu paragraphs, %llu paragraph bytes, %llu input bytes "
            "(decompressed), %llu records skipped, %llu malformed, %llu over a size limit, "
            "%.2f s, %.1f MB/s, %.0f pages/s\n",
            (unsigned long long)st->pages, (unsigned long long)st->paragraphs,
            (unsigned long long)st->paragraph_bytes, (unsigned long long)st->bytes,
            (unsigned long long)st->skipped, (unsigned long long)st->bad,
            (unsigned long long)(st->cut + t->cut), elapsed,
            elapsed > 0 ? (double)st->bytes / 1e6 / elapsed : 0,
            elapsed > 0 ? (double)st->pages / elapsed : 0);
    if (st->raw_bodies > 0)
        fprintf(stderr,
                "chaff: %llu HTML responses read as stored: their body was not in the "
                "Transfer-Encoding or Content-Encoding their HTTP head declares\n",
                (unsigned long long)st->raw_bodies);
    /* Paragraphs per label name, of both models. */
    struct pipeline_label_total labels[PIPELINE_MAX_LABELS];
    size_t nlabels = label_totals(cfg, t, labels);
    for (size_t i = 0; i < nlabels; i++)
        fprintf(stderr, "chaff:   %-12s %llu\n", labels[i].name,
                (unsigned long long)labels[i].paragraphs);
}

int pipeline_run(const struct pipeline_config *cfg, char *const *paths, int npaths)
{
    /* Batches are made in the reader thread and freed in this one: with one malloc arena per
     * thread, glibc keeps freed batch memory spread over the arenas and RSS creeps up with the
     * input's length. Two arenas keep it flat. */
    mallopt(M_ARENA_MAX, 2);
    /* HTML: a big page's tree (libxml2 makes ~6 bytes of tree per byte of HTML) must not leave
     * the heap it grew behind. A fixed threshold keeps blocks of 1 MB and more (the page copies)
     * out of the heap, which glibc's sliding threshold stops doing after the first big page. */
    mallopt(M_MMAP_THRESHOLD, BIG_BLOCK_BYTES);

    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = cfg->model;
    opt.html_model = cfg->html_model;
    opt.threads = cfg->threads > 0 ? cfg->threads : 1;
    opt.reader = cfg->ropt;
    opt.write = !cfg->discard;
    opt.writer = cfg->wopt;
    opt.writer.tsv_ids = cfg->tsv_ids_text;
    opt.html_keep_mask = cfg->html_keep_mask;
    opt.max_inflight_bytes = cfg->max_inflight_bytes;
    opt.timing = cfg->report != NULL;
    struct chaff_error err = {0};
    struct chaff_pipeline *pl = NULL;
    if (chaff_pipeline_open_files(&opt, (const char *const *)paths, (size_t)npaths, &pl, &err) !=
        CHAFF_OK) {
        cli_msg_error(&err);
        return CLI_EXIT_DATA;
    }

    struct totals t;
    memset(&t, 0, sizeof(t));
    t.total_size = total_size(paths, npaths);
    FILE *out = cfg->out != NULL ? cfg->out : stdout;
    int status = CLI_EXIT_OK, write_failed = 0;
    double start = now_seconds(), last_progress = 0;
    struct chaff_pipeline_item item;
    int rc;
    while ((rc = chaff_pipeline_next(pl, &item, &err)) != 0) {
        if (rc < 0) {
            fflush(out);
            if (cfg->progress)
                fputs("\r\033[K", stderr);
            cli_msg_error(&err);
            if (rc == -2 || !cfg->skip_bad)
                status = CLI_EXIT_DATA;
            continue;
        }
        if (item.output_len > 0 && fwrite(item.output, 1, item.output_len, out) != item.output_len)
            write_failed = 1;
        if (item.output_file != NULL && copy_file(item.output_file, out) != 0)
            write_failed = 1;
        if (ferror(out))
            write_failed = 1;
        if (write_failed)
            break; /* the message comes from cli_finish_output() */
        if (item.html_cut > 0) {
            fflush(out);
            if (cfg->progress)
                fputs("\r\033[K", stderr);
            cli_msg("%s: page %s: HTML cut after %llu elements, %llu bytes left out "
                    "(--max-elements)",
                    item.input, item.page->id,
                    (unsigned long long)(cfg->ropt.max_html_elements > 0
                                             ? cfg->ropt.max_html_elements
                                             : CHAFF_HTML_MAX_ELEMENTS_DEFAULT),
                    (unsigned long long)item.html_cut);
            t.cut++;
            status = CLI_EXIT_DATA; /* the limit, not the input, lost them: even --skip-bad */
        }
        if (!item.page->passthrough && !item.page->more)
            t.pages++;
        t.consumed = item.in_bytes;
        uint64_t *counts = item.model == cfg->model ? t.label_counts : t.html_label_counts;
        uint64_t *bytes = item.model == cfg->model ? t.label_bytes : t.html_label_bytes;
        for (size_t i = 0; i < item.page->nparas; i++)
            if (item.results[i].label < MAX_LABELS) {
                counts[item.results[i].label]++;
                bytes[item.results[i].label] += chaff_page_para_len(item.page, i);
            }
        if (cfg->progress) {
            double now = now_seconds();
            if (now - last_progress >= 0.25) {
                show_progress(&t, now - start, 0);
                last_progress = now;
            }
        }
    }
    struct chaff_pipeline_stats st;
    chaff_pipeline_stats(pl, &st);
    chaff_pipeline_close(pl);
    double elapsed = now_seconds() - start;
    if (cfg->progress)
        show_progress(&t, elapsed, 1);
    if (cfg->stats)
        print_stats(cfg, &t, &st, elapsed);
    if (write_failed)
        status |= CLI_EXIT_DATA;
    if (st.cut + t.cut > 0)
        status |= CLI_EXIT_DATA; /* records skipped for a size limit: even with --skip-bad */
    if (cfg->report != NULL)
        *cfg->report = st;
    if (cfg->totals != NULL) {
        struct pipeline_totals *r = cfg->totals;
        memset(r, 0, sizeof(*r));
        r->pages = st.pages;
        r->paragraphs = st.paragraphs;
        r->paragraph_bytes = st.paragraph_bytes;
        r->bytes = st.bytes;
        r->in_bytes = st.in_bytes;
        r->nlabels = label_totals(cfg, &t, r->labels);
    }
    return status;
}
