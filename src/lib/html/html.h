/*
 * html.h - private interface between the parts of the HTML reader: charset.c (raw bytes to
 * UTF-8), html.c (libxml2's parse, the walk that makes the lines) and structure.c (the structure
 * tokens of each line, from the elements the walk saw).
 */
#ifndef CHAFF_LIB_HTML_H
#define CHAFF_LIB_HTML_H

#include "chaff.h"

#include <stddef.h>
#include <stdint.h>

#define CHAFF_HTML_NONE UINT32_MAX /* no element: the title line's holder, the root's parent */

/* chaff_html_extract() of 'len' bytes at 'html' followed by a NUL byte (html[len] == 0, as in
 * a buffer that ends every string with one): libxml2 reads the page where it is instead of
 * copying it first. */
int chaff_html_extract_nul(struct chaff_html *hx, const char *html, size_t len,
                           const char *charset, struct chaff_page *page, struct chaff_error *err);

/* Decodes the 'len' bytes at 'raw' to UTF-8 by the rule of lines.py's decode_html(): a UTF-8 or
 * UTF-16 byte order mark; else the bytes themselves when they are valid UTF-8; else 'charset'
 * (may be NULL) when it names a known encoding; else the first <meta ... charset=NAME> of the
 * first 4096 bytes, then of the whole page; else cp1252. Latin-1, ASCII and UTF-8 declarations
 * (of bytes that are not valid UTF-8) read as cp1252. Invalid bytes become U+FFFD.
 * Sets '*text_out' and '*len_out' either to 'raw' itself or into '*buf' (of '*cap' bytes, grown
 * as needed; the old pointer is invalid after the call). Returns 0, or -1 when out of memory. */
int chaff_html_decode(const char *raw, size_t len, const char *charset, char **buf, size_t *cap,
                      const char **text_out, size_t *len_out);

/* The length of the white-space character at 'p' ('n' >= 1 bytes left) as Python's
 * str.isspace() sees it (ASCII white space, U+001C..U+001F, U+0085, U+00A0, U+1680,
 * U+2000..U+200A, U+2028, U+2029, U+202F, U+205F, U+3000; not U+200B or U+FEFF), or 0: the
 * white space that lines are collapsed at, here and when labelled lines are compared with them
 * (model/dataset_html.c). */
size_t chaff_html_space_len(const unsigned char *p, size_t n);

/* Bits of struct chaff_html_elem.flags: the element or one of its ancestors is a ... */
enum {
    CHAFF_HTML_IN_NAV = 1u << 0,
    CHAFF_HTML_IN_HEADER = 1u << 1,
    CHAFF_HTML_IN_FOOTER = 1u << 2,
    CHAFF_HTML_IN_ASIDE = 1u << 3,
    CHAFF_HTML_IN_FORM = 1u << 4,
    CHAFF_HTML_IN_BUTTON = 1u << 5,
    CHAFF_HTML_IN_LI = 1u << 6,
    CHAFF_HTML_IN_TD = 1u << 7, /* td or th */
    CHAFF_HTML_IN_H = 1u << 8,  /* h1 .. h6 */
    CHAFF_HTML_IN_ARTICLE = 1u << 9,
    CHAFF_HTML_IN_MAIN = 1u << 10,
    CHAFF_HTML_IN_P = 1u << 11,
    CHAFF_HTML_IN_A = 1u << 12,
    CHAFF_HTML_NFLAGS = 13,
    /* Not an "in=" flag: the element itself is a block element, or <body>. */
    CHAFF_HTML_IS_BLOCK = 1u << 30,
    CHAFF_HTML_IS_BODY = 1u << 31,
};

/* An element the walk entered (dropped elements and their subtrees are not), in document order:
 * a parent always comes before its children. */
