/*
 * rpt_optimize.c — feasibility, elimination, selection and the writers of `optimize`. See
 * rpt_optimize.h for the procedure and docs/optimize.md for the guarantee.
 *
 * Invariant: an eliminated candidate stays eliminated (its state, `by` and `look` are
 * written once), so a later look cannot resurrect a candidate whose replications stopped.
 */
#include "rpt_optimize.h"
#include "jsn.h"
#include "rpt_stats.h"
#include "rpt_report.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

void rpt_opt_cand_init(rpt_opt_cand *c)
{
    memset(c, 0, sizeof *c);
    c->by = -1;
}

void rpt_opt_cand_fini(rpt_opt_cand *c)
{
    free(c->v);
    free(c->have);
    c->v = NULL;
    c->have = NULL;
    c->n = c->cap = 0;
}

void rpt_opt_cand_set(rpt_opt_cand *c, int r, const double *row, int width)
{
    OS_ASSERT(r >= 0 && width > 0 && width <= RPT_OPT_MAX_FIG);
    if (r >= c->cap) {
        int cap = c->cap ? c->cap : 8;
        while (cap <= r) cap *= 2;
        double *v = xcalloc((size_t)cap * RPT_OPT_MAX_FIG, sizeof *v);
        bool *have = xcalloc((size_t)cap, sizeof *have);
        if (c->v) {
            memcpy(v, c->v, (size_t)c->cap * RPT_OPT_MAX_FIG * sizeof *v);
            memcpy(have, c->have, (size_t)c->cap * sizeof *have);
        }
        free(c->v);
        free(c->have);
        c->v = v;
        c->have = have;
        c->cap = cap;
    }
    double *dst = c->v + (size_t)r * RPT_OPT_MAX_FIG;
    for (int k = 0; k < RPT_OPT_MAX_FIG; k++) dst[k] = k < width ? row[k] : NAN;
    c->have[r] = true;
    int n = 0;
    while (n < c->cap && c->have[n]) n++;
    c->n = n;
}

/* ---- Student's t ---------------------------------------------------------------------- */

double rpt_opt_alpha_each(const rpt_opt_problem *p)
{
    int k = p->ncand > 1 ? p->ncand - 1 : 1, l = p->looks > 0 ? p->looks : 1;
    return p->alpha / ((double)k * l);
}

/* ---- statistics ------------------------------------------------------------------------ */

static double rpt__at(const rpt_opt_cand *c, int r, int k) { return c->v[(size_t)r * RPT_OPT_MAX_FIG + k]; }

void rpt_opt_paired(const rpt_opt_problem *p, const rpt_opt_cand *a, const rpt_opt_cand *b, int k, rpt_opt_pair *out)
{
    int n = a->n < b->n ? a->n : b->n, m = 0;
    double *d = xcalloc((size_t)(n ? n : 1), sizeof *d);
    for (int r = 0; r < n; r++) {
        double x = rpt__at(a, r, k), y = rpt__at(b, r, k);
        if (isfinite(x) && isfinite(y)) d[m++] = p->sense[k] * (y - x);
    }
    out->n = m;
    double ci;
    rpt_mean_ci(d, m, &out->diff, &ci);
    out->hw95 = ci;
    out->hw = NAN;
    if (m >= 2) {
        /* ci = t95 * s / sqrt(m): rescale to the Bonferroni one-sided quantile */
        double se = ci / rpt_t95(m - 1);
        out->hw = rpt_t_quantile(1 - rpt_opt_alpha_each(p), m - 1) * se;
    }
    free(d);
}

/* Means, intervals and feasibility of one candidate; returns the constraint shown broken,
 * or -1. */
static int rpt__feasibility(const rpt_opt_problem *p, rpt_opt_cand *c)
{
    int width = p->nobj + p->ncons, broken = -1;
    double *xs = xcalloc((size_t)(c->n ? c->n : 1), sizeof *xs);
    for (int k = 0; k < width; k++) {
        for (int r = 0; r < c->n; r++) xs[r] = rpt__at(c, r, k);
        rpt_mean_ci(xs, c->n, &c->mean[k], &c->ci[k]);
    }
    free(xs);
    int met = 0;
    for (int j = 0; j < p->ncons; j++) {
        int k = p->nobj + j;
        double m = c->mean[k], h = c->ci[k], v = p->cons_value[j];
        if (!isfinite(m) || !isfinite(h)) continue;   /* no interval: undecided */
        double hi = m + h, lo = m - h;
        cnd_op op = p->cons_op[j];
        bool upper = cnd_op_upper(op);
        /* met: the whole interval on the allowed side; broken: the whole interval off it */
        if (cnd_op_holds(op, upper ? hi : lo, v)) met++;
        else if (!cnd_op_holds(op, upper ? lo : hi, v) && broken < 0) broken = j;
    }
    c->feasible = broken >= 0 ? -1 : met == p->ncons ? 1 : 0;
    return broken;
}

