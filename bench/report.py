"""Merges one bench run (threaded.json, prefork.json, enqueue.json in --run-dir) into
bench/results/latest.json, latest.md and the PNG plots."""
import argparse
import json
import os
import platform
import subprocess
import time

MODES = ("threaded", "prefork")
APIS = ("ours", "json2", "jsonrpc")


def machine():
    cpu = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = 0
    try:
        with open("/proc/meminfo") as f:
            mem = int(f.readline().split()[1]) / 1024 / 1024
    except (OSError, ValueError):
        pass
    try:
        load = os.getloadavg()
    except OSError:
        load = None
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem, 1), "python": platform.python_version(),
            "kernel": platform.release(), "load_average_at_report": [round(x, 2) for x in load] if load else None}


def git_rev(root):
    try:
        return subprocess.check_output(["git", "-C", root, "rev-parse", "--short", "HEAD"], text=True).strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def load_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def fmt(x, suffix=""):
    if x is None:
        return "–"
    return ("%s%s" % (x, suffix))


def by_round(r):
    """``stats.round_ratios`` as "lo–hi (min–max)", or – when the run has no rounds to compare."""
    if not r:
        return "–"
    return "%s–%s (%s–%s)" % (r["ci95"][0], r["ci95"][1], r["min"], r["max"])


def cell(d, key="rps"):
    if not isinstance(d, dict):
        return "–"
    if "skipped" in d:
        return "skipped"
    v = d.get(key)
    if v is None:
        return "–"
    err = " (%d err)" % d["errors"] if d.get("errors") else ""
    return "%s%s" % (v, err)


def status_line(sc):
    if not sc:
        return "not run"
    if "skipped" in sc:
        return "skipped: " + sc["skipped"]
    if "error" in sc:
        return "error: " + sc["error"]
    return None



def _paragraph(title, scenario, render):
    """``**title**: <skipped/error status>``, or the scenario's figures as ``render`` words them."""
    scenario = scenario or {}
    st = status_line(scenario)
    return "**%s**: %s" % (title, st) if st else render(scenario)


def _dispatch_text(wd):
    ct, tp = wd.get("commit_to_receipt") or {}, wd.get("throughput") or {}
    return ("**Webhook dispatch** to a receiver on 127.0.0.1: commit-to-receipt p50 %s ms, p90 %s ms, p99 %s ms "
            "(%s/%s orders created one by one at %s/s); burst of %s events committed in one transaction: "
            "%s received, %s deliveries/s (%s/s counted from the commit), duplicate POSTs %s." % (
                ct.get("p50_ms"), ct.get("p90_ms"), ct.get("p99_ms"), ct.get("received"), ct.get("orders"),
                ct.get("pace_per_s"), tp.get("events"), tp.get("received"), tp.get("deliveries_per_s"),
                tp.get("deliveries_per_s_from_commit"), tp.get("duplicate_posts")))


def _inbound_text(wi):
    u, fl = wi.get("unique_events") or {}, wi.get("duplicate_flood") or {}
    return ("**Inbound webhooks** (Standard Webhooks signatures, dedupe on): %s accepted events/s, p50 %s ms, "
            "p99 %s ms, %s errors; flood of %s identical deliveries (8 threads): responses %s, stored events %s." % (
                u.get("rps"), u.get("p50_ms"), u.get("p99_ms"), u.get("errors"), fl.get("requests", 0) + fl.get("errors", 0),
                json.dumps(fl.get("responses")), fl.get("stored_events")))

