#!/usr/bin/env bash
# Several Odoo nodes and a PostgreSQL streaming replica on this machine (make cluster, make
# cluster-faults, make bench cluster mode). Source it after lib.sh, once pg_start has run.
#
#   primary   this checkout's private cluster (lib.sh pg_start; shared with make run and make test)
#   replica   a physical copy of it (pg_basebackup -R), streaming, hot standby, its own port
#   node1/2   Odoo in prefork mode on one database, each configured with the replica (db_replica_*)
#   balancer  HAProxy from Debian, round robin, active health check on /api/v1/health
# Everything listens on 127.0.0.1; ports are free ones, chosen at start and kept in .state/cluster.

CLUSTER_DIR="$STATE_DIR/cluster"
CLUSTER_NODES="${RW_CLUSTER_NODES:-2}"
# 2 cores here: 2 HTTP workers and 1 cron worker a node. On a bigger machine: workers = 2 x cores + 1
# over all nodes, and enough db_maxconn for them (see README, "Several nodes and a replica").
CLUSTER_WORKERS="${RW_CLUSTER_WORKERS:-2}"

cluster_need_private_pg() {  # call before pg_start (which exports PGHOST/PGPORT)
  pg_external && die "the cluster needs this checkout's private PostgreSQL to replicate (PGHOST/PGPORT point at an external server)"
  return 0
}

ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 && return 0
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    log "installing Debian's haproxy for the load balancer; once"
    mkdir -p "$CLUSTER_DIR"
    if (DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy || \
        (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy)) > "$CLUSTER_DIR/haproxy-install.log" 2>&1; then
      command -v haproxy >/dev/null 2>&1 && return 0
    fi
    die "installing haproxy failed (log: $CLUSTER_DIR/haproxy-install.log)"
  fi
  die "HAProxy is needed for the load balancer: install it (apt-get install haproxy) or run as root with apt-get available."
}

# --- the replica ---------------------------------------------------------------------------------
replica_paths() {  # sets REPLICA_HOME, REPLICA_DATA, REPLICA_PORT_FILE; creates the folder only when asked ("create")
  if [ "${1:-}" = create ]; then REPLICA_HOME="$(pg_private_dir replica)"
  elif [ -f "$STATE_DIR/replica.dir" ]; then REPLICA_HOME="$(cat "$STATE_DIR/replica.dir")"
  else REPLICA_HOME="$STATE_DIR/replica"
  fi
  REPLICA_DATA="$REPLICA_HOME/data"
  REPLICA_PORT_FILE="$REPLICA_HOME/port"
}

replica_port() { replica_paths; cat "$REPLICA_PORT_FILE" 2>/dev/null; }

replica_running() {
  replica_paths
  [ -f "$REPLICA_DATA/PG_VERSION" ] && pg_as_owner "$(pg_bindir)/pg_ctl" -D "$REPLICA_DATA" status >/dev/null 2>&1
}

replica_streaming() {  # the replica's WAL receiver streams from the primary
  [ "$(psql -p "$(replica_port)" -qAtc "select status from pg_stat_wal_receiver" 2>/dev/null)" = streaming ]
}

# The replica's settings: the same limits as the primary (a hot standby needs max_connections at
# least the primary's); hot_standby_feedback keeps the primary's vacuum from cancelling long reads on
# the replica. primary_conninfo is given on the command line, which wins over postgresql.auto.conf,
# so the replica follows the primary's current port.
replica_opts() {
  echo "-p $1 -c listen_addresses=127.0.0.1 -c unix_socket_directories='' -c max_connections=200 -c fsync=off \
-c synchronous_commit=off -c full_page_writes=off -c shared_buffers=128MB -c hot_standby=on -c hot_standby_feedback=on \
-c primary_conninfo='host=127.0.0.1 port=$PGPORT user=$PG_SUPERUSER application_name=rw_replica'"
}

replica_pg_ctl_start() {
  local bin port; bin="$(pg_bindir)"; replica_paths; port="$(cat "$REPLICA_PORT_FILE")"
  pg_as_owner "$bin/pg_ctl" -D "$REPLICA_DATA" -l "$REPLICA_HOME/server.log" -w -t 120 start -o "$(replica_opts "$port")" >/dev/null
}

replica_stop() {
  replica_running || return 0
  pg_as_owner "$(pg_bindir)/pg_ctl" -D "$REPLICA_DATA" -m fast -w stop >/dev/null 2>&1 && log "replica stopped" || true
}

