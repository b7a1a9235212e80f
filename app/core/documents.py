"""A document as the model sees it: an ordered list of located passages."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

# A passage's place in its file; keys by media type (all numbers start at 1):
#   PDF: {"page": n}
#   DOCX: {"paragraph": n} | {"table": t, "row": r} | {"header": n} | {"footer": n}
#   TXT/MD: {"line": n} (the passage's first line)
# Values are mostly numbers; some keys carry words or flags (docs/contracts.md lists them all),
# e.g. {"page": 2, "field": "Name"}, {"page": 5, "ocr": True, "confidence": 0.97},
# {"page": 1, "running": "footer"}, {"page": 4, "continues": 5}, {"page": 3, "hidden": "white
# text"}, {"part": "attachment spring.docx", "paragraph": 2}.
LocationValue = int | str | bool | float
Location = dict[str, LocationValue]


@dataclass(frozen=True)
class Passage:
    id: str  # "P1", "P2", ... in document order; stable for the same file
    text: str
    location: Location

    def to_json(self) -> dict[str, object]:
        return {"id": self.id, "text": self.text, "location": dict(self.location)}


@dataclass(frozen=True)
class Unread:
    """A part of a file that was not read, and why (shown in the CLI, the app and reports)."""

    where: Location  # {"page": 5} for PDFs; {"part": "embedded image image1.png"} otherwise
    why: str

    def to_json(self) -> dict[str, object]:
        return {**self.where, "why": self.why}


@dataclass(frozen=True)
class Coverage:
    """What of a file was read. Trust rule 2: nothing unread goes unmentioned, and a check over a
    file with unread parts is at best ``needs_review``."""

    pages: int = 0  # PDF pages in the file (0 for formats without pages)
    text: tuple[int, ...] = ()  # PDF pages read from their text layer
    ocr: tuple[int, ...] = ()  # PDF pages read by OCR
    unread: tuple[Unread, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unread

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"unread": [u.to_json() for u in self.unread]}
        if self.pages:
            data = {"pages": self.pages, "text": list(self.text), "ocr": list(self.ocr), **data}
        return data

    def summary(self) -> str:
        """One line for people: 'pages 5, 6 not read (no text layer)'; '' when complete."""
        return "; ".join(
            " ".join(f"{k} {v}" for k, v in u.where.items()) + f" not read ({u.why})"
            for u in self.unread
        )


@dataclass(frozen=True)
class Document:
    path: Path
    sha256: str
    media_type: str
    pages: int  # PDF pages; 1 for other formats
    passages: tuple[Passage, ...]
    warnings: tuple[str, ...] = field(default=())
    coverage: Coverage = field(default_factory=Coverage)
    # Text files: the encoding the bytes were decoded with, and whether it was a guess (no BOM,
    # not UTF-8: a legacy code page picked by charset detection), so the app can offer another.
    encoding: str = ""
    encoding_guessed: bool = False

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
            "coverage": self.coverage.to_json(),
            **(
                {"encoding": {"name": self.encoding, "guessed": self.encoding_guessed}}
                if self.encoding
                else {}
            ),
        }


_TRACKED = ("insertions", "deletions")


def _place(key: str, value: LocationValue) -> str:
    if key == "ocr":
        return "OCR" if value is True else ""
    if key == "confidence":
        return f"confidence {value:.0%}" if isinstance(value, float) else f"confidence {value}"
    if key == "continues":
        return f"continues on page {value}"
    if key == "running":
        return f"running {value}, kept once"
    if key == "field":
        return f"form field '{value}'"
    if key == "hidden":
        return f"hidden: {value}"
    if value is True:
        return key
    return f"{key} {value}"


def format_location(location: Location) -> str:
    """'page 3', 'table 1 row 2', 'paragraph 4 (tracked changes: 1 insertion)', 'page 5 OCR
    confidence 97%', "page 2 form field 'Name'" — for people."""
    places = (_place(key, value) for key, value in location.items() if key not in _TRACKED)
    place = " ".join(p for p in places if p)
    changes = [
        f"{location[key]} {key[:-1] if location[key] == 1 else key}"
        for key in _TRACKED
        if location.get(key)
    ]
    return f"{place} (tracked changes: {', '.join(changes)})" if changes else place


def unread_place(where: Mapping[str, object]) -> str:
    """An unread part for people: 'embedded image image1.png (paragraph 2)', 'page 5'."""
    rest = ", ".join(f"{k} {v}" for k, v in where.items() if k not in ("part", "why"))
    if "part" in where:
        return f"{where['part']} ({rest})" if rest else str(where["part"])
    return rest or "a part"


def number_passages(blocks: list[tuple[str, Location]]) -> tuple[Passage, ...]:
    """Give non-empty text blocks their ids P1, P2, ... in order."""
    passages: list[Passage] = []
    for text, location in blocks:
        cleaned = text.strip()
        if cleaned:
            passages.append(Passage(f"P{len(passages) + 1}", cleaned, location))
    return tuple(passages)
