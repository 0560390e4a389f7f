/*
 * structure.c - the structure tokens of each line of an HTML page: where in the page's tree the
 * line stands, as 64-bit hashes (chaff_hash_bytes() of short strings, seed CHAFF_HTML_SEED)
 * that a model can weigh like words. The line's "holder" is the element holding its first
 * non-blank text; its "block" the nearest block element among the holder and its ancestors;
 * the "enclosing block" that block's parent. A line gets at most CHAFF_HTML_MAX_TOKENS of
 * them, the class and id words last:
 *
 *   tag=T            the holder's tag
 *   blk=T            the block's tag
 *   path2=T<P        the last 2, 3 and 4 tags of the path from the holder up to <body>
 *   path3=T<P<Q      (included), innermost first: "p<div<article"
 *   path4=...
 *   anc=T            each distinct tag among the holder's 12 nearest ancestors below <body>
 *   cls=W            each distinct word of the class and id of the 4 nearest elements that have
 *                    one (the holder and its ancestors); words split on non-letters and at
 *                    camelCase humps, lower-cased, 2 to 20 ASCII letters, 16 per element
 *   cls0=W           the words of the nearest of them
 *   ld=B             the share of the line's characters inside an <a>, and bld=B that of the
 *   bld=B            enclosing block's subtree: 0 (none), 1 (< 1/4), 2 (< 1/2), 3 (< 3/4),
 *                    4 (< 1), 5 (all)
 *   in=X             the holder or an ancestor is X: nav header footer aside form button li
 *                    td (or th) h (h1..h6) article main p a
 *   blines=N         floor(log2(1 + lines starting in the enclosing block)), at most 16
 *   btext=N          the same of its non-space characters
 *   depth=N          the holder's depth (the root's is 0) in bins 0-4, 5-8, 9-12, 13-16,
 *                    17-24, 25+ (N = 0..5)
 *   bshare=N         the enclosing block's share of the page's (<body>'s) characters, and
 *   sshare=N         the section's (the nearest ancestor of the block holding at least
 *                    CHAFF_STRUCT_SECTION_LINES lines), in tenths (N = 0..10)
 *   sld=B            the section's link density, bins as ld=
 *   rd=X             where the line stands against the page's main text as Readability would
 *                    find it (content.c): top (inside the best-scoring element), sib (inside
 *                    a sibling that joins it), out, or none (no element scored on the
 *                    page; when the best score is not above 0, every line is out)
 *   rdb=X<T          the same with the block's tag
 *   rdr=N            the best score of the block and its 3 nearest ancestors, in tenths of
 *                    the best element's (N = 0..10)
 *   rdcK=X           K = 0, 1, 2: the K-th nearest element with a class or id matches
 *                    Readability's positive (X = pos), negative (neg) or unlikely (unl) words
 *
 * The title line gets the one token "title". Characters are non-space code points. The cls
 * and cls0 tokens have their low bit set (CHAFF_STRUCT_SITE_WORD: words one site may coin),
 * every other token has it clear.
 */
#include "html.h"

#include "chaff.h"
#include "grow.h"
#include "hash.h"

#include <string.h>

#define MAX_ANCESTORS 12 /* anc= tokens */
#define MAX_NAMED     4  /* elements whose class and id give cls= */
#define MAX_WORDS_PER 16 /* words of one element */
#define MAX_WORD      20
#define MIN_WORD      2
/* Bytes of an element's class and id values read for its words: they are read again for each
 * line below the element, so a page of one 10 MB class and 50,000 lines would take an hour
 * unbounded. Real pages keep their class and id values far shorter. */
#define MAX_NAME_BYTES 4096

/* A token being hashed. */
struct th {
    uint64_t h;
};

static inline void th_start(struct th *t, const char *prefix)
{
    t->h = chaff_hash_init(CHAFF_HTML_SEED);
    for (const char *p = prefix; *p != '\0'; p++)
        t->h = chaff_hash_byte(t->h, (unsigned char)*p);
}

static inline void th_add(struct th *t, const char *s)
{
    for (const char *p = s; *p != '\0'; p++)
        t->h = chaff_hash_byte(t->h, (unsigned char)*p);
}

