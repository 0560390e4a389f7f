/*
 * cmd_eval.c - "chaff eval": measures a model on labelled TSV files.
 *
 * Rows are read with the TSV reader; consecutive rows with the same page id form a page, which
 * is classified as a whole (context features need the neighbours), then every paragraph is added
 * to the evaluation with its gold label, the page's language and its length in code points. The
 * page buffers are reused from page to page and grow to the largest page only.
 */
#include "cli_util.h"

#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static const char usage_short[] =
    "Usage: chaff eval [--model FILE] [--predictions FILE] [--json] DATA.tsv...\n"
    "       chaff eval --html [--model FILE] [--json] PAGES GOLD.tsv [PAGES GOLD.tsv]...\n"
                                  "Try 'chaff eval --help' for more information.\n";

static const char usage_long[] =
    "Usage: chaff eval [--model FILE] [--predictions FILE] [--json] DATA.tsv...\n"
    "       chaff eval --html [--model FILE] [--json] PAGES GOLD.tsv [PAGES GOLD.tsv]...\n"
    "\n"
    "Classifies the pages of labelled TSV files (page_id<TAB>lang<TAB>label<TAB>text, one\n"
    "paragraph per line; consecutive rows with the same page id form a page; '-' reads standard\n"
    "input) and compares the predictions with the gold labels.\n"
    "\n"
    "Reports accuracy, macro-F1 (mean F1 over the labels present), macro-F1 with every paragraph\n"
    "weighted by its length in characters, per-label precision, recall and F1, the confusion\n"
    "matrix and macro-F1 per language.\n"
    "\n"
    "With --html the arguments are pairs: PAGES holds the pages' HTML (a WARC of HTML response\n"
    "records, gzip or not, or an .html file) and GOLD.tsv their labelled rows. Pages are joined\n"
    "by id (WARC-Page-ID, else WARC-Record-ID; an .html file's name without extension); chaff\n"
    "makes each page's paragraphs from its HTML, classifies them (by default with the built-in\n"
    "HTML model) and aligns them with the gold rows in order (exact match after white space is\n"
    "collapsed). Every gold row is scored: one the extraction did not reproduce counts as\n"
    "predicted navigation. The report adds the alignment counts (unaligned_gold,\n"
    "unaligned_pred) and macro-F1 per source (the page id up to its first '-').\n"
    "\n"
    "Options:\n"
    "  -m, --model FILE  model to evaluate (default: the built-in model; with --html the\n"
    "                    built-in HTML model)\n"
    "      --html        the arguments are PAGES GOLD.tsv pairs (see above)\n"
    "  -j, --json        print one JSON object instead of tables\n"
    "  -p, --predictions FILE\n"
    "                    evaluate another classifier's labels instead of the model's: one label\n"
    "                    per line, in the order of the data rows (fastText's '__label__X' too);\n"
    "                    the model only supplies the label set\n"
    "  -h, --help        show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 data or I/O error (no report is printed), 2 usage error.\n";

/* The rows of the page being gathered. Texts are copied into 'arena' (rows are borrowed from the
 * reader only until the next row) and addressed by offset, since the arena may move. */
struct page_buf {
    char *id;
    size_t id_cap;
    char *lang;
    size_t lang_cap;
    char *arena;
    size_t arena_len, arena_cap;
    size_t *off, *len;
    uint32_t *gold;
    const char **paras;
    struct chaff_result *results;
    size_t n, cap;
};

static void page_buf_release(struct page_buf *pb)
{
    free(pb->id);
    free(pb->lang);
    free(pb->arena);
    free(pb->off);
    free(pb->len);
    free(pb->gold);
    free(pb->paras);
    free(pb->results);
}

/* Makes *buf (capacity *cap bytes) hold at least 'need' bytes. Returns 0 or -1. */
static int reserve_bytes(char **buf, size_t *cap, size_t need)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap != 0 ? *cap : 256;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    char *p = realloc(*buf, ncap);
    if (p == NULL)
        return -1;
    *buf = p;
    *cap = ncap;
    return 0;
}

static int copy_string(char **buf, size_t *cap, const char *s)
{
    size_t n = strlen(s) + 1;
    if (reserve_bytes(buf, cap, n) != 0)
        return -1;
    memcpy(*buf, s, n);
    return 0;
}

