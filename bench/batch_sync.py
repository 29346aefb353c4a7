"""Issue 13 bench scenario: one fixed workload per side, sequential on one connection.

1,000 orders of 3 lines as 1,000 single POST /api/v1/orders, as 10 batches of 100, and as 10 Odoo
/json/2 sale.order/create calls of 100 vals; 1,000 partner upserts single vs 5 batches of 200; then
the change feed read to its end (changes/s, server RSS before and after).

The sides are interleaved chunk by chunk (100 single orders, one batch of 100, one /json/2 create of
100; then the next 100), each side's time summed over its chunks: a load change on the shared machine
then weighs on every side alike instead of on whichever side ran during it. The order changes from
chunk to chunk after a Williams design (``stats.balanced_order``: single, batch, json2; batch, json2,
single; json2, single, batch; json2, batch, single; ...): with a fixed order the batch always ran
right after 100 single requests (their log rows being flushed, their connections closing) and json2
always after the batch; a plain rotation still put the batch right after the singles in 2 turns of 3.
Over 6 chunks each side runs right after each other side equally often."""
import os
import time
import uuid

from . import clients as C
from .stats import balanced_order, ratio, round_ratios


def _check(r, ok):
    if not ok(r):
        raise C.ApiError("%s %s" % (r.status_code, r.text[:200]))
    return r


def _timed(fn, *args):
    t0 = time.monotonic()
    fn(*args)
    return time.monotonic() - t0


class Workload:
    def __init__(self, bench):
        self.bench, self.c, self.s = bench, bench.c, bench.s
        self.tag = uuid.uuid4().hex[:6]
        self.n = int(os.environ.get("BENCH_BATCH_ORDERS", "1000"))

    def body(self, i):
        return C.order_body(self.bench.creds, i)

    def orders_single(self, k):
        for i in range(k, min(k + 100, self.n)):
            r = _check(self.c.ours(self.s, "POST", "/api/v1/orders", json=dict(
                self.body(i), external_ref="bs-%s-%d" % (self.tag, i))), lambda r: r.status_code == 201)
            self.bench.created_orders.append(r.json()["id"])

    def orders_batch(self, k):
        items = [dict(self.body(i), external_ref="bb-%s-%d" % (self.tag, i))
                 for i in range(k, min(k + 100, self.n))]
        r = _check(self.c.ours(self.s, "POST", "/api/v1/orders/batch", json={"items": items}),
                   lambda r: r.status_code == 200 and all(x["status"] == 201 for x in r.json()["results"]))
        self.bench.created_orders.extend(x["id"] for x in r.json()["results"])

    def orders_json2(self, k):
        vals = [C.order_vals(self.body(i)) for i in range(k, min(k + 100, self.n))]
        r = _check(self.c.json2_raw(self.s, "sale.order", "create", {"vals_list": vals}),
                   lambda r: r.status_code == 200)
        self.bench.created_orders.extend(r.json())

    def upserts_single(self, k):
        for i in range(k, min(k + 200, self.n)):
            _check(self.c.ours(self.s, "PUT", "/api/v1/partners/external/ps-%s-%d" % (self.tag, i),
                               json={"name": "P %d" % i}), lambda r: r.status_code in (200, 201))

    def upserts_batch(self, k):
        _check(self.c.ours(self.s, "PUT", "/api/v1/partners/batch", json={"items": [
            {"external_ref": "pb-%s-%d" % (self.tag, i), "name": "P %d" % i}
            for i in range(k, min(k + 200, self.n))]}), lambda r: r.status_code == 200)

    def feed(self):
        after, count, has_more = "0", 0, True
        while has_more:
            page = _check(self.c.ours(self.s, "GET", "/api/v1/changes", params={"after": after, "limit": 1000}),
                          lambda r: r.status_code == 200).json()
            count += len(page["data"])
            after, has_more = page["next_cursor"], page["has_more"]
        return count


def run(bench):
    bench.need_api()
    w = Workload(bench)
    # (records, seconds) of each chunk of each side: the side's rate over all of them, and by chunk
    chunks = {name: [] for name in ("orders_single", "orders_batch", "orders_json2", "upserts_single", "upserts_batch")}
    for names, chunk in ((("orders_single", "orders_batch", "orders_json2"), 100),
                         (("upserts_single", "upserts_batch"), 200)):
        for turn, k in enumerate(range(0, w.n, chunk)):
            for name in balanced_order(names, turn):
                chunks[name].append((min(chunk, w.n - k), _timed(getattr(w, name), k)))
    rss = bench.rss_kb(bench.args.server_pid)
    t0 = time.monotonic()
    changes = w.feed()
    feed_s = time.monotonic() - t0
    rss_after = bench.rss_kb(bench.args.server_pid)
    per_s = {name: w.n / sum(secs for _n, secs in done) for name, done in chunks.items()}

    def chunk_rates(side):
        return [n / secs for n, secs in chunks[side]]

    out = {name + "_per_s": round(v, 1) for name, v in per_s.items()}
    out.update({
        "ratio_orders_batch_vs_single": ratio(per_s["orders_batch"], per_s["orders_single"]),
        "ratio_orders_batch_vs_json2": ratio(per_s["orders_batch"], per_s["orders_json2"]),
        "chunks_orders_batch_vs_json2": round_ratios(chunk_rates("orders_batch"), chunk_rates("orders_json2")),
        "ratio_upserts_batch_vs_single": ratio(per_s["upserts_batch"], per_s["upserts_single"]),
        "feed_changes": changes, "feed_changes_per_s": round(changes / feed_s, 1) if feed_s else None,
        "feed_rss_before_mb": round(rss["total_kb"] / 1024, 1),
        "feed_rss_after_mb": round(rss_after["total_kb"] / 1024, 1),
        "note": "sequential, one connection, the sides interleaved chunk by chunk; the bench user's "
                "rate limit must allow the items",
    })
    return out
