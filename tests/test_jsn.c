/* Tests of the JSON reader: positions (line:column of keys and values, escapes counted as
 * the bytes they are), malformed input and duplicate keys with exact messages, durations,
 * and --set edits (create, replace, append, bad paths). */
#include <cjson/cJSON.h>
#include <criterion/criterion.h>
#include <string.h>

#include "jsn.h"

static jsn_doc *parse_ok(const char *text)
{
    jsn_doc *doc = NULL;
    os_diag d = { 0 };
    os_status st = jsn_parse("t.json", text, strlen(text), &doc, &d);
    for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    cr_assert_eq(st, OS_OK);
    os_diag_fini(&d);
    return doc;
}

/* Parses text that must be refused and expects exactly one message. */
static void expect_refused(const char *text, const char *msg)
{
    jsn_doc *doc = NULL;
    os_diag d = { 0 };
    cr_expect_eq(jsn_parse("t.json", text, strlen(text), &doc, &d), OS_EDATA);
    cr_expect_null(doc);
    cr_assert_eq(d.count, 1, "%d messages for %s", d.count, text);
    cr_expect_str_eq(d.msgs[0], msg);
    os_diag_fini(&d);
}

Test(jsn, reads_escaped_strings_and_knows_where_each_value_stood)
{
    const char *text = "{\n  \"na\\\"me\": \"do\\\"ne\\\\\\u00e9\",\n  \"n\": [1, 2.5e3]\n}";
    jsn_doc *doc = parse_ok(text);
    cJSON *root = jsn_root(doc);
    cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "na\"me");
    cr_assert_not_null(name);
    cr_expect_str_eq(name->valuestring, "do\"ne\\\xc3\xa9");
    int line = 0, col = 0;
    cr_assert(jsn_where(doc, name, true, &line, &col));
    cr_expect_eq(line, 2);
    cr_expect_eq(col, 3);
    cr_assert(jsn_where(doc, name, false, &line, &col));
    cr_expect_eq(line, 2);
    cr_expect_eq(col, 13, "col %d", col);
    cJSON *n = cJSON_GetObjectItemCaseSensitive(root, "n");
    cr_assert(jsn_where(doc, cJSON_GetArrayItem(n, 1), false, &line, &col));
    cr_expect_eq(line, 3);
    cr_expect_eq(col, 12, "col %d", col);
    cr_expect_eq(cJSON_GetArrayItem(n, 1)->valuedouble, 2500.0);
    jsn_free(doc);
}

Test(jsn, refuses_malformed_text_with_its_position)
{
    expect_refused("", "t.json:1:1: malformed JSON: unexpected end of file");
    expect_refused("{\n  \"a\": 1,\n  \"b\": nul\n}", "t.json:3:8: malformed JSON: unexpected 'n'");
}

Test(jsn, refuses_a_duplicate_key_naming_both_places)
{
    expect_refused("{\"a\": 1,\n \"a\": 2}", "t.json:2:2: a: duplicate key \"a\" (first defined at line 1:2)");
}

Test(jsn, durations_take_units_and_refuse_the_rest)
{
    double v = -1;
    cr_expect(jsn_duration_str("15m", &v));
    cr_expect_eq(v, 900.0);
    cr_expect(jsn_duration_str("250ms", &v));
    cr_expect_eq(v, 0.25);
    cr_expect(jsn_duration_str("2h", &v));
    cr_expect_eq(v, 7200.0);
    cr_expect(jsn_duration_str("1d", &v));
    cr_expect_eq(v, 86400.0);
    v = 7;
    cr_expect_not(jsn_duration_str("-1s", &v));
    cr_expect_not(jsn_duration_str("5 parsecs", &v));
    cr_expect_not(jsn_duration_str("", &v));
    cr_expect_eq(v, 7.0, "a refused duration leaves the output alone");
}

Test(jsn, set_replaces_creates_and_appends)
{
    jsn_doc *doc = parse_ok("{\"a\": {\"b\": 1}, \"l\": [1, 2]}");
    os_diag d = { 0 };
    cr_expect_eq(jsn_set(doc, "a.b=2", &d), OS_OK);
    cr_expect_eq(jsn_set(doc, "a.c.d=\"x\\\"y\"", &d), OS_OK);
    cr_expect_eq(jsn_set(doc, "l[2]=3", &d), OS_OK);
    cr_expect_eq(jsn_set(doc, "l[1]=word", &d), OS_OK);
    cr_expect_eq(d.count, 0);
    char *out = cJSON_PrintUnformatted(jsn_root(doc));
    cr_expect_str_eq(out, "{\"a\":{\"b\":2,\"c\":{\"d\":\"x\\\"y\"}},\"l\":[1,\"word\",3]}");
    free(out);
    cJSON *added = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(jsn_root(doc), "a"), "c");
    int line, col;
    cr_expect_not(jsn_where(doc, added, false, &line, &col), "an edited node has no position");
    cr_expect_eq(jsn_set(doc, "l[9]=1", &d), OS_EINVAL, "past the end of the array");
    cr_expect_eq(jsn_set(doc, "no equals sign", &d), OS_EINVAL);
    cr_expect_eq(d.count, 2);
    os_diag_fini(&d);
    jsn_free(doc);
}
