/*
 * rpt.c — metric table, histogram, series, summaries and the JSON / table writers.
 */
#include "rpt.h"
#include "jsn.h"
#include "rpt_doc.h"
#include "rpt_stats.h"

#include <errno.h>
#include <pthread.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- breakdowns ---------------------------------------------------------------------- */

static const char *const rpt__bd_keys[] = {
#define RPT__D(id, key, label) key,
    RPT_BD_DIM_LIST(RPT__D)
#undef RPT__D
};
static const char *const rpt__bd_labels[] = {
#define RPT__D(id, key, label) label,
    RPT_BD_DIM_LIST(RPT__D)
#undef RPT__D
};
static const char *const rpt__bd_extra_names[] = {
#define RPT__E(name, unit, dim) #name,
    RPT_BD_EXTRA_LIST(RPT__E)
#undef RPT__E
};
static const rpt_unit rpt__bd_extra_units[] = {
#define RPT__E(name, unit, dim) unit,
    RPT_BD_EXTRA_LIST(RPT__E)
#undef RPT__E
};
static const rpt_bd_dim rpt__bd_extra_dims[] = {
#define RPT__E(name, unit, dim) dim,
    RPT_BD_EXTRA_LIST(RPT__E)
#undef RPT__E
};

/* Which dimension splits what is the metric rows' breakdowns column (rpt_metric.h); this is
 * only the column order. Each dimension keeps the order its columns had before the rows
 * said it, so --json, the DB and the reports stay byte-identical; any other figure the
 * dimension splits follows in table order (a new metric: set its row's breakdowns column,
 * nothing here). Every figure listed must be one the dimension splits (checked when the
 * columns are built). */
#define RPT__BD_ORDER_FIGURES                                                                                \
    RPT_M_orders_created, RPT_M_orders_paid, RPT_M_genuine_orders_paid, RPT_M_genuine_orders_served,          \
    RPT_M_orders_expired, RPT_M_orders_cancelled, RPT_M_orders_cancelled_after_pay, RPT_M_orders_refunded,    \
    RPT_M_orders_returned, RPT_M_orders_completed, RPT_M_orders_modified, RPT_M_orders_open_end,              \
    RPT_M_returns_refused_window, RPT_M_payments_rejected_revalidation, RPT_M_units_sold, RPT_M_oversold_units, \
    RPT_M_oversold_orders, RPT_M_captured_total, RPT_M_discount_total, RPT_M_refund_total, RPT_M_revenue,       \
    RPT_M_revenue_at_risk, RPT_M_order_reads, RPT_M_payment_sessions_abandoned, RPT_M_units_bought_by_bots,     \
    RPT_M_points_awarded, RPT_M_points_returned, RPT_M_orders_refunded_by_buyer, RPT_M_refunds_refused,         \
    RPT_M_orders_cancelled_by_merchant, RPT_M_returns_rejected, RPT_M_orders_returned_partly,                   \
    RPT_M_discount_taken_back, RPT_M_sub_orders, RPT_M_addresses_modified, RPT_M_address_changes_refused
static const int rpt__bd_order_segment[] = { RPT_M_customers, RPT_M_orders_rejected_stockout, RPT_M_orders_blocked_risk,
                                             RPT_M_genuine_rejected_while_locked, RPT_M_retries, RPT_M_customers_served,
                                             RPT_M_customers_turned_away_by_display, RPT_M_turned_away_while_available,
                                             RPT__BD_ORDER_FIGURES };
static const int rpt__bd_order_channel[] = { RPT__BD_ORDER_FIGURES };
static const int rpt__bd_order_sku[] = { RPT_M_units_sold, RPT_M_oversold_units, RPT_M_units_bought_by_bots, RPT_M_unsold_units_end,
                                         RPT_M_captured_total, RPT_M_discount_total, RPT_M_refund_total, RPT_M_revenue,
                                         RPT_M_revenue_at_risk, RPT_M_points_awarded, RPT_M_points_returned,
                                         RPT_M_discount_taken_back };
static const int rpt__bd_order_promotion[] = { RPT_M_discount_total, RPT_BD_budget_left, RPT_BD_budget_skips };

static const struct { const int *f; int n; } rpt__bd_order[RPT_BD_DIMS] = {
    [RPT_BD_SEGMENT]   = { rpt__bd_order_segment,   (int)OS_COUNT_OF(rpt__bd_order_segment) },
    [RPT_BD_SKU]       = { rpt__bd_order_sku,       (int)OS_COUNT_OF(rpt__bd_order_sku) },
    [RPT_BD_PROMOTION] = { rpt__bd_order_promotion, (int)OS_COUNT_OF(rpt__bd_order_promotion) },
    [RPT_BD_CHANNEL]   = { rpt__bd_order_channel,   (int)OS_COUNT_OF(rpt__bd_order_channel) },
};

