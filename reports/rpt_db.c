/*
 * rpt_db.c — the SQLite store. See rpt_db.h; the schema is below and in docs/results-db.md.
 */
#include "rpt_db.h"
#include "pth.h"
#include "jsn.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#if defined(__linux__)
#include <sys/sysmacros.h>
#endif
#include <time.h>
#include <unistd.h>

/* The current UTC time as ISO 8601. */
static void rpt__now(char *buf, size_t n)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, n, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The statements a replication's write uses, prepared once per connection (rpt__q) and
 * reused by every replication. The _MANY forms insert RPT__BATCH rows per statement, the
 * run id bound once as ?1: one VDBE program run per RPT__BATCH rows instead of per row. */
typedef enum rpt__qid {
    RPT__Q_METRIC, RPT__Q_METRIC_MANY, RPT__Q_STATION, RPT__Q_SERIES_COL, RPT__Q_SERIES, RPT__Q_SERIES_MANY,
    RPT__Q_LATENCY, RPT__Q_LATENCY_MANY, RPT__Q_VIOLATION, RPT__Q_BREAKDOWN, RPT__Q_BREAKDOWN_MANY, RPT__Q_LEDGER_NAME, RPT__Q_COMPLETE, RPT__Q_RUN,
    RPT__Q_COUNT
} rpt__qid;

struct rpt_db {
    sqlite3        *h;        /* the connection */
    char           *path;     /* for messages */
    double          timeout;  /* seconds one wait for a lock may last in total */
    double          wait0;    /* when the current wait began (monotonic seconds) */
    sqlite3_stmt   *q[RPT__Q_COUNT]; /* the statement cache: NULL until first used */
    char            host[256];  /* this host's name (runs.host) */
};

/* Bumped whenever a table changes shape. A database of an older version is migrated (one
 * step per version, rpt__migrations) by a writing command; a newer one is refused. */
#define RPT_DB_SCHEMA 5
/* PRAGMA application_id of a results database ("OrdS"), set when ordersim creates one. */
#define RPT_DB_APP_ID 0x4f726453

/* The runs table and the view over it: shared by a new database and the v2 -> v3 step,
 * which rebuilds the table (SQLite cannot change a CHECK constraint in place). */
#define RPT__RUNS_TABLE(name)                                                                        \
    "CREATE TABLE " name " ("                                                                        \
    "  id INTEGER PRIMARY KEY,"                                                                      \
    "  uuid TEXT NOT NULL UNIQUE,"          /* identity across merged databases */                  \
    "  batch TEXT NOT NULL,"                /* one command invocation */                            \
    "  kind TEXT NOT NULL,"                 /* run, compare, sweep, check */                        \
    "  scenario TEXT NOT NULL,"                                                                      \
    "  scenario_hash TEXT NOT NULL,"                                                                 \
    "  scenario_json TEXT NOT NULL,"                                                                 \
    "  strategy TEXT NOT NULL,"                                                                      \
    "  process TEXT NOT NULL,"                                                                       \
    "  seed INTEGER NOT NULL,"                                                                       \
    "  replication INTEGER NOT NULL,"                                                                \
    "  horizon REAL NOT NULL,"                                                                       \
    "  warmup REAL NOT NULL DEFAULT 0,"                                                              \
    "  build TEXT NOT NULL,"                                                                         \
    "  status TEXT NOT NULL CHECK (status IN ('running','complete','failed','interrupted')),"        \
    "  invariants_ok INTEGER,"                                                                       \
    "  events INTEGER,"                                                                              \
    "  wall_seconds REAL,"                                                                           \
    "  sweep_point INTEGER,"                                                                         \
    "  sweep_params TEXT,"                                                                           \
    "  started_at TEXT NOT NULL,"                                                                    \
    "  finished_at TEXT,"                                                                            \
    "  pid INTEGER,"                        /* version 5: the process that runs it (while 'running') */ \
    "  host TEXT);"                         /* and its host name */
#define RPT__RUNS_COLUMNS                                                                            \
    "id, uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed, replication," \
    " horizon, warmup, build, status, invariants_ok, events, wall_seconds, sweep_point, sweep_params,"   \
    " started_at, finished_at"
#define RPT__RUNS_EXTRAS                                                                             \
    "CREATE INDEX IF NOT EXISTS runs_batch ON runs(batch);"                                          \
    "CREATE VIEW IF NOT EXISTS run_summary AS SELECT r.id, r.scenario, r.strategy, r.seed, r.replication, r.status," \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'orders_paid') AS orders_paid,"   \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'oversold_units') AS oversold_units," \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'locked_stock_peak') AS locked_stock_peak," \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'genuine_rejected_while_locked') AS genuine_rejected_while_locked," \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'order_to_pay_p95') AS order_to_pay_p95," \
    "  (SELECT value FROM metrics m WHERE m.run_id = r.id AND m.name = 'revenue') AS revenue,"        \
    "  r.started_at FROM runs r;"
/* The ledger tables (version 2 shape). */
#define RPT__LEDGER_TABLES                                                                           \
    "CREATE TABLE IF NOT EXISTS transitions ("                                                       \
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"                               \
    "  order_id INTEGER NOT NULL, n INTEGER NOT NULL, t REAL NOT NULL, action INTEGER NOT NULL, actor INTEGER NOT NULL," \
    "  from_state INTEGER, to_state INTEGER NOT NULL, shortfall INTEGER NOT NULL,"                    \
    "  PRIMARY KEY (run_id, order_id, n)) WITHOUT ROWID;"                                            \
    "CREATE TABLE IF NOT EXISTS ledger_names ("                                                      \
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"                               \
    "  kind TEXT NOT NULL, code INTEGER NOT NULL, name TEXT NOT NULL, PRIMARY KEY (run_id, kind, code)) WITHOUT ROWID;" \
    "CREATE VIEW IF NOT EXISTS transitions_named AS SELECT t.run_id, t.order_id, t.n, t.t,"          \
    "  a.name AS action, r.name AS actor, f.name AS from_state, s.name AS to_state, t.shortfall"      \
    "  FROM transitions t"                                                                           \
    "  JOIN ledger_names a ON a.run_id = t.run_id AND a.kind = 'action' AND a.code = t.action"         \
    "  JOIN ledger_names r ON r.run_id = t.run_id AND r.kind = 'actor' AND r.code = t.actor"           \
    "  LEFT JOIN ledger_names f ON f.run_id = t.run_id AND f.kind = 'state' AND f.code = t.from_state" \
    "  JOIN ledger_names s ON s.run_id = t.run_id AND s.kind = 'state' AND s.code = t.to_state;"

/* The breakdowns (version 4): a row per (run, dimension, key, figure). `dimension` is
 * segment, sku, promotion or channel; `row` keeps the keys' scenario order. */
#define RPT__BREAKDOWNS_TABLE                                                                        \
    "CREATE TABLE IF NOT EXISTS breakdowns ("                                                        \
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"                               \
    "  dimension TEXT NOT NULL, row INTEGER NOT NULL, key TEXT NOT NULL, name TEXT NOT NULL, value REAL," \
    "  PRIMARY KEY (run_id, dimension, row, name)) WITHOUT ROWID;"

/* One row per command invocation that recorded runs (version 5): what was run, by which
 * build, from which scenario, by which process. Shards of one sweep share a batch and each
 * add their own row. */
#define RPT__BATCHES_TABLE                                                                           \
    "CREATE TABLE IF NOT EXISTS batches ("                                                           \
    "  invocation TEXT PRIMARY KEY,"        /* a uuid per invocation */                             \
    "  batch TEXT NOT NULL,"                /* runs.batch of its runs */                            \
    "  kind TEXT NOT NULL,"                 /* run, compare, check, sweep, optimize */              \
    "  argv TEXT NOT NULL,"                 /* the command line, a JSON array of strings */         \
    "  version TEXT NOT NULL,"              /* ordersim's version */                                \
    "  seed INTEGER,"                       /* the seed of replication 0 */                          \
    "  scenario_hash TEXT,"                 /* of the scenario as loaded (before sweep points) */    \
    "  host TEXT NOT NULL, pid INTEGER NOT NULL, started_at TEXT NOT NULL);"                         \
    "CREATE INDEX IF NOT EXISTS batches_batch ON batches(batch);"

/* What each series column of a run holds (rpt_col): version 4. */
#define RPT__SERIES_COLUMNS_TABLE                                                                    \
    "CREATE TABLE series_columns ("                                                                  \
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"                               \
    "  col INTEGER NOT NULL, name TEXT NOT NULL, label TEXT NOT NULL, unit TEXT NOT NULL,"            \
    "  kind TEXT NOT NULL, count TEXT NOT NULL, signed_level INTEGER NOT NULL,"                      \
    "  PRIMARY KEY (run_id, col)) WITHOUT ROWID;"

/* Every table of a new database but the breakdowns (rpt__schema_2: one string literal may
 * not pass 4095 characters), run in one transaction after the judgment. */
static const char *const rpt__schema =
    RPT__RUNS_TABLE("runs")
    "CREATE TABLE metrics ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, value REAL, PRIMARY KEY (run_id, name)) WITHOUT ROWID;"
    "CREATE TABLE stations ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  station TEXT NOT NULL, servers INTEGER, mean_service REAL, utilization REAL,"
    "  wait_mean REAL, wait_p95 REAL, queue_max REAL, served REAL, wait_p50 REAL, wait_p99 REAL,"
    "  PRIMARY KEY (run_id, station)) WITHOUT ROWID;"
    "CREATE TABLE series ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  name TEXT NOT NULL, t REAL NOT NULL, value REAL, PRIMARY KEY (run_id, name, t)) WITHOUT ROWID;"
    RPT__SERIES_COLUMNS_TABLE
    "CREATE TABLE latency ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,"
    "  bucket INTEGER NOT NULL, low REAL, count INTEGER, PRIMARY KEY (run_id, bucket)) WITHOUT ROWID;"
    RPT__LEDGER_TABLES
    "CREATE TABLE violations ("
    "  run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE, message TEXT);"
    RPT__RUNS_EXTRAS
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);";
static const char *const rpt__schema_2 = RPT__BREAKDOWNS_TABLE RPT__BATCHES_TABLE;

static double rpt__mono(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

static void rpt__sleep_ms(long ms)
{
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000L };
    nanosleep(&t, NULL);
}

/* SQLite's busy handler: keeps waiting for a lock until db->timeout seconds have passed
 * since this wait began (count 0), with pauses growing from 1 to 50 ms. One deadline per
 * wait, however many retries it takes. */
static int rpt__busy(void *arg, int count)
{
    rpt_db *db = arg;
    double now = rpt__mono();
    if (count == 0) db->wait0 = now;
    double left = db->timeout - (now - db->wait0);
    if (left <= 0) return 0;
    long ms = count < 6 ? 1L << count : 50;
    if (ms > (long)(left * 1000) + 1) ms = (long)(left * 1000) + 1;
    rpt__sleep_ms(ms);
    return 1;
}

/* Describes who holds a lock on the database file or its -shm file, from /proc/locks
 * (Linux): "process 1234 (sqlite3)". Other processes' write locks are preferred over their
 * read locks. Falls back to "another process" when nothing can be found out. */
