#!/usr/bin/python3
"""An independent model of ordersim's payment timeout (docs/scenarios.md "payment"), in SimPy.

Payments arrive as a Poisson stream at `servers` identical servers with exponential service
times; each has `timeout` seconds from joining to finish: one still queued at its deadline
leaves the queue, one in service at its deadline is abandoned and frees its server then.
Written from the documented semantics, not from ordersim's code: a payment is a SimPy
process racing its request (then its service) against its deadline.

Prints one JSON object: per replication and the mean with a 95% half-width of
  paid       payments completed at or after the warmup
  timed_out  payments that reached their deadline at or after the warmup
  wait_mean  mean wait of the payments whose service started at or after the warmup

Usage: payment_timeout.py RATE SERVERS SERVICE_MEAN TIMEOUT HORIZON WARMUP REPS
"""
import json
import math
import random
import sys

import simpy

sys.path.insert(0, sys.path[0])
from waiting_room import t975  # noqa: E402  (the same Student-t table)


def replication(rate, servers, mean, timeout, horizon, warmup, seed):
    env = simpy.Environment()
    rng = random.Random(seed)
    pool = simpy.Resource(env, capacity=servers)
    out = {"paid": 0, "timed_out": 0, "wait_sum": 0.0, "started": 0}

    def payment():
        deadline = env.now + timeout
        arrived = env.now
        req = pool.request()
        res = yield req | env.timeout(timeout)
        if req not in res:
            req.cancel()
            if env.now >= warmup:
                out["timed_out"] += 1
            return
        if env.now >= warmup:
            out["started"] += 1
            out["wait_sum"] += env.now - arrived
        service = rng.expovariate(1.0 / mean)
        if env.now + service <= deadline:            # finishing at the deadline is in time
            yield env.timeout(service)
            if env.now >= warmup:
                out["paid"] += 1
        else:
            yield env.timeout(deadline - env.now)
            if env.now >= warmup:
                out["timed_out"] += 1
        pool.release(req)

    def source():
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(payment())

    env.process(source())
    env.run(until=horizon)
    out["wait_mean"] = out["wait_sum"] / out["started"] if out["started"] else 0.0
    del out["wait_sum"], out["started"]
    return out


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    rate, servers, mean, timeout, horizon, warmup = (float(x) for x in sys.argv[1:7])
    reps = int(sys.argv[7])
    runs = [replication(rate, int(servers), mean, timeout, horizon, warmup, 2000 + r) for r in range(reps)]
    summary = {}
    for k in runs[0]:
        xs = [r[k] for r in runs]
        m = sum(xs) / len(xs)
        var = sum((x - m) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0
        summary[k] = {"mean": m, "ci95": t975(len(xs) - 1) * math.sqrt(var / len(xs))}
    print(json.dumps({"runs": runs, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
