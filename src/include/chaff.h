/*
 * chaff.h - the one public header of libchaff.
 *
 * chaff labels every paragraph (one line of extracted text) of a web page with one of the
 * labels of a model, by default "content", "consent" or "navigation". A host program loads
 * a model once (chaff_model_load_*), shares it read-only between threads, and gives each
 * thread its own classifier context (chaff_classifier_create) to label whole pages.
 *
 * Conventions: functions return an int holding an enum chaff_status (CHAFF_OK on success)
 * and fill a caller-owned struct chaff_error, which may be NULL. The library never prints
 * and never exits. Every *_free / *_close accepts NULL. Text is UTF-8 (invalid bytes are
 * tolerated: they are replaced by U+FFFD and counted).
 */
#ifndef CHAFF_H
#define CHAFF_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* libchaff is built with -fvisibility=hidden; what this header declares is its interface and is
 * exported (CHAFF_API, for declarations outside it, does the same for one declaration). */
#if defined(__GNUC__)
#define CHAFF_API __attribute__((visibility("default")))
#pragma GCC visibility push(default)
#else
#define CHAFF_API
#endif

#define CHAFF_VERSION_STRING "0.1.0"

/* ------------------------------------------------------------------ errors */

enum chaff_status {
    CHAFF_OK = 0,
    CHAFF_ERR_IO,    /* reading or writing a file failed */
    CHAFF_ERR_PARSE, /* malformed input data (TSV, JSON, WARC, compressed stream) */
    CHAFF_ERR_NOMEM, /* out of memory or a size limit was hit */
    CHAFF_ERR_MODEL, /* a model file is truncated, corrupt, foreign or of a newer version */
    CHAFF_ERR_USAGE, /* an invalid argument or option value */
};

/* Filled by the library on failure. Caller-owned; pass NULL when the details do not matter. */
struct chaff_error {
    enum chaff_status code;
    char where[256]; /* "pages.tsv:1042", "crawl.warc.gz: byte 81920", or "" */
    char msg[256];   /* what went wrong, without the location */
};

/* Returns a static description of 'code'; never NULL. */
const char *chaff_strerror(enum chaff_status code);

/* ------------------------------------------------------------------ features */

/* Feature groups, bits of chaff_features_config.groups. */
#define CHAFF_FEAT_CHARS   0x01u /* hashed character n-grams of the normalised text */
#define CHAFF_FEAT_WORDS   0x02u /* hashed word n-grams */
#define CHAFF_FEAT_SHALLOW 0x04u /* length, character shares, separators, URLs, punctuation */
#define CHAFF_FEAT_CONTEXT 0x08u /* words and shallow features of neighbouring paragraphs */
#define CHAFF_FEAT_WINDOW  0x10u /* prose density around the paragraph, position in the page */
#define CHAFF_FEAT_ALL     0x1fu /* every group of text features */
#define CHAFF_FEAT_STRUCTURE 0x20u /* the page structure an HTML reader saw (struct
                                      chaff_page_structure): a model with this group needs HTML
                                      input */

/* Everything needed to turn a page into feature vectors exactly as at training time. It is
 * stored in the model file. Fill it with chaff_features_config_defaults(), change fields,
 * then validate it with chaff_features_config_check(). */
struct chaff_features_config {
    uint32_t hash_bits;      /* 2^hash_bits hashed buckets; default 20, range 10..26 */
    uint32_t char_ngram_min; /* shortest character n-gram, in code points; default 2 */
    uint32_t char_ngram_max; /* longest character n-gram; default 4, at most 8 */
    uint32_t word_ngram_max; /* 0 (no word features), 1 (unigrams) or 2 (+bigrams); default 2 */
    uint32_t context;        /* neighbours on each side that give context features; default 2,
                                at most 4 */
    uint32_t groups;         /* CHAFF_FEAT_* bits; default CHAFF_FEAT_ALL */
    uint32_t stacking;       /* 1: a second pass adds the first pass's scores of neighbouring
                                paragraphs as features; 0: single pass. Default 1 */
    uint32_t max_chars;      /* a paragraph's n-grams, words, character shares and first and
                                last characters come from its first max_chars code points
                                (its length and place from all of it; a longer line is not
                                compared with the title); 0: all of it. Default 128, else
                                8..65536 */
};

/* Sets every field of 'cfg' to its documented default. */
void chaff_features_config_defaults(struct chaff_features_config *cfg);

/* Returns CHAFF_OK when 'cfg' is usable, else CHAFF_ERR_USAGE with a message in 'err'. */
int chaff_features_config_check(const struct chaff_features_config *cfg, struct chaff_error *err);

/* The hash of chaff's word features: 64-bit FNV-1a over the bytes, finalised with the
 * MurmurHash3 64-bit mixer. Fixed across platforms and versions (the model file records the
 * id of the feature hashing, which also covers how n-grams and context features combine it). */
uint64_t chaff_hash_bytes(const void *data, size_t nbytes, uint64_t seed);

/* ------------------------------------------------------------------ models */

/* An immutable trained model. Opaque. Once loaded it may be shared by any number of threads. */
struct chaff_model;

/* Loads the model file at 'path' with one read. On success *model_out is a new model owned by
 * the caller (free with chaff_model_free). A truncated, corrupt, foreign or newer-version file
 * gives CHAFF_ERR_MODEL with a message that says which; so does a file whose checksum is right
 * but whose weights are not finite or exceed 1e6 in magnitude (they could make scores NaN). */
int chaff_model_load_file(const char *path, struct chaff_model **model_out,
                          struct chaff_error *err);

/* Loads a model from the 'nbytes' bytes at 'data' (copied; 'data' may be freed afterwards).
 * 'name' is used in error messages. Same errors as chaff_model_load_file(). */
int chaff_model_load_buffer(const void *data, size_t nbytes, const char *name,
                            struct chaff_model **model_out, struct chaff_error *err);

/* Loads the default model built into the library. Returns CHAFF_ERR_MODEL when this build has
 * none (chaff_has_default_model() == 0). */
