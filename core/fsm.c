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
    fsm_stance     stance[FSM_MAX_STATES];               /* what each state means */
    bool           declared[FSM_MAX_STATES];             /* stance written in the file */
    char           labels[FSM_MAX_STATES][FSM_ACTOR_COUNT][FSM_NAME_MAX]; /* "" = the name */
    char           inherits[FSM_NAME_MAX];               /* built-in stances come from */
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
static const char *const fsm__actor_names_z[] = {
#define FSM__RZ(code, name) name,
    FSM_ACTOR_LIST(FSM__RZ)
#undef FSM__RZ
    NULL
};
static const char *const fsm__after_names[] = {
#define FSM__TN(code, name) name,
    FSM_AFTER_LIST(FSM__TN)
#undef FSM__TN
};

static const char *const fsm__stock_names[] = {
#define FSM__SN(code, name) name,
    FSM_STOCK_LIST(FSM__SN)
#undef FSM__SN
};
static const char *const fsm__money_names[] = {
#define FSM__MN(code, name) name,
    FSM_MONEY_LIST(FSM__MN)
#undef FSM__MN
};
const char *fsm_stock_name(fsm_stock s) { return (unsigned)s < FSM_STOCK_COUNT ? fsm__stock_names[s] : "?"; }
const char *fsm_money_name(fsm_money m) { return (unsigned)m < FSM_MONEY_COUNT ? fsm__money_names[m] : "?"; }

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

/* A built-in state's stance and labels (NULL label = the state's name). */
typedef struct fsm__st {
    const char *state;              /* state name */
    fsm_stock   stock;              /* stock stance */
    fsm_money   money;              /* money stance */
    const char *buyer, *merchant;   /* labels */
} fsm__st;

typedef struct fsm__spec {
    const char *name;               /* process name */
    const char *const *states;      /* NULL-terminated, initial first */
    const char *const *terminal;    /* NULL-terminated */
    const fsm__row *rows;           /* transitions */
    int nrows;                      /* count of rows */
    fsm_stock_hook hook;            /* where stock is committed */
    const fsm__st *st;              /* stance of every state */
    int nst;                        /* count of st */
} fsm__spec;

#define LK FSM_STOCK_LOCKED
#define DD FSM_STOCK_DEDUCTED
#define RL FSM_STOCK_RELEASED
#define RT FSM_STOCK_RETURNED
#define M0 FSM_MONEY_NONE
#define MC FSM_MONEY_CAPTURED
#define MR FSM_MONEY_REFUNDED

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

