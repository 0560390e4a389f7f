/*
 * outdir.c - one output file per input, for runs over whole crawls that get killed and rerun.
 *
 * Invariant: DIR/NAME exists only as a whole output. An input's output is written to
 * DIR/NAME.part, which the writing process holds an exclusive flock() on (a second process
 * given the same input leaves it alone), flushed with fsync() and renamed to DIR/NAME only when
 * the input was read and written without error; a rename within a directory is atomic, so a
 * run killed at any point leaves at most a .part file, which the next run of that input
 * truncates and rewrites. The next run skips every input whose DIR/NAME exists. Each done
 * input's totals go to DIR/.chaff-stats/NAME.json before the rename, so a rerun's --stats-json
 * still counts the inputs it skips, and counts each input once.
 */
#include "outdir.h"

#include "cli_util.h"
#include "stats_json.h"

#include <errno.h>
#include <fcntl.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATS_SUBDIR ".chaff-stats"

/* Removes 'suffix' from the end of name[0..*len) when it is there (ASCII case ignored). */
static int strip_suffix(const char *name, size_t *len, const char *suffix)
{
    size_t n = strlen(suffix);
    if (*len > n && strncasecmp(name + *len - n, suffix, n) == 0) {
        *len -= n;
        return 1;
    }
    return 0;
}

char *outdir_name(const char *path, enum chaff_output output, enum chaff_format format)
{
    static const char *const format_suffixes[] = {".warc", ".wet",  ".jsonl", ".json", ".ndjson",
                                                  ".txt",  ".text", ".html",  ".htm",  ".xhtml"};
    const char *slash = strrchr(path, '/');
    const char *base = slash != NULL ? slash + 1 : path;
    size_t len = strlen(base);
    if (strcmp(path, "-") == 0 || len == 0 || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
        cli_msg("%s: --output-dir needs named input files (standard input and directories have "
                "no name to name an output after)",
                strcmp(path, "-") == 0 ? "standard input" : path);
        return NULL;
    }
    const int gz = strip_suffix(base, &len, ".gz");
    if (!gz && !strip_suffix(base, &len, ".zst"))
        strip_suffix(base, &len, ".zstd");
    int warc_named = 0;
    for (int again = 1; again;) {
        again = 0;
        for (size_t i = 0; i < sizeof(format_suffixes) / sizeof(format_suffixes[0]); i++)
            if (strip_suffix(base, &len, format_suffixes[i])) {
                warc_named |= i < 2;
                again = 1;
            }
    }
    const int warc = format == CHAFF_FORMAT_WARC || (format == CHAFF_FORMAT_AUTO && warc_named);
    const char *suffix = ".tsv";
    if (output == CHAFF_OUTPUT_LABELS)
        suffix = ".labels";
    else if (output == CHAFF_OUTPUT_JSONL)
        suffix = ".jsonl";
    else if (output == CHAFF_OUTPUT_CLEAN)
        suffix = !warc ? ".txt" : gz ? ".warc.wet.gz" : ".warc.wet";
    char *name = malloc(len + strlen(suffix) + 1);
    if (name == NULL) {
        cli_msg("out of memory");
        return NULL;
    }
    memcpy(name, base, len);
    strcpy(name + len, suffix);
    return name;
}

struct named {
    const char *name, *path;
};

static int by_name(const void *a, const void *b)
{
    return strcmp(((const struct named *)a)->name, ((const struct named *)b)->name);
}

int outdir_check_names(char *const *paths, size_t n, enum chaff_output output,
                       enum chaff_format format)
{
    struct named *v = calloc(n + 1, sizeof(*v));
    if (v == NULL) {
        cli_msg("out of memory");
        return CLI_EXIT_DATA;
    }
    int status = CLI_EXIT_OK;
    size_t made = 0;
    for (; made < n; made++) {
        v[made].path = paths[made];
        if ((v[made].name = outdir_name(paths[made], output, format)) == NULL) {
            status = CLI_EXIT_USAGE;
            break;
        }
    }
    if (status == CLI_EXIT_OK) {
        qsort(v, n, sizeof(*v), by_name);
        for (size_t i = 1; i < n; i++)
            if (strcmp(v[i - 1].name, v[i].name) == 0) {
                const int same = strcmp(v[i - 1].path, v[i].path) == 0;
                cli_msg("--output-dir: %s%s%s%s both make %s (an output is named after its "
                        "input's file name without directory, compression and format "
                        "suffixes); %s",
                        same ? "input " : "", v[i - 1].path,
                        same ? " is listed twice: it and it" : " and ", same ? "" : v[i].path,
                        v[i].name,
                        same ? "list each input once"
                             : "rename one, or run them into different output directories");
                status = CLI_EXIT_USAGE;
                break;
            }
    }
    for (size_t i = 0; i < made; i++)
        free((char *)v[i].name);
    free(v);
    return status;
}

