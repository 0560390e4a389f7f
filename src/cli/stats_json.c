/*
 * stats_json.c - classify totals as JSON objects, their sum, and "chaff stats-sum".
 *
 * A stats file is one JSON object whose numbers are counts or seconds. Adding two is a merge
 * by key: numbers add up, objects recurse, arrays (the failed inputs) are concatenated. So the
 * files of the shards of a job sum to the totals of the job, and sums of sums are sums.
 */
#include "stats_json.h"

#include "cli_util.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <utf8proc.h>

int stats_json_put_count(struct json_object *obj, const char *key, unsigned long long n)
{
    struct json_object *v = json_object_new_uint64(n);
    if (v == NULL || json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

static int put_real(struct json_object *obj, const char *key, double x)
{
    struct json_object *v = json_object_new_double(x);
    if (v == NULL || json_object_object_add(obj, key, v) != 0) {
        json_object_put(v);
        return -1;
    }
    return 0;
}

struct json_object *stats_json_from_totals(const struct pipeline_totals *r, double seconds)
{
    struct json_object *root = json_object_new_object();
    if (root == NULL)
        return NULL;
    int bad = stats_json_put_count(root, "pages", r->pages) != 0 ||
              stats_json_put_count(root, "paragraphs", r->paragraphs) != 0 ||
              stats_json_put_count(root, "paragraph_bytes", r->paragraph_bytes) != 0 ||
              stats_json_put_count(root, "input_bytes", r->bytes) != 0 ||
              stats_json_put_count(root, "stored_bytes", r->in_bytes) != 0 ||
              put_real(root, "seconds", seconds) != 0;
    struct json_object *labels = bad ? NULL : json_object_new_object();
    if (labels == NULL || json_object_object_add(root, "labels", labels) != 0) {
        json_object_put(labels); /* not root's */
        bad = 1;
    }
    for (size_t i = 0; i < r->nlabels && !bad; i++) {
        struct json_object *one = json_object_new_object();
        if (one == NULL || json_object_object_add(labels, r->labels[i].name, one) != 0) {
            json_object_put(one);
            bad = 1;
            break;
        }
        bad = stats_json_put_count(one, "paragraphs", r->labels[i].paragraphs) != 0 ||
              stats_json_put_count(one, "bytes", r->labels[i].bytes) != 0;
    }
    if (bad) {
        json_object_put(root);
        return NULL;
    }
    return root;
}

struct json_object *stats_json_path(const char *path)
{
    size_t len = strlen(path);
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return NULL;
    const utf8proc_uint8_t *p = (const utf8proc_uint8_t *)path;
    size_t i = 0;
    while (i < len) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n = utf8proc_iterate(p + i, (utf8proc_ssize_t)(len - i), &cp);
        if (n <= 0) {
            copy[i++] = '?';
            continue;
        }
        memcpy(copy + i, path + i, (size_t)n);
        i += (size_t)n;
    }
    copy[len] = '\0';
    struct json_object *s = json_object_new_string(copy);
    free(copy);
    return s;
}

static const char *type_name(enum json_type t)
{
    switch (t) {
    case json_type_null:
        return "null";
    case json_type_boolean:
        return "a boolean";
    case json_type_double:
    case json_type_int:
        return "a number";
    case json_type_object:
        return "an object";
    case json_type_array:
        return "an array";
    case json_type_string:
        return "a string";
    }
    return "?";
}

static struct json_object *copy_of(struct json_object *v)
{
    struct json_object *c = NULL;
    if (json_object_deep_copy(v, &c, NULL) != 0)
        return NULL;
    return c;
}

static int add_at(struct json_object *sum, struct json_object *add, char *path, size_t path_len,
                  char *why, size_t why_len)
{
    enum json_type ts = json_object_get_type(sum), ta = json_object_get_type(add);
    const int numbers = (ts == json_type_int || ts == json_type_double) &&
                        (ta == json_type_int || ta == json_type_double);
    if (!numbers && ts != ta) {
        snprintf(why, why_len, "%s: %s in one file, %s in another", path[0] ? path : "top level",
                 type_name(ts), type_name(ta));
        return -1;
    }
    if (numbers) {
        if ((ts == json_type_int && json_object_get_int64(sum) < 0) ||
            (ta == json_type_int && json_object_get_int64(add) < 0)) {
            snprintf(why, why_len, "%s: a negative count", path);
            return -1;
        }
        if (ts == json_type_int && ta == json_type_int) {
            uint64_t a = json_object_get_uint64(sum), b = json_object_get_uint64(add);
            if (a > UINT64_MAX - b) {
                snprintf(why, why_len, "%s: the sum overflows 64 bits", path);
                return -1;
            }
            return json_object_set_uint64(sum, a + b) ? 0 : -1;
        }
        /* Doubles stay doubles; a double added to a count makes it one. */
        double x = json_object_get_double(sum) + json_object_get_double(add);
        return json_object_set_double(sum, x) ? 0 : -1;
    }
    if (ts == json_type_array) {
        size_t n = json_object_array_length(add);
        for (size_t i = 0; i < n; i++) {
            struct json_object *c = copy_of(json_object_array_get_idx(add, i));
            if (c == NULL || json_object_array_add(sum, c) != 0) {
                json_object_put(c);
                snprintf(why, why_len, "out of memory");
                return -1;
            }
        }
        return 0;
    }
    if (ts == json_type_object) {
        size_t base = strlen(path);
        json_object_object_foreach(add, key, value)
        {
            snprintf(path + base, path_len - base, "%s%s", base > 0 ? "." : "", key);
            struct json_object *mine = NULL;
            if (json_object_object_get_ex(sum, key, &mine)) {
                /* A number of sum's replaced by a double when the added one is: set in place
                 * works for both, as add_at sets by type. */
                if (json_object_get_type(mine) == json_type_int &&
                    json_object_get_type(value) == json_type_double) {
                    struct json_object *d = json_object_new_double(json_object_get_double(mine));
                    if (d == NULL || json_object_object_add(sum, key, d) != 0) {
                        json_object_put(d);
                        snprintf(why, why_len, "out of memory");
                        return -1;
                    }
                    mine = d;
                }
                if (add_at(mine, value, path, path_len, why, why_len) != 0)
                    return -1;
            } else {
                struct json_object *c = copy_of(value);
                if (c == NULL || json_object_object_add(sum, key, c) != 0) {
                    json_object_put(c);
                    snprintf(why, why_len, "out of memory");
                    return -1;
                }
            }
            path[base] = '\0';
        }
        return 0;
    }
    if (ts == json_type_string) {
        if (strcmp(json_object_get_string(sum), json_object_get_string(add)) != 0) {
            snprintf(why, why_len, "%s: '%s' in one file, '%s' in another", path,
                     json_object_get_string(sum), json_object_get_string(add));
            return -1;
        }
        return 0;
    }
    if (ts == json_type_boolean && json_object_get_boolean(sum) != json_object_get_boolean(add)) {
        snprintf(why, why_len, "%s: true in one file, false in another", path);
        return -1;
    }
    return 0;
}

int stats_json_add(struct json_object *sum, struct json_object *add, char *why, size_t why_len)
{
    char path[512] = "";
    return add_at(sum, add, path, sizeof(path), why, why_len);
}

int stats_json_write(const char *path, struct json_object *obj)
{
    /* Seconds to the millisecond, not 17 digits. */
    json_c_set_serialization_double_format("%.3f", JSON_C_OPTION_GLOBAL);
    const char *text = json_object_to_json_string_ext(
        obj, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_NOSLASHESCAPE);
    if (text == NULL) {
        cli_msg("%s: out of memory", path);
        return -1;
    }
    if (strcmp(path, "-") == 0) {
        puts(text);
        return 0;
    }
    size_t len = strlen(path);
    char *part = malloc(len + sizeof(".part"));
    if (part == NULL) {
        cli_msg("%s: out of memory", path);
        return -1;
    }
    memcpy(part, path, len);
    memcpy(part + len, ".part", sizeof(".part"));
    int rc = -1;
    int fd = open(part, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
    if (fd < 0) {
        cli_msg("%s: cannot create: %s", part, strerror(errno));
        goto out;
    }
    size_t n = strlen(text), done = 0;
    while (done < n) {
        ssize_t w = write(fd, text + done, n - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        done += (size_t)w;
    }
    int ok = done == n && write(fd, "\n", 1) == 1 && fsync(fd) == 0;
    int e = errno;
    if (close(fd) != 0 && ok) {
        ok = 0;
        e = errno;
    }
    if (ok && rename(part, path) != 0) {
        ok = 0;
        e = errno;
    }
    if (!ok) {
        cli_msg("%s: writing failed: %s", path, strerror(e != 0 ? e : EIO));
        unlink(part);
        goto out;
    }
    rc = 0;
out:
    free(part);
    return rc;
}

struct json_object *stats_json_read(const char *path, int quiet)
{
    struct json_object *obj = json_object_from_file(path);
    if (obj == NULL) {
        if (!quiet) {
            const char *e = json_util_get_last_err();
            cli_msg("%s: cannot read a stats file: %s", path, e != NULL ? e : "invalid JSON");
        }
        return NULL;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        if (!quiet)
            cli_msg("%s: not a stats file: its JSON is not an object", path);
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

static const char stats_sum_usage[] =
    "Usage: chaff stats-sum [-o FILE] FILE...\n"
    "\n"
    "Sums the --stats-json files of classify runs (the shards of a job): counts and seconds\n"
    "are added, per-label totals merged by name, the lists of failed inputs concatenated.\n"
    "Writes the sum as JSON to standard output, or to FILE.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE  write the sum to FILE (through FILE.part, renamed when complete)\n"
    "  -h, --help         show this help and exit\n"
    "\n"
    "Exit status: 0 success, 1 a file could not be read or added, 2 usage error.\n";

int cmd_stats_sum(int argc, char **argv)
{
    static const struct option longopts[] = {
        {"output", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *output = "-";
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", longopts, NULL)) != -1) {
        switch (c) {
        case 'o':
            output = optarg;
            break;
        case 'h':
            fputs(stats_sum_usage, stdout);
            return cli_finish_output();
        default:
            fputs("Run 'chaff stats-sum --help' for usage.\n", stderr);
            return CLI_EXIT_USAGE;
        }
    }
    if (optind >= argc) {
        cli_msg("stats-sum: no file given");
        fputs("Run 'chaff stats-sum --help' for usage.\n", stderr);
        return CLI_EXIT_USAGE;
    }
    struct json_object *sum = json_object_new_object();
    if (sum == NULL) {
        cli_msg("out of memory");
        return CLI_EXIT_DATA;
    }
    int status = CLI_EXIT_OK;
    for (int i = optind; i < argc; i++) {
        struct json_object *one = stats_json_read(argv[i], 0);
        if (one == NULL) {
            status = CLI_EXIT_DATA;
            continue;
        }
        char why[700];
        if (stats_json_add(sum, one, why, sizeof(why)) != 0) {
            cli_msg("%s: cannot add: %s", argv[i], why);
            status = CLI_EXIT_DATA;
        }
        json_object_put(one);
    }
    if (status == CLI_EXIT_OK) {
        if (stats_json_write(output, sum) != 0)
            status = CLI_EXIT_DATA;
        else if (strcmp(output, "-") == 0)
            status = cli_finish_output();
    }
    json_object_put(sum);
    return status;
}
