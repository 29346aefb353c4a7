#!/usr/bin/env bash
# `make run`: private PostgreSQL, a demo database with the addon, an integration user with an API key,
# and Odoo on 127.0.0.1:8069 in the background. Idempotent: re-running reuses everything.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/demo_lib.sh"

ensure_odoo_src; check_odoo_version
mkdir -p "$STATE_DIR/run" "$STATE_DIR/logs"
ensure_venv
pg_start
conf="$STATE_DIR/run/odoo.conf"
pidfile="$STATE_DIR/run/odoo.pid"
logfile="$STATE_DIR/logs/odoo.log"
keyfile="$STATE_DIR/run/api_key"

running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; }

if ! running && port_in_use "$RUN_PORT"; then
  die "port $RUN_PORT on 127.0.0.1 is taken by another program. Stop it, or choose another port: RW_HTTP_PORT=8070 make run"
fi
write_odoo_conf "$conf" "$RUN_PORT" "logfile = $logfile" "db_name = ${RUN_DB}" "max_cron_threads = 2"

stop_run_server() { if running; then log "stopping the running server to install or update the addon"; kill "$(cat "$pidfile")"; sleep 2; fi; }
demo_db_prepare "$conf" stop_run_server
key="$DEMO_KEY"

if ! running; then
  log "starting Odoo on http://127.0.0.1:$RUN_PORT (log: $logfile)"
  nohup "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$RUN_DB" >/dev/null 2>&1 &
  echo $! > "$pidfile"
fi
url="http://127.0.0.1:$RUN_PORT"
for _ in $(seq 1 120); do
  curl -fs "$url/api/v1/health" >/dev/null 2>&1 && break
  running || { tail -30 "$logfile" >&2; die "Odoo stopped while starting (log: $logfile)"; }
  sleep 1
done
curl -fs "$url/api/v1/health" >/dev/null 2>&1 || die "Odoo did not answer on $url within 120 s (log: $logfile)"

cat <<INFO

  rest_webhooks is running.

  Odoo:             $url/odoo        (database $RUN_DB)
  Admin login:      admin / admin
  Integration user: integration  (Internal User, Sales: All Documents, Contact Creation, REST API: user)
  API key:          $key
                    (scope rest_webhooks, expires in 90 days; kept in .state/run/api_key)

  Try:
    curl -s $url/api/v1/health
    curl -s -H "Authorization: Bearer $key" "$url/api/v1/orders?limit=2&fields=name,state,amount_total"

  Logs: $logfile      Stop: make stop      Remove everything: make clean
INFO