/* Makes room for one more paragraph. Every array is grown before 'cap' changes, so after a
 * failure all of them are still valid at the old capacity. */
static int page_buf_reserve(struct page_buf *pb)
{
    if (pb->n < pb->cap)
        return 0;
    size_t cap = pb->cap != 0 ? pb->cap * 2 : 64;
    void *p;
    if ((p = realloc(pb->off, cap * sizeof(*pb->off))) == NULL)
        return -1;
    pb->off = p;
    if ((p = realloc(pb->len, cap * sizeof(*pb->len))) == NULL)
        return -1;
    pb->len = p;
    if ((p = realloc(pb->gold, cap * sizeof(*pb->gold))) == NULL)
        return -1;
    pb->gold = p;
    if ((p = realloc(pb->paras, cap * sizeof(*pb->paras))) == NULL)
        return -1;
    pb->paras = p;
    if ((p = realloc(pb->results, cap * sizeof(*pb->results))) == NULL)
        return -1;
    pb->results = p;
    pb->cap = cap;
    return 0;
}

/* Length of the UTF-8 sequence that lead byte 'b' starts, or 0 when 'b' starts none. */
static size_t utf8_sequence_length(unsigned char b)
{
    if (b < 0x80)
        return 1;
    if (b >= 0xc2 && b <= 0xdf)
        return 2;
    if (b >= 0xe0 && b <= 0xef)
        return 3;
    if (b >= 0xf0 && b <= 0xf4)
        return 4;
    return 0;
}

/* Length of the 'len' bytes at 's' in code points: a complete UTF-8 sequence counts 1, and so
 * does every byte that does not start one. */
static uint64_t count_chars(const char *s, size_t len)
{
    const unsigned char *p = (const unsigned char *)s;
    uint64_t n = 0;
    size_t i = 0;
    while (i < len) {
        size_t need = utf8_sequence_length(p[i]);
        size_t k = 1;
        if (need > 1 && need <= len - i)
            while (k < need && (p[i + k] & 0xc0) == 0x80)
                k++;
        n++;
        i += need > 1 && k == need ? need : 1;
    }
    return n;
}

struct eval_run {
    const struct chaff_model *model;
    struct chaff_classifier *cl;
    struct chaff_eval *ev;
    struct chaff_eval *ev_source; /* per source (page id up to its first '-') */
    int html;
    struct chaff_align_counts align;
    struct page_buf pb;
    uint64_t pages;
    /* --predictions: labels read from this file instead of the model's */
    FILE *pred;
    const char *pred_name;
    uint64_t pred_line;
    char *pred_buf;
    size_t pred_cap;
};

/* Reads the next predicted label ("LABEL" or fastText's "__label__LABEL [prob]") into *label. */
static int read_prediction(struct eval_run *run, uint32_t *label)
{
    ssize_t n = getline(&run->pred_buf, &run->pred_cap, run->pred);
    if (n < 0) {
        cli_msg("%s: %s after %llu predictions: fewer predictions than paragraphs", run->pred_name,
                ferror(run->pred) ? "read error" : "end of file",
                (unsigned long long)run->pred_line);
        return -1;
    }
    run->pred_line++;
    char *p = run->pred_buf;
    p[strcspn(p, " \t\r\n")] = '\0';
    if (strncmp(p, "__label__", 9) == 0)
        p += 9;
    int l = chaff_model_label_index(run->model, p);
    if (l < 0) {
        char where[600];
        snprintf(where, sizeof(where), "%s:%llu", run->pred_name,
                 (unsigned long long)run->pred_line);
        fprintf(stderr, "chaff: %s: unknown predicted label '%s'\n", where, p);
        return -1;
    }
    *label = (uint32_t)l;
    return 0;
}

