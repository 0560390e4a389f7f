/*
 * reader_jsonl.c - JSONL pages: one JSON object per line (parsed with json-c). The page's
 * paragraphs are the non-blank lines of its "text" string; its id is "id" (a string or an
 * integer), else "url", else "NAME:LINE". Blank lines between objects are ignored. The raw line
 * is handed out with the page, and so are its other members as compact JSON (chaff_page.fields),
 * so that writers can pass them through without parsing the line again.
 *
 * json-c is lenient where JSON output would suffer, so a record is also refused when it is not
 * valid UTF-8 (checked by json-c), when a number is not finite (json-c reads NaN and Infinity)
 * and when an integer is out of range (json-c would clamp it to the nearest 64-bit integer
 * without a word; a value at the 64-bit limits is taken for one).
 */
#include "error.h"
#include "grow.h"
#include "reader.h"

#include <inttypes.h>
#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Deepest nesting of a record (json-c's default is 32; jansson, used before, allowed 2048). */
#define JSONL_MAX_DEPTH 512

/* Reports "NAME:LINE: WHAT DETAIL" and returns -1 (a record error). */
static int line_error(struct chaff_reader *r, struct chaff_error *err, const char *what,
                      const char *detail)
{
    char where[sizeof(err->where)];
    snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->lineno);
    return chaff_error_set(err, CHAFF_ERR_PARSE, where, "%s%s", what, detail), -1;
}

/* What is wrong with a value json-c accepted but JSON does not allow, or NULL. */
static const char *bad_value(struct json_object *v)
{
    switch (json_object_get_type(v)) {
    case json_type_double:
        return isfinite(json_object_get_double(v)) ? NULL : "a number is not finite";
    case json_type_int:
        return json_object_get_uint64(v) == UINT64_MAX || json_object_get_int64(v) == INT64_MIN
                   ? "an integer is out of range"
                   : NULL;
    case json_type_array:
        for (size_t i = 0, n = json_object_array_length(v); i < n; i++) {
            const char *why = bad_value(json_object_array_get_idx(v, i));
            if (why != NULL)
                return why;
        }
        return NULL;
    case json_type_object: {
        json_object_object_foreach(v, key, val) {
            (void)key;
            const char *why = bad_value(val);
            if (why != NULL)
                return why;
        }
        return NULL;
    }
    default:
        return NULL;
    }
}

void *chaff_jsonl_parser_new(void)
{
    struct json_tokener *tok = json_tokener_new_ex(JSONL_MAX_DEPTH);
    if (tok != NULL)
        json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
    return tok;
}

void chaff_jsonl_parser_free(void *parser)
{
    if (parser != NULL)
        json_tokener_free(parser);
}

/* Parses one JSON object from 'len' bytes of 'line' with 'tok'. Returns it (json_object_put()
 * it), or NULL with *why (and *detail) saying what is wrong. */
