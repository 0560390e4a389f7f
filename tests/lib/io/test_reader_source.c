/*
 * test_reader_source.c - the decompression layer under the page readers (source.c): gzip with
 * one or many members, zstd with one or many frames, sniffed by magic bytes; damage reported
 * with the compressed byte offset after every page before it.
 */
#include "chaff.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

/* A growable byte buffer. */
struct buf {
    unsigned char *data;
    size_t len;
};

static void put(struct buf *b, const void *data, size_t len)
{
    b->data = realloc(b->data, b->len + len + 1);
    assert_non_null(b->data);
    memcpy(b->data + b->len, data, len);
    b->len += len;
}

/* Appends 'len' bytes at 'data' compressed as one gzip member of any size. */
static void put_gzip_n(struct buf *b, const char *data, size_t len)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    size_t cap = deflateBound(&zs, (uLong)len) + 64;
    unsigned char *out = malloc(cap);
    assert_non_null(out);
    zs.next_in = (unsigned char *)data;
    zs.avail_in = (uInt)len;
    zs.next_out = out;
    zs.avail_out = (uInt)cap;
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    put(b, out, cap - zs.avail_out);
    deflateEnd(&zs);
    free(out);
}

/* Appends 's' compressed as one gzip member. */
static void put_gzip(struct buf *b, const char *s)
{
    z_stream zs;
    memset(&zs, 0, sizeof(zs));
    assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
    unsigned char out[4096];
    zs.next_in = (unsigned char *)s;
    zs.avail_in = (uInt)strlen(s);
    zs.next_out = out;
    zs.avail_out = sizeof(out);
    assert_int_equal(deflate(&zs, Z_FINISH), Z_STREAM_END);
    put(b, out, sizeof(out) - zs.avail_out);
    deflateEnd(&zs);
}

/* Appends 's' compressed as one zstd frame. */
static void put_zstd(struct buf *b, const char *s)
{
    unsigned char out[4096];
    size_t n = ZSTD_compress(out, sizeof(out), s, strlen(s), 3);
    assert_false(ZSTD_isError(n));
    put(b, out, n);
}

/* Opens a reader over an exactly sized heap copy of the 'len' bytes (to catch over-reads). */
static struct chaff_reader *open_copy(const void *data, size_t len, enum chaff_format format,
                                      void **copy_out)
{
    void *copy = malloc(len > 0 ? len : 1);
    assert_non_null(copy);
    memcpy(copy, data, len);
    struct chaff_reader_options opt;
    chaff_reader_options_defaults(&opt);
    opt.format = format;
    struct chaff_reader *r = NULL;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_open_memory(copy, len, "in", &opt, &r, &err), CHAFF_OK);
    *copy_out = copy;
    return r;
}

/* Reads every page and concatenates its paragraphs, each followed by '|', into 'out'. Returns
 * the last chaff_reader_next() result (0 or -2) and leaves its error in 'err'. */
static int read_all(struct chaff_reader *r, char *out, size_t cap, struct chaff_error *err)
{
    struct chaff_page page;
    int rc;
    out[0] = '\0';
    while ((rc = chaff_reader_next(r, &page, err)) == 1)
        for (size_t i = 0; i < page.nparas; i++) {
            assert_true(strlen(out) + page.lens[i] + 2 < cap);
            strncat(out, page.paras[i], page.lens[i]);
            strcat(out, "|");
        }
    return rc;
}

static void gzip_members_back_to_back_are_one_stream(void **state)
{
    (void)state;
    struct buf b = {0};
    put_gzip(&b, "one\ntwo\n");
    put_gzip(&b, "three\n");
    put_gzip(&b, "");
    put_gzip(&b, "four\n");
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len, CHAFF_FORMAT_TEXT, &copy);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESSION_GZIP);
    char out[256];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), 0);
    assert_string_equal(out, "one|two|three|four|");
    struct chaff_reader_stats st;
    chaff_reader_stats(r, &st);
    assert_int_equal(st.in_bytes, b.len);
    assert_int_equal(st.bytes, strlen("one\ntwo\nthree\nfour\n"));
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

/* 'n' bytes of lines "L<k> " + pseudo-random lower-case letters (poorly compressible), one
 * line every 100 bytes, numbered from *k. */
