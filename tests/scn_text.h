/* Test helpers shared by the scenario-text tests (breakdowns, mixed processes, reads): a
 * scenario from a JSON string, and one run of it at seed 1 whose invariants must hold. */
#ifndef SCN_TEXT_H
#define SCN_TEXT_H

#include <criterion/criterion.h>
#include <string.h>

#include "sim_model.h"

/* Loads a scenario from text (named "test.json" in messages) after the --set edits of the
 * NULL-terminated list `sets` (may be NULL): OS_OK with *out owned by the caller, or the
 * loader's status with its first message in msg (when msg is not NULL; else every message
 * is logged). The text must parse and each edit must apply. */
static inline os_status scn_text_try(const char *text, const char *const *sets, scn_scenario **out, char *msg, size_t n)
{
    jsn_doc *doc;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("test.json", text, strlen(text), &doc, &d), OS_OK, "%s", text);
    for (int i = 0; sets && sets[i]; i++) cr_assert_eq(jsn_set(doc, sets[i], &d), OS_OK, "%s", sets[i]);
    *out = NULL;
    os_status st = scn_from_doc(doc, out, &d);
    if (msg) snprintf(msg, n, "%s", d.count ? d.msgs[0] : "");
    else for (int i = 0; i < d.count; i++) cr_log_error("%s", d.msgs[i]);
    jsn_free(doc);
    os_diag_fini(&d);
    return st;
}

/* scn_text_try that must succeed. Caller frees. */
static inline scn_scenario *scn_text_sets(const char *text, const char *const *sets)
{
    scn_scenario *s;
    cr_assert_eq(scn_text_try(text, sets, &s, NULL, 0), OS_OK);
    return s;
}

/* Loads a scenario from text; the test fails on any loader message. Caller frees. */
static inline scn_scenario *scn_text(const char *text)
{
    return scn_text_sets(text, NULL);
}

/* Runs the scenario text at seed 1 (with the ledger when asked) into r, which the caller
 * finis; the run's invariants must hold. */
static inline void scn_text_run(const char *text, rpt_run *r, bool ledger)
{
    scn_scenario *s = scn_text(text);
    rpt_run_init(r);
    sim_opts o = { .seed = 1, .ledger = ledger };
    cr_assert_eq(sim_run(s, &o, r), OS_OK);
    cr_assert(r->invariants_ok, "%s", r->violations.count ? r->violations.msgs[0] : "");
    scn_free(s);
}

/* Loads a scenario text that must be refused; returns the first message (static buffer). */
static inline const char *scn_text_error(const char *text)
{
    static char first[1024];
    jsn_doc *doc;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(jsn_parse("test.json", text, strlen(text), &doc, &d), OS_OK);
    scn_scenario *s = NULL;
    cr_expect_eq(scn_from_doc(doc, &s, &d), OS_EDATA);
    snprintf(first, sizeof first, "%s", d.count ? d.msgs[0] : "(none)");
    jsn_free(doc);
    os_diag_fini(&d);
    return first;
}

#endif
