"""Several Odoo nodes, a streaming replica and a load balancer (scripts/cluster_faults.sh and the
cluster mode of scripts/bench.sh): cross-node fault scenarios with PASS/FAIL and counts, and the
cluster measurements (reads through the balancer on the replica vs one node on the primary, the
primary's share of the reads, the replica's lag under a write load).

    python -m bench.cluster faults --config cluster.json --out bench/results/cluster_faults.json
    python -m bench.cluster bench  --config cluster.json --out run-dir/cluster.json

The config (written by the scripts) names the nodes' commands and URLs, the balancer's config and
pid file, the replica's pg_ctl commands and the ports of both PostgreSQL servers.
"""
import argparse
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from contextlib import contextmanager

import psycopg2
import requests

from . import clients as C
from . import faults as F
from . import webhooks as W

# the tables a REST or /json/2 read of orders touches: their rows read on each server (pg_stat_user_tables,
# also kept by a hot standby for its own queries) tell where the reads ran, apart from the per-request
# bookkeeping that belongs on the primary (key check, rate counter, log row) and the nodes' cron polling
BUSINESS_TABLES = ("sale_order", "sale_order_line", "res_partner")
# the request header that sends a read to the primary (read-your-writes), see README
READ_PRIMARY = os.environ.get("RW_READ_PRIMARY_HEADER", "X-Read-Primary")