static char *random_lines(size_t n, uint64_t *seed, size_t *k)
{
    char *s = malloc(n + 1);
    assert_non_null(s);
    size_t i = 0;
    while (i < n) {
        int m = snprintf(s + i, n + 1 - i, "L%zu ", (*k)++);
        i += (size_t)m < n - i ? (size_t)m : n - i;
        for (int j = 0; j < 90 && i < n - 1; j++) {
            *seed = *seed * 6364136223846793005u + 1442695040888963407u;
            s[i++] = (char)('a' + (*seed >> 33) % 26);
        }
        if (i < n)
            s[i++] = '\n';
    }
    s[n] = '\0';
    return s;
}

/* Members small and large are read alike, whichever decoder takes them: ones that fit the
 * input window (decompressed whole), a member larger than the decoded-member buffer, members
 * whose compressed size exceeds the window (streamed), enough of those to switch the source to
 * streaming for good, then small ones again. */
static void gzip_members_of_every_size_are_read_alike(void **state)
{
    (void)state;
    struct buf b = {0}, plain = {0};
    uint64_t seed = 42;
    size_t k = 0;
    const size_t sizes[] = {200, 5000, 12u << 20, 300, 3u << 20, 3u << 20, 3u << 20, 3u << 20,
                            3u << 20, 3u << 20, 3u << 20, 3u << 20, 3u << 20, 700, 100};
    for (size_t m = 0; m < sizeof(sizes) / sizeof(sizes[0]); m++) {
        char *s;
        if (sizes[m] == (12u << 20)) { /* compressible: large decoded, small compressed */
            s = malloc(sizes[m] + 1);
            assert_non_null(s);
            for (size_t i = 0; i < sizes[m]; i++)
                s[i] = i % 64 == 63 ? '\n' : (char)('a' + i % 7);
            s[sizes[m] - 1] = '\n';
        } else {
            s = random_lines(sizes[m], &seed, &k);
        }
        put_gzip_n(&b, s, sizes[m]);
        put(&plain, s, sizes[m]);
        free(s);
    }
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len, CHAFF_FORMAT_TEXT, &copy);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESSION_GZIP);
    /* The paragraphs are the non-blank lines of the concatenated members, in order. */
    struct chaff_page page;
    struct chaff_error err = {0};
    size_t pos = 0, nparas = 0;
    int rc;
    while ((rc = chaff_reader_next(r, &page, &err)) == 1)
        for (size_t i = 0; i < page.nparas; i++, nparas++) {
            while (pos < plain.len && plain.data[pos] == '\n')
                pos++;
            assert_true(pos + page.lens[i] <= plain.len);
            assert_memory_equal(page.paras[i], plain.data + pos, page.lens[i]);
            pos += page.lens[i];
        }
    assert_int_equal(rc, 0);
    while (pos < plain.len && plain.data[pos] == '\n')
        pos++;
    assert_int_equal(pos, plain.len);
    assert_true(nparas > 100000);
    struct chaff_reader_stats st;
    chaff_reader_stats(r, &st);
    assert_int_equal(st.in_bytes, b.len);
    assert_int_equal(st.bytes, plain.len);
    chaff_reader_close(r);
    free(copy);
    free(b.data);
    free(plain.data);
}

static void zstd_frames_back_to_back_are_one_stream(void **state)
{
    (void)state;
    struct buf b = {0};
    put_zstd(&b, "{\"id\":\"a\",\"text\":\"x\\ny\"}\n");
    put_zstd(&b, "{\"id\":\"b\",\"text\":\"z\"}\n");
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len, CHAFF_FORMAT_AUTO, &copy);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESSION_ZSTD);
    assert_int_equal(chaff_reader_format(r), CHAFF_FORMAT_JSONL);
    char out[256];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), 0);
    assert_string_equal(out, "x|y|z|");
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

static void truncated_gzip_gives_the_pages_before_then_the_offset(void **state)
{
    (void)state;
    struct buf b = {0};
    put_gzip(&b, "{\"id\":\"a\",\"text\":\"first\"}\n");
    size_t second = b.len;
    put_gzip(&b, "{\"id\":\"b\",\"text\":\"second\"}\n");
    size_t cut = b.len - 5; /* inside the trailer of the second member */
    void *copy;
    struct chaff_reader *r = open_copy(b.data, cut, CHAFF_FORMAT_AUTO, &copy);
    char out[256], want[256];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), -2);
    /* zlib hands out the decoded bytes before it checks the trailer */
    assert_string_equal(out, "first|second|");
    assert_int_equal(err.code, CHAFF_ERR_PARSE);
    snprintf(want, sizeof(want), "in: byte %zu", cut);
    assert_string_equal(err.where, want);
    snprintf(want, sizeof(want), "truncated gzip stream (member starting at byte %zu)", second);
    assert_string_equal(err.msg, want);
    struct chaff_page page;
    assert_int_equal(chaff_reader_next(r, &page, &err), 0); /* and stays there */
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

