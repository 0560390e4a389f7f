/*
 * outdir.h - "chaff classify --output-dir DIR" and "--stats-json FILE": one output file per
 * input, written whole or not at all, reruns that skip the inputs already done, and the totals
 * of a run as JSON.
 */
#ifndef CHAFF_CLI_OUTDIR_H
#define CHAFF_CLI_OUTDIR_H

#include "classify_run.h"

#include <stddef.h>

struct outdir_options {
    const char *dir;        /* the output directory, or NULL: every output to standard output */
    const char *stats_json; /* where the totals go as JSON ("-": standard output), or NULL */
};

/* Returns the name of the output of the input 'path' in an output directory (malloc'd), or NULL
 * when 'path' has none (standard input, a directory, a name made of suffixes only; reported) or
 * when out of memory. The name is the file name of 'path' without its directory, its
 * compression suffix (.gz, .zst, .zstd) and its format suffixes (.warc, .wet, .jsonl, .json,
 * .ndjson, .txt, .text, .html, .htm, .xhtml), then the output's suffix: .tsv, .labels, .jsonl;
 * for clean output .warc.wet.gz for WARC input compressed with gzip (.warc.wet not so
 * compressed) and .txt for the others. The input is WARC when 'format' says so, or when it is
 * CHAFF_FORMAT_AUTO and the name had a .warc or .wet suffix. */
char *outdir_name(const char *path, enum chaff_output output, enum chaff_format format);

/* Checks that the 'n' inputs 'paths' have output names and that no two have the same one.
 * Reports the first clash ("chaff: --output-dir: A and B both make NAME") and returns
 * CLI_EXIT_USAGE; CLI_EXIT_OK otherwise. */
int outdir_check_names(char *const *paths, size_t n, enum chaff_output output,
                       enum chaff_format format);

/* Classifies the 'n' inputs one at a time with the pipeline of 'cfg' (its 'out' and 'totals'
 * are set per input). With opt->dir, each input's output goes to DIR/NAME.part (created,
 * locked against a second process, flushed to disk) and is renamed to DIR/NAME when the input
 * is done without error; an input whose DIR/NAME exists is skipped; a failed input leaves no
 * file. Each done input's totals are kept in DIR/.chaff-stats/NAME.json, so that a rerun counts
 * the inputs it skips. Without opt->dir the outputs go to standard output one after the other.
 * Writes opt->stats_json at the end. Returns an exit code: 1 when an input failed. */
int outdir_run(const struct pipeline_config *cfg, const struct outdir_options *opt,
               char *const *paths, size_t n);

#endif
