#!/usr/bin/env bash
# Shared settings and helpers for the Makefile's scripts. Source it; do not run it.
# Everything generated lives in .state/ (ignored by git) so two checkouts never share state:
# each has its own PostgreSQL cluster on its own port, its own data folder and database names.
set -euo pipefail

PROJECT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${RW_STATE_DIR:-$PROJECT_DIR/.state}"
ODOO_SRC="${ODOO_SRC:-/opt/odoo/19.0}"
VENV="${RW_VENV:-$PROJECT_DIR/.venv}"
PY="$VENV/bin/python"
ADDON_NAME="rest_webhooks"
# A short tag derived from the checkout's path keeps database names apart when PG* variables point
# several checkouts at one shared server.
CHECKOUT_TAG="$(printf '%s' "$PROJECT_DIR" | sha1sum | cut -c1-6)"
RUN_DB="${RW_RUN_DB:-rw_${CHECKOUT_TAG}_demo}"
RUN_PORT="${RW_HTTP_PORT:-8069}"
PG_DIR="$STATE_DIR/pg"
PG_SYSTEM_USER="rwpg"   # PostgreSQL refuses to run as root: a system user runs the cluster then
PG_SUPERUSER="odoo"     # Odoo refuses the 'postgres' role

log()  { printf '\033[1m[rest_webhooks]\033[0m %s\n' "$*" >&2; }
die()  { printf '\033[1;31m[rest_webhooks] error:\033[0m %s\n' "$*" >&2; exit 1; }

free_port() {  # free_port [preferred]: the preferred TCP port on 127.0.0.1 if free, else any free one
  python3 - "${1:-0}" <<'PY'
import socket, sys
pref = int(sys.argv[1])
for port in ([pref] if pref else []) + [0]:
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); print(s.getsockname()[1]); break
    except OSError:
        continue
    finally:
        s.close()
PY
}

