"""Screen expressions that cannot hang a check.

A policy's ``Screen: /regex/`` comes from whoever wrote the policy, and the text it runs on comes
from whoever wrote the document; a backtracking engine can take exponential time on the pair
(``/(a|aa)+$/`` against forty ``a`` and a ``!``). Two defences, both needed:

1. **Refuse nested quantifiers** (a repeated group that holds a repeat, ``(a+)+``,
   ``(\\w+\\s?)*``) at lint and at load time, with a message that says how to rewrite them. This
   catches the common shape early, in words the policy author understands.
2. **A bounded engine**: screens are compiled with the ``regex`` package, whose ``search`` takes
   a ``timeout``; ambiguous alternations (``(a|aa)+``) that no simple check can see are cut off
   there, and the caller says the screen list was cut short (``app.core.screens``).
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

SCREEN_FLAGS = regex.IGNORECASE | regex.MULTILINE | regex.VERSION0  # VERSION0: ``re`` syntax
Compiled = regex.Pattern[str]


class ScreenPatternError(ValueError):
    """A screen expression that does not compile or could run away."""


@dataclass
class _Group:
    atomic: bool = False
    holds_repeat: bool = False  # a variable repeat (max > 1) somewhere inside this group


def compile_screen(pattern: str) -> Compiled:
    problem = nested_quantifier(pattern)
    if problem:
        raise ScreenPatternError(problem)
    try:
        return regex.compile(pattern, SCREEN_FLAGS)
    except regex.error as error:
        raise ScreenPatternError(f"not a valid expression: {error}") from None


def nested_quantifier(pattern: str) -> str:
    """Why ``pattern`` may backtrack exponentially ("" when it has no nested quantifier).

    Scans the expression once: escapes and character classes are skipped; a group remembers
    whether it holds a variable repeat; a repeat (max > 1) applied to such a group is nested.
    Atomic groups ``(?>...)`` and possessive quantifiers (``a++``) cannot backtrack into their
    body, so they do not count."""
    stack: list[_Group] = [_Group()]
    i, n = 0, len(pattern)
    last_group: _Group | None = None  # the group that just closed, if the next token may be its
    while i < n:
        char = pattern[i]
        if char == "\\":
            i, last_group = i + 2, None
            continue
        if char == "[":
            i, last_group = _skip_class(pattern, i), None
            continue
        if char == "(":
            atomic = pattern.startswith("(?>", i)
            stack.append(_Group(atomic=atomic))
            i, last_group = i + 1, None
            continue
        if char == ")" and len(stack) > 1:
            closed = stack.pop()
            if closed.holds_repeat and not closed.atomic:
                stack[-1].holds_repeat = True
            i, last_group = i + 1, closed
            continue
        quantifier = _quantifier(pattern, i)
        if quantifier is not None:
            end, least, most = quantifier
            possessive = end < n and pattern[end] == "+"
            if most > 1 and not possessive:
                if last_group is not None and last_group.holds_repeat and not last_group.atomic:
                    return (
                        f"nested quantifier near '{pattern[max(0, i - 12) : end + 1]}': a "
                        "repeated group holds a repeat, which can take exponential time on some "
                        "text; write the repeat once, or use an atomic group (?>...) or a "
                        "possessive quantifier such as a++"
                    )
                if least != most:  # a fixed count (a{3}) is not ambiguous
                    stack[-1].holds_repeat = True
            i, last_group = end + (1 if possessive or _lazy(pattern, end) else 0), None
            continue
        i, last_group = i + 1, None
    return ""


_UNBOUNDED = 1 << 30


def _quantifier(pattern: str, i: int) -> tuple[int, int, int] | None:
    """(end index, least, most repeats) of a quantifier starting at ``i``, or None."""
    char = pattern[i]
    if char == "*":
        return i + 1, 0, _UNBOUNDED
    if char == "+":
        return i + 1, 1, _UNBOUNDED
    if char == "?":
        return i + 1, 0, 1
    if char == "{":
        close = pattern.find("}", i)
        low, comma, high = (pattern[i + 1 : close] if close > 0 else "").partition(",")
        low, high = low.strip(), high.strip()
        if low.isdigit() or (comma and high.isdigit()):
            least = int(low) if low.isdigit() else 0
            if not comma:
                return close + 1, least, least
            return close + 1, least, int(high) if high.isdigit() else _UNBOUNDED
    return None


def _lazy(pattern: str, end: int) -> bool:
    return end < len(pattern) and pattern[end] == "?"


def _skip_class(pattern: str, i: int) -> int:
    """The index after the character class opening at ``i`` (``[]a]`` and ``[^]a]`` included)."""
    j = i + 1
    if j < len(pattern) and pattern[j] == "^":
        j += 1
    if j < len(pattern) and pattern[j] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1
