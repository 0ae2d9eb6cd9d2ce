/*
 * fsm.c — state machine definitions: names, building, the built-ins and queries. Reading a
 * file is fsm_load.c, checking one fsm_lint.c, drawing and diff fsm_draw.c (fsm_int.h).
 *
 * Invariant of a built definition: next[s][a] is FSM_NONE or the index of the one row
 * (s, a); duplicates are refused when rows are added, so lookup never has to choose.
 */
#include "fsm_int.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>


const char *const fsm__action_names[] = {
#define FSM__AN(code, name) name,
    FSM_ACTION_LIST(FSM__AN)
#undef FSM__AN
};
const char *const fsm__actor_names[] = {
#define FSM__RN(code, name) name,
    FSM_ACTOR_LIST(FSM__RN)
#undef FSM__RN
};
const char *const fsm__actor_names_z[] = {
#define FSM__RZ(code, name) name,
    FSM_ACTOR_LIST(FSM__RZ)
#undef FSM__RZ
    NULL
};
const char *const fsm__after_names[] = {
#define FSM__TN(code, name) name,
    FSM_AFTER_LIST(FSM__TN)
#undef FSM__TN
};

const char *const fsm__stock_names[] = {
#define FSM__SN(code, name) name,
    FSM_STOCK_LIST(FSM__SN)
#undef FSM__SN
};
const char *const fsm__money_names[] = {
#define FSM__MN(code, name) name,
    FSM_MONEY_LIST(FSM__MN)
#undef FSM__MN
};
_Static_assert(OS_COUNT_OF(fsm__action_names) == FSM_ACTION_COUNT, "one name per action");
_Static_assert(OS_COUNT_OF(fsm__actor_names) == FSM_ACTOR_COUNT, "one name per actor");
_Static_assert(OS_COUNT_OF(fsm__actor_names_z) == FSM_ACTOR_COUNT + 1, "the actor names and a NULL");
_Static_assert(OS_COUNT_OF(fsm__after_names) == FSM_AFTER_COUNT, "one name per timer binding");
_Static_assert(OS_COUNT_OF(fsm__stock_names) == FSM_STOCK_COUNT, "one name per stock stance");
_Static_assert(OS_COUNT_OF(fsm__money_names) == FSM_MONEY_COUNT, "one name per money stance");
const char *fsm_stock_name(fsm_stock s) { return (unsigned)s < FSM_STOCK_COUNT ? fsm__stock_names[s] : "?"; }
const char *fsm_money_name(fsm_money m) { return (unsigned)m < FSM_MONEY_COUNT ? fsm__money_names[m] : "?"; }

const char *fsm_action_name(fsm_action a) { return (unsigned)a < FSM_ACTION_COUNT ? fsm__action_names[a] : "?"; }
const char *fsm_actor_name(fsm_actor a) { return (unsigned)a < FSM_ACTOR_COUNT ? fsm__actor_names[a] : "?"; }
const char *fsm_after_name(fsm_after a) { return (unsigned)a < FSM_AFTER_COUNT ? fsm__after_names[a] : "?"; }

int fsm_action_parse(const char *s) { return os_name_find(fsm__action_names, FSM_ACTION_COUNT, s); }
int fsm_actor_parse(const char *s) { return os_name_find(fsm__actor_names, FSM_ACTOR_COUNT, s); }

/* ---- building ---------------------------------------------------------------------- */

void fsm__init(fsm_def *d, const char *name)
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

int fsm__add_state(fsm_def *d, const char *name, int line)
{
    if (d->n_states >= FSM_MAX_STATES || strlen(name) >= FSM_NAME_MAX || !*name) return -1;
    if (fsm_state_index(d, name) >= 0) return -1;
    snprintf(d->states[d->n_states], FSM_NAME_MAX, "%s", name);
    d->state_line[d->n_states] = line;
    return d->n_states++;
}

os_status fsm__add_row(fsm_def *d, const fsm_transition *t)
{
    if (d->n_trans >= FSM_MAX_TRANS) return OS_EINVAL;
    if (d->next[t->from][t->action] != FSM_NONE) return OS_EINVAL;
    d->trans[d->n_trans] = *t;
    d->next[t->from][t->action] = (uint8_t)d->n_trans;
    if (t->after_kind != FSM_AFTER_NONE && d->timer[t->from] < 0) d->timer[t->from] = d->n_trans;
    d->n_trans++;
    return OS_OK;
}

int fsm__after_parse(const char *s, double *secs)
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
    { "pending_payment",  "modify_address", "pending_payment",  B | M, NULL },
    { "pending_payment",  "cancel",         "cancelled",        B | M, NULL },
    { "pending_payment",  "expire",         "expired",          S,     "order_expiry" },
    { "pending_payment",  "reject",         "rejected",         S,     NULL },
    { "paid",             "produce",        "in_production",    M | S, NULL },
    { "paid",             "refund",         "refunded",         B | M | S, NULL },
    { "paid",             "modify_address", "paid",             B | M, NULL },
    { "in_production",    "ship",           "shipped",          M | S, NULL },
    { "in_production",    "refund",         "refunded",         M,     NULL },
    { "in_production",    "modify_address", "in_production",    B | M, NULL },
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
    { "placed",           "modify_address", "placed",           B | M, NULL },
    { "placed",           "produce",        "in_production",    M | S, NULL },
    { "in_production",    "ship",           "shipped",          M | S, NULL },
    { "in_production",    "modify_address", "in_production",    B | M, NULL },
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

void fsm__inherit(fsm_def *d)
{
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
}

const fsm_def *fsm_builtin(const char *name)
{
    pthread_once(&fsm__once, fsm__build_builtins);
    int i = os_name_find(fsm__builtin_names, -1, name);
    return i < 0 ? NULL : &fsm__builtins[i];
}

const char *const *fsm_builtin_names(void) { return fsm__builtin_names; }

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

bool fsm_has_action(const fsm_def *d, fsm_action action)
{
    for (int i = 0; i < d->n_trans; i++)
        if (d->trans[i].action == action) return true;
    return false;
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