/* The columns of each dimension, built once from the rows (rpt__bd_build). */
static int rpt__bd_f[RPT_BD_DIMS][RPT_BD_FIGURES];
static int rpt__bd_n[RPT_BD_DIMS];
static pthread_once_t rpt__bd_once = PTHREAD_ONCE_INIT;

/* True when dimension d splits figure f (a metric by its row, an extra by its own). */
static bool rpt__bd_splits(rpt_bd_dim d, int f)
{
    if (f < RPT_METRIC_COUNT) return (rpt_metric_breakdowns((rpt_metric)f) >> d) & 1u;
    return f < RPT_BD_FIGURES && rpt__bd_extra_dims[f - RPT_METRIC_COUNT] == d;
}

/* Builds every dimension's columns: its kept order, then the other figures it splits. */
static void rpt__bd_build(void)
{
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        bool in[RPT_BD_FIGURES] = { false };
        int n = 0;
        for (int k = 0; k < rpt__bd_order[d].n; k++) {
            int f = rpt__bd_order[d].f[k];
            OS_ASSERT(rpt__bd_splits((rpt_bd_dim)d, f) && !in[f]);
            in[f] = true;
            rpt__bd_f[d][n++] = f;
        }
        for (int f = 0; f < RPT_BD_FIGURES; f++)
            if (!in[f] && rpt__bd_splits((rpt_bd_dim)d, f)) rpt__bd_f[d][n++] = f;
        rpt__bd_n[d] = n;
    }
}

const char *rpt_bd_key(rpt_bd_dim d) { return (unsigned)d < RPT_BD_DIMS ? rpt__bd_keys[d] : "?"; }
const char *rpt_bd_label(rpt_bd_dim d) { return (unsigned)d < RPT_BD_DIMS ? rpt__bd_labels[d] : "?"; }

int rpt_bd_columns(rpt_bd_dim d, const int **figures)
{
    OS_ASSERT((unsigned)d < RPT_BD_DIMS);
    pthread_once(&rpt__bd_once, rpt__bd_build);
    *figures = rpt__bd_f[d];
    return rpt__bd_n[d];
}

int rpt_bd_column(rpt_bd_dim d, int f)
{
    const int *fs;
    int n = rpt_bd_columns(d, &fs);
    for (int c = 0; c < n; c++)
        if (fs[c] == f) return c;
    return -1;
}

const char *rpt_bd_figure_name(int f)
{
    return f < RPT_METRIC_COUNT ? rpt_metric_name((rpt_metric)f)
         : f < RPT_BD_FIGURES   ? rpt__bd_extra_names[f - RPT_METRIC_COUNT] : "?";
}

rpt_unit rpt_bd_figure_unit(int f)
{
    return f < RPT_METRIC_COUNT ? rpt_metric_unit((rpt_metric)f)
         : f < RPT_BD_FIGURES   ? rpt__bd_extra_units[f - RPT_METRIC_COUNT] : RPT_UNIT_COUNT;
}

bool rpt_bd_additive(int f) { return f >= 0 && f < RPT_METRIC_COUNT; }

void rpt_bd_alloc(rpt_run *r, rpt_bd_dim d, int nrows)
{
    rpt_bd *b = &r->bd[d];
    free(b->keys);
    free(b->v);
    const int *fs;
    b->ncols = rpt_bd_columns(d, &fs);
    b->nrows = nrows;
    b->keys = nrows ? xcalloc((size_t)nrows, sizeof *b->keys) : NULL;
    b->v = nrows ? xcalloc((size_t)nrows * (size_t)b->ncols, sizeof *b->v) : NULL;
}

int rpt_bd_check(const rpt_run *r, os_diag *diag)
{
    int bad = 0;
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        const rpt_bd *b = &r->bd[d];
        if (!b->nrows) continue;
        const int *fs;
        int n = rpt_bd_columns((rpt_bd_dim)d, &fs);
        for (int c = 0; c < n; c++) {
            if (!rpt_bd_additive(fs[c]) || !isfinite(r->m[fs[c]])) continue;
            double sum = 0, total = r->m[fs[c]];
            for (int k = 0; k < b->nrows; k++) sum += b->v[(size_t)k * (size_t)n + (size_t)c];
            /* Money is summed in floating point in another order than the total: a cent,
             * or a billionth of the total, of slack; counts and units must match exactly. */
            bool money = rpt_metric_unit((rpt_metric)fs[c]) == RPT_U_MONEY;
            double slack = money ? fmax(0.01, 1e-9 * fabs(total)) : 0;
            if (!(fabs(sum - total) <= slack)) {
                os_diag_add(diag, "breakdown %s: %s: rows add up to %.17g, the total is %.17g", rpt__bd_keys[d],
                            rpt_metric_name((rpt_metric)fs[c]), sum, total);
                bad++;
            }
        }
    }
    return bad;
}

