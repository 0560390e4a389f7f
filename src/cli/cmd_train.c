/*
 * cmd_train.c - "chaff train": reads labelled TSV files, trains, writes the model file.
 */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* More is a mistake on the command line, not a data set. */
#define MAX_TUNE_FILES 16

static const char train_usage[] =
    "Usage: chaff train --model OUT [OPTIONS] DATA.tsv...\n"
    "       chaff train --html --model OUT [OPTIONS] PAGES LABELS.tsv [PAGES LABELS.tsv]...\n"
    "\n"
    "Trains a model on labelled TSV files (page_id<TAB>lang<TAB>label<TAB>text; the labels come\n"
    "from the data) and writes it to OUT.\n"
    "\n"
    "With --html the arguments are pairs: PAGES holds the pages' HTML (a WARC of HTML response\n"
    "records, gzip or not, or an .html file) and LABELS.tsv their labelled rows, joined by page\n"
    "id (WARC-Page-ID, else WARC-Record-ID; an .html file's name without extension). chaff\n"
    "makes each page's paragraphs and their structure from its HTML and aligns them with the\n"
    "rows in order (exact match after white space is collapsed); paragraphs no row matches are\n"
    "context only, and their count is printed. The model uses the structure features as well\n"
    "and needs HTML input to classify.\n"
    "\n"
    "Options:\n"
    "  -m, --model OUT         model file to write (required)\n"
    "      --solver NAME       logistic regression (calibrated): lr-dual (default), lr;\n"
    "                          SVM (scores, not probabilities): svc, svc-dual\n"
    "  -C, --cost C            liblinear regularisation parameter C (default 1)\n"
    "      --eps EPS           liblinear stopping tolerance of the first pass (default 10 for\n"
    "                          lr-dual, 0.1 for svc-dual, 0.01 for the primal solvers)\n"
    "      --fold-eps EPS      tolerance of the fold models that give the second pass its\n"
    "                          out-of-fold scores (default 4 x the first pass's)\n"
    "      --hash-bits K       2^K hashed feature buckets, 10..26 (default 20)\n"
    "      --char-ngrams A-B   character n-gram lengths (default 2-4)\n"
    "      --word-ngrams N     word n-grams up to N: 0, 1 or 2 (default 2)\n"
    "      --context N         neighbours on each side giving context features, 0..4 (default 2)\n"
    "      --max-chars N       n-grams, words and character shares from the first N characters\n"
    "                          of a paragraph (its length from all of it): 8..65536, or 0 for\n"
    "                          all (default 128)\n"
    "      --no-stacking       single pass (no second pass over neighbours' scores); the\n"
    "                          second pass also needs at least 20 pages per fold\n"
    "      --folds N           folds for the second pass's first-pass scores (default 2)\n"
    "      --weight-bits N     stored weight precision, 8 or 16 (default 16)\n"
    "      --features LIST     feature groups, comma-separated from chars,words,shallow,context,\n"
    "                          window, structure (default all; with --html all,structure)\n"
    "      --html              the arguments are PAGES LABELS.tsv pairs (see above)\n"
    "      --min-sites N       with --html: class and id words are learnt only when pages of at\n"
    "                          least N sites (URL hosts) have them (default 10)\n"
    "      --tune HELDOUT.tsv  after training, shift each label's decision threshold to\n"
    "                          maximise macro-F1 on these held-out pages (never the data\n"
    "                          you report figures on); repeat it to tune on the pages of\n"
    "                          several files together\n"
    "  -t, --threads N         worker threads and processes (default: all cores); the\n"
    "                          model does not depend on it\n"
    "      --seed N            seed of the fold assignment (default 1)\n"
    "  -h, --help              show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error, 2 usage error.\n";

static int usage_error(void)
{
    fputs("Run 'chaff train --help' for usage.\n", stderr);
    return CLI_EXIT_USAGE;
}

