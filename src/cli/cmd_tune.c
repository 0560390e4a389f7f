/*
 * cmd_tune.c - "chaff tune": shifts a trained model's per-label decision thresholds to maximise
 * macro-F1 on held-out pages and writes the tuned model (what "chaff train --tune" does right
 * after training, for a model that is already on disk).
 */
#include "cli_util.h"

#include <getopt.h>
#include <stdio.h>
#include <string.h>

static const char tune_usage[] =
    "Usage: chaff tune --model IN --out OUT HELDOUT.tsv...\n"
    "       chaff tune --html --model IN --out OUT PAGES HELDOUT.tsv [PAGES HELDOUT.tsv]...\n"
    "\n"
    "Chooses one offset per label, added to the model's final decision values, that maximises\n"
    "macro-F1 on the labelled held-out pages, and writes the tuned model to OUT. Tune on a\n"
    "held-out split of the training data, never on the data you report figures on.\n"
    "With --html the arguments are pairs of pages' HTML and their labelled rows, joined and\n"
    "aligned as 'chaff eval --html' does (an HTML model is tuned on pages read from HTML).\n"
    "\n"
    "Options:\n"
    "  -m, --model IN   model to tune (default: the built-in model; with --html the built-in\n"
    "                   HTML model)\n"
    "  -o, --out OUT    tuned model to write (required; may equal IN)\n"
    "      --html       the arguments are PAGES HELDOUT.tsv pairs (see above)\n"
    "  -h, --help       show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error, 2 usage error.\n";

int cmd_tune(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"out", required_argument, NULL, 'o'},
        {"html", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *in_path = NULL, *out_path = NULL;
    int html = 0;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            in_path = optarg;
            break;
        case 'o':
            out_path = optarg;
            break;
        case 'H':
            html = 1;
            break;
        case 'h':
            fputs(tune_usage, stdout);
            return cli_finish_output();
        default:
            fputs("Run 'chaff tune --help' for usage.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (out_path == NULL || optind >= argc) {
        cli_msg("tune: %s", out_path == NULL ? "--out OUT is required" : "no held-out data given");
        fputs("Run 'chaff tune --help' for usage.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    if (html && (argc - optind) % 2 != 0) {
        cli_msg("tune: with --html the arguments are PAGES HELDOUT.tsv pairs");
        fputs("Run 'chaff tune --help' for usage.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    struct chaff_error err = {0};
    struct chaff_tune_report rep;
    int status = CLI_EXIT_DATA;
    struct chaff_dataset *ds = chaff_dataset_create();
    struct chaff_model *model = html ? cli_load_html_model(in_path) : cli_load_model(in_path);
    if (ds == NULL || model == NULL) {
        if (ds == NULL)
            cli_msg("out of memory");
        goto out;
    }
    for (int i = optind; i < argc; i += html ? 2 : 1)
        if ((html ? chaff_dataset_read_html(ds, argv[i], argv[i + 1], NULL, &err)
                  : chaff_dataset_read_tsv(ds, argv[i], &err)) != CHAFF_OK) {
            cli_msg_error(&err);
            goto out;
        }
    if (chaff_model_tune(model, ds, &rep, &err) != CHAFF_OK ||
        chaff_model_save_file(model, out_path, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        goto out;
    }
    printf("tuned\t%zu paragraphs: macro-F1 %.4f -> %.4f; offsets", rep.paragraphs,
           rep.macro_f1_before, rep.macro_f1_after);
    for (size_t l = 0; l < chaff_model_nlabels(model); l++)
        printf(" %s %+.1f", chaff_model_label_name(model, l), rep.offsets[l]);
    printf("\nmodel\t%s\n", out_path);
    status = cli_finish_output();
out:
    chaff_model_free(model);
    chaff_dataset_free(ds);
    return status;
}
