/* Tests for the state machine engine: the b2c table, forbidden moves, the linter, loading. */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "fsm.h"

/* Inline arrays, not pointers: Criterion re-executes the binary for each test, so a pointer
 * into the parent's address space would dangle. */
typedef struct fsm_case {
    char from[24], action[24], to[24]; /* expected row */
    unsigned actors;                /* actors allowed */
} fsm_case;

#define B FSM_ACTOR_BIT(FSM_BUYER)
#define M FSM_ACTOR_BIT(FSM_MERCHANT)
#define S FSM_ACTOR_BIT(FSM_SYSTEM)
static fsm_case b2c_cases[] = {
    { "pending_payment",  "pay",            "paid",             B },
    { "pending_payment",  "modify",         "pending_payment",  B | M },
    { "pending_payment",  "modify_address", "pending_payment",  B | M },
    { "pending_payment",  "cancel",         "cancelled",        B | M },
    { "pending_payment",  "expire",         "expired",          S },
    { "pending_payment",  "reject",         "rejected",         S },
    { "paid",             "produce",        "in_production",    M | S },
    { "paid",             "refund",         "refunded",         B | M | S },
    { "paid",             "modify_address", "paid",             B | M },
    { "in_production",    "ship",           "shipped",          M | S },
    { "in_production",    "refund",         "refunded",         M },
    { "in_production",    "modify_address", "in_production",    B | M },
    { "shipped",          "deliver",        "delivered",        S },
    { "delivered",        "confirm",        "confirmed",        B | S },
    { "delivered",        "return_request", "return_requested", B },
    { "confirmed",        "return_request", "return_requested", B },
    { "confirmed",        "complete",       "completed",        S },
    { "return_requested", "return_receive", "returned",         M | S },
    { "return_requested", "return_reject",  "confirmed",        M },
};

ParameterizedTestParameters(fsm, b2c_allows_exactly_its_actors)
{
    return cr_make_param_array(fsm_case, b2c_cases, sizeof b2c_cases / sizeof b2c_cases[0]);
}

ParameterizedTest(fsm_case *c, fsm, b2c_allows_exactly_its_actors)
{
    const fsm_def *d = fsm_builtin("b2c");
    int from = fsm_state_index(d, c->from), want = fsm_state_index(d, c->to);
    int act = fsm_action_parse(c->action);
    cr_assert(from >= 0 && want >= 0 && act >= 0);
    for (int a = 0; a < FSM_ACTOR_COUNT; a++) {
        int to = -1;
        os_status st = fsm_next(d, from, (fsm_action)act, (fsm_actor)a, &to);
        if (c->actors & FSM_ACTOR_BIT(a)) {
            cr_expect_eq(st, OS_OK, "%s may %s in %s", fsm_actor_name(a), c->action, c->from);
            cr_expect_eq(to, want);
        } else {
            cr_expect_eq(st, OS_EFORBIDDEN, "%s may not %s in %s", fsm_actor_name(a), c->action, c->from);
        }
    }
}

Test(fsm, b2c_has_no_rows_beyond_the_table)
{
    cr_assert_eq(fsm_transition_count(fsm_builtin("b2c")), (int)(sizeof b2c_cases / sizeof b2c_cases[0]));
}

typedef struct forbid_case { char state[24], action[24]; int actor; } forbid_case;
static forbid_case forbidden[] = {
    { "pending_payment", "ship", FSM_MERCHANT },     /* no shipping before payment */
    { "pending_payment", "produce", FSM_SYSTEM },
    { "pending_payment", "expire", FSM_BUYER },      /* only the system expires */
    { "paid", "cancel", FSM_BUYER },                 /* b2c: after payment it is a refund */
    { "paid", "pay", FSM_BUYER },
    { "shipped", "refund", FSM_BUYER },              /* no refund once shipped */
    { "shipped", "refund", FSM_MERCHANT },
    { "shipped", "modify_address", FSM_BUYER },      /* the address is fixed once shipped */
    { "delivered", "modify_address", FSM_MERCHANT },
    { "delivered", "complete", FSM_SYSTEM },         /* confirm first */
    { "delivered", "return_receive", FSM_MERCHANT }, /* a request comes first */
    { "completed", "return_request", FSM_BUYER },    /* window closed */
    { "cancelled", "pay", FSM_BUYER },
    { "expired", "pay", FSM_BUYER },
    { "return_requested", "return_reject", FSM_BUYER },
    { "in_production", "refund", FSM_BUYER },
};

