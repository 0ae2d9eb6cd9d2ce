/*
 * rpt_optimize.h — the statistics of `ordersim optimize`: feasibility under constraints at
 * 95%, sequential elimination with paired Bonferroni intervals (in the spirit of Kim-Nelson),
 * the choice of the best candidate or the Pareto front, and the writers (text, JSON,
 * Markdown) of the result. It sees only numbers: per candidate, one row of figures per
 * replication (objectives first, then constraints); the caller runs the simulations.
 *
 * The procedure (docs/optimize.md states the guarantee and its assumptions):
 *  - replication r of every candidate uses the same seed (common random numbers), so the
 *    objectives of two candidates are compared through paired differences over their
 *    common replications;
 *  - at each look, a constraint is shown met when its two-sided 95% t interval lies on the
 *    allowed side (the upper bound for < and <=, the lower bound for > and >=), shown broken
 *    when the interval lies wholly on the other side, else undecided;
 *  - a candidate is eliminated as infeasible when a constraint is shown broken; it is
 *    eliminated as dominated when a candidate shown feasible beats it: for one objective,
 *    when the paired mean difference exceeds max(0, h - delta), h the one-sided Bonferroni
 *    half-width at level alpha / ((K - 1) x L) for K candidates and L planned looks; for two
 *    objectives, when the other is at least as good on both (lower bound >= 0) and better
 *    on one (lower bound > 0), each at that level;
 *  - the caller adds replications to the candidates still alive and looks again, until one
 *    candidate is left, every pair left is within delta of each other, the planned looks or
 *    the budget are used up.
 */
#ifndef RPT_OPTIMIZE_H
#define RPT_OPTIMIZE_H

#include "rpt.h"

#define RPT_OPT_MAX_OBJ  2
#define RPT_OPT_MAX_CONS 8
#define RPT_OPT_MAX_FIG  (RPT_OPT_MAX_OBJ + RPT_OPT_MAX_CONS)

/* The problem, owned by the caller. */
typedef struct rpt_opt_problem {
    int    ncand;                          /* candidates K */
    int    nobj;                           /* 1, or 2 for a Pareto front */
    int    sense[RPT_OPT_MAX_OBJ];         /* +1 maximise, -1 minimise */
    char   obj_name[RPT_OPT_MAX_OBJ][96];  /* as written */
    int    ncons;                          /* constraints */
    cnd_op cons_op[RPT_OPT_MAX_CONS];      /* <, <=, >= or > */
    double cons_value[RPT_OPT_MAX_CONS];   /* right-hand sides */
    char   cons_name[RPT_OPT_MAX_CONS][96];/* the figures as written */
    double delta;                          /* indifference zone of a single objective (its unit), >= 0 */
    double alpha;                          /* 1 - confidence (0.05) */
    int    looks;                          /* planned looks L, fixed before any data */
} rpt_opt_problem;

typedef enum rpt_opt_state { RPT_OPT_ALIVE, RPT_OPT_INFEASIBLE, RPT_OPT_DOMINATED } rpt_opt_state;

/* One candidate's data and standing. */
typedef struct rpt_opt_cand {
    char          params[256];             /* "PATH=VALUE,..." */
    int           n;                       /* replications with values: 0..n-1 */
    int           cap;                     /* rows allocated */
    double       *v;                       /* cap rows of nobj + ncons figures (NAN: none) */
    bool         *have;                    /* which rows are set */
    rpt_opt_state state;
    int           feasible;                /* +1 shown feasible, -1 shown infeasible, 0 undecided */
    int           by;                      /* the candidate that dominated it, else -1 */
    int           look;                    /* the look that eliminated it, 0 while alive */
    double        mean[RPT_OPT_MAX_FIG];   /* per figure over the finite values */
    double        ci[RPT_OPT_MAX_FIG];     /* two-sided 95% Student-t half-width (NAN with n < 2) */
    char          why[320];                /* why it was eliminated, a sentence */
} rpt_opt_cand;

/* A paired difference b - a on objective k, signed so that positive means b is better. */
typedef struct rpt_opt_pair {
    int    n;                              /* common replications with both values */
    double diff;                           /* mean difference */
    double hw;                             /* one-sided Bonferroni half-width (NAN with n < 2) */
    double hw95;                           /* two-sided 95% half-width, for display (NAN with n < 2) */
} rpt_opt_pair;

void rpt_opt_cand_init(rpt_opt_cand *c);
void rpt_opt_cand_fini(rpt_opt_cand *c);
/* Sets replication r's row (width figures); rows are kept for r < cap, growing as needed;
 * n becomes the length of the leading run of rows set. */
void rpt_opt_cand_set(rpt_opt_cand *c, int r, const double *row, int width);

/* The one-sided level of each paired comparison: alpha / ((K - 1) x L). */
double rpt_opt_alpha_each(const rpt_opt_problem *p);
/* Paired difference of b against a on objective k over their common replications. */
void rpt_opt_paired(const rpt_opt_problem *p, const rpt_opt_cand *a, const rpt_opt_cand *b, int k, rpt_opt_pair *out);
/* Recomputes every candidate's means and feasibility and eliminates (see the file comment);
 * `look` is the 1-based look number recorded on the eliminated. */
void rpt_opt_update(const rpt_opt_problem *p, rpt_opt_cand *c, int look);
/* True when more replications cannot change the answer: at most one candidate alive (and
 * shown feasible), or every alive candidate is shown feasible and every alive pair is
 * within delta (every objective's Bonferroni half-width <= delta) or, with two objectives,
 * a confident trade-off (each better than the other on one objective). */
bool rpt_opt_settled(const rpt_opt_problem *p, const rpt_opt_cand *c);
/* The best alive candidate shown feasible (single objective), or -1. */
int rpt_opt_best(const rpt_opt_problem *p, const rpt_opt_cand *c);
/* Whether candidate i is on the Pareto front: alive, shown feasible, and no other such
 * candidate has means at least as good on both objectives and better on one. */
bool rpt_opt_on_front(const rpt_opt_problem *p, const rpt_opt_cand *c, int i);

/* What the writers show beyond the candidates. */
typedef struct rpt_opt_info {
    const char *id;                        /* optimize id */
    const char *scenario;                  /* scenario name */
    const char *command;                   /* the command line, for the report */
    int         runs;                      /* complete runs used */
    int         budget_runs;               /* the run budget, 0 when none */
    double      budget_seconds;            /* the time budget, 0 when none */
    int         looks_done;                /* looks taken */
    const char *stopped;                   /* why the search stopped, a phrase */
    int         nparams;                   /* swept parameters */
    const char *param_path[9];             /* their paths (8 --param and --strategy all) */
} rpt_opt_info;

/* The answer as text (stdout), JSON (deterministic: no wall time), and a Markdown report
 * with the objective against each parameter. */
void rpt_opt_write_text(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *info, FILE *out);
void rpt_opt_write_json(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *info, FILE *out);
void rpt_opt_write_md(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *info, FILE *out);
/* A self-contained HTML page: the answer, an inline SVG chart of the objective against each
 * parameter (every candidate's mean and 95% interval, coloured by its standing), the front
 * with two objectives, and the candidate table. */
void rpt_opt_write_html(const rpt_opt_problem *p, const rpt_opt_cand *c, const rpt_opt_info *info, FILE *out);

#endif
