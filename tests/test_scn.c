/* Tests for the scenario loader: one case per class of error, with the exact message, and
 * the --set editor. Every message must name file:line:col, the JSON path, what was found
 * and what was expected. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "cli.h"
#include "scn.h"

#define BASE_HEAD "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n"
#define BASE_CUST "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}"

typedef struct err_case {
    char name[40];        /* the class of error */
    char text[640];       /* the scenario */
    char want[240];       /* the expected message (a substring of one diagnostic) */
} err_case;

static err_case err_cases[] = {
    { "malformed JSON", "{\"name\":\"t\",\n \"horizon\": [1,,2]}", "t.json:2:16: malformed JSON: unexpected ','" },
    { "truncated JSON", "{\"name\":\"t\"", "t.json:1:12: malformed JSON: unexpected end of file" },
    { "wrong type", BASE_HEAD "\"seed\":\"x\"," BASE_CUST "}", "t.json:2:8: seed: found a string, expected a number" },
    { "unknown key", BASE_HEAD "\"inventroy\":{}," BASE_CUST "}", "t.json:2:1: inventroy: unknown key \"inventroy\" (did you mean \"inventory\"?)" },
    { "negative rate", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":-2},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:33: customers.arrivals.rate: found -2, expected a number from 0 to 1e+09" },
    { "just above a bound", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":1.0000001}]}}",
      "customers.segments[0].pay_probability: found 1.0000001, expected a number from 0 to 1" },
    { "zero rate", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":0},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "customers.arrivals.rate: found 0, expected a rate > 0" },
    { "shares not summing to 1", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":0.7},{\"name\":\"b\",\"share\":0.2}]}}",
      "t.json:2:47: customers.segments: the segments' shares sum to 0.9, expected 1" },
    { "unknown distribution", BASE_HEAD "\"payment\":{\"delay\":{\"dist\":\"weibull\",\"k\":1}}," BASE_CUST "}",
      "t.json:2:28: payment.delay.dist: unknown distribution \"weibull\", expected one of const, exp, uniform, normal, lognormal, empirical" },
    { "unknown process", BASE_HEAD "\"process\":\"b2b\"," BASE_CUST "}",
      "t.json:2:11: process: unknown process \"b2b\", expected b2c, virtual, cod or the path of a definition file" },
    { "missing required key", "{\"name\":\"t\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}]," BASE_CUST "}",
      "t.json:1:1: horizon: missing required key \"horizon\" (a duration such as \"15m\")" },
    { "bad duration", BASE_HEAD "\"inventory\":{\"order_expiry\":\"15 min\"}," BASE_CUST "}",
      "t.json:2:29: inventory.order_expiry: found \"15 min\", expected a duration" },
    { "unknown strategy", BASE_HEAD "\"inventory\":{\"strategy\":\"reduce_on_pay\"}," BASE_CUST "}",
      "inventory.strategy: unknown strategy \"reduce_on_pay\"" },
    { "duplicate key", "{\"name\":\"t\",\n\"name\":\"u\"}", "t.json:2:1: name: duplicate key \"name\" (first defined at line 1:2)" },
    { "not finite", BASE_HEAD "\"seed\":1e999," BASE_CUST "}", "t.json:2:8: seed: number out of range (not finite)" },
    { "fraction where a count is needed", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"malicious\":true,\"orders_per_visit\":2.5}]}}",
      "customers.segments[0].orders_per_visit: found 2.5, expected a whole number" },
    { "retries beyond the order index", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"malicious\":true,\"orders_per_visit\":10000,\"retry\":{\"max\":7}}]}}",
      "customers.segments[0].retry.max: found 7, expected at most 5: orders_per_visit (10000) x (max + 1) may not exceed 65536" },
    { "a retry without max", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"retry\":{\"probability\":0.5}}]}}",
      "customers.segments[0].retry.max: missing required key \"max\" (a number)" },
    { "a display without refresh", BASE_HEAD "\"inventory\":{\"display\":{}},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "inventory.display.refresh: missing required key \"refresh\" (a duration such as \"15m\")" },
    { "a session timeout of 0", BASE_HEAD "\"payment\":{\"session_timeout\":0},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "payment.session_timeout: found 0, expected a duration > 0" },
    { "unknown threshold metric", BASE_HEAD "\"thresholds\":{\"oversold_unit\":\"== 0\"}," BASE_CUST "}",
      "thresholds.oversold_unit: unknown metric \"oversold_unit\" (did you mean \"oversold_units\"?)" },
    { "bad threshold", BASE_HEAD "\"thresholds\":{\"orders_paid\":\"about 5\"}," BASE_CUST "}",
      "thresholds.orders_paid: found \"about 5\", expected \"OP NUMBER\"" },
    { "warmup past horizon", "{\"name\":\"t\",\"horizon\":\"1h\",\"warmup\":\"2h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}]," BASE_CUST "}",
      "warmup: found 7200 s, expected less than the horizon (3600 s)" },
    { "uniform upside down", BASE_HEAD "\"payment\":{\"delay\":{\"dist\":\"uniform\",\"min\":5,\"max\":1}}," BASE_CUST "}",
      "payment.delay: uniform min 5 is above max 1" },
    { "duplicate SKU", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1},{\"sku\":\"a\",\"stock\":1,\"price\":1}]," BASE_CUST "}",
      "catalog[1].sku: SKU \"a\" is listed twice (also catalog[0])" },
    { "unknown station", BASE_HEAD "\"stations\":{\"payment_service\":{\"servers\":1}}," BASE_CUST "}",
      "stations.payment_service: unknown key \"payment_service\"" },
    { "empty catalog", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[]," BASE_CUST "}",
      "catalog: found an empty array, expected an array of 1 to 4096 SKUs" },
};

ParameterizedTestParameters(loader, reports_each_error_class_with_position)
{
    return cr_make_param_array(err_case, err_cases, sizeof err_cases / sizeof err_cases[0]);
}

ParameterizedTest(err_case *c, loader, reports_each_error_class_with_position)
{
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc = NULL;
    scn_scenario *s = NULL;
    os_status st = jsn_parse("t.json", c->text, strlen(c->text), &doc, &d);
    if (st == OS_OK) st = scn_from_doc(doc, &s, &d);
    cr_expect_eq(st, OS_EDATA, "%s: rejected", c->name);
    cr_expect_null(s);
    bool found = false;
    for (int i = 0; i < d.count; i++) found |= strstr(d.msgs[i], c->want) != NULL;
    if (!found)
        for (int i = 0; i < d.count; i++) cr_log_error("%s: got: %s", c->name, d.msgs[i]);
    cr_expect(found, "%s: expected message: %s", c->name, c->want);
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(loader, reports_all_errors_in_a_file_at_once)
{
    const char *text = BASE_HEAD "\"seed\":\"x\",\"inventory\":{\"strategy\":1},\"horizn\":5," BASE_CUST "}";
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    scn_scenario *s;
    cr_expect_eq(scn_from_doc(doc, &s, &d), OS_EDATA);
    cr_expect_eq(d.count, 3);
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(loader, applies_defaults_and_units)
{
    const char *text = BASE_HEAD "\"inventory\":{\"order_expiry\":\"250ms\"},\"payment\":{\"delay\":{\"dist\":\"exp\",\"mean\":\"2m\"}}," BASE_CUST "}";
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    scn_scenario *s;
    cr_assert_eq(scn_from_doc(doc, &s, &d), OS_OK);
    cr_expect_eq(s->horizon, 3600);
    cr_expect_eq(s->order_expiry, 0.25);
    cr_expect_eq(s->pay_delay.a, 120);
    cr_expect_str_eq(s->strategy, "reduce_on_order");
    cr_expect_str_eq(fsm_name(s->fsm), "b2c");
    cr_expect_eq(s->skus[0].price, 100);
    cr_expect_eq(s->segments[0].pay_probability, 1);
    cr_expect_eq(s->seed, 1);
    scn_free(s);
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(set, overrides_numbers_strings_durations_booleans_and_objects)
{
    const char *text = BASE_HEAD BASE_CUST "}";
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    const char *sets[] = { "catalog[0].stock=2000", "inventory.order_expiry=5m", "inventory.revalidate_before_payment=true",
                           "inventory.strategy=reduce_on_payment", "payment.delay={\"dist\":\"const\",\"value\":60}",
                           "customers.segments[0].share=1", "catalog[1]={\"sku\":\"b\",\"stock\":1,\"price\":2}" };
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) cr_assert_eq(jsn_set(doc, sets[i], &d), OS_OK, "%s", sets[i]);
    scn_scenario *s;
    os_status st = scn_from_doc(doc, &s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(st, OS_OK);
    cr_expect_eq(s->skus[0].stock, 2000);
    cr_expect_eq(s->order_expiry, 300);
    cr_expect(s->revalidate);
    cr_expect_str_eq(s->strategy, "reduce_on_payment");
    cr_expect_eq(s->pay_delay.kind, SIM_CONST);
    cr_expect_eq(s->pay_delay.a, 60);
    cr_expect_eq(s->n_skus, 2);
    scn_free(s);
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(set, errors_name_the_set_that_caused_them)
{
    const char *text = BASE_HEAD BASE_CUST "}";
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "customers.arrivals.rate=fast", &d), OS_OK);
    cr_expect_eq(jsn_set(doc, "catalog[5].stock=1", &d), OS_EINVAL);
    cr_expect_eq(jsn_set(doc, "name.first=1", &d), OS_EINVAL);
    cr_expect_eq(jsn_set(doc, "novalue", &d), OS_EINVAL);
    scn_scenario *s;
    cr_expect_eq(scn_from_doc(doc, &s, &d), OS_EDATA);
    bool a = false, b = false, c = false, e = false;
    for (int i = 0; i < d.count; i++) {
        cr_log_info("%s", d.msgs[i]);
        a |= strstr(d.msgs[i], "t.json (edit customers.arrivals.rate=fast): customers.arrivals.rate: found a string, expected a number") != NULL;
        b |= strstr(d.msgs[i], "index 5 is past the end of \"catalog\" (1 items)") != NULL;
        c |= strstr(d.msgs[i], "\"first\" is not a member of an object") != NULL;
        e |= strstr(d.msgs[i], "edit novalue: expected PATH=VALUE") != NULL;
    }
    cr_expect(a && b && c && e);
    jsn_free(doc);
    os_diag_fini(&d);
    /* The loader states the fact; the command line names its option (app/cli_hints.c). */
    cli_hints_install();
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "customers.arrivals.rate=fast", &d), OS_OK);
    cr_expect_eq(jsn_set(doc, "novalue", &d), OS_EINVAL);
    cr_expect_eq(scn_from_doc(doc, &s, &d), OS_EDATA);
    a = e = false;
    for (int i = 0; i < d.count; i++) {
        a |= strstr(d.msgs[i], "t.json (--set customers.arrivals.rate=fast): customers.arrivals.rate: found a string") != NULL;
        e |= strstr(d.msgs[i], "--set novalue: expected PATH=VALUE") != NULL;
    }
    cr_expect(a && e, "with the command line's hints the edit is named --set");
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(scenarios, every_shipped_scenario_validates)
{
    const char *files[] = { "scenarios/flash_sale.json", "scenarios/steady_state.json", "scenarios/bot_attack.json",
                            "scenarios/apparel_returns.json", "scenarios/slow_payments.json" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        os_diag d;
        os_diag_init(&d);
        scn_scenario *s = NULL;
        os_status st = scn_load(files[i], NULL, 0, &s, &d);
        for (int k = 0; k < d.count; k++) cr_log_error("%s", d.msgs[k]);
        cr_expect_eq(st, OS_OK, "%s", files[i]);
        if (s) cr_expect_gt(strlen(s->description), 20, "%s says what question it answers", files[i]);
        scn_free(s);
        os_diag_fini(&d);
    }
}

Test(set, replaces_a_middle_array_item_without_losing_any)
{
    /* Found by fuzz_set: cJSON_InsertItemInArray fails after a middle item is detached, so
     * the value was dropped (and leaked). tests/fuzz_regressions/ keeps the input. */
    const char *text = "{\"a\":[1,2,3]}";
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc;
    cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "a[1]=20", &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "a[0]=10", &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "a[2]=30", &d), OS_OK);
    cr_assert_eq(jsn_set(doc, "a[3]=40", &d), OS_OK);
    char *out = cJSON_PrintUnformatted(jsn_root(doc));
    cr_expect_str_eq(out, "{\"a\":[10,20,30,40]}");
    cJSON_free(out);
    jsn_free(doc);
    os_diag_fini(&d);
}