double rpt_bd_mean(const rpt_summary *s, rpt_bd_dim d, int row, int col)
{
    double sum = 0;
    int k = 0;
    for (int i = 0; i < s->n; i++) {
        const rpt_bd *b = &s->runs[i].bd[d];
        if (row >= b->nrows || col >= b->ncols) continue;
        double v = b->v[(size_t)row * (size_t)b->ncols + (size_t)col];
        if (isfinite(v)) { sum += v; k++; }
    }
    return k ? sum / k : NAN;
}

/* ---- histogram --------------------------------------------------------------------- */

void rpt_hist_init(rpt_hist *h)
{
    memset(h, 0, sizeof *h);
    h->min = INFINITY;
    h->max = -INFINITY;
}

/* The bucket of v, from its IEEE-754 bits: the exponent gives the octave and the top six
 * mantissa bits the sub-bucket (64 per octave), so no libm call sits on the per-event path.
 * Equal to floor((v / 2^e - 1) x 64) for v in [2^e, 2^(e+1)). */
static int rpt__bucket(double v)
{
    if (!(v >= 0x1p-20)) return 0;
    uint64_t bits;
    memcpy(&bits, &v, sizeof bits);
    int e = (int)((bits >> 52) & 0x7FF) - 1023;          /* v in [2^e, 2^(e+1)) */
    int oct = e - RPT_HIST_MINEXP;
    if (oct >= RPT_HIST_OCT) return RPT_HIST_OCT * RPT_HIST_SUB;
    return oct * RPT_HIST_SUB + (int)((bits >> 46) & 63);
}

double rpt_hist_bucket_low(int i)
{
    int oct = i / RPT_HIST_SUB, sub = i % RPT_HIST_SUB;
    return ldexp(1.0 + (double)sub / RPT_HIST_SUB, oct + RPT_HIST_MINEXP);
}

int rpt_hist_bucket_count(void) { return RPT_HIST_OCT * RPT_HIST_SUB + 1; }

void rpt_hist_add(rpt_hist *h, double v)
{
    h->b[rpt__bucket(v)]++;
    h->count++;
    h->sum += v;
    if (v < h->min) h->min = v;
    if (v > h->max) h->max = v;
}

double rpt_hist_quantile(const rpt_hist *h, double q)
{
    if (!h->count) return NAN;
    /* The smallest value x such that at least q of the sample is <= x (nearest rank). */
    uint64_t rank = (uint64_t)ceil(q * (double)h->count);
    if (rank < 1) rank = 1;
    uint64_t seen = 0;
    int n = rpt_hist_bucket_count();
    for (int i = 0; i < n; i++) {
        seen += h->b[i];
        if (seen >= rank) {
            if (i == 0) return h->min;   /* below a microsecond: report the exact minimum */
            double lo = rpt_hist_bucket_low(i);
            double hi = i + 1 < n ? rpt_hist_bucket_low(i + 1) : lo * 2;
            double mid = (lo + hi) / 2;
            if (mid < h->min) mid = h->min;
            if (mid > h->max) mid = h->max;
            return mid;
        }
    }
    return h->max;
}

double rpt_hist_mean(const rpt_hist *h) { return h->count ? h->sum / (double)h->count : NAN; }

/* ---- run record -------------------------------------------------------------------- */

void rpt_run_init(rpt_run *r)
{
    memset(r, 0, sizeof *r);
    rpt_hist_init(&r->order_to_pay);
    os_diag_init(&r->violations);
    r->invariants_ok = true;
    r->sweep_point = -1;
}

void rpt_trans_add(rpt_run *r, const rpt_trans *t)
{
    if (r->ntrans == r->cap_trans) {
        r->cap_trans = r->cap_trans ? r->cap_trans * 2 : 4096;
        r->trans = xrealloc(r->trans, r->cap_trans * sizeof *r->trans);
    }
    r->trans[r->ntrans++] = *t;
}

void rpt_sub_alloc(rpt_run *r, int n)
{
    free(r->sub);
    r->sub = n > 0 ? xcalloc((size_t)n, sizeof *r->sub) : NULL;
    r->nsub = n > 0 ? n : 0;
}