static void truncated_text_keeps_the_lines_before_the_damage(void **state)
{
    (void)state;
    struct buf b = {0};
    char big[20000];
    for (size_t i = 0; i < sizeof(big) - 1; i++)
        big[i] = i % 100 == 99 ? '\n' : (char)('a' + i % 26);
    big[sizeof(big) - 1] = '\0';
    put_zstd(&b, "alpha\nbeta\n");
    put_zstd(&b, big);
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len - 3, CHAFF_FORMAT_TEXT, &copy);
    struct chaff_page page;
    struct chaff_error err = {0};
    assert_int_equal(chaff_reader_next(r, &page, &err), 1);
    assert_true(page.nparas >= 2);
    assert_string_equal(page.paras[0], "alpha");
    assert_int_equal(chaff_reader_next(r, &page, &err), -2);
    assert_non_null(strstr(err.msg, "truncated zstd stream (frame starting at byte "));
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

static void corrupt_gzip_is_invalid_data(void **state)
{
    (void)state;
    struct buf b = {0};
    put_gzip(&b, "some text that compresses\nsome text that compresses\n");
    memset(b.data + 12, 0xff, 6);
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len, CHAFF_FORMAT_TEXT, &copy);
    char out[256];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), -2);
    assert_non_null(strstr(err.msg, "invalid gzip data (member starting at byte 0): "));
    assert_non_null(strstr(err.where, "in: byte "));
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

static void garbage_after_a_gzip_member_is_damage(void **state)
{
    (void)state;
    struct buf b = {0};
    put_gzip(&b, "line\n");
    size_t end = b.len;
    put(&b, "\0\0\0\0", 4);
    void *copy;
    struct chaff_reader *r = open_copy(b.data, b.len, CHAFF_FORMAT_TEXT, &copy);
    char out[256], want[64];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), -2);
    assert_string_equal(out, "line|");
    snprintf(want, sizeof(want), "member starting at byte %zu", end);
    assert_non_null(strstr(err.msg, want));
    chaff_reader_close(r);
    free(copy);
    free(b.data);
}

static void short_and_empty_inputs_are_plain(void **state)
{
    (void)state;
    static const char *const inputs[] = {"", "x", "\x1f", "\x28\xb5\x2f"};
    for (size_t i = 0; i < sizeof(inputs) / sizeof(inputs[0]); i++) {
        void *copy;
        struct chaff_reader *r = open_copy(inputs[i], strlen(inputs[i]), CHAFF_FORMAT_AUTO, &copy);
        assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESSION_NONE);
        char out[64];
        struct chaff_error err = {0};
        assert_int_equal(read_all(r, out, sizeof(out), &err), 0);
        chaff_reader_close(r);
        free(copy);
    }
}

static void gzip_magic_alone_is_truncated(void **state)
{
    (void)state;
    void *copy;
    struct chaff_reader *r = open_copy("\x1f\x8b", 2, CHAFF_FORMAT_AUTO, &copy);
    assert_int_equal(chaff_reader_compression(r), CHAFF_COMPRESSION_GZIP);
    char out[64];
    struct chaff_error err = {0};
    assert_int_equal(read_all(r, out, sizeof(out), &err), -2);
    assert_string_equal(err.where, "in: byte 2");
    chaff_reader_close(r);
    free(copy);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(gzip_members_back_to_back_are_one_stream),
        cmocka_unit_test(gzip_members_of_every_size_are_read_alike),
        cmocka_unit_test(zstd_frames_back_to_back_are_one_stream),
        cmocka_unit_test(truncated_gzip_gives_the_pages_before_then_the_offset),
        cmocka_unit_test(truncated_text_keeps_the_lines_before_the_damage),
        cmocka_unit_test(corrupt_gzip_is_invalid_data),
        cmocka_unit_test(garbage_after_a_gzip_member_is_damage),
        cmocka_unit_test(short_and_empty_inputs_are_plain),
        cmocka_unit_test(gzip_magic_alone_is_truncated),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
