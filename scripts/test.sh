#!/usr/bin/env bash
# `make test`: pure-Python unit tests (pytest, no database) then the addon's Odoo tests on a fresh
# database in the private cluster. Ends with "N passed, N failed[, N skipped]"; exits non-zero on
# any failure, on an Odoo crash, or when no test ran.
# Lint first (scripts/lint.sh: pylint-odoo and ruff, one check each, counted in the totals).
# TEST_TAGS narrows the Odoo tests (default /rest_webhooks); UNIT_ONLY=1 / ODOO_ONLY=1 pick a half
# (ODOO_ONLY also skips the lint, NO_LINT=1 skips only the lint).
source "$(dirname "$0")/lib.sh"
set +e  # we collect results ourselves

ensure_odoo_src; check_odoo_version
mkdir -p "$STATE_DIR/test"
ensure_venv
run_id="$$"
out="$STATE_DIR/test/$run_id"; mkdir -p "$out"
u_pass=0 u_fail=0 u_skip=0 o_pass=0 o_fail=0 o_skip=0 l_pass=0 l_fail=0 problems=()

# --- 0. lint (pylint-odoo, ruff): each linter is one check, passed when it reports 0 messages --------
if [ -z "${ODOO_ONLY:-}" ] && [ -z "${NO_LINT:-}" ]; then
  log "lint (pylint-odoo, ruff)"
  LINT_RESULT_FILE="$out/lint.result" bash "$PROJECT_DIR/scripts/lint.sh"
  if [ -f "$out/lint.result" ]; then read -r l_pass l_fail < "$out/lint.result"
  else problems+=("the lint step did not run"); l_fail=1; fi
fi

# --- 1. unit tests (lib/ is pure Python) -----------------------------------------------------------
if [ -z "${ODOO_ONLY:-}" ]; then
  log "unit tests (pytest tests_unit)"
  (cd "$PROJECT_DIR" && "$PY" -m pytest tests_unit -q -p no:cacheprovider --junitxml="$out/unit.xml")
  rc=$?
  if [ $rc = 5 ]; then problems+=("pytest collected no unit test"); fi
  if [ -f "$out/unit.xml" ]; then
    read -r u_total u_fail u_skip < <("$PY" - "$out/unit.xml" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
suites = [r] if r.tag == "testsuite" else list(r)
t = sum(int(s.get("tests", 0)) for s in suites)
f = sum(int(s.get("failures", 0)) + int(s.get("errors", 0)) for s in suites)
k = sum(int(s.get("skipped", 0)) for s in suites)
print(t, f, k)
PY
)
    u_pass=$((u_total - u_fail - u_skip))
  fi
  if [ $rc != 0 ] && [ $rc != 5 ] && [ "$u_fail" = 0 ]; then problems+=("pytest exited with $rc"); u_fail=1; fi
fi

# --- 2. Odoo tests --------------------------------------------------------------------------------
if [ -z "${UNIT_ONLY:-}" ]; then
  pg_start
  ensure_addon_link
  ensure_chromium
  odoo_hash="$( (cat "$ODOO_SRC/odoo/release.py"; echo "$ODOO_SRC"; cat "$PROJECT_DIR/requirements-odoo.txt") | sha1sum | cut -c1-8)"
  tmpl="rw_${CHECKOUT_TAG}_tmpl_${odoo_hash}"
  conf="$out/odoo.conf"
  write_odoo_conf "$conf" "$(free_port)" "log_level = test" "max_cron_threads = 0"
  # Installing sale + base_automation takes about a minute: do it once into a template database
  # (guarded by a lock so concurrent runs of this checkout build it once), then copy it per run.
  exec 9>"$STATE_DIR/test/template.lock"
  flock 9
  if ! db_exists "$tmpl" || [ ! -f "$STATE_DIR/test/$tmpl.ok" ]; then
    log "building template database $tmpl (sale, base_automation; once per Odoo source)"
    db_exists "$tmpl" && dropdb "$tmpl"
    if odoo_bin -c "$conf" -d "$tmpl" -i sale,base_automation --stop-after-init --log-level=warn > "$out/template.log" 2>&1; then
      touch "$STATE_DIR/test/$tmpl.ok"
    else
      tail -30 "$out/template.log" >&2; die "building the template database failed (log: $out/template.log)"
    fi
  fi
  flock -u 9
  db="rw_${CHECKOUT_TAG}_test_${run_id}"
  createdb -T "$tmpl" "$db" || die "createdb $db failed"
  if [ -d "$STATE_DIR/data/filestore/$tmpl" ]; then
    mkdir -p "$STATE_DIR/data/filestore"; cp -a "$STATE_DIR/data/filestore/$tmpl" "$STATE_DIR/data/filestore/$db"
  fi
  tags="${TEST_TAGS:-/$ADDON_NAME}"
  log "Odoo tests ($tags) on database $db; log: $out/odoo.log"
  odoo_bin -c "$conf" -d "$db" -i "$ADDON_NAME" --test-tags "$tags" --stop-after-init > "$out/odoo.log" 2>&1
  orc=$?
  # Show failures and errors (the log itself can be long).
  grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (ERROR|CRITICAL) " "$out/odoo.log" | cut -c1-400 | head -60 >&2
  summary="$(grep -E "[0-9]+ failed, [0-9]+ error\(s\) of [0-9]+ tests when loading database" "$out/odoo.log" | tail -1)"
  if [ -z "$summary" ]; then
    tail -40 "$out/odoo.log" >&2
    problems+=("Odoo did not report a test summary (crashed? exit $orc)"); o_fail=$((o_fail + 1))
  else
    read -r f e t < <(sed -E 's/.* ([0-9]+) failed, ([0-9]+) error\(s\) of ([0-9]+) tests.*/\1 \2 \3/' <<<"$summary")
    o_skip="$(grep -cE " odoo\.[a-z_.]+: skipped " "$out/odoo.log")"
    o_fail=$((f + e)); o_pass=$((t - f - e - o_skip)); [ $o_pass -lt 0 ] && o_pass=0
    [ "$t" = 0 ] && problems+=("Odoo ran no test")
    [ $orc != 0 ] && [ $o_fail = 0 ] && { problems+=("Odoo exited with $orc"); o_fail=1; }
  fi
  if [ -z "${KEEP_DB:-}" ]; then
    dropdb --if-exists "$db" >/dev/null 2>&1; rm -rf "$STATE_DIR/data/filestore/$db"
  else
    log "kept database $db (KEEP_DB set)"
  fi
fi

passed=$((l_pass + u_pass + o_pass)); failed=$((l_fail + u_fail + o_fail)); skipped=$((u_skip + o_skip))
echo
[ -z "${ODOO_ONLY:-}" ] && [ -z "${NO_LINT:-}" ] && echo "lint: $l_pass passed, $l_fail failed (pylint-odoo, ruff)"
echo "unit tests: $u_pass passed, $u_fail failed, $u_skip skipped"
[ -z "${UNIT_ONLY:-}" ] && echo "odoo tests: $o_pass passed, $o_fail failed, $o_skip skipped (log: $out/odoo.log)"
for p in "${problems[@]}"; do echo "problem: $p"; done
[ $passed = 0 ] && problems+=("no test passed")
line="$passed passed, $failed failed"; [ $skipped -gt 0 ] && line="$line, $skipped skipped"
echo "$line"
[ $failed = 0 ] && [ ${#problems[@]} = 0 ]
