/*
 * promo.h — promotions: percent off, fixed off, spend-threshold off and coupons, applied in
 * priority order with stacking rules, paid from optional budgets. All amounts are integer
 * minor units (cents); percentages are basis points; no floating point touches money.
 *
 * Rules (docs/architecture.md has worked examples):
 *  - promotions are tried in ascending `priority` (ties: definition order);
 *  - each applies to the running amount left by the ones before it;
 *  - a non-stackable promotion applies only if nothing has applied yet, and stops the list;
 *  - a threshold promotion applies when the running amount is at least its threshold;
 *  - a coupon applies only to orders that present its id;
 *  - a membership promotion (tier > 0, made from a membership tier) applies only to orders
 *    of that tier; otherwise it is a percent off like any other and stacks by priority;
 *  - a promotion whose remaining budget is smaller than its discount is skipped (it never
 *    gives a partial discount), and the skip is counted;
 *  - a discount never exceeds the running amount; the percent discount rounds down.
 *
 * Restitution (a partial return): the order is priced again on the lines it keeps, by the
 * promotions it carried, in the order they applied; each keeps at most what it gave, a
 * threshold the kept lines no longer reach gives nothing. What a promotion gives less goes
 * back to its budget (when return_budget), and the buyer gets back what was paid minus the
 * new payable: the returned line's paid share minus the discount the order no longer
 * qualifies for (lines 200 + 150, "spend 300 get 30 off": pay 320; return the 150 line:
 * the 200 left pay 200, the refund is 120).
 */
#ifndef PROMO_H
#define PROMO_H

#include "os.h"

#define PROMO_TYPE_LIST(X)                         \
    X(PROMO_PERCENT_OFF,   "percent_off")          \
    X(PROMO_FIXED_OFF,     "fixed_off")            \
    X(PROMO_THRESHOLD_OFF, "threshold_off")        \
    X(PROMO_COUPON,        "coupon")

typedef enum promo_type {
#define PROMO__T(code, name) code,
    PROMO_TYPE_LIST(PROMO__T)
#undef PROMO__T
    PROMO_TYPE_COUNT
} promo_type;

#define PROMO_MAX        16   /* promotions per run */
#define PROMO_MAX_APPLIED 4   /* promotions one order can carry: a scenario where more could
                                 apply to one order is refused (promo_stack_bound) */
#define PROMO_ID_MAX     32
#define PROMO_UNLIMITED  (-1)

typedef struct promo_def {
    char       id[PROMO_ID_MAX]; /* name used by coupons and reports */
    promo_type type;             /* kind of discount */
    int64_t    percent_bp;       /* percent_off: basis points (10% = 1000) */
    os_money   amount;           /* fixed_off / threshold_off / coupon: cents off */
    os_money   threshold;        /* threshold_off: minimum running amount, cents */
    int        priority;         /* lower applies first */
    bool       stackable;        /* may combine with others */
    os_money   budget;           /* total cents this promotion may give, or PROMO_UNLIMITED */
    bool       return_budget;    /* cancelled / refunded / returned orders give budget back */
    uint8_t    tier;             /* 0: every order; k > 0: only orders of membership tier k */
    int32_t    per_customer;     /* coupon: orders one account may carry it on at once (open or
                                    paid, until undone), 0 = unlimited; the engine enforces it */
} promo_def;

typedef struct promo_result {
    os_money list_total;                 /* sum of unit price x quantity */
    os_money discount;                   /* sum of amount[] */
    os_money payable;                    /* list_total - discount, never negative */
    os_money amount[PROMO_MAX_APPLIED];  /* cents given by each applied promotion */
    uint8_t  promo[PROMO_MAX_APPLIED];   /* its index into the book's definitions */
    uint8_t  n;                          /* promotions applied */
    uint8_t  coupon;                     /* 1 + the book index of the coupon the order presented
                                            (whether it applied or not), 0 = none: a re-pricing
                                            (promo_reprice) presents it again */
} promo_result;

typedef struct promo_book promo_book;

/* Creates a book from `n` definitions (copied; at most PROMO_MAX). Caller destroys. */
promo_book *promo_create(const promo_def *defs, int n);
void promo_destroy(promo_book *b);

/* Prices an order of list total `list_total` (cents) and consumes budgets. `coupon` may be
 * NULL. Fills *out. Never fails: promotions that cannot apply are skipped. */
void promo_apply(promo_book *b, os_money list_total, const char *coupon, promo_result *out);
/* The same for an order of membership tier `tier` (0 = none): tier promotions apply only to
 * orders of their tier. */
void promo_apply_tier(promo_book *b, os_money list_total, const char *coupon, int tier, promo_result *out);

/* Prices the order again on a new list total (a quantity modification), with the coupon it
 * presented at creation (out->coupon) and its tier; the caller has given the old discounts'
 * budgets back first. */
void promo_reprice(promo_book *b, os_money list_total, int tier, promo_result *out);

/* The most promotions one order can carry under these definitions: every stackable
 * promotion, except that an order presents at most one coupon and belongs to at most one
 * membership tier (the stackable coupons count once, the stackable tiers once); a
 * non-stackable one applies alone. When that exceeds PROMO_MAX_APPLIED, *culprit is the
 * index (in `defs`) of the first promotion that takes the count past it; else -1. */
int promo_stack_bound(const promo_def *defs, int n, int *culprit);

/* Restitution: prices the order again on the list total it keeps (`kept_list`, at most
 * r->list_total) with the promotions it carried (see above), updates *r in place and gives
 * what each promotion now gives less back to its budget (when return_budget). The new
 * payable never exceeds `max_payable` (what the buyer paid and still has paid in): the
 * discount taken back stops at the returned line's paid share, so a refund is never
 * negative. Returns the discount the order no longer gets, in cents. */
os_money promo_shrink(promo_book *b, promo_result *r, os_money kept_list, os_money max_payable);

/* Gives the budgets an order consumed back, for promotions whose return_budget is set. */
void promo_give_back(promo_book *b, const promo_result *r);

/* Promotion i's definition (i < the book's count). */
const promo_def *promo_def_at(const promo_book *b, int i);
/* The index of the promotion whose id is `id`, or -1. */
int promo_find(const promo_book *b, const char *id);
/* Cents left in promotion i's budget, or PROMO_UNLIMITED. */
os_money promo_remaining(const promo_book *b, int i);
/* How many times a promotion was skipped because its budget ran out. */
int64_t promo_budget_skips(const promo_book *b, int i);
/* Checks remaining budgets lie in [0, budget]; adds a message per breach, returns count. */
int promo_check(const promo_book *b, os_diag *diag);
/* Parses a type name; -1 when unknown. */
int promo_type_parse(const char *s);
const char *promo_type_name(promo_type t);

#endif
