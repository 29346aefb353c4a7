"""One benchmark pass against a running Odoo server (threaded or prefork): our REST API side by side
with Odoo's /json/2 and /jsonrpc on the same records and fields, then the webhook scenarios.

    python -m bench.run --url http://127.0.0.1:PORT --creds creds.json --mode threaded \
        --server-pid PID --out result.json

Each scenario is independent: a scenario whose feature is missing (or that fails) is recorded as
``{"skipped": "<reason>"}`` or ``{"error": "<message>"}`` and the run goes on.
"""
import argparse
import json
import os
import random
import sys
import time
import traceback
import uuid

import requests

from . import batch_sync, webhooks
from . import clients as C
from .lean_http import LeanSession
from .stats import balanced_order, merge_runs, percentile, rates, ratio, round_ratios

LIST_FIELDS_OURS = "name,state,date_order,partner,amount_total"        # + id, always included
LIST_FIELDS_ORM = ["name", "state", "date_order", "partner_id", "amount_total"]
READ_SPEC = {  # web_read specification equivalent to GET /api/v1/orders/{id}
    "name": {}, "state": {}, "date_order": {}, "validity_date": {}, "client_order_ref": {}, "note": {},
    "partner_id": {"fields": {"display_name": {}, "email": {}}}, "currency_id": {"fields": {"name": {}}},
    "company_id": {"fields": {"display_name": {}}}, "user_id": {"fields": {"display_name": {}}},
    "amount_untaxed": {}, "amount_tax": {}, "amount_total": {}, "create_date": {}, "write_date": {},
    "order_line": {"fields": {"product_id": {"fields": {"display_name": {}, "default_code": {}}},
                              "name": {}, "product_uom_qty": {}, "price_unit": {}, "discount": {},
                              "tax_ids": {"fields": {"name": {}}}, "price_subtotal": {}, "price_total": {}}},
}


def log(msg):
    sys.stderr.write("  [bench] %s\n" % msg)
    sys.stderr.flush()


def rss_kb(pid):
    """Resident memory (kB) of the server: the process and every process of its group (prefork
    workers and cron workers run in the group of the process started by the script)."""
    total = 0
    per = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                parts = f.read().rsplit(")", 1)[1].split()
            pgid = int(parts[2])
            if int(d) != pid and pgid != pid:
                continue
            with open("/proc/%s/status" % d) as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
                        per[int(d)] = kb
                        total += kb
        except (OSError, ValueError, IndexError):
            continue
    return {"total_kb": total, "processes": len(per), "max_kb": max(per.values()) if per else 0}


