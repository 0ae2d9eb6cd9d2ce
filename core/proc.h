/*
 * proc.h — the process engine: the order system's one entry point for changing an order.
 *
 * Every change goes through here: proc_apply asks the state machine whether ACTOR may take
 * ACTION in the order's state, and if so runs the action's effects in one place — stock
 * (through the inventory strategy, or a lock at creation when the process says so), money
 * (capture, refund), promotion budgets (consume, give back), risk counters — then moves
 * the order and tells the caller which timer the new state wants. A forbidden action
 * returns OS_EFORBIDDEN, is counted, and changes nothing.
 *
 * The engine owns the inventory, promotions, risk control and order pool of one run.
 */
#ifndef PROC_H
#define PROC_H

#include "fsm.h"
#include "inv.h"
#include "ord.h"
#include "promo.h"
#include "risk.h"

typedef struct proc_sku {
    int64_t  stock;         /* initial units */
    os_money price;         /* cents per unit */
    int32_t  max_per_user;  /* per-user purchase limit, 0 = none */
    uint8_t  warehouse;     /* warehouse index, for splitting at payment */
    uint8_t  merchant;      /* merchant index, for splitting at payment */
    bool     virtual_goods; /* never produced nor shipped (its own process has no production):
                               its lines make no sub-order, whatever the order's process */
} proc_sku;

/* Processes one engine runs at once: orders of one run may follow different machines
 * (physical goods, virtual goods, cash on delivery). */
#define PROC_MAX_FSMS 4
/* A membership tier: its discount is a percent-off promotion that applies only to the tier's
 * orders and stacks by priority with the others; each unit paid earns points. */
#define PROC_MAX_TIERS 8
typedef struct proc_tier {
    char     name[PROMO_ID_MAX]; /* the tier's promotion id in reports */
    int64_t  discount_bp;        /* basis points off (10% = 1000) */
    int      priority;           /* like a promotion's */
    bool     stackable;          /* like a promotion's */
    int32_t  points_per_unit;    /* points earned per unit paid */
} proc_tier;

typedef struct proc_config {
    const fsm_def      *fsm;          /* the process, number 0 (not owned; must outlive the engine) */
    int                 n_more_fsms;  /* further processes orders may follow, numbered 1.. */
    const fsm_def      *more_fsms[PROC_MAX_FSMS - 1]; /* (not owned; must outlive the engine) */
    const inv_strategy *strategy;     /* the inventory strategy */
    inv_opts            opts;         /* strategy options */
    int                 n_skus;       /* catalog size */
    const proc_sku     *skus;         /* catalog (copied) */
    int                 n_promos;     /* promotions */
    const promo_def    *promos;       /* promotions (copied) */
    int                 n_tiers;      /* membership tiers (n_promos + n_tiers <= PROMO_MAX) */
    const proc_tier    *tiers;        /* membership tiers (copied) */
    int32_t             max_unpaid_per_user; /* 0 = no cap */
    bool                ledger;       /* keep the inventory ledger (for replay checks) */
} proc_config;

typedef struct proc_order_req {
    uint64_t    buyer;                /* account */
    uint64_t    customer;             /* visitor */
    bool        malicious;            /* a bot's order */
    bool        flagged;              /* the risk detector's verdict */
    const char *coupon;               /* coupon id presented, or NULL */
    uint8_t     tier;                 /* membership tier, 1-based; 0 = none */
    uint8_t     channel;              /* payment channel the buyer chose (kept in the record) */
    uint32_t    address;              /* shipping address id */
    uint8_t     fsm;                  /* the order's process: 0 = proc_config.fsm, k = more_fsms[k - 1] */
    int         n_lines;              /* lines used */
    inv_line    lines[ORD_MAX_LINES]; /* distinct SKUs, qty >= 1 */
} proc_order_req;

typedef struct proc_args {
    bool     restock;     /* return_receive: the goods go back on sale (else written off) */
    int32_t  new_qty;     /* modify: new quantity of line 0 */
    uint32_t new_address; /* modify_address: the new shipping address id */
    uint8_t  line;        /* into a returned state: 0 = the whole order comes back; k = only
                             line k-1 (a partial return, with restitution; the whole order
                             when it has one line) */
    bool     write_off;   /* into a released state: sold units are written off, not put back
                             on sale (a shortfall found at picking) */
} proc_args;

typedef struct proc_result {
    int      from, to;        /* states before and after */
    int64_t  shortfall;       /* pay: units sold beyond on-hand */
    bool     oversell_refund; /* pay: oversold under the refund policy, order refunded */
    os_money refund;          /* money given back by this action (the refund record) */
    os_money discount_back;   /* partial return: discount the kept lines no longer qualify for */
    uint32_t points_awarded;  /* membership points earned by this action (payment) */
    uint32_t points_back;     /* membership points returned by this action (refund, return) */
    bool     partial;         /* a partial return: one line came back, the order kept the rest */
    bool     settled;         /* an order never paid was closed (told to risk control) */
    const fsm_transition *timer; /* the new state's timed transition, or NULL */
} proc_result;

typedef struct proc_engine proc_engine;

/* Creates an engine; cfg is copied (fsm and strategy are referenced). Caller destroys. */
proc_engine *proc_create(const proc_config *cfg);
void proc_destroy(proc_engine *pe);

