"""The addon as a Python distribution (pyproject.toml, whool via scripts/whool_backend.py): the wheel
is odoo-addon-rest_webhooks with the addon under odoo/addons/rest_webhooks, holds what Odoo loads and
nothing of the development harness, requires nothing beyond Odoo, and installing it into this
project's virtualenv (Odoo's pinned requirements) would install that distribution alone.

Builds without build isolation (whool and build come from requirements-dev.txt), so no network is
needed; a few seconds."""
import ast
import email.parser
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "odoo/addons/rest_webhooks/"
DEV_ONLY_DIRS = ("bench/", "scripts/", "tests_unit/", ".ci/")
DEV_ONLY_FILES = ("Makefile", "requirements-dev.txt", "requirements-odoo.txt", "requirements.txt",
                  ".pylintrc", ".ruff.toml", ".pre-commit-config.yaml", ".gitignore", "pyproject.toml")

pytestmark = pytest.mark.skipif(shutil.which("git") is None or not (ROOT / ".git").exists(),
                                reason="whool packs the files git tracks: needs a git checkout")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "build", "--wheel", "--no-isolation", "--outdir", str(out), str(ROOT)],
                   check=True, capture_output=True, text=True)
    (path,) = out.glob("*.whl")
    return path


def _names(wheel):
    with zipfile.ZipFile(wheel) as zf:
        return set(zf.namelist())


def _metadata(wheel):
    with zipfile.ZipFile(wheel) as zf:
        (meta,) = [n for n in zf.namelist() if n.endswith(".dist-info/METADATA")]
        return email.parser.Parser().parsestr(zf.read(meta).decode())


def test_wheel_is_odoo_addon_rest_webhooks_whatever_the_checkout_is_called(wheel):
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    meta = _metadata(wheel)
    assert meta["Name"] == "odoo-addon-rest_webhooks"
    assert meta["Version"].startswith(manifest["version"])
    assert meta["License"] == manifest["license"]
    assert "Framework :: Odoo :: 19.0" in meta.get_all("Classifier")
    assert wheel.name.startswith("odoo_addon_rest_webhooks-19.0.")


def test_wheel_requires_nothing_beyond_odoo(wheel):
    assert _metadata(wheel).get_all("Requires-Dist") is None


def test_wheel_holds_the_addon_odoo_loads(wheel):
    names = _names(wheel)
    manifest = ast.literal_eval((ROOT / "__manifest__.py").read_text())
    for required in ("__manifest__.py", "__init__.py", "models/__init__.py", "wizards/__init__.py",
                     "controllers/__init__.py", "lib/__init__.py", "tests/__init__.py",
                     "static/description/index.html", "static/description/icon.png",
                     "i18n/rest_webhooks.pot", "README.md"):
        assert PREFIX + required in names, required
    for data_file in manifest["data"]:
        assert PREFIX + data_file in names, data_file
    for screenshot in ROOT.glob("static/description/*.png"):
        assert PREFIX + "static/description/" + screenshot.name in names
    assert any(n.startswith(PREFIX + "static/tests/tours/") for n in names)


def test_wheel_leaves_out_the_development_harness(wheel):
    inside = {n[len(PREFIX):] for n in _names(wheel) if n.startswith(PREFIX)}
    assert not [n for n in inside if n.startswith(DEV_ONLY_DIRS)]
    assert not inside & set(DEV_ONLY_FILES)
    # everything else git tracks is shipped
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    expected = {f for f in tracked if not f.startswith(DEV_ONLY_DIRS) and f not in DEV_ONLY_FILES
                and (ROOT / f).is_file()}
    assert inside == expected


def test_installing_the_wheel_into_odoos_environment_installs_only_the_addon(wheel, tmp_path):
    """pip's resolver, run against this virtualenv (Odoo's pinned requirements and the dev tools),
    without an index: it would install the addon's distribution and nothing else, change nothing."""
    report = tmp_path / "report.json"
    subprocess.run([sys.executable, "-m", "pip", "install", "--dry-run", "--no-index", "--quiet",
                    "--disable-pip-version-check", "--report", str(report), str(wheel)],
                   check=True, capture_output=True, text=True)
    installs = json.loads(report.read_text())["install"]
    assert [i["metadata"]["name"] for i in installs] == ["odoo-addon-rest_webhooks"]
