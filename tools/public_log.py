#!/usr/bin/env python3
"""Writes a public-style order log for trying `ordersim fit` on a long, unfamiliar log.

Deterministic (a fixed seed): the same file every time, on every machine. It imitates the
public e-commerce exports people first try: two years of orders (2017-01-01 to 2018-12-31)
with growth (traffic triples), a weekly cycle (quiet weekends), a daily cycle (night lull,
evening peak), one row per order, only five time/status columns under their own names and
timestamps like `10/2/2017 10:56` (month/day/year, no leading zeros, minutes):

  order_id, customer_id, order_status, order_purchase_timestamp, order_approved_at,
  order_delivered_carrier_date, order_delivered_customer_date

About 1.5% of orders are never approved (paid); their status is `canceled` and they have no
closing time. Approval takes minutes for most orders and about half a day for a third of
them; the carrier gets a paid order about two days later, the customer about a week after
that. The export is taken at 2019-01-01 00:00: later events are blank and the status says
how far the order got.

Usage: public_log.py [ORDERS] > log.csv   (ORDERS: expected number of orders, default 5000)
"""
import datetime
import math
import random
import sys

EXPECTED = float(sys.argv[1]) if len(sys.argv) > 1 else 5000.0
START = datetime.datetime(2017, 1, 1)
DAYS = 730
EXPORT = START + datetime.timedelta(days=DAYS)
DAILY = [0.15, 0.08, 0.05, 0.04, 0.05, 0.1, 0.3, 0.6, 0.9, 1.2, 1.4, 1.5,
         1.5, 1.45, 1.4, 1.35, 1.35, 1.4, 1.5, 1.6, 1.7, 1.6, 1.1, 0.5]
WEEKLY = [1.1, 1.15, 1.1, 1.05, 1.0, 0.75, 0.7]   # Monday first


def shape(day, hour):
    """Relative rate in that hour: growth x weekly x daily."""
    growth = 1.0 + 2.0 * day / DAYS
    return growth * WEEKLY[(START + datetime.timedelta(days=day)).weekday()] * DAILY[hour]


def poisson(rng, lam):
    """Knuth's method (the hourly means here are small)."""
    limit, k, p = math.exp(-lam), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k


def stamp(t):
    """10/2/2017 10:56: month/day/year hour:minute, no leading zeros but the minute's."""
    return "%d/%d/%d %d:%02d" % (t.month, t.day, t.year, t.hour, t.minute)


def main():
    rng = random.Random(20170101)
    total = sum(shape(d, h) for d in range(DAYS) for h in range(24))
    scale = EXPECTED / total
    out = sys.stdout
    out.write("order_id,customer_id,order_status,order_purchase_timestamp,order_approved_at,"
              "order_delivered_carrier_date,order_delivered_customer_date\n")
    n = 0
    for day in range(DAYS):
        for hour in range(24):
            for _ in range(poisson(rng, scale * shape(day, hour))):
                created = START + datetime.timedelta(days=day, hours=hour, seconds=rng.random() * 3600)
                n += 1
                times = [created, None, None, None]
                status = "canceled"
                if rng.random() >= 0.015:
                    fast = rng.random() < 0.65
                    pay = rng.lognormvariate(math.log(1200 if fast else 43200), 0.6 if fast else 0.7)
                    times[1] = created + datetime.timedelta(seconds=pay)
                    times[2] = times[1] + datetime.timedelta(seconds=rng.lognormvariate(math.log(172800), 0.6))
                    times[3] = times[2] + datetime.timedelta(seconds=rng.lognormvariate(math.log(604800), 0.5))
                    status = "created"
                    for k, name in ((1, "approved"), (2, "shipped"), (3, "delivered")):
                        if times[k] < EXPORT:
                            status = name
                        else:
                            times[k] = None
                cells = ["%08x" % rng.getrandbits(32) + "%04d" % n, "c%05d" % rng.randrange(100000), status]
                cells += [stamp(t) if t else "" for t in times]
                out.write(",".join(cells) + "\n")


main()
