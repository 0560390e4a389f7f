/*
 * test_normalize.c - the text normaliser: NFKC + case folding, scripts it must leave alone,
 * white space, digit folding, invalid UTF-8 and NUL bytes, the statistics, the ASCII fast path,
 * and the code point offsets. Every input is parsed from an exactly sized heap copy without a
 * NUL terminator, so the sanitizer catches a read past its end.
 */
#include "normalize.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#define FFFD "\xef\xbf\xbd"

static int setup(void **state)
{
    struct chaff_normalizer *nz = malloc(sizeof(*nz));
    if (nz == NULL)
        return -1;
    chaff_normalizer_init(nz);
    *state = nz;
    return 0;
}

static int teardown(void **state)
{
    chaff_normalizer_release(*state);
    free(*state);
    return 0;
}

/* Checks the invariants of the normaliser's output: valid UTF-8 without NUL, no leading,
 * trailing or double spaces, and starts[] giving the byte offset of every code point. */
static void check_invariants(const struct chaff_normalizer *nz)
{
    assert_int_equal(nz->text[nz->text_len], '\0');
    assert_int_equal(strlen((const char *)nz->text), nz->text_len);
    assert_int_equal(nz->starts[0], 0);
    assert_int_equal(nz->starts[nz->ncps], nz->text_len);
    for (size_t k = 0; k < nz->ncps; k++) {
        uint32_t b = nz->starts[k], e = nz->starts[k + 1];
        assert_true(b < e);
        assert_true(e - b <= 4);
        int32_t cp;
        int invalid;
        assert_int_equal(chaff_utf8_decode(nz->text + b, nz->text_len - b, &cp, &invalid), e - b);
        assert_int_equal(invalid, 0);
        assert_int_equal(nz->cpv[k], cp); /* the code point kept for the featuriser */
        if (cp == ' ') {
            assert_true(k > 0 && k + 1 < nz->ncps); /* trimmed */
            assert_int_not_equal(nz->text[nz->starts[k + 1]], ' '); /* collapsed */
        }
    }
}

/* Normalises the 'len' bytes of 's' from an exactly sized heap copy, checks the invariants and
 * returns the normalised text (borrowed from 'nz'). */
static const char *norm_n(struct chaff_normalizer *nz, const char *s, size_t len,
                          struct chaff_text_stats *st)
{
    struct chaff_text_stats dummy;
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, s, len);
    assert_int_equal(chaff_normalize(nz, copy, len, st != NULL ? st : &dummy), 0);
    free(copy);
    check_invariants(nz);
    return (const char *)nz->text;
}

static const char *norm(struct chaff_normalizer *nz, const char *s, struct chaff_text_stats *st)
{
    return norm_n(nz, s, strlen(s), st);
}

static void nfkc_and_case_folding(void **state)
{
    struct chaff_normalizer *nz = *state;
    assert_string_equal(norm(nz, "\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", NULL), "abc"); /* ＡＢＣ */
    assert_string_equal(norm(nz, "\xef\xac\x81nal", NULL), "final");                     /* ﬁ */
    assert_string_equal(norm(nz, "Stra\xc3\x9f" "e", NULL), "strasse");                   /* ß */
    assert_string_equal(norm(nz, "HELLO World", NULL), "hello world");
    assert_string_equal(norm(nz, "\xc3\x89T\xc3\x89", NULL), "\xc3\xa9t\xc3\xa9"); /* ÉTÉ */
    assert_string_equal(norm(nz, "\xce\xa3\xce\x99\xce\x93\xce\x9c\xce\x91", NULL), /* ΣΙΓΜΑ */
                        "\xcf\x83\xce\xb9\xce\xb3\xce\xbc\xce\xb1");
    assert_string_equal(norm(nz, "\xd0\x9c\xd0\x9e\xd0\xa1\xd0\x9a\xd0\x92\xd0\x90", NULL), /* МОСКВА */
                        "\xd0\xbc\xd0\xbe\xd1\x81\xd0\xba\xd0\xb2\xd0\xb0");
    assert_string_equal(norm(nz, "\xe2\x84\xa2", NULL), "tm"); /* ™ */
    assert_string_equal(norm(nz, "\xe2\x91\xa0", NULL), "0");  /* ① -> 1 -> folded */
}

static void composed_and_decomposed_forms_are_equal(void **state)
{
    struct chaff_normalizer *nz = *state;
    char composed[64], decomposed[64];
    snprintf(composed, sizeof(composed), "%s", norm(nz, "caf\xc3\xa9", NULL));
    snprintf(decomposed, sizeof(decomposed), "%s", norm(nz, "cafe\xcc\x81", NULL));
    assert_string_equal(composed, "caf\xc3\xa9");
    assert_string_equal(decomposed, composed);
    assert_int_equal(nz->ncps, 4);
    /* Upper-case decomposed É folds to the same composed é. */
    assert_string_equal(norm(nz, "CAFE\xcc\x81", NULL), composed);
}

