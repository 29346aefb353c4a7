#!/usr/bin/env bash
# Shared by scripts/bench.sh and scripts/faults.sh: the benchmark database (seeded once, reused) and
# starting/stopping an Odoo server of their own on a free port. Source it after lib.sh.

BENCH_DB="${RW_BENCH_DB:-rw_${CHECKOUT_TAG}_bench}"
BENCH_DIR="$STATE_DIR/bench"
BENCH_ORDERS="${BENCH_ORDERS:-100000}"
BENCH_PARTNERS="${BENCH_PARTNERS:-10000}"
export BENCH_ORDERS BENCH_PARTNERS

addon_code_hash() {
  (cd "$PROJECT_DIR" && find . \( -path ./.state -o -path ./.venv -o -path ./.git -o -path ./bench -o -path ./tests -o -path ./tests_unit \) -prune -o \
    -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' \) -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12)
}

# bench_prepare: database with sale + base_automation + the addon (updated when its files changed),
# seeded with BENCH_ORDERS orders and BENCH_PARTNERS partners (once; a resumed seed continues).
bench_prepare() {
  mkdir -p "$BENCH_DIR"
  local conf="$BENCH_DIR/setup.conf" hash stamp
  write_odoo_conf "$conf" "$(free_port)" "max_cron_threads = 0" "logfile ="
  if ! db_exists "$BENCH_DB"; then
    log "creating the benchmark database $BENCH_DB (sale, base_automation, rest_webhooks; no demo data)"
    rm -f "$BENCH_DIR"/installed-*
    odoo_bin -c "$conf" -d "$BENCH_DB" -i sale,base_automation,"$ADDON_NAME" --without-demo=all --stop-after-init --log-level=warn \
      > "$BENCH_DIR/install.log" 2>&1 || { tail -30 "$BENCH_DIR/install.log" >&2; die "creating $BENCH_DB failed (log: $BENCH_DIR/install.log)"; }
    touch "$BENCH_DIR/installed-$(addon_code_hash)"
  fi
  hash="$(addon_code_hash)"; stamp="$BENCH_DIR/installed-$hash"
  if [ ! -f "$stamp" ]; then
    log "updating the addon in $BENCH_DB (its files changed)"
    odoo_bin -c "$conf" -d "$BENCH_DB" -u "$ADDON_NAME" --stop-after-init --log-level=warn \
      > "$BENCH_DIR/update.log" 2>&1 || { tail -30 "$BENCH_DIR/update.log" >&2; die "updating the addon in $BENCH_DB failed (log: $BENCH_DIR/update.log)"; }
    rm -f "$BENCH_DIR"/installed-*; touch "$stamp"
  fi
  local seeded
  seeded="$(psql -d "$BENCH_DB" -qAtc "select value from ir_config_parameter where key='rest_webhooks_bench.seeded'")"
  if [ "$seeded" != "$BENCH_ORDERS,$BENCH_PARTNERS" ]; then
    log "seeding $BENCH_DB: $BENCH_ORDERS sale orders (3 lines each) and $BENCH_PARTNERS partners, once (resumable)"
    odoo_bin shell -c "$conf" -d "$BENCH_DB" --no-http --log-level=warn < "$PROJECT_DIR/bench/seed.py" \
      > "$BENCH_DIR/seed.out" 2> >(tee "$BENCH_DIR/seed.log" >&2) || die "seeding failed (log: $BENCH_DIR/seed.log)"
    grep -q '^SEED_DONE' "$BENCH_DIR/seed.out" || { tail -20 "$BENCH_DIR/seed.log" >&2; die "seeding did not finish (log: $BENCH_DIR/seed.log)"; }
  else
    log "benchmark database $BENCH_DB already seeded ($seeded orders,partners)"
  fi
}

# bench_user_keys: (re)creates the benchmark user and a fresh global API key (scope NULL: accepted by
# /api/v1, /json/2 and /jsonrpc alike), valid one day. Writes $BENCH_DIR/creds.json.
bench_user_keys() {
  local conf="$BENCH_DIR/setup.conf"
  odoo_bin shell -c "$conf" -d "$BENCH_DB" --no-http --log-level=warn < "$PROJECT_DIR/bench/setup_user.py" \
    > "$BENCH_DIR/creds.out" 2> "$BENCH_DIR/setup_user.log" || { cat "$BENCH_DIR/setup_user.log" >&2; die "creating the benchmark user failed"; }
  (umask 077; grep '^{' "$BENCH_DIR/creds.out" | tail -1 > "$BENCH_DIR/creds.json")
  [ -s "$BENCH_DIR/creds.json" ] || die "no benchmark credentials produced (log: $BENCH_DIR/setup_user.log)"
}

# bench_odoo_start NAME PORT [extra conf lines...]: starts Odoo on the benchmark database in the
# background, waits for /web/health. Sets BENCH_ODOO_PID.
bench_odoo_start() {
  local name="$1" port="$2"; shift 2
  local conf="$BENCH_DIR/$name.conf"
  write_odoo_conf "$conf" "$port" "logfile = $BENCH_DIR/$name.log" "db_name = ${BENCH_DB}" "log_level = warn" "$@"
  setsid "$PY" "$ODOO_SRC/odoo-bin" -c "$conf" -d "$BENCH_DB" >/dev/null 2>&1 &
  BENCH_ODOO_PID=$!
  echo "$BENCH_ODOO_PID" > "$BENCH_DIR/$name.pid"
  local i
  for i in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/web/health" >/dev/null 2>&1 && return 0
    kill -0 "$BENCH_ODOO_PID" 2>/dev/null || { tail -20 "$BENCH_DIR/$name.log" >&2; die "Odoo ($name) stopped while starting"; }
    sleep 1
  done
  die "Odoo ($name) did not answer within 120 s (log: $BENCH_DIR/$name.log)"
}

bench_odoo_stop() {  # stops the server started by bench_odoo_start (its whole process group: prefork workers)
  local pid="${1:-${BENCH_ODOO_PID:-}}"
  [ -n "$pid" ] || return 0
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
  local i; for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.5; done
  kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
}
