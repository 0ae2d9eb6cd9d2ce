/*
 * fsm.h — table-driven order state machines.
 *
 * A definition is a set of named states (one initial, some terminal) and transitions
 * {from, action, to, actors, after}. The engine answers one question in O(1): may ACTOR
 * take ACTION in STATE, and where does it lead? States are named by the definition; actions
 * are a fixed vocabulary (below) because the process engine attaches effects (stock, money,
 * promotions) to actions, not to state names, so a custom process reuses the same effects.
 *
 * Each state also says what it means for the order's stock and money (its stance, below);
 * the process engine derives every stock, money and promotion effect from the stances of
 * the state left and the state entered, so any path through any definition keeps stock,
 * money and promotion budgets conserved. A state may also carry a label per actor (how the
 * buyer, the merchant and the system call it), for the per-role views.
 *
 * Definitions come from const row tables (the built-ins `b2c`, `virtual`, `cod`) or from JSON
 * files with the same structure; both go through one builder, so both are checked alike.
 */
#ifndef FSM_H
#define FSM_H

#include "jsn.h"
#include "os.h"
#include <stdio.h>

#define FSM_ACTION_LIST(X)                                                      \
    X(FSM_PAY,            "pay")            /* payment captured */             \
    X(FSM_MODIFY,         "modify")         /* change lines before payment */  \
    X(FSM_CANCEL,         "cancel")         /* cancel before payment */        \
    X(FSM_EXPIRE,         "expire")         /* unpaid order timed out */       \
    X(FSM_REJECT,         "reject")         /* closed by revalidation */       \
    X(FSM_PRODUCE,        "produce")        /* warehouse starts the order */   \
    X(FSM_SHIP,           "ship")           /* handed to the carrier */        \
    X(FSM_DELIVER,        "deliver")        /* reached the buyer */            \
    X(FSM_CONFIRM,        "confirm")        /* buyer (or timer) confirms */    \
    X(FSM_COMPLETE,       "complete")       /* after-sale window closed */     \
    X(FSM_REFUND,         "refund")         /* paid order refunded unshipped */\
    X(FSM_RETURN_REQUEST, "return_request") /* buyer asks to return */         \
    X(FSM_RETURN_RECEIVE, "return_receive") /* merchant receives the goods */  \
    X(FSM_RETURN_REJECT,  "return_reject")  /* merchant refuses the return */  \
    X(FSM_MODIFY_ADDRESS, "modify_address") /* change the shipping address */

typedef enum fsm_action {
#define FSM__A(code, name) code,
    FSM_ACTION_LIST(FSM__A)
#undef FSM__A
    FSM_ACTION_COUNT
} fsm_action;

#define FSM_ACTOR_LIST(X) X(FSM_BUYER, "buyer") X(FSM_MERCHANT, "merchant") X(FSM_SYSTEM, "system")
typedef enum fsm_actor {
#define FSM__R(code, name) code,
    FSM_ACTOR_LIST(FSM__R)
#undef FSM__R
    FSM_ACTOR_COUNT
} fsm_actor;
#define FSM_ACTOR_BIT(a) (1u << (a))

/* What a timed transition waits for: a fixed duration, or a scenario parameter bound at
 * run time (so `b2c` follows the scenario's `order_expiry` without being edited). */
#define FSM_AFTER_LIST(X)                                   \
    X(FSM_AFTER_NONE,         "")                           \
    X(FSM_AFTER_FIXED,        "(fixed)")                    \
    X(FSM_AFTER_ORDER_EXPIRY, "order_expiry")               \
    X(FSM_AFTER_AUTO_CONFIRM, "auto_confirm_after")         \
    X(FSM_AFTER_COMPLETE,     "complete_after")
typedef enum fsm_after {
#define FSM__T(code, name) code,
    FSM_AFTER_LIST(FSM__T)
#undef FSM__T
    FSM_AFTER_COUNT
} fsm_after;

/* Where a process commits stock: at payment, as the inventory strategy decides, or at
 * creation whatever the strategy (cash on delivery has no payment before shipping, so only
 * a lock at creation can stop it from shipping what is not there). */
typedef enum fsm_stock_hook { FSM_STOCK_BY_STRATEGY = 0, FSM_STOCK_ON_CREATE = 1 } fsm_stock_hook;

/* What a state means for the order's units. `locked` is "held as the inventory strategy
 * says": reduce_on_order (and processes with "stock": "on_create") lock at creation,
 * reserve_on_checkout only while a payment is in flight, reduce_on_payment never. */
#define FSM_STOCK_LIST(X)                                                           \
    X(FSM_STOCK_NONE,     "none")     /* nothing committed */                       \
    X(FSM_STOCK_LOCKED,   "locked")   /* reserved as the strategy says */           \
    X(FSM_STOCK_DEDUCTED, "deducted") /* sold: taken from on-hand */                \
    X(FSM_STOCK_RELEASED, "released") /* given back unsold (lock released, or units \
                                         put back if they had been sold) */         \
    X(FSM_STOCK_RETURNED, "returned") /* sold units came back (restocked or written \
                                         off), or a lock released */
typedef enum fsm_stock {
#define FSM__S(code, name) code,
    FSM_STOCK_LIST(FSM__S)
#undef FSM__S
    FSM_STOCK_COUNT
} fsm_stock;

/* What a state means for the order's money. */
#define FSM_MONEY_LIST(X)                                             \
    X(FSM_MONEY_NONE,     "none")     /* nothing taken */             \
    X(FSM_MONEY_CAPTURED, "captured") /* the payable amount is held */\
    X(FSM_MONEY_REFUNDED, "refunded") /* what was taken went back */
typedef enum fsm_money {
#define FSM__M(code, name) code,
    FSM_MONEY_LIST(FSM__M)
#undef FSM__M
    FSM_MONEY_COUNT
} fsm_money;

