#!/usr/bin/python3
"""An independent model of ordersim's waiting room (docs/scenarios.md "Admission"), in SimPy.

Customers arrive as a Poisson stream; a gate lets one in at most every 1/release_rate
seconds; a customer who finds the room empty and the gate free goes in at once; beyond
`capacity` waiting customers are shed; a waiting customer leaves when an exponential
patience ends. Written from the documented semantics, not from ordersim's code: customers
are SimPy processes that wait for "let in" or "patience over", whichever comes first.

Prints one JSON object: per replication and the mean with a 95% half-width of
  admitted  customers let in at or after the warmup
  left      customers whose patience ended at or after the warmup
  shed      customers shed (room full) at or after the warmup
  wait_mean mean wait of the customers let in at or after the warmup

Usage: waiting_room.py RATE RELEASE_RATE CAPACITY PATIENCE_MEAN HORIZON WARMUP REPS
"""
import json
import math
import random
import sys
from collections import deque

import simpy


def replication(rate, release, capacity, patience, horizon, warmup, seed):
    env = simpy.Environment()
    rng = random.Random(seed)
    room = deque()          # waiting customers' "let in" events, in order of arrival
    state = {"last": -math.inf, "gate_wakeup": None}
    out = {"admitted": 0, "left": 0, "shed": 0, "wait_sum": 0.0}

    def counted():
        return env.now >= warmup

    def gate():
        while True:
            if not room:
                state["gate_wakeup"] = env.event()
                yield state["gate_wakeup"]
                state["gate_wakeup"] = None
            free = state["last"] + 1.0 / release
            if free > env.now:
                yield env.timeout(free - env.now)
            while room and room[0].triggered:        # gone: their patience ended
                room.popleft()
            if not room:
                continue
            ev = room.popleft()
            state["last"] = env.now
            ev.succeed(env.now)

    def customer():
        arrived = env.now
        live = [e for e in room if not e.triggered]
        if not live and env.now >= state["last"] + 1.0 / release:
            state["last"] = env.now
            if counted():
                out["admitted"] += 1
            return
        if len(live) >= capacity:
            if counted():
                out["shed"] += 1
            return
        let_in = env.event()
        room.append(let_in)
        if state["gate_wakeup"] is not None and not state["gate_wakeup"].triggered:
            state["gate_wakeup"].succeed()
        give_up = env.timeout(rng.expovariate(1.0 / patience))
        res = yield let_in | give_up
        if let_in in res or let_in.triggered:
            if counted():
                out["admitted"] += 1
                out["wait_sum"] += env.now - arrived
        else:
            let_in.succeed(None)                     # marks it gone for the gate
            if counted():
                out["left"] += 1

    def source():
        while True:
            yield env.timeout(rng.expovariate(rate))
            env.process(customer())

    env.process(gate())
    env.process(source())
    env.run(until=horizon)
    out["wait_mean"] = out["wait_sum"] / out["admitted"] if out["admitted"] else 0.0
    del out["wait_sum"]
    return out


def t975(df):
    table = {1: 12.706, 2: 4.303, 3: 3.182, 4: 2.776, 5: 2.571, 6: 2.447, 7: 2.365, 8: 2.306, 9: 2.262,
             10: 2.228, 12: 2.179, 15: 2.131, 20: 2.086, 25: 2.060, 30: 2.042}
    best = max(k for k in table if k <= df) if df >= 1 else 1
    return table[best] if df <= 30 else 1.96


def main():
    if len(sys.argv) != 8:
        sys.exit(__doc__)
    rate, release, capacity, patience, horizon, warmup = (float(x) for x in sys.argv[1:7])
    reps = int(sys.argv[7])
    runs = [replication(rate, release, capacity, patience, horizon, warmup, 1000 + r) for r in range(reps)]
    summary = {}
    for k in runs[0]:
        xs = [r[k] for r in runs]
        mean = sum(xs) / len(xs)
        var = sum((x - mean) ** 2 for x in xs) / (len(xs) - 1) if len(xs) > 1 else 0.0
        summary[k] = {"mean": mean, "ci95": t975(len(xs) - 1) * math.sqrt(var / len(xs))}
    print(json.dumps({"runs": runs, "summary": summary}, indent=1))


if __name__ == "__main__":
    main()
