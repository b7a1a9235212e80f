"""What the command line prints, in one place: results on stdout; progress, warnings, notes and
errors on stderr. An error is one line, ``safeguard-desk: <file>: <problem>``, never a
traceback (tracebacks go to the log file)."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from app.core.documents import Document, format_location
from app.core.errors import user_text
from app.core.progress import ProgressEvent

if TYPE_CHECKING:  # for types only: printing must not load the check machinery
    from app.core.pipeline import CheckResult
    from app.services.batch import SummaryRow


PROGRAM = "safeguard-desk"


def error(problem: str | BaseException) -> None:
    """The one way an error reaches the terminal: one line (an exception's user text)."""
    text = user_text(problem) if isinstance(problem, BaseException) else problem
    print(f"{PROGRAM}: {text}", file=sys.stderr)


def tell(message: str) -> None:
    """Something the user must know that is not an error (the demo's model fell back)."""
    print(f"{PROGRAM}: {message}", file=sys.stderr)


def to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def warn(message: str) -> None:
    print(f"warning: {message}", file=sys.stderr)


def note(message: str) -> None:
    print(f"note: {message}", file=sys.stderr)


class ProgressPrinter:
    """A line per stage on stderr; a redrawn bar when stderr is a terminal."""

    def __init__(self, stream: TextIO | None = None, quiet: bool = False) -> None:
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = self.stream.isatty()
        self._last = ""
        self._stage = ""
        self._printed_at = 0.0
        self._started = time.monotonic()

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        elapsed = time.monotonic() - self._started
        if event.total:
            width = 20
            filled = int(width * event.done / event.total)
            bar = f"[{'#' * filled}{'.' * (width - filled)}] {event.done}/{event.total}"
        else:
            bar = ""
        line = f"{event.stage:<18} {bar} {event.message}".rstrip()
        if self.tty:
            self.stream.write(f"\r\x1b[2K{line}  {elapsed:5.1f}s")
            self.stream.flush()
        elif self._worth_a_line(event, line, elapsed):
            self.stream.write(f"{line} ({elapsed:.1f}s)\n")
            self._printed_at = elapsed
        self._last = line
        self._stage = event.stage

    def _worth_a_line(self, event: ProgressEvent, line: str, elapsed: float) -> bool:
        """In a log file: a line per stage, then one every few seconds, and the last one."""
        if line == self._last:
            return False
        return (
            event.stage != self._stage
            or elapsed - self._printed_at >= 5
            or (event.total > 0 and event.done >= event.total)
            or event.total == 0
        )

    def done(self) -> None:
        if self.tty and not self.quiet and self._last:
            self.stream.write("\n")
            self.stream.flush()


def print_passages(document: Document, out: TextIO) -> None:
    out.write(
        f"# {document.path}  ({document.media_type}, {document.pages} page(s), "
        f"{len(document.passages)} passages, sha256 {document.sha256[:12]}…)\n"
    )
    for warning in document.warnings:
        out.write(f"# warning: {warning}\n")
    for passage in document.passages:
        text = " ".join(passage.text.split())
        out.write(f"{passage.id}\t{format_location(passage.location)}\t{text}\n")


def print_result(result: CheckResult, out: TextIO, notice: str = "") -> None:
    if notice:
        out.write(f"{notice}\n")
    findings = result.findings
    unverified = sum(1 for f in findings if not f.quote_verified)
    out.write(
        f"{result.document.path}: {result.verdict.upper()}, {len(findings)} finding(s)"
        + (f", {unverified} unverified" if unverified else "")
        + "\n"
    )
    for policy_result in result.policy_results:
        if policy_result.indeterminate:
            out.write(f"  {policy_result.policy.id}: needs review: {policy_result.indeterminate}\n")
    for checked in findings:
        f = checked.finding
        where = format_location(checked.location) or "unknown place"
        flag = "" if checked.quote_verified else f"  [UNVERIFIED: {checked.problem}]"
        out.write(
            f"  [{f.severity}] {checked.policy} {f.section} {f.passage} ({where}): "
            f'"{" ".join(f.quote.split())[:120]}"{flag}\n'
        )


def print_batch(batch_id: int, rows: list[SummaryRow], summary: Path | None) -> None:
    print(f"\nbatch {batch_id}: {len(rows)} files")
    print(f"{'verdict':<13}{'findings':>9}{'run':>7}  file")
    for row in rows:
        extra = f"  ({row.problem})" if row.problem else ""
        found = "" if row.findings is None else str(row.findings)
        run_id = "" if row.run_id is None else str(row.run_id)
        print(f"{row.verdict:<13}{found:>9}{run_id:>7}  {row.path}{extra}")
    if summary is not None:
        print(f"summary: {summary}")