int chaff_model_load_default(struct chaff_model **model_out, struct chaff_error *err);

/* 1 when a default model is built into this library, else 0. */
int chaff_has_default_model(void);

/* Writes 'model' to 'path' (atomically: a temporary file renamed into place). A model whose
 * weights the loader would refuse (not finite, or above 1e6 in magnitude) is not written:
 * CHAFF_ERR_MODEL. */
int chaff_model_save_file(const struct chaff_model *model, const char *path,
                          struct chaff_error *err);

/* Frees 'model' (NULL is fine). No classifier made from it may be used afterwards. */
void chaff_model_free(struct chaff_model *model);

/* Number of labels, and the name of label 'i' (borrowed from the model; NULL if out of range). */
size_t chaff_model_nlabels(const struct chaff_model *model);
const char *chaff_model_label_name(const struct chaff_model *model, size_t i);

/* Index of the label called 'name', or -1. */
int chaff_model_label_index(const struct chaff_model *model, const char *name);

/* The feature configuration the model was trained with (borrowed from the model). */
const struct chaff_features_config *chaff_model_features(const struct chaff_model *model);

/* 1 when 'model' was trained on HTML input and needs the page structure of each paragraph
 * (its features include CHAFF_FEAT_STRUCTURE), else 0. */
int chaff_model_needs_html(const struct chaff_model *model);

/* Loads the default model for HTML input built into the library. Returns CHAFF_ERR_MODEL when this
 * build has none. */
int chaff_model_load_default_html(struct chaff_model **model_out, struct chaff_error *err);

/* ------------------------------------------------------------------ page structure (HTML) */

/* The structure features of a page's paragraphs as the HTML reader saw them: paragraph i's are
 * the 64-bit hashes tokens[off[i]] .. tokens[off[i + 1] - 1] (its tag, its ancestors' tag path,
 * the class and id words of its nearest ancestors, its link density, ...; src/lib/html/). A token
 * whose low bit is set (CHAFF_STRUCT_SITE_WORD) is a class or id word, the kind that may name
 * one site only; training can drop those seen on too few sites. Borrowed by whoever is handed
 * it. */
struct chaff_page_structure {
    const uint64_t *tokens;
    const uint32_t *off; /* nparas + 1 entries, off[0] == 0 */
    const uint32_t *groups; /* CHAFF_STRUCT_GROUPS entries per paragraph, or NULL: groups[2i]
                               numbers the element enclosing paragraph i's block (its block's
                               parent), groups[2i + 1] the nearest ancestor of the block that
                               holds at least CHAFF_STRUCT_SECTION_LINES lines; paragraphs with
                               equal numbers share the element. Numbers are 0 .. nparas - 1,
                               in order of first use; CHAFF_STRUCT_NO_GROUP for none (the title
                               line). The second pass of a structure model pools its neighbours'
                               scores over them. */
};

#define CHAFF_STRUCT_GROUPS        2
#define CHAFF_STRUCT_SECTION_LINES 8
#define CHAFF_STRUCT_NO_GROUP      UINT32_MAX

#define CHAFF_STRUCT_SITE_WORD UINT64_C(1)

/* ------------------------------------------------------------------ classification */

/* One paragraph's result: the index of its label in the model and the label's probability. */
struct chaff_result {
    uint32_t label;
    float confidence;
};

/* Counters a classifier keeps across pages; plain data. */
struct chaff_counters {
    uint64_t pages;
    uint64_t paragraphs;
    uint64_t bytes;         /* input bytes of the paragraphs */
    uint64_t invalid_bytes; /* invalid UTF-8 bytes and NUL bytes replaced by U+FFFD */
    /* Time spent per stage, in nanoseconds; counted only after chaff_classifier_set_timing(). */
    uint64_t ns_normalize; /* NFKC, case folding, white space */
    uint64_t ns_featurize; /* n-grams, hashing, context and window features (normalising
                              excluded) */
    uint64_t ns_score;     /* weights of both passes, probabilities */
};

/* Per-thread classification context: scratch buffers reused from page to page, so the hot path
 * does not allocate once they have grown. Opaque. */
struct chaff_classifier;

/* Returns a new context for 'model' (borrowed: it must outlive the context), or NULL when out of
 * memory. Caller owns it; free with chaff_classifier_free(). One context per thread. */
struct chaff_classifier *chaff_classifier_create(const struct chaff_model *model);
void chaff_classifier_free(struct chaff_classifier *cl);

/* Labels the 'n' paragraphs of one page, in reading order. paras[i] points to lens[i] bytes
 * (borrowed for the call; need not be NUL-terminated; may hold any bytes). Writes n results to
 * 'out' (caller-owned array of n elements). Fails only with CHAFF_ERR_NOMEM. */
int chaff_classify_page(struct chaff_classifier *cl, const char *const *paras, const size_t *lens,
                        size_t n, struct chaff_result *out, struct chaff_error *err);

/* The same for a page read from HTML: 'st' (borrowed; NULL for a page without structure) gives
 * each paragraph's structure features. A model that needs them (chaff_model_needs_html()) given
 * st == NULL fails with CHAFF_ERR_USAGE; a text model ignores 'st'. */
int chaff_classify_page_structured(struct chaff_classifier *cl, const char *const *paras,
                                   const size_t *lens, size_t n,
                                   const struct chaff_page_structure *st,
                                   struct chaff_result *out, struct chaff_error *err);

/* Fills 'probs' (caller-owned, chaff_model_nlabels() floats) with the probability of every label
 * for paragraph 'i' of the page last classified with 'cl'. Returns CHAFF_ERR_USAGE if 'i' is
 * out of range. */
int chaff_classifier_probs(const struct chaff_classifier *cl, size_t i, float *probs,
                           struct chaff_error *err);

/* Turns the per-stage timers of the counters on (1) or off (0); off by default, since reading
 * the clock costs time on every paragraph. */
void chaff_classifier_set_timing(struct chaff_classifier *cl, int on);

