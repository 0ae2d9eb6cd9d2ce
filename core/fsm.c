/*
 * fsm.c — state machine definitions: built-ins, JSON loading, lookup, lint, drawing, diff.
 *
 * Invariant of a built definition: next[s][a] is FSM_NONE or the index of the one row
 * (s, a); duplicates are refused when rows are added, so lookup never has to choose.
 */
#include "fsm.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

struct fsm_def {
    char           name[FSM_NAME_MAX];                   /* process name */
    char           file[256];                            /* source file, "" for built-ins */
    int            n_states;                             /* states defined */
    char           states[FSM_MAX_STATES][FSM_NAME_MAX]; /* state names */
    int            state_line[FSM_MAX_STATES];           /* where each was named (0 built-in) */
    int            state_col[FSM_MAX_STATES];            /* and the column */
    uint32_t       terminal;                             /* bit s set when state s is terminal */
    int            initial;                              /* index of the initial state */
    int            n_trans;                              /* rows defined */
    fsm_transition trans[FSM_MAX_TRANS];                 /* the rows */
    uint8_t        next[FSM_MAX_STATES][FSM_ACTION_COUNT]; /* row index per (state, action) */
    int            timer[FSM_MAX_STATES];                /* index of the timed row, or -1 */
    fsm_stock_hook stock_hook;                           /* where stock is committed */
    bool           builtin;                              /* static storage, never freed */
};

static const char *const fsm__action_names[] = {
#define FSM__AN(code, name) name,
    FSM_ACTION_LIST(FSM__AN)
#undef FSM__AN
};
static const char *const fsm__actor_names[] = {
#define FSM__RN(code, name) name,
    FSM_ACTOR_LIST(FSM__RN)
#undef FSM__RN
};
static const char *const fsm__after_names[] = {
#define FSM__TN(code, name) name,
    FSM_AFTER_LIST(FSM__TN)
#undef FSM__TN
};

const char *fsm_action_name(fsm_action a) { return (unsigned)a < FSM_ACTION_COUNT ? fsm__action_names[a] : "?"; }
const char *fsm_actor_name(fsm_actor a) { return (unsigned)a < FSM_ACTOR_COUNT ? fsm__actor_names[a] : "?"; }
const char *fsm_after_name(fsm_after a) { return (unsigned)a < FSM_AFTER_COUNT ? fsm__after_names[a] : "?"; }

int fsm_action_parse(const char *s) { return os_name_find(fsm__action_names, FSM_ACTION_COUNT, s); }
int fsm_actor_parse(const char *s) { return os_name_find(fsm__actor_names, FSM_ACTOR_COUNT, s); }

/* ---- building ---------------------------------------------------------------------- */

static void fsm__init(fsm_def *d, const char *name)
{
    memset(d, 0, sizeof *d);
    snprintf(d->name, sizeof d->name, "%s", name);
    memset(d->next, FSM_NONE, sizeof d->next);
    d->initial = -1;
    for (int i = 0; i < FSM_MAX_STATES; i++) d->timer[i] = -1;
}

int fsm_state_index(const fsm_def *d, const char *name)
{
    for (int i = 0; i < d->n_states; i++)
        if (strcmp(d->states[i], name) == 0) return i;
    return -1;
}

/* Adds a state; returns its index, or -1 when the table is full or the name is a duplicate
 * or too long (the caller reports which). */
static int fsm__add_state(fsm_def *d, const char *name, int line)
{
    if (d->n_states >= FSM_MAX_STATES || strlen(name) >= FSM_NAME_MAX || !*name) return -1;
    if (fsm_state_index(d, name) >= 0) return -1;
    snprintf(d->states[d->n_states], FSM_NAME_MAX, "%s", name);
    d->state_line[d->n_states] = line;
    return d->n_states++;
}

