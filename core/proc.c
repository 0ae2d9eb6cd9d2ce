/*
 * proc.c — the process engine. See proc.h.
 *
 * Effects come from stances, not from action or state names. Every state says what it
 * means for the order's units (none, locked, deducted, released, returned) and money (none,
 * captured, refunded). On every transition proc__settle compares what the order holds —
 * its facts: holds_lock, ORD_SOLD, captured - refunded, which mirror the stance of the
 * state it leaves — with what the entered state's stance says it must hold under the
 * inventory strategy, and moves exactly the difference, through the inventory's movements
 * and the money account. Because effects are differences of holdings, any path (loops,
 * refund then expire, a timer into a terminal state) conserves stock, money and promotion
 * budgets by construction. The only action-specific effects left are `modify` (which
 * changes the lines) and the two-step payment (start, then pay or fail), which is where
 * the strategies differ.
 *
 * The loop guard: an order that makes more than PROC_MAX_HOPS transitions at one virtual
 * instant (a cycle of zero-duration timers, say) stops the engine; proc_loop_error then
 * names the order and its path of states, and every later proc_apply refuses.
 */
#include "proc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PROC_TRACE 24  /* states of the looping order's path kept for the message */

struct proc_engine {
    const fsm_def      *fsms[PROC_MAX_FSMS]; /* processes: [0] the scenario's, then the others orders may follow */
    int                 n_fsms;     /* processes in use */
    bool                produces[PROC_MAX_FSMS]; /* the process has production: its orders make sub-orders */
    const inv_strategy *strat;      /* strategy in force */
    inv_opts            opts;       /* its options */
    int                 n_skus;     /* catalog size */
    proc_sku           *skus;       /* catalog */
    inv_store          *inv;        /* stock */
    promo_book         *promos;     /* promotions, then one per membership tier */
    int                 n_tiers;    /* membership tiers */
    int32_t             points_per_unit[PROC_MAX_TIERS + 1]; /* per tier, 1-based ([0] = 0) */
    int64_t             points_awarded; /* all membership points earned */
    int64_t             points_returned;/* all given back by refunds and returns */
    int64_t             closed_points;  /* points kept by closed orders */
    risk_ctl           *risk;       /* risk control (and the coupons' uses per customer) */
    int8_t              coupon_k[PROMO_MAX]; /* promotion -> its per-customer counter in risk, -1 = unlimited */
    int64_t             coupons_refused;    /* coupons presented past their per_customer limit */
    ord_pool           *pool;       /* orders */
    int64_t             in_state[PROC_MAX_FSMS][FSM_MAX_STATES]; /* orders now in each state, per process */
    int64_t             entered[PROC_MAX_FSMS][FSM_MAX_STATES];  /* orders that ever entered each state */
    int64_t             forbidden;  /* forbidden actions attempted */
    os_money_total      captured;   /* all money taken */
    os_money_total      refunded;   /* all money given back */
    os_money_total      closed_kept;/* captured - refunded over closed orders */
    proc_observer       obs;        /* transition observer, or NULL */
    void               *obs_ctx;    /* its context */
    uint64_t            trace_order;/* order whose hops are being traced (loop guard), 0 none */
    int                 trace_n;    /* states traced */
    uint8_t             trace[PROC_TRACE];   /* its states, in order */
    char                loop[1536]; /* the loop guard's message once tripped, else "" */
};

void proc_set_observer(proc_engine *pe, proc_observer fn, void *ctx)
{
    pe->obs = fn;
    pe->obs_ctx = ctx;
}

/* The promotion book: the scenario's promotions, then one percent-off promotion per
 * membership tier that applies only to that tier's orders. */
static promo_book *proc__promotions(const proc_config *c)
{
    OS_ASSERT(c->n_tiers >= 0 && c->n_tiers <= PROC_MAX_TIERS && c->n_promos + c->n_tiers <= PROMO_MAX);
    promo_def defs[PROMO_MAX];
    if (c->n_promos) memcpy(defs, c->promos, (size_t)c->n_promos * sizeof *defs);   /* promos may be NULL when there are none */
    for (int i = 0; i < c->n_tiers; i++) {
        const proc_tier *t = &c->tiers[i];
        promo_def *d = &defs[c->n_promos + i];
        *d = (promo_def){ .type = PROMO_PERCENT_OFF, .percent_bp = t->discount_bp, .priority = t->priority,
                          .stackable = t->stackable, .budget = PROMO_UNLIMITED, .return_budget = true,
                          .tier = (uint8_t)(i + 1) };
        snprintf(d->id, sizeof d->id, "%s", t->name);
    }
    return promo_create(defs, c->n_promos + c->n_tiers);
}

