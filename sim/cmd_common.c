/*
 * cmd_common.c — thresholds, metric lookup, recording. See cmd_common.h.
 */
#include "cmd_common.h"

#include "rpt_report.h"

#include <math.h>
#include <string.h>

int cmd_print_thresholds(const scn_scenario *s, const rpt_summary *sum, FILE *out)
{
    int failed = 0;
    if (!s->n_thresholds) return 0;
    if (out) fprintf(out, "\n%-36s %-16s %18s  %s\n", "threshold", "condition", "value", "result");
    for (int i = 0; i < s->n_thresholds; i++) {
        const scn_threshold *t = &s->thresholds[i];
        double v = NAN;
        bool known = rpt_ref_value(sum, &t->ref, &v);
        bool ok = known && isfinite(v) && rpt_op_holds(t->op, v, t->value);
        failed += !ok;
        if (out) {
            char cond[48];
            snprintf(cond, sizeof cond, "%s %g", rpt_op_name(t->op), t->value);
            fprintf(out, "%-36s %-16s %18.6g  %s\n", t->name, cond, v, ok ? "pass" : (known ? "FAIL" : "FAIL (no such figure)"));
        }
    }
    return failed;
}

int cmd_record_many(const cli_opts *o, const scn_scenario *s, const rpt_summary *sums, int n,
                    const char *conclusion, const char *extra_md, const char *command)
{
    if (o->no_report) return CLI_OK;
    os_diag d;
    os_diag_init(&d);
    int rc = CLI_OK;
    char dir[1024];
    cli_out_dir(o, s, dir, sizeof dir);
    rpt_report_in in = { .title = s->name, .description = s->description, .command = command, .n = n, .sums = sums,
                         .conclusion = conclusion, .extra_md = extra_md };
    int charts = 0;
    if (rpt_report_write(dir, &in, &charts, &d) != OS_OK) rc = CLI_IO;
    else if (!o->quiet && !o->json) printf("report: %s/report.html (%d charts; also report.md)\n", dir, charts);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    return rc;
}

int cmd_record(const cli_opts *o, const scn_scenario *s, const rpt_summary *sum, const char *kind)
{
    char command[1024];
    snprintf(command, sizeof command, "ordersim %s %s", kind, s->file);
    return cmd_record_many(o, s, sum, 1, NULL, NULL, command);
}