/* The tokens of the line being made. */
struct line_tokens {
    uint64_t v[CHAFF_HTML_MAX_TOKENS];
    unsigned n;
};

static inline void push(struct line_tokens *lt, uint64_t h, int site_word)
{
    if (lt->n < CHAFF_HTML_MAX_TOKENS)
        lt->v[lt->n++] = site_word ? h | CHAFF_STRUCT_SITE_WORD : h & ~CHAFF_STRUCT_SITE_WORD;
}

static void push_str(struct line_tokens *lt, const char *prefix, const char *value)
{
    struct th t;
    th_start(&t, prefix);
    th_add(&t, value);
    push(lt, chaff_hash_final(t.h), 0);
}

static void push_bin(struct line_tokens *lt, const char *prefix, unsigned bin)
{
    char num[12];
    size_t n = 0;
    do {
        num[n++] = (char)('0' + bin % 10);
        bin /= 10;
    } while (bin > 0 && n < sizeof(num));
    struct th t;
    th_start(&t, prefix);
    while (n > 0)
        t.h = chaff_hash_byte(t.h, (unsigned char)num[--n]);
    push(lt, chaff_hash_final(t.h), 0);
}

static unsigned link_bin(uint32_t link, uint32_t all)
{
    if (link == 0 || all == 0)
        return 0;
    if (link >= all)
        return 5;
    uint64_t q = (uint64_t)link * 4;
    return q < all ? 1 : q < 2 * (uint64_t)all ? 2 : q < 3 * (uint64_t)all ? 3 : 4;
}

/* 'part' of 'whole' in tenths (0 .. 10). */
static unsigned share_bin(uint32_t part, uint32_t whole)
{
    if (whole == 0)
        return 0;
    uint64_t q = (uint64_t)part * 10 / whole;
    return q > 10 ? 10 : (unsigned)q;
}

static unsigned log2_bin(uint32_t n)
{
    unsigned b = 0;
    uint64_t v = (uint64_t)n + 1;
    while (v > 1 && b < 16) {
        v >>= 1;
        b++;
    }
    return b;
}

static unsigned depth_bin(uint32_t d)
{
    return d <= 4 ? 0 : d <= 8 ? 1 : d <= 12 ? 2 : d <= 16 ? 3 : d <= 24 ? 4 : 5;
}

/* Splits class and id values into words. */
struct words {
    char w[MAX_WORDS_PER][MAX_WORD + 1];
    unsigned n;
    char cur[MAX_WORD + 1];
    size_t len;
    int too_long, prev_lower;
};

static void word_end(struct words *ws)
{
    if (ws->len >= MIN_WORD && !ws->too_long && ws->n < MAX_WORDS_PER) {
        ws->cur[ws->len] = '\0';
        int dup = 0;
        for (unsigned i = 0; i < ws->n && !dup; i++)
            dup = strcmp(ws->w[i], ws->cur) == 0;
        if (!dup)
            memcpy(ws->w[ws->n++], ws->cur, ws->len + 1);
    }
    ws->len = 0;
    ws->too_long = 0;
    ws->prev_lower = 0;
}

/* Feeds the words of 's' to 'ws', up to its NUL or MAX_NAME_BYTES bytes; a word cut there is
 * dropped. */
static void words_feed(struct words *ws, const unsigned char *s)
{
    for (size_t k = 0; s[k] != '\0'; k++) {
        if (k == MAX_NAME_BYTES) {
            ws->len = 0; /* cut: not a word of the page */
            break;
        }
        unsigned c = s[k];
        int upper = c >= 'A' && c <= 'Z', lower = c >= 'a' && c <= 'z';
        if (!upper && !lower) {
            word_end(ws);
            continue;
        }
        if (upper && ws->prev_lower)
            word_end(ws); /* a camelCase hump */
        if (ws->len < MAX_WORD)
            ws->cur[ws->len++] = (char)(upper ? c + 32 : c);
        else
            ws->too_long = 1;
        ws->prev_lower = lower;
    }
}

/* The words of the class and id values 'v' (chaff_html_elem.names: each value ends with a
 * space, which ends its last word). */
