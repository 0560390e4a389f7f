/*
 * html.c - the paragraphs ("lines") of an HTML page, by the rule the labelled pages were made
 * with (../shared/html/lines.py, extract()): decode (charset.c), drop a leading <?xml ...?>,
 * parse with libxml2's HTML parser as lxml.html does, then the <title> of the <head> is the
 * first line, and a walk of the tree in document order appends each text node to the current
 * line, skips the subtrees of dropped elements (script, style, head, svg, ...) and ends the
 * line before and after each block element. A line's white space is collapsed as Python's
 * " ".join(s.split()) does; empty lines are dropped.
 *
 * No tree is built: the walk is driven by the parser's SAX events, which come in the tree's
 * document order, and keeps only what structure.c needs (struct chaff_html_elem, the class and
 * id values). The tree lxml would build depends on a few things that SAX events alone do not
 * show, and the handlers below redo them as libxml2 2.9's tree builder (SAX2.c) does:
 * - the element stack: a start tag deeper than xmlParserMaxDepth (256) open elements stops the
 *   parse (nodePush's "Excessive depth" halt); text in a node that would grow past
 *   XML_MAX_TEXT_LENGTH stops it too (xmlSAX2Text's "huge text node");
 * - names with a colon lose their prefix (xmlSplitQName; HTML has no namespaces);
 * - an element started once the root is closed becomes the root's last child when the
 *   document's first node is the root, else a sibling of the root that the walk never sees
 *   (comments, processing instructions and a DOCTYPE before the root come first);
 * - text outside every element is lost.
 * White space only text is never dropped: lxml keeps blanks (no HTML_PARSE_NOBLANKS), so
 * areBlanks() only chooses whether an implied <p> may open, from the parser's own state.
 * Invariants: the handlers never recurse (the page may be as deep as it is long); every line
 * is non-empty, valid UTF-8 and NUL-terminated; libxml2 prints nothing.
 */
#include "html.h"

#include "chaff.h"
#include "error.h"
#include "grow.h"

#include <libxml/HTMLparser.h>
#include <libxml/dict.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <libxml/parserInternals.h>
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

/* A line being made: the body's lines, and apart from them the title's, which comes first
 * whatever its place in the page. */
struct line_state {
    char *text; /* the lines made so far, each NUL-terminated, then the one being made */
    size_t len, cap;
    size_t start; /* of the line being made */
    int pending_space;
    uint32_t holder, nchars, nlink;
};

/* An element the parser has open (its node would be on libxml2's node stack). */
struct open_node {
    uint32_t elem; /* index in elems, or CHAFF_HTML_NONE when the walk does not enter it */
    uint32_t what; /* OPEN_* */
};

enum {
    OPEN_ROOT = 1u << 0,  /* the document's root element */
    OPEN_HEAD = 1u << 1,  /* the root's first <head> child */
    OPEN_TITLE = 1u << 2, /* the first <title> inside it: the title line */
};

/* The kind of the last child of the open element, as far as xmlSAX2Text's joining of text
 * nodes needs it. */
enum { LAST_OTHER = 0, LAST_TEXT, LAST_CDATA };

struct chaff_html {
    htmlParserCtxtPtr ctxt; /* reused from page to page; remade when its dictionary grows big */
    uint64_t max_elements;  /* start tags parsed at most */
    uint64_t cut_bytes;     /* bytes of the last page left out for max_elements */
    char *dec;              /* the decoded page, when it is not the input itself */
    size_t deccap;
    struct line_state body, title;
    struct chaff_html_line *lines;
    size_t nlines, linecap;
    struct chaff_html_elem *elems;
    size_t nelems, elemcap;
    char *names; /* class and id values of the elements that have one (chaff_html_elem.names) */
    size_t nameslen, namescap;
    struct open_node *open;
    size_t nopen, opencap;
    const char **paras;
    size_t *lens;
    size_t paracap, lenscap;
    struct chaff_html_tokens tok;
    struct chaff_page_structure structure;
    /* The tree as libxml2 would build it. */
    int have_root;     /* the root element was started */
    int doc_nonempty;  /* the document node has a child */
    int root_first;    /* its first child is the root element */
    int dtd_seen;      /* a DOCTYPE was read (the first one counts) */
    int head_seen;     /* the root's first <head> was started */
    int head_open;     /* and is open */
    int title_seen;    /* the first <title> inside it was started */
    int title_open;    /* and is open: its text makes the title line */
    uint32_t root;     /* the root's index in elems, or CHAFF_HTML_NONE */
    int last_kind;     /* LAST_* of the innermost open element */
    size_t last_len;   /* bytes of its last child when that is text */
    int halted;        /* the parse was stopped: later events change nothing */
    int nomem;
};