/* Adds a row; OS_EINVAL when (from, action) already has one or the table is full. */
static os_status fsm__add_row(fsm_def *d, const fsm_transition *t)
{
    if (d->n_trans >= FSM_MAX_TRANS) return OS_EINVAL;
    if (d->next[t->from][t->action] != FSM_NONE) return OS_EINVAL;
    d->trans[d->n_trans] = *t;
    d->next[t->from][t->action] = (uint8_t)d->n_trans;
    if (t->after_kind != FSM_AFTER_NONE && d->timer[t->from] < 0) d->timer[t->from] = d->n_trans;
    d->n_trans++;
    return OS_OK;
}

static int fsm__after_parse(const char *s, double *secs)
{
    int k = os_name_find(fsm__after_names, FSM_AFTER_COUNT, s);
    if (k >= FSM_AFTER_ORDER_EXPIRY) return k;
    if (jsn_duration_str(s, secs)) return FSM_AFTER_FIXED;
    return -1;
}

/* ---- built-ins --------------------------------------------------------------------- */

#define B FSM_ACTOR_BIT(FSM_BUYER)
#define M FSM_ACTOR_BIT(FSM_MERCHANT)
#define S FSM_ACTOR_BIT(FSM_SYSTEM)

typedef struct fsm__row {
    const char *from, *action, *to; /* names */
    unsigned actors;                /* FSM_ACTOR_BIT mask */
    const char *after;              /* timer name or duration, NULL for none */
} fsm__row;

typedef struct fsm__spec {
    const char *name;               /* process name */
    const char *const *states;      /* NULL-terminated, initial first */
    const char *const *terminal;    /* NULL-terminated */
    const fsm__row *rows;           /* transitions */
    int nrows;                      /* count of rows */
    fsm_stock_hook hook;            /* where stock is committed */
} fsm__spec;

static const char *const b2c_states[] = { "pending_payment", "paid", "in_production", "shipped",
    "delivered", "confirmed", "return_requested", "completed", "cancelled", "expired",
    "rejected", "refunded", "returned", NULL };
static const char *const b2c_terminal[] = { "completed", "cancelled", "expired", "rejected",
    "refunded", "returned", NULL };
static const fsm__row b2c_rows[] = {
    { "pending_payment",  "pay",            "paid",             B,     NULL },
    { "pending_payment",  "modify",         "pending_payment",  B | M, NULL },
    { "pending_payment",  "cancel",         "cancelled",        B | M, NULL },
    { "pending_payment",  "expire",         "expired",          S,     "order_expiry" },
    { "pending_payment",  "reject",         "rejected",         S,     NULL },
    { "paid",             "produce",        "in_production",    M | S, NULL },
    { "paid",             "refund",         "refunded",         B | M | S, NULL },
    { "in_production",    "ship",           "shipped",          M | S, NULL },
    { "in_production",    "refund",         "refunded",         M,     NULL },
    { "shipped",          "deliver",        "delivered",        S,     NULL },
    { "delivered",        "confirm",        "confirmed",        B | S, "auto_confirm_after" },
    { "delivered",        "return_request", "return_requested", B,     NULL },
    { "confirmed",        "return_request", "return_requested", B,     NULL },
    { "confirmed",        "complete",       "completed",        S,     "complete_after" },
    { "return_requested", "return_receive", "returned",         M | S, NULL },
    { "return_requested", "return_reject",  "confirmed",        M,     NULL },
};

static const char *const virtual_states[] = { "pending_payment", "paid", "completed", "cancelled",
    "expired", "rejected", "refunded", NULL };
static const char *const virtual_terminal[] = { "completed", "cancelled", "expired", "rejected",
    "refunded", NULL };
static const fsm__row virtual_rows[] = {
    { "pending_payment", "pay",      "paid",            B,         NULL },
    { "pending_payment", "modify",   "pending_payment", B | M,     NULL },
    { "pending_payment", "cancel",   "cancelled",       B | M,     NULL },
    { "pending_payment", "expire",   "expired",         S,         "order_expiry" },
    { "pending_payment", "reject",   "rejected",        S,         NULL },
    { "paid",            "refund",   "refunded",        B | M | S, NULL },
    { "paid",            "complete", "completed",       S,         "complete_after" },
};

