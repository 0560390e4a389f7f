/*
 * cmd_bench.c - "chaff bench": does classify's work on its inputs without the output, and
 * reports how fast: pages, paragraphs, decompressed MB, seconds, MB/s, paragraphs/s, pages/s,
 * peak RSS, and the time per stage (read and decompress, normalise, featurise, score).
 *
 * With one thread, reading and classifying run in the calling thread, so the figures are those
 * of one core and the stages add up to the wall time. With N > 1 threads the pages go through
 * classify's own pipeline (pipeline.c: a reader thread, N classifier threads) with its output
 * discarded, and the stages are thread time summed over the threads.
 */
#include "cli_util.h"
#include "classify_run.h"

#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPEAT 1000

static const char bench_usage[] =
    "Usage: chaff bench [OPTIONS] ARCHIVE...\n"
    "\n"
    "Reads and classifies its inputs exactly as 'chaff classify' does (text, JSONL or WARC/WET;\n"
    "gzip or zstd compressed or not; '-' is standard input) but writes no output, and reports\n"
    "pages, paragraphs, decompressed MB, seconds, MB/s, paragraphs/s, pages/s, peak RSS\n"
    "(getrusage ru_maxrss) and the time per stage: read and decompress, normalise, featurise,\n"
    "score. With the default model the character n-grams are scored as they are hashed, so\n"
    "their scoring counts as featurise.\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE     model to use (default: the built-in model, and for pages read\n"
    "                       from HTML the built-in HTML model when there is one)\n"
    "  -t, --threads N      classifier threads (default: all cores). With 1, reading and\n"
    "                       classifying share the calling thread: the figures of one core.\n"
    "                       With N > 1, classify's pipeline runs (a reader thread and N\n"
    "                       classifier threads) and the stages are summed thread time.\n"
    "  -r, --repeat R       run R times over all inputs (default 1) and report the median\n"
    "                       run, with the fastest and the slowest\n"
    "  -f, --format FORMAT  auto (default), text, jsonl or warc (HTML is sniffed)\n"
    "  -j, --json           one JSON object on stdout instead of the table\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "MB are 10^6 bytes of decompressed input; paragraphs are non-blank lines.\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error (as classify: 'chaff: FILE: byte N: what';\n"
    "the other files are still read, no further runs), 2 usage error.\n";

static int usage_error(void)
{
    fputs("Run 'chaff bench --help' for usage.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* One run over all inputs. Stage times are in nanoseconds of thread time. */
struct bench_run {
    double seconds;     /* wall */
    double cpu_seconds; /* user + system of the process */
    uint64_t pages, paragraphs, paragraph_bytes, bytes, in_bytes;
    uint64_t ns_read, ns_normalize, ns_featurize, ns_score, ns_other;
    int status;
};

static uint64_t clock_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6;
}

/* Peak resident set size of the process so far, in bytes (Linux reports KiB). */
static uint64_t peak_rss_bytes(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (uint64_t)ru.ru_maxrss * 1024u;
}

/* Grows the caller's arrays to hold 'n' paragraph results. Returns 0 or -1. */
static int reserve_results(struct chaff_result **res, size_t *cap, size_t n)
{
    if (n <= *cap)
        return 0;
    size_t ncap = *cap > 0 ? *cap : 256;
    while (ncap < n)
        ncap *= 2;
    struct chaff_result *p = realloc(*res, ncap * sizeof(*p));
    if (p == NULL)
        return -1;
    *res = p;
    *cap = ncap;
    return 0;
}

/* One thread: read a page, classify it, repeat. */
static void run_inline(const struct chaff_model *model, const struct chaff_model *html_model,
                       const struct chaff_reader_options *ropt, char *const *paths, int npaths,
                       struct bench_run *run)
{
    struct chaff_classifier *cl = chaff_classifier_create(model);
    struct chaff_classifier *cl_html = html_model != NULL ? chaff_classifier_create(html_model)
                                                          : NULL;
    struct chaff_result *res = NULL;
    size_t res_cap = 0;
    if (cl == NULL || (html_model != NULL && cl_html == NULL)) {
        cli_msg("out of memory");
        run->status = CLI_EXIT_DATA;
        chaff_classifier_free(cl);
        chaff_classifier_free(cl_html);
        return;
    }
    chaff_classifier_set_timing(cl, 1);
    if (cl_html != NULL)
        chaff_classifier_set_timing(cl_html, 1);
    for (int f = 0; f < npaths; f++) {
        struct chaff_error err = {0};
        struct chaff_reader *reader = NULL;
        if (chaff_reader_open(paths[f], ropt, &reader, &err) != CHAFF_OK) {
            cli_msg_error(&err);
            run->status = CLI_EXIT_DATA;
            continue;
        }
        struct chaff_page page;
        for (;;) {
            uint64_t t0 = clock_ns();
            int rc = chaff_reader_next(reader, &page, &err);
            uint64_t t1 = clock_ns();
            run->ns_read += t1 - t0;
            if (rc == 0)
                break;
            if (rc < 0) {
                cli_msg_error(&err);
                run->status = CLI_EXIT_DATA;
                if (rc == -2)
                    break;
                continue;
            }
            if (page.nparas == 0)
                continue;
            /* HTML pages were made into paragraphs by the reader, in the time of "read". */
            struct chaff_classifier *c = page.is_html && cl_html != NULL ? cl_html : cl;
            if (reserve_results(&res, &res_cap, page.nparas) != 0 ||
                chaff_classify_page_structured(c, page.paras, page.lens, page.nparas,
                                               page.structure, res, &err) != CHAFF_OK) {
                cli_msg("%s: page %s: %s", paths[f], page.id,
                        err.msg[0] != '\0' ? err.msg : chaff_strerror(err.code));
                run->status = CLI_EXIT_DATA;
                continue;
            }
            run->ns_other += clock_ns() - t1; /* the stages are subtracted below */
        }
        struct chaff_reader_stats st;
        chaff_reader_stats(reader, &st);
        run->pages += st.pages;
        run->bytes += st.bytes;
        run->in_bytes += st.in_bytes;
        chaff_reader_close(reader);
    }
    for (int k = 0; k < 2; k++) {
        if (k == 1 && cl_html == NULL)
            break;
        const struct chaff_counters *c = chaff_classifier_counters(k == 0 ? cl : cl_html);
        run->paragraphs += c->paragraphs;
        run->paragraph_bytes += c->bytes;
        run->ns_normalize += c->ns_normalize;
        run->ns_featurize += c->ns_featurize;
        run->ns_score += c->ns_score;
    }
    uint64_t staged = run->ns_normalize + run->ns_featurize + run->ns_score;
    run->ns_other = run->ns_other > staged ? run->ns_other - staged : 0;
    chaff_classifier_free(cl);
    chaff_classifier_free(cl_html);
    free(res);
}

/* N threads: classify's pipeline with the output discarded. */
static void run_pipeline(const struct chaff_model *model, const struct chaff_model *html_model,
                         const struct chaff_reader_options *ropt, unsigned threads,
                         char *const *paths, int npaths, struct bench_run *run)
{
    struct chaff_pipeline_stats rep;
    struct pipeline_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    cfg.model = model;
    cfg.html_model = html_model;
    cfg.threads = threads;
    cfg.ropt = *ropt;
    chaff_writer_options_defaults(&cfg.wopt);
    cfg.discard = 1;
    cfg.report = &rep;
    run->status = pipeline_run(&cfg, paths, npaths);
    run->pages = rep.pages;
    run->paragraphs = rep.paragraphs;
    run->paragraph_bytes = rep.paragraph_bytes;
    run->bytes = rep.bytes;
    run->in_bytes = rep.in_bytes;
    run->ns_read = rep.ns_read;
    run->ns_normalize = rep.counters.ns_normalize;
    run->ns_featurize = rep.counters.ns_featurize;
    run->ns_score = rep.counters.ns_score;
    uint64_t staged = rep.counters.ns_normalize + rep.counters.ns_featurize + rep.counters.ns_score;
    run->ns_other = rep.ns_batch + (rep.ns_classify > staged ? rep.ns_classify - staged : 0);
}

static int by_seconds(const void *a, const void *b)
{
    double x = ((const struct bench_run *)a)->seconds, y = ((const struct bench_run *)b)->seconds;
    return (x > y) - (x < y);
}

static double per_s(double n, double seconds)
{
    return seconds > 0 ? n / seconds : 0;
}

static void print_json_string(const char *s)
{
    putchar('"');
    for (const unsigned char *p = (const unsigned char *)s; *p != '\0'; p++) {
        if (*p == '"' || *p == '\\')
            printf("\\%c", *p);
        else if (*p < 0x20)
            printf("\\u%04x", *p);
        else
            putchar(*p);
    }
    putchar('"');
}

static void report_json(const struct bench_run *runs, size_t nruns, const struct bench_run *m,
                        const char *model_path, unsigned threads, char *const *paths, int npaths,
                        uint64_t peak_rss)
{
    const double s = m->seconds;
    printf("{\"inputs\":[");
    for (int i = 0; i < npaths; i++) {
        if (i > 0)
            putchar(',');
        print_json_string(paths[i]);
    }
    printf("],\"model\":");
    if (model_path != NULL)
        print_json_string(model_path);
    else
        printf("\"built-in\"");
    printf(",\"threads\":%u,\"mode\":\"%s\",\"repeat\":%zu", threads,
           threads == 1 ? "inline" : "pipeline", nruns);
    printf(",\"pages\":%llu,\"paragraphs\":%llu,\"paragraph_bytes\":%llu,\"bytes\":%llu,"
           "\"input_bytes\":%llu",
           (unsigned long long)m->pages, (unsigned long long)m->paragraphs,
           (unsigned long long)m->paragraph_bytes, (unsigned long long)m->bytes,
           (unsigned long long)m->in_bytes);
    printf(",\"mb\":%.3f,\"seconds\":%.4f,\"seconds_min\":%.4f,\"seconds_max\":%.4f,"
           "\"cpu_seconds\":%.4f",
           (double)m->bytes / 1e6, s, runs[0].seconds, runs[nruns - 1].seconds, m->cpu_seconds);
    printf(",\"mb_per_s\":%.3f,\"paragraphs_per_s\":%.1f,\"pages_per_s\":%.1f",
           per_s((double)m->bytes / 1e6, s), per_s((double)m->paragraphs, s),
           per_s((double)m->pages, s));
    printf(",\"peak_rss_bytes\":%llu,\"peak_rss_mb\":%.1f", (unsigned long long)peak_rss,
           (double)peak_rss / 1e6);
    printf(",\"stages_seconds\":{\"read\":%.4f,\"normalize\":%.4f,\"featurize\":%.4f,"
           "\"score\":%.4f,\"other\":%.4f}",
           (double)m->ns_read * 1e-9, (double)m->ns_normalize * 1e-9,
           (double)m->ns_featurize * 1e-9, (double)m->ns_score * 1e-9, (double)m->ns_other * 1e-9);
    printf(",\"runs_seconds\":[");
    for (size_t i = 0; i < nruns; i++)
        printf("%s%.4f", i > 0 ? "," : "", runs[i].seconds);
    printf("]}\n");
}

static void report_table(const struct bench_run *runs, size_t nruns, const struct bench_run *m,
                         unsigned threads, uint64_t peak_rss)
{
    const double s = m->seconds;
    printf("threads       %u (%s)\n", threads,
           threads == 1 ? "reading and classifying in one thread"
                        : "classify's pipeline: a reader thread and the classifier threads");
    printf("input         %llu pages, %llu paragraphs, %.1f MB decompressed (%.1f MB stored)\n",
           (unsigned long long)m->pages, (unsigned long long)m->paragraphs, (double)m->bytes / 1e6,
           (double)m->in_bytes / 1e6);
    if (nruns > 1)
        printf("time          %.3f s wall (median of %zu runs, %.3f-%.3f), %.3f s CPU\n", s, nruns,
               runs[0].seconds, runs[nruns - 1].seconds, m->cpu_seconds);
    else
        printf("time          %.3f s wall, %.3f s CPU\n", s, m->cpu_seconds);
    printf("throughput    %.1f MB/s, %.0f paragraphs/s, %.0f pages/s\n",
           per_s((double)m->bytes / 1e6, s), per_s((double)m->paragraphs, s),
           per_s((double)m->pages, s));
    printf("peak RSS      %.1f MB\n", (double)peak_rss / 1e6);
    const double stages[] = {(double)m->ns_read * 1e-9, (double)m->ns_normalize * 1e-9,
                             (double)m->ns_featurize * 1e-9, (double)m->ns_score * 1e-9,
                             (double)m->ns_other * 1e-9};
    static const char *const names[] = {"read and decompress", "normalise", "featurise", "score",
                                        "other"};
    double total = 0;
    for (size_t i = 0; i < 5; i++)
        total += stages[i];
    printf("stage         %s\n", threads == 1 ? "seconds (share of the thread's time)"
                                              : "thread seconds (share of the threads' time)");
    for (size_t i = 0; i < 5; i++)
        printf("  %-20s %8.3f  %5.1f%%\n", names[i], stages[i],
               total > 0 ? 100 * stages[i] / total : 0);
}

int cmd_bench(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"threads", required_argument, NULL, 't'},
        {"repeat", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"json", no_argument, NULL, 'j'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_path = NULL;
    struct chaff_reader_options ropt;
    chaff_reader_options_defaults(&ropt);
    ropt.skip_bad = 1; /* as classify: malformed records are reported and skipped */
    long threads = sysconf(_SC_NPROCESSORS_ONLN), repeat = 1;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:t:r:f:jh", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case 't':
            threads = cli_parse_long("--threads", optarg, 1, 1024);
            if (threads < 0)
                return usage_error();
            break;
        case 'r':
            repeat = cli_parse_long("--repeat", optarg, 1, MAX_REPEAT);
            if (repeat < 0)
                return usage_error();
            break;
        case 'f':
            if (cli_parse_format(optarg, &ropt.format) != 0)
                return usage_error();
            break;
        case 'j':
            json = 1;
            break;
        case 'h':
            fputs(bench_usage, stdout);
            return cli_finish_output();
        default:
            return usage_error();
        }
    }
    static char *const stdin_path[] = {"-"};
    char *const *paths = optind < argc ? argv + optind : stdin_path;
    const int npaths = optind < argc ? argc - optind : 1;
    for (int i = 0; i < npaths && repeat > 1; i++) {
        if (strcmp(paths[i], "-") == 0) {
            cli_msg("--repeat: standard input can be read only once");
            return usage_error();
        }
    }
    if (threads < 1)
        threads = 1;

    struct chaff_model *model = cli_load_model(model_path);
    if (model == NULL)
        return CLI_EXIT_DATA;
    /* As classify: without --model, HTML pages get the built-in HTML model, if any. */
    struct chaff_model *html_model = NULL;
    struct chaff_error err = {0};
    if (model_path == NULL && chaff_model_load_default_html(&html_model, &err) != CHAFF_OK)
        html_model = NULL;
    struct bench_run *runs = calloc((size_t)repeat, sizeof(*runs));
    if (runs == NULL) {
        cli_msg("out of memory");
        chaff_model_free(html_model);
        chaff_model_free(model);
        return CLI_EXIT_DATA;
    }
    size_t nruns = 0;
    int status = CLI_EXIT_OK;
    while (nruns < (size_t)repeat && status == CLI_EXIT_OK) {
        struct bench_run *run = &runs[nruns++];
        const double cpu0 = cpu_seconds();
        const uint64_t t0 = clock_ns();
        if (threads == 1)
            run_inline(model, html_model, &ropt, paths, npaths, run);
        else
            run_pipeline(model, html_model, &ropt, (unsigned)threads, paths, npaths, run);
        run->seconds = (double)(clock_ns() - t0) * 1e-9;
        run->cpu_seconds = cpu_seconds() - cpu0;
        status = run->status;
    }
    const uint64_t peak_rss = peak_rss_bytes();
    qsort(runs, nruns, sizeof(*runs), by_seconds);
    const struct bench_run *median = &runs[(nruns - 1) / 2];
    if (json)
        report_json(runs, nruns, median, model_path, (unsigned)threads, paths, npaths, peak_rss);
    else
        report_table(runs, nruns, median, (unsigned)threads, peak_rss);
    free(runs);
    chaff_model_free(html_model);
    chaff_model_free(model);
    int out_status = cli_finish_output();
    return status != CLI_EXIT_OK ? status : out_status;
}