static void combining_marks_are_put_in_canonical_order(void **state)
{
    struct chaff_normalizer *nz = *state;
    char a[64];
    /* e + acute (ccc 230) + dot below (ccc 220), and the other order: the same text, the dot
     * below composed into U+1EB9 and the acute left combining. */
    snprintf(a, sizeof(a), "%s", norm(nz, "e\xcc\x81\xcc\xa3", NULL));
    assert_string_equal(a, "\xe1\xba\xb9\xcc\x81");
    assert_int_equal(nz->ncps, 2);
    assert_string_equal(norm(nz, "e\xcc\xa3\xcc\x81", NULL), a);
    /* A lone combining mark survives as a code point of its own. */
    assert_string_equal(norm(nz, "\xcc\x81", NULL), "\xcc\x81");
    assert_int_equal(nz->ncps, 1);
}

static void cjk_text_is_unchanged(void **state)
{
    struct chaff_normalizer *nz = *state;
    static const char *const texts[] = {
        "\xe6\xbc\xa2\xe5\xad\x97\xe3\x81\x8b\xe3\x81\xaa\xe3\x82\xab\xe3\x83\x8a", /* 漢字かなカナ */
        "\xe9\x9a\x90\xe7\xa7\x81\xe6\x94\xbf\xe7\xad\x96",                         /* 隐私政策 */
        "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4",                                     /* 한국어 */
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        struct chaff_text_stats st;
        assert_string_equal(norm(nz, texts[i], &st), texts[i]);
        assert_int_equal(nz->ncps, strlen(texts[i]) / 3);
        assert_int_equal(st.nletters, nz->ncps);
        assert_int_equal(st.nupper, 0);
    }
    /* Half-width katakana are compatibility characters: NFKC widens them. */
    assert_string_equal(norm(nz, "\xef\xbd\xb6\xef\xbe\x85", NULL), "\xe3\x82\xab\xe3\x83\x8a");
}

static void arabic_and_hebrew_text_is_kept_in_logical_order(void **state)
{
    struct chaff_normalizer *nz = *state;
    /* مرحبا بالعالم */
    static const char arabic[] = "\xd9\x85\xd8\xb1\xd8\xad\xd8\xa8\xd8\xa7 "
                                 "\xd8\xa8\xd8\xa7\xd9\x84\xd8\xb9\xd8\xa7\xd9\x84\xd9\x85";
    /* שלום עולם */
    static const char hebrew[] = "\xd7\xa9\xd7\x9c\xd7\x95\xd7\x9d \xd7\xa2\xd7\x95\xd7\x9c\xd7\x9d";
    struct chaff_text_stats st;
    assert_string_equal(norm(nz, arabic, &st), arabic);
    assert_int_equal(st.nletters, 12);
    assert_int_equal(st.nspace, 1);
    assert_int_equal(st.first_cp, 0x0645);
    assert_int_equal(st.last_cp, 0x0645);
    assert_string_equal(norm(nz, hebrew, &st), hebrew);
    assert_int_equal(st.nletters, 8);
    assert_int_equal(st.first_cp, 0x05E9);
    /* An Arabic presentation form is a compatibility character: lam-alef ligature -> لا. */
    assert_string_equal(norm(nz, "\xef\xbb\xbb", NULL), "\xd9\x84\xd8\xa7");
    /* Direction marks are default-ignorable and dropped. */
    assert_string_equal(norm(nz, "\xe2\x80\x8f" "abc\xe2\x80\x8e", NULL), "abc");
}

static void white_space_is_collapsed_and_trimmed(void **state)
{
    struct chaff_normalizer *nz = *state;
    assert_string_equal(norm(nz, "  a \t\n b\r\n\v\fc  ", NULL), "a b c");
    assert_string_equal(norm(nz, "\xc2\xa0x\xe3\x80\x80\xe3\x80\x80y\xe2\x80\x83", NULL), "x y");
    assert_string_equal(norm(nz, "\xe2\x80\xa8p\xe2\x80\xa9q\xc2\x85", NULL), "p q");
    struct chaff_text_stats st;
    assert_string_equal(norm(nz, " \t \xe3\x80\x80 ", &st), "");
    assert_int_equal(nz->ncps, 0);
    assert_int_equal(st.nchars, 5);
    assert_int_equal(st.nspace, 5);
    assert_int_equal(st.first_cp, -1);
    assert_int_equal(st.last_cp, -1);
    assert_string_equal(norm_n(nz, "", 0, &st), "");
    assert_int_equal(st.nchars, 0);
    assert_int_equal(nz->ncps, 0);
}

