/* libFuzzer target: the process-definition loader and the linter, and drawing the result. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "fsm.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc = NULL;
    if (jsn_parse("fuzz.json", (const char *)data, size, &doc, &d) == OS_OK) {
        fsm_def *def = NULL;
        if (fsm_load(doc, &def, &d) == OS_OK) {
            fsm_lint(def, &d);
            FILE *null = fopen("/dev/null", "w");
            if (null) {
                fsm_write_dot(def, null);
                fsm_write_mermaid(def, null);
                fsm_write_json(def, null);
                fsm_diff(fsm_builtin("b2c"), def, null);
                fclose(null);
            }
            fsm_free(def);
        }
        jsn_free(doc);
    }
    os_diag_fini(&d);
    return 0;
}