/* Whether b beats a on every objective as the file comment defines. */
static bool rpt__beats(const rpt_opt_problem *p, const rpt_opt_cand *a, const rpt_opt_cand *b, rpt_opt_pair *pairs)
{
    if (p->nobj == 1) {
        rpt_opt_pair *q = &pairs[0];
        rpt_opt_paired(p, a, b, 0, q);
        if (q->n < 2 || !isfinite(q->hw)) return false;
        double need = q->hw - p->delta;
        return q->diff > (need > 0 ? need : 0);
    }
    bool some = false;
    for (int k = 0; k < p->nobj; k++) {
        rpt_opt_pair *q = &pairs[k];
        rpt_opt_paired(p, a, b, k, q);
        if (q->n < 2 || !isfinite(q->hw)) return false;
        double lo = q->diff - q->hw;
        if (lo < 0 && !(q->diff == 0 && q->hw == 0)) return false;
        if (lo > 0) some = true;
    }
    return some;
}

void rpt_opt_update(const rpt_opt_problem *p, rpt_opt_cand *c, int look)
{
    int K = p->ncand;
    for (int i = 0; i < K; i++) {
        int broken = rpt__feasibility(p, &c[i]);
        if (c[i].state != RPT_OPT_ALIVE || broken < 0) continue;
        int k = p->nobj + broken;
        c[i].state = RPT_OPT_INFEASIBLE;
        c[i].look = look;
        bool upper = cnd_op_upper(p->cons_op[broken]);
        snprintf(c[i].why, sizeof c[i].why, "infeasible: %s = %.6g +/- %.3g (95%%, n=%d), its %s bound %.6g breaks %s %s %g",
                 p->cons_name[broken], c[i].mean[k], c[i].ci[k], c[i].n, upper ? "lower" : "upper",
                 upper ? c[i].mean[k] - c[i].ci[k] : c[i].mean[k] + c[i].ci[k], p->cons_name[broken],
                 cnd_op_name(p->cons_op[broken]), p->cons_value[broken]);
    }
    /* decide every domination on the same data before applying any, so the order of the
     * candidates cannot matter */
    int *by = xcalloc((size_t)K, sizeof *by);
    rpt_opt_pair *pr = xcalloc((size_t)K, sizeof(rpt_opt_pair) * RPT_OPT_MAX_OBJ);
    for (int i = 0; i < K; i++) {
        by[i] = -1;
        if (c[i].state != RPT_OPT_ALIVE) continue;
        for (int j = 0; j < K && by[i] < 0; j++) {
            if (j == i || c[j].state != RPT_OPT_ALIVE || c[j].feasible != 1) continue;
            if (rpt__beats(p, &c[i], &c[j], &pr[(size_t)i * RPT_OPT_MAX_OBJ])) by[i] = j;
        }
    }
    for (int i = 0; i < K; i++) {
        if (by[i] < 0) continue;
        const rpt_opt_pair *q = &pr[(size_t)i * RPT_OPT_MAX_OBJ];
        c[i].state = RPT_OPT_DOMINATED;
        c[i].by = by[i];
        c[i].look = look;
        if (p->nobj == 1)
            snprintf(c[i].why, sizeof c[i].why, "dominated by #%d on %s: %s by %.6g (paired, n=%d, Bonferroni half-width %.3g, delta %g)",
                     by[i], p->obj_name[0], p->sense[0] > 0 ? "lower" : "higher", q[0].diff, q[0].n, q[0].hw, p->delta);
        else
            snprintf(c[i].why, sizeof c[i].why, "dominated by #%d: %s worse by %.6g (+/- %.3g), %s worse by %.6g (+/- %.3g) (paired, n=%d, Bonferroni)",
                     by[i], p->obj_name[0], q[0].diff, q[0].hw, p->obj_name[1], q[1].diff, q[1].hw, q[0].n);
    }
    free(pr);
    free(by);
}

