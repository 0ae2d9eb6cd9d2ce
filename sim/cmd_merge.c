/*
 * cmd_merge.c — `ordersim merge OUT.db IN.db...`: combine results databases (sweep shards).
 * Runs are matched by their uuid, so merging twice adds nothing the second time; a sweep's
 * (point, replication) already merged from another copy of a shard is skipped with a note.
 */
#include "cli.h"
#include "rpt_db.h"

static int cmd_merge(cli_opts *o)
{
    if (o->nargs < 2) {
        fprintf(stderr, "ordersim merge: expected OUT.db and at least one IN.db\n");
        return CLI_USAGE;
    }
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    int rc = CLI_OK, total = 0;
    if (rpt_db_open(o->args[0], &db, &d) != OS_OK) rc = CLI_IO;
    for (int i = 1; i < o->nargs && !rc; i++) {
        int added = 0, dups = 0;
        if (rpt_db_merge(db, o->args[i], &added, &dups, &d) != OS_OK) rc = CLI_IO;
        total += added;
        if (!rc && !o->quiet) printf("%s: %d run%s added\n", o->args[i], added, added == 1 ? "" : "s");
        /* said even with --quiet: a dropped run is something the user must know about */
        if (!rc && dups)
            fprintf(stderr, "note: %s: %d sweep run%s skipped: the same sweep point and replication %s already merged "
                    "(a shard run twice); kept the first\n", o->args[i], dups, dups == 1 ? "" : "s", dups == 1 ? "was" : "were");
    }
    if (!rc && !o->quiet) printf("%s: %d run%s merged\n", o->args[0], total, total == 1 ? "" : "s");
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    rpt_db_close(db);
    return rc;
}

const cli_cmd cmd_merge_entry = {
    .name = "merge",
    .usage = "OUT.db IN.db...",
    .summary = "Merges results databases (for example the shards of a sweep) into OUT.db.",
    .help = "Exit: 0 ok, 2 usage, 74 I/O error.\n",
    .exec = cmd_merge,
};
