"""Quick sequential p50 comparison of /api/v1 with /json/2 (same records, same fields), one client.

Usage: python bench/api_vs_json2_quick.py http://127.0.0.1:PORT creds.json, where creds.json is
{"key": <global API key>, "partner": <id>, "products": [3 product ids]}. The full, concurrent
comparison is `make bench`. Sample run (3,000 orders, 2 shared cores, threaded server, 2026-11-23):
api list 14.2 ms vs json2 23.1 ms; api last page by cursor 15.5 ms; api create (3 lines) 77 ms vs
json2 84 ms.
"""
import json, sys, time, statistics, requests
c = json.load(open(sys.argv[2]))
B = sys.argv[1]
H = {"Authorization": "Bearer " + c["key"]}
s = requests.Session()
F = ["name", "state", "date_order", "amount_total", "partner_id"]
def t(fn, n=60):
    for _ in range(5): fn()
    xs = []
    for _ in range(n):
        t0 = time.perf_counter(); r = fn(); xs.append((time.perf_counter() - t0) * 1000)
        assert r.status_code in (200, 201), r.text[:300]
    return round(statistics.median(xs), 2)
api_list = lambda: s.get(B + "/api/v1/orders", params={"limit": 100, "fields": "name,state,date_order,amount_total,partner"}, headers=H)
j2_list = lambda: s.post(B + "/json/2/sale.order/search_read", json={"domain": [], "fields": F, "limit": 100, "order": "id"}, headers=H)
r = api_list(); last = None
cur = None; pages = 0
while True:
    r = s.get(B + "/api/v1/orders", params=dict({"limit": 100, "fields": "name,state"}, **({"cursor": cur} if cur else {})), headers=H).json()
    pages += 1
    if not r["has_more"]: break
    cur = r["next_cursor"]; last = cur
api_last = lambda: s.get(B + "/api/v1/orders", params={"limit": 100, "fields": "name,state,date_order,amount_total,partner", "cursor": last}, headers=H)
body = {"partner_id": c["partner"], "lines": [{"product_id": p, "quantity": 1} for p in c["products"]]}
api_create = lambda: s.post(B + "/api/v1/orders", json=body, headers=H)
j2_create = lambda: s.post(B + "/json/2/sale.order/create", json={"vals_list": [{"partner_id": c["partner"], "order_line": [[0, 0, {"product_id": p, "product_uom_qty": 1}] for p in c["products"]]}]}, headers=H)
print("pages", pages)
print(json.dumps({"api_list_p50_ms": t(api_list), "json2_list_p50_ms": t(j2_list), "api_last_page_p50_ms": t(api_last),
                  "api_create_p50_ms": t(api_create, 30), "json2_create_p50_ms": t(j2_create, 30)}))
