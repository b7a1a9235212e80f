"""A document as the model sees it: an ordered list of located passages."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

# A passage's place in its file; keys by media type (all numbers start at 1):
#   PDF: {"page": n}
#   DOCX: {"paragraph": n} | {"table": t, "row": r} | {"header": n} | {"footer": n}
#   TXT/MD: {"line": n} (the passage's first line)
Location = dict[str, int]


@dataclass(frozen=True)
class Passage:
    id: str  # "P1", "P2", ... in document order; stable for the same file
    text: str
    location: Location

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "location": dict(self.location)}


@dataclass(frozen=True)
class Document:
    path: Path
    sha256: str
    media_type: str
    pages: int  # PDF pages; 1 for other formats
    passages: tuple[Passage, ...]
    warnings: tuple[str, ...] = field(default=())

    def passage(self, passage_id: str) -> Passage | None:
        for passage in self.passages:
            if passage.id == passage_id:
                return passage
        return None

    def to_json(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "sha256": self.sha256,
            "media_type": self.media_type,
            "pages": self.pages,
            "passages": [p.to_json() for p in self.passages],
        }


_TRACKED = ("insertions", "deletions")


def format_location(location: Location) -> str:
    """'page 3', 'table 1 row 2', 'paragraph 4 (tracked changes: 1 insertion)' — for people."""
    place = " ".join(f"{key} {value}" for key, value in location.items() if key not in _TRACKED)
    changes = [
        f"{location[key]} {key[:-1] if location[key] == 1 else key}"
        for key in _TRACKED
        if location.get(key)
    ]
    return f"{place} (tracked changes: {', '.join(changes)})" if changes else place


def number_passages(blocks: list[tuple[str, Location]]) -> tuple[Passage, ...]:
    """Give non-empty text blocks their ids P1, P2, ... in order."""
    passages: list[Passage] = []
    for text, location in blocks:
        cleaned = text.strip()
        if cleaned:
            passages.append(Passage(f"P{len(passages) + 1}", cleaned, location))
    return tuple(passages)
