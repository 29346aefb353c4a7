# Runs inside `odoo-bin shell` on the benchmark database (``env`` is given); everything is rolled back.
# Cost of the transactional outbox on the business transaction: time to create orders (3 lines each,
# 100 per transaction, as the benchmark user) without any webhook endpoint, then with one endpoint on
# sale.order (events created + updated: a webhook.delivery row is inserted in the same transaction),
# interleaved A B B A A B B A with 250 orders per block, so 1,000 orders per variant. Prints one JSON line.
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
    d0 = E["webhook.delivery"].search_count([])
    times = {"without": 0.0, "with": 0.0}
    create(20, 0)  # warm-up
    # A B B A A B B A, 250 orders per block: each variant runs as often first as second, so neither
    # gains from the order (a table growing, caches warming)
    seed = 0
    for variant in ("without", "with", "with", "without", "without", "with", "with", "without"):
        ep.write({"active": variant == "with"})
        times[variant] += create(250, seed)
        seed += 250
    ep.write({"active": False})
    deliveries = E["webhook.delivery"].search_count([]) - d0
    out = {"orders_per_variant": 1000, "seconds_without_endpoint": round(times["without"], 2),
           "seconds_with_endpoint": round(times["with"], 2),
           "overhead_pct": round((times["with"] / times["without"] - 1) * 100, 1),
           "deliveries_enqueued": deliveries,
           "note": "in-process ORM creates (100 orders per flush), interleaved, rolled back; no HTTP"}
E.cr.rollback()
print(json.dumps(out))
