/*
 * classify_run.h - chaff classify's and chaff bench's run over the library's pipeline
 * (chaff_pipeline_* in chaff.h): output to standard output in input order, messages to stderr
 * in order with it, progress and totals.
 */
#ifndef CHAFF_CLI_CLASSIFY_RUN_H
#define CHAFF_CLI_CLASSIFY_RUN_H

#include "chaff.h"

#include <stddef.h>
#include <stdio.h>

/* Paragraphs and their text bytes under one label name (of either model). */
struct pipeline_label_total {
    const char *name; /* borrowed from the model */
    uint64_t paragraphs, bytes;
};

#define PIPELINE_MAX_LABELS 128 /* label names of both models */

/* The totals of a run, for --output-dir and --stats-json. */
struct pipeline_totals {
    uint64_t pages, paragraphs, paragraph_bytes;
    uint64_t bytes;    /* decompressed input bytes */
    uint64_t in_bytes; /* input bytes as stored (compressed) */
    size_t nlabels;    /* paragraphs per label name: the model's labels, then the HTML model's
                          that the model lacks */
    struct pipeline_label_total labels[PIPELINE_MAX_LABELS];
};

struct pipeline_config {
    const struct chaff_model *model;      /* borrowed, shared by the workers: labels every page but
                                             those html_model labels */
    const struct chaff_model *html_model; /* borrowed, or NULL: labels the pages read from HTML
                                         (WARC responses, .html files) */
    uint64_t html_keep_mask;              /* wopt.keep_mask for html_model's labels */
    unsigned threads;                     /* worker threads, >= 1 */
    struct chaff_reader_options ropt;     /* for every input */
    struct chaff_writer_options wopt;     /* tsv_ids and gzip_records are set per input */
    int tsv_ids_text;                     /* 1: 5-column tsv for plain-text input too */
    int skip_bad;                         /* 1: malformed records do not make the exit status 1 */
    int progress;                         /* 1: a progress line on stderr */
    int stats;                            /* 1: totals on stderr at the end */
    size_t max_inflight_bytes;            /* bytes in flight; 0: 2 MiB per thread + 2 MiB */
    int discard;                          /* 1: classify but format and write nothing (bench) */
    struct chaff_pipeline_stats *report;  /* filled when not NULL (chaff bench), the stage
                                             timers on */
    struct pipeline_totals *totals;       /* filled when not NULL */
    FILE *out;                            /* where the output goes; NULL: standard output */
};

/* Classifies the 'npaths' inputs (paths or "-") and writes the results to cfg->out (standard
 * output) in input order. Messages go to stderr as "chaff: WHERE: WHAT", in order with the output.
 * Returns an exit code (0, or 1 when an input had an error or writing failed). */
int pipeline_run(const struct pipeline_config *cfg, char *const *paths, int npaths);

#endif