# replica_start: start the replica, taking a fresh base backup when there is none, when it belongs to
# another primary (system identifier), or when it cannot stream any more (the primary recycled the WAL
# it needs: there is no replication slot on purpose, an abandoned slot would keep WAL forever).
replica_start() {
  local bin attempt sys_primary sys_replica port
  bin="$(pg_bindir)"; replica_paths create
  grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32' "$(pg_data_dir)/pg_hba.conf" \
    || die "the primary's pg_hba.conf has no replication line for 127.0.0.1 (initdb --auth=trust writes one)"
  port="$(cat "$REPLICA_PORT_FILE" 2>/dev/null || true)"
  if ! replica_running; then
    { [ -n "$port" ] && ! port_in_use "$port"; } || port="$(free_port)"
    echo "$port" > "$REPLICA_PORT_FILE"
  fi
  sys_primary="$(psql -qAtc "select system_identifier from pg_control_system()")"
  for attempt in 1 2; do
    if [ -f "$REPLICA_DATA/PG_VERSION" ]; then
      sys_replica="$(pg_as_owner "$bin/pg_controldata" -D "$REPLICA_DATA" 2>/dev/null | sed -n 's/^Database system identifier: *//p')"
      if [ "$sys_replica" != "$sys_primary" ]; then
        replica_stop; rm -rf "$REPLICA_DATA"
      fi
    fi
    if [ ! -f "$REPLICA_DATA/PG_VERSION" ]; then
      log "base backup of the primary for the replica (pg_basebackup -R, $(psql -qAtc "select pg_size_pretty(sum(pg_database_size(datname))) from pg_database"))"
      rm -rf "$REPLICA_DATA"
      pg_as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p "$PGPORT" -U "$PG_SUPERUSER" -D "$REPLICA_DATA" -R -X stream -c fast \
        > "$REPLICA_HOME/basebackup.log" 2>&1 || { cat "$REPLICA_HOME/basebackup.log" >&2; die "pg_basebackup failed"; }
    fi
    replica_running || replica_pg_ctl_start || { tail -20 "$REPLICA_HOME/server.log" >&2; die "the replica did not start (log: $REPLICA_HOME/server.log)"; }
    local i; for i in $(seq 1 40); do replica_streaming && break; sleep 0.5; done
    if replica_streaming; then
      log "replica streaming on 127.0.0.1:$(cat "$REPLICA_PORT_FILE") (data: $REPLICA_DATA)"
      return 0
    fi
    log "the replica does not stream (WAL gone?); taking a new base backup"
    replica_stop; rm -rf "$REPLICA_DATA"
  done
  die "the replica does not stream from the primary (log: $REPLICA_HOME/server.log)"
}

# --- Odoo nodes ----------------------------------------------------------------------------------
# cluster_node_conf N DB [extra lines...]: writes $CLUSTER_DIR/nodeN.conf on a free port (kept while it
# is free), prints nothing; the port is in $CLUSTER_DIR/nodeN.port.
cluster_node_conf() {
  local n="$1" db="$2"; shift 2
  local port; port="$(cat "$CLUSTER_DIR/node$n.port" 2>/dev/null || true)"
  { [ -n "$port" ] && ! port_in_use "$port"; } || port="$(free_port)"
  echo "$port" > "$CLUSTER_DIR/node$n.port"
  write_odoo_conf "$CLUSTER_DIR/node$n.conf" "$port" "logfile = $CLUSTER_DIR/node$n.log" "db_name = $db" \
    "log_level = warn" "workers = $CLUSTER_WORKERS" "max_cron_threads = 1" \
    "db_replica_host = 127.0.0.1" "db_replica_port = $(replica_port)" \
    "proxy_mode = True" "limit_time_real = 600" "limit_time_cpu = 300" "$@"
}

cluster_node_running() { [ -f "$CLUSTER_DIR/node$1.pid" ] && kill -0 "$(cat "$CLUSTER_DIR/node$1.pid")" 2>/dev/null; }

cluster_node_start() {  # cluster_node_start N DB: in its own process group (prefork workers die with it)
  local n="$1" db="$2" port
  cluster_node_running "$n" && return 0
  port="$(cat "$CLUSTER_DIR/node$n.port")"
  setsid "$PY" "$ODOO_SRC/odoo-bin" -c "$CLUSTER_DIR/node$n.conf" -d "$db" >/dev/null 2>&1 &
  echo $! > "$CLUSTER_DIR/node$n.pid"
}

cluster_node_wait() {
  local n="$1" port i; port="$(cat "$CLUSTER_DIR/node$n.port")"
  for i in $(seq 1 120); do
    curl -fs "http://127.0.0.1:$port/api/v1/health" >/dev/null 2>&1 && return 0
    cluster_node_running "$n" || { tail -20 "$CLUSTER_DIR/node$n.log" >&2; die "Odoo node $n stopped while starting (log: $CLUSTER_DIR/node$n.log)"; }
    sleep 1
  done
  die "Odoo node $n did not answer within 120 s (log: $CLUSTER_DIR/node$n.log)"
}

