/*
 * rpt_db.c — the SQLite store. See rpt_db.h; the schema is below and in docs/results-db.md.
 */
#include "rpt_db.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct rpt_db {
    sqlite3 *h;        /* the connection */
    char    *path;     /* for messages */
};

/* Bumped whenever a table changes shape; a database of another version is refused with a
 * message instead of failing on its first statement. */
#define RPT_DB_SCHEMA "2"

static const char *const rpt__schema =
    "PRAGMA page_size=16384;"          /* takes effect only when the file is new */
    "PRAGMA journal_mode=WAL;"
    "PRAGMA synchronous=NORMAL;"
    "PRAGMA cache_size=-65536;"
    "PRAGMA foreign_keys=ON;"
    "CREATE TABLE IF NOT EXISTS runs ("
    "  id INTEGER PRIMARY KEY,"
    "  uuid TEXT NOT NULL UNIQUE,"          /* identity across merged databases */
    "  batch TEXT NOT NULL,"                /* one command invocation */
    "  kind TEXT NOT NULL,"                 /* run, compare, sweep, check */
    "  scenario TEXT NOT NULL,"
    "  scenario_hash TEXT NOT NULL,"
    "  scenario_json TEXT NOT NULL,"
    "  strategy TEXT NOT NULL,"
    "  process TEXT NOT NULL,"
    "  seed INTEGER NOT NULL,"
    "  replication INTEGER NOT NULL,"
    "  horizon REAL NOT NULL,"
    "  warmup REAL NOT NULL DEFAULT 0,"
    "  build TEXT NOT NULL,"
    "  status TEXT NOT NULL CHECK (status IN ('running','complete','failed')),"
    "  invariants_ok INTEGER,"
    "  events INTEGER,"
    "  wall_seconds REAL,"
    "  sweep_point INTEGER,"
    "  sweep_params TEXT,"
    "  started_at TEXT NOT NULL,"
    "  finished_at TEXT);"
    "CREATE INDEX IF NOT EXISTS runs_batch ON runs(batch);"
    "CREATE TABLE IF NOT EXISTS metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, value REAL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS stations ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  station TEXT NOT NULL, servers INTEGER, mean_service REAL, utilization REAL,"
    "  wait_mean REAL, wait_p95 REAL, queue_max REAL, served REAL, wait_p50 REAL, wait_p99 REAL,"
    "  PRIMARY KEY (run_id, station)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS series ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, t REAL NOT NULL, value REAL, PRIMARY KEY (run_id, name, t)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS latency ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  bucket INTEGER NOT NULL, low REAL, count INTEGER, PRIMARY KEY (run_id, bucket)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS transitions ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  order_id INTEGER NOT NULL, n INTEGER NOT NULL, t REAL NOT NULL, action INTEGER NOT NULL, actor INTEGER NOT NULL,"
    "  from_state INTEGER, to_state INTEGER NOT NULL, shortfall INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, order_id, n)) WITHOUT ROWID;"
    "CREATE TABLE IF NOT EXISTS ledger_names ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  kind TEXT NOT NULL, code INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (run_id, kind, code)) WITHOUT ROWID;"
    "CREATE VIEW IF NOT EXISTS transitions_named AS SELECT t.run_id, t.order_id, t.n, t.t,"
    "  a.name AS action, r.name AS actor, f.name AS from_state, s.name AS to_state, t.shortfall"
    "  FROM transitions t"
    "  JOIN ledger_names a ON a.run_id = t.run_id AND a.kind = 'action' AND a.code = t.action"
    "  JOIN ledger_names r ON r.run_id = t.run_id AND r.kind = 'actor' AND r.code = t.actor"
    "  LEFT JOIN ledger_names f ON f.run_id = t.run_id AND f.kind = 'state' AND f.code = t.from_state"
    "  JOIN ledger_names s ON s.run_id = t.run_id AND s.kind = 'state' AND s.code = t.to_state;"
    "CREATE TABLE IF NOT EXISTS violations ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, message TEXT);"
    "CREATE VIEW IF NOT EXISTS run_summary AS SELECT r.id, r.scenario, r.strategy, r.seed, r.replication, r.status,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'orders_paid') AS orders_paid,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'oversold_units') AS oversold_units,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'locked_stock_peak') AS locked_stock_peak,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'genuine_rejected_while_locked') AS genuine_rejected_while_locked,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'order_to_pay_p95') AS order_to_pay_p95,"
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'revenue') AS revenue,"
    "  r.started_at FROM runs r;"
    "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"
    "INSERT OR IGNORE INTO meta VALUES ('schema_version', '" RPT_DB_SCHEMA "');";