/* Remade after this many distinct names (tags, attributes) in its dictionary, which a reused
 * parser keeps from page to page. */
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

static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts);
static void sax_end(void *ctx, const xmlChar *name);
static void sax_characters(void *ctx, const xmlChar *ch, int len);
static void sax_cdata(void *ctx, const xmlChar *ch, int len);
static void sax_ignorable(void *ctx, const xmlChar *ch, int len);
static void sax_comment(void *ctx, const xmlChar *value);
static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data);
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                        const xmlChar *system_id);

/* A parser whose events go to the handlers below, with 'hx' as its _private. */
static htmlParserCtxtPtr new_ctxt(struct chaff_html *hx)
{
    htmlParserCtxtPtr ctxt = htmlNewParserCtxt();
    if (ctxt == NULL || ctxt->sax == NULL) {
        if (ctxt != NULL)
            htmlFreeParserCtxt(ctxt);
        return NULL;
    }
    /* ctxt->sax is the context's own copy (freed with it): fill it in place. */
    htmlSAXHandler *sax = ctxt->sax;
    memset(sax, 0, sizeof(*sax));
    sax->internalSubset = sax_doctype;
    sax->startElement = sax_start;
    sax->endElement = sax_end;
    sax->characters = sax_characters;
    sax->cdataBlock = sax_cdata;
    sax->ignorableWhitespace = sax_ignorable;
    sax->comment = sax_comment;
    sax->processingInstruction = sax_pi;
    sax->initialized = 1; /* SAX1 events, as the HTML parser gives them */
    ctxt->_private = hx;
    return ctxt;
}

struct chaff_html *chaff_html_create(void)
{
    pthread_once(&tag_once, tag_table_init);
    struct chaff_html *hx = calloc(1, sizeof(*hx));
    if (hx == NULL)
        return NULL;
    hx->ctxt = new_ctxt(hx);
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
    free(hx->body.text);
    free(hx->title.text);
    free(hx->lines);
    free(hx->elems);
    free(hx->names);
    free(hx->open);
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

/* Appends the 'n' bytes of text at 's' to the line being made in 'ls', collapsing white
 * space; 'elem' holds the text (CHAFF_HTML_NONE for the title). */
static void append_text(struct chaff_html *hx, struct line_state *ls, const unsigned char *s,
                        size_t n, uint32_t elem)
{
    if (hx->nomem || n == 0)
        return;
    if (n > SIZE_MAX / 2 - ls->len ||
        chaff_grow((void **)&ls->text, &ls->cap, ls->len + n + 2, 1) != 0) {
        hx->nomem = 1;
        return;
    }
    unsigned char *out = (unsigned char *)ls->text + ls->len;
    unsigned char *const line = (unsigned char *)ls->text + ls->start;
    int pending = ls->pending_space;
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
            ls->holder = elem; /* the first non-blank text of the line */
        else if (pending)
            *out++ = ' ';
        pending = 0;
        memcpy(out, s + i, k);
        out += k;
        i += k;
        nch++;
    }
    ls->pending_space = pending;
    ls->len = (size_t)((char *)out - ls->text);
    ls->nchars += nch;
    if (elem != CHAFF_HTML_NONE) {
        struct chaff_html_elem *e = &hx->elems[elem];
        e->nchars += nch;
        if (e->flags & CHAFF_HTML_IN_A) {
            e->nlink += nch;
            ls->nlink += nch;
        }
    }
}

/* Ends the line being made in 'ls'; returns 1 when it is not empty (and then is NUL-terminated
 * in ls->text at ls->start, of '*len' bytes), else 0. Either way the next line starts. */
