# Odoo shell script (stdin of `odoo-bin shell -d <benchmark db>`, run by `make bench`): where a
# request's time goes without the network. Each request goes through Odoo's WSGI application in this
# process (werkzeug's test client: routing, session, authentication, the whole pipeline, commit), the
# same calls alternating so a drift of the machine weighs on all alike; next to them the ORM floor
# (search_read of the same page as the bench user, record cache cleared, in a cursor of its own).
# Prints one JSON line: p50 milliseconds and SQL queries per request.
import json
import os
import sys
import time

from werkzeug.test import Client

from odoo import api, http, sql_db

sys.path.insert(0, os.environ["BENCH_PROJECT_DIR"])  # the bench package, shared with bench/run.py
from bench.clients import order_body, order_vals  # noqa: E402
from bench.run import LIST_FIELDS_ORM as FIELDS_ORM  # noqa: E402
from bench.run import LIST_FIELDS_OURS

CREDS = json.load(open(os.environ["BENCH_CREDS"]))  # noqa: SIM115 - a script, read once
N = int(os.environ.get("BENCH_INPROCESS_CALLS", "150"))
client = Client(http.root)
auth = {"Authorization": "Bearer " + CREDS["key"]}
json2_headers = dict(auth, **{"X-Odoo-Database": CREDS["db"], "Content-Type": "application/json"})
registry = env.registry  # noqa: F821 - provided by odoo shell
order_ids = env["sale.order"].search([], limit=50, order="id desc").ids  # noqa: F821
env.cr.rollback()  # noqa: F821


def expect(res, status):
    assert res.status_code == status, res.data[:300]


def floor(i):
    with registry.cursor() as cr:
        rows = api.Environment(cr, CREDS["uid"], {})["sale.order"].search_read(
            [], FIELDS_ORM, limit=100, order="id")
        assert len(rows) == 100


def ours_list(i):
    expect(client.get("/api/v1/orders?limit=100&fields=" + LIST_FIELDS_OURS, headers=auth), 200)


def json2_list(i):
    expect(client.post("/json/2/sale.order/search_read", headers=json2_headers, data=json.dumps(
        {"domain": [], "fields": FIELDS_ORM, "limit": 100, "order": "id"})), 200)


def ours_read(i):
    expect(client.get("/api/v1/orders/%d" % order_ids[i % len(order_ids)], headers=auth), 200)


def health(i):
    expect(client.get("/api/v1/health"), 200)


def ours_create(i):
    expect(client.post("/api/v1/orders", headers=dict(auth, **{"Content-Type": "application/json"}),
                       data=json.dumps(order_body(CREDS, i))), 201)


def json2_create(i):
    expect(client.post("/json/2/sale.order/create", headers=json2_headers,
                       data=json.dumps({"vals_list": [order_vals(order_body(CREDS, i))]})), 200)


def measure(group, calls):
    """p50 ms and queries per request of each call of ``group``, alternating, after 10 warm-ups."""
    times = {name: [] for name in group}
    queries = {}
    for name, fn in group.items():
        for i in range(10):
            fn(i)
        before = sql_db.sql_counter
        fn(10)
        queries[name] = sql_db.sql_counter - before
    for i in range(calls):
        for name, fn in (group.items() if i % 2 == 0 else reversed(group.items())):
            t0 = time.perf_counter()
            fn(1000 + i)
            times[name].append((time.perf_counter() - t0) * 1000)
    out = {}
    for name, values in times.items():
        values.sort()
        out[name] = {"p50_ms": round(values[len(values) // 2], 2), "queries": queries[name]}
    return out


result = {"scenario": "inprocess", "calls": N}
result.update(measure({"orm_floor": floor, "ours_list": ours_list, "json2_list": json2_list,
                       "ours_read": ours_read, "health": health}, N))
result.update(measure({"ours_create": ours_create, "json2_create": json2_create}, max(20, N // 5)))
result["ratio_ours_list_vs_floor"] = round(result["ours_list"]["p50_ms"] / result["orm_floor"]["p50_ms"], 2)
result["ratio_json2_vs_ours_list"] = round(result["json2_list"]["p50_ms"] / result["ours_list"]["p50_ms"], 2)
result["ratio_json2_vs_ours_create"] = round(result["json2_create"]["p50_ms"] / result["ours_create"]["p50_ms"], 3)
print(json.dumps(result))
