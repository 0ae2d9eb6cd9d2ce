/*
 * cmd_fit.c — `ordersim fit LOG.csv -o scenario.json`: calibrate a scenario from an order
 * log. Arrivals become an hourly rate schedule, the four delays (think time, warehouse,
 * delivery, return) the best of exp / lognormal / lognormal mixture (or empirical
 * quantiles), and pay / cancel / return probabilities come per segment; the order expiry is
 * inferred when unpaid orders close at a common age; the catalog comes from the sku column.
 * The scenario written is loaded back and must validate; a report shows every fit.
 *
 * What the log cannot tell (stock, station capacity beyond what was observed, bots) is
 * chosen so that it does not bind, and said so in the scenario's description and the report.
 */
#include "cli.h"
#include "pth.h"
#include "cmd_common.h"
#include "fit.h"
#include "olog.h"
#include "rpt_doc.h"
#include "rpt_report.h"
#include "sfw.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FIT__HOUR 3600.0

enum { D_THINK, D_WAREHOUSE, D_DELIVERY, D_RETURN, D_COUNT };
static const char *const fit__dname[] = { "think_time", "warehouse.service", "fulfilment.delivery", "return_delay" };
static const char *const fit__dwhat[] = { "created_at -> paid_at", "paid_at -> shipped_at",
                                                 "shipped_at -> delivered_at", "delivered_at -> returned_at" };
_Static_assert(OS_COUNT_OF(fit__dname) == D_COUNT && OS_COUNT_OF(fit__dwhat) == D_COUNT, "a name and a description per delay");

typedef struct fit__order {
    double t[OLOG_NT];   /* times, seconds since the epoch (NAN when absent) */
    int    status;       /* olog status index or -1 */
    int    extra;        /* segment value index or -1 */
    int    lines;        /* rows of the order */
} fit__order;

typedef struct fit__seg {
    char   name[SCN_NAME_MAX];
    double orders, resolved, cancelled, paid, returned, exposure; /* counts; exposure: sum of G(t_end - delivered) */
} fit__seg;

typedef struct fit__ctx {
    const cli_opts *o;
    olog        *log;
    fit__order  *ord;
    int          n;
    double       t0, t_end, first, horizon;  /* epoch seconds (t0: the period start before the first
                                                order); horizon in seconds */
    double       start;                      /* scenario time 0: the hour of the first order */
    int          period_h;                   /* 24 or 168 */
    double       rate_h[168];                /* fitted rate per hour of the period, per second */
    double       count_h[168], expo_h[168];
    fit_result   fit[D_COUNT];
    bool         have[D_COUNT];
    double      *sample[D_COUNT];            /* sorted samples (owned) */
    size_t       nsample[D_COUNT];
    size_t       censored[D_COUNT];          /* values left out: started too close to the end */
    double       expiry;                     /* seconds */
    bool         expiry_inferred;
    long         expiry_n, unpaid_closed;
    int          nseg;
    fit__seg     seg[SCN_MAX_SEGMENTS];
    int          wh_servers;
    long         unresolved_dropped;
} fit__ctx;

/* Rounds to 6 significant digits: parameters are estimates, not 17-digit truths. */
static double fit__r(double x)
{
    if (x == 0 || !isfinite(x)) return x;
    char b[32];
    snprintf(b, sizeof b, "%.6g", x);
    return strtod(b, NULL);
}

static int fit__cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static int fit__cmp_created(const void *a, const void *b)
{
    const fit__order *x = a, *y = b;
    return (x->t[OLOG_T_CREATED] > y->t[OLOG_T_CREATED]) - (x->t[OLOG_T_CREATED] < y->t[OLOG_T_CREATED]);
}

/* Rows -> orders: rows sharing an order_id are one order's lines (times from its first row). */
static void fit__orders(fit__ctx *c)
{
    olog *l = c->log;
    int *idx = NULL;
    if (l->has[OLOG_ORDER_ID]) {
        idx = xmalloc((size_t)(l->orders.n ? l->orders.n : 1) * sizeof *idx);
        for (int i = 0; i < l->orders.n; i++) idx[i] = -1;
    }
    c->ord = xcalloc((size_t)l->n, sizeof *c->ord);
    for (int i = 0; i < l->n; i++) {
        const olog_row *r = &l->rows[i];
        if (idx && idx[r->order] >= 0) { c->ord[idx[r->order]].lines++; continue; }
        fit__order *o = &c->ord[c->n];
        memcpy(o->t, r->t, sizeof o->t);
        o->status = r->status;
        o->extra = r->extra;
        o->lines = 1;
        if (idx) idx[r->order] = c->n;
        c->n++;
    }
    free(idx);
    qsort(c->ord, (size_t)c->n, sizeof *c->ord, fit__cmp_created);
}

/* The period start at or before t: midnight UTC, or Monday midnight UTC for weeks. */
static double fit__floor_period(double t, int period_h)
{
    double day = floor(t / 86400);
    if (period_h == 24) return day * 86400;
    double dow = fmod(day + 3, 7);          /* 1970-01-01 was a Thursday: Monday = 0 */
    if (dow < 0) dow += 7;
    return (day - dow) * 86400;
}

static void fit__span(fit__ctx *c, double horizon_opt)
{
    c->first = c->ord[0].t[OLOG_T_CREATED];
    c->t_end = c->first;
    for (int i = 0; i < c->n; i++)
        for (int k = 0; k < OLOG_NT; k++)
            if (!isnan(c->ord[i].t[k]) && c->ord[i].t[k] > c->t_end) c->t_end = c->ord[i].t[k];
    c->t0 = fit__floor_period(c->first, c->period_h);
    c->start = floor(c->first / FIT__HOUR) * FIT__HOUR;
    c->horizon = horizon_opt > 0 ? horizon_opt : ceil((c->t_end - c->start) / FIT__HOUR + 1e-9) * FIT__HOUR;
    if (c->horizon < FIT__HOUR) c->horizon = FIT__HOUR;
}

