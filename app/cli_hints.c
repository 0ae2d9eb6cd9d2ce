/*
 * cli_hints.c — the advice the command line adds to the lower layers' facts (os_hint in
 * base/os.h): the words that name ordersim's options and scenario keys, which base/, sim/
 * and reports/ must not know.
 */
#include "cli.h"

void cli_hints_install(void)
{
    os_hint_set(OS_HINT_EDIT, "--set");
    os_hint_set(OS_HINT_MEMORY, " (lower customers.max_customers, orders_per_visit, reads.per_order or --jobs)");
    os_hint_set(OS_HINT_LOG_COLUMN, "; name the creation-time column with --map created_at=COLUMN");
    os_hint_set(OS_HINT_DB_WAIT, " (--db-timeout SECONDS waits longer)");
    os_hint_set(OS_HINT_DB_FOREIGN, ": pass --db with a new file name");
    os_hint_set(OS_HINT_DB_NEWER, ", or pass --db NEW.db");
    os_hint_set(OS_HINT_DB_MISSING, " (check --db)");
}
