/*
 * rpt_verdict.c — verdicts on paired differences and the recommendation, as data. See rpt.h.
 *
 * Two rules keep a verdict honest beyond its interval: a percentile is only compared over the
 * same population (the same number of paid orders in every replication pair), and a figure
 * that counts oversold orders is never scored as better or worse when either side oversold,
 * because an order stock does not cover is no benefit. genuine_orders_served and
 * revenue_at_risk carry that comparison instead.
 */
#include "rpt.h"
#include "rpt_doc.h"
#include "rpt_stats.h"
#include "rpt_verdict.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const char *const rpt__verdict_names[] = {
#define RPT__VN(code, text) text,
    RPT_VERDICT_LIST(RPT__VN)
#undef RPT__VN
};
_Static_assert(OS_COUNT_OF(rpt__verdict_names) == RPT_V_COUNT, "one name per verdict");

const char *rpt_verdict_word_name(rpt_verdict_word w)
{
    return (unsigned)w < RPT_V_COUNT ? rpt__verdict_names[w] : "?";
}

/* v (with half-width ci, NAN for none) as people read it, with a sign when `sign`; the
 * same formatting the reports use, so a reason never shows exponent notation. */
static const char *rpt__h(double v, double ci, const char *unit, bool sign, char *buf, size_t n)
{
    size_t off = sign && v > 0 && n > 1 ? 1 : 0;
    if (off) buf[0] = '+';
    rpt_num_format(v, ci, unit, NULL, buf + off, n - off);
    return buf;
}

/* True when any replication of the summary oversold (counts are never negative). */
static bool rpt__oversold(const rpt_summary *s) { return isfinite(s->mean[RPT_M_oversold_orders]) && s->mean[RPT_M_oversold_orders] > 0; }

/* Buyers turned away for want of stock, at order creation or at checkout (mean). */
static double rpt__short_count(const rpt_summary *s)
{
    return s->mean[RPT_M_orders_rejected_stockout] + s->mean[RPT_M_payments_rejected_revalidation];
}

/* True when any replication turned a buyer away for want of stock. */
static bool rpt__ran_short(const rpt_summary *s)
{
    for (int r = 0; r < s->n; r++)
        if (s->runs[r].m[RPT_M_orders_rejected_stockout] > 0 || s->runs[r].m[RPT_M_payments_rejected_revalidation] > 0) return true;
    return false;
}

/* The first replication pair whose value of metric p differs, or -1. */
static int rpt__pair_differs(const rpt_summary *a, const rpt_summary *b, int p)
{
    int n = a->n < b->n ? a->n : b->n;
    for (int r = 0; r < n; r++)
        if (a->runs[r].m[p] != b->runs[r].m[p]) return r;
    return -1;
}

