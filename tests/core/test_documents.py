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
