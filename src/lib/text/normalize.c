/*
 * normalize.c - NFKC + case folding with utf8proc, with a fast path that gives the same result
 * for text that needs no composition across characters (ASCII, for which NFKC is the identity
 * and case folding is tolower, and most other text; see the table below). Invariant: nz->text holds
 * valid UTF-8 without NUL bytes, no leading, trailing or repeated spaces, and nz->starts has
 * ncps + 1 entries.
 */
#include "normalize.h"
#include "compiler.h"
#include "grow.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define REPLACEMENT_CP 0xFFFD

static const utf8proc_option_t nfkc_casefold =
    UTF8PROC_STABLE | UTF8PROC_COMPAT | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD | UTF8PROC_IGNORE;

void chaff_normalizer_init(struct chaff_normalizer *nz)
{
    memset(nz, 0, sizeof(*nz));
}

void chaff_normalizer_release(struct chaff_normalizer *nz)
{
    free(nz->clean);
    free(nz->cps);
    free(nz->text);
    free(nz->starts);
    free(nz->cpv);
    memset(nz, 0, sizeof(*nz));
}

/* Room for 'n' code points in starts[] and cpv[]. */
static int reserve_cps(struct chaff_normalizer *nz, size_t n)
{
    return chaff_grow((void **)&nz->starts, &nz->starts_cap, n, sizeof(uint32_t)) != 0 ||
                   chaff_grow((void **)&nz->cpv, &nz->cpv_cap, n, sizeof(int32_t)) != 0
               ? -1
               : 0;
}

size_t chaff_utf8_decode(const uint8_t *s, size_t len, int32_t *cp, int *invalid)
{
    if (s[0] == 0) {
        *cp = REPLACEMENT_CP;
        *invalid = 1;
        return 1;
    }
    if (s[0] < 0x80) {
        *cp = s[0];
        *invalid = 0;
        return 1;
    }
    utf8proc_int32_t c;
    utf8proc_ssize_t n = utf8proc_iterate(s, len > 4 ? 4 : (utf8proc_ssize_t)len, &c);
    if (n <= 0) {
        *cp = REPLACEMENT_CP;
        *invalid = 1;
        return 1;
    }
    *cp = c;
    *invalid = 0;
    return (size_t)n;
}

static int is_space_cp(int32_t cp)
{
    if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d) || cp == 0x85)
        return 1;
    if (cp < 0x80)
        return 0;
    utf8proc_category_t cat = utf8proc_category(cp);
    return cat == UTF8PROC_CATEGORY_ZS || cat == UTF8PROC_CATEGORY_ZL ||
           cat == UTF8PROC_CATEGORY_ZP;
}

/* A word starts at a letter or digit after anything else; ncapword counts the upper-case
 * letters that start one. */
static inline void count_word(struct chaff_text_stats *st, unsigned alnum, unsigned upper)
{
    st->ncapword += upper & !st->in_word;
    st->in_word = alnum;
}

static void count_cp(struct chaff_text_stats *st, int32_t cp)
{
    st->nchars++;
    if (cp < 0x80) {
        if ((cp | 0x20) >= 'a' && (cp | 0x20) <= 'z') {
            st->nletters++;
            st->nupper += cp <= 'Z';
            count_word(st, 1, cp <= 'Z');
        } else if (cp >= '0' && cp <= '9') {
            st->ndigits++;
            count_word(st, 1, 0);
        } else if (cp == ' ' || (cp >= 0x09 && cp <= 0x0d)) {
            st->nspace++;
            count_word(st, 0, 0);
            return;
        } else {
            st->npunct += cp > 0x20 && cp < 0x7f;
            count_word(st, 0, 0);
        }
    } else {
        switch (utf8proc_category(cp)) {
        case UTF8PROC_CATEGORY_LU:
        case UTF8PROC_CATEGORY_LT:
            st->nupper++;
            st->nletters++;
            count_word(st, 1, 1);
            break;
        case UTF8PROC_CATEGORY_LL:
        case UTF8PROC_CATEGORY_LM:
        case UTF8PROC_CATEGORY_LO:
            st->nletters++;
            count_word(st, 1, 0);
            break;
        case UTF8PROC_CATEGORY_ND:
            st->ndigits++;
            count_word(st, 1, 0);
            break;
        case UTF8PROC_CATEGORY_PC:
        case UTF8PROC_CATEGORY_PD:
        case UTF8PROC_CATEGORY_PS:
        case UTF8PROC_CATEGORY_PE:
        case UTF8PROC_CATEGORY_PI:
        case UTF8PROC_CATEGORY_PF:
        case UTF8PROC_CATEGORY_PO:
        case UTF8PROC_CATEGORY_SM:
        case UTF8PROC_CATEGORY_SC:
        case UTF8PROC_CATEGORY_SK:
        case UTF8PROC_CATEGORY_SO:
            st->npunct++;
            count_word(st, 0, 0);
            break;
        case UTF8PROC_CATEGORY_ZS:
        case UTF8PROC_CATEGORY_ZL:
        case UTF8PROC_CATEGORY_ZP:
            st->nspace++;
            count_word(st, 0, 0);
            return;
        default:
            count_word(st, 0, 0);
            if (is_space_cp(cp)) {
                st->nspace++;
                return;
            }
            break;
        }
    }
    if (st->first_cp < 0)
        st->first_cp = cp;
    st->last_cp = cp;
}

