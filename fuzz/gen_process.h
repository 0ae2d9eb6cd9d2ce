/*
 * gen_process.h — random process definitions and small scenarios, for the property test
 * (tests/test_processes.c) and the simulator fuzz target (fuzz/fuzz_sim.c).
 *
 * Both are written as JSON text and go through the same loader and linter as a user's
 * files, so what is tested is what a user can write. Choices come from the input bytes
 * while they last (the fuzzer steers them), then from a xorshift stream seeded by them (or
 * by the property test's seed). Definitions are biased towards lint-clean ones (a spine
 * from the initial state to a terminal one, `pay` into a captured state, timers owned by
 * system, at most one timer per state) but every rule is also broken now and then, so the
 * linter's refusals are exercised too. Scenarios are small and bounded: at most 80
 * customers over at most 20 simulated minutes, timers of at least 0.5 s (or 0 s, which the
 * linter or the loop guard must stop).
 *
 * Header-only (static functions) because it is test code shared by two programs that are
 * built separately; it allocates nothing.
 */
#ifndef GEN_PROCESS_H
#define GEN_PROCESS_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "fsm.h"
#include "inv.h"

typedef struct gen_src {
    const uint8_t *p;   /* steering bytes (may be NULL) */
    size_t         n;   /* their count */
    size_t         i;   /* next byte */
    uint64_t       x;   /* xorshift state once the bytes run out; never 0 */
} gen_src;

/* A choice in [0, n): from the next byte while they last, else from the stream. */
static uint32_t gen_pick(gen_src *g, uint32_t n)
{
    if (n <= 1) return 0;
    if (g->i < g->n) return g->p[g->i++] % n;
    g->x ^= g->x << 13;
    g->x ^= g->x >> 7;
    g->x ^= g->x << 17;
    return (uint32_t)((g->x >> 11) % n);
}

static void gen_init(gen_src *g, const uint8_t *p, size_t n, uint64_t seed)
{
    g->p = p;
    g->n = n;
    g->i = 0;
    g->x = seed * 0x9E3779B97F4A7C15ULL + 0x632BE59BD9B4E019ULL;
    for (size_t k = 0; k < n && k < 64; k++) g->x = (g->x ^ p[k]) * 0x100000001B3ULL;
    if (!g->x) g->x = 1;
}

/* Appends to buf (never overflows; a truncated text simply fails to parse). */
static void gen_cat(char *buf, size_t cap, size_t *used, const char *fmt, ...) __attribute__((format(printf, 4, 5)));
#include <stdarg.h>
static void gen_cat(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    if (*used >= cap) return;
    va_list ap;
    va_start(ap, fmt);
    int k = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (k > 0) *used += (size_t)k;
}

#define GEN_MAX_STATES 8

