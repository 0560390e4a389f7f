/*
 * cmd_classify.c - "chaff classify": labels every paragraph of its inputs, in input order, one
 * output row per input paragraph.
 */
#include "cli_util.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char classify_usage[] =
    "Usage: chaff classify [OPTIONS] [FILE|-]...\n"
    "\n"
    "Labels every paragraph of plain-text input: each non-blank line is a paragraph, each file\n"
    "one page; on standard input (the default, or '-') a line holding only a form feed (\\f)\n"
    "separates pages. Output is in input order, exactly one row per paragraph.\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE     model to use (default: the built-in model)\n"
    "  -o, --output FORMAT  tsv (default): label<TAB>confidence<TAB>text (text escaped as in\n"
    "                       the TSV format); labels: one label per line; clean: only the text of\n"
    "                       the content paragraphs\n"
    "  -h, --help           show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error (the other files are still processed),\n"
    "2 usage error.\n";

enum output_format { OUT_TSV, OUT_LABELS, OUT_CLEAN };

struct classify_run {
    struct chaff_classifier *cl;
    const struct chaff_model *model;
    enum output_format output;
    int keep_label; /* label index written by the clean output */
    struct chaff_result *results;
    size_t results_cap;
};

static int write_page(struct classify_run *run, const struct chaff_page *page)
{
    for (size_t i = 0; i < page->nparas; i++) {
        const struct chaff_result *r = &run->results[i];
        const char *label = chaff_model_label_name(run->model, r->label);
        switch (run->output) {
        case OUT_TSV:
            printf("%s\t%.4f\t", label, (double)r->confidence);
            if (chaff_tsv_write_escaped(stdout, page->paras[i], page->lens[i]) != 0)
                return -1;
            putchar('\n');
            break;
        case OUT_LABELS:
            puts(label);
            break;
        case OUT_CLEAN:
            if ((int)r->label == run->keep_label) {
                fwrite(page->paras[i], 1, page->lens[i], stdout);
                putchar('\n');
            }
            break;
        }
    }
    return ferror(stdout) ? -1 : 0;
}

static int classify_file(struct classify_run *run, const char *path)
{
    struct chaff_error err = {0};
    struct chaff_reader *reader = NULL;
    struct chaff_page page;
    if (chaff_reader_open(path, NULL, &reader, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        return CLI_EXIT_DATA;
    }
    int status = CLI_EXIT_OK, rc;
    while ((rc = chaff_reader_next(reader, &page, &err)) != 0) {
        if (rc < 0) {
            cli_msg_error(&err);
            status = CLI_EXIT_DATA;
            continue;
        }
        if (page.nparas > run->results_cap) {
            struct chaff_result *p = realloc(run->results, page.nparas * sizeof(*p));
            if (p == NULL) {
                cli_msg("%s: out of memory for a page of %zu paragraphs", path, page.nparas);
                status = CLI_EXIT_DATA;
                break;
            }
            run->results = p;
            run->results_cap = page.nparas;
        }
        if (chaff_classify_page(run->cl, page.paras, page.lens, page.nparas, run->results,
                                &err) != CHAFF_OK) {
            cli_msg_error(&err);
            status = CLI_EXIT_DATA;
            break;
        }
        if (write_page(run, &page) != 0)
            break; /* reported by cli_finish_output() */
    }
    chaff_reader_close(reader);
    return status;
}

int cmd_classify(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_path = NULL;
    struct classify_run run = {0};
    run.output = OUT_TSV;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "tsv") == 0)
                run.output = OUT_TSV;
            else if (strcmp(optarg, "labels") == 0)
                run.output = OUT_LABELS;
            else if (strcmp(optarg, "clean") == 0)
                run.output = OUT_CLEAN;
            else {
                cli_msg("--output: unknown format '%s' (tsv, labels, clean)", optarg);
                fputs("Run 'chaff classify --help' for usage.\n", stderr);
                return CLI_EXIT_USAGE;
            }
            break;
        case 'h':
            fputs(classify_usage, stdout);
            return cli_finish_output();
        default:
            fputs("Run 'chaff classify --help' for usage.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    struct chaff_model *model = cli_load_model(model_path);
    if (model == NULL)
        return CLI_EXIT_DATA;
    run.model = model;
    run.keep_label = chaff_model_label_index(model, "content");
    run.cl = chaff_classifier_create(model);
    if (run.cl == NULL) {
        cli_msg("out of memory");
        chaff_model_free(model);
        return CLI_EXIT_DATA;
    }
    int status = CLI_EXIT_OK;
    if (optind >= argc)
        status = classify_file(&run, "-");
    for (int i = optind; i < argc; i++)
        status |= classify_file(&run, argv[i]);
    int out_status = cli_finish_output();
    chaff_classifier_free(run.cl);
    chaff_model_free(model);
    free(run.results);
    return status != CLI_EXIT_OK ? status : out_status;
}
