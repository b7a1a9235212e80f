"""The policy library never breaks, and policy reads are bounded."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from app.core.errors import PolicyError
from app.core.library import PolicyLibrary
from app.core.policy import (
    MAX_POLICY_BYTES,
    load_policy,
    new_from_template,
    parse_policy,
    read_policy_text,
)
from tests.helpers.policies import BUNDLED_DIR, policy_text


def write(folder: Path, policy_id: str, text: str | None = None) -> Path:
    path = folder / policy_id / "policy.md"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text if text is not None else policy_text(policy_id=policy_id), "utf-8")
    return path


def test_a_broken_user_policy_is_skipped_and_reported(tmp_path: Path) -> None:
    user, bundled = tmp_path / "user", tmp_path / "bundled"
    write(bundled, "good")
    write(bundled, "shadowed")
    broken = write(user, "broken", "---\nid: broken\n")  # front matter never closed
    bad_copy = write(user, "shadowed", policy_text(policy_id="shadowed").replace("## HR-2", "## X"))
    library = PolicyLibrary([user, bundled])
    assert [p.id for p in library.all()] == ["good", "shadowed"]  # no exception
    assert library.all()[1].path == bundled / "shadowed" / "policy.md"  # the bundled one stands in
    problems = {p.path: p.problem for p in library.problems()}
    assert problems[broken] == "line 1: front matter is not closed by a '---' line"
    assert "does not start with a section id" in problems[bad_copy]
    assert problems[bad_copy].endswith(f"{bundled / 'shadowed' / 'policy.md'} is used instead")
    assert all("\n" not in str(p) for p in library.problems())


@pytest.mark.timeout(30)
def test_symlinks_fifos_and_devices_in_the_folder_are_skipped_with_a_warning(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "user"
    write(folder, "real")
    (folder / "to-zero").mkdir()
    os.symlink("/dev/zero", folder / "to-zero" / "policy.md")
    (folder / "fifo").mkdir()
    os.mkfifo(folder / "fifo" / "policy.md")
    os.symlink(folder / "real", folder / "linked")  # a linked folder
    os.mkfifo(folder / "stray-fifo")
    (folder / "README.txt").write_text("notes", "utf-8")  # plain files are simply not policies
    library = PolicyLibrary([folder])
    started = time.monotonic()
    assert [p.id for p in library.all()] == ["real"]
    problems = {p.path.relative_to(folder).as_posix(): p.problem for p in library.problems()}
    assert time.monotonic() - started < 10
    assert problems == {
        "fifo/policy.md": "skipped: a FIFO (named pipe)",
        "linked": "skipped: a symlink (policies must be real files in the folder)",
        "stray-fifo": "skipped: a FIFO (named pipe)",
        "to-zero/policy.md": "skipped: a symlink (policies must be real files in the folder)",
    }
    assert library.ids() == ["real"]


@pytest.mark.timeout(30)
def test_load_policy_refuses_a_fifo_and_dev_zero_before_reading(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.md"
    os.mkfifo(fifo)
    with pytest.raises(PolicyError) as info:
        load_policy(fifo)
    assert (
        str(info.value)
        == f"{fifo}: policy file is a FIFO (named pipe), not a regular file: not read"
    )
    with pytest.raises(PolicyError, match="^/dev/zero: policy file is a device"):
        load_policy(Path("/dev/zero"))
    linked = tmp_path / "zero.md"
    os.symlink("/dev/zero", linked)  # named explicitly: followed, then refused as a device
    with pytest.raises(PolicyError, match="is a device"):
        load_policy(linked)


def test_load_policy_refuses_an_oversized_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_bytes(policy_text().encode() + b" " * MAX_POLICY_BYTES)
    with pytest.raises(PolicyError, match=r"over the 1\.0 MB limit"):
        load_policy(path)


def test_templates_and_drafts_are_listed_but_not_checkable(tmp_path: Path) -> None:
    write(tmp_path, "starter", policy_text(policy_id="starter", meta="template: true\n"))
    write(tmp_path, "unfinished", policy_text(policy_id="unfinished", meta="draft: yes\n"))
    write(tmp_path, "ready")
    library = PolicyLibrary([tmp_path])
    assert [p.id for p in library.all()] == ["ready", "starter", "unfinished"]
    assert [p.id for p in library.checkable()] == ["ready"]
    assert [p.id for p in library.templates()] == ["starter"]
    assert library.resolve("starter").template  # still loadable for "new from template"


def test_the_bundled_template_is_marked_and_a_copy_gets_a_clean_title() -> None:
    library = PolicyLibrary([BUNDLED_DIR])
    assert "house-rules-template" not in [p.id for p in library.checkable()]
    template = library.resolve("house-rules-template")
    assert template.template and not template.checkable
    text = (BUNDLED_DIR / "house-rules-template" / "policy.md").read_text("utf-8")
    copy = parse_policy(new_from_template(text, "acme-rules", "Acme house rules"))
    assert (copy.id, copy.title, copy.version) == ("acme-rules", "Acme house rules", "1.0.0")
    assert copy.checkable and copy.section_ids == template.section_ids
    assert copy.body == template.body


def test_front_matter_note_and_flags_are_parsed() -> None:
    policy = parse_policy(policy_text(meta="note: draft for a compliance officer\ntemplate: no\n"))
    assert (policy.note, policy.template, policy.draft) == (
        "draft for a compliance officer",
        False,
        False,
    )
    assert policy.section("HR-2").line == 16  # two front-matter lines more  # type: ignore[union-attr]


@pytest.mark.timeout(30)
def test_read_policy_text_is_bounded_too(tmp_path: Path) -> None:
    fifo = tmp_path / "policy.md"
    os.mkfifo(fifo)
    with pytest.raises(PolicyError, match="FIFO"):
        read_policy_text(fifo)
    good = write(tmp_path, "good")
    assert read_policy_text(good).startswith("---\nid: good")
