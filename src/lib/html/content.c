/*
 * content.c - a guess of where a page's main text is, by the scoring Mozilla Readability uses
 * (Readability.js, _grabArticle): each paragraph of 25 characters or more scores 1, plus its
 * commas, plus one per 100 characters (at most 3), and gives its score to the 5 nearest
 * ancestors of its block, divided by 1, 2, 6, 9, 12 with the distance. An element's own
 * starting score comes from its tag (div +5; pre, td, blockquote +3; lists, li, form -3;
 * headings and th -5) and its class and id (+25 for words like "article" or "content", -25 for
 * words like "comment" or "sidebar"); paragraphs inside an element whose class or id looks
 * unlikely ("menu", "footer", "related", ...) do not count. The final score is scaled by
 * the share of the element's text outside links; the best element is the main text, and its
 * siblings join it when they score at least a fifth of it (or are paragraphs of prose with
 * few links).
 *
 * The structure tokens then tell the model whether a line stands in that main text (rd=top),
 * in a sibling that joined it (rd=sib), or outside (rd=out), and how its own section scores
 * beside the best one (rdr=N): a page-wide view that the line's own tags do not give.
 * Invariants: linear in the elements and lines (no walk up an unbounded ancestor chain).
 */
#include "html.h"

#include "grow.h"

#include <pthread.h>
#include <string.h>

#define MIN_PARA_CHARS   25  /* Readability: paragraphs shorter than this are not scored */
#define ANCESTOR_LEVELS  5   /* ancestors a paragraph's score reaches */
#define CLASS_WEIGHT     25
#define SIBLING_SHARE    0.2 /* siblings scoring at least this share of the best join it */
#define SIBLING_MIN      10.0

/* Substrings of a class or id (lower-cased) that Readability weighs, with the lists they are
 * in: its REGEXPS.positive, REGEXPS.negative, unlikelyCandidates and okMaybeItsACandidate,
 * without anchors. */