typedef struct fsm_stance {
    uint8_t stock;   /* fsm_stock */
    uint8_t money;   /* fsm_money */
} fsm_stance;

#define FSM_MAX_STATES 32
#define FSM_MAX_TRANS  128
#define FSM_NAME_MAX   48
#define FSM_NONE       0xFF

typedef struct fsm_transition {
    uint8_t   from;          /* state index */
    uint8_t   action;        /* fsm_action */
    uint8_t   to;            /* state index */
    uint8_t   actors;        /* FSM_ACTOR_BIT mask; 0 means nobody may take it (a lint error) */
    uint8_t   after_kind;    /* fsm_after */
    double    after;         /* seconds, for FSM_AFTER_FIXED */
    int       line, col;     /* where it was defined in a file; 0 for built-ins */
} fsm_transition;

typedef struct fsm_def fsm_def;

/* Looks up a built-in definition ("b2c", "virtual", "cod"). Returns NULL when unknown.
 * The definition is static and shared; never free it. Thread-safe. */
const fsm_def *fsm_builtin(const char *name);
/* The NULL-terminated list of built-in names. */
const char *const *fsm_builtin_names(void);

/* Builds a definition from a parsed JSON document (see docs/processes.md for the format).
 * Every defect is reported into diag with file:line:col and JSON path; on any error returns
 * OS_EDATA and no definition. On success the caller frees *out with fsm_free. Structural
 * lint findings are not errors here; run fsm_lint. */
os_status fsm_load(const jsn_doc *doc, fsm_def **out, os_diag *diag);
/* Loads a built-in by name, or else a file by path. Caller frees with fsm_free (a no-op for
 * built-ins). */
os_status fsm_open(const char *name_or_path, const fsm_def **out, os_diag *diag);
void fsm_free(const fsm_def *def);

/* Checks a definition for unreachable states, states that cannot reach a terminal one,
 * terminal states with outgoing transitions, transitions no actor may take, timers not
 * owned by `system`, several timers out of one state, cycles made only of zero-duration
 * timers, timers on states no order can occupy, terminal states that would keep stock
 * locked, and stances the engine cannot honour (`pay` that does not capture, money captured
 * by another action, `modify` after money or stock moved). Adds one message per finding
 * (file:line:col, states and transitions named) and returns how many errors there were
 * (0 = runnable). Warnings (cycles of timers shorter than 1 s) are added to diag with the
 * prefix "warning: " and counted in *warnings when it is not NULL; they do not refuse. */
int fsm_lint(const fsm_def *def, os_diag *diag);
int fsm_lint_full(const fsm_def *def, os_diag *diag, int *warnings);

/* The O(1) question. Returns OS_OK and the next state in *to when `actor` may take `action`
 * in `state`; OS_EFORBIDDEN when no row exists or the actor is not allowed. */
os_status fsm_next(const fsm_def *def, int state, fsm_action action, fsm_actor actor, int *to);
/* The transition row for (state, action), or NULL. */
const fsm_transition *fsm_row(const fsm_def *def, int state, fsm_action action);
/* True when some transition of the definition takes `action` (e.g. FSM_PRODUCE: its orders
 * are produced and shipped; `virtual` has none). */
bool fsm_has_action(const fsm_def *def, fsm_action action);
/* The timed transition out of `state` (at most one; lint enforces it), or NULL. */
const fsm_transition *fsm_timer(const fsm_def *def, int state);

const char *fsm_name(const fsm_def *def);
int fsm_state_count(const fsm_def *def);
int fsm_initial(const fsm_def *def);
bool fsm_is_terminal(const fsm_def *def, int state);
const char *fsm_state_name(const fsm_def *def, int state);
/* Index of a state by name, or -1. */
int fsm_state_index(const fsm_def *def, const char *name);
int fsm_transition_count(const fsm_def *def);
const fsm_transition *fsm_transition_at(const fsm_def *def, int i);
fsm_stock_hook fsm_stock_hook_of(const fsm_def *def);
/* The stance of state s (declared, or inherited from the built-in the definition names). */
fsm_stance fsm_stance_of(const fsm_def *def, int s);
/* The label `actor` gives state s: its own, or else the state's name. Never NULL. */
const char *fsm_label(const fsm_def *def, int s, fsm_actor actor);
const char *fsm_stock_name(fsm_stock s);
const char *fsm_money_name(fsm_money m);

const char *fsm_action_name(fsm_action a);
const char *fsm_actor_name(fsm_actor a);
const char *fsm_after_name(fsm_after a);
/* Parses names; return -1 when unknown. */
int fsm_action_parse(const char *s);
int fsm_actor_parse(const char *s);

/* Writes the definition as Graphviz dot / a Mermaid stateDiagram / the JSON file format.
 * The _view variants draw the machine as one actor sees it: states by that actor's labels,
 * only the transitions that actor may take (states it cannot act on are still drawn, so
 * the picture shows where an order waits for someone else). FSM_ACTOR_COUNT = all. */
void fsm_write_dot(const fsm_def *def, FILE *out);
void fsm_write_mermaid(const fsm_def *def, FILE *out);
void fsm_write_dot_view(const fsm_def *def, int actor, FILE *out);
void fsm_write_mermaid_view(const fsm_def *def, int actor, FILE *out);
void fsm_write_json(const fsm_def *def, FILE *out);
/* Lists transitions (keyed by from-state name and action) added, removed or changed between
 * two definitions, one line each ("+ paid --cancel--> cancelled [buyer]"), then changed
 * stances and labels of states present in both. Returns the count. */
int fsm_diff(const fsm_def *old_def, const fsm_def *new_def, FILE *out);

#endif
