/*
 * cmd_history.c — `ordersim history`: the most recent recorded runs.
 */
#include "cli.h"
#include "rpt_db.h"

#include <stdlib.h>

static int cmd_history(cli_opts *o)
{
    int limit = 50;
    if (o->nargs == 1) limit = atoi(o->args[0]);
    if (o->nargs > 1 || limit < 1) {
        fprintf(stderr, "ordersim history: expected at most one argument, the number of runs to list\n");
        return CLI_USAGE;
    }
    rpt_db *db = NULL;
    int rc = cli_db_open(o, o->db, RPT_DB_READ, &db);
    if (rc) return rc;
    os_diag d;
    os_diag_init(&d);
    os_status st = o->json ? rpt_db_history_json(db, stdout, limit, &d) : rpt_db_history(db, stdout, limit, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    rpt_db_close(db);
    return os_exit_code(st);
}

const cli_cmd cmd_history_entry = {
    .name = "history",
    .usage = "[N] [--db FILE] [--json]",
    .summary = "Lists the most recent N (default 50) recorded runs.",
    .help = "  --json              the runs as a JSON array of objects\n"
            "The database is plain SQLite: sqlite3 out/results.db 'SELECT * FROM run_summary' (docs/results-db.md).\n"
            "It is opened read-only and never created.\n"
            "  --db FILE           results database (default out/results.db)\n"
            "Exit: 0 ok, 2 usage, 66 no such database, 74 not a results database or I/O error.\n",
    .options = CLI_OPTS_DB "json",
    .exec = cmd_history,
};
