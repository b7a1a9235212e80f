"""Policies: Markdown files with a front-matter block and four sections (see DESIGN.md).

The model is given ``Policy.body`` (everything after the front matter); findings cite the section
ids of the ``## ID Title`` headings under ``# Criteria``.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from app.core.errors import PolicyError

POLICY_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SECTION_HEADING = re.compile(r"^([A-Z][A-Z0-9]*-\d+[a-z]?)\b[\s:.\-—–]*(.*)$")
TOP_SECTIONS = ("instructions", "definitions", "criteria", "examples")
REQUIRED_FIELDS = ("id", "title", "version")


@dataclass(frozen=True)
class Section:
    id: str  # "FP-1"
    title: str
    text: str  # the clause as written, heading included
    # Cheap triage screens from a "Screen:" line in the clause: words, "quoted phrases" and
    # /regular expressions/, matched case-insensitively before the model runs.
    screens: tuple[str, ...] = ()


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


def load_policy(path: Path) -> Policy:
    """Read and parse a policy file (or a folder holding ``policy.md``)."""
    if path.is_dir():
        path = path / "policy.md"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise PolicyError("policy file not found", path=path) from None
    except OSError as error:
        raise PolicyError(f"cannot read policy: {error.strerror}", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("policy is not UTF-8 text", path=path) from None
    return parse_policy(text, path=path, sha256=hashlib.sha256(raw).hexdigest())


def parse_policy(text: str, *, path: Path | None = None, sha256: str | None = None) -> Policy:
    if sha256 is None:
        sha256 = hashlib.sha256(text.encode("utf-8")).hexdigest()
    text = text.replace("\r\n", "\n")
    meta, body = _split_front_matter(text, path)
    for key in REQUIRED_FIELDS:
        if not meta.get(key):
            raise PolicyError(f"front matter has no '{key}:'", path=path)
    if not POLICY_ID.match(meta["id"]):
        raise PolicyError(
            f"policy id '{meta['id']}' must be lowercase letters, digits and '-'", path=path
        )
    parts = _top_sections(body)
    warnings = [f"no '# {name.title()}' section" for name in TOP_SECTIONS if name not in parts]
    if "criteria" not in parts:
        raise PolicyError("no '# Criteria' section: findings would have nothing to cite", path=path)
    sections = _criteria(parts["criteria"], path)
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
    )


def _split_front_matter(text: str, path: Path | None) -> tuple[dict[str, str], str]:
    lines = text.split("\n")
    if not lines or lines[0].strip() != "---":
        raise PolicyError("no front matter: the file must start with a '---' line", path=path)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise PolicyError("front matter is not closed by a '---' line", path=path) from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        content = re.sub(r"\s+#.*$", "", line).strip()  # "key: value   # comment"
        if not content or content.startswith("#"):
            continue
        key, sep, value = content.partition(":")
        if not sep:
            raise PolicyError(f"front matter line {number} is not 'key: value'", path=path)
        meta[key.strip().lower()] = value.strip().strip("'\"")
    return meta, "\n".join(lines[end + 1 :])


def _top_sections(body: str) -> dict[str, str]:
    """Map each known '# Heading' (lowercased) to its text, fenced code ignored."""
    parts: dict[str, list[str]] = {}
    current: list[str] | None = None
    in_fence = False
    for line in body.split("\n"):
        if line.lstrip().startswith("```"):
            in_fence = not in_fence
        match = None if in_fence else re.match(r"^#\s+(.+?)\s*$", line)
        if match:
            name = match.group(1).strip().lower()
            current = parts.setdefault(name, []) if name in TOP_SECTIONS else None
            continue
        if current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in parts.items()}


def _criteria(text: str, path: Path | None) -> tuple[Section, ...]:
    sections: list[Section] = []
    heading: tuple[str, str, list[str]] | None = None

    def close() -> None:
        if heading is not None:
            section_id, title, lines = heading
            clause = "\n".join([f"## {section_id} {title}".rstrip(), *lines]).strip()
            sections.append(Section(section_id, title, clause, _screens(lines, path)))

    for line in text.split("\n"):
        match = re.match(r"^##\s+(.+?)\s*$", line)
        if match:
            close()
            id_match = SECTION_HEADING.match(match.group(1))
            if not id_match:
                raise PolicyError(
                    f"criteria heading '## {match.group(1)}' does not start with a section id "
                    "such as 'FP-1'",
                    path=path,
                )
            section_id = id_match.group(1)
            if any(s.id == section_id for s in sections):
                raise PolicyError(f"duplicate section id {section_id}", path=path)
            heading = (section_id, id_match.group(2).strip(), [])
        elif heading is not None:
            heading[2].append(line)
    close()
    if not sections:
        raise PolicyError("'# Criteria' has no '## ID Title' sections to cite", path=path)
    return tuple(sections)


_SCREEN_LINE = re.compile(r"^\s*screens?:\s*(.+)$", re.IGNORECASE)
_SCREEN_ITEM = re.compile(r'\s*(?:/((?:[^/\\]|\\.)+)/|"([^"]+)"|([^,]+?))\s*(?:,|$)')


def _screens(lines: list[str], path: Path | None) -> tuple[str, ...]:
    """Each screen as a regular expression: /regex/ as written, words and "phrases" escaped
    and bounded by word edges. A screen that is not a valid expression is a policy error."""
    patterns: list[str] = []
    for line in lines:
        match = _SCREEN_LINE.match(line)
        if not match:
            continue
        for item in _SCREEN_ITEM.finditer(match.group(1)):
            regex, phrase, word = item.groups()
            if regex:
                pattern = regex
            else:
                text = (phrase or word or "").strip()
                if not text:
                    continue
                pattern = r"\b" + r"\s+".join(re.escape(w) for w in text.split()) + r"\b"
            try:
                re.compile(pattern, re.IGNORECASE)
            except re.error as error:
                raise PolicyError(f"screen /{pattern}/ is not a valid expression: {error}",
                                  path=path) from None  # fmt: skip
            patterns.append(pattern)
    return tuple(patterns)


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
