/*
 * fsm_load.c — reads a process definition file (JSON) into a definition, every error with its
 * file:line:col and path. See fsm.h and docs/processes.md.
 */
#include "fsm_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- JSON loading ------------------------------------------------------------------ */

static const char *const fsm__top_keys[] = { "name", "description", "states", "initial", "terminal",
    "transitions", "stock", "inherits", NULL };
static const char *const fsm__state_keys[] = { "name", "stock", "money", "labels", "description", NULL };

/* Reads the optional "stock", "money" and "labels" of a state written as an object. A
 * stance given only in part takes the other half from the inherited built-in (resolved
 * later); a missing half of an undeclared state is a lint finding, not a load error. */
static void fsm__state_detail(fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *s, const char *p, int at)
{
    char q[512];
    const cJSON *st = cJSON_GetObjectItemCaseSensitive(s, "stock");
    const cJSON *mo = cJSON_GetObjectItemCaseSensitive(s, "money");
    if (st) {
        jsn_path_key(q, sizeof q, p, "stock");
        int k = cJSON_IsString(st) ? os_name_find(fsm__stock_names, FSM_STOCK_COUNT, st->valuestring) : -1;
        if (k < 0) jsn_error(doc, diag, st, false, q, "expected \"none\", \"locked\", \"deducted\", \"released\" or \"returned\"");
        else d->stance[at].stock = (uint8_t)k;
    }
    if (mo) {
        jsn_path_key(q, sizeof q, p, "money");
        int k = cJSON_IsString(mo) ? os_name_find(fsm__money_names, FSM_MONEY_COUNT, mo->valuestring) : -1;
        if (k < 0) jsn_error(doc, diag, mo, false, q, "expected \"none\", \"captured\" or \"refunded\"");
        else d->stance[at].money = (uint8_t)k;
    }
    if (st && mo) d->declared[at] = true;
    else if (st || mo) {
        jsn_error(doc, diag, st ? st : mo, false, p, "a stance needs both \"stock\" and \"money\"");
    }
    const cJSON *lb = cJSON_GetObjectItemCaseSensitive(s, "labels");
    if (!lb) return;
    jsn_path_key(q, sizeof q, p, "labels");
    if (!cJSON_IsObject(lb)) {
        jsn_error(doc, diag, lb, false, q, "found %s, expected an object of labels by actor", jsn_type_name(lb));
        return;
    }
    jsn_check_keys(doc, diag, lb, q, fsm__actor_names_z);
    for (int a = 0; a < FSM_ACTOR_COUNT; a++) {
        const cJSON *v = cJSON_GetObjectItemCaseSensitive(lb, fsm__actor_names[a]);
        if (!v) continue;
        char r[600];
        jsn_path_key(r, sizeof r, q, fsm__actor_names[a]);
        if (!cJSON_IsString(v) || !*v->valuestring || strlen(v->valuestring) >= FSM_NAME_MAX || strchr(v->valuestring, '"')) {
            jsn_error(doc, diag, v, false, r, "expected a non-empty label of at most %d characters without quotes",
                      FSM_NAME_MAX - 1);
            continue;
        }
        snprintf(d->labels[at][a], FSM_NAME_MAX, "%s", v->valuestring);
    }
}
static const char *const fsm__row_keys[] = { "from", "action", "to", "actors", "after", NULL };

/* Resolves a state name member `key` of object `o`; reports and returns -1 when missing,
 * not a string, or not a declared state. */
