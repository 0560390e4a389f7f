/*
 * stats_json.h - the totals of classify runs as JSON (--stats-json), and their sum over the
 * files of many runs (chaff stats-sum).
 */
#ifndef CHAFF_CLI_STATS_JSON_H
#define CHAFF_CLI_STATS_JSON_H

#include "classify_run.h"

#include <stddef.h>

struct json_object;

/* Returns a new object with the totals of one pipeline run that took 'seconds':
 * {"pages", "paragraphs", "paragraph_bytes", "input_bytes" (decompressed), "stored_bytes",
 *  "labels": {NAME: {"paragraphs", "bytes"}, ...}, "seconds"}; NULL when out of memory. The
 * caller owns it (json_object_put()). */
struct json_object *stats_json_from_totals(const struct pipeline_totals *r, double seconds);

/* Adds 'add' into 'sum': numbers are added, objects merged key by key (a key 'sum' lacks is
 * copied), arrays concatenated; strings must be equal. Returns 0, or -1 with the key path and
 * the reason in 'why' (then 'sum' may be partly added to). */
int stats_json_add(struct json_object *sum, struct json_object *add, char *why, size_t why_len);

/* Adds the number 'n' under 'key' of 'obj' (a new member when it has none). Returns 0, or -1
 * when out of memory. */
int stats_json_put_count(struct json_object *obj, const char *key, unsigned long long n);

/* A JSON string of 'path' with every byte that is not part of valid UTF-8 replaced by '?'
 * (JSON text is UTF-8), or NULL when out of memory. */
struct json_object *stats_json_path(const char *path);

/* Writes 'obj' (pretty-printed) to 'path' ("-": standard output) through 'path'.part, flushed
 * to disk and renamed over 'path', so that 'path' is always a whole file. Reports failures as
 * "chaff: PATH: ..." and returns -1; 0 on success. */
int stats_json_write(const char *path, struct json_object *obj);

/* Reads the JSON object in 'path'; NULL (reported as "chaff: PATH: ...") when it cannot be read
 * or is not a JSON object. 'quiet': report nothing. */
struct json_object *stats_json_read(const char *path, int quiet);

/* "chaff stats-sum": argv[0] is the command name. Returns an exit code. */
int cmd_stats_sum(int argc, char **argv);

#endif