proc_engine *proc_create(const proc_config *c)
{
    proc_engine *pe = xcalloc(1, sizeof *pe);
    pe->fsms[0] = c->fsm;
    pe->n_fsms = 1;
    OS_ASSERT(c->n_more_fsms >= 0 && c->n_more_fsms < PROC_MAX_FSMS);
    for (int i = 0; i < c->n_more_fsms; i++) pe->fsms[pe->n_fsms++] = c->more_fsms[i];
    for (int i = 0; i < pe->n_fsms; i++) pe->produces[i] = fsm_has_action(pe->fsms[i], FSM_PRODUCE);
    pe->strat = c->strategy;
    pe->opts = c->opts;
    pe->n_skus = c->n_skus;
    pe->skus = xcalloc((size_t)(c->n_skus ? c->n_skus : 1), sizeof *pe->skus);
    memcpy(pe->skus, c->skus, (size_t)c->n_skus * sizeof *pe->skus);
    int64_t *stock = xcalloc((size_t)(c->n_skus ? c->n_skus : 1), sizeof *stock);
    int32_t *limit = xcalloc((size_t)(c->n_skus ? c->n_skus : 1), sizeof *limit);
    for (int i = 0; i < c->n_skus; i++) {
        stock[i] = c->skus[i].stock;
        limit[i] = c->skus[i].max_per_user;
    }
    pe->inv = inv_create(c->n_skus, stock, c->ledger);
    pe->risk = risk_create(c->n_skus, limit, c->max_unpaid_per_user);
    free(stock);
    free(limit);
    pe->promos = proc__promotions(c);
    int nk = 0;
    for (int i = 0; i < PROMO_MAX; i++) pe->coupon_k[i] = -1;
    for (int i = 0; i < c->n_promos; i++)
        if (c->promos[i].type == PROMO_COUPON && c->promos[i].per_customer > 0) pe->coupon_k[i] = (int8_t)nk++;
    risk_add_counters(pe->risk, nk);
    pe->n_tiers = c->n_tiers;
    for (int i = 0; i < c->n_tiers; i++) pe->points_per_unit[i + 1] = c->tiers[i].points_per_unit;
    pe->pool = ord_pool_create();
    return pe;
}

void proc_destroy(proc_engine *pe)
{
    if (!pe) return;
    inv_destroy(pe->inv);
    risk_destroy(pe->risk);
    promo_destroy(pe->promos);
    ord_pool_destroy(pe->pool);
    free(pe->skus);
    free(pe);
}

static inv_req proc__req(ord_order *o, double t)
{
    return (inv_req){ o->lines, o->n_lines, (o->flags & ORD_MALICIOUS) != 0, o->id, t, &o->holds_lock };
}

/* The strategy that governs creation: processes that commit stock at creation (cash on
 * delivery) always lock then, whatever the scenario's strategy. */
static const inv_strategy *proc__create_strategy(const proc_engine *pe, const fsm_def *def)
{
    if (fsm_stock_hook_of(def) != FSM_STOCK_ON_CREATE) return pe->strat;
    const inv_strategy *st = inv_strategy_locking_at(INV_AT_ORDER_CREATION);
    OS_ASSERT(st);   /* some strategy must lock at creation, or cash on delivery cannot run */
    return st;
}

/* What creation does with stock: the create strategy's hook when the initial state holds
 * stock locked, else only the availability check (an initial state with stock "none" has
 * committed nothing yet; lint refuses any other initial stance). */
static os_status proc__create_stock(const proc_engine *pe, const fsm_def *def, inv_req *r)
{
    if (fsm_stance_of(def, fsm_initial(def)).stock != FSM_STOCK_LOCKED)
        return inv_can_lock(pe->inv, r->lines, r->n) ? OS_OK : OS_ESTOCK;
    return proc__create_strategy(pe, def)->on_create(pe->inv, &pe->opts, r);
}

/* Sum of quantity x catalog unit price over the order's lines, in cents. */
static os_money proc__list_total(const proc_engine *pe, const ord_order *o)
{
    os_money t = 0;
    for (int i = 0; i < o->n_lines; i++) t += (os_money)o->lines[i].qty * pe->skus[o->lines[i].sku].price;
    return t;
}

/* Counts (delta +1) or gives back (-1) the order's uses of coupons limited per customer:
 * an order carries a use from creation until its promotions are given back. */
static void proc__coupon_uses(proc_engine *pe, const ord_order *o, int delta)
{
    for (int k = 0; k < o->price.n; k++) {
        int c = pe->coupon_k[o->price.promo[k]];
        if (c >= 0) risk_counter_add(pe->risk, o->buyer, c, delta);
    }
}

/* The coupon the order presents: rq->coupon, unless the account already carries it on
 * per_customer orders (then none, counted). */
static const char *proc__coupon(proc_engine *pe, const proc_order_req *rq)
{
    int i = rq->coupon ? promo_find(pe->promos, rq->coupon) : -1;
    if (i < 0 || i >= PROMO_MAX || pe->coupon_k[i] < 0) return rq->coupon;
    if (risk_counter(pe->risk, rq->buyer, pe->coupon_k[i]) < promo_def_at(pe->promos, i)->per_customer) return rq->coupon;
    pe->coupons_refused++;
    return NULL;
}

