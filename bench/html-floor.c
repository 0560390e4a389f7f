/* html-floor - the floor of chaff's HTML benchmark: libxml2 parsing the pages of a WARC and
 * doing nothing else.
 *
 * Usage: html-floor [--split] [--reader own|chaff] [--extract] [--encoding NAME|auto]
 *                   [--max-pages N] [--json] FILE...
 *
 * For every HTML response record of each FILE (WARC, gzip members or plain), runs
 * htmlReadMemory(RECOVER|NONET|COMPACT|NOERROR|NOWARNING) on the HTTP body, then xmlFreeDoc, and
 * nothing else. Reports pages, HTML bytes, the process's CPU seconds (getrusage: reading,
 * decompressing, splitting records and parsing), the thread CPU seconds spent in libxml2 alone,
 * wall seconds, pages/s, MB/s and ms of CPU a page, and peak RSS.
 *
 *   --split        decompress and split the records only, no parsing (the I/O floor)
 *   --reader own   (default) this file's minimal WARC reader: zlib, the WARC head's
 *                  WARC-Type and Content-Length, the HTTP head skipped up to its empty line
 *                  (no chunked or compressed bodies: the benchmark's WARCs have none)
 *   --reader chaff chaff's own reader (chaff_reader_open with defer_html = 1, page.html);
 *                  only in the html-floor-chaff build (linked with chaff's library)
 *   --extract      with --reader chaff: chaff_html_extract() on each page instead of the bare
 *                  parse (chaff's reading and paragraph making without the classifier)
 *   --encoding E   the encoding handed to htmlReadMemory: auto (default, NULL: libxml2 reads a
 *                  BOM or <meta charset>, else takes UTF-8 and falls back to Latin-1), or a name
 *   --max-pages N  stop after N pages
 *   --json         one JSON object on standard output instead of text
 *
 * A benchmark program only: chaff itself reads WARC with src/lib/io/reader_warc.c. */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <time.h>

#include <libxml/HTMLparser.h>
#include <libxml/parser.h>
#include <zlib.h>

#ifdef HTML_FLOOR_CHAFF
#include "chaff.h"
#endif

#define PARSE_OPTIONS                                                                    \
    (HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_COMPACT | HTML_PARSE_NOERROR | \
     HTML_PARSE_NOWARNING)

#define die(...)                                  \
    do {                                          \
        fprintf(stderr, "html-floor: " __VA_ARGS__); \
        fputc('\n', stderr);                      \
        exit(1);                                  \
    } while (0)

/* ------------------------------------------------------------------ minimal WARC reader */

struct warc {
    FILE *f;
    const char *name;
    int gzip;           /* input is gzip (one or more members) */
    int zdone;          /* the input is used up */
    z_stream z;
    unsigned char in[1 << 16];
    unsigned char *buf; /* decompressed bytes buf[start..end) */
    size_t cap, start, end;
    uint64_t bytes;     /* decompressed bytes consumed */
};

static void warc_open(struct warc *w, const char *path)
{
    memset(w, 0, sizeof *w);
    w->name = path;
    w->f = fopen(path, "rb");
    if (!w->f)
        die("cannot open %s", path);
    int c1 = getc(w->f), c2 = getc(w->f);
    w->gzip = c1 == 0x1f && c2 == 0x8b;
    rewind(w->f);
    if (w->gzip && inflateInit2(&w->z, 15 + 16) != Z_OK)
        die("%s: inflateInit2 failed", path);
    w->cap = 1 << 20;
    w->buf = malloc(w->cap);
    if (!w->buf)
        die("%s: out of memory", path);
}

static void warc_close(struct warc *w)
{
    if (w->gzip)
        inflateEnd(&w->z);
    fclose(w->f);
    free(w->buf);
}

