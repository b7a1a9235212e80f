"""The annotated HTML copy: every passage in order with its place, quoted words marked (overlaps
cut into stretches), the notes beside their passage, all text escaped, nothing fetched."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from app.report.annotate_html import annotate_html, place_label
from app.report.annotation import Note

PASSAGES = [
    {"id": "P1", "text": "Earn a guaranteed 12% <b>now</b> & forever.", "location": {"line": 1}},
    {"id": "P2", "text": "Call us today, the offer ends tonight.", "location": {"line": 3}},
    {"id": "P3", "text": "Contact: <script>alert(1)</script>", "location": {"line": 5}},
]


def note(
    number: int, passage: str, quote: str, verified: bool = True, severity: str = "high"
) -> Note:
    text = next(str(p["text"]) for p in PASSAGES if p["id"] == passage) if passage != "P9" else ""
    return Note(
        finding_id=number, run_id=4, passage=passage, passage_text=text, location={"line": 1},
        quote=quote, quote_verified=verified, severity=severity,  # type: ignore[arg-type]
        raised_severity="high", policy="fin-promo", policy_version="1.0.0", section="FP-1",
        section_title="Guaranteed returns", rationale="Says <i>guaranteed</i>.",
        remediation="Drop it.", state="accepted", review_line="accepted by Ana on 2026-11-23",
        date="2026-11-23T10:00:00+00:00",
    )  # fmt: skip


class _Collect(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.marks: list[str] = []
        self.tags: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self._depth = 0
        self._current: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attributes += attrs
        if tag == "mark":
            self._current = []
            self._depth += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "mark":
            self._depth -= 1
            self.marks.append("".join(self._current))

    def handle_data(self, data: str) -> None:
        if self._depth:
            self._current.append(data)


def test_quotes_marked_notes_beside_and_everything_escaped() -> None:
    notes = [
        note(1, "P1", "guaranteed 12% <b>now</b>"),
        note(2, "P2", "the offer ends tonight", severity="low"),
        note(3, "P2", "today, the offer", severity="critical"),  # overlaps 2
        note(4, "P3", "nowhere", verified=False),
        note(5, "P9", "gone"),  # a passage the report does not have
    ]
    page, placed = annotate_html("draft.md — findings", ["run 4"], PASSAGES, notes)
    assert (placed.quote, placed.passage, placed.unplaced) == ([1, 2, 3], [4], [5])
    text = page.decode("utf-8")
    parsed = _Collect()
    parsed.feed(text)
    # The document's own markup is text, never markup: no <b> or <script> element.
    assert "script" not in parsed.tags and "b" not in parsed.tags
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    assert parsed.marks == ["guaranteed 12% <b>now</b>", "today, ", "the offer", " ends tonight"]
    assert '<mark class="critical" style="background:#ffb3b3">the offer</mark>' in text
    assert "<sup>[3]</sup>" in text and "<sup>[2]</sup>" in text
    assert 'class="text whole"' in text  # the unverified finding's passage is outlined
    assert "Says &lt;i&gt;guaranteed&lt;/i&gt;." in text
    assert text.count('<div class="note ') == 4
    # Self-contained: no script, no link, no image, nothing to fetch.
    assert not {"script", "link", "img", "iframe"} & parsed.tags
    assert not [v for k, v in parsed.attributes if k in ("src", "href")]
    assert re.search(r"default-src 'none'", text)


def test_place_labels() -> None:
    assert place_label({"line": 3}) == "line 3"
    assert place_label({"slide": 2, "notes": True}) == "slide 2 · notes"
    assert (
        place_label({"part": "attachment a.docx", "paragraph": 4})
        == "part attachment a.docx · paragraph 4"
    )
    assert place_label({}) == "document"