ParameterizedTestParameters(fsm, rejects_forbidden_moves)
{
    return cr_make_param_array(forbid_case, forbidden, sizeof forbidden / sizeof forbidden[0]);
}

ParameterizedTest(forbid_case *c, fsm, rejects_forbidden_moves)
{
    const fsm_def *d = fsm_builtin("b2c");
    int to = -7;
    cr_expect_eq(fsm_next(d, fsm_state_index(d, c->state), (fsm_action)fsm_action_parse(c->action),
                          (fsm_actor)c->actor, &to), OS_EFORBIDDEN, "%s %s by %s", c->state, c->action,
                 fsm_actor_name((fsm_actor)c->actor));
    cr_expect_eq(to, -7, "a forbidden move leaves the output alone");
}

Test(fsm, builtins_lint_clean)
{
    for (const char *const *n = fsm_builtin_names(); *n; n++) {
        os_diag d;
        os_diag_init(&d);
        int found = fsm_lint(fsm_builtin(*n), &d);
        for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
        cr_expect_eq(found, 0, "%s lints clean", *n);
        os_diag_fini(&d);
    }
}

Test(fsm, timers_bind_to_scenario_parameters)
{
    const fsm_def *d = fsm_builtin("b2c");
    const fsm_transition *t = fsm_timer(d, fsm_state_index(d, "pending_payment"));
    cr_assert_not_null(t);
    cr_expect_eq(t->action, FSM_EXPIRE);
    cr_expect_eq(t->after_kind, FSM_AFTER_ORDER_EXPIRY);
    cr_expect_null(fsm_timer(d, fsm_state_index(d, "paid")));
    cr_expect_eq(fsm_timer(d, fsm_state_index(d, "confirmed"))->after_kind, FSM_AFTER_COMPLETE);
}

static int load_text(const char *text, fsm_def **out, os_diag *diag)
{
    jsn_doc *doc;
    os_diag_init(diag);
    if (jsn_parse("proc.json", text, strlen(text), &doc, diag) != OS_OK) return -1;
    os_status st = fsm_load(doc, out, diag);
    jsn_free(doc);
    return st == OS_OK ? 0 : -1;
}

static bool has_msg(const os_diag *d, const char *needle)
{
    for (int i = 0; i < d->count; i++)
        if (strstr(d->msgs[i], needle)) return true;
    return false;
}

static void dump(const os_diag *d)
{
    for (int i = 0; i < d->count; i++) cr_log_info("%s", d->msgs[i]);
}

Test(fsm, linter_finds_every_kind_of_defect)
{
    const char *text =
        "{\"name\":\"broken\",\"states\":[\"a\",\"b\",\"c\",\"orphan\",\"done\",\"stuck\"],"
        "\"initial\":\"a\",\"terminal\":[\"done\"],\"transitions\":["
        "{\"from\":\"a\",\"action\":\"pay\",\"to\":\"b\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"b\",\"action\":\"produce\",\"to\":\"done\",\"actors\":[]},"          /* nobody */
        "{\"from\":\"a\",\"action\":\"expire\",\"to\":\"done\",\"actors\":[\"buyer\"],\"after\":\"15m\"}," /* timer not system */
        "{\"from\":\"a\",\"action\":\"cancel\",\"to\":\"done\",\"actors\":[\"system\"],\"after\":\"1h\"}," /* two timers */
        "{\"from\":\"done\",\"action\":\"refund\",\"to\":\"a\",\"actors\":[\"merchant\"]}," /* out of terminal */
        "{\"from\":\"a\",\"action\":\"modify\",\"to\":\"stuck\",\"actors\":[\"buyer\"]},"
        "{\"from\":\"stuck\",\"action\":\"modify\",\"to\":\"stuck\",\"actors\":[\"buyer\"]}"
        "]}";
    fsm_def *d = NULL;
    os_diag diag;
    cr_assert_eq(load_text(text, &d, &diag), 0);
    int found = fsm_lint(d, &diag);
    dump(&diag);
    cr_expect(has_msg(&diag, "state \"orphan\" is unreachable"));
    cr_expect(has_msg(&diag, "state \"c\" is unreachable"));
    cr_expect(has_msg(&diag, "state \"stuck\" is a dead end"));
    cr_expect(has_msg(&diag, "state \"b\" is a dead end"), "b's only way out has no actor");
    cr_expect(has_msg(&diag, "action \"produce\" from \"b\" has no actor"));
    cr_expect(has_msg(&diag, "must allow actor \"system\""));
    cr_expect(has_msg(&diag, "more than one timed transition"));
    cr_expect(has_msg(&diag, "terminal state \"done\" has an outgoing transition"));
    cr_expect(has_msg(&diag, "proc.json:1:"), "findings name the file and line");
    cr_expect_eq(found, diag.count);
    fsm_free(d);
    os_diag_fini(&diag);
}

