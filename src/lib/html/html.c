/*
 * html.c - the paragraphs ("lines") of an HTML page, by the rule the labelled pages were made
 * with (../shared/html/lines.py, extract()): decode (charset.c), drop a leading <?xml ...?>,
 * parse with libxml2's HTML parser as lxml.html does, then the <title> of the <head> is the
 * first line, and a walk of the tree in document order appends each text node to the current
 * line, skips the subtrees of dropped elements (script, style, head, svg, ...) and ends the
 * line before and after each block element. A line's white space is collapsed as Python's
 * " ".join(s.split()) does; empty lines are dropped.
 * Invariants: the walk is iterative (the tree may be as deep as the input is long); every
 * line is non-empty, valid UTF-8 and NUL-terminated; libxml2 prints nothing.
 */
#include "html.h"

#include "chaff.h"
#include "error.h"
#include "grow.h"

#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>
#include <limits.h>
#include <pthread.h>
#include <string.h>

/* What an element's name means to the walk. */
enum tag_kind { TAG_INLINE = 0, TAG_BLOCK, TAG_DROP };

struct tag_info {
    const char *name;
    unsigned char kind;
    uint32_t flags; /* CHAFF_HTML_IN_* it sets, CHAFF_HTML_IS_BODY */
};

/* lines.py's DROP and BLOCK sets, and the elements of the "in=" flags. */
static const struct tag_info tag_table[] = {
    {"script", TAG_DROP, 0},
    {"style", TAG_DROP, 0},
    {"noscript", TAG_DROP, 0},
    {"template", TAG_DROP, 0},
    {"head", TAG_DROP, 0},
    {"svg", TAG_DROP, 0},
    {"math", TAG_DROP, 0},
    {"object", TAG_DROP, 0},
    {"embed", TAG_DROP, 0},
    {"iframe", TAG_DROP, 0},
    {"canvas", TAG_DROP, 0},
    {"p", TAG_BLOCK, CHAFF_HTML_IN_P},
    {"div", TAG_BLOCK, 0},
    {"li", TAG_BLOCK, CHAFF_HTML_IN_LI},
    {"ul", TAG_BLOCK, 0},
    {"ol", TAG_BLOCK, 0},
    {"h1", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"h2", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"h3", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"h4", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"h5", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"h6", TAG_BLOCK, CHAFF_HTML_IN_H},
    {"td", TAG_BLOCK, CHAFF_HTML_IN_TD},
    {"th", TAG_BLOCK, CHAFF_HTML_IN_TD},
    {"tr", TAG_BLOCK, 0},
    {"table", TAG_BLOCK, 0},
    {"thead", TAG_BLOCK, 0},
    {"tbody", TAG_BLOCK, 0},
    {"tfoot", TAG_BLOCK, 0},
    {"caption", TAG_BLOCK, 0},
    {"colgroup", TAG_BLOCK, 0},
    {"dt", TAG_BLOCK, 0},
    {"dd", TAG_BLOCK, 0},
    {"dl", TAG_BLOCK, 0},
    {"blockquote", TAG_BLOCK, 0},
    {"pre", TAG_BLOCK, 0},
    {"section", TAG_BLOCK, 0},
    {"article", TAG_BLOCK, CHAFF_HTML_IN_ARTICLE},
    {"header", TAG_BLOCK, CHAFF_HTML_IN_HEADER},
    {"footer", TAG_BLOCK, CHAFF_HTML_IN_FOOTER},
    {"nav", TAG_BLOCK, CHAFF_HTML_IN_NAV},
    {"aside", TAG_BLOCK, CHAFF_HTML_IN_ASIDE},
    {"figure", TAG_BLOCK, 0},
    {"figcaption", TAG_BLOCK, 0},
    {"main", TAG_BLOCK, CHAFF_HTML_IN_MAIN},
    {"form", TAG_BLOCK, CHAFF_HTML_IN_FORM},
    {"label", TAG_BLOCK, 0},
    {"button", TAG_BLOCK, CHAFF_HTML_IN_BUTTON},
    {"option", TAG_BLOCK, 0},
    {"optgroup", TAG_BLOCK, 0},
    {"select", TAG_BLOCK, 0},
    {"br", TAG_BLOCK, 0},
    {"hr", TAG_BLOCK, 0},
    {"address", TAG_BLOCK, 0},
    {"center", TAG_BLOCK, 0},
    {"details", TAG_BLOCK, 0},
    {"summary", TAG_BLOCK, 0},
    {"dialog", TAG_BLOCK, 0},
    {"fieldset", TAG_BLOCK, 0},
    {"legend", TAG_BLOCK, 0},
    {"hgroup", TAG_BLOCK, 0},
    {"menu", TAG_BLOCK, 0},
    {"dir", TAG_BLOCK, 0},
    {"noframes", TAG_BLOCK, 0},
    {"frameset", TAG_BLOCK, 0},
    {"frame", TAG_BLOCK, 0},
    {"textarea", TAG_BLOCK, 0},
    {"body", TAG_BLOCK, CHAFF_HTML_IS_BODY},
    {"html", TAG_BLOCK, 0},
    {"title", TAG_BLOCK, 0},
    {"video", TAG_BLOCK, 0},
    {"audio", TAG_BLOCK, 0},
    {"a", TAG_INLINE, CHAFF_HTML_IN_A},
};

