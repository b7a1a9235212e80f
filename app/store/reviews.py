"""Findings and the reviewer's decisions on them (the latest decision counts; ``reset`` is a
new entry that makes the finding undecided again, nothing is ever deleted), decisions carried
over to a re-check's findings, exports of a run's report, and the reviewer-labelled data set.
Every change is an audit entry whose payload holds the new row."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from app.core.citations import normalise
from app.core.clock import utc_now
from app.core.errors import InputError
from app.core.recheck import passage_key
from app.core.results import CheckedFinding
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
        """finding id -> its latest decision; a finding whose latest entry is a reset has none."""
        latest: dict[int, Decision | None] = {}
        for row in self.db.execute(query, parameters):  # in id order: the last one wins
            latest[row["finding_id"]] = (
                None if row["decision"] == "reset" else decision_from_row(row)
            )
        return {finding: d for finding, d in latest.items() if d is not None}

    def finding_run(self, finding_id: int) -> int:
        """The run a finding belongs to."""
        row = self.db.execute("SELECT run_id FROM findings WHERE id=?", (finding_id,)).fetchone()
        if row is None:
            raise InputError(f"no finding {finding_id}", path=self.path)
        return int(row["run_id"])

    def latest_decision(self, finding_id: int) -> Decision | None:
        """The decision that counts (None: undecided, or reset)."""
        row = self.db.execute(
            "SELECT * FROM decisions WHERE finding_id=? ORDER BY id DESC LIMIT 1", (finding_id,)
        ).fetchone()
        return decision_from_row(row) if row and row["decision"] != "reset" else None

    def decide(
        self, finding_id: int, decision: str, note: str = "", amended: dict[str, Any] | None = None
    ) -> int:
        """Record a decision (``reset``: undecided again); returns the new entry's id."""
        if decision not in DECISIONS:
            raise InputError(f"decision must be one of {', '.join(DECISIONS)}, not '{decision}'")
        if decision == "amend" and not amended:
            raise InputError("an amendment needs what changes (for example --severity low)")
        if decision != "amend" and amended:
            raise InputError(f"only an amendment changes a finding ('{decision}' cannot)")
        finding = self.db.execute(
            "SELECT run_id FROM findings WHERE id=?", (finding_id,)
        ).fetchone()
        if finding is None:
            raise InputError(f"no finding {finding_id}", path=self.path)
        if decision == "reset" and self.latest_decision(finding_id) is None:
            raise InputError(f"finding {finding_id} has no decision to reset")
        with transaction(self.db):
            row = self._insert_decision(
                finding_id, decision, note, amended, self.actor, utc_now(), carried_from_run=0
            )
            self._audit(
                "finding.decided",
                f"finding:{finding_id}",
                {"run": finding["run_id"], "decision": decision, "note": note, "amended": amended,
                 "row": row},
                [("decisions", int(row["id"]))],
            )  # fmt: skip
        return int(row["id"])

    def _insert_decision(
        self,
        finding_id: int,
        decision: str,
        note: str,
        amended: dict[str, Any] | None,
        reviewer: str,
        decided_at: str,
        *,
        carried_from_run: int,
    ) -> dict[str, Any]:
        """Insert a decision row (inside the caller's transaction); returns the row as stored."""
        values = {
            "finding_id": finding_id,
            "decision": decision,
            "note": note,
            "amended_json": json.dumps(amended) if amended else None,
            "reviewer": reviewer,
            "decided_at": decided_at,
            "carried_from_run": carried_from_run,
        }
        cursor = self.db.execute(
            f"INSERT INTO decisions({', '.join(values)}) VALUES ({', '.join('?' * len(values))})",
            tuple(values.values()),
        )
        return {"id": int(cursor.lastrowid or 0), **values}

    def _carry_decisions(
        self, run_id: int, carried: Sequence[tuple[int, CheckedFinding, str]]
    ) -> int:
        """A re-check's carried findings keep the decisions of the findings they came from,
        marked with the run the decision was made on. ``carried``: (new finding id, finding,
        passage text). Call inside the transaction that stores the findings; returns how many
        decisions were carried."""
        count = 0
        for earlier_run in sorted({checked.carried_from for _, checked, _ in carried}):
            earlier = {
                _carry_key(f.policy_id, f.section, f.quote, f.passage_text): f
                for f in reversed(self.findings(earlier_run))  # the first of equal keys wins
                if f.decision is not None
            }
            for finding_id, checked, text in carried:
                source = earlier.get(
                    _carry_key(checked.policy, checked.finding.section, checked.finding.quote, text)
                )
                if checked.carried_from != earlier_run or source is None:
                    continue
                made = source.decision
                assert made is not None
                row = self._insert_decision(
                    finding_id, made.decision, made.note, made.amended, made.reviewer,
                    made.decided_at, carried_from_run=made.carried_from_run or source.run_id,
                )  # fmt: skip
                self._audit(
                    "finding.decided",
                    f"finding:{finding_id}",
                    {"run": run_id, "decision": made.decision, "note": made.note,
                     "amended": made.amended, "carried_from_finding": source.id, "row": row},
                    [("decisions", int(row["id"]))],
                )  # fmt: skip
                count += 1
        return count

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
            if decision is None or decision.carried_from_run:
                continue  # undecided, or a copy of a decision already exported with its run
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


def _carry_key(policy: str, section: str, quote: str, passage_text: str) -> tuple[str, ...]:
    """The same finding in two runs: same policy, section, quoted words and passage text
    (case and spacing aside); passage ids may differ between drafts."""
    return policy, section, normalise(quote), passage_key(passage_text)
