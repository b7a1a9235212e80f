from __future__ import annotations

from app.core.errors import (
    Cancelled,
    CorruptDocument,
    ModelUnavailable,
    PromptTooLong,
    exit_code,
    user_text,
)


def test_user_text_is_one_line_naming_the_file() -> None:
    error = CorruptDocument("damaged\n  PDF", path="/tmp/a.pdf")
    assert user_text(error) == "/tmp/a.pdf: damaged PDF"


def test_exit_codes_follow_design() -> None:
    assert exit_code(CorruptDocument("x")) == 2
    assert exit_code(PromptTooLong("x")) == 2
    assert exit_code(ModelUnavailable("x")) == 3
    assert exit_code(Cancelled("x")) == 2  # 0-3 only: a cancel or a bug is 2
    assert exit_code(RuntimeError("boom")) == 2


def test_bugs_are_not_shown_as_tracebacks() -> None:
    text = user_text(ZeroDivisionError("division by zero"))
    assert "internal error" in text and "ZeroDivisionError" in text and "\n" not in text
