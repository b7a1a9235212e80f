"""What the store hands out: typed, read-only records, never sqlite rows or loose dicts."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, cast

from app.core.documents import Location
from app.core.review import reviewed_severity
from app.core.types import DecisionKind, Layer, RunStatus, Severity, Verdict


@dataclass(frozen=True)
class StoredRun:
    id: int
    case: str
    document_path: Path
    document_sha256: str
    status: RunStatus
    started_at: str
    finished_at: str | None
    model_name: str
    model_sha256: str
    engine: str
    settings: dict[str, Any]
    policies: list[dict[str, Any]]  # [{"id", "version", "sha256"}]
    verdict: Verdict | None  # None until the run completes
    timings: dict[str, Any]
    prompt_tokens: int | None
    completion_tokens: int | None
    report_json: str | None  # the report as written at the end of the run
    note: str

    def report(self) -> dict[str, Any]:
        """The run's report JSON ({} for a run that never completed)."""
        return cast(dict[str, Any], json.loads(self.report_json)) if self.report_json else {}

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredRun:
        return cls(
            id=row["id"],
            case=row["case_name"],
            document_path=Path(row["document_path"]),
            document_sha256=row["document_sha256"],
            status=row["status"],
            started_at=row["started_at"],
            finished_at=row["finished_at"],
            model_name=row["model_name"],
            model_sha256=row["model_sha256"],
            engine=row["engine"],
            settings=json.loads(row["settings_json"]),
            policies=json.loads(row["policies_json"]),
            verdict=row["verdict"],
            timings=json.loads(row["timings_json"] or "{}"),
            prompt_tokens=row["prompt_tokens"],
            completion_tokens=row["completion_tokens"],
            report_json=row["report_json"],
            note=row["note"] or "",
        )


@dataclass(frozen=True)
class Decision:
    id: int
    finding_id: int
    decision: DecisionKind  # never "reset" once handed out: a reset finding has no decision
    note: str
    amended: dict[str, Any] | None  # {"severity": ..., "section": ...} for an amendment
    reviewer: str
    decided_at: str
    # The run the decision was made on when it came with a finding carried over by a re-check
    # (0: made on this finding's own run).
    carried_from_run: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "finding": self.finding_id,
            "decision": self.decision,
            "note": self.note,
            "amended": self.amended,
            "reviewer": self.reviewer,
            "decided_at": self.decided_at,
            "carried_from_run": self.carried_from_run,
        }


@dataclass(frozen=True)
class StoredFinding:
    id: int
    run_id: int
    position: int
    policy_id: str
    policy_version: str
    section: str
    passage: str
    passage_text: str
    location: Location
    quote: str
    quote_verified: bool
    severity: Severity  # as the model (or triage) raised it
    confidence: float
    rationale: str
    remediation: str
    layer: Layer
    model_verdict: str
    carried_from: int  # the earlier run it was carried over from (0: found in its own run)
    decision: Decision | None  # the latest decision; None when undecided (or reset)

    @property
    def reviewed_severity(self) -> Severity:
        """The severity that counts and is shown: amended by the reviewer, else as raised
        (``severity`` keeps the model's on record)."""
        return reviewed_severity(self.severity, self.decision.amended if self.decision else None)

    def to_json(self) -> dict[str, Any]:
        """For ``review list --json`` and the app: the finding with its id and decision."""
        return {
            "id": self.id,
            "run": self.run_id,
            "policy": self.policy_id,
            "policy_version": self.policy_version,
            "section": self.section,
            "passage": self.passage,
            "location": dict(self.location),
            "quote": self.quote,
            "quote_verified": self.quote_verified,
            "severity": self.reviewed_severity,
            "original_severity": self.severity,
            "confidence": self.confidence,
            "layer": self.layer,
            "carried_from_run": self.carried_from,
            "decision": self.decision.to_json() if self.decision else None,
        }


def finding_from_row(row: sqlite3.Row, decision: Decision | None) -> StoredFinding:
    return StoredFinding(
        id=row["id"],
        run_id=row["run_id"],
        position=row["position"],
        policy_id=row["policy_id"],
        policy_version=row["policy_version"],
        section=row["section"],
        passage=row["passage"],
        passage_text=row["passage_text"],
        location=json.loads(row["location_json"]),
        quote=row["quote"],
        quote_verified=bool(row["quote_verified"]),
        severity=row["severity"],
        confidence=row["confidence"],
        rationale=row["rationale"],
        remediation=row["remediation"],
        layer=row["layer"],
        model_verdict=row["model_verdict"],
        carried_from=row["carried_from"],
        decision=decision,
    )


def decision_from_row(row: sqlite3.Row) -> Decision:
    return Decision(
        id=row["id"],
        finding_id=row["finding_id"],
        decision=row["decision"],
        note=row["note"],
        amended=json.loads(row["amended_json"]) if row["amended_json"] else None,
        reviewer=row["reviewer"],
        decided_at=row["decided_at"],
        carried_from_run=row["carried_from_run"],
    )


@dataclass(frozen=True)
class StoredPolicyTest:
    id: int
    policy_id: str
    version: str
    sha256: str
    effort: str
    model: str
    created_at: str
    metrics: dict[str, Any]
    outcomes: list[dict[str, Any]]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredPolicyTest:
        return cls(
            id=row["id"],
            policy_id=row["policy_id"],
            version=row["version"],
            sha256=row["sha256"],
            effort=row["effort"],
            model=row["model"],
            created_at=row["created_at"],
            metrics=json.loads(row["metrics_json"]),
            outcomes=json.loads(row["outcomes_json"]),
        )


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: str
    actor: str
    action: str
    subject: str
    payload: dict[str, Any]

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> AuditEntry:
        return cls(
            row["seq"], row["at"], row["actor"], row["action"], row["subject"],
            json.loads(row["payload"]),
        )  # fmt: skip


@dataclass(frozen=True)
class StoredExport:
    """A file exported from a run: what ``report verify`` looks a file up by."""

    id: int
    run_id: int
    kind: str  # pdf | json | check-json
    path: Path
    report_sha256: str  # canonical sha256 of the report the file holds
    file_sha256: str  # sha256 of the file's bytes as written
    size: int
    exported_at: str
    reviewer: str

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> StoredExport:
        return cls(
            row["id"], row["run_id"], row["kind"], Path(row["path"]), row["report_sha256"],
            row["file_sha256"], row["bytes"], row["exported_at"], row["reviewer"],
        )  # fmt: skip
