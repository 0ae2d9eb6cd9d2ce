/* Tests of the station (sim/sim_station.c): FIFO service, the integrals, and the queue
 * timeout's deadline order, by hand. */
#include <criterion/criterion.h>
#include <math.h>

#include "sim_station.h"

static const sim_span span = { 0, 100 };

/* One server, timeout 2 s: jobs arriving at 0 (served at once), 1 and 1.5 (queued). The
 * head's deadline is 1 + 2 = 3; at 3 the first queued job times out, the next deadline is
 * 3.5; the server frees at 3.2 and takes the job that arrived at 1.5 (wait 1.7). Busy
 * server-seconds: [0, 3.2) and from 3.2 on: 3.2 + (10 - 3.2) at t = 10. */
Test(station, a_queued_request_times_out_at_its_deadline_in_fifo_order)
{
    sim_station st;
    static const sim_dist one = { .kind = SIM_CONST, .a = 1 };
    sim_station_init(&st, "row", 1, &one, 2);
    cr_assert(sim_station_idle(&st));
    sim_station_seize(&st, 0, span);
    sim_station_record(&st, 0, span, 0, 3.2, -1);
    sim_station_enqueue(&st, &(sim_job){ .arrived = 1, .a = 1 });
    sim_station_enqueue(&st, &(sim_job){ .arrived = 1.5, .a = 2 });
    cr_expect_float_eq(sim_station_deadline(&st), 3, 1e-12);
    sim_job out;
    cr_expect_not(sim_station_pop_expired(&st, 2.9, span, &out));
    cr_assert(sim_station_pop_expired(&st, 3, span, &out));
    cr_expect_eq(out.a, 1u);
    cr_expect_not(sim_station_pop_expired(&st, 3, span, &out));
    cr_expect_float_eq(sim_station_deadline(&st), 3.5, 1e-12);
    cr_assert(sim_station_release(&st, 3.2, span, &out));
    cr_expect_eq(out.a, 2u);
    sim_station_seize(&st, 3.2, span);
    sim_station_record(&st, 3.2, span, out.arrived, 1, -1);
    cr_expect(isinf(sim_station_deadline(&st)));
    rpt_station r = { 0 };
    sim_station_report(&st, 10, span, true, &r);
    cr_expect_float_eq(r.timeouts, 1, 1e-12);
    cr_expect_float_eq(r.served, 2, 1e-12);
    cr_expect_float_eq(r.queue_max, 2, 1e-12);
    cr_expect_float_eq(r.utilization, 10.0 / 100, 1e-12);
    cr_expect_float_eq(r.wait_mean, 1.7 / 2, 0.02);
    sim_station_fini(&st);
}

/* Without a timeout nothing expires, however long it waits. */
Test(station, no_timeout_never_expires)
{
    sim_station st;
    sim_station_init(&st, "row", 1, NULL, INFINITY);
    sim_station_seize(&st, 0, span);
    sim_station_enqueue(&st, &(sim_job){ .arrived = 0 });
    sim_job out;
    cr_expect(isinf(sim_station_deadline(&st)));
    cr_expect_not(sim_station_pop_expired(&st, 1e9, span, &out));
    sim_station_fini(&st);
}