port_in_use() { ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', int(sys.argv[1])))" "$1" 2>/dev/null; }

# --- Odoo source --------------------------------------------------------------------------------
ensure_odoo_src() {
  if [ -f "$ODOO_SRC/odoo/release.py" ] && [ -x "$ODOO_SRC/odoo-bin" -o -f "$ODOO_SRC/odoo-bin" ]; then
    return 0
  fi
  if [ -e "$ODOO_SRC" ] && [ -n "$(ls -A "$ODOO_SRC" 2>/dev/null)" ]; then
    die "ODOO_SRC=$ODOO_SRC exists but is not an Odoo source tree (no odoo/release.py). Point ODOO_SRC at an Odoo 19.0 Community checkout."
  fi
  log "Odoo source not found at $ODOO_SRC; trying a shallow clone of the official 19.0 branch"
  if mkdir -p "$(dirname "$ODOO_SRC")" 2>/dev/null && \
     timeout 600 git clone --quiet --depth 1 --branch 19.0 https://github.com/odoo/odoo.git "$ODOO_SRC" 2>/dev/null; then
    log "cloned Odoo 19.0 into $ODOO_SRC"; return 0
  fi
  rm -rf "$ODOO_SRC" 2>/dev/null || true
  die "Odoo 19.0 source is missing at $ODOO_SRC and could not be cloned (no network?).
Provide an Odoo 19.0 Community source tree there (it must contain odoo-bin and odoo/release.py),
or set ODOO_SRC=/path/to/odoo-19.0 and run the command again."
}

check_odoo_version() {
  local v
  v="$(sed -n "s/^version_info = (\([0-9]*\), \([0-9]*\).*/\1.\2/p" "$ODOO_SRC/odoo/release.py")"
  [ "$v" = "19.0" ] || die "$ODOO_SRC holds Odoo $v; this addon needs Odoo 19.0."
}

# --- Python virtualenv ----------------------------------------------------------------------------
ensure_venv() {
  local stamp req_hash
  req_hash="$(cat "$PROJECT_DIR"/requirements{,-odoo,-dev}.txt | sha1sum | cut -c1-12)"
  stamp="$VENV/.rw-installed-$req_hash"
  [ -f "$stamp" ] && return 0
  mkdir -p "$STATE_DIR"  # pip's log goes there: `make bench` or `make faults` may be a fresh clone's first command
  command -v python3 >/dev/null || die "python3 is required (3.11 or newer)."
  python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' || die "Python 3.10+ is required; found $(python3 --version)."
  if [ ! -x "$PY" ]; then
    log "creating virtualenv in $VENV"
    python3 -m venv "$VENV"
  fi
  log "installing Python requirements (requirements-dev.txt: Odoo's 3.12 pin set + the development tools); about a minute the first time"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --upgrade pip wheel setuptools 2>&1 | grep -v "^WARNING: Location" >&2 || true
  if ! "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$PROJECT_DIR/requirements-dev.txt" 2> "$STATE_DIR/pip.log"; then
    grep -v "^WARNING: Location" "$STATE_DIR/pip.log" >&2 || true
    die "pip install failed (full log: $STATE_DIR/pip.log)."
  fi
  rm -f "$VENV"/.rw-installed-*
  touch "$stamp"
}

# --- PostgreSQL -----------------------------------------------------------------------------------
# An external server is one the user pointed at with PGHOST/PGPORT before any of our scripts ran:
# decided once and exported, because pg_env exports PGHOST/PGPORT for the private cluster too (make
# stop used to take its own cluster for an external one after pg_env, and left it running).
if [ -z "${RW_PG_EXTERNAL:-}" ]; then
  if [ -n "${PGHOST:-}" ] || [ -n "${PGPORT:-}" ]; then RW_PG_EXTERNAL=1; else RW_PG_EXTERNAL=0; fi
  export RW_PG_EXTERNAL
fi
pg_external() { [ "$RW_PG_EXTERNAL" = 1 ]; }

pg_bindir() {
  local d
  for d in "${PG_BINDIR:-}" /usr/lib/postgresql/*/bin /usr/local/pgsql/bin; do
    [ -n "$d" ] && [ -x "$d/initdb" ] && { echo "$d"; return 0; }
  done
  command -v initdb >/dev/null && { dirname "$(command -v initdb)"; return 0; }
  die "PostgreSQL server binaries (initdb, pg_ctl) not found. Install PostgreSQL 15 (e.g. apt-get install postgresql) or set PGHOST/PGPORT/PGUSER to use an existing server."
}

# Run a PostgreSQL server command as the cluster's owner (root may not run the server).
pg_as_owner() {
  # from / : the owner may not be allowed into the current folder (a private clone), and says so
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u "$PG_SYSTEM_USER" -- "$@"); else "$@"; fi
}

pg_env() {  # export the PG* settings the scripts and Odoo use
  if pg_external; then
    export PGHOST="${PGHOST:-127.0.0.1}" PGPORT="${PGPORT:-5432}" PGUSER="${PGUSER:-$(id -un)}"
  else
    [ -f "$PG_DIR/port" ] || return 1
    export PGHOST=127.0.0.1 PGPORT="$(cat "$PG_DIR/port")" PGUSER="$PG_SUPERUSER"
    unset PGPASSWORD
  fi
  export PGDATABASE=postgres
}

# pg_private_dir NAME: a folder the PostgreSQL system user owns for another private cluster (the
# fault tests' own), $STATE_DIR/NAME or, as for the main cluster, a private temporary folder when the
# checkout cannot be traversed by that user (recorded in $STATE_DIR/NAME.dir, removed by make clean).
pg_private_dir() {
  local name="$1" d
  if [ -f "$STATE_DIR/$name.dir" ]; then d="$(cat "$STATE_DIR/$name.dir")"
  elif [ "$(id -u)" = 0 ] && ! runuser -u "$PG_SYSTEM_USER" -- test -x "$STATE_DIR" 2>/dev/null; then
    d="$(mktemp -d "${TMPDIR:-/tmp}/rest_webhooks-pg-$CHECKOUT_TAG-$name.XXXXXX")"
    echo "$d" > "$STATE_DIR/$name.dir"
  else d="$STATE_DIR/$name"
  fi
  mkdir -p "$d"; [ "$(id -u)" = 0 ] && chown "$PG_SYSTEM_USER" "$d"
  echo "$d"
}

# Where the cluster's files live. Normally .state/pg/data; when root runs the scripts and the checkout
# sits below a folder the PostgreSQL system user cannot traverse (a `mktemp -d` clone, say), the
# cluster lives in a private temporary folder instead, recorded in .state/pg/datadir.
pg_data_dir() {
  if [ -f "$PG_DIR/datadir" ]; then cat "$PG_DIR/datadir"; return 0; fi
  local d="$PG_DIR/data"
  if [ "$(id -u)" = 0 ] && ! runuser -u "$PG_SYSTEM_USER" -- test -x "$PG_DIR" 2>/dev/null; then
    d="$(mktemp -d "${TMPDIR:-/tmp}/rest_webhooks-pg-$CHECKOUT_TAG.XXXXXX")/data"
    chown "$PG_SYSTEM_USER" "$(dirname "$d")"
    log "the PostgreSQL user cannot reach $PG_DIR; keeping the cluster in $(dirname "$d")"
  fi
  echo "$d" > "$PG_DIR/datadir"; echo "$d"
}

pg_start() {
  if pg_external; then
    pg_env
    psql -qAtc 'select 1' >/dev/null 2>&1 || die "cannot reach the PostgreSQL server given by PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER."
    return 0
  fi
  local bin data port
  bin="$(pg_bindir)"
  mkdir -p "$PG_DIR"
  if [ "$(id -u)" = 0 ]; then
    id -u "$PG_SYSTEM_USER" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$PG_SYSTEM_USER"
    chown "$PG_SYSTEM_USER" "$PG_DIR"
  fi
  data="$(pg_data_dir)"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "initialising a private PostgreSQL cluster in $data"
    rm -rf "$data"
    mkdir -p "$data"; [ "$(id -u)" = 0 ] && chown "$PG_SYSTEM_USER" "$data"
    pg_as_owner "$bin/initdb" -D "$data" -U "$PG_SUPERUSER" --auth=trust --encoding=UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
      || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  fi
  if pg_as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    pg_env; return 0
  fi
  # Its own port, chosen once from the checkout's tag and kept; TCP on 127.0.0.1 only, no unix socket.
  port="$(cat "$PG_DIR/port" 2>/dev/null || echo $((20000 + 0x$CHECKOUT_TAG % 20000)))"
  port_in_use "$port" && port="$(free_port)"
  echo "$port" > "$PG_DIR/port"
  pg_as_owner "$bin/pg_ctl" -D "$data" -l "$data/../server.log" -w -t 60 start \
    -o "-p $port -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=256MB" >/dev/null \
    || { tail -20 "$data/../server.log" >&2; die "PostgreSQL did not start (log: $data/../server.log)"; }
  log "PostgreSQL running on 127.0.0.1:$port (data: $data)"
  pg_env
}

pg_stop() {
  pg_external && return 0
  local bin data; data="$(pg_data_dir)"
  [ -f "$data/PG_VERSION" ] || return 0
  bin="$(pg_bindir)"
  pg_as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null 2>&1 && log "PostgreSQL stopped" || true
}

db_exists() { [ "$(psql -qAtc "select 1 from pg_database where datname='$1'")" = 1 ]; }

# --- Odoo ---------------------------------------------------------------------------------------
# Odoo finds the addon by its technical name in an addons path: .state/addons/rest_webhooks, a folder
# of links to the checkout's entries. Not one link to the checkout: Odoo's translation exporter walks
# every module folder following links, and would go through .venv and through .state back into this
# very folder without end. The development harness (bench, scripts, tests_unit) is left out, as from
# the wheel. Links are only added or replaced, never all removed, so a running server keeps its files.
ensure_addon_link() {
  local dir="$STATE_DIR/addons/$ADDON_NAME" entry name
  mkdir -p "$STATE_DIR/addons"
  [ -L "$dir" ] && rm -f "$dir"  # the former layout: a single link to the checkout
  mkdir -p "$dir"
  for entry in "$PROJECT_DIR"/*; do
    name="${entry##*/}"
    case "$name" in bench|scripts|tests_unit|build|dist) continue ;; esac
    [ "$(readlink "$dir/$name" 2>/dev/null)" = "$entry" ] || ln -sfn "$entry" "$dir/$name"
  done
  find "$dir" -maxdepth 1 -type l ! -exec test -e {} \; -delete  # entries removed from the checkout
}

