/*
 * train.c - training with liblinear. The dataset is featurised once (pages split between
 * threads) into liblinear's sparse rows: indices 1-based, ascending, duplicates merged, a bias
 * node, then the -1 sentinel. Every label gets its own one-vs-rest binary problem, so the
 * problems run side by side on all cores (in child processes, for repeatable models: see
 * run_jobs()); they share the rows and differ only in 'y'.
 *
 * With stacking, the first pass is also trained 'folds' times on all pages but one fold, to
 * give every paragraph first-pass probabilities from a model that did not see its page; the
 * second pass learns from those, as it will see them on new pages.
 *
 * Where the time goes (1M paragraphs, 2 cores): the first pass's dual coordinate descent. Its
 * models stop early (eps 10 by default, the fold models at 4x that): on held-out pages that
 * costs 0.002 macro-F1 against eps 0.1 for a fifth of the time. The second pass has a few
 * hundred dense, correlated features, where dual coordinate descent crawls and the primal
 * Newton solver converges in a few steps, so it always uses the primal solver.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include "dataset.h"
#include "error.h"
#include "features.h"
#include "grow.h"
#include "hash.h"
#include "model.h"

#include <errno.h>
#include <linear.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHAFF_MIN_PAGES_PER_FOLD 20
#define CHAFF_LR_DUAL_EPS        10.0 /* default stopping tolerance of the first pass (LR dual) */
#define FOLD_EPS_FACTOR          4.0  /* fold models stop at this multiple of the first pass's */
#define STACK_EPS                0.3  /* primal solver tolerance of the second pass */

void chaff_train_options_defaults(struct chaff_train_options *opt)
{
    memset(opt, 0, sizeof(*opt));
    chaff_features_config_defaults(&opt->features);
    opt->solver = CHAFF_SOLVER_LR_DUAL;
    opt->C = 1.0;
    opt->eps = 0; /* the solver's own default */
    opt->threads = 0;
    opt->weight_bits = 16;
    opt->folds = 2;
    opt->seed = 1;
    opt->min_sites = 10;
}

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void print_nothing(const char *s)
{
    (void)s;
}

/* ------------------------------------------------------------------ sorting rows */

/* Sorts keys (index << 32 | float bits) ascending: by index first. */
static void sort_keys(uint64_t *a, size_t n)
{
    while (n > 16) {
        uint64_t pivot = a[n / 2];
        size_t i = 0, j = n - 1;
        for (;;) {
            while (a[i] < pivot)
                i++;
            while (a[j] > pivot)
                j--;
            if (i >= j)
                break;
            uint64_t t = a[i];
            a[i] = a[j];
            a[j] = t;
            i++;
            j--;
        }
        /* Recurse into the smaller part, loop on the larger: O(log n) stack. */
        size_t left = j + 1;
        if (left < n - left) {
            sort_keys(a, left);
            a += left;
            n -= left;
        } else {
            sort_keys(a + left, n - left);
            n = left;
        }
    }
    for (size_t i = 1; i < n; i++) {
        uint64_t v = a[i];
        size_t j = i;
        while (j > 0 && a[j - 1] > v) {
            a[j] = a[j - 1];
            j--;
        }
        a[j] = v;
    }
}

/* Growing array of feature nodes (one per featurising thread). */
struct node_buf {
    struct feature_node *p;
    size_t n, cap;
    uint64_t *keys;
    size_t keys_cap;
};

/* Appends the vector made of 'own' and 'rest' (NULL: none) as one liblinear row (sorted,
 * merged, bias node, sentinel). Returns 0/-1. */
