/* Tests for the scenario loader: one case per class of error, with the exact message, and
 * the --set editor. Every message must name file:line:col, the JSON path, what was found
 * and what was expected. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

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
    { "bots that pay", BASE_HEAD "\"customers\":{\"arrivals\":{\"rate\":1},\"segments\":[{\"name\":\"g\",\"share\":1,\"malicious\":true,\"pay_probability\":0.5}]}}",
      "customers.segments[0].pay_probability: found 0.5, expected 0: malicious segments never pay" },
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
        a |= strstr(d.msgs[i], "t.json (--set customers.arrivals.rate=fast): customers.arrivals.rate: found a string, expected a number") != NULL;
        b |= strstr(d.msgs[i], "index 5 is past the end of \"catalog\" (1 items)") != NULL;
        c |= strstr(d.msgs[i], "\"first\" is not a member of an object") != NULL;
        e |= strstr(d.msgs[i], "--set novalue: expected PATH=VALUE") != NULL;
    }
    cr_expect(a && b && c && e);
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
     * does: it must neither crash nor lose array items. */
    const char *files[] = { "tests/fuzz_regressions/set-replace-middle-array-item" };
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
        int applied = 0;
        for (char *save = NULL, *line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
            applied += jsn_set(doc, line, &d) == OS_OK;
        cr_expect_eq(cJSON_GetArraySize(cJSON_GetObjectItem(jsn_root(doc), "catalog")), 3, "%d edits applied", applied);
        jsn_free(doc);
        os_diag_fini(&d);
    }
}
