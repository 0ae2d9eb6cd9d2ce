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
#include "fit_arrivals.h"
#include "fit_trip.h"
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
    double       first, last, t_end;         /* first and last creation, last event (epoch seconds) */
    double       horizon;                    /* seconds simulated */
    double       w0;                         /* scenario time 0 (epoch seconds, on the hour) */
    char         window[240];                /* what the scenario simulates, for reports */
    long         h0, nh;                     /* the hours from the first creation's to the last's */
    double      *hcount, *hexpo;             /* owned: orders created, seconds observed, per hour */
    fit_arr      arr;                        /* the fitted arrival rate */
    fit_result   fit[D_COUNT];
    bool         have[D_COUNT];
    double      *sample[D_COUNT];            /* sorted samples (owned) */
    size_t       nsample[D_COUNT];
    size_t       censored[D_COUNT];          /* values left out: started too close to the end */
    double       expiry;                     /* seconds */
    bool         expiry_inferred;
    long         expiry_n, unpaid_closed;
    double       resolve;                    /* an unpaid order's outcome is taken as known this long after creation */
    bool         cancel_seen;                /* the log has cancelled_at or status: cancellations are visible */
    bool         trip_ok;                    /* the round trip ran */
    fit_trip     trip_log, trip_sim;         /* the round trip's figures: log, one run of the fitted scenario */
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

#define FIT__MAX_HOURS 876600L   /* 100 years of hours: a longer span is a bad timestamp, not a shop */

/* The log's span: first and last creation, last event. */
static void fit__span(fit__ctx *c)
{
    c->first = c->ord[0].t[OLOG_T_CREATED];
    c->last = c->ord[c->n - 1].t[OLOG_T_CREATED];
    c->t_end = c->first;
    for (int i = 0; i < c->n; i++)
        for (int k = 0; k < OLOG_NT; k++)
            if (!isnan(c->ord[i].t[k]) && c->ord[i].t[k] > c->t_end) c->t_end = c->ord[i].t[k];
}

/* Orders created and seconds observed in each hour from the first creation's to the last's.
 * Returns false (message printed) when the span is absurdly long. */
static bool fit__hours(fit__ctx *c, const char *path)
{
    c->h0 = (long)floor(c->first / FIT__HOUR);
    long h1 = (long)floor(c->last / FIT__HOUR);
    if (h1 - c->h0 + 1 > FIT__MAX_HOURS) {
        char a[40], b[40];
        olog_format_iso(c->first, a, sizeof a);
        olog_format_iso(c->last, b, sizeof b);
        fprintf(stderr, "%s: orders are created from %s to %s, %.0f years; fit models at most 100 years: check the "
                "timestamps (or their --time-format)\n", path, a, b, (c->last - c->first) / (365.25 * 86400));
        return false;
    }
    c->nh = h1 - c->h0 + 1;
    c->hcount = xcalloc((size_t)c->nh, sizeof *c->hcount);
    c->hexpo = xcalloc((size_t)c->nh, sizeof *c->hexpo);
    for (int i = 0; i < c->n; i++) c->hcount[(long)floor(c->ord[i].t[OLOG_T_CREATED] / FIT__HOUR) - c->h0]++;
    for (long k = 0; k < c->nh; k++) {
        double a = (double)(c->h0 + k) * FIT__HOUR, b = a + FIT__HOUR;
        if (a < c->first) a = c->first;
        if (b > c->last) b = c->last;
        if (c->nh == 1 && b <= a) b = a + 1;     /* one instant: avoid 0 / 0 */
        c->hexpo[k] = b > a ? b - a : 0;
    }
    return true;
}

/* The scenario's window: time 0 and horizon. "all" (default): from the hour of the first
 * order to the last event; a duration: that long from the same start; busiest-week /
 * busiest-day: the calendar week (Monday 00:00 UTC) or day with the most orders among those
 * wholly inside the log's creation span (the whole span when there is none). */
