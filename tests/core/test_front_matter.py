"""Front-matter edits keep every other line as written."""

from __future__ import annotations

import pytest

from app.core.errors import PolicyError
from app.core.front_matter import set_front_matter
from app.core.policy import parse_policy
from tests.helpers.policies import GOOD


def test_set_replace_and_remove_a_key() -> None:
    drafted = set_front_matter(GOOD, "draft", "true")
    assert parse_policy(drafted).draft
    assert drafted.replace("draft: true\n", "") == GOOD  # added as the last key, nothing else
    assert set_front_matter(drafted, "draft", None) == GOOD
    retitled = set_front_matter(GOOD, "title", "A new title")
    assert parse_policy(retitled).title == "A new title"
    assert "id: house-rule   # a comment after the value" in retitled
    assert set_front_matter(GOOD, "absent", None) == GOOD


def test_text_without_front_matter_is_refused() -> None:
    with pytest.raises(PolicyError, match="no front matter"):
        set_front_matter("# Criteria\n", "draft", "true")
    with pytest.raises(PolicyError, match="not closed"):
        set_front_matter("---\nid: x\n", "draft", "true")
