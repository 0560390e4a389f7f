/*
 * test_html.c - the HTML reader: the lines of lines.py's rule (title first, dropped elements,
 * blocks, white space, charsets, broken markup; expectations from ../shared/html/lines.py),
 * the structure tokens, and hostile input (deep trees, huge text, binary bytes).
 */
#include "chaff.h"
#include "hash.h"
#include "html.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

static int setup(void **state)
{
    *state = chaff_html_create();
    return *state == NULL ? -1 : 0;
}

static int teardown(void **state)
{
    chaff_html_free(*state);
    return 0;
}

/* Extracts 'len' bytes from an exactly sized heap copy, so that a read past the end is caught
 * under ASan. */
static void extract(struct chaff_html *hx, const char *html, size_t len, const char *charset,
                    struct chaff_page *page)
{
    char *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    if (len > 0)
        memcpy(copy, html, len);
    memset(page, 0, sizeof(*page));
    struct chaff_error err;
    assert_int_equal(chaff_html_extract(hx, copy, len, charset, page, &err), CHAFF_OK);
    free(copy);
    assert_non_null(page->structure);
    assert_int_equal(page->structure->off[0], 0);
    for (size_t i = 0; i < page->nparas; i++) {
        assert_true(page->lens[i] > 0);
        assert_int_equal(page->paras[i][page->lens[i]], '\0');
        assert_int_equal(strlen(page->paras[i]), page->lens[i]);
        assert_true(page->structure->off[i + 1] >= page->structure->off[i]);
        assert_true(page->structure->off[i + 1] - page->structure->off[i] <= CHAFF_HTML_MAX_TOKENS);
    }
}

/* Asserts that 'html' gives exactly the 'n' lines of 'want'. */
static void expect_lines(struct chaff_html *hx, const char *html, size_t len, const char *charset,
                         const char *const *want, size_t n)
{
    struct chaff_page page;
    extract(hx, html, len, charset, &page);
    for (size_t i = 0; i < page.nparas && i < n; i++)
        assert_string_equal(page.paras[i], want[i]);
    assert_int_equal(page.nparas, n);
}

#define EXPECT(hx, html, ...)                                                                      \
    do {                                                                                           \
        static const char *const want_[] = {__VA_ARGS__};                                          \
        expect_lines((hx), (html), sizeof(html) - 1, NULL, want_,                                  \
                     sizeof(want_) / sizeof(want_[0]));                                            \
    } while (0)

static void the_title_of_the_head_comes_first(void **state)
{
    EXPECT(*state,
           "<html><head><title> My \n Title </title></head><body><p>Hello</p></body></html>",
           "My Title", "Hello");
    /* The title's text content includes its children; a later <title> is a line of its own. */
    EXPECT(*state, "<head><title>a<b>b</b>c</title></head><body><title>second</title>", "abc",
           "second");
}

static void dropped_elements_are_skipped_but_the_text_after_them_counts(void **state)
{
    EXPECT(*state, "<body><div>a<script>x</script>b<style>y</style><!-- c -->d</div></body>",
           "abd");
    EXPECT(*state, "<p>1<svg><text>no</text></svg>2<noscript>no</noscript>3<iframe>no</iframe></p>",
           "123");
}

static void block_elements_end_lines_and_inline_ones_join(void **state)
{
    EXPECT(*state,
           "<p>one <b>two</b> three</p><div>four<br>five</div><span>six</span><span>seven</span>",
           "one two three", "four", "five", "sixseven");
}

static void white_space_collapses_as_python_split_does(void **state)
{
    /* NBSP (raw and &nbsp;), ideographic space and tabs are white space; U+200B and U+FEFF are
     * not. */
    EXPECT(*state,
           "<p>a\xc2\xa0\xc2\xa0"
           "b \t\n c\xe2\x80\x8b"
           "d\xe3\x80\x80"
           "e&nbsp;f\xef\xbb\xbfg</p>",
           "a b c\xe2\x80\x8b"
           "d e f\xef\xbb\xbfg");
    EXPECT(*state, "<p> \xc2\xa0 </p><p>\xe2\x80\x83x\xe2\x80\xa8y\xc2\x85</p>", "x y");
}

