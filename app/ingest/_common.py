"""Small helpers shared by the readers."""

from __future__ import annotations


def reason(error: BaseException) -> str:
    """A library's exception as a short phrase for a one-line message."""
    text = " ".join(str(error).split())
    return text[:120] if text else type(error).__name__
