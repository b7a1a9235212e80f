"""A policy draft from a regulation's own text: each chosen provision becomes a criterion
``ID-n`` that states the rule in the regulation's words and cites it on a ``Source:`` line; the
Definitions provision feeds ``# Definitions``; the Instructions come from a template for the
kind of document checked. Examples are never made up here: they are marked gaps that lint
names, for a person (or the installed model, as a draft) to write.

Long selections are split into several policies of 400-600 tokens, one per chapter or topic,
because the model applies a short policy more reliably than a long one.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from app.core.lint import TOKENS_HIGH, TOKENS_LOW, gap_marker
from app.core.policy import POLICY_ID
from app.core.regulation import Provision, Regulation

DocumentKind = Literal["marketing", "contract", "notice", "general"]
# What the checked document is, in the Instructions and in the gaps' wording.
KINDS: dict[DocumentKind, tuple[str, str]] = {
    "marketing": (
        "a marketing communication",
        "a marketing communication (an advertisement, brochure, e-mail, web page or social "
        "media post)",
    ),
    "contract": ("a contract", "a contract, or its terms and conditions"),
    "notice": (
        "a notice",
        "a notice to customers or the public (a privacy notice, a disclosure or a letter)",
    ),
    "general": ("a document", "a document the organisation writes"),
}
INSTRUCTIONS = (
    "Decide whether the content, {what}, breaks a criterion below. The criteria restate "
    "provisions of {regulation} in its own words; each names its source. Cite the passage and "
    "quote its exact words. Content that no criterion applies to is compliant. If a criterion "
    "could apply but the content does not show enough to decide, answer needs_review and say "
    "what a reviewer must check."
)
MAX_DEFINITIONS = 5
_DEFINITION_WORDS = 25
CountTokens = Callable[[str], int]


@dataclass(frozen=True)
class DraftSpec:
    policy_id: str
    kind: DocumentKind = "general"
    source: str = ""  # where the text came from: file name and sha256
    prefix: str = ""  # section id prefix; "" derives one from the id ("gdpr" -> "GDPR")
    name: str = ""  # the regulation's short name in titles; "" derives one from its title


@dataclass(frozen=True)
class DraftCriterion:
    section_id: str  # "GDPR-3"
    ref: str  # the provision it restates, as on its Source: line ("Article 7(2)")
    passages: tuple[str, ...]  # the regulation's passages behind it (for the side-by-side view)


@dataclass(frozen=True)
class PolicyDraft:
    policy_id: str
    title: str
    text: str  # the policy file, front matter first, with ``draft: true``
    criteria: tuple[DraftCriterion, ...]
    tokens: int


def section_prefix(policy_id: str) -> str:
    """A section id prefix from a policy id: 'gdpr' -> 'GDPR', 'consumer-credit' -> 'CC'."""
    parts = [p for p in re.split(r"[^a-z0-9]+", policy_id.lower()) if p]
    joined = "".join(parts).upper()
    prefix = joined if len(joined) <= 6 else "".join(p[0] for p in parts).upper()
    if len(prefix) < 2:
        prefix = joined[:4]
    return prefix if prefix[:1].isalpha() else f"P{prefix}"[:6]


def draft_policies(
    regulation: Regulation,
    chosen: Sequence[Provision],
    spec: DraftSpec,
    count_tokens: CountTokens,
) -> list[PolicyDraft]:
    """One draft, or several of 400-600 tokens each (ids ``ID-1``, ``ID-2``…) when the chosen
    provisions do not fit one. Raises ValueError for a bad id or an empty choice."""
    if not POLICY_ID.match(spec.policy_id):
        raise ValueError(f"policy id '{spec.policy_id}' must be lowercase letters, digits and '-'")
    if not chosen:
        raise ValueError("no provisions chosen: pick the ones that bind the documents you check")
    prefix = spec.prefix or section_prefix(spec.policy_id)
    items = []
    for number, provision in enumerate(chosen, start=1):
        container, parent = _place(regulation, provision)
        lead_in = parent.text if parent is not None and parent is not container else ""
        items.append(_Item(number, provision, container, lead_in))
    renderer = _Renderer(regulation, spec, count_tokens, prefix)
    parts = _merge_small(_pack(items, renderer), renderer)
    drafts = []
    for number, part in enumerate(parts, start=1):
        policy_id = spec.policy_id if len(parts) == 1 else f"{spec.policy_id}-{number}"
        title, text = renderer.render(part, policy_id)
        criteria = tuple(
            DraftCriterion(f"{prefix}-{n}", i.provision.ref, tuple(i.provision.all_passages))
            for n, i in enumerate(part, start=1)
        )
        drafts.append(PolicyDraft(policy_id, title, text, criteria, count_tokens(text)))
    return drafts


@dataclass(frozen=True)
class _Item:
    index: int  # its place in the choice (sections are numbered per policy when rendered)
    provision: Provision
    container: Provision  # the article, section or rule it belongs to
    lead_in: str = ""  # for a list point chosen on its own: the words that introduce the list

    @property
    def topic(self) -> str:
        return self.container.chapter or self.container.ref


def _place(regulation: Regulation, provision: Provision) -> tuple[Provision, Provision | None]:
    """(the article, section or rule holding it, the provision directly above it)."""
    for container in regulation.provisions:
        for item in container.walk():
            if item is provision:
                return container, None
            if any(child is provision for child in item.children):
                return container, item
    return provision, None


def short_name(title: str) -> str:
    """'Regulation (EU) 2016/679 — General Data Protection Regulation (GDPR)' -> 'GDPR'."""
    acronym = re.search(r"\(([A-Z][A-Za-z0-9 .-]{1,15})\)\s*$", title)
    if acronym:
        return acronym.group(1)
    return _one_line(title.split(" — ")[0], 60)


def _pack(items: list[_Item], renderer: _Renderer) -> list[list[_Item]]:
    """Per topic (chapter), whole articles while they fit; an article too long for one policy
    is split between its paragraphs; a topic never shares a policy here (see _merge_small)."""
    parts: list[list[_Item]] = []
    for topic in _runs(items, lambda i: i.topic):
        current: list[_Item] = []
        for unit in _runs(topic, lambda i: i.container.ref):
            if current and renderer.tokens(current + unit) <= TOKENS_HIGH:
                current += unit
                continue
            if current:
                parts.append(current)
            current = []
            for item in unit:  # an article on its own: split where it overflows
                if current and renderer.tokens([*current, item]) > TOKENS_HIGH:
                    parts.append(current)
                    current = []
                current.append(item)
        if current:
            parts.append(current)
    return parts


def _merge_small(parts: list[list[_Item]], renderer: _Renderer) -> list[list[_Item]]:
    """A policy under 400 tokens joins the next one when together they stay within 600."""
    merged: list[list[_Item]] = []
    for part in parts:
        if merged and (
            renderer.tokens(merged[-1]) < TOKENS_LOW or renderer.tokens(part) < TOKENS_LOW
        ):
            candidate = merged[-1] + part
            if renderer.tokens(candidate) <= TOKENS_HIGH:
                merged[-1] = candidate
                continue
        merged.append(part)
    return merged


def _runs(items: list[_Item], key: Callable[[_Item], str]) -> list[list[_Item]]:
    runs: list[list[_Item]] = []
    for item in items:
        if runs and key(runs[-1][-1]) == key(item):
            runs[-1].append(item)
        else:
            runs.append([item])
    return runs


class _Renderer:
    def __init__(
        self, regulation: Regulation, spec: DraftSpec, count: CountTokens, prefix: str
    ) -> None:
        self.regulation = regulation
        self.prefix = prefix
        self.spec = spec
        self.count = count
        self.definitions = regulation.definitions()
        self._cache: dict[tuple[int, ...], int] = {}

    def tokens(self, part: list[_Item]) -> int:
        key = tuple(i.index for i in part)
        if key not in self._cache:
            self._cache[key] = self.count(self.render(part, self.spec.policy_id)[1])
        return self._cache[key]

    def render(self, part: list[_Item], policy_id: str) -> tuple[str, str]:
        noun, what = KINDS[self.spec.kind]
        name = self.spec.name or short_name(self.regulation.title)
        title = _one_line(f"{name} — {_topic(part)}", 160)
        note = "drafted from the regulation's text: check each criterion against its Source"
        front = [
            "---",
            f"id: {policy_id}",
            f"title: {title}",
            "version: 0.1.0",
            "draft: true",
            f"jurisdiction: {_one_line(self.regulation.title, 160)}",
            *([f"source: {_one_line(self.spec.source, 200)}"] if self.spec.source else []),
            f"note: {note}",
            "---",
        ]
        body = [
            "# Instructions",
            INSTRUCTIONS.format(what=what, regulation=_one_line(name, 160)),
            "",
            "# Definitions",
            *self._definitions(part),
            "",
            "# Criteria",
        ]
        ids = [f"{self.prefix}-{n}" for n in range(1, len(part) + 1)]
        for section_id, item in zip(ids, part, strict=True):
            body += [
                f"## {section_id} {_criterion_title(item)}",
                *_rule_lines(item),
                f"Source: {item.provision.ref}",
            ]
        body += ["", "# Examples"]
        for section_id in ids:
            body += [
                f"## {section_id} violation",
                "> " + gap_marker(f"{noun} breaking {section_id}"),
            ]
        for _ in range(max(1, 4 - len(part))):
            body += ["## Compliant", "> " + gap_marker("a compliant passage")]
        return title, "\n".join(front + body) + "\n"

    def _definitions(self, part: list[_Item]) -> list[str]:
        """The regulation's definitions of terms the chosen provisions use, most used first."""
        text = " ".join(f"{i.lead_in} {i.provision.full_text()}" for i in part).lower()
        used = []
        for term, meaning in self.definitions:
            hits = len(re.findall(rf"(?<!\w){re.escape(term.lower())}s?(?!\w)", text))
            if hits:
                used.append((hits, term, meaning))
        used.sort(key=lambda entry: -entry[0])
        lines = [f"- {term}: {_cut_words(meaning)}" for _, term, meaning in used[:MAX_DEFINITIONS]]
        return lines or [f"Terms have the meaning {self.regulation.title} gives them."]