/* What count_cp() counts, as bits: by table for ASCII and for the fold table. */
enum { AC_LETTER = 1, AC_UPPER = 2, AC_DIGIT = 4, AC_PUNCT = 8, AC_SPACE = 16 };

static const uint8_t *ascii_classes(void)
{
    static uint8_t t[128];
    for (int c = 1; c < 128; c++) {
        if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
            t[c] = AC_LETTER | (c <= 'Z' ? AC_UPPER : 0);
        else if (c >= '0' && c <= '9')
            t[c] = AC_DIGIT;
        else if (c == ' ' || (c >= 0x09 && c <= 0x0d))
            t[c] = AC_SPACE;
        else if (c > 0x20 && c < 0x7f)
            t[c] = AC_PUNCT;
    }
    return t;
}

static const uint8_t *ascii_class; /* set with the fold table */

/* What the table path writes for an ASCII byte: its folding ('0' for digits, ' ' for white
 * space), or 0 for a control character, which it leaves out. */
static uint8_t ascii_fold[128];

/* The counts of an ASCII byte as fields of 12 bits (letters, upper case, digits, punctuation,
 * white space), added up for up to 4095 bytes at a time; bit 60 is set for a letter or digit
 * and bit 61 for an upper-case letter (for count_word(); the sums spill only into bits 60-63,
 * which RUN_FIELD() never reads). */
static uint64_t ascii_counts[128];
#define RUN_FIELD(x, k) (((x) >> (12 * (k))) & 0xFFF)
#define RUN_CHUNK       4095

static void build_ascii_fold(void)
{
    for (int c = 1; c < 128; c++) {
        const unsigned k = ascii_class[c];
        for (unsigned f = 0; f < 5; f++) /* AC_LETTER .. AC_SPACE, one field each */
            ascii_counts[c] |= (uint64_t)((k >> f) & 1) << (12 * f);
        ascii_counts[c] |= (uint64_t)((k & (AC_LETTER | AC_DIGIT)) != 0) << 60;
        ascii_counts[c] |= (uint64_t)((k >> 1) & 1) << 61;
        if (k & AC_SPACE)
            ascii_fold[c] = ' ';
        else if (c >= 0x20 && c != 0x7f)
            ascii_fold[c] = (k & AC_UPPER)   ? (uint8_t)(c | 0x20)
                            : (k & AC_DIGIT) ? '0'
                                             : (uint8_t)c;
    }
}

/* The AC_* bits of what count_cp() counts for 'cp' (0 for a code point it counts only as a
 * character, such as a mark). */
static uint8_t count_class(int32_t cp)
{
    struct chaff_text_stats st;
    memset(&st, 0, sizeof(st));
    st.first_cp = -1;
    count_cp(&st, cp);
    return (uint8_t)((st.nletters ? AC_LETTER : 0) | (st.nupper ? AC_UPPER : 0) |
                     (st.ndigits ? AC_DIGIT : 0) | (st.npunct ? AC_PUNCT : 0) |
                     (st.nspace ? AC_SPACE : 0));
}

/* Appends code point 'cp' of the normalised text, collapsing white space and folding digits.
 * 'pending_space' carries a space seen but not yet written (written only before a non-space). */
static int emit_cp(struct chaff_normalizer *nz, int32_t cp, int *pending_space)
{
    if (is_space_cp(cp)) {
        *pending_space = nz->ncps > 0;
        return 0;
    }
    if (cp < 0x20 || cp == 0x7f)
        return 0; /* control characters carry no text */
    if (cp >= '0' && cp <= '9')
        cp = '0';
    else if (cp >= 0x80 && utf8proc_category(cp) == UTF8PROC_CATEGORY_ND)
        cp = '0';
    if (chaff_grow((void **)&nz->text, &nz->text_cap, nz->text_len + 4 + 1 + 1, 1) != 0 ||
        reserve_cps(nz, nz->ncps + 3) != 0)
        return -1;
    if (*pending_space) {
        nz->cpv[nz->ncps] = ' ';
        nz->starts[nz->ncps++] = (uint32_t)nz->text_len;
        nz->text[nz->text_len++] = ' ';
        *pending_space = 0;
    }
    nz->cpv[nz->ncps] = cp;
    nz->starts[nz->ncps++] = (uint32_t)nz->text_len;
    nz->text_len += (size_t)utf8proc_encode_char(cp, nz->text + nz->text_len);
    return 0;
}

