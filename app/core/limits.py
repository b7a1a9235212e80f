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
    # OCR of PDF pages without a text layer (scans). Off: such pages are listed as unread, never
    # dropped in silence. Settings ("limits": {"ocr": false}) and the CLI's --no-ocr set it.
    ocr: bool = True
    # At most this many pages of one file are OCR'd (a few seconds each on a laptop CPU); the
    # rest are listed as unread. OCR also stops before the timeout would kill the whole read,
    # so the pages read so far are kept and the others named.
    max_ocr_pages: int = 200

    @property
    def max_file_bytes(self) -> int:
        return self.max_file_mb * 1024 * 1024


DEFAULT_LIMITS = ExtractionLimits()
