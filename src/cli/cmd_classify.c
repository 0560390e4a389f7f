/*
 * cmd_classify.c - "chaff classify": labels every paragraph of its inputs (plain text, JSONL,
 * WARC/WET, HTML; gzip or zstd compressed or not), in input order, with one output row per input
 * paragraph. The work runs in the library's threaded pipeline (chaff_pipeline_* in chaff.h;
 * classify_run.c writes its output). Pages read from HTML are labelled by the HTML model (built
 * in, or --html-model), when there is one.
 */
#include "cli_util.h"
#include "classify_run.h"
#include "inputs.h"
#include "outdir.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char classify_usage[] =
    "Usage: chaff classify [OPTIONS] [FILE|-]...\n"
    "\n"
    "Labels every paragraph of its inputs, in input order, exactly one label per paragraph.\n"
    "Inputs (gzip, multi-member gzip and zstd are decompressed, detected by magic bytes; '-'\n"
    "or no file reads standard input):\n"
    "  text   each non-blank line is a paragraph, each file one page; a line holding only a\n"
    "         form feed (\\f) separates pages\n"
    "  jsonl  one JSON object per line; paragraphs are the non-blank lines of \"text\"; \"id\"\n"
    "         (else \"url\") names the page; other fields are passed through by -o jsonl\n"
    "  warc   WARC 1.0/1.1: conversion records (Common Crawl WET) are pages, paragraphs their\n"
    "         non-blank lines; response records of a 2xx HTTP response of HTML (Content-Type\n"
    "         text/html or application/xhtml+xml, or sniffed when missing; chunked, gzip,\n"
    "         deflate and zstd bodies decoded; one stored decoded under its head is read\n"
    "         as stored) and resource records of text/html are pages\n"
    "         made of the HTML; page id: WARC-Page-ID, else WARC-Record-ID. Other records\n"
    "         (warcinfo, request, revisit, metadata, other responses) are skipped\n"
    "  html   a whole input is one HTML page, its id the file name without extension;\n"
    "         paragraphs are the lines of text an HTML reader makes (title first, each block\n"
    "         element a line)\n"
    "The format is sniffed from the content: \"WARC/\" is warc, a leading '{' is jsonl, a\n"
    "leading '<' followed by '!', '?' or a letter is html (use -f text for text that starts\n"
    "so), anything else is text.\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE       model for every page (default: the built-in model, and the\n"
    "                         built-in HTML model for pages read from HTML when this build\n"
    "                         has one). A model trained on page structure labels HTML pages\n"
    "                         only: text pages are then errors\n"
    "      --html-model FILE  model for the pages read from HTML (default: see --model)\n"
    "  -f, --format FORMAT    auto (default), text, jsonl, warc or html\n"
    "  -o, --output FORMAT    tsv (default): for jsonl and warc input\n"
    "                         page_id<TAB>paragraph_index<TAB>label<TAB>confidence<TAB>text;\n"
    "                         for text and html input label<TAB>confidence<TAB>text (5\n"
    "                         columns with --page-ids); text escaped as in the TSV format\n"
    "                         labels: one label per paragraph\n"
    "                         jsonl: one object per page: the input's fields (or \"id\", "
    "\"url\"),\n"
    "                         \"labels\", \"confidences\", and \"text\" with the kept paragraphs\n"
    "                         clean: the kept paragraphs, one per line; for warc input a WARC\n"
    "                         archive like a WET file (one gzip member per record when the\n"
    "                         input was gzip): conversion records whose payloads hold the kept\n"
    "                         paragraphs (a new one per HTML page, WARC-Refers-To its\n"
    "                         record), warcinfo records copied; request, response, resource,\n"
    "                         revisit and metadata records left out\n"
    "  -k, --keep LABEL[,...] labels kept by jsonl and clean output (default: content)\n"
    "      --page-ids         5-column tsv for text and html input too\n"
    "  -t, --threads N        worker threads (default: all cores)\n"
    "      --skip-bad         report malformed JSON lines and WARC records, skip them and\n"
    "                         still exit 0 (without it they are skipped too, but exit 1)\n"
    "      --max-record SIZE  largest text line / WARC record accepted, in bytes, with an\n"
    "                         optional K, M or G suffix (default 1G); longer ones are\n"
    "                         reported and skipped (exit 1)\n"
    "      --max-parsed SIZE  largest JSON line / HTML page (and its decoded body), parsed\n"
    "                         in memory (default 8M); larger ones are reported and skipped\n"
    "                         (exit 1)\n"
    "      --max-elements N   HTML page: elements parsed at most (default 100000); the page\n"
    "                         is cut before the next one, reported (exit 1)\n"
    "      --progress         progress on stderr even when it is not a terminal\n"
    "      --no-progress      no progress line\n"
    "      --stats            totals on stderr at the end: pages, paragraphs, bytes, labels,\n"
    "                         seconds, MB/s\n"
    "\n"
    "Whole crawls (scale/README.md has recipes for Slurm and GNU parallel):\n"
    "      --output-dir DIR   one output file per input in DIR, named after the input: its\n"
    "                         file name without directory, compression (.gz, .zst) and\n"
    "                         format suffixes (.warc, .wet, .jsonl, .json, .txt, .html, ...),\n"
    "                         then .tsv, .labels, .jsonl, or for clean output .warc.wet.gz\n"
    "                         (WARC input in gzip; .warc.wet otherwise) or .txt. Two inputs\n"
    "                         making one name are a usage error. Written to NAME.part and\n"
    "                         renamed to NAME when the input is done without error; inputs\n"
    "                         whose NAME exists are skipped, so a rerun goes on where a\n"
    "                         killed run stopped. A failed input leaves no file and makes\n"
    "                         the exit status 1; the others are still done\n"
    "      --inputs FILE      read the inputs from FILE, one path a line ('-': standard\n"
    "                         input), after those on the command line\n"
    "      --shard I/N        take the inputs I, I+N, I+2N, ... (counted from 0) of the list\n"
    "      --stats-json FILE  write the totals as JSON: inputs done, skipped and failed,\n"
    "                         pages, paragraphs, bytes, paragraphs and bytes per label,\n"
    "                         seconds ('chaff stats-sum' adds up the files of many runs)\n"
    "  -h, --help             show this help and exit\n"
    "\n"
    "Damaged input: the output holds everything before the damage, then\n"
    "'chaff: FILE: byte N: what' is printed; malformed WARC records and JSON lines are\n"
    "reported with their byte offset or line and skipped.\n"
    "\n"
    "Environment: TMPDIR, the directory of temporary files (default /tmp): a line longer\n"
    "than 256 KiB is kept there past its first 256 KiB, and a page's output past 8 MiB\n"
    "when its lines were; the files are removed as soon as they are made.\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error (the other files are still processed),\n"
    "2 usage error.\n";