static int append_row(struct node_buf *b, const struct chaff_fvec *own,
                      const struct chaff_fvec *rest, int bias_index)
{
    const size_t total = own->n + (rest != NULL ? rest->n : 0);
    if (total > b->keys_cap) {
        size_t cap = b->keys_cap > 0 ? b->keys_cap : 1024;
        while (cap < total)
            cap *= 2;
        uint64_t *k = realloc(b->keys, cap * sizeof(uint64_t));
        if (k == NULL)
            return -1;
        b->keys = k;
        b->keys_cap = cap;
    }
    size_t nk = 0;
    for (const struct chaff_fvec *v = own; v != NULL; v = v == own ? rest : NULL)
        for (size_t i = 0; i < v->n; i++) {
            uint32_t bits;
            memcpy(&bits, &v->val[i], 4);
            b->keys[nk++] = (uint64_t)v->idx[i] << 32 | bits;
        }
    sort_keys(b->keys, total);
    if (b->n + total + 2 > b->cap) {
        size_t cap = b->cap > 0 ? b->cap : 1 << 16;
        while (cap < b->n + total + 2)
            cap *= 2;
        struct feature_node *p = realloc(b->p, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        b->p = p;
        b->cap = cap;
    }
    struct feature_node *out = b->p + b->n;
    size_t m = 0;
    for (size_t i = 0; i < total; i++) {
        int idx = (int)(b->keys[i] >> 32) + 1;
        float val;
        uint32_t bits = (uint32_t)b->keys[i];
        memcpy(&val, &bits, 4);
        if (m > 0 && out[m - 1].index == idx)
            out[m - 1].value += val;
        else {
            out[m].index = idx;
            out[m].value = val;
            m++;
        }
    }
    out[m].index = bias_index;
    out[m].value = 1.0;
    out[m + 1].index = -1;
    out[m + 1].value = 0;
    b->n += m + 2;
    return 0;
}

/* ------------------------------------------------------------------ featurising the dataset */

struct fx_work {
    const struct chaff_dataset *ds;
    const struct chaff_features_config *cfg;
    const uint64_t *rare; /* sorted site words of too few sites, not learnt */
    size_t nrare;
    size_t page_lo, page_hi;
    struct node_buf nodes;
    size_t *row_off; /* shared [npara]: offset of paragraph i's row in its thread's buffer */
    uint8_t *title;   /* shared [npara], see struct train_state */
    size_t *headline; /* shared [npages] */
    int failed;
};

struct row_sink {
    struct fx_work *w;
    size_t first;
    int bias_index;
};

static int sink_row(void *ctx, size_t i, const struct chaff_fvec *own,
                    const struct chaff_fvec *rest, const float *chars)
{
    (void)chars; /* no character scorer: the n-grams are in 'own' */
    struct row_sink *s = ctx;
    s->w->row_off[s->first + i] = s->w->nodes.n;
    return append_row(&s->w->nodes, own, rest, s->bias_index) != 0 ? -1 : 0;
}

/* Page texts (and structure) as the featuriser wants them, in scratch arrays grown as needed. */
struct page_view {
    const char **paras;
    size_t *lens;
    size_t cap;
    struct chaff_page_structure st;
    uint64_t *tokens;
    uint32_t *off;
    size_t tokens_cap, off_cap;
};

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Fills pv->st with the structure of page 'page' of 'ds', leaving out the tokens of 'rare'
 * (sorted). Returns 0 or -1. */
static int page_view_structure(struct page_view *pv, const struct chaff_dataset *ds, size_t page,
                               const uint64_t *rare, size_t nrare)
{
    const struct chaff_dataset_page *pg = &ds->pages[page];
    const size_t lo = ds->st_first[pg->first], hi = ds->st_first[pg->first + pg->n];
    if (chaff_grow((void **)&pv->tokens, &pv->tokens_cap, hi - lo + 1, sizeof(uint64_t)) != 0 ||
        chaff_grow((void **)&pv->off, &pv->off_cap, pg->n + 1, sizeof(uint32_t)) != 0)
        return -1;
    size_t nt = 0;
    pv->off[0] = 0;
    for (size_t i = 0; i < pg->n; i++) {
        for (size_t k = ds->st_first[pg->first + i]; k < ds->st_first[pg->first + i + 1]; k++) {
            uint64_t t = ds->st_tokens[k];
            if ((t & CHAFF_STRUCT_SITE_WORD) && nrare > 0 &&
                bsearch(&t, rare, nrare, sizeof(uint64_t), cmp_u64) != NULL)
                continue;
            pv->tokens[nt++] = t;
        }
        pv->off[i + 1] = (uint32_t)nt;
    }
    pv->st.tokens = pv->tokens;
    pv->st.off = pv->off;
    pv->st.groups = ds->st_groups + pg->first * CHAFF_STRUCT_GROUPS;
    return 0;
}

struct word_site {
    uint64_t word, site;
};

static int cmp_word_site(const void *a, const void *b)
{
    const struct word_site *x = a, *y = b;
    if (x->word != y->word)
        return x->word < y->word ? -1 : 1;
    return x->site < y->site ? -1 : x->site > y->site;
}

/* The site words (class and id words) of 'ds' that pages of fewer than 'min_sites' sites
 * have, sorted, into *rare_out (caller frees). Returns their number, or -1. */
static long rare_site_words(const struct chaff_dataset *ds, unsigned min_sites, uint64_t **rare_out)
{
    *rare_out = NULL;
    if (!ds->has_structure || min_sites <= 1)
        return 0;
    /* (word, site) pairs, one per page and word, sorted and counted. */
    size_t n = 0, cap = 0;
    uint64_t *pairs = NULL;
    for (size_t p = 0; p < ds->npages; p++) {
        const struct chaff_dataset_page *pg = &ds->pages[p];
        if (pg->n == 0)
            continue;
        for (size_t k = ds->st_first[pg->first]; k < ds->st_first[pg->first + pg->n]; k++) {
            uint64_t t = ds->st_tokens[k];
            if (!(t & CHAFF_STRUCT_SITE_WORD))
                continue;
            if (chaff_grow((void **)&pairs, &cap, 2 * n + 2, sizeof(uint64_t)) != 0) {
                free(pairs);
                return -1;
            }
            pairs[2 * n] = t;
            pairs[2 * n + 1] = pg->site;
            n++;
        }
    }
    /* Sorted by word, then site. */
    struct word_site *pp = (struct word_site *)pairs;
    qsort(pp, n, sizeof(*pp), cmp_word_site);
    uint64_t *rare = malloc((n > 0 ? n : 1) * sizeof(uint64_t));
    if (rare == NULL) {
        free(pairs);
        return -1;
    }
    size_t nrare = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        unsigned sites = 0;
        while (j < n && pp[j].word == pp[i].word) {
            if (j == i || pp[j].site != pp[j - 1].site)
                sites++;
            j++;
        }
        if (sites < min_sites)
            rare[nrare++] = pp[i].word;
        i = j;
    }
    free(pairs);
    *rare_out = rare;
    return (long)nrare;
}

