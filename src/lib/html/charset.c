/*
 * charset.c - a page's bytes to UTF-8, as the labelled pages were decoded (lines.py's
 * decode_html(), which is Python's bytes.decode(enc, errors="replace")). Invariant: the output
 * is valid UTF-8 whatever the input; every undecodable byte or sequence is one U+FFFD, as Python
 * replaces them (the maximal invalid subpart for UTF-8, one byte for single-byte encodings;
 * multi-byte ones go through glibc's iconv, one U+FFFD per byte it refuses).
 */
#include "html.h"

#include "grow.h"

#include <errno.h>
#include <iconv.h>
#include <string.h>

/* Whether 'b' may follow the lead byte 'c' (0xc2..0xf4): the ranges that rule out overlong
 * forms (after 0xe0, 0xf0), surrogates (after 0xed) and code points above U+10FFFF (0xf4). */
static int second_byte_ok(unsigned c, unsigned b)
{
    unsigned lo = 0x80, hi = 0xbf;
    if (c == 0xe0)
        lo = 0xa0;
    else if (c == 0xed)
        hi = 0x9f;
    else if (c == 0xf0)
        lo = 0x90;
    else if (c == 0xf4)
        hi = 0x8f;
    return b >= lo && b <= hi;
}

/* Byte length of the valid UTF-8 sequence at 'p' (of 'n' bytes), or 0. Python's strict rules:
 * no overlong forms, no surrogates, nothing above U+10FFFF. */
static size_t utf8_valid_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0x80)
        return 1;
    if (c < 0xc2 || c > 0xf4)
        return 0;
    if (c < 0xe0)
        return n >= 2 && (p[1] & 0xc0) == 0x80 ? 2 : 0;
    if (n < 2)
        return 0;
    if (!second_byte_ok(c, p[1]))
        return 0;
    size_t need = c < 0xf0 ? 3 : 4;
    if (n < need)
        return 0;
    for (size_t k = 2; k < need; k++)
        if ((p[k] & 0xc0) != 0x80)
            return 0;
    return need;
}

/* Bytes of the maximal invalid subpart at 'p' (what one U+FFFD replaces), >= 1. */
static size_t utf8_invalid_len(const unsigned char *p, size_t n)
{
    unsigned c = p[0];
    if (c < 0xc2 || c > 0xf4 || n < 2)
        return 1;
    if (!second_byte_ok(c, p[1]))
        return 1;
    size_t need = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4, k = 2;
    while (k < need && k < n && (p[k] & 0xc0) == 0x80)
        k++;
    return k;
}

static int is_valid_utf8(const unsigned char *p, size_t n)
{
    size_t i = 0;
    while (i < n) {
        /* Eight ASCII bytes at a time: most pages are mostly ASCII. */
        while (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, p + i, 8);
            if (w & UINT64_C(0x8080808080808080))
                break;
            i += 8;
        }
        if (i >= n)
            break;
        size_t k = utf8_valid_len(p + i, n - i);
        if (k == 0)
            return 0;
        i += k;
    }
    return 1;
}

/* The output buffer of a decoder. */
struct out {
    char **buf;
    size_t *cap;
    size_t len;
};

static int out_reserve(struct out *o, size_t more)
{
    if (more > SIZE_MAX - o->len - 1)
        return -1;
    return chaff_grow((void **)o->buf, o->cap, o->len + more + 1, 1);
}

/* Appends code point 'c' (reserved for). */
static void out_cp(struct out *o, uint32_t c)
{
    unsigned char *q = (unsigned char *)*o->buf + o->len;
    if (c < 0x80) {
        q[0] = (unsigned char)c;
        o->len += 1;
    } else if (c < 0x800) {
        q[0] = (unsigned char)(0xc0 | (c >> 6));
        q[1] = (unsigned char)(0x80 | (c & 0x3f));
        o->len += 2;
    } else if (c < 0x10000) {
        q[0] = (unsigned char)(0xe0 | (c >> 12));
        q[1] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        q[2] = (unsigned char)(0x80 | (c & 0x3f));
        o->len += 3;
    } else {
        q[0] = (unsigned char)(0xf0 | (c >> 18));
        q[1] = (unsigned char)(0x80 | ((c >> 12) & 0x3f));
        q[2] = (unsigned char)(0x80 | ((c >> 6) & 0x3f));
        q[3] = (unsigned char)(0x80 | (c & 0x3f));
        o->len += 4;
    }
}

