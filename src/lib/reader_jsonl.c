/*
 * reader_jsonl.c - JSONL pages: one JSON object per line (parsed with jansson). The page's
 * paragraphs are the non-blank lines of its "text" string; its id is "id" (a string or an
 * integer), else "url", else "NAME:LINE". Blank lines between objects are ignored. The raw line
 * is handed out with the page, and so are its other members as compact JSON (chaff_page.fields),
 * so that writers can pass them through without parsing the line again.
 */
#include "error.h"
#include "grow.h"
#include "reader.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

/* Reports "NAME:LINE: WHAT DETAIL" and returns -1 (a record error). */
static int line_error(struct chaff_reader *r, struct chaff_error *err, const char *what,
                      const char *detail)
{
    char where[sizeof(err->where)];
    snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->lineno);
    return chaff_error_set(err, CHAFF_ERR_PARSE, where, "%s%s", what, detail), -1;
}

char *chaff_jsonl_fields(void *obj_v)
{
    json_t *obj = obj_v;
    json_object_del(obj, "labels");
    json_object_del(obj, "confidences");
    json_object_del(obj, "text");
    return json_dumps(obj, JSON_COMPACT);
}

/* Keeps the other members of 'obj' (chaff_jsonl_fields()) in r->fields. Returns 0 or -1 when
 * out of memory. */
static int set_fields(struct chaff_reader *r, json_t *obj)
{
    char *dump = chaff_jsonl_fields(obj);
    if (dump == NULL)
        return -1;
    size_t len = strlen(dump);
    int rc = chaff_grow((void **)&r->fields, &r->fields_cap, len + 1, 1);
    if (rc == 0)
        memcpy(r->fields, dump, len + 1);
    free(dump);
    return rc;
}

/* Fills the page from the parsed object 'obj'. Returns 1, -1 for a record error, -2 when out of
 * memory. */
static int build_page(struct chaff_reader *r, json_t *obj, struct chaff_error *err)
{
    struct chaff_page_buf *pb = &r->page;
    json_t *text = json_object_get(obj, "text");
    if (!json_is_string(text))
        return line_error(r, err, text == NULL ? "no \"text\" member" : "\"text\" is not a string",
                          "");
    json_t *id = json_object_get(obj, "id");
    json_t *url = json_object_get(obj, "url");
    char buf[64];
    const char *idp = NULL;
    size_t idn = 0;
    if (json_is_string(id)) {
        idp = json_string_value(id);
        idn = json_string_length(id);
    } else if (json_is_integer(id)) {
        snprintf(buf, sizeof(buf), "%" JSON_INTEGER_FORMAT, json_integer_value(id));
        idp = buf;
        idn = strlen(buf);
    } else if (json_is_string(url)) {
        idp = json_string_value(url);
        idn = json_string_length(url);
    }
    char where[300];
    if (idp == NULL) {
        snprintf(where, sizeof(where), "%s:%llu", r->name, (unsigned long long)r->lineno);
        idp = where;
        idn = strlen(where);
    }
    if (chaff_page_buf_set_id(pb, idp, idn) != 0 ||
        chaff_reader_set_url(r, json_is_string(url) ? json_string_value(url) : "",
                             json_is_string(url) ? json_string_length(url) : 0) != 0 ||
        chaff_reader_add_lines(r, json_string_value(text), json_string_length(text)) != 0 ||
        chaff_page_buf_finish(pb) != 0 || set_fields(r, obj) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    return 1;
}

int chaff_reader_jsonl_next(struct chaff_reader *r, struct chaff_page *page,
                            struct chaff_error *err)
{
    size_t len;
    int rc;
    do {
        rc = chaff_reader_getline(r, &len, err);
        if (rc <= 0)
            return rc;
    } while (chaff_is_blank(r->line, len));
    /* A last line cut by damage of the compressed stream is no record; the damage is reported. */
    if (!r->line_complete && r->src_failed)
        return 0;
    chaff_page_buf_clear(&r->page);
    json_error_t jerr;
    json_t *obj = json_loadb(r->line, len, JSON_ALLOW_NUL, &jerr);
    if (obj == NULL)
        return line_error(r, err, "invalid JSON: ", jerr.text);
    if (!json_is_object(obj)) {
        json_decref(obj);
        return line_error(r, err, "expected a JSON object", "");
    }
    rc = build_page(r, obj, err);
    json_decref(obj);
    if (rc != 1)
        return rc;
    page->id = r->page.id;
    page->url = r->url;
    page->nparas = r->page.n;
    page->paras = r->page.paras;
    page->lens = r->page.lens;
    page->offset = r->offset;
    page->lineno = r->lineno;
    page->raw = r->line;
    page->raw_len = len;
    page->fields = r->fields;
    return 1;
}
