/* Tests for the CSV reader (sim/csv.c) and the order-log reader (sim/olog.c): RFC 4180
 * quoting, BOM, CRLF, positioned errors, ISO 8601 timestamps, --map, and the bad-row
 * allowance. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"
#include "olog.h"

/* Writes text to a fresh temporary file; returns its path (static buffer). */
static const char *tmpfile_with(const char *text, size_t n)
{
    static char path[64];
    snprintf(path, sizeof path, "/tmp/ordersim_olog_XXXXXX");
    int fd = mkstemp(path);
    cr_assert(fd >= 0);
    cr_assert_eq(write(fd, text, n), (ssize_t)n);
    close(fd);
    return path;
}

Test(csv, reads_quotes_embedded_commas_newlines_bom_and_crlf)
{
    static const char text[] = "\xEF\xBB\xBF" "a,b,c\r\n\"x,1\",\"line1\nline2\",\"say \"\"hi\"\"\"\r\n\r\nlast,,\n";
    const char *p = tmpfile_with(text, sizeof text - 1);
    csv_reader *r;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(csv_open(p, 0, &r, &d), OS_OK);
    cr_assert_eq(csv_next(r, &d), 1);
    cr_expect_str_eq(csv_field(r, 0), "a");          /* the BOM is not part of the first name */
    cr_expect_eq(csv_nfields(r), 3);
    cr_assert_eq(csv_next(r, &d), 1);
    cr_expect_str_eq(csv_field(r, 0), "x,1");
    cr_expect_str_eq(csv_field(r, 1), "line1\nline2");
    cr_expect_str_eq(csv_field(r, 2), "say \"hi\"");
    cr_expect_eq(csv_line(r), 2);
    cr_assert_eq(csv_next(r, &d), 1);                /* the blank line is skipped */
    cr_expect_eq(csv_line(r), 5);
    cr_expect_eq(csv_nfields(r), 3);
    cr_expect_str_eq(csv_field(r, 2), "");
    cr_expect_eq(csv_next(r, &d), 0);
    cr_expect_eq(d.count, 0);
    csv_close(r);
    unlink(p);
    os_diag_fini(&d);
}

Test(csv, an_unbalanced_quote_points_at_where_it_opened)
{
    static const char text[] = "a,b\n1,\"open\n2,3\n";
    const char *p = tmpfile_with(text, sizeof text - 1);
    csv_reader *r;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(csv_open(p, 0, &r, &d), OS_OK);
    cr_assert_eq(csv_next(r, &d), 1);
    cr_expect_eq(csv_next(r, &d), -1);
    cr_assert_eq(d.count, 1);
    char want[128];
    snprintf(want, sizeof want, "%s:2:3: unterminated quoted field", p);
    cr_expect(strncmp(d.msgs[0], want, strlen(want)) == 0, "%s", d.msgs[0]);
    csv_close(r);
    unlink(p);
    os_diag_fini(&d);
}

Test(csv, a_record_over_the_limit_stops_at_the_limit)
{
    size_t n = 5000;
    char *text = malloc(n + 16);
    memcpy(text, "a\n", 2);
    memset(text + 2, 'x', n);
    const char *p = tmpfile_with(text, n + 2);
    csv_reader *r;
    os_diag d;
    os_diag_init(&d);
    cr_assert_eq(csv_open(p, 1000, &r, &d), OS_OK);
    cr_assert_eq(csv_next(r, &d), 1);
    cr_expect_eq(csv_next(r, &d), -1);
    cr_assert_eq(d.count, 1);
    char want[128];
    snprintf(want, sizeof want, "%s:2:1001: record longer than 1000 bytes", p);
    cr_expect(strncmp(d.msgs[0], want, strlen(want)) == 0, "%s", d.msgs[0]);
    csv_close(r);
    unlink(p);
    free(text);
    os_diag_fini(&d);
}