/* An open-addressing table over tag_table, built once. */
#define TAG_SLOTS 256
static unsigned char tag_slots[TAG_SLOTS]; /* index + 1 into tag_table, 0: empty */
static pthread_once_t tag_once = PTHREAD_ONCE_INIT;

static unsigned tag_hash(const unsigned char *s, size_t n)
{
    unsigned h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 16777619u;
    return h ^ (h >> 13);
}

static void tag_table_init(void)
{
    for (size_t i = 0; i < sizeof(tag_table) / sizeof(tag_table[0]); i++) {
        const char *name = tag_table[i].name;
        unsigned h = tag_hash((const unsigned char *)name, strlen(name)) % TAG_SLOTS;
        while (tag_slots[h] != 0)
            h = (h + 1) % TAG_SLOTS;
        tag_slots[h] = (unsigned char)(i + 1);
    }
    xmlInitParser();
}

/* The entry of element name 'name' (compared lower-cased, as lines.py's tag.lower()), or NULL. */
static const struct tag_info *tag_lookup(const xmlChar *name)
{
    unsigned char low[12];
    size_t n = 0;
    for (; name[n] != '\0'; n++) {
        if (n >= sizeof(low))
            return NULL; /* longer than every name of the table */
        unsigned c = name[n];
        low[n] = (unsigned char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    unsigned h = tag_hash(low, n) % TAG_SLOTS;
    while (tag_slots[h] != 0) {
        const struct tag_info *t = &tag_table[tag_slots[h] - 1];
        if (strlen(t->name) == n && memcmp(t->name, low, n) == 0)
            return t;
        h = (h + 1) % TAG_SLOTS;
    }
    return NULL;
}

struct chaff_html {
    htmlParserCtxtPtr ctxt; /* reused from page to page; remade when its dictionary grows big */
    uint64_t max_elements;  /* start tags parsed at most (the tree is held whole) */
    uint64_t cut_bytes;     /* bytes of the last page left out for max_elements */
    char *dec;              /* the decoded page, when it is not the input itself */
    size_t deccap;
    char *text; /* the lines, each NUL-terminated */
    size_t textlen, textcap;
    struct chaff_html_line *lines;
    size_t nlines, linecap;
    struct chaff_html_elem *elems;
    size_t nelems, elemcap;
    const char **paras;
    size_t *lens;
    size_t paracap, lenscap;
    struct chaff_html_tokens tok;
    struct chaff_page_structure structure;
    /* The line being made. */
    size_t line_start;
    int pending_space;
    uint32_t line_holder, line_nchars, line_nlink;
    int nomem;
};

/* Remade after this many distinct names (tags, attributes, short blank texts) in its
 * dictionary, which a reused parser keeps from page to page. */
#define DICT_LIMIT 200000

static void silent_error(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void silent_structured(void *ctx, xmlErrorPtr error)
{
    (void)ctx;
    (void)error;
}

struct chaff_html *chaff_html_create(void)
{
    pthread_once(&tag_once, tag_table_init);
    struct chaff_html *hx = calloc(1, sizeof(*hx));
    if (hx == NULL)
        return NULL;
    hx->ctxt = htmlNewParserCtxt();
    if (hx->ctxt == NULL) {
        free(hx);
        return NULL;
    }
    hx->max_elements = CHAFF_HTML_MAX_ELEMENTS_DEFAULT;
    return hx;
}

void chaff_html_set_max_elements(struct chaff_html *hx, uint64_t n)
{
    hx->max_elements = n > 0 ? n : CHAFF_HTML_MAX_ELEMENTS_DEFAULT;
}

uint64_t chaff_html_cut(const struct chaff_html *hx)
{
    return hx->cut_bytes;
}

/* The length of the first part of 'text' that holds at most 'max' start tags ('<' and a
 * letter): the page is cut before the next one. */
static size_t cap_elements(const char *text, size_t len, uint64_t max)
{
    uint64_t n = 0;
    const char *p = text, *end = text + len;
    while ((p = memchr(p, '<', (size_t)(end - p))) != NULL) {
        if (p + 1 < end && ((p[1] | 0x20) >= 'a' && (p[1] | 0x20) <= 'z') && ++n > max)
            return (size_t)(p - text);
        p++;
    }
    return len;
}

void chaff_html_free(struct chaff_html *hx)
{
    if (hx == NULL)
        return;
    if (hx->ctxt != NULL)
        htmlFreeParserCtxt(hx->ctxt);
    free(hx->dec);
    free(hx->text);
    free(hx->lines);
    free(hx->elems);
    free(hx->paras);
    free(hx->lens);
    chaff_html_tokens_release(&hx->tok);
    free(hx);
}

/* Python's str.isspace() for the code point encoded at 'p' (a lead byte >= 0x80, 'n' bytes
 * left): returns the sequence's length when it is white space, else 0. U+200B and U+FEFF are
 * not. */
static size_t utf8_space_len(const unsigned char *p, size_t n)
{
    if (p[0] == 0xc2 && n >= 2)
        return p[1] == 0x85 || p[1] == 0xa0 ? 2 : 0;
    if (n < 3)
        return 0;
    if (p[0] == 0xe1)
        return p[1] == 0x9a && p[2] == 0x80 ? 3 : 0;
    if (p[0] == 0xe2) {
        if (p[1] == 0x80)
            return p[2] <= 0x8a || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf ? 3 : 0;
        return p[1] == 0x81 && p[2] == 0x9f ? 3 : 0;
    }
    if (p[0] == 0xe3)
        return p[1] == 0x80 && p[2] == 0x80 ? 3 : 0;
    return 0;
}

/* ASCII white space of str.isspace(): \t \n \v \f \r, \x1c..\x1f and ' '. */
static const unsigned char ascii_space[128] = {
    ['\t'] = 1, ['\n'] = 1, ['\v'] = 1, ['\f'] = 1, ['\r'] = 1,
    [0x1c] = 1, [0x1d] = 1, [0x1e] = 1, [0x1f] = 1, [' '] = 1,
};

size_t chaff_html_space_len(const unsigned char *p, size_t n)
{
    return p[0] < 0x80 ? ascii_space[p[0]] : utf8_space_len(p, n);
}

/* Appends the 'n' bytes of text at 's' to the current line, collapsing white space; 'elem'
 * holds the text (CHAFF_HTML_NONE for the title). */
static void append_text(struct chaff_html *hx, const unsigned char *s, size_t n, uint32_t elem)
{
    if (hx->nomem || n == 0)
        return;
    if (n > SIZE_MAX / 2 - hx->textlen ||
        chaff_grow((void **)&hx->text, &hx->textcap, hx->textlen + n + 2, 1) != 0) {
        hx->nomem = 1;
        return;
    }
    unsigned char *out = (unsigned char *)hx->text + hx->textlen;
    unsigned char *const line = (unsigned char *)hx->text + hx->line_start;
    int pending = hx->pending_space;
    uint32_t nch = 0;
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        size_t k = 1;
        if (c < 0x80) {
            if (ascii_space[c]) {
                pending = 1;
                i++;
                continue;
            }
        } else {
            size_t sp = utf8_space_len(s + i, n - i);
            if (sp > 0) {
                pending = 1;
                i += sp;
                continue;
            }
            while (i + k < n && (s[i + k] & 0xc0) == 0x80)
                k++;
        }
        if (out == line)
            hx->line_holder = elem; /* the first non-blank text of the line */
        else if (pending)
            *out++ = ' ';
        pending = 0;
        memcpy(out, s + i, k);
        out += k;
        i += k;
        nch++;
    }
    hx->pending_space = pending;
    hx->textlen = (size_t)((char *)out - hx->text);
    hx->line_nchars += nch;
    if (elem != CHAFF_HTML_NONE) {
        struct chaff_html_elem *e = &hx->elems[elem];
        e->nchars += nch;
        if (e->flags & CHAFF_HTML_IN_A) {
            e->nlink += nch;
            hx->line_nlink += nch;
        }
    }
}

/* Ends the current line: kept when not empty. */
static void flush_line(struct chaff_html *hx)
{
    hx->pending_space = 0;
    if (hx->nomem || hx->textlen == hx->line_start)
        goto reset;
    if (chaff_grow((void **)&hx->lines, &hx->linecap, hx->nlines + 1, sizeof(*hx->lines)) != 0) {
        hx->nomem = 1;
        goto reset;
    }
    struct chaff_html_line *l = &hx->lines[hx->nlines++];
    l->start = hx->line_start;
    l->len = hx->textlen - hx->line_start;
    l->holder = hx->line_holder;
    l->nchars = hx->line_nchars;
    l->nlink = hx->line_nlink;
    hx->text[hx->textlen++] = '\0'; /* append_text reserved room for it */
    hx->line_start = hx->textlen;
reset:
    hx->line_holder = CHAFF_HTML_NONE;
    hx->line_nchars = 0;
    hx->line_nlink = 0;
}

static int is_text(const xmlNode *n)
{
    return n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE;
}

/* The first child element of 'parent' named 'name', or NULL. */
static xmlNode *child_named(xmlNode *parent, const char *name)
{
    for (xmlNode *c = parent->children; c != NULL; c = c->next)
        if (c->type == XML_ELEMENT_NODE && strcmp((const char *)c->name, name) == 0)
            return c;
    return NULL;
}

/* The next node after 'n' in document order inside 'top', skipping the subtree of 'n' when
 * 'skip' is set; NULL at the end. */
static xmlNode *next_node(xmlNode *n, const xmlNode *top, int skip)
{
    if (!skip && n->children != NULL && n->type == XML_ELEMENT_NODE)
        return n->children;
    while (n != top && n->next == NULL)
        n = n->parent;
    return n == top ? NULL : n->next;
}

/* The title line: the text of the first <title> below the root's <head> (lxml's
 * root.find("head").find(".//title").text_content()), collapsed. */
static void title_line(struct chaff_html *hx, xmlNode *root)
{
    xmlNode *head = child_named(root, "head");
    if (head == NULL || head->children == NULL)
        return;
    xmlNode *title = NULL;
    for (xmlNode *n = head->children; n != NULL; n = next_node(n, head, 0))
        if (n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, "title") == 0) {
            title = n;
            break;
        }
    if (title == NULL || title->children == NULL)
        return;
    for (xmlNode *n = title->children; n != NULL; n = next_node(n, title, 0))
        if (is_text(n) && n->content != NULL)
            append_text(hx, n->content, strlen((const char *)n->content), CHAFF_HTML_NONE);
    flush_line(hx);
}

/* Records element 'n' (of entry 't', may be NULL) as a child of element 'parent'. Returns its
 * index, or CHAFF_HTML_NONE when out of memory. */
static uint32_t open_elem(struct chaff_html *hx, const xmlNode *n, const struct tag_info *t,
                          uint32_t parent)
{
    if (hx->nelems >= UINT32_MAX - 1 ||
        chaff_grow((void **)&hx->elems, &hx->elemcap, hx->nelems + 1, sizeof(*hx->elems)) != 0) {
        hx->nomem = 1;
        return CHAFF_HTML_NONE;
    }
    uint32_t idx = (uint32_t)hx->nelems++;
    struct chaff_html_elem *e = &hx->elems[idx];
    const struct chaff_html_elem *p = parent != CHAFF_HTML_NONE ? &hx->elems[parent] : NULL;
    int block = t != NULL && t->kind == TAG_BLOCK;
    int named = 0;
    for (const xmlAttr *a = n->properties; a != NULL; a = a->next)
        if (strcmp((const char *)a->name, "class") == 0 || strcmp((const char *)a->name, "id") == 0)
            named = 1;
    e->node = n;
    e->tag = (const char *)n->name;
    e->parent = parent;
    e->block = block ? idx : p != NULL ? p->block : CHAFF_HTML_NONE;
    e->named = named ? idx : p != NULL ? p->named : CHAFF_HTML_NONE;
    e->depth = p != NULL ? p->depth + 1 : 0;
    e->flags = (p != NULL ? p->flags & ~(CHAFF_HTML_IS_BLOCK | CHAFF_HTML_IS_BODY) : 0) |
               (t != NULL ? t->flags : 0) | (block ? CHAFF_HTML_IS_BLOCK : 0);
    e->nchars = e->nlink = e->nlines = 0;
    return idx;
}

/* The walk of lines.py's extract() from the root element, without recursion. */
static void walk(struct chaff_html *hx, xmlNode *root)
{
    uint32_t cur = CHAFF_HTML_NONE; /* the innermost open element */
    xmlNode *n = root;
    while (n != NULL && !hx->nomem) {
        int skip = 1;
        if (n->type == XML_ELEMENT_NODE) {
            const struct tag_info *t = tag_lookup(n->name);
            if (t == NULL || t->kind != TAG_DROP) {
                uint32_t idx = open_elem(hx, n, t, cur);
                if (idx == CHAFF_HTML_NONE)
                    break;
                if (t != NULL && t->kind == TAG_BLOCK)
                    flush_line(hx);
                cur = idx;
                skip = 0;
                if (n->children == NULL) {
                    /* Closes at once. */
                    if (hx->elems[cur].flags & CHAFF_HTML_IS_BLOCK)
                        flush_line(hx);
                    cur = hx->elems[cur].parent;
                    skip = 1;
                }
            }
        } else if (is_text(n) && n->content != NULL && cur != CHAFF_HTML_NONE) {
            append_text(hx, n->content, strlen((const char *)n->content), cur);
        }
        if (!skip) {
            n = n->children;
            continue;
        }
        /* Up to the next sibling, closing the elements left. */
        while (n != root && n->next == NULL) {
            n = n->parent;
            if (hx->elems[cur].flags & CHAFF_HTML_IS_BLOCK)
                flush_line(hx);
            cur = hx->elems[cur].parent;
        }
        n = n == root ? NULL : n->next;
    }
    flush_line(hx);
}

/* lines.py's parse(): re.sub(r"^\s*<\?xml[^>]*\?>", "", text). Returns the bytes to skip. */
static size_t xml_declaration_len(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = (unsigned char)s[i];
        size_t k = 0;
        if (c < 0x80)
            k = ascii_space[c];
        else
            k = utf8_space_len((const unsigned char *)s + i, n - i);
        if (k == 0)
            break;
        i += k;
    }
    if (n - i < 5 || memcmp(s + i, "<?xml", 5) != 0)
        return 0;
    const char *gt = memchr(s + i + 5, '>', n - i - 5);
    if (gt == NULL || gt - 1 < s + i + 5 || gt[-1] != '?')
        return 0;
    return (size_t)(gt + 1 - s);
}