/* Classifies the gathered page and adds its paragraphs to the evaluation. */
static int flush_page(struct eval_run *run)
{
    struct page_buf *pb = &run->pb;
    if (pb->n == 0)
        return 0;
    struct chaff_error err = {0};
    for (size_t i = 0; i < pb->n; i++)
        pb->paras[i] = pb->arena + pb->off[i];
    if (run->pred != NULL) {
        for (size_t i = 0; i < pb->n; i++)
            if (read_prediction(run, &pb->results[i].label) != 0)
                return -1;
    } else if (chaff_classify_page(run->cl, pb->paras, pb->len, pb->n, pb->results, &err) !=
               CHAFF_OK) {
        cli_msg_error(&err);
        return -1;
    }
    char source[64];
    chaff_page_source(pb->id, source, sizeof(source));
    for (size_t i = 0; i < pb->n; i++) {
        uint64_t nchars = count_chars(pb->paras[i], pb->len[i]);
        if (chaff_eval_add(run->ev, pb->gold[i], pb->results[i].label, pb->lang, nchars, &err) !=
                CHAFF_OK ||
            chaff_eval_add(run->ev_source, pb->gold[i], pb->results[i].label, source, nchars,
                           &err) != CHAFF_OK) {
            cli_msg_error(&err);
            return -1;
        }
    }
    chaff_eval_end_page(run->ev);
    chaff_eval_end_page(run->ev_source);
    run->pages++;
    pb->n = 0;
    pb->arena_len = 0;
    return 0;
}

static void print_unknown_label(const struct chaff_model *model, const char *where,
                                const char *label)
{
    fprintf(stderr, "chaff: %s: unknown label '%s' (the model knows: ", where, label);
    for (size_t i = 0; i < chaff_model_nlabels(model); i++)
        fprintf(stderr, "%s%s", i > 0 ? ", " : "", chaff_model_label_name(model, i));
    fputs(")\n", stderr);
}

