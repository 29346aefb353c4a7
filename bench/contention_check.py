"""Ad-hoc check (not part of `make bench`): single partner upserts while one POST /api/v1/orders/batch of
60 orders with inline partners (each item in its own savepoint) runs; the latency of the singles during
the batch. Before the event store numbered changes at COMMIT, the first item's savepoint took the
commit-order lock, and every other writer waited at its commit until the batch's end.

Usage: python -m bench.contention_check URL CREDS OUT LABEL (a running bench server; CREDS:
.state/bench/creds.json); appends one run to the JSON file OUT."""
import json
import random
import sys
import threading
import time
import uuid

import requests

ITEMS = 60


def run(url, creds, label):
    headers = {"Authorization": "Bearer " + creds["key"], "Content-Type": "application/json"}
    tag = uuid.uuid4().hex[:6]
    rnd = random.Random(1)
    items = [{"external_ref": "ct-%s-%d" % (tag, i),
              "partner": {"name": "Inline %s %d" % (tag, i), "external_ref": "ctp-%s-%d" % (tag, i)},
              "lines": [{"product_id": rnd.choice(creds["product_ids"]), "quantity": 1} for _ in range(3)]}
             for i in range(ITEMS)]
    session = requests.Session()
    session.put(url + "/api/v1/partners/external/ctw-%s" % tag, json={"name": "warm"}, headers=headers, timeout=60)
    batch = {}

    def post_batch():
        t0 = time.monotonic()
        res = requests.post(url + "/api/v1/orders/batch", json={"items": items}, headers=headers, timeout=300)
        batch.update(status=res.status_code, seconds=time.monotonic() - t0,
                     created=sum(1 for x in res.json().get("results", []) if x["status"] == 201))

    thread = threading.Thread(target=post_batch)
    thread.start()
    time.sleep(1.0)  # the batch is past its first items
    latencies = []
    while thread.is_alive():
        t0 = time.monotonic()
        res = session.put(url + "/api/v1/partners/external/cts-%s-%d" % (tag, len(latencies)),
                          json={"name": "Single %d" % len(latencies)}, headers=headers, timeout=120)
        if res.status_code not in (200, 201):
            raise RuntimeError(res.text[:200])
        latencies.append((time.monotonic() - t0) * 1000)
    thread.join()
    latencies.sort()
    return {"label": label, "batch": batch, "singles_during_batch": len(latencies),
            "single_p50_ms": round(latencies[len(latencies) // 2], 1) if latencies else None,
            "single_max_ms": round(latencies[-1], 1) if latencies else None}


def main(url, creds_path, out, label):
    with open(creds_path) as f:
        result = run(url, json.load(f), label)
    print(json.dumps(result))
    try:
        with open(out) as f:
            doc = json.load(f)
    except (OSError, ValueError):
        doc = {"runs": []}
    doc["runs"].append(result)
    with open(out, "w") as f:
        json.dump(doc, f, indent=1)


if __name__ == "__main__":
    main(*sys.argv[1:5])
