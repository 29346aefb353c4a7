#!/usr/bin/env bash
# `make pot`: regenerate i18n/rest_webhooks.pot with Odoo's own exporter (`odoo-bin i18n export`) from
# a scratch database where the addon is installed (copied from the test template database when
# `make test` built one, otherwise created here; about a minute). tests/test_i18n_pot.py fails when
# the committed file no longer holds exactly the translatable terms of the code, views and data.
source "$(dirname "$0")/lib.sh"
ensure_odoo_src; check_odoo_version
ensure_venv
pg_start
mkdir -p "$STATE_DIR/pot" "$PROJECT_DIR/i18n"
ensure_addon_link
conf="$STATE_DIR/pot/odoo.conf"
write_odoo_conf "$conf" "$(free_port)" "max_cron_threads = 0"
db="rw_${CHECKOUT_TAG}_pot_$$"
tmpl="$(psql -qAtc "select datname from pg_database where datname like 'rw_${CHECKOUT_TAG}_tmpl_%' order by datname desc limit 1")"
if [ -n "$tmpl" ] && [ -f "$STATE_DIR/test/$tmpl.ok" ]; then createdb -T "$tmpl" "$db"; fi
trap 'dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$STATE_DIR/data/filestore/$db"' EXIT
log "installing $ADDON_NAME into scratch database $db (log: $STATE_DIR/pot/install.log)"
odoo_bin -c "$conf" -d "$db" -i "$ADDON_NAME" --stop-after-init --log-level=warn > "$STATE_DIR/pot/install.log" 2>&1 \
  || { tail -30 "$STATE_DIR/pot/install.log" >&2; die "installing the addon failed"; }
odoo_bin i18n export -c "$conf" -d "$db" -o "$PROJECT_DIR/i18n/$ADDON_NAME.pot" "$ADDON_NAME" \
  > "$STATE_DIR/pot/export.log" 2>&1 || { tail -30 "$STATE_DIR/pot/export.log" >&2; die "export failed"; }
log "wrote i18n/$ADDON_NAME.pot ($(grep -c '^msgid ' "$PROJECT_DIR/i18n/$ADDON_NAME.pot") msgids)"
