/*
 * test_optimize.c — the statistics of optimize on hand-built data: the t quantile, feasibility
 * at 95% (an apparent best whose mean meets a constraint but whose upper bound does not is
 * never chosen), paired Bonferroni elimination with an indifference zone, the stop rule and
 * the Pareto front.
 */
#include "rpt_stats.h"
#include "rpt_optimize.h"

#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

/* A single-objective (maximise) problem with one constraint "figure <= limit". */
static rpt_opt_problem problem(int ncand, double limit, double delta, int looks)
{
    rpt_opt_problem p;
    memset(&p, 0, sizeof p);
    p.ncand = ncand;
    p.nobj = 1;
    p.sense[0] = 1;
    snprintf(p.obj_name[0], sizeof p.obj_name[0], "genuine_orders_served");
    p.ncons = 1;
    p.cons_op[0] = CND_LE;
    p.cons_value[0] = limit;
    snprintf(p.cons_name[0], sizeof p.cons_name[0], "oversold_units");
    p.delta = delta;
    p.alpha = 0.05;
    p.looks = looks;
    return p;
}

static void fill(rpt_opt_cand *c, int n, const double *obj, const double *cons)
{
    rpt_opt_cand_init(c);
    for (int r = 0; r < n; r++) {
        double row[2] = { obj[r], cons[r] };
        rpt_opt_cand_set(c, r, row, 2);
    }
}

Test(optimize, t_quantile_matches_the_table_and_known_values)
{
    for (int df = 1; df <= 30; df++)
        cr_expect(fabs(rpt_t_quantile(0.975, df) - rpt_t95(df)) < 6e-4, "df %d: %.5f vs %.3f", df, rpt_t_quantile(0.975, df), rpt_t95(df));
    cr_expect(fabs(rpt_t_quantile(0.995, 1) - 63.657) < 1e-3);
    cr_expect(fabs(rpt_t_quantile(0.999, 10) - 4.144) < 1e-3);
    cr_expect(fabs(rpt_t_quantile(0.95, 1000) - 1.6464) < 1e-3);
    cr_expect(rpt_t_quantile(0.025, 5) == -rpt_t_quantile(0.975, 5));
}

Test(optimize, an_apparent_best_with_its_constraint_not_shown_is_never_chosen)
{
    /* A serves 110 every time (the best mean) with oversold 0, 0, 3: mean 1 <= 1.5 but the
     * 95% upper bound 1 + 4.303 * sqrt(3)/sqrt(3) = 5.3 is not. B serves 100 and never
     * oversells: chosen. */
    rpt_opt_problem p = problem(2, 1.5, 0, 3);
    rpt_opt_cand c[2];
    fill(&c[0], 3, (double[]){ 110, 110, 110 }, (double[]){ 0, 0, 3 });
    fill(&c[1], 3, (double[]){ 100, 100, 100 }, (double[]){ 0, 0, 0 });
    rpt_opt_update(&p, c, 1);
    cr_expect(c[0].mean[1] <= 1.5, "the premise: A's mean meets the constraint");
    cr_expect(c[0].feasible == 0, "A's feasibility is not shown");
    cr_expect(c[0].state == RPT_OPT_ALIVE, "A is not shown infeasible either");
    cr_expect(c[1].feasible == 1);
    cr_expect(c[1].state == RPT_OPT_ALIVE, "an undecided candidate cannot eliminate B");
    cr_expect(rpt_opt_best(&p, c) == 1, "B is chosen");
    cr_expect(!rpt_opt_settled(&p, c), "A is still undecided: more replications could decide it");
    for (int i = 0; i < 2; i++) rpt_opt_cand_fini(&c[i]);
}

Test(optimize, a_constraint_shown_broken_eliminates)
{
    rpt_opt_problem p = problem(2, 0, 0, 3);
    rpt_opt_cand c[2];
    fill(&c[0], 3, (double[]){ 110, 111, 112 }, (double[]){ 5, 6, 7 });
    fill(&c[1], 3, (double[]){ 100, 100, 100 }, (double[]){ 0, 0, 0 });
    rpt_opt_update(&p, c, 1);
    cr_expect(c[0].state == RPT_OPT_INFEASIBLE && c[0].look == 1);
    cr_expect(strstr(c[0].why, "lower bound") != NULL, "%s", c[0].why);
    cr_expect(rpt_opt_best(&p, c) == 1);
    cr_expect(rpt_opt_settled(&p, c));
    for (int i = 0; i < 2; i++) rpt_opt_cand_fini(&c[i]);
}

