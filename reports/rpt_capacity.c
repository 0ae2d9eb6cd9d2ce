/*
 * rpt_capacity.c — capacity analysis. See rpt_capacity.h.
 */
#include "rpt_capacity.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Parses "METRIC OP NUMBER" with optional spaces. */
static bool rpt__slo(const char *slo, int *metric, int *op, double *v)
{
    char name[96];
    size_t k = 0;
    while (slo[k] && strchr("<>=! ", slo[k]) == NULL && k + 1 < sizeof name) { name[k] = slo[k]; k++; }
    name[k] = '\0';
    *metric = rpt_metric_find(name);
    if (*metric < 0) return false;
    const char *p = slo + k;
    while (*p == ' ') p++;
    static const char *const ops[] = { "<=", ">=", "==", "!=", "<", ">" };
    for (int i = 0; i < 6; i++) {
        size_t n = strlen(ops[i]);
        if (strncmp(p, ops[i], n) != 0) continue;
        char *end;
        *v = strtod(p + n, &end);
        if (end == p + n || !isfinite(*v)) return false;
        while (*end == ' ') end++;
        if (*end) return false;
        *op = i;
        return true;
    }
    return false;
}

static bool rpt__holds(int op, double a, double b)
{
    switch (op) {
    case 0: return a <= b;
    case 1: return a >= b;
    case 2: return a == b;
    case 3: return a != b;
    case 4: return a < b;
    default: return a > b;
    }
}

bool rpt_capacity_analyze(const rpt_point *pts, int n, const char *slo, rpt_capacity *c)
{
    memset(c, 0, sizeof *c);
    c->n = n;
    c->knee = c->bottleneck = c->bound_station = -1;
    c->bound_min = INFINITY;
    int sm = -1, sop = 0;
    double sv = 0;
    if (slo) {
        if (!rpt__slo(slo, &sm, &sop, &sv)) return false;
        snprintf(c->slo, sizeof c->slo, "%s", slo);
    }
    for (int i = 0; i < n; i++) {
        const rpt_summary *s = &pts[i].sum;
        double span = s->runs[0].horizon - s->runs[0].warmup;
        double thr = s->mean[RPT_throughput_paid_per_s];
        c->offered[i] = s->mean[RPT_customers] / span;
        c->efficiency[i] = c->offered[i] > 0 ? thr / c->offered[i] : 0;
    }
    for (int i = 0; i < n && c->knee < 0; i++) {
        const rpt_summary *s = &pts[i].sum;
        if (sm >= 0 && !(isfinite(s->mean[sm]) && rpt__holds(sop, s->mean[sm], sv))) {
            c->knee = i;
            snprintf(c->knee_reason, sizeof c->knee_reason, "the SLO %s fails (%s = %.4g)", slo, rpt_metric_name((rpt_metric)sm), s->mean[sm]);
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
        double customers = pts[0].sum.mean[RPT_customers];
        double served = 0;
        for (int r = 0; r < pts[0].sum.n; r++) served += pts[0].sum.runs[r].st[k].served;
        served /= pts[0].sum.n;
        c->visits[k] = customers > 0 ? served / customers : 0;
        if (c->visits[k] > 0) c->bound[k] = c->capacity[k] / c->visits[k];
        if (c->bound[k] < c->bound_min) { c->bound_min = c->bound[k]; c->bound_station = k; }
        if (pts[at].sum.st_mean[k][0] > best) { best = pts[at].sum.st_mean[k][0]; c->bottleneck = k; }
    }
    return true;
}

void rpt_capacity_write_table(const rpt_capacity *c, const rpt_point *pts, FILE *out)
{
    const rpt_run *r0 = &pts[0].sum.runs[0];
    fprintf(out, "%-5s %-34s %10s %10s %10s %10s %10s %10s", "point", "parameters", "offered/s", "paid/s", "done/s",
            "o2p p50 s", "o2p p95 s", "o2p p99 s");
    for (int k = 0; k < r0->nstations; k++)
        if (r0->st[k].servers) fprintf(out, " %6.6s util  %6.6s wait p50/p95/p99 s", r0->st[k].name, r0->st[k].name);
    fprintf(out, " %10s %10s\n", "oversold", "locked");
    for (int i = 0; i < c->n; i++) {
        const rpt_summary *s = &pts[i].sum;
        fprintf(out, "%-5d %-34.34s %10.4g %10.4g %10.4g %10.4g %10.4g %10.4g", i, pts[i].params, c->offered[i],
                s->mean[RPT_throughput_paid_per_s], s->mean[RPT_throughput_completed_per_s], s->mean[RPT_order_to_pay_p50],
                s->mean[RPT_order_to_pay_p95], s->mean[RPT_order_to_pay_p99]);
        for (int k = 0; k < r0->nstations; k++)
            if (r0->st[k].servers) {
                char w[64];
                snprintf(w, sizeof w, "%.3g/%.3g/%.3g", s->st_mean[k][RPT_ST_WAIT_P50], s->st_mean[k][RPT_ST_WAIT_P95],
                         s->st_mean[k][RPT_ST_WAIT_P99]);
                fprintf(out, " %10.1f%% %24s", 100 * s->st_mean[k][RPT_ST_UTILIZATION], w);
            }
        fprintf(out, " %10.4g %10.4g%s\n", s->mean[RPT_oversold_units], s->mean[RPT_locked_stock_mean], i == c->knee ? "  <- knee" : "");
    }
    fprintf(out, "\nanalytic bound (servers / mean service time, per customer via the measured visit ratio):\n");
    for (int k = 0; k < r0->nstations; k++) {
        if (!(c->capacity[k] > 0)) { fprintf(out, "  %-14s unlimited (not modelled)\n", r0->st[k].name); continue; }
        fprintf(out, "  %-14s %3d servers / %.4g s = %.4g req/s; %.3f visits per customer -> %.4g customers/s\n", r0->st[k].name,
                r0->st[k].servers, r0->st[k].mean_service, c->capacity[k], c->visits[k], c->bound[k]);
    }
    if (c->bound_station >= 0)
        fprintf(out, "  bound: %.4g customers/s (%s)\n", c->bound_min, r0->st[c->bound_station].name);
    if (c->knee >= 0)
        fprintf(out, "\nsaturation: point %d (%s), offered %.4g customers/s: %s\n", c->knee, pts[c->knee].params,
                c->offered[c->knee], c->knee_reason);
    else
        fprintf(out, "\nsaturation: not reached in this range (efficiency stayed within 5%%%s%s)\n", c->slo[0] ? " and the SLO held: " : "", c->slo);
    if (c->bottleneck >= 0)
        fprintf(out, "bottleneck: %s (utilization %.1f%% at %s)\n", r0->st[c->bottleneck].name,
                100 * pts[c->knee >= 0 ? c->knee : c->n - 1].sum.st_mean[c->bottleneck][0],
                c->knee >= 0 ? "the knee" : "the highest load");
}