/* Hourly counts per hour of the period over the observed span [first, last creation]. */
static void fit__arrivals(fit__ctx *c)
{
    double last = c->ord[c->n - 1].t[OLOG_T_CREATED];
    for (int i = 0; i < c->n; i++) {
        long hb = (long)floor((c->ord[i].t[OLOG_T_CREATED] - c->t0) / FIT__HOUR);
        c->count_h[hb % c->period_h]++;
    }
    /* Exposure: how long each hour of the period was observed. */
    long hb0 = (long)floor((c->first - c->t0) / FIT__HOUR), hb1 = (long)floor((last - c->t0) / FIT__HOUR);
    for (long hb = hb0; hb <= hb1; hb++) {
        double a = c->t0 + (double)hb * FIT__HOUR, b = a + FIT__HOUR;
        if (a < c->first) a = c->first;
        if (b > last) b = last;
        if (hb == hb1 && hb == hb0 && b <= a) b = a + 1;   /* one instant: avoid 0 / 0 */
        if (b > a) c->expo_h[hb % c->period_h] += b - a;
    }
    /* Hours never observed (or for under a minute) get the mean rate; a log spanning under
     * an hour is one hour of flat traffic. */
    double tot_c = 0, tot_e = 0;
    for (int h = 0; h < c->period_h; h++) { tot_c += c->count_h[h]; tot_e += c->expo_h[h]; }
    bool short_log = tot_e < FIT__HOUR;
    double mean = tot_c / (short_log ? FIT__HOUR : tot_e);
    for (int h = 0; h < c->period_h; h++) c->rate_h[h] = c->expo_h[h] >= 60 && !short_log ? c->count_h[h] / c->expo_h[h] : mean;
}

/* Collects one delay's sample (to - from >= 0 over orders having both) and fits it. A log
 * ends mid-flight: a delay that started near its end shows only if it was short. So only
 * delays that started at least `window` before the end are kept (window: the expiry for
 * the think time, which bounds it; else the longest delay observed), unless that leaves
 * fewer than 20. `trunc` > 0: no delay above it can be seen (a think time past the expiry
 * is an expired order, not a late payment), so the law is fitted to a truncated sample. */
static void fit__delay(fit__ctx *c, int d, int from, int to, double window, double trunc)
{
    double *x = xmalloc((size_t)c->n * sizeof *x), *st = xmalloc((size_t)c->n * sizeof *st);
    size_t n = 0;
    double mx = 0;
    for (int i = 0; i < c->n; i++) {
        double a = c->ord[i].t[from], b = c->ord[i].t[to];
        if (isnan(a) || isnan(b) || b < a) continue;
        st[n] = a;
        x[n++] = b - a;
        if (b - a > mx) mx = b - a;
    }
    if (!(window > 0)) window = mx;
    size_t k = 0;
    for (size_t i = 0; i < n; i++) k += st[i] <= c->t_end - window;
    if (k >= 20) {
        size_t j = 0;
        for (size_t i = 0; i < n; i++) if (st[i] <= c->t_end - window) x[j++] = x[i];
        c->censored[d] = n - j;
        n = j;
    }
    free(st);
    c->sample[d] = x;
    c->nsample[d] = n;
    if (n < 2) return;
    fit_best(x, n, c->o->ks_max, trunc, &c->fit[d]);
    c->have[d] = true;
}

static bool fit__is(const fit__ctx *c, int status, const char *name)
{
    return status >= 0 && strcmp(c->log->statuses.s[status], name) == 0;
}

/* The expiry: most unpaid orders that closed did so at one common age (the timer), rounded
 * to the second. Needs at least 5 such orders and 30% of the unpaid closures. */
static void fit__expiry(fit__ctx *c)
{
    double *age = xmalloc((size_t)c->n * sizeof *age);
    size_t n = 0;
    for (int i = 0; i < c->n; i++) {
        const fit__order *o = &c->ord[i];
        if (isnan(o->t[OLOG_T_PAID]) && !isnan(o->t[OLOG_T_CANCELLED]))
            age[n++] = round(o->t[OLOG_T_CANCELLED] - o->t[OLOG_T_CREATED]);
    }
    c->unpaid_closed = (long)n;
    qsort(age, n, sizeof *age, fit__cmpd);
    size_t best = 0, bi = 0;
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && age[j] == age[i]) j++;
        if (j - i > best && age[i] > 0) { best = j - i; bi = i; }
        i = j;
    }
    if (best >= 5 && (double)best >= 0.3 * (double)n) {
        c->expiry = age[bi];
        c->expiry_inferred = true;
        c->expiry_n = (long)best;
    }
    free(age);
}

/* No timer visible: an expiry long enough that no logged payment would have expired. */
static void fit__expiry_default(fit__ctx *c)
{
    double mx = 0;
    for (size_t i = 0; i < c->nsample[D_THINK]; i++) if (c->sample[D_THINK][i] > mx) mx = c->sample[D_THINK][i];
    c->expiry = ceil(fmax(900, 1.5 * mx));
}

/* Empirical CDF of a sorted sample at t. */
static double fit__ecdf(const double *x, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (x[mid] <= t) lo = mid + 1; else hi = mid;
    }
    return n ? (double)lo / (double)n : 0;
}

