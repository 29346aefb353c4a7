#!/usr/bin/env bash
# `make bench`: seeds the benchmark database once (reused afterwards), then for each server mode
# (threaded, prefork) starts Odoo on a free port of its own, runs bench/run.py against it (our REST
# API side by side with /json/2 and /jsonrpc, webhook scenarios), stops it, and writes
# bench/results/latest.json, latest.md and the PNG plots.
# BENCH_MODES="threaded prefork cluster" (cluster: two prefork nodes behind HAProxy with the streaming
# replica, bench/cluster.py: reads via the replica vs one node on the primary, the primary's share of
# the reads, replica lag under writes; in the same run, after the other modes), BENCH_SECONDS (per API and scenario, default 12), BENCH_ONLY=a,b
# (scenario names), BENCH_ORDERS / BENCH_PARTNERS (seed size), BENCH_FEED_CHANGES (changes in the feed, default
# 100000) tune it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bench_lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
source "$(dirname "$0")/cluster_bench_lib.sh"

ensure_odoo_src; check_odoo_version
ensure_venv
modes="${BENCH_MODES:-threaded prefork cluster}"
if [[ " $modes " == *" cluster "* ]]; then
  if pg_external; then log "cluster mode skipped: PGHOST/PGPORT point at an external server (no private primary to replicate)"; modes="${modes//cluster/}"
  else ensure_haproxy; fi
fi
pg_start
bench_prepare
bench_user_keys
log "change feed of the benchmark database: at least ${BENCH_FEED_CHANGES:-100000} changes (topped up once through the ORM)"
odoo_bin shell -c "$BENCH_DIR/setup.conf" -d "$BENCH_DB" --no-http --log-level=warn < "$PROJECT_DIR/bench/feed_seed.py" \
  > "$BENCH_DIR/feed_seed.out" 2> "$BENCH_DIR/feed_seed.log" || die "topping up the change feed failed (log: $BENCH_DIR/feed_seed.log)"
grep -q '^FEED_SEED_DONE' "$BENCH_DIR/feed_seed.out" || die "topping up the change feed did not finish (log: $BENCH_DIR/feed_seed.log)"
results="$PROJECT_DIR/bench/results"
mkdir -p "$results"
run_dir="$BENCH_DIR/run-$(date -u +%Y%m%dT%H%M%S)"; mkdir -p "$run_dir"
trap 'bench_odoo_stop' EXIT

# The seed and the feed top-up leave dead rows and fresh statistics to compute:
# do it now, so autovacuum does not run in the middle of the measurements that follow
# (the enqueue scenario's rows are rolled back: a few thousand dead rows, far below autovacuum's threshold).
log "VACUUM (ANALYZE) of the benchmark database"
psql -d "$BENCH_DB" -qc "VACUUM (ANALYZE)" || log "VACUUM failed (the measurements go on)"

log "enqueue cost (1,000 orders with and without a webhook endpoint; in-process, rolled back)"
odoo_bin shell -c "$BENCH_DIR/setup.conf" -d "$BENCH_DB" --no-http --log-level=warn < "$PROJECT_DIR/bench/enqueue.py" \
  > "$run_dir/enqueue.out" 2> "$run_dir/enqueue.log" || log "enqueue scenario failed (log: $run_dir/enqueue.log)"
grep '^{' "$run_dir/enqueue.out" | tail -1 > "$run_dir/enqueue.json" || true

log "in-process costs (list, read, create through Odoo's WSGI application, no network; the ORM floor)"
BENCH_CREDS="$BENCH_DIR/creds.json" BENCH_PROJECT_DIR="$PROJECT_DIR" odoo_bin shell -c "$BENCH_DIR/setup.conf" -d "$BENCH_DB" --no-http --log-level=warn \
  < "$PROJECT_DIR/bench/inprocess.py" > "$run_dir/inprocess.out" 2> "$run_dir/inprocess.log" || log "in-process scenario failed (log: $run_dir/inprocess.log)"
grep '^{' "$run_dir/inprocess.out" | tail -1 > "$run_dir/inprocess.json" || true

for mode in $modes; do
  if [ "$mode" = cluster ]; then
    log "cluster mode: two prefork nodes behind HAProxy, reads on the streaming replica"
    cluster_bench_prepare bench
    (cd "$PROJECT_DIR" && "$PY" -m bench.cluster bench --config "$CLUSTER_DIR/cluster.json" --out "$run_dir/cluster.json") \
      || log "bench run (cluster) exited with an error"
    cluster_bench_finish
    continue
  fi
  port="$(free_port)"
  case "$mode" in
    threaded) extra=("workers = 0" "max_cron_threads = 2") ;;
    prefork)  extra=("workers = 2" "max_cron_threads = 2" "limit_time_real = 600" "limit_time_cpu = 300") ;;
    *) die "unknown mode $mode (threaded or prefork)" ;;
  esac
  log "starting Odoo ($mode) on 127.0.0.1:$port"
  bench_odoo_start "$mode" "$port" "${extra[@]}"
  log "running the scenarios against Odoo ($mode)"
  (cd "$PROJECT_DIR" && BENCH_ODOO_CONF="$BENCH_DIR/$mode.conf" BENCH_ODOO_SRC="$ODOO_SRC" "$PY" -m bench.run --url "http://127.0.0.1:$port" --creds "$BENCH_DIR/creds.json" \
      --mode "$mode" --server-pid "$BENCH_ODOO_PID" --out "$run_dir/$mode.json") || log "bench run ($mode) exited with an error"
  bench_odoo_stop; BENCH_ODOO_PID=
done

if [ -f "$run_dir/cluster.json" ]; then
  cp "$run_dir/cluster.json" "$results/cluster_bench.json"
  (cd "$PROJECT_DIR" && "$PY" -c "import json,sys; from bench.report import _cluster_text; print(_cluster_text(json.load(open(sys.argv[1]))))" \
    "$results/cluster_bench.json" > "$results/cluster_bench.md") || true
fi
if [ "$(echo $modes)" = cluster ]; then   # the cluster mode alone: latest.* of the other modes stay as they are
  cat "$results/cluster_bench.md" 2>/dev/null; log "results: bench/results/cluster_bench.md, cluster_bench.json (raw run: $run_dir)"; exit 0
fi
(cd "$PROJECT_DIR" && "$PY" -m bench.report --run-dir "$run_dir" --out-dir "$results") || die "writing the report failed"
log "results: bench/results/latest.md, latest.json, *.png (raw run: $run_dir)"