/* Cash on delivery: the buyer pays the courier, so nothing stands between order and
 * shipment but the order itself: stock must be locked at creation, whatever the strategy. */
static const char *const cod_states[] = { "placed", "in_production", "shipped", "delivered",
    "paid", "confirmed", "return_requested", "completed", "cancelled", "refused", "returned", NULL };
static const char *const cod_terminal[] = { "completed", "cancelled", "refused", "returned", NULL };
static const fsm__row cod_rows[] = {
    { "placed",           "cancel",         "cancelled",        B | M, NULL },
    { "placed",           "modify",         "placed",           B | M, NULL },
    { "placed",           "produce",        "in_production",    M | S, NULL },
    { "in_production",    "ship",           "shipped",          M | S, NULL },
    { "shipped",          "deliver",        "delivered",        S,     NULL },
    { "delivered",        "pay",            "paid",             B,     NULL },
    { "delivered",        "return_receive", "refused",          M | S, NULL },
    { "paid",             "confirm",        "confirmed",        B | S, "auto_confirm_after" },
    { "paid",             "return_request", "return_requested", B,     NULL },
    { "confirmed",        "complete",       "completed",        S,     "complete_after" },
    { "confirmed",        "return_request", "return_requested", B,     NULL },
    { "return_requested", "return_receive", "returned",         M | S, NULL },
    { "return_requested", "return_reject",  "confirmed",        M,     NULL },
};
#undef B
#undef M
#undef S

#define FSM__N(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const fsm__spec fsm__specs[] = {
    { "b2c",     b2c_states,     b2c_terminal,     b2c_rows,     FSM__N(b2c_rows),     FSM_STOCK_BY_STRATEGY },
    { "virtual", virtual_states, virtual_terminal, virtual_rows, FSM__N(virtual_rows), FSM_STOCK_BY_STRATEGY },
    { "cod",     cod_states,     cod_terminal,     cod_rows,     FSM__N(cod_rows),     FSM_STOCK_ON_CREATE },
};
static const char *const fsm__builtin_names[] = { "b2c", "virtual", "cod", NULL };
static fsm_def fsm__builtins[FSM__N(fsm__specs)];
static pthread_once_t fsm__once = PTHREAD_ONCE_INIT;

/* Builds every built-in from its rows. The rows are ours, so a failure is our bug. */
static void fsm__build_builtins(void)
{
    for (int i = 0; i < FSM__N(fsm__specs); i++) {
        const fsm__spec *sp = &fsm__specs[i];
        fsm_def *d = &fsm__builtins[i];
        fsm__init(d, sp->name);
        d->builtin = true;
        d->stock_hook = sp->hook;
        for (const char *const *s = sp->states; *s; s++) OS_ASSERT(fsm__add_state(d, *s, 0) >= 0);
        d->initial = 0;
        for (const char *const *s = sp->terminal; *s; s++) {
            int k = fsm_state_index(d, *s);
            OS_ASSERT(k >= 0);
            d->terminal |= 1u << k;
        }
        for (int r = 0; r < sp->nrows; r++) {
            fsm_transition t = { 0 };
            int from = fsm_state_index(d, sp->rows[r].from), to = fsm_state_index(d, sp->rows[r].to);
            int act = fsm_action_parse(sp->rows[r].action);
            OS_ASSERT(from >= 0 && to >= 0 && act >= 0);
            t.from = (uint8_t)from;
            t.to = (uint8_t)to;
            t.action = (uint8_t)act;
            t.actors = (uint8_t)sp->rows[r].actors;
            if (sp->rows[r].after) {
                int k = fsm__after_parse(sp->rows[r].after, &t.after);
                OS_ASSERT(k > 0);
                t.after_kind = (uint8_t)k;
            }
            OS_ASSERT(fsm__add_row(d, &t) == OS_OK);
        }
    }
}

