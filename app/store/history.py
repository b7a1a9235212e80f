"""The history of checks and each run's reviewed verdict, computed from the stored decisions
by ``app.core.review`` (never stored: it follows the latest decisions). ``history`` costs four
queries however many runs there are; no report JSON is loaded for it."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from app.core.errors import InputError
from app.core.recheck import policy_standing
from app.core.review import FindingState, PolicyStanding, ReviewedVerdict, reviewed_verdict
from app.core.types import DecisionKind
from app.store.review_records import HistoryRow, RunReview, Signoff, signoff_from_row
from app.store.runs import RunsMixin
from app.store.signoffs import SignoffsMixin

_CASE = "runs.case_id IN (SELECT id FROM cases WHERE name=?)"


class HistoryMixin(RunsMixin, SignoffsMixin):
    def run_review(self, run_id: int | None = None) -> RunReview:
        """A run (default: the latest) with its findings, decisions, reviewed verdict and
        sign-off."""
        run = self.run(run_id)
        row = self.db.execute(
            "SELECT outcomes_json, unread FROM runs WHERE id=?", (run.id,)
        ).fetchone()
        findings = tuple(self.findings(run.id))
        standings = _standings(row["outcomes_json"])
        reviewed = None
        if run.status == "complete" and row["outcomes_json"] is not None:
            states = [
                FindingState(f.policy_id, f.decision.decision if f.decision else None)
                for f in findings
            ]
            reviewed = reviewed_verdict(standings, states, unread=bool(row["unread"]))
        coverage = run.report().get("document", {}).get("coverage", {})
        return RunReview(
            run.id, run.status, run.verdict, reviewed, standings, findings,
            self.latest_signoff(run.id), row["unread"], tuple(coverage.get("unread", [])),
        )  # fmt: skip

    def cases(self) -> list[str]:
        """Every case's name, in the order they were first used."""
        return [row[0] for row in self.db.execute("SELECT name FROM cases ORDER BY id")]

    def history(self, case: str | None = None) -> list[HistoryRow]:
        """Every run (of one case), oldest first, with its review state."""
        if case is not None and case not in self.cases():
            known = ", ".join(self.cases()) or "none yet"
            raise InputError(f"no case '{case}' (cases: {known})", path=self.path)
        where, args = (f" WHERE {_CASE}", (case,)) if case is not None else ("", ())
        runs = self.db.execute(
            "SELECT runs.id, runs.status, runs.started_at, runs.finished_at, runs.model_name, "
            "runs.policies_json, runs.verdict, runs.outcomes_json, runs.unread, "
            "cases.name AS case_name, documents.path AS document_path FROM runs "
            "JOIN cases ON cases.id = runs.case_id "
            f"JOIN documents ON documents.id = runs.document_id{where} ORDER BY runs.id",
            args,
        ).fetchall()
        findings: dict[int, list[tuple[int, str]]] = defaultdict(list)  # run -> (id, policy)
        for row in self.db.execute(
            f"SELECT findings.id, findings.run_id, findings.policy_id FROM findings "
            f"JOIN runs ON runs.id = findings.run_id{where} ORDER BY findings.position",
            args,
        ):
            findings[row["run_id"]].append((row["id"], row["policy_id"]))
        latest: dict[int, tuple[DecisionKind, int]] = {}  # finding -> (decision, carried from)
        last_decision: dict[int, int] = defaultdict(int)  # run -> its latest decision's id
        for row in self.db.execute(
            "SELECT decisions.id, decisions.finding_id, decisions.decision, "
            "decisions.carried_from_run, findings.run_id FROM decisions "
            "JOIN findings ON findings.id = decisions.finding_id "
            f"JOIN runs ON runs.id = findings.run_id{where} ORDER BY decisions.id",
            args,
        ):
            latest[row["finding_id"]] = (row["decision"], row["carried_from_run"])
            last_decision[row["run_id"]] = row["id"]
        signoffs: dict[int, Signoff] = {}
        for row in self.db.execute(
            f"SELECT signoffs.* FROM signoffs JOIN runs ON runs.id = signoffs.run_id{where} "
            "ORDER BY signoffs.id",
            args,
        ):
            stale = last_decision[row["run_id"]] > row["decisions_upto"]
            signoffs[row["run_id"]] = signoff_from_row(row, stale)
        return [
            _history_row(row, findings[row["id"]], latest, signoffs.get(row["id"])) for row in runs
        ]


def _standings(outcomes_json: str | None) -> tuple[PolicyStanding, ...]:
    entries: list[dict[str, Any]] = json.loads(outcomes_json) if outcomes_json else []
    return tuple(PolicyStanding(e["policy"], e["verdict"], policy_standing(e)[0]) for e in entries)


def _history_row(
    row: Any,
    findings: list[tuple[int, str]],
    latest: dict[int, tuple[DecisionKind, int]],
    signoff: Signoff | None,
) -> HistoryRow:
    states = []
    carried = 0
    for finding_id, policy in findings:
        decision, carried_from = latest.get(finding_id, (None, 0))
        decision = None if decision == "reset" else decision
        carried += bool(decision and carried_from)
        states.append(FindingState(policy, decision))
    reviewed: ReviewedVerdict | None = None
    if row["status"] == "complete" and row["outcomes_json"] is not None:
        standings = _standings(row["outcomes_json"])
        reviewed = reviewed_verdict(standings, states, unread=bool(row["unread"]))
    return HistoryRow(
        run_id=row["id"],
        case=row["case_name"],
        document=Path(row["document_path"]),
        policies=tuple(p["id"] for p in json.loads(row["policies_json"])),
        created_at=row["started_at"],
        finished_at=row["finished_at"],
        model=row["model_name"],
        status=row["status"],
        verdict=row["verdict"],
        reviewed_verdict=reviewed.verdict if reviewed else None,
        reviewed=reviewed.reviewed if reviewed else sum(1 for s in states if s.decision),
        total=len(findings),
        carried=carried,
        signoff=signoff,
        unread=row["unread"],
    )
