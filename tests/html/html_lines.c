/*
 * html_lines.c - prints the lines chaff_html_extract() makes of HTML files, for comparing with
 * the reference extractor (compare_lines.sh), and times it.
 *
 *   html_lines FILE.html...          NAME<TAB>line for every line (NAME: the file name without
 *                                    its directory and .html)
 *   html_lines --time FILE.html...   ms per page of libxml2's parse alone (the same options,
 *                                    a reused parser) and of the whole extraction, each page's
 *                                    best of 3, interleaved
 *   html_lines --tokens FILE.html... NAME<TAB>number of tokens<TAB>line
 *
 * Exit status: 0, 1 when a file cannot be read or extraction fails, 2 on wrong usage.
 */
#include "chaff.h"

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void silent(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr error)
{
    (void)ctx;
    (void)error;
}

static char *read_file(const char *path, size_t *len_out)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 1 << 16, len = 0, n;
    char *buf = malloc(cap);
    while (buf != NULL && (n = fread(buf + len, 1, cap - len, f)) > 0) {
        len += n;
        if (len == cap) {
            char *p = realloc(buf, cap *= 2);
            if (p == NULL)
                free(buf);
            buf = p;
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        free(buf);
        return NULL;
    }
    *len_out = len;
    return buf;
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void page_name(const char *path, char *out, size_t cap)
{
    const char *base = strrchr(path, '/');
    base = base != NULL ? base + 1 : path;
    size_t n = strlen(base);
    if (n >= 5 && strcmp(base + n - 5, ".html") == 0)
        n -= 5;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, base, n);
    out[n] = '\0';
}

static int time_pages(int nfiles, char **files)
{
    char **data = calloc((size_t)nfiles, sizeof(*data));
    size_t *lens = calloc((size_t)nfiles, sizeof(*lens));
    if (data == NULL || lens == NULL)
        return 1;
    size_t total = 0;
    for (int i = 0; i < nfiles; i++) {
        data[i] = read_file(files[i], &lens[i]);
        if (data[i] == NULL) {
            fprintf(stderr, "html_lines: %s: cannot read\n", files[i]);
            return 1;
        }
        total += lens[i];
    }
    /* Errors are dropped as chaff_html_extract() drops them. */
    xmlSetGenericErrorFunc(NULL, silent);
    xmlSetStructuredErrorFunc(NULL, silent_structured);
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    struct chaff_html *hx = chaff_html_create();
    if (ctxt == NULL || hx == NULL)
        return 1;
    /* Per page the best of 3 runs of each, the two interleaved so that load on the machine
     * weighs on both alike. */
    double best_parse = 0, best_full = 0;
    size_t nlines = 0;
    for (int i = 0; i < nfiles; i++) {
        double bp = 1e300, bf = 1e300;
        for (int round = 0; round < 3; round++) {
            double t0 = now_ms();
            xmlDocPtr doc =
                htmlCtxtReadMemory(ctxt, data[i], (int)lens[i], NULL, "UTF-8",
                                   HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_COMPACT |
                                       HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
            if (doc != NULL)
                xmlFreeDoc(doc);
            double t1 = now_ms();
            struct chaff_page page;
            memset(&page, 0, sizeof(page));
            struct chaff_error err;
            if (chaff_html_extract(hx, data[i], lens[i], NULL, &page, &err) != CHAFF_OK)
                return 1;
            double t2 = now_ms();
            if (round == 0)
                nlines += page.nparas;
            if (t1 - t0 < bp)
                bp = t1 - t0;
            if (t2 - t1 < bf)
                bf = t2 - t1;
        }
        best_parse += bp;
        best_full += bf;
    }
    printf("pages %d, %.1f MB, %zu lines\n", nfiles, total / 1e6, nlines);
    printf("libxml2 parse alone: %.3f ms/page (%.1f MB/s)\n", best_parse / nfiles,
           total / 1e3 / best_parse);
    printf("chaff_html_extract:  %.3f ms/page (%.1f MB/s), %.2fx the parse\n", best_full / nfiles,
           total / 1e3 / best_full, best_full / best_parse);
    chaff_html_free(hx);
    htmlFreeParserCtxt(ctxt);
    for (int i = 0; i < nfiles; i++)
        free(data[i]);
    free(data);
    free(lens);
    return 0;
}

int main(int argc, char **argv)
{
    int first = 1, tokens = 0;
    if (argc > 1 && strcmp(argv[1], "--time") == 0)
        return time_pages(argc - 2, argv + 2);
    if (argc > 1 && strcmp(argv[1], "--tokens") == 0) {
        tokens = 1;
        first = 2;
    }
    if (argc <= first || argv[first][0] == '-') {
        fprintf(stderr, "usage: html_lines [--time | --tokens] FILE.html...\n");
        return 2;
    }
    struct chaff_html *hx = chaff_html_create();
    if (hx == NULL)
        return 1;
    int rc = 0;
    for (int i = first; i < argc; i++) {
        size_t len;
        char *html = read_file(argv[i], &len);
        if (html == NULL) {
            fprintf(stderr, "html_lines: %s: cannot read\n", argv[i]);
            rc = 1;
            continue;
        }
        struct chaff_page page;
        memset(&page, 0, sizeof(page));
        struct chaff_error err;
        char name[512];
        page_name(argv[i], name, sizeof(name));
        if (chaff_html_extract(hx, html, len, NULL, &page, &err) != CHAFF_OK) {
            fprintf(stderr, "html_lines: %s: %s\n", argv[i], err.msg);
            rc = 1;
        } else {
            for (size_t k = 0; k < page.nparas; k++) {
                if (tokens)
                    printf("%s\t%u\t%s\n", name,
                           page.structure->off[k + 1] - page.structure->off[k], page.paras[k]);
                else
                    printf("%s\t%s\n", name, page.paras[k]);
            }
        }
        free(html);
    }
    chaff_html_free(hx);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "html_lines: writing output failed\n");
        rc = 1;
    }
    return rc;
}