static int end_line(struct line_state *ls, size_t *start, size_t *len)
{
    int kept = ls->len > ls->start;
    if (kept) {
        *start = ls->start;
        *len = ls->len - ls->start;
        ls->text[ls->len++] = '\0'; /* append_text reserved room for it */
        ls->start = ls->len;
    }
    ls->pending_space = 0;
    return kept;
}

/* Appends a line to the page's: 'holder', 'nchars' and 'nlink' from 'ls'. */
static void push_line(struct chaff_html *hx, const struct line_state *ls, size_t start,
                      size_t len)
{
    if (chaff_grow((void **)&hx->lines, &hx->linecap, hx->nlines + 1, sizeof(*hx->lines)) != 0) {
        hx->nomem = 1;
        return;
    }
    struct chaff_html_line *l = &hx->lines[hx->nlines++];
    l->start = start;
    l->len = len;
    l->holder = ls->holder;
    l->nchars = ls->nchars;
    l->nlink = ls->nlink;
}

/* Ends the body's current line: kept when not empty. */
static void flush_line(struct chaff_html *hx)
{
    struct line_state *ls = &hx->body;
    size_t start, len;
    if (!hx->nomem && end_line(ls, &start, &len))
        push_line(hx, ls, start, len);
    ls->pending_space = 0;
    ls->holder = CHAFF_HTML_NONE;
    ls->nchars = 0;
    ls->nlink = 0;
}

/* Puts the title line, when there is one, before the body's lines (its text after theirs). */
static void title_first(struct chaff_html *hx)
{
    struct line_state *t = &hx->title;
    size_t start, len;
    if (hx->nomem || !end_line(t, &start, &len))
        return;
    struct line_state *b = &hx->body;
    if (chaff_grow((void **)&b->text, &b->cap, b->len + len + 1, 1) != 0 ||
        chaff_grow((void **)&hx->lines, &hx->linecap, hx->nlines + 1, sizeof(*hx->lines)) != 0) {
        hx->nomem = 1;
        return;
    }
    memmove(hx->lines + 1, hx->lines, hx->nlines * sizeof(*hx->lines));
    hx->nlines++;
    struct chaff_html_line *l = &hx->lines[0];
    l->start = b->len;
    l->len = len;
    l->holder = CHAFF_HTML_NONE;
    l->nchars = t->nchars;
    l->nlink = 0;
    memcpy(b->text + b->len, t->text + start, len + 1);
    b->len += len + 1;
    b->start = b->len;
}

/* Stops the parse: libxml2 would have stopped building the tree here. From a start tag only,
 * as nodePush() does (elsewhere the parser is not ready to lose its input). */
static void halt_at_start(struct chaff_html *hx)
{
    hx->halted = 1;
    xmlStopParser(hx->ctxt);
}

/* Stops the parse as xmlSAX2Text's "huge text node" error does: no more events. */
static void halt_at_text(struct chaff_html *hx)
{
    hx->halted = 1;
    hx->ctxt->instate = XML_PARSER_EOF;
    hx->ctxt->disableSAX = 1;
}

/* Copies the class and id values of 'atts' into hx->names, each followed by a space (a word
 * break, as the end of an attribute is to structure.c). Returns the offset, CHAFF_HTML_NONE
 * when the element has neither attribute (even valueless). */
static uint32_t copy_names(struct chaff_html *hx, const xmlChar **atts)
{
    if (atts == NULL)
        return CHAFF_HTML_NONE;
    int named = 0;
    size_t off = hx->nameslen;
    for (size_t i = 0; atts[i] != NULL; i += 2) {
        const char *a = (const char *)atts[i];
        if (strcmp(a, "class") != 0 && strcmp(a, "id") != 0)
            continue;
        named = 1;
        const char *v = (const char *)atts[i + 1];
        size_t n = v != NULL ? strlen(v) : 0;
        /* The value, its space and the final NUL: offsets stay below UINT32_MAX. */
        if (hx->nameslen > UINT32_MAX - 3 || n > UINT32_MAX - 3 - hx->nameslen ||
            chaff_grow((void **)&hx->names, &hx->namescap, hx->nameslen + n + 2, 1) != 0) {
            hx->nomem = 1;
            return CHAFF_HTML_NONE;
        }
        if (n > 0)
            memcpy(hx->names + hx->nameslen, v, n);
        hx->nameslen += n;
        hx->names[hx->nameslen++] = ' ';
    }
    if (!named)
        return CHAFF_HTML_NONE;
    if (chaff_grow((void **)&hx->names, &hx->namescap, hx->nameslen + 1, 1) != 0) {
        hx->nomem = 1;
        return CHAFF_HTML_NONE;
    }
    hx->names[hx->nameslen++] = '\0';
    return (uint32_t)off;
}

