/*
 * inv.c — stock counters, the movement ledger, and the three strategies.
 */
#include "inv.h"
#include "inv_int.h"

#include <stdlib.h>
#include <string.h>

struct inv_store {
    int         n;          /* SKUs */
    inv_counts *c;          /* counters per SKU */
    inv_totals  tot;        /* totals across SKUs */
    bool        ledger_on;  /* keep movements */
    inv_move   *ledger;     /* movements, when on */
    size_t      nledger, cap;
};

static const char *const inv__names[] = {
#define INV__N(code, name) name,
    INV_MOVE_LIST(INV__N)
#undef INV__N
};
_Static_assert(OS_COUNT_OF(inv__names) == INV_MOVE_COUNT, "one name per ledger movement");
const char *inv_move_name(inv_move_kind k) { return (unsigned)k < INV_MOVE_COUNT ? inv__names[k] : "?"; }

inv_store *inv_create(int n, const int64_t *stock0, bool ledger)
{
    inv_store *s = xcalloc(1, sizeof *s);
    s->n = n;
    s->c = xcalloc((size_t)(n ? n : 1), sizeof *s->c);
    s->ledger_on = ledger;
    for (int i = 0; i < n; i++) {
        s->c[i].stock0 = s->c[i].on_hand = stock0[i];
        if (stock0[i] <= 0) s->tot.out++;
    }
    return s;
}

void inv_destroy(inv_store *s)
{
    if (!s) return;
    free(s->c);
    free(s->ledger);
    free(s);
}

int inv_sku_count(const inv_store *s) { return s->n; }
const inv_counts *inv_sku(const inv_store *s, uint32_t sku) { return &s->c[sku]; }
const inv_totals *inv_totals_of(const inv_store *s) { return &s->tot; }
int64_t inv_total_locked(const inv_store *s) { return s->tot.locked; }
int64_t inv_total_locked_malicious(const inv_store *s) { return s->tot.locked_malicious; }
int64_t inv_total_sold(const inv_store *s) { return s->tot.sold; }
int64_t inv_total_oversold(const inv_store *s) { return s->tot.oversold; }
int inv_skus_out(const inv_store *s) { return s->tot.out; }

/* Appends a movement when the ledger is on, and keeps the sold-out SKU count current.
 * `was_out` is whether the SKU had available <= 0 before the movement. */
static void inv__note(inv_store *s, inv_move_kind k, uint32_t sku, int32_t qty, bool mal, uint64_t order,
                      double t, bool was_out)
{
    bool now_out = inv_available(&s->c[sku]) <= 0;
    s->tot.out += (int)now_out - (int)was_out;
    if (!s->ledger_on) return;
    if (s->nledger == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 1024;
        s->ledger = xrealloc(s->ledger, s->cap * sizeof *s->ledger);
    }
    s->ledger[s->nledger++] = (inv_move){ t, order, sku, qty, (uint8_t)k, (uint8_t)mal };
}

bool inv_can_lock(const inv_store *s, const inv_line *l, int n)
{
    for (int i = 0; i < n; i++)
        if (inv_available(&s->c[l[i].sku]) < l[i].qty) return false;
    return true;
}

bool inv_short_while_locked(const inv_store *s, const inv_line *l, int n)
{
    for (int i = 0; i < n; i++) {
        const inv_counts *c = &s->c[l[i].sku];
        if (inv_available(c) < l[i].qty && c->locked > 0) return true;
    }
    return false;
}

bool inv_on_hand_covers(const inv_store *s, const inv_line *l, int n)
{
    for (int i = 0; i < n; i++)
        if (s->c[l[i].sku].on_hand < l[i].qty) return false;
    return true;
}

os_status inv_lock(inv_store *s, const inv_line *l, int n, bool mal, uint64_t order, double t)
{
    if (!inv_can_lock(s, l, n)) return OS_ESTOCK;
    for (int i = 0; i < n; i++) {
        inv_counts *c = &s->c[l[i].sku];
        bool was = inv_available(c) <= 0;
        c->locked += l[i].qty;
        s->tot.locked += l[i].qty;
        if (mal) { c->locked_malicious += l[i].qty; s->tot.locked_malicious += l[i].qty; }
        inv__note(s, INV_LOCK, l[i].sku, l[i].qty, mal, order, t, was);
    }
    return OS_OK;
}

