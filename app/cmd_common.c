/*
 * cmd_common.c — thresholds, recording. See cmd_common.h.
 */
#include "cmd_common.h"

#include "rpt_doc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int cmd_thresholds(const scn_scenario *s, const rpt_summary *sum, rpt_gate *g)
{
    int failed = 0;
    for (int i = 0; i < s->n_thresholds; i++) {
        const scn_threshold *t = &s->thresholds[i];
        rpt_gate *x = &g[i];
        memset(x, 0, sizeof *x);
        double v = NAN;
        bool known = rpt_ref_value(sum, &t->ref, &v);
        x->pass = known && isfinite(v) && cnd_op_holds(t->op, v, t->value);
        x->value = v;
        x->base = NAN;
        snprintf(x->name, sizeof x->name, "%s", t->name);
        snprintf(x->rule, sizeof x->rule, "%s %g", cnd_op_name(t->op), t->value);
        snprintf(x->unit, sizeof x->unit, "%s", rpt_ref_unit(&t->ref));
        snprintf(x->status, sizeof x->status, "%s", x->pass ? "pass" : known ? "FAIL" : "FAIL (no such figure)");
        failed += !x->pass;
    }
    return failed;
}

/* Fills the scenario's parts of a report (title, description, currency, its warnings, the
 * summaries) and evaluates the thresholds when the command did not; returns the gates it
 * allocated for that (the caller frees them and clears in->gates), or NULL. */
static rpt_gate *cmd__fill(const scn_scenario *s, const rpt_summary *sums, int n, rpt_report_in *in, const char *command)
{
    in->title = s->name;
    in->description = s->description;
    in->command = command;
    in->n = n;
    in->sums = sums;
    in->currency = s->currency;
    in->generator = "ordersim " ORDERSIM_VERSION;
    in->nthresholds = s->n_thresholds;
    in->scn_warnings = (const char *const *)s->warnings.msgs;
    in->nscn_warnings = s->warnings.count;
    /* thresholds are shown in every report: evaluate them when the command did not */
    rpt_gate *own = NULL;
    if (!in->gates && s->n_thresholds) {
        own = xcalloc((size_t)s->n_thresholds, sizeof *own);
        cmd_thresholds(s, &sums[in->reference], own);
        in->gates = own;
        in->ngates = s->n_thresholds;
    }
    return own;
}

/* Frees what cmd__fill allocated and forgets it. */
static void cmd__unfill(rpt_report_in *in, rpt_gate *own)
{
    if (!own) return;
    in->gates = NULL;
    in->ngates = 0;
    free(own);
}

void cmd_print_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n, rpt_report_in *in, const char *command)
{
    if (o->quiet || o->json) return;
    rpt_gate *own = cmd__fill(s, sums, n, in, command);
    rpt_report_write_text(in, stdout);
    cmd__unfill(in, own);
}

int cmd_record_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n, rpt_report_in *in, const char *command)
{
    if (o->no_report) return CLI_OK;
    os_diag d;
    os_diag_init(&d);
    int rc = CLI_OK;
    char dir[1024];
    cli_out_dir(o, s, dir, sizeof dir);
    rpt_gate *own = cmd__fill(s, sums, n, in, command);
    int charts = 0;
    if (rpt_report_write(dir, in, &charts, &d) != OS_OK) rc = CLI_IO;
    else if (!o->quiet && !o->json) printf("report: %s/report.html (%d charts; also report.md, report.txt, report.json)\n", dir, charts);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    cmd__unfill(in, own);
    return rc;
}

/* The command line a report of one summary shows. */
static void cmd__command(const scn_scenario *s, const char *kind, char *buf, size_t n)
{
    snprintf(buf, n, "ordersim %s %s", kind, s->file);
}

void cmd_print(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind, const rpt_gate *gates, int ngates,
               bool has_baseline, const char *baseline_note)
{
    char command[1024];
    cmd__command(s, kind, command, sizeof command);
    rpt_report_in in = { .gates = gates, .ngates = ngates, .has_baseline = has_baseline, .baseline_note = baseline_note };
    cmd_print_many(o, s, sum, 1, &in, command);
}

int cmd_record(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind, const rpt_gate *gates, int ngates,
               bool has_baseline, const char *baseline_note)
{
    char command[1024];
    cmd__command(s, kind, command, sizeof command);
    rpt_report_in in = { .gates = gates, .ngates = ngates, .has_baseline = has_baseline, .baseline_note = baseline_note };
    return cmd_record_many(o, s, sum, 1, &in, command);
}
