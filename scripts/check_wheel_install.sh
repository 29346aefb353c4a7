#!/usr/bin/env bash
# `make check-wheel`: the full "installing the addon changes nothing" check. Builds the wheel, makes a
# fresh virtualenv holding only Odoo 19.0's requirements (requirements-odoo.txt), installs the wheel
# with pip's ordinary resolver, and compares `pip freeze` before and after: the only difference must
# be odoo-addon-rest_webhooks added. About a minute (Odoo's pins come from pip's cache after once).
source "$(dirname "$0")/lib.sh"
ensure_venv
work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
"$PY" -m build --wheel --no-isolation --outdir "$work/dist" "$PROJECT_DIR" > "$work/build.log" 2>&1 \
  || { cat "$work/build.log" >&2; die "building the wheel failed"; }
wheel="$(ls "$work"/dist/*.whl)"
log "built ${wheel##*/}"
python3 -m venv "$work/venv"
"$work/venv/bin/pip" install --quiet --disable-pip-version-check -r "$PROJECT_DIR/requirements-odoo.txt" 2>&1 | grep -v "^WARNING: Location" >&2 || true
"$work/venv/bin/pip" freeze --all | sort > "$work/before.txt"
"$work/venv/bin/pip" install --disable-pip-version-check "$wheel" > "$work/install.log" 2>&1 \
  || { cat "$work/install.log" >&2; die "installing the wheel failed"; }
"$work/venv/bin/pip" freeze --all | sort > "$work/after.txt"
changes="$(diff "$work/before.txt" "$work/after.txt" | grep '^[<>]' || true)"
echo "$(wc -l < "$work/before.txt") packages before; changes after installing the wheel:"
echo "$changes"
installed="$(ls -d "$work"/venv/lib/python3*/site-packages/odoo/addons/rest_webhooks 2>/dev/null)"
[ -n "$installed" ] && [ -f "$installed/__manifest__.py" ] || die "the addon is not in site-packages/odoo/addons/rest_webhooks"
echo "addon installed at site-packages/odoo/addons/rest_webhooks ($(find "$installed" -type f ! -name '*.pyc' | wc -l) files)"
if [ "$(echo "$changes" | grep -c .)" = 1 ] && grep -qE '^> odoo-addon-rest_webhooks( @ |==)' <<<"$changes"; then
  echo "check-wheel: 1 passed, 0 failed"
else
  echo "check-wheel: 0 passed, 1 failed"; exit 1
fi
