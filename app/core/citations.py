"""Never trust a citation that code has not checked.

A finding is verified when its section exists in the policy, its passage exists in the document,
and its quote appears in that passage. The comparison ignores case, runs of whitespace, and the
difference between typographic and straight quote marks and dashes, and a hyphen that breaks
a word between two letters ("guaran- teed" from a line-end hyphen kept by the reader matches
"guaranteed", and the other way round); nothing else is forgiven. The quote must also start and
end on word boundaries: "no" is not found in "Northwind".
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from app.core.documents import Document
from app.core.policy import Policy
from app.core.verdict import Finding

_EQUIVALENT = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "`": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
        "\u00ab": '"',
        "\u00bb": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
        "\u00ad": None,  # soft hyphen: invisible in the document, so not part of a quote
    }
)


def normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).translate(_EQUIVALENT)
    return re.sub(r"\s+", " ", text).strip().casefold()


@dataclass(frozen=True)
class CitationCheck:
    section_exists: bool
    passage_exists: bool
    quote_found: bool

    @property
    def verified(self) -> bool:
        return self.section_exists and self.passage_exists and self.quote_found

    @property
    def problem(self) -> str:
        if not self.section_exists:
            return "the cited policy section does not exist"
        if not self.passage_exists:
            return "the cited passage does not exist"
        if not self.quote_found:
            return "the quoted words are not in the cited passage"
        return ""


def citation_key(finding: Finding) -> tuple[str, str, str]:
    """Two findings with this key cite the same words of the same passage for the same
    section: one of them is a repeat (a model repeating itself, windows overlapping, a finding
    raised again on a re-check)."""
    return finding.section, finding.passage, normalise(finding.quote)


def check_citation(finding: Finding, policy: Policy, document: Document) -> CitationCheck:
    passage = document.passage(finding.passage)
    quote = normalise(finding.quote)
    return CitationCheck(
        section_exists=policy.section(finding.section) is not None,
        passage_exists=passage is not None,
        quote_found=passage is not None and quote_in(quote, normalise(passage.text)),
    )


# A hyphen right after a letter and before a letter (line breaks and spaces after it allowed):
# how a reader leaves a word split at a line end. Letters only: "2019-2020" stays as it is.
_BREAK_HYPHEN = re.compile(r"(?<=[^\W\d_])-\s*(?=[^\W\d_])")


def quote_in(quote: str, text: str) -> bool:
    """Both arguments normalised. Word characters at the quote's edges must not continue."""
    if not quote:
        return False
    if re.search(_bounded(quote), text) is not None:
        return True
    # Only the word-splitting hyphen is forgiven, on both sides: a model may quote the word
    # whole or as printed, and a reader may have joined a compound that had a real hyphen.
    unbroken = _BREAK_HYPHEN.sub("", quote)
    return bool(unbroken) and re.search(_bounded(unbroken), _BREAK_HYPHEN.sub("", text)) is not None


def _bounded(needle: str) -> str:
    """The needle as a pattern whose word characters at either edge may not continue."""
    pattern = re.escape(needle)
    if needle[0].isalnum():
        pattern = r"(?<!\w)" + pattern
    if needle[-1].isalnum():
        pattern += r"(?!\w)"
    return pattern


def quote_span(quote: str, text: str) -> tuple[int, int] | None:
    """Where ``quote`` is in ``text`` (both as written), matched the way ``quote_in`` matches:
    case, whitespace (line breaks included) and typographic marks ignored. For highlighting."""
    folded: list[str] = []
    origin: list[int] = []  # folded character -> index in text
    for index, char in enumerate(text):
        if char.isspace():
            if folded and folded[-1] != " ":
                folded.append(" ")
                origin.append(index)
            continue
        for piece in unicodedata.normalize("NFKC", char).translate(_EQUIVALENT).casefold():
            folded.append(piece)
            origin.append(index)
    needle = normalise(quote)
    if not needle:
        return None
    match = re.search(_bounded(needle), "".join(folded))
    if match is None:
        folded, origin = _without_break_hyphens(folded, origin)
        needle = _BREAK_HYPHEN.sub("", needle)
        match = re.search(_bounded(needle), "".join(folded)) if needle else None
    if match is None:
        return None
    return origin[match.start()], origin[match.end() - 1] + 1


def _without_break_hyphens(folded: list[str], origin: list[int]) -> tuple[list[str], list[int]]:
    """``folded`` with word-splitting hyphens (and the spaces after them) dropped, keeping each
    remaining character's index in the original text."""
    joined = "".join(folded)
    keep = [True] * len(folded)
    for match in _BREAK_HYPHEN.finditer(joined):
        for index in range(match.start(), match.end()):
            keep[index] = False
    return (
        [c for c, k in zip(folded, keep, strict=True) if k],
        [o for o, k in zip(origin, keep, strict=True) if k],
    )