Test(olog, parses_iso_8601_with_and_without_zones)
{
    double t;
    cr_assert(olog_parse_iso("2026-01-05T00:00:00Z", &t));
    cr_expect_eq(t, 1767571200.0);
    cr_assert(olog_parse_iso("2026-01-05 02:30:00+02:30", &t));
    cr_expect_eq(t, 1767571200.0);
    cr_assert(olog_parse_iso("2026-01-05T00:00:01.250", &t));
    cr_expect_eq(t, 1767571201.25);
    cr_assert(olog_parse_iso("2024-02-29", &t));
    cr_expect(!olog_parse_iso("2026-02-29T00:00:00Z", &t));
    cr_expect(!olog_parse_iso("2026-01-05T25:00:00Z", &t));
    cr_expect(!olog_parse_iso("05/01/2026", &t));
    cr_expect(!olog_parse_iso("2026-01-05T00:00:00Zjunk", &t));
    char buf[40];
    olog_format_iso(1767571201.25, buf, sizeof buf);
    cr_expect_str_eq(buf, "2026-01-05T00:00:01.250Z");
}

Test(olog, maps_columns_and_counts_bad_rows_within_the_allowance)
{
    /* 200 good rows and one with a bad timestamp: 0.5% bad, under the default 1%. */
    size_t cap = 64 * 1024, k = 0;
    char *text = malloc(cap);
    k += (size_t)snprintf(text + k, cap - k, "ts,who,item\n");
    for (int i = 0; i < 200; i++)
        k += (size_t)snprintf(text + k, cap - k, "2026-01-05T%02d:%02d:00Z,c%d,tee\n", i / 60, i % 60, i % 7);
    k += (size_t)snprintf(text + k, cap - k, "yesterday,c1,tee\n");
    const char *p = tmpfile_with(text, k);
    const char *map[] = { "created_at=ts", "customer_id=who", "sku=item" };
    olog_opts o = { .map = map, .nmap = 3, .max_bad = -1 };
    os_diag d, notes;
    os_diag_init(&d);
    os_diag_init(&notes);
    olog *l = NULL;
    cr_assert_eq(olog_read(p, &o, &l, &d, &notes), OS_OK);
    cr_expect_eq(l->n, 200);
    cr_expect_eq(l->bad, 1);
    cr_expect_eq(l->customers.n, 7);
    cr_expect_eq(l->skus.n, 1);
    cr_assert(notes.count >= 1);
    char want[128];
    snprintf(want, sizeof want, "note: skipped %s:202:1: ts: found \"yesterday\"", p);
    cr_expect(strncmp(notes.msgs[0], want, strlen(want)) == 0, "%s", notes.msgs[0]);
    olog_free(l);
    /* The same file with --max-bad 0 is refused. */
    o.max_bad = 0;
    os_diag_fini(&notes);
    os_diag_init(&notes);
    cr_expect_eq(olog_read(p, &o, &l, &d, &notes), OS_EDATA);
    cr_expect(d.count >= 2);
    unlink(p);
    free(text);
    os_diag_fini(&d);
    os_diag_fini(&notes);
}

Test(olog, refuses_a_header_without_created_at)
{
    static const char text[] = "order_id,paid_at\n1,2026-01-05T00:00:00Z\n";
    const char *p = tmpfile_with(text, sizeof text - 1);
    olog_opts o = { .max_bad = -1 };
    os_diag d, notes;
    os_diag_init(&d);
    os_diag_init(&notes);
    olog *l = NULL;
    cr_expect_eq(olog_read(p, &o, &l, &d, &notes), OS_EDATA);
    cr_assert_eq(d.count, 1);
    char want[128];
    snprintf(want, sizeof want, "%s:1:1: no column \"created_at\"", p);
    cr_expect(strncmp(d.msgs[0], want, strlen(want)) == 0, "%s", d.msgs[0]);
    unlink(p);
    os_diag_fini(&d);
    os_diag_fini(&notes);
}