def _batch_text(b):
    return ("**Batch writes and the change feed** (sequential, one connection): %s orders of 3 lines: %s/s one by one, %s/s in batches of 100, %s/s with "
            "`/json/2` `sale.order/create` of 100 vals (batch / single **%s**, batch / json2 **%s**; by chunk, 95 %% interval (min–max): %s); partner upserts: "
            "%s/s one by one, %s/s in batches of 200 (**%s**). Change feed read to its end: %s changes at %s changes/s, "
            "server RSS %s MB before, %s MB after." % (
                b.get("orders", 1000), fmt(b.get("orders_single_per_s")), fmt(b.get("orders_batch_per_s")),
                fmt(b.get("orders_json2_per_s")), fmt(b.get("ratio_orders_batch_vs_single")),
                fmt(b.get("ratio_orders_batch_vs_json2")), by_round(b.get("chunks_orders_batch_vs_json2")),
                fmt(b.get("upserts_single_per_s")),
                fmt(b.get("upserts_batch_per_s")), fmt(b.get("ratio_upserts_batch_vs_single")), b.get("feed_changes"),
                fmt(b.get("feed_changes_per_s")), fmt(b.get("feed_rss_before_mb")), fmt(b.get("feed_rss_after_mb"))))


def _cluster_text(cl):
    out = ["## Cluster mode (two prefork nodes behind HAProxy, streaming replica)", "",
           "| reads (GET /api/v1/orders, 20 per page) | req/s | p50 / p99 ms | errors | primary's share of rows read: all / order+partner tables | primary xacts | replica xacts |",
           "| --- | --- | --- | --- | --- | --- | --- |"]
    for name in ("balancer_replica", "balancer_primary", "one_node_replica", "one_node_primary"):
        x = cl.get(name) or {}
        r, db = x.get("reads") or {}, x.get("db") or {}
        out.append("| %s | %s | %s / %s | %s | %s / %s | %s | %s |" % (
            name.replace("_", " "), fmt(r.get("rps")), fmt(r.get("p50_ms")), fmt(r.get("p99_ms")), r.get("errors"),
            fmt(db.get("primary_share_of_rows_read")), fmt(db.get("primary_share_of_business_rows_read")), (db.get("primary") or {}).get("xacts"), (db.get("replica") or {}).get("xacts")))
    lag = cl.get("replica_lag_under_writes") or {}
    out.append("")
    out.append("Balancer + replica / one node on the primary (req/s): %s. Replica lag while orders are written through "
               "the balancer (%s orders/s): replay lag p50 %s ms, max %s ms; %s bytes of WAL behind at most (%s samples)." % (
                   fmt(cl.get("ratio_balancer_replica_vs_one_node_primary")), fmt((lag.get("writes") or {}).get("rps")),
                   fmt(lag.get("replay_lag_ms_p50")), fmt(lag.get("replay_lag_ms_max")), lag.get("lag_bytes_max"), lag.get("samples")))
    out.append("")
    return "\n".join(out)