/* Subtree totals: children come after their parent, so a backward pass adds each element's
 * into its parent's. */
static void total_elems(struct chaff_html *hx)
{
    for (size_t i = 0; i < hx->nlines; i++)
        if (hx->lines[i].holder != CHAFF_HTML_NONE)
            hx->elems[hx->lines[i].holder].nlines++;
    for (size_t i = hx->nelems; i-- > 1;) {
        const struct chaff_html_elem *e = &hx->elems[i];
        if (e->parent == CHAFF_HTML_NONE)
            continue;
        struct chaff_html_elem *p = &hx->elems[e->parent];
        p->nchars += e->nchars;
        p->nlink += e->nlink;
        p->nlines += e->nlines;
    }
}

/* Parses 'len' bytes of UTF-8 with the options lxml.html uses, printing nothing. */
static xmlDocPtr parse(struct chaff_html *hx, const char *text, size_t len)
{
    if (hx->ctxt->dict != NULL && xmlDictSize(hx->ctxt->dict) > DICT_LIMIT) {
        htmlParserCtxtPtr fresh = htmlNewParserCtxt();
        if (fresh == NULL)
            return NULL;
        htmlFreeParserCtxt(hx->ctxt);
        hx->ctxt = fresh;
    }
    if (len > INT_MAX)
        len = INT_MAX; /* libxml2 takes an int; lxml could not parse more either */
    if (len == 0)
        return NULL;
    xmlGenericErrorFunc old_generic = xmlGenericError;
    void *old_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_structured = xmlStructuredError;
    void *old_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, silent_error);
    xmlSetStructuredErrorFunc(NULL, silent_structured);
    xmlDocPtr doc = htmlCtxtReadMemory(hx->ctxt, text, (int)len, NULL, "UTF-8",
                                       HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_COMPACT |
                                           HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING);
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
    return doc;
}