static void rpt__lock_holder(const char *path, char *buf, size_t n)
{
    snprintf(buf, n, "another process");
#if defined(__linux__)
    struct stat files[2];
    char shm[1100];
    snprintf(shm, sizeof shm, "%s-shm", path);
    bool have[2] = { stat(path, &files[0]) == 0, stat(shm, &files[1]) == 0 };
    FILE *f = fopen("/proc/locks", "r");
    if (!f) return;
    char line[256];
    int best = -1, best_write = 0;
    while (fgets(line, sizeof line, f)) {
        char kind[16], mode[16], rw[16];
        int pid;
        unsigned maj, min;
        unsigned long ino;
        if (sscanf(line, "%*d: %15s %15s %15s %d %x:%x:%lu", kind, mode, rw, &pid, &maj, &min, &ino) != 7) continue;
        if (strcmp(kind, "POSIX") != 0 && strcmp(kind, "OFDLCK") != 0 && strcmp(kind, "FLOCK") != 0) continue;
        if (pid <= 0 || pid == (int)getpid()) continue;
        for (int k = 0; k < 2; k++) {
            if (!have[k] || (unsigned long)files[k].st_ino != ino || major(files[k].st_dev) != maj || minor(files[k].st_dev) != min)
                continue;
            int w = strcmp(rw, "WRITE") == 0;
            if (best < 0 || (w && !best_write)) { best = pid; best_write = w; }
        }
    }
    fclose(f);
    if (best < 0) return;
    char comm[64] = "", cpath[64];
    snprintf(cpath, sizeof cpath, "/proc/%d/comm", best);
    FILE *c = fopen(cpath, "r");
    if (c) {
        if (fgets(comm, sizeof comm, c)) comm[strcspn(comm, "\n")] = '\0';
        fclose(c);
    }
    if (comm[0]) snprintf(buf, n, "process %d (%s)", best, comm);
    else snprintf(buf, n, "process %d", best);
#else
    (void)path;
#endif
}

/* Adds the message of a failed lock wait: who holds the lock and for how long we waited. */
static void rpt__locked(const char *path, double timeout, os_diag *diag)
{
    char who[128];
    rpt__lock_holder(path, who, sizeof who);
    os_diag_add(diag, "%s: the results database is locked by %s; gave up after waiting %g s%s", path, who, timeout,
                os_hint_text(OS_HINT_DB_WAIT));
}

static os_status rpt__fail(rpt_db *db, os_diag *diag, const char *what)
{
    int code = sqlite3_errcode(db->h) & 0xff;
    if (code == SQLITE_BUSY || code == SQLITE_LOCKED) rpt__locked(db->path, db->timeout, diag);
    else os_diag_add(diag, "%s: %s: %s", db->path, what, sqlite3_errmsg(db->h));
    return OS_EIO;
}

/* Prepares `sql` into *q; OS_EIO with the file named on failure (*q is then NULL). */
static os_status rpt__prep(rpt_db *db, const char *sql, sqlite3_stmt **q, os_diag *diag)
{
    *q = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, q, NULL) == SQLITE_OK) return OS_OK;
    sqlite3_finalize(*q);
    *q = NULL;
    return rpt__fail(db, diag, "prepare");
}

/* Steps a query that reads rows: 1 for a row, 0 when done, -1 when the step failed (a
 * damaged page, an I/O error, a lock given up): the message names the file and `what`.
 * Never lets an error pass for "no more rows". */
static int rpt__row(rpt_db *db, sqlite3_stmt *q, os_diag *diag, const char *what)
{
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW) return 1;
    if (rc == SQLITE_DONE) return 0;
    char w[160];
    snprintf(w, sizeof w, "reading %s", what);
    rpt__fail(db, diag, w);
    return -1;
}

/* The text of column c, "" for NULL (a damaged or edited row never hands NULL to a printf). */
static const char *rpt__text(sqlite3_stmt *q, int c)
{
    const char *t = (const char *)sqlite3_column_text(q, c);
    return t ? t : "";
}

/* The URI that opens `path` read-only: "file:PATH?mode=ro", with "&immutable=1" when the
 * file or its directory cannot be written (a read-only medium, a CI artifact, a shared
 * folder): a WAL database then needs no -shm file, which could not be created there, and
 * no lock. '%', '?' and '#' in the name are escaped. Owned by the caller (free). */
static char *rpt__ro_uri(const char *path)
{
    char dir[1100];
    const char *slash = strrchr(path, '/');
    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - path) + (slash == path) : 1, slash ? path : ".");
    bool frozen = access(path, W_OK) != 0 || access(dir, W_OK) != 0;
    size_t n = strlen(path);
    char *u = xmalloc(3 * n + 48), *p = u;
    p += sprintf(p, path[0] == '/' ? "file://" : "file:");
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)path[i];
        if (c == '%' || c == '?' || c == '#' || c < 0x20 || c >= 0x7f) p += sprintf(p, "%%%02X", c);
        else *p++ = (char)c;
    }
    sprintf(p, "?mode=ro%s", frozen ? "&immutable=1" : "");
    return u;
}

/* SQL function ordersim_gone(pid): 1 when no process `pid` exists on this host. A pid
 * reused since looks alive: such a run stays 'running' (never wrongly marked). */
static void rpt__sql_gone(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    (void)argc;
    sqlite3_int64 pid = sqlite3_value_int64(argv[0]);
    int gone = pid > 0 && pid <= 0x7fffffff && kill((pid_t)pid, 0) != 0 && errno == ESRCH;
    sqlite3_result_int(cx, gone);
}

bool rpt_db_path_ok(const char *path, const char **why)
{
    if (!path || !*path) { *why = "an empty file name"; return false; }
    if (strcmp(path, ":memory:") == 0) { *why = "an in-memory database, which would lose every result"; return false; }
    if (strncmp(path, "file:", 5) == 0) { *why = "a URI (file:...), which SQLite would not treat as a plain file name"; return false; }
    return true;
}

/* The schema version recorded in an open database: 0 when it holds no tables at all (a
 * new or empty file), -1 when it holds tables but is not an ordersim results database
 * (`foreign` then names some of them), -2 on an SQLite error (left in h). Reads only. */
static int rpt__version(sqlite3 *h, char *foreign, size_t n)
{
    sqlite3_stmt *q = NULL;
    int v = -2, tables = 0;
    bool runs = false, meta = false;
    foreign[0] = '\0';
    if (sqlite3_prepare_v2(h, "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name", -1, &q, NULL) != SQLITE_OK)
        return -2;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
        const char *t = (const char *)sqlite3_column_text(q, 0);
        tables++;
        runs |= strcmp(t, "runs") == 0;
        meta |= strcmp(t, "meta") == 0;
        size_t used = strlen(foreign);
        if (tables <= 4 && used + strlen(t) + 3 < n) snprintf(foreign + used, n - used, "%s%s", used ? ", " : "", t);
    }
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return -2;
    if (!tables) return 0;
    if (!runs || !meta) return -1;
    v = -1;
    if (sqlite3_prepare_v2(h, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &q, NULL) != SQLITE_OK) return -2;
    rc = sqlite3_step(q);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) v = -2;
    if (rc == SQLITE_ROW) {
        const char *s = (const char *)sqlite3_column_text(q, 0);
        char *end;
        long x = s ? strtol(s, &end, 10) : 0;
        if (s && *s && !*end && x >= 1 && x < 1000000) v = (int)x;
    }
    sqlite3_finalize(q);
    return v;
}

/* Does `table` have a column `col`? */
static bool rpt__has_column(sqlite3 *h, const char *table, const char *col)
{
    sqlite3_stmt *q = NULL;
    bool found = false;
    if (sqlite3_prepare_v2(h, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1, &q, NULL) == SQLITE_OK) {
        sqlite3_bind_text(q, 1, table, -1, SQLITE_STATIC);
        sqlite3_bind_text(q, 2, col, -1, SQLITE_STATIC);
        found = sqlite3_step(q) == SQLITE_ROW;
    }
    sqlite3_finalize(q);
    return found;
}

/* Version 1 -> 2. "Version 1" was written by several builds with different shapes, all
 * labelled 1: the first lacked runs.warmup, stations.wait_p50/wait_p99 and the ledger; the
 * next had a ledger of text names (transitions without `n`, no ledger_names). Each missing
 * piece is added, and a text ledger is recoded: names become per-kind codes listed in
 * ledger_names, and `n` numbers each order's transitions in time order. */