def md_report(res):
    out = []
    m = res["machine"]
    out.append("# Benchmark results")
    out.append("")
    out.append("Taken %s on %d cores (%s), %s GiB RAM, commit `%s`. %s" % (
        res["date"], m["cores"], m["cpu"], m["memory_gib"], res.get("commit") or "?", res.get("conditions", "")))
    d = res.get("data") or {}
    ld = res.get("load") or {}
    out.append("Database: %s sale orders, %s order lines, %s partners. Load: %s client threads, %s s per API "
               "and scenario (%s rounds in a balanced order, after %s s of unmeasured warm-up per API), on "
               "127.0.0.1, client %s."
               % (d.get("orders"), d.get("order_lines"), d.get("partners"), ld.get("concurrency"),
                  ld.get("seconds"), ld.get("rounds"), ld.get("warmup_seconds"), ld.get("client")))
    out.append("")
    for mode in MODES:
        r = res["modes"].get(mode)
        if not r:
            continue
        sc = r["scenarios"]
        out.append("## %s mode" % mode.capitalize())
        out.append("")
        out.append("| scenario | ours req/s | json2 req/s | jsonrpc req/s | ours p50/p90/p99 ms | json2 p50/p90/p99 ms | "
                   "jsonrpc p50/p90/p99 ms | ours/json2 req/s | ours/json2 by round: 95 % interval (min–max) | "
                   "ours/jsonrpc req/s |")
        out.append("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for name in ("list_100_orders", "read_one_order", "create_order_3_lines", "partner_upsert"):
            s = sc.get(name) or {}
            st = status_line(s)
            if st:
                out.append("| %s | %s |  |  |  |  |  |  |  |  |" % (name, st))
                continue

            def pct(a, s=s):
                x = s.get(a) or {}
                return "skipped" if "skipped" in x else "%s / %s / %s" % (fmt(x.get("p50_ms")), fmt(x.get("p90_ms")), fmt(x.get("p99_ms")))
            out.append("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                name, cell(s.get("ours")), cell(s.get("json2")), cell(s.get("jsonrpc")), pct("ours"), pct("json2"),
                pct("jsonrpc"), fmt(s.get("ratio_rps_ours_vs_json2")), by_round(s.get("rounds_ours_vs_json2")),
                fmt(s.get("ratio_rps_ours_vs_jsonrpc"))))
        out.append("")
        out.append("By round: each of the rounds of ours and of json2 run in the same rotation gives one ratio of "
                   "req/s; the interval is Student's t over their logarithms (the geometric mean's 95 % "
                   "interval): how far this run's ratio can be from the machine's true one.")
        out.append("")
        fl = sc.get("floor") or {}
        st = status_line(fl)
        out.append("**Floor** (the same page read in-process through the ORM, in the bench's process, record "
                   "cache cleared before each call; ours over HTTP at one client, calls alternating): " + (
                       st or "ORM p50 %s ms, ours p50 %s ms: ours/floor **%s** (p90 %s / %s ms, %s calls)." % (
                           fmt(fl.get("floor_p50_ms")), fmt(fl.get("ours_p50_ms")), fmt(fl.get("ratio_p50_ours_vs_floor")),
                           fmt(fl.get("floor_p90_ms")), fmt(fl.get("ours_p90_ms")), fl.get("calls"))))
        mc = sc.get("mcp_list_orders") or {}
        st = status_line(mc)
        out.append("**MCP list-orders tool vs REST list** (100 orders, 5 fields, same run): " + (st or (
            "MCP %s req/s, REST %s req/s, MCP/REST %s (p50 %s vs %s ms); target >= %.2f (cost <= 1.2x)." % (
                cell(mc.get("mcp")), cell(mc.get("ours")), fmt(mc.get("ratio_rps_mcp_vs_rest")),
                fmt((mc.get("mcp") or {}).get("p50_ms")), fmt((mc.get("ours") or {}).get("p50_ms")), 1 / 1.2))))
        out.append("")
        dp = sc.get("deep_pages") or {}
        st = status_line(dp)
        out.append("**Deep pages** (100 orders, 5 fields; p50 ms):" + (" " + st if st else ""))
        if not st:
            out.append("")
            out.append("| depth | offset | ours cursor | ours offset | json2 offset | jsonrpc offset |")
            out.append("| --- | --- | --- | --- | --- | --- |")
            for dep in dp.get("depths_pct", []):
                x = dp.get("depth_%d" % dep) or {}
                out.append("| %d %% | %s | %s | %s | %s | %s |" % (dep, x.get("offset"), cell(x.get("ours_cursor"), "p50_ms"),
                                                              cell(x.get("ours_offset"), "p50_ms"), cell(x.get("json2_offset"), "p50_ms"),
                                                              cell(x.get("jsonrpc_offset"), "p50_ms")))
            out.append("")
            out.append("Cursor page at 90 %% depth / first page (p50): %s." % fmt(dp.get("ratio_cursor_p50_90pct_vs_first")))
        out.append("")
        ex = sc.get("export_memory") or {}
        st = status_line(ex)
        out.append("**Full cursor export** of all orders (200 per page, default fields): " + (st or "%s records in %s s (%s records/s); server RSS %s MB before, %s MB after (%s process(es))." % (
            ex.get("records"), ex.get("seconds"), ex.get("records_per_s"), ex.get("rss_before_mb"), ex.get("rss_after_mb"), ex.get("processes"))))
        out.append("")
        out.append(_paragraph("Webhook dispatch", sc.get("webhook_dispatch"), _dispatch_text))
        out.append("")
        out.append(_paragraph("Inbound webhooks", sc.get("webhook_inbound"), _inbound_text))
        out.append("")
        out.append(_paragraph("Batch writes and the change feed", sc.get("batch_sync"), _batch_text))
        out.append("")
    cl = res.get("cluster")
    if cl:
        out.append(_cluster_text(cl))
    enq = res.get("enqueue") or {}
    out.append("## Event store and outbox cost on the business transaction")
    out.append("")
    if "skipped" in enq:
        out.append("skipped: " + enq["skipped"])
    elif enq:
        out.append("Creating %s orders (3 lines, 100 per flush, %s rounds of chunks ordered a, b, b, a): %s s "
                   "with the event store switched off, %s s with it: **%s %%** (median of the rounds %s %%; "
                   "the event store's own code, timed where it runs: %s s, %s %%). One endpoint on "
                   "sale.order (created + updated) on top, compared with the event store alone (%s s / "
                   "%s s): %s %% (median %s %%), %s %% over no event store; %s deliveries enqueued. %s." % (
                       enq.get("orders_per_variant"), enq.get("rounds"), enq.get("seconds_without_event_store"),
                       enq.get("seconds_with_event_store"), enq.get("event_store_pct"),
                       enq.get("event_store_pct_median_round"), enq.get("event_store_own_seconds"),
                       enq.get("event_store_own_pct"), *(enq.get("seconds_store_vs_endpoint") or ["?", "?"]),
                       enq.get("endpoint_over_store_pct"), enq.get("endpoint_over_store_pct_median_round"),
                       enq.get("overhead_pct"), enq.get("deliveries_enqueued"), enq.get("note")))
    else:
        out.append("not measured (see the run's enqueue.log)")
    out.append("")
    out.append(_inprocess_text(res.get("inprocess") or {}))
    out.append("")
    out.append("Plots: `latency_by_depth_<mode>.png`, `deliveries_per_second_<mode>.png`. Raw numbers: `latest.json`.")
    return "\n".join(out) + "\n"