int chaff_html_extract(struct chaff_html *hx, const char *html, size_t len, const char *charset,
                       struct chaff_page *page, struct chaff_error *err)
{
    hx->textlen = hx->line_start = 0;
    hx->nlines = hx->nelems = 0;
    hx->pending_space = 0;
    hx->line_holder = CHAFF_HTML_NONE;
    hx->line_nchars = hx->line_nlink = 0;
    hx->nomem = 0;
    page->nparas = 0;
    page->paras = NULL;
    page->lens = NULL;
    page->structure = NULL;

    const char *text;
    size_t tlen;
    if (chaff_html_decode(html != NULL ? html : "", html != NULL ? len : 0, charset, &hx->dec,
                          &hx->deccap, &text, &tlen) != 0)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, "html", "out of memory decoding %zu bytes",
                               len);
    size_t keep = cap_elements(text, tlen, hx->max_elements);
    hx->cut_bytes = tlen - keep;
    tlen = keep;
    size_t skip = xml_declaration_len(text, tlen);
    xmlDocPtr doc = parse(hx, text + skip, tlen - skip);
    xmlNode *root = doc != NULL ? xmlDocGetRootElement(doc) : NULL;
    if (root != NULL) {
        title_line(hx, root);
        walk(hx, root);
    }
    if (!hx->nomem) {
        total_elems(hx);
        if (chaff_html_structure_make(&hx->tok, hx->elems, hx->nelems, hx->lines, hx->nlines,
                                      hx->text) != 0)
            hx->nomem = 1;
    }
    if (doc != NULL)
        xmlFreeDoc(doc);
    if (!hx->nomem &&
        chaff_grow((void **)&hx->paras, &hx->paracap, hx->nlines + 1, sizeof(*hx->paras)) != 0)
        hx->nomem = 1;
    if (!hx->nomem &&
        chaff_grow((void **)&hx->lens, &hx->lenscap, hx->nlines + 1, sizeof(*hx->lens)) != 0)
        hx->nomem = 1;
    if (hx->nomem)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, "html",
                               "out of memory making the paragraphs of %zu bytes of HTML", len);
    for (size_t i = 0; i < hx->nlines; i++) {
        hx->paras[i] = hx->text + hx->lines[i].start;
        hx->lens[i] = hx->lines[i].len;
    }
    hx->structure.tokens = hx->tok.tokens;
    hx->structure.off = hx->tok.off;
    hx->structure.groups = hx->tok.groups;
    page->nparas = hx->nlines;
    page->paras = hx->paras;
    page->lens = hx->lens;
    page->structure = &hx->structure;
    return CHAFF_OK;
}
