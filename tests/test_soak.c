/* Soak test: a seeded random walk over scenarios — random parameters within the schema's
 * ranges, every strategy and built-in process — running each and requiring every invariant
 * to hold at the end, and after every single event for one run in four. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "sim_model.h"

static uint64_t soak_state;
static double soak_u(void)
{
    uint64_t z = (soak_state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return (double)((z ^ (z >> 31)) >> 11) * 0x1.0p-53;
}
static int soak_i(int lo, int hi) { return lo + (int)(soak_u() * (hi - lo + 1)); }

static const char *soak_dist(char *buf, size_t n, bool time)
{
    switch (soak_i(0, 4)) {
    case 0: snprintf(buf, n, "{\"dist\":\"const\",\"value\":%d}", soak_i(time ? 0 : 1, time ? 300 : 3)); break;
    case 1: snprintf(buf, n, "{\"dist\":\"exp\",\"mean\":%g}", time ? 1 + soak_u() * 200 : 1 + soak_u() * 2); break;
    case 2: snprintf(buf, n, "{\"dist\":\"uniform\",\"min\":%d,\"max\":%d}", time ? 0 : 1, soak_i(3, time ? 400 : 4)); break;
    case 3: snprintf(buf, n, "{\"dist\":\"lognormal\",\"median\":%g,\"sigma\":%g}", time ? 5 + soak_u() * 100 : 1.5, soak_u()); break;
    default: snprintf(buf, n, "{\"dist\":\"empirical\",\"values\":[%d,%d],\"weights\":[%g,1]}", time ? 0 : 1, time ? 120 : 2, soak_u()); break;
    }
    return buf;
}

/* Mixed processes (docs/scenarios.md): a catalog entry's or a segment's own process, one
 * time in four. */
static const char *soak_mixed_process(void)
{
    static const char *const keys[] = { ",\"process\":\"b2c\"", ",\"process\":\"virtual\"", ",\"process\":\"cod\"" };
    return soak_u() < 0.25 ? keys[soak_i(0, 2)] : "";
}

/* Read traffic (docs/scenarios.md, segment "reads"), one time in three. */
static const char *soak_reads(char *buf, size_t n)
{
    char d[128];
    if (soak_u() < 2.0 / 3) return "";
    snprintf(buf, n, ",\"reads\":{\"per_order\":%g,\"service\":%s}", soak_u() * 4, soak_dist(d, sizeof d, true));
    return buf;
}

/* Random checkout abandonment and retries for a segment: ",KEY:VALUE..." or "". */
static const char *soak_buyer(char *buf, size_t n)
{
    char d[128];
    size_t u = (size_t)snprintf(buf, n, ",\"checkout_abandon_probability\":%g", soak_u() < 0.5 ? soak_u() : 0);
    if (soak_u() < 0.5)
        snprintf(buf + u, n - u, ",\"retry\":{\"probability\":%g,\"max\":%d,\"delay\":%s}", soak_u(), soak_i(0, 4),
                 soak_dist(d, sizeof d, true));
    return buf;
}

/* The order rules' keys (membership, refunds, merchant actions, partial returns), drawn at
 * random: the top-level membership, a segment's keys and fulfilment's, each with a leading
 * comma, or "" half the time. */
