/*
 * fsm_draw.c — a definition drawn (Graphviz, Mermaid, per-role views), written back as
 * JSON, and two definitions compared (fsm diff). See fsm.h.
 */
#include "fsm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- drawing and diff -------------------------------------------------------------- */

static void fsm__actors_str(unsigned mask, char *buf, size_t n)
{
    buf[0] = '\0';
    size_t used = 0;
    for (int a = 0; a < FSM_ACTOR_COUNT; a++)
        if (mask & FSM_ACTOR_BIT(a))
            used += (size_t)snprintf(buf + used, used < n ? n - used : 0, "%s%s", used ? "," : "", fsm__actor_names[a]);
}

static void fsm__after_str(const fsm_transition *t, char *buf, size_t n)
{
    if (t->after_kind == FSM_AFTER_NONE) buf[0] = '\0';
    else if (t->after_kind == FSM_AFTER_FIXED) snprintf(buf, n, "%gs", t->after);
    else snprintf(buf, n, "%s", fsm__after_names[t->after_kind]);
}

/* What state s is called in a view: `actor`'s label, or its name for FSM_ACTOR_COUNT. */
/* Whether row t is drawn in the view of `actor` (FSM_ACTOR_COUNT: every row); when it is,
 * its actors and its timer as text into actors[64] and after[64]. */
static bool fsm__row_shown(const fsm_transition *t, int actor, char *actors, char *after)
{
    if (actor < FSM_ACTOR_COUNT && !(t->actors & FSM_ACTOR_BIT(actor))) return false;
    fsm__actors_str(t->actors, actors, 64);
    fsm__after_str(t, after, 64);
    return true;
}

static const char *fsm__vname(const fsm_def *d, int s, int actor)
{
    return actor < FSM_ACTOR_COUNT ? fsm_label(d, s, (fsm_actor)actor) : d->states[s];
}

/* States keep their names as ids in every view (labels may hold spaces); a view shows the
 * label through dot's `label=` and Mermaid's `state "label" as id`. */
void fsm_write_dot_view(const fsm_def *d, int actor, FILE *out)
{
    fprintf(out, "digraph \"%s%s%s\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n", d->name,
            actor < FSM_ACTOR_COUNT ? " as seen by " : "", actor < FSM_ACTOR_COUNT ? fsm__actor_names[actor] : "");
    fprintf(out, "  __start [shape=point];\n  __start -> \"%s\";\n", d->states[d->initial >= 0 ? d->initial : 0]);
    for (int s = 0; s < d->n_states; s++) {
        if (actor < FSM_ACTOR_COUNT)
            fprintf(out, "  \"%s\" [label=\"%s\"%s];\n", d->states[s], fsm__vname(d, s, actor),
                    fsm_is_terminal(d, s) ? ", peripheries=2" : "");
        else if (fsm_is_terminal(d, s))
            fprintf(out, "  \"%s\" [peripheries=2];\n", d->states[s]);
    }
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        char actors[64], after[64];
        if (!fsm__row_shown(t, actor, actors, after)) continue;
        if (actor < FSM_ACTOR_COUNT)
            fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s%s%s\"];\n", d->states[t->from], d->states[t->to],
                    fsm__action_names[t->action], after[0] ? "\\nafter " : "", after);
        else
            fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s\\n[%s]%s%s\"];\n", d->states[t->from], d->states[t->to],
                    fsm__action_names[t->action], actors, after[0] ? "\\nafter " : "", after);
    }
    fprintf(out, "}\n");
}

void fsm_write_dot(const fsm_def *d, FILE *out) { fsm_write_dot_view(d, FSM_ACTOR_COUNT, out); }

void fsm_write_mermaid_view(const fsm_def *d, int actor, FILE *out)
{
    fprintf(out, "stateDiagram-v2\n");
    if (actor < FSM_ACTOR_COUNT)
        for (int s = 0; s < d->n_states; s++) fprintf(out, "    state \"%s\" as %s\n", fsm__vname(d, s, actor), d->states[s]);
    fprintf(out, "    [*] --> %s\n", d->states[d->initial >= 0 ? d->initial : 0]);
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        char actors[64], after[64];
        if (!fsm__row_shown(t, actor, actors, after)) continue;
        if (actor < FSM_ACTOR_COUNT)
            fprintf(out, "    %s --> %s : %s%s%s\n", d->states[t->from], d->states[t->to], fsm__action_names[t->action],
                    after[0] ? " after " : "", after);
        else
            fprintf(out, "    %s --> %s : %s [%s]%s%s\n", d->states[t->from], d->states[t->to],
                    fsm__action_names[t->action], actors, after[0] ? " after " : "", after);
    }
    for (int s = 0; s < d->n_states; s++)
        if (fsm_is_terminal(d, s)) fprintf(out, "    %s --> [*]\n", d->states[s]);
}

void fsm_write_mermaid(const fsm_def *d, FILE *out) { fsm_write_mermaid_view(d, FSM_ACTOR_COUNT, out); }

/* Writes `sep` then "key": "value" with the value escaped (a name from a file may hold any
 * character, e.g. a state named do"ne). */
static void fsm__json_pair(FILE *out, const char *sep, const char *key, const char *value)
{
    fprintf(out, "%s\"%s\": ", sep, key);
    jsn_write_str(out, value);
}