/* ------------------------------------------------------------------ table fast path
 *
 * Runs of ASCII are folded by ascii_run(), without a branch per byte. Most non-ASCII text
 * (Latin, Greek, Cyrillic, Arabic, Hebrew, Indic, Thai, kana, CJK, Hangul) needs no reordering and
 * no composition across characters; its NFKC_Casefold is then the concatenation of every
 * character's own, which a table built from utf8proc at first use holds for U+0080..U+30FF. A
 * character is 'simple' when it has combining class 0, is not the second character of any canonical
 * composition (nor is anything its folding yields), and folds to at most 3 code points of the BMP.
 * CJK ideographs and Hangul syllables are their own folding (checked when the table is built).
 *
 * A combining mark (class > 0: the viramas of Indic scripts, Thai vowel and tone marks, Arabic
 * vowel signs) is simple too when it folds to itself and is not the second character of any
 * composition: it cannot compose, and the only thing NFKC may do with it is to reorder it
 * before a mark of a higher class that precedes it. So the fast path keeps the class of the
 * last mark it wrote and leaves when a mark of a lower class follows directly (characters that
 * fold to nothing, such as U+200D, are removed before reordering and do not separate marks).
 *
 * The second character of a composition (a Bengali or Tamil vowel sign, a Sinhala al-lakuna)
 * is simple as well when it folds to itself and composes with at most MAX_FIRSTS characters
 * (its 'firsts', found in the decompositions when the table is built): the fast path leaves
 * only when it follows one of them, directly or (a mark) after marks of lower classes alone,
 * and (a mark) when it follows a precomposed letter whose own last mark has a higher class.
 *
 * A paragraph with any other character takes the utf8proc path whole; the unit tests check
 * both paths agree character pair by character pair. */

#define TABLE_END 0x3100

struct fold_entry {
    uint8_t simple;
    uint8_t n;      /* code points written for it, 0..3: its folding, digits as '0', white
                       space as ' ', control characters left out (as emit_cp() does) */
    uint8_t space;  /* bit k: out[k] is white space */
    uint8_t counts; /* what count_cp() counts for the code point (AC_* bits) */
    uint8_t order;  /* 0: a starter; 1..254: a mark's combining class; ORDER_NONE: folds to
                       nothing (removed before NFKC reorders marks) */
    uint8_t nfirst; /* a second character: how many firsts it has, at first_list[first_at] */
    uint8_t trail;  /* the class of the last mark of the code point's canonical decomposition
                       (0: none); a mark of a lower class after it would be moved before
                       that mark, next to the base letter, and might compose with it */
    uint16_t first_at;
    uint16_t out[3];
};

#define ORDER_NONE     255
#define MAX_FIRSTS     8
#define FIRST_LIST_CAP 2048

static uint16_t first_list[FIRST_LIST_CAP];

static struct fold_entry fold_table[TABLE_END];
static uint32_t cjk_end, hangul_end; /* identity ranges verified: [0x4E00, cjk_end), ... */
static pthread_once_t fold_once = PTHREAD_ONCE_INIT;

/* Code points that are the second (or later) character of a canonical decomposition: a
 * composition may join them to what precedes them. */
static void mark_seconds(uint8_t *second, int32_t lo, int32_t hi)
{
    for (int32_t cp = lo; cp < hi; cp++) {
        utf8proc_int32_t d[8];
        int last;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &last);
        for (utf8proc_ssize_t k = 1; k > 0 && k < n && k < 8; k++)
            if (d[k] < TABLE_END)
                second[d[k]] = 1;
    }
}

/* Canonical decompositions of the composites that mark_seconds() scans (Hangul aside). */
struct composite {
    int32_t cp;
    int n;
    utf8proc_int32_t d[8];
};

/* The character whose canonical decomposition is d[0..n), or -1. */
static int32_t composed_of(const struct composite *c, size_t nc, const utf8proc_int32_t *d, int n)
{
    if (n == 1)
        return d[0];
    for (size_t i = 0; i < nc; i++)
        if (c[i].n == n && memcmp(c[i].d, d, (size_t)n * sizeof(*d)) == 0)
            return c[i].cp;
    return -1;
}