Test(set, fuzz_regressions_replay_cleanly)
{
    /* Every saved fuzzer input for --set, applied line by line to a scenario as fuzz_set
     * does: it must neither crash nor lose array items. The fuzzer's own input has control
     * characters and bytes that are not UTF-8 in its values, which --set now refuses (each
     * with a message); its printable twin replaces the middle of three items as the
     * original did and must keep all three. */
    const char *files[] = { "tests/fuzz_regressions/set-replace-middle-array-item",
                            "tests/fuzz_regressions/set-replace-middle-array-item-printable" };
    const int items[] = { 1, 3 };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        FILE *f = fopen(files[i], "rb");
        cr_assert_not_null(f, "%s", files[i]);
        char buf[8192];
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        fclose(f);
        buf[n] = '\0';
        const char *text = "{\"name\":\"f\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}]}";
        os_diag d;
        os_diag_init(&d);
        jsn_doc *doc;
        cr_assert_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_OK);
        int applied = 0, lines = 0;
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), lines++)
            applied += jsn_set(doc, line, &d) == OS_OK;
        cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(jsn_root(doc), "catalog")), items[i], "%s: %d edits applied",
                     files[i], applied);
        cr_expect_eq(d.count, lines - applied, "%s: every refused edit has its message", files[i]);
        jsn_free(doc);
        os_diag_fini(&d);
    }
}

