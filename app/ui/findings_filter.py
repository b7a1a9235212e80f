"""Which findings the list shows: by severity (the one that counts after review), policy and
review state. Hiding a row never changes a count: the header counts every finding."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

from app.core.types import SEVERITIES
from app.store.records import StoredFinding

ALL = "all"
REVIEW_STATES = {
    "all": "Any review state",
    "undecided": "Undecided",
    "accept": "Accepted",
    "reject": "Rejected",
    "amend": "Amended",
    "unverified": "Unverified quote",
}


class FindingsFilter(QWidget):
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(QLabel("Show:"))
        self.severity = QComboBox()
        self.severity.setObjectName("severityFilter")
        self.severity.addItem("Any severity", ALL)
        for severity in reversed(SEVERITIES):
            self.severity.addItem(severity, severity)
        self.policy = QComboBox()
        self.policy.setObjectName("policyFilter")
        self.review = QComboBox()
        self.review.setObjectName("reviewFilter")
        for key, words in REVIEW_STATES.items():
            self.review.addItem(words, key)
        self.shown = QLabel("")
        self.shown.setObjectName("hint")
        for combo in (self.severity, self.policy, self.review):
            combo.currentIndexChanged.connect(lambda _index: self.changed.emit())
            layout.addWidget(combo)
        layout.addWidget(self.shown)
        layout.addStretch()
        self.set_policies([])

    def set_policies(self, policies: list[str]) -> None:
        """A new run's policies; every filter back to "all"."""
        for combo in (self.severity, self.policy, self.review):
            combo.blockSignals(True)
        self.policy.clear()
        self.policy.addItem("Any policy", ALL)
        for policy in policies:
            self.policy.addItem(policy, policy)
        self.severity.setCurrentIndex(0)
        self.review.setCurrentIndex(0)
        for combo in (self.severity, self.policy, self.review):
            combo.blockSignals(False)

    def accepts(self, finding: StoredFinding) -> bool:
        severity, policy, review = (
            self.severity.currentData(),
            self.policy.currentData(),
            self.review.currentData(),
        )
        if severity != ALL and finding.reviewed_severity != severity:
            return False
        if policy != ALL and finding.policy_id != policy:
            return False
        decision = finding.decision.decision if finding.decision else "undecided"
        if review == "unverified":
            return not finding.quote_verified
        return bool(review == ALL or decision == review)

    def show_count(self, shown: int, total: int) -> None:
        self.shown.setText("" if shown == total else f"{shown} of {total} shown")