static int page_view_fill(struct page_view *pv, const struct chaff_dataset *ds, size_t page)
{
    const struct chaff_dataset_page *pg = &ds->pages[page];
    if (pg->n > pv->cap) {
        size_t cap = pg->n * 2;
        const char **p = realloc(pv->paras, cap * sizeof(*p));
        if (p == NULL)
            return -1;
        pv->paras = p;
        size_t *l = realloc(pv->lens, cap * sizeof(*l));
        if (l == NULL)
            return -1;
        pv->lens = l;
        pv->cap = cap;
    }
    for (size_t k = 0; k < pg->n; k++) {
        pv->paras[k] = ds->arena + ds->text_off[pg->first + k];
        pv->lens[k] = ds->text_len[pg->first + k];
    }
    return 0;
}

/* Runs fn on each of the n items of 'items' (item_size bytes apart), one thread each; the items
 * a thread could not be started for run in the calling thread. Returns when all are done. */
static void run_threads(void *(*fn)(void *), void *items, size_t item_size, unsigned n)
{
    pthread_t tid[64];
    unsigned started = 0;
    for (; started < n && started < 64; started++)
        if (pthread_create(&tid[started], NULL, fn, (char *)items + started * item_size) != 0)
            break;
    for (unsigned k = started; k < n; k++)
        fn((char *)items + k * item_size);
    for (unsigned k = 0; k < started; k++)
        pthread_join(tid[k], NULL);
}

static void *featurise_thread(void *arg)
{
    struct fx_work *w = arg;
    struct chaff_featurizer fx;
    struct page_view pv = {0};
    if (chaff_featurizer_init(&fx, w->cfg) != 0) {
        w->failed = 1;
        return NULL;
    }
    int bias_index = (int)(UINT32_C(1) << w->cfg->hash_bits) + 1;
    for (size_t p = w->page_lo; p < w->page_hi && !w->failed; p++) {
        const struct chaff_dataset_page *pg = &w->ds->pages[p];
        struct row_sink s = {w, pg->first, bias_index};
        if (w->ds->has_structure) {
            if (page_view_structure(&pv, w->ds, p, w->rare, w->nrare) != 0) {
                w->failed = 1;
                break;
            }
            fx.structure = &pv.st;
        }
        if (page_view_fill(&pv, w->ds, p) != 0 ||
            chaff_features_page(&fx, (const char *const *)pv.paras, pv.lens, pg->n, sink_row,
                                &s) != 0) {
            w->failed = 1;
            break;
        }
        for (size_t i = 0; i < pg->n; i++)
            w->title[pg->first + i] = fx.info[i].title;
        w->headline[p] = fx.headline;
    }
    chaff_featurizer_release(&fx);
    free(pv.paras);
    free(pv.lens);
    free(pv.tokens);
    free(pv.off);
    return NULL;
}

/* ------------------------------------------------------------------ one-vs-rest jobs */

struct job {
    const struct problem *base; /* rows and bias of the subset */
    const uint32_t *label;      /* class of each row of the subset */
    uint32_t positive;          /* the label this job separates from the rest */
    const struct parameter *param;
    double *w;   /* out: n + 1 weights (the last is the bias weight) */
    int failed;
};

static void run_job(struct job *j)
{
    const struct problem *b = j->base;
    struct problem prob = *b;
    double *y = malloc((size_t)b->l * sizeof(double));
    if (y == NULL) {
        j->failed = 1;
        return;
    }
    size_t npos = 0;
    for (int i = 0; i < b->l; i++) {
        y[i] = j->label[i] == j->positive ? 1.0 : -1.0;
        npos += j->label[i] == j->positive;
    }
    prob.y = y;
    size_t nw = (size_t)b->n;
    if (npos == 0 || npos == (size_t)b->l) {
        /* One class only: a constant decision. */
        memset(j->w, 0, nw * sizeof(double));
        j->w[nw - 1] = npos == 0 ? -8.0 : 8.0;
        free(y);
        return;
    }
    struct model *m = train(&prob, j->param);
    free(y);
    if (m == NULL) {
        j->failed = 1;
        return;
    }
    /* liblinear numbers classes in order of appearance: w points to label[0]. */
    double sign = m->label[0] == 1 ? 1.0 : -1.0;
    for (size_t f = 0; f < nw; f++)
        j->w[f] = sign * m->w[f];
    free_and_destroy_model(&m);
}

