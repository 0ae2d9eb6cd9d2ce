/*
 * rpt_report.h — the report directory: report.md, a self-contained report.html (SVG
 * inline), and PNG + SVG charts drawn by gnuplot.
 *
 * gnuplot runs as a child process (no shell) on a script and data files written into the
 * directory; every title is a single-quoted gnuplot string with quotes doubled and control
 * characters replaced, and text mode is `noenhanced`, so no scenario name can inject a
 * gnuplot command. Every file is written into a private work directory beside the report
 * directory, which then replaces it in one rename, so a planted symlink is never followed
 * and a good report is never replaced by a half-written one. If gnuplot is missing or fails, the report is still written and says the
 * charts were skipped.
 */
#ifndef RPT_REPORT_H
#define RPT_REPORT_H

#include "rpt.h"
#include "rpt_capacity.h"
#include "rpt_doc.h"

typedef struct rpt_report_in {
    const char        *title;        /* scenario name */
    const char        *description;  /* what question it answers */
    const char        *command;      /* the command that produced it */
    int                n;            /* strategies (1 for a run) */
    const rpt_summary *sums;         /* one summary per strategy */
    const char        *conclusion;   /* plain-language conclusion (compare), or NULL */
    const char        *extra_md;     /* extra markdown (verdict table, thresholds), or NULL */
    const rpt_capacity *cap;         /* a sweep's capacity analysis, or NULL */
    const rpt_point   *points;       /* its points (cap->n of them) */
    const char        *currency;     /* the scenario's currency code, or NULL/"" for none */
    const char        *generator;    /* "ordersim VERSION", shown with the date */
    const rpt_gate    *gates;        /* thresholds and baseline comparisons (may be NULL) */
    int                ngates;
    bool               has_baseline; /* a baseline was compared (its rows are in gates) */
    const char        *baseline_note; /* how it was compared (paired replication by replication or
                                         not, and why), or NULL */
    int                nthresholds;  /* thresholds in the scenario (their rows are in gates) */
    int                reference;    /* compare: the strategy verdicts are against */
    const rpt_metric  *verdict_metrics; /* compare: the metrics of the verdict table */
    int                nverdict_metrics;
    const char *const *scn_warnings; /* the scenario's warnings as printed at load ("FILE:L:C: warning: ..."), or NULL */
    int                nscn_warnings;
} rpt_report_in;

/* The file a report directory carries so that the next report may replace it. */
#define RPT_REPORT_MARKER ".ordersim-report"

/* Writes the report as the directory `dir` (its parents created if needed): built in a
 * work directory beside it and put in place with one rename (an atomic exchange when `dir`
 * exists), so `dir` is the old report or the new one, never a mix. An existing `dir` is
 * replaced only if it holds report files alone (or the marker), never a directory of other
 * files. *charts is set to the number of charts drawn (0 when gnuplot was missing or
 * failed; the reason is in diag as a note). Returns OS_EIO (with a message) when the
 * directory cannot be written or replaced; `dir` is then unchanged. */
os_status rpt_report_write(const char *dir, const rpt_report_in *in, int *charts, os_diag *diag);

/* A report directory under construction: files are written into a private work directory
 * beside `dir` (same file system, nothing planted in it), which then replaces `dir` in one
 * rename. rpt_report_write uses it; so do other commands' reports (fit, optimize). */
typedef struct rpt_dir rpt_dir;
/* Checks `dir` (a name of its own, not '.' or '..'; if it exists, an ordersim report
 * directory, never one of the user's own files) and creates the work directory. One report
 * directory is built at a time. OS_EIO with a message when refused. */
os_status rpt_dir_begin(const char *dir, rpt_dir **out, os_diag *diag);
/* Where to write the files (owned by r). */
const char *rpt_dir_work(const rpt_dir *r);
/* Adds the marker and puts the work directory in place of `dir`; frees r. OS_EIO with a
 * message when it cannot (then `dir` is unchanged). */
os_status rpt_dir_commit(rpt_dir *r, os_diag *diag);
/* Removes the work directory, leaves `dir` unchanged; frees r (NULL is ignored). */
void rpt_dir_abort(rpt_dir *r);

/* Writes the report as text (the writer of report.txt, without the Charts section) to
 * out: what run, compare and check print on the terminal, so that it cannot drift from the
 * report files. */
void rpt_report_write_text(const rpt_report_in *in, FILE *out);

/* For a process being interrupted: kills a running gnuplot (and its process group),
 * removes the work directory in progress, and keeps any further report from starting.
 * Safe to call from another thread than the writer's; the process must end afterwards. */
void rpt_report_abort(void);
/* Runs gnuplot on DIR/charts.gp with DIR as its working directory (no shell; its stderr
 * goes to DIR/gnuplot.log). Returns 0 on success, -1 with a note in diag when gnuplot is
 * missing or failed. For other commands' charts (ordersim fit). */
int rpt_gnuplot_run(const char *dir, os_diag *diag);

/* Writes s as a safe single-quoted gnuplot string. */
void rpt_gp_string(FILE *out, const char *s);

#endif
