/*
 * rpt_capacity.c — sweep analysis. See rpt_capacity.h.
 */
#include "rpt_capacity.h"

#include "rpt_doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

const char *const rpt_capacity_default_metrics[] = { "orders_paid", "throughput_paid_per_s", "order_to_pay_p95",
                                                     "oversold_units", "locked_stock_mean", "unsold_units_end",
                                                     "revenue", NULL };

/* v for the findings people read (reports quote them): never exponent notation. */
static const char *rpt__g(double v, char *buf, size_t n)
{
    rpt_num_format(v, NAN, "", NULL, buf, n);
    return buf;
}

/* The SLO at every point, then its answer: for a load sweep the highest offered load that
 * meets it, interpolated between the last point that meets it and the first that fails
 * (the first failure counts: a later point passing again is noise or a different regime,
 * and an architect needs the load up to which every point held). */
static void rpt__slo(const rpt_point *pts, rpt_capacity *c)
{
    const rpt_cond *s = &c->slo;
    int first_fail = -1;
    for (int i = 0; i < c->n; i++) {
        double v;
        bool known = rpt_ref_value(&pts[i].sum, &s->ref, &v);
        c->slo_value[i] = v;
        c->slo_ok[i] = known && isfinite(v) && cnd_op_holds(s->op, v, s->value);
        if (!c->slo_ok[i] && first_fail < 0) first_fail = i;
    }
    c->slo_below = c->slo_above = -1;
    c->slo_load = NAN;
    char bound[160], g[6][48];
    snprintf(bound, sizeof bound, "%s %s %s", s->name, cnd_op_name(s->op), rpt__g(s->value, g[0], sizeof g[0]));
    if (!c->load) {
        int ok = 0;
        for (int i = 0; i < c->n; i++) ok += c->slo_ok[i];
        snprintf(c->slo_finding, sizeof c->slo_finding, "SLO %s holds at %d of %d points (see the slo column)", bound, ok, c->n);
        return;
    }
    if (first_fail == 0) {
        snprintf(c->slo_finding, sizeof c->slo_finding, "SLO %s fails already at the lowest load, point 0 (%s, offered %s customers/s): "
                 "no load in this range meets it", bound, pts[0].params, rpt__g(c->offered[0], g[1], sizeof g[1]));
        return;
    }
    if (first_fail < 0) {
        c->slo_below = c->n - 1;
        c->slo_load = c->offered[c->n - 1];
        snprintf(c->slo_finding, sizeof c->slo_finding, "SLO %s holds at every point, up to the highest load, point %d (%s, offered %s customers/s): "
                 "the limit lies beyond this range", bound, c->n - 1, pts[c->n - 1].params, rpt__g(c->offered[c->n - 1], g[1], sizeof g[1]));
        return;
    }
    int a = first_fail - 1, b = first_fail;
    c->slo_below = a;
    c->slo_above = b;
    double va = c->slo_value[a], vb = c->slo_value[b], xa = c->offered[a], xb = c->offered[b];
    bool interp = s->op != CND_EQ && s->op != CND_NE && isfinite(vb) && vb != va;
    c->slo_load = interp ? xa + (s->value - va) * (xb - xa) / (vb - va) : xa;
    if (interp)
        snprintf(c->slo_finding, sizeof c->slo_finding, "SLO %s: highest load meeting it about %.24s customers/s, interpolated between "
                 "point %d (%s, offered %.24s/s, %s = %.24s) and point %d (%s, offered %.24s/s, %s = %.24s)", bound, rpt__g(c->slo_load, g[1], sizeof g[1]),
                 a, pts[a].params, rpt__g(xa, g[2], sizeof g[2]), s->name, rpt__g(va, g[3], sizeof g[3]), b, pts[b].params,
                 rpt__g(xb, g[4], sizeof g[4]), s->name, rpt__g(vb, g[5], sizeof g[5]));
    else
        snprintf(c->slo_finding, sizeof c->slo_finding, "SLO %s: highest load meeting it %.24s customers/s, point %d (%s); "
                 "point %d (%s, offered %.24s/s, %s = %.24s) fails (not interpolated)", bound, rpt__g(xa, g[1], sizeof g[1]), a, pts[a].params, b,
                 pts[b].params, rpt__g(xb, g[2], sizeof g[2]), s->name, rpt__g(vb, g[3], sizeof g[3]));
}

/* True when a and b are the same figure to 9 significant digits (NAN, a sellout that never
 * happened, equals NAN). With common random numbers a parameter that changes nothing gives the
 * same results up to the last bits of sums split at sample times. */