bool rpt_opt_settled(const rpt_opt_problem *p, const rpt_opt_cand *c)
{
    int alive = 0;
    for (int i = 0; i < p->ncand; i++) alive += c[i].state == RPT_OPT_ALIVE;
    if (alive <= 1) {
        for (int i = 0; i < p->ncand; i++)
            if (c[i].state == RPT_OPT_ALIVE && c[i].feasible != 1) return false;
        return true;
    }
    for (int i = 0; i < p->ncand; i++) {
        if (c[i].state != RPT_OPT_ALIVE) continue;
        if (c[i].feasible != 1) return false;
        for (int j = i + 1; j < p->ncand; j++) {
            if (c[j].state != RPT_OPT_ALIVE) continue;
            /* within delta on every objective, or (two objectives) each confidently
             * better on one of them: a trade-off that more data cannot remove */
            bool close = true, i_better = false, j_better = false;
            for (int k = 0; k < p->nobj; k++) {
                rpt_opt_pair q;
                rpt_opt_paired(p, &c[i], &c[j], k, &q);
                if (!isfinite(q.hw)) return false;
                if (q.hw > p->delta) close = false;
                if (q.diff - q.hw > 0) j_better = true;
                if (-q.diff - q.hw > 0) i_better = true;
            }
            if (!close && !(p->nobj > 1 && i_better && j_better)) return false;
        }
    }
    return true;
}

int rpt_opt_best(const rpt_opt_problem *p, const rpt_opt_cand *c)
{
    int best = -1;
    for (int i = 0; i < p->ncand; i++) {
        if (c[i].state != RPT_OPT_ALIVE || c[i].feasible != 1 || !isfinite(c[i].mean[0])) continue;
        if (best < 0 || p->sense[0] * (c[i].mean[0] - c[best].mean[0]) > 0) best = i;
    }
    return best;
}

bool rpt_opt_on_front(const rpt_opt_problem *p, const rpt_opt_cand *c, int i)
{
    if (c[i].state != RPT_OPT_ALIVE || c[i].feasible != 1) return false;
    for (int j = 0; j < p->ncand; j++) {
        if (j == i || c[j].state != RPT_OPT_ALIVE || c[j].feasible != 1) continue;
        bool ge = true, gt = false;
        for (int k = 0; k < p->nobj; k++) {
            double d = p->sense[k] * (c[j].mean[k] - c[i].mean[k]);
            if (!(d >= 0)) ge = false;
            if (d > 0) gt = true;
        }
        if (ge && gt) return false;
    }
    return true;
}

/* ---- writers --------------------------------------------------------------------------- */

static const char *rpt__state_name(const rpt_opt_cand *c)
{
    switch (c->state) {
    case RPT_OPT_INFEASIBLE: return "infeasible";
    case RPT_OPT_DOMINATED: return "dominated";
    default: return c->feasible == 1 ? "alive" : "feasibility not shown";
    }
}

/* The constraint's verdict word for one candidate. */
static const char *rpt__cons_word(const rpt_opt_problem *p, const rpt_opt_cand *c, int j)
{
    int k = p->nobj + j;
    double m = c->mean[k], h = c->ci[k], v = p->cons_value[j];
    if (!isfinite(m) || !isfinite(h)) return "undecided";
    bool upper = cnd_op_upper(p->cons_op[j]);
    if (cnd_op_holds(p->cons_op[j], upper ? m + h : m - h, v)) return "met";
    if (!cnd_op_holds(p->cons_op[j], upper ? m - h : m + h, v)) return "broken";
    return "undecided";
}

static void rpt__budget_text(const rpt_opt_info *in, char *buf, size_t n)
{
    if (in->budget_runs > 0) snprintf(buf, n, "%d of a budget of %d runs", in->runs, in->budget_runs);
    else if (in->budget_seconds > 0) snprintf(buf, n, "%d runs (time budget %g s)", in->runs, in->budget_seconds);
    else snprintf(buf, n, "%d runs", in->runs);
}

static void rpt__fig_text(const rpt_opt_cand *c, int k, char *buf, size_t n)
{
    if (isfinite(c->ci[k])) snprintf(buf, n, "%.6g +/- %.3g", c->mean[k], c->ci[k]);
    else snprintf(buf, n, "%.6g (no interval)", c->mean[k]);
}