void rpt_verdict_of(const rpt_summary *a, const rpt_summary *b, rpt_metric m, rpt_verdict *out)
{
    memset(out, 0, sizeof *out);
    out->metric = m;
    int n = a->n < b->n ? a->n : b->n;
    double *d = xcalloc((size_t)(n ? n : 1), sizeof *d);
    int k = 0;
    for (int r = 0; r < n; r++) {
        double x = a->runs[r].m[m], y = b->runs[r].m[m];
        if (isfinite(x) && isfinite(y)) d[k++] = y - x;
    }
    rpt_mean_ci(d, k, &out->diff, &out->ci);
    free(d);
    out->pairs = k;
    out->single = k == 1;
    const char *an = a->runs[0].strategy, *bn = b->runs[0].strategy;
    if (!k) {
        out->word = RPT_V_NOT_COMPARABLE;
        snprintf(out->why, sizeof out->why, "no replication has a value under both strategies");
        return;
    }
    int pop = rpt_metric_percentile_of(m);
    if (pop >= 0 && rpt__pair_differs(a, b, pop) >= 0) {
        out->word = RPT_V_NOT_COMPARABLE;
        char x[64], y[64];
        snprintf(out->why, sizeof out->why, "taken over different orders: %.32s reached payment under %.40s, %.32s under %.40s (mean %.40s)",
                 rpt__h(b->mean[pop], NAN, "", false, x, sizeof x), bn, rpt__h(a->mean[pop], NAN, "", false, y, sizeof y), an,
                 rpt_metric_name((rpt_metric)pop));
        return;
    }
    if (pop >= 0 && (rpt__ran_short(a) || rpt__ran_short(b))) {
        /* Equal counts are not the same orders: when stock ran short, the strategy decides
         * which buyers reach payment (reserve_on_checkout turns slow payers away at checkout),
         * so a faster percentile may only mean the slow payers were dropped. */
        out->word = RPT_V_NOT_COMPARABLE;
        char x[64], y[64];
        snprintf(out->why, sizeof out->why, "stock ran short (%.32s rejected for stock-out or at checkout under %.40s, %.32s under %.40s), "
                 "so which orders reached payment depends on the strategy", rpt__h(rpt__short_count(b), NAN, "", false, x, sizeof x), bn,
                 rpt__h(rpt__short_count(a), NAN, "", false, y, sizeof y), an);
        return;
    }
    bool zero = out->diff == 0 && (!isfinite(out->ci) || out->ci == 0);
    bool significant = !zero && (isfinite(out->ci) ? fabs(out->diff) > out->ci : true);
    if (!significant) {
        out->word = RPT_V_SAME;
        if (!zero) snprintf(out->why, sizeof out->why, "the 95%% interval includes 0");
        return;
    }
    int better = rpt_metric_better(m);
    bool up = out->diff > 0;
    if (better != 0 && rpt_metric_counts_oversold(m) && (rpt__oversold(a) || rpt__oversold(b))) {
        out->word = up ? RPT_V_HIGHER : RPT_V_LOWER;
        char x[64], y[64];
        snprintf(out->why, sizeof out->why, "counts oversold orders (%.32s under %.40s, %.32s under %.40s): not scored, "
                 "see genuine_orders_served and revenue_at_risk", rpt__h(b->mean[RPT_M_oversold_orders], NAN, "", false, x, sizeof x), bn,
                 rpt__h(a->mean[RPT_M_oversold_orders], NAN, "", false, y, sizeof y), an);
        return;
    }
    if (better == 0) out->word = up ? RPT_V_HIGHER : RPT_V_LOWER;
    else out->word = up == (better > 0) ? RPT_V_BETTER : RPT_V_WORSE;
}

void rpt_verdict_label(const rpt_verdict *v, char *buf, size_t n)
{
    bool point = v->single && v->word != RPT_V_NOT_COMPARABLE && !(v->word == RPT_V_SAME && v->diff == 0);
    snprintf(buf, n, "%s%s", rpt_verdict_word_name(v->word), point ? " (1 run)" : "");
}

/* ---- recommendation ------------------------------------------------------------------ */

/* Appends one reason; the list is sized for every strategy plus every comparison. */
#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void rpt__why(rpt_recommendation *r, const char *fmt, ...)
{
    OS_ASSERT(r->nwhy < RPT_WHY_MAX);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->why[r->nwhy++], sizeof r->why[0], fmt, ap);
    va_end(ap);
}

/* Why a strategy cannot be recommended, or NULL when it is a candidate. */
static const char *rpt__excluded(const rpt_summary *s)
{
    if (!s->invariants_ok) return "broke an invariant";
    if (rpt__oversold(s)) return "oversold";
    return NULL;
}

/* The costs an architect weighs once two strategies serve the same genuine orders: genuine
 * customers lost to locks that were wasted (held by orders that then expired or were
 * cancelled unpaid), stock held by orders that may never pay, and buyers told "sold out"
 * after they had started to pay. All are lower-is-better. genuine_rejected_while_locked is
 * scored but not weighed here: it also counts buyers turned away by locks of orders that were
 * about to pay (busy locks), which cost no sale when the served orders are the same; its
 * wasted part is genuine_customers_lost_to_locks (docs/metrics.md). */
static const rpt_metric rpt__costs[] = {
    RPT_M_genuine_customers_lost_to_locks, RPT_M_locked_unit_seconds, RPT_M_payments_rejected_revalidation,
};
#define RPT__NCOSTS ((int)(sizeof rpt__costs / sizeof rpt__costs[0]))