static void element_words(const char *v, struct words *ws)
{
    ws->n = 0;
    ws->len = 0;
    ws->too_long = ws->prev_lower = 0;
    words_feed(ws, (const unsigned char *)v);
    word_end(ws);
}

static const char *const flag_names[CHAFF_HTML_NFLAGS] = {
    "nav", "header", "footer",  "aside", "form", "button", "li",
    "td",  "h",      "article", "main",  "p",    "a",
};

/* A score of content.c times 100, as a bin's count: clamped to 0 .. UINT32_MAX (a page
 * whose only scored elements have negative class weights has a negative best score). */
static uint32_t score_count(float score)
{
    float v = score * 100;
    return v <= 0 ? 0 : v >= (float)UINT32_MAX ? UINT32_MAX : (uint32_t)v;
}

/* The rd=, rdb=, rdr= and rdcK= tokens of a line held by element 'holder' (content.c's
 * guess). */
static void content_tokens(struct line_tokens *lt, const struct chaff_html_content *c,
                           const struct chaff_html_elem *elems, uint32_t holder)
{
    static const char *const where[] = {"out", "top", "sib"};
    if (c->top == CHAFF_HTML_NONE) {
        push_str(lt, "rd=", "none");
        return;
    }
    push_str(lt, "rd=", where[c->mark[holder]]);
    /* ... with the block's tag: a list inside the main text is not a menu outside it. */
    const struct chaff_html_elem *h = &elems[holder];
    uint32_t a = h->block != CHAFF_HTML_NONE ? h->block : holder;
    struct th t;
    th_start(&t, "rdb=");
    th_add(&t, where[c->mark[holder]]);
    t.h = chaff_hash_byte(t.h, '<');
    th_add(&t, elems[a].tag);
    push(lt, chaff_hash_final(t.h), 0);
    /* The best score among the block and its 3 nearest ancestors, beside the top. */
    float best = 0;
    for (unsigned k = 0; k < 4 && a != CHAFF_HTML_NONE; k++) {
        if (c->score[a] > best)
            best = c->score[a];
        a = elems[a].parent;
    }
    push_bin(lt, "rdr=", share_bin(score_count(best), score_count(c->top_score)));
    /* Readability's class and id word lists, of the 3 nearest elements that have a class or
     * id: generalise where one site's names (cls=) cannot ("sidebar-widget-3"). */
    static const char *const kinds[3] = {"pos", "neg", "unl"};
    static const char *const prefix[3] = {"rdc0=", "rdc1=", "rdc2="};
    uint32_t named = elems[holder].named;
    for (unsigned k = 0; k < 3 && named != CHAFF_HTML_NONE; k++) {
        for (unsigned b = 0; b < 3; b++)
            if (c->cls[named] & (1u << b))
                push_str(lt, prefix[k], kinds[b]);
        uint32_t p = elems[named].parent;
        named = p != CHAFF_HTML_NONE ? elems[p].named : CHAFF_HTML_NONE;
    }
}

