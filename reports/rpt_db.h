/*
 * rpt_db.h — the SQLite results store.
 *
 * One row per replication in `runs`, with its metrics, station figures, sampled series and
 * latency histogram in child tables, and views that read like a report (docs/results-db.md).
 * A replication is written in two transactions: the first inserts the run as 'running', the
 * last writes everything else and marks it 'complete', so a killed writer leaves a run that
 * visibly did not finish and never a half-complete one. WAL mode and a busy timeout let
 * several processes write one file; every statement binds its values (no SQL is built from
 * scenario text).
 */
#ifndef RPT_DB_H
#define RPT_DB_H

#include "rpt.h"

typedef struct rpt_db rpt_db;

typedef struct rpt_db_meta {
    const char *kind;          /* "run", "compare", "sweep", "check" */
    const char *batch;         /* groups the runs of one command invocation */
    const char *scenario_json; /* the resolved scenario */
    uint64_t    scenario_hash; /* its FNV-1a hash */
    const char *build;         /* ordersim version */
    int         sweep_point;   /* -1 when not a sweep */
    const char *sweep_params;  /* "PATH=VALUE,..." or NULL */
} rpt_db_meta;

/* How a command uses the database: READ never creates or changes anything; WRITE creates
 * a missing file (and its directory) and migrates an older schema. */
typedef enum rpt_db_mode { RPT_DB_READ, RPT_DB_WRITE } rpt_db_mode;

/* The ranges a recorded run's replication (0 .. --replications' limit - 1) and sweep point
 * (a sweep's or optimize's point, 0 .. 1023) are read back in: anything outside is a
 * damaged or edited file, refused (rpt_db_load) or skipped with a note (rpt_db_merge). */
#define RPT_DB_MAX_REPLICATIONS 100000
#define RPT_DB_MAX_POINTS 1024

/* Default for `timeout`: seconds one wait for another process's lock may last. */
#define RPT_DB_TIMEOUT 30.0

/* Opens the results database at `path`. An existing file is first judged on a read-only
 * connection, so a file that is not an ordersim results database, or has a newer schema,
 * is refused with not one byte changed. In WRITE mode a missing file is created (with its
 * directory) and an older schema migrated, in one transaction; READ mode opens read-only
 * and refuses an older schema (a writing command upgrades it). A wait for another
 * process's lock gives up after `timeout` seconds in total, naming the holder when it can.
 * Returns OS_EINVAL for a name that is not a plain file (rpt_db_path_ok), OS_ENOTFOUND in
 * READ mode when the file does not exist or is empty, OS_EIO otherwise; each with a
 * message. Caller closes. */
os_status rpt_db_open(const char *path, rpt_db_mode mode, double timeout, rpt_db **out, os_diag *diag);
/* False (and *why, a static phrase) for names SQLite would not store as a plain file: the
 * empty name (a temporary database), ":memory:" and "file:" URIs. */
bool rpt_db_path_ok(const char *path, const char **why);
void rpt_db_close(rpt_db *db);

/* Inserts the run as 'running' (its own transaction); *id gets its row id. */
os_status rpt_db_begin_run(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag);
/* Writes metrics, stations, series and latency and marks the run complete, in one
 * transaction. */
os_status rpt_db_finish_run(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag);
/* Marks a run that stopped without results (the engine's loop guard) as 'failed', with its
 * messages (r->violations) as violations, in one transaction. */
os_status rpt_db_fail_run(rpt_db *db, int64_t id, const rpt_run *r, os_diag *diag);
/* Both, for callers that have the finished run already. */
os_status rpt_db_record(rpt_db *db, const rpt_db_meta *meta, const rpt_run *r, int64_t *id, os_diag *diag);

/* Loads a complete run back into a record (init'd by the caller), and its scenario JSON
 * (malloc'd, caller frees) if scenario_json is not NULL. OS_ENOTFOUND when there is no
 * complete run with that id. */
os_status rpt_db_load(rpt_db *db, int64_t id, rpt_run *out, char **scenario_json, os_diag *diag);
/* Ids of the complete runs of a batch, in id order; *ids malloc'd, caller frees. */
os_status rpt_db_batch_runs(rpt_db *db, const char *batch, int64_t **ids, int *n, os_diag *diag);
/* Prints the most recent runs as a table. */
os_status rpt_db_history(rpt_db *db, FILE *out, int limit, os_diag *diag);
/* The same runs as a JSON array of objects (docs/json.md), numbers at full precision. */
os_status rpt_db_history_json(rpt_db *db, FILE *out, int limit, os_diag *diag);
/* What one merge did. */
typedef struct rpt_db_merged {
    int added;        /* runs copied */
    int duplicates;   /* complete sweep/optimize runs whose (batch, point, replication) was here: skipped */
    int running;      /* runs still 'running' in the source: not copied (a later merge brings them) */
    int invalid;      /* runs with a replication or sweep point out of range: skipped, noted */
    int replaced;     /* runs held here as 'running' by an older merge, replaced by their end */
} rpt_db_merged;
/* Copies every run of the database at `src` that `db` lacks (matched by uuid), with its
 * children, in one transaction. A run still 'running' in `src` is never copied; a run `db`
 * holds as 'running' (an older merge copied it live) is replaced when `src` has its end. A
 * complete sweep run whose (batch, sweep_point, replication) `db` already has complete is
 * the same unit run twice (a retried shard): skipped. A run whose replication or sweep
 * point is out of range is skipped with a note in `notes`. Counts in *m. */
os_status rpt_db_merge(rpt_db *db, const char *src, rpt_db_merged *m, os_diag *notes, os_diag *diag);
/* Marks the runs of `batch` still 'running' as 'interrupted' (the process was stopped by a
 * signal); *marked gets how many. */
/* Sets the longest wait for another process's lock from now on (seconds). */
void rpt_db_set_timeout(rpt_db *db, double timeout);
/* Marks this process's runs of `batch` still 'running' as `status` ("interrupted" or
 * "failed"): an error exit leaves no run 'running'. *marked gets the count. */
os_status rpt_db_mark_unfinished(rpt_db *db, const char *batch, const char *status, int *marked, os_diag *diag);
/* The invocation behind a batch (a row of `batches`, schema 5). */
typedef struct rpt_db_invocation {
    const char *batch, *kind;
    const char *argv_json;   /* the command line as a JSON array of strings */
    const char *version;     /* ordersim's version */
    uint64_t    seed;        /* replication 0's seed */
    uint64_t    scenario_hash;
} rpt_db_invocation;
/* Records an invocation (host and pid are this process's). */
os_status rpt_db_batch_put(rpt_db *db, const rpt_db_invocation *inv, os_diag *diag);
os_status rpt_db_mark_interrupted(rpt_db *db, const char *batch, int *marked, os_diag *diag);
/* Sets a key of the `meta` table (an optimize keeps its arguments there, key "optimize:ID"). */
os_status rpt_db_meta_put(rpt_db *db, const char *key, const char *value, os_diag *diag);
/* Reads a key of the `meta` table into *value (malloc'd, caller frees); OS_ENOTFOUND when
 * the key is absent. */
os_status rpt_db_meta_get(rpt_db *db, const char *key, char **value, os_diag *diag);
/* A fresh random identifier (32 hex digits) for batches. */
void rpt_db_uuid(char out[33]);

#endif