void rpt_opt_write_text(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *in, FILE *out)
{
    char b[256];
    rpt__budget_text(in, b, sizeof b);
    fprintf(out, "optimize %s: %d candidates, %s %s%s%s%s, %d constraint%s\n", in->scenario, p->ncand,
            p->sense[0] > 0 ? "max" : "min", p->obj_name[0], p->nobj > 1 ? " and " : "",
            p->nobj > 1 ? (p->sense[1] > 0 ? "max " : "min ") : "", p->nobj > 1 ? p->obj_name[1] : "", p->ncons,
            p->ncons == 1 ? "" : "s");
    fprintf(out, "spent %s in %d look%s (planned at most %d); stopped: %s\n", b, in->looks_done,
            in->looks_done == 1 ? "" : "s", p->looks, in->stopped);
    fprintf(out, "confidence: 95%% per constraint; objective eliminations at one-sided level %.3g each (Bonferroni, 5%% overall)%s\n\n",
            rpt_opt_alpha_each(p), p->nobj == 1 ? "" : "");
    if (p->nobj == 1) {
        int best = rpt_opt_best(p, c);
        if (best < 0) {
            fprintf(out, "best: none: no candidate was shown feasible at 95%%\n");
        } else {
            rpt__fig_text(&c[best], 0, b, sizeof b);
            fprintf(out, "best: #%d %s (n=%d)\n  %-40s %s\n", best, c[best].params, c[best].n, p->obj_name[0], b);
            for (int j = 0; j < p->ncons; j++) {
                char cond[160];
                snprintf(cond, sizeof cond, "%s %s %g", p->cons_name[j], cnd_op_name(p->cons_op[j]), p->cons_value[j]);
                rpt__fig_text(&c[best], p->nobj + j, b, sizeof b);
                fprintf(out, "  %-40s %s: %s\n", cond, b, rpt__cons_word(p, &c[best], j));
            }
            int nr = 0;
            for (int i = 0; i < p->ncand; i++) {
                if (i == best || c[i].state != RPT_OPT_ALIVE || c[i].feasible != 1) continue;
                if (!nr++) fprintf(out, "\nrunner-ups not separated from the best (paired difference of %s, 95%%):\n", p->obj_name[0]);
                rpt_opt_pair q;
                rpt_opt_paired(p, &c[i], &c[best], 0, &q);
                if (q.diff == 0 && q.hw95 == 0)
                    fprintf(out, "  #%d %s: identical in every replication (n=%d)\n", i, c[i].params, q.n);
                else
                    fprintf(out, "  #%d %s: best better by %.6g +/- %.3g (n=%d)\n", i, c[i].params, q.diff, q.hw95, q.n);
            }
            if (!nr) fprintf(out, "\nno runner-up: every other candidate was eliminated or not shown feasible\n");
        }
    } else {
        fprintf(out, "Pareto front (feasible, not dominated on the means):\n");
        int nf = 0;
        for (int i = 0; i < p->ncand; i++) {
            if (!rpt_opt_on_front(p, c, i)) continue;
            char a[96], d[96];
            rpt__fig_text(&c[i], 0, a, sizeof a);
            rpt__fig_text(&c[i], 1, d, sizeof d);
            fprintf(out, "  #%d %s: %s %s, %s %s (n=%d)\n", i, c[i].params, p->obj_name[0], a, p->obj_name[1], d, c[i].n);
            nf++;
        }
        if (!nf) fprintf(out, "  (empty: no candidate was shown feasible at 95%%)\n");
    }
    int ne = 0;
    for (int i = 0; i < p->ncand; i++) {
        if (c[i].state == RPT_OPT_ALIVE && c[i].feasible == 1) continue;
        if (!ne++) fprintf(out, "\neliminated or left out:\n");
        if (c[i].state != RPT_OPT_ALIVE) {
            fprintf(out, "  #%d %s: %s\n", i, c[i].params, c[i].why);
            continue;
        }
        fprintf(out, "  #%d %s: left out, feasibility not shown at 95%% when the search stopped (%s", i, c[i].params,
                p->obj_name[0]);
        rpt__fig_text(&c[i], 0, b, sizeof b);
        fprintf(out, " %s", b);
        for (int j = 0; j < p->ncons; j++) {
            rpt__fig_text(&c[i], p->nobj + j, b, sizeof b);
            fprintf(out, "; %s %s against %s %g: %s", p->cons_name[j], b, cnd_op_name(p->cons_op[j]), p->cons_value[j],
                    rpt__cons_word(p, &c[i], j));
        }
        fprintf(out, ")\n");
    }
    fprintf(out, "\noptimize id: %s\n", in->id);
}