static void undeclared_invalid_utf8_reads_as_cp1252(void **state)
{
    /* 0x81 has no cp1252 character: U+FFFD. */
    EXPECT(*state, "<p>caf\xe9 \x93q\x94 \x81</p>",
           "caf\xc3\xa9 \xe2\x80\x9cq\xe2\x80\x9d \xef\xbf\xbd");
}

static void a_meta_charset_is_used_for_invalid_utf8(void **state)
{
    EXPECT(*state, "<meta charset=windows-1251><p>\xcf\xf0\xe8</p>", "\xd0\x9f\xd1\x80\xd0\xb8");
    /* Declared UTF-8 or latin-1 but not valid UTF-8: cp1252. */
    EXPECT(*state,
           "<meta http-equiv='Content-Type' content='text/html; charset=utf-8'><p>\x93x\x94</p>",
           "\xe2\x80\x9cx\xe2\x80\x9d");
    EXPECT(*state, "<meta charset='iso-8859-1'><p>\x93x\x94 \xe9</p>",
           "\xe2\x80\x9cx\xe2\x80\x9d \xc3\xa9");
    /* Valid UTF-8 wins over any declaration. */
    EXPECT(*state, "<meta charset=windows-1251><p>caf\xc3\xa9</p>", "caf\xc3\xa9");
}

static void an_http_charset_comes_before_the_meta_one(void **state)
{
    static const char html[] = "<meta charset=windows-1251><p>\xcf\xf0\xe8</p>";
    static const char *const want[] = {"\xd0\xbe\xd0\x9f\xd0\xa5"}; /* KOI8-R */
    expect_lines(*state, html, sizeof(html) - 1, "KOI8-R", want, 1);
    /* An unknown HTTP charset falls back to the meta declaration. */
    static const char *const meta[] = {"\xd0\x9f\xd1\x80\xd0\xb8"};
    expect_lines(*state, html, sizeof(html) - 1, "no-such-charset", meta, 1);
}

static void byte_order_marks_decide_the_encoding(void **state)
{
    static const char utf16le[] = "\xff\xfe<\0p\0>\0b\0o\0m\0 \0\xe9\0<\0/\0p\0>\0";
    static const char *const want[] = {"bom \xc3\xa9"};
    expect_lines(*state, utf16le, sizeof(utf16le) - 1, NULL, want, 1);
    static const char utf16be[] = "\xfe\xff\0<\0p\0>\0b\0o\0m\0 \0\xe9\0<\0/\0p\0>";
    expect_lines(*state, utf16be, sizeof(utf16be) - 1, NULL, want, 1);
    static const char utf8[] = "\xef\xbb\xbf<p>bom \xc3\xa9</p>";
    expect_lines(*state, utf8, sizeof(utf8) - 1, "iso-8859-1", want, 1);
}

static void an_xml_declaration_is_stripped(void **state)
{
    EXPECT(*state, "<?xml version='1.0' encoding='utf-8'?>\n<p>x</p>", "x");
}

static void unclosed_and_misnested_tags_give_what_libxml2_recovers(void **state)
{
    EXPECT(*state,
           "<p>one<p>two<div><b>bold<i>both</b>italic</i></div><table><td>c1<td>c2</table>x</li>y",
           "one", "two", "boldbothitalic", "c1", "c2", "xy");
}

static void empty_and_textless_pages_have_no_lines(void **state)
{
    struct chaff_page page;
    extract(*state, "", 0, NULL, &page);
    assert_int_equal(page.nparas, 0);
    extract(*state, "<!-- x -->", 10, NULL, &page);
    assert_int_equal(page.nparas, 0);
    extract(*state, "   \n", 4, NULL, &page);
    assert_int_equal(page.nparas, 0);
}