def _inprocess_text(ip):
    """bench/inprocess.py: requests through Odoo's WSGI application in one process, no network."""
    out = ["## In-process: where a request's time goes without the network", ""]
    if not ip or "ours_list" not in ip:
        out.append("not measured (see the run's inprocess.log)")
        return "\n".join(out)
    out.append("p50 of %s calls of each, alternating, through Odoo's WSGI application (routing, session, "
               "authentication, commit) in one process; queries = SQL statements per request." % ip.get("calls"))
    out.append("")
    out.append("| call | p50 ms | queries |")
    out.append("| --- | --- | --- |")
    labels = [("orm_floor", "ORM search_read of the page (floor, own cursor)"), ("ours_list", "GET /api/v1/orders?limit=100"),
              ("json2_list", "/json/2 search_read of the page"), ("ours_read", "GET /api/v1/orders/{id}"),
              ("health", "GET /api/v1/health (Odoo's fixed cost)"), ("ours_create", "POST /api/v1/orders (3 lines)"),
              ("json2_create", "/json/2 create (3 lines)")]
    for key, label in labels:
        if key in ip:
            out.append("| %s | %s | %s |" % (label, ip[key]["p50_ms"], ip[key]["queries"]))
    out.append("")
    out.append("List: ours / floor %s, json2 / ours %s; create: json2 / ours %s." % (
        ip.get("ratio_ours_list_vs_floor"), ip.get("ratio_json2_vs_ours_list"), ip.get("ratio_json2_vs_ours_create")))
    return "\n".join(out)


