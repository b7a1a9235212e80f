"""Small shared widgets and the app's look: one style sheet, severity colours, headings."""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

# Severity colours chosen for contrast with dark text (WCAG AA on white at these lightnesses).
SEVERITY_COLOURS = {
    "critical": "#f4b4b4",
    "high": "#f8c9a0",
    "medium": "#fbe29a",
    "low": "#cfe3f7",
}
# Badge colours behind white text (each at least 4.5:1). ``not_assessed`` is grey: nothing was
# judged, so it must never look like the green of ``compliant``.
VERDICT_COLOURS: dict[str, str] = {
    "violation": "#b3261e",
    "needs_review": "#8a5a00",
    "not_assessed": "#5f6b7a",
    "compliant": "#1b6e3a",
}
VERDICT_WORDS: dict[str, str] = {
    "violation": "Violation",
    "needs_review": "Needs review",
    "not_assessed": "Not assessed",
    "compliant": "Compliant",
}
PENDING_COLOUR = "#5f6b7a"  # a run that never completed has no verdict
STYLE = """
QWidget#welcomePage QFrame#card { background: #f6f8fb; border: 1px solid #d5dbe4;
    border-radius: 8px; }
QLabel#cardTitle { font-weight: 600; font-size: 14px; }
QLabel#warningText { color: #8a5a00; font-weight: 600; }
QLabel#smokeBanner { background: #fff3cd; color: #5c4400; padding: 6px 10px;
    border: 1px solid #e0c36a; border-radius: 4px; font-weight: 600; }
QLabel#hint { color: #5f6b7a; }
QLabel#coverageBanner { background: #fdecea; color: #6b1a14; padding: 6px 10px;
    border: 1px solid #e6a39c; border-radius: 4px; }
QLabel#signoffLine { color: #1f2933; font-weight: 600; }
QLabel#verdictCaption { color: #5f6b7a; }
QLabel#verdictReason { color: #3e4852; }
QTreeWidget#findingList::item:selected { color: white; background: #2f6fb0; }
"""


def verdict_style(colour: str) -> str:
    """The verdict badge: white bold text on the verdict's colour."""
    return (
        f"QLabel {{ background: {colour}; color: white; padding: 4px 14px; border-radius: 6px;"
        " font-size: 15px; font-weight: 700; }"
    )


def verdict_word(verdict: str | None) -> str:
    """A verdict for people ("—" for a run that has none)."""
    if verdict is None:
        return "—"
    return VERDICT_WORDS.get(verdict, verdict)


def verdict_colour(verdict: str | None) -> str:
    if verdict is None:
        return PENDING_COLOUR
    return VERDICT_COLOURS.get(verdict, PENDING_COLOUR)


def severity_colour(severity: str) -> QColor:
    return QColor(SEVERITY_COLOURS.get(severity, "#e8e8e8"))


def heading(text: str, size: int = 16) -> QLabel:
    label = QLabel(text)
    font = QFont(label.font())
    font.setPointSize(size)
    font.setBold(True)
    label.setFont(font)
    return label


def hint(text: str) -> QLabel:
    """Grey text that explains an empty pane."""
    label = QLabel(text)
    label.setObjectName("hint")
    label.setWordWrap(True)
    return label


def card(title: str, text: str, contents: list[QWidget | QLayout]) -> QFrame:
    frame = QFrame()
    frame.setObjectName("card")
    layout = QVBoxLayout(frame)
    layout.setContentsMargins(16, 12, 16, 12)
    title_label = QLabel(title)
    title_label.setObjectName("cardTitle")
    layout.addWidget(title_label)
    body = QLabel(text)
    body.setWordWrap(True)
    layout.addWidget(body)
    for item in contents:
        if isinstance(item, QLayout):
            layout.addLayout(item)
        elif isinstance(item, QPushButton):  # buttons keep their size, at the left
            row = QHBoxLayout()
            row.addWidget(item)
            row.addStretch()
            layout.addLayout(row)
        else:
            layout.addWidget(item)
    return frame