/* The tokens of line 'i' of the page. */
static int has_token(const struct chaff_page *page, size_t i, const char *s)
{
    uint64_t h = chaff_hash_bytes(s, strlen(s), CHAFF_HTML_SEED);
    int site = strncmp(s, "cls", 3) == 0;
    h = site ? h | CHAFF_STRUCT_SITE_WORD : h & ~CHAFF_STRUCT_SITE_WORD;
    const struct chaff_page_structure *st = page->structure;
    for (uint32_t k = st->off[i]; k < st->off[i + 1]; k++)
        if (st->tokens[k] == h)
            return 1;
    return 0;
}

static void the_title_line_has_one_token(void **state)
{
    struct chaff_page page;
    static const char html[] = "<title>T</title><p>x</p>";
    extract(*state, html, sizeof(html) - 1, NULL, &page);
    assert_int_equal(page.nparas, 2);
    assert_int_equal(page.structure->off[1], 1);
    assert_true(has_token(&page, 0, "title"));
}

/* An element's class and id words come from their first 4096 bytes (a value read again for
 * every line below the element must not cost the page's length each time); a word cut there is
 * not one, and the words before are kept. */
static void class_words_come_from_the_first_4096_bytes(void **state)
{
    static const char head[] = "<div class=\"siteNav ";
    static const char tail[] = "farword\"><p>x</p></div>";
    char html[8192];
    size_t n = sizeof(head) - 1;
    memcpy(html, head, n);
    /* "siteNav " (8 bytes) and 4085 spaces: "cutoff" straddles the value's byte 4096 */
    while (n < sizeof(head) - 1 + 4085)
        html[n++] = ' ';
    memcpy(html + n, "cutoff ", 7);
    n += 7;
    memcpy(html + n, tail, sizeof(tail) - 1);
    n += sizeof(tail) - 1;
    struct chaff_page page;
    extract(*state, html, n, NULL, &page);
    assert_int_equal(page.nparas, 1);
    assert_true(has_token(&page, 0, "cls=site"));
    assert_true(has_token(&page, 0, "cls=nav"));
    assert_false(has_token(&page, 0, "cls=cutoff"));
    assert_false(has_token(&page, 0, "cls=cut"));
    assert_false(has_token(&page, 0, "cls=farword"));
}

/* content.c: the article's div wins Readability's scoring, its paragraphs are rd=top, the menu
 * and the sidebar (an unlikely class) are rd=out; a list item in the article is rd=top with
 * its own block tag; a sidebar paragraph gets no score even though it is prose. */
static void the_main_text_is_where_readability_would_look(void **state)
{
    struct chaff_page page;
    static const char html[] =
        "<body><ul class=\"site-menu\"><li><a href=\"/\">Home</a></li><li><a href=\"/n\">News and "
        "more news of the town</a></li></ul>"
        "<div class=\"post-body\"><p>The council voted on Thursday, after months of debate, to "
        "approve the new budget, which funds two schools.</p><p>The mayor said the plan, the "
        "first in years, would also repair the old bridge.</p><ul><li>Item one of the plan, "
        "costed</li></ul></div>"
        "<div id=\"sidebarWidget\"><p>Other stories, picked for you, from the archive of the "
        "town's paper, every week.</p></div></body>";
    extract(*state, html, sizeof(html) - 1, NULL, &page);
    assert_int_equal(page.nparas, 6);
    assert_string_equal(page.paras[2], "The council voted on Thursday, after months of debate, to "
                                       "approve the new budget, which funds two schools.");
    assert_true(has_token(&page, 0, "rd=out"));
    assert_true(has_token(&page, 1, "rd=out"));
    assert_true(has_token(&page, 2, "rd=top"));
    assert_true(has_token(&page, 2, "rdb=top<p"));
    assert_true(has_token(&page, 2, "rdr=10"));
    assert_true(has_token(&page, 2, "rdc0=pos"));
    assert_true(has_token(&page, 3, "rd=top"));
    assert_true(has_token(&page, 4, "rdb=top<li"));
    assert_true(has_token(&page, 5, "rd=out"));
    assert_true(has_token(&page, 5, "rdc0=unl"));
    assert_true(has_token(&page, 5, "rdc0=neg"));
    assert_true(has_token(&page, 0, "rdc0=unl"));
    /* No paragraph of 25 characters: nothing scores. */
    static const char menu[] = "<ul><li>Home</li><li>News</li></ul>";
    extract(*state, menu, sizeof(menu) - 1, NULL, &page);
    assert_int_equal(page.nparas, 2);
    assert_true(has_token(&page, 0, "rd=none"));
}

