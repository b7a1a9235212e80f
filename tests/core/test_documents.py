from __future__ import annotations

from app.core.documents import format_location


def test_locations_for_people() -> None:
    assert format_location({"page": 3}) == "page 3"
    assert format_location({"table": 1, "row": 2}) == "table 1 row 2"
    assert format_location({"paragraph": 4, "insertions": 1}) == (
        "paragraph 4 (tracked changes: 1 insertion)"
    )
    assert format_location({"footnote": 2, "insertions": 2, "deletions": 1}) == (
        "footnote 2 (tracked changes: 2 insertions, 1 deletion)"
    )


def test_pdf_location_keys_for_people() -> None:
    assert format_location({"page": 5, "ocr": True, "confidence": 0.97}) == (
        "page 5 OCR confidence 97%"
    )
    assert format_location({"page": 4, "continues": 5}) == "page 4 continues on page 5"
    assert format_location({"page": 1, "running": "footer"}) == "page 1 running footer, kept once"
    assert format_location({"page": 2, "field": "Name"}) == "page 2 form field 'Name'"
    assert format_location({"page": 3, "hidden": "white text"}) == "page 3 hidden: white text"
    assert format_location({"page": 3, "annotation": "note"}) == "page 3 annotation note"