static void line_tokens(struct line_tokens *lt, const struct chaff_html_elem *elems,
                        const char *names, const struct chaff_html_line *line,
                        uint32_t page_chars, const struct chaff_html_content *content)
{
    lt->n = 0;
    if (line->holder == CHAFF_HTML_NONE) {
        push_str(lt, "", "title");
        return;
    }
    const struct chaff_html_elem *h = &elems[line->holder];
    push_str(lt, "tag=", h->tag);
    const struct chaff_html_elem *blk = h->block != CHAFF_HTML_NONE ? &elems[h->block] : h;
    push_str(lt, "blk=", blk->tag);

    /* The path, innermost first, to <body> included. */
    const char *path[4];
    unsigned npath = 0;
    for (const struct chaff_html_elem *e = h; npath < 4;) {
        path[npath++] = e->tag;
        if ((e->flags & CHAFF_HTML_IS_BODY) || e->parent == CHAFF_HTML_NONE)
            break;
        e = &elems[e->parent];
    }
    static const char *const path_prefix[4] = {"", "", "path2=", "path3="};
    for (unsigned k = 2; k <= npath; k++) {
        struct th t;
        th_start(&t, k < 4 ? path_prefix[k] : "path4=");
        for (unsigned i = 0; i < k; i++) {
            if (i > 0)
                t.h = chaff_hash_byte(t.h, '<');
            th_add(&t, path[i]);
        }
        push(lt, chaff_hash_final(t.h), 0);
    }

    /* Ancestors below <body>, distinct (names are interned by libxml2's dictionary, but compare
     * the strings all the same). */
    const char *seen[MAX_ANCESTORS];
    unsigned nseen = 0;
    uint32_t a = h->parent;
    for (unsigned k = 0; k < MAX_ANCESTORS && a != CHAFF_HTML_NONE; k++) {
        const struct chaff_html_elem *e = &elems[a];
        if (e->flags & CHAFF_HTML_IS_BODY)
            break;
        int dup = 0;
        for (unsigned i = 0; i < nseen && !dup; i++)
            dup = seen[i] == e->tag || strcmp(seen[i], e->tag) == 0;
        if (!dup) {
            seen[nseen++] = e->tag;
            push_str(lt, "anc=", e->tag);
        }
        a = e->parent;
    }

    /* Link density of the line and of its enclosing block. */
    push_bin(lt, "ld=", link_bin(line->nlink, line->nchars));
    const struct chaff_html_elem *enc = blk->parent != CHAFF_HTML_NONE ? &elems[blk->parent] : blk;
    push_bin(lt, "bld=", link_bin(enc->nlink, enc->nchars));

    for (unsigned f = 0; f < CHAFF_HTML_NFLAGS; f++)
        if (h->flags & (1u << f))
            push_str(lt, "in=", flag_names[f]);

    push_bin(lt, "blines=", log2_bin(enc->nlines));
    push_bin(lt, "btext=", log2_bin(enc->nchars));
    push_bin(lt, "depth=", depth_bin(h->depth));

    /* How much of the page's text is in the enclosing block and in the section (the nearest
     * ancestor of the block with CHAFF_STRUCT_SECTION_LINES lines), and how much of the
     * section's is in links: the main text sits in a container that holds most of the page's
     * text and few links. */
    uint32_t sec = h->block != CHAFF_HTML_NONE ? h->block : line->holder;
    while (elems[sec].nlines < CHAFF_STRUCT_SECTION_LINES && !(elems[sec].flags & CHAFF_HTML_IS_BODY) &&
           elems[sec].parent != CHAFF_HTML_NONE)
        sec = elems[sec].parent;
    push_bin(lt, "bshare=", share_bin(enc->nchars, page_chars));
    push_bin(lt, "sshare=", share_bin(elems[sec].nchars, page_chars));
    push_bin(lt, "sld=", link_bin(elems[sec].nlink, elems[sec].nchars));
    content_tokens(lt, content, elems, line->holder);

    /* Class and id words, last: they are the many, and what the cap cuts. */
    uint64_t cls[MAX_NAMED * MAX_WORDS_PER];
    unsigned ncls = 0;
    struct words ws;
    uint32_t named = h->named;
    for (unsigned k = 0; k < MAX_NAMED && named != CHAFF_HTML_NONE; k++) {
        const struct chaff_html_elem *e = &elems[named];
        element_words(names + e->names, &ws);
        for (unsigned i = 0; i < ws.n; i++) {
            struct th t;
            th_start(&t, "cls=");
            th_add(&t, ws.w[i]);
            uint64_t v = chaff_hash_final(t.h);
            int dup = 0;
            for (unsigned j = 0; j < ncls && !dup; j++)
                dup = cls[j] == v;
            if (!dup) {
                cls[ncls++] = v;
                push(lt, v, 1);
            }
            if (k == 0) {
                th_start(&t, "cls0=");
                th_add(&t, ws.w[i]);
                push(lt, chaff_hash_final(t.h), 1);
            }
        }
        named = e->parent != CHAFF_HTML_NONE ? elems[e->parent].named : CHAFF_HTML_NONE;
    }
}

/* The elements a line's neighbours are pooled over in the second pass: its enclosing block
 * (its block's parent) and the nearest ancestor of its block holding at least
 * CHAFF_STRUCT_SECTION_LINES lines (<body> at the latest). */
