/*
 * cmd_compare.c — `ordersim compare SCENARIO.json`: run the scenario under every inventory
 * strategy with common random numbers (replication r of every strategy uses seed + r), show
 * the metrics side by side, the paired difference of each against the scenario's own
 * strategy with a 95% interval and a verdict, and a plain-language conclusion.
 */
#include "cli.h"
#include "cmd_common.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

/* The metrics the verdict table shows, in order. */
static const rpt_metric cmp__key[] = { RPT_oversold_units, RPT_oversold_orders, RPT_genuine_orders_paid, RPT_orders_paid,
    RPT_units_sold, RPT_locked_stock_peak, RPT_locked_unit_seconds, RPT_malicious_locked_unit_seconds,
    RPT_genuine_rejected_while_locked, RPT_payments_rejected_revalidation, RPT_orders_refunded, RPT_unsold_units_end,
    RPT_revenue, RPT_order_to_pay_p95, RPT_sellout_time };
#define CMP_NKEY ((int)(sizeof cmp__key / sizeof cmp__key[0]))

/* Appends printf-formatted text to a growing string. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void cmp__cat(char **buf, size_t *len, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    *buf = xrealloc(*buf, *len + (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(*buf + *len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    *len += (size_t)n;
}

/* Writes the conclusion: who oversells, who locks, what each costs in genuine sales. */
static char *cmp__conclusion(const rpt_summary *sums, int n)
{
    char *c = NULL;
    size_t len = 0;
    int over = 0;
    for (int k = 0; k < n; k++) over += sums[k].mean[RPT_oversold_units] > 0;
    cmp__cat(&c, &len, "Over %d replication%s with common random numbers:\n", sums[0].n, sums[0].n == 1 ? "" : "s");
    if (!over) cmp__cat(&c, &len, "- no strategy oversold.\n");
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const char *name = s->runs[0].strategy;
        if (s->mean[RPT_oversold_units] > 0)
            cmp__cat(&c, &len, "- %s oversold %.0f units in %.0f orders%s.\n", name, s->mean[RPT_oversold_units],
                     s->mean[RPT_oversold_orders], s->mean[RPT_orders_refunded] > 0 ? " (refunded)" : " (backordered)");
    }
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const char *name = s->runs[0].strategy;
        if (s->mean[RPT_locked_unit_seconds] > 0) {
            double bots = s->mean[RPT_malicious_locked_unit_seconds] / s->mean[RPT_locked_unit_seconds];
            cmp__cat(&c, &len, "- %s locked up to %.0f units (%.0f%% of locked unit-seconds held by bots) and turned away %.0f genuine orders while stock was locked.\n",
                     name, s->mean[RPT_locked_stock_peak], 100 * bots, s->mean[RPT_genuine_rejected_while_locked]);
        }
    }
    for (int k = 0; k < n; k++)
        cmp__cat(&c, &len, "- %s: %.0f genuine orders paid, %.0f units unsold at the end, revenue %.2f.\n", sums[k].runs[0].strategy,
                 sums[k].mean[RPT_genuine_orders_paid], sums[k].mean[RPT_unsold_units_end], sums[k].mean[RPT_revenue]);
    int best = -1;
    for (int k = 0; k < n; k++)
        if (sums[k].mean[RPT_oversold_units] == 0 &&
            (best < 0 || sums[k].mean[RPT_genuine_orders_paid] > sums[best].mean[RPT_genuine_orders_paid]))
            best = k;
    if (best >= 0)
        cmp__cat(&c, &len, "Of the strategies that never oversold, %s sold to the most genuine buyers.\n", sums[best].runs[0].strategy);
    else
        cmp__cat(&c, &len, "Every strategy oversold in this scenario.\n");
    return c;
}

