"""A regulation's structure: chapters, then provisions (articles, sections with §, rules)
holding numbered paragraphs and nested lists, each with the ``ref`` lawyers cite it by:
``Article 4(2)(a)``, ``§ 164.404(a)(1)``, ``Rule 2210(d)(1)(B)``. Nothing is rewritten: every
provision's text is the regulation's own wording, and remembers the passages it came from (so
the app can show the source beside a criterion). ``app.core.regulation_parser`` builds it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["chapter", "article", "section", "rule", "paragraph"]
CONTAINERS: tuple[Kind, ...] = ("article", "section", "rule")
_DEFINITIONS = re.compile(r"\bdefinitions?\b|\bmeaning of terms\b|\binterpretation\b", re.I)
_BINDING = re.compile(
    r"\b(?:shall|must|may not|is prohibited|are prohibited|prohibited from|is required to|"
    r"are required to|is not permitted|are not permitted)\b|\bno\s+(?:\w+\s+){1,3}(?:may|shall)\b",
    re.IGNORECASE,
)
# Obligations addressed to states and authorities bind no document a firm writes.
_AUTHORITY = re.compile(
    r"^(?:each\s+)?(?:member states?|the commission|the board|the secretary|supervisory "
    r"authorit(?:y|ies)|the (?:competent|supervisory) authorit(?:y|ies))\b",
    re.IGNORECASE,
)
# Words about the law's own reach, not duties: "shall apply", "shall enter into force".
_SCOPE = re.compile(
    r"\bshall (?:not )?(?:apply|be without prejudice|enter into force|be binding|be construed)\b",
    re.IGNORECASE,
)
_DEFINED = re.compile(r"^[‘'\"“]?([^‘'\"“”’]{2,60}?)[’'\"”]?\s+(?:means|shall mean)\s+(.+)$", re.I)


@dataclass
class Provision:
    kind: Kind
    label: str  # "4" for Article 4, "(2)" for its second paragraph, "(a)" for a point
    ref: str  # "Article 4(2)(a)"
    title: str = ""  # a heading's title ("Lawfulness of processing"); "" for paragraphs
    lines: list[str] = field(default_factory=list)  # its own text, as written
    passages: list[str] = field(default_factory=list)  # ids of the passages it came from
    children: list[Provision] = field(default_factory=list)
    chapter: str = ""  # the chapter or part it is in ("Chapter II — Principles"), "" none
    style: str = ""  # the marker style of a paragraph ("1.", "(1)", "(a)", "(i)", "(A)")

    @property
    def text(self) -> str:
        """Its own words (without the paragraphs below it)."""
        return " ".join(self.lines).strip()

    def full_text(self, indent: str = "") -> str:
        """Its own words, then each paragraph below it on a line of its own, marker first."""
        lines = [self.text] if self.text else []
        for child in self.children:
            body = child.full_text(indent + "  ").lstrip()
            lines.append(f"{indent}{child.label} {body}".rstrip())
        return "\n".join(lines)

    def walk(self) -> Iterator[Provision]:
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def all_passages(self) -> list[str]:
        seen: dict[str, None] = {}
        for provision in self.walk():
            seen.update(dict.fromkeys(provision.passages))
        return list(seen)

    @property
    def binding(self) -> bool:
        """Whether it states an obligation or a prohibition that can bind a document: 'shall',
        'must', 'may not', 'is prohibited'… not addressed to states or authorities. A first
        guess the user corrects by picking provisions."""
        text = _SCOPE.sub("", self.full_text())
        return bool(_BINDING.search(text)) and not _AUTHORITY.match(text.lstrip("(0123456789.) "))

    @property
    def is_definitions(self) -> bool:
        return self.kind in CONTAINERS and bool(_DEFINITIONS.search(self.title))

    @property
    def number(self) -> tuple[int, ...]:
        """Its number as integers for ranges ('164.404' -> (164, 404)); () when it has none."""
        return tuple(int(part) for part in re.findall(r"\d+", self.label.split("(")[0]))


@dataclass(frozen=True)
class Regulation:
    title: str
    provisions: tuple[Provision, ...]  # the articles, sections or rules, in order
    preamble: str = ""  # text before the first provision (title lines, recitals…)

    def find(self, ref: str) -> Provision | None:
        wanted = _ref_key(ref)
        for provision in self.provisions:
            for item in provision.walk():
                if _ref_key(item.ref) == wanted:
                    return item
        return None

    def definitions(self) -> list[tuple[str, str]]:
        """(term, meaning) from the Definitions provisions: "'x' means …" / "X means …"."""
        found: list[tuple[str, str]] = []
        for provision in self.provisions:
            if not provision.is_definitions:
                continue
            for item in provision.walk():
                for line in item.lines:
                    match = _DEFINED.match(line.strip())
                    if match and len(match.group(1).split()) <= 6:
                        found.append((match.group(1).strip(), match.group(2).strip()))
        return found

    def candidates(self) -> list[Provision]:
        """What may become a criterion: each paragraph directly under a provision, or the
        provision itself when it has none. Definitions provisions feed '# Definitions' instead."""
        items: list[Provision] = []
        for provision in self.provisions:
            if provision.is_definitions:
                continue
            items.extend(provision.children or [provision])
        return items


def _ref_key(ref: str) -> str:
    return re.sub(r"\s+", "", ref).lower().replace("art.", "article")


def select_numbers(provisions: Sequence[Provision], spec: str) -> list[Provision]:
    """Provisions by number: '3-7', '5,7,12-14', '164.400-164.414'. Raises ValueError naming
    what matched nothing."""
    chosen: list[Provision] = []
    for part in (p.strip() for p in spec.split(",")):
        if not part:
            continue
        low_text, _, high_text = part.partition("-") if "-" in part[1:] else (part, "", part)
        low, high = _number(low_text), _number(high_text or low_text)
        matched = [p for p in provisions if p.number and low <= p.number <= high]
        if not matched:
            raise ValueError(f"no article, section or rule numbered {part}")
        chosen.extend(p for p in matched if p not in chosen)
    return chosen


def _number(text: str) -> tuple[int, ...]:
    digits = tuple(int(part) for part in re.findall(r"\d+", text))
    if not digits:
        raise ValueError(f"'{text}' is not a number")
    return digits