/* Segments and their probabilities. Returns false (message printed) on too many segments. */
static bool fit__segments(fit__ctx *c)
{
    olog *l = c->log;
    if (l->has_extra) {
        if (l->extras.n > SCN_MAX_SEGMENTS) {
            fprintf(stderr, "ordersim fit: column \"%s\" has %d distinct values; --segment-by needs at most %d\n",
                    c->o->segment_by, l->extras.n, SCN_MAX_SEGMENTS);
            return false;
        }
        c->nseg = l->extras.n;
        for (int i = 0; i < c->nseg; i++) snprintf(c->seg[i].name, SCN_NAME_MAX, "%s", l->extras.s[i][0] ? l->extras.s[i] : "(empty)");
    } else {
        c->nseg = 1;
        snprintf(c->seg[0].name, SCN_NAME_MAX, "all");
    }
    /* Pay and cancel rates count only orders created at least one expiry before the end of
     * the log: younger unpaid orders may still pay, and counting only the ones that already
     * did would inflate the rate. Returns use every delivered order, weighted by the chance
     * that its return would already show (the return delays' empirical CDF at its age). */
    double cutoff = c->t_end - c->expiry;
    if (c->ord[0].t[OLOG_T_CREATED] > cutoff) cutoff = c->t_end;
    for (int i = 0; i < c->n; i++) {
        const fit__order *o = &c->ord[i];
        fit__seg *g = &c->seg[l->has_extra && o->extra >= 0 ? o->extra : 0];
        g->orders++;
        bool paid = !isnan(o->t[OLOG_T_PAID]);
        if (paid && !isnan(o->t[OLOG_T_DELIVERED])) {
            g->exposure += c->nsample[D_RETURN] ? fit__ecdf(c->sample[D_RETURN], c->nsample[D_RETURN], c->t_end - o->t[OLOG_T_DELIVERED]) : 1;
            if (!isnan(o->t[OLOG_T_RETURNED])) g->returned++;
        }
        if (o->t[OLOG_T_CREATED] > cutoff) { c->unresolved_dropped++; continue; }
        g->resolved++;
        if (paid) { g->paid++; continue; }
        bool closed = !isnan(o->t[OLOG_T_CANCELLED]) || fit__is(c, o->status, "expired") ||
                      fit__is(c, o->status, "cancelled") || fit__is(c, o->status, "rejected");
        double age = o->t[OLOG_T_CANCELLED] - o->t[OLOG_T_CREATED];
        bool expired = fit__is(c, o->status, "expired") || fit__is(c, o->status, "rejected") ||
                       (c->expiry_inferred && !isnan(age) && round(age) == c->expiry && !fit__is(c, o->status, "cancelled"));
        if (closed && !expired) g->cancelled++;
    }
    return true;
}

static double fit__pay_p(const fit__ctx *c, const fit__seg *g)
{
    double base = g->resolved - g->cancelled;
    if (base <= 0) return 0;
    double p = g->paid / base;
    /* Payers whose think time would pass the expiry never pay in the simulator: scale up. */
    double f = c->have[D_THINK] ? fit_cdf(&c->fit[D_THINK], c->expiry) : 1;
    if (f > 0.01) p /= f;
    return p > 1 ? 1 : p;
}

/* ---- writing the scenario -------------------------------------------------------------- */

static cJSON *fit__dist_json(const fit_result *f)
{
    cJSON *d = cJSON_CreateObject();
    cJSON_AddStringToObject(d, "dist", fit_family_name(f->family));
    switch (f->family) {
    case FIT_EXP: cJSON_AddNumberToObject(d, "mean", fit__r(f->mean)); break;
    case FIT_LOGNORMAL:
        cJSON_AddNumberToObject(d, "median", fit__r(fmax(f->median, FIT_MIN_VALUE)));
        cJSON_AddNumberToObject(d, "sigma", fit__r(fmin(f->sigma, 20)));
        break;
    case FIT_MIXTURE: {
        cJSON *a = cJSON_AddArrayToObject(d, "components");
        for (int j = 0; j < f->k; j++) {
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "weight", fit__r(f->w[j]));
            cJSON_AddNumberToObject(e, "median", fit__r(fmax(f->med[j], FIT_MIN_VALUE)));
            cJSON_AddNumberToObject(e, "sigma", fit__r(fmin(f->sig[j], 20)));
            cJSON_AddItemToArray(a, e);
        }
        break;
    }
    case FIT_EMPIRICAL: {
        cJSON *a = cJSON_AddArrayToObject(d, "values");
        for (int i = 0; i < f->nq; i++) cJSON_AddItemToArray(a, cJSON_CreateNumber(fit__r(f->q[i])));
        break;
    }
    default: break;
    }
    return d;
}

/* A count distribution (quantity, basket size) from observed whole numbers: const when one
 * value, else empirical with weights. */
static cJSON *fit__count_json(const double *v, size_t n)
{
    double *x = xmalloc((n ? n : 1) * sizeof *x);
    size_t m = 0;
    for (size_t i = 0; i < n; i++) if (!isnan(v[i])) x[m++] = v[i] < 1 ? 1 : round(v[i]);
    qsort(x, m, sizeof *x, fit__cmpd);
    cJSON *d = cJSON_CreateObject();
    if (m == 0 || x[0] == x[m - 1]) {
        cJSON_AddStringToObject(d, "dist", "const");
        cJSON_AddNumberToObject(d, "value", m ? x[0] : 1);
    } else {
        cJSON_AddStringToObject(d, "dist", "empirical");
        cJSON *va = cJSON_AddArrayToObject(d, "values"), *wa = cJSON_AddArrayToObject(d, "weights");
        int distinct = 0;
        for (size_t i = 0; i < m && distinct < 1000;) {
            size_t j = i;
            while (j < m && x[j] == x[i]) j++;
            cJSON_AddItemToArray(va, cJSON_CreateNumber(x[i]));
            cJSON_AddItemToArray(wa, cJSON_CreateNumber((double)(j - i)));
            distinct++;
            i = j;
        }
    }
    free(x);
    return d;
}

static double fit__median(double *x, size_t n)
{
    if (!n) return 0;
    qsort(x, n, sizeof *x, fit__cmpd);
    return n % 2 ? x[n / 2] : (x[n / 2 - 1] + x[n / 2]) / 2;
}