/* Records element 'name' (of entry 't', may be NULL) as a child of element 'parent'. Returns
 * its index, or CHAFF_HTML_NONE when out of memory. */
static uint32_t open_elem(struct chaff_html *hx, const char *name, const xmlChar **atts,
                          const struct tag_info *t, uint32_t parent)
{
    if (hx->nelems >= UINT32_MAX - 1 ||
        chaff_grow((void **)&hx->elems, &hx->elemcap, hx->nelems + 1, sizeof(*hx->elems)) != 0) {
        hx->nomem = 1;
        return CHAFF_HTML_NONE;
    }
    uint32_t names = copy_names(hx, atts);
    if (hx->nomem)
        return CHAFF_HTML_NONE;
    uint32_t idx = (uint32_t)hx->nelems++;
    struct chaff_html_elem *e = &hx->elems[idx];
    const struct chaff_html_elem *p = parent != CHAFF_HTML_NONE ? &hx->elems[parent] : NULL;
    int block = t != NULL && t->kind == TAG_BLOCK;
    e->tag = name;
    e->names = names;
    e->parent = parent;
    e->block = block ? idx : p != NULL ? p->block : CHAFF_HTML_NONE;
    e->named = names != CHAFF_HTML_NONE ? idx : p != NULL ? p->named : CHAFF_HTML_NONE;
    e->depth = p != NULL ? p->depth + 1 : 0;
    e->flags = (p != NULL ? p->flags & ~(CHAFF_HTML_IS_BLOCK | CHAFF_HTML_IS_BODY) : 0) |
               (t != NULL ? t->flags : 0) | (block ? CHAFF_HTML_IS_BLOCK : 0);
    e->nchars = e->nlink = e->nlines = 0;
    return idx;
}

/* The element's name as the tree would hold it: xmlSAX2StartElement splits a qualified name
 * and keeps the local part (interned in the parser's dictionary, as the tree's names are).
 * NULL when out of memory. */
static const char *element_name(struct chaff_html *hx, const xmlChar *name)
{
    if (strchr((const char *)name, ':') == NULL)
        return (const char *)name;
    xmlChar *prefix = NULL;
    xmlChar *local = xmlSplitQName(hx->ctxt, name, &prefix);
    const xmlChar *in = local != NULL ? xmlDictLookup(hx->ctxt->dict, local, -1) : NULL;
    xmlFree(local);
    xmlFree(prefix);
    return (const char *)in;
}

