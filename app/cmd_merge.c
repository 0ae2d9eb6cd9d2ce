/*
 * cmd_merge.c — `ordersim merge OUT.db IN.db...`: combine results databases (sweep shards).
 * Runs are matched by their uuid, so merging twice adds nothing the second time; a sweep's
 * (point, replication) already merged from another copy of a shard is skipped with a note.
 *
 * Every input is judged (read-only: it exists, is a results database of this version, is
 * not OUT itself) before OUT is opened. A new OUT is built under a temporary name beside
 * it and appears only when every input was merged, so a failed merge creates no OUT.
 */
#include "cli.h"
#include "pth.h"
#include "cli_sig.h"
#include "rpt_db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Removes a database file and its WAL companions (a temporary output being given up). */
static void mrg__unlink(const char *path)
{
    char p[1100];
    unlink(path);
    snprintf(p, sizeof p, "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof p, "%s-shm", path);
    unlink(p);
}

/* For the signal thread: the temporary output goes when the merge is interrupted. */
static void mrg__interrupted(void *arg, const char *sig)
{
    (void)sig;
    mrg__unlink(arg);
}

/* Judges every input before anything is written: it must open read-only as a results
 * database of this version and must not be OUT (or another name for it). Returns an exit
 * code; messages name the input. */
static int mrg__judge(const cli_opts *o, const struct stat *out_sb, bool out_exists)
{
    for (int i = 1; i < o->nargs; i++) {
        const char *in = o->args[i];
        struct stat sb;
        if (out_exists && stat(in, &sb) == 0 && sb.st_dev == out_sb->st_dev && sb.st_ino == out_sb->st_ino) {
            fprintf(stderr, "ordersim merge: %s is the output %s itself; nothing was merged (give the shards as inputs)\n",
                    in, o->args[0]);
            return CLI_USAGE;
        }
        rpt_db *db = NULL;
        int rc = cli_db_open(o, in, RPT_DB_READ, &db);
        rpt_db_close(db);
        if (rc) {
            fprintf(stderr, "ordersim merge: input %s refused; nothing was merged\n", in);
            return rc;
        }
    }
    return CLI_OK;
}

static int cmd_merge(cli_opts *o)
{
    if (o->nargs < 1) {
        fprintf(stderr, "ordersim merge: expected OUT.db and at least one IN.db\n");
        return CLI_USAGE;
    }
    const char *out = o->args[0], *why;
    if (!rpt_db_path_ok(out, &why)) {
        fprintf(stderr, "ordersim merge: '%s' is %s; give a file name\n", out, why);
        return CLI_USAGE;
    }
    struct stat out_sb;
    bool out_exists = stat(out, &out_sb) == 0;
    if (o->nargs == 1 && !out_exists) {
        fprintf(stderr, "ordersim merge: expected OUT.db and at least one IN.db (OUT.db alone upgrades an existing database)\n");
        return CLI_USAGE;
    }
    int rc = mrg__judge(o, &out_sb, out_exists);
    if (rc) return rc;
    /* A new output is built under a temporary name and linked into place at the end. */
    char tmp[1100] = "";
    const char *target = out;
    if (!out_exists) {
        if (pth_mkdirs(out, true) != 0) {
            fprintf(stderr, "ordersim merge: %s: cannot create its directory: %s\n", out, strerror(errno));
            return CLI_IO;
        }
        snprintf(tmp, sizeof tmp, "%s.merge-XXXXXX", out);
        int fd = mkstemp(tmp);
        if (fd < 0) {
            fprintf(stderr, "ordersim merge: %s: cannot create a file beside it: %s\n", out, strerror(errno));
            return CLI_IO;
        }
        close(fd);
        target = tmp;
    }
    int slot = tmp[0] ? cli_sig_push(mrg__interrupted, tmp) : -1;
    os_diag d;
    os_diag_init(&d);
    rpt_db *db = NULL;
    int total = 0;
    rc = cli_db_open(o, target, RPT_DB_WRITE, &db);
    for (int i = 1; i < o->nargs && !rc; i++) {
        rpt_db_merged m;
        os_diag notes;
        os_diag_init(&notes);
        if (rpt_db_merge(db, o->args[i], &m, &notes, &d) != OS_OK) {
            os_diag_add(&d, "ordersim merge: input %s was not merged (nothing of it was written)", o->args[i]);
            rc = CLI_IO;
        }
        total += m.added;
        if (!rc && !o->quiet) printf("%s: %d run%s added\n", o->args[i], m.added, m.added == 1 ? "" : "s");
        /* said even with --quiet: a run not merged is something the user must know about */
        if (!rc) {
            os_diag_print(&notes, stderr);
            if (m.duplicates)
                fprintf(stderr, "note: %s: %d sweep run%s skipped: the same sweep point and replication %s already merged "
                        "(a shard run twice); kept the first\n", o->args[i], m.duplicates, m.duplicates == 1 ? "" : "s",
                        m.duplicates == 1 ? "was" : "were");
            if (m.running)
                fprintf(stderr, "note: %s: %d run%s still running (or left 'running' by a process that died) %s not merged; "
                        "merge %s again once %s ended\n", o->args[i], m.running, m.running == 1 ? "" : "s",
                        m.running == 1 ? "was" : "were", o->args[i], m.running == 1 ? "it has" : "they have");
            if (m.invalid)
                fprintf(stderr, "note: %s: %d run%s with a replication or sweep point out of range not merged\n", o->args[i],
                        m.invalid, m.invalid == 1 ? "" : "s");
            if (m.replaced && !o->quiet)
                printf("%s: %d run%s merged earlier while running replaced by %s end\n", o->args[i], m.replaced,
                       m.replaced == 1 ? "" : "s", m.replaced == 1 ? "its" : "their");
        }
        os_diag_fini(&notes);
    }
    rpt_db_close(db);
    if (!rc && tmp[0]) {
        /* link() fails rather than replace an OUT that appeared meanwhile. */
        if (link(tmp, out) != 0) {
            os_diag_add(&d, "ordersim merge: %s: cannot put the merged database in place: %s", out, strerror(errno));
            rc = CLI_IO;
        }
    }
    if (tmp[0]) mrg__unlink(tmp);
    cli_sig_pop(slot);
    if (!rc && !o->quiet) printf("%s: %d run%s merged\n", out, total, total == 1 ? "" : "s");
    if (rc && tmp[0]) os_diag_add(&d, "ordersim merge: %s was not created", out);
    os_diag_print(&d, stderr);
    os_diag_fini(&d);
    return rc;
}

const cli_cmd cmd_merge_entry = {
    .name = "merge",
    .usage = "OUT.db IN.db... [--db-timeout SECONDS]",
    .summary = "Merges results databases (for example the shards of a sweep) into OUT.db.",
    .help = "Every input is checked first (it exists, is a results database of this version, and is not OUT);\n"
            "a new OUT.db appears only when every input was merged. `ordersim merge OUT.db` alone upgrades an\n"
            "existing database of an older schema version in place.\n"
            "Exit: 0 ok, 2 usage (an input is OUT itself), 66 an input does not exist, 74 an input is not a\n"
            "results database, has another version, or an I/O error.\n",
    .options = "db-timeout quiet",
    .exec = cmd_merge,
};
