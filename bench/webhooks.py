"""Webhook scenarios of the benchmark (and a local receiver shared with the fault scenarios).

dispatch: a webhook.endpoint pointing at a receiver on 127.0.0.1; commit-to-receipt latency of
          orders created one by one, then dispatch throughput of a burst of committed events.
inbound:  signed Standard Webhooks events POSTed to /api/v1/webhooks/<slug>: accepted events/s and
          p99 with dedupe on, then a flood of duplicates of one event (stored once?).
"""
import json
import threading
import time
import uuid
from collections import Counter
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from . import clients as C
from .stats import per_second, percentile


class Receiver:
    """ThreadingHTTPServer on 127.0.0.1 recording every POST: (time.time(), webhook-id, body dict).
    ``behaviour(n, headers) -> (status, headers, delay_s)`` decides the answer (default 200)."""

    def __init__(self, behaviour=None):
        self.received = []
        self.lock = threading.Lock()
        self.behaviour = behaviour
        recv = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self):  # noqa: N802 (http.server API)
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                now = time.time()
                try:
                    data = json.loads(body)
                except ValueError:
                    data = None
                with recv.lock:
                    n = len(recv.received)
                    recv.received.append((now, self.headers.get("webhook-id"), data))
                status, headers, delay = 200, {}, 0
                if recv.behaviour:
                    status, headers, delay = recv.behaviour(n, self.headers)
                if delay:
                    time.sleep(delay)
                payload = b"ok"
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except OSError:
                    pass

            def log_message(self, *args):
                pass

        class Server(ThreadingHTTPServer):
            def handle_error(self, request, client_address):
                pass  # a sender killed mid-request (fault scenarios) is expected, not an error

        self.server = Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = "http://127.0.0.1:%d/hook" % self.port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def snapshot(self):
        with self.lock:
            return list(self.received)

    def wait_for(self, predicate, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self.snapshot()):
                return True
            time.sleep(0.05)
        return predicate(self.snapshot())

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def model_id(bench, model):
    ids = bench.admin.json2(bench.s, "ir.model", "search", {"domain": [["model", "=", model]], "limit": 1})
    return ids[0]


def make_endpoint(bench, name, url, model, **extra):
    # endpoints are configured by an administrator (the admin's key), as in real life
    if not bench.admin.json2_raw(bench.s, "webhook.endpoint", "search_count", {"domain": []}).ok:
        raise C.Skip("webhook.endpoint not available (outbound webhooks, issue 4)")
    vals = {"name": name, "url": url, "model_id": model_id(bench, model), "event_created": True,
            "event_updated": False, "event_deleted": False}
    vals.update(extra)
    return bench.admin.json2(bench.s, "webhook.endpoint", "create", {"vals_list": [vals]})[0]


def drop_endpoint(bench, ep_id):
    try:
        bench.admin.json2(bench.s, "webhook.endpoint", "write", {"ids": [ep_id], "vals": {"active": False}})
        bench.admin.json2(bench.s, "webhook.endpoint", "unlink", {"ids": [ep_id]})
    except C.ApiError as exc:
        return str(exc)
    return None


def _data_id(body):
    data = (body or {}).get("data") or {}
    return data.get("id") if isinstance(data, dict) else None


