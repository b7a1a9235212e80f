"""The policy library as both front ends see it: the user's folder first, then the bundled one;
and what changes it: add a policy from disk, remove one, save an edit, copy one to edit.

Bundled policies are part of the app and never change. A user policy replaced or removed is
moved aside (``<data dir>/removed-policies``), never deleted: the user may want it back.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.errors import InputError, PolicyError, UsageError
from app.core.front_matter import set_front_matter
from app.core.library import POLICY_FILE, PolicyLibrary
from app.core.lint import MAX_CASES_BYTES, LintIssue, lint_text, load_cases
from app.core.policy import (
    MAX_POLICY_BYTES,
    POLICY_ID,
    Policy,
    bump_version,
    new_from_template,
    parse_policy,
)
from app.inference.harmony import count_text_tokens
from app.runtime.files import atomic_write
from app.runtime.paths import data_dir, user_policies_dir
from app.runtime.resources import bundled_policies_dir

CASES_FILE = "cases.jsonl"


def library() -> PolicyLibrary:
    return PolicyLibrary([user_policies_dir(), bundled_policies_dir()])


def resolve_policies(library: PolicyLibrary, refs: list[str]) -> list[Policy]:
    """Policies by id or path, in the order given; the same policy twice is a usage error."""
    policies = [library.resolve(ref) for ref in refs]
    ids = [p.id for p in policies]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise UsageError(f"policy given twice: {', '.join(duplicates)}")
    return policies


def is_user_policy(policy: Policy) -> bool:
    return bool(policy.path and user_policies_dir() in policy.path.parents)


def is_user_path(path: Path) -> bool:
    return user_policies_dir() in path.parents


def removed_dir() -> Path:
    return data_dir() / "removed-policies"


def lint_policy(text: str, path: Path | None) -> tuple[Policy | None, list[LintIssue]]:
    """Lint as ``policy lint`` does: with the cases beside the file, when they load."""
    cases_file = path.parent / CASES_FILE if path else None
    try:
        cases = load_cases(cases_file) if cases_file and cases_file.exists() else []
    except InputError:
        cases = []
    return lint_text(text, count_text_tokens, path=path, cases=cases)


def id_in_use(lib: PolicyLibrary, policy_id: str) -> str:
    """Where a policy id is already used ('bundled', 'yours', 'yours, not loading'), or ''."""
    scan = lib.scan()
    for policy in scan.policies:
        if policy.id == policy_id or (policy.path and policy.path.parent.name == policy_id):
            return "yours" if is_user_policy(policy) else "bundled"
    if any(p.path.parent.name == policy_id for p in scan.problems):
        return "yours, not loading"
    if (user_policies_dir() / policy_id).exists():
        return "yours"
    return ""


@dataclass(frozen=True)
class Added:
    policy: Policy
    folder: Path
    cases: int
    moved_aside: Path | None  # where the replaced copy went
    shadows_bundled: bool  # the id is also a bundled policy's: the user's copy is used


def add_policy(lib: PolicyLibrary, source: Path, replace: bool = False) -> Added:
    """Copy a policy (``policy.md`` or its folder, with its ``cases.jsonl``) into the user's
    library, validated first: it must parse, its cases must load, and lint must find no error
    unless it is marked ``draft: true``. An id in use is refused unless ``replace``."""
    policy_file = source / POLICY_FILE if source.is_dir() else source
    raw = read_regular_file(policy_file, MAX_POLICY_BYTES, "policy file", PolicyError)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PolicyError("policy is not UTF-8 text", path=policy_file) from None
    policy = parse_policy(text, path=policy_file)
    cases_file = policy_file.parent / CASES_FILE
    cases_raw = b""
    cases = []
    if cases_file.exists():
        cases = load_cases(cases_file)
        cases_raw = read_regular_file(cases_file, MAX_CASES_BYTES, "test cases file", PolicyError)
    _, issues = lint_text(text, count_text_tokens, path=policy_file, cases=cases)
    errors = [issue for issue in issues if issue.level == "error"]
    if errors and not policy.draft:
        raise PolicyError(
            f"{errors[0]} ({len(errors)} lint error(s)); fix them, or mark it 'draft: true' to "
            "add it unfinished (drafts are not offered for checks)",
            path=policy_file,
        )
    target = user_policies_dir() / policy.id
    if policy_file.parent.resolve() == target.resolve():
        raise UsageError(f"{policy_file} is already in the library")
    used = id_in_use(lib, policy.id)
    if used and not replace:
        raise UsageError(
            f"a policy with id '{policy.id}' is already in the library ({used}); change the id "
            "in its front matter, or use --replace"
        )
    moved = _move_aside(target) if os.path.lexists(target) else None
    atomic_write(target / POLICY_FILE, raw)
    if cases_raw:
        atomic_write(target / CASES_FILE, cases_raw)
    bundled = (bundled_policies_dir() / policy.id / POLICY_FILE).exists()
    return Added(policy, target, len(cases), moved, bundled)


@dataclass(frozen=True)
class Removed:
    policy_id: str
    moved_to: Path
    bundled_now: bool  # a bundled policy of that id is used from now on


def remove_policy(lib: PolicyLibrary, policy_id: str) -> Removed:
    """Take a user policy out of the library (moved to ``removed-policies``). Bundled policies
    are refused: they are part of the app."""
    if not POLICY_ID.match(policy_id):
        raise UsageError(f"'{policy_id}' is not a policy id (lowercase letters, digits and '-')")
    folder = user_policies_dir() / policy_id
    bundled = (bundled_policies_dir() / policy_id / POLICY_FILE).exists()
    if not os.path.lexists(folder):
        if bundled:
            raise UsageError(
                f"'{policy_id}' is a bundled policy: bundled policies are part of the app and "
                "cannot be removed (they are read-only; duplicate one to change it)"
            )
        raise UsageError(f"no user policy '{policy_id}' (see safeguard-desk policy list)")
    return Removed(policy_id, _move_aside(folder), bundled)


def _move_aside(folder: Path) -> Path:
    stamp = time.strftime("%Y%m%d-%H%M%S")
    target = removed_dir() / f"{folder.name}-{stamp}"
    number = 1
    while os.path.lexists(target):
        number += 1
        target = removed_dir() / f"{folder.name}-{stamp}-{number}"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.move(str(folder), str(target))  # a symlink is moved as the link, never followed
    return target


@dataclass(frozen=True)
class Saved:
    version: str
    draft: bool  # saved as a draft: lint has errors, so it is not offered for checks
    errors: tuple[LintIssue, ...]


def save_policy(path: Path, text: str) -> Saved:
    """Save an edit of a user policy as a new version. Text that does not parse is refused
    (PolicyError with its line); text with lint errors is saved as ``draft: true`` (kept, not
    offered for checks); clean text is saved without the draft flag."""
    if not is_user_path(path):
        raise UsageError(f"{path} is not in your policy folder: bundled policies are read-only")
    parse_policy(text, path=path)
    text, version = bump_version(text)
    _, issues = lint_policy(text, path)
    errors = tuple(issue for issue in issues if issue.level == "error")
    text = set_front_matter(text, "draft", "true" if errors else None)
    atomic_write(path, text)
    return Saved(version, bool(errors), errors)


def copy_policy(source: Path, new_id: str, title: str, *, fresh: bool) -> Path:
    """A user copy of a policy file as ``<id>/policy.md`` (with its cases). ``fresh``: a new
    policy from a template (version 1.0.0, no template flag, no cases); otherwise a duplicate
    that keeps the version it started from."""
    if not POLICY_ID.match(new_id):
        raise UsageError(f"'{new_id}' is not a valid id: lowercase letters, digits and '-'")
    target = user_policies_dir() / new_id
    if os.path.lexists(target) or (bundled_policies_dir() / new_id).exists():
        raise UsageError(f"a policy with id '{new_id}' already exists")
    raw = read_regular_file(source, MAX_POLICY_BYTES, "policy file", PolicyError)
    text = raw.decode("utf-8-sig")
    if fresh:
        text = new_from_template(text, new_id, title)
    else:
        text = set_front_matter(set_front_matter(text, "id", new_id), "title", title)
        text = set_front_matter(text, "template", None)
        cases = source.parent / CASES_FILE
        if cases.exists():
            atomic_write(
                target / CASES_FILE,
                read_regular_file(cases, MAX_CASES_BYTES, "test cases file", PolicyError),
            )
    atomic_write(target / POLICY_FILE, text)
    return target / POLICY_FILE