struct chaff_html_elem {
    const char *tag;  /* its name, as libxml2's tree would hold it (lower case for HTML);
                         alive until the next page */
    uint32_t names;   /* offset in the page's names buffer of its class and id values, in
                         attribute order, each followed by a space and the whole by a NUL;
                         CHAFF_HTML_NONE when it has neither attribute */
    uint32_t parent;  /* index, or CHAFF_HTML_NONE for the root */
    uint32_t block;   /* the nearest block element among itself and its ancestors, or NONE */
    uint32_t named;   /* the nearest element with a class or id attribute (even valueless)
                         among itself and its ancestors */
    uint32_t depth;   /* 0 for the root */
    uint32_t flags;   /* CHAFF_HTML_IN_* of itself and its ancestors, CHAFF_HTML_IS_* of itself */
    uint32_t nchars;  /* non-space characters of text: its own, then (after the walk) its
                         subtree's */
    uint32_t nlink;   /* the same, of text inside an <a> */
    uint32_t nlines;  /* lines whose holder it is, then those of its subtree */
};

/* A line as the walk made it: its holder (the element holding its first non-blank text, NONE
 * for the title line) and its non-space characters, all and inside an <a>. */
struct chaff_html_line {
    size_t start; /* offset of its text in the reader's text buffer */
    size_t len;
    uint32_t holder;
    uint32_t nchars;
    uint32_t nlink;
};

/* Where content.c guesses the page's main text is (Readability's scoring). */
enum {
    CHAFF_HTML_CONTENT_OUT = 0, /* outside the main text */
    CHAFF_HTML_CONTENT_TOP,     /* inside the best-scoring element */
    CHAFF_HTML_CONTENT_SIBLING, /* inside a sibling of it that joins it */
};

/* Bits of struct chaff_html_content.cls: Readability's word lists an element's class or id
 * matches. */
enum {
    CHAFF_HTML_CLASS_POSITIVE = 1, /* "article", "content", "post", ... */
    CHAFF_HTML_CLASS_NEGATIVE = 2, /* "comment", "sidebar", "share", ... */
    CHAFF_HTML_CLASS_UNLIKELY = 4, /* "menu", "footer", "related", ... (not "main", ...) */
};

struct chaff_html_content {
    float *score;        /* per element: its final score (0: not scored) */
    unsigned char *mark; /* per element: CHAFF_HTML_CONTENT_* */
    unsigned char *cls;  /* per element: CHAFF_HTML_CLASS_* of its own class and id */
    size_t scorecap, markcap, clscap;
    uint32_t top; /* the best element, or CHAFF_HTML_NONE */
    float top_score;
};

/* Scores the elements of a page whose subtree totals are made and marks its main text in 'c'
 * ('names': the page's names buffer, 'text': the lines' text buffer). Returns 0, or -1 when out of memory. */
int chaff_html_content_guess(struct chaff_html_content *c, const struct chaff_html_elem *elems,
                             size_t nelems, const char *names,
                             const struct chaff_html_line *lines, size_t nlines,
                             const char *text);

/* Frees the buffers of 'c' (not 'c'). */
void chaff_html_content_release(struct chaff_html_content *c);

/* The structure tokens of a page, reused from page to page. */
struct chaff_html_tokens {
    uint64_t *tokens;
    size_t ntokens, cap;
    uint32_t *off; /* nlines + 1 entries */
    size_t offcap;
    uint32_t *groups; /* CHAFF_STRUCT_GROUPS per line (chaff_page_structure.groups) */
    size_t groupscap;
    uint32_t *remap;  /* scratch: element index -> group number + 1 (0: not yet numbered) */
    size_t remapcap;
    struct chaff_html_content content;
};

/* The seed of the tokens' hashes: "html". */
#define CHAFF_HTML_SEED UINT64_C(0x68746d6c)

/* Most tokens one line gets. */
#define CHAFF_HTML_MAX_TOKENS 64

/* Fills 't' with the tokens of each of the 'nlines' lines (structure.c; the file's head comment
 * lists them). 'elems' have their subtree totals; 'names' is the page's names buffer
 * (chaff_html_elem.names); 'text' the lines' text buffer. Returns 0, or -1 when out of
 * memory. */
int chaff_html_structure_make(struct chaff_html_tokens *t, const struct chaff_html_elem *elems,
                              size_t nelems, const char *names,
                              const struct chaff_html_line *lines, size_t nlines,
                              const char *text);

/* Frees the buffers of 't' (not 't'). */
void chaff_html_tokens_release(struct chaff_html_tokens *t);

#endif
