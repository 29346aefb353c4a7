#!/usr/bin/env bash
# `make cluster`: the demo database of `make run` served by two Odoo nodes (prefork) behind HAProxy,
# reads on a streaming replica of the private PostgreSQL. Idempotent: re-running reuses what runs.
# Prints the balancer's URL and an API key. `make cluster-stop` stops nodes, balancer and replica.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/demo_lib.sh"
source "$(dirname "$0")/cluster_lib.sh"

ensure_odoo_src; check_odoo_version
mkdir -p "$CLUSTER_DIR" "$STATE_DIR/run"
ensure_venv
ensure_haproxy
cluster_need_private_pg
pg_start

stop_nodes() { local n; for n in $(seq 1 "$CLUSTER_NODES"); do cluster_node_stop "$n"; done; }
setup_conf="$CLUSTER_DIR/setup.conf"
write_odoo_conf "$setup_conf" "$(free_port)" "db_name = $RUN_DB" "max_cron_threads = 0" "logfile ="
demo_db_prepare "$setup_conf" stop_nodes   # before the base backup: the replica then starts current
replica_start

for n in $(seq 1 "$CLUSTER_NODES"); do
  cluster_node_running "$n" || cluster_node_conf "$n" "$RUN_DB"
  cluster_node_start "$n" "$RUN_DB"
done
for n in $(seq 1 "$CLUSTER_NODES"); do cluster_node_wait "$n"; done
balancer_conf
balancer_start
url="http://127.0.0.1:$(cat "$CLUSTER_DIR/balancer.port")"
for _ in $(seq 1 30); do curl -fs "$url/api/v1/health" >/dev/null 2>&1 && break; sleep 0.5; done
curl -fs "$url/api/v1/health" >/dev/null 2>&1 || die "the balancer does not answer on $url (config: $CLUSTER_DIR/haproxy.cfg)"

nodes=""; for n in $(seq 1 "$CLUSTER_NODES"); do nodes="$nodes http://127.0.0.1:$(cat "$CLUSTER_DIR/node$n.port")"; done
cat <<INFO

  rest_webhooks cluster is running.

  Balancer (HAProxy): $url        (stats: http://127.0.0.1:$(cat "$CLUSTER_DIR/balancer-stats.port")/)
  Odoo nodes:        $nodes   (prefork, $CLUSTER_WORKERS workers + 1 cron worker each)
  PostgreSQL:         primary 127.0.0.1:$PGPORT, streaming replica 127.0.0.1:$(replica_port)   (database $RUN_DB)
  API key:            $DEMO_KEY
                      (user integration; kept in .state/run/api_key)

  Try:
    curl -s $url/api/v1/health
    curl -s -H "Authorization: Bearer $DEMO_KEY" "$url/api/v1/orders?limit=2&fields=name,state"
    curl -s -H "Authorization: Bearer $DEMO_KEY" -H "X-Read-Primary: 1" "$url/api/v1/orders?limit=2"   (read your own writes)

  Logs: $CLUSTER_DIR/node*.log   Stop: make cluster-stop   Fault scenarios: make cluster-faults
INFO
