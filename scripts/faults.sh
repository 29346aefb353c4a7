#!/usr/bin/env bash
# `make faults`: bounded fault scenarios against an Odoo server of their own (free port, benchmark
# database), each printing PASS/FAIL/SKIP with counts; results in bench/results/faults.json.
# The PostgreSQL-restart scenario uses a second, private cluster (.state/faults-pg) with a small
# database, because the main cluster is shared with `make run` and `make test`.
# FAULTS_ONLY=idempotency,external_ref,inbound,http500,http429,http410,timeout,slow,kill,pg narrows it.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/bench_lib.sh"

ensure_odoo_src; check_odoo_version
ensure_venv
external_pg=0; pg_external && external_pg=1   # decided before pg_start exports PGHOST/PGPORT
pg_start
bench_prepare
bench_user_keys
FDIR="$STATE_DIR/faults"; mkdir -p "$FDIR"
main_port="$(free_port)"
write_odoo_conf "$FDIR/main.conf" "$main_port" "logfile = $FDIR/main.log" "db_name = ${BENCH_DB}" \
  "log_level = warn" "workers = 0" "max_cron_threads = 2"

# --- the private cluster for the PostgreSQL-restart scenario ---------------------------------------
pg_fault_json='null'; pg_skip=""
if [ -z "${FAULTS_ONLY:-}" ] || [[ ",$FAULTS_ONLY," == *",pg,"* ]]; then
  if [ "$external_pg" = 1 ]; then
    pg_skip="PGHOST/PGPORT point at an external server: no private cluster to restart"
  else
    bin="$(pg_bindir)"; fpg="$(pg_private_dir faults-pg)"; fdata="$fpg/data"
    if [ ! -f "$fdata/PG_VERSION" ]; then
      log "initialising the private PostgreSQL cluster for the restart scenario in $fpg"
      mkdir -p "$fdata"; [ "$(id -u)" = 0 ] && chown "$PG_SYSTEM_USER" "$fdata"
      pg_as_owner "$bin/initdb" -D "$fdata" -U "$PG_SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 > "$fpg/initdb.log" 2>&1 \
        || die "initdb of the private cluster failed ($fpg/initdb.log)"
    fi
    fport="$(cat "$fpg/port" 2>/dev/null || free_port)"; port_in_use "$fport" && ! pg_as_owner "$bin/pg_ctl" -D "$fdata" status >/dev/null 2>&1 && fport="$(free_port)"
    echo "$fport" > "$fpg/port"
    pg_opts="-p $fport -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c fsync=off -c max_connections=100"
    pg_as_owner "$bin/pg_ctl" -D "$fdata" status >/dev/null 2>&1 || \
      pg_as_owner "$bin/pg_ctl" -D "$fdata" -l "$fpg/server.log" -w -t 60 start -o "$pg_opts" >/dev/null || die "private cluster did not start ($fpg/server.log)"
    fdb="rw_${CHECKOUT_TAG}_faults"
    fodoo_port="$(free_port)"
    (
      export PGPORT="$fport"
      write_odoo_conf "$FDIR/pg.conf" "$fodoo_port" "logfile = $FDIR/pg-odoo.log" "db_name = ${fdb}" "log_level = warn" \
        "workers = 0" "max_cron_threads = 0" "db_maxconn = 32"
      if [ "$(psql -p "$fport" -qAtc "select 1 from pg_database where datname='$fdb'")" != 1 ] || [ ! -f "$fpg/installed" ]; then
        log "creating the small database $fdb in the private cluster (about two minutes, once)"
        psql -p "$fport" -qc "drop database if exists $fdb" >/dev/null
        odoo_bin -c "$FDIR/pg.conf" -d "$fdb" -i sale,base_automation,"$ADDON_NAME" --without-demo=all --stop-after-init --logfile= --log-level=warn \
          > "$fpg/install.log" 2>&1 || { tail -20 "$fpg/install.log" >&2; exit 1; }
        BENCH_ORDERS=20 BENCH_PARTNERS=20 BENCH_ORM_ORDERS=20 odoo_bin shell -c "$FDIR/pg.conf" -d "$fdb" --no-http --logfile= --log-level=warn \
          < "$PROJECT_DIR/bench/seed.py" > "$fpg/seed.out" 2>&1 || { tail -20 "$fpg/seed.out" >&2; exit 1; }
        touch "$fpg/installed"
      else
        odoo_bin -c "$FDIR/pg.conf" -d "$fdb" -u "$ADDON_NAME" --stop-after-init --logfile= --log-level=warn > "$fpg/update.log" 2>&1 || { tail -20 "$fpg/update.log" >&2; exit 1; }
      fi
      odoo_bin shell -c "$FDIR/pg.conf" -d "$fdb" --no-http --logfile= --log-level=warn < "$PROJECT_DIR/bench/setup_user.py" 2>"$fpg/setup_user.log" \
        | grep '^{' | tail -1 > "$FDIR/pg-creds.json"
    ) || pg_skip="setting up the private cluster's database failed (logs in $fpg)"
    if [ -z "$pg_skip" ] && [ -s "$FDIR/pg-creds.json" ]; then
      owner=(); [ "$(id -u)" = 0 ] && owner=(runuser -u "$PG_SYSTEM_USER" --)
      pg_fault_json="$("$PY" - "$FDIR" "$fodoo_port" "$fdb" "$bin" "$fdata" "$fpg" "$pg_opts" "$PY" "$ODOO_SRC" "${owner[@]}" <<'PY'
import json, sys
fdir, port, db, bin_, data, fpg, opts, py, src, *owner = sys.argv[1:]
ctl = owner + [bin_ + "/pg_ctl", "-D", data]
print(json.dumps({"url": "http://127.0.0.1:%s" % port, "creds": fdir + "/pg-creds.json", "log": fdir + "/pg-odoo.log",
                  "odoo_cmd": [py, src + "/odoo-bin", "-c", fdir + "/pg.conf", "-d", db],
                  "stop": ctl + ["-m", "fast", "-w", "stop"],
                  "start": ctl + ["-l", fpg + "/server.log", "-w", "-t", "60", "start", "-o", opts]}))
PY
)"
    else
      pg_skip="${pg_skip:-no credentials for the database of the private cluster}"
    fi
  fi
fi

"$PY" - "$FDIR/faults.json" "$main_port" "$BENCH_DIR/creds.json" "$FDIR/main.log" "$PY" "$ODOO_SRC" "$FDIR/main.conf" "$BENCH_DB" "$pg_fault_json" "$pg_skip" <<'PY'
import json, sys
out, port, creds, logf, py, src, conf, db, pgj, pgskip = sys.argv[1:]
json.dump({"url": "http://127.0.0.1:%s" % port, "creds": creds, "log": logf,
           "odoo_cmd": [py, src + "/odoo-bin", "-c", conf, "-d", db],
           "pg_fault": json.loads(pgj), "pg_fault_skip": pgskip or None}, open(out, "w"))
PY
mkdir -p "$PROJECT_DIR/bench/results"
set +e
(cd "$PROJECT_DIR" && "$PY" -m bench.faults --config "$FDIR/faults.json" --out "$PROJECT_DIR/bench/results/faults.json")
rc=$?
if [ "$external_pg" = 0 ] && [ -f "${fdata:-/nonexistent}/PG_VERSION" ]; then
  pg_as_owner "$bin/pg_ctl" -D "$fdata" -m fast -w stop >/dev/null 2>&1 || true   # our own private cluster
fi
exit $rc
