/*
 * main.c - the chaff command: dispatches to train, classify, eval, tune, bench and stats-sum.
 */
#include "cli_util.h"
#include "stats_json.h"

#include <stdio.h>
#include <string.h>

static const char usage_text[] =
    "Usage: chaff COMMAND [OPTIONS] [FILE...]\n"
    "\n"
    "Labels every paragraph (line) of web-page text as content, consent or navigation.\n"
    "\n"
    "Commands:\n"
    "  classify   label paragraphs of text files with a model (the built-in one by default)\n"
    "  train      train a model from labelled TSV files\n"
    "  eval       measure a model on labelled TSV files\n"
    "  tune       tune a model's decision thresholds on held-out TSV files\n"
    "  bench      time classify on archives without output: MB/s, paragraphs/s, RSS, stages\n"
    "  stats-sum  add up the --stats-json files of classify runs (the shards of a job)\n"
    "\n"
    "Run 'chaff COMMAND --help' for the options of a command.\n"
    "\n"
    "Options:\n"
    "  -h, --help     show this help and exit\n"
    "  -V, --version  show the version and exit\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error, 2 usage error.\n";

int main(int argc, char **argv)
{
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CLI_EXIT_USAGE;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0 || strcmp(cmd, "help") == 0) {
        fputs(usage_text, stdout);
        return cli_finish_output();
    }
    if (strcmp(cmd, "-V") == 0 || strcmp(cmd, "--version") == 0) {
        printf("chaff %s (default model: %s)\n", CHAFF_VERSION_STRING,
               chaff_has_default_model() ? "built in" : "none");
        return cli_finish_output();
    }
    if (strcmp(cmd, "train") == 0)
        return cmd_train(argc - 1, argv + 1);
    if (strcmp(cmd, "classify") == 0)
        return cmd_classify(argc - 1, argv + 1);
    if (strcmp(cmd, "eval") == 0)
        return cmd_eval(argc - 1, argv + 1);
    if (strcmp(cmd, "tune") == 0)
        return cmd_tune(argc - 1, argv + 1);
    if (strcmp(cmd, "bench") == 0)
        return cmd_bench(argc - 1, argv + 1);
    if (strcmp(cmd, "stats-sum") == 0)
        return cmd_stats_sum(argc - 1, argv + 1);
    cli_msg("unknown command '%s'", cmd);
    fputs("Run 'chaff --help' for the list of commands.\n", stderr);
    return CLI_EXIT_USAGE;
}