static int fsm__state_ref(const fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *o,
                          const char *key, const char *path)
{
    char p[512];
    jsn_path_key(p, sizeof p, path, key);
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    if (!v) {
        jsn_error(doc, diag, o, false, path, "missing required key \"%s\"", key);
        return -1;
    }
    if (!cJSON_IsString(v)) {
        jsn_error(doc, diag, v, false, p, "found %s, expected a state name", jsn_type_name(v));
        return -1;
    }
    int k = fsm_state_index(d, v->valuestring);
    if (k < 0) {
        const char *names[FSM_MAX_STATES];
        for (int i = 0; i < d->n_states; i++) names[i] = d->states[i];
        const char *best = os_name_closest(names, d->n_states, v->valuestring, 2);
        if (best)
            jsn_error(doc, diag, v, false, p, "unknown state \"%s\" (did you mean \"%s\"?)", v->valuestring, best);
        else
            jsn_error(doc, diag, v, false, p, "unknown state \"%s\": it is not listed in \"states\"", v->valuestring);
    }
    return k;
}

/* The required array member `key` of root (non-empty when `nonempty`); NULL, with "missing
 * required key" or "found X, expected WHAT" reported, when it is not one. */
static const cJSON *fsm__array(const jsn_doc *doc, os_diag *diag, const cJSON *root, const char *key, bool nonempty,
                               const char *what)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, key);
    if (cJSON_IsArray(a) && (!nonempty || cJSON_GetArraySize(a) > 0)) return a;
    if (a) jsn_error(doc, diag, a, false, key, "found %s, expected %s", jsn_type_name(a), what);
    else jsn_error(doc, diag, root, false, "", "missing required key \"%s\"", key);
    return NULL;
}

/* Reads "states": each a name or an object with "name" and its stance and labels. */
static void fsm__load_states(fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *root)
{
    const cJSON *states = fsm__array(doc, diag, root, "states", true, "a non-empty array of state names");
    if (!states) return;
    char p[512];
    int i = 0;
    for (const cJSON *s = states->child; s; s = s->next, i++) {
        jsn_path_index(p, sizeof p, "states", i);
        const cJSON *nm = s;
        if (cJSON_IsObject(s)) {
            jsn_check_keys(doc, diag, s, p, fsm__state_keys);
            nm = cJSON_GetObjectItemCaseSensitive(s, "name");
            if (!nm) {
                jsn_error(doc, diag, s, false, p, "missing required key \"name\"");
                continue;
            }
        }
        if (!cJSON_IsString(nm)) {
            jsn_error(doc, diag, nm, false, p, "found %s, expected a state name or an object with \"name\"",
                      jsn_type_name(nm));
            continue;
        }
        int at = fsm__add_state(d, nm->valuestring, 0);
        if (at >= 0 && !jsn_where(doc, s, false, &d->state_line[at], &d->state_col[at])) d->state_line[at] = 0;
        if (at < 0) {
            if (d->n_states >= FSM_MAX_STATES)
                jsn_error(doc, diag, s, false, p, "too many states: at most %d", FSM_MAX_STATES);
            else if (fsm_state_index(d, nm->valuestring) >= 0)
                jsn_error(doc, diag, s, false, p, "state \"%s\" is listed twice", nm->valuestring);
            else
                jsn_error(doc, diag, s, false, p, "expected a non-empty name of at most %d characters", FSM_NAME_MAX - 1);
            continue;
        }
        if (cJSON_IsObject(s)) fsm__state_detail(d, doc, diag, s, p, at);
    }
}

/* Reads "initial" and "terminal" (names of listed states). */
static void fsm__load_ends(fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *root)
{
    d->initial = fsm__state_ref(d, doc, diag, root, "initial", "");
    const cJSON *term = fsm__array(doc, diag, root, "terminal", false, "an array of state names");
    if (!term) return;
    char p[512];
    int i = 0;
    for (const cJSON *s = term->child; s; s = s->next, i++) {
        jsn_path_index(p, sizeof p, "terminal", i);
        int k = cJSON_IsString(s) ? fsm_state_index(d, s->valuestring) : -1;
        if (k < 0) jsn_error(doc, diag, s, false, p, "expected the name of a state listed in \"states\"");
        else d->terminal |= 1u << k;
    }
}

