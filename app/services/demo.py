"""The demo, defined once: a bundled sample flyer checked against two bundled policies, with
the real model when it is installed, else the smoke-test model (whose verdicts are
meaningless, and every report made with it says so)."""

from __future__ import annotations

from pathlib import Path

from app.runtime.resources import assets_dir

DEMO_POLICIES = ("fin-promo", "data-protection")
DEMO_CASE = "demo"


def demo_document() -> Path:
    return assets_dir() / "samples" / "demo-investment-flyer.md"