static void proc__enter(proc_engine *pe, ord_order *o, int to)
{
    pe->in_state[o->fsm][o->state]--;
    pe->in_state[o->fsm][to]++;
    pe->entered[o->fsm][to]++;
    o->state = (uint8_t)to;
}

os_status proc_create_order(proc_engine *pe, const proc_order_req *rq, double t, ord_order **out)
{
    *out = NULL;
    if (rq->n_lines < 1 || rq->n_lines > ORD_MAX_LINES) return OS_EINVAL;
    for (int i = 0; i < rq->n_lines; i++) {
        if (rq->lines[i].sku >= (uint32_t)pe->n_skus || rq->lines[i].qty < 1) return OS_EINVAL;
        for (int j = 0; j < i; j++)
            if (rq->lines[j].sku == rq->lines[i].sku) return OS_EINVAL;
    }
    if (rq->fsm >= pe->n_fsms) return OS_EINVAL;
    const fsm_def *def = pe->fsms[rq->fsm];
    if (rq->tier > pe->n_tiers) return OS_EINVAL;
    os_status st = risk_admit(pe->risk, rq->buyer, rq->lines, rq->n_lines, rq->flagged);
    if (st != OS_OK) return st;

    /* The stock decision comes before the order exists, so a crowd turned away at a sold-out
     * flash sale costs no allocation. The order id the ledger records is the one the order
     * will get. */
    bool holds_lock = false;
    inv_req r = { rq->lines, rq->n_lines, rq->malicious, ord_next_id(pe->pool), t, &holds_lock };
    st = proc__create_stock(pe, def, &r);
    if (st != OS_OK) {
        risk_on_closed_unpaid(pe->risk, rq->buyer, rq->lines, rq->n_lines);
        return st;
    }
    ord_order *o = ord_alloc(pe->pool);
    OS_ASSERT(o->id == r.order);
    o->holds_lock = holds_lock;
    o->buyer = rq->buyer;
    o->customer = rq->customer;
    o->address = rq->address;
    o->tier = rq->tier;
    o->channel = rq->channel;
    o->n_lines = (uint8_t)rq->n_lines;
    if (rq->malicious) o->flags |= ORD_MALICIOUS;
    for (int i = 0; i < rq->n_lines; i++) o->lines[i] = rq->lines[i];
    o->t_created = t;
    promo_apply_tier(pe->promos, proc__list_total(pe, o), proc__coupon(pe, rq), o->tier, &o->price);
    proc__coupon_uses(pe, o, 1);
    o->fsm = rq->fsm;
    o->state = (uint8_t)fsm_initial(def);
    pe->in_state[o->fsm][o->state]++;
    pe->entered[o->fsm][o->state]++;
    if (pe->obs) pe->obs(pe->obs_ctx, o, FSM_ACTION_COUNT, FSM_BUYER, -1, o->state, t, 0);
    *out = o;
    return OS_OK;
}

os_status proc_pay_start(proc_engine *pe, ord_order *o, double t)
{
    int to;
    if ((o->flags & ORD_PAYING) || fsm_next(pe->fsms[o->fsm], o->state, FSM_PAY, FSM_BUYER, &to) != OS_OK) {
        pe->forbidden++;
        return OS_EFORBIDDEN;
    }
    if (o->captured != o->refunded) {     /* an order pays once (lint refuses a second pay) */
        pe->forbidden++;
        return OS_EFORBIDDEN;
    }
    if (fsm_stock_hook_of(pe->fsms[o->fsm]) == FSM_STOCK_BY_STRATEGY && !(o->flags & ORD_SOLD)) {
        inv_req r = proc__req(o, t);
        if (pe->strat->on_pay_start(pe->inv, &pe->opts, &r) != OS_OK) {
            os_status st = proc_apply(pe, o, FSM_REJECT, FSM_SYSTEM, t, NULL, NULL);
            OS_ASSERT(st == OS_OK || st == OS_EFORBIDDEN);
            return OS_ESTOCK;
        }
    }
    o->flags |= ORD_PAYING;
    return OS_OK;
}

bool proc_create_locks(const proc_engine *pe, int fsm)
{
    const fsm_def *def = pe->fsms[fsm];
    return fsm_stance_of(def, fsm_initial(def)).stock == FSM_STOCK_LOCKED;
}

bool proc_pay_start_locks(const proc_engine *pe, const ord_order *o)
{
    return pe->strat->locks_at == INV_AT_PAYMENT_START && fsm_stock_hook_of(pe->fsms[o->fsm]) == FSM_STOCK_BY_STRATEGY &&
           !(o->flags & ORD_SOLD) && !o->holds_lock;
}

bool proc_pay_deducts(const proc_engine *pe, const ord_order *o)
{
    int to;
    if (o->holds_lock || (o->flags & ORD_SOLD) || fsm_next(pe->fsms[o->fsm], o->state, FSM_PAY, FSM_BUYER, &to) != OS_OK) return false;
    return fsm_stance_of(pe->fsms[o->fsm], to).stock == FSM_STOCK_DEDUCTED;
}