static void digits_of_every_script_fold_to_zero(void **state)
{
    struct chaff_normalizer *nz = *state;
    struct chaff_text_stats st;
    assert_string_equal(norm(nz, "Tel. 0800 123-456", &st), "tel. 0000 000-000");
    assert_int_equal(st.ndigits, 10);
    /* Arabic-Indic ٢٠٢٤ */
    assert_string_equal(norm(nz, "\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa4", &st), "0000");
    assert_int_equal(st.ndigits, 4);
    /* Extended Arabic-Indic (Persian) ۱۴۰۳ */
    assert_string_equal(norm(nz, "\xdb\xb1\xdb\xb4\xdb\xb0\xdb\xb3", NULL), "0000");
    /* Devanagari १२३ */
    assert_string_equal(norm(nz, "\xe0\xa5\xa7\xe0\xa5\xa8\xe0\xa5\xa9", &st), "000");
    assert_int_equal(st.ndigits, 3);
    /* Full-width １２ and superscript ² become ASCII digits under NFKC, then fold. */
    assert_string_equal(norm(nz, "\xef\xbc\x91\xef\xbc\x92 m\xc2\xb2", NULL), "00 m0");
    /* Letters next to digits are not touched. */
    assert_string_equal(norm(nz, "A4 \xd9\xa3x", NULL), "a0 0x");
}

