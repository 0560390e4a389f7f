/*
 * source.c - the byte source of the page readers: a file, standard input or a memory buffer,
 * decompressed on the fly when it starts with the gzip (1f 8b) or zstd (28 b5 2f fd) magic.
 *
 * gzip input may hold many members back to back (WARC files compress each record on its own).
 * A member that fits the input window (GZ_WINDOW compressed, GZ_OUT_MAX decompressed) is
 * decompressed whole by libdeflate, two to three times faster than zlib; any other member (a
 * large one, a damaged or truncated one) is streamed through zlib's inflate, which hands out
 * what it decoded before damage and says where it stopped. zstd input may hold
 * many frames; ZSTD_decompressStream() returns 0 at the end of each. Invariant: bytes decoded
 * before damage are always handed out before the error is reported, and the error carries the
 * offset in the compressed input where decoding stopped.
 */
#include "source.h"

#include "error.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <zlib.h>
#include <zstd.h>

#define IN_CHUNK (1u << 17)
#define GZ_WINDOW (1u << 20)        /* input window of gzip sources */
#define GZ_OUT_START (1u << 18)     /* first size of the decoded-member buffer */
#define GZ_OUT_MAX (1u << 23)       /* larger members are streamed by zlib */
#define GZ_MAX_FALLBACKS 8          /* members too large for the window before zlib takes over */

struct chaff_source {
    char *name;
    FILE *file; /* NULL for a memory source */
    int owns_file;
    const unsigned char *mem; /* memory source */
    size_t mem_len, mem_pos;
    int64_t size;
    enum chaff_compression compression;
    unsigned char *in; /* compressed bytes read, in[in_pos..in_len) not yet consumed */
    size_t in_pos, in_len, in_cap;
    uint64_t in_base; /* input offset of in[0] */
    int in_eof;
    z_stream zs;
    int zs_ready;
    struct libdeflate_decompressor *ld; /* gzip members decompressed whole */
    unsigned char *dbuf;                /* the last such member, dbuf[dpos..dlen) not handed out */
    size_t dpos, dlen, dcap;
    size_t dcap_given;                  /* the size of the last such buffer given away */
    int zlib_member;                    /* 1: the current member goes through zlib */
    unsigned big_members;               /* members that did not fit the window */
    ZSTD_DCtx *zd;
    int in_member;         /* inside a gzip member / zstd frame */
    uint64_t member_start; /* input offset where the current member or frame began */
    int failed;            /* 1: an error is pending; 2: it was reported */
    struct chaff_error pending;
};

/* Reads more input into src->in after the unconsumed bytes. Returns 0, or -1 on a read error
 * (stored as the pending error). */
static int refill(struct chaff_source *src)
{
    if (src->in_pos > 0) {
        memmove(src->in, src->in + src->in_pos, src->in_len - src->in_pos);
        src->in_base += src->in_pos;
        src->in_len -= src->in_pos;
        src->in_pos = 0;
    }
    size_t room = src->in_cap - src->in_len;
    size_t n;
    if (src->file != NULL) {
        n = fread(src->in + src->in_len, 1, room, src->file);
        if (n < room && ferror(src->file)) {
            chaff_error_set(&src->pending, CHAFF_ERR_IO, src->name, "read error: %s",
                            strerror(errno));
            src->failed = 1;
            return -1;
        }
    } else {
        n = src->mem_len - src->mem_pos < room ? src->mem_len - src->mem_pos : room;
        memcpy(src->in + src->in_len, src->mem + src->mem_pos, n);
        src->mem_pos += n;
    }
    if (n == 0)
        src->in_eof = 1;
    src->in_len += n;
    return 0;
}