static void fit__catalog(fit__ctx *c, cJSON *root)
{
    olog *l = c->log;
    cJSON *cat = cJSON_AddArrayToObject(root, "catalog");
    int nk = l->has[OLOG_SKU] && l->skus.n ? l->skus.n : 1;
    if (nk > SCN_MAX_SKUS) nk = SCN_MAX_SKUS;
    double units = 0;
    for (int i = 0; i < l->n; i++) units += isnan(l->rows[i].quantity) ? 1 : l->rows[i].quantity;
    double *pr = xmalloc((size_t)(l->n ? l->n : 1) * sizeof *pr);
    for (int k = 0; k < nk; k++) {
        size_t np = 0;
        double lines = 0;
        for (int i = 0; i < l->n; i++) {
            const olog_row *r = &l->rows[i];
            if (nk > 1 || l->has[OLOG_SKU] ? r->sku != k : false) continue;
            lines++;
            if (!isnan(r->price)) pr[np++] = r->price;
        }
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "sku", l->has[OLOG_SKU] && l->skus.n ? l->skus.s[k] : "item");
        /* The log shows demand, not stock: ten times the units demanded never binds. */
        cJSON_AddNumberToObject(e, "stock", ceil(10 * units + 1000));
        cJSON_AddNumberToObject(e, "price", round(fit__median(pr, np) * 100) / 100);
        cJSON_AddNumberToObject(e, "demand_weight", lines > 0 ? lines : 1e-9);
        cJSON_AddItemToArray(cat, e);
    }
    free(pr);
}

/* Builds the scenario document. */
static cJSON *fit__scenario(fit__ctx *c, const char *log_path)
{
    cJSON *root = cJSON_CreateObject();
    char name[SCN_NAME_MAX];
    const char *base = strrchr(log_path, '/');
    base = base ? base + 1 : log_path;
    snprintf(name, sizeof name, "fitted_%.*s", (int)(strcspn(base, ".") < 50 ? strcspn(base, ".") : 50), base);
    cJSON_AddStringToObject(root, "name", name);
    char desc[1024];
    snprintf(desc, sizeof desc, "Fitted by `ordersim fit` from %s (%d orders, %s to %s). Stock is set so it never binds and the "
             "warehouse has twice the log's peak number of orders in production: the log shows demand and delays, not capacity.",
             base, c->n, "the first order", "the last event");
    cJSON_AddStringToObject(root, "description", desc);
    cJSON_AddNumberToObject(root, "seed", 1);
    cJSON_AddNumberToObject(root, "horizon", c->horizon);
    fit__catalog(c, root);
    cJSON *inv = cJSON_AddObjectToObject(root, "inventory");
    cJSON_AddStringToObject(inv, "strategy", "reduce_on_order");
    cJSON_AddNumberToObject(inv, "order_expiry", c->expiry);
    cJSON *cust = cJSON_AddObjectToObject(root, "customers");
    cJSON *arr = cJSON_AddObjectToObject(cust, "arrivals");
    cJSON_AddStringToObject(arr, "process", "poisson");
    double mean = 0;
    for (int h = 0; h < c->period_h; h++) mean += c->rate_h[h] / c->period_h;
    cJSON_AddNumberToObject(arr, "rate", fit__r(mean > 0 ? mean : 1e-6));
    cJSON *sch = cJSON_AddArrayToObject(arr, "schedule");
    double prev = -1;
    long phase = (long)llround((c->start - c->t0) / FIT__HOUR);   /* hour of the period at time 0 */
    for (long hb = 0; hb * FIT__HOUR < c->horizon; hb++) {
        double r = fit__r(c->rate_h[(hb + phase) % c->period_h]);
        if (r == prev) continue;
        cJSON *e = cJSON_CreateObject();
        cJSON_AddNumberToObject(e, "at", (double)hb * FIT__HOUR);
        cJSON_AddNumberToObject(e, "rate", r);
        cJSON_AddItemToArray(sch, e);
        prev = r;
    }
    cJSON *segs = cJSON_AddArrayToObject(cust, "segments");
    double *qty = xmalloc((size_t)c->log->n * sizeof *qty), *lines = xmalloc((size_t)(c->n ? c->n : 1) * sizeof *lines);
    for (int i = 0; i < c->log->n; i++) qty[i] = c->log->rows[i].quantity;
    for (int i = 0; i < c->n; i++) lines[i] = c->ord[i].lines;
    double share_left = 1;
    for (int s = 0; s < c->nseg; s++) {
        fit__seg *g = &c->seg[s];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", g->name);
        /* Shares rounded, the last one takes the rest so they sum to 1 exactly. */
        double sh = s + 1 < c->nseg ? fit__r(g->orders / c->n) : share_left;
        share_left -= sh;
        cJSON_AddNumberToObject(e, "share", sh < 0 ? 0 : sh);
        cJSON_AddItemToObject(e, "quantity", fit__count_json(qty, (size_t)c->log->n));
        if (c->log->has[OLOG_ORDER_ID]) cJSON_AddItemToObject(e, "basket_size", fit__count_json(lines, (size_t)c->n));
        cJSON_AddNumberToObject(e, "pay_probability", fit__r(fit__pay_p(c, g)));
        if (c->have[D_THINK]) cJSON_AddItemToObject(e, "think_time", fit__dist_json(&c->fit[D_THINK]));
        cJSON_AddNumberToObject(e, "cancel_probability", g->resolved > 0 ? fit__r(g->cancelled / g->resolved) : 0);
        double rp = g->exposure > 0 ? g->returned / g->exposure : 0;
        cJSON_AddNumberToObject(e, "return_probability", fit__r(rp > 1 ? 1 : rp));
        if (c->have[D_RETURN]) cJSON_AddItemToObject(e, "return_delay", fit__dist_json(&c->fit[D_RETURN]));
        cJSON_AddItemToArray(segs, e);
    }
    free(qty);
    free(lines);
    if (c->have[D_WAREHOUSE]) {
        cJSON *st = cJSON_AddObjectToObject(root, "stations");
        cJSON *wh = cJSON_AddObjectToObject(st, "warehouse");
        cJSON_AddNumberToObject(wh, "servers", c->wh_servers);
        cJSON_AddItemToObject(wh, "service", fit__dist_json(&c->fit[D_WAREHOUSE]));
    }
    if (c->have[D_DELIVERY]) {
        cJSON *ful = cJSON_AddObjectToObject(root, "fulfilment");
        cJSON_AddItemToObject(ful, "delivery", fit__dist_json(&c->fit[D_DELIVERY]));
    }
    cJSON_AddStringToObject(root, "process", "b2c");
    return root;
}