static bool rpt__same(double a, double b)
{
    if (isnan(a) || isnan(b)) return isnan(a) && isnan(b);
    return fabs(a - b) <= 1e-9 * fmax(fabs(a), fabs(b));
}

/* Whether figure `v` (metric k, or station st's figure f when k < 0) moved between points. */
static bool rpt__moved(const rpt_point *pts, int n, int k, int st, int f)
{
    for (int i = 1; i < n; i++) {
        double a = k >= 0 ? pts[i].sum.mean[k] : pts[i].sum.st_mean[st][f];
        double b = k >= 0 ? pts[0].sum.mean[k] : pts[0].sum.st_mean[st][f];
        if (!rpt__same(a, b)) return true;
    }
    return false;
}

/* Whether the sweep moved anything: counts the metrics and station figures whose mean differs
 * between points and, when none did (or none of the chosen figures did), says so in
 * c->effect_note. */
static void rpt__effect(const rpt_point *pts, int n, rpt_capacity *c)
{
    if (n < 2) return;
    char first[160] = "";
    for (int k = 0; k < RPT_METRIC_COUNT; k++)
        if (rpt__moved(pts, n, k, 0, 0)) {
            if (!*first) snprintf(first, sizeof first, "%s", rpt_metric_name((rpt_metric)k));
            c->metrics_moved++;
        }
    const rpt_run *r0 = &pts[0].sum.runs[0];
    for (int st = 0; st < r0->nstations; st++)
        for (int f = 0; f < RPT_ST_FIGURES; f++)
            if (rpt__moved(pts, n, -1, st, f)) {
                if (!*first) snprintf(first, sizeof first, "stations.%s.%s", r0->st[st].name, rpt_st_figure_name((rpt_st_figure)f));
                c->metrics_moved++;
            }
    if (!c->metrics_moved) {
        snprintf(c->effect_note, sizeof c->effect_note,
                 "no metric moved: all %d points gave the same results (to 9 significant digits), so the swept parameter "
                 "changed nothing in these runs (check its path, whether what it sets is ever reached, and whether the "
                 "runs are large enough for it to matter)", n);
        return;
    }
    if (c->load) return;
    for (int m = 0; m < c->nmetrics; m++) {
        double v0, v;
        if (!rpt_ref_value(&pts[0].sum, &c->metrics[m].ref, &v0)) return;
        for (int i = 1; i < n; i++)
            if (!rpt_ref_value(&pts[i].sum, &c->metrics[m].ref, &v) || !rpt__same(v, v0)) return;
    }
    snprintf(c->effect_note, sizeof c->effect_note,
             "none of the figures shown moved across the %d points, but %d other figure%s did (for example %s): "
             "choose it with --metric", n, c->metrics_moved, c->metrics_moved == 1 ? "" : "s", first);
}