static int usage_error(void)
{
    fputs("Run 'chaff classify --help' for usage.\n", stderr);
    return CLI_EXIT_USAGE;
}

/* Parses "123", "64K", "512M", "1G"; returns 0 on error. */
static uint64_t parse_size(const char *text)
{
    char *end = NULL;
    unsigned long long v = strtoull(text, &end, 10);
    if (end == text || text[0] == '-')
        return 0;
    unsigned shift = 0;
    if (*end == 'K' || *end == 'k')
        shift = 10;
    else if (*end == 'M' || *end == 'm')
        shift = 20;
    else if (*end == 'G' || *end == 'g')
        shift = 30;
    if (shift > 0)
        end++;
    if (*end != '\0' || v > (UINT64_MAX >> shift))
        return 0;
    return (uint64_t)v << shift;
}

/* Turns "content,navigation" into a mask of label indices of 'model'. Returns 0 on error. */
static uint64_t parse_keep(const struct chaff_model *model, const char *list)
{
    uint64_t mask = 0;
    char *copy = strdup(list);
    if (copy == NULL)
        return 0;
    char *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok != NULL; tok = strtok_r(NULL, ",", &save)) {
        int i = chaff_model_label_index(model, tok);
        if (i < 0 || i >= 64) {
            cli_msg("--keep: the model has no label '%s'", tok);
            free(copy);
            return 0;
        }
        mask |= (uint64_t)1 << i;
    }
    free(copy);
    if (mask == 0)
        cli_msg("--keep: no label given");
    return mask;
}

