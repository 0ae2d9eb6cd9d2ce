/* The property test of custom processes: random definitions (fuzz/gen_process.h) under each
 * of the three inventory strategies, on small random scenarios. Every definition is either
 * refused by the linter with at least one message, or runs to its horizon with every
 * invariant holding (stock, money, promotion budgets, order bookkeeping), or is stopped by
 * the engine's loop guard with a message naming the order's path. Nothing else: no exit 70,
 * no hang (each run is bounded by its scenario and the loop guard).
 *
 * ORDERSIM_PROP_DEFS sets how many definitions (default 1500, a few seconds); the CI soak
 * can raise it. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "../fuzz/gen_process.h"
#include "proc.h"
#include "sim_model.h"

typedef struct prop_tally {
    int refused, ran, looped, runs;
} prop_tally;

/* Loads generated definition text; returns NULL when the loader refuses it (messages in d). */
static fsm_def *load_def(const char *text, os_diag *d)
{
    jsn_doc *doc;
    if (jsn_parse("gen.json", text, strlen(text), &doc, d) != OS_OK) return NULL;
    fsm_def *def = NULL;
    if (fsm_load(doc, &def, d) != OS_OK) def = NULL;
    jsn_free(doc);
    return def;
}

static scn_scenario *load_scenario(const char *text)
{
    jsn_doc *doc;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("gen_scn.json", text, strlen(text), &doc, &d), OS_OK, "%s", text);
    scn_scenario *s = NULL;
    os_status st = scn_from_doc(doc, &s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(st, OS_OK, "generated scenario loads: %s", text);
    jsn_free(doc);
    os_diag_fini(&d);
    return s;
}

/* One definition: lint it; if clean, run it under every strategy on a random scenario.
 * The choices come from `bytes` (a fuzzer input) while they last, then from `seed`. */
static void one_definition(const uint8_t *bytes, size_t n, uint64_t seed, prop_tally *t)
{
    static char dtext[16384], stext[8192];
    gen_src g;
    gen_init(&g, bytes, n, seed);
    gen_definition(&g, dtext, sizeof dtext);
    os_diag d;
    os_diag_init(&d);
    fsm_def *def = load_def(dtext, &d);
    int errors = def ? fsm_lint(def, &d) : 1;
    if (errors) {
        cr_assert_gt(d.count, 0, "a refused definition has a message: %s", dtext);
        t->refused++;
        fsm_free(def);
        os_diag_fini(&d);
        return;
    }
    fsm_free(def);
    os_diag_fini(&d);
    t->ran++;
    gen_scenario(&g, stext, sizeof stext, "b2c");
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    for (int k = 0; strategies[k]; k++) {
        scn_scenario *s = load_scenario(stext);
        os_diag_init(&d);
        s->fsm = load_def(dtext, &d);        /* owned by the scenario from here */
        os_diag_fini(&d);
        cr_assert_not_null(s->fsm);
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .strategy = strategies[k]->name, .seed = seed, .ledger = true, .check_every_event = seed % 50 == 0 };
        os_status st = sim_run(s, &o, &r);
        t->runs++;
        if (st == OS_EDATA) {
            t->looped++;
            cr_assert_gt(r.violations.count, 0);
            cr_assert(strstr(r.violations.msgs[0], "its path: ") != NULL, "%s", r.violations.msgs[0]);
        } else {
            cr_assert_eq(st, OS_OK);
            for (int i = 0; i < r.violations.count; i++) cr_log_error("seed %llu %s: %s", (unsigned long long)seed, strategies[k]->name, r.violations.msgs[i]);
            cr_assert(r.invariants_ok, "seed %llu, %s: invariants hold for\n%s\non\n%s", (unsigned long long)seed,
                      strategies[k]->name, dtext, stext);
        }
        rpt_run_fini(&r);
        scn_free(s);
    }
}

Test(processes, random_definitions_are_refused_or_run_with_every_invariant)
{
    const char *env = getenv("ORDERSIM_PROP_DEFS");
    int n = env ? atoi(env) : 1500;
    prop_tally t = { 0 };
    for (int i = 0; i < n; i++) one_definition(NULL, 0, (uint64_t)i + 1, &t);
    cr_log_info("%d definitions: %d refused by the linter, %d lint-clean; %d runs, %d stopped by the loop guard",
                n, t.refused, t.ran, t.runs, t.looped);
    /* The generator must keep producing both kinds, or the test proves little. */
    cr_expect_gt(t.ran, n / 4, "enough lint-clean definitions ran (%d of %d)", t.ran, n);
    cr_expect_gt(t.refused, n / 20, "and some were refused (%d)", t.refused);
}

