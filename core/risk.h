/*
 * risk.h — risk control in front of order creation: a per-user purchase limit per SKU, a
 * cap on unpaid orders per user, and a detection verdict the caller supplies (the simulator
 * draws it from the scenario's detection and false-positive probabilities).
 *
 * State is kept per user only while it matters: a user's unpaid-order count is dropped when
 * it returns to zero, and purchase-limit units are kept only for SKUs that have a limit, so
 * memory follows users with open orders or limited purchases, not all users ever seen.
 * Units count toward the limit while their order is open or paid; an order that closes
 * unpaid (cancel, expiry, rejection) gives its units back.
 */
#ifndef RISK_H
#define RISK_H

#include "inv.h"
#include "os.h"

typedef struct risk_ctl risk_ctl;

/* Creates a controller for n SKUs. `max_per_user[i]` is SKU i's per-user limit (0: none);
 * `max_unpaid` the unpaid orders a user may hold (0: no cap). Caller destroys. */
risk_ctl *risk_create(int n, const int32_t *max_per_user, int32_t max_unpaid);
void risk_destroy(risk_ctl *r);

/* Decides whether `user` may place an order of these lines. `flagged` is the detector's
 * verdict. Returns OS_ERISK (flagged, or too many unpaid orders) or OS_ELIMIT (a line would
 * pass the per-user limit) and records nothing; on OS_OK records the order as unpaid and
 * its units against the limits. */
os_status risk_admit(risk_ctl *r, uint64_t user, const inv_line *l, int n, bool flagged);
/* The order was paid: it no longer counts as unpaid. */
void risk_on_paid(risk_ctl *r, uint64_t user);
/* The order closed unpaid: drop it from the unpaid count and give its units back. */
void risk_on_closed_unpaid(risk_ctl *r, uint64_t user, const inv_line *l, int n);
/* True when `user` may hold `delta` more units of `sku` (a modify that raises a quantity):
 * within the SKU's per-user limit, counting what the user's open and paid orders hold. */
bool risk_may_add(const risk_ctl *r, uint64_t user, uint32_t sku, int32_t delta);
/* Adds n counters per user, numbered 0..n-1, for the caller's own per-user limits (a
 * coupon's uses per customer): call once, right after risk_create. */
void risk_add_counters(risk_ctl *r, int n);
/* The user's counter k, and adding to it (the user's slot goes when every counter is 0). */
int64_t risk_counter(const risk_ctl *r, uint64_t user, int k);
void risk_counter_add(risk_ctl *r, uint64_t user, int k, int64_t delta);
/* Checks that no user's counter is negative (a count given back twice); adds a message per
 * breach, returns how many. */
int risk_check(const risk_ctl *r, os_diag *diag);
/* Units quantity line changed on an open order (modify): adjust the limit count. */
void risk_on_modified(risk_ctl *r, uint64_t user, uint32_t sku, int32_t delta);

#endif