def _topic(part: list[_Item]) -> str:
    topics = list(dict.fromkeys(i.topic for i in part))
    if len(topics) == 1 and part[0].container.chapter:
        return topics[0]
    containers = list(dict.fromkeys(i.container.ref for i in part))
    if len(containers) == 1:
        container = part[0].container
        return f"{container.ref} {container.title}".strip()
    return f"{containers[0]} to {containers[-1]}"


def _criterion_title(item: _Item) -> str:
    container = item.container
    where = item.provision.ref[len(container.ref) :]  # "(1)(a)" under "Article 5"
    title = container.title or " ".join(item.provision.text.split()[:8])
    return _one_line(f"{title} {where}".strip(), 100)


_SCREEN_LIKE = re.compile(r"^\s*(screens?|source)\s*:", re.IGNORECASE)


def _rule_lines(item: _Item) -> list[str]:
    """The rule in the regulation's words, its list points on their own lines (a point chosen
    on its own comes after the words that introduce its list). A line that would read as
    Markdown structure or as a Screen:/Source: line is defused."""
    own = item.provision.full_text()
    if item.lead_in:
        own = f"{item.lead_in}\n{item.provision.label} {own}"
    lines = own.split("\n")
    out = []
    for number, line in enumerate(lines):
        line = line.lstrip("#").rstrip() if line.lstrip().startswith("#") else line.rstrip()
        if _SCREEN_LIKE.match(line):
            line = f"(text) {line.strip()}"
        out.append(f"Violates when the content breaks this rule: {line}" if number == 0 else line)
    return out


def _one_line(text: str, limit: int) -> str:
    """A front-matter-safe value: one line, no ' #' (a comment there), cut at a word."""
    flat = " ".join(text.split()).replace(" #", " no. ")
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"


def _cut_words(text: str) -> str:
    words = text.split()
    return (
        " ".join(words)
        if len(words) <= _DEFINITION_WORDS
        else (" ".join(words[:_DEFINITION_WORDS]) + " …")
    )