/* ---- warnings: one scenario per kind of inert setting, with the exact message ---------- */

#define SEG_G "{\"name\":\"g\",\"share\":1"
#define CUST_WITH(seg) "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[" SEG_G seg "}]}"

typedef struct warn_case {
    char name[64];        /* the kind of warning */
    char text[640];       /* a valid scenario with exactly one inert setting */
    char want[320];       /* the whole expected message */
} warn_case;

static warn_case warn_cases[] = {
    { "schedule entry after max_customers",
      BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"0s\",\"rate\":10},{\"at\":\"20s\",\"rate\":5}]},"
                "\"max_customers\":100,\"segments\":[" SEG_G "}]}}",
      "t.json:2:75: warning: customers.arrivals.schedule[1].at: this entry (at 20 s) never takes effect: "
      "customers.max_customers (100) is reached at t = 10 s (expected arrivals), after which no customer arrives" },
    { "schedule entry after the horizon",
      BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"2h\",\"rate\":5}]},\"segments\":[" SEG_G "}]}}",
      "t.json:2:53: warning: customers.arrivals.schedule[0].at: this entry (at 2 h) never takes effect: "
      "it is at or after the horizon (1 h)" },
    { "levels after the horizon",
      BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1,\"levels\":{\"every\":\"30m\",\"values\":[1,2,3,4]}},\"segments\":[" SEG_G "}]}}",
      "t.json:2:73: warning: customers.arrivals.levels.values[2]: this level and the 1 after it never take effect: "
      "it starts at 1 h, at or after the horizon (1 h)" },
    { "schedule entry after max_customers under a profile",
      BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"20s\",\"rate\":5}],"
                "\"profile\":{\"period\":20,\"weights\":[3,1]}},\"max_customers\":15,\"segments\":[" SEG_G "}]}}",
      "t.json:2:53: warning: customers.arrivals.schedule[0].at: this entry (at 20 s) never takes effect: "
      "customers.max_customers (15) is reached at t = 10 s (expected arrivals), after which no customer arrives" },
    { "returns after the horizon",
      BASE_HEAD CUST_WITH(",\"return_probability\":0.1,\"return_delay\":{\"dist\":\"const\",\"value\":\"2h\"}") "}",
      "t.json:2:91: warning: customers.segments[0].return_probability: no return can happen within the horizon (1 h): "
      "the earliest is 2 h after an order (fulfilment.delivery at least 0 s + return_delay at least 7200 s)" },
    { "cancel after pay after the horizon",
      BASE_HEAD CUST_WITH(",\"cancel_after_pay_probability\":0.1,\"cancel_after_pay_delay\":{\"dist\":\"uniform\",\"min\":\"1h\",\"max\":\"2h\"}") "}",
      "t.json:2:101: warning: customers.segments[0].cancel_after_pay_probability: no cancellation after payment can happen "
      "within the horizon (1 h): cancel_after_pay_delay is at least 1 h" },
    { "after-sale timer longer than the horizon",
      BASE_HEAD "\"fulfilment\":{\"auto_confirm_after\":\"7d\"}," CUST_WITH("") "}",
      "t.json:2:36: warning: fulfilment.auto_confirm_after: this timer (7 d) cannot fire within the horizon (1 h)" },
    { "after-sale timer the process lacks",
      BASE_HEAD "\"process\":\"virtual\",\"fulfilment\":{\"auto_confirm_after\":\"1m\"}," CUST_WITH("") "}",
      "t.json:2:56: warning: fulfilment.auto_confirm_after: the process \"virtual\" has no auto_confirm_after timer, "
      "so this setting is not used" },
    { "coupon without a promotion",
      BASE_HEAD CUST_WITH(",\"coupon\":\"SAVE5\"") "}",
      "t.json:2:79: warning: customers.segments[0].coupon: coupon \"SAVE5\" matches no promotion "
      "(no promotion of type coupon has id \"SAVE5\")" },
    { "coupon naming a promotion of another type",
      BASE_HEAD "\"promotions\":[{\"id\":\"SAVE5\",\"type\":\"percent_off\",\"value\":5}]," CUST_WITH(",\"coupon\":\"SAVE5\"") "}",
      "t.json:2:140: warning: customers.segments[0].coupon: coupon \"SAVE5\" matches no promotion: "
      "promotion \"SAVE5\" is of type percent_off, not coupon" },
    { "payment station nobody pays through",
      BASE_HEAD "\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":1},\"servers\":4}," CUST_WITH(",\"pay_probability\":0") "}",
      "t.json:2:57: warning: payment.servers: no request reaches the payment station: no segment pays "
      "(pay_probability 0)" },
    { "payment station under cash on delivery",
      BASE_HEAD "\"process\":\"cod\",\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":1},\"servers\":4}," CUST_WITH("") "}",
      "t.json:2:73: warning: payment.servers: no request reaches the payment station: the process takes payment on "
      "delivery, not through it" },
    { "warehouse under a process that never produces",
      BASE_HEAD "\"process\":\"virtual\",\"stations\":{\"warehouse\":{\"servers\":2,\"service\":{\"dist\":\"const\",\"value\":1}}},"
      CUST_WITH("") "}",
      "t.json:2:45: warning: stations.warehouse: no request reaches the warehouse station: the process never produces an order" },
    { "warehouse nobody pays for",
      BASE_HEAD "\"stations\":{\"warehouse\":{\"servers\":2,\"service\":{\"dist\":\"const\",\"value\":1}}},"
      CUST_WITH(",\"pay_probability\":0") "}",
      "t.json:2:25: warning: stations.warehouse: no request reaches the warehouse station: orders are produced after "
      "payment and no segment pays" },
    { "oversold threshold under a strategy that cannot oversell",
      BASE_HEAD "\"thresholds\":{\"oversold_units\":\"== 0\"}," CUST_WITH("") "}",
      "t.json:2:32: warning: thresholds.oversold_units: oversold_units is always 0 here (strategy reduce_on_order never "
      "oversells), so this threshold always passes" },
    { "oversold threshold under cash on delivery",
      BASE_HEAD "\"process\":\"cod\",\"inventory\":{\"strategy\":\"reduce_on_payment\"},\"thresholds\":{\"oversold_orders\":\"> 0\"},"
      CUST_WITH("") "}",
      "t.json:2:94: warning: thresholds.oversold_orders: oversold_orders is always 0 here (the process \"cod\" commits "
      "stock at creation, which never oversells), so this threshold always fails" },
    { "revenue at risk under reserve_on_checkout",
      BASE_HEAD "\"inventory\":{\"strategy\":\"reserve_on_checkout\"},\"thresholds\":{\"revenue_at_risk\":\"< 1\"}," CUST_WITH("") "}",
      "t.json:2:80: warning: thresholds.revenue_at_risk: revenue_at_risk is always 0 here (strategy reserve_on_checkout "
      "never oversells), so this threshold always passes" },
    { "bot threshold without bots",
      BASE_HEAD "\"thresholds\":{\"malicious_locked_unit_seconds\":\"< 100\"}," CUST_WITH("") "}",
      "t.json:2:47: warning: thresholds.malicious_locked_unit_seconds: malicious_locked_unit_seconds is always 0 here "
      "(no segment is malicious), so this threshold always passes" },
    { "returns threshold without returns",
      BASE_HEAD "\"thresholds\":{\"orders_returned\":\"< 5\"}," CUST_WITH("") "}",
      "t.json:2:33: warning: thresholds.orders_returned: orders_returned is always 0 here (no segment has a "
      "return_probability above 0), so this threshold always passes" },
    { "retry that never happens", BASE_HEAD CUST_WITH(",\"retry\":{\"max\":0}") "}", "t.json:2:78: warning: customers.segments[0].retry: nobody retries: max is 0" },
    { "checkout abandonment under cash on delivery",
      BASE_HEAD "\"process\":\"cod\"," CUST_WITH(",\"checkout_abandon_probability\":0.5") "}", "t.json:2:117: warning: customers.segments[0].checkout_abandon_probability: never happens: the process takes payment "
      "on delivery, there is no payment session" },
    { "abandonment that makes paying inert", BASE_HEAD CUST_WITH(",\"checkout_abandon_probability\":1") "}", "t.json:2:101: warning: customers.segments[0].checkout_abandon_probability: every customer of the segment abandons "
      "checkout, so its pay_probability (1) has no effect" },
    { "display nobody reads", BASE_HEAD "\"inventory\":{\"display\":{\"refresh\":0}},"
      "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"b\",\"share\":1,\"malicious\":true}]}}", "t.json:2:24: warning: inventory.display: no genuine segment: bots order whatever the page shows, so the display "
      "turns nobody away" },
    { "display that never refreshes", BASE_HEAD "\"inventory\":{\"display\":{\"refresh\":\"2h\"}}," CUST_WITH("") "}", "t.json:2:35: warning: inventory.display.refresh: the page never refreshes within the horizon (1 h): customers see "
      "the opening stock all run" },
    { "abandoned sessions that never time out", BASE_HEAD "\"payment\":{\"session_timeout\":\"2h\"}," CUST_WITH(",\"checkout_abandon_probability\":0.5") "}",
      "t.json:2:30: warning: payment.session_timeout: an abandoned session (2 h) never times out within the horizon (1 h): "
      "payment_sessions_abandoned stays 0 while abandoned orders hold what payment start took to the end of the run" },
    { "abandoned sessions that outlive the expiry",
      BASE_HEAD "\"inventory\":{\"order_expiry\":\"5m\"},\"payment\":{\"session_timeout\":\"20m\"}," CUST_WITH(",\"checkout_abandon_probability\":0.5") "}",
      "t.json:2:64: warning: payment.session_timeout: an abandoned session holds its order for 20 min, longer than "
      "inventory.order_expiry (5 min): an order paying cannot expire, so the session, not the expiry, decides how long "
      "abandoning customers hold stock" },
    { "reads on an order service that is not modelled",
      BASE_HEAD CUST_WITH(",\"reads\":{\"per_order\":2,\"service\":{\"dist\":\"const\",\"value\":\"1s\"}}") "}",
      "t.json:2:103: warning: customers.segments[0].reads.service: has no effect: stations.order_service is not modelled, so "
      "reads are served at once (order_reads still counts them)" },
    { "several orders per visit on a genuine segment", BASE_HEAD CUST_WITH(",\"orders_per_visit\":3") "}",
      "t.json:2:89: warning: customers.segments[0].orders_per_visit: has no effect on a genuine segment: only malicious "
      "segments place several orders per visit" },
    { "refunds after the horizon", BASE_HEAD "\"stations\":{\"warehouse\":{\"servers\":2,\"service\":{\"dist\":\"const\",\"value\":1}}}," CUST_WITH(",\"refund_probability\":0.5,\"refund_delay\":{\"dist\":\"const\",\"value\":\"30d\"}") "}",
      "t.json:2:167: warning: customers.segments[0].refund_probability: no refund request can happen within the horizon (1 h): "
      "refund_delay is at least 30 d after payment" },
    { "refunds under a segment's cash on delivery", BASE_HEAD CUST_WITH(",\"process\":\"cod\",\"refund_probability\":0.5") "}",
      "t.json:2:107: warning: customers.segments[0].refund_probability: every request is refused: the process has no refund" },
    { "threshold on retries nobody makes", BASE_HEAD "\"thresholds\":{\"retries\":\"< 5\"}," CUST_WITH("") "}", "t.json:2:25: warning: thresholds.retries: retries is always 0 here (no segment retries), so this threshold always passes" },
    { "tier nobody is in", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"membership\":{\"tiers\":[{\"name\":\"gold\",\"discount_percent\":5}]},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:24: warning: membership.tiers[0]: nobody is in tier \"gold\": no segment's tier names it (with a share above 0)" },
    { "tier that gives nothing", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"membership\":{\"tiers\":[{\"name\":\"gold\"}]},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"tier\":\"gold\"}]}}",
      "t.json:2:24: warning: membership.tiers[0]: tier \"gold\" gives no discount and no points: its members are treated like everyone else" },
    { "refund from a segment that never pays", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"pay_probability\":0,\"refund_probability\":0.1}]}}",
      "t.json:2:111: warning: customers.segments[0].refund_probability: nobody asks for a refund: the segment never pays (pay_probability 0)" },
    { "refund under cash on delivery", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"process\":\"cod\",\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"refund_probability\":0.1}]}}",
      "t.json:2:107: warning: customers.segments[0].refund_probability: every request is refused: the process has no refund" },
    { "refund without a warehouse station", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"refund_probability\":0.1}]}}",
      "t.json:2:91: warning: customers.segments[0].refund_probability: every request is refused: without stations.warehouse an order is produced and shipped the moment it is paid" },
    { "return_lines one without returns", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1},{\"sku\":\"b\",\"stock\":5,\"price\":1}],\n\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"basket_size\":{\"dist\":\"const\",\"value\":2},\"return_lines\":\"one\"}]}}",
      "t.json:2:126: warning: customers.segments[0].return_lines: no effect: the segment returns nothing (return_probability 0)" },
    { "return_lines one with one-line orders", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1},{\"sku\":\"b\",\"stock\":5,\"price\":1}],\n\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"return_probability\":0.2,\"return_delay\":{\"dist\":\"const\",\"value\":60},\"return_lines\":\"one\"}]}}",
      "t.json:2:153: warning: customers.segments[0].return_lines: no effect: every order of the segment has one line, so a return brings the whole order back" },
    { "merchant cancel under virtual goods", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"process\":\"virtual\",\"fulfilment\":{\"merchant_cancel_probability\":0.1},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:65: warning: fulfilment.merchant_cancel_probability: never happens: the process never produces an order, so nothing is picked" },
    { "merchant cancel under cash on delivery", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"process\":\"cod\",\"fulfilment\":{\"merchant_cancel_probability\":0.1},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:61: warning: fulfilment.merchant_cancel_probability: never happens: the process has no refund, so a paid order cannot be cancelled" },
    { "return rejection without returns", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"fulfilment\":{\"return_reject_probability\":0.1},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:43: warning: fulfilment.return_reject_probability: never happens: no segment returns anything (return_probability 0)" },
    { "channel with share 0", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"payment\":{\"channels\":[{\"name\":\"card\",\"share\":1},{\"name\":\"bank\",\"share\":0}]},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:73: warning: payment.channels[1].share: no order pays through channel \"bank\" (share 0)" },
    { "channels under cash on delivery", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"process\":\"cod\",\"payment\":{\"channels\":[{\"name\":\"card\",\"share\":1}]},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:39: warning: payment.channels: the process takes payment on delivery: the channels' delays and failure probabilities are not used (orders still record their channel)" },
    { "address change of virtual goods", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"process\":\"virtual\",\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"modify_address_probability\":0.1}]}}",
      "t.json:2:119: warning: customers.segments[0].modify_address_probability: never happens: no process of the scenario allows modify_address from its initial state (virtual goods have no shipping address)" },
    { "threshold on points nobody earns", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"thresholds\":{\"points_awarded\":\"> 0\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:32: warning: thresholds.points_awarded: points_awarded is always 0 here (no membership tier earns points), so this threshold always fails" },
    { "threshold on buyers' refunds nobody asks for", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"thresholds\":{\"orders_refunded_by_buyer\":\"< 5\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:42: warning: thresholds.orders_refunded_by_buyer: orders_refunded_by_buyer is always 0 here (no segment has a refund_probability above 0), so this threshold always passes" },
    { "threshold on address changes nobody makes", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"thresholds\":{\"addresses_modified\":\"< 5\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:36: warning: thresholds.addresses_modified: addresses_modified is always 0 here (no segment has a modify_address_probability above 0), so this threshold always passes" },
    { "a rate limit deterministic arrivals never reach", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"admission\":{\"rate_limit\":{\"rate\":5}},\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":2},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:27: warning: admission.rate_limit: cannot bind: arrivals are deterministic at most 2 per second and the limit refills 5 per second, so no visit is ever shed" },
    { "a waiting room deterministic arrivals never fill", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"admission\":{\"waiting_room\":{\"release_rate\":2}},\"customers\":{\"arrivals\":{\"process\":\"deterministic\",\"rate\":2},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:29: warning: admission.waiting_room: cannot bind: arrivals are deterministic at most 2 per second and the gate lets 2 per second in, so every visit enters at once" },
    { "a waiting room's patience beyond the horizon", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"admission\":{\"waiting_room\":{\"release_rate\":2,\"patience\":{\"dist\":\"const\",\"value\":\"2h\"}}},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:58: warning: admission.waiting_room.patience: never ends within the horizon (1 h): nobody leaves the waiting room" },
    { "a sold-out flag for the whole run", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"admission\":{\"sold_out_flag\":{\"ttl\":\"1h\"}},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:37: warning: admission.sold_out_flag.ttl: is not shorter than the horizon (1 h): the first stock-out of a SKU turns away every later visit that wants only it, for the rest of the run" },
    { "a payment timeout beyond the horizon", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"payment\":{\"delay\":{\"dist\":\"const\",\"value\":1},\"timeout\":\"2h\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:57: warning: payment.timeout: 2 h is not shorter than the horizon (1 h): nothing can time out within the run" },
    { "threshold on payment timeouts without a timeout", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"thresholds\":{\"payments_timed_out\":\"< 5\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:36: warning: thresholds.payments_timed_out: payments_timed_out is always 0 here (payment has no timeout, or the process takes payment on delivery), so this threshold always passes" },
    { "a fault after the horizon", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"faults\":[{\"target\":\"payment\",\"at\":\"2h\",\"duration\":\"5m\"}],\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:11: warning: faults[0]: starts at 2 h, not before the horizon (1 h): it never happens" },
    { "a fault on a warehouse that is not modelled", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"faults\":[{\"target\":\"stations.warehouse\",\"at\":\"2m\",\"duration\":\"5m\"}],\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:11: warning: faults[0]: stations.warehouse is not modelled (no servers): the fault changes nothing" },
    { "threshold on shedding without a limit", "{\"name\":\"t\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],\n\"thresholds\":{\"customers_shed\":\"< 5\"},\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1}]}}",
      "t.json:2:32: warning: thresholds.customers_shed: customers_shed is always 0 here (no admission rate_limit and no waiting_room capacity), so this threshold always passes" },
};