def plots(res, out_dir):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return ["matplotlib missing: no plots"]
    made = []
    for mode, r in res["modes"].items():
        sc = r.get("scenarios", {})
        dp = sc.get("deep_pages") or {}
        if dp.get("depths_pct"):
            fig, ax = plt.subplots(figsize=(7, 4))
            for key, label in (("ours_cursor", "ours: cursor"), ("ours_offset", "ours: offset"),
                               ("json2_offset", "/json/2: offset"), ("jsonrpc_offset", "/jsonrpc: offset")):
                xs, ys = [], []
                for d in dp["depths_pct"]:
                    v = (dp.get("depth_%d" % d) or {}).get(key) or {}
                    if v.get("p50_ms") is not None:
                        xs.append(d)
                        ys.append(v["p50_ms"])
                if xs:
                    ax.plot(xs, ys, marker="o", label=label)
            ax.set_xlabel("page depth (% of all orders)")
            ax.set_ylabel("p50 latency (ms), 100 orders, 5 fields")
            ax.set_title("Latency by page depth (%s)" % mode)
            ax.set_ylim(bottom=0)
            ax.legend()
            ax.grid(alpha=0.3)
            name = "latency_by_depth_%s.png" % mode
            fig.tight_layout()
            fig.savefig(os.path.join(out_dir, name), dpi=90)
            plt.close(fig)
            made.append(name)
        tp = (sc.get("webhook_dispatch") or {}).get("throughput") or {}
        if tp.get("series"):
            fig, ax = plt.subplots(figsize=(7, 4))
            xs = [p[0] for p in tp["series"]]
            ys = [p[1] for p in tp["series"]]
            ax.bar(xs, ys, width=0.9, align="edge")
            ax.set_xlabel("seconds after the commit of %s events" % tp.get("events"))
            ax.set_ylabel("deliveries received per second")
            ax.set_title("Webhook dispatch to a local receiver (%s)" % mode)
            ax.grid(alpha=0.3, axis="y")
            name = "deliveries_per_second_%s.png" % mode
            fig.tight_layout()
            fig.savefig(os.path.join(out_dir, name), dpi=90)
            plt.close(fig)
            made.append(name)
    return made


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--out-dir", required=True)
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    modes = {}
    for mode in MODES:
        r = load_json(os.path.join(args.run_dir, mode + ".json"))
        if r:
            modes[mode] = r
    data = next((r.get("data") for r in modes.values() if r.get("data")), None)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else 0
    res = {
        "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "commit": git_rev(root),
        "machine": machine(),
        # The load average includes the benchmark's own server and clients; BENCH_SHARED=1 says that
        # other work (test runs, builds) was using the machine too.
        "conditions": ("Load average %.1f at the end of the run (the benchmark's own server and clients "
                       "included)%s; on 2 cores the side-by-side ratios (same run, same moment) are the "
                       "meaningful part." % (load, "; the machine was shared with other work"
                                             if os.environ.get("BENCH_SHARED") else "")),
        "load": next((r.get("load") for r in modes.values() if r.get("load")), None),  # as bench/run.py ran
        "data": data,
        "enqueue": load_json(os.path.join(args.run_dir, "enqueue.json")),
        "inprocess": load_json(os.path.join(args.run_dir, "inprocess.json")),
        "modes": modes,
        "cluster": load_json(os.path.join(args.run_dir, "cluster.json")),
    }
    os.makedirs(args.out_dir, exist_ok=True)
    res["plots"] = plots(res, args.out_dir)
    with open(os.path.join(args.out_dir, "latest.json"), "w") as f:
        json.dump(res, f, indent=1)
    with open(os.path.join(args.out_dir, "latest.md"), "w") as f:
        f.write(md_report(res))
    print(md_report(res))


if __name__ == "__main__":
    main()