static int parse_groups(const char *text, uint32_t *groups)
{
    static const struct {
        const char *name;
        uint32_t bit;
    } names[] = {{"chars", CHAFF_FEAT_CHARS},     {"words", CHAFF_FEAT_WORDS},
                 {"shallow", CHAFF_FEAT_SHALLOW}, {"context", CHAFF_FEAT_CONTEXT},
                 {"window", CHAFF_FEAT_WINDOW},   {"all", CHAFF_FEAT_ALL},
                 {"structure", CHAFF_FEAT_STRUCTURE}};
    *groups = 0;
    const char *p = text;
    while (*p != '\0') {
        size_t len = strcspn(p, ",");
        size_t k = 0;
        for (; k < sizeof(names) / sizeof(names[0]); k++)
            if (strlen(names[k].name) == len && strncmp(p, names[k].name, len) == 0)
                break;
        if (k == sizeof(names) / sizeof(names[0])) {
            cli_msg("--features: unknown group '%.*s'", (int)len, p);
            return -1;
        }
        *groups |= names[k].bit;
        p += len + (p[len] == ',');
    }
    if (*groups == 0) {
        cli_msg("--features: no group given");
        return -1;
    }
    return 0;
}

/* 1 when a file can be created beside 'path' (where the model is written atomically). */
static int output_writable(const char *path)
{
    char probe[4096];
    if (snprintf(probe, sizeof(probe), "%s.probe%ld", path, (long)getpid()) >= (int)sizeof(probe)) {
        cli_msg("%s: path too long", path);
        return 0;
    }
    FILE *f = fopen(probe, "wb");
    if (f == NULL) {
        cli_msg("%s: cannot create: %s", path, strerror(errno));
        return 0;
    }
    fclose(f);
    remove(probe);
    return 1;
}

