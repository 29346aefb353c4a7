#!/usr/bin/env bash
# `make run`: private PostgreSQL, a demo database with the addon, an integration user with an API key,
# and Odoo on 127.0.0.1:8069 in the background. Idempotent: re-running reuses everything.
source "$(dirname "$0")/lib.sh"

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

# Install or update the addon when the database is new or the addon's files changed.
code_hash="$(cd "$PROJECT_DIR" && find . \( -path ./.state -o -path ./.venv -o -path ./.git -o -path ./bench \) -prune -o \
  -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' -o -name '*.js' -o -name '*.scss' \) -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12)"
stamp="$STATE_DIR/run/installed-$code_hash"
if ! db_exists "$RUN_DB"; then
  running && { kill "$(cat "$pidfile")"; sleep 2; }
  log "creating database $RUN_DB with demo data and the addon (about two minutes the first time)"
  odoo_bin -c "$conf" -d "$RUN_DB" -i "$ADDON_NAME" --with-demo --stop-after-init --logfile= --log-level=warn \
    > "$STATE_DIR/logs/install.log" 2>&1 || { tail -30 "$STATE_DIR/logs/install.log" >&2; die "installing the addon failed (log: $STATE_DIR/logs/install.log)"; }
  rm -f "$STATE_DIR"/run/installed-* "$keyfile"; touch "$stamp"
elif [ ! -f "$stamp" ]; then
  running && { log "stopping the running server to update the addon"; kill "$(cat "$pidfile")"; sleep 2; }
  log "updating the addon in $RUN_DB (its files changed)"
  odoo_bin -c "$conf" -d "$RUN_DB" -u "$ADDON_NAME" --stop-after-init --logfile= --log-level=warn \
    > "$STATE_DIR/logs/install.log" 2>&1 || { tail -30 "$STATE_DIR/logs/install.log" >&2; die "updating the addon failed (log: $STATE_DIR/logs/install.log)"; }
  rm -f "$STATE_DIR"/run/installed-*; touch "$stamp"
fi

# The integration user and its API key. Odoo stores only a hash of the key, so the clear text of this
# demo key is kept in .state/run/api_key (mode 600) to print it again on the next `make run`.
out="$(RW_EXISTING_KEY="$(cat "$keyfile" 2>/dev/null || true)" odoo_bin shell -c "$conf" -d "$RUN_DB" --no-http --logfile= --log-level=warn \
  < "$PROJECT_DIR/scripts/setup_demo.py" 2>"$STATE_DIR/logs/setup_demo.log")" \
  || { cat "$STATE_DIR/logs/setup_demo.log" >&2; die "creating the integration user failed"; }
if grep -q '^RW_API_KEY=' <<<"$out"; then
  (umask 077; sed -n 's/^RW_API_KEY=//p' <<<"$out" > "$keyfile")
fi
[ -s "$keyfile" ] || die "no API key was produced (log: $STATE_DIR/logs/setup_demo.log)"
key="$(cat "$keyfile")"

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
