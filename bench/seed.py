# Runs inside `odoo-bin shell` (``env`` is given) on the benchmark database: seeds partners, products
# and sale orders with lines through the ORM, in batches, committing after each batch. Resumable:
# it counts what is already there (orders whose client_order_ref starts with "BENCH-") and continues
# up to the targets. A progress bar goes to stderr. Prints "SEED_DONE orders=N partners=N" at the end.
#
# Environment: BENCH_ORDERS (default 100000), BENCH_PARTNERS (default 10000), BENCH_BATCH (default 500),
# BENCH_ORM_ORDERS (default 5000).
#
# Speed: on the 2-core benchmark machine the ORM creates about 50 orders/s with 3 lines each (prices,
# taxes, amounts are computed per line), so 100,000 orders would take over 30 minutes. The first
# BENCH_ORM_ORDERS orders are therefore created through the ORM, and the rest are SQL copies of them
# (order rows, their lines and the lines' taxes), each with its own id, name (next number of the
# sale.order sequence, which is moved past them), client_order_ref, date_order and customer. Amounts
# and taxes stay exactly those the ORM computed for the copied order (no fiscal positions or
# customer-specific pricelists exist in this database, so the customer does not change them).
import os
import random
import sys
import time
from datetime import datetime, timedelta

from psycopg2 import sql

TARGET_ORDERS = int(os.environ.get("BENCH_ORDERS", "100000"))
TARGET_PARTNERS = int(os.environ.get("BENCH_PARTNERS", "10000"))
BATCH = int(os.environ.get("BENCH_BATCH", "500"))
ORM_ORDERS = min(int(os.environ.get("BENCH_ORM_ORDERS", "5000")), TARGET_ORDERS)
N_PRODUCTS = 50
CTX = {"tracking_disable": True, "mail_create_nolog": True, "mail_notrack": True, "mail_create_nosubscribe": True}

E = env(context=dict(env.context, **CTX))  # noqa: F821 (provided by odoo-bin shell)
rnd = random.Random(20261123)


def bar(label, done, total, started):
    width = 30
    frac = done / total if total else 1.0
    rate = done_rate = 0.0
    elapsed = time.monotonic() - started
    if elapsed > 0:
        done_rate = rate = (done - bar.base) / elapsed
    eta = (total - done) / rate if rate > 0 else 0
    sys.stderr.write("\r  %-9s [%s%s] %6d/%d %5.1f%%  %6.0f/s  eta %4.0fs " % (
        label, "#" * int(frac * width), "." * (width - int(frac * width)), done, total, frac * 100,
        done_rate, eta))
    sys.stderr.flush()


bar.base = 0

# --- products ---------------------------------------------------------------------------------------
Product = E["product.product"]
products = Product.search([("default_code", "=like", "BENCH-P%")], order="id")
if len(products) < N_PRODUCTS:
    have = set(products.mapped("default_code"))
    Product.create([{
        "name": "Bench product %02d" % i, "default_code": "BENCH-P%02d" % i, "type": "consu",
        "list_price": round(5 + i * 3.7, 2), "sale_ok": True,
    } for i in range(N_PRODUCTS) if "BENCH-P%02d" % i not in have])
    E.cr.commit()
    products = Product.search([("default_code", "=like", "BENCH-P%")], order="id")
product_ids = products.ids

# --- partners ---------------------------------------------------------------------------------------
Partner = E["res.partner"]
n_partners = Partner.search_count([("ref", "=like", "BENCH-C%")])
started = time.monotonic()
bar.base = n_partners
while n_partners < TARGET_PARTNERS:
    todo = min(2000, TARGET_PARTNERS - n_partners)
    Partner.create([{
        "name": "Bench Customer %05d" % i, "ref": "BENCH-C%05d" % i,
        "email": "customer%05d@bench.example.com" % i, "is_company": i % 4 == 0,
        "city": "City %d" % (i % 97),
    } for i in range(n_partners, n_partners + todo)])
    E.cr.commit()
    n_partners += todo
    bar("partners", n_partners, TARGET_PARTNERS, started)
if TARGET_PARTNERS:
    sys.stderr.write("\n")
partner_ids = Partner.search([("ref", "=like", "BENCH-C%")], order="id").ids

# --- orders -----------------------------------------------------------------------------------------
Order = E["sale.order"]
E.cr.execute("SELECT count(*) FROM sale_order WHERE client_order_ref LIKE 'BENCH-%%'")
n_orders = E.cr.fetchone()[0]
base_date = datetime(2025, 1, 1)
started = time.monotonic()
bar.base = n_orders
while n_orders < ORM_ORDERS:
    todo = min(BATCH, ORM_ORDERS - n_orders)
    vals = []
    for i in range(n_orders, n_orders + todo):
        vals.append({
            "partner_id": partner_ids[rnd.randrange(len(partner_ids))],
            "client_order_ref": "BENCH-%06d" % i,
            # spread over ~22 months, increasing with i (so the date order and the id order agree)
            "date_order": base_date + timedelta(minutes=10 * i),
            "order_line": [(0, 0, {
                "product_id": product_ids[rnd.randrange(len(product_ids))],
                "product_uom_qty": rnd.randint(1, 20),
            }) for _ in range(3)],
        })
    Order.create(vals)
    E.cr.commit()
    n_orders += todo
    bar("orders", n_orders, ORM_ORDERS, started)
if n_orders < TARGET_ORDERS:
    sys.stderr.write("  (ORM: %d orders; copying them in SQL up to %d)\n" % (n_orders, TARGET_ORDERS))

cr = E.cr


