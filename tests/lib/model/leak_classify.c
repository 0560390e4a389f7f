/*
 * leak_classify.c - 10^5 classifications through every path a host uses, for LeakSanitizer in
 * the ASan tree (a leak makes the program exit non-zero there): chaff_classify_page() with one
 * classifier, classifiers and models made and freed (from the built-in model's bytes too),
 * pages of HTML made into paragraphs, and pushed pipelines opened, fed and closed, some with
 * pages still in flight. It prints its RSS along the way (bench/python-rss measures flatness
 * through the Python package).
 */
#include "chaff.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CALLS 100000

static const char *const words[] = {
    "Home", "News", "Accept all cookies", "We use cookies to improve your experience.",
    "The council approved the budget on Tuesday after a long debate about the new bridge.",
    "Privacy policy", "Share on Facebook", "Contact", "\xff\xfe invalid UTF-8 \xc3",
    "Residents said the plan would bring more traffic to the old town centre."};
#define NWORDS (sizeof(words) / sizeof(words[0]))

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f != NULL && fgets(line, sizeof(line), f) != NULL)
        if (strncmp(line, "VmRSS:", 6) == 0)
            kb = strtol(line + 6, NULL, 10);
    if (f != NULL)
        fclose(f);
    return kb;
}

static int fail(const char *what, const struct chaff_error *err)
{
    fprintf(stderr, "leak_classify: %s: %s: %s\n", what, err->where, err->msg);
    return 1;
}

int main(void)
{
    struct chaff_error err = {0};
    struct chaff_model *model = NULL;
    if (chaff_model_load_default(&model, &err) != CHAFF_OK)
        return fail("load", &err);
    struct chaff_classifier *cl = chaff_classifier_create(model);
    const char *paras[8];
    size_t lens[8];
    struct chaff_result res[8];
    static const char html[] = "<html><head><title>A page</title></head><body><nav><a href=/>"
                               "Home</a> <a href=/n>News</a></nav><p>The council approved the "
                               "budget.</p><div id=cookie>We use cookies. <button>Accept"
                               "</button></div></body></html>";
    struct chaff_html *hx = chaff_html_create();
    if (cl == NULL || hx == NULL)
        return 1;
    unsigned long labelled = 0;
    for (long i = 0; i < CALLS; i++) {
        size_t n = 1 + (size_t)i % 8;
        for (size_t k = 0; k < n; k++) {
            paras[k] = words[((size_t)i + k) % NWORDS];
            lens[k] = strlen(paras[k]);
        }
        if (chaff_classify_page(cl, paras, lens, n, res, &err) != CHAFF_OK)
            return fail("classify", &err);
        labelled += n;
        if (i % 1000 == 999) {
            /* a new classifier, and a page of HTML */
            chaff_classifier_free(cl);
            cl = chaff_classifier_create(model);
            struct chaff_page page;
            memset(&page, 0, sizeof(page));
            if (cl == NULL || chaff_html_extract(hx, html, sizeof(html) - 1, NULL, &page,
                                                 &err) != CHAFF_OK)
                return fail("html", &err);
        }
        if (i % 10000 == 9999) {
            /* a model loaded again, and a pushed pipeline over it */
            struct chaff_model *m2 = NULL;
            if (chaff_model_load_default(&m2, &err) != CHAFF_OK)
                return fail("load again", &err);
            struct chaff_pipeline_options opt;
            chaff_pipeline_options_defaults(&opt);
            opt.model = m2;
            opt.threads = 2;
            struct chaff_pipeline *pl = NULL;
            if (chaff_pipeline_create(&opt, &pl, &err) != CHAFF_OK)
                return fail("pipeline", &err);
            struct chaff_page page = {.id = "p", .nparas = n, .paras = paras, .lens = lens};
            for (int k = 0; k < 200; k++)
                if (chaff_pipeline_push(pl, &page, &err) < 0)
                    return fail("push", &err);
            struct chaff_pipeline_item item;
            int taken = 0;
            /* every other pipeline is closed with pages in flight */
            while ((i / 10000) % 2 == 0 && chaff_pipeline_next(pl, &item, &err) == 1)
                taken++;
            chaff_pipeline_close(pl);
            chaff_model_free(m2);
            printf("%ld calls, %lu paragraphs, pipeline %d pages, RSS %ld kB\n", i + 1,
                   labelled, taken, rss_kb());
        }
    }
    chaff_html_free(hx);
    chaff_classifier_free(cl);
    chaff_model_free(model);
    return 0;
}