def dispatch(bench, n_latency=60, n_burst=2000, pace_s=0.2, wait_s=120):
    out = {}
    recv = Receiver()
    s, c = bench.s, bench.c
    try:
        # 1. commit-to-receipt latency, orders created one by one
        ep = make_endpoint(bench, "bench-latency", recv.url, "sale.order")
        sent = {}
        partners, products = bench.creds["partner_ids"], bench.creds["product_ids"]
        for i in range(n_latency):
            vals = {"partner_id": partners[i % len(partners)],
                    "order_line": [[0, 0, {"product_id": products[(i + k) % len(products)], "product_uom_qty": 1}]
                                   for k in range(3)]}
            oid = c.json2(s, "sale.order", "create", {"vals_list": [vals]})[0]
            sent[oid] = time.time()  # the transaction committed before the response was sent
            bench.created_orders.append(oid)
            time.sleep(pace_s)
        recv.wait_for(lambda r: len({_data_id(b) for _t, _w, b in r} & set(sent)) >= len(sent), 30)
        got = {}
        for t, _wid, body in recv.snapshot():
            oid = _data_id(body)
            if oid in sent and oid not in got:
                got[oid] = t
        lat = [(got[o] - sent[o]) * 1000 for o in got]
        out["commit_to_receipt"] = {
            "orders": n_latency, "received": len(got), "pace_per_s": round(1 / pace_s, 1),
            "p50_ms": _r(percentile(lat, 50)), "p90_ms": _r(percentile(lat, 90)),
            "p99_ms": _r(percentile(lat, 99)), "max_ms": _r(max(lat) if lat else None),
            "note": "from the create response (sent after the commit) to the receiver's receipt"}
        drop_endpoint(bench, ep)

        # 2. throughput: one transaction creating n_burst partners -> n_burst deliveries
        recv2 = Receiver()
        try:
            ep = make_endpoint(bench, "bench-burst", recv2.url, "res.partner")
            tag = uuid.uuid4().hex[:6]
            t0 = time.time()
            ids = c.json2(s, "res.partner", "create", {"vals_list": [
                {"name": "Burst %s %d" % (tag, i), "email": "burst%d@bench.example.com" % i} for i in range(n_burst)]})
            t_commit = time.time()
            wanted = set(ids)
            recv2.wait_for(lambda r: len({_data_id(b) for _t, _w, b in r} & wanted) >= len(wanted), wait_s)
            snap = recv2.snapshot()
            times = sorted(t for t, _w, b in snap if _data_id(b) in wanted)
            wids = Counter(w for _t, w, _b in snap)
            span = (times[-1] - times[0]) if len(times) > 1 else None
            out["throughput"] = {
                "events": n_burst, "received": len({_data_id(b) for _t, _w, b in snap} & wanted),
                "posts_received": len(snap), "duplicate_posts": sum(v - 1 for v in wids.values() if v > 1),
                "create_transaction_s": round(t_commit - t0, 2),
                "deliveries_per_s": round(len(times) / span, 1) if span else None,
                "deliveries_per_s_from_commit": round(len(times) / (times[-1] - t_commit), 1) if times else None,
                "first_receipt_after_commit_ms": round((times[0] - t_commit) * 1000, 1) if times else None,
                "series": per_second(times, start=t_commit),
            }
            drop_endpoint(bench, ep)
            try:
                c.json2(s, "res.partner", "unlink", {"ids": ids})
            except C.ApiError:
                pass
        finally:
            recv2.close()
    finally:
        recv.close()
    return out


def _signed(secret, msg_id, body):
    from standardwebhooks.webhooks import Webhook
    ts = datetime.now(timezone.utc)
    sig = Webhook(secret).sign(msg_id, ts, body)
    return {"webhook-id": msg_id, "webhook-timestamp": str(int(ts.timestamp())), "webhook-signature": sig,
            "Content-Type": "application/json"}


def inbound(bench, n_dupes=1000):
    info = bench.creds.get("inbound") or {}
    if "skip" in info:
        raise C.Skip(info["skip"])
    url = bench.c.base + "/api/v1/webhooks/" + info["slug"]
    secret = info["secret"]
    tag = uuid.uuid4().hex[:8]
    statuses = Counter()

    def unique(sess, i):
        msg_id = "msg_%s_%d" % (tag, i)
        body = json.dumps({"type": "bench.event", "data": {"n": i}})
        r = sess.post(url, data=body, headers=_signed(secret, msg_id, body), timeout=60)
        return r.status_code == 200 and r.json().get("status") == "accepted"

    out = {"unique_events": C.load(unique, bench.conc, bench.seconds, bench.args.max_requests)}
    dup_id = "msg_%s_dup" % tag
    dup_body = json.dumps({"type": "bench.event", "data": {"dup": True}})

    def dup(sess, i):
        r = sess.post(url, data=dup_body, headers=_signed(secret, dup_id, dup_body), timeout=60)
        statuses["%d %s" % (r.status_code, (r.json() or {}).get("status") if r.headers.get(
            "Content-Type", "").startswith("application/json") else "")] += 1
        return r.status_code == 200

    flood = C.load(dup, 8, 120, n_dupes, warmup=0)
    flood["responses"] = dict(statuses)
    try:
        stored = bench.c.json2(bench.s, "webhook.event", "search_count", {"domain": [["event_id", "=", dup_id]]})
    except C.ApiError as exc:
        stored = "unknown (%s)" % str(exc)[:100]
    flood["stored_events"] = stored
    out["duplicate_flood"] = flood
    return out


def _r(x):
    return None if x is None else round(x, 1)