static void sax_start(void *ctx, const xmlChar *name, const xmlChar **atts)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct chaff_html *hx = ctxt->_private;
    if (hx->halted || name == NULL)
        return;
    if (hx->nopen > xmlParserMaxDepth) {
        halt_at_start(hx); /* nodePush(): "Excessive depth in document" */
        return;
    }
    const char *nm = element_name(hx, name);
    if (nm == NULL ||
        chaff_grow((void **)&hx->open, &hx->opencap, hx->nopen + 1, sizeof(*hx->open)) != 0) {
        hx->nomem = 1;
        halt_at_start(hx);
        return;
    }
    hx->last_kind = LAST_OTHER;
    /* Where the tree would put it. */
    uint32_t parent = CHAFF_HTML_NONE;
    int entered = 1; /* the walk enters the parent (or this is the root) */
    int parent_is_root = 0;
    uint32_t what = 0;
    if (hx->nopen > 0) {
        const struct open_node *top = &hx->open[hx->nopen - 1];
        parent = top->elem;
        entered = top->elem != CHAFF_HTML_NONE;
        parent_is_root = (top->what & OPEN_ROOT) != 0;
    } else if (!hx->have_root) {
        hx->have_root = 1;
        hx->root_first = !hx->doc_nonempty;
        hx->doc_nonempty = 1;
        what = OPEN_ROOT;
    } else if (hx->root_first) {
        parent = hx->root; /* the root's last child */
        entered = hx->root != CHAFF_HTML_NONE;
        parent_is_root = 1;
    } else {
        entered = 0; /* the root's sibling: outside the walk */
    }
    if (parent_is_root && !hx->head_seen && strcmp(nm, "head") == 0) {
        hx->head_seen = 1;
        hx->head_open = 1;
        what |= OPEN_HEAD;
    } else if (hx->head_open && !hx->title_seen && strcmp(nm, "title") == 0) {
        hx->title_seen = 1;
        hx->title_open = 1;
        what |= OPEN_TITLE;
    }
    uint32_t idx = CHAFF_HTML_NONE;
    if (entered) {
        const struct tag_info *t = tag_lookup((const xmlChar *)nm);
        if (t == NULL || t->kind != TAG_DROP) {
            idx = open_elem(hx, nm, atts, t, parent);
            if (idx == CHAFF_HTML_NONE) {
                halt_at_start(hx);
                return;
            }
            if (t != NULL && t->kind == TAG_BLOCK)
                flush_line(hx);
        }
    }
    if (what & OPEN_ROOT)
        hx->root = idx;
    hx->open[hx->nopen].elem = idx;
    hx->open[hx->nopen].what = what;
    hx->nopen++;
}

static void sax_end(void *ctx, const xmlChar *name)
{
    htmlParserCtxtPtr ctxt = ctx;
    struct chaff_html *hx = ctxt->_private;
    (void)name;
    if (hx->halted || hx->nopen == 0)
        return;
    hx->last_kind = LAST_OTHER;
    const struct open_node *n = &hx->open[--hx->nopen];
    if (n->what & OPEN_HEAD)
        hx->head_open = 0;
    if (n->what & OPEN_TITLE)
        hx->title_open = 0;
    if (n->elem != CHAFF_HTML_NONE && (hx->elems[n->elem].flags & CHAFF_HTML_IS_BLOCK))
        flush_line(hx);
}

/* Text of kind 'kind' (LAST_TEXT or LAST_CDATA; the walk takes both) in the innermost open
 * element. */
static void text_event(struct chaff_html *hx, const xmlChar *ch, int len, int kind)
{
    if (hx->halted || hx->nopen == 0 || len <= 0)
        return; /* outside every element: xmlSAX2Text drops it */
    if (hx->last_kind == kind) {
        if (hx->last_len + (size_t)len > XML_MAX_TEXT_LENGTH) {
            halt_at_text(hx);
            return;
        }
        hx->last_len += (size_t)len;
    } else {
        hx->last_kind = kind;
        hx->last_len = (size_t)len;
    }
    const struct open_node *top = &hx->open[hx->nopen - 1];
    if (top->elem != CHAFF_HTML_NONE)
        append_text(hx, &hx->body, ch, (size_t)len, top->elem);
    if (hx->title_open)
        append_text(hx, &hx->title, ch, (size_t)len, CHAFF_HTML_NONE);
    if (hx->nomem)
        halt_at_text(hx);
}

static void sax_characters(void *ctx, const xmlChar *ch, int len)
{
    text_event(((htmlParserCtxtPtr)ctx)->_private, ch, len, LAST_TEXT);
}

static void sax_cdata(void *ctx, const xmlChar *ch, int len)
{
    text_event(((htmlParserCtxtPtr)ctx)->_private, ch, len, LAST_CDATA);
}

/* Only with HTML_PARSE_NOBLANKS, which is not used; the tree would drop it. */
static void sax_ignorable(void *ctx, const xmlChar *ch, int len)
{
    (void)ctx;
    (void)ch;
    (void)len;
}

/* A comment or processing instruction: a child of the innermost open element, else of the
 * document. */
static void other_node(struct chaff_html *hx)
{
    if (hx->halted)
        return;
    hx->last_kind = LAST_OTHER;
    if (hx->nopen == 0)
        hx->doc_nonempty = 1;
}