typedef struct fit__ev { double t; int delta; } fit__ev;

static int fit__cmp_ev(const void *a, const void *b)
{
    const fit__ev *x = a, *y = b;
    if (x->t != y->t) return (x->t > y->t) - (x->t < y->t);
    return x->delta - y->delta;               /* an end before a start at the same instant */
}

/* Peak number of orders between paid_at and shipped_at at once (a sweep over the events). */
static int fit__peak_production(const fit__ctx *c)
{
    fit__ev *ev = xmalloc((size_t)(2 * c->n + 1) * sizeof *ev);
    size_t m = 0;
    for (int i = 0; i < c->n; i++) {
        const fit__order *o = &c->ord[i];
        if (isnan(o->t[OLOG_T_PAID]) || isnan(o->t[OLOG_T_SHIPPED]) || o->t[OLOG_T_SHIPPED] < o->t[OLOG_T_PAID]) continue;
        ev[m++] = (fit__ev){ o->t[OLOG_T_PAID], 1 };
        ev[m++] = (fit__ev){ o->t[OLOG_T_SHIPPED], -1 };
    }
    qsort(ev, m, sizeof *ev, fit__cmp_ev);
    int cur = 0, peak = 0;
    for (size_t i = 0; i < m; i++) {
        cur += ev[i].delta;
        if (cur > peak) peak = cur;
    }
    free(ev);
    return peak;
}

/* ---- the report ------------------------------------------------------------------------ */

/* A parameter for people (thousands separators, 4 significant digits, never an exponent);
 * returns buf. */
static const char *fit__num(double v, const char *unit, char *buf, size_t n)
{
    rpt_num_format(v, NAN, unit, NULL, buf, n);
    return buf;
}

static void fit__params(const fit_result *f, char *b, size_t n)
{
    char x[64], y[64], z[64];
    switch (f->family) {
    case FIT_EXP: snprintf(b, n, "mean %s", fit__num(f->mean, "s", x, sizeof x)); break;
    case FIT_LOGNORMAL:
        snprintf(b, n, "median %s, sigma %s", fit__num(f->median, "s", x, sizeof x), fit__num(f->sigma, "", y, sizeof y));
        break;
    case FIT_MIXTURE: {
        size_t k = 0;
        for (int j = 0; j < f->k && k < n; j++)
            k += (size_t)snprintf(b + k, n - k, "%s%s x lognormal(median %s, sigma %s)", j ? " + " : "", fit__num(f->w[j], "", x, sizeof x),
                                  fit__num(f->med[j], "s", y, sizeof y), fit__num(f->sig[j], "", z, sizeof z));
        break;
    }
    case FIT_EMPIRICAL:
        snprintf(b, n, "%d quantiles from %s to %s", f->nq, fit__num(f->q[0], "s", x, sizeof x), fit__num(f->q[f->nq - 1], "s", y, sizeof y));
        break;
    default: b[0] = 0;
    }
}

static void fit__ks_list(const fit_result *f, char *b, size_t n)
{
    size_t k = 0;
    b[0] = 0;
    for (int i = 0; i < FIT_NFAMILIES && k < n; i++)
        if (!isnan(f->ks_of[i])) k += (size_t)snprintf(b + k, n - k, "%s%s %.4f", k ? ", " : "", fit_family_name((fit_family)i), f->ks_of[i]);
}

/* Writes DIR/fit_NAME.dat (sorted sample, empirical and fitted CDF, at most ~2000 points)
 * and the chart commands. */
static int fit__chart(const fit__ctx *c, FILE *gp, const char *dir, int d)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/fit_%d.dat", dir, d);
    FILE *f = fopen(path, "w");
    if (!f) return -1;
    const double *x = c->sample[d];
    size_t n = c->nsample[d], step = n > 2000 ? n / 2000 : 1;
    for (size_t i = 0; i < n; i += step)
        fprintf(f, "%.9g %.9g %.9g\n", fmax(x[i], FIT_MIN_VALUE), (double)(i + 1) / (double)n, fit_cdf_seen(&c->fit[d], x[i]));
    if (fclose(f) != 0) return -1;
    char title[200];
    snprintf(title, sizeof title, "%s (%s): n = %zu, %s, KS %.4f", fit__dname[d], fit__dwhat[d], n,
             fit_family_name(c->fit[d].family), c->fit[d].ks);
    for (int t = 0; t < 2; t++) {
        fprintf(gp, "set terminal %s\nset output 'fit_%s.%s'\nset title ", t ? "svg size 900,520 font 'DejaVu Sans,15' noenhanced background '#ffffff'"
                                                                           : "pngcairo size 900,520 font 'DejaVu Sans,15' noenhanced",
                fit__dname[d], t ? "svg" : "png");
        rpt_gp_string(gp, title);
        fprintf(gp, "\nset xlabel 'seconds (log scale)'\nset ylabel 'cumulative probability'\nset logscale x\nset format x '%%.10g'\nset key bottom right\nset grid\n"
                    "plot 'fit_%d.dat' using 1:2 with steps lw 2 title 'log (empirical)', '' using 1:3 with lines lw 2 dt 2 title 'fitted'\n"
                    "unset output\n", d);
    }
    return 0;
}

/* The fit report, written as an ordersim report directory (rpt_dir: built beside `out_dir`,
 * put in place in one rename, never into a directory of the user's own files). */
static int fit__report_in(const fit__ctx *c, const char *dir, const char *log_path, const char *scn_path);

static int fit__report(const fit__ctx *c, const char *out_dir, const char *log_path, const char *scn_path)
{
    os_diag d;
    os_diag_init(&d);
    rpt_dir *rd;
    int rc = CLI_IO;
    if (rpt_dir_begin(out_dir, &rd, &d) == OS_OK) {
        rc = fit__report_in(c, rpt_dir_work(rd), log_path, scn_path);
        if (rc == CLI_OK && rpt_dir_commit(rd, &d) != OS_OK) rc = CLI_IO;
        else if (rc != CLI_OK) rpt_dir_abort(rd);
    }
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    return rc;
}

