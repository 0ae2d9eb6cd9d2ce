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
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    os_status st = rpt_db_open(o->db, &db, &d);
    if (st == OS_OK) st = rpt_db_history(db, stdout, limit, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    rpt_db_close(db);
    return st == OS_OK ? CLI_OK : CLI_IO;
}

const cli_cmd cmd_history_entry = {
    .name = "history",
    .usage = "[N] [--db FILE]",
    .summary = "Lists the most recent N (default 50) recorded runs.",
    .help = "The database is plain SQLite: sqlite3 out/results.db 'SELECT * FROM run_summary' (docs/results-db.md).\n",
    .exec = cmd_history,
};
