# Runs inside `odoo-bin shell` on the benchmark database (``env`` is given); everything is rolled back.
# Cost of recording business events on the business transaction: time to create orders (3 lines
# each, 100 per flush, as the benchmark user) in three variants:
# - "without": the event store switched off for the measurement (rest.change._record does nothing:
#   no change recorded, no event row; this is what the orders cost without the event store);
# - "store": the event store as shipped, no webhook endpoint (each order's "created" event stored at
#   precommit, as for the change feed);
# - "endpoint": the event store and one endpoint on sale.order (events created + updated: a body and
#   a webhook.delivery row referencing the event, in the same transaction).
# Chunks of 100 orders, in rounds ordered without, store, endpoint, endpoint, store, without, so that
# each variant runs as often early as late in a round (a table growing, caches warming); 1,000 orders
# per variant (BENCH_ENQUEUE_ROUNDS rounds of 2 chunks each). A chunk is 1.2 s on the bench machine:
# a burst of other work on the shared 2 cores moves one chunk by several percent, so next to the
# totals the result gives the median over rounds of each round's ratio (a burst weighs on one round,
# not on the median) and the time spent inside the event store's own code, timed where it runs
# (``rest.change._record`` in each create, ``_write_pending`` at each flush's precommit).
# Prints one JSON line.
import json
import os
import statistics
import time

E = env  # noqa: F821 (provided by odoo-bin shell)
ROUNDS = int(os.environ.get("BENCH_ENQUEUE_ROUNDS", "5"))
out = {}
if "webhook.endpoint" not in E:
    out = {"skipped": "webhook.endpoint not installed (outbound webhooks, issue 4)"}
else:
    user = E["res.users"].search([("login", "=", "bench")], limit=1)
    U = E(user=user.id)
    partners = U["res.partner"].search([("ref", "=like", "BENCH-C%")], limit=200).ids
    products = U["product.product"].search([("default_code", "=like", "BENCH-P%")]).ids

    def create(seed, n=100):
        t0 = time.perf_counter()
        U["sale.order"].create([{
            "partner_id": partners[(seed + i) % len(partners)],
            "order_line": [(0, 0, {"product_id": products[(seed + i + k) % len(products)],
                                   "product_uom_qty": 1 + k}) for k in range(3)],
        } for i in range(n)])
        U.cr.flush()  # the ORM's writes and the precommit hooks (the event store's rows)
        return time.perf_counter() - t0

    E["ir.config_parameter"].set_param("rest_webhooks.webhook_allow_local_network", "1")
    # endpoints are configured by an administrator (superuser here); the orders are the bench user's
    ep = E["webhook.endpoint"].create({
        "name": "bench-enqueue", "url": "http://127.0.0.1:9/never-called",
        "model_id": E["ir.model"]._get_id("sale.order"), "event_created": True, "event_updated": True})
    ep.write({"active": False})
    U.cr.flush()
    Change = type(E["rest.change"])  # this registry's class: switched off by shadowing _record
    shipped = {name: getattr(Change, name) for name in ("_record", "_write_pending")}
    own = {"seconds": 0.0}

    def timed(method):
        def wrapper(self, *args, **kwargs):
            t0 = time.perf_counter()
            try:
                return method(self, *args, **kwargs)
            finally:
                own["seconds"] += time.perf_counter() - t0
        return wrapper

    def set_variant(variant):
        """Switch to ``variant``, then create a few orders untimed: turning the endpoint on or off
        rewrites its automation rules, which invalidates the registry's caches, and the chunk that
        follows would pay their rebuilding (a cost of the measurement, not of the variant)."""
        if ep.active != (variant == "endpoint"):
            ep.write({"active": variant == "endpoint"})
            U.cr.flush()
        for name in shipped:
            if name in vars(Change):
                delattr(Change, name)
        if variant == "without":
            Change._record = lambda self, records, change, any_model=False: None
        elif variant == "store":  # the event store's own code, timed (as shipped otherwise)
            for name, method in shipped.items():
                setattr(Change, name, timed(method))
        kept = own["seconds"]
        create(0, 5)
        own["seconds"] = kept  # the event store's time in timed chunks only

    variants = ("without", "store", "endpoint")
    chunks = {v: [] for v in variants}
    counts = dict.fromkeys(variants, 0)
    deliveries = 0  # in the timed chunks
    create(0, 20)  # warm-up
    seed = 0
    for _round in range(ROUNDS):
        for variant in variants + variants[::-1]:
            set_variant(variant)
            E.cr.execute("SELECT (SELECT count(*) FROM rest_change), (SELECT count(*) FROM webhook_delivery)")
            before = E.cr.fetchone()
            chunks[variant].append(create(seed))
            E.cr.execute("SELECT (SELECT count(*) FROM rest_change), (SELECT count(*) FROM webhook_delivery)")
            after = E.cr.fetchone()
            counts[variant] += after[0] - before[0]
            deliveries += after[1] - before[1]
            seed += 100
    set_variant("store")
    for name in shipped:  # as shipped again
        if name in vars(Change):
            delattr(Change, name)
    times = {v: sum(c) for v, c in chunks.items()}

    def per_round(a, b):
        """Median over rounds of (round's time of ``a`` / round's time of ``b`` - 1), in %."""
        return round(statistics.median(
            (sum(chunks[a][2 * r:2 * r + 2]) / sum(chunks[b][2 * r:2 * r + 2]) - 1) * 100
            for r in range(ROUNDS)), 1)

    out = {"orders_per_variant": 200 * ROUNDS, "rounds": ROUNDS,
           "seconds_without_event_store": round(times["without"], 2),
           "seconds_with_event_store": round(times["store"], 2),
           "seconds_with_endpoint": round(times["endpoint"], 2),
           "event_store_pct": round((times["store"] / times["without"] - 1) * 100, 1),
           "event_store_pct_median_round": per_round("store", "without"),
           "event_store_own_seconds": round(own["seconds"], 3),
           "event_store_own_pct": round(own["seconds"] / (times["store"] - own["seconds"]) * 100, 2),
           "overhead_pct": round((times["endpoint"] / times["without"] - 1) * 100, 1),
           "overhead_pct_median_round": per_round("endpoint", "without"),
           "endpoint_over_store_pct": round((times["endpoint"] / times["store"] - 1) * 100, 1),
           "round_ratios_store": [round(sum(chunks["store"][2 * r:2 * r + 2])
                                        / sum(chunks["without"][2 * r:2 * r + 2]), 3) for r in range(ROUNDS)],
           "events_recorded": counts, "deliveries_enqueued": deliveries,
           "note": "in-process ORM creates (100 orders per flush), interleaved, rolled back; no HTTP"}
E.cr.rollback()
print(json.dumps(out))
