#!/usr/bin/env bash
# `make stop`: stop this checkout's Odoo server (make run) and its private PostgreSQL cluster.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
pidfile="$STATE_DIR/run/odoo.pid"
if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
  pid="$(cat "$pidfile")"; kill "$pid"
  for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  log "Odoo stopped"
fi
rm -f "$pidfile"
pg_env 2>/dev/null || true
cluster_stop_all   # make cluster: balancer, nodes, replica
pg_stop
