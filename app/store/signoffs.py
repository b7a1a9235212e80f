"""Sign-offs: a reviewer's approve / changes-required / reject of a whole run, with a note,
their name and the time. The latest counts; a decision recorded after it makes it stale.
Approval needs every finding decided (the same transaction checks and records it)."""

from __future__ import annotations

from app.core.clock import utc_now
from app.core.errors import InputError
from app.core.types import SIGNOFF_OUTCOMES
from app.store.db import transaction
from app.store.review_records import Signoff, signoff_from_row
from app.store.reviews import ReviewsMixin


class SignoffsMixin(ReviewsMixin):
    def sign_off(self, run_id: int, outcome: str, note: str = "") -> Signoff:
        if outcome not in SIGNOFF_OUTCOMES:
            raise InputError(f"a sign-off is one of {', '.join(SIGNOFF_OUTCOMES)}, not '{outcome}'")
        if outcome != "approve" and not note.strip():
            raise InputError(f"run {run_id}: '{outcome}' needs a note saying what and why")
        run = self.db.execute("SELECT status FROM runs WHERE id=?", (run_id,)).fetchone()
        if run is None:
            raise InputError(f"no run {run_id}", path=self.path)
        if run["status"] != "complete":
            raise InputError(f"run {run_id} is {run['status']}: there is nothing to sign off")
        with transaction(self.db):  # counted and recorded at once: no decision slips between
            findings = self.findings(run_id)
            undecided = sum(1 for f in findings if f.decision is None)
            if outcome == "approve" and undecided:
                raise InputError(
                    f"run {run_id}: cannot approve while {undecided} of {len(findings)} "
                    f"finding(s) are undecided; decide them first (review list {run_id})"
                )
            upto = self.db.execute("SELECT COALESCE(MAX(id), 0) FROM decisions").fetchone()[0]
            values = {
                "run_id": run_id,
                "outcome": outcome,
                "note": note,
                "reviewer": self.actor,
                "signed_at": utc_now(),
                "decisions_upto": int(upto),
            }
            cursor = self.db.execute(
                f"INSERT INTO signoffs({', '.join(values)}) "
                f"VALUES ({', '.join('?' * len(values))})",
                tuple(values.values()),
            )
            row = {"id": int(cursor.lastrowid or 0), **values}
            self._audit(
                "run.signed_off",
                f"run:{run_id}",
                {"outcome": outcome, "note": note, "undecided": undecided, "row": row},
                [("signoffs", int(cursor.lastrowid or 0))],
            )
        signed = self.latest_signoff(run_id)
        assert signed is not None
        return signed

    def signoffs(self, run_id: int) -> list[Signoff]:
        """Every sign-off of a run, oldest first (each says whether it went stale)."""
        last = self._last_decision(run_id)
        rows = self.db.execute(
            "SELECT * FROM signoffs WHERE run_id=? ORDER BY id", (run_id,)
        ).fetchall()
        return [signoff_from_row(row, last > row["decisions_upto"]) for row in rows]

    def latest_signoff(self, run_id: int) -> Signoff | None:
        """The sign-off that counts (None: not signed off)."""
        every = self.signoffs(run_id)
        return every[-1] if every else None

    def _last_decision(self, run_id: int) -> int:
        row = self.db.execute(
            "SELECT COALESCE(MAX(decisions.id), 0) FROM decisions "
            "JOIN findings ON findings.id = decisions.finding_id WHERE findings.run_id=?",
            (run_id,),
        ).fetchone()
        return int(row[0])