static const fsm__st b2c_st[] = {
    { "pending_payment",  LK, M0, "awaiting payment",      "awaiting payment" },
    { "paid",             DD, MC, "paid",                  "awaiting shipment" },
    { "in_production",    DD, MC, "being prepared",        "in production" },
    { "shipped",          DD, MC, "on its way",            "shipped" },
    { "delivered",        DD, MC, "delivered",             "delivered" },
    { "confirmed",        DD, MC, "received",              "confirmed by buyer" },
    { "return_requested", DD, MC, "return requested",      "return to handle" },
    { "completed",        DD, MC, "completed",             "settled" },
    { "cancelled",        RL, M0, "cancelled",             "cancelled" },
    { "expired",          RL, M0, "closed (not paid)",     "expired" },
    { "rejected",         RL, M0, "closed (out of stock)", "rejected" },
    { "refunded",         RL, MR, "refunded",              "refunded" },
    { "returned",         RT, MR, "returned",              "return received" },
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

static const fsm__st virtual_st[] = {
    { "pending_payment", LK, M0, "awaiting payment",      "awaiting payment" },
    { "paid",            DD, MC, "paid",                  "paid" },
    { "completed",       DD, MC, "completed",             "settled" },
    { "cancelled",       RL, M0, "cancelled",             "cancelled" },
    { "expired",         RL, M0, "closed (not paid)",     "expired" },
    { "rejected",        RL, M0, "closed (out of stock)", "rejected" },
    { "refunded",        RL, MR, "refunded",              "refunded" },
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
/* Until the buyer pays the courier the units stay locked (never sold), so a refused parcel
 * only releases the lock. */
static const fsm__st cod_st[] = {
    { "placed",           LK, M0, "ordered",            "to prepare" },
    { "in_production",    LK, M0, "being prepared",     "in production" },
    { "shipped",          LK, M0, "on its way",         "shipped (unpaid)" },
    { "delivered",        LK, M0, "at the door",        "at the door (unpaid)" },
    { "paid",             DD, MC, "paid",               "paid to the courier" },
    { "confirmed",        DD, MC, "received",           "confirmed by buyer" },
    { "return_requested", DD, MC, "return requested",   "return to handle" },
    { "completed",        DD, MC, "completed",          "settled" },
    { "cancelled",        RL, M0, "cancelled",          "cancelled" },
    { "refused",          RL, M0, "refused",            "refused at the door" },
    { "returned",         RT, MR, "returned",           "return received" },
};
#undef B
#undef M
#undef S
#undef LK
#undef DD
#undef RL
#undef RT
#undef M0
#undef MC
#undef MR

#define FSM__N(a) ((int)(sizeof(a) / sizeof((a)[0])))
static const fsm__spec fsm__specs[] = {
    { "b2c",     b2c_states,     b2c_terminal,     b2c_rows,     FSM__N(b2c_rows),     FSM_STOCK_BY_STRATEGY,
      b2c_st, FSM__N(b2c_st) },
    { "virtual", virtual_states, virtual_terminal, virtual_rows, FSM__N(virtual_rows), FSM_STOCK_BY_STRATEGY,
      virtual_st, FSM__N(virtual_st) },
    { "cod",     cod_states,     cod_terminal,     cod_rows,     FSM__N(cod_rows),     FSM_STOCK_ON_CREATE,
      cod_st, FSM__N(cod_st) },
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
        snprintf(d->inherits, sizeof d->inherits, "%s", sp->name);
        OS_ASSERT(sp->nst == d->n_states);
        for (int k = 0; k < sp->nst; k++) {
            int at = fsm_state_index(d, sp->st[k].state);
            OS_ASSERT(at >= 0);
            d->stance[at] = (fsm_stance){ (uint8_t)sp->st[k].stock, (uint8_t)sp->st[k].money };
            d->declared[at] = true;
            snprintf(d->labels[at][FSM_BUYER], FSM_NAME_MAX, "%s", sp->st[k].buyer);
            snprintf(d->labels[at][FSM_MERCHANT], FSM_NAME_MAX, "%s", sp->st[k].merchant);
        }
    }
}

/* The built-in spec named `name`, or NULL. */
static const fsm__spec *fsm__spec_of(const char *name)
{
    for (int i = 0; i < FSM__N(fsm__specs); i++)
        if (strcmp(fsm__specs[i].name, name) == 0) return &fsm__specs[i];
    return NULL;
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
    /* Stances not written in the file come from the same-named state of a built-in:
     * "inherits" names it; by default cod when stock is committed at creation, else b2c. */
    const cJSON *inh = cJSON_GetObjectItemCaseSensitive(root, "inherits");
    snprintf(d->inherits, sizeof d->inherits, "%s", d->stock_hook == FSM_STOCK_ON_CREATE ? "cod" : "b2c");
    if (inh) {
        if (cJSON_IsString(inh) && fsm__spec_of(inh->valuestring)) snprintf(d->inherits, sizeof d->inherits, "%s", inh->valuestring);
        else jsn_error(doc, diag, inh, false, "inherits", "expected \"b2c\", \"virtual\" or \"cod\"");
    }
    const fsm__spec *base = fsm__spec_of(d->inherits);
    for (int k = 0; base && k < base->nst; k++) {
        int at = fsm_state_index(d, base->st[k].state);
        if (at < 0) continue;
        const char *lb[FSM_ACTOR_COUNT] = { base->st[k].buyer, base->st[k].merchant, NULL };
        for (int a = 0; a < FSM_ACTOR_COUNT; a++)
            if (lb[a] && !d->labels[at][a][0]) snprintf(d->labels[at][a], FSM_NAME_MAX, "%s", lb[a]);
        if (d->declared[at]) continue;
        d->stance[at] = (fsm_stance){ (uint8_t)base->st[k].stock, (uint8_t)base->st[k].money };
        d->declared[at] = true;
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
fsm_stance fsm_stance_of(const fsm_def *d, int s)
{
    return (unsigned)s < (unsigned)d->n_states ? d->stance[s] : (fsm_stance){ FSM_STOCK_NONE, FSM_MONEY_NONE };
}
const char *fsm_label(const fsm_def *d, int s, fsm_actor a)
{
    if ((unsigned)s >= (unsigned)d->n_states) return "?";
    return (unsigned)a < FSM_ACTOR_COUNT && d->labels[s][a][0] ? d->labels[s][a] : d->states[s];
}


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
        if (actor < FSM_ACTOR_COUNT && !(t->actors & FSM_ACTOR_BIT(actor))) continue;
        char actors[64], after[64];
        fsm__actors_str(t->actors, actors, sizeof actors);
        fsm__after_str(t, after, sizeof after);
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
        if (actor < FSM_ACTOR_COUNT && !(t->actors & FSM_ACTOR_BIT(actor))) continue;
        char actors[64], after[64];
        fsm__actors_str(t->actors, actors, sizeof actors);
        fsm__after_str(t, after, sizeof after);
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