static const char *soak_membership(char *buf, size_t n)
{
    if (soak_u() < 0.5) return "";
    snprintf(buf, n, ",\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":%d,\"priority\":%d,"
             "\"stackable\":%s,\"points_per_unit\":%d},{\"name\":\"silver\",\"discount_percent\":%d,\"points_per_unit\":%d}]}",
             soak_i(0, 30), soak_i(0, 3), soak_u() < 0.5 ? "true" : "false", soak_i(0, 10), soak_i(0, 10), soak_i(0, 3));
    return buf;
}
static const char *soak_segment_rules(char *buf, size_t n, bool members)
{
    char d[128];
    char d2[128];
    size_t u = (size_t)snprintf(buf, n, ",\"refund_probability\":%g,\"refund_delay\":%s,\"return_lines\":\"%s\","
                                "\"modify_address_probability\":%g,\"modify_address_delay\":%s",
                                soak_u() < 0.5 ? soak_u() * 0.5 : 0, soak_dist(d, sizeof d, true), soak_u() < 0.5 ? "one" : "all",
                                soak_u() < 0.5 ? soak_u() : 0, soak_dist(d2, sizeof d2, true));
    if (members) snprintf(buf + u, n - u, ",\"tier\":{\"gold\":%g,\"silver\":%g}", soak_u() * 0.5, soak_u() * 0.5);
    return buf;
}
static const char *soak_fulfilment_rules(char *buf, size_t n)
{
    snprintf(buf, n, ",\"merchant_cancel_probability\":%g,\"return_reject_probability\":%g",
             soak_u() < 0.5 ? soak_u() * 0.3 : 0, soak_u() < 0.5 ? soak_u() * 0.5 : 0);
    return buf;
}

static const char *soak_channels(char *buf, size_t n)
{
    if (soak_u() < 0.5) return "";
    char d[128];
    double card = soak_u();
    snprintf(buf, n, ",\"channels\":[{\"name\":\"card\",\"share\":%.17g,\"failure_probability\":%g},"
             "{\"name\":\"bank\",\"share\":%.17g,\"delay\":%s}]", card, soak_u() * 0.5, 1 - card, soak_dist(d, sizeof d, true));
    return buf;
}

/* The system around the rules (docs/scenarios.md "Admission"): each mechanism one time in
 * three, with settings that bind often. ",KEY:VALUE..." or "". */
static const char *soak_system(char *buf, size_t n)
{
    char d[128];
    size_t u = 0;
    buf[0] = '\0';
    bool rl = soak_u() < 1.0 / 3, wr = soak_u() < 1.0 / 3, fl = soak_u() < 1.0 / 3;
    if (rl || wr || fl) {
        u += (size_t)snprintf(buf + u, n - u, ",\"admission\":{");
        if (rl) u += (size_t)snprintf(buf + u, n - u, "\"rate_limit\":{\"rate\":%g,\"burst\":%d}", 0.2 + soak_u() * 5, soak_i(1, 20));
        if (wr)
            u += (size_t)snprintf(buf + u, n - u, "%s\"waiting_room\":{\"release_rate\":%g%s%s}", rl ? "," : "", 0.2 + soak_u() * 5,
                                  soak_u() < 0.5 ? ",\"capacity\":20" : "",
                                  soak_u() < 0.5 ? (snprintf(d + 64, 64, ",\"patience\":{\"dist\":\"exp\",\"mean\":%d}", soak_i(1, 120)), d + 64) : "");
        if (fl) u += (size_t)snprintf(buf + u, n - u, "%s\"sold_out_flag\":{\"ttl\":%d}", rl || wr ? "," : "", soak_i(1, 300));
        u += (size_t)snprintf(buf + u, n - u, "}");
    }
    if (soak_u() < 1.0 / 3) {   /* faults: outages and slow windows on the stations */
        static const char *const targets[] = { "payment", "stations.order_service", "stations.warehouse" };
        int nf = soak_i(1, 3);
        u += (size_t)snprintf(buf + u, n - u, ",\"faults\":[");
        for (int i = 0; i < nf; i++) {
            bool slow = soak_u() < 0.3;
            u += (size_t)snprintf(buf + u, n - u, "%s{\"target\":\"%s\",\"at\":%d,\"duration\":%d%s}", i ? "," : "",
                                  targets[soak_i(0, 2)], soak_i(0, 600), soak_i(1, 600),
                                  slow ? (snprintf(d, 64, ",\"kind\":\"slow\",\"factor\":%d", soak_i(1, 5)), d) : "");
        }
        u += (size_t)snprintf(buf + u, n - u, "]");
    }
    return buf;
}

/* Now and then a shaped rate: a profile (1 to 24 bins of 10 s to 10 min, an offset, some
 * weights 0) and/or levels (1 to 12 of 1 to 20 min, some 0); or "". */