#define REPLACEMENT 0xfffdu

/* UTF-8 with errors="replace": each maximal invalid subpart becomes U+FFFD (3 bytes for at
 * least 1 byte in). */
static int decode_utf8(const unsigned char *p, size_t n, struct out *o)
{
    if (n > SIZE_MAX / 3 || out_reserve(o, 3 * n) != 0)
        return -1;
    size_t i = 0;
    while (i < n) {
        size_t k = utf8_valid_len(p + i, n - i);
        if (k > 0) {
            memcpy(*o->buf + o->len, p + i, k);
            o->len += k;
            i += k;
        } else {
            out_cp(o, REPLACEMENT);
            i += utf8_invalid_len(p + i, n - i);
        }
    }
    return 0;
}

/* UTF-16 ('big': big-endian) with errors="replace": an unpaired surrogate is one U+FFFD, an odd
 * last byte too. */
static int decode_utf16(const unsigned char *p, size_t n, int big, struct out *o)
{
    if (out_reserve(o, 2 * n + 3) != 0)
        return -1;
    size_t i = 0;
    while (i + 2 <= n) {
        uint32_t u = big ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);
        i += 2;
        if (u >= 0xd800 && u <= 0xdbff && i + 2 <= n) {
            uint32_t v = big ? (uint32_t)(p[i] << 8 | p[i + 1]) : (uint32_t)(p[i + 1] << 8 | p[i]);
            if (v >= 0xdc00 && v <= 0xdfff) {
                i += 2;
                out_cp(o, 0x10000 + ((u - 0xd800) << 10) + (v - 0xdc00));
                continue;
            }
        }
        out_cp(o, u >= 0xd800 && u <= 0xdfff ? REPLACEMENT : u);
    }
    if (i < n)
        out_cp(o, REPLACEMENT);
    return 0;
}

/* cp1252's 0x80..0x9f; 0 where Python's codec has no character (0x81 0x8d 0x8f 0x90 0x9d). */
static const uint16_t cp1252_high[32] = {
    0x20ac, 0,      0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160,
    0x2039, 0x0152, 0,      0x017d, 0,      0,      0x2018, 0x2019, 0x201c, 0x201d, 0x2022,
    0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0,      0x017e, 0x0178,
};

enum single { SINGLE_CP1252, SINGLE_LATIN1, SINGLE_ASCII };

static int decode_single(const unsigned char *p, size_t n, enum single which, struct out *o)
{
    if (n > SIZE_MAX / 3 || out_reserve(o, 3 * n) != 0)
        return -1;
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c < 0x80)
            (*o->buf)[o->len++] = (char)c;
        else if (which == SINGLE_ASCII)
            out_cp(o, REPLACEMENT);
        else if (which == SINGLE_CP1252 && c < 0xa0)
            out_cp(o, cp1252_high[c - 0x80] ? cp1252_high[c - 0x80] : REPLACEMENT);
        else
            out_cp(o, c);
    }
    return 0;
}

/* Any other encoding through iconv: a byte it refuses is one U+FFFD, an incomplete sequence at
 * the end one more. Returns 0, -1 when out of memory, 1 when iconv does not know 'name'. */
