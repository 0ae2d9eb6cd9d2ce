/* Tests of the results database: a run written and read back is the same run (metrics with
 * their nulls, stations, the series, the ledger-free header fields), batches list their runs,
 * and an unknown id is a clean "not found". */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rpt_db.h"

#include <sqlite3.h>

static char dbpath[64];

static void make_path(void)
{
    snprintf(dbpath, sizeof dbpath, "/tmp/ordersim_test_db_%ld/r.db", (long)getpid());
}

static void remove_db(void)
{
    unlink(dbpath);
    char dir[64];
    snprintf(dir, sizeof dir, "%s", dbpath);
    *strrchr(dir, '/') = '\0';
    rmdir(dir);
}

/* A run with every kind of content: metrics (one null), two stations, a 3-row series. */
static void sample_run(rpt_run *r)
{
    rpt_run_init(r);
    snprintf(r->scenario, sizeof r->scenario, "%s", "round \"trip\"");
    snprintf(r->strategy, sizeof r->strategy, "%s", "reduce_on_payment");
    snprintf(r->process, sizeof r->process, "%s", "b2c");
    r->seed = 18446744073709551557u; /* above INT64_MAX: must survive the signed column */
    r->replication = 2;
    r->sweep_point = -1;
    r->horizon = 3600;
    r->warmup = 60;
    for (int k = 0; k < RPT_METRIC_COUNT; k++) r->m[k] = k * 1.25 + 0.1;
    r->m[RPT_M_sellout_time] = NAN;
    r->nstations = 2;
    r->st[0] = (rpt_station){ .name = "order_service", .servers = 4, .mean_service = 0.05, .utilization = 0.5,
                              .wait_mean = 0.01, .wait_p50 = 0.002, .wait_p95 = 0.03, .wait_p99 = 0.07,
                              .queue_max = 9, .served = 1234 };
    r->st[1] = (rpt_station){ .name = "payment", .servers = 2, .mean_service = 1.5, .utilization = 0.25,
                              .wait_mean = 0.5, .wait_p50 = 0.4, .wait_p95 = 1.5, .wait_p99 = 2.5,
                              .queue_max = 3, .served = 99 };
    /* Columns of a custom process, not in name order, one terminal (counted since the start):
     * the DB must give back each descriptor, in the declared order. */
    const rpt_col cols[] = {
        { "available", "available", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, true },
        { "locked", "locked", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
        { "sold", "sold", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
        { "oversold", "oversold", "units", RPT_COL_STOCK, RPT_COUNT_LEVEL, false },
        { "paid_in_interval", "payments", "orders", RPT_COL_FLOW, RPT_COUNT_INTERVAL, false },
        { "state.placed", "placed", "orders", RPT_COL_STATE, RPT_COUNT_LEVEL, false },
        { "state.do\"ne", "do\"ne", "orders", RPT_COL_STATE, RPT_COUNT_CUMULATIVE, false },
    };
    rpt_series_columns(&r->series, 7, cols);
    for (int i = 0; i < 3; i++) {
        double row[8] = { 10.0 * i, 100 - i, i, 3 * i, 0, i % 2, 7 + i, 8 - i };
        rpt_series_add(&r->series, row);
    }
    r->invariants_ok = true;
    r->events = 4242;
}

Test(db, a_run_reads_back_as_it_was_written, .init = make_path, .fini = remove_db)
{
    rpt_db *db = NULL;
    os_diag d = { 0 };
    cr_assert_eq(rpt_db_open(dbpath, RPT_DB_WRITE, RPT_DB_TIMEOUT, &db, &d), OS_OK);
    rpt_run r;
    sample_run(&r);
    rpt_db_meta meta = { .kind = "run", .batch = "batch-1", .scenario_json = "{\"name\": \"x\"}",
                         .scenario_hash = 42, .build = "test", .sweep_point = -1 };
    int64_t id = 0;
    cr_assert_eq(rpt_db_record(db, &meta, &r, &id, &d), OS_OK);
    cr_assert_gt(id, 0);

    rpt_run back;
    rpt_run_init(&back);
    char *json = NULL;
    cr_assert_eq(rpt_db_load(db, id, &back, &json, &d), OS_OK);
    cr_expect_str_eq(back.scenario, r.scenario);
    cr_expect_str_eq(back.strategy, r.strategy);
    cr_expect_str_eq(back.process, r.process);
    cr_expect_eq(back.seed, r.seed);
    cr_expect_eq(back.replication, 2);
    cr_expect_eq(back.sweep_point, -1);
    cr_expect_eq(back.horizon, 3600.0);
    cr_expect_eq(back.warmup, 60.0);
    cr_expect(back.invariants_ok);
    cr_expect_eq(back.events, 4242u);
    cr_expect_str_eq(json, "{\"name\": \"x\"}");
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        if (k == RPT_M_sellout_time) cr_expect(isnan(back.m[k]), "null stays null");
        else cr_expect_eq(back.m[k], r.m[k], "%s: %.17g back as %.17g", rpt_metric_name((rpt_metric)k), r.m[k],
                          back.m[k]);
    }
    cr_assert_eq(back.nstations, 2);
    for (int s = 0; s < 2; s++) {
        cr_expect_str_eq(back.st[s].name, r.st[s].name);
        cr_expect_eq(back.st[s].servers, r.st[s].servers);
        cr_expect_eq(back.st[s].mean_service, r.st[s].mean_service);
        cr_expect_eq(back.st[s].utilization, r.st[s].utilization);
        cr_expect_eq(back.st[s].wait_mean, r.st[s].wait_mean);
        cr_expect_eq(back.st[s].wait_p50, r.st[s].wait_p50);
        cr_expect_eq(back.st[s].wait_p95, r.st[s].wait_p95);
        cr_expect_eq(back.st[s].wait_p99, r.st[s].wait_p99);
        cr_expect_eq(back.st[s].queue_max, r.st[s].queue_max);
        cr_expect_eq(back.st[s].served, r.st[s].served);
    }
    cr_assert_eq(back.series.ncols, r.series.ncols);
    cr_assert_eq(back.series.nrows, r.series.nrows);
    for (int c = 0; c < r.series.ncols; c++) {
        const rpt_col *a = &back.series.cols[c], *b = &r.series.cols[c];
        cr_expect_str_eq(a->name, b->name);
        cr_expect_str_eq(a->label, b->label);
        cr_expect_str_eq(a->unit, b->unit);
        cr_expect_eq(a->kind, b->kind, "kind of %s", b->name);
        cr_expect_eq(a->count, b->count, "count of %s", b->name);
        cr_expect_eq(a->signed_level, b->signed_level, "signed_level of %s", b->name);
    }
    for (size_t i = 0; i < r.series.nrows * (size_t)r.series.ncols; i++)
        cr_expect_eq(back.series.v[i], r.series.v[i], "series value %zu", i);

    int64_t *ids = NULL;
    int n = 0;
    cr_assert_eq(rpt_db_batch_runs(db, "batch-1", &ids, &n, &d), OS_OK);
    cr_expect_eq(n, 1);
    if (n == 1) cr_expect_eq(ids[0], id);
    free(ids);

    free(json);
    rpt_run_fini(&back);
    rpt_run_fini(&r);
    rpt_db_close(db);
    os_diag_fini(&d);
}

Test(db, an_unknown_run_is_not_found, .init = make_path, .fini = remove_db)
{
    rpt_db *db = NULL;
    os_diag d = { 0 };
    cr_assert_eq(rpt_db_open(dbpath, RPT_DB_WRITE, RPT_DB_TIMEOUT, &db, &d), OS_OK);
    rpt_run back;
    rpt_run_init(&back);
    cr_expect_eq(rpt_db_load(db, 99, &back, NULL, &d), OS_ENOTFOUND);
    cr_assert_eq(d.count, 1);
    char want[128];
    snprintf(want, sizeof want, "%s: no complete run with id 99", dbpath);
    cr_expect_str_eq(d.msgs[0], want);
    rpt_run_fini(&back);
    rpt_db_close(db);
    os_diag_fini(&d);
}

/* Series and latency rows go in batches of 32 per statement, through statements the
 * connection keeps between runs: several runs on one connection, each with full batches
 * and a remainder (41 rows x 7 columns = 287 series rows), must each read back exactly. */
Test(db, batched_rows_of_several_runs_read_back_exactly, .init = make_path, .fini = remove_db)
{
    rpt_db *db = NULL;
    os_diag d = { 0 };
    cr_assert_eq(rpt_db_open(dbpath, RPT_DB_WRITE, RPT_DB_TIMEOUT, &db, &d), OS_OK);
    rpt_db_meta meta = { .kind = "run", .batch = "batch-2", .scenario_json = "{}", .build = "test", .sweep_point = -1 };
    int64_t ids[3];
    rpt_run runs[3];
    for (int k = 0; k < 3; k++) {
        sample_run(&runs[k]);
        for (int i = 3; i < 41; i++) {
            double row[8] = { 10.0 * i, 100 - i + k, i * 0.5, 3 * i, k, i % 2, i == 7 ? NAN : 7 + i, 8 - i };
            rpt_series_add(&runs[k].series, row);
        }
        for (int b = 0; b < rpt_hist_bucket_count(); b += 3) runs[k].order_to_pay.b[b] = (uint64_t)(b + k + 1);
        cr_assert_eq(rpt_db_record(db, &meta, &runs[k], &ids[k], &d), OS_OK);
    }
    for (int k = 0; k < 3; k++) {
        rpt_run back;
        rpt_run_init(&back);
        cr_assert_eq(rpt_db_load(db, ids[k], &back, NULL, &d), OS_OK);
        cr_assert_eq(back.series.nrows, 41u);
        cr_assert_eq(back.series.ncols, runs[k].series.ncols);
        for (size_t i = 0; i < 41 * (size_t)back.series.ncols; i++) {
            double a = back.series.v[i], b = runs[k].series.v[i];
            cr_expect(a == b || (isnan(a) && isnan(b)), "run %d, series value %zu: %.17g back as %.17g", k, i, b, a);
        }
        for (int b = 0; b < rpt_hist_bucket_count(); b++)
            cr_expect_eq(back.order_to_pay.b[b], runs[k].order_to_pay.b[b], "run %d, latency bucket %d", k, b);
        rpt_run_fini(&back);
        rpt_run_fini(&runs[k]);
    }
    rpt_db_close(db);
    os_diag_fini(&d);
}

/* A replication's write checks that its run exists (it stands for the foreign keys, which
 * are off while it writes): results for an unknown id are refused and nothing is kept. */
Test(db, results_for_a_run_not_in_the_database_are_refused, .init = make_path, .fini = remove_db)
{
    rpt_db *db = NULL;
    os_diag d = { 0 };
    cr_assert_eq(rpt_db_open(dbpath, RPT_DB_WRITE, RPT_DB_TIMEOUT, &db, &d), OS_OK);
    rpt_run r;
    sample_run(&r);
    cr_expect_eq(rpt_db_finish_run(db, 77, &r, &d), OS_EIO);
    cr_assert_eq(d.count, 1);
    cr_expect(strstr(d.msgs[0], "run 77 is not in the results database"), "%s", d.msgs[0]);
    rpt_db_close(db);
    sqlite3 *h = NULL;
    sqlite3_stmt *q = NULL;
    cr_assert_eq(sqlite3_open_v2(dbpath, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_prepare_v2(h, "SELECT (SELECT count(*) FROM metrics) + (SELECT count(*) FROM series)"
                                       " + (SELECT count(*) FROM stations)", -1, &q, NULL), SQLITE_OK);
    cr_assert_eq(sqlite3_step(q), SQLITE_ROW);
    cr_expect_eq(sqlite3_column_int(q, 0), 0, "rows of the refused results were kept");
    sqlite3_finalize(q);
    sqlite3_close(h);
    rpt_run_fini(&r);
    os_diag_fini(&d);
}