/* Whether NFC joins 'a' and 'b' into one character. */
static int composes(int32_t a, int32_t b)
{
    utf8proc_int32_t pair[2] = {a, b};
    return utf8proc_normalize_utf32(pair, 2, UTF8PROC_STABLE | UTF8PROC_COMPOSE) == 1;
}

/* For every second character s below TABLE_END, the characters it composes with: nf[s] of
 * them in f[s * MAX_FIRSTS ...] (0: s appears only in compositions that NFC excludes), or
 * nf[s] = UINT8_MAX when there are too many to check quickly (the Hangul jamo, most Latin
 * accents) or one is outside the BMP. Returns 0 or -1 (out of memory: then no second
 * character is simple). */
static int find_firsts(uint8_t *nf, uint16_t *f)
{
    static const int32_t ranges[][2] = {{0xC0, TABLE_END}, {0xF900, 0xFB50}, {0x1D100, 0x1D200}};
    size_t nc = 0, cap = 4096;
    struct composite *c = malloc(cap * sizeof(*c));
    if (c == NULL)
        return -1;
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
        for (int32_t cp = ranges[r][0]; cp < ranges[r][1]; cp++) {
            int last;
            utf8proc_ssize_t n = utf8proc_decompose_char(cp, c[nc].d, 8, UTF8PROC_DECOMPOSE, &last);
            if (n < 2 || n > 8)
                continue;
            c[nc].cp = cp;
            c[nc].n = (int)n;
            if (++nc == cap) {
                struct composite *bigger = realloc(c, 2 * cap * sizeof(*c));
                if (bigger == NULL) {
                    free(c);
                    return -1;
                }
                c = bigger;
                cap *= 2;
            }
        }
    for (size_t i = 0; i < nc; i++)
        for (int k = 1; k < c[i].n; k++) {
            const int32_t s = c[i].d[k];
            if (s >= TABLE_END || nf[s] == UINT8_MAX)
                continue;
            const int32_t first = composed_of(c, nc, c[i].d, k);
            if (first >= 0 && !composes(first, s))
                continue; /* a composition exclusion, such as U+0958 */
            int known = 0;
            for (unsigned j = 0; j < nf[s]; j++)
                known |= f[s * MAX_FIRSTS + j] == first;
            if (known)
                continue;
            if (first < 0 || first > 0xFFFF || nf[s] == MAX_FIRSTS)
                nf[s] = UINT8_MAX;
            else
                f[s * MAX_FIRSTS + nf[s]++] = (uint16_t)first;
        }
    free(c);
    for (int32_t s = 0x1100; s < 0x1200; s++)
        nf[s] = UINT8_MAX; /* Hangul: the syllables are not in the list */
    return 0;
}

/* Whether 'cp' has a canonical decomposition (fold_table[].trail holds what the fast path
 * needs of it below TABLE_END; what the table writes above has none). */
static int decomposes(int32_t cp)
{
    utf8proc_int32_t d[8];
    int last = 0;
    return utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &last) > 1 || d[0] != cp;
}

/* Whether NFKC_Casefold leaves 'cp' as it is: decomposed (a Hangul syllable into its jamo)
 * and composed again. */
static int identity_cp(int32_t cp)
{
    utf8proc_int32_t d[4];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4, nfkc_casefold, &last);
    if (n >= 1 && n <= 4)
        n = utf8proc_normalize_utf32(d, n, nfkc_casefold);
    return n == 1 && d[0] == cp && utf8proc_get_property(cp)->combining_class == 0;
}

/* A combining mark that NFKC_Casefold leaves as it is (and that is not a digit, a space or a
 * control, which the fast path would have to rewrite). */
static int folds_to_itself(int32_t cp)
{
    utf8proc_int32_t d[4];
    int last = 0;
    utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 4, nfkc_casefold, &last);
    return n == 1 && d[0] == cp && !is_space_cp(cp) &&
           utf8proc_category(cp) != UTF8PROC_CATEGORY_ND;
}

