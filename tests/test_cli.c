/* Tests of the commands' option templates (cli_cmd.options): what a command takes is what its
 * --help documents, and cli_parse refuses everything else. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"

Test(cli, every_option_a_command_takes_is_in_its_help)
{
    for (int i = 0; cli_commands[i]; i++) {
        const cli_cmd *c = cli_commands[i];
        for (const char *p = c->options; *p; p += strcspn(p, " "), p += strspn(p, " ")) {
            char name[48];
            snprintf(name, sizeof name, "%.*s", (int)strcspn(p, " "), p);
            cr_expect(cli_documents(c, name), "%s takes --%s but its --help does not say so", c->name, name);
        }
    }
}

Test(cli, every_option_in_a_usage_line_is_taken)
{
    for (int i = 0; cli_commands[i]; i++) {
        const cli_cmd *c = cli_commands[i];
        for (const char *p = strstr(c->usage, "--"); p; p = strstr(p + 2, "--")) {
            char name[48];
            size_t n = strspn(p + 2, "abcdefghijklmnopqrstuvwxyz-");
            snprintf(name, sizeof name, "%.*s", (int)n, p + 2);
            if (n) cr_expect(cli_takes(c, name), "%s's usage shows --%s, which it refuses", c->name, name);
        }
    }
}

Test(cli, refuses_an_option_outside_the_template)
{
    char a0[] = "x.json", a1[] = "--jobs", a2[] = "7";
    char *argv[] = { a0, a1, a2 };
    cli_opts o;
    cr_expect_eq(cli_parse(&cmd_validate_entry, 3, argv, &o), CLI_USAGE);
    cr_expect_eq(cli_parse(&cmd_run_entry, 3, argv, &o), CLI_OK);
    cr_expect_eq(o.jobs, 7);
    char b0[] = "--jobs=7";
    char *argv2[] = { b0 };
    cr_expect_eq(cli_parse(&cmd_fsm_entry, 1, argv2, &o), CLI_USAGE, "the --name=value form is checked too");
    char h0[] = "--help";
    char *argv3[] = { h0 };
    cr_expect_eq(cli_parse(&cmd_merge_entry, 1, argv3, &o), CLI_OK, "--help is always taken");
    cr_expect(o.help);
}

Test(cli, takes_matches_whole_names_only)
{
    cr_expect(cli_takes(&cmd_run_entry, "db"));
    cr_expect(cli_takes(&cmd_run_entry, "db-timeout"));
    cr_expect(!cli_takes(&cmd_merge_entry, "db"), "merge takes --db-timeout, not --db");
    cr_expect(!cli_takes(&cmd_run_entry, "se"));
}