/* Reads, classifies and evaluates one file. Returns 0, or -1 after printing the error. */
static int eval_file(struct eval_run *run, const char *path)
{
    struct chaff_error err = {0};
    struct chaff_tsv_reader *r = NULL;
    if (chaff_tsv_open(path, &r, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        return -1;
    }
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    struct page_buf *pb = &run->pb;
    struct chaff_tsv_row row;
    int got, rc = 0;
    while ((got = chaff_tsv_next(r, &row, &err)) > 0) {
        if (pb->n > 0 && strcmp(pb->id, row.page_id) != 0 && flush_page(run) != 0) {
            rc = -1;
            break;
        }
        int gold = chaff_model_label_index(run->model, row.label);
        if (gold < 0) {
            char where[600];
            snprintf(where, sizeof(where), "%s:%llu", name, (unsigned long long)row.line);
            print_unknown_label(run->model, where, row.label);
            rc = -1;
            break;
        }
        if ((pb->n == 0 && (copy_string(&pb->id, &pb->id_cap, row.page_id) != 0 ||
                            copy_string(&pb->lang, &pb->lang_cap, row.lang) != 0)) ||
            page_buf_reserve(pb) != 0 || row.text_len >= SIZE_MAX - pb->arena_len ||
            reserve_bytes(&pb->arena, &pb->arena_cap, pb->arena_len + row.text_len + 1) != 0) {
            cli_msg("%s:%llu: out of memory", name, (unsigned long long)row.line);
            rc = -1;
            break;
        }
        memcpy(pb->arena + pb->arena_len, row.text, row.text_len);
        pb->arena[pb->arena_len + row.text_len] = '\0';
        pb->off[pb->n] = pb->arena_len;
        pb->len[pb->n] = row.text_len;
        pb->gold[pb->n] = (uint32_t)gold;
        pb->arena_len += row.text_len + 1;
        pb->n++;
    }
    if (got < 0) {
        cli_msg_error(&err);
        rc = -1;
    }
    if (rc == 0 && flush_page(run) != 0)
        rc = -1;
    /* A failed file contributes no partial page to the next one. */
    pb->n = 0;
    pb->arena_len = 0;
    chaff_tsv_close(r);
    return rc;
}

static size_t max_size(size_t a, size_t b)
{
    return a > b ? a : b;
}

/* The per-group table of 'ev' (its groups are languages or sources). */
static void print_groups(const struct chaff_eval *ev, const char *heading)
{
    int lw = (int)strlen(heading);
    for (size_t i = 0; i < chaff_eval_nlangs(ev); i++)
        lw = (int)max_size((size_t)lw, strlen(chaff_eval_lang_name(ev, i)));
    printf("\n%-*s %9s %9s %9s %9s\n", lw, heading, "n", "macro-F1", "pages", "page-F1");
    for (size_t i = 0; i < chaff_eval_nlangs(ev); i++)
        printf("%-*s %9llu %9.4f %9llu %9.4f\n", lw, chaff_eval_lang_name(ev, i),
               (unsigned long long)chaff_eval_lang_count(ev, i), chaff_eval_lang_macro_f1(ev, i),
               (unsigned long long)chaff_eval_lang_npages(ev, i),
               chaff_eval_lang_page_macro_f1(ev, i));
}

static void print_text(const struct eval_run *run)
{
    const struct chaff_model *model = run->model;
    const struct chaff_eval *ev = run->ev;
    const size_t nlabels = chaff_model_nlabels(model);

    printf("paragraphs: %llu in %llu pages\n", (unsigned long long)chaff_eval_count(ev),
           (unsigned long long)run->pages);
    printf("accuracy:               %.4f\n", chaff_eval_accuracy(ev));
    printf("macro-F1:               %.4f\n", chaff_eval_macro_f1(ev));
    printf("char-weighted macro-F1: %.4f\n", chaff_eval_char_macro_f1(ev));
    printf("page-averaged macro-F1: %.4f (the mean of each page's macro-F1, %llu pages)\n",
           chaff_eval_page_macro_f1(ev), (unsigned long long)chaff_eval_npages(ev));

    int w = (int)strlen("gold \\ pred");
    for (size_t i = 0; i < nlabels; i++)
        w = (int)max_size((size_t)w, strlen(chaff_model_label_name(model, i)));

    printf("\n%-*s %9s %9s %9s %9s %9s\n", w, "label", "support", "precision", "recall", "F1",
           "char-F1");
    for (uint32_t i = 0; i < nlabels; i++) {
        struct chaff_label_metrics m;
        chaff_eval_label(ev, i, &m);
        printf("%-*s %9llu %9.4f %9.4f %9.4f %9.4f\n", w, chaff_model_label_name(model, i),
               (unsigned long long)m.support, m.precision, m.recall, m.f1, m.char_f1);
    }

    printf("\nconfusion (rows: gold, columns: predicted)\n%-*s", w, "gold \\ pred");
    for (size_t j = 0; j < nlabels; j++) {
        const char *name = chaff_model_label_name(model, j);
        printf(" %*s", (int)max_size(strlen(name), 7), name);
    }
    putchar('\n');
    for (uint32_t i = 0; i < nlabels; i++) {
        printf("%-*s", w, chaff_model_label_name(model, i));
        for (uint32_t j = 0; j < nlabels; j++)
            printf(" %*llu", (int)max_size(strlen(chaff_model_label_name(model, j)), 7),
                   (unsigned long long)chaff_eval_confusion(ev, i, j));
        putchar('\n');
    }

    print_groups(ev, "language");
    if (run->ev_source != NULL)
        print_groups(run->ev_source, "source");
    if (run->html) {
        const struct chaff_align_counts *a = &run->align;
        printf("\naligned gold rows: %llu of %llu (%.2f %%) in %llu pages\n"
               "unaligned_gold: %llu (scored as predicted navigation)\n"
               "unaligned_pred: %llu (extracted paragraphs no gold row matched, not scored)\n",
               (unsigned long long)a->aligned, (unsigned long long)a->gold,
               a->gold > 0 ? 100.0 * (double)a->aligned / (double)a->gold : 0.0,
               (unsigned long long)a->pages, (unsigned long long)a->unaligned_gold,
               (unsigned long long)a->unaligned_pred);
        if (a->missing_pages > 0 || a->extra_pages > 0 || a->bad_records > 0)
            printf("gold pages without HTML: %llu; HTML pages without gold: %llu; "
                   "bad records: %llu\n",
                   (unsigned long long)a->missing_pages, (unsigned long long)a->extra_pages,
                   (unsigned long long)a->bad_records);
    }
}

/* Whether 's' is valid UTF-8. */
static int valid_utf8(const char *s)
{
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)s;
    utf8proc_ssize_t len = (utf8proc_ssize_t)strlen(s);
    while (len > 0) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p, len, &cp);
        if (n <= 0)
            return 0;
        p += n;
        len -= n;
    }
    return 1;
}