/* Runs every job in a child process of its own, at most 'procs' at a time. liblinear's dual
 * solvers draw their coordinate order from the process-wide rand(): jobs side by side in
 * threads interleave their draws, and the model changed from run to run. A child seeds rand()
 * with 1, trains and writes its weights into j->w (shared memory, see shared_doubles()). Each
 * child holds the only write end of a pipe of its own: end of file on it says the child is
 * gone, whether it finished or crashed, and then its exit status tells which. So a model is
 * the same whatever the number of threads, run after run. A job whose process cannot be
 * started runs in this process. */
static int run_jobs(struct job *jobs, size_t njobs, unsigned procs)
{
    pid_t pid[64];
    struct pollfd pfd[64];
    const unsigned nslots = procs > 64 ? 64 : procs < 1 ? 1 : procs;
    unsigned running = 0;
    int failed = 0;
    for (unsigned k = 0; k < nslots; k++) {
        pid[k] = 0;
        pfd[k].fd = -1;
        pfd[k].events = POLLIN;
    }
    size_t next = 0;
    while (next < njobs || running > 0) {
        for (unsigned k = 0; k < nslots && next < njobs; k++) {
            if (pid[k] != 0)
                continue;
            struct job *j = &jobs[next++];
            int fds[2] = {-1, -1};
            pid_t p = pipe(fds) == 0 ? fork() : -1;
            if (p == 0) {
                close(fds[0]);
                srand(1);
                run_job(j);
                _exit(j->failed ? 1 : 0);
            }
            if (p < 0) {
                if (fds[0] >= 0) {
                    close(fds[0]);
                    close(fds[1]);
                }
                srand(1);
                run_job(j);
                failed |= j->failed;
                continue;
            }
            close(fds[1]);
            pid[k] = p;
            pfd[k].fd = fds[0];
            running++;
        }
        if (running == 0)
            continue;
        if (poll(pfd, nslots, -1) < 0) {
            if (errno == EINTR)
                continue;
            failed = 1;
            break;
        }
        for (unsigned k = 0; k < nslots; k++) {
            if (pid[k] == 0 || pfd[k].revents == 0)
                continue;
            int status = 0;
            while (waitpid(pid[k], &status, 0) < 0 && errno == EINTR)
                ;
            if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
                failed = 1;
            close(pfd[k].fd);
            pfd[k].fd = -1;
            pid[k] = 0;
            running--;
        }
    }
    for (unsigned k = 0; k < nslots; k++)
        if (pid[k] != 0) { /* poll failed: collect the children before giving up */
            waitpid(pid[k], NULL, 0);
            close(pfd[k].fd);
        }
    for (size_t k = 0; k < njobs; k++)
        if (jobs[k].failed)
            failed = 1;
    return failed ? -1 : 0;
}

/* Memory the job processes write their weights into. */
static double *shared_doubles(size_t n)
{
    void *p = mmap(NULL, (n > 0 ? n : 1) * sizeof(double), PROT_READ | PROT_WRITE,
                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    return p == MAP_FAILED ? NULL : p; /* zero-filled */
}

static void shared_free(double *p, size_t n)
{
    if (p != NULL)
        munmap(p, (n > 0 ? n : 1) * sizeof(double));
}

/* A subset of the rows as its own liblinear problem (pointers only). */
struct subset {
    struct problem prob;
    uint32_t *label;
};

static int subset_make(struct subset *s, struct feature_node **x, const uint32_t *label,
                       const uint8_t *keep, size_t npara, int nfeat, double bias)
{
    size_t n = 0;
    for (size_t i = 0; i < npara; i++)
        n += keep == NULL || keep[i];
    s->prob.x = malloc((n > 0 ? n : 1) * sizeof(*s->prob.x));
    s->label = malloc((n > 0 ? n : 1) * sizeof(*s->label));
    if (s->prob.x == NULL || s->label == NULL)
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < npara; i++)
        if (keep == NULL || keep[i]) {
            s->prob.x[k] = x[i];
            s->label[k] = label[i];
            k++;
        }
    s->prob.l = (int)n;
    s->prob.n = nfeat + 1; /* + the bias feature */
    s->prob.bias = bias;
    s->prob.y = NULL;
    return 0;
}

static void subset_free(struct subset *s)
{
    free(s->prob.x);
    free(s->label);
}

/* Trains one weight vector per label ('nlabels' jobs, or 1 when there are two labels); w must
 * hold nlabels * (nfeat + 1) doubles, label-major. */
static void jobs_for(struct job *jobs, size_t *njobs, const struct subset *s, uint32_t nlabels,
                     const struct parameter *param, double *w, int nfeat)
{
    uint32_t n = nlabels == 2 ? 1 : nlabels;
    for (uint32_t l = 0; l < n; l++) {
        struct job *j = &jobs[(*njobs)++];
        j->base = &s->prob;
        j->label = s->label;
        j->positive = l;
        j->param = param;
        j->w = w + (size_t)l * (size_t)(nfeat + 1);
        j->failed = 0;
    }
}

/* With two labels liblinear-style training gives one vector: label 1 scores its negation. */
static void complete_binary(double *w, uint32_t nlabels, int nfeat)
{
    if (nlabels != 2)
        return;
    for (size_t f = 0; f < (size_t)nfeat + 1; f++)
        w[(size_t)(nfeat + 1) + f] = -w[f];
}

