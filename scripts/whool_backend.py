"""PEP 517 build backend: whool (the build backend OCA publishes addons with), adapted to a
repository whose root *is* the addon.

whool names the distribution after the addon's folder (``odoo-addon-<folder name>``) and packs
every file git tracks. Here the folder is whatever the checkout is called (pip builds a git URL
in a ``pip-req-build-*`` folder), and git also tracks the development harness. So this backend
lets whool build from a ``rest_webhooks`` link to the checkout and leaves out of the wheel what
Odoo does not load (bench, scripts, pure-Python unit tests, lint and CI files). The sdist keeps
everything so that a wheel can be built from it with this backend.
"""
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from whool import buildapi as _whool

ADDON_NAME = "rest_webhooks"
# Development-only paths, relative to the addon folder: never in the wheel.
NOT_IN_WHEEL = (
    ".ci", ".github", "bench", "scripts", "tests_unit", "build", "dist",
    ".gitignore", ".gitattributes", ".pre-commit-config.yaml", ".pylintrc", ".ruff.toml", "Makefile",
    "requirements.txt", "requirements-dev.txt", "requirements-odoo.txt",
)

_whool_copy_to = _whool._copy_to


def _copy_to_without_dev_files(addon_dir, dst):
    """whool's copy (git-tracked files, or the whole unpacked sdist), minus NOT_IN_WHEEL."""
    _whool_copy_to(addon_dir, dst)
    for name in NOT_IN_WHEEL:
        path = dst / name
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        elif path.exists() or path.is_symlink():
            path.unlink()


@contextmanager
def _addon_dir():
    """The checkout as a folder named after the addon (itself when it already is)."""
    root = Path.cwd()
    if root.name == ADDON_NAME or (root / "PKG-INFO").exists():  # an unpacked sdist names itself
        yield root
        return
    with tempfile.TemporaryDirectory() as tmp:
        link = Path(tmp) / ADDON_NAME
        link.symlink_to(root, target_is_directory=True)
        yield link


def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    _whool._copy_to = _copy_to_without_dev_files
    try:
        with _addon_dir() as addon_dir:
            return _whool._build_wheel(addon_dir, Path(wheel_directory), editable=False)
    finally:
        _whool._copy_to = _whool_copy_to


def build_editable(wheel_directory, config_settings=None, metadata_directory=None):
    with _addon_dir() as addon_dir:
        name = _whool._build_wheel(addon_dir, Path(wheel_directory), editable=True)
        # whool links build/__editable__/odoo/addons/<addon> to the folder it was given: the
        # checkout itself, not the temporary link
        link = Path.cwd() / "build" / "__editable__" / "odoo" / "addons" / ADDON_NAME
        link.unlink()
        link.symlink_to(Path.cwd(), target_is_directory=True)
        return name


def build_sdist(sdist_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return _whool._build_sdist(addon_dir, Path(sdist_directory))


def prepare_metadata_for_build_wheel(metadata_directory, config_settings=None):
    with _addon_dir() as addon_dir:
        return _whool._make_dist_info(_whool._get_metadata(addon_dir), Path(metadata_directory))


prepare_metadata_for_build_editable = prepare_metadata_for_build_wheel