void rpt_run_fini(rpt_run *r)
{
    free(r->trans);
    r->trans = NULL;
    free(r->sub);
    r->sub = NULL;
    r->nsub = 0;
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        free(r->bd[d].keys);
        free(r->bd[d].v);
        r->bd[d] = (rpt_bd){ 0 };
    }
    free(r->series.v);
    os_diag_fini(&r->violations);
    r->series.v = NULL;
}

static const char *const rpt__col_kinds[] = {
#define RPT__K(id, name) name,
    RPT_COL_KIND_LIST(RPT__K)
#undef RPT__K
};
static const char *const rpt__col_counts[] = {
#define RPT__C(id, name) name,
    RPT_COL_COUNT_LIST(RPT__C)
#undef RPT__C
};
_Static_assert(OS_COUNT_OF(rpt__col_kinds) == RPT_COL_KINDS, "one name per column kind");
_Static_assert(OS_COUNT_OF(rpt__col_counts) == RPT_COL_COUNTS, "one name per way of counting");

const char *rpt_col_kind_name(rpt_col_kind k) { return (unsigned)k < RPT_COL_KINDS ? rpt__col_kinds[k] : "?"; }
int rpt_col_kind_find(const char *name) { return os_name_find(rpt__col_kinds, RPT_COL_KINDS, name); }
const char *rpt_col_count_name(rpt_col_count c) { return (unsigned)c < RPT_COL_COUNTS ? rpt__col_counts[c] : "?"; }
int rpt_col_count_find(const char *name) { return os_name_find(rpt__col_counts, RPT_COL_COUNTS, name); }

void rpt_series_columns(rpt_series *s, int n, const rpt_col *cols)
{
    OS_ASSERT(n + 1 <= RPT_MAX_COLS);
    s->ncols = n + 1;
    s->cols[0] = (rpt_col){ .name = "t", .label = "time", .unit = "s", .kind = RPT_COL_TIME, .count = RPT_COUNT_LEVEL };
    for (int i = 0; i < n; i++) s->cols[i + 1] = cols[i];
}

int rpt_series_find(const rpt_series *s, const char *name)
{
    for (int c = 0; c < s->ncols; c++)
        if (strcmp(s->cols[c].name, name) == 0) return c;
    return -1;
}

void rpt_series_add(rpt_series *s, const double *row)
{
    if (s->nrows == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 256;
        s->v = xrealloc(s->v, s->cap * (size_t)s->ncols * sizeof *s->v);
    }
    memcpy(s->v + s->nrows * (size_t)s->ncols, row, (size_t)s->ncols * sizeof *row);
    s->nrows++;
}

/* ---- summaries --------------------------------------------------------------------- */

void rpt_summarize(const rpt_run *runs, int n, rpt_summary *out)
{
    memset(out, 0, sizeof *out);
    out->runs = runs;
    out->n = n;
    out->invariants_ok = true;
    double *xs = xcalloc((size_t)n, sizeof *xs);
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        for (int i = 0; i < n; i++) xs[i] = runs[i].m[m];
        rpt_mean_ci(xs, n, &out->mean[m], &out->ci95[m]);
    }
    for (int s = 0; s < runs[0].nstations; s++)
        for (int f = 0; f < RPT_ST_FIGURES; f++) {
            for (int i = 0; i < n; i++) xs[i] = rpt_st_value(&runs[i].st[s], (rpt_st_figure)f);
            rpt_mean_ci(xs, n, &out->st_mean[s][f], &out->st_ci95[s][f]);
        }
    for (int i = 0; i < n; i++) {
        out->invariants_ok &= runs[i].invariants_ok;
        out->events += runs[i].events;
        out->wall_seconds += runs[i].wall_seconds;
        if (runs[i].peak_rss_bytes > out->peak_rss_bytes) out->peak_rss_bytes = runs[i].peak_rss_bytes;
    }
    free(xs);
}

/* The index in r->sub of station `station`'s row `key`, or -1. */
static int rpt__sub_find(const rpt_run *r, const char *station, const char *key)
{
    for (int k = 0; k < r->nsub; k++)
        if (strcmp(r->sub[k].st.name, key) == 0 && strcmp(r->st[r->sub[k].parent].name, station) == 0) return k;
    return -1;
}

