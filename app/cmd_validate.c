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
    if (o->json) printf("[");
    for (int i = 0; i < o->nargs; i++) {
        const char *path = o->args[i];
        os_diag d, warns;
        os_diag_init(&d);
        os_diag_init(&warns);
        bool strict_refused = false;
        jsn_doc *doc = NULL;
        const char *kind = "scenario";
        char name[128] = "";
        os_status st = jsn_load_file(path, &doc, &d);
        if (st == OS_OK && cJSON_IsObject(jsn_root(doc)) && cJSON_GetObjectItemCaseSensitive(jsn_root(doc), "transitions")) {
            fsm_def *def = NULL;
            st = fsm_load(doc, &def, &d);
            kind = "process";
            if (def) snprintf(name, sizeof name, "%s", fsm_name(def));
            if (st == OS_OK && fsm_lint(def, &d) > 0) st = OS_EDATA;
            if (st == OS_OK && !o->quiet && !o->json)
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
            for (int m = 0; m < w.count; m++) os_diag_add(&warns, "%s", w.msgs[m]);   /* for --json */
            if (nwarn)
                fprintf(stderr, "%s: %d warning%s%s\n", path, nwarn, nwarn == 1 ? "" : "s",
                        refused ? ", and --strict makes warnings errors" : "");
            if (refused) rc = CLI_DATA;
            strict_refused = refused;
            os_diag_fini(&w);
            if (s) snprintf(name, sizeof name, "%s", s->name);
            char shown[160];
            if (st == OS_OK && !refused && !o->quiet && !o->json)
                printf("%s: ok (scenario \"%s\", strategy %s, process %s, %d SKUs, %d segments)\n", path,
                       rpt_printable(s->name, shown, sizeof shown), s->strategy, fsm_name(s->fsm), s->n_skus, s->n_segments);
            scn_free(s);
        }
        jsn_free(doc);
        if (o->json) {
            /* one object per file: what it is, whether it is valid, and every message */
            printf("%s\n  {\"file\": ", i ? "," : "");
            jsn_write_str(stdout, path);
            printf(", \"kind\": \"%s\", \"name\": ", kind);
            if (*name) jsn_write_str(stdout, name);
            else printf("null");
            printf(", \"valid\": %s, \"messages\": [", st == OS_OK && !strict_refused ? "true" : "false");
            for (int m = 0; m < d.count; m++) {
                printf("%s", m ? ", " : "");
                jsn_write_str(stdout, d.msgs[m]);
            }
            printf("], \"warnings\": [");
            for (int m = 0; m < warns.count; m++) {
                printf("%s", m ? ", " : "");
                jsn_write_str(stdout, warns.msgs[m]);
            }
            printf("]}");
        }
        os_diag_print(&d, stderr);
        if (st != OS_OK) {
            int code = os_exit_code(st);
            if (rc == CLI_OK || code == CLI_DATA) rc = code;
            fprintf(stderr, "%s: %d error%s\n", path, d.count, d.count == 1 ? "" : "s");
        }
        os_diag_fini(&d);
        os_diag_fini(&warns);
    }
    if (o->json) printf("\n]\n");
    return rc;
}

const cli_cmd cmd_validate_entry = {
    .name = "validate",
    .usage = "FILE... [--set PATH=VALUE]... [--strategy NAME] [--strict] [--quiet] [--json]",
    .summary = "Checks scenarios and process definitions without running them; reports every error with file:line:col and JSON path.",
    .help = "  --set PATH=VALUE    override a scenario key before checking it (repeatable)\n"
            "  --strategy NAME     check the warnings that depend on the strategy under NAME\n"
            "  --strict            a warning counts as an error (exit 65)\n"
            "  --json              one object per file: file, kind (scenario or process), name, valid, messages, warnings\n"
            "A FILE of - reads standard input.\n"
            "Errors and warnings go to stderr. A warning (\"FILE:LINE:COL: warning: PATH: ...\") is a\n"
            "setting that makes part of the scenario inert or misleading: a schedule entry after\n"
            "customers.max_customers is reached, a return or after-sale timer that cannot happen within\n"
            "the horizon, a coupon no promotion matches, a station no request reaches, a threshold on a\n"
            "metric that cannot move (docs/scenarios.md, \"Warnings\"). run, compare, check and sweep\n"
            "print the same warnings before they start and take --strict too.\n"
            "Exit: 0 all valid, 65 some file is invalid (or warns, with --strict), 74 a file cannot be read.\n",
    .options = "set strategy strict json quiet",
    .exec = cmd_validate,
};