static void fit__window(fit__ctx *c, const char *opt, double dur)
{
    double start = floor(c->first / FIT__HOUR) * FIT__HOUR;
    c->w0 = start;
    c->horizon = ceil((c->t_end - start) / FIT__HOUR + 1e-9) * FIT__HOUR;
    snprintf(c->window, sizeof c->window, "the whole log: from the hour of its first order to its last event");
    if (dur > 0) {
        c->horizon = dur;
        snprintf(c->window, sizeof c->window, "%.0f s (--horizon) from the hour of the log's first order", dur);
    } else if (opt && strncmp(opt, "busiest-", 8) == 0) {
        int len = strcmp(opt, "busiest-week") == 0 ? 168 : 24;
        long best = -1;
        double most = -1;
        for (long j = fit_arr_level_of(c->h0, len); ; j++) {
            long hs = j * len + (len == 168 ? FIT_ARR_WEEK0 : 0);
            if ((double)(hs + len) * FIT__HOUR > c->last) break;
            if ((double)hs * FIT__HOUR < c->first) continue;
            double n = 0;
            for (long k = hs - c->h0; k < hs - c->h0 + len; k++) n += c->hcount[k];
            if (n > most) { most = n; best = hs; }
        }
        if (best >= 0) {
            char a[40];
            c->w0 = (double)best * FIT__HOUR;
            c->horizon = len * FIT__HOUR;
            olog_format_iso(c->w0, a, sizeof a);
            snprintf(c->window, sizeof c->window, "the busiest %s of the log (%s): %.10s, %.0f orders", len == 168 ? "week" : "day",
                     len == 168 ? "Monday 00:00 UTC onwards" : "UTC", a, most);
        } else {
            snprintf(c->window, sizeof c->window, "the whole log (--horizon %s: no full %s inside it)", opt, len == 168 ? "week" : "day");
        }
    }
    if (c->horizon < FIT__HOUR) c->horizon = FIT__HOUR;
}

