/*
 * main.c — the ordersim command line: finds the command in a table (one file per command,
 * as tmux does) and runs it.
 */
#include "cli.h"
#include "cli_sig.h"
#include "sfw.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


static void usage(FILE *f)
{
    fprintf(f, "usage: ordersim COMMAND [ARGS] (ordersim help COMMAND, or COMMAND -h, for details)\n\ncommands:\n");
    for (int i = 0; cli_commands[i]; i++) fprintf(f, "  %-10s %s\n", cli_commands[i]->name, cli_commands[i]->summary);
    fprintf(f, "\nA SCENARIO.json argument may be - to read the scenario from standard input.\n"
               "Colour is used only on a terminal, and never when NO_COLOR is set.\n"
               "ordersim --version prints the version and the linked library versions.\n");
}

int main(int argc, char **argv)
{
    cli_hints_install();
    if (argc < 2) {
        usage(stderr);
        return CLI_USAGE;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("ordersim %s (SQLite %s, cJSON %s)\n", ORDERSIM_VERSION, sqlite3_libversion(), cJSON_Version());
        return CLI_OK;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "help") == 0) {
        if (strcmp(argv[1], "help") == 0 && argc > 2) {   /* help COMMAND = COMMAND --help */
            for (int i = 0; cli_commands[i]; i++)
                if (strcmp(argv[2], cli_commands[i]->name) == 0) {
                    cli_print_help(cli_commands[i]);
                    return CLI_OK;
                }
            fprintf(stderr, "ordersim: no command '%s'\n", argv[2]);
            usage(stderr);
            return CLI_USAGE;
        }
        usage(stdout);
        return CLI_OK;
    }
    for (int i = 0; cli_commands[i]; i++) {
        if (strcmp(argv[1], cli_commands[i]->name) != 0) continue;
        cli_sig_start();
        atexit(sfw_abort_all);
        cli_set_argv(argc, argv);   /* no temporary output survives an exit() (out of memory, a broken invariant) */
        cli_opts o;
        int rc = cli_parse(cli_commands[i], argc - 2, argv + 2, &o);
        if (rc) return rc;
        if (o.strategy_all && cli_commands[i] != &cmd_optimize_entry) {
            fprintf(stderr, "ordersim %s: --strategy all is for optimize (compare runs every strategy)\n", argv[1]);
            return CLI_USAGE;
        }
        if (o.help) {
            cli_print_help(cli_commands[i]);
            return CLI_OK;
        }
        return cli_commands[i]->exec(&o);
    }
    fprintf(stderr, "ordersim: unknown command '%s'\n", argv[1]);
    usage(stderr);
    return CLI_USAGE;
}