int cmd_train(int argc, char **argv)
{
    enum { OPT_SOLVER = 256, OPT_EPS, OPT_HASH_BITS, OPT_CHAR, OPT_WORD, OPT_CONTEXT,
           OPT_NO_STACK, OPT_FOLDS, OPT_WBITS, OPT_FEATURES, OPT_SEED, OPT_TUNE, OPT_FOLD_EPS,
           OPT_MAX_CHARS, OPT_HTML, OPT_MIN_SITES };
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},
        {"solver", required_argument, NULL, OPT_SOLVER},
        {"cost", required_argument, NULL, 'C'},
        {"eps", required_argument, NULL, OPT_EPS},
        {"fold-eps", required_argument, NULL, OPT_FOLD_EPS},
        {"hash-bits", required_argument, NULL, OPT_HASH_BITS},
        {"char-ngrams", required_argument, NULL, OPT_CHAR},
        {"word-ngrams", required_argument, NULL, OPT_WORD},
        {"context", required_argument, NULL, OPT_CONTEXT},
        {"max-chars", required_argument, NULL, OPT_MAX_CHARS},
        {"no-stacking", no_argument, NULL, OPT_NO_STACK},
        {"folds", required_argument, NULL, OPT_FOLDS},
        {"weight-bits", required_argument, NULL, OPT_WBITS},
        {"features", required_argument, NULL, OPT_FEATURES},
        {"threads", required_argument, NULL, 't'},
        {"seed", required_argument, NULL, OPT_SEED},
        {"tune", required_argument, NULL, OPT_TUNE},
        {"html", no_argument, NULL, OPT_HTML},
        {"min-sites", required_argument, NULL, OPT_MIN_SITES},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct chaff_train_options opt;
    chaff_train_options_defaults(&opt);
    const char *out_path = NULL;
    const char *tune_paths[MAX_TUNE_FILES]; /* --tune files, in the order given */
    size_t ntune = 0;
    int html = 0, groups_set = 0;
    long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "m:C:t:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'm':
            out_path = optarg;
            break;
        case OPT_SOLVER:
            if (strcmp(optarg, "lr") == 0)
                opt.solver = CHAFF_SOLVER_LR;
            else if (strcmp(optarg, "lr-dual") == 0)
                opt.solver = CHAFF_SOLVER_LR_DUAL;
            else if (strcmp(optarg, "svc") == 0)
                opt.solver = CHAFF_SOLVER_SVC;
            else if (strcmp(optarg, "svc-dual") == 0)
                opt.solver = CHAFF_SOLVER_SVC_DUAL;
            else {
                cli_msg("--solver: unknown solver '%s' (lr, lr-dual, svc, svc-dual)", optarg);
                return usage_error();
            }
            break;
        case 'C':
            if ((opt.C = cli_parse_double("-C", optarg)) < 0)
                return usage_error();
            break;
        case OPT_EPS:
            if ((opt.eps = cli_parse_double("--eps", optarg)) < 0)
                return usage_error();
            break;
        case OPT_FOLD_EPS:
            if ((opt.fold_eps = cli_parse_double("--fold-eps", optarg)) < 0)
                return usage_error();
            break;
        case OPT_HASH_BITS:
            if ((v = cli_parse_long("--hash-bits", optarg, 10, 26)) < 0)
                return usage_error();
            opt.features.hash_bits = (uint32_t)v;
            break;
        case OPT_CHAR: {
            unsigned a, b;
            char rest;
            if (sscanf(optarg, "%u-%u%c", &a, &b, &rest) != 2 || a < 1 || a > b || b > 8) {
                cli_msg("--char-ngrams: expected MIN-MAX with 1 <= MIN <= MAX <= 8, got '%s'",
                        optarg);
                return usage_error();
            }
            opt.features.char_ngram_min = a;
            opt.features.char_ngram_max = b;
            break;
        }
        case OPT_WORD:
            if ((v = cli_parse_long("--word-ngrams", optarg, 0, 2)) < 0)
                return usage_error();
            opt.features.word_ngram_max = (uint32_t)v;
            break;
        case OPT_CONTEXT:
            if ((v = cli_parse_long("--context", optarg, 0, 4)) < 0)
                return usage_error();
            opt.features.context = (uint32_t)v;
            break;
        case OPT_MAX_CHARS:
            if ((v = cli_parse_long("--max-chars", optarg, 0, 65536)) < 0)
                return usage_error();
            if (v != 0 && v < 8) {
                cli_msg("--max-chars: expected 0 (all) or 8..65536, got '%s'", optarg);
                return usage_error();
            }
            opt.features.max_chars = (uint32_t)v;
            break;
        case OPT_NO_STACK:
            opt.features.stacking = 0;
            break;
        case OPT_FOLDS:
            if ((v = cli_parse_long("--folds", optarg, 2, 10)) < 0)
                return usage_error();
            opt.folds = (unsigned)v;
            break;
        case OPT_WBITS:
            if ((v = cli_parse_long("--weight-bits", optarg, 8, 16)) < 0 || (v != 8 && v != 16)) {
                if (v >= 0)
                    cli_msg("--weight-bits: expected 8 or 16, got '%s'", optarg);
                return usage_error();
            }
            opt.weight_bits = (unsigned)v;
            break;
        case OPT_FEATURES:
            if (parse_groups(optarg, &opt.features.groups) != 0)
                return usage_error();
            groups_set = 1;
            break;
        case OPT_HTML:
            html = 1;
            break;
        case OPT_MIN_SITES:
            if ((v = cli_parse_long("--min-sites", optarg, 1, 1000000)) < 0)
                return usage_error();
            opt.min_sites = (unsigned)v;
            break;
        case 't':
            if ((v = cli_parse_long("--threads", optarg, 1, 64)) < 0)
                return usage_error();
            opt.threads = (unsigned)v;
            break;
        case OPT_SEED:
            if ((v = cli_parse_long("--seed", optarg, 0, 0x7fffffffL)) < 0)
                return usage_error();
            opt.seed = (uint64_t)v;
            break;
        case OPT_TUNE:
            if (ntune == MAX_TUNE_FILES) {
                cli_msg("train: at most %d --tune files", MAX_TUNE_FILES);
                return usage_error();
            }
            tune_paths[ntune++] = optarg;
            break;
        case 'h':
            fputs(train_usage, stdout);
            return cli_finish_output();
        default:
            return usage_error();
        }
    }
    if (out_path == NULL) {
        cli_msg("train: --model OUT is required");
        return usage_error();
    }
    if (optind >= argc) {
        cli_msg("train: no training data given");
        return usage_error();
    }
    if (html && (argc - optind) % 2 != 0) {
        cli_msg("train: --html needs PAGES LABELS.tsv pairs");
        return usage_error();
    }
    if (html && ntune > 0) {
        cli_msg("train: --tune takes TSV pages, which an HTML model cannot classify");
        return usage_error();
    }
    if (html && !groups_set)
        opt.features.groups |= CHAFF_FEAT_STRUCTURE;
    if (!html && (opt.features.groups & CHAFF_FEAT_STRUCTURE)) {
        cli_msg("train: the structure features need --html");
        return usage_error();
    }
    /* Fail before hours of training, not after: the model's directory must take a new file. */
    if (!output_writable(out_path))
        return CLI_EXIT_DATA;
    struct chaff_error err = {0};
    struct chaff_dataset *ds = chaff_dataset_create();
    struct chaff_dataset *tune = ntune > 0 ? chaff_dataset_create() : NULL;
    struct chaff_model *model = NULL;
    struct chaff_tune_report tuned;
    int status = CLI_EXIT_OK;
    if (ds == NULL || (ntune > 0 && tune == NULL)) {
        cli_msg("out of memory");
        return CLI_EXIT_DATA;
    }
    for (int i = optind; !html && i < argc; i++)
        if (chaff_dataset_read_tsv(ds, argv[i], &err) != CHAFF_OK) {
            cli_msg_error(&err);
            status = CLI_EXIT_DATA;
            goto out;
        }
    for (int i = optind; html && i + 1 < argc; i += 2) {
        struct chaff_align_counts ac;
        if (chaff_dataset_read_html(ds, argv[i], argv[i + 1], &ac, &err) != CHAFF_OK) {
            cli_msg_error(&err);
            status = CLI_EXIT_DATA;
            goto out;
        }
        printf("html\t%s: %llu pages joined, %llu of %llu labelled rows aligned, %llu "
               "paragraphs unaligned (context only), %llu labelled pages without HTML, %llu "
               "HTML pages without labels\n",
               argv[i], (unsigned long long)ac.pages, (unsigned long long)ac.aligned,
               (unsigned long long)ac.gold, (unsigned long long)ac.unaligned_pred,
               (unsigned long long)ac.missing_pages, (unsigned long long)ac.extra_pages);
    }
    for (size_t i = 0; i < ntune; i++)
        if (chaff_dataset_read_tsv(tune, tune_paths[i], &err) != CHAFF_OK) {
            cli_msg_error(&err);
            status = CLI_EXIT_DATA;
            goto out;
        }
    struct chaff_train_summary sum;
    if (chaff_train(ds, &opt, &model, &sum, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        status = err.code == CHAFF_ERR_USAGE ? CLI_EXIT_DATA : CLI_EXIT_DATA;
        goto out;
    }
    if (tune != NULL && chaff_model_tune(model, tune, &tuned, &err) != CHAFF_OK) {
        if (err.where[0] == '\0')
            snprintf(err.where, sizeof(err.where), "%s%s", tune_paths[0],
                     ntune > 1 ? " and the other --tune files" : "");
        cli_msg_error(&err);
        status = CLI_EXIT_DATA;
        goto out;
    }
    if (chaff_model_save_file(model, out_path, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        status = CLI_EXIT_DATA;
        goto out;
    }
    printf("pages\t%zu\nparagraphs\t%zu\nlabels\t%zu\t", sum.pages, sum.paragraphs, sum.labels);
    for (size_t l = 0; l < chaff_model_nlabels(model); l++)
        printf("%s%s", l > 0 ? "," : "", chaff_model_label_name(model, l));
    printf("\nfeatures\t%zu\nnonzeros\t%llu\nstacking\t%s\nseconds\t%.2f (featurise %.2f, first "
           "pass %.2f, second pass %.2f)\nmodel\t%s\n",
           sum.features, (unsigned long long)sum.nonzeros,
           sum.stacked ? "on" : (opt.features.stacking ? "off (too few pages)" : "off"),
           sum.seconds, sum.seconds_featurise, sum.seconds_first, sum.seconds_second, out_path);
    if (tune != NULL) {
        printf("tuned\t%zu paragraphs of ", tuned.paragraphs);
        for (size_t i = 0; i < ntune; i++)
            printf("%s%s", i == 0 ? "" : i + 1 < ntune ? ", " : " and ", tune_paths[i]);
        printf(": macro-F1 %.4f -> %.4f; offsets", tuned.macro_f1_before, tuned.macro_f1_after);
        for (size_t l = 0; l < chaff_model_nlabels(model); l++)
            printf(" %s %+.1f", chaff_model_label_name(model, l), tuned.offsets[l]);
        putchar('\n');
    }
    status = cli_finish_output();
out:
    chaff_model_free(model);
    chaff_dataset_free(tune);
    chaff_dataset_free(ds);
    return status;
}
