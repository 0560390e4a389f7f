/*
 * cli_util.c - messages, exit codes and option parsing shared by the commands.
 */
#include "cli_util.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void cli_msg(const char *format, ...)
{
    va_list ap;
    fputs("chaff: ", stderr);
    va_start(ap, format);
    vfprintf(stderr, format, ap);
    va_end(ap);
    fputc('\n', stderr);
}

void cli_msg_error(const struct chaff_error *err)
{
    const char *msg = err->msg[0] != '\0' ? err->msg : chaff_strerror(err->code);
    if (err->where[0] != '\0')
        cli_msg("%s: %s", err->where, msg);
    else
        cli_msg("%s", msg);
}

struct chaff_model *cli_load_model(const char *path)
{
    struct chaff_error err = {0};
    struct chaff_model *model = NULL;
    int rc = path != NULL ? chaff_model_load_file(path, &model, &err)
                          : chaff_model_load_default(&model, &err);
    if (rc != CHAFF_OK) {
        cli_msg_error(&err);
        return NULL;
    }
    return model;
}

struct chaff_model *cli_load_html_model(const char *path)
{
    if (path != NULL)
        return cli_load_model(path);
    struct chaff_error err = {0};
    struct chaff_model *model = NULL;
    if (chaff_model_load_default_html(&model, &err) != CHAFF_OK) {
        cli_msg_error(&err);
        return NULL;
    }
    return model;
}

int cli_finish_output(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        cli_msg("writing output failed: %s", strerror(errno != 0 ? errno : EIO));
        return CLI_EXIT_DATA;
    }
    return CLI_EXIT_OK;
}

long cli_parse_long(const char *name, const char *text, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long v = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || v < min || v > max) {
        cli_msg("%s: expected an integer from %ld to %ld, got '%s'", name, min, max, text);
        return -1;
    }
    return v;
}

double cli_parse_double(const char *name, const char *text)
{
    char *end = NULL;
    errno = 0;
    double v = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !isfinite(v) || v <= 0) {
        cli_msg("%s: expected a positive number, got '%s'", name, text);
        return -1;
    }
    return v;
}

int cli_parse_format(const char *text, enum chaff_format *format)
{
    static const struct {
        const char *name;
        enum chaff_format format;
    } formats[] = {
        {"auto", CHAFF_FORMAT_AUTO},
        {"text", CHAFF_FORMAT_TEXT},
        {"jsonl", CHAFF_FORMAT_JSONL},
        {"warc", CHAFF_FORMAT_WARC},
        {"html", CHAFF_FORMAT_HTML},
    };
    for (size_t i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
        if (strcmp(text, formats[i].name) == 0) {
            *format = formats[i].format;
            return 0;
        }
    cli_msg("--format: unknown format '%s' (auto, text, jsonl, warc, html)", text);
    return -1;
}
