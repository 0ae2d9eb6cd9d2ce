/*
 * inv.h — stock per SKU, as counters derived from an append-only ledger of movements, and
 * the inventory strategies that decide when an order's units move.
 *
 * Counters per SKU (all in units):
 *   on_hand   = stock0 + restocked - sold       (negative only when overselling is allowed)
 *   locked    = units held by unpaid orders (locked_malicious: the part held by bots)
 *   available = on_hand - locked
 * Every change is one movement; with the ledger on, movements are kept so inv_check can
 * replay them and prove the counters (like Magento's inventory reservations).
 *
 * Strategies are descriptors found by name; each hook works on one order's lines and on
 * the order's `holds_lock` flag, which is the single source of truth for whether the order
 * has units locked. Locking is all-or-nothing across the lines of an order.
 */
#ifndef INV_H
#define INV_H

#include "os.h"

#define INV_MOVE_LIST(X)                                                   \
    X(INV_LOCK,        "lock")         /* available -> locked */          \
    X(INV_UNLOCK,      "unlock")       /* locked -> available */          \
    X(INV_SELL_LOCKED, "sell_locked")  /* locked -> sold */               \
    X(INV_SELL,        "sell")         /* on hand -> sold (may oversell) */\
    X(INV_RESTOCK,     "restock")      /* sold -> on hand */              \
    X(INV_WRITE_OFF,   "write_off")    /* returned, not resaleable */

typedef enum inv_move_kind {
#define INV__M(code, name) code,
    INV_MOVE_LIST(INV__M)
#undef INV__M
    INV_MOVE_COUNT
} inv_move_kind;

typedef struct inv_move {
    double   t;          /* virtual time */
    uint64_t order;      /* order id */
    uint32_t sku;        /* SKU index */
    int32_t  qty;        /* units, > 0 */
    uint8_t  kind;       /* inv_move_kind */
    uint8_t  malicious;  /* the order is a bot's */
} inv_move;

typedef struct inv_counts {
    int64_t stock0;           /* initial stock */
    int64_t on_hand;          /* stock0 + restocked - sold */
    int64_t locked;           /* held by unpaid orders */
    int64_t locked_malicious; /* part of locked held by bots */
    int64_t sold;             /* cumulative units sold, oversold included */
    int64_t oversold;         /* cumulative units sold beyond on-hand */
    int64_t restocked;        /* cumulative units returned to stock */
    int64_t written_off;      /* cumulative returned units not resaleable */
} inv_counts;

typedef struct inv_line {
    uint32_t sku;        /* SKU index */
    int32_t  qty;        /* units, >= 1 */
} inv_line;

typedef struct inv_store inv_store;

/* Totals across SKUs, kept incrementally. inv_totals returns a pointer the caller may keep
 * for the store's lifetime and read on every event without a call. */
typedef struct inv_totals {
    int64_t locked;           /* units held by unpaid orders */
    int64_t locked_malicious; /* part held by bots */
    int64_t sold;             /* cumulative units sold */
    int64_t oversold;         /* cumulative units oversold */
    int     out;              /* SKUs with available <= 0 */
} inv_totals;
const inv_totals *inv_totals_of(const inv_store *s);

/* Creates a store of n SKUs with the given initial stock (copied). With `ledger`, every
 * movement is kept (memory grows with movements). Caller destroys. */
inv_store *inv_create(int n, const int64_t *stock0, bool ledger);
void inv_destroy(inv_store *s);

int inv_sku_count(const inv_store *s);
const inv_counts *inv_sku(const inv_store *s, uint32_t sku);
/* Totals across SKUs, kept incrementally (O(1)). */
int64_t inv_total_locked(const inv_store *s);
int64_t inv_total_locked_malicious(const inv_store *s);
int64_t inv_total_sold(const inv_store *s);
int64_t inv_total_oversold(const inv_store *s);
/* SKUs whose available stock is <= 0 right now. */
int inv_skus_out(const inv_store *s);
static inline int64_t inv_available(const inv_counts *c) { return c->on_hand - c->locked; }

/* Movements. Each returns OS_ESTOCK and changes nothing when it cannot apply. */
os_status inv_lock(inv_store *s, const inv_line *l, int n, bool malicious, uint64_t order, double t);
void inv_unlock(inv_store *s, const inv_line *l, int n, bool malicious, uint64_t order, double t);
void inv_sell_locked(inv_store *s, const inv_line *l, int n, bool malicious, uint64_t order, double t);
/* Sells from on-hand; *shortfall gets sum of qty - max(on_hand, 0). With allow_oversell
 * false and a shortfall, nothing changes and OS_ESTOCK is returned. */
os_status inv_sell(inv_store *s, const inv_line *l, int n, bool allow_oversell, uint64_t order, double t,
                   int64_t *shortfall);
