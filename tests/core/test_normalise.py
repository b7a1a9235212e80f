"""Normalised and folded views: disguises removed, every match maps back to the original."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.core.normalise import fold_literal, screen_views


@pytest.mark.parametrize(
    ("text", "normal", "folded"),
    [
        ("gu\u200baranteed", "guaranteed", "guaranteed"),  # zero-width space
        ("guar\u00adan\u2060teed", "guaranteed", "guaranteed"),  # soft hyphen, word joiner
        (
            "\uff47\uff55\uff41\uff52\uff41\uff4e\uff54\uff45\uff45\uff44",
            "guaranteed",
            "guaranteed",
        ),
        ("\U0001d420\U0001d42e\U0001d41a\U0001d42b", "guar", "guar"),  # mathematical bold
        ("gu\u0430ranteed", "gu\u0430ranteed", "guaranteed"),  # Cyrillic a
        ("\u0399GNORE", "\u0399GNORE", "IGNORE"),  # Greek capital iota
        ("caf\u00e9 cafe\u0301", "caf\u00e9 caf\u00e9", "cafe cafe"),  # accents, combining too
        ("\ufb01nance", "finance", "finance"),  # ligature
        ("risk\u00a0free", "risk free", "risk free"),  # no-break space
        ("\u00a3100 \u2014 10%", "\u00a3100 \u2014 10%", "\u00a3100 \u2014 10%"),
    ],
)
def test_views(text: str, normal: str, folded: str) -> None:
    normal_view, folded_view = screen_views(text)
    assert (normal_view.text, folded_view.text) == (normal, folded)


def test_ascii_text_is_its_own_view() -> None:
    normal, folded = screen_views("Plain 10% lO text")
    assert normal.text == folded.text == "Plain 10% lO text"  # ASCII is never folded
    assert normal.quote(6, 9) == "10%"


def test_a_match_maps_back_to_the_exact_original_words() -> None:
    text = "We gu\u200bar\u0430nteed it."
    _normal, folded = screen_views(text)
    start = folded.text.index("guaranteed")
    quote = folded.quote(start, start + len("guaranteed"))
    assert quote == "gu\u200bar\u0430nteed" and quote in text


def test_fold_literal_is_what_the_folded_view_makes_of_a_word() -> None:
    assert fold_literal("int\u00e9r\u00eat") == "interet"
    assert fold_literal("guaranteed") == "guaranteed"


@given(st.text(max_size=60), st.integers(0, 80), st.integers(0, 80))
def test_any_span_of_any_view_quotes_a_substring_of_the_original(
    text: str, start: int, length: int
) -> None:
    for view in screen_views(text):
        end = min(len(view.text), start + length)
        begin = min(start, end)
        assert view.quote(begin, end) in text
        assert (
            len(view.starts or ())
            == len(view.ends or ())
            == (len(view.text) if view.starts is not None else 0)
        )