static void sax_comment(void *ctx, const xmlChar *value)
{
    (void)value;
    other_node(((htmlParserCtxtPtr)ctx)->_private);
}

static void sax_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)target;
    (void)data;
    other_node(((htmlParserCtxtPtr)ctx)->_private);
}

/* A DOCTYPE: the first one becomes the document's first child (xmlCreateIntSubset on an HTML
 * document), later ones are ignored. */
static void sax_doctype(void *ctx, const xmlChar *name, const xmlChar *external_id,
                        const xmlChar *system_id)
{
    struct chaff_html *hx = ((htmlParserCtxtPtr)ctx)->_private;
    (void)name;
    (void)external_id;
    (void)system_id;
    if (hx->halted || hx->dtd_seen)
        return;
    hx->dtd_seen = 1;
    hx->doc_nonempty = 1;
    hx->root_first = 0;
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

/* Starts a page: every per-page state back to empty. */
static void page_reset(struct chaff_html *hx)
{
    struct line_state *ls[2] = {&hx->body, &hx->title};
    for (int i = 0; i < 2; i++) {
        ls[i]->len = ls[i]->start = 0;
        ls[i]->pending_space = 0;
        ls[i]->holder = CHAFF_HTML_NONE;
        ls[i]->nchars = ls[i]->nlink = 0;
    }
    hx->nlines = hx->nelems = hx->nameslen = hx->nopen = 0;
    hx->have_root = hx->doc_nonempty = hx->root_first = hx->dtd_seen = 0;
    hx->head_seen = hx->head_open = hx->title_seen = hx->title_open = 0;
    hx->root = CHAFF_HTML_NONE;
    hx->last_kind = LAST_OTHER;
    hx->last_len = 0;
    hx->halted = 0;
    hx->nomem = 0;
}

#define PARSE_OPTIONS                                                                       \
    (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOERROR |      \
     HTML_PARSE_NOWARNING)

/* htmlCtxtReadMemory(ctxt, text, len, NULL, "UTF-8", PARSE_OPTIONS) without its second copy
 * of the page, the "conversion" from UTF-8 to UTF-8 that xmlSwitchToEncoding makes: the parser
 * is told the page is UTF-8 as the switch would tell it (ctxt->charset; the input's encoding,
 * which makes it ignore <meta charset>), after skipping a UTF-8 byte order mark as the switch
 * does. 'text' is valid UTF-8, so the parser never needs the converter (it would only fall
 * back to Latin-1 on invalid UTF-8). When the first 4 bytes look like another encoding to
 * xmlDetectCharEncoding (NUL bytes: UTF-16, UCS-4), htmlParseDocument switches to it, which
 * the converted copy makes harmless: those pages take htmlCtxtReadMemory itself. Returns -1
 * when out of memory setting the input up (no page would be read), else 0. */
static int read_utf8(htmlParserCtxtPtr ctxt, const char *text, size_t len, int nul)
{
    const unsigned char *u = (const unsigned char *)text;
    size_t bom = len >= 3 && u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf ? 3 : 0;
    if (len - bom >= 4) {
        xmlCharEncoding enc = xmlDetectCharEncoding(u + bom, 4);
        if (enc != XML_CHAR_ENCODING_NONE && enc != XML_CHAR_ENCODING_UTF8) {
            xmlDocPtr doc = htmlCtxtReadMemory(ctxt, text, (int)len, NULL, "UTF-8", PARSE_OPTIONS);
            if (doc != NULL)
                xmlFreeDoc(doc);
            return 0;
        }
    }
    htmlCtxtReset(ctxt);
    xmlParserInputPtr in;
    if (nul) {
        /* text[len] is a NUL byte, where the parser stops as at the end of the copy it would
         * make: it reads the page where it is, through an input without a buffer (which it
         * then neither grows nor shrinks; over a static buffer, libxml2 2.9 loses its place
         * when it shrinks the input). */
        if ((in = xmlNewInputStream(ctxt)) == NULL)
            return -1;
        in->base = in->cur = (const xmlChar *)text + bom;
        in->end = (const xmlChar *)text + len;
        in->length = (int)(len - bom);
    } else {
        xmlParserInputBufferPtr buf =
            xmlParserInputBufferCreateMem(text + bom, (int)(len - bom), XML_CHAR_ENCODING_NONE);
        if (buf == NULL)
            return -1;
        if ((in = xmlNewIOInputStream(ctxt, buf, XML_CHAR_ENCODING_NONE)) == NULL) {
            xmlFreeParserInputBuffer(buf);
            return -1;
        }
    }
    /* Without it the parser would follow <meta charset>. */
    if ((in->encoding = xmlStrdup((const xmlChar *)"UTF-8")) == NULL || inputPush(ctxt, in) < 0) {
        xmlFreeInputStream(in);
        return -1;
    }
    htmlCtxtUseOptions(ctxt, PARSE_OPTIONS);
    ctxt->html = 1;
    ctxt->charset = XML_CHAR_ENCODING_UTF8;
    htmlParseDocument(ctxt);
    if (ctxt->myDoc != NULL) { /* none: no handler builds one */
        xmlFreeDoc(ctxt->myDoc);
        ctxt->myDoc = NULL;
    }
    return 0;
}

/* Parses 'len' bytes of UTF-8 at 'text' as lxml.html does, printing
 * nothing; the events make the lines and elements. 'nul': text[len] is a NUL byte the parser
 * may read. Returns -1 when out of memory making a parser. */
static int parse(struct chaff_html *hx, const char *text, size_t len, int nul)
{
    if (hx->ctxt->dict != NULL && xmlDictSize(hx->ctxt->dict) > DICT_LIMIT) {
        htmlParserCtxtPtr fresh = new_ctxt(hx);
        if (fresh == NULL)
            return -1;
        htmlFreeParserCtxt(hx->ctxt);
        hx->ctxt = fresh;
    }
    if (len == 0)
        return 0;
    xmlGenericErrorFunc old_generic = xmlGenericError;
    void *old_generic_ctx = xmlGenericErrorContext;
    xmlStructuredErrorFunc old_structured = xmlStructuredError;
    void *old_structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, silent_error);
    xmlSetStructuredErrorFunc(NULL, silent_structured);
    int rc = read_utf8(hx->ctxt, text, len, nul);
    xmlSetGenericErrorFunc(old_generic_ctx, old_generic);
    xmlSetStructuredErrorFunc(old_structured_ctx, old_structured);
    return rc;
}

