"""The policy library: bundled policies plus the user's own, found by id or by path.

The library never breaks: a user policy that does not parse, or a folder entry that is a
symlink, a device or a FIFO, is skipped and reported (``problems()``, one line each), never
raised from ``all()``. Templates (``template: true``) and drafts (``draft: true``) are listed by
``all()`` but not offered for checks (``checkable()``).
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from app.core.bounded import file_kind
from app.core.errors import PolicyError
from app.core.policy import Policy, load_policy

POLICY_FILE = "policy.md"


@dataclass(frozen=True)
class LibraryProblem:
    """A library entry that was skipped, and why, in one line."""

    path: Path
    problem: str

    def __str__(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class LibraryScan:
    policies: tuple[Policy, ...]  # sorted by id; user policies shadow bundled ones
    problems: tuple[LibraryProblem, ...]


class PolicyLibrary:
    """User policies shadow bundled ones with the same id (a user may edit a copy); folders
    earlier in the list win."""

    def __init__(self, folders: list[Path]) -> None:
        self.folders = folders

    def _candidates(self) -> tuple[list[tuple[str, list[Path]]], list[LibraryProblem]]:
        """Per id, its policy files, best first; and the entries skipped on the way."""
        by_id: dict[str, list[Path]] = {}
        problems: list[LibraryProblem] = []
        for folder in self.folders:
            for entry in _entries(folder, problems):
                by_id.setdefault(entry.parent.name, []).append(entry)
        return sorted(by_id.items()), problems

    def _files(self) -> dict[str, Path]:
        return {pid: paths[0] for pid, paths in self._candidates()[0]}

    def ids(self) -> list[str]:
        return sorted(self._files())

    def scan(self) -> LibraryScan:
        """Parse every policy once. A policy that does not parse is reported; if an earlier
        folder's copy of an id is broken, the next folder's copy stands in and the problem
        says so."""
        candidates, problems = self._candidates()
        policies: list[Policy] = []
        for _pid, paths in candidates:
            for number, path in enumerate(paths):
                try:
                    policies.append(load_policy(path))
                except PolicyError as error:
                    later = paths[number + 1 :]
                    fallback = f"; {later[0]} is used instead" if later else ""
                    problems.append(LibraryProblem(path, _one_line(error) + fallback))
                    continue
                break
        return LibraryScan(tuple(policies), tuple(problems))

    def all(self) -> list[Policy]:
        """Every policy that parses (templates and drafts included), sorted by id."""
        return list(self.scan().policies)

    def checkable(self) -> list[Policy]:
        """The policies a check may be run with: no templates, no drafts."""
        return [policy for policy in self.scan().policies if policy.checkable]

    def templates(self) -> list[Policy]:
        return [policy for policy in self.scan().policies if policy.template]

    def problems(self) -> list[LibraryProblem]:
        """Entries skipped by ``all()``: unparsable policies, symlinks, devices, FIFOs."""
        return list(self.scan().problems)

    def path_of(self, ref: str) -> Path:
        """The policy file behind an id or a path, without parsing it."""
        path = Path(ref).expanduser()
        if path.suffix.lower() == ".md" or path.exists() or "/" in ref or "\\" in ref:
            return path / POLICY_FILE if path.is_dir() else path
        files = self._files()
        if ref in files:
            return files[ref]
        known = ", ".join(sorted(files)) or "none"
        raise PolicyError(f"unknown policy '{ref}' (bundled and user policies: {known})")

    def resolve(self, ref: str) -> Policy:
        """A policy id from the library, or a path to a policy file or folder."""
        return load_policy(self.path_of(ref))


def _entries(folder: Path, problems: list[LibraryProblem]) -> list[Path]:
    """The ``<id>/policy.md`` files of one library folder. Entries are looked at with lstat:
    a symlink (to anything) or a special file is skipped with a problem, never followed or
    opened, so a link to /dev/zero or a FIFO cannot hang the listing."""
    try:
        names = sorted(os.listdir(folder))
    except FileNotFoundError:
        return []
    except OSError as error:
        problems.append(LibraryProblem(folder, f"cannot list policy folder: {error.strerror}"))
        return []
    found: list[Path] = []
    for name in names:
        entry = folder / name
        kind = _lkind(entry)
        if kind == "a folder":
            policy = entry / POLICY_FILE
            policy_kind = _lkind(policy)
            if policy_kind == "":
                found.append(policy)
            elif policy_kind is not None:
                problems.append(LibraryProblem(policy, f"skipped: {policy_kind}"))
        elif kind not in ("", None):  # plain files (README, notes) are not policies
            problems.append(LibraryProblem(entry, f"skipped: {kind}"))
    return found


def _lkind(path: Path) -> str | None:
    """'' regular file, 'a folder', 'a symlink', 'a FIFO …', 'a device'…; None: missing."""
    try:
        mode = os.lstat(path).st_mode
    except FileNotFoundError:
        return None
    except OSError as error:
        return f"cannot be read ({error.strerror})"
    if stat.S_ISLNK(mode):
        return "a symlink (policies must be real files in the folder)"
    return file_kind(mode)


def _one_line(error: PolicyError) -> str:
    where = f"line {error.line}: " if error.line else ""
    return " ".join(f"{where}{error.detail}".split())
