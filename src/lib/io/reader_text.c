/*
 * reader_text.c - plain text pages: every non-blank line is a paragraph; a file is one page,
 * except that a line holding only a form feed ends a page. Blank lines (empty or white space
 * only) are no paragraphs. The page id is "NAME" for the first page and "NAME#K" for page K > 0.
 */
#include "error.h"
#include "reader.h"

#include <stdio.h>
#include <string.h>

int chaff_reader_text_next(struct chaff_reader *r, struct chaff_page *page,
                           struct chaff_error *err)
{
    struct chaff_page_buf *pb = &r->page;
    chaff_page_buf_clear(pb);
    chaff_reader_page_start(r);
    int got_any = r->part_more; /* a line (even blank) or a separator was read for this page,
                                   or it goes on from a part */
    uint64_t offset = r->part_more ? r->part_offset : r->next_offset;
    int more = 0;
    for (;;) {
        size_t len;
        int rc = chaff_reader_getline_spill(r, pb->n, &len, err);
        if (rc < 0)
            return rc;
        if (rc == 0)
            break;
        got_any = 1;
        if (r->line_spilled) {
            if (r->line_blank) {
                chaff_reader_unspill(r);
                continue;
            }
        } else if (len == 1 && r->line[0] == '\f') {
            break;
        } else if (chaff_is_blank(r->line, len)) {
            continue;
        }
        if (chaff_page_buf_add(pb, r->line, len) != 0)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
        if (chaff_reader_part_full(r)) {
            more = 1;
            break;
        }
    }
    if (!got_any)
        return 0;
    char id[300];
    if (r->page_index == 0)
        snprintf(id, sizeof(id), "%s", r->name);
    else
        snprintf(id, sizeof(id), "%s#%llu", r->name, (unsigned long long)r->page_index);
    if (chaff_page_buf_set_id(pb, id, strlen(id)) != 0 || chaff_page_buf_finish(pb) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, r->name, "out of memory"), -2;
    page->id = pb->id;
    page->nparas = pb->n;
    page->paras = pb->paras;
    page->lens = pb->lens;
    page->offset = offset;
    r->part_offset = offset;
    chaff_reader_part_done(r, page, more);
    if (chaff_reader_page_spill(r, page) != 0)
        return chaff_reader_spill_error(r, err), -2;
    return 1;
}