static os_status rpt__fail(rpt_db *db, os_diag *diag, const char *what)
{
    os_diag_add(diag, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
    return OS_EIO;
}

os_status rpt_db_open(const char *path, rpt_db **out, os_diag *diag)
{
    *out = NULL;
    if (rpt_mkdirs(path, true) != 0) {
        os_diag_add(diag, "%s: cannot create its directory: %s", path, strerror(errno));
        return OS_EIO;
    }
    rpt_db *db = xcalloc(1, sizeof *db);
    db->path = xstrdup(path);
    if (sqlite3_open_v2(path, &db->h, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        os_status st = rpt__fail(db, diag, "cannot open the results database");
        rpt_db_close(db);
        return st;
    }
    sqlite3_busy_timeout(db->h, 30000);
    /* Several processes may create one new database at once. Switching it to WAL and
     * creating the tables can answer BUSY without consulting the busy handler, so retry
     * with a growing pause, for up to about 30 s. */
    char *err = NULL;
    int rc = SQLITE_BUSY;
    for (int attempt = 0; attempt < 60; attempt++) {
        sqlite3_free(err);
        err = NULL;
        rc = sqlite3_exec(db->h, rpt__schema, NULL, NULL, &err);
        if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
        struct timespec pause = { 0, (attempt < 10 ? 20 : 500) * 1000000L };
        nanosleep(&pause, NULL);
    }
    if (rc != SQLITE_OK) {
        os_diag_add(diag, "%s: cannot set up the results database (is it an ordersim results database?): %s", path,
                    err ? err : "?");
        sqlite3_free(err);
        rpt_db_close(db);
        return OS_EIO;
    }
    sqlite3_stmt *q = NULL;
    const char *version = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q, NULL) == SQLITE_OK &&
        sqlite3_step(q) == SQLITE_ROW)
        version = (const char *)sqlite3_column_text(q, 0);
    if (!version || strcmp(version, RPT_DB_SCHEMA) != 0) {
        os_diag_add(diag, "%s: results database schema version %s, this ordersim writes version %s: move the file "
                    "away (or pass --db NEW.db) to start a new one", path, version ? version : "unknown", RPT_DB_SCHEMA);
        sqlite3_finalize(q);
        rpt_db_close(db);
        return OS_EIO;
    }
    sqlite3_finalize(q);
    *out = db;
    return OS_OK;
}

void rpt_db_close(rpt_db *db)
{
    if (!db) return;
    sqlite3_close(db->h);
    free(db->path);
    free(db);
}

void rpt_db_uuid(char out[33])
{
    unsigned char b[16] = { 0 };
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, b, sizeof b) : -1;
    if (fd >= 0) close(fd);
    if (got != (ssize_t)sizeof b) {
        /* Fall back to time and pid: unique enough for one machine. */
        struct timespec t;
        clock_gettime(CLOCK_REALTIME, &t);
        uint64_t x = (uint64_t)t.tv_nsec ^ ((uint64_t)t.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
        memcpy(b, &x, sizeof x);
        x = x * 0x9E3779B97F4A7C15ULL + (uint64_t)(uintptr_t)&t;
        memcpy(b + 8, &x, sizeof x);
    }
    for (int i = 0; i < 16; i++) snprintf(out + 2 * i, 3, "%02x", b[i]);
}

static void rpt__now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Runs a statement that returns nothing. */
static int rpt__exec(rpt_db *db, const char *sql) { return sqlite3_exec(db->h, sql, NULL, NULL, NULL); }

static void rpt__bind_num(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v)) sqlite3_bind_double(st, i, v);
    else sqlite3_bind_null(st, i);
}

