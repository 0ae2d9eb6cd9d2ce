/* libFuzzer target: the --set parser. Each input line is one PATH=VALUE edit applied to a
 * fixed valid scenario, which is then validated. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scn.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char base[] =
    "{\"name\":\"f\",\"horizon\":\"1h\",\"catalog\":[{\"sku\":\"a\",\"stock\":5,\"price\":1}],"
    "\"customers\":{\"arrivals\":{\"rate\":1,\"schedule\":[{\"at\":\"1m\",\"rate\":2}]},"
    "\"segments\":[{\"name\":\"g\",\"share\":1}]},\"stations\":{\"order_service\":{\"servers\":2,"
    "\"service\":{\"dist\":\"exp\",\"mean\":\"1s\"}}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 4096) return 0;
    char *text = malloc(size + 1);
    if (!text) return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    os_diag d;
    os_diag_init(&d);
    jsn_doc *doc = NULL;
    if (jsn_parse("base.json", base, sizeof base - 1, &doc, &d) == OS_OK) {
        int edits = 0;
        for (char *save = NULL, *line = strtok_r(text, "\n", &save); line && edits < 16; line = strtok_r(NULL, "\n", &save), edits++)
            jsn_set(doc, line, &d);
        scn_scenario *s = NULL;
        if (scn_from_doc(doc, &s, &d) == OS_OK) scn_free(s);
        jsn_free(doc);
    }
    os_diag_fini(&d);
    free(text);
    return 0;
}