/* Sets obj[key] = value (a new reference, stolen); a NULL 'value' or a failure marks *bad. */
static void put(struct json_object *obj, const char *key, struct json_object *value, int *bad)
{
    if (obj == NULL || value == NULL || !valid_utf8(key) ||
        json_object_object_add(obj, key, value) != 0) {
        json_object_put(value);
        *bad = 1;
    }
}

static struct json_object *json_count(uint64_t n)
{
    return json_object_new_uint64(n);
}

/* A number written with 10 significant digits (and ".0" when it has no fraction), or NULL
 * when it is not finite. */
static struct json_object *json_real(double x)
{
    if (!isfinite(x))
        return NULL;
    char buf[40];
    int n = snprintf(buf, sizeof(buf) - 2, "%.10g", x);
    if (strpbrk(buf, ".e") == NULL)
        memcpy(buf + n, ".0", 3);
    return json_object_new_double_s(x, buf);
}

/* A string, or NULL when it is not valid UTF-8 (JSON text is). */
static struct json_object *json_string(const char *s)
{
    return valid_utf8(s) ? json_object_new_string(s) : NULL;
}

/* Builds the JSON report; returns NULL when out of memory or a name is not valid UTF-8. */
static struct json_object *build_json(const struct eval_run *run, char **files, int nfiles)
{
    const struct chaff_model *model = run->model;
    const struct chaff_eval *ev = run->ev;
    const size_t nlabels = chaff_model_nlabels(model);
    int bad = 0;
    struct json_object *root = json_object_new_object();
    struct json_object *jfiles = json_object_new_array();
    for (int i = 0; i < nfiles; i++) {
        struct json_object *f = json_string(files[i]);
        if (jfiles == NULL || f == NULL || json_object_array_add(jfiles, f) != 0) {
            json_object_put(f);
            bad = 1;
        }
    }
    put(root, "files", jfiles, &bad);
    put(root, "n", json_count(chaff_eval_count(ev)), &bad);
    put(root, "pages", json_count(run->pages), &bad);
    put(root, "accuracy", json_real(chaff_eval_accuracy(ev)), &bad);
    put(root, "macro_f1", json_real(chaff_eval_macro_f1(ev)), &bad);
    put(root, "page_macro_f1", json_real(chaff_eval_page_macro_f1(ev)), &bad);

    struct json_object *per_label = json_object_new_object();
    struct json_object *char_f1 = json_object_new_object();
    struct json_object *char_per_label = json_object_new_object();
    struct json_object *confusion = json_object_new_object();
    for (uint32_t i = 0; i < nlabels; i++) {
        const char *name = chaff_model_label_name(model, i);
        struct chaff_label_metrics m;
        chaff_eval_label(ev, i, &m);
        struct json_object *jl = json_object_new_object();
        put(jl, "support", json_count(m.support), &bad);
        put(jl, "precision", json_real(m.precision), &bad);
        put(jl, "recall", json_real(m.recall), &bad);
        put(jl, "f1", json_real(m.f1), &bad);
        put(per_label, name, jl, &bad);
        struct json_object *jc = json_object_new_object();
        put(jc, "precision", json_real(m.char_precision), &bad);
        put(jc, "recall", json_real(m.char_recall), &bad);
        put(jc, "f1", json_real(m.char_f1), &bad);
        put(char_per_label, name, jc, &bad);
        struct json_object *row = json_object_new_object();
        for (uint32_t j = 0; j < nlabels; j++)
            put(row, chaff_model_label_name(model, j), json_count(chaff_eval_confusion(ev, i, j)),
                &bad);
        put(confusion, name, row, &bad);
    }
    put(root, "per_label", per_label, &bad);
    put(char_f1, "macro_f1", json_real(chaff_eval_char_macro_f1(ev)), &bad);
    put(char_f1, "per_label", char_per_label, &bad);
    put(root, "char_f1", char_f1, &bad);