void inv_unlock(inv_store *s, const inv_line *l, int n, bool mal, uint64_t order, double t)
{
    for (int i = 0; i < n; i++) {
        inv_counts *c = &s->c[l[i].sku];
        bool was = inv_available(c) <= 0;
        c->locked -= l[i].qty;
        s->tot.locked -= l[i].qty;
        if (mal) { c->locked_malicious -= l[i].qty; s->tot.locked_malicious -= l[i].qty; }
        inv__note(s, INV_UNLOCK, l[i].sku, l[i].qty, mal, order, t, was);
    }
}

void inv_sell_locked(inv_store *s, const inv_line *l, int n, bool mal, uint64_t order, double t)
{
    for (int i = 0; i < n; i++) {
        inv_counts *c = &s->c[l[i].sku];
        bool was = inv_available(c) <= 0;
        c->locked -= l[i].qty;
        s->tot.locked -= l[i].qty;
        if (mal) { c->locked_malicious -= l[i].qty; s->tot.locked_malicious -= l[i].qty; }
        c->sold += l[i].qty;
        c->on_hand -= l[i].qty;
        s->tot.sold += l[i].qty;
        inv__note(s, INV_SELL_LOCKED, l[i].sku, l[i].qty, mal, order, t, was);
    }
}

os_status inv_sell(inv_store *s, const inv_line *l, int n, bool allow, uint64_t order, double t, int64_t *shortfall)
{
    int64_t sf = 0;
    for (int i = 0; i < n; i++) {
        int64_t oh = s->c[l[i].sku].on_hand;
        int64_t have = oh > 0 ? oh : 0;
        if (l[i].qty > have) sf += l[i].qty - have;
    }
    *shortfall = sf;
    if (sf > 0 && !allow) return OS_ESTOCK;
    for (int i = 0; i < n; i++) {
        inv_counts *c = &s->c[l[i].sku];
        bool was = inv_available(c) <= 0;
        int64_t have = c->on_hand > 0 ? c->on_hand : 0;
        int64_t over = l[i].qty > have ? l[i].qty - have : 0;
        c->sold += l[i].qty;
        c->on_hand -= l[i].qty;
        c->oversold += over;
        s->tot.sold += l[i].qty;
        s->tot.oversold += over;
        inv__note(s, INV_SELL, l[i].sku, l[i].qty, false, order, t, was);
    }
    return OS_OK;
}

void inv_restock(inv_store *s, uint32_t sku, int32_t qty, uint64_t order, double t)
{
    inv_counts *c = &s->c[sku];
    bool was = inv_available(c) <= 0;
    c->restocked += qty;
    c->on_hand += qty;
    inv__note(s, INV_RESTOCK, sku, qty, false, order, t, was);
}

void inv_write_off(inv_store *s, uint32_t sku, int32_t qty, uint64_t order, double t)
{
    inv_counts *c = &s->c[sku];
    bool was = inv_available(c) <= 0;
    c->written_off += qty;
    inv__note(s, INV_WRITE_OFF, sku, qty, false, order, t, was);
}