static const char *soak_shape(char *buf, size_t n)
{
    size_t u = 0;
    buf[0] = 0;
    if (soak_u() < 0.3) {
        int nw = soak_i(1, 24), bin = soak_i(10, 600);
        u += (size_t)snprintf(buf + u, n - u, ",\"profile\":{\"period\":%d,\"offset\":%d,\"weights\":[", nw * bin, soak_i(0, nw * bin - 1));
        for (int i = 0; i < nw; i++) u += (size_t)snprintf(buf + u, n - u, "%s%g", i ? "," : "", i && soak_u() < 0.2 ? 0 : 0.1 + soak_u() * 3);
        u += (size_t)snprintf(buf + u, n - u, "]}");
    }
    if (soak_u() < 0.3) {
        int nl = soak_i(1, 12);
        u += (size_t)snprintf(buf + u, n - u, ",\"levels\":{\"every\":%d,\"offset\":0,\"values\":[", soak_i(60, 1200));
        for (int i = 0; i < nl; i++) u += (size_t)snprintf(buf + u, n - u, "%s%g", i ? "," : "", i && soak_u() < 0.2 ? 0 : 0.2 + soak_u() * 2);
        u += (size_t)snprintf(buf + u, n - u, "]}");
    }
    return buf;
}

/* Writes one random scenario into buf. */
static void soak_scenario(char *buf, size_t n, int k)
{
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    int nstrategies = 0;
    while (strategies[nstrategies]) nstrategies++;
    static const char *const processes[] = { "b2c", "virtual", "cod" };
    char d1[128], d2[128], d3[128], d4[128], d5[128], d6[128], d7[256], e1[320], e2[320], mb[512], sr[512], fr[256], ch[512], sh[768];
    size_t u = 0;
    const char *members = soak_membership(mb, sizeof mb);
    u += (size_t)snprintf(buf + u, n - u, "{\"name\":\"soak%d\",\"seed\":%d,\"horizon\":%d%s,\"catalog\":[", k, soak_i(0, 1000),
                          soak_i(600, 7200), members);
    int skus = soak_i(1, 4);
    for (int i = 0; i < skus; i++)
        u += (size_t)snprintf(buf + u, n - u, "%s{\"sku\":\"s%d\",\"stock\":%d,\"price\":%g,\"max_per_user\":%d,\"warehouse\":\"w%d\",\"merchant\":\"m%d\"%s}",
                              i ? "," : "", i, soak_i(0, 150), 1 + soak_u() * 300, soak_i(0, 3), soak_i(0, 2), soak_i(0, 2),
                              soak_mixed_process());
    u += (size_t)snprintf(buf + u, n - u, "],\"promotions\":[{\"id\":\"p\",\"type\":\"percent_off\",\"value\":%d,\"budget\":%d,\"return_budget\":%s},"
                          "{\"id\":\"t\",\"type\":\"threshold_off\",\"value\":5,\"threshold\":50,\"priority\":2,\"stackable\":%s},",
                          soak_i(0, 50), soak_i(0, 2000), soak_u() < 0.5 ? "true" : "false", soak_u() < 0.5 ? "true" : "false");
    /* a coupon the bots present, limited per customer or not (per_customer) */
    int per_customer = soak_u() < 0.5 ? soak_i(1, 3) : 0;
    u += (size_t)snprintf(buf + u, n - u, "{\"id\":\"c\",\"type\":\"coupon\",\"value\":%d%s%.0d}],", soak_i(1, 20),
                          per_customer ? ",\"per_customer\":" : "", per_customer);
    char disp[320] = "";
    if (soak_u() < 0.4) snprintf(disp, sizeof disp, ",\"display\":{\"refresh\":%d}", soak_u() < 0.3 ? 0 : soak_i(1, 600));
    if (soak_u() < 0.4) {   /* a row store: holds, a connection cap, a timeout, keys of another kind */
        char more[64] = "";
        if (soak_u() < 0.3) snprintf(more, sizeof more, ",\"connections\":%d", soak_i(1, 3));
        if (soak_u() < 0.5) snprintf(more + strlen(more), sizeof more - strlen(more), ",\"timeout\":%g", 0.01 + soak_u());
        if (soak_u() < 0.2) snprintf(more + strlen(more), sizeof more - strlen(more), ",\"buckets\":%d", soak_i(2, 9));
        snprintf(disp + strlen(disp), sizeof disp - strlen(disp),
                 ",\"store\":{\"kind\":\"row_lock\",\"hold\":{\"dist\":\"exp\",\"mean\":%g}%s}", 0.001 + 0.2 * soak_u(), more);
    }
    u += (size_t)snprintf(buf + u, n - u, "\"inventory\":{\"strategy\":\"%s\",\"order_expiry\":%d,\"revalidate_before_payment\":%s,\"oversell\":\"%s\"%s},",
                          strategies[soak_i(0, nstrategies - 1)]->name, soak_i(30, 900), soak_u() < 0.5 ? "true" : "false", soak_u() < 0.5 ? "allow" : "refund", disp);
    u += (size_t)snprintf(buf + u, n - u, "\"risk\":{\"max_unpaid_orders_per_user\":%d,\"bot_detect_probability\":%g,\"false_positive_probability\":%g},",
                          soak_i(0, 3), soak_u(), soak_u() * 0.1);
    double bots = soak_u() < 0.5 ? soak_u() * 0.4 : 0;
    u += (size_t)snprintf(buf + u, n - u, "\"customers\":{\"arrivals\":{\"process\":\"%s\",\"rate\":%g,\"schedule\":[{\"at\":%d,\"rate\":%g}]%s},"
                          "\"max_customers\":%d,\"segments\":[{\"name\":\"g\",\"share\":%.17g,\"quantity\":%s,\"basket_size\":%s,"
                          "\"pay_probability\":%g,\"think_time\":%s,\"cancel_probability\":%g,\"modify_probability\":%g,"
                          "\"return_probability\":%g,\"return_delay\":%s,\"cancel_after_pay_probability\":%g%s%s%s%s}",
                          soak_u() < 0.5 ? "poisson" : "deterministic", 0.5 + soak_u() * 10, soak_i(60, 600), soak_u() * 5, soak_shape(sh, sizeof sh),
                          soak_i(100, 1500), 1 - bots, soak_dist(d1, sizeof d1, false), soak_dist(d2, sizeof d2, false),
                          soak_u(), soak_dist(d3, sizeof d3, true), soak_u() * 0.2, soak_u() * 0.2, soak_u() * 0.5,
                          soak_dist(d4, sizeof d4, true), soak_u() * 0.3, soak_mixed_process(), soak_reads(d7, sizeof d7),
                          soak_buyer(e1, sizeof e1), soak_segment_rules(sr, sizeof sr, members[0] != '\0'));
    if (bots > 0)
        u += (size_t)snprintf(buf + u, n - u, ",{\"name\":\"b\",\"share\":%.17g,\"malicious\":true,\"orders_per_visit\":%d,\"accounts_per_visit\":%d,"
                              "\"pay_probability\":%g,\"coupon\":\"c\"%s%s}",
                              bots, soak_i(1, 6), soak_i(1, 6), soak_u() < 0.5 ? soak_u() : 0, soak_mixed_process(), soak_buyer(e2, sizeof e2));
    char pto[48] = "", oto[48] = "";   /* timeouts, one time in three each */
    if (soak_u() < 1.0 / 3) snprintf(pto, sizeof pto, ",\"timeout\":%d", soak_i(1, 400));
    if (soak_u() < 1.0 / 3) snprintf(oto, sizeof oto, ",\"timeout\":%g", 0.05 + soak_u());
    u += (size_t)snprintf(buf + u, n - u, "]},\"payment\":{\"delay\":%s,\"failure_probability\":%g%s,\"session_timeout\":%d%s%s},",
                          soak_dist(d5, sizeof d5, true), soak_u() * 0.3, soak_u() < 0.5 ? ",\"servers\":3" : "", soak_i(1, 1200),
                          soak_channels(ch, sizeof ch), pto);
    if (soak_u() < 0.7)
        u += (size_t)snprintf(buf + u, n - u, "\"stations\":{\"order_service\":{\"servers\":%d,\"service\":{\"dist\":\"exp\",\"mean\":0.2}%s},"
                              "\"warehouse\":{\"servers\":%d,\"service\":%s}},", soak_i(1, 4), oto, soak_i(1, 5), soak_dist(d6, sizeof d6, true));
    u += (size_t)snprintf(buf + u, n - u, "\"fulfilment\":{\"delivery\":{\"dist\":\"exp\",\"mean\":%d},\"auto_confirm_after\":%d,"
                          "\"complete_after\":%d,\"restock_probability\":%g%s},\"process\":\"%s\"",
                          soak_i(10, 600), soak_i(60, 1200), soak_i(60, 1200), soak_u(), soak_fulfilment_rules(fr, sizeof fr),
                          processes[soak_i(0, 2)]);
    char sys[1024];
    u += (size_t)snprintf(buf + u, n - u, "%s}", soak_system(sys, sizeof sys));
    OS_ASSERT(u < n);
}