/* Mean and half-width of figure f of row k of the first run, over the summary's runs. */
static void rpt__sub_stat(const rpt_summary *s, int k, rpt_st_figure f, double *mean, double *ci)
{
    const rpt_run *r0 = &s->runs[0];
    const char *station = r0->st[r0->sub[k].parent].name, *key = r0->sub[k].st.name;
    double *xs = xcalloc((size_t)s->n, sizeof *xs);
    for (int i = 0; i < s->n; i++) {
        /* replications of one scenario have the same rows in the same order */
        const rpt_run *r = &s->runs[i];
        int j = k < r->nsub && strcmp(r->sub[k].st.name, key) == 0 ? k : rpt__sub_find(r, station, key);
        xs[i] = j >= 0 ? rpt_st_value(&r->sub[j].st, f) : NAN;
    }
    rpt_mean_ci(xs, s->n, mean, ci);
    free(xs);
}

bool rpt_sub_value(const rpt_summary *s, const char *station, const char *key, rpt_st_figure f, double *mean, double *ci)
{
    *mean = *ci = NAN;
    int k = rpt__sub_find(&s->runs[0], station, key);
    if (k < 0) return false;
    rpt__sub_stat(s, k, f, mean, ci);
    return true;
}

/* ---- writers ----------------------------------------------------------------------- */

static const char *const rpt__station_fields[] = {
#define RPT__F(id, name, better) #name,
    RPT_ST_FIGURE_LIST(RPT__F)
#undef RPT__F
};
static const int rpt__station_better[] = {
#define RPT__F(id, name, better) better,
    RPT_ST_FIGURE_LIST(RPT__F)
#undef RPT__F
};
_Static_assert(OS_COUNT_OF(rpt__station_fields) == RPT_ST_FIGURES, "one name per station figure");
_Static_assert(OS_COUNT_OF(rpt__station_better) == RPT_ST_FIGURES, "one direction per station figure");

const char *rpt_st_figure_name(rpt_st_figure f)
{
    return (unsigned)f < RPT_ST_FIGURES ? rpt__station_fields[f] : "?";
}

int rpt_st_figure_find(const char *name) { return os_name_find(rpt__station_fields, RPT_ST_FIGURES, name); }

int rpt_st_figure_better(rpt_st_figure f) { return (unsigned)f < RPT_ST_FIGURES ? rpt__station_better[f] : 0; }

double rpt_st_value(const rpt_station *st, rpt_st_figure f)
{
    switch (f) {
#define RPT__F(id, name, better) case RPT_ST_##id: return st->name;
    RPT_ST_FIGURE_LIST(RPT__F)
#undef RPT__F
    case RPT_ST_FIGURES: break;
    }
    return NAN;
}

void rpt_st_set(rpt_station *st, rpt_st_figure f, double v)
{
    switch (f) {
#define RPT__F(id, name, better) case RPT_ST_##id: st->name = v; break;
    RPT_ST_FIGURE_LIST(RPT__F)
#undef RPT__F
    case RPT_ST_FIGURES: break;
    }
}

/* ---- figure references and conditions ------------------------------------------------ */

