"""Runs: a document checked against policies by one engine. A run is stored when it starts and
completed (findings, verdict, report) or failed in one transaction each, audited alongside."""

from __future__ import annotations

import json
import os
from typing import Any

from app.core.canonical import canonical_sha256
from app.core.clock import utc_now
from app.core.documents import Document
from app.core.engine import EngineInfo
from app.core.errors import InputError
from app.core.pipeline import CheckResult
from app.core.policy import Policy
from app.core.recheck import PreviousCheck
from app.core.results import CheckedFinding
from app.store.db import transaction
from app.store.records import StoredRun
from app.store.reviews import ReviewsMixin

RUN_SELECT = (
    "SELECT runs.*, cases.name AS case_name, documents.path AS document_path, "
    "documents.sha256 AS document_sha256 FROM runs "
    "JOIN cases ON cases.id = runs.case_id JOIN documents ON documents.id = runs.document_id"
)


class RunsMixin(ReviewsMixin):  # a finished re-check carries decisions over
    def mark_interrupted(self) -> list[int]:
        """Runs left 'running' by a process that died become 'incomplete' (with an entry)."""
        stale = [
            row["id"]
            for row in self.db.execute("SELECT id, pid FROM runs WHERE status='running'")
            if not _alive(row["pid"])
        ]
        for run_id in stale:
            with transaction(self.db):
                self.db.execute(
                    "UPDATE runs SET status='incomplete', note=? WHERE id=?",
                    ("interrupted: the process ended before the run finished", run_id),
                )
                self._audit(
                    "run.incomplete",
                    f"run:{run_id}",
                    {"reason": "process ended before the run finished"},
                    [("runs", run_id)],
                )
        return stale

    def start_run(
        self,
        document: Document,
        policies: list[Policy],
        engine: EngineInfo,
        effort: str,
        case: str = "default",
    ) -> int:
        settings = {
            "effort": effort,
            "n_ctx": engine.n_ctx,
            "seed": engine.seed,
            "temperature": engine.temperature,
        }
        policy_refs = [p.to_json() for p in policies]
        with transaction(self.db):
            self.db.execute(
                "INSERT OR IGNORE INTO cases(name, created_at) VALUES (?, ?)", (case, utc_now())
            )
            case_id = self.db.execute("SELECT id FROM cases WHERE name=?", (case,)).fetchone()[0]
            self.db.execute(
                "INSERT OR IGNORE INTO documents(sha256, path, media_type, pages) VALUES (?,?,?,?)",
                (document.sha256, str(document.path), document.media_type, document.pages),
            )
            document_id = self.db.execute(
                "SELECT id FROM documents WHERE sha256=? AND path=?",
                (document.sha256, str(document.path)),
            ).fetchone()[0]
            cursor = self.db.execute(
                "INSERT INTO runs(case_id, document_id, status, pid, started_at, model_name, "
                "model_sha256, engine, settings_json, policies_json) "
                "VALUES (?, ?, 'running', ?, ?, ?, ?, ?, ?, ?)",
                (
                    case_id,
                    document_id,
                    os.getpid(),
                    utc_now(),
                    engine.name,
                    engine.file_sha256,
                    engine.engine,
                    json.dumps(settings),
                    json.dumps(policy_refs),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            self._audit(
                "run.started",
                f"run:{run_id}",
                {
                    "case": case,
                    "document": {"path": str(document.path), "sha256": document.sha256},
                    "policies": policy_refs,
                    "model": {
                        "name": engine.name,
                        "sha256": engine.file_sha256,
                        "engine": engine.engine,
                    },
                    "settings": settings,
                },
                [("cases", case_id), ("documents", document_id), ("runs", run_id)],
            )
        return run_id

    def finish_run(self, run_id: int, result: CheckResult, report: dict[str, Any]) -> None:
        timings = report.get("timings", {})
        by_policy = {r.policy.id: r for r in result.policy_results}
        outcomes = [
            {
                "policy": r.policy.id,
                "verdict": r.verdict,
                "without_findings": r.without_findings,
                "judged": r.judged,
                "indeterminate": r.indeterminate,
            }
            for r in result.policy_results
        ]
        unread = len(result.document.coverage.unread)
        carried: list[tuple[int, CheckedFinding, str]] = []
        with transaction(self.db):
            position = 0
            rows: list[tuple[str, int]] = []
            for checked in result.findings:
                f = checked.finding
                policy_result = by_policy.get(checked.policy)
                passage = result.document.passage(f.passage)
                cursor = self.db.execute(
                    "INSERT INTO findings(run_id, position, policy_id, policy_version, "
                    "section, passage, passage_text, location_json, quote, quote_verified, "
                    "severity, confidence, rationale, remediation, layer, model_verdict, "
                    "carried_from) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
                    (
                        run_id,
                        position,
                        checked.policy,
                        policy_result.policy.version if policy_result else "built-in",
                        f.section,
                        f.passage,
                        passage.text if passage else "",
                        json.dumps(checked.location),
                        f.quote,
                        int(checked.quote_verified),
                        f.severity,
                        f.confidence,
                        f.rationale,
                        f.remediation,
                        checked.layer,
                        policy_result.verdict if policy_result else "needs_review",
                        checked.carried_from,
                    ),
                )
                finding_id = int(cursor.lastrowid or 0)
                if checked.carried_from:
                    carried.append((finding_id, checked, passage.text if passage else ""))
                rows.append(("findings", finding_id))
                position += 1
            self.db.execute(
                "UPDATE runs SET status='complete', finished_at=?, verdict=?, timings_json=?, "
                "prompt_tokens=?, completion_tokens=?, report_json=?, outcomes_json=?, unread=? "
                "WHERE id=?",
                (
                    utc_now(),
                    result.verdict,
                    json.dumps(timings),
                    timings.get("prompt_tokens"),
                    timings.get("completion_tokens"),
                    json.dumps(report, ensure_ascii=False),
                    json.dumps(outcomes, ensure_ascii=False),
                    unread,
                    run_id,
                ),
            )
            self._audit(
                "run.completed",
                f"run:{run_id}",
                {
                    "verdict": result.verdict,
                    "findings": position,
                    "report_sha256": canonical_sha256(report),
                    "outcomes": outcomes,
                    "unread": unread,
                },
                [("runs", run_id), *rows],
            )
            # after run.completed: the carried decisions belong to a run that exists in full
            self._carry_decisions(run_id, carried)

    def fail_run(self, run_id: int, reason: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE runs SET status='failed', finished_at=?, note=? WHERE id=?",
                (utc_now(), reason, run_id),
            )
            self._audit("run.failed", f"run:{run_id}", {"reason": reason}, [("runs", run_id)])

    def previous_checks(
        self, document: Document, policies: list[Policy], engine: EngineInfo, effort: str
    ) -> dict[str, PreviousCheck]:
        """For each policy, its result in the latest complete run of a file at the same path
        with the same policy version, model file and settings: what a re-check can keep."""
        rows = self.db.execute(
            "SELECT runs.id, runs.report_json, runs.settings_json, runs.policies_json "
            "FROM runs JOIN documents ON runs.document_id = documents.id "
            "WHERE documents.path=? AND runs.status='complete' AND runs.model_sha256=? "
            "ORDER BY runs.id DESC LIMIT 20",
            (str(document.path), engine.file_sha256),
        ).fetchall()
        wanted = {p.id: p.sha256 for p in policies}
        found: dict[str, PreviousCheck] = {}
        for row in rows:
            settings = json.loads(row["settings_json"])
            same = (settings.get("effort"), settings.get("n_ctx")) == (effort, engine.n_ctx)
            if not same or not row["report_json"]:
                continue
            report = json.loads(row["report_json"])
            for ref in json.loads(row["policies_json"]):
                if ref["id"] in wanted and ref["id"] not in found:
                    if ref["sha256"] != wanted[ref["id"]]:
                        continue
                    try:
                        found[ref["id"]] = PreviousCheck.from_report(row["id"], report, ref["id"])
                    except (KeyError, TypeError, ValueError):
                        continue  # an older report without what a re-check needs
            if len(found) == len(wanted):
                break
        return found

    def run(self, run_id: int | None = None) -> StoredRun:
        """A run by id, or the latest one. Raises InputError naming the store when absent."""
        if run_id is None:
            row = self.db.execute(f"{RUN_SELECT} ORDER BY runs.id DESC LIMIT 1").fetchone()
        else:
            row = self.db.execute(f"{RUN_SELECT} WHERE runs.id=?", (run_id,)).fetchone()
        if row is None:
            raise InputError(
                f"no run {run_id}" if run_id else "no runs recorded yet", path=self.path
            )
        return StoredRun.from_row(row)

    def runs(self) -> list[StoredRun]:
        rows = self.db.execute(f"{RUN_SELECT} ORDER BY runs.id").fetchall()
        return [StoredRun.from_row(row) for row in rows]


def _alive(pid: int | None) -> bool:
    if not pid:
        return False
    if pid == os.getpid():
        return True  # a run of this very process (the app's worker) is not stale
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