os_status proc_pay_fail(proc_engine *pe, ord_order *o, double t)
{
    if (!(o->flags & ORD_PAYING)) return OS_EINVAL;
    o->flags &= (uint8_t)~ORD_PAYING;
    if (fsm_stock_hook_of(pe->fsms[o->fsm]) == FSM_STOCK_BY_STRATEGY && !(o->flags & ORD_SOLD)) {
        inv_req r = proc__req(o, t);
        pe->strat->on_pay_fail(pe->inv, &pe->opts, &r);
    }
    return OS_OK;
}

/* True when the strategy in force holds a lock for every order in a locked state (not
 * only while it pays): a strategy that locks at creation (reduce_on_order), and any
 * strategy under a process that commits stock at creation. */
static bool proc__locks_while_locked(const proc_engine *pe, const ord_order *o)
{
    return proc__create_strategy(pe, pe->fsms[o->fsm])->locks_at == INV_AT_ORDER_CREATION;
}

/* Releases a held lock, and puts sold units back (restock) or writes them off. */
static void proc__give_back_units(proc_engine *pe, ord_order *o, bool restock, double t)
{
    inv_req r = proc__req(o, t);
    inv_release(pe->inv, &r);
    if (!(o->flags & ORD_SOLD)) return;
    for (int i = 0; i < o->n_lines; i++) {
        if (restock) inv_restock(pe->inv, o->lines[i].sku, o->lines[i].qty, o->id, t);
        else inv_write_off(pe->inv, o->lines[i].sku, o->lines[i].qty, o->id, t);
    }
    o->flags &= (uint8_t)~ORD_SOLD;
}

/* Splits a paid order into one sub-order per distinct (warehouse, merchant) of its lines, in
 * line order. Lines of virtual goods make none, and an order whose process never produces
 * has none: sub-orders are warehouse jobs. */
static void proc__split(const proc_engine *pe, ord_order *o)
{
    o->n_sub = 0;
    for (int i = 0; i < o->n_lines; i++) {
        if (!pe->produces[o->fsm] || pe->skus[o->lines[i].sku].virtual_goods) continue;   /* never picked nor shipped */
        uint8_t wh = pe->skus[o->lines[i].sku].warehouse, mer = pe->skus[o->lines[i].sku].merchant;
        bool seen = false;
        for (int k = 0; k < o->n_sub; k++) seen |= o->sub_wh[k] == wh && o->sub_merchant[k] == mer;
        if (!seen) {
            o->sub_wh[o->n_sub] = wh;
            o->sub_merchant[o->n_sub++] = mer;
        }
    }
}

/* What moving the order's units from one stock stance to another takes. The table is the
 * whole stock policy; proc__stock executes a row against the order's facts (a lock or a
 * sale it does not hold is not given back, one it already holds is not taken again). */
enum {
    PROC_KEEP    = 0,       /* nothing changes */
    PROC_ACQUIRE = 1u << 0, /* lock, if the strategy locks outside payment (may fail) */
    PROC_SELL    = 1u << 1, /* sell: the lock if held, else from on-hand (may fail) */
    PROC_RELEASE = 1u << 2, /* release a lock; put sold units back on sale */
    PROC_RETURN  = 1u << 3, /* release a lock; sold units back, restocked or written off */
};
static const uint8_t proc__stock_table[][FSM_STOCK_COUNT] = {
    /* to:               none          locked                       deducted   released      returned */
    [FSM_STOCK_NONE]     = { PROC_KEEP,    PROC_ACQUIRE,                PROC_SELL, PROC_RELEASE, PROC_RETURN },
    [FSM_STOCK_LOCKED]   = { PROC_RELEASE, PROC_KEEP,                   PROC_SELL, PROC_RELEASE, PROC_RETURN },
    [FSM_STOCK_DEDUCTED] = { PROC_RELEASE, PROC_RELEASE | PROC_ACQUIRE, PROC_KEEP, PROC_RELEASE, PROC_RETURN },
    [FSM_STOCK_RELEASED] = { PROC_KEEP,    PROC_ACQUIRE,                PROC_SELL, PROC_KEEP,    PROC_KEEP },
    [FSM_STOCK_RETURNED] = { PROC_KEEP,    PROC_ACQUIRE,                PROC_SELL, PROC_KEEP,    PROC_KEEP },
};
_Static_assert(OS_COUNT_OF(proc__stock_table) == FSM_STOCK_COUNT, "a row per stance left");

/* Moves the order's units as `op` says. Returns OS_ESTOCK, having changed nothing, when a
 * lock (with nothing given back first) or a sale cannot be had; for a sale the caller decides (a payment goes on and is
 * refunded: the oversell-refund policy; any other action is refused). *shortfall gets the
 * units sold beyond on-hand. */
