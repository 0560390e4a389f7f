/*
 * inputs.c - the inputs of "chaff classify" as a list: paths from the command line and from
 * --inputs files, and every N-th of them for --shard I/N, so that N processes (a Slurm job
 * array, GNU parallel) share one list without coordination.
 */
#include "inputs.h"

#include "cli_util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int input_list_add(struct input_list *l, const char *path)
{
    if (l->n == l->cap) {
        size_t ncap = l->cap > 0 ? 2 * l->cap : 64;
        char **p = realloc(l->paths, ncap * sizeof(*p));
        if (p == NULL) {
            cli_msg("out of memory for %zu inputs", l->n);
            return -1;
        }
        l->paths = p;
        l->cap = ncap;
    }
    if ((l->paths[l->n] = strdup(path)) == NULL) {
        cli_msg("out of memory for %zu inputs", l->n);
        return -1;
    }
    l->n++;
    return 0;
}

int input_list_read(struct input_list *l, const char *file)
{
    const int is_stdin = strcmp(file, "-") == 0;
    const char *name = is_stdin ? "standard input" : file;
    FILE *f = is_stdin ? stdin : fopen(file, "r");
    if (f == NULL) {
        cli_msg("%s: cannot open: %s", name, strerror(errno));
        return CLI_EXIT_DATA;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    unsigned long lineno = 0;
    int status = CLI_EXIT_OK;
    while ((len = getline(&line, &cap, f)) >= 0) {
        lineno++;
        if (len > 0 && line[len - 1] == '\n')
            line[--len] = '\0';
        if (len > 0 && line[len - 1] == '\r')
            line[--len] = '\0';
        if (strlen(line) != (size_t)len) {
            cli_msg("%s:%lu: a path holds a NUL byte", name, lineno);
            status = CLI_EXIT_DATA;
            break;
        }
        if (strspn(line, " \t") == (size_t)len)
            continue;
        if (input_list_add(l, line) != 0) {
            status = CLI_EXIT_DATA;
            break;
        }
    }
    if (status == CLI_EXIT_OK && ferror(f)) {
        cli_msg("%s: read error: %s", name, strerror(errno));
        status = CLI_EXIT_DATA;
    }
    free(line);
    if (!is_stdin)
        fclose(f);
    return status;
}

int input_shard_parse(const char *text, size_t *index, size_t *count)
{
    char *end = NULL;
    errno = 0;
    unsigned long long i = strtoull(text, &end, 10);
    int ok = errno == 0 && end != text && text[0] != '-' && text[0] != '+' && *end == '/';
    unsigned long long n = 0;
    if (ok) {
        const char *p = end + 1;
        n = strtoull(p, &end, 10);
        ok = errno == 0 && end != p && p[0] != '-' && p[0] != '+' && *end == '\0' && n > 0;
    }
    if (!ok) {
        cli_msg("--shard: expected I/N (this process takes inputs I, I+N, I+2N, ... counted "
                "from 0), such as 3/8, got '%s'",
                text);
        return -1;
    }
    if (i >= n) {
        cli_msg("--shard %s: I must be below N (shards are numbered 0 to %llu); with Slurm, "
                "give the array's first index as 0 or subtract it",
                text, n - 1);
        return -1;
    }
    *index = (size_t)i;
    *count = (size_t)n;
    return 0;
}

void input_list_shard(struct input_list *l, size_t index, size_t count)
{
    size_t kept = 0;
    for (size_t i = 0; i < l->n; i++) {
        if (i % count == index)
            l->paths[kept++] = l->paths[i];
        else
            free(l->paths[i]);
    }
    l->n = kept;
}

void input_list_free(struct input_list *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->paths[i]);
    free(l->paths);
    memset(l, 0, sizeof(*l));
}
