/*
 * cmd_run.c — `ordersim run SCENARIO.json`: run one scenario under its own strategy, print
 * the summary (table, or --json), record it and write the report.
 */
#include "cli.h"
#include "sfw.h"
#include "cmd_common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int cmd_run(cli_opts *o)
{
    if (o->nargs != 1) {
        fprintf(stderr, "ordersim run: expected one scenario file (see ordersim run --help)\n");
        return CLI_USAGE;
    }
    scn_scenario *s;
    int rc = cli_load(o->args[0], o, &s);
    if (rc) return rc;
    /* The order log goes to a temporary file beside FILE (sfw) that replaces FILE only when
     * the run completes: a run stopped by the loop guard, an error or a signal never leaves
     * a log that looks complete, nor touches what FILE held. */
    sfw_file *csv = NULL;
    if (o->orders_csv) {
        if ((rc = cli_check_output(o, "run", "--orders-csv", o->orders_csv))) { scn_free(s); return rc; }
        os_diag d;
        os_diag_init(&d);
        os_status st = sfw_open(o->orders_csv, &csv, &d);
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
        if (st != OS_OK) { scn_free(s); return CLI_IO; }
        o->orders_fp = sfw_stream(csv);
        sim_orders_csv_header(o->orders_fp);
    }
    rpt_run *runs = xcalloc((size_t)o->replications, sizeof *runs);
    int dbrc;
    cli_rec *rec = cli_rec_open(o, s, "run", &dbrc);
    if (!rec) {
        sfw_abort(csv);
        free(runs);
        scn_free(s);
        return dbrc;
    }
    int lrc = cli_run_replications(s, o->strategy, o, runs, rec);
    if (lrc) {                         /* stopped by the loop guard: no results to show */
        if (csv) {
            sfw_abort(csv);
            fprintf(stderr, "ordersim run: %s not written (the run did not complete)\n", o->orders_csv);
        }
        cli_rec_close(rec, o);
        for (int r = 0; r < o->replications; r++) rpt_run_fini(&runs[r]);
        free(runs);
        scn_free(s);
        return lrc;
    }
    rpt_summary sum;
    rpt_summarize(runs, o->replications, &sum);
    if (o->json) {
        rpt_write_json(&sum, stdout, true, 0);
        fputs("\n", stdout);
    } else {
        cmd_print(o, s, &sum, "run", NULL, 0, false, NULL);
    }
    if (csv && !sum.invariants_ok) {
        sfw_abort(csv);
        fprintf(stderr, "ordersim run: %s not written (the run broke an invariant)\n", o->orders_csv);
    } else if (csv) {
        os_diag d;
        os_diag_init(&d);
        if (sfw_commit(csv, &d) != OS_OK) rc = CLI_IO;
        os_diag_print(&d, stderr);
        os_diag_fini(&d);
    }
    o->orders_fp = NULL;
    dbrc = cli_rec_close(rec, o);
    int rrc = cmd_record(o, s, &sum, "run", NULL, 0, false, NULL);
    if (rrc) rc = rrc;
    if (dbrc) rc = dbrc;
    if (!sum.invariants_ok) {
        fprintf(stderr, "ordersim run: invariants violated (see the summary); this is a bug in ordersim or its process definition\n");
        rc = CLI_INTERNAL;
    }
    for (int r = 0; r < o->replications; r++) rpt_run_fini(&runs[r]);
    free(runs);
    scn_free(s);
    return rc;
}

const cli_cmd cmd_run_entry = {
    .name = "run",
    .usage = "SCENARIO.json [--seed N] [--replications R] [--jobs J] [--set PATH=VALUE]... [--json] [--quiet]\n"
             "       [--db FILE] [--out DIR] [--no-report] [--strategy NAME] [--ledger] [--check-invariants end|every-event] [--strict]\n"
             "       [--orders-csv FILE]",
    .summary = "Runs one scenario under its own inventory strategy, prints the summary, records the run and writes the report.",
    .help = "  --json              print the summary as JSON (docs/json.md) instead of the table\n"
            "  --orders-csv FILE   write every order of replication 0 to FILE in the order-log format that\n"
            "                      `ordersim fit` reads (one row per order line; time 0 is 2026-01-05T00:00:00Z)\n"
            "Thresholds in the scenario are shown; use `ordersim check` to gate on them (exit 1).\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario or a run stopped by the loop guard, 70 invariant broken, 74 I/O error.\n",
    .options = CLI_OPTS_LOAD CLI_OPTS_RUN CLI_OPTS_TRACE CLI_OPTS_DB CLI_OPTS_REPORT "json quiet strategy orders-csv",
    .exec = cmd_run,
};