int cmd_classify(int argc, char **argv)
{
    enum {
        OPT_PAGE_IDS = 256,
        OPT_SKIP_BAD,
        OPT_MAX_RECORD,
        OPT_MAX_PARSED,
        OPT_MAX_ELEMENTS,
        OPT_PROGRESS,
        OPT_NO_PROGRESS,
        OPT_STATS,
        OPT_HTML_MODEL,
        OPT_OUTPUT_DIR,
        OPT_INPUTS,
        OPT_SHARD,
        OPT_STATS_JSON
    };
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"html-model", required_argument, NULL, OPT_HTML_MODEL},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {"keep", required_argument, NULL, 'k'},
        {"threads", required_argument, NULL, 't'},
        {"page-ids", no_argument, NULL, OPT_PAGE_IDS},
        {"skip-bad", no_argument, NULL, OPT_SKIP_BAD},
        {"max-record", required_argument, NULL, OPT_MAX_RECORD},
        {"max-parsed", required_argument, NULL, OPT_MAX_PARSED},
        {"max-elements", required_argument, NULL, OPT_MAX_ELEMENTS},
        {"progress", no_argument, NULL, OPT_PROGRESS},
        {"no-progress", no_argument, NULL, OPT_NO_PROGRESS},
        {"stats", no_argument, NULL, OPT_STATS},
        {"output-dir", required_argument, NULL, OPT_OUTPUT_DIR},
        {"inputs", required_argument, NULL, OPT_INPUTS},
        {"shard", required_argument, NULL, OPT_SHARD},
        {"stats-json", required_argument, NULL, OPT_STATS_JSON},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_path = NULL, *html_model_path = NULL, *keep = NULL, *inputs_file = NULL;
    struct outdir_options oopt = {0};
    size_t shard_index = 0, shard_count = 1;
    struct pipeline_config cfg;
    memset(&cfg, 0, sizeof(cfg));
    chaff_reader_options_defaults(&cfg.ropt);
    chaff_writer_options_defaults(&cfg.wopt);
    cfg.ropt.skip_bad = 1; /* malformed records are skipped; --skip-bad decides the exit code */
    long threads = sysconf(_SC_NPROCESSORS_ONLN);
    cfg.progress = isatty(STDERR_FILENO);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:f:o:k:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case 'f':
            if (strcmp(optarg, "html") == 0)
                cfg.ropt.format = CHAFF_FORMAT_HTML;
            else if (cli_parse_format(optarg, &cfg.ropt.format) != 0)
                return usage_error();
            break;
        case OPT_HTML_MODEL:
            html_model_path = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "tsv") == 0)
                cfg.wopt.output = CHAFF_OUTPUT_TSV;
            else if (strcmp(optarg, "labels") == 0)
                cfg.wopt.output = CHAFF_OUTPUT_LABELS;
            else if (strcmp(optarg, "jsonl") == 0)
                cfg.wopt.output = CHAFF_OUTPUT_JSONL;
            else if (strcmp(optarg, "clean") == 0)
                cfg.wopt.output = CHAFF_OUTPUT_CLEAN;
            else {
                cli_msg("--output: unknown format '%s' (tsv, labels, jsonl, clean)", optarg);
                return usage_error();
            }
            break;
        case 'k':
            keep = optarg;
            break;
        case 't':
            threads = cli_parse_long("--threads", optarg, 1, 1024);
            if (threads < 0)
                return usage_error();
            break;
        case OPT_PAGE_IDS:
            cfg.tsv_ids_text = 1;
            break;
        case OPT_SKIP_BAD:
            cfg.skip_bad = 1;
            break;
        case OPT_MAX_RECORD:
            cfg.ropt.max_record_bytes = parse_size(optarg);
            if (cfg.ropt.max_record_bytes == 0) {
                cli_msg("--max-record: expected a size in bytes such as 1048576, 64M or 1G, "
                        "got '%s'",
                        optarg);
                return usage_error();
            }
            break;
        case OPT_MAX_PARSED:
            cfg.ropt.max_parsed_bytes = parse_size(optarg);
            if (cfg.ropt.max_parsed_bytes == 0) {
                cli_msg("--max-parsed: expected a size in bytes such as 1048576, 16M or 1G, "
                        "got '%s'",
                        optarg);
                return usage_error();
            }
            break;
        case OPT_MAX_ELEMENTS: {
            long n = cli_parse_long("--max-elements", optarg, 1, 1L << 40);
            if (n < 0)
                return usage_error();
            cfg.ropt.max_html_elements = (uint64_t)n;
            break;
        }
        case OPT_PROGRESS:
            cfg.progress = 1;
            break;
        case OPT_NO_PROGRESS:
            cfg.progress = 0;
            break;
        case OPT_STATS:
            cfg.stats = 1;
            break;
        case OPT_OUTPUT_DIR:
            oopt.dir = optarg;
            break;
        case OPT_INPUTS:
            inputs_file = optarg;
            break;
        case OPT_SHARD:
            if (input_shard_parse(optarg, &shard_index, &shard_count) != 0)
                return usage_error();
            break;
        case OPT_STATS_JSON:
            oopt.stats_json = optarg;
            break;
        case 'h':
            fputs(classify_usage, stdout);
            return cli_finish_output();
        default:
            return usage_error();
        }
    }
    cfg.threads = threads > 0 ? (unsigned)threads : 1;
    if (oopt.dir == NULL && oopt.stats_json != NULL && strcmp(oopt.stats_json, "-") == 0) {
        cli_msg("--stats-json -: standard output holds the labels; give a file, or "
                "--output-dir");
        return usage_error();
    }
    /* The inputs: the command line's, then --inputs'; standard input when there are none. */
    struct input_list inputs = {0};
    for (int i = optind; i < argc; i++)
        if (input_list_add(&inputs, argv[i]) != 0)
            return CLI_EXIT_DATA;
    if (inputs_file != NULL && input_list_read(&inputs, inputs_file) != CLI_EXIT_OK) {
        input_list_free(&inputs);
        return CLI_EXIT_DATA;
    }
    if (inputs_file == NULL && inputs.n == 0 && input_list_add(&inputs, "-") != 0)
        return CLI_EXIT_DATA;
    /* Names are checked over the whole list, so that every shard sees the same clash. */
    if (oopt.dir != NULL && outdir_check_names(inputs.paths, inputs.n, cfg.wopt.output,
                                               cfg.ropt.format) != CLI_EXIT_OK) {
        input_list_free(&inputs);
        return usage_error();
    }
    input_list_shard(&inputs, shard_index, shard_count);
    struct chaff_model *model = cli_load_model(model_path);
    if (model == NULL) {
        input_list_free(&inputs);
        return CLI_EXIT_DATA;
    }
    /* Pages read from HTML: --html-model; else the built-in HTML model when no --model was
     * given and this build has one; else the model of the other pages. */
    struct chaff_model *html_model = NULL;
    struct chaff_error err = {0};
    int status = CLI_EXIT_OK;
    if (html_model_path != NULL) {
        html_model = cli_load_model(html_model_path);
        if (html_model == NULL) {
            status = CLI_EXIT_DATA;
            goto out;
        }
    } else if (model_path == NULL && chaff_model_load_default_html(&html_model, &err) != CHAFF_OK) {
        html_model = NULL; /* none built in */
    }
    cfg.model = model;
    cfg.html_model = html_model;
    if (chaff_model_needs_html(model) &&
        (cfg.ropt.format == CHAFF_FORMAT_TEXT || cfg.ropt.format == CHAFF_FORMAT_JSONL)) {
        cli_msg("%s: the model needs HTML input (it uses the page structure); --format %s "
                "gives none",
                model_path != NULL ? model_path : "built-in model",
                cfg.ropt.format == CHAFF_FORMAT_TEXT ? "text" : "jsonl");
        status = usage_error();
        goto out;
    }
    /* Clean WARC output copies the records that are no pages. */
    cfg.ropt.passthrough = cfg.wopt.output == CHAFF_OUTPUT_CLEAN;
    if (keep != NULL) {
        cfg.wopt.keep_mask = parse_keep(model, keep);
        if (cfg.wopt.keep_mask != 0 && html_model != NULL)
            cfg.html_keep_mask = parse_keep(html_model, keep);
        if (cfg.wopt.keep_mask == 0 || (html_model != NULL && cfg.html_keep_mask == 0)) {
            status = usage_error();
            goto out;
        }
    }
    if (oopt.dir != NULL || oopt.stats_json != NULL)
        status = outdir_run(&cfg, &oopt, inputs.paths, inputs.n);
    else
        status = pipeline_run(&cfg, inputs.paths, (int)inputs.n);
    int out_status = cli_finish_output();
    if (status == CLI_EXIT_OK)
        status = out_status;
out:
    chaff_model_free(html_model);
    chaff_model_free(model);
    input_list_free(&inputs);
    return status;
}
