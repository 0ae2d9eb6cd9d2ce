/*
 * cmd_run.c — `ordersim run SCENARIO.json`: run one scenario under its own strategy, print
 * the summary (table, or --json), record it and write the report.
 */
#include "cli.h"
#include "cmd_common.h"

#include <stdio.h>
#include <stdlib.h>

static int cmd_run(cli_opts *o)
{
    if (o->nargs != 1) {
        fprintf(stderr, "ordersim run: expected one scenario file (see ordersim run --help)\n");
        return CLI_USAGE;
    }
    scn_scenario *s;
    int rc = cli_load(o->args[0], o, &s);
    if (rc) return rc;
    rpt_run *runs = xcalloc((size_t)o->replications, sizeof *runs);
    int dbrc;
    cli_rec *rec = cli_rec_open(o, s, "run", &dbrc);
    if (!rec) { free(runs); scn_free(s); return dbrc; }
    cli_run_replications(s, o->strategy, o, runs, rec);
    rpt_summary sum;
    rpt_summarize(runs, o->replications, &sum);
    if (o->json) {
        rpt_write_json(&sum, stdout, true, 0);
        fputs("\n", stdout);
    } else if (!o->quiet) {
        rpt_write_table(&sum, stdout);
        cmd_print_thresholds(s, &sum, stdout);
    }
    dbrc = cli_rec_close(rec, o);
    rc = cmd_record(o, s, &sum, "run");
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
             "       [--db FILE] [--out DIR] [--no-report] [--strategy NAME] [--ledger] [--check-invariants end|every-event] [--strict]",
    .summary = "Runs one scenario under its own inventory strategy, prints the summary, records the run and writes the report.",
    .help = "  --seed N            seed of replication 0 (replication r uses N + r); default: the scenario's\n"
            "  --replications R    independent replications; metrics are means with 95% intervals\n"
            "  --jobs J            replications run on J threads (results do not depend on J)\n"
            "  --set PATH=VALUE    override a scenario key, e.g. inventory.order_expiry=5m (repeatable)\n"
            "  --strategy NAME     override inventory.strategy\n"
            "  --json              print the summary as JSON (contract section 3) instead of the table\n"
            "  --db FILE           results database (default out/results.db)\n"
            "  --out DIR           report directory (default out/<scenario name>/)\n"
            "  --no-report         do not write the report directory\n"
            "  --ledger            keep the inventory ledger and replay it in the invariant check\n"
            "  --check-invariants every-event   check every invariant after every event (slow)\n"
            "  --strict            exit 65 when the scenario has warnings (always printed to stderr before the runs;\n"
            "                      see ordersim validate --help)\n"
            "Thresholds in the scenario are shown; use `ordersim check` to gate on them (exit 1).\n"
            "Exit: 0 ok, 2 usage, 65 bad scenario, 70 invariant broken, 74 I/O error.\n",
    .exec = cmd_run,
};