static void line_groups(const struct chaff_html_elem *elems, const struct chaff_html_line *line,
                        uint32_t out[CHAFF_STRUCT_GROUPS])
{
    out[0] = out[1] = CHAFF_HTML_NONE;
    if (line->holder == CHAFF_HTML_NONE)
        return;
    const struct chaff_html_elem *h = &elems[line->holder];
    uint32_t blk = h->block != CHAFF_HTML_NONE ? h->block : line->holder;
    out[0] = elems[blk].parent != CHAFF_HTML_NONE ? elems[blk].parent : blk;
    uint32_t a = blk;
    while (elems[a].nlines < CHAFF_STRUCT_SECTION_LINES && !(elems[a].flags & CHAFF_HTML_IS_BODY) &&
           elems[a].parent != CHAFF_HTML_NONE)
        a = elems[a].parent;
    out[1] = a;
}

/* Numbers the group elements of the lines 0, 1, ... in order of first use. */
static int number_groups(struct chaff_html_tokens *t, size_t nelems, size_t nlines)
{
    if (chaff_grow((void **)&t->remap, &t->remapcap, nelems + 1, sizeof(*t->remap)) != 0)
        return -1;
    memset(t->remap, 0, (nelems + 1) * sizeof(*t->remap));
    uint32_t next = 0;
    for (size_t i = 0; i < nlines * CHAFF_STRUCT_GROUPS; i++) {
        uint32_t e = t->groups[i];
        if (e == CHAFF_HTML_NONE || e >= nelems) {
            t->groups[i] = CHAFF_STRUCT_NO_GROUP;
            continue;
        }
        if (t->remap[e] == 0)
            t->remap[e] = ++next;
        t->groups[i] = t->remap[e] - 1;
    }
    return 0;
}

int chaff_html_structure_make(struct chaff_html_tokens *t, const struct chaff_html_elem *elems,
                              size_t nelems, const char *names,
                              const struct chaff_html_line *lines, size_t nlines,
                              const char *text)
{
    t->ntokens = 0;
    if (chaff_html_content_guess(&t->content, elems, nelems, names, lines, nlines, text) != 0)
        return -1;
    if (nlines >= UINT32_MAX / CHAFF_HTML_MAX_TOKENS ||
        chaff_grow((void **)&t->off, &t->offcap, nlines + 1, sizeof(*t->off)) != 0 ||
        chaff_grow((void **)&t->groups, &t->groupscap, nlines * CHAFF_STRUCT_GROUPS + 1,
                   sizeof(*t->groups)) != 0)
        return -1;
    for (size_t i = 0; i < nlines; i++)
        line_groups(elems, &lines[i], t->groups + i * CHAFF_STRUCT_GROUPS);
    /* The page's text: its <body>'s (the first one), else the root's. */
    uint32_t page_chars = nelems > 0 ? elems[0].nchars : 0;
    for (size_t e = 0; e < nelems; e++)
        if (elems[e].flags & CHAFF_HTML_IS_BODY) {
            page_chars = elems[e].nchars;
            break;
        }
    if (number_groups(t, nelems, nlines) != 0)
        return -1;
    t->off[0] = 0;
    struct line_tokens lt;
    for (size_t i = 0; i < nlines; i++) {
        line_tokens(&lt, elems, names, &lines[i], page_chars, &t->content);
        if (chaff_grow((void **)&t->tokens, &t->cap, t->ntokens + lt.n, sizeof(*t->tokens)) != 0)
            return -1;
        memcpy(t->tokens + t->ntokens, lt.v, lt.n * sizeof(*lt.v));
        t->ntokens += lt.n;
        t->off[i + 1] = (uint32_t)t->ntokens;
    }
    return 0;
}

void chaff_html_tokens_release(struct chaff_html_tokens *t)
{
    free(t->tokens);
    free(t->off);
    free(t->groups);
    free(t->remap);
    chaff_html_content_release(&t->content);
    t->tokens = NULL;
    t->off = NULL;
    t->groups = t->remap = NULL;
    t->ntokens = t->cap = t->offcap = t->groupscap = t->remapcap = 0;
}