static void invalid_utf8_is_replaced_and_counted(void **state)
{
    struct chaff_normalizer *nz = *state;
    struct chaff_text_stats st;
    static const struct {
        const char *in;
        size_t len;
        const char *out;
        unsigned ninvalid;
    } cases[] = {
        {"a\x80" "b", 3, "a" FFFD "b", 1},                     /* lone continuation byte */
        {"\xbf\xbf", 2, FFFD FFFD, 2},                         /* two of them */
        {"a\xe2\x82", 3, "a" FFFD FFFD, 2},                    /* truncated € at the end */
        {"\xf0\x9f\x98", 3, FFFD FFFD FFFD, 3},                /* truncated emoji alone */
        {"\xc3", 1, FFFD, 1},                                  /* lead byte at the very end */
        {"\xc0\xaf", 2, FFFD FFFD, 2},                         /* overlong '/' */
        {"\xe0\x80\xaf", 3, FFFD FFFD FFFD, 3},                /* overlong, three bytes */
        {"\xed\xa0\x80", 3, FFFD FFFD FFFD, 3},                /* UTF-16 surrogate D800 */
        {"\xed\xbf\xbf", 3, FFFD FFFD FFFD, 3},                /* surrogate DFFF */
        {"\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD, 4},       /* above U+10FFFF */
        {"\xff" "x\xfe", 3, FFFD "x" FFFD, 2},                 /* bytes never valid */
        {"\xc3\xa9\x80\xc3\xa9", 5, "\xc3\xa9" FFFD "\xc3\xa9", 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        assert_string_equal(norm_n(nz, cases[i].in, cases[i].len, &st), cases[i].out);
        assert_int_equal(st.ninvalid, cases[i].ninvalid);
        assert_int_equal(st.nchars, nz->ncps);
    }
}

static void nul_bytes_are_replaced_and_counted(void **state)
{
    struct chaff_normalizer *nz = *state;
    struct chaff_text_stats st;
    assert_string_equal(norm_n(nz, "a\0b", 3, &st), "a" FFFD "b");
    assert_int_equal(st.ninvalid, 1);
    assert_int_equal(st.nchars, 3);
    assert_string_equal(norm_n(nz, "\0\0", 2, &st), FFFD FFFD);
    assert_int_equal(st.ninvalid, 2);
    assert_string_equal(norm_n(nz, "\xc3\xa9\0", 3, &st), "\xc3\xa9" FFFD);
    assert_int_equal(st.ninvalid, 1);
    assert_string_equal(norm_n(nz, "ok", 2, &st), "ok");
    assert_int_equal(st.ninvalid, 0);
}

static void stats_count_the_raw_text(void **state)
{
    struct chaff_normalizer *nz = *state;
    struct chaff_text_stats st;
    norm(nz, "Hello World 42!", &st);
    assert_int_equal(st.nchars, 15);
    assert_int_equal(st.nletters, 10);
    assert_int_equal(st.nupper, 2);
    assert_int_equal(st.ndigits, 2);
    assert_int_equal(st.npunct, 1);
    assert_int_equal(st.nspace, 2);
    assert_int_equal(st.ninvalid, 0);
    assert_int_equal(st.first_cp, 'H');
    assert_int_equal(st.last_cp, '!');

    /* "  Ärger © 2024 — ΟΚ ٣ " : upper case counted before folding, symbols as punctuation. */
    norm(nz, "  \xc3\x84rger \xc2\xa9 2024 \xe2\x80\x94 \xce\x9f\xce\x9a \xd9\xa3 ", &st);
    assert_int_equal(st.nchars, 22);
    assert_int_equal(st.nletters, 7);
    assert_int_equal(st.nupper, 3);
    assert_int_equal(st.ndigits, 5);
    assert_int_equal(st.npunct, 2);
    assert_int_equal(st.nspace, 8);
    assert_int_equal(st.first_cp, 0xC4);
    assert_int_equal(st.last_cp, 0x0663);
    /* Stats are reset between calls. */
    norm(nz, "x", &st);
    assert_int_equal(st.nchars, 1);
    assert_int_equal(st.nupper, 0);
}

/* Upper-case letters that start a word (after anything but a letter or digit), counted on the
 * raw text by every path: ASCII runs, the table path and utf8proc's. */
static void stats_count_capitalised_words(void **state)
{
    struct chaff_normalizer *nz = *state;
    static const struct {
        const char *text;
        uint32_t capwords;
    } cases[] = {
        {"Hello World and McDonald iPhone 3D", 3}, /* not the M of -Donald, P, nor D after 3 */
        {"Home | News | Sport", 3},
        {"(Contact)-Us", 2},
        {"", 0},
        {"ABC", 1},
        {"\xc3\x84rger \xc3\xbc" "ber \xc3\x96l", 2}, /* Ärger über Öl: table path */
        {"caf\xc3\xa9" "Bar \xe2\x80\x94" "Bar", 1},    /* é then B: inside a word; — then B */
        {"\xce\x9f\xce\x9a \xce\xbf\xce\xba", 1},     /* ΟΚ οκ */
        {"Tokyo \xe6\x9d\xb1\xe4\xba\xac Kyoto", 2},    /* CJK letters have no case */
        {"Mix\xcc\x81" "Ed", 2},                          /* a combining mark ends the word */
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        struct chaff_text_stats st, ref;
        norm(nz, cases[i].text, &st);
        assert_int_equal(st.ncapword, cases[i].capwords);
        assert_int_equal(chaff_normalize_utf8proc(nz, cases[i].text, strlen(cases[i].text), &ref),
                         0);
        assert_int_equal(ref.ncapword, cases[i].capwords);
    }
}

/* The ASCII fast path and the Unicode path agree: an ASCII string gives the same text and
 * counts alone and followed by a soft hyphen (U+00AD, default-ignorable, so NFKC drops it), and
 * the same as the utf8proc reference. */
static void ascii_fast_path_agrees_with_the_unicode_path(void **state)
{
    struct chaff_normalizer *nz = *state;
    static const char *const texts[] = {
        "ABC", "ABC d", "  Hello,   World!  ", "Tel. +49 (0)30 1234-5678", "a\tb\r\nc\v\fd",
        "\x01" "ctl\x1f" "chars\x7f", "MiXeD CaSe 99 Luftballons", "~`!@#$%^&*()_+-={}[]|\\:;\"'<>,.?/",
        " ", "",
    };
    for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
        char fast[256], slow_in[256];
        struct chaff_text_stats a, b;
        snprintf(fast, sizeof(fast), "%s", norm(nz, texts[i], &a));
        size_t ncps = nz->ncps;
        snprintf(slow_in, sizeof(slow_in), "%s\xc2\xad", texts[i]);
        assert_string_equal(norm(nz, slow_in, &b), fast);
        assert_int_equal(nz->ncps, ncps);
        assert_int_equal(b.nchars, a.nchars + 1);
        assert_int_equal(b.nletters, a.nletters);
        assert_int_equal(b.nupper, a.nupper);
        assert_int_equal(b.ndigits, a.ndigits);
        assert_int_equal(b.npunct, a.npunct);
        assert_int_equal(b.nspace, a.nspace);
        assert_int_equal(b.ninvalid, 0);
        struct chaff_text_stats r;
        assert_int_equal(chaff_normalize_utf8proc(nz, texts[i], strlen(texts[i]), &r), 0);
        assert_string_equal((const char *)nz->text, fast);
        assert_memory_equal(&r, &a, sizeof(r));
    }
    /* "ABC déf" takes the Unicode path and begins as "ABC " does on the fast path. */
    char ascii[16];
    snprintf(ascii, sizeof(ascii), "%s", norm(nz, "ABC ", NULL));
    assert_string_equal(ascii, "abc");
    assert_string_equal(norm(nz, "ABC d\xc3\xa9" "f", NULL), "abc d\xc3\xa9" "f");
    assert_memory_equal(nz->text, ascii, 3);
}

static size_t put_utf8(char *buf, uint32_t cp)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    buf[0] = (char)(0xE0 | (cp >> 12));
    buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[2] = (char)(0x80 | (cp & 0x3F));
    return 3;
}

