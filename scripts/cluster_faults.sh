#!/usr/bin/env bash
# `make cluster-faults`: cross-node scenarios on the benchmark database: two Odoo nodes (prefork, both
# with cron workers and the replica), HAProxy in front, the streaming replica. Each scenario prints
# PASS/FAIL/SKIP with counts; results in bench/results/cluster_faults.json.
# FAULTS_ONLY=reads,ratelimit,revoke,idempotency,inbound,fresh,once,kill,retry,replica,balancer narrows it.
# The nodes and balancer of this run are its own (.state/cluster-bench, free ports); the replica is the
# one `make cluster` uses (a copy of the whole private PostgreSQL), restarted by the replica scenario.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bench_lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
source "$(dirname "$0")/cluster_bench_lib.sh"

ensure_odoo_src; check_odoo_version
ensure_venv
ensure_haproxy
cluster_need_private_pg
pg_start
bench_prepare
bench_user_keys
cluster_bench_prepare faults
mkdir -p "$PROJECT_DIR/bench/results"
set +e
(cd "$PROJECT_DIR" && "$PY" -m bench.cluster faults --config "$CLUSTER_DIR/cluster.json" --out "$PROJECT_DIR/bench/results/cluster_faults.json")
rc=$?
cluster_bench_finish
exit $rc
