"""Limits on what reading one document may cost. Defaults are generous enough for a 500-page
contract and small enough that a hostile file cannot take the machine down."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ExtractionLimits:
    max_file_mb: int = 256
    max_pages: int = 3000
    max_chars: int = 20_000_000
    timeout_s: float = 300.0  # per file; the child process reading it is killed after this
    max_memory_mb: int = 4096  # address space of that child process (Linux and macOS)

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024


DEFAULT_LIMITS = ExtractionLimits()