void fsm_write_json(const fsm_def *d, FILE *out)
{
    fsm__json_pair(out, "{\n  ", "name", d->name);
    fsm__json_pair(out, ",\n  ", "inherits", d->inherits);
    fprintf(out, ",\n  \"states\": [\n");
    for (int s = 0; s < d->n_states; s++) {
        fsm__json_pair(out, "    {", "name", d->states[s]);
        if (d->declared[s]) {
            fsm__json_pair(out, ", ", "stock", fsm__stock_names[d->stance[s].stock]);
            fsm__json_pair(out, ", ", "money", fsm__money_names[d->stance[s].money]);
        }
        int nl = 0;
        for (int a = 0; a < FSM_ACTOR_COUNT; a++)
            if (d->labels[s][a][0]) fsm__json_pair(out, nl++ ? ", " : ", \"labels\": {", fsm__actor_names[a], d->labels[s][a]);
        fprintf(out, "%s}%s\n", nl ? "}" : "", s + 1 < d->n_states ? "," : "");
    }
    fsm__json_pair(out, "  ],\n  ", "initial", d->states[d->initial]);
    fprintf(out, ",\n  \"terminal\": [");
    int k = 0;
    for (int s = 0; s < d->n_states; s++)
        if (fsm_is_terminal(d, s)) {
            fputs(k++ ? ", " : "", out);
            jsn_write_str(out, d->states[s]);
        }
    fprintf(out, "],\n  \"stock\": \"%s\",\n  \"transitions\": [\n",
            d->stock_hook == FSM_STOCK_ON_CREATE ? "on_create" : "by_strategy");
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        fsm__json_pair(out, "    {", "from", d->states[t->from]);
        fsm__json_pair(out, ", ", "action", fsm__action_names[t->action]);
        fsm__json_pair(out, ", ", "to", d->states[t->to]);
        fprintf(out, ", \"actors\": [");
        int m = 0;
        for (int a = 0; a < FSM_ACTOR_COUNT; a++)
            if (t->actors & FSM_ACTOR_BIT(a)) fprintf(out, "%s\"%s\"", m++ ? ", " : "", fsm__actor_names[a]);
        fprintf(out, "]");
        char after[64];
        fsm__after_str(t, after, sizeof after);
        if (after[0]) fsm__json_pair(out, ", ", "after", after);
        fprintf(out, "}%s\n", i + 1 < d->n_trans ? "," : "");
    }
    fprintf(out, "  ]\n}\n");
}

static void fsm__row_str(const fsm_def *d, const fsm_transition *t, char *buf, size_t n)
{
    char actors[64], after[64];
    fsm__actors_str(t->actors, actors, sizeof actors);
    fsm__after_str(t, after, sizeof after);
    snprintf(buf, n, "%s --%s--> %s [%s]%s%s", d->states[t->from], fsm__action_names[t->action],
             d->states[t->to], actors, after[0] ? " after " : "", after);
}

int fsm_diff(const fsm_def *a, const fsm_def *b, FILE *out)
{
    int changes = 0;
    char x[256], y[256];
    for (int i = 0; i < a->n_trans; i++) {
        const fsm_transition *t = &a->trans[i];
        int s = fsm_state_index(b, a->states[t->from]);
        const fsm_transition *u = s >= 0 ? fsm_row(b, s, (fsm_action)t->action) : NULL;
        fsm__row_str(a, t, x, sizeof x);
        if (!u) {
            fprintf(out, "- %s\n", x);
            changes++;
            continue;
        }
        fsm__row_str(b, u, y, sizeof y);
        if (strcmp(x, y) != 0 || (t->after_kind == FSM_AFTER_FIXED && t->after != u->after)) {
            fprintf(out, "~ %s\n  now %s\n", x, y);
            changes++;
        }
    }
    for (int i = 0; i < b->n_trans; i++) {
        const fsm_transition *u = &b->trans[i];
        int s = fsm_state_index(a, b->states[u->from]);
        if (s >= 0 && fsm_row(a, s, (fsm_action)u->action)) continue;
        fsm__row_str(b, u, y, sizeof y);
        fprintf(out, "+ %s\n", y);
        changes++;
    }
    for (int s = 0; s < a->n_states; s++) {
        int k = fsm_state_index(b, a->states[s]);
        if (k < 0) continue;
        fsm_stance sa = a->stance[s], z = b->stance[k];
        if (a->declared[s] != b->declared[k] || sa.stock != z.stock || sa.money != z.money) {
            fprintf(out, "~ state %s: stock %s, money %s\n  now stock %s, money %s\n", a->states[s],
                    a->declared[s] ? fsm__stock_names[sa.stock] : "(none)", a->declared[s] ? fsm__money_names[sa.money] : "(none)",
                    b->declared[k] ? fsm__stock_names[z.stock] : "(none)", b->declared[k] ? fsm__money_names[z.money] : "(none)");
            changes++;
        }
        for (int r = 0; r < FSM_ACTOR_COUNT; r++)
            if (strcmp(fsm_label(a, s, (fsm_actor)r), fsm_label(b, k, (fsm_actor)r)) != 0) {
                fprintf(out, "~ state %s: %s label \"%s\"\n  now \"%s\"\n", a->states[s], fsm__actor_names[r],
                        fsm_label(a, s, (fsm_actor)r), fsm_label(b, k, (fsm_actor)r));
                changes++;
            }
    }
    for (int s = 0; s < a->n_states; s++)
        if (fsm_state_index(b, a->states[s]) < 0) { fprintf(out, "- state %s\n", a->states[s]); changes++; }
    for (int s = 0; s < b->n_states; s++)
        if (fsm_state_index(a, b->states[s]) < 0) { fprintf(out, "+ state %s\n", b->states[s]); changes++; }
    return changes;
}
