"""Where the data folders live: beside the sources in a checkout, inside the wheel when installed.

`state_machines/`, `notifications/`, `workflows/` and `examples/` sit at the top of the
repository; the wheel carries them as `casework/_data/...` (hatchling force-include).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent
_CHECKOUT_ROOT = _PACKAGE_DIR.parent.parent


def data_dir(name: str) -> Path:
    """The folder `name` (e.g. "state_machines"), from the wheel or from the checkout."""
    for candidate in (_PACKAGE_DIR / "_data" / name, _CHECKOUT_ROOT / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"casework data folder {name!r} is missing: looked in {_PACKAGE_DIR / '_data'} and "
        f"{_CHECKOUT_ROOT}; reinstall casework"
    )


def state_machines_dir() -> Path:
    return data_dir("state_machines")


def examples_dir() -> Path:
    return data_dir("examples")


def notifications_dir() -> Path:
    return data_dir("notifications")


def workflows_dir() -> Path:
    return data_dir("workflows")


def web_templates_dir() -> Path:
    """The web UI's page templates, shipped inside the package itself."""
    return _PACKAGE_DIR / "entrypoints" / "web" / "templates"