/* chaff_normalize() (with its fast paths) and the utf8proc reference give the same text, code
 * point offsets and counts for the 'len' bytes at 'in'; the counts go to *st when not NULL. */
static void assert_bytes_agree(const char *in, size_t len, struct chaff_text_stats *st)
{
    struct chaff_normalizer a, b;
    struct chaff_text_stats sa, sb;
    chaff_normalizer_init(&a);
    chaff_normalizer_init(&b);
    assert_int_equal(chaff_normalize(&a, in, len, &sa), 0);
    assert_int_equal(chaff_normalize_utf8proc(&b, in, len, &sb), 0);
    if (a.text_len != b.text_len || memcmp(a.text, b.text, a.text_len) != 0) {
        char hex[3 * 16 + 1] = "";
        for (size_t i = 0; i < len && i < 16; i++)
            snprintf(hex + 3 * i, 4, "%02x ", (unsigned char)in[i]);
        fail_msg("input %s(%zu bytes): '%s' vs '%s'", hex, len, (const char *)a.text,
                 (const char *)b.text);
    }
    assert_int_equal(a.ncps, b.ncps);
    assert_memory_equal(a.starts, b.starts, (a.ncps + 1) * sizeof(uint32_t));
    assert_memory_equal(a.cpv, b.cpv, a.ncps * sizeof(int32_t));
    assert_memory_equal(&sa, &sb, sizeof(sa));
    if (st != NULL)
        *st = sa;
    chaff_normalizer_release(&a);
    chaff_normalizer_release(&b);
}

/* The same for 'n' code points. */
static void assert_paths_agree(const uint32_t *cps, size_t n)
{
    char in[64];
    size_t len = 0;
    for (size_t i = 0; i < n; i++)
        len += put_utf8(in + len, cps[i]);
    assert_bytes_agree(in, len, NULL);
}

/* The ASCII runs of the table path agree with utf8proc wherever white space, control
 * characters, NUL and non-ASCII characters fall around them: every string of up to 5
 * characters over a small alphabet, and random strings of up to 20 (runs that cross the
 * eight-byte steps of the scan for their end). */
static void ascii_runs_agree_with_utf8proc(void **state)
{
    (void)state;
    static const uint32_t alphabet[] = {' ',  '\t', 'A',  'b',   '7',    '.', 0x01,
                                        0x7F, 0,    0xE9, 0x301, 0x4E00, 0xA0};
    const size_t na = sizeof(alphabet) / sizeof(alphabet[0]);
    uint32_t cps[20];
    for (size_t n = 0; n <= 5; n++) {
        size_t total = 1;
        for (size_t k = 0; k < n; k++)
            total *= na;
        for (size_t code = 0; code < total; code++) {
            size_t c = code;
            for (size_t k = 0; k < n; k++, c /= na)
                cps[k] = alphabet[c % na];
            assert_paths_agree(cps, n);
        }
    }
    uint64_t x = 88172645463325252u; /* xorshift64, fixed seed */
    for (int t = 0; t < 100000; t++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        const size_t n = x % 21;
        for (size_t k = 0; k < n; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            /* mostly ASCII letters and spaces, as text is */
            const unsigned r = (unsigned)(x % 32);
            cps[k] = r < 20 ? 'a' + r : r < 26 ? ' ' : alphabet[(x >> 8) % na];
        }
        assert_paths_agree(cps, n);
    }
}

/* Long ASCII text (the counts of a run are added up a few thousand bytes at a time) has the
 * reference's counts and text. */
static void long_ascii_text_agrees_with_utf8proc(void **state)
{
    (void)state;
    const size_t len = 20000;
    char *in = malloc(len);
    assert_non_null(in);
    for (size_t i = 0; i < len; i++)
        in[i] = i < 5000 ? 'a' : " Ab3,\t"[(i * 7 + i / 13) % 6]; /* 5,000 letters first */
    struct chaff_text_stats st;
    assert_bytes_agree(in, len, &st);
    assert_true(st.nletters > 4096 && st.nspace > 4096);
    free(in);
}

/* The table fast path for non-ASCII text agrees with utf8proc: every code point of U+0080..
 * U+30FF and a sample of CJK ideographs and Hangul syllables, alone, between ASCII letters and
 * next to pseudo-random others of the range; and the pairs that do compose across characters
 * (which must leave the fast path). */
