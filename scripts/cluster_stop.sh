#!/usr/bin/env bash
# `make cluster-stop`: stops the balancer, the Odoo nodes and the replica of `make cluster`. The primary
# (this checkout's private PostgreSQL, shared with make run and make test) keeps running: make stop.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"
pg_env 2>/dev/null || true
cluster_stop_all
