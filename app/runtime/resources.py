"""Find bundled resources (policies, assets) in a checkout, an installed wheel or a frozen app."""

from __future__ import annotations

import os
import sys
from pathlib import Path

_APP = Path(__file__).resolve().parent.parent  # the app package


def _roots() -> list[Path]:
    roots = []
    if os.environ.get("SAFEGUARD_RESOURCES"):
        roots.append(Path(os.environ["SAFEGUARD_RESOURCES"]))
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        roots.append(Path(frozen))
    roots.append(_APP / "_resources")  # inside an installed wheel
    roots.append(_APP.parent)  # a checkout (or an editable install)
    return roots


def resource_dir(name: str) -> Path:
    """The first existing ``name`` folder (``policies`` or ``assets``) among the known roots."""
    for root in _roots():
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"bundled '{name}' folder not found; reinstall Safeguard Desk")


def bundled_policies_dir() -> Path:
    return resource_dir("policies")


def assets_dir() -> Path:
    return resource_dir("assets")