static void table_path_agrees_with_utf8proc(void **state)
{
    (void)state;
    uint32_t rng = 12345;
    for (uint32_t cp = 0x80; cp < 0xD7A4; cp++) {
        if (cp >= 0x3100 && (cp % 97) != 0)
            continue; /* CJK and the rest: a sample */
        if (cp >= 0xD800)
            break;
        uint32_t one[1] = {cp}, around[3] = {'A', cp, 'z'};
        assert_paths_agree(one, 1);
        assert_paths_agree(around, 3);
        for (int k = 0; k < 6; k++) {
            rng = rng * 1103515245u + 12345u;
            uint32_t other = 0x80 + (rng >> 8) % (0x3100 - 0x80);
            uint32_t pair[2] = {cp, other}, rev[2] = {other, cp};
            assert_paths_agree(pair, 2);
            assert_paths_agree(rev, 2);
        }
    }
    static const uint32_t composing[][2] = {
        {0x09C7, 0x09BE}, /* Bengali O from its two vowel signs */
        {0x0BC6, 0x0BBE}, /* Tamil O */
        {0x1100, 0x1161}, /* Hangul L + V */
        {0xAC00, 0x11A8}, /* Hangul LV + T */
        {0x304B, 0x3099}, /* ka + dakuten */
        {'e', 0x0301},    /* e + acute */
        {0x00E9, 0x0323}, /* reordering of marks */
    };
    for (size_t i = 0; i < sizeof(composing) / sizeof(composing[0]); i++)
        assert_paths_agree(composing[i], 2);
    /* Marks the fast path keeps (they fold to themselves and never compose), in and out of
     * the order NFKC puts them in; U+200D folds to nothing and is removed before the marks are
     * reordered, a control character is not. */
    static const uint32_t marks[][4] = {
        {0x0915, 0x094D, 0x0937, 0},      /* Devanagari ksha: virama (class 9) */
        {0x00E9, 0x094D, 'x', 0},         /* virama after a precomposed letter */
        {0x0E01, 0x0E38, 0x0E49, 0},      /* Thai: sara u (103) then mai tho (107) */
        {0x0E01, 0x0E49, 0x0E38, 0},      /* the other way round: NFKC swaps them */
        {0x0E01, 0x0E49, 0x200D, 0x0E38}, /* still swapped */
        {0x0E01, 0x0E49, 0x0001, 0x0E38}, /* kept */
        {0x0628, 0x0651, 0x064E, 0},      /* Arabic shadda (33) then fatha (30): swapped */
        {0x0628, 0x064E, 0x0651, 0},      /* kept */
        /* Second characters of compositions, after what they compose with and after others */
        {0x0995, 0x09BE, 'x', 0},         /* Bengali ka + aa: no composition */
        {0x09C7, 0x200D, 0x09BE, 0},      /* e + aa compose: U+200D is removed first */
        {0x09C7, 0x0001, 0x09BE, 0},      /* a control character keeps them apart */
        {0x0D9A, 0x0DCA, 'x', 0},         /* Sinhala ka + al-lakuna */
        {0x0DD9, 0x0DCA, 'x', 0},         /* ... and e + al-lakuna: U+0DDA */
        {0x0DD9, 0x0DCF, 0x0DCA, 0},      /* two steps: U+0DDD */
        {0x0915, 0x093C, 'x', 0},         /* ka + nukta: U+0958 is not composed */
        {0x0928, 0x094D, 0x093C, 0},      /* na + virama (9) + nukta (7): reordered, composed */
        {0x0928, 0x093C, 0x094D, 0},      /* na + nukta: U+0929 */
        {0x00F5, 0x031B, 0, 0},           /* o-tilde + horn (216 < 230): o-horn-tilde */
        {0x1EE1, 0x0323, 0, 0},           /* o-horn-tilde + dot below: U+1EE3 */
    };
    for (size_t i = 0; i < sizeof(marks) / sizeof(marks[0]); i++)
        assert_paths_agree(marks[i], marks[i][3] != 0 ? 4 : marks[i][2] != 0 ? 3 : 2);
}

/* Every combining mark and every second character of a composition below U+3100 (the ones
 * the fast path may keep), after every character there that could interact with it (one that
 * decomposes, a mark, a second character) and a sample of the others, before a sample, and
 * after a letter and each mark: both paths agree. */
