/*
 * promo.c — promotion pricing. See promo.h for the rules.
 */
#include "promo.h"

#include <stdlib.h>
#include <string.h>

struct promo_book {
    int       n;                   /* definitions */
    promo_def defs[PROMO_MAX];     /* copied definitions */
    int       order[PROMO_MAX];    /* indices sorted by (priority, definition order) */
    os_money  remaining[PROMO_MAX];/* budget left, or PROMO_UNLIMITED */
    int64_t   skips[PROMO_MAX];    /* budget-exhausted skips */
};

static const char *const promo__names[] = {
#define PROMO__N(code, name) name,
    PROMO_TYPE_LIST(PROMO__N)
#undef PROMO__N
};
_Static_assert(OS_COUNT_OF(promo__names) == PROMO_TYPE_COUNT, "one name per promotion type");

const char *promo_type_name(promo_type t) { return (unsigned)t < PROMO_TYPE_COUNT ? promo__names[t] : "?"; }

int promo_type_parse(const char *s) { return os_name_find(promo__names, PROMO_TYPE_COUNT, s); }

promo_book *promo_create(const promo_def *defs, int n)
{
    OS_ASSERT(n >= 0 && n <= PROMO_MAX);
    int culprit;
    OS_ASSERT(promo_stack_bound(defs, n, &culprit) <= PROMO_MAX_APPLIED);   /* the loader refuses such a scenario */
    promo_book *b = xcalloc(1, sizeof *b);
    b->n = n;
    for (int i = 0; i < n; i++) {
        b->defs[i] = defs[i];
        b->remaining[i] = defs[i].budget;
        b->order[i] = i;
    }
    /* Insertion sort keeps definition order among equal priorities. */
    for (int i = 1; i < n; i++) {
        int k = b->order[i], j = i - 1;
        while (j >= 0 && b->defs[b->order[j]].priority > b->defs[k].priority) {
            b->order[j + 1] = b->order[j];
            j--;
        }
        b->order[j + 1] = k;
    }
    return b;
}

void promo_destroy(promo_book *b) { free(b); }

/* What promotion p gives on a running amount, before budgets and the cap at `running`. */
static os_money promo__discount(const promo_def *p, os_money running, bool coupon_presented)
{
    switch (p->type) {
    case PROMO_PERCENT_OFF: return running * p->percent_bp / 10000;
    case PROMO_FIXED_OFF: return p->amount;
    case PROMO_THRESHOLD_OFF: return running >= p->threshold ? p->amount : 0;
    case PROMO_COUPON: return coupon_presented ? p->amount : 0;
    default: return 0;
    }
}

void promo_apply(promo_book *b, os_money list_total, const char *coupon, promo_result *out)
{
    promo_apply_tier(b, list_total, coupon, 0, out);
}

/* Applies the book to an order of list total `list_total` presenting coupon number `ci`
 * (-1: none) and of tier `tier`; see promo.h for the rules. */
static void promo__apply(promo_book *b, os_money list_total, int ci, int tier, promo_result *out)
{
    memset(out, 0, sizeof *out);
    out->list_total = list_total;
    out->coupon = (uint8_t)(ci + 1);
    os_money running = list_total;
    for (int k = 0; k < b->n && out->n < PROMO_MAX_APPLIED && running > 0; k++) {
        int i = b->order[k];
        const promo_def *p = &b->defs[i];
        if (!p->stackable && out->n > 0) continue;
        if (p->tier != 0 && p->tier != tier) continue;
        os_money d = promo__discount(p, running, i == ci);
        if (d > running) d = running;
        if (d <= 0) continue;
        if (b->remaining[i] != PROMO_UNLIMITED) {
            if (b->remaining[i] < d) {
                b->skips[i]++;
                continue;
            }
            b->remaining[i] -= d;
        }
        running -= d;
        out->promo[out->n] = (uint8_t)i;
        out->amount[out->n++] = d;
        out->discount += d;
        if (!p->stackable) break;
    }
    out->payable = running;
}

