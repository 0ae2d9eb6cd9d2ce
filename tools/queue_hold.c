/*
 * queue_hold.c — the hold-model microbenchmark of the event queue (sim/sim_queue.c), run by
 * `make bench` through tools/queue_hold.sh, never by `make test`.
 *
 * The hold model: fill the queue with SIZE events, then repeat "pop the earliest event,
 * push it again at its time + an exponential draw (mean 1)", so the queue keeps SIZE
 * pending events and time only moves forward, as in the simulator. The draws are made in
 * advance (a table of 65,536 repeated cyclically) so the measured loop is queue work only.
 * The same program is built twice: against the queue as shipped and, with
 * -DSIM_QUEUE_HEAP_ONLY, against the 4-ary heap alone, so both are measured the same way.
 *
 * usage: queue_hold [--ops N] [--reps R] SIZE...
 * Prints one line per size: "SIZE ns_per_op" (the fastest of R repetitions of N operations,
 * after a warm-up of max(N, SIZE) operations). Under callgrind,
 * `--toggle-collect=qh_hold` counts the instructions of the measured loop alone.
 */
#include "sim_queue.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define QH_DRAWS 65536u   /* a power of two */

static double qh_draw[QH_DRAWS];   /* exponential increments, mean 1 */

/* splitmix64: a fixed sequence, so every run measures the same work. */
static uint64_t qh_next(uint64_t *x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Fills the draw table with exponential(1) values. */
static void qh_fill_draws(void)
{
    uint64_t x = 42;
    for (unsigned i = 0; i < QH_DRAWS; i++) {
        double u = ((double)(qh_next(&x) >> 11) + 0.5) / 9007199254740992.0;   /* (0, 1) */
        qh_draw[i] = -log(u);
    }
}

/* n hold operations starting at draw index `from`. Returns the last popped time (keeps the
 * loop observable). */
static inline double qh_run(sim_queue *q, size_t n, size_t from)
{
    sim_event e = { 0 };
    for (size_t i = 0; i < n; i++) {
        if (!sim_queue_pop(q, &e)) abort();
        e.t += qh_draw[(from + i) & (QH_DRAWS - 1)];
        sim_queue_push(q, &e);
    }
    return e.t;
}

/* The warm-up and the measured loop: the same work under two names, neither inlined nor merged (noipa), so
 * callgrind's --toggle-collect=qh_hold counts the measured operations alone. */
__attribute__((noipa)) static double qh_warm(sim_queue *q, size_t n, size_t from) { return qh_run(q, n, from); }
__attribute__((noipa)) static double qh_hold(sim_queue *q, size_t n, size_t from) { return qh_run(q, n, from); }

static double qh_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv)
{
    size_t ops = 1000000, reps = 3;
    int i = 1;
    for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i += 2) {
        if (strcmp(argv[i], "--ops") == 0) ops = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--reps") == 0) reps = strtoull(argv[i + 1], NULL, 10);
        else break;
    }
    if (i >= argc || ops == 0 || reps == 0) {
        fprintf(stderr, "usage: queue_hold [--ops N] [--reps R] SIZE...\n");
        return 64;
    }
    qh_fill_draws();
    for (; i < argc; i++) {
        size_t size = strtoull(argv[i], NULL, 10);
        if (size == 0) {
            fprintf(stderr, "queue_hold: bad size '%s'\n", argv[i]);
            return 64;
        }
        sim_queue *q = sim_queue_create();
        for (size_t k = 0; k < size; k++) {
            sim_event e = { .t = qh_draw[(k * 7919u) & (QH_DRAWS - 1)], .type = 1, .u64 = k };
            sim_queue_push(q, &e);
        }
        size_t at = 0;
        double sink = qh_warm(q, ops > size ? ops : size, at);
        at += ops > size ? ops : size;
        double best = INFINITY;
        for (size_t r = 0; r < reps; r++) {
            double t0 = qh_now();
            sink += qh_hold(q, ops, at);
            double w = qh_now() - t0;
            at += ops;
            if (w < best) best = w;
        }
        printf("%zu %.1f\n", size, 1e9 * best / (double)ops);
        if (sink < 0) puts("");   /* never: keeps the loop's result used */
        sim_queue_destroy(q);
    }
    return 0;
}