static int decode_iconv(const unsigned char *p, size_t n, const char *name, struct out *o)
{
    iconv_t cd = iconv_open("UTF-8", name);
    if (cd == (iconv_t)-1)
        return 1;
    int rc = 0;
    char *in = (char *)p;
    size_t inleft = n;
    if (out_reserve(o, n + n / 2 + 64) != 0) {
        rc = -1;
        goto out;
    }
    while (inleft > 0) {
        char *q = *o->buf + o->len;
        size_t room = *o->cap - o->len - 1, before = room;
        size_t r = iconv(cd, &in, &inleft, &q, &room);
        o->len += before - room;
        if (r != (size_t)-1)
            break;
        if (errno == E2BIG) {
            if (out_reserve(o, inleft * 2 + 64) != 0) {
                rc = -1;
                goto out;
            }
            continue;
        }
        if (out_reserve(o, 3 + inleft * 2) != 0) {
            rc = -1;
            goto out;
        }
        out_cp(o, REPLACEMENT);
        if (errno == EILSEQ) {
            in++;
            inleft--;
            iconv(cd, NULL, NULL, NULL, NULL);
        } else {
            break; /* EINVAL: an incomplete sequence ends the input */
        }
    }
    /* Flush a stateful encoding's shift state. */
    if (out_reserve(o, 16) == 0) {
        char *q = *o->buf + o->len;
        size_t room = *o->cap - o->len - 1, before = room;
        iconv(cd, NULL, NULL, &q, &room);
        o->len += before - room;
    }
out:
    iconv_close(cd);
    return rc;
}

/* What a declared encoding name means here. */
enum codec {
    CODEC_UNKNOWN,
    CODEC_CP1252,
    CODEC_LATIN1,
    CODEC_ASCII,
    CODEC_UTF8,
    CODEC_UTF16LE,
    CODEC_UTF16BE,
    CODEC_ICONV,
};

/* Python's names (encodings.aliases and the codec modules) of the encodings glibc's iconv reads
 * the same way, after Python's normalisation (lower case, runs of other characters than
 * letters, digits and '.' made one '_'). */
