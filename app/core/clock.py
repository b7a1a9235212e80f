"""Timestamps as the store, the audit log and the reports write them: UTC, ISO 8601."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Literal


def utc_now(timespec: Literal["seconds", "microseconds"] = "seconds") -> str:
    return datetime.now(timezone.utc).isoformat(timespec=timespec)


def as_utc(iso: str) -> datetime:
    """A stored timestamp as an aware UTC moment (a trailing Z or no offset read as UTC; text
    that is no timestamp: now, so an annotation still gets a valid date)."""
    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00"))
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
