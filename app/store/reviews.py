"""Findings and the reviewer's decisions on them (the latest decision counts), exports of a
run's report, and the reviewer-labelled data set. Every change is an audit entry."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.clock import utc_now
from app.core.errors import InputError
from app.core.types import REVIEW_DECISIONS
from app.store import audit
from app.store.base import StoreBase
from app.store.db import transaction
from app.store.records import (
    AuditEntry,
    Decision,
    StoredExport,
    StoredFinding,
    decision_from_row,
    finding_from_row,
)

DECISIONS = REVIEW_DECISIONS


class ReviewsMixin(StoreBase):
    def findings(self, run_id: int) -> list[StoredFinding]:
        """A run's findings in report order, each with its latest decision (two queries)."""
        rows = self.db.execute(
            "SELECT * FROM findings WHERE run_id=? ORDER BY position", (run_id,)
        ).fetchall()
        latest = self._latest_decisions(
            "SELECT decisions.* FROM decisions JOIN findings ON findings.id = decisions.finding_id "
            "WHERE findings.run_id=? ORDER BY decisions.id",
            (run_id,),
        )
        return [finding_from_row(row, latest.get(row["id"])) for row in rows]

    def _latest_decisions(self, query: str, parameters: tuple[Any, ...]) -> dict[int, Decision]:
        latest: dict[int, Decision] = {}
        for row in self.db.execute(query, parameters):  # in id order: the last one wins
            latest[row["finding_id"]] = decision_from_row(row)
        return latest

    def latest_decision(self, finding_id: int) -> Decision | None:
        row = self.db.execute(
            "SELECT * FROM decisions WHERE finding_id=? ORDER BY id DESC LIMIT 1", (finding_id,)
        ).fetchone()
        return decision_from_row(row) if row else None

    def decide(
        self, finding_id: int, decision: str, note: str = "", amended: dict[str, Any] | None = None
    ) -> int:
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
        if decision == "amend" and not amended:
            raise InputError("an amendment needs what changes (for example --severity low)")
        finding = self.db.execute(
            "SELECT run_id FROM findings WHERE id=?", (finding_id,)
        ).fetchone()
        if finding is None:
            raise InputError(f"no finding {finding_id}", path=self.path)
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO decisions(finding_id, decision, note, amended_json, reviewer, "
                "decided_at) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    finding_id,
                    decision,
                    note,
                    json.dumps(amended) if amended else None,
                    self.actor,
                    utc_now(),
                ),
            )
            self._audit(
                "finding.decided",
                f"finding:{finding_id}",
                {"run": finding["run_id"], "decision": decision, "note": note, "amended": amended},
                [("decisions", int(cursor.lastrowid or 0))],
            )
        return int(cursor.lastrowid or 0)

    def record_export(
        self,
        run_id: int,
        kind: str,
        report_sha256: str,
        file_sha256: str,
        size: int,
        target: Path,
    ) -> int:
        """An export of a run's report: ``kind`` (pdf, json, check-json), the canonical sha256
        of the report it holds and the sha256 of the file's bytes, which ``report verify``
        looks up."""
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO exports(run_id, kind, path, report_sha256, file_sha256, bytes, "
                "exported_at, reviewer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    run_id,
                    kind,
                    str(target),
                    report_sha256,
                    file_sha256,
                    size,
                    utc_now(),
                    self.actor,
                ),
            )
            export_id = int(cursor.lastrowid or 0)
            self._audit(
                "report.exported",
                f"run:{run_id}",
                {
                    "export": export_id,
                    "kind": kind,
                    "report_sha256": report_sha256,
                    "file_sha256": file_sha256,
                    "file": str(target),
                },
                [("exports", export_id)],
            )
        return export_id

    def export_of_file(self, file_sha256: str) -> StoredExport | None:
        row = self.db.execute(
            "SELECT * FROM exports WHERE file_sha256=? ORDER BY id LIMIT 1", (file_sha256,)
        ).fetchone()
        return StoredExport.from_row(row) if row else None

    def export_of_report(self, report_sha256: str) -> StoredExport | None:
        row = self.db.execute(
            "SELECT * FROM exports WHERE report_sha256=? ORDER BY id LIMIT 1", (report_sha256,)
        ).fetchone()
        return StoredExport.from_row(row) if row else None

    def export_entry(self, export_id: int) -> AuditEntry | None:
        """The audit entry that recorded an export."""
        for row in audit.entries(self.db, "report.exported"):
            entry = AuditEntry.from_row(row)
            if entry.payload.get("export") == export_id:
                return entry
        return None

    def find_export(self, report_sha256: str) -> AuditEntry | None:
        """The audit entry of an export whose attached report has this sha256 (older versions
        recorded only that, not the file's bytes)."""
        for row in audit.entries(self.db, "report.exported"):
            entry = AuditEntry.from_row(row)
            if entry.payload.get("report_sha256") == report_sha256:
                return entry
        return None

    def dataset(self) -> list[dict[str, Any]]:
        """Reviewer-labelled findings as policy test cases (the cases.jsonl format)."""
        latest = self._latest_decisions("SELECT * FROM decisions ORDER BY id", ())
        cases = []
        for row in self.db.execute("SELECT * FROM findings ORDER BY id").fetchall():
            decision = latest.get(row["id"])
            if decision is None:
                continue
            amended = decision.amended or {}
            human = "compliant" if decision.decision == "reject" else "violation"
            section = amended.get("section", row["section"])
            cases.append(
                {
                    "text": row["passage_text"],
                    "expected": human,
                    "sections": [section] if human == "violation" else [],
                    "policy": row["policy_id"],
                    "policy_version": row["policy_version"],
                    "section": row["section"],
                    "model_verdict": row["model_verdict"],
                    "layer": row["layer"],
                    "human_verdict": human,
                    "decision": decision.decision,
                    "note": decision.note,
                    "run": row["run_id"],
                    "finding": row["id"],
                }
            )
        return cases
