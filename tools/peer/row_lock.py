#!/usr/bin/python3
"""An independent model of ordersim's row-lock stock store, written with SimPy.

It shares no code with ordersim: it reads its parameters from the command line and
models, from docs/scenarios.md ("Stock store"), what tests/cli/t_peer.sh compares:

- customers arrive as a Poisson process at --rate per second for --horizon seconds;
- each wants one unit of one SKU, picked by --weights;
- each SKU's stock is one row: the creation's lock holds that row for a hold time
  (--hold-dist const|exp, --hold-mean seconds), one operation at a time per row in FIFO
  order, and commits when the hold ends: it takes a unit when the SKU has one left,
  else the request is a stock-out (every attempt holds the row);
- --connections caps the operations holding a row over all SKUs (0 = no cap); a row's
  next operation that finds no connection waits for one, in the order rows began waiting;
- --timeout: an operation still waiting (for its row or a connection) that long fails
  (timed out); one that has started completes.

Waits are counted for operations that start before the horizon, utilization is busy
row-seconds in [0, horizon) / (rows x horizon). Prints one JSON object per replication
(seeds --seed, --seed + 1, ...) with: created, stockout, timed_out, wait_mean,
utilization.
"""
import argparse
import json
import random

import simpy


def replication(a, seed):
    rng = random.Random(seed)
    env = simpy.Environment()
    n = len(a.stock)
    rows = [simpy.Resource(env, capacity=1) for _ in range(n)]
    conn = simpy.Resource(env, capacity=a.connections) if a.connections > 0 else None
    stock = list(a.stock)
    out = {"created": 0, "stockout": 0, "timed_out": 0}
    waits = []
    busy = [0.0]
    total_w = sum(a.weights)
    cum = []
    c = 0.0
    for w in a.weights:
        c += w / total_w
        cum.append(c)

    def hold_time():
        return a.hold_mean if a.hold_dist == "const" else rng.expovariate(1.0 / a.hold_mean)

    def operation(sku):
        arrived = env.now
        deadline = arrived + a.timeout if a.timeout > 0 else None
        with rows[sku].request() as req:
            got = yield (req | env.timeout(deadline - env.now)) if deadline is not None else req
            if deadline is not None and req not in got:
                out["timed_out"] += 1
                return
            if conn is None:
                yield from hold(sku, arrived)
                return
            with conn.request() as creq:
                left = deadline - env.now if deadline is not None else None
                got = yield (creq | env.timeout(left)) if left is not None else creq
                if left is not None and creq not in got:
                    out["timed_out"] += 1
                    return
                yield from hold(sku, arrived)

    def hold(sku, arrived):
        start = env.now
        h = hold_time()
        if start < a.horizon:
            waits.append(start - arrived)
            busy[0] += min(start + h, a.horizon) - start
        yield env.timeout(h)
        if stock[sku] >= 1:
            stock[sku] -= 1
            out["created"] += 1
        else:
            out["stockout"] += 1

    def arrivals():
        while True:
            yield env.timeout(rng.expovariate(a.rate))
            if env.now >= a.horizon:
                return
            u = rng.random()
            sku = next(i for i, c in enumerate(cum) if u < c or i == n - 1)
            env.process(operation(sku))

    env.process(arrivals())
    env.run(until=a.horizon)
    out["wait_mean"] = sum(waits) / len(waits) if waits else 0.0
    out["utilization"] = busy[0] / (n * a.horizon)
    return out


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--rate", type=float, required=True)
    p.add_argument("--horizon", type=float, required=True)
    p.add_argument("--stock", type=lambda s: [int(x) for x in s.split(",")], required=True)
    p.add_argument("--weights", type=lambda s: [float(x) for x in s.split(",")], required=True)
    p.add_argument("--hold-dist", choices=["const", "exp"], default="const")
    p.add_argument("--hold-mean", type=float, required=True)
    p.add_argument("--connections", type=int, default=0)
    p.add_argument("--timeout", type=float, default=0)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--reps", type=int, default=1)
    a = p.parse_args()
    for r in range(a.reps):
        print(json.dumps(replication(a, a.seed + r)))


if __name__ == "__main__":
    main()
