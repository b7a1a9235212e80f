"""Timestamps as the store, the audit log and the reports write them: UTC, ISO 8601."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal


def utc_now(timespec: Literal["seconds", "microseconds"] = "seconds") -> str:
    return datetime.now(timezone.utc).isoformat(timespec=timespec)
