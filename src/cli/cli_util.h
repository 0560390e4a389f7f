/*
 * cli_util.h - what the chaff commands share: messages, exit codes, model loading, output checks.
 */
#ifndef CHAFF_CLI_UTIL_H
#define CHAFF_CLI_UTIL_H

#include "chaff.h"

#include <stdio.h>

enum { CLI_EXIT_OK = 0, CLI_EXIT_DATA = 1, CLI_EXIT_USAGE = 2 };

/* "chaff: MESSAGE" on stderr. */
void cli_msg(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* "chaff: WHERE: MESSAGE" (or "chaff: MESSAGE" when 'err' has no location) on stderr. */
void cli_msg_error(const struct chaff_error *err);

/* Loads the model at 'path', or the built-in default model when 'path' is NULL. Prints the error
 * and returns NULL on failure. */
struct chaff_model *cli_load_model(const char *path);
/* Loads the model at 'path', or when it is NULL the built-in HTML model; reports failures
 * itself and returns NULL. */
struct chaff_model *cli_load_html_model(const char *path);

/* Flushes standard output and reports a failed write ("chaff: writing output failed: ...").
 * Returns CLI_EXIT_OK or CLI_EXIT_DATA. */
int cli_finish_output(void);

/* Parses a non-negative decimal integer in [min, max] for option 'name'; prints a usage error and
 * returns -1 when 'text' is not one. */
long cli_parse_long(const char *name, const char *text, long min, long max);
/* The same for a positive finite number. */
double cli_parse_double(const char *name, const char *text);
/* Parses the --format value (auto, text, jsonl, warc) into *format; prints a usage error and
 * returns -1 when 'text' is none of them. */
int cli_parse_format(const char *text, enum chaff_format *format);

/* Commands: argv[0] is the command name. Each returns an exit code. */
int cmd_train(int argc, char **argv);
int cmd_classify(int argc, char **argv);
int cmd_eval(int argc, char **argv);
int cmd_tune(int argc, char **argv);
int cmd_bench(int argc, char **argv);

#endif