static os_status proc__stock(proc_engine *pe, ord_order *o, unsigned op, bool restock, double t, int64_t *shortfall)
{
    inv_req r = proc__req(o, t);
    *shortfall = 0;
    if (op & (PROC_RELEASE | PROC_RETURN)) proc__give_back_units(pe, o, restock, t);
    if ((op & PROC_ACQUIRE) && !o->holds_lock && !(o->flags & ORD_SOLD) && proc__locks_while_locked(pe, o)) {
        if (inv_lock(pe->inv, o->lines, o->n_lines, r.malicious, o->id, t) == OS_OK) o->holds_lock = true;
        else if (!(op & (PROC_RELEASE | PROC_RETURN))) return OS_ESTOCK;
        /* else: units just put back could not be locked again (stock oversold meanwhile);
         * the order holds nothing, which is consistent, and the move goes on */
    }
    if ((op & PROC_SELL) && !(o->flags & ORD_SOLD)) {
        if (o->holds_lock) {
            inv_sell_locked(pe->inv, o->lines, o->n_lines, r.malicious, o->id, t);
            o->holds_lock = false;
        } else if (inv_sell(pe->inv, o->lines, o->n_lines, inv_strategy_may_oversell(pe->strat) && !pe->opts.oversell_refund, o->id, t,
                            shortfall) != OS_OK) {
            return OS_ESTOCK;
        }
        o->flags |= ORD_SOLD;
    }
    return OS_OK;
}

/* Membership points `n` lines earn: units x the order's tier's points per unit. */
static uint32_t proc__points(const proc_engine *pe, const ord_order *o, const inv_line *l, int n)
{
    int64_t p = 0;
    for (int i = 0; i < n; i++) p += (int64_t)l[i].qty * pe->points_per_unit[o->tier];
    OS_ASSERT(p >= 0 && p <= UINT32_MAX);
    return (uint32_t)p;
}

/* Moves money to what the entered state's stance says: the payable amount held when
 * captured, nothing otherwise. Returns what was refunded. */
static os_money proc__money(proc_engine *pe, ord_order *o, fsm_money to, proc_result *res)
{
    os_money held = o->captured - o->refunded;
    if (to == FSM_MONEY_CAPTURED) {
        os_money add = o->price.payable - held;
        if (add > 0) {
            o->captured += add;
            pe->captured += add;
        }
        if (!(o->flags & ORD_PAID)) {
            o->flags |= ORD_PAID;
            /* an order already settled (undone while unpaid, then paid by a custom process)
             * left the unpaid count then: not again */
            if (!(o->flags & ORD_SETTLED)) risk_on_paid(pe->risk, o->buyer);
            proc__split(pe, o);
            o->points = proc__points(pe, o, o->lines, o->n_lines);
            pe->points_awarded += o->points;
            res->points_awarded = o->points;
        }
        return 0;
    }
    pe->points_returned += o->points;
    res->points_back = o->points;
    o->points = 0;
    if (held <= 0) return 0;
    o->refunded += held;
    pe->refunded += held;
    return held;
}

/* A partial return of line k: its units come back (restocked or written off), the order is
 * priced again on the lines it keeps (promo_shrink gives the discount it no longer earns
 * back to the budgets), the buyer gets back what was paid less the new payable, and the
 * line's points go back. The order keeps its other lines sold and its budgets settled. */
static void proc__partial_return(proc_engine *pe, ord_order *o, int k, bool restock, double t, proc_result *res)
{
    inv_line l = o->lines[k];
    if (restock) inv_restock(pe->inv, l.sku, l.qty, o->id, t);
    else inv_write_off(pe->inv, l.sku, l.qty, o->id, t);
    os_money paid_in = o->captured - o->refunded;
    os_money line_list = (os_money)l.qty * pe->skus[l.sku].price;
    /* What is taken back is what the kept lines no longer earn: the drop in the order's
     * discount less the returned line's own share of it (by list value, to the cent), which
     * leaves with the line (a percent-off's or a tier's discount on the line is not taken back). */
    os_money own = o->price.list_total > 0
                 ? (os_money)llround((double)o->price.discount * (double)line_list / (double)o->price.list_total) : 0;
    os_money lost = promo_shrink(pe->promos, &o->price, o->price.list_total - line_list, paid_in);
    res->discount_back = lost > own ? lost - own : 0;
    uint32_t back = proc__points(pe, o, &l, 1);
    o->points -= back;
    pe->points_returned += back;
    res->points_back = back;
    memmove(&o->lines[k], &o->lines[k + 1], (size_t)(o->n_lines - k - 1) * sizeof *o->lines);
    o->n_lines--;
    os_money refund = paid_in - o->price.payable;
    o->refunded += refund;
    pe->refunded += refund;
    res->refund = refund;
    res->partial = true;
    o->flags |= ORD_PARTIAL | ORD_PROMO_BACK;
}

/* Moves the order from its state to `to`: stock, then money, then the once-only
 * bookkeeping of an order that ends (risk control for one never paid, promotion budgets
 * given back when the sale is undone). Locks live only in states whose stance is locked:
 * any other state, and every terminal one, releases a lock still held (a payment's lock
 * under reserve_on_checkout; lint refuses terminal states that keep stock locked, this is
 * the engine's own guard).
 * Returns OS_ESTOCK with nothing changed when a lock or (for actions other than pay) a sale
 * cannot be had. */