write_odoo_conf() {  # write_odoo_conf FILE HTTP_PORT [extra lines...]
  local file="$1" port="$2"; shift 2
  ensure_addon_link
  mkdir -p "$STATE_DIR/data" "$STATE_DIR/logs"
  {
    echo "[options]"
    echo "addons_path = $ODOO_SRC/addons,$STATE_DIR/addons"
    echo "data_dir = $STATE_DIR/data"
    echo "db_host = $PGHOST"
    echo "db_port = $PGPORT"
    echo "db_user = $PGUSER"
    [ -n "${PGPASSWORD:-}" ] && echo "db_password = $PGPASSWORD"
    echo "http_interface = 127.0.0.1"
    echo "http_port = $port"
    echo "gevent_port = $(free_port)"
    echo "list_db = False"
    # server-wide so that /api/ answers 503 problem+json while the database is down (controllers/nodb.py)
    echo "server_wide_modules = base,rpc,web,$ADDON_NAME"
    # later lines override earlier ones: callers pass extra "key = value" lines
    printf '%s\n' "proxy_mode = False" "max_cron_threads = 1" "$@" | awk -F' = ' '{v[$1]=$0; if(!($1 in o)){o[$1]=++n; k[n]=$1}} END{for(i=1;i<=n;i++) print v[k[i]]}'
  } > "$file"
}

# Odoo's own bound on concurrent request threads in threaded mode: "auto" (any non-number) means half
# of db_maxconn, because a REST API request holds a second, short technical cursor (rate counter,
# idempotency claim). Without it 50 simultaneous requests can exhaust the pool.
export ODOO_MAX_HTTP_THREADS="${ODOO_MAX_HTTP_THREADS:-auto}"

odoo_bin() { "$PY" "$ODOO_SRC/odoo-bin" "$@"; }

# --- Browser for the tour tests ---------------------------------------------------------------
ensure_chromium() {  # Odoo's HttpCase.start_tour needs a headless Chrome/Chromium in PATH
  local b
  for b in google-chrome chromium chromium-browser google-chrome-stable; do
    command -v "$b" >/dev/null 2>&1 && return 0
  done
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's chromium for the browser (tour) tests; once"
    if (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) \
        > "$STATE_DIR/chromium-install.log" 2>&1; then
      return 0
    fi
    log "warning: installing chromium failed (log: $STATE_DIR/chromium-install.log); tour tests will be skipped"
  else
    log "warning: no Chrome/Chromium found and cannot install it (needs root + apt-get); tour tests will be skipped"
  fi
  return 0
}