Test(optimize, elimination_needs_the_bonferroni_half_width_minus_delta)
{
    /* Paired differences B - A: 1, 3, 2, 2 (mean 2, sd 0.8165, se 0.408). With K = 2 and
     * L = 1, alpha each = 0.05 one-sided: t(0.95, 3) = 2.353, h = 0.961 < 2: eliminated.
     * With L = 100 looks: alpha each 0.0005, t(0.9995, 3) = 12.92, h = 5.27 > 2: kept;
     * with delta 4 the bar is max(0, 5.27 - 4) = 1.27 < 2: eliminated. With delta 10 the bar
     * is max(0, -9) = 0: a zone wider than the noise never eliminates the better mean. */
    double a[4] = { 10, 10, 10, 10 }, b[4] = { 11, 13, 12, 12 }, z[4] = { 0, 0, 0, 0 };
    struct { int looks; double delta; bool gone; } cases[] = { { 1, 0, true }, { 100, 0, false }, { 100, 4, true }, { 1, 10, true } };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; k++) {
        rpt_opt_problem p = problem(2, 0, cases[k].delta, cases[k].looks);
        rpt_opt_cand c[2];
        fill(&c[0], 4, a, z);
        fill(&c[1], 4, b, z);
        rpt_opt_pair q;
        rpt_opt_paired(&p, &c[0], &c[1], 0, &q);
        cr_expect(q.n == 4 && fabs(q.diff - 2) < 1e-12);
        rpt_opt_update(&p, c, 1);
        cr_expect((c[0].state == RPT_OPT_DOMINATED) == cases[k].gone, "case %zu: h %.3f", k, q.hw);
        cr_expect(c[1].state == RPT_OPT_ALIVE, "the better one is never eliminated");
        if (cases[k].gone) cr_expect(c[0].by == 1);
        for (int i = 0; i < 2; i++) rpt_opt_cand_fini(&c[i]);
    }
}

Test(optimize, minimising_flips_the_direction)
{
    rpt_opt_problem p = problem(2, 0, 0, 1);
    p.sense[0] = -1;
    rpt_opt_cand c[2];
    fill(&c[0], 3, (double[]){ 5, 5, 5 }, (double[]){ 0, 0, 0 });
    fill(&c[1], 3, (double[]){ 6, 6, 6 }, (double[]){ 0, 0, 0 });
    rpt_opt_update(&p, c, 1);
    cr_expect(c[1].state == RPT_OPT_DOMINATED && c[0].state == RPT_OPT_ALIVE);
    cr_expect(rpt_opt_best(&p, c) == 0);
    for (int i = 0; i < 2; i++) rpt_opt_cand_fini(&c[i]);
}

Test(optimize, pareto_front_keeps_the_trade_offs)
{
    /* max served, min locked: (10, 5) (12, 7) (9, 6) (12, 8): the third is dominated by the
     * first, the fourth by the second; the front is {0, 1}. */
    rpt_opt_problem p;
    memset(&p, 0, sizeof p);
    p.ncand = 4;
    p.nobj = 2;
    p.sense[0] = 1;
    p.sense[1] = -1;
    p.alpha = 0.05;
    p.looks = 1;
    double v[4][2] = { { 10, 5 }, { 12, 7 }, { 9, 6 }, { 12, 8 } };
    rpt_opt_cand c[4];
    for (int i = 0; i < 4; i++) {
        rpt_opt_cand_init(&c[i]);
        for (int r = 0; r < 3; r++) rpt_opt_cand_set(&c[i], r, v[i], 2);
    }
    rpt_opt_update(&p, c, 1);
    bool want[4] = { true, true, false, false };
    for (int i = 0; i < 4; i++) cr_expect(rpt_opt_on_front(&p, c, i) == want[i], "candidate %d", i);
    cr_expect(c[2].state == RPT_OPT_DOMINATED && c[3].state == RPT_OPT_DOMINATED);
    cr_expect(rpt_opt_settled(&p, c), "0 and 1 are a confident trade-off: more data cannot change the front");
    for (int i = 0; i < 4; i++) rpt_opt_cand_fini(&c[i]);
}

Test(optimize, rows_may_arrive_out_of_order)
{
    rpt_opt_cand c;
    rpt_opt_cand_init(&c);
    double row[1] = { 1 };
    rpt_opt_cand_set(&c, 2, row, 1);
    cr_expect(c.n == 0, "replications 0 and 1 are missing");
    rpt_opt_cand_set(&c, 0, row, 1);
    rpt_opt_cand_set(&c, 20, row, 1);
    cr_expect(c.n == 1);
    rpt_opt_cand_set(&c, 1, row, 1);
    cr_expect(c.n == 3);
    rpt_opt_cand_fini(&c);
}
