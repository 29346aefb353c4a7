"""`make faults`: scripted fault scenarios, each bounded in time, each printing PASS/FAIL (or SKIP
with the reason) and its counts. Writes bench/results/faults.json.

    python -m bench.faults --config faults.json

The config (written by scripts/faults.sh) names the Odoo command, the benchmark database and its
credentials, and a second, private PostgreSQL cluster used only by the PostgreSQL-restart scenario
(the main cluster is shared with other runs and is never restarted).
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter

import requests

from . import clients as C
from . import webhooks as W

RESULTS = []


def say(msg):
    sys.stdout.write(msg + "\n")
    sys.stdout.flush()


class Server:
    """An Odoo server of our own (its own process group, so kill -9 reaches every worker)."""

    def __init__(self, cmd, url, log):
        self.cmd, self.url, self.log, self.proc = cmd, url, log, None

    def start(self, timeout=120):
        # the config file names the database server; PG* variables of the calling shell (which point
        # at the main cluster) must not leak into a server meant for the private one
        env = {k: v for k, v in os.environ.items() if not k.startswith("PG")}
        self.proc = subprocess.Popen(self.cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                     start_new_session=True, env=env)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                # /web/login makes Odoo load the database's registry (auth="none" routes such as
                # /api/v1/health answer 404 until then when no cron thread has loaded it)
                if requests.get(self.url + "/web/login", timeout=30).status_code == 200 and \
                        requests.get(self.url + "/api/v1/health", timeout=10).status_code == 200:
                    return
            except requests.RequestException:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("Odoo exited while starting (log: %s)" % self.log)
            time.sleep(0.5)
        raise RuntimeError("Odoo did not answer within %d s (log: %s)" % (timeout, self.log))

    def kill9(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill9()


def scenario(name):
    def deco(fn):
        def run(ctx):
            say("\n== %s" % name)
            t0 = time.monotonic()
            try:
                ok, counts = fn(ctx)
                status = "PASS" if ok else "FAIL"
            except C.Skip as exc:
                status, counts = "SKIP", {"reason": str(exc)}
            except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the others
                status, counts = "FAIL", {"error": "%s: %s" % (type(exc).__name__, str(exc)[:400])}
            counts["seconds"] = round(time.monotonic() - t0, 1)
            RESULTS.append({"scenario": name, "status": status, "counts": counts})
            say("%s  %s  %s" % (status, name, json.dumps(counts)))
        return run
    return deco


class Ctx:
    def __init__(self, cfg):
        self.cfg = cfg
        with open(cfg["creds"]) as f:
            self.creds = json.load(f)
        self.server = Server(cfg["odoo_cmd"], cfg["url"], cfg["log"])
        self.c = C.Clients(cfg["url"], self.creds)
        self.admin = C.Clients(cfg["url"], dict(self.creds, uid=self.creds["admin_uid"], key=self.creds["admin_key"]))
        self.s = requests.Session()
        # what bench.webhooks expects of its "bench" argument
        self.conc, self.seconds = 4, 5


def _ids_by_data(snapshot, wanted):
    by = {}
    for _t, wid, body in snapshot:
        did = W._data_id(body)
        if did in wanted:
            by.setdefault(did, []).append(wid)
    return by


@scenario("kill -9 of Odoo during dispatch, then restart")
def kill_during_dispatch(ctx, n=1000):
    recv = W.Receiver(lambda k, h: (200, {}, 0.01))  # 10 ms per delivery: the burst takes a few seconds
    try:
        ep = W.make_endpoint(ctx, "bench-fault-kill", recv.url, "res.partner")
        tag = uuid.uuid4().hex[:6]
        ids = ctx.c.json2(ctx.s, "res.partner", "create", {"vals_list": [
            {"name": "Kill %s %d" % (tag, i)} for i in range(n)]})
        wanted = set(ids)
        recv.wait_for(lambda r: len(r) >= n // 5, 60)
        before = len(recv.snapshot())
        ctx.server.kill9()
        killed_at = len(recv.snapshot())
        ctx.server.start()
        recv.wait_for(lambda r: len(_ids_by_data(r, wanted)) >= n, 150)
        by = _ids_by_data(recv.snapshot(), wanted)
        dup_events = sum(1 for v in by.values() if len(v) > 1)
        mixed_ids = sum(1 for v in by.values() if len(set(v)) > 1)
        W.drop_endpoint(ctx, ep)
        counts = {"committed_events": n, "received_before_kill": before, "received_at_kill": killed_at,
                  "delivered_events": len(by), "missing": n - len(by), "events_with_duplicates": dup_events,
                  "duplicates_with_a_different_webhook_id": mixed_ids}
        return len(by) == n and mixed_ids == 0, counts
    finally:
        recv.close()


def _deliver_one(ctx, behaviour, name, endpoint_extra=None, wait=40, until=None, settle=2):
    """One partner created -> one event to a receiver with ``behaviour``; returns (receiver posts for
    the event, endpoint record, delivery records)."""
    recv = W.Receiver(behaviour)
    try:
        ep = W.make_endpoint(ctx, name, recv.url, "res.partner", **(endpoint_extra or {}))
        pid = ctx.c.json2(ctx.s, "res.partner", "create", {"vals_list": [{"name": name + " " + uuid.uuid4().hex[:6]}]})[0]
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            posts = [(t, w) for t, w, b in recv.snapshot() if W._data_id(b) == pid]
            if until(posts):
                break
            time.sleep(0.2)
        time.sleep(settle)  # the dispatcher records the answer after the receiver got the request
        posts = [(t, w) for t, w, b in recv.snapshot() if W._data_id(b) == pid]
        epr = ctx.admin.json2(ctx.s, "webhook.endpoint", "read", {"ids": [ep], "fields": ["state", "active"]})[0]
        dels = ctx.admin.json2(ctx.s, "webhook.delivery", "search_read", {
            "domain": [["endpoint_id", "=", ep]], "fields": ["state", "attempt_count"] if _has_field(ctx, "attempt_count") else ["state"]})
        W.drop_endpoint(ctx, ep)
        return posts, epr, dels
    finally:
        recv.close()


def _has_field(ctx, name):
    if not hasattr(ctx, "_delivery_fields"):
        ctx._delivery_fields = set(ctx.admin.json2(ctx.s, "webhook.delivery", "fields_get", {"attributes": ["type"]}))
    return name in ctx._delivery_fields


@scenario("receiver answers 500, then 200")
def receiver_500(ctx):
    posts, _ep, dels = _deliver_one(ctx, lambda k, h: (500 if k == 0 else 200, {}, 0), "bench-fault-500",
                                    until=lambda p: len(p) >= 2, wait=90)
    same_id = len({w for _t, w in posts}) == 1
    gap = round(posts[1][0] - posts[0][0], 1) if len(posts) > 1 else None
    # retried after ~5 s (the schedule), not left to the next cron poll (60 s)
    return len(posts) == 2 and same_id and gap is not None and gap <= 20, {
        "posts": len(posts), "same_webhook_id": same_id, "retry_after_s": gap,
        "delivery_states": Counter(d["state"] for d in dels)}


@scenario("receiver answers 429 with Retry-After: 8, then 200")
def receiver_429(ctx):
    posts, _ep, dels = _deliver_one(ctx, lambda k, h: ((429, {"Retry-After": "8"}, 0) if k == 0 else (200, {}, 0)),
                                    "bench-fault-429", until=lambda p: len(p) >= 2, wait=90)
    gap = round(posts[1][0] - posts[0][0], 1) if len(posts) > 1 else None
    # Retry-After is honoured (not before 8 s) and the retry is not left to the next cron poll (60 s)
    ok = len(posts) == 2 and gap is not None and 7.5 <= gap <= 20 and len({w for _t, w in posts}) == 1
    return ok, {"posts": len(posts), "retry_gap_s": gap, "delivery_states": Counter(d["state"] for d in dels)}


@scenario("receiver answers 410 Gone (endpoint disabled, no further attempt)")
def receiver_410(ctx):
    posts, ep, dels = _deliver_one(ctx, lambda k, h: (410, {}, 0), "bench-fault-410",
                                   until=lambda p: len(p) >= 1, wait=30, settle=8)  # a retry would come after >= 5 s
    disabled = ep.get("state") == "disabled" or not ep.get("active")
    return len(posts) == 1 and disabled, {"posts": len(posts), "endpoint": ep,
                                           "delivery_states": Counter(d["state"] for d in dels)}


@scenario("receiver times out once (endpoint timeout 2 s, answer after 4 s), then 200")
def receiver_timeout(ctx):
    posts, _ep, dels = _deliver_one(ctx, lambda k, h: (200, {}, 4 if k == 0 else 0), "bench-fault-timeout",
                                    endpoint_extra={"timeout": 2.0}, until=lambda p: len(p) >= 2, wait=90)
    same_id = len({w for _t, w in posts}) == 1
    return len(posts) == 2 and same_id, {"posts": len(posts), "same_webhook_id": same_id,
                                          "delivery_states": Counter(d["state"] for d in dels)}


@scenario("slow receiver (1.5 s per answer, within the timeout): 20 events, each delivered once")
def receiver_slow(ctx, n=20):
    recv = W.Receiver(lambda k, h: (200, {}, 1.5))
    try:
        ep = W.make_endpoint(ctx, "bench-fault-slow", recv.url, "res.partner")
        ids = ctx.c.json2(ctx.s, "res.partner", "create", {"vals_list": [{"name": "Slow %d" % i} for i in range(n)]})
        wanted = set(ids)
        recv.wait_for(lambda r: len(_ids_by_data(r, wanted)) >= n, 90)
        time.sleep(3)
        by = _ids_by_data(recv.snapshot(), wanted)
        W.drop_endpoint(ctx, ep)
        posts = sum(len(v) for v in by.values())
        return len(by) == n and posts == n, {"events": n, "delivered": len(by), "posts": posts}
    finally:
        recv.close()


def _concurrent(n, fn):
    barrier = threading.Barrier(n)
    results = [None] * n

    def run(i):
        s = requests.Session()
        barrier.wait()
        try:
            results[i] = fn(s, i)
        except Exception as exc:  # noqa: BLE001
            results[i] = ("exception", str(exc)[:200])
    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(180)
    return results


def _need_api(ctx):
    r = ctx.c.ours(ctx.s, "GET", "/api/v1/orders", params={"limit": 1})
    if r.status_code != 200:
        raise C.Skip("REST API not answering (GET /api/v1/orders: %s)" % r.status_code)


@scenario("50 concurrent identical POST /api/v1/orders with one Idempotency-Key")
def idempotency_race(ctx, n=50):
    _need_api(ctx)
    key = "bench-idem-" + uuid.uuid4().hex
    ref = "bench-idem-ref-" + uuid.uuid4().hex[:8]
    body = {"partner_id": ctx.creds["partner_ids"][0], "client_order_ref": ref,
            "lines": [{"product_id": p, "quantity": 1} for p in ctx.creds["product_ids"][:3]]}

    def post(s, i):
        r = ctx.c.ours(s, "POST", "/api/v1/orders", json=body, headers={"Idempotency-Key": key})
        oid = r.json().get("id") if r.headers.get("Content-Type", "").startswith("application/json") else None
        return r.status_code, oid, r.text[:300]
    res = _concurrent(n, post)
    statuses = Counter(str(x[0]) for x in res)
    samples = {str(x[0]): x[2] for x in res if x[0] not in (200, 201)}
    order_ids = {x[1] for x in res if x[0] in (200, 201) and x[1]}
    stored = ctx.c.json2(ctx.s, "sale.order", "search_count", {"domain": [["client_order_ref", "=", ref]]})
    bad = [x for x in res if x[0] not in (200, 201, 409)]
    ok = stored == 1 and len(order_ids) <= 1 and not bad
    return ok, {"requests": n, "statuses": dict(statuses), "orders_created": stored,
                "distinct_order_ids_returned": len(order_ids), "sample_bodies": samples}


@scenario("50 concurrent POST /api/v1/orders with one external_ref")
def external_ref_race(ctx, n=50):
    _need_api(ctx)
    ref = "bench-ext-" + uuid.uuid4().hex[:10]
    body = {"partner_id": ctx.creds["partner_ids"][1], "external_ref": ref,
            "lines": [{"product_id": p, "quantity": 1} for p in ctx.creds["product_ids"][:3]]}

    def post(s, i):
        r = ctx.c.ours(s, "POST", "/api/v1/orders", json=body)
        oid = r.json().get("id") if r.headers.get("Content-Type", "").startswith("application/json") else None
        return r.status_code, oid, r.text[:300]
    res = _concurrent(n, post)
    statuses = Counter(str(x[0]) for x in res)
    samples = {str(x[0]): x[2] for x in res if x[0] not in (200, 201)}
    stored = ctx.c.json2(ctx.s, "sale.order", "search_count", {"domain": [["external_ref", "=", ref]]})
    ids = {x[1] for x in res if x[0] in (200, 201)}
    ok = stored == 1 and statuses.get("201", 0) == 1 and len(ids) == 1 and all(x[0] in (200, 201) for x in res)
    return ok, {"requests": n, "statuses": dict(statuses), "orders_with_ref": stored, "distinct_ids_returned": len(ids),
                "sample_bodies": samples}


@scenario("inbound duplicate floods (1,000 copies of one event; 100 events x 10 copies)")
def inbound_floods(ctx):
    info = ctx.creds.get("inbound") or {}
    if "skip" in info:
        raise C.Skip(info["skip"])
    url = ctx.c.base + "/api/v1/webhooks/" + info["slug"]
    tag = uuid.uuid4().hex[:8]
    statuses = Counter()
    lock = threading.Lock()

    def post(s, msg_id):
        body = json.dumps({"type": "bench.flood", "data": {"id": msg_id}})
        r = s.post(url, data=body, headers=W._signed(info["secret"], msg_id, body), timeout=120)
        try:
            st = r.json().get("status")
        except ValueError:
            st = None
        with lock:
            statuses["%d %s" % (r.status_code, st)] += 1

    one = "msg_%s_one" % tag
    C.load(lambda s, i: post(s, one) or True, concurrency=16, duration=120, max_requests=1000, warmup=0, session=requests.Session)
    many = ["msg_%s_%d" % (tag, k) for k in range(100)]
    C.load(lambda s, i: post(s, many[i % 100]) or True, concurrency=16, duration=120, max_requests=1000, warmup=0, session=requests.Session)
    stored_one = ctx.admin.json2(ctx.s, "webhook.event", "search_count", {"domain": [["event_id", "=", one]]})
    stored_many = ctx.admin.json2(ctx.s, "webhook.event", "search_count", {"domain": [["event_id", "in", many]]})
    non_200 = sum(v for k, v in statuses.items() if not k.startswith("200"))
    ok = stored_one == 1 and stored_many == 100 and non_200 == 0
    return ok, {"posts": sum(statuses.values()), "responses": dict(statuses), "stored_single": stored_one,
                "stored_of_100": stored_many}


@scenario("PostgreSQL restart mid-load (private cluster): 503 problem+json while down, recovery, nothing lost")
def pg_restart(ctx):
    pg = ctx.cfg.get("pg_fault")
    if not pg:
        raise C.Skip(ctx.cfg.get("pg_fault_skip") or "no private cluster configured")
    with open(pg["creds"]) as f:
        creds = json.load(f)
    srv = Server(pg["odoo_cmd"], pg["url"], pg["log"])
    c = C.Clients(pg["url"], creds)
    s = requests.Session()
    try:
        srv.start()
        r = c.ours(s, "GET", "/api/v1/orders", params={"limit": 1})
        if r.status_code != 200:
            raise C.Skip("REST API not answering on the private cluster (%s)" % r.status_code)
        stop = threading.Event()
        down = threading.Event()
        tallies = Counter()
        down_answers = Counter()
        acked = {}  # external_ref -> order id, for every 200/201
        lock = threading.Lock()
        tag = uuid.uuid4().hex[:6]

        def writer(widx):
            ss = requests.Session()
            k = 0
            while not stop.is_set():
                ref = "pgr-%s-%d-%d" % (tag, widx, k)
                idem = "idem-" + ref
                body = {"partner_id": creds["partner_ids"][0], "external_ref": ref,
                        "lines": [{"product_id": creds["product_ids"][0], "quantity": 1}]}
                for _attempt in range(200):  # retried with the same Idempotency-Key until answered
                    try:
                        r = c.ours(ss, "POST", "/api/v1/orders", json=body, headers={"Idempotency-Key": idem}, timeout=15)
                        code, ctype = r.status_code, r.headers.get("Content-Type", "")
                    except requests.RequestException as exc:
                        code, ctype = "conn-error", type(exc).__name__
                    with lock:
                        tallies[str(code)] += 1
                        if down.is_set():
                            down_answers["%s %s" % (code, ctype.split(";")[0])] += 1
                    if code in (200, 201):
                        with lock:
                            acked[ref] = r.json().get("id")
                        break
                    time.sleep(0.3)
                k += 1
        threads = [threading.Thread(target=writer, args=(i,)) for i in range(3)]
        for t in threads:
            t.start()
        time.sleep(4)
        subprocess.run(pg["stop"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        down.set()  # only once the server is really down: a request committed while it shut down is a genuine 201
        time.sleep(6)
        probe = None
        try:
            pr = c.ours(s, "GET", "/api/v1/orders", params={"limit": 1}, timeout=15)
            probe = {"status": pr.status_code, "content_type": pr.headers.get("Content-Type"), "body": pr.text[:200]}
        except requests.RequestException as exc:
            probe = {"error": type(exc).__name__}
        subprocess.run(pg["start"], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        down.clear()
        time.sleep(8)
        stop.set()
        for t in threads:
            t.join(60)
        refs = list(acked)
        found = c.json2(s, "sale.order", "search_read", {"domain": [["external_ref", "like", "pgr-%s-" % tag]],
                                                         "fields": ["external_ref"]})
        found_refs = Counter(x["external_ref"] for x in found)
        lost = [x for x in refs if found_refs.get(x, 0) == 0]
        dups = [x for x, v in found_refs.items() if v > 1]
        answered_503_problem = any(k.startswith("503 application/problem+json") for k in down_answers)
        other_down = {k: v for k, v in down_answers.items() if not k.startswith("503 application/problem+json")}
        ok = not lost and not dups and answered_503_problem and not other_down and len(refs) > 0
        return ok, {"acknowledged_orders": len(refs), "lost": len(lost), "duplicates": len(dups),
                    "answers_while_down": dict(down_answers), "probe_while_down": probe, "all_answers": dict(tallies)}
    finally:
        srv.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default=os.environ.get("FAULTS_ONLY", ""))
    args = ap.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    ctx = Ctx(cfg)
    plan = [("idempotency", idempotency_race), ("external_ref", external_ref_race), ("inbound", inbound_floods),
            ("http500", receiver_500), ("http429", receiver_429), ("http410", receiver_410),
            ("timeout", receiver_timeout), ("slow", receiver_slow), ("kill", kill_during_dispatch),
            ("pg", pg_restart)]
    only = set(filter(None, args.only.split(",")))
    ctx.server.start()
    try:
        for key, fn in plan:
            if not only or key in only:
                if key == "pg":
                    ctx.server.stop()  # one Odoo at a time on 2 cores
                fn(ctx)
    finally:
        ctx.server.stop()
    summary = Counter(r["status"] for r in RESULTS)
    with open(args.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "results": RESULTS,
                   "summary": dict(summary)}, f, indent=1)
    say("\nfaults: %d passed, %d failed, %d skipped" % (summary["PASS"], summary["FAIL"], summary["SKIP"]))
    sys.exit(1 if summary["FAIL"] else 0)


if __name__ == "__main__":
    main()