/* The arrival rate: profile x levels (fit_arrivals.h). */
static void fit__arrivals(fit__ctx *c)
{
    const cli_opts *o = c->o;
    fit_arr_in in = { .count = c->hcount, .expo = c->hexpo, .nh = c->nh, .h0 = c->h0,
                      .period_h = !o->period ? 0 : strcmp(o->period, "week") == 0 ? 168 : 24,
                      .level_h = !o->levels ? -1 : strcmp(o->levels, "day") == 0 ? 24 : strcmp(o->levels, "week") == 0 ? 168 : 0 };
    fit_arr_fit(&in, &c->arr);
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

/* Whether the status is `name`; "cancelled" also matches the American "canceled". */
static bool fit__is(const fit__ctx *c, int status, const char *name)
{
    if (status < 0) return false;
    const char *s = c->log->statuses.s[status];
    return strcmp(s, name) == 0 || (strcmp(name, "cancelled") == 0 && strcmp(s, "canceled") == 0);
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
    c->expiry_n = (long)best;
    if (best >= 5 && (double)best >= 0.3 * (double)n) {
        c->expiry = c->resolve = age[bi];
        c->expiry_inferred = true;
    }
    free(age);
}

/* No timer visible: no number is made up for it. The scenario's expiry is the horizon, so
 * no order expires during the run (as none is seen to in the log), and an unpaid order's
 * outcome is taken as known once it is older than the longest logged time to pay. */
static void fit__expiry_default(fit__ctx *c)
{
    double mx = 0;
    for (size_t i = 0; i < c->nsample[D_THINK]; i++) if (c->sample[D_THINK][i] > mx) mx = c->sample[D_THINK][i];
    c->expiry = ceil(c->horizon);
    c->resolve = mx;
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
    double cutoff = c->t_end - c->resolve;
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

/* customers.arrivals: rate x profile x levels over the window, gated to the log's creation
 * span (arrivals start at the first order and stop at the last, or an hour after the first
 * for a log shorter than that), so the expected volume is the log's. */
static void fit__arrivals_json(const fit__ctx *c, cJSON *arr)
{
    const fit_arr *a = &c->arr;
    double g0 = c->first - c->w0, g1 = fmax(c->last, c->first + FIT__HOUR) - c->w0;
    double rate = fit__r(a->rate > 0 ? a->rate : 1e-6);
    cJSON_AddStringToObject(arr, "process", "poisson");
    cJSON_AddNumberToObject(arr, "rate", g0 > 0 ? 0 : rate);
    if (g0 > 0 || g1 < c->horizon) {
        cJSON *sch = cJSON_AddArrayToObject(arr, "schedule");
        for (int k = 0; k < 2; k++) {
            double at = k ? g1 : g0;
            if (k ? at >= c->horizon : at <= 0) continue;
            cJSON *e = cJSON_CreateObject();
            cJSON_AddNumberToObject(e, "at", round(at * 1000) / 1000);
            cJSON_AddNumberToObject(e, "rate", k ? 0 : rate);
            cJSON_AddItemToArray(sch, e);
        }
    }
    long wh = (long)llround(c->w0 / FIT__HOUR);
    char b[32];
    cJSON *pr = cJSON_AddObjectToObject(arr, "profile");
    cJSON_AddStringToObject(pr, "period", a->period_h == 24 ? "1d" : "7d");
    snprintf(b, sizeof b, "%dh", fit_arr_phase(wh, a->period_h));
    cJSON_AddStringToObject(pr, "offset", b);
    cJSON *w = cJSON_AddArrayToObject(pr, "weights");
    for (int h = 0; h < a->period_h; h++) cJSON_AddItemToArray(w, cJSON_CreateNumber(fit__r(a->w[h])));
    if (!a->level_h) return;
    long hend = wh + (long)ceil(c->horizon / FIT__HOUR) - 1, hlast = (long)floor(c->last / FIT__HOUR);
    long l0 = fit_arr_level_of(wh, a->level_h), l1 = fit_arr_level_of(hend < hlast ? hend : hlast, a->level_h);
    if (l1 < l0) l1 = l0;
    cJSON *lv = cJSON_AddObjectToObject(arr, "levels");
    cJSON_AddStringToObject(lv, "every", a->level_h == 24 ? "1d" : "7d");
    snprintf(b, sizeof b, "%ldh", wh - (l0 * a->level_h + (a->level_h == 168 ? FIT_ARR_WEEK0 : 0)));
    cJSON_AddStringToObject(lv, "offset", b);
    cJSON *v = cJSON_AddArrayToObject(lv, "values");
    for (long j = l0; j <= l1; j++) {
        long i = j - a->lev_first;
        cJSON_AddItemToArray(v, cJSON_CreateNumber(fit__r(a->lev[i < 0 ? 0 : i >= a->nlev ? a->nlev - 1 : i])));
    }
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
    fit__arrivals_json(c, arr);
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

/* ---- what was not inferred, and the round trip, as data for every writer --------------- */

typedef struct fit__gap { char what[64]; char why[400]; } fit__gap;
#define FIT__MAX_GAPS 12

/* What the log could not tell, each with why and what the scenario does instead. */
static int fit__gaps(const fit__ctx *c, fit__gap *g)
{
    int n = 0;
    char h[64];
    if (!c->expiry_inferred) {
        snprintf(g[n].what, sizeof g[n].what, "inventory.order_expiry");
        snprintf(g[n].why, sizeof g[n].why, "%ld unpaid orders have a closing time (cancelled_at), %ld of them at the commonest age; "
                 "an expiry needs at least 5 at one age and 30%% of them. Set to the horizon (%s) so that no order expires in the "
                 "run, as none is seen to in the log.", c->unpaid_closed, c->expiry_n, fit__num(c->horizon, "s", h, sizeof h));
        n++;
    }
    if (!c->cancel_seen) {
        snprintf(g[n].what, sizeof g[n].what, "cancel_probability");
        snprintf(g[n].why, sizeof g[n].why, "the log has neither cancelled_at nor status, so a cancelled order cannot be told "
                 "from one left unpaid: 0, and every unpaid order counts as not paying.");
        n++;
    }
    static const olog_col from[D_COUNT] = { OLOG_CREATED_AT, OLOG_PAID_AT, OLOG_SHIPPED_AT, OLOG_DELIVERED_AT };
    static const olog_col to[D_COUNT] = { OLOG_PAID_AT, OLOG_SHIPPED_AT, OLOG_DELIVERED_AT, OLOG_RETURNED_AT };
    for (int d = 0; d < D_COUNT; d++) {
        if (c->have[d]) continue;
        snprintf(g[n].what, sizeof g[n].what, "%s", fit__dname[d]);
        if (!c->log->has[from[d]] || !c->log->has[to[d]])
            snprintf(g[n].why, sizeof g[n].why, "the log has no %s column: the scenario keeps the default.",
                     olog_col_name(c->log->has[from[d]] ? to[d] : from[d]));
        else
            snprintf(g[n].why, sizeof g[n].why, "%zu orders have both %s (at least 2 needed): the scenario keeps the default.",
                     c->nsample[d], fit__dwhat[d]);
        n++;
    }
    if (!c->log->has[OLOG_RETURNED_AT]) {
        snprintf(g[n].what, sizeof g[n].what, "return_probability");
        snprintf(g[n].why, sizeof g[n].why, "the log has no returned_at column: 0.");
        n++;
    }
    snprintf(g[n].what, sizeof g[n].what, "capacity");
    snprintf(g[n].why, sizeof g[n].why, "a log shows demand and delays, not capacity: stock is ten times the units demanded plus 1000, "
             "the warehouse has %d servers (twice the log's peak of orders between payment and shipping), no payment station, "
             "no order service, no bots.", c->wh_servers);
    n++;
    return n;
}

/* The round trip's rows: name, the log's value, the simulated one, and how they differ
 * ("%" relative, or "points" for a share). */
typedef struct fit__trow { const char *name; double log, sim; bool share; } fit__trow;

static int fit__trip_rows(const fit__ctx *c, fit__trow *r)
{
    const fit_trip *a = &c->trip_log, *b = &c->trip_sim;
    r[0] = (fit__trow){ "volume (orders created)", a->orders, b->orders, false };
    r[1] = (fit__trow){ "paid share", a->share, b->share, true };
    r[2] = (fit__trow){ "created -> paid p25 (s)", a->q[0], b->q[0], false };
    r[3] = (fit__trow){ "created -> paid p50 (s)", a->q[1], b->q[1], false };
    r[4] = (fit__trow){ "created -> paid p90 (s)", a->q[2], b->q[2], false };
    return 5;
}

/* "+1.2%", "-0.31 points" or "-". */
static const char *fit__diff(const fit__trow *r, char *b, size_t n)
{
    if (isnan(r->log) || isnan(r->sim)) snprintf(b, n, "-");
    else if (r->share) snprintf(b, n, "%+.2f points", 100 * (r->sim - r->log));
    else if (r->log != 0) snprintf(b, n, "%+.1f%%", 100 * (r->sim / r->log - 1));
    else snprintf(b, n, "-");
    return b;
}

static double fit__hod_corr(const fit__ctx *c) { return fit_trip_corr(c->trip_log.hod, c->trip_sim.hod, 24); }

/* The terminal summary: the scenario, the arrivals, each delay, the round trip. */
static void fit__print_summary(const fit__ctx *c)
{
    printf("wrote %s: %d orders, horizon %.0f s, expiry %.0f s%s\n", c->o->output, c->n, c->horizon, c->expiry,
           c->expiry_inferred ? " (inferred)" : " (not inferred: no order expires)");
    printf("  %-20s %s; mean %.4g orders/h\n", "arrivals", c->arr.why, c->arr.rate * FIT__HOUR);
    for (int d = 0; d < D_COUNT; d++) {
        char b[600];
        if (!c->have[d]) { printf("  %-20s not fitted (%zu values)\n", fit__dname[d], c->nsample[d]); continue; }
        fit__params(&c->fit[d], b, sizeof b);
        printf("  %-20s n=%-7zu %-9s KS %.4f  %s\n", fit__dname[d], c->fit[d].n, fit_family_name(c->fit[d].family), c->fit[d].ks, b);
    }
    if (!c->trip_ok) return;
    printf("round trip over %s (log | one run of the fitted scenario, seed 1):\n", c->window);
    fit__trow r[8];
    int n = fit__trip_rows(c, r);
    for (int i = 0; i < n; i++) {
        char d[40];
        printf("  %-26s %12.6g | %12.6g  %s\n", r[i].name, r[i].log, r[i].sim, fit__diff(&r[i], d, sizeof d));
    }
    printf("  %-26s correlation %.4f\n", "orders per hour of day", fit__hod_corr(c));
}

static cJSON *fit__num_or_null(double v) { return isfinite(v) ? cJSON_CreateNumber(v) : cJSON_CreateNull(); }

/* fit --json: the fitted parameters, their goodness of fit, what was not inferred and the
 * round trip (docs/json.md). */
static void fit__print_json(const fit__ctx *c, const char *log_path)
{
    cJSON *root = cJSON_CreateObject();
    char t[40];
    cJSON *lg = cJSON_AddObjectToObject(root, "log");
    cJSON_AddStringToObject(lg, "path", log_path);
    cJSON_AddNumberToObject(lg, "rows", (double)c->log->total);
    cJSON_AddNumberToObject(lg, "bad_rows", (double)c->log->bad);
    cJSON_AddNumberToObject(lg, "orders", c->n);
    olog_format_iso(c->first, t, sizeof t);
    cJSON_AddStringToObject(lg, "first_order", t);
    olog_format_iso(c->last, t, sizeof t);
    cJSON_AddStringToObject(lg, "last_order", t);
    olog_format_iso(c->t_end, t, sizeof t);
    cJSON_AddStringToObject(lg, "last_event", t);
    cJSON_AddStringToObject(root, "scenario", c->o->output);
    cJSON *win = cJSON_AddObjectToObject(root, "window");
    olog_format_iso(c->w0, t, sizeof t);
    cJSON_AddStringToObject(win, "start", t);
    cJSON_AddNumberToObject(win, "horizon_s", c->horizon);
    cJSON_AddStringToObject(win, "what", c->window);
    const fit_arr *a = &c->arr;
    cJSON *ar = cJSON_AddObjectToObject(root, "arrivals");
    cJSON_AddNumberToObject(ar, "rate_per_s", a->rate);
    cJSON_AddNumberToObject(ar, "period_h", a->period_h);
    cJSON *w = cJSON_AddArrayToObject(ar, "weights");
    for (int h = 0; h < a->period_h; h++) cJSON_AddItemToArray(w, cJSON_CreateNumber(a->w[h]));
    cJSON_AddNumberToObject(ar, "level_h", a->level_h);
    cJSON_AddNumberToObject(ar, "levels", (double)a->nlev);
    cJSON *disp = cJSON_AddObjectToObject(ar, "dispersion_test");
    cJSON_AddNumberToObject(disp, "level_h", (double)a->level_tested);
    cJSON_AddItemToObject(disp, "chi2", fit__num_or_null(a->chi2));
    cJSON_AddItemToObject(disp, "df", fit__num_or_null(a->df));
    cJSON_AddItemToObject(disp, "p", fit__num_or_null(a->p));
    cJSON_AddStringToObject(ar, "why", a->why);
    cJSON *dl = cJSON_AddObjectToObject(root, "delays");
    for (int d = 0; d < D_COUNT; d++) {
        cJSON *e = cJSON_AddObjectToObject(dl, fit__dname[d]);
        cJSON_AddStringToObject(e, "from", fit__dwhat[d]);
        cJSON_AddBoolToObject(e, "fitted", c->have[d]);
        cJSON_AddNumberToObject(e, "n", (double)(c->have[d] ? c->fit[d].n : c->nsample[d]));
        cJSON_AddNumberToObject(e, "left_out", (double)c->censored[d]);
        if (!c->have[d]) continue;
        cJSON_AddItemToObject(e, "law", fit__dist_json(&c->fit[d]));
        cJSON_AddNumberToObject(e, "ks", c->fit[d].ks);
        cJSON_AddNumberToObject(e, "ks_max", c->fit[d].ks_max);
        cJSON *ko = cJSON_AddObjectToObject(e, "ks_of");
        for (int f = 0; f < FIT_NFAMILIES; f++)
            if (!isnan(c->fit[d].ks_of[f])) cJSON_AddNumberToObject(ko, fit_family_name((fit_family)f), c->fit[d].ks_of[f]);
    }
    cJSON *ex = cJSON_AddObjectToObject(root, "expiry");
    cJSON_AddNumberToObject(ex, "seconds", c->expiry);
    cJSON_AddBoolToObject(ex, "inferred", c->expiry_inferred);
    cJSON_AddNumberToObject(ex, "unpaid_closed", (double)c->unpaid_closed);
    cJSON_AddNumberToObject(ex, "at_common_age", (double)c->expiry_n);
    cJSON *sg = cJSON_AddArrayToObject(root, "segments");
    for (int i = 0; i < c->nseg; i++) {
        const fit__seg *g = &c->seg[i];
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "name", g->name);
        cJSON_AddNumberToObject(e, "orders", g->orders);
        cJSON_AddNumberToObject(e, "share", g->orders / c->n);
        cJSON_AddNumberToObject(e, "pay_probability", fit__pay_p(c, g));
        cJSON_AddNumberToObject(e, "cancel_probability", g->resolved > 0 ? g->cancelled / g->resolved : 0);
        cJSON_AddNumberToObject(e, "return_probability", g->exposure > 0 ? fmin(1, g->returned / g->exposure) : 0);
        cJSON_AddItemToArray(sg, e);
    }
    fit__gap gaps[FIT__MAX_GAPS];
    int ng = fit__gaps(c, gaps);
    cJSON *ni = cJSON_AddArrayToObject(root, "not_inferred");
    for (int i = 0; i < ng; i++) {
        cJSON *e = cJSON_CreateObject();
        cJSON_AddStringToObject(e, "what", gaps[i].what);
        cJSON_AddStringToObject(e, "why", gaps[i].why);
        cJSON_AddItemToArray(ni, e);
    }
    if (c->trip_ok) {
        cJSON *rt = cJSON_AddObjectToObject(root, "round_trip");
        cJSON_AddNumberToObject(rt, "seed", 1);
        static const char *const keys[] = { "volume", "paid_share", "created_to_paid_p25", "created_to_paid_p50", "created_to_paid_p90" };
        fit__trow r[8];
        int n = fit__trip_rows(c, r);
        for (int i = 0; i < n; i++) {
            cJSON *e = cJSON_AddObjectToObject(rt, keys[i]);
            cJSON_AddItemToObject(e, "log", fit__num_or_null(r[i].log));
            cJSON_AddItemToObject(e, "simulated", fit__num_or_null(r[i].sim));
        }
        cJSON *hd = cJSON_AddObjectToObject(rt, "hour_of_day");
        cJSON *hl = cJSON_AddArrayToObject(hd, "log"), *hs = cJSON_AddArrayToObject(hd, "simulated");
        for (int h = 0; h < 24; h++) {
            cJSON_AddItemToArray(hl, cJSON_CreateNumber(c->trip_log.hod[h]));
            cJSON_AddItemToArray(hs, cJSON_CreateNumber(c->trip_sim.hod[h]));
        }
        cJSON_AddItemToObject(hd, "correlation", fit__num_or_null(fit__hod_corr(c)));
    }
    char *text = cJSON_Print(root);
    puts(text);
    cJSON_free(text);
    cJSON_Delete(root);
}

/* Writes text as a paragraph (HTML-escaped in HTML). */
static void fit__para(FILE *f, bool h, const char *text)
{
    fputs(h ? "<p>" : "", f);
    if (h) rpt_html_text(f, text); else fputs(text, f);
    fputs(h ? "</p>\n" : "\n\n", f);
}

/* The report's arrivals: how the rate was modelled, the profile per hour of the period
 * (orders, hours observed, weight) and the levels' range. */
static void fit__report_arrivals(const fit__ctx *c, FILE *f, bool h)
{
    const fit_arr *a = &c->arr;
    char b[1200];
    fputs(h ? "<h2>Arrivals</h2>\n" : "## Arrivals\n\n", f);
    snprintf(b, sizeof b, "The rate is %s. Mean %.4g orders per hour over the log's creation span; the simulated arrivals start at its "
             "first order and stop at its last, so the expected volume is the log's.", a->why, a->rate * FIT__HOUR);
    fit__para(f, h, b);
    if (a->level_h) {
        double lo = INFINITY, hi = 0;
        for (long j = 0; j < a->nlev; j++) { lo = fmin(lo, a->lev[j]); hi = fmax(hi, a->lev[j]); }
        snprintf(b, sizeof b, "%ld %s levels (customers.arrivals.levels), from %.3g to %.3g times the mean rate.", a->nlev,
                 a->level_h == 24 ? "daily" : "weekly", lo, hi);
        fit__para(f, h, b);
    }
    double cnt[168] = { 0 }, ex[168] = { 0 };
    for (long k = 0; k < c->nh; k++) {
        int p = fit_arr_phase(c->h0 + k, a->period_h);
        cnt[p] += c->hcount[k];
        ex[p] += c->hexpo[k];
    }
    const char *unit = a->period_h == 24 ? "day" : "week (0 = Monday 00:00)";
    if (h) fprintf(f, "<table><tr><th>hour of the %s, UTC</th><th>orders</th><th>hours observed</th><th>weight</th></tr>\n", unit);
    else fprintf(f, "| hour of the %s, UTC | orders | hours observed | weight |\n|---|---|---|---|\n", unit);
    for (int p = 0; p < a->period_h; p++)
        fprintf(f, h ? "<tr><td>%d</td><td>%.0f</td><td>%.2f</td><td>%.4f</td></tr>\n" : "| %d | %.0f | %.2f | %.4f |\n", p, cnt[p],
                ex[p] / FIT__HOUR, a->w[p]);
    fputs(h ? "</table>\n" : "\n", f);
}

/* The report's round trip: each figure of the log beside one run of the fitted scenario. */
static void fit__report_trip(const fit__ctx *c, FILE *f, bool h)
{
    char b[600];
    fputs(h ? "<h2>Round trip</h2>\n" : "## Round trip\n\n", f);
    if (!c->trip_ok) { fit__para(f, h, "The run of the fitted scenario failed (see the messages of fit): no comparison."); return; }
    snprintf(b, sizeof b, "The log against one run of the fitted scenario (seed 1) over %s: the same figures, measured the same way "
             "on both (orders created in the window; created -> paid over its paid orders).", c->window);
    fit__para(f, h, b);
    fputs(h ? "<table><tr><th>figure</th><th>log</th><th>simulated</th><th>difference</th></tr>\n"
            : "| figure | log | simulated | difference |\n|---|---|---|---|\n", f);
    fit__trow r[8];
    int n = fit__trip_rows(c, r);
    for (int i = 0; i < n; i++) {
        char d[40];
        fprintf(f, h ? "<tr><td>%s</td><td>%.6g</td><td>%.6g</td><td>%s</td></tr>\n" : "| %s | %.6g | %.6g | %s |\n", r[i].name, r[i].log,
                r[i].sim, fit__diff(&r[i], d, sizeof d));
    }
    fprintf(f, h ? "<tr><td>orders per hour of the day (24 values)</td><td colspan=2>correlation</td><td>%.4f</td></tr>\n</table>\n"
                 : "| orders per hour of the day (24 values) | | | correlation %.4f |\n\n", fit__hod_corr(c));
    fputs(h ? "<table><tr><th>hour of the day, UTC</th><th>log</th><th>simulated</th></tr>\n" : "| hour of the day, UTC | log | simulated |\n|---|---|---|\n", f);
    for (int k = 0; k < 24; k++)
        fprintf(f, h ? "<tr><td>%d</td><td>%.0f</td><td>%.0f</td></tr>\n" : "| %d | %.0f | %.0f |\n", k, c->trip_log.hod[k], c->trip_sim.hod[k]);
    fputs(h ? "</table>\n" : "\n", f);
}

/* The report's list of what the log could not tell. */
static void fit__report_gaps(const fit__ctx *c, FILE *f, bool h)
{
    fit__gap g[FIT__MAX_GAPS];
    int n = fit__gaps(c, g);
    fputs(h ? "<h2>Not inferred</h2>\n<ul>\n" : "## Not inferred\n\n", f);
    for (int i = 0; i < n; i++) {
        fputs(h ? "<li><b>" : "- **", f);
        if (h) rpt_html_text(f, g[i].what); else fputs(g[i].what, f);
        fputs(h ? "</b>: " : "**: ", f);
        if (h) rpt_html_text(f, g[i].why); else fputs(g[i].why, f);
        fputs(h ? "</li>\n" : "\n", f);
    }
    fputs(h ? "</ul>\n" : "\n", f);
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
        snprintf(b, sizeof b, "Log %s: %ld rows (%ld bad, skipped), %d orders over %.2f days; scenario written to %s, "
                 "simulating %s (horizon %.0f s).", log_path, c->log->total, c->log->bad, c->n, (c->t_end - c->first) / 86400, scn_path,
                 c->window, c->horizon);
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
            snprintf(b, sizeof b, "Order expiry: not inferred (see Not inferred); the scenario's is the horizon, %.0f s, so no order "
                     "expires in the run.", c->expiry);
        fprintf(f, h ? "</table>\n<p>" : "\n");
        if (h) rpt_html_text(f, b); else fputs(b, f);
        snprintf(b, sizeof b, " pay_probability is paid / (resolved - cancelled), divided by the fitted chance that the think time "
                 "stays under the expiry; return_probability is returned / delivered, with deliveries near the end of the log weighted "
                 "by the chance their return would already show; the %ld orders created in the last %.0f s of the log (the expiry, "
                 "or without one the longest logged time to pay) are left out of the pay and cancel rates (their outcome may not show yet). The warehouse has %d servers (twice the log's peak of orders in production).", c->unresolved_dropped, c->resolve, c->wh_servers);
        if (h) rpt_html_text(f, b); else fputs(b, f);
        fprintf(f, h ? "</p>\n" : "\n\n");
        fit__report_arrivals(c, f, h);
        fit__report_trip(c, f, h);
        fit__report_gaps(c, f, h);
        fprintf(f, h ? "<h2>Charts: logged vs fitted CDF</h2>\n" : "\n## Charts: logged vs fitted CDF\n\n");
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

/* The round trip: one run of the fitted scenario (seed 1), measured like the log over the
 * same window. A failure is reported and leaves the report without the comparison. */
static void fit__trip(fit__ctx *c, const scn_scenario *s)
{
    double *cr = xmalloc((size_t)c->n * sizeof *cr), *pd = xmalloc((size_t)c->n * sizeof *pd);
    for (int i = 0; i < c->n; i++) { cr[i] = c->ord[i].t[OLOG_T_CREATED]; pd[i] = c->ord[i].t[OLOG_T_PAID]; }
    fit_trip_summarize(cr, pd, (size_t)c->n, c->w0, c->w0 + c->horizon, &c->trip_log);
    free(cr);
    free(pd);
    os_diag d;
    os_diag_init(&d);
    c->trip_ok = fit_trip_simulate(s, 1, c->w0, &c->trip_sim, &d) == OS_OK;
    if (!c->trip_ok) {
        os_diag_print(&d, stderr);
        fprintf(stderr, "ordersim fit: the round trip (one run of the fitted scenario) failed; the report has no comparison\n");
    }
    os_diag_fini(&d);
}

/* --horizon: "all", "busiest-week", "busiest-day" or a duration (*dur > 0). */
static bool fit__horizon_opt(const char *v, double *dur)
{
    *dur = 0;
    if (!v || strcmp(v, "all") == 0 || strcmp(v, "busiest-week") == 0 || strcmp(v, "busiest-day") == 0) return true;
    cJSON *j = cJSON_CreateString(v);
    bool ok = jsn_duration(j, dur) && *dur > 0 && *dur <= ORD_MAX_AGE;
    cJSON_Delete(j);
    return ok;
}

static int cmd_fit(cli_opts *o)
{
    if (o->nargs != 1 || !o->output) {
        fprintf(stderr, "ordersim fit: expected one order log and -o SCENARIO.json (see ordersim fit --help)\n");
        return CLI_USAGE;
    }
    int orc = cli_check_output(o, "fit", "-o", o->output);
    if (orc) return orc;
    double horizon = 0;
    if (!fit__horizon_opt(o->horizon, &horizon)) {
        fprintf(stderr, "ordersim fit: --horizon takes all, busiest-week, busiest-day or a duration such as 7d or 168h (at most 34 years), not '%s'\n", o->horizon);
        return CLI_USAGE;
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
    fit__ctx c = { .o = o };
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
    fit__span(&c);
    if (!fit__hours(&c, o->args[0])) { rc = CLI_DATA; goto done; }
    fit__window(&c, o->horizon, horizon);
    fit__arrivals(&c);
    c.cancel_seen = c.log->has[OLOG_CANCELLED_AT] || c.log->has[OLOG_STATUS];
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
    if (rc == CLI_OK) fit__trip(&c, s);
    if (rc == CLI_OK && o->json) fit__print_json(&c, o->args[0]);
    else if (rc == CLI_OK && !o->quiet) fit__print_summary(&c);
    if (rc == CLI_OK && !o->no_report) {
        char dir[1024];
        cli_out_dir(o, s, dir, sizeof dir);
        rc = fit__report(&c, dir, o->args[0], o->output);
        if (rc == CLI_OK && !o->quiet && !o->json) printf("fit report: %s/report.md\n", dir);
    }
    scn_free(s);
done:
    for (int d = 0; d < D_COUNT; d++) free(c.sample[d]);
    free(c.ord);
    free(c.hcount);
    free(c.hexpo);
    fit_arr_free(&c.arr);
    olog_free(c.log);
    return rc;
}

const cli_cmd cmd_fit_entry = {
    .name = "fit",
    .usage = "LOG.csv -o SCENARIO.json [--out DIR] [--no-report] [--map NAME=COLUMN]... [--time-format FMT]\n"
             "       [--max-bad FRACTION] [--ks-max D] [--period day|week] [--levels day|week|none]\n"
             "       [--horizon all|busiest-week|busiest-day|DURATION] [--segment-by COLUMN] [--min-time TIME] [--max-time TIME]\n"
             "       [--json] [--quiet]",
    .summary = "Calibrates a scenario from an order log (CSV): arrivals, delays, probabilities, catalog; runs it once to compare.",
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
            "  --period day|week     the arrival profile's period: hour of the day or of the week (default:\n"
            "                        the week when the levels are weekly, else the day)\n"
            "  --levels day|week|none  levels that follow the log (growth, seasons): one per day or week\n"
            "                        (default: daily at 50+ orders a day, else weekly, and only when the\n"
            "                        log's totals vary more than chance: a chi-square test at 1%)\n"
            "  --horizon WHAT        what the scenario simulates: all (default: the log's whole span),\n"
            "                        busiest-week or busiest-day (the calendar week or day, UTC, with the\n"
            "                        most orders), or a duration from the log's first hour such as 30d\n"
            "  --json                print the fitted parameters, their goodness of fit, what was not\n"
            "                        inferred and the round trip as JSON (docs/json.md)\n"
            "  --segment-by COLUMN   one customer segment per value of COLUMN (at most 16), each with its own\n"
            "                        pay, cancel and return probabilities\n"
            "  --min-time TIME, --max-time TIME   drop rows with a time outside this window (ISO 8601); a time\n"
            "                        before 1970 or more than 10 years from the log's median refuses the log\n"
            "The log format and what each fitted number means are in docs/calibration.md.\n"
            "Exit: 0 ok, 2 usage, 65 bad log (positioned messages), 70 internal error, 74 I/O error.\n",
    .options = CLI_OPTS_REPORT "output map time-format max-bad ks-max period levels horizon segment-by min-time max-time json quiet",
    .exec = cmd_fit,
};
