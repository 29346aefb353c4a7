"""HTTP clients for the three APIs compared by the benchmark, and a bounded threaded load generator.

- ours:    /api/v1/... with ``Authorization: Bearer <key>``
- json2:   POST /json/2/<model>/<method> with a JSON object of named arguments (Odoo 19's own API)
- jsonrpc: POST /jsonrpc, service "object", execute_kw (deprecated in Odoo 19, still served)
All three authenticate with the same global API key of the same user.
"""
import random
import threading
import time

from .lean_http import LeanSession
from .stats import summarize


class Skip(Exception):
    """A scenario cannot run (feature missing): reported as skipped with the reason."""


class ApiError(Exception):
    pass


class Clients:
    def __init__(self, base_url, creds, timeout=120):
        self.base = base_url.rstrip("/")
        self.db = creds["db"]
        self.uid = creds["uid"]
        self.key = creds["key"]
        self.timeout = timeout
        self._auth = {"Authorization": "Bearer " + self.key}

    # -- our REST API
    def ours(self, s, method, path, **kw):
        headers = dict(self._auth, **kw.pop("headers", {}))
        timeout = kw.pop("timeout", self.timeout)
        return s.request(method, self.base + path, headers=headers, timeout=timeout, **kw)

    # -- Odoo's /json/2
    def json2_raw(self, s, model, method, body):
        return s.post("%s/json/2/%s/%s" % (self.base, model, method), json=body, timeout=self.timeout,
                      headers=dict(self._auth, **{"X-Odoo-Database": self.db}))

    def json2(self, s, model, method, body):
        r = self.json2_raw(s, model, method, body)
        if r.status_code != 200:
            raise ApiError("json2 %s.%s: %s %s" % (model, method, r.status_code, r.text[:300]))
        return r.json()

    # -- deprecated /jsonrpc
    def jsonrpc_raw(self, s, model, method, args, kwargs=None):
        payload = {"jsonrpc": "2.0", "method": "call", "id": 1, "params": {
            "service": "object", "method": "execute_kw",
            "args": [self.db, self.uid, self.key, model, method, args, kwargs or {}]}}
        return s.post(self.base + "/jsonrpc", json=payload, timeout=self.timeout)

    def jsonrpc(self, s, model, method, args, kwargs=None):
        r = self.jsonrpc_raw(s, model, method, args, kwargs)
        body = r.json() if r.status_code == 200 else None
        if not body or "error" in body:
            raise ApiError("jsonrpc %s.%s: %s %s" % (model, method, r.status_code, r.text[:300]))
        return body["result"]


def order_body(creds, i):
    """The i-th order of the create scenarios, as our API's body: a partner and 3 products of the seed
    drawn with seed ``i`` (the same orders for every API and every run)."""
    rnd = random.Random(i)
    return {"partner_id": rnd.choice(creds["partner_ids"]),
            "lines": [{"product_id": rnd.choice(creds["product_ids"]), "quantity": 2} for _ in range(3)]}


def order_vals(body):
    """The same order as ``sale.order`` create values (Odoo's /json/2 and /jsonrpc)."""
    return {"partner_id": body["partner_id"], "order_line": [
        [0, 0, {"product_id": ln["product_id"], "product_uom_qty": ln["quantity"]}] for ln in body["lines"]]}


def expect(r, cond):
    """True when ``cond(r)`` holds; otherwise raises ApiError with the status and the body's start,
    so that the run reports what went wrong."""
    try:
        if cond(r):
            return True
    except (ValueError, KeyError, IndexError, TypeError):
        pass
    raise ApiError("HTTP %s: %s" % (r.status_code, r.text[:300]))


def jsonrpc_ok(r):
    """/jsonrpc answers 200 even for errors: success means a body with "result"."""
    if r.status_code != 200:
        return False
    try:
        return "result" in r.json()
    except ValueError:
        return False


def load(fn, concurrency=4, duration=6.0, max_requests=2000, warmup=3, raw=False, session=LeanSession):
    """Runs ``fn(session, i) -> bool`` from ``concurrency`` threads (one ``session()`` each: the lean
    keep-alive client of bench/lean_http.py, or ``requests.Session`` where a scenario wants it) until
    ``duration`` seconds passed or ``max_requests`` calls were made. The first ``warmup`` calls of each
    thread are not measured. Returns the summary (requests/s, p50/p90/p99 in ms, errors) with the
    first error message, if any. ``raw``: also the latencies, elapsed time and error count under
    "_raw" (to merge several short runs with stats.merge_runs)."""
    lat, errors, first_error = [], [0], []
    lock = threading.Lock()
    counter = [0]

    def next_index():
        with lock:
            if counter[0] >= max_requests:
                return None
            counter[0] += 1
            return counter[0] - 1

    def worker(widx):
        s = session()
        for w in range(warmup):
            try:
                fn(s, 10_000_000 + widx * 1000 + w)
            except Exception:  # noqa: BLE001 - warm-up failures show up in the measured part too
                pass
        barrier.wait()
        deadline = start[0] + duration
        while time.monotonic() < deadline:
            i = next_index()
            if i is None:
                break
            t0 = time.perf_counter()
            try:
                ok = fn(s, i)
                err = None if ok else "unexpected response"
            except Exception as exc:  # noqa: BLE001 - every failure is counted and the first one shown
                ok, err = False, "%s: %s" % (type(exc).__name__, str(exc)[:300])
            dt = time.perf_counter() - t0
            with lock:
                if ok:
                    lat.append(dt)
                else:
                    errors[0] += 1
                    if not first_error:
                        first_error.append(err if isinstance(ok, bool) else str(ok))
        s.close()

    start = [0.0]

    def set_start():
        start[0] = time.monotonic()

    barrier = threading.Barrier(concurrency, action=set_start)
    threads = [threading.Thread(target=worker, args=(k,), daemon=True) for k in range(concurrency)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - start[0]
    out = summarize(lat, elapsed, errors[0])
    out["concurrency"] = concurrency
    if first_error:
        out["first_error"] = first_error[0]
    if raw:
        out["_raw"] = (lat, elapsed, errors[0])
    return out