Test(fsm, loader_reports_unknown_names_and_duplicates_with_position)
{
    const char *text =
        "{\"name\":\"x\",\"states\":[\"a\",\"done\"],\"initial\":\"a\",\"terminal\":[\"done\"],\n"
        "\"transitions\":[\n"
        " {\"from\":\"a\",\"action\":\"pai\",\"to\":\"done\",\"actors\":[\"buyer\"]},\n"
        " {\"from\":\"a\",\"action\":\"cancel\",\"to\":\"dnoe\",\"actors\":[\"robot\"]},\n"
        " {\"from\":\"a\",\"action\":\"cancel\",\"to\":\"done\",\"actors\":[\"buyer\"]},\n"
        " {\"from\":\"a\",\"action\":\"cancel\",\"to\":\"done\",\"actors\":[\"buyer\"],\"aftr\":1}\n"
        "]}";
    fsm_def *d = NULL;
    os_diag diag;
    cr_assert_neq(load_text(text, &d, &diag), 0);
    dump(&diag);
    cr_expect(has_msg(&diag, "proc.json:3:23: transitions[0].action: unknown action \"pai\" (did you mean \"pay\"?)"));
    cr_expect(has_msg(&diag, "proc.json:4:37: transitions[1].to: unknown state \"dnoe\" (did you mean \"done\"?)"));
    cr_expect(has_msg(&diag, "transitions[1].actors[0]: expected \"buyer\", \"merchant\" or \"system\""));
    cr_expect(has_msg(&diag, "transitions[3].aftr: unknown key \"aftr\" (did you mean \"after\"?)"));
    cr_expect(has_msg(&diag, "duplicate transition: state \"a\" already has a row for \"cancel\""));
    cr_expect_null(d);
    os_diag_fini(&diag);
}

Test(fsm, json_export_round_trips_through_the_loader)
{
    const fsm_def *b2c = fsm_builtin("b2c");
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    fsm_write_json(b2c, f);
    fclose(f);
    fsm_def *d = NULL;
    os_diag diag;
    cr_assert_eq(load_text(buf, &d, &diag), 0);
    FILE *nul = fopen("/dev/null", "w");
    cr_expect_eq(fsm_diff(b2c, d, nul), 0, "the loaded copy has the same transitions");
    fclose(nul);
    fsm_free(d);
    free(buf);
    os_diag_fini(&diag);
}

Test(fsm, diff_lists_added_removed_and_changed_rows)
{
    const char *text =
        "{\"name\":\"b2c_cancel_after_pay\",\"states\":[\"pending_payment\",\"paid\",\"cancelled\",\"expired\"],"
        "\"initial\":\"pending_payment\",\"terminal\":[\"cancelled\",\"expired\"],\"transitions\":["
        "{\"from\":\"pending_payment\",\"action\":\"pay\",\"to\":\"paid\",\"actors\":[\"buyer\",\"system\"]},"
        "{\"from\":\"pending_payment\",\"action\":\"expire\",\"to\":\"expired\",\"actors\":[\"system\"],\"after\":\"order_expiry\"},"
        "{\"from\":\"paid\",\"action\":\"cancel\",\"to\":\"cancelled\",\"actors\":[\"buyer\"]}]}";
    fsm_def *d = NULL;
    os_diag diag;
    cr_assert_eq(load_text(text, &d, &diag), 0);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    int n = fsm_diff(fsm_builtin("b2c"), d, f);
    fclose(f);
    cr_log_info("%s", buf);
    cr_expect_gt(n, 3);
    cr_expect(strstr(buf, "+ paid --cancel--> cancelled [buyer]") != NULL);
    cr_expect(strstr(buf, "~ pending_payment --pay--> paid [buyer]\n  now pending_payment --pay--> paid [buyer,system]") != NULL);
    cr_expect(strstr(buf, "- paid --produce--> in_production") != NULL);
    free(buf);
    fsm_free(d);
    os_diag_fini(&diag);
}

Test(fsm, cod_commits_stock_at_creation)
{
    cr_expect_eq(fsm_stock_hook_of(fsm_builtin("cod")), FSM_STOCK_ON_CREATE);
    cr_expect_eq(fsm_stock_hook_of(fsm_builtin("b2c")), FSM_STOCK_BY_STRATEGY);
}