static struct json_object *parse_object(struct json_tokener *tok, const char *line, size_t len,
                                        const char **why, char *detail, size_t detail_cap)
{
    *why = "invalid JSON: ";
    detail[0] = '\0';
    if (len > INT32_MAX) {
        snprintf(detail, detail_cap, "record of %zu bytes is too long", len);
        return NULL;
    }
    json_tokener_reset(tok);
    struct json_object *obj = json_tokener_parse_ex(tok, line, (int)len);
    size_t end = json_tokener_get_parse_end(tok);
    if (obj == NULL && json_tokener_get_error(tok) == json_tokener_continue) {
        /* A number or literal at the end of the line ("42", "null") ends only at the end of
         * the input, which json-c is told with a NUL byte. */
        obj = json_tokener_parse_ex(tok, "", 1);
        end = len;
    }
    if (obj == NULL && json_tokener_get_error(tok) == json_tokener_success) {
        *why = "expected a JSON object"; /* null */
        return NULL;
    }
    if (obj == NULL) {
        enum json_tokener_error e = json_tokener_get_error(tok);
        if (e == json_tokener_continue || (e == json_tokener_error_parse_eof && end == len))
            snprintf(detail, detail_cap, "the line ends inside the value");
        else
            snprintf(detail, detail_cap, "%s at byte %zu", json_tokener_error_desc(e), end);
        return NULL;
    }
    /* json-c's strict mode refuses what follows the value already, but not all versions did. */
    size_t k = end;
    while (k < len && (line[k] == ' ' || line[k] == '\t' || line[k] == '\r'))
        k++;
    if (k < len) {
        snprintf(detail, detail_cap, "unexpected character after the value at byte %zu", k);
        json_object_put(obj);
        return NULL;
    }
    if (!json_object_is_type(obj, json_type_object)) {
        *why = "expected a JSON object";
        json_object_put(obj);
        return NULL;
    }
    const char *bad = bad_value(obj);
    if (bad != NULL) {
        snprintf(detail, detail_cap, "%s", bad);
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

/* The members of 'obj' other than "text", "labels" and "confidences" (removed from it), as
 * compact JSON owned by 'obj'. */
static const char *fields_of(struct json_object *obj)
{
    json_object_object_del(obj, "labels");
    json_object_object_del(obj, "confidences");
    json_object_object_del(obj, "text");
    return json_object_to_json_string_ext(obj, JSON_C_TO_STRING_PLAIN |
                                                   JSON_C_TO_STRING_NOSLASHESCAPE);
}

int chaff_jsonl_line_fields(const char *line, size_t len, char **fields_out)
{
    *fields_out = NULL;
    struct json_tokener *tok = chaff_jsonl_parser_new();
    if (tok == NULL)
        return -2;
    const char *why;
    char detail[160];
    struct json_object *obj = parse_object(tok, line, len, &why, detail, sizeof(detail));
    json_tokener_free(tok);
    if (obj == NULL)
        return -1;
    const char *dump = fields_of(obj);
    *fields_out = dump != NULL ? strdup(dump) : NULL;
    json_object_put(obj);
    return *fields_out != NULL ? 0 : -2;
}

/* Keeps the other members of 'obj' (fields_of()) in r->fields. Returns 0 or -1 when out of
 * memory. */
static int set_fields(struct chaff_reader *r, struct json_object *obj)
{
    const char *dump = fields_of(obj);
    if (dump == NULL)
        return -1;
    size_t len = strlen(dump);
    if (chaff_grow((void **)&r->fields, &r->fields_cap, len + 1, 1) != 0)
        return -1;
    memcpy(r->fields, dump, len + 1);
    return 0;
}

/* A member of 'obj' of type 'type', or NULL. */
static struct json_object *member(struct json_object *obj, const char *key, enum json_type type)
{
    struct json_object *v;
    return json_object_object_get_ex(obj, key, &v) && json_object_is_type(v, type) ? v : NULL;
}

/* Fills the page from the parsed object 'obj'. Returns 1, -1 for a record error, -2 when out of
 * memory. */
static int keep_text(struct chaff_reader *r, const char *text, size_t len);

static int build_page(struct chaff_reader *r, struct json_object *obj, struct chaff_error *err)
{
    struct chaff_page_buf *pb = &r->page;
    struct json_object *text;
    if (!json_object_object_get_ex(obj, "text", &text))
        return line_error(r, err, "no \"text\" member", "");
    if (!json_object_is_type(text, json_type_string))
        return line_error(r, err, "\"text\" is not a string", "");
    struct json_object *id = NULL;
    json_object_object_get_ex(obj, "id", &id);
    struct json_object *url = member(obj, "url", json_type_string);
    char buf[64];
    const char *idp = NULL;
    size_t idn = 0;
    if (json_object_is_type(id, json_type_string)) {
        idp = json_object_get_string(id);
        idn = (size_t)json_object_get_string_len(id);
    } else if (json_object_is_type(id, json_type_int)) {
        if (json_object_get_int64(id) == INT64_MAX) /* above: read as unsigned */
            snprintf(buf, sizeof(buf), "%" PRIu64, json_object_get_uint64(id));
        else
            snprintf(buf, sizeof(buf), "%" PRId64, json_object_get_int64(id));
        idp = buf;
        idn = strlen(buf);
    } else if (url != NULL) {
        idp = json_object_get_string(url);
        idn = (size_t)json_object_get_string_len(url);
    }
    char where[300];
    if (idp == NULL) {
        snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->lineno);
        idp = where;
        idn = strlen(where);
    }
    /* set_fields() last: it removes "text" from 'obj', and 'text' with it. A page of more
     * paragraphs than a part holds keeps the rest of its text for the next parts. */
    const char *t = json_object_get_string(text);
    const size_t tlen = (size_t)json_object_get_string_len(text);
    size_t pos = 0;
    int more = 0;
    if (chaff_page_buf_set_id(pb, idp, idn) != 0 ||
        chaff_reader_set_url(r, url != NULL ? json_object_get_string(url) : "",
                             url != NULL ? (size_t)json_object_get_string_len(url) : 0) != 0 ||
        (more = chaff_reader_add_lines_part(r, t, tlen, &pos)) < 0 ||
        (more && keep_text(r, t + pos, tlen - pos) != 0) || chaff_page_buf_finish(pb) != 0 ||
        set_fields(r, obj) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    return more ? 2 : 1;
}

/* Keeps 'len' bytes of 'text', the rest of a page's text, for its next parts. */
static int keep_text(struct chaff_reader *r, const char *text, size_t len)
{
    char *copy = malloc(len + 1);
    if (copy == NULL)
        return -1;
    memcpy(copy, text, len);
    free(r->jtext);
    r->jtext = copy;
    r->jtext_len = len;
    r->jtext_pos = 0;
    return 0;
}

/* Fills 'page' from the reader: the page just built, or its next part. */
static void hand_out(struct chaff_reader *r, struct chaff_page *page, int more)
{
    page->id = r->page.id;
    page->url = r->url;
    page->nparas = r->page.n;
    page->paras = r->page.paras;
    page->lens = r->page.lens;
    page->offset = r->part_offset;
    page->lineno = r->lineno;
    page->raw = r->line;
    page->raw_len = (size_t)r->part_len;
    page->fields = r->fields;
    chaff_reader_part_done(r, page, more);
    if (!more) {
        free(r->jtext);
        r->jtext = NULL;
    }
}

int chaff_reader_jsonl_next(struct chaff_reader *r, struct chaff_page *page,
                            struct chaff_error *err)
{
    size_t len;
    int rc;
    if (r->part_more) { /* the next part of the page */
        r->page.arena_len = 0;
        r->page.n = 0;
        int more = chaff_reader_add_lines_part(r, r->jtext, r->jtext_len, &r->jtext_pos);
        if (more < 0 || chaff_page_buf_finish(&r->page) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        hand_out(r, page, more);
        return 1;
    }
    do {
        rc = chaff_reader_getline(r, &len, err);
        if (rc <= 0)
            return rc;
    } while (chaff_is_blank(r->line, len));
    /* A last line cut by damage of the compressed stream is no record; the damage is reported. */
    if (!r->line_complete && r->src_failed)
        return 0;
    chaff_page_buf_clear(&r->page);
    if (r->json == NULL && (r->json = chaff_jsonl_parser_new()) == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    const char *why;
    char detail[160];
    struct json_object *obj = parse_object(r->json, r->line, len, &why, detail, sizeof(detail));
    if (obj == NULL)
        return line_error(r, err, why, detail);
    rc = build_page(r, obj, err);
    json_object_put(obj);
    if (rc < 0)
        return rc;
    r->part_offset = r->offset;
    r->part_len = len;
    hand_out(r, page, rc == 2);
    return 1;
}
