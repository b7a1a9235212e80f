"""The verdicts of a run side by side, each named for who gave it: the model's (as the check
left it, never changed) and the reviewed one (from the reviewer's decisions, ``RunReview``);
why nothing was assessed when that is the verdict (grey, never green); review progress and
counts on the reviewed state; the sign-off line and its button."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app.core.review import signoff_line
from app.store.review_records import RunReview
from app.ui.widgets import verdict_colour, verdict_style, verdict_word


class ReviewHeader(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        rows = QVBoxLayout(self)
        rows.setContentsMargins(0, 0, 0, 0)
        rows.setSpacing(2)
        layout = QHBoxLayout()
        rows.addLayout(layout)
        self.verdict = QLabel("")  # the model's
        self.verdict.setObjectName("verdictBadge")
        self.reviewed = QLabel("")
        self.reviewed.setObjectName("reviewedBadge")
        captions = (("Model verdict", self.verdict), ("Reviewed verdict", self.reviewed))
        for caption, badge in captions:
            label = QLabel(caption)
            label.setObjectName("verdictCaption")
            layout.addWidget(label)
            layout.addWidget(badge)
            layout.addSpacing(8)
        self.counter = QLabel("")
        self.counter.setObjectName("reviewCounter")
        self.counts = QLabel("")
        self.counts.setObjectName("hint")
        self.signoff = QLabel("")
        self.signoff.setObjectName("signoffLine")
        self.signoff_button = QPushButton("Sign off…")
        self.signoff_button.setObjectName("signoffButton")
        layout.addWidget(self.counter)
        layout.addSpacing(6)
        layout.addWidget(self.counts)
        layout.addStretch(1)
        layout.addWidget(self.signoff)
        layout.addWidget(self.signoff_button)
        self.reason = QLabel("")  # its own line: a reason is a sentence, not a badge
        self.reason.setObjectName("verdictReason")
        self.reason.setWordWrap(True)
        self.reason.setVisible(False)
        rows.addWidget(self.reason)

    def show_review(self, report: dict[str, Any], review: RunReview) -> None:
        verdicts = ((self.verdict, review.verdict), (self.reviewed, review.reviewed_verdict))
        for badge, verdict in verdicts:
            badge.setText(verdict_word(verdict))
            badge.setStyleSheet(verdict_style(verdict_colour(verdict)))
        self.verdict.setToolTip("What the model said when the check ran; kept on record.")
        self.reviewed.setToolTip(
            "What stands after the reviewer's decisions: rejected findings drop out, amended "
            "severities count, undecided findings need review."
        )
        reason = _reason(report, review)
        self.reason.setText(reason)
        self.reason.setVisible(bool(reason))
        total = len(review.findings)
        reviewed = total - review.undecided
        carried = f" ({review.carried} carried over)" if review.carried else ""
        self.counter.setText(f"{reviewed} of {total} reviewed{carried}" if total else "")
        counted = review.reviewed
        self.counts.setText(
            f"{counted.accepted} accepted · {counted.rejected} rejected · "
            f"{counted.amended} amended · {review.undecided} to decide"
            if counted and total
            else ""
        )
        signoff = review.signoff.to_json() if review.signoff else None
        self.signoff.setText(signoff_line(signoff))
        self.signoff.setToolTip(f"Note: {review.signoff.note}" if review.signoff else "")
        self.signoff.setStyleSheet(
            "QLabel { color: #b3261e; }" if review.signoff and review.signoff.stale else ""
        )
        complete = review.status == "complete"
        self.signoff_button.setEnabled(complete)
        self.signoff_button.setToolTip(
            "Approve, ask for changes or reject this check, with your name and a note"
            if complete
            else f"This check is {review.status}: there is nothing to sign off"
        )


def _reason(report: dict[str, Any], review: RunReview) -> str:
    """Why the verdicts are what they are, when that is not plain from the findings: what was
    not assessed (each policy's note), and unread parts capping the verdict."""
    reasons = []
    reviewed = review.reviewed.policies if review.reviewed else {}
    for entry in report.get("policy_verdicts", []):
        policy = entry.get("policy", "")
        if "not_assessed" in (entry.get("verdict"), reviewed.get(policy)):
            why = entry.get("indeterminate") or "nothing was judged"
            reasons.append(f"{policy}: not assessed — {why}")
    if review.unread:
        reasons.append(
            f"at best needs review while {review.unread} part(s) of the document were not read "
            "(listed below)"
        )
    return "; ".join(reasons)
