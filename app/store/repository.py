"""Cases, documents, runs, findings and reviewer decisions, each change audited in the same
transaction. A run left 'running' by a process that died is marked 'incomplete' on next open."""

from __future__ import annotations

import getpass
import hashlib
import json
import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from app.core.documents import Document
from app.core.engine import EngineInfo
from app.core.errors import InputError
from app.core.paths import default_db
from app.core.pipeline import CheckResult
from app.core.policy import Policy
from app.core.recheck import PreviousCheck
from app.store import audit
from app.store.db import connect, transaction

DECISIONS = ("accept", "reject", "amend")


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def canonical_sha256(data: dict[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def reviewer_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


class Store:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or default_db()
        self.db = connect(self.path)
        self.key, self.key_warning = audit.installation_key()
        self.actor = reviewer_name()
        self.recovered = self.mark_interrupted()

    def close(self) -> None:
        self.db.close()

    # -- runs ----------------------------------------------------------------------------------
    def mark_interrupted(self) -> list[int]:
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
                audit.append(
                    self.db,
                    self.key,
                    self.actor,
                    "run.incomplete",
                    f"run:{run_id}",
                    {"reason": "process ended before the run finished"},
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
                "INSERT OR IGNORE INTO cases(name, created_at) VALUES (?, ?)", (case, now())
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
                    now(),
                    engine.name,
                    engine.file_sha256,
                    engine.engine,
                    json.dumps(settings),
                    json.dumps(policy_refs),
                ),
            )
            run_id = int(cursor.lastrowid or 0)
            audit.append(
                self.db,
                self.key,
                self.actor,
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
            )
        return run_id

    def finish_run(self, run_id: int, result: CheckResult, report: dict[str, Any]) -> None:
        timings = report.get("timings", {})
        by_policy = {r.policy.id: r for r in result.policy_results}
        with transaction(self.db):
            position = 0
            for checked in result.findings:
                f = checked.finding
                policy_result = by_policy.get(checked.policy)
                passage = result.document.passage(f.passage)
                self.db.execute(
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
                position += 1
            self.db.execute(
                "UPDATE runs SET status='complete', finished_at=?, verdict=?, timings_json=?, "
                "prompt_tokens=?, completion_tokens=?, report_json=? WHERE id=?",
                (
                    now(),
                    result.verdict,
                    json.dumps(timings),
                    timings.get("prompt_tokens"),
                    timings.get("completion_tokens"),
                    json.dumps(report, ensure_ascii=False),
                    run_id,
                ),
            )
            audit.append(
                self.db,
                self.key,
                self.actor,
                "run.completed",
                f"run:{run_id}",
                {
                    "verdict": result.verdict,
                    "findings": position,
                    "report_sha256": canonical_sha256(report),
                },
            )

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

    def fail_run(self, run_id: int, reason: str) -> None:
        with transaction(self.db):
            self.db.execute(
                "UPDATE runs SET status='failed', finished_at=?, note=? WHERE id=?",
                (now(), reason, run_id),
            )
            audit.append(
                self.db, self.key, self.actor, "run.failed", f"run:{run_id}", {"reason": reason}
            )

    def run(self, run_id: int | None = None) -> sqlite3.Row:
        if run_id is None:
            row = self.db.execute("SELECT * FROM runs ORDER BY id DESC LIMIT 1").fetchone()
        else:
            row = self.db.execute("SELECT * FROM runs WHERE id=?", (run_id,)).fetchone()
        if row is None:
            raise InputError(
                f"no run {run_id}" if run_id else "no runs recorded yet", path=self.path
            )
        assert isinstance(row, sqlite3.Row)
        return row

    def runs(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT runs.*, documents.path AS document_path FROM runs "
            "JOIN documents ON documents.id = runs.document_id ORDER BY runs.id"
        ).fetchall()

    # -- findings and decisions ----------------------------------------------------------------
    def findings(self, run_id: int) -> list[dict[str, Any]]:
        rows = self.db.execute(
            "SELECT * FROM findings WHERE run_id=? ORDER BY position", (run_id,)
        ).fetchall()
        return [dict(row) | {"decision": self.latest_decision(row["id"])} for row in rows]

    def latest_decision(self, finding_id: int) -> dict[str, Any] | None:
        row = self.db.execute(
            "SELECT * FROM decisions WHERE finding_id=? ORDER BY id DESC LIMIT 1", (finding_id,)
        ).fetchone()
        return dict(row) if row else None

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
                    now(),
                ),
            )
            audit.append(
                self.db,
                self.key,
                self.actor,
                "finding.decided",
                f"finding:{finding_id}",
                {"run": finding["run_id"], "decision": decision, "note": note, "amended": amended},
            )
        return int(cursor.lastrowid or 0)

    # -- policy tests ----------------------------------------------------------------------------
    def save_policy_test(
        self,
        policy: Policy,
        effort: str,
        model: str,
        metrics: dict[str, Any],
        outcomes: list[dict[str, Any]],
    ) -> int:
        with transaction(self.db):
            cursor = self.db.execute(
                "INSERT INTO policy_tests(policy_id, version, sha256, effort, model, created_at, "
                "metrics_json, outcomes_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    policy.id,
                    policy.version,
                    policy.sha256,
                    effort,
                    model,
                    now(),
                    json.dumps(metrics),
                    json.dumps(outcomes, ensure_ascii=False),
                ),
            )
            test_id = int(cursor.lastrowid or 0)
            audit.append(
                self.db,
                self.key,
                self.actor,
                "policy.tested",
                f"policy:{policy.id}",
                {
                    "version": policy.version,
                    "sha256": policy.sha256,
                    "effort": effort,
                    "model": model,
                    "f1": metrics.get("overall", {}).get("f1"),
                },
            )
        return test_id

    def policy_test(self, policy_id: str, version: str) -> sqlite3.Row | None:
        row = self.db.execute(
            "SELECT * FROM policy_tests WHERE policy_id=? AND version=? ORDER BY id DESC LIMIT 1",
            (policy_id, version),
        ).fetchone()
        return row if isinstance(row, sqlite3.Row) else None

    # -- reports, audit, export ----------------------------------------------------------------
    def record_export(self, run_id: int, report_sha256: str, target: Path) -> None:
        with transaction(self.db):
            audit.append(
                self.db,
                self.key,
                self.actor,
                "report.exported",
                f"run:{run_id}",
                {"report_sha256": report_sha256, "file": str(target)},
            )

    def find_export(self, report_sha256: str) -> sqlite3.Row | None:
        for row in audit.entries(self.db, "report.exported"):
            if json.loads(row["payload"]).get("report_sha256") == report_sha256:
                return row
        return None

    def verify_audit(self) -> audit.AuditCheck:
        return audit.verify(self.db, self.key)

    def dataset(self) -> list[dict[str, Any]]:
        """Reviewer-labelled findings as policy test cases (the cases.jsonl format)."""
        cases = []
        rows = self.db.execute(
            "SELECT findings.*, runs.id AS run FROM findings JOIN runs "
            "ON runs.id = findings.run_id ORDER BY findings.id"
        ).fetchall()
        for row in rows:
            decision = self.latest_decision(row["id"])
            if decision is None:
                continue
            amended = json.loads(decision["amended_json"] or "{}")
            human = "compliant" if decision["decision"] == "reject" else "violation"
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
                    "decision": decision["decision"],
                    "note": decision["note"],
                    "run": row["run"],
                    "finding": row["id"],
                }
            )
        return cases


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
