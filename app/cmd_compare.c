/*
 * cmd_compare.c — `ordersim compare SCENARIO.json`: run the scenario under every inventory
 * strategy with common random numbers (replication r of every strategy uses seed + r), show
 * the metrics side by side, the paired difference of each against the scenario's own
 * strategy with a 95% interval and a verdict, and a plain-language conclusion.
 */
#include "cli.h"
#include "cmd_common.h"
#include "rpt_doc.h"
#include "rpt_verdict.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

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

/* Writes the conclusion: who oversells, who locks, what each serves, and the recommendation
 * with its reasons (the same data --json carries). */
static char *cmp__conclusion(const rpt_summary *sums, int n, const rpt_recommendation *rec)
{
    char *c = NULL;
    size_t len = 0;
    int over = 0;
    char a[64], b[64], d[64], e[64];
#define CMP__N(buf, v) (rpt_num_format((v), NAN, "", NULL, (buf), sizeof (buf)), (buf))
#define CMP__M(buf, v) (rpt_num_format((v), NAN, "money", NULL, (buf), sizeof (buf)), (buf))
    for (int k = 0; k < n; k++) over += sums[k].mean[RPT_M_oversold_units] > 0;
    cmp__cat(&c, &len, "Over %d replication%s with common random numbers:\n", sums[0].n, sums[0].n == 1 ? "" : "s");
    if (!over) cmp__cat(&c, &len, "- no strategy oversold.\n");
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const char *name = s->runs[0].strategy;
        if (!(s->mean[RPT_M_oversold_units] > 0)) continue;
        if (s->mean[RPT_M_orders_refunded] > 0)
            cmp__cat(&c, &len, "- %s oversold %s units in %s orders (refunded).\n", name, CMP__N(a, s->mean[RPT_M_oversold_units]),
                     CMP__N(b, s->mean[RPT_M_oversold_orders]));
        else
            cmp__cat(&c, &len, "- %s oversold %s units in %s orders (backordered: %s captured for orders stock does not cover).\n",
                     name, CMP__N(a, s->mean[RPT_M_oversold_units]), CMP__N(b, s->mean[RPT_M_oversold_orders]), CMP__M(d, s->mean[RPT_M_revenue_at_risk]));
    }
    for (int k = 0; k < n; k++) {
        const rpt_summary *s = &sums[k];
        const char *name = s->runs[0].strategy;
        if (s->mean[RPT_M_locked_unit_seconds] > 0) {
            double bots = s->mean[RPT_M_malicious_locked_unit_seconds] / s->mean[RPT_M_locked_unit_seconds];
            cmp__cat(&c, &len, "- %s locked up to %s units (%.0f%% of locked unit-seconds held by bots) and turned away %s genuine orders while the units they wanted were locked; %s genuine customers were lost to locks that were then wasted (orders that never paid).\n",
                     name, CMP__N(a, s->mean[RPT_M_locked_stock_peak]), 100 * bots, CMP__N(b, s->mean[RPT_M_genuine_rejected_while_locked]),
                     CMP__N(d, s->mean[RPT_M_genuine_customers_lost_to_locks]));
        }
    }
    for (int k = 0; k < n; k++)
        cmp__cat(&c, &len, "- %s: %s genuine orders served (%s paid), %s units unsold at the end, revenue %s.\n",
                 sums[k].runs[0].strategy, CMP__N(a, sums[k].mean[RPT_M_genuine_orders_served]), CMP__N(b, sums[k].mean[RPT_M_genuine_orders_paid]),
                 CMP__N(d, sums[k].mean[RPT_M_unsold_units_end]), CMP__M(e, sums[k].mean[RPT_M_revenue]));
#undef CMP__N
#undef CMP__M
    if (rec->strategy >= 0) cmp__cat(&c, &len, "Recommendation: %s.\n", sums[rec->strategy].runs[0].strategy);
    else cmp__cat(&c, &len, "No recommendation: no strategy dominates.\n");
    for (int i = 0; i < rec->nwhy; i++) cmp__cat(&c, &len, "- %s\n", rec->why[i]);
    return c;
}

/* The verdicts of every strategy against the reference, [k * RPT_METRIC_COUNT + m]; the
 * reference's own row is left zeroed. Caller frees. */
static rpt_verdict *cmp__verdicts(const rpt_summary *sums, int n, int ref)
{
    rpt_verdict *v = xcalloc((size_t)n * RPT_METRIC_COUNT, sizeof *v);
    for (int k = 0; k < n; k++)
        if (k != ref)
            for (int m = 0; m < RPT_METRIC_COUNT; m++) rpt_verdict_of(&sums[ref], &sums[k], (rpt_metric)m, &v[k * RPT_METRIC_COUNT + m]);
    return v;
}

/* Writes compare's JSON: every strategy's summary, the verdicts against the reference, the
 * recommendation and the conclusion. */
