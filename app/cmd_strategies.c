/*
 * cmd_strategies.c — `ordersim strategies`: the inventory strategies this build has, from
 * their descriptors (core/inv.h): name, when each locks and deducts stock, whether it may
 * oversell, and its one-line description; --json for scripts.
 */
#include "cli.h"
#include "inv.h"
#include "jsn.h"

#include <stdio.h>

/* Writes one JSON object per strategy, a line each, in an array. */
static void strat__json(void)
{
    printf("[");
    int k = 0;
    for (const inv_strategy *const *st = inv_strategies(); *st; st++, k++) {
        printf("%s\n  {\"name\": ", k ? "," : "");
        jsn_write_str(stdout, (*st)->name);
        printf(", \"description\": ");
        jsn_write_str(stdout, (*st)->summary);
        printf(", \"locks_at\": \"%s\", \"deducts_at\": \"%s\", \"may_oversell\": %s}", inv_moment_name((*st)->locks_at),
               inv_moment_name((*st)->deducts_at), inv_strategy_may_oversell(*st) ? "true" : "false");
    }
    printf("\n]\n");
}

static int cmd_strategies(cli_opts *o)
{
    if (o->nargs) {
        fprintf(stderr, "ordersim strategies: takes no arguments\n");
        return CLI_USAGE;
    }
    if (o->json) {
        strat__json();
        return CLI_OK;
    }
    printf("%-20s %-15s %-11s %-13s %s\n", "strategy", "locks at", "deducts at", "may oversell", "description");
    for (const inv_strategy *const *st = inv_strategies(); *st; st++)
        printf("%-20s %-15s %-11s %-13s %s\n", (*st)->name, inv_moment_name((*st)->locks_at), inv_moment_name((*st)->deducts_at),
               inv_strategy_may_oversell(*st) ? "yes" : "no", (*st)->summary);
    return CLI_OK;
}

const cli_cmd cmd_strategies_entry = {
    .name = "strategies",
    .usage = "[--json]",
    .summary = "Lists the inventory strategies: when each locks and deducts stock, and whether it may oversell.",
    .help = "A scenario picks one with inventory.strategy, any command that runs one with --strategy NAME;\n"
            "compare runs them all (docs/scenarios.md).\n"
            "  --json              an array of {\"name\", \"description\", \"locks_at\", \"deducts_at\", \"may_oversell\"};\n"
            "                      locks_at and deducts_at are never, order_creation, payment_start or payment\n"
            "Exit: 0 ok, 2 usage.\n",
    .options = "json",
    .exec = cmd_strategies,
};