class Bench:
    def __init__(self, args):
        self.args = args
        with open(args.creds) as f:
            self.creds = json.load(f)
        self.c = C.Clients(args.url, self.creds)
        self.admin = C.Clients(args.url, dict(self.creds, uid=self.creds["admin_uid"], key=self.creds["admin_key"]))
        self.s = requests.Session()
        self.seconds = args.seconds
        self.conc = args.concurrency
        self.result = {"mode": args.mode, "scenarios": {}, "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                       "load": {"concurrency": args.concurrency, "seconds": args.seconds, "rounds": args.rounds,
                                "warmup_seconds": args.warmup_seconds, "client": "bench/lean_http.py"}}
        self.created_orders = []
        self.has_api = self._probe_api()

    def _probe_api(self):
        try:
            r = self.c.ours(self.s, "GET", "/api/v1/orders", params={"limit": 1})
            return r.status_code == 200
        except requests.RequestException:
            return False

    def need_api(self):
        if not self.has_api:
            raise C.Skip("GET /api/v1/orders does not answer 200 (REST API, issue 3, not installed yet)")

    def scenario(self, name, fn):
        log("scenario %s (%s)" % (name, self.args.mode))
        t0 = time.monotonic()
        try:
            out = fn()
        except C.Skip as exc:
            out = {"skipped": str(exc)}
        except Exception as exc:  # noqa: BLE001 - one broken scenario must not stop the others
            traceback.print_exc()
            out = {"error": "%s: %s" % (type(exc).__name__, str(exc)[:500])}
        out["wall_s"] = round(time.monotonic() - t0, 1)
        self.result["scenarios"][name] = out
        self.save()

    rss_kb = staticmethod(rss_kb)  # for scenario modules (bench/batch_sync.py)

    def save(self):
        with open(self.args.out, "w") as f:
            json.dump(self.result, f, indent=1)

    def side_by_side(self, fns):
        """fns: {api: fn(session, i) -> bool}; each API gets the same duration and concurrency.

        The time is split in ``--rounds`` (``BENCH_ROUNDS``, default 6) rounds whose order follows a
        Williams design (``stats.balanced_order``: A B C, B C A, C A B, C B A, A C B, B A C): a drift of
        the machine during the scenario (a busy neighbour, autovacuum) weighs on every API alike instead
        of on whichever ran at that moment, and over 6 rounds each API runs first, last and right after
        each other API equally often. (A B C / C B A alternation made the first API always run first or
        last; the plain rotation A B C, B C A, C A B made ours always run right after jsonrpc and json2
        after ours.)

        Before the rounds, each API runs unmeasured for ``--warmup-seconds`` (``BENCH_WARMUP_SECONDS``,
        default 1): a server
        just started, or serving another scenario until then, answers its first calls slowly (every
        prefork worker and server thread fills its own caches and opens its own connections; a
        list measured 172 req/s in its first 2 s and 255-281 in the next ones). Without this the
        API measured first in a scenario paid that for the others."""
        apis = [api for api, fn in fns.items() if fn is not None]
        rounds, warm = max(1, self.args.rounds), self.args.warmup_seconds
        runs, extra, out = {api: [] for api in apis}, {api: {} for api in apis}, {}
        for api in apis if warm > 0 else ():
            try:
                C.load(fns[api], self.conc, warm, max(1, self.args.max_requests // rounds), warmup=0)
            except C.Skip as exc:
                extra[api] = {"skipped": str(exc)}
        for r in range(rounds):
            for api in balanced_order(apis, r):
                if "skipped" in extra[api]:
                    continue
                try:
                    res = C.load(fns[api], self.conc, self.seconds / rounds,
                                 max(1, self.args.max_requests // rounds), raw=True)
                except C.Skip as exc:
                    extra[api] = {"skipped": str(exc)}
                    continue
                runs[api].append(res.pop("_raw"))
                if res.get("first_error") and "first_error" not in extra[api]:
                    extra[api]["first_error"] = res["first_error"]
        for api in apis:
            if "skipped" in extra[api]:
                out[api] = extra[api]
            else:
                out[api] = dict(merge_runs(runs[api]), concurrency=self.conc, rounds=rounds, **extra[api])
        ours = out.get("ours", {})
        for native in ("json2", "jsonrpc"):
            if native in out and ours.get("rps"):
                out["ratio_rps_ours_vs_%s" % native] = ratio(ours.get("rps"), out[native].get("rps"))
                out["ratio_p50_ours_vs_%s" % native] = ratio(ours.get("p50_ms"), out[native].get("p50_ms"))
                if "skipped" not in out[native]:
                    out["rounds_ours_vs_%s" % native] = round_ratios(rates(runs["ours"]), rates(runs[native]))
        return out

    # ------------------------------------------------------------------ data facts
    def facts(self):
        s, c = self.s, self.c
        n = c.json2(s, "sale.order", "search_count", {"domain": []})
        first = c.json2(s, "sale.order", "search", {"domain": [], "order": "id", "limit": 1})[0]
        last = c.json2(s, "sale.order", "search", {"domain": [], "order": "id desc", "limit": 1})[0]
        self.n_orders, self.first_id, self.last_id = n, first, last
        self.result["data"] = {"orders": n, "partners": c.json2(s, "res.partner", "search_count", {"domain": []}),
                               "order_lines": c.json2(s, "sale.order.line", "search_count", {"domain": []})}

    # ------------------------------------------------------------------ scenarios
    def list100(self):
        c = self.c

        def ours(s, i):
            r = c.ours(s, "GET", "/api/v1/orders", params={"limit": 100, "fields": LIST_FIELDS_OURS})
            return C.expect(r, lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)

        def json2(s, i):
            r = c.json2_raw(s, "sale.order", "search_read", {"domain": [], "fields": LIST_FIELDS_ORM,
                                                             "limit": 100, "order": "id"})
            return C.expect(r, lambda r: r.status_code == 200 and len(r.json()) == 100)

        def jsonrpc(s, i):
            r = c.jsonrpc_raw(s, "sale.order", "search_read", [[]], {"fields": LIST_FIELDS_ORM, "limit": 100,
                                                                    "order": "id"})
            return C.expect(r, lambda r: C.jsonrpc_ok(r) and len(r.json()["result"]) == 100)

        def with_bearer(token):  # the same call with another credential (issue 14: scoped key, OAuth token)
            if not token:
                return None
            hdrs = {"Authorization": "Bearer " + token}
            return lambda s, i: C.expect(
                c.ours(s, "GET", "/api/v1/orders", params={"limit": 100, "fields": LIST_FIELDS_OURS}, headers=hdrs),
                lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)

        out = self.side_by_side({"ours": ours if self.has_api else None, "json2": json2, "jsonrpc": jsonrpc,
                                 "ours_scoped": with_bearer(self.has_api and self.creds.get("scoped_key")),
                                 "ours_oauth": with_bearer(self.has_api and self._oauth_token())})
        for variant in ("ours_scoped", "ours_oauth"):
            if out.get(variant, {}).get("rps") and out.get("ours", {}).get("rps"):
                out["ratio_rps_%s_vs_ours" % variant] = ratio(out[variant]["rps"], out["ours"]["rps"])
        return out

    def floor(self):
        """The list page read in-process through the ORM, in this process (the floor no HTTP API can
        beat), next to ours at one client: 100 orders, the same 5 fields, as the bench user (same
        record rules), record cache cleared before each call (``env.invalidate_all()``: every read goes
        to the database, as in a new request; Odoo's registry caches stay warm, as in a server).
        Calls alternate (floor, ours, floor, ...) so a drift of the machine weighs on both alike."""
        self.need_api()
        conf, src = os.environ.get("BENCH_ODOO_CONF"), os.environ.get("BENCH_ODOO_SRC")
        if not conf or not src:
            raise C.Skip("BENCH_ODOO_CONF / BENCH_ODOO_SRC not set (scripts/bench.sh sets them)")
        if src not in sys.path:
            sys.path.insert(0, src)
        import odoo  # noqa: PLC0415 - only this scenario needs Odoo in the bench's process
        from odoo import api  # noqa: PLC0415
        from odoo.modules.registry import Registry  # noqa: PLC0415
        odoo.tools.config.parse_config(["-c", conf, "--log-level=warn"])
        registry = Registry(self.creds["db"])
        s = LeanSession()
        n = max(30, min(int(self.seconds * 25), 400))
        floor_ms, ours_ms = [], []
        with registry.cursor() as cr:
            env = api.Environment(cr, self.creds["uid"], {})
            Order = env["sale.order"]
            for i in range(n + 5):
                env.invalidate_all()
                t0 = time.perf_counter()
                rows = Order.search_read([], LIST_FIELDS_ORM, limit=100, order="id")
                dt_floor = time.perf_counter() - t0
                assert len(rows) == 100
                t0 = time.perf_counter()
                r = self.c.ours(s, "GET", "/api/v1/orders", params={"limit": 100, "fields": LIST_FIELDS_OURS})
                dt_ours = time.perf_counter() - t0
                C.expect(r, lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)
                cr.rollback()  # a fresh snapshot for the next call, as a new request would have
                if i >= 5:  # the first calls warm both sides up
                    floor_ms.append(dt_floor * 1000)
                    ours_ms.append(dt_ours * 1000)
        floor_p50, ours_p50 = percentile(floor_ms, 50), percentile(ours_ms, 50)
        return {"calls": n, "floor_p50_ms": round(floor_p50, 2), "floor_p90_ms": round(percentile(floor_ms, 90), 2),
                "ours_p50_ms": round(ours_p50, 2), "ours_p90_ms": round(percentile(ours_ms, 90), 2),
                "ratio_p50_ours_vs_floor": ratio(ours_p50, floor_p50),
                "note": "ORM search_read of 100 orders x 5 fields in the bench's process (record cache cleared "
                        "before each call) vs GET /api/v1/orders?limit=100 with the same fields over HTTP, "
                        "one client, calls alternating"}

    def mcp_list(self):
        """The list-orders MCP tool (POST /api/v1/mcp, tools/call list_orders) against the REST list of
        the same page (100 orders, 5 fields), same run: what the JSON-RPC layer costs on top."""
        self.need_api()
        c = self.c
        params = {"limit": 100, "fields": LIST_FIELDS_OURS}

        def rest(s, i):
            r = c.ours(s, "GET", "/api/v1/orders", params=params)
            return C.expect(r, lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)

        message = {"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "list_orders", "arguments": {"limit": 100, "fields": LIST_FIELDS_OURS.split(",")}}}
        headers = {"Accept": "application/json, text/event-stream", "MCP-Protocol-Version": "2025-11-25"}

        def mcp_ok(r):
            result = r.json()["result"] if r.status_code == 200 else {}  # decoded once, as REST's
            return not result.get("isError", True) and len(result["structuredContent"]["data"]) == 100

        def mcp(s, i):
            return C.expect(c.ours(s, "POST", "/api/v1/mcp", json=message, headers=headers), mcp_ok)

        out = self.side_by_side({"ours": rest, "mcp": mcp})
        if out.get("mcp", {}).get("rps") and out.get("ours", {}).get("rps"):
            out["ratio_rps_mcp_vs_rest"] = ratio(out["mcp"]["rps"], out["ours"]["rps"])
            out["ratio_p50_mcp_vs_rest"] = ratio(out["mcp"].get("p50_ms"), out["ours"].get("p50_ms"))
        return out

    def _oauth_token(self):
        """An access token of the bench's OAuth2 client (client_secret_post), or None."""
        oauth = self.creds.get("oauth") or {}
        if "client_id" not in oauth:
            return None
        r = self.s.post(self.args.url.rstrip("/") + "/api/v1/oauth/token", timeout=30, data={
            "grant_type": "client_credentials", "client_id": oauth["client_id"], "client_secret": oauth["secret"]})
        return r.json().get("access_token") if r.status_code == 200 else None

    def _order_id(self, i):
        return random.Random(i).randint(self.first_id, min(self.last_id, self.first_id + 99_999))

    def read_one(self):
        c = self.c

        def ours(s, i):
            r = c.ours(s, "GET", "/api/v1/orders/%d" % self._order_id(i))
            return C.expect(r, lambda r: r.status_code == 200 and len(r.json()["lines"]) >= 1)

        def json2(s, i):
            r = c.json2_raw(s, "sale.order", "web_read", {"ids": [self._order_id(i)], "specification": READ_SPEC})
            return C.expect(r, lambda r: r.status_code == 200 and len(r.json()[0]["order_line"]) >= 1)

        def jsonrpc(s, i):
            r = c.jsonrpc_raw(s, "sale.order", "web_read", [[self._order_id(i)]], {"specification": READ_SPEC})
            return C.expect(r, lambda r: C.jsonrpc_ok(r) and len(r.json()["result"][0]["order_line"]) >= 1)

        out = self.side_by_side({"ours": ours if self.has_api else None, "json2": json2, "jsonrpc": jsonrpc})
        out["note"] = "native side: one web_read call with the order lines' fields nested (its best single call)"
        return out

    def create3(self):
        c = self.c

        def ours(s, i):
            r = c.ours(s, "POST", "/api/v1/orders", json=C.order_body(self.creds, i))
            if r.status_code == 201:
                self.created_orders.append(r.json()["id"])
                return True
            raise C.ApiError("%s %s" % (r.status_code, r.text[:200]))

        def vals(i):
            return C.order_vals(C.order_body(self.creds, i))

        def json2(s, i):
            r = c.json2_raw(s, "sale.order", "create", {"vals_list": [vals(i)]})
            if r.status_code == 200:
                self.created_orders.extend(r.json())
                return True
            raise C.ApiError("%s %s" % (r.status_code, r.text[:200]))

        def jsonrpc(s, i):
            r = c.jsonrpc_raw(s, "sale.order", "create", [[vals(i)]])
            if C.jsonrpc_ok(r):
                self.created_orders.extend(r.json()["result"])
                return True
            raise C.ApiError(r.text[:200])

        out = self.side_by_side({"ours": ours if self.has_api else None, "json2": json2, "jsonrpc": jsonrpc})
        out["note"] = "ours answers with the full order representation; the native create answers with the new id only"
        return out

    def _cursor_walk(self, limit, fields, record_every=1):
        """Follows next_cursor from the first page to the end; returns per-page (index, seconds) and
        the cursors met. Raises Skip without the API."""
        self.need_api()
        s, c = LeanSession(), self.c
        params = {"limit": limit}
        if fields:
            params["fields"] = fields
        pages, cursors, n, cursor = [], [], 0, None
        while True:
            if cursor:
                params["cursor"] = cursor
            t0 = time.perf_counter()
            r = c.ours(s, "GET", "/api/v1/orders", params=params)
            dt = time.perf_counter() - t0
            if r.status_code != 200:
                raise C.ApiError("cursor walk page %d: %s %s" % (len(pages), r.status_code, r.text[:200]))
            body = r.json()
            pages.append((n, dt))
            cursors.append((n, cursor))
            n += len(body["data"])
            cursor = body.get("next_cursor")
            if not body.get("has_more") or not cursor:
                return pages, cursors, n

    def deep_pages(self):
        """Cursor vs offset at 0/10/50/90 % depth, page size 100, 5 fields."""
        c = self.c
        depths = [0, 10, 50, 90]
        out = {"depths_pct": depths, "page_size": 100}
        # multiples of 200: the cursors of the full export (200 per page) start exactly there
        offsets = {d: (self.n_orders * d // 100) // 200 * 200 for d in depths}
        cursors = {}
        if self.has_api:
            walk = getattr(self, "_export_walk", None)
            if walk is None:  # the export scenario did not run: walk with 200 records per page
                t0 = time.monotonic()
                pages, cur_list, total = self._cursor_walk(200, "name")
                walk = {"pages": pages, "cursors": cur_list, "records": total, "seconds": time.monotonic() - t0}
            pages = walk["pages"]
            out["walk"] = {"pages": len(pages), "records": walk["records"], "page_size": 200,
                           "seconds": round(walk["seconds"], 1),
                           "p50_ms": round(percentile([p[1] for p in pages], 50) * 1000, 2),
                           "series": [(k, round(dt * 1000, 2)) for k, dt in pages[::5]]}
            by_offset = dict(walk["cursors"])
            for d in depths:
                cursors[d] = by_offset.get(offsets[d])
        seconds, self.seconds = self.seconds, max(2.0, self.seconds / 2)
        try:
            for d in depths:
                off = offsets[d]
                fns = {}
                if self.has_api:
                    cur = cursors.get(d)

                    def ours_cursor(s, i, cur=cur):
                        params = {"limit": 100, "fields": LIST_FIELDS_OURS}
                        if cur:
                            params["cursor"] = cur
                        r = c.ours(s, "GET", "/api/v1/orders", params=params)
                        return C.expect(r, lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)

                    def ours_offset(s, i, off=off):
                        r = c.ours(s, "GET", "/api/v1/orders", params={"limit": 100, "offset": off,
                                                                        "fields": LIST_FIELDS_OURS})
                        return C.expect(r, lambda r: r.status_code == 200 and len(r.json()["data"]) == 100)
                    fns["ours_cursor"], fns["ours_offset"] = ours_cursor, ours_offset

                def json2_offset(s, i, off=off):
                    r = c.json2_raw(s, "sale.order", "search_read", {"domain": [], "fields": LIST_FIELDS_ORM,
                                                                     "limit": 100, "offset": off, "order": "id"})
                    return C.expect(r, lambda r: r.status_code == 200 and len(r.json()) == 100)

                def jsonrpc_offset(s, i, off=off):
                    r = c.jsonrpc_raw(s, "sale.order", "search_read", [[]], {
                        "fields": LIST_FIELDS_ORM, "limit": 100, "offset": off, "order": "id"})
                    return C.expect(r, lambda r: C.jsonrpc_ok(r) and len(r.json()["result"]) == 100)
                fns["json2_offset"], fns["jsonrpc_offset"] = json2_offset, jsonrpc_offset
                out["depth_%d" % d] = {"offset": off, **{k: C.load(f, self.conc, self.seconds, self.args.max_requests)
                                                          for k, f in fns.items()}}
        finally:
            self.seconds = seconds
        if self.has_api and out.get("depth_0", {}).get("ours_cursor", {}).get("p50_ms"):
            out["ratio_cursor_p50_90pct_vs_first"] = ratio(out["depth_90"]["ours_cursor"]["p50_ms"],
                                                          out["depth_0"]["ours_cursor"]["p50_ms"])
        return out

    def upsert(self):
        c = self.c
        tag = uuid.uuid4().hex[:6]
        pool = 200  # the first 200 calls of each side create, the rest update: the same mix on each side

        def ours(s, i):
            ref = "bu-%s-o-%d" % (tag, i % pool)
            r = c.ours(s, "PUT", "/api/v1/partners/external/%s" % ref,
                       json={"name": "Upsert %d" % i, "email": "u%d@bench.example.com" % (i % pool)})
            return C.expect(r, lambda r: r.status_code in (200, 201))

        def native(call):
            def fn(s, i):
                ref = "bu-%s-%s-%d" % (tag, call, i % pool)
                vals = {"name": "Upsert %d" % i, "email": "u%d@bench.example.com" % (i % pool)}
                if call == "j":
                    ids = c.json2(s, "res.partner", "search", {"domain": [["external_ref", "=", ref]], "limit": 1})
                    if ids:
                        c.json2(s, "res.partner", "write", {"ids": ids, "vals": vals})
                    else:
                        c.json2(s, "res.partner", "create", {"vals_list": [dict(vals, external_ref=ref)]})
                else:
                    ids = c.jsonrpc(s, "res.partner", "search", [[["external_ref", "=", ref]]], {"limit": 1})
                    if ids:
                        c.jsonrpc(s, "res.partner", "write", [ids, vals])
                    else:
                        c.jsonrpc(s, "res.partner", "create", [[dict(vals, external_ref=ref)]])
                return True
            return fn

        out = self.side_by_side({"ours": ours if self.has_api else None, "json2": native("j"),
                                 "jsonrpc": native("r")})
        out["note"] = ("native side: search on external_ref, then write or create (two calls, no atomic upsert "
                       "in Odoo's APIs); the first 200 calls of each side create, later ones update")
        return out

    def export_memory(self):
        """RSS of the server before/after a full cursor export of all orders (limit 200, default fields)."""
        self.need_api()
        before = rss_kb(self.args.server_pid)
        t0 = time.monotonic()
        pages, cursors, total = self._cursor_walk(200, None)
        secs = time.monotonic() - t0
        after = rss_kb(self.args.server_pid)
        self._export_walk = {"pages": pages, "cursors": cursors, "records": total, "seconds": secs}
        return {"records": total, "pages": len(pages), "seconds": round(secs, 1),
                "records_per_s": round(total / secs, 1) if secs else None,
                "rss_before_mb": round(before["total_kb"] / 1024, 1), "rss_after_mb": round(after["total_kb"] / 1024, 1),
                "rss_max_process_before_mb": round(before["max_kb"] / 1024, 1),
                "rss_max_process_after_mb": round(after["max_kb"] / 1024, 1),
                "processes": after["processes"]}

    def cleanup(self):
        ids = [i for i in self.created_orders if isinstance(i, int)]
        for k in range(0, len(ids), 500):
            try:
                self.admin.json2(self.s, "sale.order", "unlink", {"ids": ids[k:k + 500]})
            except Exception as exc:  # noqa: BLE001
                log("cleanup of created orders failed: %s" % exc)
                break
        self.created_orders = []

    def run(self):
        self.facts()
        only = set(filter(None, (self.args.only or "").split(",")))
        plan = [("list_100_orders", self.list100), ("floor", self.floor), ("mcp_list_orders", self.mcp_list),
                ("read_one_order", self.read_one),
                ("create_order_3_lines", self.create3), ("export_memory", self.export_memory),
                ("deep_pages", self.deep_pages), ("partner_upsert", self.upsert),
                ("batch_sync", lambda: batch_sync.run(self)),
                ("webhook_dispatch", lambda: webhooks.dispatch(self)),
                ("webhook_inbound", lambda: webhooks.inbound(self))]
        for name, fn in plan:
            if only and name not in only:
                continue
            self.scenario(name, fn)
        self.cleanup()
        self.result["finished"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        self.save()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--creds", required=True)
    ap.add_argument("--mode", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--seconds", type=float, default=float(os.environ.get("BENCH_SECONDS", "12")))
    ap.add_argument("--concurrency", type=int, default=int(os.environ.get("BENCH_CONCURRENCY", "4")))
    ap.add_argument("--rounds", type=int, default=int(os.environ.get("BENCH_ROUNDS", "6")))
    ap.add_argument("--warmup-seconds", type=float, default=float(os.environ.get("BENCH_WARMUP_SECONDS", "1")))
    ap.add_argument("--max-requests", type=int, default=6000)
    ap.add_argument("--only", default=os.environ.get("BENCH_ONLY", ""))
    Bench(ap.parse_args()).run()


if __name__ == "__main__":
    main()