/* Appends more decompressed bytes to buf; returns 0 at the end of the input. */
static int warc_fill(struct warc *w)
{
    if (w->start > 0 && (w->start == w->end || w->start >= w->cap / 2)) {
        memmove(w->buf, w->buf + w->start, w->end - w->start);
        w->end -= w->start;
        w->start = 0;
    }
    if (w->cap - w->end < (1 << 16)) {
        w->cap *= 2;
        w->buf = realloc(w->buf, w->cap);
        if (!w->buf)
            die("%s: out of memory", w->name);
    }
    if (!w->gzip) {
        size_t n = fread(w->buf + w->end, 1, w->cap - w->end, w->f);
        w->end += n;
        return n > 0;
    }
    for (;;) {
        if (w->z.avail_in == 0) {
            if (w->zdone)
                return 0;
            size_t n = fread(w->in, 1, sizeof w->in, w->f);
            if (n == 0) {
                w->zdone = 1;
                return 0;
            }
            w->z.next_in = w->in;
            w->z.avail_in = (uInt)n;
        }
        w->z.next_out = w->buf + w->end;
        w->z.avail_out = (uInt)(w->cap - w->end);
        int rc = inflate(&w->z, Z_NO_FLUSH);
        size_t got = (size_t)(w->z.next_out - (w->buf + w->end));
        w->end += got;
        if (rc == Z_STREAM_END) {
            inflateReset(&w->z); /* the next gzip member */
        } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
            die("%s: damaged gzip stream", w->name);
        }
        if (got > 0)
            return 1;
    }
}

/* Makes at least n bytes available at buf + start; returns 0 when the input ends before. */
static int warc_need(struct warc *w, size_t n)
{
    while (w->end - w->start < n) {
        if (w->cap < n + (1 << 16) && w->start == 0) {
            while (w->cap < n + (1 << 16))
                w->cap *= 2;
            w->buf = realloc(w->buf, w->cap);
            if (!w->buf)
                die("%s: out of memory", w->name);
        }
        if (!warc_fill(w))
            return 0;
    }
    return 1;
}

/* The next line (without its end) at *line, length *len; returns 0 at the end of the input. */
static int warc_line(struct warc *w, const char **line, size_t *len)
{
    size_t scanned = 0;
    for (;;) {
        char *nl = memchr(w->buf + w->start + scanned, '\n', w->end - w->start - scanned);
        if (nl) {
            size_t n = (size_t)((unsigned char *)nl - (w->buf + w->start));
            *line = (const char *)w->buf + w->start;
            *len = n > 0 && (*line)[n - 1] == '\r' ? n - 1 : n;
            w->start += n + 1;
            w->bytes += n + 1;
            return 1;
        }
        scanned = w->end - w->start;
        if (!warc_fill(w))
            return 0;
    }
}

static int header_is(const char *line, size_t len, const char *name, const char **value,
                     size_t *vlen)
{
    size_t n = strlen(name);
    if (len <= n || line[n] != ':' || strncasecmp(line, name, n) != 0)
        return 0;
    size_t i = n + 1;
    while (i < len && (line[i] == ' ' || line[i] == '\t'))
        i++;
    *value = line + i;
    *vlen = len - i;
    return 1;
}

/* The next HTML response record's body at *html (valid until the next call), length *len;
 * returns 0 at the end of the input. */
static int warc_next(struct warc *w, const char **html, size_t *len)
{
    const char *line;
    size_t n;
    for (;;) {
        do {
            if (!warc_line(w, &line, &n))
                return 0;
        } while (n == 0);
        if (n < 5 || memcmp(line, "WARC/", 5) != 0)
            die("%s: expected a WARC record head", w->name);
        int64_t clen = -1;
        int response = 0;
        for (;;) {
            if (!warc_line(w, &line, &n))
                die("%s: truncated WARC head", w->name);
            if (n == 0)
                break;
            const char *v;
            size_t vn;
            if (header_is(line, n, "Content-Length", &v, &vn))
                clen = strtoll(v, NULL, 10);
            else if (header_is(line, n, "WARC-Type", &v, &vn))
                response = vn == 8 && memcmp(v, "response", 8) == 0;
        }
        if (clen < 0)
            die("%s: WARC record without Content-Length", w->name);
        if (!warc_need(w, (size_t)clen))
            die("%s: truncated WARC block", w->name);
        const char *block = (const char *)w->buf + w->start;
        w->start += (size_t)clen;
        w->bytes += (size_t)clen;
        if (!response)
            continue;
        /* Skip the HTTP head: up to the first empty line. */
        const char *end = block + clen, *p = block;
        const char *body = NULL;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            if (!nl)
                break;
            if (nl == p || (nl == p + 1 && *p == '\r')) {
                body = nl + 1;
                break;
            }
            p = nl + 1;
        }
        if (!body)
            continue; /* no HTTP head: not a page */
        *html = body;
        *len = (size_t)(end - body);
        return 1;
    }
}