static os_status proc__settle(proc_engine *pe, ord_order *o, fsm_action action, int to, const proc_args *args, double t,
                              proc_result *res)
{
    fsm_stance a = fsm_stance_of(pe->fsms[o->fsm], o->state), b = fsm_stance_of(pe->fsms[o->fsm], to);
    bool terminal = fsm_is_terminal(pe->fsms[o->fsm], to);
    if (args && args->line > 0 && args->line <= o->n_lines && o->n_lines > 1 && b.stock == FSM_STOCK_RETURNED &&
        b.money == FSM_MONEY_REFUNDED && (o->flags & ORD_SOLD) && (o->flags & ORD_PAID) && !o->holds_lock) {
        proc__partial_return(pe, o, args->line - 1, args->restock, t, res);
        return OS_OK;
    }
    unsigned op = proc__stock_table[a.stock][b.stock];
    /* Units released go back on sale unless found missing; returned ones as the caller says. */
    bool restock = b.stock == FSM_STOCK_RETURNED ? (args ? args->restock : true) : !(args && args->write_off);
    os_status st = proc__stock(pe, o, op, restock, t, &res->shortfall);
    if (st != OS_OK) {
        if (action != FSM_PAY) return st;
        res->oversell_refund = true;      /* paid, nothing sold: the system refunds at once */
    }
    if (o->holds_lock && (b.stock != FSM_STOCK_LOCKED || terminal)) {
        /* Locks live only in locked states: one taken for a payment (reserve_on_checkout)
         * into a state that does not hold stock locked, or kept into a terminal state, goes. */
        inv_req r = proc__req(o, t);
        inv_release(pe->inv, &r);
    }
    if (a.money != b.money) res->refund = proc__money(pe, o, (fsm_money)b.money, res);
    bool undone = b.stock == FSM_STOCK_RELEASED || b.stock == FSM_STOCK_RETURNED || b.money == FSM_MONEY_REFUNDED;
    if (!(o->flags & (ORD_PAID | ORD_SETTLED)) && (undone || terminal)) {
        risk_on_closed_unpaid(pe->risk, o->buyer, o->lines, o->n_lines);
        o->flags |= ORD_SETTLED;
        res->settled = true;
    }
    if (undone && !(o->flags & ORD_PROMO_BACK)) {
        promo_give_back(pe->promos, &o->price);
        proc__coupon_uses(pe, o, -1);
        o->flags |= ORD_PROMO_BACK;
    }
    return OS_OK;
}

/* The loop guard. Counts the order's transitions at instant t; past PROC_MAX_HOPS it trips
 * (writes pe->loop) and returns false. The last PROC_TRACE states of one order close to the
 * limit are kept so the message shows the cycle. */
static bool proc__hop(proc_engine *pe, ord_order *o, int to, double t)
{
    if (o->t_hop != t) {
        o->t_hop = t;
        o->hops = 0;
        if (pe->trace_order == o->id) pe->trace_order = 0;
    }
    o->hops++;
    if (o->hops == PROC_MAX_HOPS - PROC_TRACE + 2 && pe->trace_order == 0) {
        pe->trace_order = o->id;
        pe->trace[0] = o->state;
        pe->trace_n = 1;
    }
    if (pe->trace_order == o->id && pe->trace_n < PROC_TRACE) pe->trace[pe->trace_n++] = (uint8_t)to;
    if (o->hops <= PROC_MAX_HOPS) return true;
    size_t n = (size_t)snprintf(pe->loop, sizeof pe->loop,
                                "order %llu made more than %d transitions at t=%.17g s without time passing "
                                "(a cycle the process definition allows at one instant); its path: ",
                                (unsigned long long)o->id, PROC_MAX_HOPS, t);
    if (pe->trace_order == o->id) {
        for (int i = 0; i < pe->trace_n && n < sizeof pe->loop; i++)
            n += (size_t)snprintf(pe->loop + n, sizeof pe->loop - n, "%s%s", i ? " -> " : "... ",
                                  fsm_state_name(pe->fsms[o->fsm], pe->trace[i]));
    } else {
        snprintf(pe->loop + n, sizeof pe->loop - n, "... %s -> %s", fsm_state_name(pe->fsms[o->fsm], o->state),
                 fsm_state_name(pe->fsms[o->fsm], to));
    }
    return false;
}

const char *proc_loop_error(const proc_engine *pe) { return pe->loop[0] ? pe->loop : NULL; }