static int rpt__migrate_1(sqlite3 *h)
{
    int rc = SQLITE_OK;
    if (!rpt__has_column(h, "runs", "warmup"))
        rc = sqlite3_exec(h, "ALTER TABLE runs ADD COLUMN warmup REAL NOT NULL DEFAULT 0", NULL, NULL, NULL);
    if (rc == SQLITE_OK && !rpt__has_column(h, "stations", "wait_p50"))
        rc = sqlite3_exec(h, "ALTER TABLE stations ADD COLUMN wait_p50 REAL;"
                             "ALTER TABLE stations ADD COLUMN wait_p99 REAL;", NULL, NULL, NULL);
    if (rc == SQLITE_OK && rpt__has_column(h, "transitions", "order_id") && !rpt__has_column(h, "transitions", "n"))
        rc = sqlite3_exec(h,
            "ALTER TABLE transitions RENAME TO transitions_v1;"
            "DROP INDEX IF EXISTS transitions_order;"
            "CREATE TEMP TABLE v1_names AS SELECT kind, name, row_number() OVER (PARTITION BY kind ORDER BY name) - 1 AS code"
            "  FROM (SELECT 'action' AS kind, action AS name FROM transitions_v1"
            "        UNION SELECT 'actor', actor FROM transitions_v1"
            "        UNION SELECT 'state', from_state FROM transitions_v1 WHERE from_state IS NOT NULL"
            "        UNION SELECT 'state', to_state FROM transitions_v1);"
            RPT__LEDGER_TABLES
            "INSERT INTO ledger_names SELECT r.run_id, n.kind, n.code, n.name"
            "  FROM (SELECT DISTINCT run_id FROM transitions_v1) r, temp.v1_names n;"
            "INSERT INTO transitions SELECT t.run_id, t.order_id,"
            "  row_number() OVER (PARTITION BY t.run_id, t.order_id ORDER BY t.t, t.rowid) - 1, t.t,"
            "  a.code, r.code, f.code, s.code, t.shortfall FROM transitions_v1 t"
            "  JOIN temp.v1_names a ON a.kind = 'action' AND a.name = t.action"
            "  JOIN temp.v1_names r ON r.kind = 'actor' AND r.name = t.actor"
            "  LEFT JOIN temp.v1_names f ON f.kind = 'state' AND f.name = t.from_state"
            "  JOIN temp.v1_names s ON s.kind = 'state' AND s.name = t.to_state;"
            "DROP TABLE transitions_v1;"
            "DROP TABLE temp.v1_names;", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(h, RPT__LEDGER_TABLES, NULL, NULL, NULL);
    return rc;
}

/* Version 2 -> 3: a run may be 'interrupted' (ended by SIGINT/SIGTERM). SQLite cannot change
 * a CHECK constraint, so the runs table is rebuilt with the same ids (the children keep
 * pointing at them) and its index and view recreated. */
static int rpt__migrate_2(sqlite3 *h)
{
    return sqlite3_exec(h,
        "DROP VIEW IF EXISTS run_summary;"
        RPT__RUNS_TABLE("runs_v3")
        "INSERT INTO runs_v3 (" RPT__RUNS_COLUMNS ") SELECT " RPT__RUNS_COLUMNS " FROM runs;"
        "DROP TABLE runs;"
        "ALTER TABLE runs_v3 RENAME TO runs;"
        RPT__RUNS_EXTRAS, NULL, NULL, NULL);
}

/* Version 3 -> 4: the breakdowns table (runs recorded before it have no breakdown rows),
 * and series_columns, which says what each series column holds. Runs recorded before
 * it are described from the column names that versions 1 to 3 wrote (this step is the only
 * place that knows them); their terminal states cannot be told from open ones, so every
 * state column is a level, as those versions read it back. */
static int rpt__migrate_3(sqlite3 *h)
{
    return sqlite3_exec(h,
        RPT__BREAKDOWNS_TABLE
        RPT__SERIES_COLUMNS_TABLE
        "INSERT INTO series_columns SELECT run_id,"
        "  row_number() OVER (PARTITION BY run_id ORDER BY CASE name WHEN 'available' THEN 0 WHEN 'locked' THEN 1"
        "    WHEN 'sold' THEN 2 WHEN 'oversold' THEN 3 WHEN 'paid_in_interval' THEN 4 ELSE 5 END, name),"
        "  name,"
        "  CASE WHEN name = 'paid_in_interval' THEN 'payments' WHEN name = 'cum.customers' THEN 'arrivals'"
        "    WHEN name = 'cum.rejected_stockout' THEN 'stock-out' WHEN name = 'cum.blocked_risk' THEN 'risk control'"
        "    WHEN name = 'cum.rejected_revalidation' THEN 'revalidation at payment' WHEN name = 'cum.expired' THEN 'expired unpaid'"
        "    WHEN instr(name, '.') > 0 THEN substr(name, instr(name, '.') + 1) ELSE name END,"
        "  CASE WHEN name IN ('available', 'locked', 'sold', 'oversold') THEN 'units' WHEN name = 'cum.customers' THEN 'customers'"
        "    WHEN name LIKE 'queue.%' THEN 'requests' WHEN name LIKE 'util.%' THEN 'fraction' ELSE 'orders' END,"
        "  CASE WHEN name IN ('available', 'locked', 'sold', 'oversold') THEN 'stock'"
        "    WHEN name IN ('paid_in_interval', 'cum.customers') THEN 'flow' WHEN name LIKE 'cum.%' THEN 'rejection'"
        "    WHEN name LIKE 'queue.%' THEN 'queue' WHEN name LIKE 'util.%' THEN 'utilization' ELSE 'state' END,"
        "  CASE WHEN name = 'paid_in_interval' THEN 'interval' WHEN name LIKE 'cum.%' THEN 'cumulative' ELSE 'level' END,"
        "  name = 'available'"
        "  FROM (SELECT DISTINCT run_id, name FROM series);", NULL, NULL, NULL);
}

/* Version 4 -> 5: who runs a run (runs.pid, runs.host: a 'running' run whose process is
 * gone is told apart, and marked 'interrupted' by the next writer on its host), and the
 * batches table (the invocation behind each batch: argv, version, seed, scenario hash).
 * Runs recorded before have neither. (A v2 -> v3 rebuild already made the columns.) */
static int rpt__migrate_4(sqlite3 *h)
{
    int rc = SQLITE_OK;
    if (!rpt__has_column(h, "runs", "pid")) rc = sqlite3_exec(h, "ALTER TABLE runs ADD COLUMN pid INTEGER", NULL, NULL, NULL);
    if (rc == SQLITE_OK && !rpt__has_column(h, "runs", "host"))
        rc = sqlite3_exec(h, "ALTER TABLE runs ADD COLUMN host TEXT", NULL, NULL, NULL);
    if (rc == SQLITE_OK) rc = sqlite3_exec(h, RPT__BATCHES_TABLE, NULL, NULL, NULL);
    return rc;
}

/* rpt__migrations[v] takes a version-v database to version v + 1, inside the caller's
 * transaction. Adding a schema version means adding one step here. */
static int (*const rpt__migrations[RPT_DB_SCHEMA])(sqlite3 *h) = { NULL, rpt__migrate_1, rpt__migrate_2, rpt__migrate_3,
                                                                     rpt__migrate_4 };

/* Creates the schema in a new database, or migrates an older one, in one IMMEDIATE
 * transaction that first re-reads the version (another process may have done it since the
 * judgment). Retries while the database answers BUSY without consulting the busy handler
 * (as switching to WAL can while other processes create the same file), until the deadline. */
static os_status rpt__setup(rpt_db *db, os_diag *diag)
{
    double t0 = rpt__mono();
    char foreign[160];
    for (;;) {
        /* 8 KB pages (for a new file): every commit writes each page it changed whole to the
         * WAL, and a short replication's two commits change a dozen; 16 KB doubled the kernel
         * time of small_runs for no measurable gain on the ledger (docs/performance.md,
         * "Per-run overhead, round three"). */
        int rc = sqlite3_exec(db->h, "PRAGMA page_size=8192; PRAGMA journal_mode=WAL;", NULL, NULL, NULL);
        if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
        if (rc == SQLITE_OK) {
            int v = rpt__version(db->h, foreign, sizeof foreign);
            if (v == 0) {
                char sql[160];
                rc = sqlite3_exec(db->h, rpt__schema, NULL, NULL, NULL);
                if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, rpt__schema_2, NULL, NULL, NULL);
                snprintf(sql, sizeof sql, "PRAGMA application_id=%d; INSERT INTO meta VALUES ('schema_version', '%d')",
                         RPT_DB_APP_ID, RPT_DB_SCHEMA);
                if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
            } else if (v > 0 && v < RPT_DB_SCHEMA) {
                for (; v < RPT_DB_SCHEMA && rc == SQLITE_OK; v++) rc = rpt__migrations[v](db->h);
                char sql[96];
                snprintf(sql, sizeof sql, "UPDATE meta SET value = '%d' WHERE key = 'schema_version'", RPT_DB_SCHEMA);
                if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);
            } else if (v != RPT_DB_SCHEMA) {
                sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
                os_diag_add(diag, "%s: changed while being opened: no longer a results database of version %d", db->path,
                            RPT_DB_SCHEMA);
                return OS_EIO;
            }
            if (rc == SQLITE_OK) rc = sqlite3_exec(db->h, "COMMIT", NULL, NULL, NULL);
            if (rc == SQLITE_OK) return OS_OK;
        }
        int code = sqlite3_errcode(db->h) & 0xff;
        if ((code == SQLITE_BUSY || code == SQLITE_LOCKED) && rpt__mono() - t0 < db->timeout) {
            sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
            rpt__sleep_ms(20);
            continue;
        }
        os_status st = rpt__fail(db, diag, "cannot set up the results database");
        sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
        return st;
    }
}

/* Judges an existing file without changing it: opened read-only, it must be an SQLite
 * database that is empty or an ordersim results database of a known version. *version
 * gets 0 (empty) or the version. */
static os_status rpt__judge(const char *path, double timeout, int *version, os_diag *diag)
{
    rpt_db probe = { .path = (char *)path, .timeout = timeout };
    char *uri = rpt__ro_uri(path);
    int orc = sqlite3_open_v2(uri, &probe.h, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI, NULL);
    free(uri);
    if (orc != SQLITE_OK) {
        os_status st = rpt__fail(&probe, diag, "cannot open the results database");
        sqlite3_close(probe.h);
        return st;
    }
    sqlite3_busy_handler(probe.h, rpt__busy, &probe);
    char foreign[160];
    int v = rpt__version(probe.h, foreign, sizeof foreign);
    os_status st = OS_OK;
    if (v == -2) {
        st = rpt__fail(&probe, diag, "cannot read it as an SQLite database (is it a results database?)");
    } else if (v == -1) {
        os_diag_add(diag, "%s: not an ordersim results database (it holds other tables: %s); it was left untouched%s", path,
                    foreign, os_hint_text(OS_HINT_DB_FOREIGN));
        st = OS_EIO;
    } else if (v > RPT_DB_SCHEMA) {
        os_diag_add(diag, "%s: results database schema version %d is newer than this ordersim's (%d); it was left "
                    "untouched: use a newer ordersim%s", path, v, RPT_DB_SCHEMA, os_hint_text(OS_HINT_DB_NEWER));
        st = OS_EIO;
    }
    *version = v;
    sqlite3_close(probe.h);
    return st;
}

