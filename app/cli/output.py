"""What the command line prints, in one place: results on stdout; progress, warnings, notes and
errors on stderr. An error is one line, ``safeguard-desk: <file>: <problem>``, never a
traceback (tracebacks go to the log file)."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from app.core.documents import Document, format_location, unread_place
from app.core.errors import user_text
from app.core.progress import ProgressEvent

if TYPE_CHECKING:  # for types only: printing must not load the check machinery
    from app.core.pipeline import CheckResult
    from app.services.batch import SummaryRow
    from app.store.records import StoredFinding
    from app.store.review_records import HistoryRow, RunReview, Signoff


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
        self._named = False  # documents in flight at once: each line names its document

    def __call__(self, event: ProgressEvent) -> None:
        if self.quiet:
            return
        if event.stage == "in flight":
            self._named = True
        elif self._named and event.document and event.stage != "document finished":
            event = replace(event, message=f"{Path(event.document).name}: {event.message}")
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


def verdict_words(verdict: str | None) -> str:
    """NEEDS REVIEW, NOT ASSESSED …; an em dash for a run with no verdict yet."""
    return verdict.replace("_", " ").upper() if verdict else "—"


def print_result(result: CheckResult, out: TextIO, notice: str = "") -> None:
    if notice:
        out.write(f"{notice}\n")
    findings = result.findings
    unverified = sum(1 for f in findings if not f.quote_verified)
    why = ""
    if result.verdict == "not_assessed":  # say why nothing was judged, on the summary line
        reasons = [
            f"{r.policy.id}: {r.indeterminate or 'not judged'}"
            for r in result.policy_results
            if r.verdict == "not_assessed"
        ]
        why = " — " + ("; ".join(reasons) or "no policy was checked")
    out.write(
        f"{result.document.path}: {verdict_words(result.verdict)}, {len(findings)} finding(s)"
        + (f", {unverified} unverified" if unverified else "")
        + why
        + "\n"
    )
    for policy_result in result.policy_results:
        if policy_result.indeterminate and not (why and policy_result.verdict == "not_assessed"):
            out.write(
                f"  {policy_result.policy.id}: {verdict_words(policy_result.verdict).lower()}: "
                f"{policy_result.indeterminate}\n"
            )
    for policy_result in result.policy_results:  # e.g. reasoning cut at its budget
        for note in policy_result.notes:
            out.write(f"  {policy_result.policy.id}: note: {note}\n")
    for unread in result.document.coverage.unread:  # trust rule 2: nothing unread goes unsaid
        out.write(f"  warning: not read: {unread_place(unread.where)} ({unread.why})\n")
    for checked in findings:
        f = checked.finding
        where = format_location(checked.location) or "unknown place"
        flag = "" if checked.quote_verified else f"  [UNVERIFIED: {checked.problem}]"
        out.write(
            f"  [{f.severity}] {checked.policy} {f.section} {f.passage} ({where}): "
            f'"{" ".join(f.quote.split())[:120]}"{flag}\n'
        )


def print_json(data: object) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def review_json(review: RunReview) -> dict[str, Any]:
    """``review list --json``: the run's verdicts and review state, and every finding with its
    id, its decision and the severity that counts."""
    block = review.to_json()
    return {
        "run": review.run_id,
        "status": review.status,
        "verdict": review.verdict,
        "reviewed_verdict": review.reviewed_verdict,
        **{k: block[k] for k in ("reviewed", "total", "counts", "policies", "signoff", "unread")},
        "findings": [f.to_json() for f in review.findings],
    }


def review_state(review: RunReview) -> str:
    from app.core.review import signoff_line

    carried = f" ({review.carried} carried over)" if review.carried else ""
    signoff = review.signoff.to_json() if review.signoff else None
    return (
        f"run {review.run_id} ({review.status}): model verdict {verdict_words(review.verdict)}, "
        f"reviewed {verdict_words(review.reviewed_verdict)}; "
        f"{len(review.findings) - review.undecided} of {len(review.findings)} reviewed{carried}; "
        f"{signoff_line(signoff)}"
    )


def print_signoff(signoff: Signoff) -> None:
    from app.core.review import signoff_line

    note = f": {signoff.note}" if signoff.note else ""
    print(f"run {signoff.run_id}: {signoff_line(signoff.to_json())}{note}")


def print_review_state(review: RunReview) -> None:
    print(review_state(review))


def finding_state(finding: StoredFinding) -> str:
    """'accepted', 'amended high -> low', 'rejected (decided on run 3)', 'unreviewed'."""
    decision = finding.decision
    if decision is None:
        return "unreviewed"
    words = {"accept": "accepted", "reject": "rejected", "amend": "amended"}[decision.decision]
    if decision.decision == "amend" and finding.reviewed_severity != finding.severity:
        words += f" {finding.severity} -> {finding.reviewed_severity}"
    if decision.carried_from_run:
        words += f" (decided on run {decision.carried_from_run})"
    return words


def print_review(review: RunReview) -> None:
    print(review_state(review))
    for part in review.unread_parts:
        print(f"  warning: not read: {unread_place(part)} ({part.get('why', '')})")
    for f in review.findings:
        flag = "" if f.quote_verified else " UNVERIFIED"
        note = f" — {f.decision.note}" if f.decision and f.decision.note else ""
        print(
            f"  #{f.id:<5} [{f.reviewed_severity}] {f.policy_id} {f.section} {f.passage}"
            f'{flag}  {finding_state(f)}{note}: "{" ".join(f.quote.split())[:80]}"'
        )


def print_history(rows: list[HistoryRow]) -> None:
    from app.core.review import SIGNOFF_WORDS

    if not rows:
        print("no checks recorded yet")
        return
    print(
        f"{'run':>5}  {'date':<10}  {'case':<12} {'document':<28} {'model verdict':<14}"
        f"{'reviewed':<14}{'review':>8}  sign-off"
    )
    for row in rows:
        signoff = "—"
        if row.signoff:
            words = SIGNOFF_WORDS[row.signoff.outcome].lower()
            signoff = f"{words} by {row.signoff.reviewer}" + (
                " (stale)" if row.signoff.stale else ""
            )
        status = "" if row.status == "complete" else f" [{row.status}]"
        print(
            f"{row.run_id:>5}  {row.created_at[:10]:<10}  {row.case[:12]:<12} "
            f"{row.document.name[:28]:<28} {verdict_words(row.verdict).lower():<14}"
            f"{verdict_words(row.reviewed_verdict).lower():<14}"
            f"{f'{row.reviewed}/{row.total}':>8}  {signoff}{status}"
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
