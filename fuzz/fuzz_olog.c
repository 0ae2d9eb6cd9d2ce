/* libFuzzer target: the order-log reader (RFC 4180 CSV, timestamps, bad-row allowance), with
 * a small record limit so long-line handling is exercised too. Any input must come back as
 * a log or as positioned diagnostics: never a crash, leak or hang. The input goes through a
 * temporary file because the reader streams from a path. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "olog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    if (!path[0]) {
        snprintf(path, sizeof path, "/tmp/ordersim_fuzz_olog_%ld.csv", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f) return 0;
    fwrite(data, 1, size, f);
    fclose(f);
    static const char *const map[] = { "customer_id=who" };
    olog_opts o = { .map = map, .nmap = size % 2 ? 1 : 0, .max_bad = 0.5, .max_record = 4096, .extra = size % 3 ? NULL : "channel" };
    os_diag d, notes;
    os_diag_init(&d);
    os_diag_init(&notes);
    olog *l = NULL;
    if (olog_read(path, &o, &l, &d, &notes) == OS_OK) olog_free(l);
    os_diag_fini(&d);
    os_diag_fini(&notes);
    return 0;
}
