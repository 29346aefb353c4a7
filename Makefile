# rest_webhooks: the two set-up commands are `make run` and `make test` (see README.md).
SHELL := /bin/bash
.PHONY: run test unit lint pot wheel check-wheel stop clean bench faults cluster cluster-stop cluster-faults

run:            ## private PostgreSQL + demo database + Odoo on 127.0.0.1:8069, prints an API key and curl examples
	@bash scripts/run.sh

test:           ## lint + unit tests (pytest) + the addon's Odoo tests on a fresh database; ends with "N passed, N failed"
	@bash scripts/test.sh

unit:           ## only the pure-Python unit tests (seconds, no database)
	@UNIT_ONLY=1 NO_LINT=1 bash scripts/test.sh

lint:           ## pylint-odoo (OCA's checks) and ruff; part of `make test`
	@bash scripts/lint.sh

wheel:          ## build dist/odoo_addon_rest_webhooks-*.whl (whool, as OCA publishes addons)
	@bash -c 'source scripts/lib.sh && ensure_venv && "$$PY" -m build --wheel --no-isolation --outdir dist .'

check-wheel:    ## fresh virtualenv with Odoo's requirements: installing the wheel adds the addon and changes nothing else
	@bash scripts/check_wheel_install.sh

pot:            ## regenerate i18n/rest_webhooks.pot with Odoo's exporter (after adding translatable strings)
	@bash scripts/pot.sh

stop:           ## stop the Odoo server and the private PostgreSQL cluster of this checkout
	@bash scripts/stop.sh

clean: stop     ## remove generated state (.state: cluster, databases, filestore, logs) and the virtualenv
	@if [ -f .state/pg/datadir ]; then case "$$(cat .state/pg/datadir)" in */rest_webhooks-pg-*) rm -rf "$$(dirname "$$(cat .state/pg/datadir)")";; esac; fi
	@if [ -f .state/faults-pg.dir ]; then case "$$(cat .state/faults-pg.dir)" in */rest_webhooks-pg-*) rm -rf "$$(cat .state/faults-pg.dir)";; esac; fi
	@if [ -f .state/replica.dir ]; then case "$$(cat .state/replica.dir)" in */rest_webhooks-pg-*) rm -rf "$$(cat .state/replica.dir)";; esac; fi
	@rm -rf .state .venv && echo "[rest_webhooks] removed .state and .venv"

bench:          ## benchmark database (100k orders, seeded once), our API vs /json/2 and /jsonrpc, webhooks; threaded + prefork -> bench/results/
	@bash scripts/bench.sh

faults:         ## fault scenarios (kill -9 during dispatch, PostgreSQL restart, bad receivers, concurrent duplicates); pass/fail with counts
	@bash scripts/faults.sh

cluster:        ## two Odoo nodes (prefork) behind HAProxy, reads on a streaming replica of the private PostgreSQL; prints the balancer URL and an API key
	@bash scripts/cluster.sh

cluster-stop:   ## stop the balancer, the Odoo nodes and the replica of make cluster (the primary keeps running: make stop)
	@bash scripts/cluster_stop.sh

cluster-faults: ## cross-node scenarios on the benchmark database (two nodes, replica, balancer); pass/fail with counts
	@bash scripts/cluster_faults.sh
