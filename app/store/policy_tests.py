"""Stored results of ``policy test`` runs, per policy version (for ``--compare``)."""

from __future__ import annotations

import json
from typing import Any

from app.core.clock import utc_now
from app.core.policy import Policy
from app.store.base import StoreBase
from app.store.db import transaction
from app.store.records import StoredPolicyTest


class PolicyTestsMixin(StoreBase):
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
                    utc_now(),
                    json.dumps(metrics),
                    json.dumps(outcomes, ensure_ascii=False),
                ),
            )
            test_id = int(cursor.lastrowid or 0)
            self._audit(
                "policy.tested",
                f"policy:{policy.id}",
                {
                    "version": policy.version,
                    "sha256": policy.sha256,
                    "effort": effort,
                    "model": model,
                    "f1": metrics.get("overall", {}).get("f1"),
                },
                [("policy_tests", test_id)],
            )
        return test_id

    def policy_test(self, policy_id: str, version: str) -> StoredPolicyTest | None:
        row = self.db.execute(
            "SELECT * FROM policy_tests WHERE policy_id=? AND version=? ORDER BY id DESC LIMIT 1",
            (policy_id, version),
        ).fetchone()
        return StoredPolicyTest.from_row(row) if row else None