const fsm_def *fsm_builtin(const char *name)
{
    pthread_once(&fsm__once, fsm__build_builtins);
    int i = os_name_find(fsm__builtin_names, -1, name);
    return i < 0 ? NULL : &fsm__builtins[i];
}

const char *const *fsm_builtin_names(void) { return fsm__builtin_names; }

/* ---- JSON loading ------------------------------------------------------------------ */

static const char *const fsm__top_keys[] = { "name", "description", "states", "initial", "terminal",
    "transitions", "stock", NULL };
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

    const cJSON *states = cJSON_GetObjectItemCaseSensitive(root, "states");
    char p[512];
    if (!cJSON_IsArray(states) || cJSON_GetArraySize(states) == 0) {
        jsn_error(doc, diag, states ? states : root, false, states ? "states" : "",
                  states ? "found %s, expected a non-empty array of state names" : "missing required key \"states\"%s",
                  states ? jsn_type_name(states) : "");
    } else {
        int i = 0;
        for (const cJSON *s = states->child; s; s = s->next, i++) {
            jsn_path_index(p, sizeof p, "states", i);
            if (!cJSON_IsString(s)) {
                jsn_error(doc, diag, s, false, p, "found %s, expected a state name", jsn_type_name(s));
                continue;
            }
            int at = fsm__add_state(d, s->valuestring, 0);
            if (at >= 0 && !jsn_where(doc, s, false, &d->state_line[at], &d->state_col[at])) d->state_line[at] = 0;
            if (at < 0) {
                if (d->n_states >= FSM_MAX_STATES)
                    jsn_error(doc, diag, s, false, p, "too many states: at most %d", FSM_MAX_STATES);
                else if (fsm_state_index(d, s->valuestring) >= 0)
                    jsn_error(doc, diag, s, false, p, "state \"%s\" is listed twice", s->valuestring);
                else
                    jsn_error(doc, diag, s, false, p, "expected a non-empty name of at most %d characters", FSM_NAME_MAX - 1);
            }
        }
    }
    d->initial = fsm__state_ref(d, doc, diag, root, "initial", "");
    const cJSON *term = cJSON_GetObjectItemCaseSensitive(root, "terminal");
    if (!cJSON_IsArray(term)) {
        jsn_error(doc, diag, term ? term : root, false, term ? "terminal" : "",
                  term ? "found %s, expected an array of state names" : "missing required key \"terminal\"%s",
                  term ? jsn_type_name(term) : "");
    } else {
        int i = 0;
        for (const cJSON *s = term->child; s; s = s->next, i++) {
            jsn_path_index(p, sizeof p, "terminal", i);
            int k = cJSON_IsString(s) ? fsm_state_index(d, s->valuestring) : -1;
            if (k < 0) jsn_error(doc, diag, s, false, p, "expected the name of a state listed in \"states\"");
            else d->terminal |= 1u << k;
        }
    }
    const cJSON *stock = cJSON_GetObjectItemCaseSensitive(root, "stock");
    if (stock) {
        if (cJSON_IsString(stock) && strcmp(stock->valuestring, "by_strategy") == 0) d->stock_hook = FSM_STOCK_BY_STRATEGY;
        else if (cJSON_IsString(stock) && strcmp(stock->valuestring, "on_create") == 0) d->stock_hook = FSM_STOCK_ON_CREATE;
        else jsn_error(doc, diag, stock, false, "stock", "expected \"by_strategy\" or \"on_create\"");
    }

    const cJSON *rows = cJSON_GetObjectItemCaseSensitive(root, "transitions");
    if (!cJSON_IsArray(rows)) {
        jsn_error(doc, diag, rows ? rows : root, false, rows ? "transitions" : "",
                  rows ? "found %s, expected an array of transitions" : "missing required key \"transitions\"%s",
                  rows ? jsn_type_name(rows) : "");
    } else {
        int i = 0;
        for (const cJSON *r = rows->child; r; r = r->next, i++) {
            char rp[512], q[512];
            jsn_path_index(rp, sizeof rp, "transitions", i);
            if (!cJSON_IsObject(r)) {
                jsn_error(doc, diag, r, false, rp, "found %s, expected a transition object", jsn_type_name(r));
                continue;
            }
            jsn_check_keys(doc, diag, r, rp, fsm__row_keys);
            fsm_transition t = { 0 };
            int from = fsm__state_ref(d, doc, diag, r, "from", rp);
            int to = fsm__state_ref(d, doc, diag, r, "to", rp);
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
                    else t.actors |= (uint8_t)FSM_ACTOR_BIT(ac);
                }
            }
            const cJSON *after = cJSON_GetObjectItemCaseSensitive(r, "after");
            if (after) {
                jsn_path_key(q, sizeof q, rp, "after");
                int k = -1;
                if (cJSON_IsString(after)) k = fsm__after_parse(after->valuestring, &t.after);
                else if (jsn_duration(after, &t.after)) k = FSM_AFTER_FIXED;
                if (k < 0) jsn_error(doc, diag, after, false, q,
                    "expected a duration (\"15m\") or order_expiry, auto_confirm_after or complete_after");
                else t.after_kind = (uint8_t)k;
            }
            if (from < 0 || to < 0 || act < 0) continue;
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
    }
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