static void marks_and_second_characters_agree_with_utf8proc(void **state)
{
    (void)state;
    enum { END = 0x3100 };
    static uint8_t second[END], mark[END], decomposes[END];
    static const int32_t ranges[][2] = {{0xC0, END}, {0xAC00, 0xD7A4}, {0xF900, 0xFB50}};
    for (size_t r = 0; r < sizeof(ranges) / sizeof(ranges[0]); r++)
        for (int32_t cp = ranges[r][0]; cp < ranges[r][1]; cp++) {
            utf8proc_int32_t d[8];
            int last = 0;
            utf8proc_ssize_t n = utf8proc_decompose_char(cp, d, 8, UTF8PROC_DECOMPOSE, &last);
            for (utf8proc_ssize_t k = 1; k < n && k < 8; k++)
                if (d[k] < END)
                    second[d[k]] = 1;
            if (cp < END)
                decomposes[cp] = n > 1 || (n == 1 && d[0] != cp);
        }
    uint32_t marks[1024];
    size_t nmarks = 0;
    for (uint32_t cp = 0x80; cp < END; cp++) {
        mark[cp] = utf8proc_get_property((utf8proc_int32_t)cp)->combining_class != 0;
        if (mark[cp] && nmarks < 1024)
            marks[nmarks++] = cp;
    }
    size_t checked = 0;
    for (uint32_t s = 0x80; s < END; s++) {
        if (!mark[s] && !second[s])
            continue;
        for (uint32_t x = 0x41; x < END; x++) {
            if (x >= 0x80 && !mark[x] && !second[x] && !decomposes[x] && x % 7 != 0)
                continue;
            uint32_t pair[2] = {x, s}, joiner[3] = {x, 0x200D, s};
            assert_paths_agree(pair, 2);
            assert_paths_agree(joiner, 3);
            if (x % 5 == 0) {
                uint32_t rev[2] = {s, x};
                assert_paths_agree(rev, 2);
            }
            checked += 2;
        }
        for (size_t k = 0; k < nmarks; k++) {
            uint32_t three[3] = {'a', marks[k], s};
            assert_paths_agree(three, 3);
            checked++;
        }
    }
    assert_true(checked > 1000000);
}

/* Every Hangul syllable (the fast path takes them as their own folding): alone, before a
 * trailing jamo it may compose with, after a leading jamo, before a combining mark and
 * before the next syllable. */
static void hangul_syllables_agree_with_utf8proc(void **state)
{
    (void)state;
    for (uint32_t cp = 0xAC00; cp < 0xD7A4; cp++) {
        const uint32_t t = 0x11A8 + cp % 27; /* a trailing consonant */
        uint32_t one[1] = {cp}, lvt[2] = {cp, t}, after_l[2] = {0x1100 + cp % 19, cp},
                 mark[2] = {cp, 0x0301 + cp % 16}, next[3] = {cp, cp + 1 < 0xD7A4 ? cp + 1 : cp, 'x'};
        assert_paths_agree(one, 1);
        assert_paths_agree(lvt, 2);
        assert_paths_agree(after_l, 2);
        assert_paths_agree(mark, 2);
        assert_paths_agree(next, 3);
    }
}

static void starts_give_the_offset_of_every_code_point(void **state)
{
    struct chaff_normalizer *nz = *state;
    /* a (1 byte) é (2) 漢 (3) 😀 (4) space x */
    norm(nz, "A\xc3\x89\xe6\xbc\xa2\xf0\x9f\x98\x80  x", NULL);
    assert_int_equal(nz->ncps, 6);
    static const uint32_t want[] = {0, 1, 3, 6, 10, 11, 12};
    assert_memory_equal(nz->starts, want, sizeof(want));
    norm(nz, "ab  cd", NULL);
    static const uint32_t want2[] = {0, 1, 2, 3, 4, 5};
    assert_int_equal(nz->ncps, 5);
    assert_memory_equal(nz->starts, want2, sizeof(want2));
}

static void buffers_are_reused_from_long_to_short_input(void **state)
{
    struct chaff_normalizer *nz = *state;
    const size_t n = 100000;
    char *big = malloc(n * 2);
    assert_non_null(big);
    for (size_t i = 0; i < n; i++)
        memcpy(big + 2 * i, "\xc3\x89", 2); /* É */
    struct chaff_text_stats st;
    norm_n(nz, big, n * 2, &st);
    assert_int_equal(nz->ncps, n);
    assert_int_equal(st.nupper, n);
    for (size_t i = 0; i < n; i++)
        assert_memory_equal(nz->text + 2 * i, "\xc3\xa9", 2);
    free(big);
    assert_string_equal(norm(nz, "Z", &st), "z");
    assert_int_equal(nz->ncps, 1);
    assert_string_equal(norm(nz, "\xc3\x9c", &st), "\xc3\xbc");
    assert_int_equal(nz->ncps, 1);
}

static void decode_reports_length_and_validity(void **state)
{
    (void)state;
    static const struct {
        const char *s;
        size_t len, consumed;
        int32_t cp;
        int invalid;
    } cases[] = {
        {"A", 1, 1, 'A', 0},
        {"\xc3\xa9", 2, 2, 0xE9, 0},
        {"\xe2\x82\xac", 3, 3, 0x20AC, 0},
        {"\xf0\x9f\x98\x80", 4, 4, 0x1F600, 0},
        {"\xe2\x82\xac", 2, 1, 0xFFFD, 1}, /* cut short by 'len' */
        {"\x80", 1, 1, 0xFFFD, 1},
        {"\0", 1, 1, 0xFFFD, 1},
        {"\xed\xa0\x80", 3, 1, 0xFFFD, 1},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        uint8_t *copy = malloc(cases[i].len);
        assert_non_null(copy);
        memcpy(copy, cases[i].s, cases[i].len);
        int32_t cp = -2;
        int invalid = -1;
        assert_int_equal(chaff_utf8_decode(copy, cases[i].len, &cp, &invalid), cases[i].consumed);
        assert_int_equal(cp, cases[i].cp);
        assert_int_equal(invalid, cases[i].invalid);
        free(copy);
    }
}

