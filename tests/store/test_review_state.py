"""The review decides, in the store: reset, the reviewed verdict beside the model's, sign-off
(refused while undecided, stale after a later decision), decisions carried to a re-check,
history in a few queries, the migration of an older store; the audit log intact after it."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path

import pytest

from app.core.errors import InputError
from app.services.stores import open_store
from app.store import audit
from app.store import db as schema
from app.store.records import Decision, StoredFinding
from app.store.repository import Store
from tests.helpers.runs import COMPLIANT, record_run


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return open_store(tmp_path / "s.sqlite3", reviewer="Ana Reviewer")


def decided(finding: StoredFinding) -> Decision:
    assert finding.decision is not None, f"finding {finding.id} is undecided"
    return finding.decision


def actions(store: Store) -> list[str]:
    return [r["action"] for r in store.db.execute("SELECT action FROM audit_log ORDER BY seq")]


def test_reset_undoes_with_a_new_entry(store: Store) -> None:
    run_id = record_run(store)
    first, _ = store.findings(run_id)
    with pytest.raises(InputError, match="has no decision to reset"):
        store.decide(first.id, "reset")
    store.decide(first.id, "accept", "clear")
    store.decide(first.id, "reset", "too quick")
    assert store.findings(run_id)[0].decision is None
    assert store.latest_decision(first.id) is None
    kinds = [r[0] for r in store.db.execute("SELECT decision FROM decisions ORDER BY id")]
    assert kinds == ["accept", "reset"]  # nothing deleted
    with pytest.raises(InputError, match="only an amendment"):
        store.decide(first.id, "reject", "", {"severity": "low"})
    store.decide(first.id, "reject", "after all")
    assert decided(store.findings(run_id)[0]).decision == "reject"
    assert actions(store)[-3:] == ["finding.decided"] * 3
    payload = json.loads(
        store.db.execute("SELECT payload FROM audit_log ORDER BY seq DESC").fetchone()[0]
    )
    assert payload["row"]["decision"] == "reject" and payload["row"]["reviewer"] == "Ana Reviewer"
    assert store.verify_audit().intact


def test_the_reviewed_verdict_follows_the_latest_decisions(store: Store) -> None:
    run_id = record_run(store)
    first, second = store.findings(run_id)
    review = store.run_review(run_id)
    assert (review.verdict, review.reviewed_verdict, review.undecided) == (
        "violation", "needs_review", 2,
    )  # fmt: skip
    store.decide(first.id, "reject")
    store.decide(second.id, "reject")
    assert store.run_review(run_id).reviewed_verdict == "compliant"  # a model judged it all
    store.decide(second.id, "amend", "minor", {"severity": "low"})
    review = store.run_review(run_id)
    assert review.reviewed_verdict == "violation"
    amended = review.findings[1]
    assert (amended.severity, amended.reviewed_severity) == ("high", "low")  # both on record
    assert store.run(run_id).verdict == "violation"  # the model's first verdict, unchanged
    assert store.run(run_id).report()["verdict"] == "violation"


def test_rejected_triage_matches_leave_the_run_not_assessed(store: Store) -> None:
    from app.core.policy import parse_policy
    from tests.helpers.policies import GOOD

    screened = parse_policy(
        GOOD.replace("Violates when one.", "Violates when one.\nScreen: promise")
    )
    run_id = record_run(store, COMPLIANT, policies=(screened,), triage_only=True)
    (hit,) = store.findings(run_id)
    assert store.run(run_id).verdict == "needs_review"
    store.decide(hit.id, "reject", "not a promise of returns")
    assert store.run_review(run_id).reviewed_verdict == "not_assessed"  # never compliant


def test_signoff_is_refused_while_undecided_then_accepted(store: Store) -> None:
    run_id = record_run(store)
    first, second = store.findings(run_id)
    store.decide(first.id, "accept")
    with pytest.raises(InputError) as refused:
        store.sign_off(run_id, "approve", "looks fine")
    assert str(refused.value) == (
        f"run {run_id}: cannot approve while 1 of 2 finding(s) are undecided; decide them "
        f"first (review list {run_id})"
    )
    assert store.latest_signoff(run_id) is None
    with pytest.raises(InputError, match="needs a note"):
        store.sign_off(run_id, "changes-required")
    changes = store.sign_off(run_id, "changes-required", "drop the guarantee")  # allowed now
    assert (changes.outcome, changes.reviewer, changes.stale) == (
        "changes-required", "Ana Reviewer", False,
    )  # fmt: skip
    store.decide(second.id, "reject", "just a contact line")
    assert (stale := store.latest_signoff(run_id)) is not None and stale.stale
    approved = store.sign_off(run_id, "approve", "fixed in the next draft")
    assert (approved.outcome, approved.stale) == ("approve", False)
    assert [s.outcome for s in store.signoffs(run_id)] == ["changes-required", "approve"]
    assert store.run_review(run_id).signoff == approved  # the latest counts
    assert actions(store).count("run.signed_off") == 2
    with pytest.raises(InputError, match="sign-off is one of"):
        store.sign_off(run_id, "maybe")
    assert store.verify_audit().intact


def test_a_run_that_did_not_complete_cannot_be_signed_off(store: Store) -> None:
    from tests.helpers.scripted import DOCUMENT, POLICY, engine

    run_id = store.start_run(DOCUMENT, [POLICY], engine(COMPLIANT).info, "medium")
    store.fail_run(run_id, "cancelled")
    with pytest.raises(InputError, match="is failed: there is nothing to sign off"):
        store.sign_off(run_id, "reject", "no")
    assert store.run_review(run_id).reviewed is None


def test_history_over_three_runs_in_two_cases_in_four_queries(store: Store) -> None:
    acme_1 = record_run(store, case="acme")
    acme_2 = record_run(store, COMPLIANT, case="acme")
    globex = record_run(store, case="globex")
    for finding in store.findings(acme_1):
        store.decide(finding.id, "reject")
    store.sign_off(acme_1, "approve", "fine")
    store.decide(store.findings(globex)[0].id, "accept")
    statements: list[str] = []
    store.db.set_trace_callback(statements.append)
    rows = store.history()
    store.db.set_trace_callback(None)
    assert sum(1 for s in statements if s.lstrip().upper().startswith("SELECT")) == 4
    assert [
        (r.run_id, r.case, r.verdict, r.reviewed_verdict, r.reviewed, r.total) for r in rows
    ] == [
        (acme_1, "acme", "violation", "compliant", 2, 2),
        (acme_2, "acme", "compliant", "compliant", 0, 0),
        (globex, "globex", "violation", "violation", 1, 2),
    ]
    assert rows[0].signoff is not None and rows[0].signoff.outcome == "approve"
    assert rows[1].signoff is None and rows[0].policies == ("house-rule",)
    assert [r.run_id for r in store.history("acme")] == [acme_1, acme_2]
    assert store.cases() == ["acme", "globex"]
    with pytest.raises(InputError, match="no case 'initech' \\(cases: acme, globex\\)"):
        store.history("initech")
    # the history's verdicts are the ones each run's own review computes
    for row in rows:
        assert row.reviewed_verdict == store.run_review(row.run_id).reviewed_verdict


def test_a_recheck_keeps_the_decisions_of_carried_findings(store: Store) -> None:
    first = record_run(store)
    accepted, amended = store.findings(first)
    store.decide(accepted.id, "accept", "clear breach")
    store.decide(amended.id, "amend", "minor", {"severity": "low"})
    second = record_run(store, COMPLIANT, recheck=True)  # same draft: everything carried
    carried = store.findings(second)
    assert [f.carried_from for f in carried] == [first, first]
    assert [
        (decided(f).decision, decided(f).carried_from_run, decided(f).reviewer) for f in carried
    ] == [
        ("accept", first, "Ana Reviewer"),
        ("amend", first, "Ana Reviewer"),
    ]
    assert carried[1].reviewed_severity == "low"
    review = store.run_review(second)
    assert (review.reviewed_verdict, review.carried, review.undecided) == ("violation", 2, 0)
    assert store.history()[-1].carried == 2
    third = record_run(store, COMPLIANT, recheck=True)  # carried again: still decided on run 1
    assert [decided(f).carried_from_run for f in store.findings(third)] == [first, first]
    store.decide(store.findings(third)[0].id, "reject", "the new draft explains it")
    assert decided(store.findings(third)[0]).carried_from_run == 0
    assert len(store.dataset()) == 3  # run 1's two decisions and run 3's own; copies left out
    assert store.verify_audit().intact


def schema_3_copy(source: sqlite3.Connection, target: Path, key: bytes) -> None:
    """The same rows in a store as schema 3 (the version before sign-offs and row coverage)
    laid them out: its audit entries signed as that version wrote them, without row hashes,
    and no store id."""
    old = sqlite3.connect(target)
    old.row_factory = sqlite3.Row
    for migration in schema.MIGRATIONS[:3]:
        old.executescript(migration)
    for table in ("cases", "documents", "runs", "findings", "decisions"):
        columns = [row[1] for row in old.execute(f"PRAGMA table_info({table})")]
        rows = source.execute(f"SELECT {', '.join(columns)} FROM {table}").fetchall()
        marks = ", ".join("?" * len(columns))
        old.executemany(f"INSERT INTO {table}({', '.join(columns)}) VALUES ({marks})", rows)
    old.execute("INSERT OR REPLACE INTO meta(key, value) VALUES ('schema_version', '3')")
    prev = audit.GENESIS
    for entry in source.execute("SELECT * FROM audit_log ORDER BY seq"):
        payload = {k: v for k, v in json.loads(entry["payload"]).items() if k != "rows"}
        data = json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
        body = audit._body(
            entry["seq"], entry["at"], entry["actor"], entry["action"], entry["subject"], data
        )
        digest = hashlib.sha256((prev + body).encode()).hexdigest()
        old.execute(
            "INSERT INTO audit_log(seq, at, actor, action, subject, payload, prev_hash, hash, "
            "hmac) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (entry["seq"], entry["at"], entry["actor"], entry["action"], entry["subject"], data,
             prev, digest, audit._sign(key, digest)),
        )  # fmt: skip
        prev = digest
        head = f"{entry['seq']}:{digest}"
    old.execute(
        "INSERT OR REPLACE INTO meta(key, value) VALUES ('audit_head', ?)",
        (f"{head}:{audit._sign(key, head)}",),
    )
    old.commit()
    old.close()


def test_an_older_store_is_migrated_with_its_decisions(tmp_path: Path) -> None:
    store = open_store(tmp_path / "new.sqlite3")
    run_id = record_run(store)
    finding_id = store.findings(run_id)[0].id
    store.decide(finding_id, "accept", "kept")
    schema_3_copy(store.db, tmp_path / "old.sqlite3", store.key)
    store.close()
    again = open_store(tmp_path / "old.sqlite3")
    assert schema.version(again.db) == schema.SCHEMA_VERSION
    outcomes = json.loads(again.db.execute("SELECT outcomes_json FROM runs").fetchone()[0])
    assert outcomes == [{"policy": "house-rule", "verdict": "violation", "indeterminate": ""}]
    review = again.run_review(run_id)
    assert (decided(review.findings[0]).id, decided(review.findings[0]).note) == (1, "kept")
    assert review.reviewed_verdict == "violation"  # the accepted finding counts
    again.decide(finding_id, "reset")  # the rebuilt table takes the new kind
    assert again.run_review(run_id).reviewed_verdict == "needs_review"
    assert again.verify_audit().intact