static const struct alias {
    const char *name;
    const char *iconv;
} aliases[] = {
    {"latin_1", NULL}, /* NULL: by the table of enum codec below */
    {"big5", "BIG5"},
    {"big5_tw", "BIG5"},
    {"csbig5", "BIG5"},
    {"big5hkscs", "BIG5-HKSCS"},
    {"big5_hkscs", "BIG5-HKSCS"},
    {"hkscs", "BIG5-HKSCS"},
    {"cp1250", "CP1250"},
    {"1250", "CP1250"},
    {"windows_1250", "CP1250"},
    {"cp1251", "CP1251"},
    {"1251", "CP1251"},
    {"windows_1251", "CP1251"},
    {"cp1253", "CP1253"},
    {"1253", "CP1253"},
    {"windows_1253", "CP1253"},
    {"cp1254", "CP1254"},
    {"1254", "CP1254"},
    {"windows_1254", "CP1254"},
    {"cp1255", "CP1255"},
    {"1255", "CP1255"},
    {"windows_1255", "CP1255"},
    {"cp1256", "CP1256"},
    {"1256", "CP1256"},
    {"windows_1256", "CP1256"},
    {"cp1257", "CP1257"},
    {"1257", "CP1257"},
    {"windows_1257", "CP1257"},
    {"cp1258", "CP1258"},
    {"1258", "CP1258"},
    {"windows_1258", "CP1258"},
    {"cp437", "CP437"},
    {"437", "CP437"},
    {"ibm437", "CP437"},
    {"cp850", "CP850"},
    {"850", "CP850"},
    {"ibm850", "CP850"},
    {"cp852", "CP852"},
    {"852", "CP852"},
    {"ibm852", "CP852"},
    {"cp866", "CP866"},
    {"866", "CP866"},
    {"ibm866", "CP866"},
    {"cp874", "CP874"},
    {"cp932", "CP932"},
    {"932", "CP932"},
    {"ms932", "CP932"},
    {"mskanji", "CP932"},
    {"ms_kanji", "CP932"},
    {"cp949", "CP949"},
    {"949", "CP949"},
    {"ms949", "CP949"},
    {"uhc", "CP949"},
    {"cp950", "CP950"},
    {"950", "CP950"},
    {"ms950", "CP950"},
    {"euc_jp", "EUC-JP"},
    {"eucjp", "EUC-JP"},
    {"ujis", "EUC-JP"},
    {"u_jis", "EUC-JP"},
    {"euc_kr", "EUC-KR"},
    {"euckr", "EUC-KR"},
    {"korean", "EUC-KR"},
    {"ksc5601", "EUC-KR"},
    {"ks_c_5601", "EUC-KR"},
    {"ks_c_5601_1987", "EUC-KR"},
    {"ksx1001", "EUC-KR"},
    {"ks_x_1001", "EUC-KR"},
    {"gb2312", "GB2312"},
    {"chinese", "GB2312"},
    {"euc_cn", "GB2312"},
    {"euccn", "GB2312"},
    {"gb2312_1980", "GB2312"},
    {"gb2312_80", "GB2312"},
    {"csiso58gb231280", "GB2312"},
    {"eucgb2312_cn", "GB2312"},
    {"iso_ir_58", "GB2312"},
    {"gbk", "GBK"},
    {"936", "GBK"},
    {"cp936", "GBK"},
    {"ms936", "GBK"},
    {"gb18030", "GB18030"},
    {"gb18030_2000", "GB18030"},
    {"hz", "HZ"},
    {"hzgb", "HZ"},
    {"hz_gb", "HZ"},
    {"hz_gb_2312", "HZ"},
    {"iso2022_jp", "ISO-2022-JP"},
    {"iso2022jp", "ISO-2022-JP"},
    {"iso_2022_jp", "ISO-2022-JP"},
    {"csiso2022jp", "ISO-2022-JP"},
    {"iso2022_kr", "ISO-2022-KR"},
    {"iso2022kr", "ISO-2022-KR"},
    {"iso_2022_kr", "ISO-2022-KR"},
    {"csiso2022kr", "ISO-2022-KR"},
    /* Python's shift_jis reads 0x5c as '\', as CP932 does; glibc's SHIFT_JIS reads a yen. */
    {"shift_jis", "CP932"},
    {"shiftjis", "CP932"},
    {"sjis", "CP932"},
    {"s_jis", "CP932"},
    {"csshiftjis", "CP932"},
    {"koi8_r", "KOI8-R"},
    {"cskoi8r", "KOI8-R"},
    {"koi8_u", "KOI8-U"},
    {"mac_roman", "MACINTOSH"},
    {"macroman", "MACINTOSH"},
    {"macintosh", "MACINTOSH"},
    {"mac_cyrillic", "MAC-CYRILLIC"},
    {"maccyrillic", "MAC-CYRILLIC"},
    {"tis_620", "TIS-620"},
    {"tis620", "TIS-620"},
    {"tis_620_0", "TIS-620"},
    {"tis_620_2529_0", "TIS-620"},
    {"tis_620_2529_1", "TIS-620"},
    {"iso_ir_166", "TIS-620"},
    {"utf_32", "UTF-32LE"},
    {"u32", "UTF-32LE"},
    {"utf32", "UTF-32LE"},
    {"utf_32_le", "UTF-32LE"},
    {"utf_32le", "UTF-32LE"},
    {"utf_32_be", "UTF-32BE"},
    {"utf_32be", "UTF-32BE"},
    {"iso8859_2", "ISO-8859-2"},
    {"iso_8859_2", "ISO-8859-2"},
    {"latin2", "ISO-8859-2"},
    {"l2", "ISO-8859-2"},
    {"csisolatin2", "ISO-8859-2"},
    {"iso_8859_2_1987", "ISO-8859-2"},
    {"iso_ir_101", "ISO-8859-2"},
    {"iso8859_3", "ISO-8859-3"},
    {"iso_8859_3", "ISO-8859-3"},
    {"latin3", "ISO-8859-3"},
    {"l3", "ISO-8859-3"},
    {"iso8859_4", "ISO-8859-4"},
    {"iso_8859_4", "ISO-8859-4"},
    {"latin4", "ISO-8859-4"},
    {"l4", "ISO-8859-4"},
    {"iso8859_5", "ISO-8859-5"},
    {"iso_8859_5", "ISO-8859-5"},
    {"cyrillic", "ISO-8859-5"},
    {"iso8859_6", "ISO-8859-6"},
    {"iso_8859_6", "ISO-8859-6"},
    {"arabic", "ISO-8859-6"},
    {"iso8859_7", "ISO-8859-7"},
    {"iso_8859_7", "ISO-8859-7"},
    {"greek", "ISO-8859-7"},
    {"greek8", "ISO-8859-7"},
    {"iso8859_8", "ISO-8859-8"},
    {"iso_8859_8", "ISO-8859-8"},
    {"hebrew", "ISO-8859-8"},
    {"iso8859_9", "ISO-8859-9"},
    {"iso_8859_9", "ISO-8859-9"},
    {"latin5", "ISO-8859-9"},
    {"l5", "ISO-8859-9"},
    {"iso8859_10", "ISO-8859-10"},
    {"iso_8859_10", "ISO-8859-10"},
    {"latin6", "ISO-8859-10"},
    {"l6", "ISO-8859-10"},
    {"iso8859_11", "ISO-8859-11"},
    {"iso_8859_11", "ISO-8859-11"},
    {"thai", "ISO-8859-11"},
    {"iso8859_13", "ISO-8859-13"},
    {"iso_8859_13", "ISO-8859-13"},
    {"latin7", "ISO-8859-13"},
    {"l7", "ISO-8859-13"},
    {"iso8859_14", "ISO-8859-14"},
    {"iso_8859_14", "ISO-8859-14"},
    {"latin8", "ISO-8859-14"},
    {"l8", "ISO-8859-14"},
    {"iso8859_15", "ISO-8859-15"},
    {"iso_8859_15", "ISO-8859-15"},
    {"latin9", "ISO-8859-15"},
    {"l9", "ISO-8859-15"},
    {"iso8859_16", "ISO-8859-16"},
    {"iso_8859_16", "ISO-8859-16"},
    {"latin10", "ISO-8859-16"},
    {"l10", "ISO-8859-16"},
};