# --------------------------------------------------------------------------------------- plumbing
class Cluster:
    def __init__(self, cfg):
        self.cfg = cfg
        with open(cfg["creds"]) as f:
            self.creds = json.load(f)
        self.extra = {}
        if cfg.get("cluster_creds") and os.path.exists(cfg["cluster_creds"]):
            with open(cfg["cluster_creds"]) as f:
                self.extra = json.load(f)
        self.nodes = [F.Server(n["cmd"], n["url"], n["log"]) for n in cfg["nodes"]]
        self.url = cfg["balancer_url"]
        self.c = C.Clients(self.url, self.creds)
        self.admin = C.Clients(self.url, dict(self.creds, uid=self.creds["admin_uid"], key=self.creds["admin_key"]))
        self.node_clients = [C.Clients(n["url"], self.creds) for n in cfg["nodes"]]
        self.s = requests.Session()
        self.conc, self.seconds = 4, 5  # what bench.webhooks expects of its "bench" argument

    # PostgreSQL, straight (psycopg2): statistics, lag, a key removal
    def pg(self, which, sql, args=None, db=None):
        port = self.cfg["primary_port"] if which == "primary" else self.cfg["replica_port"]
        cn = psycopg2.connect(host="127.0.0.1", port=port, user=self.cfg["pg_user"], dbname=db or self.cfg["db"],
                              connect_timeout=5)
        try:
            cn.autocommit = True
            with cn.cursor() as cr:
                cr.execute(sql, args)
                return cr.fetchall() if cr.description else None
        finally:
            cn.close()

    def db_stats(self, which):
        """Transactions and rows read by the benchmark database on one server (pg_stat_database)."""
        row = self.pg(which, """SELECT xact_commit + xact_rollback, tup_returned + tup_fetched, tup_inserted + tup_updated + tup_deleted
                                  FROM pg_stat_database WHERE datname = current_database()""")[0]
        business = self.pg(which, """SELECT COALESCE(sum(COALESCE(seq_tup_read, 0) + COALESCE(idx_tup_fetch, 0)), 0)
                                       FROM pg_stat_user_tables WHERE relname = ANY(%s)""", [list(BUSINESS_TABLES)])[0]
        return {"xacts": row[0], "rows_read": row[1], "rows_written": row[2], "business_rows_read": int(business[0])}

    def lag(self):
        """(replay lag in bytes, replay_lag seconds or None) of the replica, seen from the primary."""
        rows = self.pg("primary", """SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),
                                            EXTRACT(EPOCH FROM replay_lag)
                                       FROM pg_stat_replication WHERE application_name = 'rw_replica'""", db="postgres")
        if not rows:
            return None, None
        return int(rows[0][0] or 0), (float(rows[0][1]) if rows[0][1] is not None else None)

    def replica_up(self):
        try:
            return self.pg("replica", "SELECT pg_is_in_recovery()")[0][0] is True
        except psycopg2.OperationalError:
            return False

    def replica(self, action):
        subprocess.run(self.cfg["replica_" + action], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    # the balancer (HAProxy)
    def balancer_pid(self):
        try:
            with open(self.cfg["balancer_pidfile"]) as f:
                return int(f.readline().strip())
        except (OSError, ValueError):
            return None

    def balancer_start(self, reload=False):
        cmd = ["haproxy", "-D", "-f", self.cfg["balancer_conf"]]
        if reload and self.balancer_pid():
            cmd += ["-sf", str(self.balancer_pid())]
        subprocess.run(cmd, check=True)

    def balancer_kill(self):
        pid = self.balancer_pid()
        if pid:
            try:
                os.kill(pid, 15)
            except ProcessLookupError:
                pass
            for _ in range(40):
                try:
                    os.kill(pid, 0)
                except ProcessLookupError:
                    break
                time.sleep(0.05)

    def wait_balanced(self, timeout=30):
        """Until every node answers through the balancer (its health checks put them back)."""
        deadline = time.monotonic() + timeout
        stats = "http://127.0.0.1:%s/;csv" % self.cfg["balancer_stats_port"]
        while time.monotonic() < deadline:
            try:
                rows = [line.split(",") for line in requests.get(stats, timeout=2).text.splitlines()]
                states = [r[17] for r in rows if len(r) > 17 and r[1].startswith("node")]
                if states and all(s == "UP" for s in states):
                    return True
            except requests.RequestException:
                pass
            time.sleep(0.5)
        return False

    def node_pgid_of(self, backend_app):
        """Which node runs the Odoo process behind a PostgreSQL connection (application_name odoo-<pid>)."""
        try:
            pgid = os.getpgid(int(backend_app.split("-", 1)[1]))
        except (ValueError, IndexError, ProcessLookupError):
            return None
        for i, n in enumerate(self.nodes):
            if n.proc and n.proc.pid == pgid:
                return i
        return None


def stats_window(cl, fn):
    """Runs ``fn()`` and returns (its result, per-server deltas of pg_stat_database). PostgreSQL 15
    publishes a backend's counters when it goes idle, at most once a second and at the latest after
    10 s idle, hence the waits around the measured window."""
    time.sleep(11)
    before = {w: cl.db_stats(w) for w in ("primary", "replica")}
    out = fn()
    time.sleep(11)
    after = {w: cl.db_stats(w) for w in ("primary", "replica")}
    delta = {w: {k: after[w][k] - before[w][k] for k in before[w]} for w in before}
    total_rows = delta["primary"]["rows_read"] + delta["replica"]["rows_read"]
    delta["primary_share_of_rows_read"] = round(delta["primary"]["rows_read"] / total_rows, 3) if total_rows else None
    business = delta["primary"]["business_rows_read"] + delta["replica"]["business_rows_read"]
    delta["primary_share_of_business_rows_read"] = (
        round(delta["primary"]["business_rows_read"] / business, 3) if business else None)
    return out, delta


def _reads(cl, client, n, path="/api/v1/orders", params=None, headers=None, conc=4):
    params = params or {"limit": 20, "fields": "name,state,amount_total"}
    statuses = Counter()
    lock = threading.Lock()

    def one(s, i):
        r = client.ours(s, "GET", path, params=params, headers=headers or {})
        with lock:
            statuses["%d %s" % (r.status_code, r.headers.get("Content-Type", "").split(";")[0])] += 1
        return r.status_code == 200
    summary = C.load(one, concurrency=conc, duration=120, max_requests=n, warmup=0, session=requests.Session)
    return summary, dict(statuses)


RESULTS = []
scenario = F.scenario  # same PASS/FAIL/SKIP printing and recording
F.RESULTS = RESULTS


# -------------------------------------------------------------------------------------- scenarios
@scenario("reads through the balancer are served by the replica (REST GET and /json/2 search_read)")
def reads_on_replica(cl, n=300):
    t0 = time.monotonic()
    (api, api_st), api_d = stats_window(cl, lambda: _reads(cl, cl.c, n))
    seconds = time.monotonic() - t0 - 22
    # the same window with no requests: what the nodes do on the primary by themselves (cron polling)
    _idle, idle_d = stats_window(cl, lambda: time.sleep(max(seconds, 1)))
    (primary, primary_st), primary_d = stats_window(cl, lambda: _reads(cl, cl.c, n, headers={READ_PRIMARY: "1"}))

    def json2_reads():
        def one(s, i):
            return bool(cl.c.json2(s, "sale.order", "search_read", {"domain": [], "fields": ["name", "state", "amount_total"],
                                                                     "limit": 20, "offset": (i * 20) % 5000}))
        return C.load(one, concurrency=4, duration=120, max_requests=n, warmup=0, session=requests.Session)
    j2, j2_d = stats_window(cl, json2_reads)
    per_request = {k: round((api_d["primary"][k] - idle_d["primary"][k]) / n, 2)
                   for k in ("xacts", "rows_read", "rows_written")}
    share = api_d["primary_share_of_business_rows_read"]
    ok = api_st.get("200 application/json") == n and share is not None and share < 0.05
    return ok, {"requests": n, "rest_get": {"statuses": api_st, "db": api_d},
                "idle_window_same_length": {"db": idle_d},
                "rest_get_primary_work_per_request_minus_idle": per_request,
                "rest_get_read_primary_header": {"statuses": primary_st, "db": primary_d},
                "json2_search_read": {"errors": j2.get("errors"), "db": j2_d},
                "note": "pass: the primary read < 5 % of the rows of the order/partner tables (pg_stat_user_tables on "
                        "both servers); primary_share_of_rows_read (pg_stat_database) also counts the per-request "
                        "bookkeeping on the primary (key check, rate counter, log row) and the nodes' cron polling, "
                        "reported per request after subtracting an idle window of the same length"}


@scenario("rate limit shared by both nodes (quota 20/hour, 40 requests alternating nodes)")
def shared_rate_limit(cl, n=40):
    info = cl.extra.get("cluster-rl")
    if not info:
        raise C.Skip("no cluster-rl user (bench/cluster_setup.py)")
    per_node = Counter()
    statuses = Counter()
    for i in range(n):
        node = i % len(cl.nodes)
        c = C.Clients(cl.cfg["nodes"][node]["url"], dict(cl.creds, uid=info["uid"], key=info["key"]))
        r = c.ours(cl.s, "GET", "/api/v1/partners", params={"limit": 1})
        statuses[r.status_code] += 1
        per_node["node%d %d" % (node + 1, r.status_code)] += 1
    ok = statuses.get(200) == 20 and statuses.get(429) == n - 20
    return ok, {"requests": n, "statuses": dict(statuses), "per_node": dict(per_node)}


@scenario("revoked key refused at once by either node")
def cross_node_revocation(cl):
    info = cl.extra.get("cluster-revoke")
    if not info:
        raise C.Skip("no cluster-revoke user (bench/cluster_setup.py)")
    cs = [C.Clients(n["url"], dict(cl.creds, uid=info["uid"], key=info["key"])) for n in cl.cfg["nodes"]]
    before = [c.ours(cl.s, "GET", "/api/v1/partners", params={"limit": 1}).status_code for c in cs for _ in range(2)]
    # what res.users.apikeys._remove does (remove() asks for the password in a browser session)
    cl.pg("primary", "DELETE FROM res_users_apikeys WHERE id = %s", [info["key_id"]])
    t0 = time.monotonic()
    after = [c.ours(cl.s, "GET", "/api/v1/partners", params={"limit": 1}).status_code for c in reversed(cs) for _ in range(2)]
    ok = before == [200] * len(before) and after == [401] * len(after)
    return ok, {"before_removal": before, "after_removal": after,
                "seconds_for_after_checks": round(time.monotonic() - t0, 2)}


@scenario("one Idempotency-Key, 20 concurrent POST /api/v1/orders split over both nodes")
def cross_node_idempotency(cl, n=20):
    key = "cl-idem-" + uuid.uuid4().hex
    ref = "cl-idem-ref-" + uuid.uuid4().hex[:8]
    body = {"partner_id": cl.creds["partner_ids"][0], "client_order_ref": ref,
            "lines": [{"product_id": p, "quantity": 1} for p in cl.creds["product_ids"][:2]]}

    def post(s, i):
        r = cl.node_clients[i % len(cl.nodes)].ours(s, "POST", "/api/v1/orders", json=body, headers={"Idempotency-Key": key})
        ct = r.headers.get("Content-Type", "")
        return r.status_code, (r.json().get("id") if ct.startswith("application/json") else None)
    res = F._concurrent(n, post)
    statuses = Counter(str(x[0]) for x in res)
    ids = {x[1] for x in res if x[0] in (200, 201) and x[1]}
    # counted on the primary: /json/2 search_count is a readonly route, served by the replica, which
    # may not have replayed the order yet (read-after-write)
    stored = cl.pg("primary", "SELECT count(*) FROM sale_order WHERE client_order_ref = %s", [ref])[0][0]
    ok = stored == 1 and len(ids) == 1 and all(x[0] in (200, 201, 409) for x in res)
    return ok, {"requests": n, "statuses": dict(statuses), "orders_created": stored, "distinct_ids_returned": len(ids)}


@scenario("inbound copies of one event hitting both nodes at once (50 events x 2 nodes x 2 copies)")
def cross_node_inbound(cl, events=50, copies=2):
    info = cl.creds.get("inbound") or {}
    if "slug" not in info:
        raise C.Skip(info.get("skip") or "no inbound source")
    tag = uuid.uuid4().hex[:8]
    ids = ["cl_%s_%d" % (tag, k) for k in range(events)]
    statuses = Counter()
    lock = threading.Lock()
    urls = [n["url"] + "/api/v1/webhooks/" + info["slug"] for n in cl.cfg["nodes"]]
    width = len(urls) * copies

    def post(s, i):
        msg = ids[i // width]
        body = json.dumps({"type": "bench.cluster", "data": {"id": msg}})
        r = s.post(urls[i % len(urls)], data=body, headers=W._signed(info["secret"], msg, body), timeout=60)
        with lock:
            statuses[r.status_code] += 1
    # width threads send the copies of one event together, event after event
    for k in range(events):
        F._concurrent(width, lambda s, j, k=k: post(s, k * width + j))
    stored = cl.pg("primary", "SELECT count(*) FROM webhook_event WHERE event_id = ANY(%s)", [ids])[0][0]
    ok = stored == events and set(statuses) == {200}
    return ok, {"posts": sum(statuses.values()), "statuses": dict(statuses), "stored": stored, "events": events}


def _dispatch_run(cl, n, name, kill=False):
    recv = W.Receiver(lambda k, h: (200, {}, 0.01))
    killed = None
    try:
        ep = W.make_endpoint(cl, name, recv.url, "res.partner")
        # every worker knows the new rule once it read the registry signalling, which Odoo reads on the
        # replica (see the scenario "new endpoint seen at once by the other node")
        time.sleep(2)
        tag = uuid.uuid4().hex[:6]
        ids = cl.c.json2(cl.s, "res.partner", "create", {"vals_list": [{"name": "Cl %s %d" % (tag, i)} for i in range(n)]})
        wanted = set(ids)
        busy = Counter()
        if kill:
            recv.wait_for(lambda r: len(r) >= n // 5, 90)
            # the node whose cron worker holds a claim (row locks on webhook_delivery) right now
            rows = cl.pg("primary", """SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                                        WHERE l.relation = 'webhook_delivery'::regclass AND l.mode = 'RowShareLock'""")
            for (app,) in rows or []:
                idx = cl.node_pgid_of(app)
                if idx is not None:
                    busy[idx] += 1
            killed = busy.most_common(1)[0][0] if busy else 0
            at_kill = len(recv.snapshot())
            cl.nodes[killed].kill9()
        t0 = time.monotonic()
        recv.wait_for(lambda r: len(F._ids_by_data(r, wanted)) >= n, 180)
        time.sleep(3)
        by = F._ids_by_data(recv.snapshot(), wanted)
        W.drop_endpoint(cl, ep)
        counts = {"events": n, "delivered_events": len(by), "missing": n - len(by),
                  "posts": sum(len(v) for v in by.values()),
                  "events_with_duplicates": sum(1 for v in by.values() if len(v) > 1),
                  "duplicates_with_a_different_webhook_id": sum(1 for v in by.values() if len(set(v)) > 1)}
        if kill:
            counts.update({"killed_node": killed + 1, "nodes_holding_claims_at_kill": {"node%d" % (k + 1): v for k, v in busy.items()},
                           "received_at_kill": at_kill, "seconds_to_finish_after_kill": round(time.monotonic() - t0, 1)})
        return counts
    finally:
        recv.close()
        if killed is not None:
            cl.nodes[killed].start()
            cl.wait_balanced()


@scenario("new endpoint seen at once by the other node (endpoint created through the balancer, a partner through node2 right after; 5 times)")
def endpoint_seen_by_other_node(cl, rounds=5):
    recv = W.Receiver()
    admin1 = C.Clients(cl.cfg["nodes"][0]["url"], dict(cl.creds, uid=cl.creds["admin_uid"], key=cl.creds["admin_key"]))
    user2 = cl.node_clients[1 % len(cl.nodes)]
    missed, eps, pids = 0, [], []
    try:
        for k in range(rounds):
            eps.append(W.make_endpoint(cl, "bench-cluster-fresh-%d" % k, recv.url, "res.partner"))
            pids.append(user2.json2(cl.s, "res.partner", "create", {"vals_list": [{"name": "Fresh %d" % k}]})[0])
            for ep in eps:  # one endpoint at a time
                admin1.json2(cl.s, "webhook.endpoint", "write", {"ids": [ep], "vals": {"active": False}})
        time.sleep(8)
        got = {W._data_id(b) for _t, _w, b in recv.snapshot()}
        # the event of round k is queued for endpoint k in the partner's transaction (the outbox);
        # whether it is also sent depends on the dispatcher running before endpoint k is deactivated
        queued = {(r[0], r[1]) for r in cl.pg("primary", """SELECT res_id, endpoint_id FROM webhook_delivery
                                                             WHERE res_model = 'res.partner' AND res_id = ANY(%s)""", [pids])}
        missed = sum(1 for k, p in enumerate(pids) if (p, eps[k]) not in queued)
        for ep in eps:
            W.drop_endpoint(cl, ep)
        return missed == 0, {"rounds": rounds, "events_missed": missed,
                             "events_sent_before_their_endpoint_was_deactivated": sum(1 for p in pids if p in got),
                             "note": "missed: no outbox row for the endpoint saved just before. The rule cache is keyed "
                                     "by a rules version read on the primary in the writing transaction and a stale "
                                     "registry patches the model itself (models/base_automation.py), so registry "
                                     "signalling read on a lagging replica no longer matters"}
    finally:
        recv.close()


@scenario("1,000 events, both nodes' cron workers dispatching: each delivered exactly once")
def exactly_once(cl, n=1000):
    counts = _dispatch_run(cl, n, "bench-cluster-once")
    return counts["missing"] == 0 and counts["events_with_duplicates"] == 0, counts


@scenario("kill -9 of the dispatching node during 1,000 events: the other node finishes them")
def kill_one_node(cl, n=1000):
    counts = _dispatch_run(cl, n, "bench-cluster-kill", kill=True)
    return counts["missing"] == 0 and counts["duplicates_with_a_different_webhook_id"] == 0, counts


@scenario("retry on time when the node that sent the first attempt dies (500, then 200)")
def retry_other_node(cl):
    first = threading.Event()
    recv = W.Receiver(lambda k, h: (first.set() or 500, {}, 0) if k == 0 else (200, {}, 0))
    try:
        ep = W.make_endpoint(cl, "bench-cluster-retry", recv.url, "res.partner")
        time.sleep(2)  # see _dispatch_run: the other node must know the new rule
        pid = cl.c.json2(cl.s, "res.partner", "create", {"vals_list": [{"name": "Cl retry " + uuid.uuid4().hex[:6]}]})[0]
        first.wait(60)
        time.sleep(0.5)  # the attempt is recorded, the retry scheduled
        cl.nodes[0].kill9()
        recv.wait_for(lambda r: len([1 for _t, _w, b in r if W._data_id(b) == pid]) >= 2, 90)
        posts = [(t, w) for t, w, b in recv.snapshot() if W._data_id(b) == pid]
        W.drop_endpoint(cl, ep)
        gap = round(posts[1][0] - posts[0][0], 1) if len(posts) > 1 else None
        ok = len(posts) == 2 and gap is not None and gap <= 20 and len({w for _t, w in posts}) == 1
        return ok, {"posts": len(posts), "retry_after_s": gap, "same_webhook_id": len({w for _t, w in posts}) == 1,
                    "killed": "node1 (its cron worker may have sent the first attempt)"}
    finally:
        recv.close()
        cl.nodes[0].start()
        cl.wait_balanced()


@contextmanager
def phased_reads(phases, read, threads=3):
    """Background readers calling ``read(session, samples) -> answer key`` until the block ends, each
    answer counted under the phase the block has set (``state["phase"]``, first ``phases[0]``); a
    connection error counts as ``error <type>`` and the reader starts a new session."""
    state = {"phase": phases[0], "tallies": {ph: Counter() for ph in phases}, "samples": {}}
    stop, lock = threading.Event(), threading.Lock()

    def reader():
        s = requests.Session()
        while not stop.is_set():
            try:
                key = read(s, state["samples"])
            except requests.RequestException as exc:
                key = "error " + type(exc).__name__
                s = requests.Session()
                time.sleep(0.05)
            with lock:
                state["tallies"][state["phase"]][key] += 1
    workers = [threading.Thread(target=reader) for _k in range(threads)]
    for t in workers:
        t.start()
    try:
        yield state
    finally:
        stop.set()
        for t in workers:
            t.join(60)


@scenario("replica stopped under a read load: answers 200 (primary) or 503 problem+json, never a traceback; back after restart")
def replica_down(cl, seconds_before=5, seconds_down=10, seconds_after=8):
    def read(s, samples):
        r = cl.c.ours(s, "GET", "/api/v1/orders", params={"limit": 10, "fields": "name"}, timeout=30)
        key = "%d %s" % (r.status_code, r.headers.get("Content-Type", "").split(";")[0])
        if r.status_code != 200:
            samples.setdefault(key, r.text[:200])
        return key
    try:
        with phased_reads(("before", "down", "after"), read) as state:
            time.sleep(seconds_before)
            cl.replica("stop")
            state["phase"] = "down"
            time.sleep(seconds_down)
            cl.replica("start")
            state["phase"] = "after"
            time.sleep(seconds_after)
    finally:
        if not cl.replica_up():
            cl.replica("start")
    tallies = state["tallies"]
    streaming = False
    for _ in range(30):
        if cl.replica_up() and cl.lag()[0] is not None:
            streaming = True
            break
        time.sleep(1)
    good = lambda k: k == "200 application/json" or k == "503 application/problem+json"  # noqa: E731
    bad = {ph: {k: v for k, v in t.items() if not good(k)} for ph, t in tallies.items()}
    ok = not any(bad.values()) and tallies["after"].get("200 application/json", 0) > 0 and streaming
    return ok, {"answers": {ph: dict(t) for ph, t in tallies.items()}, "unexpected": bad, "samples": state["samples"],
                "replica_streaming_again": streaming,
                "note": "each Odoo worker that failed to reach the replica reads from the primary for 20 min "
                        "(odoo/orm/registry.py _REPLICA_RETRY_TIME), then tries the replica again"}


@scenario("balancer reload (haproxy -sf) and full restart under a read load")
def balancer_restart(cl):
    def read(s, _samples):
        return str(cl.c.ours(s, "GET", "/api/v1/partners", params={"limit": 5}, timeout=30).status_code)
    with phased_reads(("reload", "restart", "after"), read) as state:
        time.sleep(2)
        cl.balancer_start(reload=True)
        time.sleep(3)
        state["phase"] = "restart"
        t0 = time.monotonic()
        cl.balancer_kill()
        time.sleep(1)
        cl.balancer_start()
        up = cl.wait_balanced(20)
        back_s = round(time.monotonic() - t0, 1)
        time.sleep(1)
        state["phase"] = "after"
        time.sleep(4)
    tallies = state["tallies"]
    only = lambda t, allowed: all(k in allowed for k in t)  # noqa: E731
    ok = (only(tallies["reload"], {"200"}) and up and tallies["after"].get("200", 0) > 0 and only(tallies["after"], {"200"})
          and only(tallies["restart"], {"200", "503", "error ConnectionError"}))
    return ok, {"answers": {k: dict(v) for k, v in tallies.items()}, "seconds_until_nodes_up_after_restart": back_s}


# ------------------------------------------------------------------------------------ measurement
def bench(cl, seconds, conc):
    """Read throughput through the balancer (replica) vs one node on the primary only
    (X-Read-Primary), the primary's share of the rows read, and the replica's lag under writes."""
    out = {}

    def reads(client, headers=None):
        def one(s, i):
            r = client.ours(s, "GET", "/api/v1/orders", params={"limit": 20, "fields": "name,state,amount_total",
                                                                 "offset": (i * 20) % 5000}, headers=headers or {})
            return r.status_code == 200
        return C.load(one, concurrency=conc, duration=seconds, max_requests=100000, warmup=2, session=requests.Session)
    for name, client, headers in (("balancer_replica", cl.c, None),
                                  ("balancer_primary", cl.c, {READ_PRIMARY: "1"}),
                                  ("one_node_primary", cl.node_clients[0], {READ_PRIMARY: "1"}),
                                  ("one_node_replica", cl.node_clients[0], None)):
        res, delta = stats_window(cl, lambda client=client, headers=headers: reads(client, headers))
        out[name] = {"reads": res, "db": delta}
        F.say("%-18s %s req/s  p50 %s ms  primary share of rows read %s (order/partner tables %s)" % (
            name, res.get("rps"), res.get("p50_ms"), delta["primary_share_of_rows_read"],
            delta["primary_share_of_business_rows_read"]))

    # replica lag while orders are written through the balancer
    lags, stop = [], threading.Event()

    def sample():
        while not stop.is_set():
            try:
                lags.append(cl.lag())
            except psycopg2.Error:
                pass
            time.sleep(0.2)
    body = {"partner_id": cl.creds["partner_ids"][0],
            "lines": [{"product_id": p, "quantity": 1} for p in cl.creds["product_ids"][:3]]}
    created = []

    def write(s, i):
        r = cl.c.ours(s, "POST", "/api/v1/orders", json=body)
        if r.status_code == 201:
            created.append(r.json().get("id"))
        return r.status_code == 201
    t = threading.Thread(target=sample)
    t.start()
    try:
        w = C.load(write, concurrency=conc, duration=seconds, max_requests=100000, warmup=1, session=requests.Session)
    finally:
        stop.set()
        t.join()
    lag_bytes = sorted(x[0] for x in lags if x[0] is not None)
    lag_s = sorted(x[1] for x in lags if x[1] is not None)
    out["replica_lag_under_writes"] = {
        "writes": w, "samples": len(lags),
        "lag_bytes_p50": lag_bytes[len(lag_bytes) // 2] if lag_bytes else None,
        "lag_bytes_max": lag_bytes[-1] if lag_bytes else None,
        "replay_lag_ms_p50": round(lag_s[len(lag_s) // 2] * 1000, 2) if lag_s else None,
        "replay_lag_ms_max": round(lag_s[-1] * 1000, 2) if lag_s else None}
    F.say("writes %s req/s; replica lag p50 %s ms, max %s ms (%s bytes max)" % (
        w.get("rps"), out["replica_lag_under_writes"]["replay_lag_ms_p50"],
        out["replica_lag_under_writes"]["replay_lag_ms_max"], out["replica_lag_under_writes"]["lag_bytes_max"]))
    ids = [i for i in created if isinstance(i, int)]
    for k in range(0, len(ids), 500):
        try:
            cl.admin.json2(cl.s, "sale.order", "unlink", {"ids": ids[k:k + 500]})
        except C.ApiError:
            break
    r, p = out["balancer_replica"]["reads"].get("rps"), out["one_node_primary"]["reads"].get("rps")
    out["ratio_balancer_replica_vs_one_node_primary"] = round(r / p, 2) if r and p else None
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("what", choices=["faults", "bench"])
    ap.add_argument("--config", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default=os.environ.get("FAULTS_ONLY", ""))
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "6")))
    ap.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "4")))
    args = ap.parse_args()
    with open(args.config) as f:
        cfg = json.load(f)
    cl = Cluster(cfg)
    for n in cl.nodes:
        n.start()
    if not cl.wait_balanced(60):
        F.say("warning: the balancer does not see every node up")
    try:
        if args.what == "bench":
            out = bench(cl, args.seconds, args.concurrency)
            out["date"] = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
            with open(args.out, "w") as f:
                json.dump(out, f, indent=1)
            return
        plan = [("reads", reads_on_replica), ("ratelimit", shared_rate_limit), ("revoke", cross_node_revocation),
                ("idempotency", cross_node_idempotency), ("inbound", cross_node_inbound), ("fresh", endpoint_seen_by_other_node),
                ("once", exactly_once),
                ("kill", kill_one_node), ("retry", retry_other_node), ("replica", replica_down),
                ("balancer", balancer_restart)]
        only = set(filter(None, args.only.split(",")))
        for key, fn in plan:
            if not only or key in only:
                fn(cl)
    finally:
        for n in cl.nodes:
            n.stop()
    summary = Counter(r["status"] for r in RESULTS)
    with open(args.out, "w") as f:
        json.dump({"date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "results": RESULTS,
                   "summary": dict(summary)}, f, indent=1)
    F.say("\ncluster faults: %d passed, %d failed, %d skipped" % (summary["PASS"], summary["FAIL"], summary["SKIP"]))
    sys.exit(1 if summary["FAIL"] else 0)


if __name__ == "__main__":
    main()