os_status rpt_db_begin_run(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag)
{
    static const char *sql =
        "INSERT INTO runs (uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed, replication,"
        " horizon, build, status, sweep_point, sweep_params, started_at, warmup) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'running',?,?,?,?)";
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db->h, sql, -1, &st, NULL) != SQLITE_OK) return rpt__fail(db, diag, "prepare");
    char uuid[33], hash[17], now[32];
    rpt_db_uuid(uuid);
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)meta->scenario_hash);
    rpt__now(now, sizeof now);
    sqlite3_bind_text(st, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, meta->batch, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, meta->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 4, r->scenario, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 5, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 6, meta->scenario_json ? meta->scenario_json : "{}", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 7, r->strategy, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 8, r->process, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(st, 9, (sqlite3_int64)r->seed);
    sqlite3_bind_int(st, 10, r->replication);
    sqlite3_bind_double(st, 11, r->horizon);
    sqlite3_bind_text(st, 12, meta->build, -1, SQLITE_TRANSIENT);
    if (meta->sweep_point >= 0) sqlite3_bind_int(st, 13, meta->sweep_point);
    else sqlite3_bind_null(st, 13);
    if (meta->sweep_params) sqlite3_bind_text(st, 14, meta->sweep_params, -1, SQLITE_TRANSIENT);
    else sqlite3_bind_null(st, 14);
    sqlite3_bind_text(st, 15, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_double(st, 16, r->warmup);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return rpt__fail(db, diag, "insert run");
    *id = sqlite3_last_insert_rowid(db->h);
    return OS_OK;
}

/* qsort has no context argument: the ledger being sorted. Only rpt_db_finish_run sets it,
 * and callers serialise their use of a database handle. */
static const rpt_trans *rpt__sort_trans;

/* Orders ledger indices by (order id, position), position being time order. */
static int rpt__cmp_trans(const void *a, const void *b)
{
    size_t i = *(const size_t *)a, j = *(const size_t *)b;
    uint64_t x = rpt__sort_trans[i].order, y = rpt__sort_trans[j].order;
    if (x != y) return x < y ? -1 : 1;
    return (i > j) - (i < j);
}

os_status rpt_db_finish_run(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    if (rpt__exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return rpt__fail(db, diag, "begin");
    sqlite3_stmt *m = NULL, *s = NULL, *se = NULL, *l = NULL, *v = NULL, *u = NULL, *tr = NULL;
    os_status st = OS_OK;
    if (sqlite3_prepare_v2(db->h, "INSERT INTO metrics VALUES (?,?,?)", -1, &m, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "INSERT INTO stations VALUES (?,?,?,?,?,?,?,?,?,?,?)", -1, &s, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "INSERT INTO series VALUES (?,?,?,?)", -1, &se, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "INSERT INTO latency VALUES (?,?,?,?)", -1, &l, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "INSERT INTO violations VALUES (?,?)", -1, &v, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "INSERT INTO transitions VALUES (?,?,?,?,?,?,?,?,?)", -1, &tr, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "UPDATE runs SET status='complete', finished_at=?, invariants_ok=?, events=?, wall_seconds=? WHERE id=?",
                           -1, &u, NULL) != SQLITE_OK) {
        st = rpt__fail(db, diag, "prepare");
        goto done;
    }
    for (int k = 0; k < RPT_METRIC_COUNT; k++) {
        sqlite3_bind_int64(m, 1, id);
        sqlite3_bind_text(m, 2, rpt_metric_name((rpt_metric)k), -1, SQLITE_STATIC);
        rpt__bind_num(m, 3, r->m[k]);
        if (sqlite3_step(m) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert metric"); goto done; }
        sqlite3_reset(m);
    }
    for (int k = 0; k < r->nstations; k++) {
        const rpt_station *x = &r->st[k];
        sqlite3_bind_int64(s, 1, id);
        sqlite3_bind_text(s, 2, x->name, -1, SQLITE_STATIC);
        sqlite3_bind_int(s, 3, x->servers);
        rpt__bind_num(s, 4, x->mean_service);
        rpt__bind_num(s, 5, x->utilization);
        rpt__bind_num(s, 6, x->wait_mean);
        rpt__bind_num(s, 7, x->wait_p95);
        rpt__bind_num(s, 8, x->queue_max);
        rpt__bind_num(s, 9, x->served);
        rpt__bind_num(s, 10, x->wait_p50);
        rpt__bind_num(s, 11, x->wait_p99);
        if (sqlite3_step(s) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert station"); goto done; }
        sqlite3_reset(s);
        /* Figures newer than the stations table live in metrics as stations.NAME.FIGURE, so
         * the schema (and every existing database) stays as it is. */
        for (int f = RPT_ST_RESPONSE_MEAN; f < RPT_ST_FIGURES; f++) {
            char name[160];
            snprintf(name, sizeof name, "stations.%s.%s", x->name, rpt_st_figure_name((rpt_st_figure)f));
            sqlite3_bind_int64(m, 1, id);
            sqlite3_bind_text(m, 2, name, -1, SQLITE_TRANSIENT);
            rpt__bind_num(m, 3, rpt_st_value(x, (rpt_st_figure)f));
            if (sqlite3_step(m) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert station figure"); goto done; }
            sqlite3_reset(m);
        }
    }
    const rpt_series *ser = &r->series;
    /* Column by column: the primary key is (run, name, t), so rows arrive in key order. */
    for (int c = 1; c < ser->ncols; c++)
        for (size_t row = 0; row < ser->nrows; row++) {
            sqlite3_bind_int64(se, 1, id);
            sqlite3_bind_text(se, 2, ser->cols[c], -1, SQLITE_STATIC);
            sqlite3_bind_double(se, 3, ser->v[row * (size_t)ser->ncols]);
            rpt__bind_num(se, 4, ser->v[row * (size_t)ser->ncols + (size_t)c]);
            if (sqlite3_step(se) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert series"); goto done; }
            sqlite3_reset(se);
        }
    for (int b = 0; b < rpt_hist_bucket_count(); b++) {
        if (!r->order_to_pay.b[b]) continue;
        sqlite3_bind_int64(l, 1, id);
        sqlite3_bind_int(l, 2, b);
        sqlite3_bind_double(l, 3, b ? rpt_hist_bucket_low(b) : 0);
        sqlite3_bind_int64(l, 4, r->order_to_pay.b[b]);
        if (sqlite3_step(l) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert latency"); goto done; }
        sqlite3_reset(l);
    }
    for (int k = 0; k < r->violations.count; k++) {
        sqlite3_bind_int64(v, 1, id);
        sqlite3_bind_text(v, 2, r->violations.msgs[k], -1, SQLITE_STATIC);
        if (sqlite3_step(v) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert violation"); goto done; }
        sqlite3_reset(v);
    }
    if (r->ntrans) {
        /* Codes, not names, in the big table: rows stay small and inserts fast; the
         * transitions_named view joins the names back. */
        sqlite3_stmt *nm = NULL;
        if (sqlite3_prepare_v2(db->h, "INSERT INTO ledger_names VALUES (?,?,?,?)", -1, &nm, NULL) != SQLITE_OK) {
            st = rpt__fail(db, diag, "prepare");
            goto done;
        }
        static const char *const kinds[3] = { "action", "actor", "state" };
        int counts[3] = { r->nactions, r->nactors, r->nstates };
        for (int kind = 0; kind < 3 && st == OS_OK; kind++)
            for (int c = 0; c < counts[kind]; c++) {
                const char *name = kind == 0 ? r->actions[c] : kind == 1 ? r->actors[c] : r->states[c];
                sqlite3_bind_int64(nm, 1, id);
                sqlite3_bind_text(nm, 2, kinds[kind], -1, SQLITE_STATIC);
                sqlite3_bind_int(nm, 3, c);
                sqlite3_bind_text(nm, 4, name, -1, SQLITE_STATIC);
                if (sqlite3_step(nm) != SQLITE_DONE) st = rpt__fail(db, diag, "insert ledger names");
                sqlite3_reset(nm);
            }
        sqlite3_finalize(nm);
        if (st != OS_OK) goto done;
    }
    /* In (order, time) order the inserts append to the primary key's B-tree: no random
     * page writes and no secondary index, which keeps the ledger above a million rows/s. */
    size_t *ix = r->ntrans ? xmalloc(r->ntrans * sizeof *ix) : NULL;
    for (size_t k = 0; k < r->ntrans; k++) ix[k] = k;
    rpt__sort_trans = r->trans;
    if (r->ntrans) qsort(ix, r->ntrans, sizeof *ix, rpt__cmp_trans);
    /* Rows go in batches of RPT__BATCH per statement: one VDBE program run per 64 rows. */
    enum { RPT__BATCH = 64, RPT__COLS = 9 };
    sqlite3_stmt *batch = NULL;
    if (r->ntrans >= RPT__BATCH) {
        char sql[RPT__BATCH * 22 + 64];
        size_t used = (size_t)snprintf(sql, sizeof sql, "INSERT INTO transitions VALUES ");
        for (int b = 0; b < RPT__BATCH; b++)
            used += (size_t)snprintf(sql + used, sizeof sql - used, "%s(?,?,?,?,?,?,?,?,?)", b ? "," : "");
        if (sqlite3_prepare_v2(db->h, sql, -1, &batch, NULL) != SQLITE_OK) { free(ix); st = rpt__fail(db, diag, "prepare"); goto done; }
    }
    uint64_t prev = 0;
    int n = 0;
    for (size_t k = 0; k < r->ntrans; k++) {
        const rpt_trans *x = &r->trans[ix[k]];
        n = (k && x->order == prev) ? n + 1 : 0;
        prev = x->order;
        bool in_batch = batch && k < r->ntrans / RPT__BATCH * RPT__BATCH;
        sqlite3_stmt *q = in_batch ? batch : tr;
        int base = in_batch ? (int)(k % RPT__BATCH) * RPT__COLS : 0;
        sqlite3_bind_int64(q, base + 1, id);
        sqlite3_bind_int64(q, base + 2, (sqlite3_int64)x->order);
        sqlite3_bind_int(q, base + 3, n);
        sqlite3_bind_double(q, base + 4, x->t);
        sqlite3_bind_int(q, base + 5, x->action);
        sqlite3_bind_int(q, base + 6, x->actor);
        if (x->from >= 0) sqlite3_bind_int(q, base + 7, x->from);
        else sqlite3_bind_null(q, base + 7);
        sqlite3_bind_int(q, base + 8, x->to);
        sqlite3_bind_int(q, base + 9, x->shortfall);
        if (in_batch && k % RPT__BATCH != RPT__BATCH - 1) continue;
        if (sqlite3_step(q) != SQLITE_DONE) {
            sqlite3_finalize(batch);
            free(ix);
            st = rpt__fail(db, diag, "insert transition");
            goto done;
        }
        sqlite3_reset(q);
    }
    sqlite3_finalize(batch);
    free(ix);
    char now[32];
    rpt__now(now, sizeof now);
    sqlite3_bind_text(u, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(u, 2, r->invariants_ok);
    sqlite3_bind_int64(u, 3, (sqlite3_int64)r->events);
    sqlite3_bind_double(u, 4, r->wall_seconds);
    sqlite3_bind_int64(u, 5, id);
    if (sqlite3_step(u) != SQLITE_DONE) { st = rpt__fail(db, diag, "mark complete"); goto done; }
done:
    sqlite3_finalize(m); sqlite3_finalize(s); sqlite3_finalize(se); sqlite3_finalize(l);
    sqlite3_finalize(v); sqlite3_finalize(u); sqlite3_finalize(tr);
    if (st == OS_OK && rpt__exec(db, "COMMIT") != SQLITE_OK) st = rpt__fail(db, diag, "commit");
    if (st != OS_OK) rpt__exec(db, "ROLLBACK");
    return st;
}

os_status rpt_db_record(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag)
{
    os_status st = rpt_db_begin_run(db, meta, r, id, diag);
    return st == OS_OK ? rpt_db_finish_run(db, *id, r, diag) : st;
}

os_status rpt_db_load(rpt_db *db, int64_t id, rpt_run *out, char **scenario_json, os_diag *diag)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db->h, "SELECT scenario, strategy, process, seed, replication, horizon, invariants_ok, events,"
                           " wall_seconds, scenario_json, sweep_point, sweep_params, warmup FROM runs WHERE id=? AND status='complete'",
                           -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_int64(q, 1, id);
    if (sqlite3_step(q) != SQLITE_ROW) {
        sqlite3_finalize(q);
        os_diag_add(diag, "%s: no complete run with id %lld", db->path, (long long)id);
        return OS_ENOTFOUND;
    }
    snprintf(out->scenario, sizeof out->scenario, "%s", (const char *)sqlite3_column_text(q, 0));
    snprintf(out->strategy, sizeof out->strategy, "%s", (const char *)sqlite3_column_text(q, 1));
    snprintf(out->process, sizeof out->process, "%s", (const char *)sqlite3_column_text(q, 2));
    out->seed = (uint64_t)sqlite3_column_int64(q, 3);
    out->replication = sqlite3_column_int(q, 4);
    out->horizon = sqlite3_column_double(q, 5);
    out->invariants_ok = sqlite3_column_int(q, 6) != 0;
    out->events = (uint64_t)sqlite3_column_int64(q, 7);
    out->wall_seconds = sqlite3_column_double(q, 8);
    if (scenario_json) *scenario_json = xstrdup((const char *)sqlite3_column_text(q, 9));
    out->sweep_point = sqlite3_column_type(q, 10) == SQLITE_NULL ? -1 : sqlite3_column_int(q, 10);
    out->warmup = sqlite3_column_double(q, 12);
    snprintf(out->sweep_params, sizeof out->sweep_params, "%s",
             sqlite3_column_type(q, 11) == SQLITE_NULL ? "" : (const char *)sqlite3_column_text(q, 11));
    sqlite3_finalize(q);

    for (int k = 0; k < RPT_METRIC_COUNT; k++) out->m[k] = NAN;
    sqlite3_prepare_v2(db->h, "SELECT name, value FROM metrics WHERE run_id=?", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        int k = rpt_metric_find((const char *)sqlite3_column_text(q, 0));
        if (k >= 0 && sqlite3_column_type(q, 1) != SQLITE_NULL) out->m[k] = sqlite3_column_double(q, 1);
    }
    sqlite3_finalize(q);
    sqlite3_prepare_v2(db->h, "SELECT station, servers, mean_service, utilization, wait_mean, wait_p95, queue_max, served,"
                       " wait_p50, wait_p99 FROM stations WHERE run_id=? ORDER BY CASE station WHEN 'order_service' THEN 0"
                       " WHEN 'payment' THEN 1 WHEN 'warehouse' THEN 2 ELSE 3 END, station", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    out->nstations = 0;
    while (sqlite3_step(q) == SQLITE_ROW && out->nstations < RPT_MAX_STATIONS) {
        rpt_station *s = &out->st[out->nstations++];
        snprintf(s->name, sizeof s->name, "%s", (const char *)sqlite3_column_text(q, 0));
        s->servers = sqlite3_column_int(q, 1);
        s->mean_service = sqlite3_column_double(q, 2);
        s->utilization = sqlite3_column_double(q, 3);
        s->wait_mean = sqlite3_column_double(q, 4);
        s->wait_p95 = sqlite3_column_double(q, 5);
        s->queue_max = sqlite3_column_double(q, 6);
        s->served = sqlite3_column_double(q, 7);
        s->wait_p50 = sqlite3_column_double(q, 8);
        s->wait_p99 = sqlite3_column_double(q, 9);
        for (int f = RPT_ST_RESPONSE_MEAN; f < RPT_ST_FIGURES; f++) rpt_st_set(s, (rpt_st_figure)f, NAN);
    }
    sqlite3_finalize(q);
    /* Station figures kept in metrics (see rpt_db_finish_run); NaN when an older run lacks them. */
    sqlite3_prepare_v2(db->h, "SELECT name, value FROM metrics WHERE run_id=? AND name LIKE 'stations.%'", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        const char *name = (const char *)sqlite3_column_text(q, 0) + 9, *dot = strrchr(name, '.');
        if (!dot || sqlite3_column_type(q, 1) == SQLITE_NULL) continue;
        int f = rpt_st_figure_find(dot + 1);
        for (int k = 0; k < out->nstations && f >= 0; k++)
            if (strlen(out->st[k].name) == (size_t)(dot - name) && strncmp(out->st[k].name, name, (size_t)(dot - name)) == 0)
                rpt_st_set(&out->st[k], (rpt_st_figure)f, sqlite3_column_double(q, 1));
    }
    sqlite3_finalize(q);
    const char *names[RPT_MAX_COLS];
    char namebuf[RPT_MAX_COLS][RPT_NAME_MAX];
    int nc = 0;
    /* Series columns: the simulator's five stock columns first, then the states by name
     * (WITHOUT ROWID tables keep no insertion order to recover). */
    static const char *const base[] = { "available", "locked", "sold", "oversold", "paid_in_interval" };
    sqlite3_prepare_v2(db->h, "SELECT DISTINCT name FROM series WHERE run_id=? ORDER BY name", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    for (int b = 0; b < 5; b++) { snprintf(namebuf[nc], RPT_NAME_MAX, "%s", base[b]); names[nc] = namebuf[nc]; nc++; }
    while (sqlite3_step(q) == SQLITE_ROW && nc < RPT_MAX_COLS - 1) {
        const char *n = (const char *)sqlite3_column_text(q, 0);
        bool isbase = false;
        for (int b = 0; b < 5; b++) isbase |= strcmp(n, base[b]) == 0;
        if (isbase) continue;
        snprintf(namebuf[nc], RPT_NAME_MAX, "%s", n);
        names[nc] = namebuf[nc];
        nc++;
    }
    sqlite3_finalize(q);
    rpt_series_columns(&out->series, nc, names);
    sqlite3_prepare_v2(db->h, "SELECT t, name, value FROM series WHERE run_id=? ORDER BY t", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    double row[RPT_MAX_COLS];
    bool have = false;
    while (sqlite3_step(q) == SQLITE_ROW) {
        double t = sqlite3_column_double(q, 0);
        if (have && t != row[0]) rpt_series_add(&out->series, row);
        if (!have || t != row[0]) {
            for (int c = 0; c < RPT_MAX_COLS; c++) row[c] = NAN;
            row[0] = t;
            have = true;
        }
        const char *n = (const char *)sqlite3_column_text(q, 1);
        for (int c = 1; c < out->series.ncols; c++)
            if (strcmp(out->series.cols[c], n) == 0)
                row[c] = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
    }
    if (have) rpt_series_add(&out->series, row);
    sqlite3_finalize(q);
    sqlite3_prepare_v2(db->h, "SELECT bucket, count FROM latency WHERE run_id=?", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) {
        int b = sqlite3_column_int(q, 0);
        if (b >= 0 && b < rpt_hist_bucket_count()) {
            out->order_to_pay.b[b] = (uint32_t)sqlite3_column_int64(q, 1);
            out->order_to_pay.count += out->order_to_pay.b[b];
        }
    }
    sqlite3_finalize(q);
    sqlite3_prepare_v2(db->h, "SELECT message FROM violations WHERE run_id=?", -1, &q, NULL);
    sqlite3_bind_int64(q, 1, id);
    while (sqlite3_step(q) == SQLITE_ROW) os_diag_add(&out->violations, "%s", (const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    return OS_OK;
}

os_status rpt_db_batch_runs(rpt_db *db, const char *batch, int64_t **ids, int *n, os_diag *diag)
{
    sqlite3_stmt *q;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT id FROM runs WHERE batch=? AND status='complete' ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_text(q, 1, batch, -1, SQLITE_TRANSIENT);
    int cap = 0;
    while (sqlite3_step(q) == SQLITE_ROW) {
        if (*n == cap) { cap = cap ? cap * 2 : 16; *ids = xrealloc(*ids, (size_t)cap * sizeof **ids); }
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    return OS_OK;
}

os_status rpt_db_history(rpt_db *db, FILE *out, int limit, os_diag *diag)
{
    sqlite3_stmt *q;
    if (sqlite3_prepare_v2(db->h, "SELECT id, started_at, kind, scenario, strategy, seed, replication, status,"
                           " orders_paid, oversold_units, locked_stock_peak FROM (SELECT r.*, s.orders_paid, s.oversold_units,"
                           " s.locked_stock_peak FROM runs r JOIN run_summary s ON s.id = r.id ORDER BY r.id DESC LIMIT ?)"
                           " ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_int(q, 1, limit);
    fprintf(out, "%6s  %-20s %-8s %-20s %-20s %8s %4s %-9s %10s %10s %10s\n", "id", "started (UTC)", "kind", "scenario",
            "strategy", "seed", "rep", "status", "paid", "oversold", "lock peak");
    while (sqlite3_step(q) == SQLITE_ROW) {
        char v[3][32];
        for (int k = 0; k < 3; k++) {
            if (sqlite3_column_type(q, 8 + k) == SQLITE_NULL) snprintf(v[k], sizeof v[k], "-");
            else snprintf(v[k], sizeof v[k], "%.0f", sqlite3_column_double(q, 8 + k));
        }
        fprintf(out, "%6lld  %-20s %-8s %-20.20s %-20.20s %8lld %4d %-9s %10s %10s %10s\n", (long long)sqlite3_column_int64(q, 0),
                (const char *)sqlite3_column_text(q, 1), (const char *)sqlite3_column_text(q, 2),
                (const char *)sqlite3_column_text(q, 3), (const char *)sqlite3_column_text(q, 4),
                (long long)sqlite3_column_int64(q, 5), sqlite3_column_int(q, 6), (const char *)sqlite3_column_text(q, 7),
                v[0], v[1], v[2]);
    }
    sqlite3_finalize(q);
    return OS_OK;
}

os_status rpt_db_merge(rpt_db *db, const char *src, int *added, int *duplicates, os_diag *diag)
{
    *added = *duplicates = 0;
    if (access(src, R_OK) != 0) {
        os_diag_add(diag, "%s: cannot read: %s", src, strerror(errno));
        return OS_EIO;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->h, "ATTACH DATABASE ? AS src", -1, &q, NULL) != SQLITE_OK) return rpt__fail(db, diag, "attach");
    sqlite3_bind_text(q, 1, src, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return rpt__fail(db, diag, "attach");
    os_status st = OS_OK;
    sqlite3_stmt *sel = NULL, *ins = NULL, *dup = NULL;
    if (rpt__exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) { st = rpt__fail(db, diag, "begin"); goto detach; }
    if (sqlite3_prepare_v2(db->h, "SELECT id, kind = 'sweep' AND status = 'complete', batch, sweep_point, replication"
                           " FROM src.runs WHERE uuid NOT IN (SELECT uuid FROM main.runs) ORDER BY id", -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "SELECT count(*) FROM main.runs WHERE kind = 'sweep' AND status = 'complete' AND batch = ?1"
                           " AND sweep_point = ?2 AND replication = ?3", -1, &dup, NULL) != SQLITE_OK) {
        st = rpt__fail(db, diag, "select runs to merge (is it an ordersim results database?)");
        goto end;
    }
    while (sqlite3_step(sel) == SQLITE_ROW) {
        int64_t old = sqlite3_column_int64(sel, 0);
        if (sqlite3_column_int(sel, 1)) {
            /* A complete sweep run whose (sweep, point, replication) is already here: the
             * same unit run twice (a retried shard). Keep the first, say so. */
            sqlite3_reset(dup);
            sqlite3_bind_text(dup, 1, (const char *)sqlite3_column_text(sel, 2), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int(dup, 2, sqlite3_column_int(sel, 3));
            sqlite3_bind_int(dup, 3, sqlite3_column_int(sel, 4));
            if (sqlite3_step(dup) == SQLITE_ROW && sqlite3_column_int(dup, 0) > 0) {
                (*duplicates)++;
                continue;
            }
        }
        static const char *const copies[] = {
            "INSERT INTO main.runs (uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed,"
            " replication, horizon, warmup, build, status, invariants_ok, events, wall_seconds, sweep_point, sweep_params,"
            " started_at, finished_at) SELECT uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed,"
            " replication, horizon, warmup, build, status, invariants_ok, events, wall_seconds, sweep_point, sweep_params,"
            " started_at, finished_at FROM src.runs WHERE id = ?1",
            "INSERT INTO main.metrics SELECT ?2, name, value FROM src.metrics WHERE run_id = ?1",
            "INSERT INTO main.stations SELECT ?2, station, servers, mean_service, utilization, wait_mean, wait_p95, queue_max,"
            " served, wait_p50, wait_p99 FROM src.stations WHERE run_id = ?1",
            "INSERT INTO main.series SELECT ?2, name, t, value FROM src.series WHERE run_id = ?1",
            "INSERT INTO main.latency SELECT ?2, bucket, low, count FROM src.latency WHERE run_id = ?1",
            "INSERT INTO main.violations SELECT ?2, message FROM src.violations WHERE run_id = ?1",
            "INSERT INTO main.transitions SELECT ?2, order_id, n, t, action, actor, from_state, to_state, shortfall"
            " FROM src.transitions WHERE run_id = ?1",
            "INSERT INTO main.ledger_names SELECT ?2, kind, code, name FROM src.ledger_names WHERE run_id = ?1",
        };
        int64_t nid = 0;
        for (size_t k = 0; k < sizeof copies / sizeof copies[0]; k++) {
            if (sqlite3_prepare_v2(db->h, copies[k], -1, &ins, NULL) != SQLITE_OK) { st = rpt__fail(db, diag, "merge"); goto end; }
            sqlite3_bind_int64(ins, 1, old);
            if (k) sqlite3_bind_int64(ins, 2, nid);
            if (sqlite3_step(ins) != SQLITE_DONE) { st = rpt__fail(db, diag, "merge"); goto end; }
            sqlite3_finalize(ins);
            ins = NULL;
            if (k == 0) nid = sqlite3_last_insert_rowid(db->h);
        }
        (*added)++;
    }
end:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_finalize(dup);
    if (st == OS_OK && rpt__exec(db, "COMMIT") != SQLITE_OK) st = rpt__fail(db, diag, "commit");
    if (st != OS_OK) rpt__exec(db, "ROLLBACK");
detach:
    rpt__exec(db, "DETACH DATABASE src");
    return st;
}