/* Counters accumulated by 'cl' since it was created (borrowed). */
const struct chaff_counters *chaff_classifier_counters(const struct chaff_classifier *cl);

/* ------------------------------------------------------------------ page readers */

/* Input formats of page readers. */
enum chaff_format {
    CHAFF_FORMAT_AUTO = 0, /* sniffed from the first bytes of the (decompressed) input: "WARC/"
                              is WARC, a first non-blank byte '{' is JSONL, a first non-blank
                              '<' followed by '!', '?' or a letter is HTML, else text */
    CHAFF_FORMAT_TEXT,     /* plain text: each non-blank line a paragraph; a file is one page,
                              a line holding only a form feed separates pages */
    CHAFF_FORMAT_JSONL,    /* one JSON object per line, paragraphs are the non-blank lines of its
                              "text" string; "id" (or "url") names the page */
    CHAFF_FORMAT_WARC,     /* WARC 1.0/1.1 (Common Crawl WET): conversion records are pages,
                              paragraphs are the non-blank lines of their payload; response
                              records of HTML (HTTP head parsed, chunked and gzip bodies
                              decoded) and resource records of text/html are pages whose
                              paragraphs the HTML reader makes (chaff_page.structure set) */
    CHAFF_FORMAT_HTML,     /* one HTML page per input: paragraphs and structure as the HTML
                              reader makes them; sniffed from a first non-blank '<' that starts
                              a tag, comment or doctype */
};

/* Compression of a reader's input, detected from its magic bytes. */
enum chaff_compression {
    CHAFF_COMPRESSION_NONE = 0,
    CHAFF_COMPRESSION_GZIP, /* one or more gzip members back to back */
    CHAFF_COMPRESSION_ZSTD, /* one or more zstd frames */
};

/* One page (or, with chaff_reader_options.passthrough, one record that is no page) as a reader
 * yields it. All pointers are borrowed from the reader and valid until the next
 * chaff_reader_next() or chaff_reader_close(): a caller that keeps a page longer copies it. */
struct chaff_page {
    const char *id;            /* NUL-terminated page id: the file name (text, "NAME#K" for page
                                  K > 0), "id" or else "url" or else "NAME:LINE" (JSONL), the
                                  WARC-Record-ID (WARC) */
    size_t nparas;             /* number of paragraphs (may be 0) */
    const char *const *paras;  /* paras[i] points to lens[i] bytes, NUL-terminated */
    const size_t *lens;
    uint64_t index;            /* 0-based index of the page in its input */
    uint64_t offset;           /* byte offset (decompressed) of the page's record or line */
    /* Fields below were added for archive input; text pages leave them empty. */
    const char *url;           /* NUL-terminated: "url" (JSONL), WARC-Target-URI (WARC), or "" */
    const char *raw;           /* record bytes kept for pass-through, or NULL: the JSON line
                                  (JSONL, no newline); the WARC header block from "WARC/" up to
                                  and including the empty line that ends it (WARC) */
    size_t raw_len;
    const char *payload;       /* WARC: the record block (Content-Length bytes) of a record
                                  that is no page or of HTML; NULL for conversion records,
                                  which are read line by line; else NULL */
    size_t payload_len;
    int passthrough;           /* 1: a record that is no page (WARC warcinfo, request, ...),
                                  only yielded with chaff_reader_options.passthrough; then
                                  nparas == 0 and raw/payload hold the record */
    uint64_t lineno;           /* JSONL: 1-based line number; else 0 */
    const char *fields;        /* JSONL: the record's other members as one compact JSON object
                                  (the raw line without "text", "labels" and "confidences"),
                                  NUL-terminated, so that -o jsonl need not parse raw again;
                                  else NULL */
    /* Fields below were added for HTML input (CHAFF_FORMAT_HTML, WARC response and resource
     * records of HTML). */
    const struct chaff_page_structure *structure; /* the paragraphs' structure features, or
                                  NULL (not HTML, or not extracted yet: see html below) */
    const char *html;          /* with chaff_reader_options.defer_html: the page's HTML (the
                                  HTTP body, dechunked and decompressed), not yet made into
                                  paragraphs (nparas == 0): the caller runs chaff_html_extract()
                                  on it, in whichever thread it likes; else NULL */
    size_t html_len;
    const char *charset;       /* the charset of the HTTP Content-Type header, or NULL */
    int is_html;               /* 1: the page came from HTML (extracted or deferred) */
    /* A paragraph longer than chaff_reader_options.hold_para_bytes is held in memory by its
     * first hold_para_bytes bytes only (paras[i], lens[i]: all that classification looks at
     * with the default hold); its whole text is in the page's spill, a temporary file, which
     * chaff_page_write() copies through. */
    struct chaff_spill *spill; /* NULL when no paragraph is longer; borrowed like the rest:
                                  a caller that keeps the page takes a reference */
    /* A text, WET or JSONL page of more than chaff_reader_options.part_paras paragraphs (or
     * CHAFF_PART_BYTES of them) is handed out in parts, one after the other, each classified
     * on its own; all parts have the page's id and index. */
    uint64_t para_base;        /* index in the whole page of paras[0] */
    uint32_t part;             /* 0 for the first (or only) part */
    int more;                  /* 1: the page goes on in the next part (a last part may have
                                  no paragraphs) */
};

/* The spill of a page's over-long paragraphs (struct chaff_page.spill). Opaque and
 * reference-counted: chaff_spill_retain() takes a reference (from any thread), and
 * chaff_spill_release() drops one (NULL is fine); the file is removed with the last. */
struct chaff_spill;
void chaff_spill_retain(struct chaff_spill *s);
void chaff_spill_release(struct chaff_spill *s);

/* The whole length in bytes of paragraph 'i' of 'page': lens[i], or more when the paragraph is
 * in the page's spill. */
uint64_t chaff_page_para_len(const struct chaff_page *page, size_t i);

/* Reads pages from a file or standard input. Opaque; one reader per thread. */
struct chaff_reader;