/* ------------------------------------------------------------------ measuring */

static double cpu_seconds(int who)
{
    struct rusage ru;
    getrusage(who, &ru);
    return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
           ru.ru_stime.tv_usec / 1e6;
}

static double clock_seconds(clockid_t id)
{
    struct timespec ts;
    clock_gettime(id, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

struct totals {
    uint64_t pages, html_bytes, warc_bytes, nodes;
    double parse_cpu;
};

static void parse_page(const char *html, size_t len, const char *encoding, struct totals *t)
{
    double c0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
    htmlDocPtr doc = htmlReadMemory(html, (int)len, NULL, encoding, PARSE_OPTIONS);
    if (doc)
        xmlFreeDoc(doc);
    t->parse_cpu += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
}

int main(int argc, char **argv)
{
    int split = 0, json = 0, use_chaff = 0, extract = 0;
    const char *encoding = NULL;
    uint64_t max_pages = UINT64_MAX;
    int nfiles = 0;
    char **files = calloc((size_t)argc, sizeof *files);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "--split")) {
            split = 1;
        } else if (!strcmp(a, "--json")) {
            json = 1;
        } else if (!strcmp(a, "--extract")) {
            extract = 1;
        } else if (!strcmp(a, "--reader") && i + 1 < argc) {
            const char *v = argv[++i];
            if (!strcmp(v, "chaff"))
                use_chaff = 1;
            else if (strcmp(v, "own") != 0)
                die("--reader: own or chaff, not %s", v);
        } else if (!strcmp(a, "--encoding") && i + 1 < argc) {
            const char *v = argv[++i];
            encoding = strcmp(v, "auto") == 0 ? NULL : v;
        } else if (!strcmp(a, "--max-pages") && i + 1 < argc) {
            max_pages = strtoull(argv[++i], NULL, 10);
        } else if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            printf("usage: html-floor [--split] [--reader own|chaff] [--extract] "
                   "[--encoding NAME|auto] [--max-pages N] [--json] FILE...\n");
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            die("unknown option %s", a);
        } else {
            files[nfiles++] = argv[i];
        }
    }
    if (nfiles == 0)
        die("%s", "no input (usage: html-floor [OPTIONS] FILE...)");
#ifndef HTML_FLOOR_CHAFF
    if (use_chaff || extract)
        die("%s", "--reader chaff and --extract need the html-floor-chaff build");
