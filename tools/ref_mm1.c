/* ref_mm1: the machine-speed reference of `make bench`.
 *
 * A hand-written M/M/1 queue (arrival rate 0.8, service rate 1, as scenarios/bench/kernel.json)
 * on a plain binary heap of (time, sequence, kind) events, with xoshiro256** and inverse-CDF
 * exponential draws: no order core, no statistics, no allocation per event. It is what a
 * minimal event loop costs on this machine, so the bench can say how far the simulator's
 * kernel is from it, and a target set on another machine can be scaled by the ratio of the two
 * machines' reference figures. Prints one line: events, seconds, events per second.
 *
 * Usage: ref_mm1 [customers]   (default 1,000,000; 2 events per customer)
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

typedef struct { double t; uint64_t seq; int kind; } ev; /* kind 0 arrival, 1 departure */

static uint64_t s[4] = { 0x9E3779B97F4A7C15u, 0xBF58476D1CE4E5B9u, 0x94D049BB133111EBu, 1 };

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

/* xoshiro256**, the generator family the simulator uses. */
static uint64_t next(void) {
    uint64_t r = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 45);
    return r;
}

static double expo(double mean) { return -mean * log1p(-(double)(next() >> 11) * 0x1.0p-53); }

static ev *heap; static size_t n;

static int before(const ev *a, const ev *b) { return a->t < b->t || (a->t == b->t && a->seq < b->seq); }

static void push(ev e) {
    size_t i = n++;
    while (i > 0 && before(&e, &heap[(i - 1) / 2])) { heap[i] = heap[(i - 1) / 2]; i = (i - 1) / 2; }
    heap[i] = e;
}

static ev pop(void) {
    ev top = heap[0], last = heap[--n];
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n) break;
        if (c + 1 < n && before(&heap[c + 1], &heap[c])) c++;
        if (!before(&heap[c], &last)) break;
        heap[i] = heap[c]; i = c;
    }
    heap[i] = last;
    return top;
}

int main(int argc, char **argv) {
    long customers = argc > 1 ? atol(argv[1]) : 1000000;
    if (customers < 1) { fprintf(stderr, "ref_mm1: customers must be >= 1\n"); return 2; }
    heap = malloc(sizeof *heap * 16);
    if (!heap) return 1;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    uint64_t seq = 0, events = 0; long arrived = 1; int busy = 0; long waiting = 0;
    double busy_area = 0, last = 0;
    push((ev){ expo(1.25), seq++, 0 });
    while (n > 0) {
        ev e = pop(); events++;
        busy_area += busy * (e.t - last); last = e.t;
        if (e.kind == 0) {
            if (arrived < customers) { push((ev){ e.t + expo(1.25), seq++, 0 }); arrived++; }
            if (busy) waiting++; else { busy = 1; push((ev){ e.t + expo(1.0), seq++, 1 }); }
        } else if (waiting > 0) { waiting--; push((ev){ e.t + expo(1.0), seq++, 1 }); }
        else busy = 0;
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double sec = (double)(b.tv_sec - a.tv_sec) + 1e-9 * (double)(b.tv_nsec - a.tv_nsec);
    printf("reference M/M/1: %llu events in %.3f s: %.0f events/s (utilization %.3f)\n",
           (unsigned long long)events, sec, (double)events / sec, busy_area / last);
    free(heap);
    return 0;
}