/* Decision values of row 'x' for every label under weights 'w' (label-major, nfeat + 1 each). */
static void row_scores(const struct feature_node *x, const double *w, uint32_t nlabels, int nfeat,
                       float *scores)
{
    for (uint32_t l = 0; l < nlabels; l++) {
        const double *wl = w + (size_t)l * (size_t)(nfeat + 1);
        double s = 0;
        for (const struct feature_node *f = x; f->index != -1; f++)
            s += wl[f->index - 1] * f->value;
        scores[l] = (float)s;
    }
}

/* ------------------------------------------------------------------ training */

struct train_state;

/* Out-of-fold first-pass probabilities and second-pass rows of a range of pages. */
struct stack_work {
    struct train_state *t;
    const struct chaff_dataset *ds;
    const struct chaff_features_config *cfg;
    const uint32_t *fold_of;
    size_t page_lo, page_hi;
    size_t *row_off; /* shared [npara] */
    struct node_buf nodes;
    int failed;
};

struct train_state {
    size_t npara, npages;
    uint32_t nlabels;
    int nfeat1;
    struct feature_node **x1;
    struct fx_work *work;
    unsigned nwork;
    float *p1; /* out-of-fold first-pass probabilities */
    struct stack_work *stack;
    unsigned nstack;
    struct feature_node **x2;
    /* What the first pass learns of a page's title, kept for the second pass (which does not
     * featurise the text again): each paragraph's overlap with it, each page's headline. */
    uint8_t *title;
    size_t *headline;
    double *w1, *wfold, *w2; /* shared memory (shared_doubles) of w1_n, ... doubles */
    size_t w1_n, wfold_n, w2_n;
};

static void train_state_free(struct train_state *t)
{
    for (unsigned k = 0; t->work != NULL && k < t->nwork; k++) {
        free(t->work[k].nodes.p);
        free(t->work[k].nodes.keys);
    }
    if (t->work != NULL)
        free(t->work[0].row_off);
    free(t->work);
    free(t->x1);
    free(t->title);
    free(t->headline);
    free(t->p1);
    for (unsigned k = 0; t->stack != NULL && k < t->nstack; k++) {
        free(t->stack[k].nodes.p);
        free(t->stack[k].nodes.keys);
    }
    free(t->stack);
    free(t->x2);
    shared_free(t->w1, t->w1_n);
    shared_free(t->wfold, t->wfold_n);
    shared_free(t->w2, t->w2_n);
}