/* Places an order, following process rq->fsm. Returns OS_EINVAL for bad lines (unknown SKU,
 * qty < 1, repeated SKU, too many lines) or an unknown process, OS_ERISK / OS_ELIMIT when risk control blocks it, OS_ESTOCK when stock is too
 * low for the strategy; nothing changes then. On OS_OK *out is the new order in the initial
 * state (owned by the engine; close it with proc_close once terminal). */
os_status proc_create_order(proc_engine *pe, const proc_order_req *rq, double t, ord_order **out);

/* Which order steps change a SKU's stock row, for a simulator that makes stock operations
 * cost time (docs/scenarios.md "Stock store"): creation of an order of process `fsm` locks
 * stock (its initial state holds stock locked); a payment start of o locks (the strategy
 * locks at checkout and o holds no lock); a successful payment of o deducts on-hand stock
 * (o holds no lock and the state paid into deducts). */
bool proc_create_locks(const proc_engine *pe, int fsm);
bool proc_pay_start_locks(const proc_engine *pe, const ord_order *o);
bool proc_pay_deducts(const proc_engine *pe, const ord_order *o);

/* The buyer starts paying. OS_EFORBIDDEN when the state does not allow `pay` by the buyer
 * or a payment is already in flight. OS_ESTOCK when revalidation or the checkout lock fails:
 * the order is then rejected (moved by `reject`, as system) and is terminal. */
os_status proc_pay_start(proc_engine *pe, ord_order *o, double t);
/* The payment failed: the order stays as it is, minus what payment start took. */
os_status proc_pay_fail(proc_engine *pe, ord_order *o, double t);

/* Applies an action: moves the order and derives every effect from the stances of the state
 * left and the state entered (see fsm.h). `args` may be NULL. `res` (may be NULL) says what
 * happened. OS_EFORBIDDEN (counted) when the process does not allow it, or for `modify`
 * once money or units moved; OS_ESTOCK, nothing changed, when the entered state needs a
 * lock or (for an action other than pay) a sale the stock cannot give, or a `modify` more
 * units than the stock gives; OS_ELIMIT, nothing changed, for a `modify` that would take
 * the buyer past a per-user limit; OS_EDATA once the loop guard has tripped
 * (proc_loop_error). A `modify` re-prices the order with the coupon it presented. */
os_status proc_apply(proc_engine *pe, ord_order *o, fsm_action action, fsm_actor actor, double t,
                     const proc_args *args, proc_result *res);

/* Observes every transition (and creation, with from = -1 and action = FSM_ACTION_COUNT):
 * for ledgers and debugging. `shortfall` is the oversold units of a payment, else 0.
 * Called after the order has moved. NULL fn removes the observer. */
typedef void (*proc_observer)(void *ctx, const ord_order *o, int action, fsm_actor actor, int from, int to,
                              double t, int64_t shortfall);
void proc_set_observer(proc_engine *pe, proc_observer fn, void *ctx);

/* Transitions one order may make at one virtual instant before the engine stops. */
#define PROC_MAX_HOPS 64

/* NULL while the engine runs; once an order has made more than PROC_MAX_HOPS transitions
 * at one instant, the message naming it and its path of states (owned by the engine).
 * From then on proc_apply refuses everything with OS_EDATA: the caller must stop. */
const char *proc_loop_error(const proc_engine *pe);

/* Returns a terminal order to the pool, closing its money account. */
void proc_close(proc_engine *pe, ord_order *o);

/* Checks every invariant: stock conservation (ledger replay when on), locks held by live
 * orders equal to the inventory's, money conservation (captured = kept + refunded), every
 * order in a state of its process, no oversell under a strategy that must not, promotion
 * budgets in range, points conservation (awarded = returned + held by open orders + kept
 * by closed ones). Adds one message per breach; returns how many. */
int proc_check(const proc_engine *pe, os_diag *diag);

const inv_store *proc_inventory(const proc_engine *pe);
/* The promotion book: the scenario's promotions, then one per membership tier. */
const promo_book *proc_promotions(const proc_engine *pe);
const fsm_def *proc_fsm(const proc_engine *pe);
/* Process number p (0 = proc_fsm), or NULL beyond those configured. */
const fsm_def *proc_fsm_at(const proc_engine *pe, int p);
/* The process order o follows. */
static inline const fsm_def *proc_fsm_of(const proc_engine *pe, const ord_order *o) { return proc_fsm_at(pe, o->fsm); }
const ord_pool *proc_orders(const proc_engine *pe);
/* The run's promotions (budgets left, skips), owned by the engine. */
const promo_book *proc_promotions(const proc_engine *pe);
/* Orders of process 0 now in state s. */
int64_t proc_in_state(const proc_engine *pe, int s);
/* Orders of process 0 that ever entered state s. */
int64_t proc_entered(const proc_engine *pe, int s);
/* The same for process p's state s. */
int64_t proc_in_state_of(const proc_engine *pe, int p, int s);
int64_t proc_entered_of(const proc_engine *pe, int p, int s);
/* Coupons presented past their per_customer limit so far (the order went on without it). */
int64_t proc_coupons_refused(const proc_engine *pe);
/* Forbidden actions attempted so far. */
int64_t proc_forbidden(const proc_engine *pe);
/* Membership points awarded and returned so far. */
int64_t proc_points_awarded(const proc_engine *pe);
int64_t proc_points_returned(const proc_engine *pe);
/* Money totals, cents (128-bit: they cannot overflow). */
os_money_total proc_captured(const proc_engine *pe);
os_money_total proc_refunded(const proc_engine *pe);

#endif