/* Inputs kept from fuzz/fuzz_sim.c (its corpus seeds and any finding once fixed) replay
 * through the same generator and checks. */
Test(processes, fuzz_regressions_replay_cleanly)
{
    DIR *dir = opendir("tests/fuzz_regressions/sim");
    cr_assert_not_null(dir, "run from the repository root");
    prop_tally t = { 0 };
    int files = 0;
    for (struct dirent *e; (e = readdir(dir));) {
        if (e->d_name[0] == '.') continue;
        char path[512];
        snprintf(path, sizeof path, "tests/fuzz_regressions/sim/%s", e->d_name);
        FILE *f = fopen(path, "rb");
        cr_assert_not_null(f, "%s", path);
        uint8_t buf[4096];
        size_t n = fread(buf, 1, sizeof buf, f);
        fclose(f);
        one_definition(buf, n, 0, &t);
        files++;
    }
    closedir(dir);
    cr_log_info("%d inputs: %d refused, %d ran (%d runs, %d stopped by the loop guard)", files, t.refused, t.ran, t.runs, t.looped);
    cr_expect_geq(files, 4);
    cr_expect_gt(t.ran, 0);
}

/* The three failures the issue reported, each as a lint-clean definition that now runs. */
Test(processes, reported_breakages_now_conserve)
{
    static const char *const defs[] = {
        /* a timer moves an unpaid order to a terminal state: the lock is released */
        "{\"name\":\"t\",\"states\":[\"pending_payment\",\"paid\",\"completed\",{\"name\":\"closed\",\"stock\":\"released\",\"money\":\"none\"}],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"completed\",\"closed\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"pay\",\"to\":\"paid\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"pending_payment\",\"action\":\"confirm\",\"to\":\"closed\",\"actors\":[\"system\"],\"after\":\"1m\"},"
        "{\"from\":\"paid\",\"action\":\"complete\",\"to\":\"completed\",\"actors\":[\"system\"],\"after\":\"1m\"}]}",
        /* refund then expire: the promotion budget comes back once */
        "{\"name\":\"t\",\"states\":[\"pending_payment\",\"paid\",{\"name\":\"refunded\",\"stock\":\"released\",\"money\":\"refunded\"},\"expired\"],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"expired\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"pay\",\"to\":\"paid\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"pending_payment\",\"action\":\"expire\",\"to\":\"expired\",\"actors\":[\"system\"],\"after\":\"order_expiry\"},"
        "{\"from\":\"paid\",\"action\":\"refund\",\"to\":\"refunded\",\"actors\":[\"system\"],\"after\":\"10s\"},"
        "{\"from\":\"refunded\",\"action\":\"expire\",\"to\":\"expired\",\"actors\":[\"system\"],\"after\":\"10s\"}]}",
        /* an expire self-loop */
        "{\"name\":\"t\",\"states\":[\"pending_payment\",\"paid\",\"completed\",\"expired\"],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"completed\",\"expired\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"pay\",\"to\":\"paid\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"pending_payment\",\"action\":\"expire\",\"to\":\"pending_payment\",\"actors\":[\"system\"],\"after\":\"order_expiry\"},"
        "{\"from\":\"pending_payment\",\"action\":\"cancel\",\"to\":\"expired\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"paid\",\"action\":\"complete\",\"to\":\"completed\",\"actors\":[\"system\"],\"after\":\"1m\"}]}",
    };
    const char *scn =
        "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":30,\"price\":10}],"
        "\"promotions\":[{\"id\":\"p\",\"type\":\"fixed_off\",\"value\":2,\"budget\":40}],"
        "\"inventory\":{\"order_expiry\":\"2m\"},"
        "\"customers\":{\"arrivals\":{\"rate\":0.05},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0.6,"
        "\"think_time\":{\"dist\":\"exp\",\"mean\":60}}]}}";
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    for (size_t i = 0; i < sizeof defs / sizeof defs[0]; i++)
        for (int k = 0; strategies[k]; k++) {
            os_diag d;
            os_diag_init(&d);
            fsm_def *def = load_def(defs[i], &d);
            cr_assert_not_null(def);
            int errors = fsm_lint(def, &d);
            for (int m = 0; m < d.count; m++) cr_log_error("%s", d.msgs[m]);
            cr_assert_eq(errors, 0, "definition %zu is lint-clean", i);
            os_diag_fini(&d);
            scn_scenario *s = load_scenario(scn);
            s->fsm = def;
            rpt_run r;
            rpt_run_init(&r);
            sim_opts o = { .strategy = strategies[k]->name, .seed = 3, .ledger = true, .check_every_event = true };
            cr_assert_eq(sim_run(s, &o, &r), OS_OK);
            for (int m = 0; m < r.violations.count; m++) cr_log_error("%s", r.violations.msgs[m]);
            cr_assert(r.invariants_ok, "definition %zu under %s conserves", i, strategies[k]->name);
            cr_assert_gt(r.m[RPT_M_orders_created], 20);
            rpt_run_fini(&r);
            scn_free(s);
        }
}