    struct json_object *per_lang = json_object_new_object();
    for (size_t i = 0; i < chaff_eval_nlangs(ev); i++) {
        struct json_object *jl = json_object_new_object();
        put(jl, "n", json_count(chaff_eval_lang_count(ev, i)), &bad);
        put(jl, "macro_f1", json_real(chaff_eval_lang_macro_f1(ev, i)), &bad);
        put(jl, "pages", json_count(chaff_eval_lang_npages(ev, i)), &bad);
        put(jl, "page_macro_f1", json_real(chaff_eval_lang_page_macro_f1(ev, i)), &bad);
        put(per_lang, chaff_eval_lang_name(ev, i), jl, &bad);
    }
    put(root, "per_lang", per_lang, &bad);
    if (run->ev_source != NULL) {
        const struct chaff_eval *es = run->ev_source;
        struct json_object *per_source = json_object_new_object();
        for (size_t i = 0; i < chaff_eval_nlangs(es); i++) {
            struct json_object *jl = json_object_new_object();
            put(jl, "n", json_count(chaff_eval_lang_count(es, i)), &bad);
            put(jl, "macro_f1", json_real(chaff_eval_lang_macro_f1(es, i)), &bad);
            put(jl, "pages", json_count(chaff_eval_lang_npages(es, i)), &bad);
            put(jl, "page_macro_f1", json_real(chaff_eval_lang_page_macro_f1(es, i)), &bad);
            put(per_source, chaff_eval_lang_name(es, i), jl, &bad);
        }
        put(root, "per_source", per_source, &bad);
    }
    if (run->html) {
        put(root, "gold_rows", json_count(run->align.gold), &bad);
        put(root, "aligned", json_count(run->align.aligned), &bad);
        put(root, "unaligned_gold", json_count(run->align.unaligned_gold), &bad);
        put(root, "unaligned_pred", json_count(run->align.unaligned_pred), &bad);
        put(root, "pages_without_html", json_count(run->align.missing_pages), &bad);
        put(root, "html_without_gold", json_count(run->align.extra_pages), &bad);
        put(root, "bad_records", json_count(run->align.bad_records), &bad);
    }
    put(root, "confusion", confusion, &bad);
    if (bad) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

/* chaff eval --html: the pages of each PAGES GOLD pair, joined, classified and scored. Frees
 * 'model'. */
static int eval_html(struct chaff_model *model, int json, char **args, int nargs)
{
    struct eval_run run = {0};
    int status = CLI_EXIT_DATA;
    struct chaff_error err = {0};
    struct chaff_dataset *ds = chaff_dataset_create();
    run.model = model;
    run.html = 1;
    run.cl = chaff_classifier_create(model);
    run.ev = chaff_eval_create(model);
    run.ev_source = chaff_eval_create(model);
    if (ds == NULL || run.cl == NULL || run.ev == NULL || run.ev_source == NULL) {
        cli_msg("out of memory");
        goto out;
    }
    for (int i = 0; i + 1 < nargs; i += 2) {
        struct chaff_align_counts c;
        if (chaff_dataset_read_html(ds, args[i], args[i + 1], &c, &err) != CHAFF_OK) {
            cli_msg_error(&err);
            goto out;
        }
        run.align.pages += c.pages;
        run.align.gold += c.gold;
        run.align.aligned += c.aligned;
        run.align.unaligned_gold += c.unaligned_gold;
        run.align.unaligned_pred += c.unaligned_pred;
        run.align.missing_pages += c.missing_pages;
        run.align.extra_pages += c.extra_pages;
        run.align.bad_records += c.bad_records;
        if (c.missing_pages > 0)
            cli_msg("%s: %llu labelled pages of %s have no HTML there (their rows count as "
                    "predicted navigation)", args[i], (unsigned long long)c.missing_pages,
                    args[i + 1]);
    }
    run.pages = chaff_dataset_npages(ds);
    if (chaff_eval_dataset(run.ev, run.ev_source, run.cl, ds, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        goto out;
    }
    if (json) {
        struct json_object *root = build_json(&run, args, nargs);
        const char *text = root == NULL ? NULL : json_object_to_json_string_ext(
            root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (text == NULL) {
            json_object_put(root);
            cli_msg("cannot build the JSON report (out of memory, or a name that is not UTF-8)");
            goto out;
        }
        fputs(text, stdout);
        json_object_put(root);
        putchar('\n');
    } else {
        print_text(&run);
    }
    status = cli_finish_output();
out:
    chaff_eval_free(run.ev);
    chaff_eval_free(run.ev_source);
    chaff_classifier_free(run.cl);
    chaff_dataset_free(ds);
    chaff_model_free(model);
    return status;
}

int cmd_eval(int argc, char **argv)
{
    static const struct option long_options[] = {
        {"model", required_argument, NULL, 'm'},
        {"json", no_argument, NULL, 'j'},
        {"predictions", required_argument, NULL, 'p'},
        {"html", no_argument, NULL, 'H'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *model_path = NULL;
    const char *pred_path = NULL;
    int json = 0, html = 0;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":m:jp:h", long_options, NULL)) != -1) {
        switch (c) {
        case 'm':
            model_path = optarg;
            break;
        case 'j':
            json = 1;
            break;
        case 'p':
            pred_path = optarg;
            break;
        case 'H':
            html = 1;
            break;
        case 'h':
            fputs(usage_long, stdout);
            return cli_finish_output();
        case ':':
            cli_msg("eval: option '%s' needs an argument", argv[optind - 1]);
            fputs(usage_short, stderr);
            return CLI_EXIT_USAGE;
        default:
            if (optopt != 0)
                cli_msg("eval: unknown option '-%c'", optopt);
            else
                cli_msg("eval: unknown option '%s'", argv[optind - 1]);
            fputs(usage_short, stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_msg("eval: no data files given");
        fputs(usage_short, stderr);
        return CLI_EXIT_USAGE;
    }

    if (html && ((argc - optind) % 2 != 0 || pred_path != NULL)) {
        cli_msg(pred_path != NULL ? "eval: --html takes no --predictions"
                                  : "eval: --html needs PAGES GOLD.tsv pairs");
        fputs(usage_short, stderr);
        return CLI_EXIT_USAGE;
    }

    int status = CLI_EXIT_DATA;
    struct eval_run run = {0};
    struct chaff_model *model = html ? cli_load_html_model(model_path) : cli_load_model(model_path);
    if (model == NULL)
        return CLI_EXIT_DATA;
    if (html)
        return eval_html(model, json, argv + optind, argc - optind);
    run.model = model;
    run.cl = chaff_classifier_create(model);
    run.ev = chaff_eval_create(model);
    run.ev_source = chaff_eval_create(model);
    if (run.cl == NULL || run.ev == NULL || run.ev_source == NULL) {
        cli_msg("out of memory");
        goto out;
    }
    if (pred_path != NULL) {
        run.pred_name = strcmp(pred_path, "-") == 0 ? "<stdin>" : pred_path;
        run.pred = strcmp(pred_path, "-") == 0 ? stdin : fopen(pred_path, "r");
        if (run.pred == NULL) {
            cli_msg("%s: cannot open: %s", pred_path, strerror(errno));
            goto out;
        }
    }

    /* Every file is read, so all bad files are reported at once; a report over only part of
     * the data would mislead, so none is printed after an error. */
    int failed = 0;
    for (int i = optind; i < argc; i++)
        if (eval_file(&run, argv[i]) != 0)
            failed = 1;
    if (failed)
        goto out;
    if (run.pred != NULL && getline(&run.pred_buf, &run.pred_cap, run.pred) > 0) {
        cli_msg("%s: more predictions than paragraphs (%llu)", run.pred_name,
                (unsigned long long)run.pred_line);
        goto out;
    }

    if (json) {
        struct json_object *root = build_json(&run, argv + optind, argc - optind);
        if (root == NULL) {
            cli_msg("cannot build the JSON report (out of memory, or a label or language name "
                    "that is not UTF-8)");
            goto out;
        }
        const char *text = json_object_to_json_string_ext(
            root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
        if (text == NULL) {
            json_object_put(root);
            cli_msg("cannot build the JSON report (out of memory)");
            goto out;
        }
        fputs(text, stdout);
        json_object_put(root);
        putchar('\n'); /* a write error is reported by cli_finish_output() */
    } else {
        print_text(&run);
    }
    status = cli_finish_output();

out:
    if (run.pred != NULL && run.pred != stdin)
        fclose(run.pred);
    free(run.pred_buf);
    page_buf_release(&run.pb);
    chaff_eval_free(run.ev);
    chaff_eval_free(run.ev_source);
    chaff_classifier_free(run.cl);
    chaff_model_free(model);
    return status;
}
