/*
 * fsm_lint.c — the linter of process definitions: unreachable and dead states, zero-timer
 * cycles, missing or contradictory stances. See fsm.h.
 */
#include "fsm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- lint -------------------------------------------------------------------------- */

static void fsm__where(const fsm_def *d, const fsm_transition *t, char *buf, size_t n)
{
    if (d->file[0] && t && t->line) snprintf(buf, n, "%s:%d:%d: ", d->file, t->line, t->col);
    else if (d->file[0]) snprintf(buf, n, "%s: ", d->file);
    else snprintf(buf, n, "process %s: ", d->name);
}

/* Where state s was named, as a "file:line:col: " prefix. */
static void fsm__swhere(const fsm_def *d, int s, char *buf, size_t n)
{
    if (d->file[0] && d->state_line[s]) snprintf(buf, n, "%s:%d:%d: ", d->file, d->state_line[s], d->state_col[s]);
    else fsm__where(d, NULL, buf, n);
}

/* A row as "from --action--> to (file:line:col)" for messages that name several rows. */
static void fsm__rowref(const fsm_def *d, const fsm_transition *t, char *buf, size_t n)
{
    char after[64] = "";
    if (t->after_kind == FSM_AFTER_FIXED) snprintf(after, sizeof after, " after %gs", t->after);
    else if (t->after_kind) snprintf(after, sizeof after, " after %s", fsm__after_names[t->after_kind]);
    if (d->file[0] && t->line) snprintf(buf, n, "%s --%s--> %s%s (%s:%d:%d)", d->states[t->from], fsm__action_names[t->action],
                                        d->states[t->to], after, d->file, t->line, t->col);
    else snprintf(buf, n, "%s --%s--> %s%s", d->states[t->from], fsm__action_names[t->action], d->states[t->to], after);
}

/* Cycles of timers: each state has at most one timer, so following timers from a state is
 * a walk in a functional graph. A cycle made only of fixed zero-duration timers would move
 * an order forever without virtual time passing (an error); one of fixed timers adding up
 * to less than a second is legal but almost certainly a unit mistake (a warning). Timers
 * bound to scenario parameters have no known duration here; the engine's loop guard stops
 * a run in which they turn out to be zero. Each cycle is reported once, from its lowest
 * state index. */
static void fsm__lint_timer_cycles(const fsm_def *d, os_diag *diag, int *errors, int *warnings)
{
    for (int s = 0; s < d->n_states; s++) {
        int cur = s, len = 0;
        double total = 0;
        bool fixed = true, lowest = true;
        do {
            if (d->timer[cur] < 0) { len = -1; break; }
            const fsm_transition *t = &d->trans[d->timer[cur]];
            fixed &= t->after_kind == FSM_AFTER_FIXED;
            total += t->after;
            cur = t->to;
            lowest &= cur >= s;
            len++;
        } while (cur != s && len <= d->n_states);
        if (len <= 0 || cur != s || !lowest || !fixed || total >= 1.0) continue;
        char msg[2048], w[320], r[400];
        size_t used = 0;
        cur = s;
        do {
            const fsm_transition *t = &d->trans[d->timer[cur]];
            fsm__rowref(d, t, r, sizeof r);
            used += (size_t)snprintf(msg + used, used < sizeof msg ? sizeof msg - used : 0, "%s%s", used ? ", " : "", r);
            cur = t->to;
        } while (cur != s && used < sizeof msg);
        fsm__where(d, &d->trans[d->timer[s]], w, sizeof w);
        if (total <= 0) {
            os_diag_add(diag, "%scycle of zero-duration timers through \"%s\": an order would loop forever at one instant: %s",
                        w, d->states[s], msg);
            (*errors)++;
        } else {
            os_diag_add(diag, "warning: %scycle of timers through \"%s\" takes %g s (< 1 s): an order would go round %g times a minute: %s",
                        w, d->states[s], total, 60.0 / total, msg);
            if (warnings) (*warnings)++;
        }
    }
}

