/*
 * sim_admit.h — overload protection in front of the order service (docs/scenarios.md,
 * "Admission"): a token-bucket rate limit, a waiting room released at a fixed rate, and a
 * per-SKU sold-out flag. Each customer visit passes once, in that order; the orders of one
 * visit pass together, and a retry passes again.
 *
 * The module keeps the mechanisms' state and decides; the simulator owns time and events: it
 * schedules the waiting room's gate and each waiting customer's patience when told to, and
 * calls back here when they fire. Nothing here allocates per customer except the waiting
 * room's ring, which grows by doubling.
 *
 * Semantics pinned for the independent model (tools/peer/):
 * - rate limit: a bucket of `burst` tokens that starts full and refills continuously at
 *   `rate` per second; a visit takes one token or is shed. So by time t at most
 *   rate x t + burst visits pass.
 * - waiting room: admissions at least 1/release_rate apart (at most release_rate x t + 1 by
 *   time t); a visit that finds the room empty and the gate free enters at once; otherwise it
 *   waits, unless `capacity` are already waiting (shed); a waiting visit whose patience ends
 *   leaves. The wait figures cover admitted visits only.
 * - sold-out flag: a stock-out rejection of a SKU flags it until now + ttl (each later one
 *   re-arms it); a visit whose wanted SKUs are all flagged is turned away.
 */
#ifndef SIM_ADMIT_H
#define SIM_ADMIT_H

#include "rpt.h"
#include "scn.h"

#include <stdbool.h>
#include <stdint.h>

typedef struct sim_admit sim_admit;

/* Creates the state of a run's admission for a catalog of n_skus. Caller frees with
 * sim_admit_destroy. */
sim_admit *sim_admit_create(const scn_admission *a, int n_skus);
void sim_admit_destroy(sim_admit *a);

/* The rate limit at time now: true when the visit takes a token (or there is no limit). */
bool sim_admit_rate(sim_admit *a, double now);

typedef enum sim_room_verdict { SIM_ROOM_IN, SIM_ROOM_WAIT, SIM_ROOM_SHED } sim_room_verdict;

/* A visit (customer `cust`, the simulator's `visit` word) reaches the waiting room at now.
 * SIM_ROOM_IN: it enters at once (counted as admitted with wait 0). SIM_ROOM_WAIT: it waits;
 * *seq names it for sim_admit_room_leave, and when *gate is finite the caller schedules the
 * gate (sim_admit_room_release) at that time. SIM_ROOM_SHED: the room is full. Without a
 * waiting room every visit is SIM_ROOM_IN. `counting` says whether the wait figures record. */
sim_room_verdict sim_admit_room_arrive(sim_admit *a, double now, uint64_t cust, uint32_t visit, bool counting,
                                       uint64_t *seq, double *gate);

/* The gate opens at now: lets in the first visit still waiting, if any (true, with *cust and
 * *visit; its wait, now - its arrival, is recorded when `counting`). *next is the time of the
 * next gate when visits still wait, else INFINITY (the caller schedules it). */
bool sim_admit_room_release(sim_admit *a, double now, bool counting, uint64_t *cust, uint32_t *visit, double *next);

/* The patience of waiting visit `seq` ends: true when it was still waiting (it leaves now). */
bool sim_admit_room_leave(sim_admit *a, uint64_t seq);

/* Visits waiting now. */
int64_t sim_admit_room_waiting(const sim_admit *a);

/* Flags SKU k as sold out until now + ttl (no-op without a sold-out flag). */
void sim_admit_flag(sim_admit *a, uint32_t k, double now);
/* True when SKU k's flag is up at now. */
bool sim_admit_flagged(const sim_admit *a, uint32_t k, double now);

/* The waiting room's station figures (wait and response of admitted visits, the longest
 * queue, visits admitted) into *st, named "waiting_room"; span is the counted time. */
void sim_admit_station(const sim_admit *a, rpt_station *st);

#endif
