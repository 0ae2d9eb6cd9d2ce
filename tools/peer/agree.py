#!/usr/bin/python3
"""Compares ordersim's figures with a peer model's: each pair must agree within the sum of
their 95% half-widths, and the peer's figure must be away from 0 when asked (so that the
mechanism was exercised).

Usage: agree.py ORDERSIM_JSON PEER_JSON NAME=OURS_PATH[:nonzero] ...
  OURS_PATH is a dotted path into ordersim's `run --json` ("metrics.customers_shed",
  "stations.waiting_room.wait_mean"); its half-width is read from the matching "ci95" or
  "stations_ci95" entry. NAME is the peer's summary key.
"""
import json
import sys


def main():
    ours = json.load(open(sys.argv[1]))
    peer = json.load(open(sys.argv[2]))["summary"]
    bad = 0
    for spec in sys.argv[3:]:
        name, path = spec.split("=", 1)
        nonzero = path.endswith(":nonzero")
        path = path.split(":")[0]
        parts = path.split(".")
        ci_root = "ci95" if parts[0] == "metrics" else "stations_ci95"
        v, c = ours, ours[ci_root]
        for p in parts:
            v = v[p]
        for p in parts[1:]:
            c = c[p]
        pm, pc = peer[name]["mean"], peer[name]["ci95"]
        ok = abs(v - pm) <= c + pc and (not nonzero or pm > 0)
        print("%s %-28s ordersim %.6g +/- %.3g   peer %.6g +/- %.3g" % ("ok  " if ok else "FAIL", name, v, c, pm, pc))
        bad += not ok
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