/* Appends "name (+d ± ci)" for each cost in mask to buf. */
static void rpt__cost_list(char *buf, size_t n, const rpt_verdict *v, unsigned mask)
{
    size_t len = 0;
    buf[0] = 0;
    for (int k = 0; k < RPT__NCOSTS && len < n; k++) {
        if (!(mask & (1u << k))) continue;
        char x[96];
        len += (size_t)snprintf(buf + len, n - len, "%s%s (%s)", len ? ", " : "", rpt_metric_name(rpt__costs[k]),
                                rpt__h(v[k].diff, v[k].ci, "", true, x, sizeof x));
    }
}

/* Does strategy i dominate strategy j? It does when it serves significantly more genuine
 * orders, or serves the same and is significantly better on at least one cost and
 * significantly worse on none. With one replication nothing is separated. When `out` is
 * given, one sentence saying why (or why not) is appended to it. */
static bool rpt__dominates(const rpt_summary *sums, int i, int j, rpt_recommendation *out, bool *tradeoff)
{
    if (tradeoff) *tradeoff = true;   /* until shown indistinguishable on everything weighed */
    const char *in = sums[i].runs[0].strategy, *jn = sums[j].runs[0].strategy;
    rpt_verdict sv;
    rpt_verdict_of(&sums[j], &sums[i], RPT_M_genuine_orders_served, &sv);
    if (sv.single) {
        if (out) {
            char x[64], y[64];
            rpt__why(out, "%s and %s cannot be told apart with one replication (%s vs %s genuine orders served, no "
                     "interval): run 2 or more replications.", in, jn, rpt__h(sums[i].mean[RPT_M_genuine_orders_served], NAN, "", false, x, sizeof x),
                     rpt__h(sums[j].mean[RPT_M_genuine_orders_served], NAN, "", false, y, sizeof y));
        }
        return false;
    }
    if (sv.word == RPT_V_BETTER) {
        char x[96];
        if (out) rpt__why(out, "%s served more genuine orders than %s: %s (95%% interval).", in, jn, rpt__h(sv.diff, sv.ci, "", true, x, sizeof x));
        return true;
    }
    if (sv.word != RPT_V_SAME) return false;
    rpt_verdict cv[RPT__NCOSTS];
    unsigned better = 0, worse = 0;
    /* Locked stock harms only when it turned a buyer away: with stock to spare it is no cost. */
    bool locks_harm = sums[i].mean[RPT_M_genuine_rejected_while_locked] > 0 || sums[j].mean[RPT_M_genuine_rejected_while_locked] > 0;
    for (int k = 0; k < RPT__NCOSTS; k++) {
        rpt_verdict_of(&sums[j], &sums[i], rpt__costs[k], &cv[k]);
        if (rpt__costs[k] == RPT_M_locked_unit_seconds && !locks_harm) continue;
        if (cv[k].word == RPT_V_BETTER) better |= 1u << k;
        if (cv[k].word == RPT_V_WORSE) worse |= 1u << k;
    }
    bool dom = better && !worse;
    if (!out) return dom;
    char served[160], b[400], w[400];
    char x[96];
    if (sv.diff == 0 && !(isfinite(sv.ci) && sv.ci > 0)) {
        snprintf(served, sizeof served, "%s each, in every replication", rpt__h(sums[i].mean[RPT_M_genuine_orders_served], NAN, "", false, x, sizeof x));
    } else {
        snprintf(served, sizeof served, "%s, the 95%% interval includes 0", rpt__h(sv.diff, sv.ci, "", true, x, sizeof x));
    }
    rpt__cost_list(b, sizeof b, cv, better);
    rpt__cost_list(w, sizeof w, cv, worse);
    if (dom)
        rpt__why(out, "%s and %s are indistinguishable on genuine orders served (%s); %s is better on %s and worse on nothing.",
                 in, jn, served, in, b);
    else if (better && worse)
        rpt__why(out, "%s and %s are indistinguishable on genuine orders served (%s); a trade-off: %s is better on %s but worse on %s.",
                 in, jn, served, in, b, w);
    else if (worse)
        rpt__why(out, "%s and %s are indistinguishable on genuine orders served (%s); %s is better on %s.", in, jn, served, jn, w);
    else {
        if (tradeoff) *tradeoff = false;
        rpt__why(out, "%s and %s are indistinguishable on genuine orders served (%s) and on every cost weighed%s.", in, jn, served,
                 locks_harm ? "" : " (locked_unit_seconds is weighed only when a genuine buyer was turned away while units were "
                                   "locked, and none was)");
    }
    return dom;
}

