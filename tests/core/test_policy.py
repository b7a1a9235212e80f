from __future__ import annotations

from pathlib import Path

import pytest

from app.core.errors import PolicyError
from app.core.policy import load_policy, parse_policy
from app.runtime.resources import bundled_policies_dir
from tests.helpers.policies import GOOD


def test_parses_front_matter_sections_and_hash() -> None:
    policy = parse_policy(GOOD)
    assert (policy.id, policy.title, policy.version) == ("house-rule", "A house rule", "2.1.0")
    assert policy.source == "https://example.org/rule"
    assert policy.section_ids == ("HR-1", "HR-2")
    assert policy.section("HR-2") is not None
    assert policy.section("HR-2").title == "Second rule"  # type: ignore[union-attr]
    assert "Violates when two." in policy.section("HR-2").text  # type: ignore[union-attr]
    assert policy.section("HR-3") is None
    assert policy.body.startswith("# Instructions")
    assert "house-rule" not in policy.body  # the front matter is not sent to the model
    assert len(policy.sha256) == 64
    assert policy.warnings == ()


def test_sha256_changes_with_any_edit() -> None:
    assert parse_policy(GOOD).sha256 != parse_policy(GOOD.replace("Decide.", "Decide!")).sha256


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("id: house-rule   # a comment after the value\n", ""), "no 'id:'"),
        (GOOD.replace("version: 2.1.0\n", ""), "no 'version:'"),
        (GOOD.replace("id: house-rule", "id: House Rule"), "must be lowercase"),
        (GOOD.replace("## HR-2: Second rule", "## HR-1 Again"), "duplicate section id HR-1"),
        (GOOD.replace("# Criteria", "# Rules"), "no '# Criteria' section"),
        (GOOD.replace("## HR-1 First rule", "## First rule"), "does not start with a section id"),
        (GOOD.replace("---\nid", "id", 1), "no front matter"),
        ("---\nid: x\n", "not closed"),
    ],
)
def test_malformed_policies_get_clear_errors(text: str, message: str) -> None:
    with pytest.raises(PolicyError, match=message):
        parse_policy(text, path=Path("p/policy.md"))


def test_error_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "policy.md"
    path.write_text(GOOD.replace("# Criteria", "# Nope"), encoding="utf-8")
    with pytest.raises(PolicyError) as info:
        load_policy(path)
    assert str(info.value).startswith(str(path))


def test_missing_optional_sections_are_warnings() -> None:
    policy = parse_policy(GOOD.replace("# Definitions\nWords.\n", ""))
    assert policy.warnings == ("no '# Definitions' section",)


def test_missing_file_is_a_policy_error(tmp_path: Path) -> None:
    with pytest.raises(PolicyError, match="not found"):
        load_policy(tmp_path / "nope.md")


BUNDLED = sorted(bundled_policies_dir().glob("*/policy.md"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.parent.name for p in BUNDLED])
def test_bundled_policies_are_well_formed_and_400_to_600_tokens(path: Path) -> None:
    from app.inference.harmony import encoding

    policy = load_policy(path)
    assert policy.id == path.parent.name
    assert policy.warnings == ()
    assert policy.source.startswith("https://")
    assert len(policy.sections) >= 3
    tokens = len(encoding().encode(path.read_text(encoding="utf-8"), allowed_special=set()))
    assert 400 <= tokens <= 600, tokens


def test_at_least_four_bundled_policies() -> None:
    ids = {p.parent.name for p in BUNDLED}
    assert {"fin-promo", "data-protection", "anti-bribery", "ad-claims"} <= ids
