/*
 * consumer.c - a program built against an installed libchaff (tests/install/install.sh builds
 * it with pkg-config and with find_package(chaff)). It labels the files named on its command
 * line with the built-in model on the library's pipeline, prints one label per paragraph (as
 * `chaff classify -o labels` does), then labels the same first page again with
 * chaff_classify_page() and checks that the labels agree.
 */
#include <chaff.h>

#include <stdio.h>
#include <stdlib.h>

static int fail(const char *what, const struct chaff_error *err)
{
    fprintf(stderr, "consumer: %s: %s: %s\n", what, err->where, err->msg);
    return 1;
}

int main(int argc, char **argv)
{
    struct chaff_error err = {0};
    struct chaff_model *model = NULL;
    if (chaff_model_load_default(&model, &err) != CHAFF_OK)
        return fail("chaff_model_load_default", &err);
    struct chaff_pipeline_options opt;
    chaff_pipeline_options_defaults(&opt);
    opt.model = model;
    opt.threads = 2;
    struct chaff_pipeline *pl = NULL;
    if (chaff_pipeline_open_files(&opt, (const char *const *)argv + 1, (size_t)argc - 1, &pl,
                                  &err) != CHAFF_OK)
        return fail("chaff_pipeline_open_files", &err);
    struct chaff_classifier *cl = chaff_classifier_create(model);
    struct chaff_pipeline_item item;
    int rc, status = 0, first = 1;
    while ((rc = chaff_pipeline_next(pl, &item, &err)) != 0) {
        if (rc < 0) {
            status = fail("chaff_pipeline_next", &err);
            continue;
        }
        const struct chaff_page *page = item.page;
        for (size_t i = 0; i < page->nparas; i++)
            printf("%s\n", chaff_model_label_name(item.model, item.results[i].label));
        if (first && page->nparas > 0) {
            struct chaff_result *res = calloc(page->nparas, sizeof(*res));
            if (res == NULL ||
                chaff_classify_page(cl, page->paras, page->lens, page->nparas, res, &err) !=
                    CHAFF_OK)
                return fail("chaff_classify_page", &err);
            for (size_t i = 0; i < page->nparas; i++)
                if (res[i].label != item.results[i].label) {
                    fprintf(stderr, "consumer: paragraph %zu labelled apart\n", i);
                    status = 1;
                }
            free(res);
        }
        first = 0;
    }
    chaff_pipeline_close(pl);
    chaff_classifier_free(cl);
    chaff_model_free(model);
    return status;
}