bool rpt_ref_parse(const char *name, const char *const *stations, int n, rpt_ref *out, char *err, size_t errn, int *col)
{
    memset(out, 0, sizeof *out);
    *col = 0;
    out->metric = rpt_metric_find(name);
    if (out->metric >= 0) return true;
    if (strncmp(name, "stations.", 9) != 0) {
        const char *best = rpt_metric_closest(name);
        if (best) snprintf(err, errn, "unknown metric \"%s\" (did you mean \"%s\"?)", name, best);
        else snprintf(err, errn, "unknown metric \"%s\": expected a metric name (docs/metrics.md) or stations.NAME.FIGURE", name);
        return false;
    }
    const char *st = name + 9, *dot = strchr(st, '.');
    size_t len = dot ? (size_t)(dot - st) : strlen(st);
    char sname[RPT_NAME_MAX];
    snprintf(sname, sizeof sname, "%.*s", (int)(len < sizeof sname ? len : sizeof sname - 1), st);
    int k = len < sizeof sname ? os_name_find(stations, n, sname) : -1;
    if (k < 0) {
        *col = 9;
        const char *best = os_name_closest(stations, n, sname, 3);
        char list[256] = "";
        for (int i = 0; i < n; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", stations[i]);
        if (best) snprintf(err, errn, "unknown station \"%s\" (did you mean \"%s\"?)", sname, best);
        else snprintf(err, errn, "unknown station \"%s\": expected one of %s", sname, list);
        return false;
    }
    snprintf(out->station, sizeof out->station, "%s", stations[k]);
    if (dot && strncmp(dot + 1, "skus.", 5) == 0) {
        /* a per-SKU row: stations.NAME.skus.KEY.FIGURE, KEY everything up to the last dot */
        const char *key = dot + 6, *last = strrchr(key, '.');
        size_t kl = last ? (size_t)(last - key) : 0;
        if (kl == 0 || kl >= sizeof out->key) {
            *col = (int)(key - name);
            snprintf(err, errn, "expected stations.%s.skus.SKU.FIGURE (a SKU of the catalog, then a station figure)", stations[k]);
            return false;
        }
        snprintf(out->key, sizeof out->key, "%.*s", (int)kl, key);
        dot = last;
        len = (size_t)(last - st);
    }
    int f = dot ? rpt_st_figure_find(dot + 1) : -1;
    if (f < 0) {
        *col = (int)(9 + len + (dot ? 1 : 0));
        const char *best = dot ? os_name_closest(rpt__station_fields, RPT_ST_FIGURES, dot + 1, 3) : NULL;
        char list[512] = "";
        for (int i = 0; i < RPT_ST_FIGURES; i++)
            snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s", i ? ", " : "", rpt__station_fields[i]);
        if (best) snprintf(err, errn, "unknown station figure \"%s\" (did you mean \"%s\"?)", dot + 1, best);
        else snprintf(err, errn, "unknown station figure \"%s\": expected one of %s", dot ? dot + 1 : "", list);
        return false;
    }
    out->metric = -1;
    out->figure = (rpt_st_figure)f;
    return true;
}

bool rpt_cond_parse(const char *text, const char *const *stations, int n, rpt_cond *out, char *err, size_t errn, int *col)
{
    memset(out, 0, sizeof *out);
    size_t lead = strspn(text, " ");
    size_t k = strcspn(text + lead, "<>=! ");
    if (k == 0 || k >= sizeof out->name) {
        *col = (int)lead;
        snprintf(err, errn, k ? "figure name too long" : "expected a figure name first, e.g. order_to_pay_p95<600");
        return false;
    }
    memcpy(out->name, text + lead, k);
    out->name[k] = '\0';
    if (!rpt_ref_parse(out->name, stations, n, &out->ref, err, errn, col)) {
        *col += (int)lead;
        return false;
    }
    if (!cnd_op_parse(text + lead + k, &out->op, &out->value)) {
        *col = (int)(lead + k + strspn(text + lead + k, " "));
        snprintf(err, errn, "expected OP NUMBER after the figure, with OP one of < <= == != >= >");
        return false;
    }
    return true;
}

bool rpt_ref_value(const rpt_summary *s, const rpt_ref *r, double *out)
{
    *out = NAN;
    if (r->metric >= 0) {
        *out = s->mean[r->metric];
        return true;
    }
    if (r->key[0]) {
        double ci;
        return rpt_sub_value(s, r->station, r->key, r->figure, out, &ci);
    }
    for (int k = 0; k < s->runs[0].nstations; k++)
        if (strcmp(s->runs[0].st[k].name, r->station) == 0) {
            *out = s->st_mean[k][r->figure];
            return true;
        }
    return false;
}

double rpt_ref_run_value(const rpt_run *r, const rpt_ref *ref)
{
    if (ref->metric >= 0) return r->m[ref->metric];
    if (ref->key[0]) {
        int k = rpt__sub_find(r, ref->station, ref->key);
        return k >= 0 ? rpt_st_value(&r->sub[k].st, ref->figure) : NAN;
    }
    for (int s = 0; s < r->nstations; s++)
        if (strcmp(r->st[s].name, ref->station) == 0) return rpt_st_value(&r->st[s], ref->figure);
    return NAN;
}

int rpt_ref_better(const rpt_ref *r)
{
    return r->metric >= 0 ? rpt_metric_better((rpt_metric)r->metric) : rpt_st_figure_better(r->figure);
}

static void rpt__pad(FILE *out, int n) { fprintf(out, "%*s", n, ""); }

/* Writes a station's per-SKU rows, when it has any, as `, "skus": {"KEY": {figures}, ...}`
 * (means, or half-widths when ci), inside the station's object. */
static void rpt__write_sub_json(const rpt_summary *s, int station, bool ci, FILE *out)
{
    const rpt_run *r0 = &s->runs[0];
    int n = 0;
    for (int j = 0; j < r0->nsub; j++) {
        if (r0->sub[j].parent != station) continue;
        fputs(n++ ? ", " : ", \"skus\": {", out);
        jsn_write_str(out, r0->sub[j].st.name);
        fputs(": {", out);
        for (int f = 0; f < RPT_ST_FIGURES; f++) {
            double mean, half;
            rpt__sub_stat(s, j, (rpt_st_figure)f, &mean, &half);
            fprintf(out, "%s\"%s\": ", f ? ", " : "", rpt__station_fields[f]);
            jsn_write_num(out, ci ? half : mean);
        }
        fputc('}', out);
    }
    if (n) fputc('}', out);
}

/* Writes the breakdowns as "by_segment": {"KEY": {"FIGURE": mean, ...}, ...}, one row a
 * line, every dimension present (an empty one as {}). */
static void rpt__write_bd_json(const rpt_summary *s, FILE *out, int ind)
{
    const rpt_run *r0 = &s->runs[0];
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        const rpt_bd *b = &r0->bd[d];
        const int *fs;
        int n = rpt_bd_columns((rpt_bd_dim)d, &fs);
        rpt__pad(out, ind);
        fprintf(out, "\"%s\": {", rpt__bd_keys[d]);
        for (int k = 0; k < b->nrows; k++) {
            fputs(k ? ",\n" : "\n", out);
            rpt__pad(out, ind + 2);
            jsn_write_str(out, b->keys[k]);
            fputs(": {", out);
            for (int c = 0; c < n; c++) {
                fprintf(out, "%s\"%s\": ", c ? ", " : "", rpt_bd_figure_name(fs[c]));
                jsn_write_num(out, rpt_bd_mean(s, (rpt_bd_dim)d, k, c));
            }
            fputc('}', out);
        }
        if (b->nrows) { fputc('\n', out); rpt__pad(out, ind); }
        fputs("},\n", out);
    }
}

