/*
 * cmd_fsm.c — `ordersim fsm PROCESS [--dot|--mermaid]` lints and draws a state machine;
 * `ordersim fsm diff OLD NEW` lists the transitions that changed.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

static int cmd_fsm__open(const char *name, const fsm_def **out)
{
    os_diag d;
    os_diag_init(&d);
    os_status st = fsm_open(name, out, &d);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    return os_exit_code(st);
}

/* The machine as one role sees it: each state by that role's label, and from each state
 * only the actions the role may take there ("waits" when it has none: someone else acts). */
static void cmd_fsm__print_view(const fsm_def *d, fsm_actor role)
{
    printf("process %s as seen by the %s: %d states\n", fsm_name(d), fsm_actor_name(role), fsm_state_count(d));
    printf("%-32s %s\n", "state", "actions (-> next state)");
    for (int s = 0; s < fsm_state_count(d); s++) {
        char acts[1024] = "";
        size_t used = 0;
        for (int i = 0; i < fsm_transition_count(d); i++) {
            const fsm_transition *t = fsm_transition_at(d, i);
            if (t->from != s || !(t->actors & FSM_ACTOR_BIT(role))) continue;
            used += (size_t)snprintf(acts + used, used < sizeof acts ? sizeof acts - used : 0, "%s%s -> %s%s%s",
                                     used ? "; " : "", fsm_action_name((fsm_action)t->action), fsm_label(d, t->to, role),
                                     t->after_kind ? " (timer)" : "", "");
        }
        const char *kind = fsm_is_terminal(d, s) ? "(final)" : acts[0] ? acts : "(waits: another role acts)";
        printf("%-32s %s\n", fsm_label(d, s, role), kind);
    }
}

static int cmd_fsm(cli_opts *o)
{
    if (o->nargs == 3 && strcmp(o->args[0], "diff") == 0) {
        const fsm_def *a, *b;
        int rc = cmd_fsm__open(o->args[1], &a);
        if (rc) return rc;
        if ((rc = cmd_fsm__open(o->args[2], &b))) { fsm_free(a); return rc; }
        int n = fsm_diff(a, b, stdout);
        if (!o->quiet) printf("%d change%s between %s and %s\n", n, n == 1 ? "" : "s", fsm_name(a), fsm_name(b));
        fsm_free(a);
        fsm_free(b);
        return n ? CLI_FAILED : CLI_OK;
    }
    if (o->nargs != 1) {
        fprintf(stderr, "ordersim fsm: expected PROCESS (b2c, virtual, cod or a file), or diff OLD NEW\n");
        return CLI_USAGE;
    }
    const fsm_def *d;
    int rc = cmd_fsm__open(o->args[0], &d);
    if (rc) return rc;
    int view = o->view ? fsm_actor_parse(o->view) : FSM_ACTOR_COUNT;
    if (o->view && o->json) {
        fprintf(stderr, "ordersim fsm: --view draws a role's view (text, --mermaid or --dot), not --json\n");
        fsm_free(d);
        return CLI_USAGE;
    }
    if (o->dot) fsm_write_dot_view(d, view, stdout);
    else if (o->mermaid) fsm_write_mermaid_view(d, view, stdout);
    else if (o->json) fsm_write_json(d, stdout);
    else if (o->view) cmd_fsm__print_view(d, (fsm_actor)view);
    else {
        printf("process %s: %d states, %d transitions, stock committed %s\n", fsm_name(d), fsm_state_count(d),
               fsm_transition_count(d), fsm_stock_hook_of(d) == FSM_STOCK_ON_CREATE ? "at creation" : "by the strategy");
        printf("%-18s %-16s %-18s %-24s %s\n", "from", "action", "to", "actors", "after");
        for (int i = 0; i < fsm_transition_count(d); i++) {
            const fsm_transition *t = fsm_transition_at(d, i);
            char actors[64] = "";
            for (int a = 0; a < FSM_ACTOR_COUNT; a++)
                if (t->actors & FSM_ACTOR_BIT(a)) {
                    if (actors[0]) strcat(actors, ",");
                    strcat(actors, fsm_actor_name((fsm_actor)a));
                }
            char after[48] = "";
            if (t->after_kind == FSM_AFTER_FIXED) snprintf(after, sizeof after, "%g s", t->after);
            else if (t->after_kind) snprintf(after, sizeof after, "%s", fsm_after_name((fsm_after)t->after_kind));
            printf("%-18s %-16s %-18s %-24s %s\n", fsm_state_name(d, t->from), fsm_action_name((fsm_action)t->action),
                   fsm_state_name(d, t->to), actors, after);
        }
        printf("\n%-18s %-10s %-10s %s\n", "state", "stock", "money", "kind");
        for (int s = 0; s < fsm_state_count(d); s++) {
            fsm_stance st = fsm_stance_of(d, s);
            printf("%-18s %-10s %-10s %s\n", fsm_state_name(d, s), fsm_stock_name((fsm_stock)st.stock),
                   fsm_money_name((fsm_money)st.money), s == fsm_initial(d) ? "initial" : fsm_is_terminal(d, s) ? "terminal" : "");
        }
    }
    os_diag diag;
    os_diag_init(&diag);
    int warnings = 0;
    int found = fsm_lint_full(d, &diag, &warnings);
    os_diag_print(&diag, stderr);
    if (!o->dot && !o->mermaid && !o->json) {
        if (found) printf("lint: defects found (see stderr)\n");
        else if (warnings) printf("lint: clean (%d warning%s, see stderr)\n", warnings, warnings == 1 ? "" : "s");
        else printf("lint: clean\n");
    }
    os_diag_fini(&diag);
    fsm_free(d);
    return found ? CLI_FAILED : CLI_OK;
}

const cli_cmd cmd_fsm_entry = {
    .name = "fsm",
    .usage = "PROCESS [--view ROLE] [--dot|--mermaid|--json]  |  fsm diff OLD NEW",
    .summary = "Lints a state machine (reachability, dead ends, actors, timer cycles, stances) and draws it, or one role's view of it.",
    .help = "PROCESS is a built-in (b2c, virtual, cod) or a definition file.\n"
            "  --dot       Graphviz      --mermaid   Mermaid stateDiagram      --json   the definition file format\n"
            "  --view ROLE  the machine as buyer, merchant or system sees it: that role's state labels and only\n"
            "               the actions it may take (text, or with --mermaid / --dot)\n"
            "`fsm diff OLD NEW` lists added (+), removed (-) and changed (~) transitions, stances and labels.\n"
            "Lint errors refuse a definition (run and check will not load it); warnings only inform.\n"
            "Exit: 0 clean / identical, 1 lint defects / differences, 65 unloadable definition, 74 unreadable file.\n",
    .options = "view dot mermaid json quiet",
    .exec = cmd_fsm,
};
