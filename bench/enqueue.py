# Runs inside `odoo-bin shell` on the benchmark database (``env`` is given); everything is rolled back.
# Cost of recording business events on the business transaction: time to create orders (3 lines
# each, 100 per flush, as the benchmark user) in three variants:
# - "without": the event store switched off for the measurement (rest.change._record does nothing:
#   no change recorded, no event row; this is what the orders cost without the event store);
# - "store": the event store as shipped, no webhook endpoint (each order's "created" event stored at
#   precommit, as for the change feed);
# - "endpoint": the event store and one endpoint on sale.order (events created + updated: a body and
#   a webhook.delivery row referencing the event, in the same transaction).
# Chunks of 100 orders, in rounds ordered a, b, b, a (each variant as often early as late in a round:
# a table growing, caches warming): first "without" against "store" (the endpoint stays off), then
# "store" against "endpoint"; 1,000 orders per variant and comparison (BENCH_ENQUEUE_ROUNDS rounds of 2
# chunks each). Turning the endpoint on or off rewrites its automation rules, and Odoo then re-patches
# the models and clears its caches, whose rebuilding the next chunks pay: "without" and "store" are
# therefore never compared across such a switch, and in the second comparison each variant has one
# chunk right after a switch per round. A chunk is 1.2 s on the bench machine: a burst of other work
# on the shared 2 cores moves one chunk by several percent, so next to the totals the result gives the
# median over rounds of each round's ratio and the time spent inside the event store's own code,
# timed where it runs (``rest.change._record`` in each create, ``_write_pending`` at each flush's
# precommit, the deferred triggers that number the rows at commit).
# Prints one JSON line.
import json
import os
import statistics
import time

from odoo.addons.rest_webhooks.models.rest_change import fire_commit_triggers

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
        t1 = time.perf_counter()
        number_as_at_commit()
        own["seconds"] += time.perf_counter() - t1
        return time.perf_counter() - t0

    def number_as_at_commit():
        """What PostgreSQL runs at COMMIT (the event store's deferred triggers: the rows numbered
        under the commit-order lock, the bodies' versions), run now: the chunks are rolled back."""
        fire_commit_triggers(U.cr)

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

    def restore_shipped():
        """rest.change's methods as shipped (class attributes: a rollback does not undo them)."""
        for name in shipped:
            if name in vars(Change):
                delattr(Change, name)

    def set_variant(variant):
        """Switch to ``variant`` (the endpoint's rules only when it changes), then create a few orders
        untimed: after a switch, the first caches are rebuilt outside the timed chunk."""
        if ep.active != (variant == "endpoint"):
            ep.write({"active": variant == "endpoint"})
            U.cr.flush()
        restore_shipped()
        if variant == "without":
            Change._record = lambda self, records, change, any_model=False: None
        elif variant == "store":  # the event store's own code, timed (as shipped otherwise)
            for name, method in shipped.items():
                setattr(Change, name, timed(method))
        kept = own["seconds"]
        create(0, 5)
        own["seconds"] = kept  # the event store's time in timed chunks only

    counts = {"without": 0, "store": 0, "endpoint": 0}
    position = {"seed": 0}  # each chunk's orders: the next 100 partner/product combinations

    def compare(a, b):
        """ROUNDS rounds of chunks ordered a, b, b, a: {variant: [chunk seconds]}. Each variant runs
        as often early as late in a round, and as often right after a switch as not (turning the
        endpoint on or off clears Odoo's caches, whose rebuilding the next chunks share)."""
        chunks, delivered = {a: [], b: []}, 0
        for _round in range(ROUNDS):
            for variant in (a, b, b, a):
                set_variant(variant)
                E.cr.execute("SELECT (SELECT count(*) FROM rest_change), (SELECT count(*) FROM webhook_delivery)")
                before = E.cr.fetchone()
                chunks[variant].append(create(position["seed"]))
                position["seed"] += 100
                E.cr.execute("SELECT (SELECT count(*) FROM rest_change), (SELECT count(*) FROM webhook_delivery)")
                after = E.cr.fetchone()
                counts[variant] += after[0] - before[0]
                delivered += after[1] - before[1]
        return chunks, delivered

    # warm-up: every partner and product the chunks use once (a chunk's first sight of a partner
    # fills per-partner caches: without this the first round's second chunk paid for it)
    create(0)
    create(100)
    # the event store against no event store (the endpoint stays off: no rules change in between)
    store_chunks, _delivered = compare("without", "store")
    own_store = own["seconds"]
    # one endpoint on top of the event store: the outbox (a body and a delivery row per event)
    endpoint_chunks, deliveries = compare("store", "endpoint")
    restore_shipped()

    def pct(chunks, a, b):
        """(total of ``b`` / total of ``a`` - 1) in %, and the median over rounds of the same."""
        total = (sum(chunks[b]) / sum(chunks[a]) - 1) * 100
        rounds = [(sum(chunks[b][2 * r:2 * r + 2]) / sum(chunks[a][2 * r:2 * r + 2]) - 1) * 100
                  for r in range(ROUNDS)]
        return round(total, 1), round(statistics.median(rounds), 1), [round(1 + x / 100, 3) for x in rounds]

    store_pct, store_median, store_rounds = pct(store_chunks, "without", "store")
    endpoint_pct, endpoint_median, _rounds = pct(endpoint_chunks, "store", "endpoint")
    without, with_store = sum(store_chunks["without"]), sum(store_chunks["store"])
    out = {"orders_per_variant": 200 * ROUNDS, "rounds": ROUNDS,
           "seconds_without_event_store": round(without, 2),
           "seconds_with_event_store": round(with_store, 2),
           "event_store_pct": store_pct,
           "event_store_pct_median_round": store_median,
           "round_ratios_store": store_rounds,
           "event_store_own_seconds": round(own_store, 3),
           "event_store_own_pct": round(own_store / (with_store - own_store) * 100, 2),
           "seconds_store_vs_endpoint": [round(sum(endpoint_chunks["store"]), 2),
                                         round(sum(endpoint_chunks["endpoint"]), 2)],
           "endpoint_over_store_pct": endpoint_pct,
           "endpoint_over_store_pct_median_round": endpoint_median,
           # the endpoint's cost over no event store at all: the two steps compounded
           "overhead_pct": round(((1 + store_pct / 100) * (1 + endpoint_pct / 100) - 1) * 100, 1),
           "events_recorded": counts, "deliveries_enqueued": deliveries,
           "note": "in-process ORM creates (100 orders per flush), interleaved, rolled back; no HTTP"}
E.cr.rollback()
print(json.dumps(out))