/* Writes a list of the replications' values: [v0, v1, ...] (null for a missing value). */
static void rpt__write_list(FILE *out, const double *v, int n)
{
    fputc('[', out);
    for (int r = 0; r < n; r++) {
        if (r) fputs(", ", out);
        jsn_write_num(out, v[r]);
    }
    fputc(']', out);
}

/* Writes "per_replication": each replication's seed and value of every metric and station
 * figure, so that `check` can pair a baseline's replication r with the run's replication r
 * (docs/regression.md). Only with more than one replication: one replication's values are
 * "metrics" and its seed "seed". */
static void rpt__write_reps_json(const rpt_summary *s, FILE *out, int ind)
{
    int n = s->n, i2 = ind + 2, i4 = ind + 4;
    double *v = xcalloc((size_t)n, sizeof *v);
    rpt__pad(out, ind); fputs("\"per_replication\": {\n", out);
    rpt__pad(out, i2); fputs("\"seeds\": [", out);
    for (int r = 0; r < n; r++) fprintf(out, "%s%llu", r ? ", " : "", (unsigned long long)s->runs[r].seed);
    fputs("],\n", out);
    rpt__pad(out, i2); fputs("\"metrics\": {\n", out);
    for (int m = 0; m < RPT_METRIC_COUNT; m++) {
        for (int r = 0; r < n; r++) v[r] = s->runs[r].m[m];
        rpt__pad(out, i4);
        fprintf(out, "\"%s\": ", rpt_metric_name((rpt_metric)m));
        rpt__write_list(out, v, n);
        fputs(m + 1 < RPT_METRIC_COUNT ? ",\n" : "\n", out);
    }
    rpt__pad(out, i2); fputs("},\n", out);
    rpt__pad(out, i2); fputs("\"stations\": {", out);
    const rpt_run *r0 = &s->runs[0];
    for (int k = 0; k < r0->nstations; k++) {
        fprintf(out, "%s\n", k ? "," : "");
        rpt__pad(out, i4);
        fprintf(out, "\"%s\": {", r0->st[k].name);
        for (int f = 0; f < RPT_ST_FIGURES; f++) {
            for (int r = 0; r < n; r++) v[r] = rpt_st_value(&s->runs[r].st[k], (rpt_st_figure)f);
            fprintf(out, "%s\"%s\": ", f ? ", " : "", rpt__station_fields[f]);
            rpt__write_list(out, v, n);
        }
        fputc('}', out);
    }
    fputs("\n", out);
    rpt__pad(out, i2); fputs("}\n", out);
    rpt__pad(out, ind); fputs("},\n", out);
    free(v);
}