void rpt_opt_write_json(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *in, FILE *out)
{
    fprintf(out, "{\n  \"optimize_id\": ");
    jsn_write_str(out, in->id);
    fprintf(out, ",\n  \"scenario\": ");
    jsn_write_str(out, in->scenario);
    fprintf(out, ",\n  \"objectives\": [");
    for (int k = 0; k < p->nobj; k++) {
        fprintf(out, "%s{\"figure\": ", k ? ", " : "");
        jsn_write_str(out, p->obj_name[k]);
        fprintf(out, ", \"sense\": \"%s\"}", p->sense[k] > 0 ? "max" : "min");
    }
    fprintf(out, "],\n  \"constraints\": [");
    for (int j = 0; j < p->ncons; j++) {
        fprintf(out, "%s{\"figure\": ", j ? ", " : "");
        jsn_write_str(out, p->cons_name[j]);
        fprintf(out, ", \"op\": \"%s\", \"value\": ", cnd_op_name(p->cons_op[j]));
        jsn_write_num(out, p->cons_value[j]);
        fprintf(out, "}");
    }
    fprintf(out, "],\n  \"delta\": ");
    jsn_write_num(out, p->delta);
    fprintf(out, ",\n  \"confidence\": 0.95,\n  \"alpha_each\": ");
    jsn_write_num(out, rpt_opt_alpha_each(p));
    fprintf(out, ",\n  \"runs\": %d,\n  \"budget_runs\": %d,\n  \"budget_seconds\": ", in->runs, in->budget_runs);
    jsn_write_num(out, in->budget_seconds);
    fprintf(out, ",\n  \"looks\": %d,\n  \"planned_looks\": %d,\n  \"stopped\": ", in->looks_done, p->looks);
    jsn_write_str(out, in->stopped);
    if (p->nobj == 1) {
        int best = rpt_opt_best(p, c);
        fprintf(out, ",\n  \"best\": ");
        if (best < 0) fprintf(out, "null");
        else fprintf(out, "%d", best);
        fprintf(out, ",\n  \"runner_ups\": [");
        int nr = 0;
        for (int i = 0; i < p->ncand && best >= 0; i++) {
            if (i == best || c[i].state != RPT_OPT_ALIVE || c[i].feasible != 1) continue;
            rpt_opt_pair q;
            rpt_opt_paired(p, &c[i], &c[best], 0, &q);
            fprintf(out, "%s{\"candidate\": %d, \"best_better_by\": ", nr++ ? ", " : "", i);
            jsn_write_num(out, q.diff);
            fprintf(out, ", \"ci95\": ");
            jsn_write_num(out, q.hw95);
            fprintf(out, ", \"pairs\": %d}", q.n);
        }
        fprintf(out, "]");
    } else {
        fprintf(out, ",\n  \"front\": [");
        int nf = 0;
        for (int i = 0; i < p->ncand; i++)
            if (rpt_opt_on_front(p, c, i)) fprintf(out, "%s%d", nf++ ? ", " : "", i);
        fprintf(out, "]");
    }
    fprintf(out, ",\n  \"candidates\": [\n");
    for (int i = 0; i < p->ncand; i++) {
        fprintf(out, "    {\"index\": %d, \"params\": ", i);
        jsn_write_str(out, c[i].params);
        fprintf(out, ", \"replications\": %d, \"state\": \"%s\", \"feasible\": %s, \"eliminated_at_look\": %d, \"by\": ", c[i].n,
                rpt__state_name(&c[i]), c[i].feasible > 0 ? "true" : c[i].feasible < 0 ? "false" : "null", c[i].look);
        if (c[i].by >= 0) fprintf(out, "%d", c[i].by);
        else fprintf(out, "null");
        fprintf(out, ", \"why\": ");
        jsn_write_str(out, c[i].why);
        fprintf(out, ",\n     \"figures\": [");
        for (int k = 0; k < p->nobj + p->ncons; k++) {
            fprintf(out, "%s{\"figure\": ", k ? ", " : "");
            jsn_write_str(out, k < p->nobj ? p->obj_name[k] : p->cons_name[k - p->nobj]);
            fprintf(out, ", \"mean\": ");
            jsn_write_num(out, c[i].mean[k]);
            fprintf(out, ", \"ci95\": ");
            jsn_write_num(out, c[i].ci[k]);
            if (k >= p->nobj) fprintf(out, ", \"constraint\": \"%s\"", rpt__cons_word(p, &c[i], k - p->nobj));
            fprintf(out, "}");
        }
        fprintf(out, "]}%s\n", i + 1 < p->ncand ? "," : "");
    }
    fprintf(out, "  ]\n}\n");
}

/* The value of parameter `path` in a candidate's "PATH=VALUE,..." text, into buf. */
static void rpt__param_value(const char *params, const char *path, char *buf, size_t n)
{
    size_t len = strlen(path);
    buf[0] = '\0';
    for (const char *q = params; *q;) {
        size_t item = strcspn(q, ",");
        if (item > len && strncmp(q, path, len) == 0 && q[len] == '=') {
            size_t v = item - len - 1;
            if (v >= n) v = n - 1;
            memcpy(buf, q + len + 1, v);
            buf[v] = '\0';
            return;
        }
        q += item + (q[item] == ',');
    }
}