/* Writes a random process definition into buf (JSON text). */
static void gen_definition(gen_src *g, char *buf, size_t cap)
{
    static const char *const stock[] = { "none", "locked", "deducted", "released", "returned" };
    static const char *const money[] = { "none", "captured", "refunded" };
    static const char *const actors[] = { "buyer", "merchant", "system" };
    static const char *const afters[] = { "\"0s\"", "\"500ms\"", "\"5s\"", "\"1m\"", "\"10m\"", "\"order_expiry\"",
                                          "\"auto_confirm_after\"", "\"complete_after\"" };
    int n = 2 + (int)gen_pick(g, GEN_MAX_STATES - 1);
    int st[GEN_MAX_STATES], mo[GEN_MAX_STATES];
    bool term[GEN_MAX_STATES] = { false };
    /* The initial state holds stock the strategy's way and no money; the others are random,
     * with terminal states mostly ending the sale (released / returned) or keeping it. */
    st[0] = gen_pick(g, 8) ? FSM_STOCK_LOCKED : (int)gen_pick(g, FSM_STOCK_COUNT);
    mo[0] = gen_pick(g, 8) ? FSM_MONEY_NONE : (int)gen_pick(g, FSM_MONEY_COUNT);
    /* Mostly a plausible life: unpaid up to a payment point, paid after it; terminal states
     * end unsold (released), kept (deducted) or undone (refunded). One state in eight is
     * anything at all, so the linter's stance rules are exercised too. */
    int paypoint = 1 + (int)gen_pick(g, (uint32_t)(n - 1));
    for (int s = 1; s < n; s++) {
        term[s] = s == n - 1 || gen_pick(g, 3) == 0;
        bool paid = s >= paypoint;
        if (gen_pick(g, 8) == 0) {
            st[s] = (int)gen_pick(g, FSM_STOCK_COUNT);
            mo[s] = (int)gen_pick(g, FSM_MONEY_COUNT);
        } else if (!term[s]) {
            st[s] = paid ? (gen_pick(g, 4) ? FSM_STOCK_DEDUCTED : FSM_STOCK_LOCKED) : FSM_STOCK_LOCKED;
            mo[s] = paid ? FSM_MONEY_CAPTURED : FSM_MONEY_NONE;
        } else {
            static const int ends[4][2] = { { FSM_STOCK_RELEASED, FSM_MONEY_NONE }, { FSM_STOCK_DEDUCTED, FSM_MONEY_CAPTURED },
                                            { FSM_STOCK_RELEASED, FSM_MONEY_REFUNDED }, { FSM_STOCK_RETURNED, FSM_MONEY_REFUNDED } };
            int e = paid ? 1 + (int)gen_pick(g, 3) : 0;
            st[s] = ends[e][0];
            mo[s] = ends[e][1];
        }
    }
    size_t u = 0;
    gen_cat(buf, cap, &u, "{\"name\": \"gen\", \"stock\": \"%s\", \"states\": [",
            gen_pick(g, 4) ? "by_strategy" : "on_create");
    for (int s = 0; s < n; s++)
        gen_cat(buf, cap, &u, "%s{\"name\": \"s%d\", \"stock\": \"%s\", \"money\": \"%s\"}", s ? ", " : "", s,
                stock[st[s]], money[mo[s]]);
    gen_cat(buf, cap, &u, "], \"initial\": \"s0\", \"terminal\": [");
    int k = 0;
    for (int s = 1; s < n; s++)
        if (term[s]) gen_cat(buf, cap, &u, "%s\"s%d\"", k++ ? ", " : "", s);
    gen_cat(buf, cap, &u, "], \"transitions\": [");
    /* Rows: a spine s0 -> s1 -> ... (skipping terminal states' outgoing rows), then extras. */
    bool used[GEN_MAX_STATES][FSM_ACTION_COUNT] = { { false } };
    bool timer[GEN_MAX_STATES] = { false };
    int rows = 0, extra = (int)gen_pick(g, 10), last = 0;
    for (int r = 0; r < n - 1 + extra; r++) {
        int from, to;
        if (r < n - 1) {                  /* the spine: from the latest non-terminal state */
            from = last;
            to = r + 1;
            if (!term[to]) last = to;
        } else {
            from = (int)gen_pick(g, (uint32_t)n);
            to = (int)gen_pick(g, (uint32_t)n);
            if (term[from] && gen_pick(g, 64)) continue;
        }
        int act;
        if (mo[to] == FSM_MONEY_CAPTURED && mo[from] != FSM_MONEY_CAPTURED && gen_pick(g, 8)) act = FSM_PAY;
        else {
            act = (int)gen_pick(g, FSM_ACTION_COUNT);
            if (act == FSM_PAY && (mo[to] != FSM_MONEY_CAPTURED || mo[from] == FSM_MONEY_CAPTURED) && gen_pick(g, 8))
                act = FSM_CANCEL;
            if (act == FSM_MODIFY && (mo[from] != FSM_MONEY_NONE || st[from] >= FSM_STOCK_DEDUCTED) && gen_pick(g, 8))
                act = FSM_CONFIRM;
        }
        for (int tries = 0; used[from][act] && r < n - 1 && tries < FSM_ACTION_COUNT; tries++) {
            act = (act + 1) % FSM_ACTION_COUNT;   /* a spine row takes any free action */
            if (act == FSM_PAY || act == FSM_MODIFY) act = FSM_CANCEL;
        }
        if (used[from][act]) continue;
        used[from][act] = true;
        unsigned mask = 1u + gen_pick(g, 7);  /* non-empty */
        if (act == FSM_PAY && gen_pick(g, 8)) mask |= 1u;  /* the simulator pays as buyer */
        bool timed = !timer[from] && act != FSM_PAY && act != FSM_MODIFY && gen_pick(g, 3) == 0;
        if (timed) {
            timer[from] = true;
            if (gen_pick(g, 16)) mask |= 4u;   /* timers fire as system */
        }
        gen_cat(buf, cap, &u, "%s{\"from\": \"s%d\", \"action\": \"%s\", \"to\": \"s%d\", \"actors\": [", rows++ ? ", " : "",
                from, fsm_action_name((fsm_action)act), to);
        int m = 0;
        for (int a = 0; a < 3; a++)
            if (mask & (1u << a)) gen_cat(buf, cap, &u, "%s\"%s\"", m++ ? ", " : "", actors[a]);
        gen_cat(buf, cap, &u, "]");
        if (timed) gen_cat(buf, cap, &u, ", \"after\": %s", afters[gen_pick(g, 8)]);
        gen_cat(buf, cap, &u, "}");
    }
    gen_cat(buf, cap, &u, "]}");
}