struct chaff_reader_options {
    enum chaff_format format; /* default CHAFF_FORMAT_AUTO */
    int skip_bad;             /* 1: a malformed record (JSON line, WARC record, record over the
                                 size limit) is reported (chaff_reader_next returns -1) and
                                 reading goes on; 0 (default): it is reported as fatal (-2) and
                                 reading stops */
    int passthrough;          /* 1: WARC records that are no pages are yielded too, with
                                 page->passthrough set; 0 (default): they are skipped and
                                 counted in chaff_reader_stats.skipped */
    uint64_t max_record_bytes;/* largest JSON line, WARC record block or text line accepted;
                                 default CHAFF_MAX_RECORD_DEFAULT (1 GiB) */
    int defer_html;           /* 1: HTML pages are handed out unextracted (chaff_page.html);
                                 0 (default): the reader makes their paragraphs itself */
    uint64_t hold_para_bytes; /* text and WET input: a paragraph longer than this is held by
                                 its first hold_para_bytes bytes, its whole text goes to the
                                 page's spill (chaff_page.spill); 0: the default,
                                 CHAFF_HOLD_PARA_DEFAULT, the bytes features are made from
                                 plus a few, so that labels do not change */
    uint64_t max_html_elements;/* HTML pages made into paragraphs by the reader: see
                                 chaff_html_set_max_elements(); a cut page is handed out with
                                 the paragraphs before the cut and counted in
                                 chaff_reader_stats.cut; 0: the default */
    uint64_t part_paras;      /* a page of more paragraphs is handed out in parts of this many
                                 (chaff_page.part); 0: CHAFF_PART_PARAS_DEFAULT (65536) */
    uint64_t max_parsed_bytes;/* largest input that must be held whole to be parsed: a JSON
                                 line, an HTML page (WARC response or resource record, .html
                                 input) and its decoded HTTP body. A larger one is reported
                                 (CHAFF_ERR_NOMEM, counted in chaff_reader_stats.cut) and
                                 skipped; 0: CHAFF_MAX_PARSED_DEFAULT (8 MiB) */
};

#define CHAFF_MAX_PARSED_DEFAULT ((uint64_t)8 << 20)
#define CHAFF_PART_PARAS_DEFAULT ((uint64_t)65536)
/* A part also ends when the paragraphs it holds in memory reach this many bytes. */
#define CHAFF_PART_BYTES ((size_t)16 << 20)

#define CHAFF_HOLD_PARA_DEFAULT ((uint64_t)(256u * 1024u + 64u))

#define CHAFF_MAX_RECORD_DEFAULT ((uint64_t)1 << 30)

/* Sets every field of 'opt' to its documented default. */
void chaff_reader_options_defaults(struct chaff_reader_options *opt);

/* Opens 'path' ("-" for standard input); gzip and zstd input is decompressed transparently.
 * 'opt' (borrowed for the call) may be NULL for defaults. On success the caller owns
 * *reader_out and closes it with chaff_reader_close(). Fails with CHAFF_ERR_IO when the file
 * cannot be opened. */
int chaff_reader_open(const char *path, const struct chaff_reader_options *opt,
                      struct chaff_reader **reader_out, struct chaff_error *err);

/* The same over the 'nbytes' bytes at 'data' (borrowed: they must outlive the reader), named
 * 'name' in messages. For tests, fuzzers and hosts that hold the input in memory. */
int chaff_reader_open_memory(const void *data, size_t nbytes, const char *name,
                             const struct chaff_reader_options *opt,
                             struct chaff_reader **reader_out, struct chaff_error *err);

/* Reads the next page into *page (caller-owned; its pointers are borrowed, see above).
 * Returns 1 for a page, 0 at end of input, -1 with 'err' filled for a malformed record that
 * was skipped (only with skip_bad; reading goes on), or -2 with 'err' filled when reading
 * cannot go on (damaged compressed stream, read error, out of memory, or a malformed record
 * without skip_bad); every call after -2 returns 0. Pages before the damage are all returned
 * before the error. err->where is "NAME:LINE" (text, JSONL) or "NAME: byte N" (WARC record
 * offsets in the decompressed stream, compressed-stream damage in the compressed file). */
int chaff_reader_next(struct chaff_reader *r, struct chaff_page *page, struct chaff_error *err);

/* The format the reader settled on (never CHAFF_FORMAT_AUTO after the first page). */
enum chaff_format chaff_reader_format(const struct chaff_reader *r);

/* The compression of the input. */
enum chaff_compression chaff_reader_compression(const struct chaff_reader *r);

/* What a reader has seen so far; plain data. */
struct chaff_reader_stats {
    uint64_t pages;    /* pages returned (passthrough records not included) */
    uint64_t skipped;  /* WARC records that are no pages (warcinfo, request, revisit, metadata,
                          responses that are not HTML, ...) */
    uint64_t bad;      /* malformed records reported (cut ones included) */
    uint64_t cut;      /* records skipped for a size limit (max_record_bytes,
                          max_parsed_bytes) */
    uint64_t bytes;    /* decompressed bytes consumed */
    uint64_t in_bytes; /* input (compressed) bytes consumed */
    int64_t in_size;   /* size of the input file, or -1 when unknown (a pipe) */
    uint64_t raw_bodies; /* HTML responses whose body did not start as the Transfer-Encoding
                            or Content-Encoding of their HTTP head says (stored decoded by the
                            crawler): read as stored, as warcio does */
};

/* Fills 'st' (caller-owned). */
void chaff_reader_stats(const struct chaff_reader *r, struct chaff_reader_stats *st);

/* Closes 'r' (NULL is fine) and the file it opened; pages it returned become invalid. */
void chaff_reader_close(struct chaff_reader *r);

/* ------------------------------------------------------------------ HTML to paragraphs */