/* Python's own names for latin-1, ASCII, UTF-8 and UTF-16 (lines.py reads some of their
 * spellings as cp1252 before these are looked at). */
static const struct {
    const char *name;
    enum codec codec;
} builtins[] = {
    {"latin_1", CODEC_LATIN1},
    {"8859", CODEC_LATIN1},
    {"cp819", CODEC_LATIN1},
    {"csisolatin1", CODEC_LATIN1},
    {"ibm819", CODEC_LATIN1},
    {"iso8859", CODEC_LATIN1},
    {"iso8859_1", CODEC_LATIN1},
    {"iso_8859_1", CODEC_LATIN1},
    {"iso_8859_1_1987", CODEC_LATIN1},
    {"iso_ir_100", CODEC_LATIN1},
    {"l1", CODEC_LATIN1},
    {"latin", CODEC_LATIN1},
    {"latin1", CODEC_LATIN1},
    {"ascii", CODEC_ASCII},
    {"646", CODEC_ASCII},
    {"ansi_x3.4_1968", CODEC_ASCII},
    {"ansi_x3_4_1968", CODEC_ASCII},
    {"ansi_x3.4_1986", CODEC_ASCII},
    {"cp367", CODEC_ASCII},
    {"csascii", CODEC_ASCII},
    {"ibm367", CODEC_ASCII},
    {"iso646_us", CODEC_ASCII},
    {"iso_646.irv_1991", CODEC_ASCII},
    {"iso_ir_6", CODEC_ASCII},
    {"us", CODEC_ASCII},
    {"us_ascii", CODEC_ASCII},
    {"cp1252", CODEC_CP1252},
    {"1252", CODEC_CP1252},
    {"windows_1252", CODEC_CP1252},
    {"utf_8", CODEC_UTF8},
    {"u8", CODEC_UTF8},
    {"utf", CODEC_UTF8},
    {"utf8", CODEC_UTF8},
    {"utf8_ucs2", CODEC_UTF8},
    {"utf8_ucs4", CODEC_UTF8},
    {"cp65001", CODEC_UTF8},
    {"utf_16", CODEC_UTF16LE},
    {"u16", CODEC_UTF16LE},
    {"utf16", CODEC_UTF16LE},
    {"utf_16_le", CODEC_UTF16LE},
    {"utf_16le", CODEC_UTF16LE},
    {"unicodelittleunmarked", CODEC_UTF16LE},
    {"utf_16_be", CODEC_UTF16BE},
    {"utf_16be", CODEC_UTF16BE},
    {"unicodebigunmarked", CODEC_UTF16BE},
};

