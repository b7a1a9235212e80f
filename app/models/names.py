"""The names every part knows the two catalogue models by (light: imported at start-up)."""

from __future__ import annotations

DEFAULT_MODEL = "gpt-oss-safeguard-20b"
SMOKE_MODEL = "smoke-gemma3-270m"
SMOKE_NOTICE = (
    f"SMOKE-TEST MODEL ({SMOKE_MODEL}): its verdicts are meaningless; "
    f"install {DEFAULT_MODEL} for real checks"
)