/* Writes a small random scenario (JSON text) that uses process `process` (a built-in name;
 * callers swap in the generated definition after loading). */
static void gen_scenario(gen_src *g, char *buf, size_t cap, const char *process)
{
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    int nstrategies = 0;
    while (strategies[nstrategies]) nstrategies++;
    static const char *const durs[] = { "0", "1", "30", "120", "600" };
    size_t u = 0;
    int nsku = 1 + (int)gen_pick(g, 3);
    gen_cat(buf, cap, &u, "{\"name\": \"gen\", \"horizon\": %d, ", 300 + 300 * (int)gen_pick(g, 4));
    /* the order rules: a membership tier, merchants, payment channels (docs/scenarios.md) */
    gen_cat(buf, cap, &u, "\"membership\": {\"tiers\": [{\"name\": \"gold\", \"discount_percent\": %u, \"priority\": %u, "
            "\"stackable\": %s, \"points_per_unit\": %u}]}, \"catalog\": [", 5 * gen_pick(g, 4), gen_pick(g, 3),
            gen_pick(g, 2) ? "true" : "false", gen_pick(g, 4));
    for (int i = 0; i < nsku; i++)
        gen_cat(buf, cap, &u, "%s{\"sku\": \"k%d\", \"stock\": %u, \"price\": %u, \"max_per_user\": %u, \"warehouse\": \"w%u\", "
                "\"merchant\": \"m%u\"}", i ? ", " : "", i, gen_pick(g, 40), 1 + gen_pick(g, 90), gen_pick(g, 4), gen_pick(g, 2),
                gen_pick(g, 2));
    gen_cat(buf, cap, &u, "], \"promotions\": [{\"id\": \"p\", \"type\": \"fixed_off\", \"value\": %u, \"budget\": %u, "
            "\"return_budget\": %s}, {\"id\": \"c\", \"type\": \"coupon\", \"value\": 3%s}], ",
            1 + gen_pick(g, 5), 5 + gen_pick(g, 60), gen_pick(g, 2) ? "true" : "false",
            gen_pick(g, 2) ? ", \"per_customer\": 1" : "");
    gen_cat(buf, cap, &u, "\"inventory\": {\"strategy\": \"%s\", \"order_expiry\": %s, \"revalidate_before_payment\": %s, "
            "\"oversell\": \"%s\"", strategies[gen_pick(g, (uint32_t)nstrategies)]->name, durs[1 + gen_pick(g, 4)],
            gen_pick(g, 2) ? "true" : "false", gen_pick(g, 2) ? "allow" : "refund");
    if (gen_pick(g, 2)) gen_cat(buf, cap, &u, ", \"display\": {\"refresh\": %s}", durs[gen_pick(g, 5)]);
    gen_cat(buf, cap, &u, "}, ");
    gen_cat(buf, cap, &u, "\"risk\": {\"max_unpaid_orders_per_user\": %u}, ", gen_pick(g, 3));
    /* The rate's shape (profile, levels) now and then: bins of 1 to 300 s, some weights 0. */
    char shape[256] = "";
    size_t su = 0;
    if (gen_pick(g, 3) == 0) {
        uint32_t nw = 1 + gen_pick(g, 4), bin = 1 + gen_pick(g, 300);
        gen_cat(shape, sizeof shape, &su, ", \"profile\": {\"period\": %u, \"offset\": %u, \"weights\": [", nw * bin, gen_pick(g, nw * bin));
        for (uint32_t i = 0; i < nw; i++) gen_cat(shape, sizeof shape, &su, "%s%u", i ? ", " : "", i ? gen_pick(g, 4) : 1 + gen_pick(g, 3));
        gen_cat(shape, sizeof shape, &su, "]}");
    }
    if (gen_pick(g, 3) == 0) {
        uint32_t nl = 1 + gen_pick(g, 5), every = 1 + gen_pick(g, 400);
        gen_cat(shape, sizeof shape, &su, ", \"levels\": {\"every\": %u, \"offset\": %u, \"values\": [", every, gen_pick(g, every));
        for (uint32_t i = 0; i < nl; i++) gen_cat(shape, sizeof shape, &su, "%s%g", i ? ", " : "", i ? 0.5 * gen_pick(g, 5) : 0.5 + 0.5 * gen_pick(g, 4));
        gen_cat(shape, sizeof shape, &su, "]}");
    }
    gen_cat(buf, cap, &u, "\"customers\": {\"max_customers\": %u, \"arrivals\": {\"rate\": %g%s}, \"segments\": ["
            "{\"name\": \"a\", \"share\": 0.8, \"quantity\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 3}, "
            "\"basket_size\": {\"dist\": \"uniform\", \"min\": 1, \"max\": 3}, \"pay_probability\": %g, "
            "\"think_time\": {\"dist\": \"const\", \"value\": %s}, \"cancel_probability\": %g, \"modify_probability\": %g, "
            "\"return_probability\": %g, \"return_delay\": {\"dist\": \"exp\", \"mean\": 40}, \"coupon\": \"c\", "
            "\"cancel_after_pay_probability\": %g, \"cancel_after_pay_delay\": {\"dist\": \"const\", \"value\": %s}",
            10 + gen_pick(g, 70), 0.05 + 0.1 * gen_pick(g, 4), shape, 0.25 * gen_pick(g, 5), durs[gen_pick(g, 5)],
            0.2 * gen_pick(g, 3), 0.2 * gen_pick(g, 3), 0.3 * gen_pick(g, 3), 0.3 * gen_pick(g, 3), durs[gen_pick(g, 5)]);
    /* the buyers: checkout abandonment, retries, refunds, partial returns, a tier
     * mix, address changes, read traffic; scalpers who pay */
    gen_cat(buf, cap, &u, ", \"checkout_abandon_probability\": %g, \"retry\": {\"probability\": %g, \"max\": %u, "
            "\"delay\": {\"dist\": \"const\", \"value\": %s}}, \"refund_probability\": %g, "
            "\"refund_delay\": {\"dist\": \"exp\", \"mean\": 30}, \"return_lines\": \"%s\", \"tier\": {\"gold\": %g}, "
            "\"modify_address_probability\": %g, \"reads\": {\"per_order\": %g, \"service\": {\"dist\": \"const\", \"value\": 0.01}}}, ",
            0.2 * gen_pick(g, 3), 0.5 * gen_pick(g, 3), gen_pick(g, 3), durs[gen_pick(g, 5)], 0.2 * gen_pick(g, 3),
            gen_pick(g, 2) ? "one" : "all", 0.5 * gen_pick(g, 3), 0.3 * gen_pick(g, 4), 0.5 * gen_pick(g, 4));
    gen_cat(buf, cap, &u, "{\"name\": \"bots\", \"share\": 0.2, \"malicious\": true, \"orders_per_visit\": %u, "
            "\"accounts_per_visit\": %u, \"pay_probability\": %g, \"checkout_abandon_probability\": %g}]}, ",
            1 + gen_pick(g, 4), 1 + gen_pick(g, 2), 0.25 * gen_pick(g, 3), 0.25 * gen_pick(g, 3));
    gen_cat(buf, cap, &u, "\"payment\": {\"delay\": {\"dist\": \"const\", \"value\": %s}, \"failure_probability\": %g",
            durs[gen_pick(g, 4)], 0.2 * gen_pick(g, 3));
    uint32_t ps = gen_pick(g, 3), ws = gen_pick(g, 3);   /* 0: not modelled (key left out) */
    if (ps) gen_cat(buf, cap, &u, ", \"servers\": %u", ps);
    gen_cat(buf, cap, &u, ", \"session_timeout\": %s", durs[1 + gen_pick(g, 4)]);
    if (gen_pick(g, 2)) gen_cat(buf, cap, &u, ", \"timeout\": %s", durs[1 + gen_pick(g, 4)]);
    if (gen_pick(g, 2))
        gen_cat(buf, cap, &u, ", \"channels\": [{\"name\": \"card\", \"share\": 0.75, \"failure_probability\": %g}, "
                "{\"name\": \"bank\", \"share\": 0.25, \"delay\": {\"dist\": \"const\", \"value\": %s}}]",
                0.2 * gen_pick(g, 3), durs[gen_pick(g, 5)]);
    gen_cat(buf, cap, &u, "}, ");
    if (ws) gen_cat(buf, cap, &u, "\"stations\": {\"warehouse\": {\"servers\": %u, \"service\": {\"dist\": \"exp\", \"mean\": 20}}}, ", ws);
    gen_cat(buf, cap, &u, "\"fulfilment\": {\"delivery\": {\"dist\": \"const\", \"value\": %s}, \"auto_confirm_after\": %s, "
            "\"complete_after\": %s, \"restock_probability\": %g, \"merchant_cancel_probability\": %g, "
            "\"return_reject_probability\": %g}, ", durs[gen_pick(g, 5)], durs[gen_pick(g, 5)],
            durs[gen_pick(g, 5)], 0.5 * gen_pick(g, 3), 0.1 * gen_pick(g, 3), 0.3 * gen_pick(g, 3));
    /* the system around the rules: admission (docs/scenarios.md) */
    uint32_t adm = gen_pick(g, 8);   /* bit 0 rate limit, bit 1 waiting room, bit 2 sold-out flag */
    if (adm) {
        gen_cat(buf, cap, &u, "\"admission\": {");
        if (adm & 1) gen_cat(buf, cap, &u, "\"rate_limit\": {\"rate\": %g, \"burst\": %u}", 0.05 + 0.2 * gen_pick(g, 4), 1 + gen_pick(g, 5));
        if (adm & 2)
            gen_cat(buf, cap, &u, "%s\"waiting_room\": {\"release_rate\": %g, \"capacity\": %u, \"patience\": {\"dist\": \"const\", \"value\": %s}}",
                    adm & 1 ? ", " : "", 0.05 + 0.2 * gen_pick(g, 4), gen_pick(g, 6), durs[1 + gen_pick(g, 4)]);
        if (adm & 4) gen_cat(buf, cap, &u, "%s\"sold_out_flag\": {\"ttl\": %s}", adm & 3 ? ", " : "", durs[1 + gen_pick(g, 4)]);
        gen_cat(buf, cap, &u, "}, ");
    }
    if (gen_pick(g, 2)) {   /* faults on the stations */
        static const char *const targets[] = { "payment", "stations.order_service", "stations.warehouse" };
        gen_cat(buf, cap, &u, "\"faults\": [{\"target\": \"%s\", \"at\": %s, \"duration\": %s%s}], ", targets[gen_pick(g, 3)],
                durs[gen_pick(g, 5)], durs[1 + gen_pick(g, 4)], gen_pick(g, 2) ? ", \"kind\": \"slow\", \"factor\": 3" : "");
    }
    gen_cat(buf, cap, &u, "\"process\": \"%s\"}", process);
}

#endif