/* Reads "stock" (where stock is committed) and "inherits", then takes the stances and
 * labels not written in the file from the same-named states of the inherited built-in:
 * by default cod when stock is committed at creation, else b2c. */
static void fsm__load_stock(fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *root)
{
    const cJSON *stock = cJSON_GetObjectItemCaseSensitive(root, "stock");
    if (stock) {
        if (cJSON_IsString(stock) && strcmp(stock->valuestring, "by_strategy") == 0) d->stock_hook = FSM_STOCK_BY_STRATEGY;
        else if (cJSON_IsString(stock) && strcmp(stock->valuestring, "on_create") == 0) d->stock_hook = FSM_STOCK_ON_CREATE;
        else jsn_error(doc, diag, stock, false, "stock", "expected \"by_strategy\" or \"on_create\"");
    }
    const cJSON *inh = cJSON_GetObjectItemCaseSensitive(root, "inherits");
    snprintf(d->inherits, sizeof d->inherits, "%s", d->stock_hook == FSM_STOCK_ON_CREATE ? "cod" : "b2c");
    if (inh) {
        if (cJSON_IsString(inh) && fsm_builtin(inh->valuestring)) snprintf(d->inherits, sizeof d->inherits, "%s", inh->valuestring);
        else jsn_error(doc, diag, inh, false, "inherits", "expected \"b2c\", \"virtual\" or \"cod\"");
    }
    fsm__inherit(d);
}

/* Reads the "action" of transition object r (at path rp); the action, or -1 (reported). */
static int fsm__load_action(const jsn_doc *doc, os_diag *diag, const cJSON *r, const char *rp)
{
    char q[512];
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(r, "action");
    int act = -1;
    jsn_path_key(q, sizeof q, rp, "action");
    if (!a) jsn_error(doc, diag, r, false, rp, "missing required key \"action\"");
    else if (!cJSON_IsString(a)) jsn_error(doc, diag, a, false, q, "found %s, expected an action name", jsn_type_name(a));
    else if ((act = fsm_action_parse(a->valuestring)) < 0) {
        const char *best = os_name_closest(fsm__action_names, FSM_ACTION_COUNT, a->valuestring, 2);
        if (best) jsn_error(doc, diag, a, false, q, "unknown action \"%s\" (did you mean \"%s\"?)", a->valuestring, best);
        else jsn_error(doc, diag, a, false, q, "unknown action \"%s\": see docs/processes.md for the actions", a->valuestring);
    }
    return act;
}

/* Reads the "actors" and "after" of transition object r (at path rp) into t. */
static void fsm__load_actors_after(const jsn_doc *doc, os_diag *diag, const cJSON *r, const char *rp, fsm_transition *t)
{
    char q[512];
    const cJSON *actors = cJSON_GetObjectItemCaseSensitive(r, "actors");
    jsn_path_key(q, sizeof q, rp, "actors");
    if (!actors) jsn_error(doc, diag, r, false, rp, "missing required key \"actors\"");
    else if (!cJSON_IsArray(actors)) jsn_error(doc, diag, actors, false, q, "found %s, expected an array of actors", jsn_type_name(actors));
    else {
        int k = 0;
        for (const cJSON *x = actors->child; x; x = x->next, k++) {
            char xp[512];
            jsn_path_index(xp, sizeof xp, q, k);
            int ac = cJSON_IsString(x) ? fsm_actor_parse(x->valuestring) : -1;
            if (ac < 0) jsn_error(doc, diag, x, false, xp, "expected \"buyer\", \"merchant\" or \"system\"");
            else t->actors |= (uint8_t)FSM_ACTOR_BIT(ac);
        }
    }
    const cJSON *after = cJSON_GetObjectItemCaseSensitive(r, "after");
    if (after) {
        jsn_path_key(q, sizeof q, rp, "after");
        int k = -1;
        if (cJSON_IsString(after)) k = fsm__after_parse(after->valuestring, &t->after);
        else if (jsn_duration(after, &t->after)) k = FSM_AFTER_FIXED;
        if (k < 0) jsn_error(doc, diag, after, false, q,
            "expected a duration (\"15m\") or order_expiry, auto_confirm_after or complete_after");
        else t->after_kind = (uint8_t)k;
    }
}