cluster_node_stop() {  # TERM to the node's process group, KILL after 15 s
  local n="$1" pid
  [ -f "$CLUSTER_DIR/node$n.pid" ] || return 0
  pid="$(cat "$CLUSTER_DIR/node$n.pid")"
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    local i; for i in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
    log "Odoo node $n stopped"
  fi
  rm -f "$CLUSTER_DIR/node$n.pid"
}

# --- the balancer --------------------------------------------------------------------------------
# balancer_conf: HAProxy in front of the nodes. Round robin; a node is out after 2 failed checks of
# /api/v1/health (1 s apart: it answers 503 when its database is unreachable) and back after 2 good
# ones; a request whose connection a dead node refuses is sent to the other one (retries +
# redispatch: only connection failures are retried, so a POST is never sent twice). With no node
# left the client gets a 503 problem+json, like the API's own.
balancer_conf() {
  local port stats n
  port="$(cat "$CLUSTER_DIR/balancer.port" 2>/dev/null || true)"
  if [ -z "$port" ] || { port_in_use "$port" && ! balancer_running; }; then
    port="$(free_port "${RW_BALANCER_PORT:-8080}")"
  fi
  echo "$port" > "$CLUSTER_DIR/balancer.port"
  stats="$(cat "$CLUSTER_DIR/balancer-stats.port" 2>/dev/null || true)"
  if [ -z "$stats" ] || { port_in_use "$stats" && ! balancer_running; }; then stats="$(free_port)"; fi
  echo "$stats" > "$CLUSTER_DIR/balancer-stats.port"
  printf 'HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nCache-Control: no-store\r\nRetry-After: 5\r\nConnection: close\r\n\r\n{"type": "about:blank", "title": "Service Unavailable", "status": 503, "detail": "No Odoo node is available; retry later."}\n' \
    > "$CLUSTER_DIR/503.http"
  {
    cat <<CFG
# generated by scripts/cluster_lib.sh (make cluster); do not edit
global
    maxconn 512
    pidfile $CLUSTER_DIR/balancer.pid

defaults
    mode http
    timeout connect 2s
    timeout client 180s
    timeout server 180s
    timeout http-request 30s
    option forwardfor
    retries 2
    option redispatch
    errorfile 503 $CLUSTER_DIR/503.http

frontend api
    bind 127.0.0.1:$port
    default_backend odoo

backend odoo
    balance roundrobin
    option httpchk
    # HTTP/1.1 with a Host header: Odoo answers a request without one with a 500 (KeyError HTTP_HOST)
    http-check send meth GET uri /api/v1/health ver HTTP/1.1 hdr Host 127.0.0.1
    http-check expect status 200
    default-server inter 1s fall 2 rise 2
CFG
    for n in $(seq 1 "$CLUSTER_NODES"); do
      echo "    server node$n 127.0.0.1:$(cat "$CLUSTER_DIR/node$n.port") check"
    done
    cat <<CFG

listen stats
    bind 127.0.0.1:$stats
    stats enable
    stats uri /
CFG
  } > "$CLUSTER_DIR/haproxy.cfg"
  haproxy -c -q -f "$CLUSTER_DIR/haproxy.cfg" || die "the generated haproxy.cfg is invalid ($CLUSTER_DIR/haproxy.cfg)"
}

balancer_running() { [ -f "$CLUSTER_DIR/balancer.pid" ] && kill -0 "$(head -1 "$CLUSTER_DIR/balancer.pid")" 2>/dev/null; }

balancer_start() {
  if balancer_running; then  # a soft reload: new process takes the config, the old one finishes its requests
    haproxy -D -f "$CLUSTER_DIR/haproxy.cfg" -sf "$(cat "$CLUSTER_DIR/balancer.pid")" || die "reloading haproxy failed"
  else
    haproxy -D -f "$CLUSTER_DIR/haproxy.cfg" || die "haproxy did not start ($CLUSTER_DIR/haproxy.cfg)"
  fi
}

balancer_stop() {
  balancer_running || { rm -f "$CLUSTER_DIR/balancer.pid"; return 0; }
  local pid; pid="$(head -1 "$CLUSTER_DIR/balancer.pid")"
  kill -TERM "$pid" 2>/dev/null || true
  local i; for i in $(seq 1 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  rm -f "$CLUSTER_DIR/balancer.pid"
  log "balancer stopped"
}

cluster_stop_all() {
  local n
  balancer_stop
  for n in $(seq 1 "$CLUSTER_NODES"); do cluster_node_stop "$n"; done
  replica_stop
}