void rpt_opt_write_md(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *in, FILE *out)
{
    char b[256];
    fprintf(out, "# optimize %s\n\n`%s`\n\n", in->scenario, in->command);
    rpt__budget_text(in, b, sizeof b);
    fprintf(out, "Optimize id `%s`. Spent %s in %d look%s (planned at most %d); stopped: %s. Constraints at 95%% "
            "(two-sided t interval on the allowed side); objective eliminations with paired Bonferroni intervals at "
            "one-sided level %.3g each, indifference zone %g.\n\n", in->id, b, in->looks_done, in->looks_done == 1 ? "" : "s", p->looks, in->stopped,
            rpt_opt_alpha_each(p), p->delta);
    fprintf(out, "## Answer\n\n```\n");
    rpt_opt_write_text(p, c, in, out);
    fprintf(out, "```\n\n## Candidates\n\n| # | parameters | n | state |");
    for (int k = 0; k < p->nobj + p->ncons; k++) fprintf(out, " %s |", k < p->nobj ? p->obj_name[k] : p->cons_name[k - p->nobj]);
    fprintf(out, "\n|---|---|---|---|");
    for (int k = 0; k < p->nobj + p->ncons; k++) fprintf(out, "---|");
    fprintf(out, "\n");
    for (int i = 0; i < p->ncand; i++) {
        fprintf(out, "| %d | %s | %d | %s |", i, c[i].params, c[i].n, rpt__state_name(&c[i]));
        for (int k = 0; k < p->nobj + p->ncons; k++) {
            rpt__fig_text(&c[i], k, b, sizeof b);
            fprintf(out, " %s |", b);
        }
        fprintf(out, "\n");
    }
    for (int a = 0; a < in->nparams; a++) {
        fprintf(out, "\n## %s against %s\n\nPer value of the parameter: the best mean among candidates shown feasible, "
                "and the mean over all candidates with that value (every candidate's mean over its own replications).\n\n"
                "| %s | candidates | feasible | best feasible %s | mean over all |\n|---|---|---|---|---|\n",
                p->obj_name[0], in->param_path[a], in->param_path[a], p->obj_name[0]);
        char seen[64][64];
        int ns = 0;
        for (int i = 0; i < p->ncand && ns < 64; i++) {
            char v[64];
            rpt__param_value(c[i].params, in->param_path[a], v, sizeof v);
            bool dup = false;
            for (int s = 0; s < ns; s++) dup |= strcmp(seen[s], v) == 0;
            if (dup) continue;
            snprintf(seen[ns++], sizeof seen[0], "%s", v);
            int cnt = 0, feas = 0, best = -1;
            double sum = 0;
            for (int j = 0; j < p->ncand; j++) {
                char w[64];
                rpt__param_value(c[j].params, in->param_path[a], w, sizeof w);
                if (strcmp(w, v) != 0) continue;
                cnt++;
                if (isfinite(c[j].mean[0])) sum += c[j].mean[0];
                if (c[j].feasible == 1) {
                    feas++;
                    if (best < 0 || p->sense[0] * (c[j].mean[0] - c[best].mean[0]) > 0) best = j;
                }
            }
            if (best >= 0) snprintf(b, sizeof b, "%.6g (#%d)", c[best].mean[0], best);
            else snprintf(b, sizeof b, "none");
            fprintf(out, "| %s | %d | %d | %s | %.6g |\n", v, cnt, feas, b, sum / cnt);
        }
    }
}

/* ---- HTML with inline SVG charts -------------------------------------------------------- */

/* The colour of a candidate's point: shown feasible and alive green (the best darker),
 * dominated grey, infeasible red, undecided orange. */
static const char *rpt__colour(const rpt_opt_cand *c, bool best)
{
    if (best) return "#1a7f37";
    if (c->state == RPT_OPT_INFEASIBLE) return "#cf222e";
    if (c->state == RPT_OPT_DOMINATED) return "#8c959f";
    return c->feasible == 1 ? "#4ac26b" : "#d4a72c";
}

typedef struct rpt__axis { double lo, hi; } rpt__axis;

static void rpt__axis_fit(rpt__axis *a)
{
    if (!(a->hi > a->lo)) { double m = isfinite(a->lo) ? a->lo : 0; a->lo = m - 1; a->hi = m + 1; }
    double pad = (a->hi - a->lo) * 0.06;
    a->lo -= pad;
    a->hi += pad;
}

/* A chart of the first objective (mean and 95% interval per candidate) against one
 * parameter's values, as categories in the order they appear. */