static unsigned thread_count(unsigned requested)
{
    if (requested > 0)
        return requested > 64 ? 64 : requested;
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

/* Featurises every page with the first-pass featuriser; fills t->x1. */
static int featurise_all(struct train_state *t, const struct chaff_dataset *ds,
                         const struct chaff_features_config *cfg, unsigned threads,
                         const uint64_t *rare, size_t nrare)
{
    size_t *row_off = malloc((t->npara > 0 ? t->npara : 1) * sizeof(size_t));
    t->nwork = threads;
    t->work = calloc(threads, sizeof(*t->work));
    t->x1 = malloc((t->npara > 0 ? t->npara : 1) * sizeof(*t->x1));
    t->title = malloc(t->npara > 0 ? t->npara : 1);
    t->headline = malloc((t->npages > 0 ? t->npages : 1) * sizeof(size_t));
    if (row_off == NULL || t->work == NULL || t->x1 == NULL || t->title == NULL ||
        t->headline == NULL) {
        free(row_off);
        return -1;
    }
    /* Split pages so that each thread gets about the same number of paragraphs. */
    size_t page = 0;
    for (unsigned k = 0; k < threads; k++) {
        struct fx_work *w = &t->work[k];
        w->ds = ds;
        w->cfg = cfg;
        w->rare = rare;
        w->nrare = nrare;
        w->row_off = row_off;
        w->title = t->title;
        w->headline = t->headline;
        w->page_lo = page;
        size_t target = t->npara * (k + 1) / threads;
        while (page < t->npages && (k + 1 == threads || ds->pages[page].first < target))
            page++;
        w->page_hi = page;
    }
    run_threads(featurise_thread, t->work, sizeof(t->work[0]), threads);
    for (unsigned k = 0; k < threads; k++) {
        struct fx_work *w = &t->work[k];
        if (w->failed)
            return -1;
        for (size_t p = w->page_lo; p < w->page_hi; p++)
            for (size_t i = ds->pages[p].first; i < ds->pages[p].first + ds->pages[p].n; i++)
                t->x1[i] = w->nodes.p + row_off[i];
    }
    return 0;
}

static void *stack_thread(void *arg)
{
    struct stack_work *w = arg;
    struct train_state *t = w->t;
    const uint32_t L = t->nlabels;
    const size_t wlen = (size_t)L * (size_t)(t->nfeat1 + 1);
    const int nfeat2 = (int)chaff_stack_dim_cfg(w->cfg, L);
    struct chaff_featurizer fx;
    struct page_view pv = {0};
    struct chaff_fvec v = {0};
    if (chaff_featurizer_init(&fx, w->cfg) != 0) {
        w->failed = 1;
        return NULL;
    }
    for (size_t p = w->page_lo; p < w->page_hi && !w->failed; p++) {
        const struct chaff_dataset_page *pg = &w->ds->pages[p];
        const double *wf = t->wfold + w->fold_of[p] * wlen;
        float *p1 = t->p1 + pg->first * L;
        for (size_t i = 0; i < pg->n; i++) {
            float scores[CHAFF_MAX_LABELS];
            row_scores(t->x1[pg->first + i], wf, L, t->nfeat1, scores);
            chaff_model_probs(scores, L, p1 + i * L);
        }
        if (w->ds->has_structure) {
            if (page_view_structure(&pv, w->ds, p, NULL, 0) != 0) {
                w->failed = 1;
                break;
            }
            fx.structure = &pv.st;
        }
        if (page_view_fill(&pv, w->ds, p) != 0 ||
            chaff_features_page_info(&fx, (const char *const *)pv.paras, pv.lens, pg->n) != 0 ||
            chaff_stack_prepare(&fx, p1, pg->n, L) != 0) {
            w->failed = 1;
            break;
        }
        for (size_t i = 0; i < pg->n; i++)
            fx.info[i].title = t->title[pg->first + i];
        fx.headline = t->headline[p];
        for (size_t i = 0; i < pg->n; i++) {
            w->row_off[pg->first + i] = w->nodes.n;
            if (chaff_stack_features(&fx, p1, pg->n, L, i, &v) != 0 ||
                append_row(&w->nodes, &v, NULL, nfeat2 + 1) != 0) {
                w->failed = 1;
                break;
            }
        }
    }
    free(pv.paras);
    free(pv.lens);
    chaff_fvec_release(&v);
    chaff_featurizer_release(&fx);
    return NULL;
}

/* Second-pass rows from the out-of-fold probabilities, pages split between threads like
 * featurise_all() split them; fills t->p1, t->x2 and t->stack. */
static int stack_rows(struct train_state *t, const struct chaff_dataset *ds,
                      const struct chaff_features_config *cfg, const uint32_t *fold_of,
                      unsigned threads)
{
    size_t *row_off = malloc((t->npara > 0 ? t->npara : 1) * sizeof(size_t));
    t->p1 = malloc((t->npara > 0 ? t->npara : 1) * t->nlabels * sizeof(float));
    t->x2 = malloc((t->npara > 0 ? t->npara : 1) * sizeof(*t->x2));
    t->stack = calloc(threads, sizeof(*t->stack));
    t->nstack = threads;
    if (row_off == NULL || t->p1 == NULL || t->x2 == NULL || t->stack == NULL) {
        free(row_off);
        return -1;
    }
    for (unsigned k = 0; k < threads; k++) {
        struct stack_work *w = &t->stack[k];
        w->t = t;
        w->ds = ds;
        w->cfg = cfg;
        w->fold_of = fold_of;
        w->row_off = row_off;
        w->page_lo = t->work[k].page_lo; /* the same split as featurising */
        w->page_hi = t->work[k].page_hi;
    }
    run_threads(stack_thread, t->stack, sizeof(t->stack[0]), threads);
    int rc = 0;
    for (unsigned k = 0; k < threads; k++) {
        struct stack_work *w = &t->stack[k];
        if (w->failed) {
            rc = -1;
            continue;
        }
        for (size_t p = w->page_lo; p < w->page_hi; p++)
            for (size_t i = ds->pages[p].first; i < ds->pages[p].first + ds->pages[p].n; i++)
                t->x2[i] = w->nodes.p + row_off[i];
    }
    free(row_off);
    return rc;
}

int chaff_train(const struct chaff_dataset *ds, const struct chaff_train_options *opt,
                struct chaff_model **model_out, struct chaff_train_summary *summary,
                struct chaff_error *err)
{
    const double t0 = now_seconds();
    const struct chaff_features_config *cfg = &opt->features;
    struct train_state t = {0};
    struct chaff_model *model = NULL;
    struct subset full = {0};
    struct subset *folds = NULL;
    uint8_t *keep = NULL, *labelled = NULL;
    uint64_t *rare = NULL;
    struct subset s2 = {0};
    uint32_t *fold_of = NULL;
    struct job *jobs = NULL;
    int rc;
    *model_out = NULL;

    if ((rc = chaff_features_config_check(cfg, err)) != CHAFF_OK)
        return rc;
    if (opt->weight_bits != 8 && opt->weight_bits != 16)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "weight bits must be 8 or 16, not %u",
                               opt->weight_bits);
    if (!(opt->C > 0) || !(opt->eps >= 0) || !(opt->fold_eps >= 0))
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "C must be positive, eps not negative");
    if (opt->solver != CHAFF_SOLVER_LR && opt->solver != CHAFF_SOLVER_LR_DUAL &&
        opt->solver != CHAFF_SOLVER_SVC && opt->solver != CHAFF_SOLVER_SVC_DUAL)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "unknown solver %d", opt->solver);
    if (ds->npara == 0)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "no training paragraphs");
    if (ds->nlabels < 2)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                               "training needs at least two labels, the data has %zu",
                               ds->nlabels);
    if (ds->nlabels > CHAFF_MAX_LABELS)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "at most %d labels, the data has %zu",
                               CHAFF_MAX_LABELS, ds->nlabels);
    if (ds->npara > (size_t)INT32_MAX)
        return chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "too many paragraphs for liblinear");

    set_print_string_function(print_nothing);
    t.npara = ds->npara;
    t.npages = ds->npages;
    t.nlabels = (uint32_t)ds->nlabels;
    t.nfeat1 = (int)(UINT32_C(1) << cfg->hash_bits);
    const unsigned threads = thread_count(opt->threads);
    const uint32_t L = t.nlabels;
    /* Out-of-fold estimates from folds of a handful of pages mislead the second pass more
     * than they help: below CHAFF_MIN_PAGES_PER_FOLD pages per fold it is left out. */
    const int stacking = cfg->stacking && opt->folds >= 2 &&
                         ds->npages >= (size_t)opt->folds * CHAFF_MIN_PAGES_PER_FOLD;
    const unsigned nfolds = stacking ? opt->folds : 0;

    struct parameter param;
    memset(&param, 0, sizeof(param));
    param.solver_type = opt->solver;
    param.C = opt->C;
    const int primal = opt->solver == CHAFF_SOLVER_LR || opt->solver == CHAFF_SOLVER_SVC;
    /* Defaults: liblinear's 0.01 for the primal solvers and 0.1 for the SVM dual; for the LR
     * dual, 10 (measured: see the top of this file and models/README.md). */
    param.eps = opt->eps > 0                            ? opt->eps
                : primal                                ? 0.01
                : opt->solver == CHAFF_SOLVER_SVC_DUAL ? 0.1
                                                        : CHAFF_LR_DUAL_EPS;
    /* Fold models only give the second pass its out-of-fold scores. */
    struct parameter fold_param = param;
    fold_param.eps = opt->fold_eps > 0 ? opt->fold_eps : FOLD_EPS_FACTOR * param.eps;
    /* The second pass: the primal solver of the same loss. */
    struct parameter param2 = param;
    param2.solver_type = opt->solver == CHAFF_SOLVER_LR || opt->solver == CHAFF_SOLVER_LR_DUAL
                             ? L2R_LR
                             : L2R_L2LOSS_SVC;
    param2.eps = STACK_EPS;

    if ((cfg->groups & CHAFF_FEAT_STRUCTURE) && !ds->has_structure) {
        rc = chaff_error_set(err, CHAFF_ERR_USAGE, NULL,
                             "structure features need HTML training pages (train --html)");
        goto out;
    }
    /* Paragraphs of HTML pages that no labelled row was aligned with are featurised with
     * their page but not trained on. */
    if ((labelled = malloc(t.npara)) == NULL)
        goto nomem;
    size_t nlabelled = 0;
    for (size_t i = 0; i < t.npara; i++)
        nlabelled += labelled[i] = ds->label[i] != CHAFF_LABEL_NONE;
    if (nlabelled == 0) {
        rc = chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "no labelled training paragraphs");
        goto out;
    }
    long nrare = rare_site_words(ds, opt->min_sites, &rare);
    if (nrare < 0)
        goto nomem;
    if (featurise_all(&t, ds, cfg, threads, rare, (size_t)nrare) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory featurising the data");
        goto out;
    }
    const double t_featurised = now_seconds();
    if (subset_make(&full, t.x1, ds->label, labelled, t.npara, t.nfeat1, 1.0) != 0)
        goto nomem;
    const char *perr = check_parameter(&full.prob, &param);
    if (perr != NULL) {
        rc = chaff_error_set(err, CHAFF_ERR_USAGE, NULL, "liblinear: %s", perr);
        goto out;
    }

    /* First pass: the full model plus one model per fold, all jobs side by side. */
    const size_t wlen = (size_t)L * (size_t)(t.nfeat1 + 1);
    t.w1 = shared_doubles(t.w1_n = wlen);
    jobs = calloc((size_t)L * (nfolds + 1) + L, sizeof(*jobs));
    if (t.w1 == NULL || jobs == NULL)
        goto nomem;
    size_t njobs = 0;
    jobs_for(jobs, &njobs, &full, L, &param, t.w1, t.nfeat1);
    if (nfolds > 0) {
        t.wfold = shared_doubles(t.wfold_n = wlen * nfolds);
        folds = calloc(nfolds, sizeof(*folds));
        keep = malloc(t.npara);
        fold_of = malloc(t.npages * sizeof(*fold_of));
        if (t.wfold == NULL || folds == NULL || keep == NULL || fold_of == NULL)
            goto nomem;
        for (size_t p = 0; p < t.npages; p++)
            fold_of[p] = (uint32_t)(chaff_hash_combine(opt->seed, p) % nfolds);
        for (unsigned k = 0; k < nfolds; k++) {
            for (size_t p = 0; p < t.npages; p++)
                for (size_t i = 0; i < ds->pages[p].n; i++)
                    keep[ds->pages[p].first + i] =
                        fold_of[p] != k && labelled[ds->pages[p].first + i];
            if (subset_make(&folds[k], t.x1, ds->label, keep, t.npara, t.nfeat1, 1.0) != 0)
                goto nomem;
            jobs_for(jobs, &njobs, &folds[k], L, &fold_param, t.wfold + k * wlen, t.nfeat1);
        }
    }
    if (run_jobs(jobs, njobs, threads) != 0) {
        rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "liblinear training failed");
        goto out;
    }
    complete_binary(t.w1, L, t.nfeat1);
    for (unsigned k = 0; k < nfolds; k++)
        complete_binary(t.wfold + k * wlen, L, t.nfeat1);
    const double t_first = now_seconds();

    model = chaff_model_new(cfg, L, (const char *const *)ds->labels, opt->weight_bits);
    if (model == NULL)
        goto nomem;
    {
        /* Transpose liblinear's label-major vectors into the model's feature-major rows. */
        double *w = malloc((size_t)t.nfeat1 * L * sizeof(double));
        double bias[CHAFF_MAX_LABELS];
        if (w == NULL)
            goto nomem;
        for (uint32_t l = 0; l < L; l++) {
            const double *wl = t.w1 + (size_t)l * (size_t)(t.nfeat1 + 1);
            for (size_t f = 0; f < (size_t)t.nfeat1; f++)
                w[f * L + l] = wl[f];
            bias[l] = wl[t.nfeat1];
        }
        int set = chaff_model_set_stage1(model, w, bias);
        free(w);
        if (set != 0)
            goto nomem;
    }

    if (nfolds > 0) {
        /* Out-of-fold first-pass probabilities, then the second pass on them. */
        const int nfeat2 = (int)chaff_stack_dim_cfg(cfg, L);
        if (stack_rows(&t, ds, cfg, fold_of, threads) != 0)
            goto nomem;
        if (subset_make(&s2, t.x2, ds->label, labelled, t.npara, nfeat2, 1.0) != 0)
            goto nomem;
        const size_t wlen2 = (size_t)L * (size_t)(nfeat2 + 1);
        t.w2 = shared_doubles(t.w2_n = wlen2);
        if (t.w2 == NULL)
            goto nomem;
        njobs = 0;
        jobs_for(jobs, &njobs, &s2, L, &param2, t.w2, nfeat2);
        if (run_jobs(jobs, njobs, threads) != 0) {
            rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "liblinear training failed");
            goto out;
        }
        complete_binary(t.w2, L, nfeat2);
        double *w = malloc((size_t)nfeat2 * L * sizeof(double));
        double bias[CHAFF_MAX_LABELS];
        if (w == NULL)
            goto nomem;
        for (uint32_t l = 0; l < L; l++) {
            const double *wl = t.w2 + (size_t)l * (size_t)(nfeat2 + 1);
            for (size_t f = 0; f < (size_t)nfeat2; f++)
                w[f * L + l] = wl[f];
            bias[l] = wl[nfeat2];
        }
        chaff_model_set_stage2(model, w, bias);
        free(w);
    } else if (cfg->stacking) {
        /* Too few pages for folds: the second pass passes the first pass's decision through. */
        model->cfg.stacking = 0;
        free(model->w2);
        model->w2 = NULL;
        model->dim2 = 0;
    }

    const double t_done = now_seconds();
    if (summary != NULL) {
        memset(summary, 0, sizeof(*summary));
        summary->pages = t.npages;
        summary->paragraphs = nlabelled;
        summary->labels = L;
        summary->stacked = model->cfg.stacking != 0;
        uint8_t *seen = calloc((size_t)t.nfeat1 + 2, 1);
        if (seen == NULL)
            goto nomem;
        for (size_t i = 0; i < t.npara; i++)
            for (const struct feature_node *f = t.x1[i]; labelled[i] && f->index != -1; f++) {
                summary->nonzeros++;
                if (f->index <= t.nfeat1 && !seen[f->index]) {
                    seen[f->index] = 1;
                    summary->features++;
                }
            }
        free(seen);
        summary->seconds = now_seconds() - t0;
        summary->seconds_featurise = t_featurised - t0;
        summary->seconds_first = t_first - t_featurised;
        summary->seconds_second = t_done - t_first;
    }
    *model_out = model;
    model = NULL;
    rc = CHAFF_OK;
    goto out;
nomem:
    rc = chaff_error_set(err, CHAFF_ERR_NOMEM, NULL, "out of memory while training");
out:
    chaff_model_free(model);
    subset_free(&full);
    for (unsigned k = 0; folds != NULL && k < nfolds; k++)
        subset_free(&folds[k]);
    free(folds);
    free(keep);
    free(labelled);
    free(rare);
    subset_free(&s2);
    free(fold_of);
    free(jobs);
    train_state_free(&t);
    return rc;
}