static void class_and_id_words_split_at_humps_and_non_letters(void **state)
{
    struct chaff_page page;
    static const char html[] =
        "<body><div id='related-posts'><section class='cookieBanner site-nav x'>"
        "<p class='product_table2 abcdefghijklmnopqrstuvwxyz'>Accept</p></section></div></body>";
    extract(*state, html, sizeof(html) - 1, NULL, &page);
    assert_int_equal(page.nparas, 1);
    assert_true(has_token(&page, 0, "cls0=product"));
    assert_true(has_token(&page, 0, "cls0=table"));
    assert_false(has_token(&page, 0, "cls0=cookie"));
    assert_true(has_token(&page, 0, "cls=cookie"));
    assert_true(has_token(&page, 0, "cls=banner"));
    assert_true(has_token(&page, 0, "cls=site"));
    assert_true(has_token(&page, 0, "cls=nav"));
    assert_true(has_token(&page, 0, "cls=related"));
    assert_true(has_token(&page, 0, "cls=posts"));
    assert_false(has_token(&page, 0, "cls=x"));                          /* too short */
    assert_false(has_token(&page, 0, "cls=abcdefghijklmnopqrstuvwxyz")); /* too long */
    assert_false(has_token(&page, 0, "cls=cookiebanner"));
    assert_true(has_token(&page, 0, "tag=p"));
    assert_true(has_token(&page, 0, "blk=p"));
    assert_true(has_token(&page, 0, "path2=p<section"));
    assert_true(has_token(&page, 0, "path3=p<section<div"));
    assert_true(has_token(&page, 0, "path4=p<section<div<body"));
    assert_true(has_token(&page, 0, "anc=section"));
    assert_true(has_token(&page, 0, "anc=div"));
    assert_true(has_token(&page, 0, "in=p"));
    assert_false(has_token(&page, 0, "in=nav"));
    /* Only class and id words carry the site-word bit. */
    const struct chaff_page_structure *st = page.structure;
    unsigned nsite = 0;
    for (uint32_t k = st->off[0]; k < st->off[1]; k++)
        nsite += (unsigned)(st->tokens[k] & CHAFF_STRUCT_SITE_WORD);
    assert_int_equal(nsite, 8 + 2); /* cls= of eight words, cls0= of two */
}

static void link_density_is_binned_for_the_line_and_its_block(void **state)
{
    struct chaff_page page;
    static const char html[] = "<body><nav><ul>"
                               "<li><a href=x>abcd</a>efgh</li>"  /* 1/2: bin 3 */
                               "<li><a href=x>all of it</a></li>" /* bin 5 */
                               "<li>none</li>"                    /* bin 0 */
                               "<li><a>a</a>bcdefghij</li>"       /* 1/10: bin 1 */
                               "</ul></nav></body>";
    extract(*state, html, sizeof(html) - 1, NULL, &page);
    assert_int_equal(page.nparas, 4);
    assert_true(has_token(&page, 0, "ld=3"));
    assert_true(has_token(&page, 1, "ld=5"));
    assert_true(has_token(&page, 2, "ld=0"));
    assert_true(has_token(&page, 3, "ld=1"));
    /* The enclosing block, <ul>: 4 + 7 + 1 link characters of 8 + 7 + 4 + 10. */
    for (size_t i = 0; i < 4; i++) {
        assert_true(has_token(&page, i, "bld=2"));
        assert_true(has_token(&page, i, "in=nav"));
        assert_true(has_token(&page, i, "in=li"));
        assert_true(has_token(&page, i, "blines=2")); /* 4 lines: floor(log2(5)) */
    }
    assert_true(has_token(&page, 1, "in=a"));
    assert_false(has_token(&page, 2, "in=a"));
}