static void build_fold_table(void)
{
    ascii_class = ascii_classes();
    build_ascii_fold();
    static uint8_t second[TABLE_END];
    mark_seconds(second, 0xC0, TABLE_END);
    mark_seconds(second, 0xAC00, 0xD7A4); /* Hangul: the jamo */
    mark_seconds(second, 0xF900, 0xFB50); /* compatibility ideographs, presentation forms */
    mark_seconds(second, 0x1D100, 0x1D200);
    uint8_t *nf = calloc(TABLE_END, 1);
    uint16_t *firsts = calloc((size_t)TABLE_END * MAX_FIRSTS, sizeof(uint16_t));
    if (nf == NULL || firsts == NULL || find_firsts(nf, firsts) != 0) {
        free(nf);
        nf = NULL; /* second characters stay off the fast path */
    }
    size_t nlist = 0;
    for (int32_t cp = 0x80; cp < TABLE_END; cp++) {
        utf8proc_int32_t d[8];
        int last = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &last);
        if (n >= 2 && n <= 8)
            fold_table[cp].trail = (uint8_t)utf8proc_get_property(d[n - 1])->combining_class;
    }
    for (int32_t cp = 0x80; cp < TABLE_END; cp++) {
        struct fold_entry *e = &fold_table[cp];
        const int ccc = utf8proc_get_property(cp)->combining_class;
        if (ccc >= ORDER_NONE)
            continue;
        if (second[cp] || ccc != 0) {
            if (second[cp] &&
                (nf == NULL || nf[cp] == UINT8_MAX || nlist + nf[cp] > FIRST_LIST_CAP))
                continue;
            if (!folds_to_itself(cp))
                continue;
            e->simple = 1;
            e->n = 1;
            e->out[0] = (uint16_t)cp;
            e->order = (uint8_t)ccc;
            e->counts = count_class(cp);
            if (second[cp]) {
                e->nfirst = nf[cp];
                e->first_at = (uint16_t)nlist;
                memcpy(first_list + nlist, firsts + (size_t)cp * MAX_FIRSTS,
                       nf[cp] * sizeof(uint16_t));
                nlist += nf[cp];
            }
            continue;
        }
        utf8proc_int32_t d[8];
        int last = 0;
        utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, nfkc_casefold, &last);
        if (n < 0 || n > 3)
            continue;
        if (n == 0)
            e->order = ORDER_NONE;
        n = utf8proc_normalize_utf32(d, n, nfkc_casefold);
        if (n < 0 || n > 3)
            continue;
        int ok = 1;
        for (utf8proc_ssize_t k = 0; k < n; k++)
            ok &= d[k] > 0 && d[k] < 0x10000 &&
                  (d[k] >= TABLE_END ? !decomposes(d[k]) : !second[d[k]]) &&
                  utf8proc_get_property(d[k])->combining_class == 0;
        if (!ok)
            continue;
        e->n = 0;
        for (utf8proc_ssize_t k = 0; k < n; k++) {
            int32_t c = d[k];
            if (is_space_cp(c)) {
                e->space |= (uint8_t)(1u << e->n);
                c = ' ';
            } else if (c < 0x20 || c == 0x7f) {
                continue;
            } else if ((c >= '0' && c <= '9') ||
                       (c >= 0x80 && utf8proc_category(c) == UTF8PROC_CATEGORY_ND)) {
                c = '0';
            }
            e->out[e->n++] = (uint16_t)c;
        }
        e->simple = 1;
        e->counts = count_class(cp);
    }
    cjk_end = 0x4E00;
    while (cjk_end < 0xA000 && identity_cp((int32_t)cjk_end))
        cjk_end++;
    hangul_end = 0xAC00;
    while (hangul_end < 0xD7A4 && identity_cp((int32_t)hangul_end))
        hangul_end++;
    free(nf);
    free(firsts);
}

/* The output of the table path, in locals while a paragraph is normalised (stores through the
 * byte pointer may alias anything, so fields of 'nz' would be reloaded after every byte). */
struct out_state {
    uint8_t *text;
    uint32_t *starts;
    int32_t *cpv;
    size_t len, ncps;
    int pending_space; /* a space seen, written only before a non-space */
};

/* Appends code point 'cp' (below U+10000, not a control, digits already folded), or a pending
 * space when 'space'; the buffers have room (reserved by normalize_table()). */
static inline void put_simple(struct out_state *o, uint32_t cp, int space)
{
    if (space) {
        o->pending_space = o->ncps > 0;
        return;
    }
    uint8_t *t = o->text + o->len;
    if (o->pending_space) {
        o->cpv[o->ncps] = ' ';
        o->starts[o->ncps++] = (uint32_t)o->len;
        *t++ = ' ';
        o->len++;
        o->pending_space = 0;
    }
    o->cpv[o->ncps] = (int32_t)cp;
    o->starts[o->ncps++] = (uint32_t)o->len;
    if (cp < 0x80) {
        t[0] = (uint8_t)cp;
        o->len += 1;
    } else if (cp < 0x800) {
        t[0] = (uint8_t)(0xC0 | (cp >> 6));
        t[1] = (uint8_t)(0x80 | (cp & 0x3F));
        o->len += 2;
    } else {
        t[0] = (uint8_t)(0xE0 | (cp >> 12));
        t[1] = (uint8_t)(0x80 | ((cp >> 6) & 0x3F));
        t[2] = (uint8_t)(0x80 | (cp & 0x3F));
        o->len += 3;
    }
}