void promo_apply_tier(promo_book *b, os_money list_total, const char *coupon, int tier, promo_result *out)
{
    int ci = -1;
    for (int i = 0; coupon && i < b->n && ci < 0; i++)
        if (strcmp(coupon, b->defs[i].id) == 0) ci = i;
    promo__apply(b, list_total, ci, tier, out);
}

void promo_reprice(promo_book *b, os_money list_total, int tier, promo_result *out)
{
    promo__apply(b, list_total, out->coupon - 1, tier, out);
}

int promo_stack_bound(const promo_def *defs, int n, int *culprit)
{
    int count = 0, any = 0;
    bool coupon = false, tier = false;
    *culprit = -1;
    for (int i = 0; i < n; i++) {
        any = 1;
        if (!defs[i].stackable) continue;
        if (defs[i].type == PROMO_COUPON && coupon) continue;
        if (defs[i].tier != 0 && tier) continue;
        coupon |= defs[i].type == PROMO_COUPON;
        tier |= defs[i].tier != 0;
        if (++count == PROMO_MAX_APPLIED + 1) *culprit = i;
    }
    return count > any ? count : any;
}

void promo_give_back(promo_book *b, const promo_result *r)
{
    for (int k = 0; k < r->n; k++) {
        int i = r->promo[k];
        if (b->remaining[i] != PROMO_UNLIMITED && b->defs[i].return_budget) b->remaining[i] += r->amount[k];
    }
}

os_money promo_shrink(promo_book *b, promo_result *r, os_money kept_list, os_money max_payable)
{
    OS_ASSERT(kept_list >= 0 && kept_list <= r->list_total);
    os_money amt[PROMO_MAX_APPLIED], running = kept_list;
    for (int k = 0; k < r->n; k++) {
        /* the coupon was presented: it applied at creation */
        os_money d = promo__discount(&b->defs[r->promo[k]], running, true);
        if (d > r->amount[k]) d = r->amount[k];
        if (d > running) d = running;
        amt[k] = d > 0 ? d : 0;
        running -= amt[k];
    }
    /* The refund is never negative: what is taken back stops at the returned line's paid
     * share, the last promotions to apply keeping the difference. */
    for (int k = r->n - 1; k >= 0 && running > max_payable; k--) {
        os_money keep = r->amount[k] - amt[k] < running - max_payable ? r->amount[k] - amt[k] : running - max_payable;
        amt[k] += keep;
        running -= keep;
    }
    os_money before = r->discount;
    r->discount = 0;
    for (int k = 0; k < r->n; k++) {
        int i = r->promo[k];
        os_money less = r->amount[k] - amt[k];
        if (less > 0 && b->remaining[i] != PROMO_UNLIMITED && b->defs[i].return_budget) b->remaining[i] += less;
        r->amount[k] = amt[k];
        r->discount += amt[k];
    }
    r->list_total = kept_list;
    r->payable = kept_list - r->discount;
    return before - r->discount;
}

os_money promo_remaining(const promo_book *b, int i) { return b->remaining[i]; }
const promo_def *promo_def_at(const promo_book *b, int i) { OS_ASSERT(i >= 0 && i < b->n); return &b->defs[i]; }

int promo_find(const promo_book *b, const char *id)
{
    for (int i = 0; id && i < b->n; i++)
        if (strcmp(id, b->defs[i].id) == 0) return i;
    return -1;
}
int64_t promo_budget_skips(const promo_book *b, int i) { return b->skips[i]; }

int promo_check(const promo_book *b, os_diag *diag)
{
    int bad = 0;
    for (int i = 0; i < b->n; i++) {
        if (b->defs[i].budget == PROMO_UNLIMITED) continue;
        if (b->remaining[i] < 0 || b->remaining[i] > b->defs[i].budget) {
            os_diag_add(diag, "promotion %s: remaining budget %lld outside [0, %lld]", b->defs[i].id,
                        (long long)b->remaining[i], (long long)b->defs[i].budget);
            bad++;
        }
    }
    return bad;
}
