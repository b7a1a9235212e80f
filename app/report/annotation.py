"""What an annotated original says about each finding, the same in every format: the Word
comment, the PDF note and the HTML side note are built from one ``Note`` so an author reads the
same words whichever copy reaches them. The store's records are turned into notes by the
services layer (report does not import the store)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.core.documents import Location
from app.core.types import Severity

# Where a note ended up in the copy: on the quoted words, on the whole passage (the quote is
# unverified or its words could not be found in the file), or nowhere (the passage is in a
# part the copy cannot mark, such as an embedded chunk or an e-mail attachment).
Placement = Literal["quote", "passage", "unplaced"]
ReviewState = Literal["accepted", "amended", "not reviewed", "rejected"]


@dataclass(frozen=True)
class Note:
    finding_id: int
    run_id: int
    passage: str  # P4
    passage_text: str
    location: Location
    quote: str
    quote_verified: bool
    severity: Severity  # as reviewed (amended, else as raised)
    raised_severity: Severity
    policy: str
    policy_version: str
    section: str  # as reviewed (an amendment may change it)
    section_title: str
    rationale: str
    remediation: str
    state: ReviewState
    review_line: str  # "accepted by Ana on 2026-11-23: clear breach" / "not reviewed yet"
    date: str  # ISO 8601: the decision's time, else the export's

    @classmethod
    def lookup(cls, location: Location, quote: str, verified: bool, passage_text: str) -> Note:
        """A note that only says where to look (the app's page view finds the quote with the
        annotator's own code); its other fields are empty."""
        return cls(
            0, 0, "", passage_text, dict(location), quote, verified, "medium", "medium", "", "",
            "", "", "", "", "not reviewed", "", "",
        )  # fmt: skip

    @property
    def author(self) -> str:
        return f"Safeguard Desk, run {self.run_id}"

    @property
    def heading(self) -> str:
        severity = self.severity.upper()
        if self.severity != self.raised_severity:
            severity += f" (amended from {self.raised_severity.upper()})"
        title = f" {self.section_title}" if self.section_title else ""
        return f"{severity} · {self.section}{title}"

    def lines(self, placement: Placement = "quote", remark: str = "") -> list[str]:
        """The note's paragraphs. ``placement`` says where the copy could put it; a note on the
        whole passage says why, so no one reads it as pointing at exact words; ``remark``
        says where it is when the format put it somewhere else (a Word comment for a header
        sits in the main text)."""
        lines = [
            self.heading,
            f"Policy {self.policy} {self.policy_version} · passage {self.passage} · "
            f"finding #{self.finding_id}",
            f"Why: {self.rationale}" if self.rationale else "Why: (no rationale given)",
            f"Suggested fix: {self.remediation}" if self.remediation else "Suggested fix: none",
            f"Review: {self.review_line}",
        ]
        if remark:
            lines.append(remark)
        elif not self.quote_verified:
            lines.append(
                "Quote not verified: the quoted words are not in the cited passage; "
                "this note covers the whole passage."
            )
        elif placement == "passage":
            lines.append(
                f'The quoted words ("{_clip(self.quote)}") could not be found here; '
                "this note covers the whole passage."
            )
        return lines

    def text(self, placement: Placement = "quote", remark: str = "") -> str:
        return "\n".join(self.lines(placement, remark))


@dataclass
class Placements:
    """Which findings each annotator placed where (finding ids, in note order)."""

    quote: list[int] = field(default_factory=list)
    passage: list[int] = field(default_factory=list)
    unplaced: list[int] = field(default_factory=list)

    def add(self, note: Note, placement: Placement) -> None:
        getattr(self, placement).append(note.finding_id)

    def summary(self) -> str:
        text = (
            f"{len(self.quote)} on the quoted words, {len(self.passage)} on the whole passage, "
            f"{len(self.unplaced)} not placed"
        )
        if self.unplaced:
            shown = ", ".join(f"#{i}" for i in self.unplaced[:8])
            more = f" and {len(self.unplaced) - 8} more" if len(self.unplaced) > 8 else ""
            text += f" ({shown}{more})"
        return text


def _clip(text: str, limit: int = 80) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"