static int fit__report_in(const fit__ctx *c, const char *dir, const char *log_path, const char *scn_path)
{
    char path[1200];
    snprintf(path, sizeof path, "%s/charts.gp", dir);
    FILE *gp = fopen(path, "w");
    if (!gp) { fprintf(stderr, "ordersim fit: cannot write %s: %s\n", path, strerror(errno)); return CLI_IO; }
    int ncharts = 0;
    for (int d = 0; d < D_COUNT; d++)
        if (c->have[d] && fit__chart(c, gp, dir, d) == 0) ncharts++;
    bool gp_ok = fclose(gp) == 0;
    os_diag diag;
    os_diag_init(&diag);
    bool charts = gp_ok && ncharts > 0 && rpt_gnuplot_run(dir, &diag) == 0;
    os_diag_print(&diag, stderr);
    os_diag_fini(&diag);
    for (int fmt = 0; fmt < 2; fmt++) {
        snprintf(path, sizeof path, "%s/report.%s", dir, fmt ? "html" : "md");
        FILE *f = fopen(path, "w");
        if (!f) { fprintf(stderr, "ordersim fit: cannot write %s: %s\n", path, strerror(errno)); return CLI_IO; }
        bool h = fmt == 1;
        char b[1200], ks[200];
        if (h) fprintf(f, "<!doctype html><html><head><meta charset=\"utf-8\"><title>fit report</title><style>body{font-family:sans-serif;max-width:1000px;margin:auto}"
                          "td,th{border:1px solid #ccc;padding:3px 6px}table{border-collapse:collapse}</style></head><body>\n");
        fprintf(f, h ? "<h1>Fit report</h1>\n<p>" : "# Fit report\n\n");
        snprintf(b, sizeof b, "Log %s: %ld rows (%ld bad, skipped), %d orders over %.2f days; scenario written to %s (horizon %.0f s, "
                 "arrival rates per hour of the %s).", log_path, c->log->total, c->log->bad, c->n, (c->t_end - c->first) / 86400, scn_path,
                 c->horizon, c->period_h == 24 ? "day" : "week");
        if (h) rpt_html_text(f, b); else fputs(b, f);
        fprintf(f, h ? "</p>\n<h2>Delays</h2>\n<table><tr><th>delay</th><th>from the log</th><th>n</th><th>family</th><th>parameters</th><th>KS</th><th>KS of each family (limit)</th></tr>\n"
                     : "\n\n## Delays\n\n| delay | from the log | n | family | parameters | KS | KS of each family (limit) |\n|---|---|---|---|---|---|---|\n");
        for (int d = 0; d < D_COUNT; d++) {
            if (!c->have[d]) {
                fprintf(f, h ? "<tr><td>%s</td><td>%s</td><td>%zu</td><td colspan=4>too few values: not fitted, the scenario keeps the default</td></tr>\n"
                             : "| %s | %s | %zu | not fitted (too few values): the default is kept | | | |\n", fit__dname[d], fit__dwhat[d], c->nsample[d]);
                continue;
            }
            fit__params(&c->fit[d], b, sizeof b);
            fit__ks_list(&c->fit[d], ks, sizeof ks);
            fprintf(f, h ? "<tr><td>%s</td><td>%s</td><td>%zu</td><td>%s</td><td>" : "| %s | %s | %zu | %s | ", fit__dname[d],
                    h ? "" : fit__dwhat[d], c->fit[d].n, fit_family_name(c->fit[d].family));
            if (h) rpt_html_text(f, b); else fputs(b, f);
            fprintf(f, h ? "</td><td>%.4f</td><td>%s (%.4f)</td></tr>\n" : " | %.4f | %s (%.4f) |\n", c->fit[d].ks, ks, c->fit[d].ks_max);
        }
        fprintf(f, h ? "</table>\n<p>" : "\n");
        fprintf(f, "n counts the delays that started early enough to show in full: a delay is kept only when it started at least "
                   "the expiry (think time) or the longest delay of its kind (the others) before the end of the log; left out:");
        for (int d = 0; d < D_COUNT; d++) fprintf(f, " %s %zu%s", fit__dname[d], c->censored[d], d + 1 < D_COUNT ? "," : ".");
        fprintf(f, h ? "</p>\n<h2>Probabilities</h2>\n<table><tr><th>segment</th><th>orders</th><th>share</th><th>pay</th><th>cancel</th><th>return</th></tr>\n"
                     : "\n\n## Probabilities\n\n| segment | orders | share | pay | cancel | return |\n|---|---|---|---|---|---|\n");
        for (int s = 0; s < c->nseg; s++) {
            const fit__seg *g = &c->seg[s];
            fprintf(f, h ? "<tr><td>" : "| ");
            if (h) rpt_html_text(f, g->name); else fputs(g->name, f);
            fprintf(f, h ? "</td><td>%.0f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td><td>%.4f</td></tr>\n" : " | %.0f | %.4f | %.4f | %.4f | %.4f |\n",
                    g->orders, g->orders / c->n, fit__pay_p(c, g), g->resolved > 0 ? g->cancelled / g->resolved : 0,
                    g->exposure > 0 ? fmin(1, g->returned / g->exposure) : 0);
        }
        if (c->expiry_inferred)
            snprintf(b, sizeof b, "Order expiry: %.0f s, inferred: %ld of the %ld unpaid orders that closed did so at that age.",
                     c->expiry, c->expiry_n, c->unpaid_closed);
        else
            snprintf(b, sizeof b, "Order expiry: not visible in the log (no common age among %ld closed unpaid orders); set to %.0f s, "
                     "1.5 times the longest logged time to pay (at least 15 minutes).", c->unpaid_closed, c->expiry);
        fprintf(f, h ? "</table>\n<p>" : "\n");
        if (h) rpt_html_text(f, b); else fputs(b, f);
        snprintf(b, sizeof b, " pay_probability is paid / (resolved - cancelled), divided by the fitted chance that the think time "
                 "stays under the expiry; return_probability is returned / delivered, with deliveries near the end of the log weighted "
                 "by the chance their return would already show; the %ld orders created in the last expiry period of the log are left "
                 "out of the pay and cancel rates (their outcome may not show yet). The warehouse has %d servers (twice the log's peak of orders in production).", c->unresolved_dropped, c->wh_servers);
        if (h) rpt_html_text(f, b); else fputs(b, f);
        fprintf(f, h ? "</p>\n<h2>Arrivals</h2>\n<table><tr><th>hour</th><th>orders</th><th>hours observed</th><th>rate (per hour)</th></tr>\n"
                     : "\n\n## Arrivals\n\n| hour of the %s | orders | hours observed | rate (per hour) |\n|---|---|---|---|\n",
                c->period_h == 24 ? "day" : "week");
        for (int hh = 0; hh < c->period_h; hh++)
            fprintf(f, h ? "<tr><td>%d</td><td>%.0f</td><td>%.2f</td><td>%.2f</td></tr>\n" : "| %d | %.0f | %.2f | %.2f |\n", hh,
                    c->count_h[hh], c->expo_h[hh] / FIT__HOUR, c->rate_h[hh] * FIT__HOUR);
        fprintf(f, h ? "</table>\n<h2>Charts: logged vs fitted CDF</h2>\n" : "\n## Charts: logged vs fitted CDF\n\n");
        if (!charts) fprintf(f, h ? "<p>Charts were skipped (gnuplot missing or failed).</p>\n" : "Charts were skipped (gnuplot missing or failed).\n");
        for (int d = 0; charts && d < D_COUNT; d++) {
            if (!c->have[d]) continue;
            if (h) {
                char svg[1200];
                snprintf(svg, sizeof svg, "%s/fit_%s.svg", dir, fit__dname[d]);
                fprintf(f, "<figure>\n");
                rpt_inline_svg(f, svg);
                fprintf(f, "</figure>\n");
            } else {
                fprintf(f, "![%s](fit_%s.png)\n\n", fit__dname[d], fit__dname[d]);
            }
        }
        if (h) fprintf(f, "</body></html>\n");
        if (fclose(f) != 0) { fprintf(stderr, "ordersim fit: cannot write %s\n", path); return CLI_IO; }
    }
    return CLI_OK;
}