/* Reads transition i, object r, and adds its row when every part is good. */
static void fsm__load_row(fsm_def *d, const jsn_doc *doc, os_diag *diag, const cJSON *r, int i)
{
    char rp[512];
    jsn_path_index(rp, sizeof rp, "transitions", i);
    if (!cJSON_IsObject(r)) {
        jsn_error(doc, diag, r, false, rp, "found %s, expected a transition object", jsn_type_name(r));
        return;
    }
    jsn_check_keys(doc, diag, r, rp, fsm__row_keys);
    fsm_transition t = { 0 };
    int from = fsm__state_ref(d, doc, diag, r, "from", rp);
    int to = fsm__state_ref(d, doc, diag, r, "to", rp);
    int act = fsm__load_action(doc, diag, r, rp);
    fsm__load_actors_after(doc, diag, r, rp, &t);
    if (from < 0 || to < 0 || act < 0) return;
    t.from = (uint8_t)from;
    t.to = (uint8_t)to;
    t.action = (uint8_t)act;
    if (!jsn_where(doc, r, false, &t.line, &t.col)) t.line = t.col = 0;
    if (fsm__add_row(d, &t) != OS_OK) {
        if (d->n_trans >= FSM_MAX_TRANS) jsn_error(doc, diag, r, false, rp, "too many transitions: at most %d", FSM_MAX_TRANS);
        else jsn_error(doc, diag, r, false, rp, "duplicate transition: state \"%s\" already has a row for \"%s\"",
                       d->states[from], fsm__action_names[act]);
    }
}

os_status fsm_load(const jsn_doc *doc, fsm_def **out, os_diag *diag)
{
    *out = NULL;
    const cJSON *root = jsn_root(doc);
    int before = diag->count;
    if (!cJSON_IsObject(root)) {
        jsn_error(doc, diag, root, false, "", "found %s, expected a process definition object", jsn_type_name(root));
        return OS_EDATA;
    }
    jsn_check_keys(doc, diag, root, "", fsm__top_keys);
    fsm_def *d = xmalloc(sizeof *d);
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
    fsm__init(d, cJSON_IsString(name) ? name->valuestring : "custom");
    snprintf(d->file, sizeof d->file, "%s", jsn_file(doc));
    if (name && (!cJSON_IsString(name) || !*name->valuestring || strlen(name->valuestring) >= FSM_NAME_MAX))
        jsn_error(doc, diag, name, false, "name", "found %s, expected a non-empty string of at most %d characters",
                  jsn_type_name(name), FSM_NAME_MAX - 1);
    fsm__load_states(d, doc, diag, root);
    fsm__load_ends(d, doc, diag, root);
    fsm__load_stock(d, doc, diag, root);
    const cJSON *rows = fsm__array(doc, diag, root, "transitions", false, "an array of transitions");
    int i = 0;
    for (const cJSON *r = rows ? rows->child : NULL; r; r = r->next, i++) fsm__load_row(d, doc, diag, r, i);
    if (diag->count > before) {
        free(d);
        return OS_EDATA;
    }
    *out = d;
    return OS_OK;
}

os_status fsm_open(const char *name_or_path, const fsm_def **out, os_diag *diag)
{
    *out = fsm_builtin(name_or_path);
    if (*out) return OS_OK;
    jsn_doc *doc;
    os_status st = jsn_load_file(name_or_path, &doc, diag);
    if (st != OS_OK) return st;
    fsm_def *d;
    st = fsm_load(doc, &d, diag);
    jsn_free(doc);
    *out = d;
    return st;
}
