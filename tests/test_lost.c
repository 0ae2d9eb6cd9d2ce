/* genuine_customers_lost_to_locks: the matching of wasted lock units to customers turned away
 * (sim_lost.c), by hand, and the metric in small runs computed by hand. */
#include <criterion/criterion.h>
#include <string.h>

#include "scn_text.h"
#include "sim_lost.h"

static bool served_7(const void *ctx, uint64_t c) { (void)ctx; return c == 7; }

Test(lost, each_wasted_unit_counts_at_most_one_customer_turned_away_while_it_was_held)
{
    /* SKU 0: customers 1, 2, 3 turned away at t = 1, 2, 3, customer 1 again at 4, customer 7
     * (served later) at 5; SKU 1: customer 9 at 2. A lock of 2 units of SKU 0 held [0, 10]
     * and wasted: customers 1 and 2. Another unit held [2.5, 10]: customer 3 (1 is counted,
     * 7 was served). A unit of SKU 1 held [3, 10]: customer 9 was turned away before it. */
    sim_lost *l = sim_lost_create(2);
    sim_lost_away(l, 1, 1, 0);
    sim_lost_away(l, 2, 2, 0);
    sim_lost_away(l, 2, 9, 1);
    sim_lost_away(l, 3, 3, 0);
    sim_lost_away(l, 4, 1, 0);
    sim_lost_away(l, 5, 7, 0);
    sim_lost_wasted(l, 0, 10, 0, 2);
    sim_lost_wasted(l, 2.5, 10, 0, 1);
    sim_lost_wasted(l, 3, 10, 1, 1);
    cr_expect_eq(sim_lost_count(l, served_7, NULL), 3);
    sim_lost_destroy(l);
    /* nothing wasted, or nobody turned away: 0 */
    l = sim_lost_create(1);
    sim_lost_away(l, 1, 1, 0);
    cr_expect_eq(sim_lost_count(l, served_7, NULL), 0);
    sim_lost_wasted(l, 2, 3, 0, 5);
    cr_expect_eq(sim_lost_count(l, served_7, NULL), 0, "the turn-away came before the lock");
    sim_lost_destroy(l);
}

/* Stock 2, one customer a second for 5 s ordering one unit, think time 5 s, expiry 10 s. */
static void lost_run(const char *seg, const char *strategy, rpt_run *r)
{
    char text[2048];
    snprintf(text, sizeof text,
             "{\"name\":\"lost\",\"horizon\":\"1m\",\"catalog\":[{\"sku\":\"a\",\"stock\":2,\"price\":10}],"
             "\"inventory\":{\"strategy\":\"%s\",\"order_expiry\":\"10s\"},"
             "\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":1},\"max_customers\":5,"
             "\"segments\":[{\"name\":\"g\",\"share\":1,\"think_time\":{\"dist\":\"const\",\"value\":5}%s}]}}", strategy, seg);
    scn_scenario *s = scn_text(text);
    rpt_run_init(r);
    sim_opts o = { .seed = 1, .ledger = true, .check_every_event = true };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    cr_assert(r->invariants_ok);
    scn_free(s);
}

Test(lost, locks_that_expire_unpaid_cost_their_units_and_locks_paid_for_cost_nothing)
{
    /* Customers 0 and 1 lock the 2 units (t = 0, 1); 2, 3, 4 are turned away while they are
     * locked. Nobody pays: both locks expire (t = 10, 11), wasted: 2 customers lost (capped
     * at the 2 units), 3 turned away while locked. Everybody pays (t = 5, 6): the locks were
     * busy, 0 lost, still 3 turned away while locked. */
    rpt_run r;
    lost_run(",\"pay_probability\":0", "reduce_on_order", &r);
    cr_expect_eq(r.m[RPT_M_orders_expired], 2);
    cr_expect_eq(r.m[RPT_M_genuine_rejected_while_locked], 3);
    cr_expect_eq(r.m[RPT_M_genuine_customers_lost_to_locks], 2);
    rpt_run_fini(&r);
    lost_run(",\"pay_probability\":1", "reduce_on_order", &r);
    cr_expect_eq(r.m[RPT_M_orders_paid], 2);
    cr_expect_eq(r.m[RPT_M_genuine_rejected_while_locked], 3);
    cr_expect_eq(r.m[RPT_M_genuine_customers_lost_to_locks], 0);
    rpt_run_fini(&r);
    /* Nobody pays; every failed order retries once, 20 s later. 2, 3 (turned away at 2, 3)
     * lock the freed units at 22, 23; 4 is turned away again at 24; 0 and 1 (expired at 10,
     * 11) retry at 30, 31 and are turned away while 2's and 3's locks are held; those expire
     * at 32, 33. Wasted: [0,10] -> 2, [1,11] -> 3, [22,32] -> 4, [23,33] -> 0: 4 customers
     * (none was ever served; 1's turn-away finds no wasted unit left). */
    lost_run(",\"pay_probability\":0,\"retry\":{\"probability\":1,\"max\":1,\"delay\":{\"dist\":\"const\",\"value\":20}}",
             "reduce_on_order", &r);
    cr_expect_eq(r.m[RPT_M_genuine_rejected_while_locked], 6);
    cr_expect_eq(r.m[RPT_M_genuine_customers_lost_to_locks], 4, "lost: %g", r.m[RPT_M_genuine_customers_lost_to_locks]);
    rpt_run_fini(&r);
    /* reduce_on_payment locks nothing: nothing is lost to locks */
    lost_run(",\"pay_probability\":0", "reduce_on_payment", &r);
    cr_expect_eq(r.m[RPT_M_genuine_customers_lost_to_locks], 0);
    rpt_run_fini(&r);
}
