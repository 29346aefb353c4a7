#!/usr/bin/env bash
# The demo database of `make run` and `make cluster` (both serve it): created with demo data and the
# addon, updated when the addon's files changed, with the integration user and its API key.
# Source it after lib.sh, once pg_start has run.

# demo_db_prepare CONF STOP_COMMAND: STOP_COMMAND stops the servers that use the database before an
# install or update. Sets DEMO_KEY (the clear API key, kept in .state/run/api_key, mode 600).
demo_db_prepare() {
  local conf="$1" stop_cmd="$2" code_hash stamp out
  local keyfile="$STATE_DIR/run/api_key"
  mkdir -p "$STATE_DIR/run" "$STATE_DIR/logs"
  code_hash="$(cd "$PROJECT_DIR" && find . \( -path ./.state -o -path ./.venv -o -path ./.git -o -path ./bench \) -prune -o \
    -type f \( -name '*.py' -o -name '*.xml' -o -name '*.csv' -o -name '*.js' -o -name '*.scss' \) -print0 | sort -z | xargs -0 cat | sha1sum | cut -c1-12)"
  stamp="$STATE_DIR/run/installed-$code_hash"
  if ! db_exists "$RUN_DB"; then
    $stop_cmd
    log "creating database $RUN_DB with demo data and the addon (about two minutes the first time)"
    odoo_bin -c "$conf" -d "$RUN_DB" -i "$ADDON_NAME" --with-demo --stop-after-init --logfile= --log-level=warn \
      > "$STATE_DIR/logs/install.log" 2>&1 || { tail -30 "$STATE_DIR/logs/install.log" >&2; die "installing the addon failed (log: $STATE_DIR/logs/install.log)"; }
    rm -f "$STATE_DIR"/run/installed-* "$keyfile"; touch "$stamp"
  elif [ ! -f "$stamp" ]; then
    $stop_cmd
    log "updating the addon in $RUN_DB (its files changed)"
    odoo_bin -c "$conf" -d "$RUN_DB" -u "$ADDON_NAME" --stop-after-init --logfile= --log-level=warn \
      > "$STATE_DIR/logs/install.log" 2>&1 || { tail -30 "$STATE_DIR/logs/install.log" >&2; die "updating the addon failed (log: $STATE_DIR/logs/install.log)"; }
    rm -f "$STATE_DIR"/run/installed-*; touch "$stamp"
  fi
  # Odoo stores only a hash of the key, so the clear text of this demo key is kept in
  # .state/run/api_key (mode 600) to print it again on the next run.
  out="$(RW_EXISTING_KEY="$(cat "$keyfile" 2>/dev/null || true)" odoo_bin shell -c "$conf" -d "$RUN_DB" --no-http --logfile= --log-level=warn \
    < "$PROJECT_DIR/scripts/setup_demo.py" 2>"$STATE_DIR/logs/setup_demo.log")" \
    || { cat "$STATE_DIR/logs/setup_demo.log" >&2; die "creating the integration user failed"; }
  if grep -q '^RW_API_KEY=' <<<"$out"; then
    (umask 077; sed -n 's/^RW_API_KEY=//p' <<<"$out" > "$keyfile")
  fi
  [ -s "$keyfile" ] || die "no API key was produced (log: $STATE_DIR/logs/setup_demo.log)"
  DEMO_KEY="$(cat "$keyfile")"
}