static int init_source(struct chaff_source *src, const char *name, struct chaff_error *err)
{
    src->size = -1;
    src->name = strdup(name);
    src->in_cap = IN_CHUNK;
    src->in = malloc(IN_CHUNK);
    if (src->name == NULL || src->in == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    /* Sniff the compression from the first bytes (fewer than 4 bytes cannot be compressed). */
    while (src->in_len < 4 && !src->in_eof)
        if (refill(src) != 0) {
            src->failed = 0;
            *err = src->pending;
            return err->code;
        }
    const unsigned char *p = src->in;
    if (src->in_len >= 2 && p[0] == 0x1f && p[1] == 0x8b) {
        src->compression = CHAFF_COMPRESSION_GZIP;
        if (inflateInit2(&src->zs, 15 + 32) != Z_OK)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
        src->zs_ready = 1;
        unsigned char *in = realloc(src->in, GZ_WINDOW);
        src->ld = libdeflate_alloc_decompressor();
        if (in == NULL || src->ld == NULL) {
            if (in != NULL)
                src->in = in;
            return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
        }
        src->in = in;
        src->in_cap = GZ_WINDOW;
    } else if (src->in_len >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd) {
        src->compression = CHAFF_COMPRESSION_ZSTD;
        src->zd = ZSTD_createDCtx();
        if (src->zd == NULL)
            return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    } else {
        src->compression = CHAFF_COMPRESSION_NONE;
    }
    return CHAFF_OK;
}

int chaff_source_open(const char *path, const char *name, struct chaff_source **src_out,
                      struct chaff_error *err)
{
    *src_out = NULL;
    struct chaff_source *src = calloc(1, sizeof(*src));
    if (src == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    if (strcmp(path, "-") == 0) {
        src->file = stdin;
    } else {
        src->file = fopen(path, "rb");
        if (src->file == NULL) {
            int e = errno;
            free(src);
            return chaff_error_set(err, CHAFF_ERR_IO, name, "cannot open: %s", strerror(e));
        }
        src->owns_file = 1;
    }
    int rc = init_source(src, name, err);
    if (rc != CHAFF_OK) {
        chaff_source_close(src);
        return rc;
    }
    struct stat st;
    if (fstat(fileno(src->file), &st) == 0 && S_ISREG(st.st_mode))
        src->size = (int64_t)st.st_size;
    *src_out = src;
    return CHAFF_OK;
}

int chaff_source_open_memory(const void *data, size_t nbytes, const char *name,
                             struct chaff_source **src_out, struct chaff_error *err)
{
    *src_out = NULL;
    struct chaff_source *src = calloc(1, sizeof(*src));
    if (src == NULL)
        return chaff_error_set(err, CHAFF_ERR_NOMEM, name, "out of memory");
    src->mem = data;
    src->mem_len = nbytes;
    int rc = init_source(src, name, err);
    if (rc != CHAFF_OK) {
        chaff_source_close(src);
        return rc;
    }
    src->size = (int64_t)nbytes;
    *src_out = src;
    return CHAFF_OK;
}

void chaff_source_close(struct chaff_source *src)
{
    if (src == NULL)
        return;
    if (src->owns_file && src->file != NULL)
        fclose(src->file);
    if (src->zs_ready)
        inflateEnd(&src->zs);
    if (src->ld != NULL)
        libdeflate_free_decompressor(src->ld);
    free(src->dbuf);
    ZSTD_freeDCtx(src->zd);
    free(src->in);
    free(src->name);
    free(src);
}

enum chaff_compression chaff_source_compression(const struct chaff_source *src)
{
    return src->compression;
}

uint64_t chaff_source_in_offset(const struct chaff_source *src)
{
    return src->in_base + src->in_pos;
}

int64_t chaff_source_size(const struct chaff_source *src)
{
    return src->size;
}

/* Records damage at the current input offset as the pending error. */
static void damage(struct chaff_source *src, const char *what, const char *detail)
{
    char where[sizeof(src->pending.where)];
    snprintf(where, sizeof(where), "%s: byte %llu", src->name,
             (unsigned long long)chaff_source_in_offset(src));
    const char *unit = src->compression == CHAFF_COMPRESSION_GZIP ? "member" : "frame";
    chaff_error_set(&src->pending, CHAFF_ERR_PARSE, where, "%s (%s starting at byte %llu)%s%s",
                    what, unit, (unsigned long long)src->member_start, detail[0] ? ": " : "",
                    detail);
    src->failed = 1;
}

static size_t read_plain(struct chaff_source *src, unsigned char *out, size_t cap)
{
    size_t got = 0;
    while (got < cap) {
        if (src->in_pos == src->in_len) {
            if (src->in_eof || refill(src) != 0 || src->in_len == 0)
                break;
        }
        size_t n = src->in_len - src->in_pos;
        if (n > cap - got)
            n = cap - got;
        memcpy(out + got, src->in + src->in_pos, n);
        src->in_pos += n;
        got += n;
    }
    return got;
}

/* Streams the current gzip member through zlib into out[0..cap); returns the bytes written.
 * Clears src->zlib_member at the member's end. */
static size_t inflate_member(struct chaff_source *src, unsigned char *out, size_t cap)
{
    size_t got = 0;
    while (got < cap && !src->failed && src->zlib_member) {
        if (src->in_pos == src->in_len && !src->in_eof && refill(src) != 0)
            break;
        /* At the end of the input too: zlib may hold decoded bytes it had no room for. */
        const size_t before = got;
        src->zs.next_in = src->in + src->in_pos;
        src->zs.avail_in = (uInt)(src->in_len - src->in_pos);
        src->zs.next_out = out + got;
        src->zs.avail_out = (uInt)(cap - got);
        int zrc = inflate(&src->zs, Z_NO_FLUSH);
        src->in_pos = src->in_len - src->zs.avail_in;
        got = cap - src->zs.avail_out;
        if (zrc == Z_STREAM_END) {
            inflateReset(&src->zs);
            src->zlib_member = 0;
            src->in_member = 0;
        } else if (zrc == Z_DATA_ERROR || zrc == Z_NEED_DICT) {
            damage(src, "invalid gzip data", src->zs.msg != NULL ? src->zs.msg : "corrupt stream");
        } else if (zrc == Z_MEM_ERROR) {
            chaff_error_set(&src->pending, CHAFF_ERR_NOMEM, src->name, "out of memory");
            src->failed = 1;
        } else if (got == before && src->in_pos == src->in_len && src->in_eof) {
            damage(src, "truncated gzip stream", ""); /* nothing more to decode or hand out */
        }
        /* Else Z_OK and Z_BUF_ERROR: more input or more output room is needed; loop. */
    }
    return got;
}

/* Decompresses the member at src->in_pos whole into src->dbuf with libdeflate. Returns 1 when
 * done, 0 when the member must go through zlib instead (too large, damaged or truncated:
 * zlib then says what is wrong and where), -1 when out of memory. */
static int decode_member(struct chaff_source *src)
{
    for (;;) {
        size_t used = 0, n = 0;
        enum libdeflate_result r = LIBDEFLATE_INSUFFICIENT_SPACE;
        if (src->dcap > 0)
            r = libdeflate_gzip_decompress_ex(src->ld, src->in + src->in_pos,
                                              src->in_len - src->in_pos, src->dbuf, src->dcap,
                                              &used, &n);
        if (r == LIBDEFLATE_SUCCESS) {
            src->in_pos += used;
            src->dpos = 0;
            src->dlen = n;
            return 1;
        }
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE && src->dcap < GZ_OUT_MAX) {
            /* After a buffer was given away, its successor starts at its size (memory
             * that is not written to takes no room). */
            size_t cap = src->dcap > 0          ? src->dcap * 2
                         : src->dcap_given > 0 ? src->dcap_given
                                               : GZ_OUT_START;
            unsigned char *d = realloc(src->dbuf, cap);
            if (d == NULL)
                return -1;
            src->dbuf = d;
            src->dcap = cap;
            continue;
        }
        /* A member that fills the whole window may simply be longer than it. */
        if (r == LIBDEFLATE_INSUFFICIENT_SPACE || src->in_len - src->in_pos == src->in_cap)
            src->big_members++;
        return 0;
    }
}

/* Between gzip members: starts the next one, decoded whole into src->dbuf, or else to be
 * streamed by zlib (src->zlib_member). The window is topped up when half of it has been used
 * (moving what remains costs no more than reading it), and before a member that failed in a
 * window that was not full. Returns 0 when no member follows (the end of the input, or a read
 * error, pending), 1 when one was started (or running out of memory is pending). */
static int next_member(struct chaff_source *src)
{
    if (src->in_len - src->in_pos < src->in_cap / 2 && !src->in_eof && refill(src) != 0)
        return 0;
    if (src->in_pos == src->in_len)
        return 0; /* end of input between members */
    src->member_start = chaff_source_in_offset(src);
    src->in_member = 1;
    int rc = src->big_members < GZ_MAX_FALLBACKS ? decode_member(src) : 0;
    if (rc == 0 && src->in_len - src->in_pos < src->in_cap && !src->in_eof &&
        src->big_members < GZ_MAX_FALLBACKS) {
        if (refill(src) != 0)
            return 0;
        rc = decode_member(src);
    }
    if (rc < 0) {
        chaff_error_set(&src->pending, CHAFF_ERR_NOMEM, src->name, "out of memory");
        src->failed = 1;
    } else if (rc > 0) {
        src->in_member = 0;
    } else {
        src->zlib_member = 1;
    }
    return 1;
}

static size_t read_gzip(struct chaff_source *src, unsigned char *out, size_t cap)
{
    size_t got = 0;
    while (got < cap && !src->failed) {
        if (src->dpos < src->dlen) {
            size_t n = src->dlen - src->dpos < cap - got ? src->dlen - src->dpos : cap - got;
            memcpy(out + got, src->dbuf + src->dpos, n);
            src->dpos += n;
            got += n;
            continue;
        }
        if (src->zlib_member) {
            got += inflate_member(src, out + got, cap - got);
            continue;
        }
        if (!next_member(src))
            break;
    }
    return got;
}

char *chaff_source_detach(struct chaff_source *src, const char *lent)
{
    const uintptr_t p = (uintptr_t)lent, base = (uintptr_t)src->dbuf;
    if (src->dbuf == NULL || p < base || p >= base + src->dlen || src->dpos != src->dlen)
        return NULL;
    char *buf = (char *)src->dbuf;
    src->dcap_given = src->dcap;
    src->dbuf = NULL;
    src->dcap = src->dlen = src->dpos = 0;
    return buf;
}

size_t chaff_source_lend(struct chaff_source *src, const char **data_out)
{
    if (src->compression != CHAFF_COMPRESSION_GZIP || src->failed || src->zlib_member)
        return 0;
    if (src->dpos == src->dlen && !next_member(src))
        return 0;
    if (src->failed || src->dpos == src->dlen)
        return 0; /* a member for zlib, or damage: chaff_source_read() goes on */
    const size_t n = src->dlen - src->dpos;
    *data_out = (const char *)src->dbuf + src->dpos;
    src->dpos = src->dlen;
    return n;
}

static size_t read_zstd(struct chaff_source *src, unsigned char *out, size_t cap)
{
    size_t got = 0;
    while (got < cap && !src->failed) {
        if (src->in_pos == src->in_len && !src->in_eof && refill(src) != 0)
            break;
        if (src->in_pos == src->in_len && src->in_eof) {
            if (src->in_member) {
                /* The decoder may still hold decoded bytes; drain them before failing. */
                ZSTD_inBuffer zin = {src->in, 0, 0};
                ZSTD_outBuffer zout = {out, cap, got};
                size_t zrc = ZSTD_decompressStream(src->zd, &zout, &zin);
                if (!ZSTD_isError(zrc) && zout.pos > got) {
                    got = zout.pos;
                    continue;
                }
                damage(src, "truncated zstd stream", "");
            }
            break;
        }
        if (!src->in_member) {
            src->member_start = chaff_source_in_offset(src);
            src->in_member = 1;
        }
        ZSTD_inBuffer zin = {src->in + src->in_pos, src->in_len - src->in_pos, 0};
        ZSTD_outBuffer zout = {out, cap, got};
        size_t zrc = ZSTD_decompressStream(src->zd, &zout, &zin);
        src->in_pos += zin.pos;
        got = zout.pos;
        if (ZSTD_isError(zrc)) {
            damage(src, "invalid zstd data", ZSTD_getErrorName(zrc));
        } else if (zrc == 0) {
            src->in_member = 0;
        }
    }
    return got;
}

long chaff_source_read(struct chaff_source *src, void *buf, size_t cap, struct chaff_error *err)
{
    if (src->failed == 2)
        return 0;
    size_t got = 0;
    if (src->failed == 0) {
        if (cap > (size_t)1 << 30)
            cap = (size_t)1 << 30;
        switch (src->compression) {
        case CHAFF_COMPRESSION_NONE:
            got = read_plain(src, buf, cap);
            break;
        case CHAFF_COMPRESSION_GZIP:
            got = read_gzip(src, buf, cap);
            break;
        case CHAFF_COMPRESSION_ZSTD:
            got = read_zstd(src, buf, cap);
            break;
        }
    }
    if (got > 0)
        return (long)got;
    if (src->failed == 1) {
        src->failed = 2;
        if (err != NULL)
            *err = src->pending;
        return -1;
    }
    return 0;
}