void inv_restock(inv_store *s, uint32_t sku, int32_t qty, uint64_t order, double t);
void inv_write_off(inv_store *s, uint32_t sku, int32_t qty, uint64_t order, double t);
/* True when every line's available (on_hand - locked) covers its quantity. */
bool inv_can_lock(const inv_store *s, const inv_line *l, int n);
/* True when some line's available stock does not cover its quantity while units of that
 * same SKU are locked: the request was turned away by stock other orders hold, not by stock
 * that is gone. Locks on other SKUs do not count. */
bool inv_short_while_locked(const inv_store *s, const inv_line *l, int n);
/* True when every line's on_hand covers its quantity (the revalidation test). */
bool inv_on_hand_covers(const inv_store *s, const inv_line *l, int n);

/* Replays the ledger (when on) and checks it against the counters, and checks the
 * counters against each other. Adds one message per breach; returns how many. */
int inv_check(const inv_store *s, os_diag *diag);
const char *inv_move_name(inv_move_kind k);

/* ---- strategies -------------------------------------------------------------------- */

typedef struct inv_opts {
    bool revalidate;        /* reduce_on_payment: check on-hand again when payment starts */
    bool oversell_refund;   /* reduce_on_payment: refund an oversold order instead of backorder */
} inv_opts;

/* One order's view for the hooks. `holds_lock` is the order's own flag. */
typedef struct inv_req {
    const inv_line *lines;  /* the order's lines */
    int             n;      /* line count */
    bool            malicious; /* the order is a bot's */
    uint64_t        order;  /* order id, for the ledger */
    double          t;      /* virtual time */
    bool           *holds_lock; /* in/out: the order has its units locked */
} inv_req;

/* When a strategy moves an order's stock. X(ID, name as `ordersim strategies` prints it). */
#define INV_MOMENT_LIST(X)                  \
    X(NEVER,           "never")             \
    X(ORDER_CREATION,  "order_creation")    \
    X(PAYMENT_START,   "payment_start")     \
    X(PAYMENT,         "payment")

typedef enum inv_moment {
#define INV__MO(id, name) INV_AT_##id,
    INV_MOMENT_LIST(INV__MO)
#undef INV__MO
    INV_MOMENT_COUNT
} inv_moment;

const char *inv_moment_name(inv_moment m);

/* A strategy is a descriptor: what it does (the hooks) and what that means, stated as data
 * (when it locks, when it deducts, whether it may oversell), so no caller tells strategies
 * apart by name or by address. Hooks and facts must agree (tests/test_strategy.c checks it
 * on a run of each strategy). */
typedef struct inv_strategy {
    const char *name;       /* as scenarios spell it */
    const char *summary;    /* one line for reports */
    inv_moment  locks_at;   /* when the order's units are locked: never, at creation or at payment start */
    inv_moment  deducts_at; /* when on-hand stock is reduced (the sale) */
    bool        may_oversell; /* false: on_hand never goes below zero; read it through inv_strategy_may_oversell */
    /* Order creation: lock (OS_ESTOCK when too few available) or only check. */
    os_status (*on_create)(inv_store *s, const inv_opts *o, const inv_req *r);
    /* Payment starts: revalidate or lock; OS_ESTOCK rejects the order. */
    os_status (*on_pay_start)(inv_store *s, const inv_opts *o, const inv_req *r);
    /* Payment succeeded: sell. OS_ESTOCK means oversold with refund policy (no change);
     * *shortfall gets the oversold units either way. */
    os_status (*on_pay_success)(inv_store *s, const inv_opts *o, const inv_req *r, int64_t *shortfall);
    /* Payment failed: give back what payment start took. */
    void (*on_pay_fail)(inv_store *s, const inv_opts *o, const inv_req *r);
} inv_strategy;

/* Finds a strategy by name; NULL when unknown. */
const inv_strategy *inv_strategy_find(const char *name);
/* The NULL-terminated list of all strategies, in the order `compare` runs them. */
const inv_strategy *const *inv_strategies(void);
/* The first strategy (in inv_strategies order) that locks at moment m; NULL when none. A
 * process that commits stock at creation (cash on delivery) runs its creation under the one
 * that locks at order creation, whatever the scenario's strategy. */
const inv_strategy *inv_strategy_locking_at(inv_moment m);
/* Whether stock can go below zero under strategy st: the one place that answers it (the
 * simulator's invariants, the oversold check, the scenario warnings all ask here, never
 * the field). Today it is the descriptor's may_oversell; when stock stores and injected
 * faults arrive, it becomes a function of the strategy, the store and the faults, and this
 * is where their arguments go. */
bool inv_strategy_may_oversell(const inv_strategy *st);
/* Releases the order's lock if it holds one (cancel, expiry, rejection). */
void inv_release(inv_store *s, const inv_req *r);

#endif