static void rpt__svg_param(const rpt_opt_problem *p, const rpt_opt_cand *c, const char *path, int best, FILE *out)
{
    const double W = 680, H = 320, L = 70, R = 20, T = 20, B = 60;
    char vals[64][64];
    int nv = 0, *cat = xcalloc((size_t)p->ncand, sizeof *cat), *rank = xcalloc((size_t)p->ncand, sizeof *rank), count[64] = { 0 };
    rpt__axis y = { INFINITY, -INFINITY };
    for (int i = 0; i < p->ncand; i++) {
        char v[64];
        rpt__param_value(c[i].params, path, v, sizeof v);
        int k = 0;
        while (k < nv && strcmp(vals[k], v) != 0) k++;
        if (k == nv && nv < 64) snprintf(vals[nv++], sizeof vals[0], "%s", v);
        cat[i] = k < nv ? k : -1;   /* beyond 64 values: not drawn (the chart says so) */
        if (cat[i] < 0) continue;
        rank[i] = count[k]++;
        double m = c[i].mean[0], h = isfinite(c[i].ci[0]) ? c[i].ci[0] : 0;
        if (isfinite(m)) {
            if (m - h < y.lo) y.lo = m - h;
            if (m + h > y.hi) y.hi = m + h;
        }
    }
    rpt__axis_fit(&y);
    double pw = W - L - R, ph = H - T - B, cw = pw / (nv ? nv : 1);
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n", L, T, pw, ph);
    for (int t = 0; t <= 4; t++) {
        double v = y.lo + (y.hi - y.lo) * t / 4, py = T + ph - ph * t / 4;
        fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"#eee\"/><text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n",
                L, L + pw, py, py, L - 4, py + 4, v);
    }
    for (int k = 0; k < nv; k++) {
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", L + cw * (k + 0.5), T + ph + 16);
        rpt_html_text(out, vals[k]);
        fprintf(out, "</text>\n");
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", L + pw / 2, H - 20);
    rpt_html_text(out, path);
    fprintf(out, "</text>\n<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">", T + ph / 2, T + ph / 2);
    rpt_html_text(out, p->obj_name[0]);
    fprintf(out, "</text>\n");
    int skipped = 0;
    for (int i = 0; i < p->ncand; i++) skipped += cat[i] < 0;
    if (skipped)
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\">%d candidates beyond the first 64 values are not drawn</text>\n", L + 6, T + 14, skipped);
    for (int i = 0; i < p->ncand; i++) {
        double m = c[i].mean[0];
        if (!isfinite(m) || cat[i] < 0) continue;
        int k = cat[i];
        double off = count[k] > 1 ? ((double)rank[i] / (count[k] - 1) - 0.5) * 0.6 : 0;
        double px = L + cw * (k + 0.5 + off);
        double py = T + ph * (1 - (m - y.lo) / (y.hi - y.lo));
        const char *col = rpt__colour(&c[i], i == best);
        if (isfinite(c[i].ci[0]) && c[i].ci[0] > 0) {
            double a = T + ph * (1 - (m - c[i].ci[0] - y.lo) / (y.hi - y.lo)), b = T + ph * (1 - (m + c[i].ci[0] - y.lo) / (y.hi - y.lo));
            fprintf(out, "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"%.1f\" y2=\"%.1f\" stroke=\"%s\"/>\n", px, px, a, b, col);
        }
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>#%d ", px, py, i == best ? 6 : 4, col, i);
        rpt_html_text(out, c[i].params);
        fprintf(out, ": %.6g</title></circle>\n", m);
    }
    fprintf(out, "</svg>\n");
    free(cat);
    free(rank);
}