void fsm_free(const fsm_def *d)
{
    if (d && !d->builtin) free((void *)d);
}

/* ---- queries ----------------------------------------------------------------------- */

os_status fsm_next(const fsm_def *d, int state, fsm_action action, fsm_actor actor, int *to)
{
    if ((unsigned)state >= (unsigned)d->n_states || (unsigned)action >= FSM_ACTION_COUNT) return OS_EINVAL;
    uint8_t r = d->next[state][action];
    if (r == FSM_NONE || !(d->trans[r].actors & FSM_ACTOR_BIT(actor))) return OS_EFORBIDDEN;
    *to = d->trans[r].to;
    return OS_OK;
}

const fsm_transition *fsm_row(const fsm_def *d, int state, fsm_action action)
{
    if ((unsigned)state >= (unsigned)d->n_states || (unsigned)action >= FSM_ACTION_COUNT) return NULL;
    uint8_t r = d->next[state][action];
    return r == FSM_NONE ? NULL : &d->trans[r];
}

const fsm_transition *fsm_timer(const fsm_def *d, int state)
{
    if ((unsigned)state >= (unsigned)d->n_states || d->timer[state] < 0) return NULL;
    return &d->trans[d->timer[state]];
}

const char *fsm_name(const fsm_def *d) { return d->name; }
int fsm_state_count(const fsm_def *d) { return d->n_states; }
int fsm_initial(const fsm_def *d) { return d->initial; }
bool fsm_is_terminal(const fsm_def *d, int s) { return (unsigned)s < (unsigned)d->n_states && (d->terminal >> s & 1u); }
const char *fsm_state_name(const fsm_def *d, int s) { return (unsigned)s < (unsigned)d->n_states ? d->states[s] : "?"; }
int fsm_transition_count(const fsm_def *d) { return d->n_trans; }
const fsm_transition *fsm_transition_at(const fsm_def *d, int i) { return (unsigned)i < (unsigned)d->n_trans ? &d->trans[i] : NULL; }
fsm_stock_hook fsm_stock_hook_of(const fsm_def *d) { return d->stock_hook; }

/* ---- lint -------------------------------------------------------------------------- */

static void fsm__where(const fsm_def *d, const fsm_transition *t, char *buf, size_t n)
{
    if (d->file[0] && t && t->line) snprintf(buf, n, "%s:%d:%d: ", d->file, t->line, t->col);
    else if (d->file[0]) snprintf(buf, n, "%s: ", d->file);
    else snprintf(buf, n, "process %s: ", d->name);
}