int inv_check(const inv_store *s, os_diag *diag)
{
    int bad = 0;
    inv_counts *r = NULL;
    if (s->ledger_on) {
        /* Replay: start from stock0 and apply every movement; oversold is recomputed from
         * on-hand before each sale exactly as inv_sell computes it. */
        r = xcalloc((size_t)(s->n ? s->n : 1), sizeof *r);
        for (int i = 0; i < s->n; i++) r[i].stock0 = r[i].on_hand = s->c[i].stock0;
        for (size_t k = 0; k < s->nledger; k++) {
            const inv_move *m = &s->ledger[k];
            inv_counts *c = &r[m->sku];
            switch ((inv_move_kind)m->kind) {
            case INV_LOCK: c->locked += m->qty; if (m->malicious) c->locked_malicious += m->qty; break;
            case INV_UNLOCK: c->locked -= m->qty; if (m->malicious) c->locked_malicious -= m->qty; break;
            case INV_SELL_LOCKED:
                c->locked -= m->qty;
                if (m->malicious) c->locked_malicious -= m->qty;
                c->sold += m->qty; c->on_hand -= m->qty;
                break;
            case INV_SELL: {
                int64_t have = c->on_hand > 0 ? c->on_hand : 0;
                if (m->qty > have) c->oversold += m->qty - have;
                c->sold += m->qty; c->on_hand -= m->qty;
                break;
            }
            case INV_RESTOCK: c->restocked += m->qty; c->on_hand += m->qty; break;
            case INV_WRITE_OFF: c->written_off += m->qty; break;
            default: break;
            }
        }
    }
    int64_t locked = 0, mal = 0, sold = 0, over = 0;
    int out = 0;
    for (int i = 0; i < s->n; i++) {
        const inv_counts *c = &s->c[i];
        if (r && memcmp(c, &r[i], sizeof *c) != 0) {
            os_diag_add(diag, "stock: SKU %d counters differ from the ledger replay (on_hand %lld vs %lld, locked %lld vs %lld, sold %lld vs %lld)",
                        i, (long long)c->on_hand, (long long)r[i].on_hand, (long long)c->locked,
                        (long long)r[i].locked, (long long)c->sold, (long long)r[i].sold);
            bad++;
        }
        if (c->on_hand != c->stock0 + c->restocked - c->sold) {
            os_diag_add(diag, "stock: SKU %d on_hand %lld != stock0 %lld + restocked %lld - sold %lld", i,
                        (long long)c->on_hand, (long long)c->stock0, (long long)c->restocked, (long long)c->sold);
            bad++;
        }
        if (c->locked < 0 || c->locked_malicious < 0 || c->locked_malicious > c->locked) {
            os_diag_add(diag, "stock: SKU %d locked %lld / malicious %lld out of range", i,
                        (long long)c->locked, (long long)c->locked_malicious);
            bad++;
        }
        if (c->restocked + c->written_off > c->sold) {
            os_diag_add(diag, "stock: SKU %d returned %lld units but sold only %lld", i,
                        (long long)(c->restocked + c->written_off), (long long)c->sold);
            bad++;
        }
        locked += c->locked; mal += c->locked_malicious; sold += c->sold; over += c->oversold;
        out += inv_available(c) <= 0;
    }
    if (locked != s->tot.locked || mal != s->tot.locked_malicious || sold != s->tot.sold || over != s->tot.oversold || out != s->tot.out) {
        os_diag_add(diag, "stock: totals drifted from the per-SKU counters");
        bad++;
    }
    free(r);
    return bad;
}

void inv_release(inv_store *s, const inv_req *r)
{
    if (!*r->holds_lock) return;
    inv_unlock(s, r->lines, r->n, r->malicious, r->order, r->t);
    *r->holds_lock = false;
}

/* ---- reduce_on_order --------------------------------------------------------------- */

static os_status roo_create(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)o;
    os_status st = inv_lock(s, r->lines, r->n, r->malicious, r->order, r->t);
    if (st == OS_OK) *r->holds_lock = true;
    return st;
}

static os_status roo_pay_start(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)s; (void)o; (void)r;
    return OS_OK;
}

static os_status roo_pay_success(inv_store *s, const inv_opts *o, const inv_req *r, int64_t *shortfall)
{
    (void)o;
    OS_ASSERT(*r->holds_lock);
    inv_sell_locked(s, r->lines, r->n, r->malicious, r->order, r->t);
    *r->holds_lock = false;
    *shortfall = 0;
    return OS_OK;
}

static void roo_pay_fail(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)s; (void)o; (void)r; /* the lock stays until expiry */
}