/* An HTML reader: makes the paragraphs ("lines") of a page and their structure features from
 * its HTML, by the rules the labelled pages were made with (libxml2's HTML parser; the
 * <title> first; script, style and the like dropped; each block element starts a line; inline
 * text joined; white space collapsed). Opaque; one per thread, its buffers reused from page to
 * page. */
struct chaff_html;

/* Returns a new HTML reader, or NULL when out of memory. Free with chaff_html_free(). */
struct chaff_html *chaff_html_create(void);
void chaff_html_free(struct chaff_html *hx);

/* The tree of a page is held whole while its paragraphs are made (about 600 bytes of memory
 * per element): a page of more than 'n' start tags is cut before the next one, and only the
 * paragraphs before it are made. 0: CHAFF_HTML_MAX_ELEMENTS_DEFAULT. */
#define CHAFF_HTML_MAX_ELEMENTS_DEFAULT ((uint64_t)100000)
void chaff_html_set_max_elements(struct chaff_html *hx, uint64_t n);

/* Bytes (of the page decoded to UTF-8) the last chaff_html_extract() left out for the element
 * limit; 0 when it parsed all of it. */
uint64_t chaff_html_cut(const struct chaff_html *hx);

/* Makes the paragraphs of the 'len' bytes of HTML at 'html' (borrowed for the call). 'charset'
 * is the HTTP Content-Type header's charset, or NULL. The encoding is taken from a byte order
 * mark, else the bytes are UTF-8 when they are valid UTF-8, else from 'charset', else from a
 * <meta charset> or http-equiv declaration, else cp1252 (latin-1 and ASCII declarations read as
 * cp1252). Sets page->nparas, paras, lens and structure, pointing into 'hx' (valid until its
 * next use or chaff_html_free()); the page's other fields are left as they are. Broken HTML
 * gives the paragraphs libxml2 recovers. Returns CHAFF_OK or CHAFF_ERR_NOMEM. */
int chaff_html_extract(struct chaff_html *hx, const char *html, size_t len, const char *charset,
                       struct chaff_page *page, struct chaff_error *err);

/* ------------------------------------------------------------------ page writers */

/* Output forms of chaff_page_write(). */
enum chaff_output {
    CHAFF_OUTPUT_TSV = 0, /* a row per paragraph, see chaff_writer_options.tsv_ids */
    CHAFF_OUTPUT_LABELS,  /* a label per paragraph, one per line */
    CHAFF_OUTPUT_JSONL,   /* an object per page: the JSONL input's fields (or "id" and "url"),
                             "labels", "confidences", and "text" holding the kept paragraphs
                             joined by newlines */
    CHAFF_OUTPUT_CLEAN,   /* the kept paragraphs, one per line; for WARC input a WARC record
                             per input record whose conversion payloads hold only the kept
                             paragraphs (Content-Length rewritten, WARC-Block-Digest dropped),
                             other records copied unchanged; an HTML page of a WARC (response
                             or resource record) becomes a conversion record of its kept
                             paragraphs (WARC-Refers-To the source record, Content-Type
                             text/plain, a record id derived from the source's), and the
                             request, response, resource, revisit and metadata records are
                             dropped, so that the output is a WET file */
};

struct chaff_writer_options {
    enum chaff_output output; /* default CHAFF_OUTPUT_TSV */
    uint64_t keep_mask;       /* bit i set: label i is kept by jsonl and clean output; default
                                 0, which keeps the model's "content" label */
    int tsv_ids;              /* 1: tsv rows are page_id<TAB>paragraph_index<TAB>label<TAB>
                                 confidence<TAB>text; 0 (default): label<TAB>confidence<TAB>text */
    int gzip_records;         /* clean WARC output: 1 compresses each record as its own gzip
                                 member (level 6; each writing thread keeps one compressor,
                                 freed when the thread ends); default 0 */
};

/* Sets every field of 'opt' to its documented default. */
void chaff_writer_options_defaults(struct chaff_writer_options *opt);

/* Writes one classified page to 'out' (a FILE *, borrowed) in the form 'opt' asks for.
 * 'page' (as returned by a reader of format 'format', or a copy) and its 'results' (page->nparas
 * entries, from chaff_classify_page) are borrowed for the call; 'model' names the labels.
 * A passthrough record is written by clean output only. Returns CHAFF_OK, CHAFF_ERR_IO on a write
 * error, CHAFF_ERR_PARSE when a JSONL page's raw line is not a JSON object, CHAFF_ERR_USAGE when
 * a result's label is not one of the model's (nothing is written then), or CHAFF_ERR_NOMEM. */
int chaff_page_write(void *out, const struct chaff_model *model,
                     const struct chaff_writer_options *opt, enum chaff_format format,
                     const struct chaff_page *page, const struct chaff_result *results,
                     struct chaff_error *err);

/* ------------------------------------------------------------------ pipeline */

/* The threaded pipeline that chaff classify runs on, for any host: pages go in (read from files
 * by a reader thread, or pushed by the host), worker threads label them (pages of HTML are made
 * into paragraphs there), and the host takes the labelled pages back in input order with
 * chaff_pipeline_next(). The bytes in flight (pages copied in, results and output not yet
 * taken back) stay under a budget, except for a single page larger than it. Opaque; one host
 * thread drives a pipeline. */
struct chaff_pipeline;

struct chaff_pipeline_options {
    const struct chaff_model *model;      /* borrowed (must outlive the pipeline): labels every
                                             page that html_model does not. Required */
    const struct chaff_model *html_model; /* borrowed, or NULL (default): labels the pages read
                                             from HTML (WARC responses, .html files) */
    unsigned threads;                     /* worker threads; default 1 */
    struct chaff_reader_options reader;   /* file inputs: how they are read (defer_html is
                                             set by the pipeline); default: the defaults */
    int write;                            /* 1: each page is also written by its worker with
                                             chaff_page_write() into memory
                                             (chaff_pipeline_item.output); default 0 */
    struct chaff_writer_options writer;   /* with 'write': the output asked for. tsv_ids is as
                                             given for text and HTML input and 1 for JSONL and
                                             WARC input; gzip_records is set for WARC input
                                             read from gzip */
    uint64_t html_keep_mask;              /* with 'write': writer.keep_mask for html_model's
                                             labels; default 0 (its "content" label) */
    size_t max_inflight_bytes;            /* the budget; 0 (default): 2 MiB per thread + 2 MiB */
    int timing;                           /* 1: stage timers in chaff_pipeline_stats; default 0 */
};