void rpt_write_json(const rpt_summary *s, FILE *out, bool engine, int ind)
{
    const rpt_run *r0 = &s->runs[0];
    int i2 = ind + 2, i4 = ind + 4;
    fputs("{\n", out);
    rpt__pad(out, i2); fputs("\"scenario\": ", out); jsn_write_str(out, r0->scenario); fputs(",\n", out);
    rpt__pad(out, i2); fprintf(out, "\"seed\": %llu,\n", (unsigned long long)r0->seed);
    rpt__pad(out, i2); fputs("\"strategy\": ", out); jsn_write_str(out, r0->strategy); fputs(",\n", out);
    rpt__pad(out, i2); fputs("\"process\": ", out); jsn_write_str(out, r0->process); fputs(",\n", out);
    rpt__pad(out, i2); fprintf(out, "\"replications\": %d,\n", s->n);
    for (int pass = 0; pass < 2; pass++) {
        rpt__pad(out, i2);
        fprintf(out, "\"%s\": {\n", pass ? "ci95" : "metrics");
        for (int m = 0; m < RPT_METRIC_COUNT; m++) {
            rpt__pad(out, i4);
            fprintf(out, "\"%s\": ", rpt_metric_name((rpt_metric)m));
            jsn_write_num(out, pass ? s->ci95[m] : s->mean[m]);
            fputs(m + 1 < RPT_METRIC_COUNT ? ",\n" : "\n", out);
        }
        rpt__pad(out, i2); fputs("},\n", out);
    }
    for (int pass = 0; pass < (s->n > 1 ? 2 : 1); pass++) {
        rpt__pad(out, i2);
        fprintf(out, "\"%s\": {", pass ? "stations_ci95" : "stations");
        for (int k = 0; k < r0->nstations; k++) {
            fprintf(out, "%s\n", k ? "," : "");
            rpt__pad(out, i4);
            fprintf(out, "\"%s\": {", r0->st[k].name);
            for (int f = 0; f < RPT_ST_FIGURES; f++) {
                fprintf(out, "%s\"%s\": ", f ? ", " : "", rpt__station_fields[f]);
                jsn_write_num(out, pass ? s->st_ci95[k][f] : s->st_mean[k][f]);
            }
            rpt__write_sub_json(s, k, pass, out);
            fputc('}', out);
        }
        fputs("\n", out);
        rpt__pad(out, i2); fputs("},\n", out);
    }
    if (s->n > 1) rpt__write_reps_json(s, out, i2);
    rpt__write_bd_json(s, out, i2);
    rpt__pad(out, i2);
    fprintf(out, "\"invariants\": {\"ok\": %s, \"violations\": [", s->invariants_ok ? "true" : "false");
    int k = 0;
    for (int i = 0; i < s->n; i++)
        for (int v = 0; v < s->runs[i].violations.count; v++) {
            if (k++) fputs(", ", out);
            jsn_write_str(out, s->runs[i].violations.msgs[v]);
        }
    fprintf(out, "]}%s\n", engine ? "," : "");
    if (engine) {
        rpt__pad(out, i2);
        fprintf(out, "\"engine\": {\"events\": %llu, \"wall_seconds\": ", (unsigned long long)s->events);
        jsn_write_num(out, s->wall_seconds);
        fputs(", \"events_per_second\": ", out);
        jsn_write_num(out, s->wall_seconds > 0 ? (double)s->events / s->wall_seconds : NAN);
        fprintf(out, ", \"peak_rss_bytes\": %llu}\n", (unsigned long long)s->peak_rss_bytes);
    }
    rpt__pad(out, ind);
    fputs("}", out);
}

const char *rpt_printable(const char *s, char *buf, size_t n)
{
    /* Control characters (ESC, BEL, CR, ...) and bytes that are not valid UTF-8 become \xNN,
     * so a name cannot move the cursor, ring or rewrite the terminal; a long value is cut
     * with a note of its full length. */
    size_t k = 0, len = strlen(s);
    const unsigned char *p = (const unsigned char *)s;
    for (size_t i = 0; i < len && n > 0;) {
        unsigned char c = p[i];
        int seq = c < 0x80 ? 1 : (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 0;
        bool ok = seq > 0 && i + (size_t)seq <= len && !(seq == 2 && c < 0xC2) && !(seq == 4 && c > 0xF4);
        for (int j = 1; ok && j < seq; j++) ok = (p[i + (size_t)j] & 0xC0) == 0x80;
        if (ok && seq == 3) ok = !(c == 0xE0 && p[i + 1] < 0xA0) && !(c == 0xED && p[i + 1] >= 0xA0);
        if (ok && seq == 4) ok = !(c == 0xF0 && p[i + 1] < 0x90) && !(c == 0xF4 && p[i + 1] >= 0x90);
        bool ctl = seq == 1 && (c < 0x20 || c == 0x7f);
        size_t need = ok && !ctl ? (size_t)seq : 4;
        if (k + need + 40 >= n) {
            snprintf(buf + k, n - k, "... (%zu bytes in all)", len);
            return buf;
        }
        if (ok && !ctl) {
            memcpy(buf + k, p + i, (size_t)seq);
            k += (size_t)seq;
            i += (size_t)seq;
        } else {
            snprintf(buf + k, n - k, "\\x%02X", c);
            k += 4;
            i++;
        }
    }
    if (n) buf[k < n ? k : n - 1] = '\0';
    return buf;
}