/* ------------------------------------------------------------------ one output file */

/* The output stream of an input: write(2) on 'fd' through stdio, keeping the first error's
 * errno (stdio's own errno does not survive the pipeline's other calls). */
struct out_file {
    int fd;
    int err;
};

static ssize_t out_file_write(void *cookie, const char *data, size_t len)
{
    struct out_file *o = cookie;
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(o->fd, data + done, len - done);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (o->err == 0)
                o->err = n < 0 ? errno : EIO;
            return -1;
        }
        done += (size_t)n;
    }
    return (ssize_t)len;
}

static const cookie_io_functions_t out_file_io = {.write = out_file_write};

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double cpu_seconds(void)
{
    struct rusage ru;
    if (getrusage(RUSAGE_SELF, &ru) != 0)
        return 0;
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

/* "DIR/NAME" followed by 'suffix', malloc'd; NULL when out of memory (reported). */
static char *join(const char *dir, const char *name, const char *suffix)
{
    size_t n = strlen(dir) + 1 + strlen(name) + strlen(suffix) + 1;
    char *p = malloc(n);
    if (p == NULL)
        cli_msg("out of memory");
    else
        snprintf(p, n, "%s/%s%s", dir, name, suffix);
    return p;
}

/* What a run has done so far. */
struct run {
    const struct pipeline_config *cfg;
    const struct outdir_options *opt;
    int dir_fd, stats_dir_fd;   /* opt->dir and its STATS_SUBDIR, for fsync(); or -1 */
    struct json_object *totals; /* the done inputs' totals, summed */
    struct json_object *failed; /* array of the failed inputs' paths */
    size_t done, skipped, failed_n, skipped_without_stats;
    int stdout_failed;
};

/* Adds one input's totals (a stats object) to the run's. */
static int add_totals(struct run *run, struct json_object *one, const char *where)
{
    char why[700];
    if (stats_json_add(run->totals, one, why, sizeof(why)) != 0) {
        cli_msg("%s: %s", where, why);
        return -1;
    }
    return 0;
}

/* Classifies 'path' into 'out'; fills *one with its totals when it went without error. Returns
 * the pipeline's exit code. */
static int classify_into(struct run *run, const char *path, FILE *out, struct json_object **one)
{
    struct pipeline_config cfg = *run->cfg;
    struct pipeline_totals totals;
    cfg.out = out;
    cfg.totals = &totals;
    char *paths[1] = {(char *)path};
    const double t0 = now_seconds(), c0 = cpu_seconds();
    int status = pipeline_run(&cfg, paths, 1);
    const double seconds = now_seconds() - t0, cpu = cpu_seconds() - c0;
    *one = NULL;
    if (status == CLI_EXIT_OK) {
        *one = stats_json_from_totals(&totals, seconds);
        if (*one == NULL ||
            json_object_object_add(*one, "cpu_seconds", json_object_new_double(cpu)) != 0) {
            cli_msg("out of memory");
            json_object_put(*one);
            *one = NULL;
            status = CLI_EXIT_DATA;
        }
    }
    return status;
}

static void note_failed(struct run *run, const char *path)
{
    run->failed_n++;
    struct json_object *s = stats_json_path(path);
    if (s == NULL || json_object_array_add(run->failed, s) != 0)
        json_object_put(s);
}

/* An input whose output exists: counted with the totals kept beside it. */
static void skip_done(struct run *run, const char *stats_path)
{
    run->skipped++;
    struct json_object *one = stats_path != NULL ? stats_json_read(stats_path, 1) : NULL;
    if (one == NULL || add_totals(run, one, stats_path) != 0)
        run->skipped_without_stats++;
    json_object_put(one);
}

/* Classifies 'path' into DIR/NAME through DIR/NAME.part. */
static void run_one_into_dir(struct run *run, const char *path)
{
    const struct outdir_options *opt = run->opt;
    char *name = outdir_name(path, run->cfg->wopt.output, run->cfg->ropt.format);
    char *final = NULL, *part = NULL, *stats = NULL;
    FILE *out = NULL;
    int fd = -1;
    struct json_object *one = NULL;
    if (name == NULL || (final = join(opt->dir, name, "")) == NULL ||
        (part = join(opt->dir, name, ".part")) == NULL ||
        (stats = join(opt->dir, STATS_SUBDIR "/", name)) == NULL)
        goto failed;
    char *tmp = realloc(stats, strlen(stats) + sizeof(".json"));
    if (tmp == NULL)
        goto failed;
    stats = strcat(tmp, ".json");
    struct stat st;
    if (lstat(final, &st) == 0) {
        skip_done(run, stats);
        goto out;
    }
    fd = open(part, O_WRONLY | O_CREAT | O_CLOEXEC, 0666);
    if (fd < 0) {
        cli_msg("%s: cannot create: %s", part, strerror(errno));
        goto failed;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        if (errno == EWOULDBLOCK)
            cli_msg("%s: another process is writing its output %s; left to it", path, part);
        else
            cli_msg("%s: cannot lock: %s", part, strerror(errno));
        goto failed_keep_part;
    }
    /* The process that held the lock before may have finished meanwhile: renamed the file we
     * opened to NAME (it must not be truncated now), or left a new NAME.part behind. */
    struct stat mine;
    const int ours = fstat(fd, &mine) == 0 && lstat(part, &st) == 0 && st.st_dev == mine.st_dev &&
                     st.st_ino == mine.st_ino;
    if (lstat(final, &st) == 0) {
        if (ours)
            unlink(part); /* locked by us, and NAME is whole already */
        skip_done(run, stats);
        goto out;
    }
    if (!ours) {
        cli_msg("%s: %s was replaced by another process as this one opened it; left to it", path,
                part);
        goto failed_keep_part;
    }
    struct out_file of = {fd, 0};
    if (ftruncate(fd, 0) != 0) {
        cli_msg("%s: cannot truncate: %s", part, strerror(errno));
        goto failed;
    }
    if ((out = fopencookie(&of, "w", out_file_io)) == NULL) {
        cli_msg("out of memory");
        goto failed;
    }
    int status = classify_into(run, path, out, &one);
    if (fflush(out) != 0 || ferror(out) || of.err != 0) {
        cli_msg("%s: writing failed: %s", part, strerror(of.err != 0 ? of.err : EIO));
        goto failed;
    }
    if (status != CLI_EXIT_OK)
        goto failed; /* the pipeline said why */
    if (fsync(fd) != 0) {
        cli_msg("%s: writing failed: %s", part, strerror(errno));
        goto failed;
    }
    /* The totals first: killed between the two renames, the input is done again and its
     * totals overwritten, never counted twice. */
    if (run->stats_dir_fd >= 0 && stats_json_write(stats, one) != 0)
        goto failed;
    if (rename(part, final) != 0) {
        cli_msg("%s: cannot rename to %s: %s", part, final, strerror(errno));
        goto failed;
    }
    /* Done: what fails from here on is reported, but the output is whole. */
    run->done++;
    if (fsync(run->dir_fd) != 0)
        cli_msg("%s: cannot flush the directory: %s", opt->dir, strerror(errno));
    add_totals(run, one, stats);
    goto out;
failed:
    if (fd >= 0)
        unlink(part); /* ours: the lock is held, or the file was never written */
failed_keep_part:
    cli_msg("%s: failed; no output written (a rerun tries it again)", path);
    note_failed(run, path);
out:
    if (out != NULL)
        fclose(out);
    if (fd >= 0)
        close(fd);
    json_object_put(one);
    free(stats);
    free(part);
    free(final);
    free(name);
}

/* Classifies 'path' to standard output. */
static void run_one_to_stdout(struct run *run, const char *path)
{
    struct json_object *one = NULL;
    int status = classify_into(run, path, stdout, &one);
    if (ferror(stdout)) {
        run->stdout_failed = 1;
        status = CLI_EXIT_DATA;
    }
    if (status == CLI_EXIT_OK && add_totals(run, one, path) == 0)
        run->done++;
    else
        note_failed(run, path);
    json_object_put(one);
}

/* Opens 'path' for fsync() on a directory, making it first when it does not exist. Returns the
 * descriptor or -1 (reported). */
static int open_dir(const char *path)
{
    if (mkdir(path, 0777) != 0 && errno != EEXIST) {
        cli_msg("%s: cannot make the directory: %s", path, strerror(errno));
        return -1;
    }
    int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        cli_msg("%s: cannot open the directory: %s", path, strerror(errno));
    return fd;
}

/* The totals of no input, with the models' label names: what a run that does nothing reports. */
static struct json_object *zero_totals(const struct pipeline_config *base)
{
    struct pipeline_config cfg = *base;
    struct pipeline_totals totals;
    cfg.progress = 0;
    cfg.stats = 0;
    cfg.totals = &totals;
    if (pipeline_run(&cfg, NULL, 0) != CLI_EXIT_OK)
        return NULL;
    struct json_object *zero = stats_json_from_totals(&totals, 0);
    if (zero != NULL && json_object_object_add(zero, "cpu_seconds", json_object_new_double(0))) {
        json_object_put(zero);
        zero = NULL;
    }
    return zero;
}

/* Writes the run's totals to opt->stats_json. */
static int write_stats(struct run *run, size_t n, double run_seconds, double run_cpu)
{
    struct json_object *root = json_object_new_object();
    struct json_object *inputs = json_object_new_object();
    int bad = root == NULL || inputs == NULL || json_object_object_add(root, "inputs", inputs);
    if (bad) {
        json_object_put(inputs);
        json_object_put(root);
        cli_msg("out of memory");
        return -1;
    }
    bad |= stats_json_put_count(inputs, "total", n) != 0;
    bad |= stats_json_put_count(inputs, "done", run->done) != 0;
    bad |= stats_json_put_count(inputs, "skipped", run->skipped) != 0;
    bad |= stats_json_put_count(inputs, "failed", run->failed_n) != 0;
    bad |= stats_json_put_count(inputs, "skipped_without_stats", run->skipped_without_stats);
    bad |= json_object_object_add(root, "failed_inputs", json_object_get(run->failed)) != 0;
    json_object_object_foreach(run->totals, key, value)
    {
        bad |= json_object_object_add(root, key, json_object_get(value)) != 0;
    }
    struct json_object *r = json_object_new_double(run_seconds);
    struct json_object *c = json_object_new_double(run_cpu);
    bad |= json_object_object_add(root, "run_seconds", r) != 0;
    bad |= json_object_object_add(root, "run_cpu_seconds", c) != 0;
    bad |= stats_json_put_count(root, "runs", 1) != 0;
    int rc = -1;
    if (bad)
        cli_msg("out of memory");
    else
        rc = stats_json_write(run->opt->stats_json, root);
    json_object_put(root);
    return rc;
}

int outdir_run(const struct pipeline_config *cfg, const struct outdir_options *opt,
               char *const *paths, size_t n)
{
    struct run run = {.cfg = cfg, .opt = opt, .dir_fd = -1, .stats_dir_fd = -1};
    const double t0 = now_seconds(), c0 = cpu_seconds();
    int status = CLI_EXIT_DATA;
    run.totals = zero_totals(cfg);
    run.failed = json_object_new_array();
    if (run.totals == NULL || run.failed == NULL) {
        cli_msg("out of memory");
        goto out;
    }
    if (opt->dir != NULL) {
        char *stats_dir = join(opt->dir, STATS_SUBDIR, "");
        if ((run.dir_fd = open_dir(opt->dir)) < 0 || stats_dir == NULL ||
            (run.stats_dir_fd = open_dir(stats_dir)) < 0) {
            free(stats_dir);
            goto out;
        }
        free(stats_dir);
    }
    for (size_t i = 0; i < n && !run.stdout_failed; i++) {
        if (opt->dir != NULL)
            run_one_into_dir(&run, paths[i]);
        else
            run_one_to_stdout(&run, paths[i]);
    }
    if (run.dir_fd >= 0 && run.stats_dir_fd >= 0 && fsync(run.stats_dir_fd) != 0)
        cli_msg("%s/%s: cannot flush: %s", opt->dir, STATS_SUBDIR, strerror(errno));
    status = run.failed_n > 0 || run.stdout_failed ? CLI_EXIT_DATA : CLI_EXIT_OK;
    if (run.failed_n > 0 || cfg->stats)
        cli_msg("%zu inputs: %zu classified, %zu skipped (their output was complete), %zu failed",
                n, run.done, run.skipped, run.failed_n);
    if (opt->stats_json != NULL &&
        write_stats(&run, n, now_seconds() - t0, cpu_seconds() - c0) != 0)
        status = CLI_EXIT_DATA;
out:
    if (run.stats_dir_fd >= 0)
        close(run.stats_dir_fd);
    if (run.dir_fd >= 0)
        close(run.dir_fd);
    json_object_put(run.failed);
    json_object_put(run.totals);
    return status;
}
