# Runs inside `odoo-bin shell` on the benchmark database (``env`` is given); everything is rolled back.
# Cost of recording business events on the business transaction: time to create orders (3 lines
# each, 100 per transaction, as the benchmark user) in three variants, interleaved so that each runs
# as often early as late (a table growing, caches warming), 4 blocks of 250 orders = 1,000 orders each:
# - "without": the event store switched off for the measurement (rest.change._record does nothing:
#   no change recorded, no event row; this is what the orders cost without the event store);
# - "store": the event store as shipped, no webhook endpoint (each order's "created" event stored at
#   precommit, as for the change feed);
# - "endpoint": the event store and one endpoint on sale.order (events created + updated: a body and
#   a webhook.delivery row referencing the event, in the same transaction).
# Prints one JSON line.
import json
import time

E = env  # noqa: F821 (provided by odoo-bin shell)
out = {}
if "webhook.endpoint" not in E:
    out = {"skipped": "webhook.endpoint not installed (outbound webhooks, issue 4)"}
else:
    user = E["res.users"].search([("login", "=", "bench")], limit=1)
    U = E(user=user.id)
    partners = U["res.partner"].search([("ref", "=like", "BENCH-C%")], limit=200).ids
    products = U["product.product"].search([("default_code", "=like", "BENCH-P%")]).ids

    def create(n, seed):
        t0 = time.perf_counter()
        for b in range(0, n, 100):
            U["sale.order"].create([{
                "partner_id": partners[(seed + i) % len(partners)],
                "order_line": [(0, 0, {"product_id": products[(seed + i + k) % len(products)],
                                       "product_uom_qty": 1 + k}) for k in range(3)],
            } for i in range(b, min(b + 100, n))])
            U.cr.flush()
        return time.perf_counter() - t0

    E["ir.config_parameter"].set_param("rest_webhooks.webhook_allow_local_network", "1")
    # endpoints are configured by an administrator (superuser here); the orders are the bench user's
    ep = E["webhook.endpoint"].create({
        "name": "bench-enqueue", "url": "http://127.0.0.1:9/never-called",
        "model_id": E["ir.model"]._get_id("sale.order"), "event_created": True, "event_updated": True})
    ep.write({"active": False})
    U.cr.flush()
    Change = type(E["rest.change"])  # this registry's class: switched off by shadowing _record

    def set_variant(variant):
        ep.write({"active": variant == "endpoint"})
        U.cr.flush()
        if variant == "without":
            Change._record = lambda self, records, change, any_model=False: None
        elif "_record" in vars(Change):
            del Change._record

    E.cr.execute("SELECT count(*) FROM rest_change")
    c0 = E.cr.fetchone()[0]
    d0 = E["webhook.delivery"].search_count([])
    times = {"without": 0.0, "store": 0.0, "endpoint": 0.0}
    counts = {}
    create(20, 0)  # warm-up
    seed = 0
    for variant in ("without", "store", "endpoint", "endpoint", "store", "without") * 2:
        set_variant(variant)
        E.cr.execute("SELECT count(*) FROM rest_change")
        before = E.cr.fetchone()[0]
        times[variant] += create(250, seed)
        E.cr.execute("SELECT count(*) FROM rest_change")
        counts[variant] = counts.get(variant, 0) + E.cr.fetchone()[0] - before
        seed += 250
    set_variant("store")
    deliveries = E["webhook.delivery"].search_count([]) - d0
    out = {"orders_per_variant": 1000,
           "seconds_without_event_store": round(times["without"], 2),
           "seconds_with_event_store": round(times["store"], 2),
           "seconds_with_endpoint": round(times["endpoint"], 2),
           "event_store_pct": round((times["store"] / times["without"] - 1) * 100, 1),
           "overhead_pct": round((times["endpoint"] / times["without"] - 1) * 100, 1),
           "endpoint_over_store_pct": round((times["endpoint"] / times["store"] - 1) * 100, 1),
           "events_recorded": counts, "deliveries_enqueued": deliveries,
           "note": "in-process ORM creates (100 orders per flush), interleaved, rolled back; no HTTP"}
E.cr.rollback()
print(json.dumps(out))