static const inv_strategy inv__reduce_on_order = {
    .name = "reduce_on_order",
    .summary = "locks stock when the order is created; payment turns the lock into a sale",
    .locks_at = INV_AT_ORDER_CREATION,
    .deducts_at = INV_AT_PAYMENT,
    .may_oversell = false,
    .on_create = roo_create,
    .on_pay_start = roo_pay_start,
    .on_pay_success = roo_pay_success,
    .on_pay_fail = roo_pay_fail,
};

/* ---- reduce_on_payment ------------------------------------------------------------- */

static os_status rop_create(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)o;
    return inv_can_lock(s, r->lines, r->n) ? OS_OK : OS_ESTOCK;
}

static os_status rop_pay_start(inv_store *s, const inv_opts *o, const inv_req *r)
{
    if (!o->revalidate) return OS_OK;
    return inv_on_hand_covers(s, r->lines, r->n) ? OS_OK : OS_ESTOCK;
}

static os_status rop_pay_success(inv_store *s, const inv_opts *o, const inv_req *r, int64_t *shortfall)
{
    return inv_sell(s, r->lines, r->n, !o->oversell_refund, r->order, r->t, shortfall);
}

static void rop_pay_fail(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)s; (void)o; (void)r;
}

static const inv_strategy inv__reduce_on_payment = {
    .name = "reduce_on_payment",
    .summary = "checks stock at order time without locking; a successful payment deducts it",
    .locks_at = INV_AT_NEVER,
    .deducts_at = INV_AT_PAYMENT,
    .may_oversell = true,
    .on_create = rop_create,
    .on_pay_start = rop_pay_start,
    .on_pay_success = rop_pay_success,
    .on_pay_fail = rop_pay_fail,
};

/* ---- reserve_on_checkout ----------------------------------------------------------- */

static os_status roc_pay_start(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)o;
    os_status st = inv_lock(s, r->lines, r->n, r->malicious, r->order, r->t);
    if (st == OS_OK) *r->holds_lock = true;
    return st;
}

static void roc_pay_fail(inv_store *s, const inv_opts *o, const inv_req *r)
{
    (void)o;
    inv_release(s, r);
}

static const inv_strategy inv__reserve_on_checkout = {
    .name = "reserve_on_checkout",
    .summary = "checks stock at order time; locks it when payment starts, releases it if payment fails",
    .locks_at = INV_AT_PAYMENT_START,
    .deducts_at = INV_AT_PAYMENT,
    .may_oversell = false,
    .on_create = rop_create,
    .on_pay_start = roc_pay_start,
    .on_pay_success = roo_pay_success,
    .on_pay_fail = roc_pay_fail,
};

static const inv_strategy *const inv__all[] = { &inv__reduce_on_order, &inv__reduce_on_payment,
                                                &inv__reserve_on_checkout, NULL };

const inv_strategy *const *inv_strategies(void) { return inv__all; }

const inv_strategy *inv_strategy_find(const char *name)
{
    for (int i = 0; inv__all[i]; i++)
        if (strcmp(inv__all[i]->name, name) == 0) return inv__all[i];
    return NULL;   /* a descriptor list, not a name table: os_name_find does not apply */
}

const inv_strategy *inv_strategy_locking_at(inv_moment m)
{
    for (int i = 0; inv__all[i]; i++)
        if (inv__all[i]->locks_at == m) return inv__all[i];
    return NULL;
}

bool inv_strategy_may_oversell(const inv_strategy *st) { return st->may_oversell; }

static const char *const inv__moment_names[] = {
#define INV__MN(id, name) name,
    INV_MOMENT_LIST(INV__MN)
#undef INV__MN
};
_Static_assert(sizeof inv__moment_names / sizeof inv__moment_names[0] == INV_MOMENT_COUNT, "one name per moment");

const char *inv_moment_name(inv_moment m) { return (unsigned)m < INV_MOMENT_COUNT ? inv__moment_names[m] : "?"; }

/* ---- internals for tests (inv_int.h) ---------------------------------------------------- */

size_t inv__ledger_len(const inv_store *s) { return s->ledger_on ? s->nledger : 0; }
inv_move *inv__ledger_row(inv_store *s, size_t k) { return k < inv__ledger_len(s) ? &s->ledger[k] : NULL; }