Test(soak, random_scenarios_keep_every_invariant, .timeout = 120)
{
    soak_state = 20261125;
    int runs = 0, every = 0, features[23] = { 0 };
    double events = 0;
    static char text[16384];
    for (int k = 0; k < 400; k++) {
        soak_scenario(text, sizeof text, k);
        os_diag d;
        os_diag_init(&d);
        jsn_doc *doc;
        cr_assert_eq(jsn_parse("soak.json", text, strlen(text), &doc, &d), OS_OK, "%s", text);
        scn_scenario *s = NULL;
        os_status st = scn_from_doc(doc, &s, &d);
        for (int i = 0; i < d.count; i++) cr_log_error("scenario %d: %s", k, d.msgs[i]);
        cr_assert_eq(st, OS_OK, "generated scenario %d is valid: %s", k, text);
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .seed = s->seed, .ledger = true, .check_every_event = k % 4 == 0 };
        cr_assert_eq(sim_run(s, &o, &r), OS_OK);
        for (int i = 0; i < r.violations.count; i++) cr_log_error("scenario %d: %s\n%s", k, r.violations.msgs[i], text);
        cr_assert(r.invariants_ok, "invariants hold for scenario %d", k);
        /* The buyers' figures keep their definitions. */
        cr_assert_leq(r.m[RPT_M_customers_served], r.m[RPT_M_genuine_orders_served], "scenario %d", k);
        cr_assert_leq(r.m[RPT_M_turned_away_while_available], r.m[RPT_M_customers_turned_away_by_display], "scenario %d", k);
        cr_assert_leq(r.m[RPT_M_customers_turned_away_by_display], r.m[RPT_M_customers], "scenario %d: at most once a customer", k);
        cr_assert_leq(r.m[RPT_M_units_bought_by_bots], r.m[RPT_M_units_sold], "scenario %d", k);
        if (!s->display) cr_assert_eq(r.m[RPT_M_customers_turned_away_by_display], 0);
        if (s->display && s->display_refresh == 0) cr_assert_eq(r.m[RPT_M_turned_away_while_available], 0, "scenario %d", k);
        /* Points: never more given back than earned (proc_check, in the invariants above, also
         * requires awarded = returned + what open and closed orders hold, after every event
         * for one run in four). */
        cr_assert_geq(r.m[RPT_M_points_awarded], r.m[RPT_M_points_returned], "scenario %d", k);
        /* what wasted locks cost is part of who was turned away while units were locked */
        cr_assert_leq(r.m[RPT_M_genuine_customers_lost_to_locks], r.m[RPT_M_genuine_rejected_while_locked], "scenario %d", k);
        /* every paid order of shipped goods is at least one sub-order; virtual goods make none */
        if (s->n_more_fsms == 0 && fsm_has_action(s->fsm, FSM_PRODUCE))
            cr_assert_geq(r.m[RPT_M_sub_orders], r.m[RPT_M_orders_paid], "scenario %d: a paid order is at least one sub-order", k);
        cr_assert_leq(r.m[RPT_M_sub_orders], 8 * r.m[RPT_M_orders_paid], "scenario %d: at most a sub-order per line", k);
        features[0] += r.m[RPT_M_payment_sessions_abandoned] > 0;
        features[1] += r.m[RPT_M_units_bought_by_bots] > 0;
        features[2] += r.m[RPT_M_retries] > 0;
        features[3] += r.m[RPT_M_customers_turned_away_by_display] > 0;
        features[4] += r.m[RPT_M_points_awarded] > 0 && r.m[RPT_M_points_returned] > 0;
        features[5] += r.m[RPT_M_orders_refunded_by_buyer] > 0;
        features[6] += r.m[RPT_M_orders_cancelled_by_merchant] > 0;
        features[7] += r.m[RPT_M_returns_rejected] > 0;
        features[8] += r.m[RPT_M_orders_returned_partly] > 0;
        features[9] += r.m[RPT_M_sub_orders] > r.m[RPT_M_orders_paid];
        features[10] += r.bd[RPT_BD_CHANNEL].nrows > 1 && r.m[RPT_M_orders_paid] > 0;
        features[11] += r.m[RPT_M_addresses_modified] > 0 && r.m[RPT_M_address_changes_refused] > 0;
        features[12] += r.m[RPT_M_order_reads] > 0;
        features[13] += strchr(r.process, '+') != NULL;
        features[14] += r.m[RPT_M_customers_shed] > 0;
        features[15] += r.m[RPT_M_customers_left_waiting_room] > 0;
        features[16] += r.m[RPT_M_customers_turned_away_by_flag] > 0;
        features[17] += (s->n_profile > 0 || s->n_levels > 0) && r.m[RPT_M_customers] > 0;
        features[18] += r.m[RPT_M_payments_timed_out] > 0;
        features[19] += r.m[RPT_M_requests_timed_out] > 0;
        features[20] += r.m[RPT_M_requests_failed_outage] > 0;
        /* a timed-out payment is counted at its station too (in service or queued) */
        cr_assert_eq(r.st[1].timeouts, r.m[RPT_M_payments_timed_out], "scenario %d", k);
        for (int q = 0; q < r.nstations; q++)
            if (strcmp(r.st[q].name, "inventory") == 0) {
                features[21] += r.st[q].served > 0;
                features[22] += r.st[q].timeouts > 0 && r.m[RPT_M_requests_timed_out] > 0;
            }
        runs++;
        every += o.check_every_event;
        events += (double)r.events;
        rpt_run_fini(&r);
        scn_free(s);
        jsn_free(doc);
        os_diag_fini(&d);
    }
    cr_log_info("soak: %d random scenarios, %d checked after every event, %.0f events", runs, every, events);
    cr_expect_gt(events, 100000, "the walk did real work");
    cr_log_info("soak: runs with abandoned sessions %d, bots buying %d, retries %d, display turning away %d, points "
                "earned and returned %d, buyers' refunds %d, merchant cancels %d, returns rejected %d, partial returns %d, "
                "split orders %d, several channels %d, address changes made and refused %d, reads %d, mixed processes %d, "
                "shed %d, left the waiting room %d, turned away by the sold-out flag %d, shaped rates %d, payments timed out %d, "
                "order requests timed out %d, failed in an outage %d, row stores %d, row timeouts %d",
                features[0], features[1], features[2], features[3], features[4], features[5], features[6], features[7],
                features[8], features[9], features[10], features[11], features[12], features[13], features[14], features[15],
                features[16], features[17], features[18], features[19], features[20], features[21], features[22]);
    for (int i = 0; i < 23; i++) cr_expect_gt(features[i], 20, "each new behaviour happened in many runs (%d: %d)", i, features[i]);
}