/* Adds code point 'cp' with count class 'k' (count_class()) to the counts, as count_cp(). */
static inline void count_by_class(struct chaff_text_stats *st, int32_t cp, unsigned k)
{
    st->nchars++;
    count_word(st, (k & (AC_LETTER | AC_DIGIT)) != 0, (k >> 1) & 1);
    if (k & AC_SPACE) {
        st->nspace++;
        return;
    }
    st->nletters += k & AC_LETTER;
    st->nupper += (k >> 1) & 1;
    st->ndigits += (k >> 2) & 1;
    st->npunct += (k >> 3) & 1;
    if (st->first_cp < 0)
        st->first_cp = cp;
    st->last_cp = cp;
}

/* The table path for a run of n >= 1 ASCII bytes without NUL: what put_simple() and
 * count_by_class() do byte by byte, without a branch per byte. White space is written as soon
 * as it is seen unless the last thing written is a space (or nothing is written yet), and a
 * space left last is taken back and left pending, as put_simple() would have left it. Returns
 * the starter after the run (0 when the run ends with white space or a control character).
 * Not inlined: the caller's many live values would push this loop's out of registers. */
static CHAFF_NOINLINE uint32_t ascii_run(struct out_state *o, struct chaff_text_stats *c,
                                         const uint8_t *s, size_t n)
{
    uint8_t *const text = o->text;
    uint32_t *const starts = o->starts;
    int32_t *const cpv = o->cpv;
    size_t len = o->len, ncps = o->ncps;
    if (o->pending_space) {
        text[len] = ' ';
        cpv[ncps] = ' ';
        starts[ncps++] = (uint32_t)len++;
        o->pending_space = 0;
    }
    unsigned prev_space = ncps == 0 || text[len - 1] == ' ';
    unsigned in_word = c->in_word, capword = 0;
    for (size_t at = 0; at < n; at += RUN_CHUNK) {
        const size_t end = n - at < RUN_CHUNK ? n : at + RUN_CHUNK;
        uint64_t counts = 0;
        for (size_t i = at; i < end; i++) {
            const uint8_t b = s[i], f = ascii_fold[b];
            const uint64_t e = ascii_counts[b];
            counts += e;
            /* count_word(), kept in registers */
            capword += (unsigned)(e >> 61) & !in_word;
            in_word = (unsigned)(e >> 60) & 1;
            /* Written in any case; kept (the position moves on) unless it is a control
             * character or a second space. */
            text[len] = f;
            cpv[ncps] = f;
            starts[ncps] = (uint32_t)len;
            const unsigned sp = f == ' ';
            const unsigned keep = (f != 0) & !(sp & prev_space);
            prev_space = f != 0 ? sp : prev_space;
            len += keep;
            ncps += keep;
        }
        c->nletters += (uint32_t)RUN_FIELD(counts, 0);
        c->nupper += (uint32_t)RUN_FIELD(counts, 1);
        c->ndigits += (uint32_t)RUN_FIELD(counts, 2);
        c->npunct += (uint32_t)RUN_FIELD(counts, 3);
        c->nspace += (uint32_t)RUN_FIELD(counts, 4);
    }
    c->nchars += (uint32_t)n;
    c->ncapword += capword;
    c->in_word = in_word;
    if (ncps > 0 && prev_space) {
        len--;
        ncps--;
        o->pending_space = 1;
    }
    o->len = len;
    o->ncps = ncps;
    /* The first and the last byte that is not white space. */
    size_t last = n;
    while (last > 0 && (ascii_class[s[last - 1]] & AC_SPACE))
        last--;
    if (last > 0) {
        c->last_cp = s[last - 1];
        if (c->first_cp < 0) {
            size_t first = 0;
            while (ascii_class[s[first]] & AC_SPACE)
                first++;
            c->first_cp = s[first];
        }
    }
    const uint8_t f = ascii_fold[s[n - 1]];
    return f == ' ' ? 0 : f;
}

/* The length of the run of ASCII bytes other than NUL at s[0..len). */
static size_t ascii_span(const uint8_t *s, size_t len)
{
    const uint64_t ones = UINT64_C(0x0101010101010101), highs = UINT64_C(0x8080808080808080);
    size_t i = 0;
    for (; i + 8 <= len; i += 8) {
        uint64_t w;
        memcpy(&w, s + i, 8);
        /* a byte >= 0x80, or a zero byte (the classic has-zero test) */
        if ((w | ((w - ones) & ~w)) & highs)
            break;
    }
    while (i < len && s[i] < 0x80 && s[i] != 0)
        i++;
    return i;
}