static void a_hundred_thousand_nested_divs_do_not_overflow_the_stack(void **state)
{
    size_t n = 100000;
    char *html = malloc(n * 5 + 2);
    assert_non_null(html);
    for (size_t i = 0; i < n; i++)
        memcpy(html + 5 * i, "<div>", 5);
    html[5 * n] = 'x';
    struct chaff_page page;
    extract(*state, html, 5 * n + 1, NULL, &page);
    assert_true(page.nparas <= 1);
    /* Inline elements nest without libxml2's limit on block nesting. */
    for (size_t i = 0; i < n; i++)
        memcpy(html + 5 * i, i % 2 ? "<b>y " : "<i>z ", 5);
    extract(*state, html, 5 * n + 1, NULL, &page);
    assert_true(page.nparas <= 1);
    free(html);
}

/* The lines follow the tree libxml2's tree builder would make (lxml's), which the reader does
 * not build: where late elements go, which <head> gives the title, the depth and text-length
 * limits that stop the tree, and names with a prefix. Each expectation is lines.py's. */
static void the_tree_lxml_would_build_is_followed(void **state)
{
    /* After </html>, new elements are the root's children when the root is the document's
     * first node, else siblings of the root, which lxml's walk never sees. */
    EXPECT(*state, "<html><body><p>a</p></body></html><p>late</p>text<div>more</div>", "a",
           "late", "text", "more");
    EXPECT(*state, "<!DOCTYPE html><html><body><p>a</p></body></html><p>late</p>", "a");
    EXPECT(*state, "<!-- c --><html><body><p>a</p></body></html><p>late</p>", "a");
    /* The title is that of the root's first <head>, even after the body; only the first. */
    EXPECT(*state, "<html><body><p>b</p></body><head><title>T late</title></head></html>",
           "T late", "b");
    EXPECT(*state, "<html><head></head><body>x</body></html><head><title>second</title></head>",
           "x");
    /* A prefix is dropped: <x:p> is a <p>. */
    EXPECT(*state, "<body><fb:like class=\"fbLike\">liked</fb:like>!<x:p>xp</x:p><o:p></o:p>y",
           "liked!", "xp", "y");

    /* An element with 257 open around it stops the tree (html, body, 255 spans, then <b>). */
    char html[64 + 255 * 14];
    for (size_t n = 254; n <= 255; n++) {
        size_t len = 0;
        len += (size_t)sprintf(html + len, "<body>");
        for (size_t i = 0; i < n; i++)
            len += (size_t)sprintf(html + len, "<span>s");
        len += (size_t)sprintf(html + len, "<b>deep</b>");
        for (size_t i = 0; i < n; i++)
            len += (size_t)sprintf(html + len, "</span>");
        len += (size_t)sprintf(html + len, "<p>after</p>");
        struct chaff_page page;
        extract(*state, html, len, NULL, &page);
        if (n == 254) {
            assert_int_equal(page.nparas, 2);
            assert_int_equal(page.lens[0], 254 + 4);
            assert_string_equal(page.paras[1], "after");
        } else {
            assert_int_equal(page.nparas, 1);
            assert_int_equal(page.lens[0], 255);
        }
    }

    /* A text node that would pass 10,000,000 bytes stops the tree; one just under does not. */
    for (int over = 0; over <= 1; over++) {
        size_t n = over ? 2100000 : 1999990; /* "word " each */
        char *big = malloc(n * 5 + 64);
        assert_non_null(big);
        size_t len = (size_t)sprintf(big, "<p>");
        for (size_t i = 0; i < n; i++, len += 5)
            memcpy(big + len, "word ", 5);
        len += (size_t)sprintf(big + len, "</p><p>after</p>");
        struct chaff_page page;
        extract(*state, big, len, NULL, &page);
        free(big);
        assert_int_equal(page.nparas, over ? 1 : 2);
        if (!over)
            assert_string_equal(page.paras[1], "after");
    }
}