void rpt_capacity_analyze(const rpt_point *pts, int n, const rpt_capacity_opts *opts, rpt_capacity *c)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->load = opts->load;
    c->knee = c->bottleneck = c->bound_station = -1;
    c->bound_min = INFINITY;
    for (int i = 0; i < n; i++) {
        const rpt_summary *s = &pts[i].sum;
        double span = s->runs[0].horizon - s->runs[0].warmup;
        double thr = s->mean[RPT_M_throughput_paid_per_s];
        c->offered[i] = s->mean[RPT_M_customers] / span;
        c->efficiency[i] = c->offered[i] > 0 ? thr / c->offered[i] : 0;
    }
    if (opts->slo) {
        c->has_slo = true;
        c->slo = *opts->slo;
        rpt__slo(pts, c);
    }
    c->nmetrics = opts->nmetrics < RPT_CAP_MAX_METRICS ? opts->nmetrics : RPT_CAP_MAX_METRICS;
    for (int i = 0; i < c->nmetrics; i++) c->metrics[i] = opts->metrics[i];
    if (!c->load) {
        if (!c->nmetrics)
            for (int i = 0; rpt_capacity_default_metrics[i] && c->nmetrics < RPT_CAP_MAX_METRICS; i++) {
                rpt_cond *m = &c->metrics[c->nmetrics++];
                snprintf(m->name, sizeof m->name, "%s", rpt_capacity_default_metrics[i]);
                m->ref.metric = rpt_metric_find(m->name);
            }
        rpt__effect(pts, n, c);
        return;
    }
    rpt__effect(pts, n, c);
    for (int i = 0; i < n && c->knee < 0; i++) {
        if (c->has_slo && !c->slo_ok[i]) {
            c->knee = i;
            char g1[48], g2[48];
            snprintf(c->knee_reason, sizeof c->knee_reason, "the SLO %s %s %s fails (%s = %s)", c->slo.name,
                     cnd_op_name(c->slo.op), rpt__g(c->slo.value, g1, sizeof g1), c->slo.name, rpt__g(c->slo_value[i], g2, sizeof g2));
        } else if (i > 0 && c->efficiency[0] > 0 && c->efficiency[i] < 0.95 * c->efficiency[0]) {
            c->knee = i;
            snprintf(c->knee_reason, sizeof c->knee_reason, "throughput stops following offered load (efficiency %.1f%% of the lowest load's)",
                     100 * c->efficiency[i] / c->efficiency[0]);
        }
    }
    const rpt_run *low = &pts[0].sum.runs[0];
    int at = c->knee >= 0 ? c->knee : n - 1;
    double best = -1;
    for (int k = 0; k < low->nstations; k++) {
        const rpt_station *st = &low->st[k];
        c->bound[k] = INFINITY;
        if (st->servers <= 0 || !(st->mean_service > 0)) continue;
        c->capacity[k] = st->servers / st->mean_service;
        double customers = pts[0].sum.mean[RPT_M_customers];
        double served = 0;
        for (int r = 0; r < pts[0].sum.n; r++) served += pts[0].sum.runs[r].st[k].served;
        served /= pts[0].sum.n;
        c->visits[k] = customers > 0 ? served / customers : 0;
        if (c->visits[k] > 0) c->bound[k] = c->capacity[k] / c->visits[k];
        if (c->bound[k] < c->bound_min) { c->bound_min = c->bound[k]; c->bound_station = k; }
        if (pts[at].sum.st_mean[k][RPT_ST_UTILIZATION] > best) { best = pts[at].sum.st_mean[k][RPT_ST_UTILIZATION]; c->bottleneck = k; }
    }
}

/* The SLO column of a row: the figure and whether it holds. */
static void rpt__slo_cell(const rpt_capacity *c, int i, FILE *out)
{
    if (!c->has_slo) return;
    char v[64], x[48];
    snprintf(v, sizeof v, "%s %s", rpt__g(c->slo_value[i], x, sizeof x), c->slo_ok[i] ? "ok" : "FAIL");
    fprintf(out, " %14s", v);
}

/* A parameter study: the chosen figures against the parameter. */
static void rpt__study_table(const rpt_capacity *c, const rpt_point *pts, FILE *out)
{
    fprintf(out, "%-5s %-34s", "point", "parameters");
    int w[RPT_CAP_MAX_METRICS];
    for (int m = 0; m < c->nmetrics; m++) {
        w[m] = (int)strlen(c->metrics[m].name) > 14 ? (int)strlen(c->metrics[m].name) : 14;
        fprintf(out, " %*s", w[m], c->metrics[m].name);
    }
    if (c->has_slo) fprintf(out, " %14s", "slo");
    fprintf(out, "\n");
    for (int i = 0; i < c->n; i++) {
        fprintf(out, "%-5d %-34.34s", i, pts[i].params);
        for (int m = 0; m < c->nmetrics; m++) {
            double v;
            char x[48];
            rpt_ref_value(&pts[i].sum, &c->metrics[m].ref, &v);
            fprintf(out, " %*s", w[m], rpt__g(v, x, sizeof x));
        }
        rpt__slo_cell(c, i, out);
        fprintf(out, "\n");
    }
    fprintf(out, "\nparameter study: the swept parameter is not a load (arrival rate, a schedule rate or max_customers),\n"
                 "so there is no saturation point, bottleneck or analytic bound; compare the figures across points.\n");
    if (c->has_slo) fprintf(out, "%s\n", c->slo_finding);
    if (*c->effect_note) fprintf(out, "note: %s.\n", c->effect_note);
}