/* Decodes a valid 2- or 3-byte UTF-8 sequence at s (len bytes available) into *cp and returns
 * its length, or returns 0 for anything else (4-byte, invalid or truncated sequences, which
 * chaff_utf8_decode() handles). Accepts exactly what utf8proc accepts of these lengths: no
 * overlong forms, no surrogates. */
static inline size_t decode_23(const uint8_t *s, size_t len, int32_t *cp)
{
    const uint8_t c = s[0];
    if (c >= 0xC2 && c <= 0xDF) {
        if (len < 2 || (s[1] & 0xC0) != 0x80)
            return 0;
        *cp = (int32_t)(((c & 0x1Fu) << 6) | (s[1] & 0x3Fu));
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        if (len < 3 || (s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && s[1] < 0xA0) || (c == 0xED && s[1] > 0x9F))
            return 0;
        *cp = (int32_t)(((c & 0x0Fu) << 12) | ((s[1] & 0x3Fu) << 6) | (s[2] & 0x3Fu));
        return 3;
    }
    return 0;
}

/* One code point of s[0..len) as chaff_normalize() reads it: its length in bytes; *invalid is
 * set when the bytes are replaced. Valid 2- and 3-byte sequences take the fast path. */
static inline size_t utf8_step(const uint8_t *s, size_t len, int *invalid)
{
    int32_t cp;
    size_t n = decode_23(s, len, &cp);
    if (n > 0) {
        *invalid = 0;
        return n;
    }
    return chaff_utf8_decode(s, len, &cp, invalid);
}

/* The bytes of the first 'max' code points of u[0..len), decoded as chaff_normalize() does;
 * with 'ninvalid', the invalid and NUL bytes among them are added to it. */
static inline CHAFF_ALWAYS_INLINE size_t utf8_scan(const uint8_t *u, size_t len, size_t max,
                                                   size_t *ninvalid)
{
    size_t i = 0, ncps = 0;
    while (i < len && ncps < max) {
        size_t run = ascii_span(u + i, len - i);
        if (run > 0) {
            size_t take = run < max - ncps ? run : max - ncps;
            i += take, ncps += take;
            continue;
        }
        int invalid;
        i += utf8_step(u + i, len - i, &invalid);
        ncps++;
        if (ninvalid != NULL)
            *ninvalid += (size_t)invalid;
    }
    return i;
}

size_t chaff_utf8_cut(const char *s, size_t len, size_t max)
{
    return utf8_scan((const uint8_t *)s, len, max, NULL);
}

size_t chaff_utf8_invalid(const char *s, size_t len)
{
    size_t n = 0;
    utf8_scan((const uint8_t *)s, len, SIZE_MAX, &n);
    return n;
}

/* NFKC_Casefold by table; returns 1 when done, 0 when some character needs utf8proc (the
 * normaliser is then left for normalize_unicode() to refill). */
static int normalize_table(struct chaff_normalizer *nz, const uint8_t *s, size_t len,
                           struct chaff_text_stats *st)
{
    pthread_once(&fold_once, build_fold_table);
    /* Worst cases: an input byte gives at most 5 output bytes (2 bytes -> 3 code points of 3
     * bytes, plus a space) and 4 code points. */
    if (chaff_grow((void **)&nz->text, &nz->text_cap, len * 5 + 8, 1) != 0 ||
        reserve_cps(nz, len * 4 + 4) != 0)
        return -1;
    struct out_state o = {nz->text, nz->starts, nz->cpv, 0, 0, 0};
    struct chaff_text_stats c = *st;
    unsigned mark = 0;    /* combining class of the mark just written, 0 after a starter */
    uint32_t starter = 0; /* the last starter written (0: a space or a control character) */
    for (size_t i = 0; i < len;) {
        const uint8_t b = s[i];
        if (b < 0x80 && b != 0) {
            const size_t n = ascii_span(s + i, len - i);
            starter = ascii_run(&o, &c, s + i, n);
            mark = 0;
            i += n;
            continue;
        }
        int32_t cp;
        size_t n = decode_23(s + i, len - i, &cp);
        if (n == 0) {
            int invalid;
            n = chaff_utf8_decode(s + i, len - i, &cp, &invalid);
            if (invalid)
                return 0;
        }
        if (cp < TABLE_END) {
            const struct fold_entry *e = &fold_table[cp];
            if (!e->simple)
                return 0;
            if (e->nfirst != 0 && (e->order == 0 ? mark == 0 : mark < e->order)) {
                for (unsigned k = 0; k < e->nfirst; k++)
                    if (first_list[e->first_at + k] == starter)
                        return 0; /* it may compose with the starter */
                if (e->order != 0 && starter < TABLE_END && fold_table[starter].trail > e->order)
                    return 0; /* or with the starter's base letter */
            }
            if (e->order == 0) {
                mark = 0;
                starter = e->n > 0 && !((e->space >> (e->n - 1)) & 1) ? e->out[e->n - 1] : 0;
            } else if (e->order != ORDER_NONE) {
                if (e->order < mark)
                    return 0; /* NFKC would put this mark first */
                mark = e->order;
            }
            for (unsigned k = 0; k < e->n; k++)
                put_simple(&o, e->out[k], (e->space >> k) & 1);
            count_by_class(&c, cp, e->counts);
        } else if ((cp >= 0x4E00 && (uint32_t)cp < cjk_end) ||
                   (cp >= 0xAC00 && (uint32_t)cp < hangul_end)) {
            put_simple(&o, (uint32_t)cp, 0);
            count_by_class(&c, cp, AC_LETTER); /* Lo */
            mark = 0;
            starter = (uint32_t)cp;
        } else {
            return 0;
        }
        i += n;
    }
    nz->text_len = o.len;
    nz->ncps = o.ncps;
    *st = c;
    return 1;
}