int fsm_lint(const fsm_def *d, os_diag *diag)
{
    int found = 0;
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
    return found;
}

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

void fsm_write_dot(const fsm_def *d, FILE *out)
{
    fprintf(out, "digraph \"%s\" {\n  rankdir=LR;\n  node [shape=box, style=rounded];\n", d->name);
    fprintf(out, "  __start [shape=point];\n  __start -> \"%s\";\n", d->states[d->initial >= 0 ? d->initial : 0]);
    for (int s = 0; s < d->n_states; s++)
        if (fsm_is_terminal(d, s)) fprintf(out, "  \"%s\" [peripheries=2];\n", d->states[s]);
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        char actors[64], after[64];
        fsm__actors_str(t->actors, actors, sizeof actors);
        fsm__after_str(t, after, sizeof after);
        fprintf(out, "  \"%s\" -> \"%s\" [label=\"%s\\n[%s]%s%s\"];\n", d->states[t->from], d->states[t->to],
                fsm__action_names[t->action], actors, after[0] ? "\\nafter " : "", after);
    }
    fprintf(out, "}\n");
}

void fsm_write_mermaid(const fsm_def *d, FILE *out)
{
    fprintf(out, "stateDiagram-v2\n    [*] --> %s\n", d->states[d->initial >= 0 ? d->initial : 0]);
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        char actors[64], after[64];
        fsm__actors_str(t->actors, actors, sizeof actors);
        fsm__after_str(t, after, sizeof after);
        fprintf(out, "    %s --> %s : %s [%s]%s%s\n", d->states[t->from], d->states[t->to],
                fsm__action_names[t->action], actors, after[0] ? " after " : "", after);
    }
    for (int s = 0; s < d->n_states; s++)
        if (fsm_is_terminal(d, s)) fprintf(out, "    %s --> [*]\n", d->states[s]);
}

void fsm_write_json(const fsm_def *d, FILE *out)
{
    fprintf(out, "{\n  \"name\": \"%s\",\n  \"states\": [", d->name);
    for (int s = 0; s < d->n_states; s++) fprintf(out, "%s\"%s\"", s ? ", " : "", d->states[s]);
    fprintf(out, "],\n  \"initial\": \"%s\",\n  \"terminal\": [", d->states[d->initial]);
    int k = 0;
    for (int s = 0; s < d->n_states; s++)
        if (fsm_is_terminal(d, s)) fprintf(out, "%s\"%s\"", k++ ? ", " : "", d->states[s]);
    fprintf(out, "],\n  \"stock\": \"%s\",\n  \"transitions\": [\n",
            d->stock_hook == FSM_STOCK_ON_CREATE ? "on_create" : "by_strategy");
    for (int i = 0; i < d->n_trans; i++) {
        const fsm_transition *t = &d->trans[i];
        fprintf(out, "    {\"from\": \"%s\", \"action\": \"%s\", \"to\": \"%s\", \"actors\": [",
                d->states[t->from], fsm__action_names[t->action], d->states[t->to]);
        int m = 0;
        for (int a = 0; a < FSM_ACTOR_COUNT; a++)
            if (t->actors & FSM_ACTOR_BIT(a)) fprintf(out, "%s\"%s\"", m++ ? ", " : "", fsm__actor_names[a]);
        fprintf(out, "]");
        char after[64];
        fsm__after_str(t, after, sizeof after);
        if (after[0]) fprintf(out, ", \"after\": \"%s\"", after);
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
    for (int s = 0; s < a->n_states; s++)
        if (fsm_state_index(b, a->states[s]) < 0) { fprintf(out, "- state %s\n", a->states[s]); changes++; }
    for (int s = 0; s < b->n_states; s++)
        if (fsm_state_index(a, b->states[s]) < 0) { fprintf(out, "+ state %s\n", b->states[s]); changes++; }
    return changes;
}