void rpt_recommend(const rpt_summary *sums, int n, rpt_recommendation *out)
{
    memset(out, 0, sizeof *out);
    out->strategy = -1;
    int cand[RPT_WHY_MAX], nc = 0;
    OS_ASSERT(n <= RPT_WHY_MAX / 2);
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const char *ex = rpt__excluded(s);
        if (!ex) { cand[nc++] = k; continue; }
        if (!s->invariants_ok)
            rpt__why(out, "%s is excluded: it broke an invariant.", s->runs[0].strategy);
        else {
            char u[64], o[64], m[64], r[64];
            rpt__why(out, "%s is excluded: it oversold %s units in %s orders (%s captured for orders stock does not cover, %s refunded).",
                     s->runs[0].strategy, rpt__h(s->mean[RPT_M_oversold_units], NAN, "", false, u, sizeof u),
                     rpt__h(s->mean[RPT_M_oversold_orders], NAN, "", false, o, sizeof o), rpt__h(s->mean[RPT_M_revenue_at_risk], NAN, "money", false, m, sizeof m),
                     rpt__h(s->mean[RPT_M_orders_refunded], NAN, "", false, r, sizeof r));
        }
    }
    if (nc == 0) {
        rpt__why(out, "Every strategy oversold or broke an invariant: none can be recommended on this scenario.");
        return;
    }
    if (nc == 1) {
        const rpt_summary *s = &sums[cand[0]];
        out->strategy = cand[0];
        char x[64];
        rpt__why(out, "%s is the only strategy that never oversold; it served %s genuine orders.", s->runs[0].strategy,
                 rpt__h(s->mean[RPT_M_genuine_orders_served], NAN, "", false, x, sizeof x));
        return;
    }
    /* A strategy is named only when it dominates every other candidate. */
    for (int a = 0; a < nc; a++) {
        bool all = true;
        for (int b = 0; b < nc && all; b++)
            if (b != a) all = rpt__dominates(sums, cand[a], cand[b], NULL, NULL);
        if (!all) continue;
        out->strategy = cand[a];
        for (int b = 0; b < nc; b++)
            if (b != a) rpt__dominates(sums, cand[a], cand[b], out, NULL);
        if (sums[cand[a]].n < RPT_FIRM_REPLICATIONS)
            rpt__why(out, "This rests on %d replications: the 95%% intervals assume roughly normal differences, which so few "
                     "replications cannot check; confirm with %d or more before acting on it.", sums[cand[a]].n,
                     RPT_FIRM_REPLICATIONS * 2);
        return;
    }
    /* None dominates: say, for the candidates serving the most, what separates them. */
    int best = cand[0];
    for (int i = 1; i < nc; i++)
        if (sums[cand[i]].mean[RPT_M_genuine_orders_served] > sums[best].mean[RPT_M_genuine_orders_served]) best = cand[i];
    bool any_tradeoff = false;
    for (int i = 0; i < nc; i++) {
        if (cand[i] == best) continue;
        bool t;
        rpt__dominates(sums, best, cand[i], out, &t);
        any_tradeoff |= t;
    }
    if (any_tradeoff)
        rpt__why(out, "No strategy dominates the others on genuine orders served and the costs weighed "
                 "(genuine_customers_lost_to_locks, locked_unit_seconds, payments_rejected_revalidation): the choice is a trade-off.");
    else
        rpt__why(out, "No strategy dominates: on this scenario they are equivalent on genuine orders served and every cost "
                 "weighed, so the choice rests on what this scenario does not measure.");
}