#endif
    if (extract && !use_chaff)
        die("%s", "--extract needs --reader chaff");

    xmlInitParser();
    struct totals t = {0};
    double cpu0 = cpu_seconds(RUSAGE_SELF), wall0 = clock_seconds(CLOCK_MONOTONIC);
    for (int f = 0; f < nfiles && t.pages < max_pages; f++) {
        if (!use_chaff) {
            struct warc w;
            warc_open(&w, files[f]);
            const char *html;
            size_t len;
            while (t.pages < max_pages && warc_next(&w, &html, &len)) {
                t.pages++;
                t.html_bytes += len;
                if (!split)
                    parse_page(html, len, encoding, &t);
            }
            t.warc_bytes += w.bytes;
            warc_close(&w);
            continue;
        }
#ifdef HTML_FLOOR_CHAFF
        struct chaff_reader_options opt;
        chaff_reader_options_defaults(&opt);
        opt.defer_html = 1;
        struct chaff_reader *r = NULL;
        struct chaff_error err;
        memset(&err, 0, sizeof err);
        if (chaff_reader_open(files[f], &opt, &r, &err) != CHAFF_OK)
            die("cannot open %s with chaff's reader", files[f]);
        struct chaff_html *hx = extract ? chaff_html_create() : NULL;
        struct chaff_page page;
        int rc;
        while (t.pages < max_pages && (rc = chaff_reader_next(r, &page, &err)) != 0) {
            if (rc < 0)
                die("chaff's reader failed on %s", files[f]);
            if (!page.html) {
                if (page.is_html)
                    die("%s: chaff's reader gave an HTML page without page.html", files[f]);
                continue; /* not an HTML page */
            }
            t.pages++;
            t.html_bytes += page.html_len;
            if (split)
                continue;
            if (extract) {
                double c0 = clock_seconds(CLOCK_THREAD_CPUTIME_ID);
                if (chaff_html_extract(hx, page.html, page.html_len, page.charset, &page, &err) !=
                    CHAFF_OK)
                    die("chaff_html_extract failed on %s", files[f]);
                t.nodes += page.nparas;
                t.parse_cpu += clock_seconds(CLOCK_THREAD_CPUTIME_ID) - c0;
            } else {
                parse_page(page.html, page.html_len, encoding, &t);
            }
        }
        struct chaff_reader_stats st;
        chaff_reader_stats(r, &st);
        t.warc_bytes += st.bytes;
        chaff_html_free(hx);
        chaff_reader_close(r);
#endif
    }
    double cpu = cpu_seconds(RUSAGE_SELF) - cpu0;
    double wall = clock_seconds(CLOCK_MONOTONIC) - wall0;
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    double rss_mb = ru.ru_maxrss / 1024.0;
    const char *mode = split ? "split" : extract ? "extract" : "parse";
    double pages = t.pages ? (double)t.pages : 1.0;
    if (json) {
        printf("{\"mode\": \"%s\", \"reader\": \"%s\", \"encoding\": \"%s\", \"pages\": %llu, "
               "\"html_bytes\": %llu, \"warc_bytes\": %llu, \"paragraphs\": %llu, "
               "\"cpu_s\": %.3f, \"parse_cpu_s\": %.3f, \"wall_s\": %.3f, "
               "\"pages_per_cpu_s\": %.2f, \"mb_per_cpu_s\": %.2f, \"ms_cpu_per_page\": %.3f, "
               "\"ms_parse_per_page\": %.3f, \"peak_rss_mb\": %.1f, \"libxml2\": \"%s\"}\n",
               mode, use_chaff ? "chaff" : "own", encoding ? encoding : "auto",
               (unsigned long long)t.pages, (unsigned long long)t.html_bytes,
               (unsigned long long)t.warc_bytes, (unsigned long long)t.nodes, cpu, t.parse_cpu,
               wall, t.pages / (cpu > 0 ? cpu : 1e-9), t.html_bytes / 1e6 / (cpu > 0 ? cpu : 1e-9),
               1000 * cpu / pages, 1000 * t.parse_cpu / pages, rss_mb, xmlParserVersion);
    } else {
        printf("html-floor (%s, %s reader, encoding %s, libxml2 %s)\n", mode,
               use_chaff ? "chaff's" : "own", encoding ? encoding : "auto", xmlParserVersion);
        printf("  pages        %llu\n", (unsigned long long)t.pages);
        printf("  HTML         %.1f MB (WARC %.1f MB decompressed)\n", t.html_bytes / 1e6,
               t.warc_bytes / 1e6);
        printf("  CPU          %.2f s (libxml2 alone %.2f s); wall %.2f s\n", cpu, t.parse_cpu,
               wall);
        printf("  speed        %.1f pages/CPU-s, %.1f MB/CPU-s\n",
               t.pages / (cpu > 0 ? cpu : 1e-9), t.html_bytes / 1e6 / (cpu > 0 ? cpu : 1e-9));
        printf("  per page     %.3f ms CPU (libxml2 alone %.3f ms)\n", 1000 * cpu / pages,
               1000 * t.parse_cpu / pages);
        printf("  peak RSS     %.1f MB\n", rss_mb);
    }
    xmlCleanupParser();
    free(files);
    return 0;
}
