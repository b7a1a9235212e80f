"""Policies: Markdown files with a front-matter block and four sections (see DESIGN.md).

The model is given ``Policy.body`` (everything after the front matter); findings cite the section
ids of the ``## ID Title`` headings under ``# Criteria``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.errors import PolicyError
from app.core.normalise import fold_literal
from app.core.patterns import ScreenPatternError, compile_screen

POLICY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SECTION_HEADING = re.compile(r"^([A-Z][A-Z0-9]*-\d+[a-z]?)\b[\s:.\-—–]*(.*)$")
TOP_SECTIONS = ("instructions", "definitions", "criteria", "examples")
REQUIRED_FIELDS = ("id", "title", "version")
MAX_POLICY_BYTES = 1024 * 1024  # a policy is a few KB; lint refuses anything over 10,000 tokens
_TRUE = ("true", "yes", "1")


@dataclass(frozen=True)
class Section:
    id: str  # "FP-1"
    title: str
    text: str  # the clause as written, heading included
    # Cheap triage screens from a "Screen:" line in the clause: words, "quoted phrases" and
    # /regular expressions/, matched case-insensitively before the model runs.
    screens: tuple[str, ...] = ()
    line: int = 0  # the 1-based line of its "## ID Title" heading in the policy file


@dataclass(frozen=True)
class Policy:
    id: str
    title: str
    version: str
    sha256: str
    path: Path | None
    body: str  # what the model reads: the Markdown after the front matter
    sections: tuple[Section, ...]
    jurisdiction: str = ""
    source: str = ""
    warnings: tuple[str, ...] = field(default=())
    # Front-matter flags. ``template: true`` — a starting point for "new from template", never
    # offered for checks. ``draft: true`` — saved while unfinished, not offered for checks.
    # ``note:`` — free text for people (e.g. "draft for a compliance officer to adopt").
    template: bool = False
    draft: bool = False
    note: str = ""

    @property
    def checkable(self) -> bool:
        """Whether the policy may be offered for checks (templates and drafts are not)."""
        return not (self.template or self.draft)

    def section(self, section_id: str) -> Section | None:
        for section in self.sections:
            if section.id == section_id:
                return section
        return None

    @property
    def section_ids(self) -> tuple[str, ...]:
        return tuple(s.id for s in self.sections)

    def to_json(self) -> dict[str, str]:
        return {"id": self.id, "version": self.version, "sha256": self.sha256}


def read_policy_text(path: Path) -> str:
    """The text of a policy file, read bounded (for the editor and ``policy lint``)."""
    raw = read_regular_file(path, MAX_POLICY_BYTES, "policy file", PolicyError)
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("policy is not UTF-8 text", path=path) from None


def load_policy(path: Path) -> Policy:
    """Read and parse a policy file (or a folder holding ``policy.md``). The read is bounded:
    a FIFO, a device or a file over ``MAX_POLICY_BYTES`` is refused before reading."""
    if path.is_dir():
        path = path / "policy.md"
    raw = read_regular_file(path, MAX_POLICY_BYTES, "policy file", PolicyError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("policy is not UTF-8 text", path=path) from None
    return parse_policy(text, path=path, sha256=hashlib.sha256(raw).hexdigest())


def parse_policy(
    text: str,
    *,
    path: Path | None = None,
    sha256: str | None = None,
    strict_screens: bool = True,
) -> Policy:
    """Parse policy text. ``strict_screens=False`` (lint) drops screens that do not compile or
    could run away instead of refusing the policy, so the linter can list them all."""
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    text = text.replace("\r\n", "\n")
    meta, body, offset = _split_front_matter(text, path)
    for key in REQUIRED_FIELDS:
        if not meta.get(key):
            raise PolicyError(f"front matter has no '{key}:'", path=path, line=1)
    if not POLICY_ID.match(meta["id"]):
        raise PolicyError(
            f"policy id '{meta['id']}' must be lowercase letters, digits and '-'",
            path=path,
            line=_meta_line(text, "id"),
        )
    parts = _top_sections(body)
    warnings = [f"no '# {name.title()}' section" for name in TOP_SECTIONS if name not in parts]
    if "criteria" not in parts:
        raise PolicyError("no '# Criteria' section: findings would have nothing to cite", path=path)
    start, lines = parts["criteria"]
    sections = _criteria(lines, offset + start, path, strict_screens)
    return Policy(
        id=meta["id"],
        title=meta["title"],
        version=meta["version"],
        sha256=sha256,
        path=path,
        body=body.strip() + "\n",
        sections=sections,
        jurisdiction=meta.get("jurisdiction", ""),
        source=meta.get("source", ""),
        warnings=tuple(warnings),
        template=meta.get("template", "").lower() in _TRUE,
        draft=meta.get("draft", "").lower() in _TRUE,
        note=meta.get("note", ""),
    )


def _meta_line(text: str, key: str) -> int:
    for number, line in enumerate(text.split("\n"), start=1):
        if line.strip().lower().startswith(f"{key}:"):
            return number
    return 1


def _split_front_matter(text: str, path: Path | None) -> tuple[dict[str, str], str, int]:
    """(meta, body, lines before the body)."""
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PolicyError(
            "no front matter: the file must start with a '---' line", path=path, line=1
        )
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise PolicyError("front matter is not closed by a '---' line", path=path, line=1) from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        content = re.sub(r"\s+#.*$", "", line).strip()  # "key: value   # comment"
        if not content or content.startswith("#"):
            continue
        key, sep, value = content.partition(":")
        if not sep:
            raise PolicyError(
                f"front matter line {number} is not 'key: value'", path=path, line=number
            )
        meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, "\n".join(lines[end + 1 :]), end + 1


def _top_sections(body: str) -> dict[str, tuple[int, list[str]]]:
    """Map each known '# Heading' (lowercased) to (index of its first body line, its lines),
    fenced code ignored."""
    parts: dict[str, tuple[int, list[str]]] = {}
    current: list[str] | None = None
    in_fence = False
    for index, line in enumerate(body.split("\n")):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else re.match(r"^#\s+(.+?)\s*$", line)
        if match:
            name = match.group(1).strip().lower()
            current = parts.setdefault(name, (index + 1, []))[1] if name in TOP_SECTIONS else None
            continue
        if current is not None:
            current.append(line)
    return parts


def _criteria(
    text: list[str], first_line: int, path: Path | None, strict: bool
) -> tuple[Section, ...]:
    """``text``: the lines under '# Criteria'; ``first_line``: the 0-based file line of the
    first of them."""
    sections: list[Section] = []
    heading: tuple[str, str, int, list[str]] | None = None

    def close() -> None:
        if heading is not None:
            section_id, title, line, lines = heading
            clause = "\n".join([f"## {section_id} {title}".rstrip(), *lines]).strip()
            screens = _screens(lines, line, path, strict)
            sections.append(Section(section_id, title, clause, screens, line))

    for index, line in enumerate(text):
        number = first_line + index + 1
        match = re.match(r"^##\s+(.+?)\s*$", line)
        if match:
            close()
            id_match = SECTION_HEADING.match(match.group(1))
            if not id_match:
                raise PolicyError(
                    f"criteria heading '## {match.group(1)}' does not start with a section id "
                    "such as 'FP-1'",
                    path=path,
                    line=number,
                )
            section_id = id_match.group(1)
            if any(s.id == section_id for s in sections):
                raise PolicyError(f"duplicate section id {section_id}", path=path, line=number)
            heading = (section_id, id_match.group(2).strip(), number, [])
        elif heading is not None:
            heading[3].append(line)
    close()
    if not sections:
        raise PolicyError(
            "'# Criteria' has no '## ID Title' sections to cite", path=path, line=first_line
        )
    return tuple(sections)


_SCREEN_LINE = re.compile(r"^\s*screens?:\s*(.+)$", re.IGNORECASE)
_SCREEN_ITEM = re.compile(r'\s*(?:/((?:[^/\\]|\\.)+)/|"([^"]+)"|([^,]+?))\s*(?:,|$)')


def screen_items(line: str) -> list[tuple[str, bool]] | None:
    """The screens a 'Screen:' line declares, as (regular expression, written as /regex/);
    None when the line is not a screen line. Words and "phrases" are escaped and bounded by
    word edges; one with accents or look-alike letters also matches its folded form (what
    ``app.core.normalise`` makes of disguised text)."""
    match = _SCREEN_LINE.match(line)
    if not match:
        return None
    items: list[tuple[str, bool]] = []
    for item in _SCREEN_ITEM.finditer(match.group(1)):
        regex, phrase, word = item.groups()
        if regex:
            items.append((regex, True))
            continue
        text = (phrase or word or "").strip()
        if not text:
            continue
        forms = dict.fromkeys([text, fold_literal(text)])  # one form when folding changes nothing
        bodies = [r"\s+".join(re.escape(w) for w in form.split()) for form in forms]
        body = bodies[0] if len(bodies) == 1 else "(?:" + "|".join(bodies) + ")"
        # \b only works next to a word character: "#gifted" or "+ VAT" get lookarounds instead
        head = r"\b" if re.match(r"\w", text) else r"(?<!\w)"
        tail = r"\b" if re.search(r"\w$", text) else r"(?!\w)"
        items.append((head + body + tail, False))
    return items


def _screens(
    lines: list[str], heading_line: int, path: Path | None, strict: bool
) -> tuple[str, ...]:
    """Each screen of a clause as a regular expression. One that does not compile, or has a
    nested quantifier that could hang a check, is a policy error (dropped when not strict)."""
    patterns: list[str] = []
    for index, line in enumerate(lines, start=1):
        for pattern, _written in screen_items(line) or []:
            try:
                compile_screen(pattern)
            except ScreenPatternError as error:
                if not strict:
                    continue
                raise PolicyError(
                    f"screen /{pattern}/ is refused: {error}", path=path, line=heading_line + index
                ) from None
            patterns.append(pattern)
    return tuple(patterns)


def new_from_template(text: str, policy_id: str, title: str) -> str:
    """A fresh policy from a template's text: the given id and title, version 1.0.0, and no
    ``template:`` flag (so the copy is offered for checks once it is finished)."""
    if not POLICY_ID.match(policy_id):
        raise PolicyError(f"policy id '{policy_id}' must be lowercase letters, digits and '-'")
    meta_end = text.find("\n---", 3)
    if not text.startswith("---") or meta_end < 0:
        raise PolicyError("the template has no front matter")
    head, rest = text[:meta_end], text[meta_end:]
    replaced = {"id": policy_id, "title": title, "version": "1.0.0"}
    lines = []
    for line in head.split("\n"):
        key = line.partition(":")[0].strip().lower()
        if key == "template":
            continue
        lines.append(f"{key}: {replaced.pop(key)}" if key in replaced else line)
    lines[1:1] = [f"{key}: {value}" for key, value in replaced.items()]  # keys it lacked
    return "\n".join(lines) + rest


_VERSION_LINE = re.compile(r"^(version:\s*)(\d+)\.(\d+)\.(\d+)\s*$", re.MULTILINE)


def bump_version(text: str) -> tuple[str, str]:
    """Raise the patch number of the front matter's ``version: X.Y.Z`` (a saved edit is a new
    version, so reports and test results name exactly what was applied). Returns (text, new
    version); a policy without a version line gets ``version: 1.0.0`` added."""
    match = _VERSION_LINE.search(text)
    if match is None:
        if text.startswith("---\n"):
            return text.replace("---\n", "---\nversion: 1.0.0\n", 1), "1.0.0"
        return text, ""
    major, minor, patch = (int(match.group(n)) for n in (2, 3, 4))
    version = f"{major}.{minor}.{patch + 1}"
    return text[: match.start()] + match.group(1) + version + text[match.end() :], version