/* The stance rules: every reachable state has a stance; terminal states do not keep stock
 * locked; money is captured by `pay` and only by it, once; `modify` only changes an order
 * whose money and units have not moved. */
static int fsm__lint_stances(const fsm_def *d, uint32_t reach, os_diag *diag)
{
    int found = 0;
    char w[320], r[400];
    for (int s = 0; s < d->n_states; s++) {
        if (!(reach >> s & 1u)) continue;
        fsm__swhere(d, s, w, sizeof w);
        if (s == d->initial && d->declared[s] &&
            ((d->stance[s].stock != FSM_STOCK_NONE && d->stance[s].stock != FSM_STOCK_LOCKED) || d->stance[s].money != FSM_MONEY_NONE)) {
            os_diag_add(diag, "%sinitial state \"%s\" has stock %s, money %s: an order starts with stock \"none\" or "
                        "\"locked\" and money \"none\"", w, d->states[s], fsm__stock_names[d->stance[s].stock],
                        fsm__money_names[d->stance[s].money]);
            found++;
        }
        if (!d->declared[s]) {
            os_diag_add(diag, "%sstate \"%s\" has no stance and %s has no state of that name: write it as "
                        "{\"name\": \"%s\", \"stock\": ..., \"money\": ...} (see docs/processes.md)",
                        w, d->states[s], d->inherits, d->states[s]);
            found++;
        } else if (fsm_is_terminal(d, s) && d->stance[s].stock == FSM_STOCK_LOCKED) {
            os_diag_add(diag, "%sterminal state \"%s\" has stock stance \"locked\": an order ending there would keep its "
                        "units locked forever; use \"released\" (or \"returned\")", w, d->states[s]);
            found++;
        }
    }
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        if (!(reach >> t->from & 1u) || !d->declared[t->from]) continue;
        fsm__where(d, t, w, sizeof w);
        fsm__rowref(d, t, r, sizeof r);
        fsm_stance a = d->stance[t->from], b = d->stance[t->to];
        if (!d->declared[t->to]) {
            /* reported as a state without stance; only the rule on the state left applies */
        } else if (t->action == FSM_PAY && b.money != FSM_MONEY_CAPTURED) {
            os_diag_add(diag, "%s%s: \"pay\" must enter a state whose money stance is \"captured\", \"%s\" has \"%s\"",
                        w, r, d->states[t->to], fsm__money_names[b.money]);
            found++;
        } else if (t->action == FSM_PAY && (a.stock == FSM_STOCK_RELEASED || a.stock == FSM_STOCK_RETURNED)) {
            os_diag_add(diag, "%s%s: \"pay\" from \"%s\", whose units were given back (stock %s)", w, r,
                        d->states[t->from], fsm__stock_names[a.stock]);
            found++;
        } else if (t->action == FSM_PAY && a.money == FSM_MONEY_CAPTURED) {
            os_diag_add(diag, "%s%s: \"pay\" from \"%s\", whose money is already captured: an order pays once", w, r,
                        d->states[t->from]);
            found++;
        } else if (t->action != FSM_PAY && b.money == FSM_MONEY_CAPTURED && a.money != FSM_MONEY_CAPTURED) {
            os_diag_add(diag, "%s%s: money is captured only by \"pay\", but \"%s\" enters captured state \"%s\"", w, r,
                        fsm__action_names[t->action], d->states[t->to]);
            found++;
        }
        if (t->action == FSM_MODIFY && (a.money != FSM_MONEY_NONE || a.stock == FSM_STOCK_DEDUCTED || a.stock == FSM_STOCK_RETURNED)) {
            os_diag_add(diag, "%s%s: \"modify\" from \"%s\" (stock %s, money %s) would change an order whose units or money "
                        "already moved; only states with money \"none\" and stock \"none\" or \"locked\" may be modified",
                        w, r, d->states[t->from], fsm__stock_names[a.stock], fsm__money_names[a.money]);
            found++;
        }
    }
    return found;
}