enum { POS = 1, NEG = 2, UNL = 4, MAYBE = 8 };
static const struct {
    const char *s;
    unsigned char lists;
} class_words[] = {
    {"article", POS | MAYBE}, {"body", POS | MAYBE}, {"content", POS | MAYBE}, {"entry", POS},
    {"hentry", POS}, {"h-entry", POS}, {"main", POS | MAYBE}, {"page", POS},
    {"pagination", POS | UNL}, {"post", POS}, {"text", POS}, {"blog", POS}, {"story", POS},
    {"-ad-", NEG | UNL}, {"hidden", NEG}, {"banner", NEG | UNL}, {"combx", NEG | UNL},
    {"comment", NEG | UNL}, {"com-", NEG}, {"contact", NEG}, {"foot", NEG},
    {"footer", NEG | UNL}, {"footnote", NEG}, {"gdpr", NEG | UNL}, {"masthead", NEG},
    {"media", NEG}, {"meta", NEG}, {"outbrain", NEG}, {"promo", NEG}, {"related", NEG | UNL},
    {"scroll", NEG}, {"share", NEG}, {"shoutbox", NEG | UNL}, {"sidebar", NEG | UNL},
    {"skyscraper", NEG | UNL}, {"sponsor", NEG | UNL}, {"shopping", NEG}, {"tags", NEG},
    {"tool", NEG}, {"widget", NEG}, {"ai2html", UNL}, {"breadcrumbs", UNL},
    {"community", UNL}, {"cover-wrap", UNL}, {"disqus", UNL}, {"extra", UNL},
    {"header", UNL}, {"legends", UNL}, {"menu", UNL}, {"remark", UNL}, {"replies", UNL},
    {"rss", UNL}, {"social", UNL}, {"supplemental", UNL}, {"ad-break", UNL},
    {"agegate", UNL}, {"pager", UNL}, {"popup", UNL}, {"yom-remote", UNL},
    {"and", MAYBE}, {"column", MAYBE}, {"shadow", MAYBE},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_PER_BYTE 16

/* The words of class_words by first byte, built once. */
static unsigned char by_first[256][MAX_PER_BYTE];
static unsigned char nby_first[256];
static pthread_once_t by_first_once = PTHREAD_ONCE_INIT;

static void by_first_init(void)
{
    for (size_t i = 0; i < COUNT(class_words); i++) {
        unsigned char c = (unsigned char)class_words[i].s[0];
        if (nby_first[c] < MAX_PER_BYTE)
            by_first[c][nby_first[c]++] = (unsigned char)i;
    }
}

/* The lists (POS, NEG, UNL, MAYBE) whose words occur in the NUL-terminated 's'. */
static unsigned lists_of(const char *s)
{
    pthread_once(&by_first_once, by_first_init);
    unsigned lists = 0;
    for (const char *p = s; *p != '\0'; p++) {
        unsigned char c = (unsigned char)*p;
        for (unsigned k = 0; k < nby_first[c]; k++) {
            const char *w = class_words[by_first[c][k]].s;
            size_t i = 1;
            while (w[i] != '\0' && p[i] == w[i])
                i++;
            if (w[i] == '\0')
                lists |= class_words[by_first[c][k]].lists;
        }
    }
    return lists;
}

static int tag_is(const char *tag, const char *name)
{
    return strcmp(tag, name) == 0;
}

/* Readability's _initializeNode(): the tag's part of an element's starting score. */
static double tag_score(const char *tag)
{
    if (tag_is(tag, "div"))
        return 5;
    if (tag_is(tag, "pre") || tag_is(tag, "td") || tag_is(tag, "blockquote"))
        return 3;
    if (tag_is(tag, "address") || tag_is(tag, "ol") || tag_is(tag, "ul") || tag_is(tag, "dl") ||
        tag_is(tag, "dd") || tag_is(tag, "dt") || tag_is(tag, "li") || tag_is(tag, "form"))
        return -3;
    if ((tag[0] == 'h' && tag[1] >= '1' && tag[1] <= '6' && tag[2] == '\0') || tag_is(tag, "th"))
        return -5;
    return 0;
}

/* Whether a line held in a block of tag 'tag' is a paragraph Readability scores: its
 * DEFAULT_TAGS_TO_SCORE, and divs (it scores those without block children as paragraphs). */
static int scored_block(const char *tag)
{
    static const char *const tags[] = {"p", "td", "pre", "section", "h2", "h3", "h4", "h5",
                                       "h6", "div", "blockquote", "article", "main", "body"};
    for (size_t i = 0; i < COUNT(tags); i++)
        if (tag_is(tag, tags[i]))
            return 1;
    return 0;
}

/* Commas of the 'len' bytes of UTF-8 at 's': Readability's REGEXPS.commas (, and the Arabic,
 * small, vertical, reversed and full-width commas), and the ideographic comma of Japanese. */
static unsigned commas(const char *s, size_t len)
{
    unsigned n = 0;
    const unsigned char *p = (const unsigned char *)s, *end = p + len;
    for (; p < end; p++) {
        if (*p == ',')
            n++;
        else if (*p == 0xd8 && p + 1 < end && p[1] == 0x8c) /* U+060C */
            n++;
        else if (*p == 0xef && p + 2 < end &&
                 ((p[1] == 0xb9 && p[2] == 0x90) ||                    /* U+FE50 */
                  (p[1] == 0xb8 && (p[2] == 0x90 || p[2] == 0x91)) || /* U+FE10, U+FE11 */
                  (p[1] == 0xbc && p[2] == 0x8c)))                    /* U+FF0C */
            n++;
        else if (*p == 0xe3 && p + 2 < end && p[1] == 0x80 && p[2] == 0x81) /* U+3001 */
            n++;
        else if (*p == 0xe2 && p + 2 < end && p[1] == 0xb9 &&
                 (p[2] == 0x81 || p[2] == 0xb4 || p[2] == 0xb2)) /* U+2E41, U+2E34, U+2E32 */
            n++;
    }
    return n;
}

/* Writes the class and id values of 'e' ('names': the page's names buffer), lower-cased,
 * NUL-terminated and cut to 'cap' bytes, into 'buf'. Returns the length (0: neither). */
static size_t class_text(const struct chaff_html_elem *e, const char *names, char *buf,
                         size_t cap)
{
    size_t n = 0;
    if (e->names != CHAFF_HTML_NONE)
        for (const unsigned char *p = (const unsigned char *)names + e->names;
             *p != '\0' && n + 1 < cap; p++)
            buf[n++] = (char)(*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
    buf[n] = '\0';
    return n;
}

/* Readability's test of a sibling of the best element: it scores a fifth of the best, or it
 * is a paragraph of 80 characters with few links, or a shorter one without links. */
static int sibling_joins(const struct chaff_html_content *c, const struct chaff_html_elem *e,
                         size_t i, double threshold)
{
    if (c->score[i] >= threshold)
        return 1;
    if (!tag_is(e->tag, "p") || e->nchars == 0)
        return 0;
    double ld = (double)e->nlink / e->nchars;
    return (e->nchars > 80 && ld < 0.25) || (e->nchars <= 80 && e->nlink == 0);
}

int chaff_html_content_guess(struct chaff_html_content *c, const struct chaff_html_elem *elems,
                             size_t nelems, const char *names,
                             const struct chaff_html_line *lines, size_t nlines,
                             const char *text)
{
    c->top = CHAFF_HTML_NONE;
    c->top_score = 0;
    if (chaff_grow((void **)&c->score, &c->scorecap, nelems + 1, sizeof(*c->score)) != 0 ||
        chaff_grow((void **)&c->mark, &c->markcap, nelems + 1, sizeof(*c->mark)) != 0 ||
        chaff_grow((void **)&c->cls, &c->clscap, nelems + 1, sizeof(*c->cls)) != 0)
        return -1;

    /* Class weights and unlikely subtrees, parents first. mark: bit 0 scored (initialised),
     * bit 1 unlikely (itself or an ancestor), later the CHAFF_HTML_CONTENT_* of the result. */
    enum { SCORED = 1, UNLIKELY = 2 };
    char cls[256];
    for (size_t i = 0; i < nelems; i++) {
        const struct chaff_html_elem *e = &elems[i];
        unsigned char m = e->parent != CHAFF_HTML_NONE ? c->mark[e->parent] & UNLIKELY : 0;
        double w = tag_score(e->tag);
        unsigned char bits = 0;
        if (class_text(e, names, cls, sizeof(cls)) > 0) {
            unsigned lists = lists_of(cls);
            if (lists & NEG) {
                w -= CLASS_WEIGHT;
                bits |= CHAFF_HTML_CLASS_NEGATIVE;
            }
            if (lists & POS) {
                w += CLASS_WEIGHT;
                bits |= CHAFF_HTML_CLASS_POSITIVE;
            }
            if (!(e->flags & CHAFF_HTML_IS_BODY) && !tag_is(e->tag, "html") && (lists & UNL) &&
                !(lists & MAYBE)) {
                m |= UNLIKELY;
                bits |= CHAFF_HTML_CLASS_UNLIKELY;
            }
        }
        c->cls[i] = bits;
        c->score[i] = (float)w;
        c->mark[i] = m;
    }

    /* Paragraph scores, up to 5 ancestors of the block. */
    for (size_t i = 0; i < nlines; i++) {
        const struct chaff_html_line *l = &lines[i];
        if (l->holder == CHAFF_HTML_NONE || l->nchars < MIN_PARA_CHARS)
            continue;
        const struct chaff_html_elem *h = &elems[l->holder];
        uint32_t blk = h->block != CHAFF_HTML_NONE ? h->block : l->holder;
        if ((c->mark[blk] & UNLIKELY) || !scored_block(elems[blk].tag))
            continue;
        double s = 1.0 + commas(text + l->start, l->len) +
                   (l->nchars / 100 < 3 ? (double)(l->nchars / 100) : 3.0);
        uint32_t a = elems[blk].parent;
        for (unsigned level = 0; level < ANCESTOR_LEVELS && a != CHAFF_HTML_NONE; level++) {
            if (elems[a].parent == CHAFF_HTML_NONE)
                break; /* the root, which Readability does not score */
            double div = level == 0 ? 1 : level == 1 ? 2 : level * 3.0;
            c->score[a] += (float)(s / div);
            c->mark[a] |= SCORED;
            a = elems[a].parent;
        }
    }

    /* Final scores: scaled by the text outside links; the best of them. */
    for (size_t i = 0; i < nelems; i++) {
        if (!(c->mark[i] & SCORED)) {
            c->score[i] = 0;
            continue;
        }
        const struct chaff_html_elem *e = &elems[i];
        double ld = e->nchars > 0 ? (double)e->nlink / e->nchars : 0;
        c->score[i] = (float)(c->score[i] * (1.0 - ld));
        if (c->top == CHAFF_HTML_NONE || c->score[i] > c->top_score) {
            c->top = (uint32_t)i;
            c->top_score = c->score[i];
        }
    }

    /* The main text and the siblings that join it; then every element inside them. */
    for (size_t i = 0; i < nelems; i++)
        c->mark[i] = CHAFF_HTML_CONTENT_OUT;
    if (c->top == CHAFF_HTML_NONE || c->top_score <= 0)
        return 0;
    uint32_t parent = elems[c->top].parent;
    double threshold = c->top_score * SIBLING_SHARE;
    if (threshold < SIBLING_MIN)
        threshold = SIBLING_MIN;
    /* A parent's children come after it in 'elems', not next to each other. */
    for (size_t i = parent != CHAFF_HTML_NONE ? parent + 1 : nelems; i < nelems; i++)
        if (elems[i].parent == parent && i != c->top && sibling_joins(c, &elems[i], i, threshold))
            c->mark[i] = CHAFF_HTML_CONTENT_SIBLING;
    c->mark[c->top] = CHAFF_HTML_CONTENT_TOP;
    for (size_t i = 0; i < nelems; i++) {
        uint32_t p = elems[i].parent;
        if (c->mark[i] == CHAFF_HTML_CONTENT_OUT && p != CHAFF_HTML_NONE)
            c->mark[i] = c->mark[p];
    }
    return 0;
}

void chaff_html_content_release(struct chaff_html_content *c)
{
    free(c->score);
    free(c->mark);
    free(c->cls);
    c->score = NULL;
    c->mark = c->cls = NULL;
    c->scorecap = c->markcap = c->clscap = 0;
}