/* Sets every field of 'opt' to its documented default. */
void chaff_pipeline_options_defaults(struct chaff_pipeline_options *opt);

/* Starts a pipeline over the 'npaths' files at 'paths' (copied; "-" is standard input), read
 * one after the other by a reader thread. On success *pl_out is a new pipeline owned by the
 * caller (chaff_pipeline_close). Fails with CHAFF_ERR_USAGE on bad options, CHAFF_ERR_NOMEM, or
 * CHAFF_ERR_IO when a thread cannot be started; an input that cannot be opened is reported by
 * chaff_pipeline_next() in its turn. */
int chaff_pipeline_open_files(const struct chaff_pipeline_options *opt,
                              const char *const *paths, size_t npaths,
                              struct chaff_pipeline **pl_out, struct chaff_error *err);

/* Starts a pipeline the host feeds with chaff_pipeline_push(). Same ownership and errors. */
int chaff_pipeline_create(const struct chaff_pipeline_options *opt,
                          struct chaff_pipeline **pl_out, struct chaff_error *err);

/* Copies one page into a pipeline made by chaff_pipeline_create(): its id (NULL: ""), url,
 * paragraphs, and, for a page of HTML (is_html with html set and nparas == 0), its HTML and
 * charset, which a worker makes into paragraphs. 'page' is borrowed for the call; its other
 * fields are ignored. Returns 1 when the page was taken, 0 when the budget is used up and
 * nothing was taken (take pages with chaff_pipeline_next() and push it again), or -1 with
 * 'err' set (CHAFF_ERR_NOMEM; CHAFF_ERR_USAGE on a pipeline over files). Never blocks. */
int chaff_pipeline_push(struct chaff_pipeline *pl, const struct chaff_page *page,
                        struct chaff_error *err);

/* The same for a page whose 'nparas' paragraphs are the 'len' bytes at 'text' split at every
 * byte 'sep': 'text' holds exactly nparas - 1 of them (else -1, CHAFF_ERR_USAGE; nparas == 0
 * needs len == 0). For hosts that hold a page as one string. */
int chaff_pipeline_push_split(struct chaff_pipeline *pl, const char *id, const char *text,
                              size_t len, char sep, size_t nparas, struct chaff_error *err);

/* A labelled page as chaff_pipeline_next() hands it out. Everything is borrowed from the
 * pipeline, valid until the next chaff_pipeline_next() or chaff_pipeline_close(). */
struct chaff_pipeline_item {
    const struct chaff_page *page;      /* the page as read or pushed; for a page of HTML its
                                           paragraphs and structure as the HTML reader made them */
    const struct chaff_result *results; /* page->nparas results */
    const struct chaff_model *model;    /* the model that labelled it (the label names) */
    const char *input;                  /* the path of its input, or "" for a pushed page */
    enum chaff_format format;           /* the format of its input (pushed: CHAFF_FORMAT_TEXT,
                                           or CHAFF_FORMAT_HTML for a page of HTML) */
    const char *output;                 /* with options.write: the page as chaff_page_write()
                                           wrote it ('output_len' bytes, not NUL-terminated);
                                           else NULL */
    size_t output_len;
    uint64_t in_bytes;                  /* input bytes (as stored) consumed by the reader when
                                           it had read this page, over all inputs: progress */
    void *output_file;                  /* a FILE *: with options.write, for a page whose output
                                           went past 8 MiB (paragraphs in a spill), its whole output
                                           is in this temporary file, read from its start
                                           (owned by the pipeline, valid until the next call),
                                           and 'output' is empty; else NULL */
    uint64_t html_cut;                  /* a page of HTML cut at the element limit
                                           (reader.max_html_elements): the bytes of HTML left
                                           out; its paragraphs are those before the cut */
};

/* Takes the next labelled page, in input order, waiting for the workers when it is not ready.
 * Returns 1 with *item filled; 0 when there is nothing more (every input read, or, for a pushed
 * pipeline, every page pushed so far handed out: push more or close); -1 with 'err' set when
 * a reader skipped a malformed record (JSON line, WARC record, record over the size limit) or
 * -2 when an input could not be opened or read on, or a page could not be labelled or written
 * (out of memory; a text page for a model that needs HTML). Problems come in order with the
 * pages and the pipeline goes on after them (after -2 with the next input or page). */
int chaff_pipeline_next(struct chaff_pipeline *pl, struct chaff_pipeline_item *item,
                        struct chaff_error *err);

/* What a pipeline did so far; plain data. */
struct chaff_pipeline_stats {
    uint64_t pages;           /* pages handed out (passthrough records not counted) */
    uint64_t paragraphs;      /* their paragraphs */
    uint64_t paragraph_bytes; /* and the bytes of those */
    uint64_t bytes;           /* decompressed input bytes of the inputs read to the end */
    uint64_t in_bytes;        /* their input bytes as stored */
    uint64_t skipped;         /* their WARC records that are no pages */
    uint64_t bad;             /* their malformed records */
    /* With options.timing, complete once chaff_pipeline_next() has returned 0: */
    uint64_t ns_read;               /* reader thread, inside chaff_reader_next() */
    uint64_t ns_batch;              /* reader thread, copying pages into batches */
    uint64_t ns_classify;           /* workers, labelling and writing pages, summed */
    struct chaff_counters counters; /* the workers' classifier counters, summed */
    uint64_t cut;                   /* records of the inputs read to the end skipped for a
                                       size limit (max_record, max_parsed_bytes) */
    uint64_t raw_bodies;            /* chaff_reader_stats.raw_bodies of those inputs */
};