int fsm_lint(const fsm_def *d, os_diag *diag) { return fsm_lint_full(d, diag, NULL); }

int fsm_lint_full(const fsm_def *d, os_diag *diag, int *warnings)
{
    int found = 0;
    if (warnings) *warnings = 0;
    char w[320];
    fsm__where(d, NULL, w, sizeof w);
    if (d->initial < 0 || d->n_states == 0) {
        os_diag_add(diag, "%sno initial state", w);
        return 1;
    }
    if (d->terminal == 0) { os_diag_add(diag, "%sno terminal state: no order could ever finish", w); found++; }

    /* Forward reachability from the initial state over rows some actor may take. */
    uint32_t reach = 1u << d->initial, prev = 0;
    while (reach != prev) {
        prev = reach;
        for (int i = 0; i < d->n_trans; i++)
            if ((reach >> d->trans[i].from & 1u) && d->trans[i].actors) reach |= 1u << d->trans[i].to;
    }
    /* Backward: states from which some terminal state can be reached. */
    uint32_t done = d->terminal;
    prev = 0;
    while (done != prev) {
        prev = done;
        for (int i = 0; i < d->n_trans; i++)
            if ((done >> d->trans[i].to & 1u) && d->trans[i].actors) done |= 1u << d->trans[i].from;
    }
    for (int s = 0; s < d->n_states; s++) {
        char sw[320];
        if (d->file[0] && d->state_line[s]) snprintf(sw, sizeof sw, "%s:%d:%d: ", d->file, d->state_line[s], d->state_col[s]);
        else snprintf(sw, sizeof sw, "%s", w);
        if (!(reach >> s & 1u)) {
            os_diag_add(diag, "%sstate \"%s\" is unreachable from \"%s\"", sw, d->states[s], d->states[d->initial]);
            found++;
        } else if (!(done >> s & 1u)) {
            os_diag_add(diag, "%sstate \"%s\" is a dead end: no terminal state can be reached from it", sw, d->states[s]);
            found++;
        }
    }
    int timers[FSM_MAX_STATES] = { 0 };
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        char tw[320];
        fsm__where(d, t, tw, sizeof tw);
        if (!t->actors) {
            os_diag_add(diag, "%saction \"%s\" from \"%s\" has no actor: nobody may take it", tw,
                        fsm__action_names[t->action], d->states[t->from]);
            found++;
        }
        if (fsm_is_terminal(d, t->from)) {
            os_diag_add(diag, "%sterminal state \"%s\" has an outgoing transition \"%s\"", tw,
                        d->states[t->from], fsm__action_names[t->action]);
            found++;
        }
        if (t->after_kind != FSM_AFTER_NONE) {
            if (!(reach >> t->from & 1u) || fsm_is_terminal(d, t->from)) {
                char r[400];
                fsm__rowref(d, t, r, sizeof r);
                os_diag_add(diag, "%stimer %s can never fire: no order can occupy \"%s\" (%s)", tw, r, d->states[t->from],
                            fsm_is_terminal(d, t->from) ? "orders close on entering a terminal state"
                                                        : "it is unreachable from the initial state");
                found++;
            }
            if (!(t->actors & FSM_ACTOR_BIT(FSM_SYSTEM))) {
                os_diag_add(diag, "%stimed transition \"%s\" from \"%s\" must allow actor \"system\" (timers fire as system)",
                            tw, fsm__action_names[t->action], d->states[t->from]);
                found++;
            }
            if (++timers[t->from] == 2) {
                os_diag_add(diag, "%sstate \"%s\" has more than one timed transition; at most one is allowed", tw,
                            d->states[t->from]);
                found++;
            }
        }
    }
    fsm__lint_timer_cycles(d, diag, &found, warnings);
    found += fsm__lint_stances(d, reach, diag);
    return found;
}