def columns(table, skip):
    cr.execute("SELECT column_name FROM information_schema.columns WHERE table_name = %s AND table_schema = 'public'"
               " ORDER BY ordinal_position", [table])
    return [c for (c,) in cr.fetchall() if c not in skip]


if n_orders < TARGET_ORDERS:
    cr.execute("SELECT id FROM sale_order WHERE client_order_ref LIKE 'BENCH-%%' ORDER BY id LIMIT %s", [ORM_ORDERS])
    tmpl_ids = [r[0] for r in cr.fetchall()]
    order_over = {"name": None, "client_order_ref": None, "date_order": None, "partner_id": None,
                  "partner_invoice_id": None, "partner_shipping_id": None, "access_token": None,
                  "create_date": None, "write_date": None}
    o_cols = columns("sale_order", {"id"} | set(order_over))
    l_over = {"order_id", "order_partner_id", "create_date", "write_date", "linked_line_id", "combo_item_id"}
    l_cols = columns("sale_order_line", {"id"} | l_over)
    CHUNK = 5000
    started = time.monotonic()
    bar.base = n_orders
    while n_orders < TARGET_ORDERS:
        todo = min(CHUNK, TARGET_ORDERS - n_orders)
        lo, hi = n_orders, n_orders + todo - 1
        # orders: copy of template (i mod T), own name/ref/date/customer
        cr.execute("""
            CREATE TEMP TABLE IF NOT EXISTS bench_map (i int, tid int, new_id int) ON COMMIT DROP;
            TRUNCATE bench_map;
            INSERT INTO bench_map (i, tid)
                SELECT g.i, (%(tmpl)s::int[])[1 + g.i %% %(nt)s] FROM generate_series(%(lo)s, %(hi)s) g(i);
        """, {"tmpl": tmpl_ids, "nt": len(tmpl_ids), "lo": lo, "hi": hi})
        cr.execute(sql.SQL("""
            WITH ins AS (
                INSERT INTO sale_order ({cols}, name, client_order_ref, date_order, partner_id, partner_invoice_id,
                                        partner_shipping_id, create_date, write_date)
                SELECT {ocols}, 'S' || lpad((m.i + 1)::text, greatest(5, length((m.i + 1)::text)), '0'),
                       'BENCH-' || lpad(m.i::text, 6, '0'),
                       %(base)s::timestamp + m.i * interval '10 minutes',
                       (%(partners)s::int[])[1 + (m.i * 7919) %% %(np)s],
                       (%(partners)s::int[])[1 + (m.i * 7919) %% %(np)s],
                       (%(partners)s::int[])[1 + (m.i * 7919) %% %(np)s],
                       now() at time zone 'utc', now() at time zone 'utc'
                FROM bench_map m JOIN sale_order o ON o.id = m.tid
                ORDER BY m.i
                RETURNING id, client_order_ref
            )
            UPDATE bench_map m SET new_id = ins.id FROM ins
             WHERE ins.client_order_ref = 'BENCH-' || lpad(m.i::text, 6, '0')
        """).format(cols=sql.SQL(", ").join(map(sql.Identifier, o_cols)),
                    ocols=sql.SQL(", ").join(sql.Identifier("o", c) for c in o_cols)),
            {"base": base_date, "partners": partner_ids, "np": len(partner_ids)})
        # lines, in a known order so that new line ids pair with their template lines
        cr.execute("""SELECT l.id FROM bench_map m JOIN sale_order_line l ON l.order_id = m.tid
                      ORDER BY m.i, l.id""")
        src_lines = [r[0] for r in cr.fetchall()]
        cr.execute(sql.SQL("""
            INSERT INTO sale_order_line ({cols}, order_id, order_partner_id, create_date, write_date)
            SELECT {lcols}, m.new_id, o.partner_id, now() at time zone 'utc', now() at time zone 'utc'
            FROM bench_map m JOIN sale_order_line l ON l.order_id = m.tid JOIN sale_order o ON o.id = m.new_id
            ORDER BY m.i, l.id
            RETURNING id
        """).format(cols=sql.SQL(", ").join(map(sql.Identifier, l_cols)),
                    lcols=sql.SQL(", ").join(sql.Identifier("l", c) for c in l_cols)))
        new_lines = sorted(r[0] for r in cr.fetchall())
        assert len(new_lines) == len(src_lines), (len(new_lines), len(src_lines))
        cr.execute("""
            INSERT INTO account_tax_sale_order_line_rel (sale_order_line_id, account_tax_id)
            SELECT p.new_line, r.account_tax_id
            FROM unnest(%s::int[], %s::int[]) AS p(new_line, src_line)
            JOIN account_tax_sale_order_line_rel r ON r.sale_order_line_id = p.src_line
        """, [new_lines, src_lines])
        cr.commit()
        n_orders += todo
        bar("copies", n_orders, TARGET_ORDERS, started)
    sys.stderr.write("\n")
    # the next order created by Odoo gets the next free number
    cr.execute("SELECT max(substring(name from 2)::int) FROM sale_order WHERE name ~ '^S[0-9]+$'")
    next_number = cr.fetchone()[0] + 1
    E["ir.sequence"].sudo().search([("code", "=", "sale.order")]).write({"number_next": next_number})
    E.cr.commit()
E.cr.execute("ANALYZE sale_order; ANALYZE sale_order_line; ANALYZE res_partner")
E["ir.config_parameter"].sudo().set_param("rest_webhooks_bench.seeded", "%d,%d" % (n_orders, n_partners))
E.cr.commit()
print("SEED_DONE orders=%d partners=%d" % (n_orders, n_partners))