/* ---- the command ------------------------------------------------------------------------ */

static int cmd_fit(cli_opts *o)
{
    if (o->nargs != 1 || !o->output) {
        fprintf(stderr, "ordersim fit: expected one order log and -o SCENARIO.json (see ordersim fit --help)\n");
        return CLI_USAGE;
    }
    int orc = cli_check_output(o, "fit", "-o", o->output);
    if (orc) return orc;
    double horizon = 0;
    if (o->horizon) {
        cJSON *v = cJSON_CreateString(o->horizon);
        bool ok = jsn_duration(v, &horizon) && horizon > 0 && horizon <= ORD_MAX_AGE;
        cJSON_Delete(v);
        if (!ok) { fprintf(stderr, "ordersim fit: --horizon takes a duration such as 7d or 168h (at most 34 years), not '%s'\n", o->horizon); return CLI_USAGE; }
    }
    olog_opts lo = { .map = o->maps, .nmap = o->nmaps, .time_format = o->time_format, .max_bad = o->max_bad, .extra = o->segment_by };
    const char *win[2] = { o->min_time, o->max_time };
    for (int k = 0; k < 2; k++) {
        double t;
        if (!win[k]) continue;
        if (!olog_parse_iso(win[k], &t) || t < 0) {
            fprintf(stderr, "ordersim fit: --%s takes an ISO 8601 time from 1970 on such as 2026-01-05T00:00:00Z, not '%s'\n",
                    k ? "max-time" : "min-time", win[k]);
            return CLI_USAGE;
        }
        *(k ? &lo.max_time : &lo.min_time) = t;
        *(k ? &lo.has_max_time : &lo.has_min_time) = true;
    }
    if (lo.has_min_time && lo.has_max_time && lo.min_time > lo.max_time) {
        fprintf(stderr, "ordersim fit: --min-time %s is after --max-time %s\n", o->min_time, o->max_time);
        return CLI_USAGE;
    }
    os_diag diag, notes;
    os_diag_init(&diag);
    os_diag_init(&notes);
    fit__ctx c = { .o = o, .period_h = o->period && strcmp(o->period, "week") == 0 ? 168 : 24 };
    os_status st = olog_read(o->args[0], &lo, &c.log, &diag, &notes);
    os_diag_print(&diag, stderr);
    if (!o->quiet) os_diag_print(&notes, stderr);
    os_diag_fini(&diag);
    os_diag_fini(&notes);
    if (st != OS_OK) return os_exit_code(st);
    int rc = CLI_OK;
    if (c.log->skus.n > SCN_MAX_SKUS) {
        fprintf(stderr, "%s: %d distinct SKUs; a scenario holds at most %d\n", o->args[0], c.log->skus.n, SCN_MAX_SKUS);
        rc = CLI_DATA;
    }
    for (int k = 0; k < c.log->skus.n && rc == CLI_OK; k++)
        if (strlen(c.log->skus.s[k]) >= SCN_NAME_MAX) {
            fprintf(stderr, "%s: SKU \"%.40s...\" is %zu characters long; a scenario's SKU names have at most %d\n", o->args[0],
                    c.log->skus.s[k], strlen(c.log->skus.s[k]), SCN_NAME_MAX - 1);
            rc = CLI_DATA;
        }
    if (rc != CLI_OK) goto done;
    fit__orders(&c);
    fit__span(&c, horizon);
    fit__arrivals(&c);
    fit__expiry(&c);
    fit__delay(&c, D_THINK, OLOG_T_CREATED, OLOG_T_PAID, c.expiry_inferred ? c.expiry : 0, c.expiry_inferred ? c.expiry : 0);
    fit__delay(&c, D_WAREHOUSE, OLOG_T_PAID, OLOG_T_SHIPPED, 0, 0);
    fit__delay(&c, D_DELIVERY, OLOG_T_SHIPPED, OLOG_T_DELIVERED, 0, 0);
    fit__delay(&c, D_RETURN, OLOG_T_DELIVERED, OLOG_T_RETURNED, 0, 0);
    if (!c.expiry_inferred) fit__expiry_default(&c);
    int peak = fit__peak_production(&c);
    c.wh_servers = peak > 0 ? 2 * peak : 1;
    if (!fit__segments(&c)) { rc = CLI_DATA; goto done; }
    cJSON *doc = fit__scenario(&c, o->args[0]);
    char *text = cJSON_Print(doc);
    cJSON_Delete(doc);
    /* Written to a temporary beside -o and loaded back from there: our own output must
     * validate (a failure is a bug in fit, not in the log), and only then replaces -o. */
    sfw_file *out = NULL;
    scn_scenario *s = NULL;
    os_diag_init(&diag);
    if (sfw_open(o->output, &out, &diag) != OS_OK || fputs(text, sfw_stream(out)) < 0 || fputc('\n', sfw_stream(out)) < 0 ||
        fflush(sfw_stream(out)) != 0) {
        os_diag_print(&diag, stderr);
        os_diag_fini(&diag);
        fprintf(stderr, "ordersim fit: cannot write %s\n", o->output);
        sfw_abort(out);
        cJSON_free(text);
        rc = CLI_IO;
        goto done;
    }
    cJSON_free(text);
    if (scn_load(sfw_temp(out), NULL, 0, &s, &diag) != OS_OK) {
        os_diag_print(&diag, stderr);
        fprintf(stderr, "ordersim fit: the scenario fitted for %s does not validate (the file was not written); this is a bug in "
                "ordersim fit\n", o->output);
        sfw_abort(out);
        rc = CLI_INTERNAL;
    } else if (sfw_commit(out, &diag) != OS_OK) {
        os_diag_print(&diag, stderr);
        rc = CLI_IO;
    }
    os_diag_fini(&diag);
    if (rc == CLI_OK && !o->quiet) {
        printf("wrote %s: %d orders, horizon %.0f s, expiry %.0f s%s\n", o->output, c.n, c.horizon, c.expiry,
               c.expiry_inferred ? " (inferred)" : "");
        for (int d = 0; d < D_COUNT; d++) {
            char b[600];
            if (!c.have[d]) { printf("  %-20s not fitted (%zu values)\n", fit__dname[d], c.nsample[d]); continue; }
            fit__params(&c.fit[d], b, sizeof b);
            printf("  %-20s n=%-7zu %-9s KS %.4f  %s\n", fit__dname[d], c.fit[d].n, fit_family_name(c.fit[d].family), c.fit[d].ks, b);
        }
    }
    if (rc == CLI_OK && !o->no_report) {
        char dir[1024];
        cli_out_dir(o, s, dir, sizeof dir);
        rc = fit__report(&c, dir, o->args[0], o->output);
        if (rc == CLI_OK && !o->quiet) printf("fit report: %s/report.md\n", dir);
    }
    scn_free(s);
done:
    for (int d = 0; d < D_COUNT; d++) free(c.sample[d]);
    free(c.ord);
    olog_free(c.log);
    return rc;
}