static int normalize_unicode(struct chaff_normalizer *nz, const uint8_t *s, size_t len,
                             struct chaff_text_stats *st)
{
    /* 1. Replace invalid sequences and NULs: utf8proc rejects a string that holds any. */
    if (chaff_grow((void **)&nz->clean, &nz->clean_cap, len * 3 + 1, 1) != 0)
        return -1;
    size_t clen = 0;
    for (size_t i = 0; i < len;) {
        int32_t cp;
        int invalid;
        size_t n = chaff_utf8_decode(s + i, len - i, &cp, &invalid);
        st->ninvalid += (uint32_t)invalid;
        count_cp(st, cp);
        if (invalid)
            clen += (size_t)utf8proc_encode_char(cp, nz->clean + clen);
        else {
            memcpy(nz->clean + clen, s + i, n);
            clen += n;
        }
        i += n;
    }
    /* 2. Decompose (compatibility + case fold), then compose: NFKC_Casefold. */
    utf8proc_ssize_t ncps;
    for (;;) {
        ncps = utf8proc_decompose_custom(nz->clean, (utf8proc_ssize_t)clen, nz->cps,
                                         (utf8proc_ssize_t)nz->cps_cap, nfkc_casefold, NULL, NULL);
        if (ncps < 0)
            return -1; /* cannot happen on clean input, except overflow */
        if ((size_t)ncps <= nz->cps_cap)
            break;
        if (chaff_grow((void **)&nz->cps, &nz->cps_cap, (size_t)ncps, sizeof(int32_t)) != 0)
            return -1;
    }
    ncps = utf8proc_normalize_utf32(nz->cps, ncps, nfkc_casefold);
    if (ncps < 0)
        return -1;
    /* 3. Re-encode, collapsing white space. */
    int pending_space = 0;
    for (utf8proc_ssize_t i = 0; i < ncps; i++)
        if (emit_cp(nz, nz->cps[i], &pending_space) != 0)
            return -1;
    return 0;
}

/* Empties the normaliser's output and the counts. */
static void normalize_reset(struct chaff_normalizer *nz, struct chaff_text_stats *st)
{
    memset(st, 0, sizeof(*st));
    st->first_cp = -1;
    st->last_cp = -1;
    nz->text_len = 0;
    nz->ncps = 0;
}

/* Terminates the text and closes 'starts' (the invariant of the header). */
static int normalize_finish(struct chaff_normalizer *nz)
{
    if (chaff_grow((void **)&nz->text, &nz->text_cap, nz->text_len + 1, 1) != 0 ||
        reserve_cps(nz, nz->ncps + 1) != 0)
        return -1;
    nz->text[nz->text_len] = '\0';
    nz->starts[nz->ncps] = (uint32_t)nz->text_len;
    return 0;
}

int chaff_normalize_utf8proc(struct chaff_normalizer *nz, const char *s, size_t len,
                             struct chaff_text_stats *st)
{
    normalize_reset(nz, st);
    if (normalize_unicode(nz, (const uint8_t *)s, len, st) != 0)
        return -1;
    return normalize_finish(nz);
}

int chaff_normalize(struct chaff_normalizer *nz, const char *s, size_t len,
                    struct chaff_text_stats *st)
{
    const uint8_t *u = (const uint8_t *)s;
    normalize_reset(nz, st);
    int rc = normalize_table(nz, u, len, st);
    if (rc == 0) { /* a character needs utf8proc: start over */
        normalize_reset(nz, st);
        rc = normalize_unicode(nz, u, len, st);
    }
    if (rc < 0)
        return -1;
    return normalize_finish(nz);
}