os_status proc_apply(proc_engine *pe, ord_order *o, fsm_action action, fsm_actor actor, double t,
                     const proc_args *args, proc_result *res)
{
    proc_result local;
    if (!res) res = &local;
    memset(res, 0, sizeof *res);
    res->from = res->to = o->state;
    if (pe->loop[0]) return OS_EDATA;
    int to;
    bool paying = (o->flags & ORD_PAYING) != 0;
    if (fsm_next(pe->fsms[o->fsm], o->state, action, actor, &to) != OS_OK || (paying && action != FSM_PAY) ||
        (action == FSM_MODIFY && (o->captured != o->refunded || (o->flags & ORD_SOLD)))) {
        pe->forbidden++;
        return OS_EFORBIDDEN;
    }
    if (action == FSM_PAY && !paying && actor == FSM_BUYER) {
        /* A payment that was never started (cash on delivery, or a caller that skips the
         * two-step flow) starts here, so revalidation and checkout locks always happen. */
        os_status st = proc_pay_start(pe, o, t);
        if (st != OS_OK) {
            res->to = o->state;
            return st;
        }
    }
    if (!proc__hop(pe, o, to, t)) return OS_EDATA;
    if (action == FSM_MODIFY) {
        int32_t nq = args ? args->new_qty : o->lines[0].qty;
        if (nq < 1) return OS_EINVAL;
        int32_t delta = nq - o->lines[0].qty;
        inv_line d = { o->lines[0].sku, delta > 0 ? delta : -delta };
        bool mal = (o->flags & ORD_MALICIOUS) != 0;
        /* the per-user limit holds for the new quantity as it did for the order placed */
        if (delta > 0 && !risk_may_add(pe->risk, o->buyer, o->lines[0].sku, delta)) return OS_ELIMIT;
        if (delta > 0) {
            if (o->holds_lock) {
                if (inv_lock(pe->inv, &d, 1, mal, o->id, t) != OS_OK) return OS_ESTOCK;
            } else if (!inv_can_lock(pe->inv, &d, 1)) {
                return OS_ESTOCK;
            }
        } else if (delta < 0 && o->holds_lock) {
            inv_unlock(pe->inv, &d, 1, mal, o->id, t);
        }
        risk_on_modified(pe->risk, o->buyer, o->lines[0].sku, delta);
        o->lines[0].qty = nq;
        if (!(o->flags & ORD_PROMO_BACK)) {
            promo_give_back(pe->promos, &o->price);
            proc__coupon_uses(pe, o, -1);
        }
        promo_reprice(pe->promos, proc__list_total(pe, o), o->tier, &o->price);   /* the coupon presented still counts */
        proc__coupon_uses(pe, o, 1);
        o->flags &= (uint8_t)~ORD_PROMO_BACK;
    }
    /* The address changes nothing else: stock and money follow the states, as always. */
    if (action == FSM_MODIFY_ADDRESS && args) o->address = args->new_address;
    if (action == FSM_PAY) o->flags &= (uint8_t)~ORD_PAYING;
    os_status st = proc__settle(pe, o, action, to, args, t, res);
    if (st != OS_OK) return st;
    ord_note_time(o, action, t);
    proc__enter(pe, o, to);
    res->to = to;
    if (pe->obs) pe->obs(pe->obs_ctx, o, action, actor, res->from, to, t, res->shortfall);
    if (res->oversell_refund) {
        /* Oversold under the refund policy: the system refunds at once. */
        proc_result rr;
        os_status rs = proc_apply(pe, o, FSM_REFUND, FSM_SYSTEM, t, NULL, &rr);
        if (rs == OS_OK) {
            res->to = rr.to;
            res->refund = rr.refund;
            res->points_back = rr.points_back;
            res->settled |= rr.settled;
        }
    }
    res->timer = fsm_timer(pe->fsms[o->fsm], res->to);
    return OS_OK;
}

void proc_close(proc_engine *pe, ord_order *o)
{
    pe->closed_kept += o->captured - o->refunded;
    pe->closed_points += o->points;
    pe->in_state[o->fsm][o->state]--;
    ord_release(pe->pool, o);
}

