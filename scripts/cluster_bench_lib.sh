#!/usr/bin/env bash
# Shared by scripts/cluster_faults.sh and the cluster mode of scripts/bench.sh: the replica, the
# configs of two nodes on the benchmark database and a balancer of their own (free ports, in
# .state/cluster-bench, apart from make cluster's), and the JSON config bench/cluster.py reads.
# The nodes themselves are started and stopped by bench/cluster.py (it kills and restarts them).
# Source it after lib.sh, bench_lib.sh and cluster_lib.sh.

cluster_bench_prepare() {  # cluster_bench_prepare faults|bench
  CLUSTER_DIR="$STATE_DIR/cluster-bench"; mkdir -p "$CLUSTER_DIR"
  export RW_BALANCER_PORT=0   # any free port: 8080 is make cluster's
  odoo_bin shell -c "$BENCH_DIR/setup.conf" -d "$BENCH_DB" --no-http --log-level=warn < "$PROJECT_DIR/bench/cluster_setup.py" \
    > "$CLUSTER_DIR/cluster_setup.out" 2> "$CLUSTER_DIR/cluster_setup.log" || { cat "$CLUSTER_DIR/cluster_setup.log" >&2; die "cluster users set-up failed"; }
  (umask 077; grep '^{' "$CLUSTER_DIR/cluster_setup.out" | tail -1 > "$CLUSTER_DIR/cluster_creds.json")
  replica_start
  local n
  for n in $(seq 1 "$CLUSTER_NODES"); do
    # the webhook scenarios need both nodes' cron workers: one each
    cluster_node_conf "$n" "$BENCH_DB"
  done
  balancer_conf
  balancer_start
  local owner=(); [ "$(id -u)" = 0 ] && owner=(runuser -u "$PG_SYSTEM_USER" --)
  replica_paths
  "$PY" - "$CLUSTER_DIR" "$CLUSTER_NODES" "$PY" "$ODOO_SRC" "$BENCH_DB" "$BENCH_DIR/creds.json" "$PGPORT" "$(replica_port)" \
      "$PGUSER" "$(pg_bindir)" "$REPLICA_DATA" "$REPLICA_HOME" "$(replica_opts "$(replica_port)")" "${owner[@]}" <<'PY'
import json, sys
d, n, py, src, db, creds, pport, rport, pguser, bin_, rdata, rhome, ropts, *owner = sys.argv[1:]
ctl = owner + [bin_ + "/pg_ctl", "-D", rdata]
port = lambda name: open("%s/%s.port" % (d, name)).read().strip()
json.dump({
    "db": db, "creds": creds, "cluster_creds": d + "/cluster_creds.json", "pg_user": pguser,
    "primary_port": int(pport), "replica_port": int(rport),
    "nodes": [{"url": "http://127.0.0.1:%s" % port("node%d" % i), "log": "%s/node%d.log" % (d, i),
               "cmd": [py, src + "/odoo-bin", "-c", "%s/node%d.conf" % (d, i), "-d", db]} for i in range(1, int(n) + 1)],
    "balancer_url": "http://127.0.0.1:%s" % port("balancer"), "balancer_stats_port": int(port("balancer-stats")),
    "balancer_conf": d + "/haproxy.cfg", "balancer_pidfile": d + "/balancer.pid",
    "replica_stop": ctl + ["-m", "fast", "-w", "stop"],
    "replica_start": ctl + ["-l", rhome + "/server.log", "-w", "-t", "120", "start", "-o", ropts],
}, open(d + "/cluster.json", "w"), indent=1)
PY
}

cluster_bench_finish() {  # the balancer of this run; the replica stays for make cluster (make cluster-stop / make stop)
  balancer_stop
}
