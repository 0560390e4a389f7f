/*
 * inputs.h - the list of inputs of "chaff classify": the command line's files, the lines of
 * --inputs FILE, and the share of them that --shard I/N picks.
 */
#ifndef CHAFF_CLI_INPUTS_H
#define CHAFF_CLI_INPUTS_H

#include <stddef.h>

/* A growing list of input paths; zero-initialise it. The list owns its strings. */
struct input_list {
    char **paths;
    size_t n, cap;
};

/* Appends a copy of 'path'. Returns 0, or -1 when out of memory (reported). */
int input_list_add(struct input_list *l, const char *path);

/* Appends the paths of 'file' ("-": standard input), one a line: the line's bytes without its
 * '\n' (and a '\r' before it); blank lines are skipped. Reports a failure as
 * "chaff: FILE: ..." and returns CLI_EXIT_DATA; CLI_EXIT_OK otherwise. */
int input_list_read(struct input_list *l, const char *file);

/* Parses "--shard I/N" (0 <= I < N); prints a usage error and returns -1 when 'text' is not
 * one. */
int input_shard_parse(const char *text, size_t *index, size_t *count);

/* Keeps the inputs at positions index, index + count, index + 2 count, ... (in order) and frees
 * the others. */
void input_list_shard(struct input_list *l, size_t index, size_t count);

/* Frees the paths and the list's array; 'l' is empty afterwards. */
void input_list_free(struct input_list *l);

#endif
