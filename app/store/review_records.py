"""What the store hands out about review state: sign-offs, a run's reviewed verdict with its
findings, and the rows of the history of checks (``safeguard-desk history``, the app's Checks
page). Typed and read-only, like ``records``."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.review import PolicyStanding, ReviewedVerdict
from app.core.types import RunStatus, SignoffOutcome, Verdict
from app.store.records import StoredFinding


@dataclass(frozen=True)
class Signoff:
    id: int
    run_id: int
    outcome: SignoffOutcome
    note: str
    reviewer: str
    signed_at: str
    stale: bool  # a decision on the run's findings was recorded after this sign-off

    def to_json(self) -> dict[str, Any]:
        return {
            "outcome": self.outcome,
            "note": self.note,
            "reviewer": self.reviewer,
            "at": self.signed_at,
            "stale": self.stale,
        }


def signoff_from_row(row: sqlite3.Row, stale: bool) -> Signoff:
    return Signoff(
        row["id"], row["run_id"], row["outcome"], row["note"], row["reviewer"],
        row["signed_at"], stale,
    )  # fmt: skip


@dataclass(frozen=True)
class RunReview:
    """A run as its reviewer sees it: the model's verdict beside the reviewed one."""

    run_id: int
    status: RunStatus
    verdict: Verdict | None  # the model's, as stored when the run completed (None before)
    reviewed: ReviewedVerdict | None  # None until the run completes
    policies: tuple[PolicyStanding, ...]
    findings: tuple[StoredFinding, ...]  # report order, each with its latest decision
    signoff: Signoff | None  # the latest sign-off (it counts)
    unread: int  # parts of the document no one read (the reviewed verdict is capped)
    # those parts as the report's coverage names them: {"part" or "page" ..., "why"}
    unread_parts: tuple[dict[str, Any], ...] = ()

    @property
    def reviewed_verdict(self) -> Verdict | None:
        return self.reviewed.verdict if self.reviewed else None

    @property
    def undecided(self) -> int:
        return sum(1 for f in self.findings if f.decision is None)

    @property
    def carried(self) -> int:
        """Decisions that came with findings carried over from an earlier run."""
        return sum(1 for f in self.findings if f.decision and f.decision.carried_from_run)

    def to_json(self) -> dict[str, Any]:
        """The report's ``review`` block less what an export adds (reviewer, exported_at)."""
        reviewed = self.reviewed
        return {
            "verdict": self.reviewed_verdict,
            "model_verdict": self.verdict,
            "policies": [
                {
                    "policy": p.policy,
                    "verdict": p.verdict,
                    "reviewed_verdict": reviewed.policies.get(p.policy) if reviewed else None,
                }
                for p in self.policies
            ],
            "reviewed": reviewed.reviewed if reviewed else 0,
            "total": len(self.findings),
            "counts": {
                "accepted": reviewed.accepted if reviewed else 0,
                "rejected": reviewed.rejected if reviewed else 0,
                "amended": reviewed.amended if reviewed else 0,
                "undecided": self.undecided,
                "carried": self.carried,
            },
            "finding_ids": [f.id for f in self.findings],
            "decisions": [f.decision.to_json() if f.decision else None for f in self.findings],
            "signoff": self.signoff.to_json() if self.signoff else None,
            "unread": self.unread,
        }


@dataclass(frozen=True)
class HistoryRow:
    """One check in the history: what the Checks page and ``history`` show."""

    run_id: int
    case: str
    document: Path
    policies: tuple[str, ...]
    created_at: str
    finished_at: str | None
    model: str
    status: RunStatus
    verdict: Verdict | None  # the model's (None: the run never completed)
    reviewed_verdict: Verdict | None
    reviewed: int  # findings with a decision (carried ones included)
    total: int
    carried: int  # of ``reviewed``: decisions carried over from an earlier run
    signoff: Signoff | None
    unread: int

    def to_json(self) -> dict[str, Any]:
        return {
            "run": self.run_id,
            "case": self.case,
            "document": str(self.document),
            "policies": list(self.policies),
            "created_at": self.created_at,
            "finished_at": self.finished_at,
            "model": self.model,
            "status": self.status,
            "verdict": self.verdict,
            "reviewed_verdict": self.reviewed_verdict,
            "reviewed": self.reviewed,
            "total": self.total,
            "carried": self.carried,
            "signoff": self.signoff.to_json() if self.signoff else None,
            "unread": self.unread,
        }
