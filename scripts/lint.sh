#!/usr/bin/env bash
# `make lint` (and step 0 of `make test`): the linters OCA runs on addons, with this repository's
# configuration: pylint with the pylint-odoo plugin (.pylintrc: OCA's mandatory and optional checks
# plus every other odoolint check, Odoo 19.0) and ruff (.ruff.toml). Each must report 0 messages.
# Prints "lint: N passed, N failed" (one check per linter) and writes LINT_RESULT_FILE if set.
source "$(dirname "$0")/lib.sh"
set +e
ensure_venv
cd "$PROJECT_DIR"
pass=0 fail=0 out="$(mktemp)"
trap 'rm -f "$out"' EXIT
run_check() {  # run_check NAME COMMAND...
  local name="$1"; shift
  if "$@" > "$out" 2>&1; then
    pass=$((pass + 1)); log "lint: $name: 0 messages"
  else
    fail=$((fail + 1)); log "lint: $name reported:"; cat "$out" >&2
  fi
}
# the addon (bench/ and scripts/ are not part of it: see .pylintrc)
run_check pylint-odoo "$VENV/bin/pylint" --rcfile=.pylintrc .
# everything Python in the repository, bench/ included (.ruff.toml)
run_check ruff "$VENV/bin/ruff" check --no-fix --no-cache .
echo "lint: $pass passed, $fail failed"
[ -n "${LINT_RESULT_FILE:-}" ] && echo "$pass $fail" > "$LINT_RESULT_FILE"
[ "$fail" = 0 ]