/* The two objectives against each other, the front's points joined. */
static void rpt__svg_front(const rpt_opt_problem *p, const rpt_opt_cand *c, FILE *out)
{
    const double W = 680, H = 360, L = 70, R = 20, T = 20, B = 50;
    rpt__axis x = { INFINITY, -INFINITY }, y = { INFINITY, -INFINITY };
    for (int i = 0; i < p->ncand; i++) {
        if (!isfinite(c[i].mean[0]) || !isfinite(c[i].mean[1])) continue;
        if (c[i].mean[0] < x.lo) x.lo = c[i].mean[0];
        if (c[i].mean[0] > x.hi) x.hi = c[i].mean[0];
        if (c[i].mean[1] < y.lo) y.lo = c[i].mean[1];
        if (c[i].mean[1] > y.hi) y.hi = c[i].mean[1];
    }
    rpt__axis_fit(&x);
    rpt__axis_fit(&y);
    double pw = W - L - R, ph = H - T - B;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %.0f %.0f\" width=\"%.0f\" height=\"%.0f\" font-family=\"sans-serif\" font-size=\"11\">\n", W, H, W, H);
    fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"none\" stroke=\"#999\"/>\n", L, T, pw, ph);
    for (int t = 0; t <= 4; t++) {
        double vx = x.lo + (x.hi - x.lo) * t / 4, vy = y.lo + (y.hi - y.lo) * t / 4;
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">%.4g</text>", L + pw * t / 4, T + ph + 16, vx);
        fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.4g</text>\n", L - 4, T + ph - ph * t / 4 + 4, vy);
    }
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", L + pw / 2, H - 10);
    rpt_html_text(out, p->obj_name[0]);
    fprintf(out, "</text>\n<text x=\"14\" y=\"%.1f\" transform=\"rotate(-90 14 %.1f)\" text-anchor=\"middle\">", T + ph / 2, T + ph / 2);
    rpt_html_text(out, p->obj_name[1]);
    fprintf(out, "</text>\n");
    for (int i = 0; i < p->ncand; i++) {
        if (!isfinite(c[i].mean[0]) || !isfinite(c[i].mean[1])) continue;
        bool front = rpt_opt_on_front(p, c, i);
        double px = L + pw * (c[i].mean[0] - x.lo) / (x.hi - x.lo), py = T + ph * (1 - (c[i].mean[1] - y.lo) / (y.hi - y.lo));
        fprintf(out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%d\" fill=\"%s\"><title>#%d ", px, py, front ? 6 : 4, rpt__colour(&c[i], front), i);
        rpt_html_text(out, c[i].params);
        fprintf(out, "</title></circle>\n");
    }
    fprintf(out, "</svg>\n");
}

void rpt_opt_write_html(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *in, FILE *out)
{
    int best = p->nobj == 1 ? rpt_opt_best(p, c) : -1;
    fprintf(out, "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>optimize ");
    rpt_html_text(out, in->scenario);
    fprintf(out, "</title><style>body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
                 "pre{background:#f6f8fa;padding:1em;overflow-x:auto}table{border-collapse:collapse}"
                 "td,th{border:1px solid #ddd;padding:3px 6px;font-size:13px}th{background:#f3f3f3}</style></head><body>\n<h1>optimize ");
    rpt_html_text(out, in->scenario);
    fprintf(out, "</h1>\n<p><code>");
    rpt_html_text(out, in->command);
    fprintf(out, "</code></p>\n<h2>Answer</h2>\n<pre>");
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);
    OS_ASSERT(mem);
    rpt_opt_write_text(p, c, in, mem);
    fclose(mem);
    rpt_html_text(out, buf);
    free(buf);
    fprintf(out, "</pre>\n<p>Points: <span style=\"color:#1a7f37\">&#9679; best%s</span>, <span style=\"color:#4ac26b\">&#9679; alive, "
                 "shown feasible</span>, <span style=\"color:#d4a72c\">&#9679; feasibility not shown</span>, "
                 "<span style=\"color:#8c959f\">&#9679; dominated</span>, <span style=\"color:#cf222e\">&#9679; infeasible</span>; "
                 "bars are 95%% intervals. Hover a point for its candidate.</p>\n", p->nobj > 1 ? " / on the front" : "");
    if (p->nobj > 1) {
        fprintf(out, "<h2>Pareto front</h2>\n");
        rpt__svg_front(p, c, out);
    }
    for (int a = 0; a < in->nparams; a++) {
        fprintf(out, "<h2>");
        rpt_html_text(out, p->obj_name[0]);
        fprintf(out, " against ");
        rpt_html_text(out, in->param_path[a]);
        fprintf(out, "</h2>\n");
        rpt__svg_param(p, c, in->param_path[a], best, out);
    }
    fprintf(out, "<h2>Candidates</h2>\n<table><tr><th>#</th><th>parameters</th><th>n</th><th>state</th>");
    for (int k = 0; k < p->nobj + p->ncons; k++) {
        fprintf(out, "<th>");
        rpt_html_text(out, k < p->nobj ? p->obj_name[k] : p->cons_name[k - p->nobj]);
        fprintf(out, "</th>");
    }
    fprintf(out, "<th>why</th></tr>\n");
    for (int i = 0; i < p->ncand; i++) {
        fprintf(out, "<tr><td>%d</td><td>", i);
        rpt_html_text(out, c[i].params);
        fprintf(out, "</td><td>%d</td><td>%s</td>", c[i].n, rpt__state_name(&c[i]));
        for (int k = 0; k < p->nobj + p->ncons; k++) {
            char b[96];
            rpt__fig_text(&c[i], k, b, sizeof b);
            fprintf(out, "<td>%s</td>", b);
        }
        fprintf(out, "<td>");
        rpt_html_text(out, c[i].why);
        fprintf(out, "</td></tr>\n");
    }
    fprintf(out, "</table>\n</body></html>\n");
}
