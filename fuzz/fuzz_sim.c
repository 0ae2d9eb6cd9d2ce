/* libFuzzer target: the simulator itself, on a generated process definition and a small
 * generated scenario (fuzz/gen_process.h; the input bytes steer every choice). A definition
 * the linter refuses must come with a message; a lint-clean one runs under all three
 * strategies with the ledger on, and must end with every invariant holding or be stopped
 * by the engine's loop guard with a message. Anything else aborts (a finding), as do
 * sanitizer reports, leaks and hangs (-timeout). Runs are bounded by the scenario: at most
 * 80 customers over at most 20 simulated minutes. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen_process.h"
#include "sim_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads generated definition text; NULL when the loader refuses it. */
static fsm_def *fz__def(const char *text, os_diag *d)
{
    jsn_doc *doc;
    if (jsn_parse("gen.json", text, strlen(text), &doc, d) != OS_OK) return NULL;
    fsm_def *def = NULL;
    if (fsm_load(doc, &def, d) != OS_OK) def = NULL;
    jsn_free(doc);
    return def;
}

/* A finding: print what ran and abort so libFuzzer keeps the input. */
static void fz__fail(const char *why, const char *def, const char *scn, const os_diag *d)
{
    fprintf(stderr, "fuzz_sim: %s\ndefinition: %s\nscenario: %s\n", why, def, scn ? scn : "-");
    for (int i = 0; d && i < d->count; i++) fprintf(stderr, "  %s\n", d->msgs[i]);
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char dtext[16384], stext[8192];
    if (size > 4096) return 0;
    gen_src g;
    gen_init(&g, data, size, 0);
    gen_definition(&g, dtext, sizeof dtext);
    os_diag d;
    os_diag_init(&d);
    fsm_def *def = fz__def(dtext, &d);
    int errors = def ? fsm_lint(def, &d) : 1;
    fsm_free(def);
    if (errors) {
        if (d.count == 0) fz__fail("refused without a message", dtext, NULL, &d);
        os_diag_fini(&d);
        return 0;
    }
    os_diag_fini(&d);
    gen_scenario(&g, stext, sizeof stext, "b2c");
    const inv_strategy *const *strategies = inv_strategies();   /* every strategy: a new one is tested too */
    for (int k = 0; strategies[k]; k++) {
        jsn_doc *doc;
        os_diag_init(&d);
        if (jsn_parse("gen_scn.json", stext, strlen(stext), &doc, &d) != OS_OK) fz__fail("scenario text", dtext, stext, &d);
        scn_scenario *s = NULL;
        if (scn_from_doc(doc, &s, &d) != OS_OK) fz__fail("scenario refused", dtext, stext, &d);
        jsn_free(doc);
        s->fsm = fz__def(dtext, &d);     /* owned by the scenario */
        if (!s->fsm) fz__fail("definition reload", dtext, stext, &d);
        os_diag_fini(&d);
        rpt_run r;
        rpt_run_init(&r);
        sim_opts o = { .strategy = strategies[k]->name, .seed = 1, .ledger = true };
        os_status st = sim_run(s, &o, &r);
        if (st == OS_EDATA) {
            if (r.violations.count == 0 || !strstr(r.violations.msgs[0], "its path: "))
                fz__fail("stopped without the loop guard's message", dtext, stext, &r.violations);
        } else if (st != OS_OK || !r.invariants_ok) {
            fz__fail(strategies[k]->name, dtext, stext, &r.violations);
        }
        rpt_run_fini(&r);
        scn_free(s);
    }
    return 0;
}
