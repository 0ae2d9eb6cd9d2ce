/*
 * cmd_validate.c — `ordersim validate FILE...`: check scenarios and process definitions
 * without running them. A file with "transitions" at the top is a process definition
 * (loaded and linted); anything else is a scenario.
 */
#include "cli.h"

#include <stdio.h>

static int cmd_validate(cli_opts *o)
{
    if (o->nargs < 1) {
        fprintf(stderr, "ordersim validate: expected one or more files\n");
        return CLI_USAGE;
    }
    int rc = CLI_OK;
    for (int i = 0; i < o->nargs; i++) {
        const char *path = o->args[i];
        os_diag d;
        os_diag_init(&d);
        jsn_doc *doc = NULL;
        os_status st = jsn_load_file(path, &doc, &d);
        if (st == OS_OK && cJSON_IsObject(jsn_root(doc)) && cJSON_GetObjectItemCaseSensitive(jsn_root(doc), "transitions")) {
            fsm_def *def = NULL;
            st = fsm_load(doc, &def, &d);
            if (st == OS_OK && fsm_lint(def, &d) > 0) st = OS_EDATA;
            if (st == OS_OK && !o->quiet)
                printf("%s: ok (process \"%s\", %d states, %d transitions)\n", path, fsm_name(def), fsm_state_count(def),
                       fsm_transition_count(def));
            fsm_free(def);
        } else if (st == OS_OK) {
            for (int k = 0; k < o->nsets && st == OS_OK; k++) st = jsn_set(doc, o->sets[k], &d);
            scn_scenario *s = NULL;
            if (st == OS_OK) st = scn_from_doc(doc, &s, &d);
            /* Warnings: printed always; with --strict they make the file invalid (exit 65). */
            os_diag w;
            os_diag_init(&w);
            scn_warn_opts wo = { .strategy = o->strategy };
            int nwarn = st == OS_OK ? scn_warn(s, doc, &wo, &w) : 0;
            bool refused = nwarn > 0 && o->strict;
            os_diag_print(&w, stderr);
            if (nwarn)
                fprintf(stderr, "%s: %d warning%s%s\n", path, nwarn, nwarn == 1 ? "" : "s",
                        refused ? ", and --strict makes warnings errors" : "");
            if (refused) rc = CLI_DATA;
            os_diag_fini(&w);
            char shown[160];
            if (st == OS_OK && !refused && !o->quiet)
                printf("%s: ok (scenario \"%s\", strategy %s, process %s, %d SKUs, %d segments)\n", path,
                       rpt_printable(s->name, shown, sizeof shown), s->strategy, fsm_name(s->fsm), s->n_skus, s->n_segments);
            scn_free(s);
        }
        jsn_free(doc);
        os_diag_print(&d, stderr);
        if (st != OS_OK) {
            int code = st == OS_EIO ? CLI_IO : st == OS_EINVAL ? CLI_USAGE : CLI_DATA;
            if (rc == CLI_OK || code == CLI_DATA) rc = code;
            fprintf(stderr, "%s: %d error%s\n", path, d.count, d.count == 1 ? "" : "s");
        }
        os_diag_fini(&d);
    }
    return rc;
}

const cli_cmd cmd_validate_entry = {
    .name = "validate",
    .usage = "FILE... [--set PATH=VALUE]... [--strategy NAME] [--strict] [--quiet]",
    .summary = "Checks scenarios and process definitions without running them; reports every error with file:line:col and JSON path.",
    .help = "  --set PATH=VALUE    override a scenario key before checking it (repeatable)\n"
            "  --strategy NAME     check the warnings that depend on the strategy under NAME\n"
            "  --strict            a warning counts as an error (exit 65)\n"
            "Errors and warnings go to stderr. A warning (\"FILE:LINE:COL: warning: PATH: ...\") is a\n"
            "setting that makes part of the scenario inert or misleading: a schedule entry after\n"
            "customers.max_customers is reached, a return or after-sale timer that cannot happen within\n"
            "the horizon, a coupon no promotion matches, a station no request reaches, a threshold on a\n"
            "metric that cannot move (docs/scenarios.md, \"Warnings\"). run, compare, check and sweep\n"
            "print the same warnings before they start and take --strict too.\n"
            "Exit: 0 all valid, 65 some file is invalid (or warns, with --strict), 74 a file cannot be read.\n",
    .exec = cmd_validate,
};