const cli_cmd cmd_fit_entry = {
    .name = "fit",
    .usage = "LOG.csv -o SCENARIO.json [--out DIR] [--no-report] [--map NAME=COLUMN]... [--time-format FMT]\n"
             "       [--max-bad FRACTION] [--ks-max D] [--period day|week] [--horizon DURATION] [--segment-by COLUMN]\n"
             "       [--min-time TIME] [--max-time TIME] [--quiet]",
    .summary = "Calibrates a scenario from an order log (CSV): arrivals, delays, probabilities, catalog.",
    .help = "  -o, --output FILE     the scenario to write (it is loaded back and must validate)\n"
            "  --out DIR             fit report directory: report.md, report.html, one chart per delay\n"
            "                        (default out/<scenario name>/); --no-report skips it\n"
            "  --map NAME=COLUMN     read the known column NAME (created_at, paid_at, cancelled_at, shipped_at,\n"
            "                        delivered_at, returned_at, order_id, customer_id, status, sku, quantity,\n"
            "                        price, channel) from the log's column COLUMN (repeatable)\n"
            "  --time-format FMT     strptime(3) format of the timestamps, read as UTC (default: ISO 8601,\n"
            "                        with or without a zone; without one, UTC)\n"
            "  --max-bad FRACTION    bad rows allowed, as a fraction or percentage (default 0.01 = 1%): more\n"
            "                        refuses the file (exit 65), fewer are skipped and counted\n"
            "  --ks-max D            KS distance above which no family fits and the delay becomes empirical\n"
            "                        quantiles (default: the larger of 0.05 and 1.36/sqrt(n))\n"
            "  --period day|week     arrival rates per hour of the day (default) or of the week\n"
            "  --horizon DURATION    scenario horizon (default: the log's span from the period start)\n"
            "  --segment-by COLUMN   one customer segment per value of COLUMN (at most 16), each with its own\n"
            "                        pay, cancel and return probabilities\n"
            "  --min-time TIME, --max-time TIME   drop rows with a time outside this window (ISO 8601); a time\n"
            "                        before 1970 or more than 10 years from the log's median refuses the log\n"
            "The log format and what each fitted number means are in docs/calibration.md.\n"
            "Exit: 0 ok, 2 usage, 65 bad log (positioned messages), 70 internal error, 74 I/O error.\n",
    .options = CLI_OPTS_REPORT "output map time-format max-bad ks-max period horizon segment-by min-time max-time quiet",
    .exec = cmd_fit,
};
