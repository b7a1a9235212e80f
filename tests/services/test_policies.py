"""Changing the user's policy library: add from disk (validated, id clashes refused), remove
(user policies only, moved aside), save (new version; lint errors -> draft), copy."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import PolicyError, UsageError
from app.core.policy import load_policy
from app.runtime.paths import user_policies_dir
from app.runtime.resources import bundled_policies_dir
from app.services.policies import (
    add_policy,
    copy_policy,
    id_in_use,
    library,
    remove_policy,
    save_policy,
)
from tests.helpers.policies import policy_text

CASE = '{"text": "one", "expected": "violation", "sections": ["HR-1"]}\n'


def folder(tmp_path: Path, policy_id: str = "house-rule", text: str | None = None) -> Path:
    path = tmp_path / "incoming" / policy_id
    path.mkdir(parents=True)
    (path / "policy.md").write_text(text or policy_text(policy_id=policy_id), encoding="utf-8")
    (path / "cases.jsonl").write_text(CASE, encoding="utf-8")
    return path


def test_add_a_folder_with_its_cases_then_a_file(tmp_path: Path) -> None:
    source = folder(tmp_path)
    added = add_policy(library(), source)
    assert added.folder == user_policies_dir() / "house-rule" and added.cases == 1
    assert (added.folder / "cases.jsonl").read_text(encoding="utf-8") == CASE
    assert "house-rule" in [p.id for p in library().checkable()]
    assert (source / "policy.md").exists()  # the input is copied, never moved
    other = folder(tmp_path, "other-rule")
    assert add_policy(library(), other / "policy.md").policy.id == "other-rule"


def test_an_id_in_use_is_refused_unless_replaced(tmp_path: Path) -> None:
    add_policy(library(), folder(tmp_path))
    newer = tmp_path / "v2" / "policy.md"
    newer.parent.mkdir()
    newer.write_text(policy_text().replace("version: 1.0.0", "version: 2.0.0"), "utf-8")
    with pytest.raises(UsageError, match=r"id 'house-rule' is already in the library \(yours\)"):
        add_policy(library(), newer)
    added = add_policy(library(), newer, replace=True)
    assert added.policy.version == "2.0.0" and added.moved_aside is not None
    assert (added.moved_aside / "cases.jsonl").exists()  # the old copy is kept aside
    assert not (added.folder / "cases.jsonl").exists()  # replaced as a whole
    bundled = bundled_policies_dir() / "fin-promo"
    with pytest.raises(UsageError, match=r"'fin-promo' is already in the library \(bundled\)"):
        add_policy(library(), bundled)


def test_invalid_policies_are_refused_with_their_line(tmp_path: Path) -> None:
    broken = folder(
        tmp_path, "broken", "---\nid: broken\ntitle: B\nversion: 1\n---\n# Instructions\n"
    )
    with pytest.raises(PolicyError, match="no '# Criteria' section"):
        add_policy(library(), broken)
    gap = policy_text(policy_id="gappy").replace("> two", "> [[GAP: write it]]")
    with pytest.raises(PolicyError, match=r"line \d+: unfilled gap.*mark it 'draft: true'"):
        add_policy(library(), folder(tmp_path, "gappy", gap))
    drafted = gap.replace("version: 1.0.0\n", "version: 1.0.0\ndraft: true\n")
    (tmp_path / "incoming" / "gappy" / "policy.md").write_text(drafted, encoding="utf-8")
    added = add_policy(library(), tmp_path / "incoming" / "gappy")  # a draft may be unfinished
    assert added.policy.draft and "gappy" not in [p.id for p in library().checkable()]
    bad_cases = folder(tmp_path, "cased")
    (bad_cases / "cases.jsonl").write_text('{"text": "x", "expected": "maybe"}\n', "utf-8")
    with pytest.raises(PolicyError, match="expected must be"):
        add_policy(library(), bad_cases)
    assert not (user_policies_dir() / "cased").exists()


def test_remove_moves_a_user_policy_aside_and_refuses_bundled_ones(tmp_path: Path) -> None:
    add_policy(library(), folder(tmp_path))
    removed = remove_policy(library(), "house-rule")
    assert not (user_policies_dir() / "house-rule").exists()
    assert (removed.moved_to / "policy.md").exists() and not removed.bundled_now
    with pytest.raises(UsageError, match="'fin-promo' is a bundled policy.*cannot be removed"):
        remove_policy(library(), "fin-promo")
    with pytest.raises(UsageError, match="no user policy 'nothing'"):
        remove_policy(library(), "nothing")
    with pytest.raises(UsageError, match="not a policy id"):
        remove_policy(library(), "../etc")


def test_a_broken_user_policy_can_be_removed_and_its_id_is_in_use(tmp_path: Path) -> None:
    broken = user_policies_dir() / "broken"
    broken.mkdir(parents=True)
    (broken / "policy.md").write_text("not a policy", encoding="utf-8")
    assert id_in_use(library(), "broken") == "yours, not loading"
    remove_policy(library(), "broken")
    assert id_in_use(library(), "broken") == ""


def test_save_bumps_the_version_and_lint_errors_make_a_draft(tmp_path: Path) -> None:
    path = copy_policy(bundled_policies_dir() / "fin-promo" / "policy.md", "mine", "Mine",
                       fresh=False)  # fmt: skip
    text = path.read_text(encoding="utf-8")
    with_gap = text.replace("# Examples\n", "# Examples\n## FP-1 violation\n> [[GAP: one]]\n")
    saved = save_policy(path, with_gap)
    assert saved.draft and saved.errors and "unfilled gap" in saved.errors[0].message
    assert load_policy(path).draft and load_policy(path).version == "1.1.1"
    saved = save_policy(path, text.replace("version: 1.1.0", "version: 1.1.1"))
    assert not saved.draft and saved.version == "1.1.2" and load_policy(path).checkable
    with pytest.raises(PolicyError, match="no front matter"):
        save_policy(path, "# Criteria\n## FP-1 x\n")
    assert load_policy(path).version == "1.1.2"  # a refused save leaves the file as it was
    with pytest.raises(UsageError, match="read-only"):
        save_policy(bundled_policies_dir() / "fin-promo" / "policy.md", text)


def test_new_from_template_gets_a_clean_title_and_a_duplicate_keeps_its_cases() -> None:
    template = bundled_policies_dir() / "house-rules-template" / "policy.md"
    path = copy_policy(template, "press-rules", "Press release rules", fresh=True)
    policy = load_policy(path)
    assert (policy.title, policy.version, policy.template) == (
        "Press release rules",
        "1.0.0",
        False,
    )
    assert not (path.parent / "cases.jsonl").exists()
    copy = copy_policy(bundled_policies_dir() / "fin-promo" / "policy.md", "fp-copy",
                       "Fin promo (copy)", fresh=False)  # fmt: skip
    assert load_policy(copy).title == "Fin promo (copy)"
    assert (copy.parent / "cases.jsonl").read_bytes() == (
        bundled_policies_dir() / "fin-promo" / "cases.jsonl"
    ).read_bytes()
    with pytest.raises(UsageError, match="already exists"):
        copy_policy(template, "fin-promo", "x", fresh=True)
    with pytest.raises(UsageError, match="not a valid id"):
        copy_policy(template, "No Spaces", "x", fresh=True)