static int cmd_compare(cli_opts *o)
{
    if (o->nargs != 1) {
        fprintf(stderr, "ordersim compare: expected one scenario file\n");
        return CLI_USAGE;
    }
    const inv_strategy *const *all = inv_strategies();
    int n = 0;
    while (all[n]) n++;
    o->runs_per_replication = n;   /* the cost estimate counts every strategy's runs */
    scn_scenario *s;
    int rc = cli_load(o->args[0], o, &s);
    if (rc) return rc;
    rpt_run *runs = xcalloc((size_t)(n * o->replications), sizeof *runs);
    rpt_summary *sums = xcalloc((size_t)n, sizeof *sums);
    int ref = 0, dbrc;
    cli_rec *rec = cli_rec_open(o, s, "compare", &dbrc);
    if (!rec) { free(runs); free(sums); scn_free(s); return dbrc; }
    for (int k = 0; k < n; k++) {
        cli_run_replications(s, all[k]->name, o, runs + k * o->replications, rec);
        rpt_summarize(runs + k * o->replications, o->replications, &sums[k]);
        if (strcmp(all[k]->name, s->strategy) == 0) ref = k;
    }
    char *conclusion = cmp__conclusion(sums, n);
    char *md = NULL;
    size_t mdlen = 0;
    cmp__cat(&md, &mdlen, "## Verdicts against %s (paired differences, 95%% intervals)\n\n| metric |", all[ref]->name);
    for (int k = 0; k < n; k++) if (k != ref) cmp__cat(&md, &mdlen, " %s - %s | verdict |", all[k]->name, all[ref]->name);
    cmp__cat(&md, &mdlen, "\n|---|");
    for (int k = 0; k < n; k++) if (k != ref) cmp__cat(&md, &mdlen, "---:|---|");
    cmp__cat(&md, &mdlen, "\n");
    for (int i = 0; i < CMP_NKEY; i++) {
        cmp__cat(&md, &mdlen, "| %s |", rpt_metric_name(cmp__key[i]));
        for (int k = 0; k < n; k++) {
            if (k == ref) continue;
            double d, ci;
            const char *v = rpt_paired(&sums[ref], &sums[k], cmp__key[i], &d, &ci);
            if (isfinite(ci)) cmp__cat(&md, &mdlen, " %.4g +/- %.3g | %s |", d, ci, v);
            else cmp__cat(&md, &mdlen, " %.4g | %s |", d, v);
        }
        cmp__cat(&md, &mdlen, "\n");
    }

    if (o->json) {
        printf("{\n  \"strategies\": {\n");
        for (int k = 0; k < n; k++) {
            printf("    \"%s\": ", all[k]->name);
            rpt_write_json(&sums[k], stdout, true, 4);
            printf("%s\n", k + 1 < n ? "," : "");
        }
        printf("  },\n  \"verdict\": {\n    \"reference\": \"%s\",\n    \"pairs\": {", all[ref]->name);
        int first = 1;
        for (int k = 0; k < n; k++) {
            if (k == ref) continue;
            printf("%s\n      \"%s\": {", first ? "" : ",", all[k]->name);
            first = 0;
            for (int m = 0; m < RPT_METRIC_COUNT; m++) {
                double d, ci;
                const char *v = rpt_paired(&sums[ref], &sums[k], (rpt_metric)m, &d, &ci);
                printf("%s\n        \"%s\": {\"diff\": ", m ? "," : "", rpt_metric_name((rpt_metric)m));
                rpt_json_num(stdout, d);
                printf(", \"ci95\": ");
                rpt_json_num(stdout, ci);
                printf(", \"verdict\": \"%s\"}", v);
            }
            printf("\n      }");
        }
        printf("\n    },\n    \"conclusion\": ");
        rpt_json_str(stdout, conclusion);
        printf("\n  }\n}\n");
    } else if (!o->quiet) {
        printf("scenario %s | seed %llu | replications %d | common random numbers across strategies\n\n", s->name,
               (unsigned long long)cli_seed(o, s), o->replications);
        printf("%-32s", "metric");
        for (int k = 0; k < n; k++) printf(" %22s", all[k]->name);
        printf("\n");
        for (int m = 0; m < RPT_METRIC_COUNT; m++) {
            printf("%-32s", rpt_metric_name((rpt_metric)m));
            for (int k = 0; k < n; k++) {
                char cell[64];
                double v = sums[k].mean[m], ci = sums[k].ci95[m];
                if (!isfinite(v)) snprintf(cell, sizeof cell, "-");
                else if (isfinite(ci) && ci > 0) snprintf(cell, sizeof cell, "%.5g +/- %.2g", v, ci);
                else snprintf(cell, sizeof cell, "%.6g", v);
                printf(" %22s", cell);
            }
            printf("\n");
        }
        printf("\nverdict against %s (paired difference, 95%% interval):\n", all[ref]->name);
        for (int k = 0; k < n; k++) {
            if (k == ref) continue;
            printf("  %s:\n", all[k]->name);
            for (int i = 0; i < CMP_NKEY; i++) {
                double d, ci;
                const char *v = rpt_paired(&sums[ref], &sums[k], cmp__key[i], &d, &ci);
                char diff[64];
                if (isfinite(ci)) snprintf(diff, sizeof diff, "%+.5g +/- %.2g", d, ci);
                else snprintf(diff, sizeof diff, "%+.5g", d);
                printf("    %-34s %24s  %s\n", rpt_metric_name(cmp__key[i]), diff, v);
            }
        }
        for (int k = 0; k < n; k++)
            if (!sums[k].invariants_ok) printf("\nINVARIANTS VIOLATED under %s\n", all[k]->name);
        printf("\n%s", conclusion);
    }
    dbrc = cli_rec_close(rec, o);
    char command[1024];
    snprintf(command, sizeof command, "ordersim compare %s --replications %d", s->file, o->replications);
    rc = cmd_record_many(o, s, sums, n, conclusion, md, command);
    if (dbrc) rc = dbrc;
    for (int k = 0; k < n; k++)
        if (!sums[k].invariants_ok) rc = CLI_INTERNAL;
    for (int i = 0; i < n * o->replications; i++) rpt_run_fini(&runs[i]);
    free(runs);
    free(sums);
    free(conclusion);
    free(md);
    scn_free(s);
    return rc;
}

const cli_cmd cmd_compare_entry = {
    .name = "compare",
    .usage = "SCENARIO.json [--replications R] [--jobs J] [--seed N] [--set PATH=VALUE]... [--json] [--db FILE] [--out DIR] [--no-report]",
    .summary = "Runs the scenario under every inventory strategy with common random numbers and compares them, metric by metric.",
    .help = "Every strategy's replication r uses seed + r, so they see the same customers. Verdicts compare each strategy\n"
            "with the scenario's own: the paired difference and its Student-t 95% interval; 'better'/'worse' when the\n"
            "interval excludes 0 (with one replication there is no interval and the verdict says '(1 run)').\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario, 70 invariant broken, 74 I/O error.\n",
    .exec = cmd_compare,
};