void rpt_capacity_write_table(const rpt_capacity *c, const rpt_point *pts, FILE *out)
{
    if (!c->load) { rpt__study_table(c, pts, out); return; }
    const rpt_run *r0 = &pts[0].sum.runs[0];
    fprintf(out, "%-5s %-34s %10s %10s %10s %10s %10s %10s", "point", "parameters", "offered/s", "paid/s", "done/s",
            "o2p p50 s", "o2p p95 s", "o2p p99 s");
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers)
            fprintf(out, " %6.6s util  %6.6s peak  %6.6s wait p50/p95/p99 s  %6.6s resp p95 s", r0->st[k].name, r0->st[k].name,
                    r0->st[k].name, r0->st[k].name);
    fprintf(out, " %10s %10s", "oversold", "locked");
    for (int m = 0; m < c->nmetrics; m++) fprintf(out, " %14s", c->metrics[m].name);
    if (c->has_slo) fprintf(out, " %14s", "slo");
    fprintf(out, "\n");
    for (int i = 0; i < c->n; i++) {
        const rpt_summary *s = &pts[i].sum;
        char a[6][48];
        fprintf(out, "%-5d %-34.34s %10s %10s %10s %10s %10s %10s", i, pts[i].params, rpt__g(c->offered[i], a[0], sizeof a[0]),
                rpt__g(s->mean[RPT_M_throughput_paid_per_s], a[1], sizeof a[1]),
                rpt__g(s->mean[RPT_M_throughput_completed_per_s], a[2], sizeof a[2]),
                rpt__g(s->mean[RPT_M_order_to_pay_p50], a[3], sizeof a[3]), rpt__g(s->mean[RPT_M_order_to_pay_p95], a[4], sizeof a[4]),
                rpt__g(s->mean[RPT_M_order_to_pay_p99], a[5], sizeof a[5]));
        for (int k = 0; k < r0->nstations; k++)
            if (r0->st[k].servers) {
                char w[160];
                snprintf(w, sizeof w, "%s/%s/%s", rpt__g(s->st_mean[k][RPT_ST_WAIT_P50], a[0], sizeof a[0]),
                         rpt__g(s->st_mean[k][RPT_ST_WAIT_P95], a[1], sizeof a[1]), rpt__g(s->st_mean[k][RPT_ST_WAIT_P99], a[2], sizeof a[2]));
                fprintf(out, " %10.1f%% %10.1f%% %24s %17s", 100 * s->st_mean[k][RPT_ST_UTILIZATION],
                        100 * s->st_mean[k][RPT_ST_UTILIZATION_PEAK], w, rpt__g(s->st_mean[k][RPT_ST_RESPONSE_P95], a[3], sizeof a[3]));
            }
        fprintf(out, " %10s %10s", rpt__g(s->mean[RPT_M_oversold_units], a[0], sizeof a[0]),
                rpt__g(s->mean[RPT_M_locked_stock_mean], a[1], sizeof a[1]));
        for (int m = 0; m < c->nmetrics; m++) {
            double v;
            rpt_ref_value(s, &c->metrics[m].ref, &v);
            fprintf(out, " %*s", (int)(strlen(c->metrics[m].name) > 14 ? strlen(c->metrics[m].name) : 14), rpt__g(v, a[2], sizeof a[2]));
        }
        rpt__slo_cell(c, i, out);
        fprintf(out, "%s\n", i == c->knee ? "  <- knee" : "");
    }
    fprintf(out, "\nanalytic bound (servers / mean service time, per customer via the measured visit ratio):\n");
    for (int k = 0; k < r0->nstations; k++) {
        if (!(c->capacity[k] > 0)) { fprintf(out, "  %-14s unlimited (not modelled)\n", r0->st[k].name); continue; }
        char a[3][48];
        fprintf(out, "  %-14s %3d servers / %s s = %s req/s; %.3f visits per customer -> %s customers/s\n", r0->st[k].name,
                r0->st[k].servers, rpt__g(r0->st[k].mean_service, a[0], sizeof a[0]), rpt__g(c->capacity[k], a[1], sizeof a[1]),
                c->visits[k], rpt__g(c->bound[k], a[2], sizeof a[2]));
    }
    char x[48];
    if (c->bound_station >= 0)
        fprintf(out, "  bound: %s customers/s (%s)\n", rpt__g(c->bound_min, x, sizeof x), r0->st[c->bound_station].name);
    if (c->knee >= 0)
        fprintf(out, "\nsaturation: point %d (%s), offered %s customers/s: %s\n", c->knee, pts[c->knee].params,
                rpt__g(c->offered[c->knee], x, sizeof x), c->knee_reason);
    else
        fprintf(out, "\nsaturation: not reached in this range (efficiency stayed within 5%%%s)\n", c->has_slo ? " and the SLO held" : "");
    if (c->bottleneck >= 0)
        fprintf(out, "bottleneck: %s (utilization %.1f%% at %s)\n", r0->st[c->bottleneck].name,
                100 * pts[c->knee >= 0 ? c->knee : c->n - 1].sum.st_mean[c->bottleneck][RPT_ST_UTILIZATION],
                c->knee >= 0 ? "the knee" : "the highest load");
    if (c->has_slo) fprintf(out, "%s\n", c->slo_finding);
    if (*c->effect_note) fprintf(out, "note: %s.\n", c->effect_note);
}