/* The names lines.py reads as cp1252 (compared lower-cased, before normalising). */
static const char *const as_cp1252[] = {
    "iso-8859-1", "iso8859-1",    "latin-1", "latin1",   "l1",    "ascii", "us-ascii",
    "iso_8859-1", "windows-1252", "cp1252",  "x-cp1252", "utf-8", "utf8",
};

/* Resolves the declared name 'name' ('n' bytes). Sets '*iconv_name' for CODEC_ICONV. */
static enum codec codec_of(const char *name, size_t n, const char **iconv_name)
{
    char low[64], norm[64];
    if (n == 0 || n >= sizeof(low))
        return CODEC_UNKNOWN;
    for (size_t i = 0; i < n; i++) {
        char c = name[i];
        low[i] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    low[n] = '\0';
    for (size_t i = 0; i < sizeof(as_cp1252) / sizeof(as_cp1252[0]); i++)
        if (strcmp(low, as_cp1252[i]) == 0)
            return CODEC_CP1252;
    /* lines.py: enc.replace("_", "-") in ("utf-8", "utf8"). */
    if (strcmp(low, "utf_8") == 0)
        return CODEC_CP1252;
    /* Python's normalize_encoding(): runs of characters other than [a-z0-9.] become one '_',
     * none at either end. */
    size_t m = 0;
    int punct = 0;
    for (size_t i = 0; i < n; i++) {
        char c = low[i];
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.') {
            if (punct && m > 0)
                norm[m++] = '_';
            norm[m++] = c;
            punct = 0;
        } else {
            punct = 1;
        }
    }
    norm[m] = '\0';
    /* Python also tries the name with '.' made '_'. */
    char norm2[64];
    for (size_t i = 0; i <= m; i++)
        norm2[i] = norm[i] == '.' ? '_' : norm[i];
    const char *tries[2] = {norm, norm2};
    for (int t = 0; t < 2; t++) {
        for (size_t i = 0; i < sizeof(builtins) / sizeof(builtins[0]); i++)
            if (strcmp(tries[t], builtins[i].name) == 0)
                return builtins[i].codec;
        for (size_t i = 1; i < sizeof(aliases) / sizeof(aliases[0]); i++)
            if (strcmp(tries[t], aliases[i].name) == 0) {
                *iconv_name = aliases[i].iconv;
                return CODEC_ICONV;
            }
    }
    return CODEC_UNKNOWN;
}

/* Decodes with 'codec'. Returns 0, -1 when out of memory, 1 when the codec cannot be used. */
static int decode_as(const unsigned char *p, size_t n, enum codec codec, const char *iconv_name,
                     struct out *o)
{
    switch (codec) {
    case CODEC_CP1252:
        return decode_single(p, n, SINGLE_CP1252, o);
    case CODEC_LATIN1:
        return decode_single(p, n, SINGLE_LATIN1, o);
    case CODEC_ASCII:
        return decode_single(p, n, SINGLE_ASCII, o);
    case CODEC_UTF8:
        return decode_utf8(p, n, o);
    case CODEC_UTF16LE:
        return decode_utf16(p, n, 0, o);
    case CODEC_UTF16BE:
        return decode_utf16(p, n, 1, o);
    case CODEC_ICONV: {
        size_t len0 = o->len;
        int rc = decode_iconv(p, n, iconv_name, o);
        if (rc == 1)
            o->len = len0;
        return rc;
    }
    case CODEC_UNKNOWN:
        break;
    }
    return 1;
}

static int lower_eq(const unsigned char *p, const char *lit, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned c = p[i];
        if (c >= 'A' && c <= 'Z')
            c += 32;
        if (c != (unsigned char)lit[i])
            return 0;
    }
    return 1;
}