/* ---- the engine on hand-written definitions ------------------------------------------ */

static proc_engine *engine_on(const fsm_def *def, const char *strategy)
{
    static proc_sku sku = { .stock = 10, .price = 1000 };
    proc_config c = { .fsm = def, .strategy = inv_strategy_find(strategy), .n_skus = 1, .skus = &sku, .ledger = true };
    return proc_create(&c);
}

static ord_order *order_of(proc_engine *pe, int32_t qty)
{
    proc_order_req rq = { .buyer = 1, .n_lines = 1, .lines = { { 0, qty } } };
    ord_order *o = NULL;
    cr_assert_eq(proc_create_order(pe, &rq, 0, &o), OS_OK);
    return o;
}

static int breaches(const proc_engine *pe)
{
    os_diag d;
    os_diag_init(&d);
    int bad = proc_check(pe, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    os_diag_fini(&d);
    return bad;
}

Test(processes, a_payment_lock_does_not_outlive_a_state_that_holds_no_stock)
{
    /* reserve_on_checkout locks when payment starts, even from a state with stock "none";
     * "held" (stock none too, so the stance table moves nothing) captures money but holds
     * no stock, so the payment's lock must go on entering it, not linger until the end. */
    os_diag d;
    os_diag_init(&d);
    fsm_def *def = load_def(
        "{\"name\":\"t\",\"states\":[{\"name\":\"open\",\"stock\":\"none\",\"money\":\"none\"},"
        "{\"name\":\"held\",\"stock\":\"none\",\"money\":\"captured\"},\"completed\"],"
        "\"initial\":\"open\",\"terminal\":[\"completed\"],\"transitions\":["
        "{\"from\":\"open\",\"action\":\"pay\",\"to\":\"held\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"held\",\"action\":\"ship\",\"to\":\"completed\",\"actors\":[\"system\"]}]}", &d);
    cr_assert_not_null(def);
    cr_assert_eq(fsm_lint(def, &d), 0);
    proc_engine *pe = engine_on(def, "reserve_on_checkout");
    ord_order *o = order_of(pe, 3);
    cr_assert_eq(proc_pay_start(pe, o, 1), OS_OK);
    cr_assert_eq(inv_total_locked(proc_inventory(pe)), 3, "the checkout lock");
    cr_assert_eq(proc_apply(pe, o, FSM_PAY, FSM_BUYER, 2, NULL, NULL), OS_OK);
    cr_expect_eq(inv_total_locked(proc_inventory(pe)), 0, "released on entering a state with stock none");
    cr_expect_eq(o->holds_lock, false);
    cr_expect_eq(breaches(pe), 0);
    cr_assert_eq(proc_apply(pe, o, FSM_SHIP, FSM_SYSTEM, 3, NULL, NULL), OS_OK);
    cr_expect_eq(inv_sku(proc_inventory(pe), 0)->sold, 3, "completed is (deducted, captured): sold now");
    proc_close(pe, o);
    cr_expect_eq(breaches(pe), 0);
    proc_destroy(pe);
    fsm_free(def);
    os_diag_fini(&d);
}

Test(processes, creation_follows_the_initial_stance_and_terminal_states_release_locks)
{
    os_diag d;
    os_diag_init(&d);
    /* An initial state with stock "none" commits nothing, even under reduce_on_order; a
     * state with stock "locked" entered later takes the lock then. */
    fsm_def *def = load_def(
        "{\"name\":\"t\",\"states\":[{\"name\":\"quote\",\"stock\":\"none\",\"money\":\"none\"},\"pending_payment\",\"cancelled\"],"
        "\"initial\":\"quote\",\"terminal\":[\"cancelled\"],\"transitions\":["
        "{\"from\":\"quote\",\"action\":\"confirm\",\"to\":\"pending_payment\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"pending_payment\",\"action\":\"cancel\",\"to\":\"cancelled\",\"actors\":[\"buyer\"]}]}", &d);
    cr_assert_not_null(def);
    cr_assert_eq(fsm_lint(def, &d), 0);
    proc_engine *pe = engine_on(def, "reduce_on_order");
    ord_order *o = order_of(pe, 4);
    cr_expect_eq(inv_total_locked(proc_inventory(pe)), 0, "a quote locks nothing");
    cr_assert_eq(proc_apply(pe, o, FSM_CONFIRM, FSM_BUYER, 1, NULL, NULL), OS_OK);
    cr_expect_eq(inv_total_locked(proc_inventory(pe)), 4, "confirming the quote locks");
    cr_assert_eq(proc_apply(pe, o, FSM_CANCEL, FSM_BUYER, 2, NULL, NULL), OS_OK);
    cr_expect_eq(inv_total_locked(proc_inventory(pe)), 0);
    proc_close(pe, o);
    cr_expect_eq(breaches(pe), 0);
    proc_destroy(pe);
    fsm_free(def);
    os_diag_fini(&d);
}

Test(processes, the_loop_guard_stops_an_order_cycling_at_one_instant)
{
    os_diag d;
    os_diag_init(&d);
    fsm_def *def = load_def(
        "{\"name\":\"t\",\"states\":[\"pending_payment\",{\"name\":\"waiting\",\"stock\":\"locked\",\"money\":\"none\"},\"cancelled\"],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"cancelled\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"confirm\",\"to\":\"waiting\",\"actors\":[\"system\"]},"
        "{\"from\":\"waiting\",\"action\":\"return_reject\",\"to\":\"pending_payment\",\"actors\":[\"system\"]},"
        "{\"from\":\"waiting\",\"action\":\"cancel\",\"to\":\"cancelled\",\"actors\":[\"buyer\"]}]}", &d);
    cr_assert_not_null(def);
    proc_engine *pe = engine_on(def, "reduce_on_order");
    ord_order *o = order_of(pe, 1);
    int made = 0;
    for (int i = 0; i < 1000 && !proc_loop_error(pe); i++) {
        os_status st = proc_apply(pe, o, i % 2 ? FSM_RETURN_REJECT : FSM_CONFIRM, FSM_SYSTEM, 5.0, NULL, NULL);
        made += st == OS_OK;
    }
    cr_expect_eq(made, PROC_MAX_HOPS, "exactly the allowed transitions at one instant");
    cr_assert_not_null(proc_loop_error(pe));
    cr_log_info("%s", proc_loop_error(pe));
    cr_expect(strstr(proc_loop_error(pe), "order 1 made more than 64 transitions at t=5 s") != NULL);
    cr_expect(strstr(proc_loop_error(pe), "pending_payment -> waiting -> pending_payment") != NULL, "names the path");
    cr_expect_eq(proc_apply(pe, o, FSM_CANCEL, FSM_BUYER, 6.0, NULL, NULL), OS_EDATA, "everything refused afterwards");
    cr_expect_eq(breaches(pe), 0, "and nothing was left half done");
    proc_destroy(pe);
    fsm_free(def);
    os_diag_fini(&d);

    /* Time passing resets the count: the same cycle once per second never trips. */
    os_diag_init(&d);
    def = load_def(
        "{\"name\":\"t\",\"states\":[\"pending_payment\",{\"name\":\"waiting\",\"stock\":\"locked\",\"money\":\"none\"},\"cancelled\"],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"cancelled\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"confirm\",\"to\":\"waiting\",\"actors\":[\"system\"]},"
        "{\"from\":\"waiting\",\"action\":\"return_reject\",\"to\":\"pending_payment\",\"actors\":[\"system\"]},"
        "{\"from\":\"waiting\",\"action\":\"cancel\",\"to\":\"cancelled\",\"actors\":[\"buyer\"]}]}", &d);
    pe = engine_on(def, "reduce_on_order");
    o = order_of(pe, 1);
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(proc_apply(pe, o, i % 2 ? FSM_RETURN_REJECT : FSM_CONFIRM, FSM_SYSTEM, (double)(i / 32), NULL, NULL), OS_OK);
    cr_expect_null(proc_loop_error(pe));
    proc_destroy(pe);
    fsm_free(def);
    os_diag_fini(&d);
}