/* chaff_utf8_cut() and chaff_utf8_invalid() count code points and invalid bytes as the
 * normaliser does: compared with it on every prefix of random byte strings. */
static void cut_and_invalid_count_agree_with_the_normaliser(void **state)
{
    struct chaff_normalizer *nz = *state;
    static const char *const cuts[][2] = {
        {"abc", "abc"}, {"abcd", "abc"}, {"\xc3\xa9\xc3\xa9\xc3\xa9x", "\xc3\xa9\xc3\xa9\xc3\xa9"},
        {"\x80\x80\x80\x80", "\x80\x80\x80"}, {"a\0bc", "a\0b"},
        {"\xf0\x9f\x98\x80" "ab", "\xf0\x9f\x98\x80" "ab"},
    };
    for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
        const size_t len = i == 4 ? 4 : strlen(cuts[i][0]);
        const size_t want = i == 4 ? 3 : strlen(cuts[i][1]);
        assert_int_equal(chaff_utf8_cut(cuts[i][0], len, 3), want);
    }
    assert_int_equal(chaff_utf8_cut("ab", 2, 3), 2);
    assert_int_equal(chaff_utf8_cut("", 0, 3), 0);

    static const uint8_t alphabet[] = {'a', ' ', 0, 0x80, 0xbf, 0xc3, 0xa9, 0xe2, 0x82, 0xac,
                                       0xed, 0xa0, 0xf0, 0x9f, 0x98, 0xff};
    uint64_t x = 0x9e3779b97f4a7c15u; /* xorshift64, fixed seed */
    uint8_t buf[48];
    for (int round = 0; round < 20000; round++) {
        const size_t len = 1 + (size_t)(x % sizeof(buf));
        for (size_t k = 0; k < len; k++) {
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            buf[k] = alphabet[x % sizeof(alphabet)];
        }
        struct chaff_text_stats st;
        assert_int_equal(chaff_normalize(nz, (const char *)buf, len, &st), 0);
        assert_int_equal(chaff_utf8_invalid((const char *)buf, len), st.ninvalid);
        /* the whole string is as many code points as the normaliser counts */
        const size_t all = chaff_utf8_cut((const char *)buf, len, (size_t)-1);
        assert_int_equal(all, len);
        size_t ncps = 0;
        while (chaff_utf8_cut((const char *)buf, len, ncps) < len)
            ncps++;
        assert_int_equal(ncps, st.nchars);
        /* a cut is a prefix the normaliser reads as exactly that many code points */
        const size_t at = chaff_utf8_cut((const char *)buf, len, ncps / 2);
        assert_int_equal(chaff_normalize(nz, (const char *)buf, at, &st), 0);
        assert_int_equal(st.nchars, ncps / 2);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(nfkc_and_case_folding),
        cmocka_unit_test(composed_and_decomposed_forms_are_equal),
        cmocka_unit_test(combining_marks_are_put_in_canonical_order),
        cmocka_unit_test(cjk_text_is_unchanged),
        cmocka_unit_test(arabic_and_hebrew_text_is_kept_in_logical_order),
        cmocka_unit_test(white_space_is_collapsed_and_trimmed),
        cmocka_unit_test(digits_of_every_script_fold_to_zero),
        cmocka_unit_test(invalid_utf8_is_replaced_and_counted),
        cmocka_unit_test(nul_bytes_are_replaced_and_counted),
        cmocka_unit_test(stats_count_the_raw_text),
        cmocka_unit_test(stats_count_capitalised_words),
        cmocka_unit_test(ascii_fast_path_agrees_with_the_unicode_path),
        cmocka_unit_test(ascii_runs_agree_with_utf8proc),
        cmocka_unit_test(long_ascii_text_agrees_with_utf8proc),
        cmocka_unit_test(table_path_agrees_with_utf8proc),
        cmocka_unit_test(marks_and_second_characters_agree_with_utf8proc),
        cmocka_unit_test(hangul_syllables_agree_with_utf8proc),
        cmocka_unit_test(starts_give_the_offset_of_every_code_point),
        cmocka_unit_test(buffers_are_reused_from_long_to_short_input),
        cmocka_unit_test(decode_reports_length_and_validity),
        cmocka_unit_test(cut_and_invalid_count_agree_with_the_normaliser),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