/* Loads `text` as t.json and returns its warnings under `wo` in *w (caller finalises). */
static void warnings_of(const char *text, const scn_warn_opts *wo, os_diag *w)
{
    os_diag d;
    os_diag_init(&d);
    os_diag_init(w);
    jsn_doc *doc = NULL;
    scn_scenario *s = NULL;
    os_status st = jsn_parse("t.json", text, strlen(text), &doc, &d);
    if (st == OS_OK) st = scn_from_doc(doc, &s, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("load: %s", d.msgs[i]);
    cr_assert_eq(st, OS_OK, "the scenario is valid");
    cr_expect_eq(scn_warn(s, doc, wo, w), w->count);
    scn_free(s);
    jsn_free(doc);
    os_diag_fini(&d);
}

ParameterizedTestParameters(warnings, name_each_inert_setting_with_position)
{
    return cr_make_param_array(warn_case, warn_cases, sizeof warn_cases / sizeof warn_cases[0]);
}

ParameterizedTest(warn_case *c, warnings, name_each_inert_setting_with_position)
{
    os_diag w;
    warnings_of(c->text, NULL, &w);
    for (int i = 0; i < w.count; i++) cr_log_info("%s: got: %s", c->name, w.msgs[i]);
    cr_expect_eq(w.count, 1, "%s: one warning", c->name);
    if (w.count) cr_expect_str_eq(w.msgs[0], c->want, "%s", c->name);
    os_diag_fini(&w);
}

Test(warnings, none_for_a_plain_scenario_or_default_timers)
{
    os_diag w;
    /* Default 7 d after-sale timers are not reported; returns drawn from exp can happen at once. */
    warnings_of(BASE_HEAD CUST_WITH(",\"return_probability\":0.1,\"return_delay\":{\"dist\":\"exp\",\"mean\":\"3d\"}") "}", NULL, &w);
    cr_expect_eq(w.count, 0);
    os_diag_fini(&w);
}

Test(warnings, oversold_threshold_is_fine_where_a_strategy_in_force_may_oversell)
{
    const char *text = BASE_HEAD "\"thresholds\":{\"oversold_units\":\"== 0\"}," CUST_WITH("") "}";
    os_diag w;
    warnings_of(text, &(scn_warn_opts){ .strategy = "reduce_on_payment" }, &w);   /* run --strategy */
    cr_expect_eq(w.count, 0);
    os_diag_fini(&w);
    warnings_of(text, &(scn_warn_opts){ .all_strategies = true }, &w);           /* compare */
    cr_expect_eq(w.count, 0);
    os_diag_fini(&w);
    warnings_of(text, &(scn_warn_opts){ .strategy = "reserve_on_checkout" }, &w);
    cr_expect_eq(w.count, 1, "reserve_on_checkout never oversells");
    os_diag_fini(&w);
}

Test(warnings, schedule_entry_before_the_cap_is_fine)
{
    /* 10/s from 0 s: 100 customers at 10 s; an entry at 9 s still changes the rate. */
    os_diag w;
    warnings_of(BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"0s\",\"rate\":10},{\"at\":\"9s\",\"rate\":5}]},"
                          "\"max_customers\":100,\"segments\":[" SEG_G "}]}}", NULL, &w);
    cr_expect_eq(w.count, 0);
    os_diag_fini(&w);
}

Test(warnings, a_schedule_cut_off_by_max_customers_reports_its_dead_entries)
{
    /* tests/fixtures/dead_schedule.json (the flagship scenario as it once shipped): 2000/s
     * from t = 0 reaches max_customers 200,000 at 100 s, so the entries at 100 s and 10 min
     * never fire. */
    os_diag d, w;
    os_diag_init(&d);
    os_diag_init(&w);
    scn_scenario *s = NULL;
    cr_assert_eq(scn_load_warn("tests/fixtures/dead_schedule.json", NULL, 0, NULL, &s, &d, &w), OS_OK);
    int dead = 0;
    for (int i = 0; i < w.count; i++) {
        cr_log_info("%s", w.msgs[i]);
        dead += strstr(w.msgs[i], "customers.arrivals.schedule[") && strstr(w.msgs[i], "reached at t = 100 s");
    }
    cr_expect_str_eq(w.msgs[0], "tests/fixtures/dead_schedule.json:16:66: warning: customers.arrivals.schedule[1].at: this entry "
                                "(at 100 s) never takes effect: customers.max_customers (200000) is reached at t = 100 s "
                                "(expected arrivals), after which no customer arrives");
    cr_expect_eq(dead, 2, "the entries at 100 s and 10 min");
    scn_free(s);
    os_diag_fini(&d);
    os_diag_fini(&w);
}

Test(warnings, every_shipped_scenario_has_none)
{
    const char *files[] = { "scenarios/flash_sale.json", "scenarios/steady_state.json", "scenarios/bot_attack.json", "scenarios/apparel_returns.json",
                            "scenarios/slow_payments.json", "scenarios/capacity.json", "scenarios/bench/flash_sale_1m.json",
                            "scenarios/bench/kernel.json", "scenarios/bench/steady_10m.json" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        os_diag d, w;
        os_diag_init(&d);
        os_diag_init(&w);
        scn_scenario *s = NULL;
        cr_expect_eq(scn_load_warn(files[i], NULL, 0, NULL, &s, &d, &w), OS_OK, "%s", files[i]);
        for (int k = 0; k < w.count; k++) cr_log_error("%s", w.msgs[k]);
        cr_expect_eq(w.count, 0, "%s has no warning", files[i]);
        scn_free(s);
        os_diag_fini(&d);
        os_diag_fini(&w);
    }
}
