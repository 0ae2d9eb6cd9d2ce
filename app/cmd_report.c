/*
 * cmd_report.c — `ordersim report RUN_ID`: rebuild a run's report from the results DB.
 */
#include "cli.h"
#include "pth.h"
#include "rpt_db.h"
#include "rpt_report.h"

#include <stdlib.h>

static int cmd_report(cli_opts *o)
{
    if (o->optimize) {
        if (o->nargs || o->sweep) { fprintf(stderr, "ordersim report: give one of RUN_ID, --sweep ID or --optimize ID\n"); return CLI_USAGE; }
        return cmd_optimize_report(o, o->optimize);
    }
    if (o->sweep) {
        if (o->nargs) { fprintf(stderr, "ordersim report: give a RUN_ID or --sweep ID, not both\n"); return CLI_USAGE; }
        return cmd_sweep_report(o, o->sweep);
    }
    long long id = o->nargs == 1 ? atoll(o->args[0]) : 0;
    if (o->nargs != 1 || id < 1) {
        fprintf(stderr, "ordersim report: expected a run id (see ordersim history)\n");
        return CLI_USAGE;
    }
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    rpt_run r;
    rpt_run_init(&r);
    int rc = cli_db_open(o, o->db, RPT_DB_READ, &db);
    char *json = NULL, currency[16];
    os_status st = rc ? OS_OK : rpt_db_load(db, id, &r, &json, &d);
    if (st == OS_ENOTFOUND) rc = CLI_USAGE;   /* a run id not in the DB is bad usage */
    else if (st != OS_OK) rc = os_exit_code(st);
    if (!rc) {
        rpt_summary sum;
        rpt_summarize(&r, 1, &sum);
        char dir[1024], cmd[256];
        if (o->out) snprintf(dir, sizeof dir, "%s", o->out);
        else {
            char safe[sizeof r.scenario];
            pth_safe_name(r.scenario, safe, sizeof safe);
            snprintf(dir, sizeof dir, "out/%s/run-%lld", safe, id);
        }
        snprintf(cmd, sizeof cmd, "ordersim report %lld", id);
        cli_recorded_currency(json, currency, sizeof currency);
        os_diag warn;
        os_diag_init(&warn);
        cli_recorded_warnings(json, r.strategy, &warn);
        rpt_report_in in = { .title = r.scenario, .description = "Rebuilt from the results database.", .command = cmd, .n = 1, .sums = &sum,
                             .currency = currency, .scn_warnings = (const char *const *)warn.msgs, .nscn_warnings = warn.count };
        int charts = 0;
        if (rpt_report_write(dir, &in, &charts, &d) != OS_OK) rc = CLI_IO;
        else if (!o->quiet) printf("report: %s/report.html (%d charts; also report.md)\n", dir, charts);
        os_diag_fini(&warn);
    }
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    free(json);
    rpt_run_fini(&r);
    rpt_db_close(db);
    return rc;
}

const cli_cmd cmd_report_entry = {
    .name = "report",
    .usage = "RUN_ID | --sweep ID [--slo FIGURE<NUMBER] [--metric FIGURE]... | --optimize ID [--json] [--db FILE] [--out DIR] [--no-report]",
    .summary = "Rebuilds a recorded run's report (markdown, HTML, charts) from the results database.",
    .help = "The report goes to --out, or out/<scenario>/run-<RUN_ID>/ (a sweep's to out/<sweep id>/).\n"
            "--sweep ID rebuilds a sweep's capacity report, e.g. from shards merged with `ordersim merge`.\n"
            "The database is opened read-only and never created.\n"
            "--optimize ID rebuilds an optimize's answer and report from its recorded runs (running nothing; the\n"
            "scenario file must still be where it was); the report goes to out/<scenario>/optimize/ (or --out).\n"
            "With --sweep or --optimize, --no-report prints the table or the answer and writes no report.\n"
            "Exit: 0 ok, 2 usage or no such run, 65 bad --slo/--metric, 66 no such database, 74 not a results database\n"
            "or I/O error.\n",
    .options = CLI_OPTS_DB CLI_OPTS_REPORT "json quiet sweep slo metric optimize",
    .exec = cmd_report,
};