static void a_fifty_megabyte_text_node_or_attribute_is_survived(void **state)
{
    size_t n = 50u << 20;
    char *html = malloc(n + 64);
    assert_non_null(html);
    memcpy(html, "<p>", 3);
    for (size_t i = 3; i < n; i++)
        html[i] = i % 7 == 0 ? ' ' : 'a';
    memcpy(html + n, "</p><p>after</p>", 16);
    struct chaff_page page;
    extract(*state, html, n + 16, NULL, &page);
    memcpy(html, "<p title='", 10);
    memcpy(html + n, "'>after</p>", 11);
    extract(*state, html, n + 11, NULL, &page);
    free(html);
    struct rusage ru;
    assert_int_equal(getrusage(RUSAGE_SELF, &ru), 0);
    assert_true(ru.ru_maxrss < 3L * 1024 * 1024); /* KiB: bounded, whatever libxml2 kept */
}

static void binary_garbage_and_nul_bytes_are_survived(void **state)
{
    uint64_t x = 88172645463325252u;
    char *buf = malloc(1 << 16);
    assert_non_null(buf);
    struct chaff_page page;
    for (int round = 0; round < 200; round++) {
        size_t len = (size_t)(round * 331) % (1 << 16);
        for (size_t i = 0; i < len; i++) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            /* Some rounds mostly markup characters, some NUL bytes. */
            buf[i] = round % 3 == 0 ? "<>/p a=\"'\0&;!-"[x % 15] : (char)x;
        }
        extract(*state, buf, len, round % 2 ? "shift_jis" : NULL, &page);
    }
    static const char nul[] = "<p>a\0b</p><p>c</p>";
    extract(*state, nul, sizeof(nul) - 1, NULL, &page);
    assert_true(page.nparas >= 1);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(the_title_of_the_head_comes_first),
        cmocka_unit_test(dropped_elements_are_skipped_but_the_text_after_them_counts),
        cmocka_unit_test(block_elements_end_lines_and_inline_ones_join),
        cmocka_unit_test(white_space_collapses_as_python_split_does),
        cmocka_unit_test(undeclared_invalid_utf8_reads_as_cp1252),
        cmocka_unit_test(a_meta_charset_is_used_for_invalid_utf8),
        cmocka_unit_test(an_http_charset_comes_before_the_meta_one),
        cmocka_unit_test(byte_order_marks_decide_the_encoding),
        cmocka_unit_test(an_xml_declaration_is_stripped),
        cmocka_unit_test(unclosed_and_misnested_tags_give_what_libxml2_recovers),
        cmocka_unit_test(empty_and_textless_pages_have_no_lines),
        cmocka_unit_test(the_title_line_has_one_token),
        cmocka_unit_test(class_words_come_from_the_first_4096_bytes),
        cmocka_unit_test(class_and_id_words_split_at_humps_and_non_letters),
        cmocka_unit_test(the_main_text_is_where_readability_would_look),
        cmocka_unit_test(link_density_is_binned_for_the_line_and_its_block),
        cmocka_unit_test(a_hundred_thousand_nested_divs_do_not_overflow_the_stack),
        cmocka_unit_test(the_tree_lxml_would_build_is_followed),
        cmocka_unit_test(a_fifty_megabyte_text_node_or_attribute_is_survived),
        cmocka_unit_test(binary_garbage_and_nul_bytes_are_survived),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