/* Fills 'st' (caller-owned). */
void chaff_pipeline_stats(const struct chaff_pipeline *pl, struct chaff_pipeline_stats *st);

/* Stops the pipeline (NULL is fine): pages not taken are dropped, the threads are joined, and
 * everything it handed out becomes invalid. */
void chaff_pipeline_close(struct chaff_pipeline *pl);

/* ------------------------------------------------------------------ labelled data (TSV) */

/* One labelled row of the TSV format page_id<TAB>lang<TAB>label<TAB>text, escapes decoded.
 * All pointers are borrowed from the reader: valid until the next call or until it is closed.
 * The strings are NUL-terminated; a raw NUL byte inside the text field is kept, so 'text_len'
 * (the decoded length) may exceed strlen(text). */
struct chaff_tsv_row {
    const char *page_id;
    const char *lang;
    const char *label;
    const char *text;
    size_t text_len;
    uint64_t line; /* 1-based line number in the file */
};

struct chaff_tsv_reader;

/* Opens 'path' ("-" for standard input) for reading rows. Caller owns the reader; close it with
 * chaff_tsv_close(). */
int chaff_tsv_open(const char *path, struct chaff_tsv_reader **reader_out,
                   struct chaff_error *err);

/* Reads the next row. Returns 1 for a row, 0 at end of input, or -1 with 'err' set
 * (err->where is "FILE:LINE"). A malformed row is an error: wrong field count, bad escape,
 * empty page id or label. */
int chaff_tsv_next(struct chaff_tsv_reader *r, struct chaff_tsv_row *row, struct chaff_error *err);
void chaff_tsv_close(struct chaff_tsv_reader *r);

/* Writes 'len' bytes of 'text' to 'out' escaped for the TSV text field (backslash, tab,
 * newline and carriage return escaped). 'out' is a FILE *; returns 0 or -1 on write error. */
int chaff_tsv_write_escaped(void *out, const char *text, size_t len);

/* Decodes the TSV escapes of 's' in place; returns the new length or -1 on a bad escape. */
long chaff_tsv_unescape(char *s, size_t len);

/* ------------------------------------------------------------------ training */

/* A set of labelled pages kept in memory. Opaque. */
struct chaff_dataset;

/* Returns a new empty dataset, or NULL when out of memory. Free with chaff_dataset_free(). */
struct chaff_dataset *chaff_dataset_create(void);
void chaff_dataset_free(struct chaff_dataset *ds);

/* Appends every row of the TSV file 'path' ("-" for standard input). Consecutive rows with the
 * same page id form a page. Errors name the file and line. */
int chaff_dataset_read_tsv(struct chaff_dataset *ds, const char *path, struct chaff_error *err);

/* What chaff_dataset_read_html() joined and aligned. */
struct chaff_align_counts {
    uint64_t pages;          /* labelled pages joined with their HTML */
    uint64_t gold;           /* labelled rows */
    uint64_t aligned;        /* rows paired with an extracted paragraph */
    uint64_t unaligned_gold; /* rows no extracted paragraph reproduced (and rows of pages
                                without HTML) */
    uint64_t unaligned_pred; /* extracted paragraphs no row was paired with */
    uint64_t missing_pages;  /* labelled pages without HTML */
    uint64_t extra_pages;    /* HTML pages without labelled rows */
    uint64_t bad_records;    /* malformed input records skipped */
};

/* Appends the labelled pages of 'labels_path' (TSV) as the HTML reader makes them from
 * 'pages_path' (a WARC of HTML response or resource records, or an .html file; gzip or not):
 * pages are joined by page id (WARC-Page-ID, else WARC-Record-ID; an .html file's name without
 * its extension), and each page's extracted paragraphs are aligned in order with its rows
 * (exact match after white space is collapsed). The page holds all its extracted paragraphs
 * with their structure; an unaligned paragraph is not trained on or scored, an unaligned row is
 * scored by chaff_eval_dataset() as predicted navigation. 'counts' (may be NULL) tells how the
 * join went. A dataset of HTML pages takes no TSV pages and the reverse (CHAFF_ERR_USAGE).
 * After a failure the dataset must be freed. */
int chaff_dataset_read_html(struct chaff_dataset *ds, const char *pages_path,
                            const char *labels_path, struct chaff_align_counts *counts,
                            struct chaff_error *err);

size_t chaff_dataset_npages(const struct chaff_dataset *ds);
size_t chaff_dataset_nparagraphs(const struct chaff_dataset *ds);
/* Distinct labels in first-seen order; name 'i' is borrowed from the dataset. */
size_t chaff_dataset_nlabels(const struct chaff_dataset *ds);
const char *chaff_dataset_label_name(const struct chaff_dataset *ds, size_t i);

/* liblinear solvers offered for training. */
enum chaff_solver {
    CHAFF_SOLVER_LR = 0,      /* L2-regularised logistic regression, primal (calibrated) */
    CHAFF_SOLVER_LR_DUAL = 7, /* L2-regularised logistic regression, dual (calibrated) */
    CHAFF_SOLVER_SVC = 2,     /* L2-regularised L2-loss SVM, primal (scores, not probabilities) */
    CHAFF_SOLVER_SVC_DUAL = 1,
};

struct chaff_train_options {
    struct chaff_features_config features;
    int solver;          /* enum chaff_solver; default CHAFF_SOLVER_LR_DUAL */
    double C;            /* regularisation; default 1.0 */
    double eps;          /* first-pass stopping tolerance; 0 (default): 10 for the LR dual,
                            0.1 for the SVM dual, 0.01 for the primal solvers */
    double fold_eps;     /* tolerance of the fold models of stacking; 0 (default): 4 x eps */
    unsigned threads;    /* worker threads (featurising) and processes (liblinear's jobs, each
                            in a child process seeding rand() alike); 0 = all cores. The same
                            data and options give the same model for any number */
    unsigned weight_bits;/* stored weight precision: 8, 16 or 32; default 16 */
    unsigned folds;      /* folds for the out-of-fold first-pass scores of stacking; default 2 */
    uint64_t seed;       /* fold assignment seed; default 1 */
    unsigned min_sites;  /* HTML datasets: a class or id word (CHAFF_STRUCT_SITE_WORD) is
                            learnt only when pages of at least this many sites (URL hosts)
                            have it, so that one site's names are not memorised; default 10 */
};

