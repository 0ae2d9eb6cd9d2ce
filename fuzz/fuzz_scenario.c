/* libFuzzer target: the scenario loader (JSON parse, positions, validation). Any input
 * must come back as a scenario or as diagnostics: never a crash, leak or hang. */
#include <stddef.h>
#include <stdint.h>

#include "scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc = NULL;
    if (jsn_parse("fuzz.json", (const char *)data, size, &doc, &d) == OS_OK) {
        scn_scenario *s = NULL;
        if (scn_from_doc(doc, &s, &d) == OS_OK) scn_free(s);
        jsn_free(doc);
    }
    os_diag_fini(&d);
    return 0;
}