static void cmp__json(const rpt_summary *sums, int n, int ref, const rpt_verdict *v, const rpt_recommendation *rec,
                      const char *conclusion)
{
    printf("{\n  \"strategies\": {\n");
    for (int k = 0; k < n; k++) {
        printf("    \"%s\": ", sums[k].runs[0].strategy);
        rpt_write_json(&sums[k], stdout, true, 4);
        printf("%s\n", k + 1 < n ? "," : "");
    }
    printf("  },\n  \"reference\": \"%s\",\n  \"verdicts\": {", sums[ref].runs[0].strategy);
    int first = 1;
    for (int k = 0; k < n; k++) {
        if (k == ref) continue;
        printf("%s\n    \"%s\": {", first ? "" : ",", sums[k].runs[0].strategy);
        first = 0;
        for (int m = 0; m < RPT_METRIC_COUNT; m++) {
            const rpt_verdict *x = &v[k * RPT_METRIC_COUNT + m];
            printf("%s\n      \"%s\": {\"diff\": ", m ? "," : "", rpt_metric_name((rpt_metric)m));
            jsn_write_num(stdout, x->diff);
            printf(", \"ci95\": ");
            jsn_write_num(stdout, x->ci);
            printf(", \"pairs\": %d, \"verdict\": \"%s\", \"why\": ", x->pairs, rpt_verdict_word_name(x->word));
            if (x->why[0]) jsn_write_str(stdout, x->why);
            else printf("null");
            printf("}");
        }
        printf("\n    }");
    }
    printf("\n  },\n  \"recommendation\": {\"strategy\": ");
    if (rec->strategy >= 0) jsn_write_str(stdout, sums[rec->strategy].runs[0].strategy);
    else printf("null");
    printf(", \"why\": [");
    for (int i = 0; i < rec->nwhy; i++) {
        printf("%s\n    ", i ? "," : "");
        jsn_write_str(stdout, rec->why[i]);
    }
    printf("\n  ]},\n  \"conclusion\": ");
    jsn_write_str(stdout, conclusion);
    printf("\n}\n");
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
    o->warn_all_strategies = true; /* and a warning must hold under every strategy */
    scn_scenario *s;
    int rc = cli_load(o->args[0], o, &s);
    if (rc) return rc;
    rpt_run *runs = xcalloc((size_t)(n * o->replications), sizeof *runs);
    rpt_summary *sums = xcalloc((size_t)n, sizeof *sums);
    int ref = 0, dbrc;
    cli_rec *rec = cli_rec_open(o, s, "compare", &dbrc);
    if (!rec) { free(runs); free(sums); scn_free(s); return dbrc; }
    for (int k = 0; k < n; k++) {
        int lrc = cli_run_replications(s, all[k]->name, o, runs + k * o->replications, rec);
        if (lrc) {                     /* stopped by the loop guard: nothing to compare */
            cli_rec_close(rec, o);
            for (int i = 0; i < (k + 1) * o->replications; i++) rpt_run_fini(&runs[i]);
            free(runs);
            free(sums);
            scn_free(s);
            return lrc;
        }
        rpt_summarize(runs + k * o->replications, o->replications, &sums[k]);
        if (strcmp(all[k]->name, s->strategy) == 0) ref = k;
    }
    rpt_verdict *verdicts = cmp__verdicts(sums, n, ref);
    rpt_recommendation recommendation;
    rpt_recommend(sums, n, &recommendation);
    char *conclusion = cmp__conclusion(sums, n, &recommendation);
    char command[1024];
    snprintf(command, sizeof command, "ordersim compare %s --replications %d", s->file, o->replications);
    rpt_metric table[RPT_METRIC_COUNT];   /* the rows flagged RPT_MF_VERDICT, in their order */
    int ntable = rpt_metric_verdict_table(table);
    rpt_report_in in = { .conclusion = conclusion, .reference = ref, .verdict_metrics = table, .nverdict_metrics = ntable };
    if (o->json) cmp__json(sums, n, ref, verdicts, &recommendation, conclusion);
    else cmd_print_many(o, s, sums, n, &in, command);   /* the report's own text */
    dbrc = cli_rec_close(rec, o);
    rc = cmd_record_many(o, s, sums, n, &in, command);
    if (dbrc) rc = dbrc;
    for (int k = 0; k < n; k++)
        if (!sums[k].invariants_ok) rc = CLI_INTERNAL;
    for (int i = 0; i < n * o->replications; i++) rpt_run_fini(&runs[i]);
    free(runs);
    free(sums);
    free(conclusion);
    free(verdicts);
    scn_free(s);
    return rc;
}

const cli_cmd cmd_compare_entry = {
    .name = "compare",
    .usage = "SCENARIO.json [--replications R] [--jobs J] [--seed N] [--set PATH=VALUE]... [--json] [--db FILE] [--out DIR] [--no-report]",
    .summary = "Runs the scenario under every inventory strategy with common random numbers and compares them, metric by metric.",
    .help = "Every strategy's replication r uses seed + r, so they see the same customers. Verdicts compare each strategy\n"
            "with the scenario's own: the paired difference and its Student-t 95% interval; 'better'/'worse' when the\n"
            "interval excludes 0, 'same' when it includes 0 (with one replication there is no interval and the verdict\n"
            "says '(1 run)'); 'not comparable' for a percentile over a different number of paid orders; paid orders,\n"
            "units sold and revenue are not scored when a strategy oversold. The recommendation never names a strategy\n"
            "that oversold while another did not, and names none when the best is indistinguishable from another.\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario, 70 invariant broken, 74 I/O error.\n",
    .options = CLI_OPTS_LOAD CLI_OPTS_RUN CLI_OPTS_TRACE CLI_OPTS_DB CLI_OPTS_REPORT "json quiet",
    .exec = cmd_compare,
};