int proc_check(const proc_engine *pe, os_diag *diag)
{
    int bad = inv_check(pe->inv, diag) + promo_check(pe->promos, diag) + risk_check(pe->risk, diag);
    int n = pe->n_skus;
    int64_t *locked = xcalloc((size_t)(n ? n : 1), sizeof *locked);
    int64_t *mal = xcalloc((size_t)(n ? n : 1), sizeof *mal);
    int64_t in_state[PROC_MAX_FSMS][FSM_MAX_STATES] = { { 0 } };
    os_money_total live_kept = 0;
    int64_t live_points = 0;
    size_t cur = 0;
    for (ord_order *o; (o = ord_next_live(pe->pool, &cur));) {
        if (o->fsm >= pe->n_fsms || o->state >= fsm_state_count(pe->fsms[o->fsm])) {
            os_diag_add(diag, "order %llu: state %d is not a state of process %s", (unsigned long long)o->id,
                        o->state, o->fsm < pe->n_fsms ? fsm_name(pe->fsms[o->fsm]) : "(none)");
            bad++;
            continue;
        }
        in_state[o->fsm][o->state]++;
        if (o->refunded > o->captured || o->refunded < 0) {
            os_diag_add(diag, "order %llu: refunded %lld more than captured %lld", (unsigned long long)o->id,
                        (long long)o->refunded, (long long)o->captured);
            bad++;
        }
        if ((o->flags & ORD_PAID) && !(o->flags & ORD_PARTIAL) && o->captured != o->price.payable) {
            os_diag_add(diag, "order %llu: captured %lld but payable %lld", (unsigned long long)o->id,
                        (long long)o->captured, (long long)o->price.payable);
            bad++;
        }
        if ((o->flags & ORD_PARTIAL) && o->captured - o->refunded != o->price.payable) {
            os_diag_add(diag, "order %llu: keeps %lld after a partial return, but its kept lines' payable is %lld",
                        (unsigned long long)o->id, (long long)(o->captured - o->refunded), (long long)o->price.payable);
            bad++;
        }
        if (o->price.list_total - o->price.discount != o->price.payable || o->price.payable < 0) {
            os_diag_add(diag, "order %llu: list %lld - discount %lld != payable %lld", (unsigned long long)o->id,
                        (long long)o->price.list_total, (long long)o->price.discount, (long long)o->price.payable);
            bad++;
        }
        live_kept += o->captured - o->refunded;
        live_points += o->points;
        if (o->holds_lock)
            for (int i = 0; i < o->n_lines; i++) {
                locked[o->lines[i].sku] += o->lines[i].qty;
                if (o->flags & ORD_MALICIOUS) mal[o->lines[i].sku] += o->lines[i].qty;
            }
    }
    for (int i = 0; i < n; i++) {
        const inv_counts *c = inv_sku(pe->inv, (uint32_t)i);
        if (c->locked != locked[i] || c->locked_malicious != mal[i]) {
            os_diag_add(diag, "stock: SKU %d inventory says %lld locked (%lld malicious), open orders hold %lld (%lld)",
                        i, (long long)c->locked, (long long)c->locked_malicious, (long long)locked[i], (long long)mal[i]);
            bad++;
        }
        if (!inv_strategy_may_oversell(pe->strat) && (c->oversold != 0 || c->on_hand < 0)) {
            os_diag_add(diag, "stock: SKU %d oversold %lld units (on hand %lld) under %s, which must never oversell",
                        i, (long long)c->oversold, (long long)c->on_hand, pe->strat->name);
            bad++;
        }
    }
    for (int p = 0; p < pe->n_fsms; p++)
        for (int s = 0; s < fsm_state_count(pe->fsms[p]); s++)
            if (in_state[p][s] != pe->in_state[p][s]) {
                os_diag_add(diag, "orders: %lld in state %s%s%s, but the engine counted %lld", (long long)in_state[p][s],
                            p ? fsm_name(pe->fsms[p]) : "", p ? "." : "", fsm_state_name(pe->fsms[p], s),
                            (long long)pe->in_state[p][s]);
                bad++;
            }
    if (pe->captured != pe->refunded + pe->closed_kept + live_kept) {
        os_diag_add(diag, "money: captured %.0f != refunded %.0f + kept %.0f", (double)pe->captured,
                    (double)pe->refunded, (double)(pe->closed_kept + live_kept));
        bad++;
    }
    if (pe->points_awarded != pe->points_returned + pe->closed_points + live_points) {
        os_diag_add(diag, "points: awarded %lld != returned %lld + held %lld", (long long)pe->points_awarded,
                    (long long)pe->points_returned, (long long)(pe->closed_points + live_points));
        bad++;
    }
    free(locked);
    free(mal);
    return bad;
}

const inv_store *proc_inventory(const proc_engine *pe) { return pe->inv; }
const fsm_def *proc_fsm(const proc_engine *pe) { return pe->fsms[0]; }
const fsm_def *proc_fsm_at(const proc_engine *pe, int p) { return p >= 0 && p < pe->n_fsms ? pe->fsms[p] : NULL; }
const promo_book *proc_promotions(const proc_engine *pe) { return pe->promos; }
const ord_pool *proc_orders(const proc_engine *pe) { return pe->pool; }
int64_t proc_in_state(const proc_engine *pe, int s) { return pe->in_state[0][s]; }
int64_t proc_in_state_of(const proc_engine *pe, int p, int s) { return pe->in_state[p][s]; }
int64_t proc_entered(const proc_engine *pe, int s) { return pe->entered[0][s]; }
int64_t proc_entered_of(const proc_engine *pe, int p, int s) { return pe->entered[p][s]; }
int64_t proc_forbidden(const proc_engine *pe) { return pe->forbidden; }
int64_t proc_coupons_refused(const proc_engine *pe) { return pe->coupons_refused; }
os_money_total proc_captured(const proc_engine *pe) { return pe->captured; }
int64_t proc_points_awarded(const proc_engine *pe) { return pe->points_awarded; }
int64_t proc_points_returned(const proc_engine *pe) { return pe->points_returned; }
os_money_total proc_refunded(const proc_engine *pe) { return pe->refunded; }
