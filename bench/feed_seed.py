# Runs inside `odoo-bin shell` (``env`` is given) on the benchmark database: tops the change feed up to
# BENCH_FEED_CHANGES (default 100000) recorded changes, so that the feed scenario of bench/batch_sync.py
# reads at least that many to its end. The seed's orders are mostly SQL copies (bench/seed.py), which
# record no change; here existing orders are updated through the ORM (their `origin`), in batches with a
# commit after each, so the feed records them the way it records any update. Automation rules are
# switched off for the duration (no outbox rows from the seed), and on again at the end. Idempotent:
# a database that has enough changes is left alone. Prints "FEED_SEED_DONE changes=N".
import os
import sys
import time

TARGET = int(os.environ.get("BENCH_FEED_CHANGES", "100000"))
BATCH = 2000
E = env(context=dict(env.context, tracking_disable=True, mail_notrack=True))  # noqa: F821 (odoo-bin shell)
cr = E.cr


def count():
    cr.execute("SELECT count(*) FROM rest_change WHERE feed")  # what GET /api/v1/changes reports
    return cr.fetchone()[0]


have = count()
if have < TARGET:
    rules = E["base.automation"].search([("active", "=", True)])
    rules.write({"active": False})
    cr.commit()
    try:
        started, last_id = time.monotonic(), 0
        while have < TARGET:
            orders = E["sale.order"].search([("id", ">", last_id)], order="id", limit=BATCH)
            if not orders:
                last_id = 0
                continue
            orders.write({"origin": "feed-seed"})
            last_id = orders[-1].id
            cr.commit()
            have = count()
            print("feed seed: %d of %d changes (%.0f s)" % (have, TARGET, time.monotonic() - started), file=sys.stderr)
    finally:
        rules.write({"active": True})
        cr.commit()
print("FEED_SEED_DONE changes=%d" % have)