/* chaff_html_extract(); 'nul': html[len] is a NUL byte. */
static int extract(struct chaff_html *hx, const char *html, size_t len, int nul,
                   const char *charset, struct chaff_page *page, struct chaff_error *err)
{
    page_reset(hx);
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
    /* Decoded, the text ends in a NUL byte; as it was, when the HTML did. */
    nul = text == hx->dec || (nul && html != NULL && text + tlen == html + len);
    size_t keep = cap_elements(text, tlen, hx->max_elements);
    hx->cut_bytes = tlen - keep;
    nul = nul && keep == tlen;
    tlen = keep;
    size_t skip = xml_declaration_len(text, tlen);
    if (tlen - skip > INT_MAX) {
        tlen = skip + INT_MAX; /* libxml2 takes an int; lxml could not parse more either */
        nul = 0;
    }
    if (parse(hx, text + skip, tlen - skip, nul) != 0)
        hx->nomem = 1;
    if (!hx->nomem) {
        flush_line(hx); /* the walk's end closes every element left open */
        title_first(hx);
    }
    if (!hx->nomem) {
        total_elems(hx);
        if (chaff_html_structure_make(&hx->tok, hx->elems, hx->nelems, hx->names, hx->lines,
                                      hx->nlines, hx->body.text) != 0)
            hx->nomem = 1;
    }
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
        hx->paras[i] = hx->body.text + hx->lines[i].start;
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

int chaff_html_extract(struct chaff_html *hx, const char *html, size_t len, const char *charset,
                       struct chaff_page *page, struct chaff_error *err)
{
    return extract(hx, html, len, 0, charset, page, err);
}

int chaff_html_extract_nul(struct chaff_html *hx, const char *html, size_t len,
                           const char *charset, struct chaff_page *page, struct chaff_error *err)
{
    return extract(hx, html, len, 1, charset, page, err);
}