static int is_space_re(unsigned c) /* Python's bytes regex \s */
{
    return c == ' ' || (c >= '\t' && c <= '\r');
}

static int is_name_char(unsigned c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '.' || c == ':' || c == '-';
}

/* After "charset" at 'p': \s*=\s*["']?\s*([A-Za-z0-9_.:-]+). Sets the name; returns 1 on a
 * match. */
static int match_charset_value(const unsigned char *p, const unsigned char *end,
                               const unsigned char **name, size_t *n)
{
    while (p < end && is_space_re(*p))
        p++;
    if (p >= end || *p != '=')
        return 0;
    p++;
    while (p < end && is_space_re(*p))
        p++;
    if (p < end && (*p == '"' || *p == '\''))
        p++;
    while (p < end && is_space_re(*p))
        p++;
    const unsigned char *s = p;
    while (p < end && is_name_char(*p))
        p++;
    if (p == s)
        return 0;
    *name = s;
    *n = (size_t)(p - s);
    return 1;
}

/* lines.py's _META_RE.search(): <meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+), ignoring
 * case, the leftmost <meta that matches, and in it the last "charset" that matches (the greedy
 * [^>]+). */
static int find_meta_charset(const unsigned char *p, size_t n, const unsigned char **name,
                             size_t *name_len)
{
    const unsigned char *end = p + n;
    for (const unsigned char *s = p; s + 5 < end; s++) {
        s = memchr(s, '<', (size_t)(end - s));
        if (s == NULL || s + 5 >= end)
            return 0;
        if (!lower_eq(s + 1, "meta", 4))
            continue;
        const unsigned char *body = s + 5;
        const unsigned char *gt = memchr(body, '>', (size_t)(end - body));
        const unsigned char *stop = gt != NULL ? gt : end;
        /* [^>]+ takes at least one byte, so "charset" starts at body + 1 or later. */
        for (size_t k = (size_t)(stop - body); k >= 1 + 7; k--) {
            const unsigned char *c = body + k - 7;
            if (lower_eq(c, "charset", 7) && match_charset_value(c + 7, end, name, name_len))
                return 1;
        }
    }
    return 0;
}

int chaff_html_decode(const char *raw, size_t len, const char *charset, char **buf, size_t *cap,
                      const char **text_out, size_t *len_out)
{
    const unsigned char *p = (const unsigned char *)raw;
    struct out o = {buf, cap, 0};
    int rc = 1;
    if (len >= 3 && p[0] == 0xef && p[1] == 0xbb && p[2] == 0xbf) {
        if (is_valid_utf8(p + 3, len - 3)) {
            *text_out = raw + 3;
            *len_out = len - 3;
            return 0;
        }
        rc = decode_utf8(p + 3, len - 3, &o);
    } else if (len >= 2 && ((p[0] == 0xff && p[1] == 0xfe) || (p[0] == 0xfe && p[1] == 0xff))) {
        rc = decode_utf16(p + 2, len - 2, p[0] == 0xfe, &o);
    } else if (is_valid_utf8(p, len)) {
        *text_out = raw;
        *len_out = len;
        return 0;
    } else {
        const char *iconv_name = NULL;
        if (charset != NULL) {
            enum codec c = codec_of(charset, strlen(charset), &iconv_name);
            if (c != CODEC_UNKNOWN)
                rc = decode_as(p, len, c, iconv_name, &o);
        }
        const unsigned char *name;
        size_t name_len;
        if (rc == 1 && (find_meta_charset(p, len < 4096 ? len : 4096, &name, &name_len) ||
                        find_meta_charset(p, len, &name, &name_len))) {
            enum codec c = codec_of((const char *)name, name_len, &iconv_name);
            if (c != CODEC_UNKNOWN)
                rc = decode_as(p, len, c, iconv_name, &o);
        }
        if (rc == 1)
            rc = decode_single(p, len, SINGLE_CP1252, &o);
    }
    if (rc != 0)
        return -1;
    if (out_reserve(&o, 0) != 0)
        return -1;
    (*buf)[o.len] = '\0';
    *text_out = *buf;
    *len_out = o.len;
    return 0;
}
