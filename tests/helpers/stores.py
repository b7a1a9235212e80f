"""A store holding one of everything the audit chain covers (a run with findings, decisions, a
policy test, a batch, a PDF export), for the tampering tests; and an old-format store, as a
version before row coverage wrote it."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.core.clock import utc_now
from app.core.pipeline import check_document
from app.report.json_report import build_report
from app.services.exports import export_pdf
from app.services.stores import open_store
from app.store import audit, batches
from app.store.db import MIGRATIONS
from tests.helpers.scripted import DOCUMENT, POLICY, engine, finding


@dataclass(frozen=True)
class Populated:
    db: Path
    pdf: Path
    early_copy: Path  # the store as it was after the run, before decisions and the export
    run_id: int
    findings: tuple[int, ...]
    entries: int


def populate(folder: Path) -> Populated:
    """In the current SAFEGUARD_HOME (its key and heads): every covered table gets rows."""
    db = folder / "store.sqlite3"
    store = open_store(db)
    scripted = engine(
        {"verdict": "violation", "findings": [finding(), finding(passage="P2", quote="Contact us")]}
    )
    result = check_document(DOCUMENT, [POLICY], scripted)
    run_id = store.start_run(DOCUMENT, [POLICY], scripted.info, "medium", case="acme")
    report = build_report(result, scripted.info, timings=result.timings)
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)
    early_copy = folder / "early.sqlite3"
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db, early_copy)
    first, second = store.findings(run_id)
    store.decide(first.id, "accept", "clear breach")
    store.decide(second.id, "amend", "minor", {"severity": "low"})
    store.save_policy_test(POLICY, "low", "scripted", {"overall": {"f1": 1.0}}, [])
    batch_id, _ = batches.open_batch(store, "key", [Path("a.md"), Path("b.md")])
    for item in batches.items(store, batch_id):
        batches.mark(store, item.id, "done", run_id)
    batches.finish(store, batch_id)
    pdf = folder / "report.pdf"
    export_pdf(store, run_id, pdf)
    entries = audit.last_entry(store.db)[0]
    store.close()
    return Populated(db, pdf, early_copy, run_id, (first.id, second.id), entries)


def edit(db: Path, *statements: str) -> None:
    """Change the store behind the application's back."""
    connection = sqlite3.connect(db)
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


def old_store(path: Path, key: bytes) -> None:
    """A schema-3 store with one run, its entries written without row hashes (as versions
    before row coverage did), signed with ``key``."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.row_factory = sqlite3.Row
    for migration in MIGRATIONS[:3]:
        for statement in migration.split(";"):
            if statement.strip():
                connection.execute(statement)
    connection.execute("INSERT INTO meta VALUES ('schema_version', '3')")
    now = utc_now()
    connection.execute("INSERT INTO cases(name, created_at) VALUES ('default', ?)", (now,))
    connection.execute(
        "INSERT INTO documents(sha256, path, media_type, pages) VALUES (?, 'old.txt', "
        "'text/plain', 1)",
        ("b" * 64,),
    )
    connection.execute(
        "INSERT INTO runs(case_id, document_id, status, started_at, model_name, model_sha256, "
        "engine, settings_json, policies_json, verdict) VALUES (1, 1, 'complete', ?, 'm', ?, "
        "'scripted', '{}', '[]', 'compliant')",
        (now, "0" * 64),
    )
    prev = audit.GENESIS
    for seq, action in enumerate(("run.started", "run.completed"), start=1):
        payload = json.dumps({"verdict": "compliant"}, sort_keys=True, separators=(",", ":"))
        body = audit._body(seq, now, "alice", action, "run:1", payload)
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        connection.execute(
            "INSERT INTO audit_log VALUES (?, ?, 'alice', ?, 'run:1', ?, ?, ?, ?)",
            (seq, now, action, payload, prev, digest, audit._sign(key, digest)),
        )
        prev = digest
    head = f"2:{prev}"
    connection.execute(
        "INSERT INTO meta VALUES ('audit_head', ?)", (f"{head}:{audit._sign(key, head)}",)
    )
    connection.close()