os_status rpt_db_open(const char *path, rpt_db_mode mode, double timeout, rpt_db **out, os_diag *diag)
{
    *out = NULL;
    const char *why;
    if (!rpt_db_path_ok(path, &why)) {
        os_diag_add(diag, "'%s': not a usable results database name: %s", path ? path : "", why);
        return OS_EINVAL;
    }
    struct stat sb;
    int version = 0;
    if (stat(path, &sb) == 0) {
        if (!S_ISREG(sb.st_mode)) {
            os_diag_add(diag, "%s: not a regular file", path);
            return OS_EIO;
        }
        os_status st = rpt__judge(path, timeout, &version, diag);
        if (st != OS_OK) return st;
    } else if (errno != ENOENT) {
        os_diag_add(diag, "%s: %s", path, strerror(errno));
        return OS_EIO;
    } else if (mode == RPT_DB_READ) {
        os_diag_add(diag, "%s: no such results database%s", path, os_hint_text(OS_HINT_DB_MISSING));
        return OS_ENOTFOUND;
    } else if (pth_mkdirs(path, true) != 0) {
        os_diag_add(diag, "%s: cannot create its directory: %s", path, strerror(errno));
        return OS_EIO;
    }
    if (mode == RPT_DB_READ && version == 0) {
        os_diag_add(diag, "%s: holds no results (an empty file)", path);
        return OS_ENOTFOUND;
    }
    if (mode == RPT_DB_READ && version < RPT_DB_SCHEMA) {
        os_diag_add(diag, "%s: results database schema version %d, older than this ordersim's (%d); it was left "
                    "untouched: `ordersim merge %s` upgrades it in place (as does any run recorded in it)", path, version,
                    RPT_DB_SCHEMA, path);
        return OS_EIO;
    }
    rpt_db *db = xcalloc(1, sizeof *db);
    db->path = xstrdup(path);
    db->timeout = timeout;
    /* URIs on (for ATTACH of a read-only shard in merge; rpt_db_path_ok refuses a path that
     * would read as one); a reading command opens read-only, immutable on a read-only medium */
    int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI | (mode == RPT_DB_READ ? SQLITE_OPEN_READONLY : SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
    char *uri = mode == RPT_DB_READ ? rpt__ro_uri(path) : NULL;
    int orc = sqlite3_open_v2(uri ? uri : path, &db->h, flags, NULL);
    free(uri);
    if (orc != SQLITE_OK) {
        os_status st = rpt__fail(db, diag, "cannot open the results database");
        rpt_db_close(db);
        return st;
    }
    sqlite3_busy_handler(db->h, rpt__busy, db);
    if (gethostname(db->host, sizeof db->host - 1) != 0) snprintf(db->host, sizeof db->host, "unknown");
    sqlite3_create_function(db->h, "ordersim_gone", 1, SQLITE_UTF8, NULL, rpt__sql_gone, NULL, NULL);
    os_status st = OS_OK;
    if (mode == RPT_DB_WRITE) {
        st = rpt__setup(db, diag);
        /* Runs left 'running' by a process of this host that is gone (SIGKILL, power cut,
         * a write that failed at the end) are marked 'interrupted' by the next writer. A
         * failure here (a lock held) only leaves them for the next one. */
        if (st == OS_OK) {
            sqlite3_stmt *h = NULL;
            char now[32];
            rpt__now(now, sizeof now);
            if (sqlite3_prepare_v2(db->h, "UPDATE runs SET status = 'interrupted', finished_at = ?1 WHERE status = 'running'"
                                   " AND host = ?2 AND pid IS NOT NULL AND ordersim_gone(pid)", -1, &h, NULL) == SQLITE_OK) {
                sqlite3_bind_text(h, 1, now, -1, SQLITE_TRANSIENT);
                sqlite3_bind_text(h, 2, db->host, -1, SQLITE_TRANSIENT);
                (void)sqlite3_step(h);
            }
            sqlite3_finalize(h);
        }
        if (st == OS_OK &&
            sqlite3_exec(db->h, "PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;", NULL, NULL, NULL) != SQLITE_OK)
            st = rpt__fail(db, diag, "cannot set up the results database");
    } else {
        sqlite3_exec(db->h, "PRAGMA query_only=1", NULL, NULL, NULL);
    }
    if (st != OS_OK) {
        rpt_db_close(db);
        return st;
    }
    *out = db;
    return OS_OK;
}

void rpt_db_set_timeout(rpt_db *db, double timeout) { db->timeout = timeout; }

void rpt_db_close(rpt_db *db)
{
    if (!db) return;
    for (int k = 0; k < RPT__Q_COUNT; k++) sqlite3_finalize(db->q[k]);
    sqlite3_close(db->h);
    free(db->path);
    free(db);
}

os_status rpt_db_mark_interrupted(rpt_db *db, const char *batch, int *marked, os_diag *diag)
{
    return rpt_db_mark_unfinished(db, batch, "interrupted", marked, diag);
}

os_status rpt_db_mark_unfinished(rpt_db *db, const char *batch, const char *status, int *marked, os_diag *diag)
{
    *marked = 0;
    sqlite3_stmt *q = NULL;
    OS_ASSERT(strcmp(status, "interrupted") == 0 || strcmp(status, "failed") == 0);
    char sql[200];
    snprintf(sql, sizeof sql, "UPDATE runs SET status = '%s', finished_at = ?1 WHERE batch = ?2 AND status = 'running' AND pid = ?3",
             status);
    if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_int64(q, 3, (sqlite3_int64)getpid());
    char now[32];
    rpt__now(now, sizeof now);
    sqlite3_bind_text(q, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, batch, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return rpt__fail(db, diag, "mark the unfinished runs");
    *marked = sqlite3_changes(db->h);
    return OS_OK;
}

os_status rpt_db_batch_put(rpt_db *db, const rpt_db_invocation *inv, os_diag *diag)
{
    sqlite3_stmt *q = NULL;
    if (rpt__prep(db, "INSERT INTO batches (invocation, batch, kind, argv, version, seed, scenario_hash, host, pid, started_at)"
                  " VALUES (?,?,?,?,?,?,?,?,?,?)", &q, diag) != OS_OK)
        return OS_EIO;
    char uuid[33], now[32], hash[17];
    rpt_db_uuid(uuid);
    rpt__now(now, sizeof now);
    snprintf(hash, sizeof hash, "%016llx", (unsigned long long)inv->scenario_hash);
    sqlite3_bind_text(q, 1, uuid, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, inv->batch, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 3, inv->kind, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 4, inv->argv_json ? inv->argv_json : "[]", -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 5, inv->version, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 6, (sqlite3_int64)inv->seed);
    sqlite3_bind_text(q, 7, hash, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 8, db->host, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(q, 9, (sqlite3_int64)getpid());
    sqlite3_bind_text(q, 10, now, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OS_OK : rpt__fail(db, diag, "insert batch");
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


/* Runs a statement that returns nothing. */
static int rpt__exec(rpt_db *db, const char *sql) { return sqlite3_exec(db->h, sql, NULL, NULL, NULL); }

static void rpt__bind_num(sqlite3_stmt *st, int i, double v)
{
    if (isfinite(v)) sqlite3_bind_double(st, i, v);
    else sqlite3_bind_null(st, i);
}

static sqlite3_stmt *rpt__q(rpt_db *db, rpt__qid k, os_diag *diag);
static os_status rpt__step(rpt_db *db, sqlite3_stmt *q, os_diag *diag, const char *what);

os_status rpt_db_begin_run(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag)
{
    sqlite3_stmt *st = rpt__q(db, RPT__Q_RUN, diag);
    if (!st) return OS_EIO;
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
    sqlite3_bind_int64(st, 17, (sqlite3_int64)getpid());
    sqlite3_bind_text(st, 18, db->host, -1, SQLITE_TRANSIENT);
    if (rpt__step(db, st, diag, "insert run") != OS_OK) return OS_EIO;
    *id = sqlite3_last_insert_rowid(db->h);
    return OS_OK;
}

/* qsort has no context argument: the ledger being sorted. Only rpt__put_transitions sets it,
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

/* Reads a run's breakdowns back (none for a run recorded before version 4). A row number
 * outside 0 .. RPT_BD_MAX_ROWS - 1 (a file this program did not write) is OS_EDATA with a
 * message, not an allocation sized by it. */
static os_status rpt__load_breakdowns(rpt_db *db, int64_t id, rpt_run *out, os_diag *diag)
{
    sqlite3_stmt *q;
    for (int d = 0; d < RPT_BD_DIMS; d++) {
        if (rpt__prep(db, "SELECT row, key, name, value FROM breakdowns WHERE run_id=? AND dimension=? ORDER BY row", &q, diag) != OS_OK)
            return OS_EIO;
        sqlite3_bind_int64(q, 1, id);
        sqlite3_bind_text(q, 2, rpt_bd_key((rpt_bd_dim)d) + 3, -1, SQLITE_STATIC);
        int64_t rows = 0;
        int r;
        while ((r = rpt__row(db, q, diag, "breakdowns")) > 0) {
            int64_t k = sqlite3_column_int64(q, 0);
            if (k < 0 || k >= RPT_BD_MAX_ROWS) {
                sqlite3_finalize(q);
                os_diag_add(diag, "%s: run %lld: breakdowns row %lld (%s) is outside 0..%d: not a file this program wrote",
                            db->path, (long long)id, (long long)k, rpt_bd_key((rpt_bd_dim)d), RPT_BD_MAX_ROWS - 1);
                return OS_EDATA;
            }
            rows = k + 1;
        }
        if (r < 0) { sqlite3_finalize(q); return OS_EIO; }
        sqlite3_reset(q);
        rpt_bd_alloc(out, (rpt_bd_dim)d, (int)rows);
        rpt_bd *b = &out->bd[d];
        for (int i = 0; i < rows * b->ncols; i++) b->v[i] = NAN;
        while ((r = rpt__row(db, q, diag, "breakdowns")) > 0) {
            int64_t k = sqlite3_column_int64(q, 0);
            const char *name = rpt__text(q, 2);
            int f = rpt_metric_find(name);
            for (int e = RPT_METRIC_COUNT; f < 0 && e < RPT_BD_FIGURES; e++)
                if (strcmp(rpt_bd_figure_name(e), name) == 0) f = e;
            int c = f >= 0 ? rpt_bd_column((rpt_bd_dim)d, f) : -1;
            if (k < 0 || k >= rows) continue;
            snprintf(b->keys[k], RPT_NAME_MAX, "%s", rpt__text(q, 1));
            if (c >= 0 && sqlite3_column_type(q, 3) != SQLITE_NULL) b->v[(size_t)k * (size_t)b->ncols + (size_t)c] = sqlite3_column_double(q, 3);
        }
        sqlite3_finalize(q);
        if (r < 0) return OS_EIO;
    }
    return OS_OK;
}

/* Prepares `sql`; on failure adds the message and returns NULL. */
static sqlite3_stmt *rpt__prepare(rpt_db *db, const char *sql, os_diag *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->h, sql, -1, &q, NULL) != SQLITE_OK) {
        rpt__fail(db, diag, "prepare");
        sqlite3_finalize(q);
        return NULL;
    }
    return q;
}

/* Runs a bound insert and resets it; OS_EIO (with "insert WHAT" in the message) on failure. */
static os_status rpt__step(rpt_db *db, sqlite3_stmt *q, os_diag *diag, const char *what)
{
    os_status st = sqlite3_step(q) == SQLITE_DONE ? OS_OK : rpt__fail(db, diag, what);
    sqlite3_reset(q);
    return st;
}

/* Rows per multi-row INSERT of metrics, series, latency and breakdowns: one VDBE program
 * run per 32 rows instead of per row. 16, 32 and 64 were measured (docs/performance.md,
 * "Per-run overhead, round three"): a longer statement costs more to prepare, which a
 * one-replication process pays once; 32 is within 1% of 64 per replication. */
#define RPT__BATCH 32
/* Most columns of a batched table after the run id (breakdowns). */
#define RPT__BATCH_COLS 5

/* What each cached statement is: an INSERT of `rows` rows into `table` (`cols` columns, the
 * first the run id, bound once as ?1), or the statement `sql`. */
static const struct rpt__qdef {
    const char *table;
    int         cols, rows;
    const char *sql;
} rpt__qdefs[RPT__Q_COUNT] = {
    [RPT__Q_METRIC] = { "metrics", 3, 1, NULL },
    [RPT__Q_METRIC_MANY] = { "metrics", 3, RPT__BATCH, NULL },
    [RPT__Q_STATION] = { "stations", 11, 1, NULL },
    [RPT__Q_SERIES_COL] = { "series_columns", 8, 1, NULL },
    [RPT__Q_SERIES] = { "series", 4, 1, NULL },
    [RPT__Q_SERIES_MANY] = { "series", 4, RPT__BATCH, NULL },
    [RPT__Q_LATENCY] = { "latency", 4, 1, NULL },
    [RPT__Q_LATENCY_MANY] = { "latency", 4, RPT__BATCH, NULL },
    [RPT__Q_VIOLATION] = { "violations", 2, 1, NULL },
    [RPT__Q_BREAKDOWN] = { "breakdowns", 6, 1, NULL },
    [RPT__Q_BREAKDOWN_MANY] = { "breakdowns", 6, RPT__BATCH, NULL },
    [RPT__Q_LEDGER_NAME] = { "ledger_names", 4, 1, NULL },
    [RPT__Q_COMPLETE] = { NULL, 0, 0,
                          "UPDATE runs SET status='complete', finished_at=?, invariants_ok=?, events=?, wall_seconds=? WHERE id=?" },
    [RPT__Q_RUN] = { NULL, 0, 0,
                     "INSERT INTO runs (uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed,"
                     " replication, horizon, build, status, sweep_point, sweep_params, started_at, warmup, pid, host)"
                     " VALUES (?,?,?,?,?,?,?,?,?,?,?,?,'running',?,?,?,?,?,?)" },
};

/* The cached statement `k`, prepared on first use (SQLITE_PREPARE_PERSISTENT: it lives as
 * long as the connection); NULL with a message when it cannot be prepared. Callers reset
 * it after use (rpt__step), so no statement stays active between writes. */
static sqlite3_stmt *rpt__q(rpt_db *db, rpt__qid k, os_diag *diag)
{
    if (db->q[k]) return db->q[k];
    const struct rpt__qdef *d = &rpt__qdefs[k];
    char sql[RPT__BATCH * (RPT__BATCH_COLS + 1) * 8 + 64];
    if (d->table) {
        size_t used = (size_t)snprintf(sql, sizeof sql, "INSERT INTO %s VALUES ", d->table);
        for (int r = 0; r < d->rows; r++)
            for (int c = 0; c < d->cols; c++)   /* ?1 is the run id in every row */
                used += (size_t)snprintf(sql + used, sizeof sql - used, "%s?%d%s", c ? "," : r ? ",(" : "(",
                                         c ? 2 + r * (d->cols - 1) + c - 1 : 1, c == d->cols - 1 ? ")" : "");
        OS_ASSERT(used < sizeof sql);
    }
    if (sqlite3_prepare_v3(db->h, d->table ? sql : d->sql, -1, SQLITE_PREPARE_PERSISTENT, &db->q[k], NULL) != SQLITE_OK) {
        rpt__fail(db, diag, "prepare");
        sqlite3_finalize(db->q[k]);
        db->q[k] = NULL;
    }
    return db->q[k];
}

/* One value of a buffered row. */
typedef struct rpt__val {
    enum { RPT__V_NULL, RPT__V_INT, RPT__V_REAL, RPT__V_TEXT } kind;
    int64_t     i;
    double      d;
    const char *t; /* not owned: static, the run's, or rpt__rows.text */
} rpt__val;

/* Rows of one table buffered until RPT__BATCH of them go in one multi-row INSERT; the rest
 * (fewer than RPT__BATCH at the end) go one by one. Every row is the run id followed by
 * `cols` values. */
typedef struct rpt__rows {
    rpt_db     *db;
    int64_t     id;                               /* the run id: ?1 */
    rpt__qid    one, many;                        /* the single-row and the multi-row statement */
    int         cols;                             /* values per row after the run id */
    int         n;                                /* rows buffered */
    const char *what;                             /* for messages: "insert metric" */
    rpt__val    v[RPT__BATCH][RPT__BATCH_COLS];   /* the buffered rows */
    char        text[RPT__BATCH][160];            /* copies of texts that do not outlive the row */
} rpt__rows;

static void rpt__rows_init(rpt__rows *b, rpt_db *db, int64_t id, rpt__qid one, rpt__qid many, const char *what)
{
    b->db = db;
    b->id = id;
    b->one = one;
    b->many = many;
    b->cols = rpt__qdefs[one].cols - 1;
    OS_ASSERT(b->cols <= RPT__BATCH_COLS);
    b->n = 0;
    b->what = what;
}

static void rpt__v_int(rpt__rows *b, int c, int64_t x) { b->v[b->n][c] = (rpt__val){ .kind = RPT__V_INT, .i = x }; }
static void rpt__v_real(rpt__rows *b, int c, double x) { b->v[b->n][c] = (rpt__val){ .kind = RPT__V_REAL, .d = x }; }
/* A number, NULL when it is not finite (a null metric). */
static void rpt__v_num(rpt__rows *b, int c, double x)
{
    b->v[b->n][c] = isfinite(x) ? (rpt__val){ .kind = RPT__V_REAL, .d = x } : (rpt__val){ .kind = RPT__V_NULL };
}
/* A text that lives until the rows are flushed (static, or the run record's). */
static void rpt__v_text(rpt__rows *b, int c, const char *s) { b->v[b->n][c] = (rpt__val){ .kind = RPT__V_TEXT, .t = s }; }
/* A text copied into the buffer (one per row). */
static void rpt__v_copy(rpt__rows *b, int c, const char *s)
{
    snprintf(b->text[b->n], sizeof b->text[b->n], "%s", s);
    rpt__v_text(b, c, b->text[b->n]);
}

static void rpt__bind_val(sqlite3_stmt *q, int i, const rpt__val *v)
{
    switch (v->kind) {
    case RPT__V_NULL: sqlite3_bind_null(q, i); break;
    case RPT__V_INT: sqlite3_bind_int64(q, i, v->i); break;
    case RPT__V_REAL: sqlite3_bind_double(q, i, v->d); break;
    case RPT__V_TEXT: sqlite3_bind_text(q, i, v->t, -1, SQLITE_STATIC); break;
    }
}

/* Writes the buffered rows: all in one statement when the buffer is full, else one by one. */
static os_status rpt__rows_flush(rpt__rows *b, os_diag *diag)
{
    bool many = b->n == RPT__BATCH;
    sqlite3_stmt *q = rpt__q(b->db, many ? b->many : b->one, diag);
    if (!q) return OS_EIO;
    os_status st = OS_OK;
    for (int r = 0; r < b->n && st == OS_OK; r++) {
        int base = many ? 2 + r * b->cols : 2;
        sqlite3_bind_int64(q, 1, b->id);
        for (int c = 0; c < b->cols; c++) rpt__bind_val(q, base + c, &b->v[r][c]);
        if (!many || r == b->n - 1) st = rpt__step(b->db, q, diag, b->what);
    }
    b->n = 0;
    return st;
}

/* Ends the row being filled; flushes a full buffer. */
static os_status rpt__row_done(rpt__rows *b, os_diag *diag)
{
    return ++b->n == RPT__BATCH ? rpt__rows_flush(b, diag) : OS_OK;
}

/* The run's metrics, one row each, then the station figures newer than the stations table
 * as metrics rows named stations.NAME.FIGURE (so the schema, and every existing database,
 * stays as it is), and a stations row per station. */
static os_status rpt__put_metrics(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    rpt__rows *b = xmalloc(sizeof *b);
    rpt__rows_init(b, db, id, RPT__Q_METRIC, RPT__Q_METRIC_MANY, "insert metric");
    os_status st = OS_OK;
    for (int k = 0; k < RPT_METRIC_COUNT && st == OS_OK; k++) {
        rpt__v_text(b, 0, rpt_metric_name((rpt_metric)k));
        rpt__v_num(b, 1, r->m[k]);
        st = rpt__row_done(b, diag);
    }
    for (int k = 0; k < r->nstations && st == OS_OK; k++)
        for (int f = RPT_ST_RESPONSE_MEAN; f < RPT_ST_FIGURES && st == OS_OK; f++) {
            char name[160];
            snprintf(name, sizeof name, "stations.%s.%s", r->st[k].name, rpt_st_figure_name((rpt_st_figure)f));
            rpt__v_copy(b, 0, name);
            rpt__v_num(b, 1, rpt_st_value(&r->st[k], (rpt_st_figure)f));
            st = rpt__row_done(b, diag);
            b->what = "insert station figure";
        }
    /* per-SKU rows: every figure, as stations.PARENT.skus.KEY.FIGURE */
    for (int k = 0; k < r->nsub && st == OS_OK; k++)
        for (int f = 0; f < RPT_ST_FIGURES && st == OS_OK; f++) {
            char name[160];
            snprintf(name, sizeof name, "stations.%.40s.skus.%.63s.%.30s", r->st[r->sub[k].parent].name, r->sub[k].st.name,
                     rpt_st_figure_name((rpt_st_figure)f));
            rpt__v_copy(b, 0, name);
            rpt__v_num(b, 1, rpt_st_value(&r->sub[k].st, (rpt_st_figure)f));
            st = rpt__row_done(b, diag);
            b->what = "insert station figure";
        }
    if (st == OS_OK) st = rpt__rows_flush(b, diag);
    free(b);
    return st;
}

/* The stations table: a row per station. */
static os_status rpt__put_stations(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    sqlite3_stmt *s = r->nstations ? rpt__q(db, RPT__Q_STATION, diag) : NULL;
    os_status st = s || !r->nstations ? OS_OK : OS_EIO;
    for (int k = 0; k < r->nstations && st == OS_OK; k++) {
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
        st = rpt__step(db, s, diag, "insert station");
    }
    return st;
}

/* The series: what each column holds (series_columns), then the values column by column:
 * the primary key is (run, name, t), so rows arrive in key order. */
static os_status rpt__put_series(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    const rpt_series *ser = &r->series;
    sqlite3_stmt *sc = ser->ncols > 1 ? rpt__q(db, RPT__Q_SERIES_COL, diag) : NULL;
    os_status st = sc || ser->ncols <= 1 ? OS_OK : OS_EIO;
    for (int c = 1; c < ser->ncols && st == OS_OK; c++) {
        const rpt_col *col = &ser->cols[c];
        sqlite3_bind_int64(sc, 1, id);
        sqlite3_bind_int(sc, 2, c);
        sqlite3_bind_text(sc, 3, col->name, -1, SQLITE_STATIC);
        sqlite3_bind_text(sc, 4, col->label, -1, SQLITE_STATIC);
        sqlite3_bind_text(sc, 5, col->unit, -1, SQLITE_STATIC);
        sqlite3_bind_text(sc, 6, rpt_col_kind_name(col->kind), -1, SQLITE_STATIC);
        sqlite3_bind_text(sc, 7, rpt_col_count_name(col->count), -1, SQLITE_STATIC);
        sqlite3_bind_int(sc, 8, col->signed_level);
        st = rpt__step(db, sc, diag, "insert series column");
    }
    rpt__rows *b = xmalloc(sizeof *b);
    rpt__rows_init(b, db, id, RPT__Q_SERIES, RPT__Q_SERIES_MANY, "insert series");
    for (int c = 1; c < ser->ncols && st == OS_OK; c++)
        for (size_t row = 0; row < ser->nrows && st == OS_OK; row++) {
            rpt__v_text(b, 0, ser->cols[c].name);
            rpt__v_real(b, 1, ser->v[row * (size_t)ser->ncols]);
            rpt__v_num(b, 2, ser->v[row * (size_t)ser->ncols + (size_t)c]);
            st = rpt__row_done(b, diag);
        }
    if (st == OS_OK) st = rpt__rows_flush(b, diag);
    free(b);
    return st;
}

/* The order-to-pay histogram's non-empty buckets. */
static os_status rpt__put_latency(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    rpt__rows *x = xmalloc(sizeof *x);
    rpt__rows_init(x, db, id, RPT__Q_LATENCY, RPT__Q_LATENCY_MANY, "insert latency");
    os_status st = OS_OK;
    for (int b = 0; b < rpt_hist_bucket_count() && st == OS_OK; b++) {
        if (!r->order_to_pay.b[b]) continue;
        rpt__v_int(x, 0, b);
        rpt__v_real(x, 1, b ? rpt_hist_bucket_low(b) : 0);
        rpt__v_int(x, 2, (int64_t)r->order_to_pay.b[b]);
        st = rpt__row_done(x, diag);
    }
    if (st == OS_OK) st = rpt__rows_flush(x, diag);
    free(x);
    return st;
}

/* What broke, one row per message. */
static os_status rpt__put_violations(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    if (!r->violations.count) return OS_OK;
    sqlite3_stmt *v = rpt__q(db, RPT__Q_VIOLATION, diag);
    os_status st = v ? OS_OK : OS_EIO;
    for (int k = 0; k < r->violations.count && st == OS_OK; k++) {
        sqlite3_bind_int64(v, 1, id);
        sqlite3_bind_text(v, 2, r->violations.msgs[k], -1, SQLITE_STATIC);
        st = rpt__step(db, v, diag, "insert violation");
    }
    return st;
}

/* The run's breakdowns (every cell, null ones as NULL). */
static os_status rpt__put_breakdowns(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    rpt__rows *b = xmalloc(sizeof *b);
    rpt__rows_init(b, db, id, RPT__Q_BREAKDOWN, RPT__Q_BREAKDOWN_MANY, "insert breakdown");
    os_status st = OS_OK;
    for (int d = 0; d < RPT_BD_DIMS && st == OS_OK; d++) {
        const rpt_bd *x = &r->bd[d];
        const int *fs;
        int n = rpt_bd_columns((rpt_bd_dim)d, &fs);
        for (int k = 0; k < x->nrows && st == OS_OK; k++)
            for (int c = 0; c < n && st == OS_OK; c++) {
                rpt__v_text(b, 0, rpt_bd_key((rpt_bd_dim)d) + 3);   /* "by_segment" -> "segment" */
                rpt__v_int(b, 1, k);
                rpt__v_text(b, 2, x->keys[k]);
                rpt__v_text(b, 3, rpt_bd_figure_name(fs[c]));
                rpt__v_num(b, 4, x->v[(size_t)k * (size_t)n + (size_t)c]);
                st = rpt__row_done(b, diag);
            }
    }
    if (st == OS_OK) st = rpt__rows_flush(b, diag);
    free(b);
    return st;
}

/* The ledger's names: codes, not names, go in the big table, so rows stay small and inserts
 * fast; the transitions_named view joins the names back. */
static os_status rpt__put_ledger_names(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    if (!r->ntrans) return OS_OK;
    sqlite3_stmt *nm = rpt__q(db, RPT__Q_LEDGER_NAME, diag);
    os_status st = nm ? OS_OK : OS_EIO;
    static const char *const kinds[3] = { "action", "actor", "state" };
    int counts[3] = { r->nactions, r->nactors, r->nstates };
    for (int kind = 0; kind < 3 && st == OS_OK; kind++)
        for (int c = 0; c < counts[kind] && st == OS_OK; c++) {
            const char *name = kind == 0 ? r->actions[c] : kind == 1 ? r->actors[c] : r->states[c];
            sqlite3_bind_int64(nm, 1, id);
            sqlite3_bind_text(nm, 2, kinds[kind], -1, SQLITE_STATIC);
            sqlite3_bind_int(nm, 3, c);
            sqlite3_bind_text(nm, 4, name, -1, SQLITE_STATIC);
            st = rpt__step(db, nm, diag, "insert ledger names");
        }
    return st;
}

/* The ledger's transitions. In (order, time) order the inserts append to the primary key's
 * B-tree: no random page writes and no secondary index, which keeps the ledger above a
 * million rows/s. Rows go in batches of RPT__LEDGER_BATCH per statement: one VDBE program run per
 * 64 rows; the rest one by one. */
static os_status rpt__put_transitions(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    if (!r->ntrans) return OS_OK;
    enum { RPT__LEDGER_BATCH = 64, RPT__COLS = 9 };
    sqlite3_stmt *tr = rpt__prepare(db, "INSERT INTO transitions VALUES (?,?,?,?,?,?,?,?,?)", diag), *batch = NULL;
    if (tr && r->ntrans >= RPT__LEDGER_BATCH) {
        char sql[RPT__LEDGER_BATCH * 22 + 64];
        size_t used = (size_t)snprintf(sql, sizeof sql, "INSERT INTO transitions VALUES ");
        for (int b = 0; b < RPT__LEDGER_BATCH; b++)
            used += (size_t)snprintf(sql + used, sizeof sql - used, "%s(?,?,?,?,?,?,?,?,?)", b ? "," : "");
        batch = rpt__prepare(db, sql, diag);
    }
    if (!tr || (r->ntrans >= RPT__LEDGER_BATCH && !batch)) {
        sqlite3_finalize(tr);
        return OS_EIO;
    }
    size_t *ix = xmalloc(r->ntrans * sizeof *ix);
    for (size_t k = 0; k < r->ntrans; k++) ix[k] = k;
    rpt__sort_trans = r->trans;
    qsort(ix, r->ntrans, sizeof *ix, rpt__cmp_trans);
    os_status st = OS_OK;
    uint64_t prev = 0;
    int n = 0;
    for (size_t k = 0; k < r->ntrans && st == OS_OK; k++) {
        const rpt_trans *x = &r->trans[ix[k]];
        n = (k && x->order == prev) ? n + 1 : 0;
        prev = x->order;
        bool in_batch = batch && k < r->ntrans / RPT__LEDGER_BATCH * RPT__LEDGER_BATCH;
        sqlite3_stmt *q = in_batch ? batch : tr;
        int base = in_batch ? (int)(k % RPT__LEDGER_BATCH) * RPT__COLS : 0;
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
        if (in_batch && k % RPT__LEDGER_BATCH != RPT__LEDGER_BATCH - 1) continue;
        st = rpt__step(db, q, diag, "insert transition");
    }
    sqlite3_finalize(batch);
    sqlite3_finalize(tr);
    free(ix);
    return st;
}

/* Marks the run complete, with its end time, invariant result, events and wall time. This
 * also stands for the foreign keys, which are off for a replication's write (checking them
 * looked the run up for every child row: 7% of a short replication's instructions,
 * docs/performance.md): the run must exist, or the transaction is rolled back. */
static os_status rpt__put_complete(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    sqlite3_stmt *u = rpt__q(db, RPT__Q_COMPLETE, diag);
    if (!u) return OS_EIO;
    char now[32];
    rpt__now(now, sizeof now);
    sqlite3_bind_text(u, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(u, 2, r->invariants_ok);
    sqlite3_bind_int64(u, 3, (sqlite3_int64)r->events);
    sqlite3_bind_double(u, 4, r->wall_seconds);
    sqlite3_bind_int64(u, 5, id);
    os_status st = rpt__step(db, u, diag, "mark complete");
    if (st == OS_OK && sqlite3_changes(db->h) != 1) {
        os_diag_add(diag, "%s: run %lld is not in the results database: its results were not recorded", db->path, (long long)id);
        st = OS_EIO;
    }
    return st;
}

os_status rpt_db_finish_run(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    static os_status (*const jobs[])(rpt_db *, int64_t, const rpt_run *, os_diag *) = {
        rpt__put_metrics, rpt__put_stations, rpt__put_series, rpt__put_latency, rpt__put_violations, rpt__put_breakdowns,
        rpt__put_ledger_names, rpt__put_transitions, rpt__put_complete,
    };
    if (rpt__exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return rpt__fail(db, diag, "begin");
    os_status st = OS_OK;
    for (size_t k = 0; k < OS_COUNT_OF(jobs) && st == OS_OK; k++) st = jobs[k](db, id, r, diag);
    if (st == OS_OK && rpt__exec(db, "COMMIT") != SQLITE_OK) st = rpt__fail(db, diag, "commit");
    if (st != OS_OK) rpt__exec(db, "ROLLBACK");
    return st;
}

os_status rpt_db_fail_run(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag)
{
    if (rpt__exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) return rpt__fail(db, diag, "begin");
    sqlite3_stmt *v = NULL, *u = NULL;
    os_status st = OS_OK;
    if (sqlite3_prepare_v2(db->h, "INSERT INTO violations VALUES (?,?)", -1, &v, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "UPDATE runs SET status='failed', finished_at=?, invariants_ok=0, events=? WHERE id=?",
                           -1, &u, NULL) != SQLITE_OK) {
        st = rpt__fail(db, diag, "prepare");
        goto done;
    }
    for (int k = 0; k < r->violations.count; k++) {
        sqlite3_bind_int64(v, 1, id);
        sqlite3_bind_text(v, 2, r->violations.msgs[k], -1, SQLITE_STATIC);
        if (sqlite3_step(v) != SQLITE_DONE) { st = rpt__fail(db, diag, "insert violation"); goto done; }
        sqlite3_reset(v);
    }
    char now[32];
    rpt__now(now, sizeof now);
    sqlite3_bind_text(u, 1, now, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(u, 2, (sqlite3_int64)r->events);
    sqlite3_bind_int64(u, 3, id);
    if (sqlite3_step(u) != SQLITE_DONE) st = rpt__fail(db, diag, "mark failed");
done:
    sqlite3_finalize(v);
    sqlite3_finalize(u);
    if (st == OS_OK && rpt__exec(db, "COMMIT") != SQLITE_OK) st = rpt__fail(db, diag, "commit");
    if (st != OS_OK) rpt__exec(db, "ROLLBACK");
    return st;
}

os_status rpt_db_record(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag)
{
    os_status st = rpt_db_begin_run(db, meta, r, id, diag);
    return st == OS_OK ? rpt_db_finish_run(db, *id, r, diag) : st;
}

/* Sets figure f of the per-SKU row named by "PARENT.skus.KEY.FIGURE" (name; skus and dot
 * point at ".skus." and the last dot in it), adding the row when new; a row whose parent
 * station the run lacks is skipped. Rows keep the order they are read in. */
static void rpt__load_sub(rpt_run *out, const char *name, const char *skus, const char *dot, rpt_st_figure f, double v)
{
    int parent = -1;
    for (int k = 0; k < out->nstations && parent < 0; k++)
        if (strlen(out->st[k].name) == (size_t)(skus - name) && strncmp(out->st[k].name, name, (size_t)(skus - name)) == 0)
            parent = k;
    const char *key = skus + 6;
    size_t kl = (size_t)(dot - key);
    if (parent < 0 || kl == 0 || kl >= RPT_NAME_MAX) return;
    int j = out->nsub - 1;
    while (j >= 0 && !(out->sub[j].parent == parent && strlen(out->sub[j].st.name) == kl && strncmp(out->sub[j].st.name, key, kl) == 0)) j--;
    if (j < 0) {
        out->sub = xrealloc(out->sub, (size_t)(out->nsub + 1) * sizeof *out->sub);
        j = out->nsub++;
        out->sub[j] = (rpt_station_row){ .parent = parent };
        snprintf(out->sub[j].st.name, sizeof out->sub[j].st.name, "%.*s", (int)kl, key);
    }
    rpt_st_set(&out->sub[j].st, f, v);
}

/* A value read back that this program could not have written (a damaged or edited file):
 * OS_EDATA, naming the file, the run and the range. */
static os_status rpt__out_of_range(rpt_db *db, int64_t id, const char *what, long long v, long long lo, long long hi, os_diag *diag)
{
    os_diag_add(diag, "%s: run %lld: %s %lld is outside %lld..%lld: not a run this program recorded (a damaged or edited "
                "file)", db->path, (long long)id, what, v, lo, hi);
    return OS_EDATA;
}

os_status rpt_db_load(rpt_db *db, int64_t id, rpt_run *out, char **scenario_json, os_diag *diag)
{
    sqlite3_stmt *q;
    if (scenario_json) *scenario_json = NULL;
    if (rpt__prep(db, "SELECT scenario, strategy, process, seed, replication, horizon, invariants_ok, events,"
                  " wall_seconds, scenario_json, sweep_point, sweep_params, warmup FROM runs WHERE id=? AND status='complete'",
                  &q, diag) != OS_OK)
        return OS_EIO;
    sqlite3_bind_int64(q, 1, id);
    int got = rpt__row(db, q, diag, "runs");
    if (got <= 0) {
        sqlite3_finalize(q);
        if (got < 0) return OS_EIO;
        os_diag_add(diag, "%s: no complete run with id %lld", db->path, (long long)id);
        return OS_ENOTFOUND;
    }
    int64_t rep = sqlite3_column_int64(q, 4);
    int64_t point = sqlite3_column_type(q, 10) == SQLITE_NULL ? -1 : sqlite3_column_int64(q, 10);
    if (rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS || point < -1 || point >= RPT_DB_MAX_POINTS || sqlite3_column_type(q, 10) == SQLITE_TEXT) {
        sqlite3_finalize(q);
        return rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS
                   ? rpt__out_of_range(db, id, "replication", (long long)rep, 0, RPT_DB_MAX_REPLICATIONS - 1, diag)
                   : rpt__out_of_range(db, id, "sweep_point", (long long)point, 0, RPT_DB_MAX_POINTS - 1, diag);
    }
    snprintf(out->scenario, sizeof out->scenario, "%s", rpt__text(q, 0));
    snprintf(out->strategy, sizeof out->strategy, "%s", rpt__text(q, 1));
    snprintf(out->process, sizeof out->process, "%s", rpt__text(q, 2));
    out->seed = (uint64_t)sqlite3_column_int64(q, 3);
    out->replication = (int)rep;
    out->horizon = sqlite3_column_double(q, 5);
    out->invariants_ok = sqlite3_column_int(q, 6) != 0;
    out->events = (uint64_t)sqlite3_column_int64(q, 7);
    out->wall_seconds = sqlite3_column_double(q, 8);
    if (scenario_json) *scenario_json = xstrdup(rpt__text(q, 9));
    out->sweep_point = (int)point;
    out->warmup = sqlite3_column_double(q, 12);
    snprintf(out->sweep_params, sizeof out->sweep_params, "%s", rpt__text(q, 11));
    sqlite3_finalize(q);
    os_status st = OS_EIO;
    int r;

    for (int k = 0; k < RPT_METRIC_COUNT; k++) out->m[k] = NAN;
    if (rpt__prep(db, "SELECT name, value FROM metrics WHERE run_id=?", &q, diag) != OS_OK) goto fail;
    sqlite3_bind_int64(q, 1, id);
    while ((r = rpt__row(db, q, diag, "metrics")) > 0) {
        int k = rpt_metric_find(rpt__text(q, 0));
        if (k >= 0 && sqlite3_column_type(q, 1) != SQLITE_NULL) out->m[k] = sqlite3_column_double(q, 1);
    }
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    if (rpt__prep(db, "SELECT station, servers, mean_service, utilization, wait_mean, wait_p95, queue_max, served,"
                  " wait_p50, wait_p99 FROM stations WHERE run_id=? ORDER BY CASE station WHEN 'order_service' THEN 0"
                  " WHEN 'payment' THEN 1 WHEN 'warehouse' THEN 2 ELSE 3 END, station", &q, diag) != OS_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    out->nstations = 0;
    while ((r = rpt__row(db, q, diag, "stations")) > 0 && out->nstations < RPT_MAX_STATIONS) {
        rpt_station *s = &out->st[out->nstations++];
        snprintf(s->name, sizeof s->name, "%s", rpt__text(q, 0));
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
    if (r < 0) goto fail;
    /* Station figures kept in metrics (see rpt_db_finish_run); NaN when an older run lacks them. */
    if (rpt__prep(db, "SELECT name, value FROM metrics WHERE run_id=? AND name LIKE 'stations.%'", &q, diag) != OS_OK) goto fail;
    sqlite3_bind_int64(q, 1, id);
    while ((r = rpt__row(db, q, diag, "metrics")) > 0) {
        const char *full = rpt__text(q, 0);
        if (strlen(full) < 10) continue;
        const char *name = full + 9, *dot = strrchr(name, '.');
        if (!dot || sqlite3_column_type(q, 1) == SQLITE_NULL) continue;
        int f = rpt_st_figure_find(dot + 1);
        const char *skus = strstr(name, ".skus.");
        if (skus && skus < dot && f >= 0) {
            rpt__load_sub(out, name, skus, dot, (rpt_st_figure)f, sqlite3_column_double(q, 1));
            continue;
        }
        for (int k = 0; k < out->nstations && f >= 0; k++)
            if (strlen(out->st[k].name) == (size_t)(dot - name) && strncmp(out->st[k].name, name, (size_t)(dot - name)) == 0)
                rpt_st_set(&out->st[k], (rpt_st_figure)f, sqlite3_column_double(q, 1));
    }
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    /* Series columns as the simulator declared them (series_columns, in their order). */
    rpt_col cols[RPT_MAX_COLS];
    int nc = 0;
    if (rpt__prep(db, "SELECT name, label, unit, kind, count, signed_level FROM series_columns WHERE run_id=? ORDER BY col",
                  &q, diag) != OS_OK)
        goto fail;
    sqlite3_bind_int64(q, 1, id);
    while ((r = rpt__row(db, q, diag, "series_columns")) > 0 && nc < RPT_MAX_COLS - 1) {
        int kind = rpt_col_kind_find(rpt__text(q, 3));
        int count = rpt_col_count_find(rpt__text(q, 4));
        if (kind <= RPT_COL_TIME || count < 0) continue;   /* not written by ordersim (newer files are refused) */
        rpt_col *c = &cols[nc++];
        memset(c, 0, sizeof *c);
        snprintf(c->name, sizeof c->name, "%s", rpt__text(q, 0));
        snprintf(c->label, sizeof c->label, "%s", rpt__text(q, 1));
        snprintf(c->unit, sizeof c->unit, "%s", rpt__text(q, 2));
        c->kind = (rpt_col_kind)kind;
        c->count = (rpt_col_count)count;
        c->signed_level = sqlite3_column_int(q, 5) != 0;
    }
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    rpt_series_columns(&out->series, nc, cols);
    if (rpt__prep(db, "SELECT t, name, value FROM series WHERE run_id=? ORDER BY t", &q, diag) != OS_OK) goto fail;
    sqlite3_bind_int64(q, 1, id);
    double row[RPT_MAX_COLS];
    bool have = false;
    while ((r = rpt__row(db, q, diag, "series")) > 0) {
        double t = sqlite3_column_double(q, 0);
        if (have && t != row[0]) rpt_series_add(&out->series, row);
        if (!have || t != row[0]) {
            for (int c = 0; c < RPT_MAX_COLS; c++) row[c] = NAN;
            row[0] = t;
            have = true;
        }
        const char *n = rpt__text(q, 1);
        for (int c = 1; c < out->series.ncols; c++)
            if (strcmp(out->series.cols[c].name, n) == 0)
                row[c] = sqlite3_column_type(q, 2) == SQLITE_NULL ? NAN : sqlite3_column_double(q, 2);
    }
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    if (have) rpt_series_add(&out->series, row);
    if (rpt__prep(db, "SELECT bucket, count FROM latency WHERE run_id=?", &q, diag) != OS_OK) goto fail;
    sqlite3_bind_int64(q, 1, id);
    while ((r = rpt__row(db, q, diag, "latency")) > 0) {
        int64_t b = sqlite3_column_int64(q, 0), c = sqlite3_column_int64(q, 1);
        if (c < 0 || c > (int64_t)UINT32_MAX) {
            sqlite3_finalize(q);
            st = rpt__out_of_range(db, id, "latency count", (long long)c, 0, (long long)UINT32_MAX, diag);
            goto fail;
        }
        if (b >= 0 && b < rpt_hist_bucket_count()) {
            out->order_to_pay.b[b] = (uint32_t)c;
            out->order_to_pay.count += out->order_to_pay.b[b];
        }
    }
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    if (rpt__prep(db, "SELECT message FROM violations WHERE run_id=?", &q, diag) != OS_OK) goto fail;
    sqlite3_bind_int64(q, 1, id);
    while ((r = rpt__row(db, q, diag, "violations")) > 0) os_diag_add(&out->violations, "%s", rpt__text(q, 0));
    sqlite3_finalize(q);
    if (r < 0) goto fail;
    return rpt__load_breakdowns(db, id, out, diag);
fail:
    if (scenario_json) { free(*scenario_json); *scenario_json = NULL; }
    return st;
}

os_status rpt_db_batch_runs(rpt_db *db, const char *batch, int64_t **ids, int *n, os_diag *diag)
{
    sqlite3_stmt *q;
    *ids = NULL;
    *n = 0;
    if (sqlite3_prepare_v2(db->h, "SELECT id FROM runs WHERE batch=? AND status='complete' ORDER BY id", -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_text(q, 1, batch, -1, SQLITE_TRANSIENT);
    int cap = 0, r;
    while ((r = rpt__row(db, q, diag, "runs")) > 0) {
        if (*n == cap) { cap = cap ? cap * 2 : 16; *ids = xrealloc(*ids, (size_t)cap * sizeof **ids); }
        (*ids)[(*n)++] = sqlite3_column_int64(q, 0);
    }
    sqlite3_finalize(q);
    if (r < 0) { free(*ids); *ids = NULL; *n = 0; return OS_EIO; }
    return OS_OK;
}

/* Prepares the history query (the most recent `limit` runs, oldest first) for both writers. */
static os_status rpt__history_query(rpt_db *db, int limit, sqlite3_stmt **q, os_diag *diag)
{
    if (sqlite3_prepare_v2(db->h, "SELECT id, started_at, kind, scenario, strategy, seed, replication,"
                           " CASE WHEN status = 'running' AND host = ?2 AND pid IS NOT NULL AND ordersim_gone(pid) THEN 'abandoned'"
                           " ELSE status END, orders_paid, oversold_units, locked_stock_peak FROM (SELECT r.*, s.orders_paid, s.oversold_units,"
                           " s.locked_stock_peak FROM runs r JOIN run_summary s ON s.id = r.id ORDER BY r.id DESC LIMIT ?1)"
                           " ORDER BY id", -1, q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_int(*q, 1, limit);
    sqlite3_bind_text(*q, 2, db->host, -1, SQLITE_TRANSIENT);
    return OS_OK;
}

os_status rpt_db_history(rpt_db *db, FILE *out, int limit, os_diag *diag)
{
    sqlite3_stmt *q;
    os_status hst = rpt__history_query(db, limit, &q, diag);
    if (hst != OS_OK) return hst;
    fprintf(out, "%6s  %-20s %-8s %-20s %-20s %8s %4s %-11s %10s %10s %10s\n", "id", "started (UTC)", "kind", "scenario",
            "strategy", "seed", "rep", "status", "paid", "oversold", "lock peak");
    int r;
    while ((r = rpt__row(db, q, diag, "runs")) > 0) {
        char v[3][32];
        for (int k = 0; k < 3; k++) {
            if (sqlite3_column_type(q, 8 + k) == SQLITE_NULL) snprintf(v[k], sizeof v[k], "-");
            else snprintf(v[k], sizeof v[k], "%.0f", sqlite3_column_double(q, 8 + k));
        }
        char name[96];
        char strat[96];
        fprintf(out, "%6lld  %-20s %-8s %-20.20s %-20.20s %8lld %4d %-11s %10s %10s %10s\n", (long long)sqlite3_column_int64(q, 0),
                rpt__text(q, 1), rpt__text(q, 2), rpt_printable(rpt__text(q, 3), name, sizeof name),
                rpt_printable(rpt__text(q, 4), strat, sizeof strat), (long long)sqlite3_column_int64(q, 5), sqlite3_column_int(q, 6),
                rpt__text(q, 7), v[0], v[1], v[2]);
    }
    sqlite3_finalize(q);
    return r < 0 ? OS_EIO : OS_OK;
}

os_status rpt_db_merge(rpt_db *db, const char *src, rpt_db_merged *m, os_diag *notes, os_diag *diag)
{
    memset(m, 0, sizeof *m);
    if (access(src, R_OK) != 0) {
        os_diag_add(diag, "%s: cannot read: %s", src, strerror(errno));
        return OS_EIO;
    }
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->h, "ATTACH DATABASE ? AS src", -1, &q, NULL) != SQLITE_OK) return rpt__fail(db, diag, "attach");
    /* read-only and immutable when the shard cannot be written (rpt__ro_uri) */
    char *uri = rpt__ro_uri(src);
    sqlite3_bind_text(q, 1, uri ? uri : src, -1, SQLITE_TRANSIENT);
    free(uri);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    if (rc != SQLITE_DONE) return rpt__fail(db, diag, "attach");
    os_status st = OS_OK;
    sqlite3_stmt *sel = NULL, *ins = NULL, *dup = NULL, *del = NULL;
    /* The copies re-map run ids: here the foreign keys check every child row (a replication's
     * own write does without them, see rpt__put_complete). */
    if (rpt__exec(db, "PRAGMA foreign_keys=ON") != SQLITE_OK) { st = rpt__fail(db, diag, "foreign keys"); goto detach; }
    if (rpt__exec(db, "BEGIN IMMEDIATE") != SQLITE_OK) { st = rpt__fail(db, diag, "begin"); goto detach; }
    /* Runs this file lacks, and runs it holds only as 'running' (copied by an older merge
     * while the shard ran; 'interrupted' once a writer saw its process gone) that have
     * ended in the source since. */
    if (sqlite3_prepare_v2(db->h, "SELECT s.id, s.kind IN ('sweep', 'optimize') AND s.status = 'complete', s.batch, s.sweep_point,"
                           " s.replication, s.status, m.id, s.uuid FROM src.runs s LEFT JOIN main.runs m ON m.uuid = s.uuid"
                           " WHERE m.id IS NULL OR (m.status = 'running' AND s.status <> 'running')"
                           " OR (m.status = 'interrupted' AND s.status = 'complete') ORDER BY s.id", -1, &sel, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "SELECT count(*) FROM main.runs WHERE kind IN ('sweep', 'optimize') AND status = 'complete' AND batch = ?1"
                           " AND sweep_point = ?2 AND replication = ?3", -1, &dup, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(db->h, "DELETE FROM main.runs WHERE id = ?1", -1, &del, NULL) != SQLITE_OK) {
        st = rpt__fail(db, diag, "select runs to merge (is it an ordersim results database?)");
        goto end;
    }
    for (;;) {
        int r = sqlite3_step(sel);
        if (r == SQLITE_DONE) break;
        if (r != SQLITE_ROW) { st = rpt__fail(db, diag, "reading the runs to merge"); goto end; }
        int64_t old = sqlite3_column_int64(sel, 0);
        const char *status = rpt__text(sel, 5), *uuid = rpt__text(sel, 7);
        if (strcmp(status, "running") == 0) {
            /* a run still in progress (or whose process died): never copied, so that a later
             * merge of the same shard brings it in once it has ended */
            m->running++;
            continue;
        }
        int64_t rep = sqlite3_column_int64(sel, 4);
        bool null_point = sqlite3_column_type(sel, 3) == SQLITE_NULL;
        int64_t point = null_point ? -1 : sqlite3_column_int64(sel, 3);
        if (rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS || (!null_point && (point < 0 || point >= RPT_DB_MAX_POINTS))) {
            if (m->invalid++ < 10)
                os_diag_add(notes, "note: %s: run %lld (uuid %.32s): %s %lld is outside 0..%d: not copied (a damaged or edited file)", src,
                            (long long)old, uuid, rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS ? "replication" : "sweep_point",
                            (long long)(rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS ? rep : point),
                            rep < 0 || rep >= RPT_DB_MAX_REPLICATIONS ? RPT_DB_MAX_REPLICATIONS - 1 : RPT_DB_MAX_POINTS - 1);
            continue;
        }
        if (sqlite3_column_int(sel, 1)) {
            /* A complete sweep run whose (sweep, point, replication) is already here: the
             * same unit run twice (a retried shard). Keep the first, say so. */
            sqlite3_reset(dup);
            sqlite3_bind_text(dup, 1, rpt__text(sel, 2), -1, SQLITE_TRANSIENT);
            sqlite3_bind_int64(dup, 2, point);
            sqlite3_bind_int64(dup, 3, rep);
            int dr = sqlite3_step(dup);
            if (dr != SQLITE_ROW) { st = rpt__fail(db, diag, "reading the runs to merge"); goto end; }
            if (sqlite3_column_int(dup, 0) > 0) {
                m->duplicates++;
                continue;
            }
        }
        if (sqlite3_column_type(sel, 6) != SQLITE_NULL) {
            /* the stale 'running' copy goes (its children with it), the ended run comes in */
            sqlite3_reset(del);
            sqlite3_bind_int64(del, 1, sqlite3_column_int64(sel, 6));
            if (sqlite3_step(del) != SQLITE_DONE) { st = rpt__fail(db, diag, "replace a run copied while it was running"); goto end; }
            m->replaced++;
        }
        static const char *const copies[] = {
            "INSERT INTO main.runs (uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process, seed,"
            " replication, horizon, warmup, build, status, invariants_ok, events, wall_seconds, sweep_point, sweep_params,"
            " started_at, finished_at, pid, host) SELECT uuid, batch, kind, scenario, scenario_hash, scenario_json, strategy, process,"
            " seed, replication, horizon, warmup, build, status, invariants_ok, events, wall_seconds, sweep_point, sweep_params,"
            " started_at, finished_at, pid, host FROM src.runs WHERE id = ?1",
            "INSERT INTO main.metrics SELECT ?2, name, value FROM src.metrics WHERE run_id = ?1",
            "INSERT INTO main.stations SELECT ?2, station, servers, mean_service, utilization, wait_mean, wait_p95, queue_max,"
            " served, wait_p50, wait_p99 FROM src.stations WHERE run_id = ?1",
            "INSERT INTO main.series SELECT ?2, name, t, value FROM src.series WHERE run_id = ?1",
            "INSERT INTO main.series_columns SELECT ?2, col, name, label, unit, kind, count, signed_level"
            " FROM src.series_columns WHERE run_id = ?1",
            "INSERT INTO main.latency SELECT ?2, bucket, low, count FROM src.latency WHERE run_id = ?1",
            "INSERT INTO main.violations SELECT ?2, message FROM src.violations WHERE run_id = ?1",
            "INSERT INTO main.transitions SELECT ?2, order_id, n, t, action, actor, from_state, to_state, shortfall"
            " FROM src.transitions WHERE run_id = ?1",
            "INSERT INTO main.breakdowns SELECT ?2, dimension, row, key, name, value FROM src.breakdowns WHERE run_id = ?1",
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
        m->added++;
    }
    /* an optimize's arguments, so `report --optimize ID` works on the merged file */
    if (st == OS_OK && rpt__exec(db, "INSERT OR IGNORE INTO main.meta SELECT key, value FROM src.meta WHERE key LIKE 'optimize:%'") != SQLITE_OK)
        st = rpt__fail(db, diag, "merge meta");
    /* the invocations behind the runs */
    if (st == OS_OK && rpt__exec(db, "INSERT OR IGNORE INTO main.batches SELECT invocation, batch, kind, argv, version, seed,"
                                 " scenario_hash, host, pid, started_at FROM src.batches") != SQLITE_OK)
        st = rpt__fail(db, diag, "merge batches");
end:
    sqlite3_finalize(sel);
    sqlite3_finalize(ins);
    sqlite3_finalize(dup);
    sqlite3_finalize(del);
    if (st == OS_OK && rpt__exec(db, "COMMIT") != SQLITE_OK) st = rpt__fail(db, diag, "commit");
    if (st != OS_OK) rpt__exec(db, "ROLLBACK");
detach:
    rpt__exec(db, "DETACH DATABASE src");
    return st;
}

os_status rpt_db_history_json(rpt_db *db, FILE *out, int limit, os_diag *diag)
{
    sqlite3_stmt *q;
    os_status hst = rpt__history_query(db, limit, &q, diag);
    if (hst != OS_OK) return hst;
    static const char *const keys[] = { "id", "started_at", "kind", "scenario", "strategy", "seed", "replication", "status",
                                        "orders_paid", "oversold_units", "locked_stock_peak" };
    fputc('[', out);
    int rows = 0, r;
    while ((r = rpt__row(db, q, diag, "runs")) > 0) {
        fprintf(out, "%s\n  {", rows++ ? "," : "");
        for (int k = 0; k < 11; k++) {
            fprintf(out, "%s\"%s\": ", k ? ", " : "", keys[k]);
            int type = sqlite3_column_type(q, k);
            if (type == SQLITE_NULL) fputs("null", out);
            else if (type == SQLITE_TEXT) jsn_write_str(out, (const char *)sqlite3_column_text(q, k));
            else if (type == SQLITE_INTEGER) fprintf(out, "%lld", (long long)sqlite3_column_int64(q, k));
            else jsn_write_num(out, sqlite3_column_double(q, k));
        }
        fputc('}', out);
    }
    sqlite3_finalize(q);
    if (r < 0) return OS_EIO;   /* the caller prints nothing more: the output is cut, and the exit says so */
    fputs(rows ? "\n]\n" : "]\n", out);
    return OS_OK;
}

os_status rpt_db_meta_put(rpt_db *db, const char *key, const char *value, os_diag *diag)
{
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->h, "INSERT OR REPLACE INTO meta (key, value) VALUES (?1, ?2)", -1, &q, NULL) != SQLITE_OK)
        return rpt__fail(db, diag, "prepare");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(q, 2, value, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    sqlite3_finalize(q);
    return rc == SQLITE_DONE ? OS_OK : rpt__fail(db, diag, "write meta");
}

os_status rpt_db_meta_get(rpt_db *db, const char *key, char **value, os_diag *diag)
{
    *value = NULL;
    sqlite3_stmt *q = NULL;
    if (sqlite3_prepare_v2(db->h, "SELECT value FROM meta WHERE key = ?1", -1, &q, NULL) != SQLITE_OK) return rpt__fail(db, diag, "prepare");
    sqlite3_bind_text(q, 1, key, -1, SQLITE_TRANSIENT);
    int rc = sqlite3_step(q);
    if (rc == SQLITE_ROW && sqlite3_column_text(q, 0)) *value = xstrdup((const char *)sqlite3_column_text(q, 0));
    sqlite3_finalize(q);
    if (rc == SQLITE_ROW && *value) return OS_OK;
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) return OS_ENOTFOUND;
    return rpt__fail(db, diag, "read meta");
}