void chaff_train_options_defaults(struct chaff_train_options *opt);

/* What training reports. */
struct chaff_train_summary {
    size_t pages, paragraphs, labels;
    size_t features;  /* distinct feature indices seen */
    uint64_t nonzeros;/* non-zero entries of the training matrix */
    double seconds;
    double seconds_featurise, seconds_first, seconds_second; /* of 'seconds', by stage */
    int stacked;      /* 1 when the model has a second pass (it needs >= 20 pages per fold) */
};

/* Trains a model on 'ds'. On success *model_out is a new model owned by the caller and 'summary'
 * (may be NULL) is filled. */
int chaff_train(const struct chaff_dataset *ds, const struct chaff_train_options *opt,
                struct chaff_model **model_out, struct chaff_train_summary *summary,
                struct chaff_error *err);

/* What chaff_model_tune() did. */
struct chaff_tune_report {
    size_t paragraphs;       /* labelled held-out paragraphs scored */
    double macro_f1_before;  /* macro-F1 on them before tuning */
    double macro_f1_after;   /* and after */
    double offsets[64];      /* offset added to each label's final decision value */
};

/* Chooses one offset per label, added to the final decision values of a freshly trained
 * 'model', that maximises macro-F1 on the labelled 'heldout' pages (which must not be the data
 * the model is evaluated on), and folds them into the model. 'report' may be NULL. Fails with
 * CHAFF_ERR_USAGE when 'heldout' is empty or has a label the model lacks. */
int chaff_model_tune(struct chaff_model *model, const struct chaff_dataset *heldout,
                     struct chaff_tune_report *report, struct chaff_error *err);

/* ------------------------------------------------------------------ evaluation */

/* Confusion counts and derived metrics. Opaque. */
struct chaff_eval;

/* Returns a new evaluation over the labels of 'model' (borrowed; must outlive the evaluation),
 * or NULL when out of memory. */
struct chaff_eval *chaff_eval_create(const struct chaff_model *model);
void chaff_eval_free(struct chaff_eval *ev);

/* Records one paragraph: gold label 'gold', predicted 'pred' (label indices), page language
 * 'lang' (borrowed for the call) and its length in characters 'nchars'. */
int chaff_eval_add(struct chaff_eval *ev, uint32_t gold, uint32_t pred, const char *lang,
                   uint64_t nchars, struct chaff_error *err);

struct chaff_label_metrics {
    uint64_t support; /* gold paragraphs of this label */
    double precision, recall, f1;
    double char_precision, char_recall, char_f1; /* weighted by length in characters */
};

/* Overall figures. */
/* Classifies every page of 'ds' with 'cl' (its pages' structure given to it when the dataset
 * has one) and adds each labelled paragraph to 'ev' under its page's language and, when
 * 'ev_source' is not NULL, to 'ev_source' under its page's source (the page id up to its first
 * '-'); rows of an HTML dataset that the extraction did not reproduce are added as predicted
 * with the label named "navigation" (or, lacking one, the first label other than the gold).
 * Labels are matched by name; a dataset label the model lacks is CHAFF_ERR_USAGE. */
int chaff_eval_dataset(struct chaff_eval *ev, struct chaff_eval *ev_source,
                       struct chaff_classifier *cl, const struct chaff_dataset *ds,
                       struct chaff_error *err);

uint64_t chaff_eval_count(const struct chaff_eval *ev);
double chaff_eval_accuracy(const struct chaff_eval *ev);
double chaff_eval_macro_f1(const struct chaff_eval *ev);
double chaff_eval_char_macro_f1(const struct chaff_eval *ev);
/* Metrics of label 'label'. */
void chaff_eval_label(const struct chaff_eval *ev, uint32_t label, struct chaff_label_metrics *m);
/* Confusion count: paragraphs of gold label 'gold' predicted as 'pred'. */
uint64_t chaff_eval_confusion(const struct chaff_eval *ev, uint32_t gold, uint32_t pred);
/* Languages seen, in sorted order; name borrowed. Macro-F1 and count over that language's
 * paragraphs (labels with neither gold nor predicted paragraphs there are left out). */
size_t chaff_eval_nlangs(const struct chaff_eval *ev);
const char *chaff_eval_lang_name(const struct chaff_eval *ev, size_t i);
double chaff_eval_lang_macro_f1(const struct chaff_eval *ev, size_t i);
uint64_t chaff_eval_lang_count(const struct chaff_eval *ev, size_t i);

/* Page-averaged figures, so that one long page does not decide a score: the paragraphs added
 * since the last chaff_eval_end_page() form a page; ending it adds its macro-F1 (over the labels
 * it has as gold or predicted) to the mean over pages, overall and under the language of its
 * last paragraph. Ending a page with no paragraphs does nothing. chaff_eval_dataset() ends each
 * page itself. Each mean is 0 when no page was ended. */
int chaff_eval_end_page(struct chaff_eval *ev);
uint64_t chaff_eval_npages(const struct chaff_eval *ev);
double chaff_eval_page_macro_f1(const struct chaff_eval *ev);
uint64_t chaff_eval_lang_npages(const struct chaff_eval *ev, size_t i);
double chaff_eval_lang_page_macro_f1(const struct chaff_eval *ev, size_t i);
/* The source of a page: its id up to the first '-' ("wcxb-dev0001" -> "wcxb"), else "und";
 * written to 'out' ('cap' bytes, NUL-terminated). */
void chaff_page_source(const char *id, char *out, size_t cap);

#if defined(__GNUC__)
#pragma GCC visibility pop
#endif

#ifdef __cplusplus
}
#endif

#endif /* CHAFF_H */
