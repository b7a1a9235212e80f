"""Policy screens: the cheap triage layer a policy declares ("Screen:" lines in its criteria).

Screens only route work — a passage that matches a screen is reasoned over at high effort, the
rest at low — and are never a verdict on their own, except in "triage only" mode, where the
user asked for bulk screening without the model: then each match becomes a finding (layer
``triage``) that a person must review.

Screens see through disguises: they run on the normalised and folded views of each passage
(``app.core.normalise``), and the quote of a hit is mapped back to the exact words of the
original passage. They cannot hang a check: every search has a timeout and one check has a
total screen budget; a hit list cut short says so (``ScreenHits.cut_short``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

from app.core.documents import Passage
from app.core.normalise import screen_views
from app.core.patterns import Compiled, ScreenPatternError, compile_screen
from app.core.policy import Policy

SEARCH_TIMEOUT_S = 0.25  # one screen on one passage
CHECK_BUDGET_S = 30.0  # every screen of every policy on one document (2.5 MB of text: ~1.5 s)


@dataclass(frozen=True)
class ScreenHit:
    section: str
    passage: Passage
    quote: str  # the matched words, exactly as in the passage


@dataclass(frozen=True)
class ScreenHits:
    hits: tuple[ScreenHit, ...] = ()
    cut_short: str = ""  # why screening stopped early ("" when every screen ran everywhere)

    def __iter__(self) -> Iterator[ScreenHit]:
        return iter(self.hits)

    def __len__(self) -> int:
        return len(self.hits)

    @property
    def passage_ids(self) -> set[str]:
        return {hit.passage.id for hit in self.hits}


@dataclass
class ScreenBudget:
    """Screen time left for one check, shared by all its policies."""

    seconds: float = CHECK_BUDGET_S
    per_search: float = SEARCH_TIMEOUT_S
    clock: Callable[[], float] = time.monotonic
    deadline: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self.deadline = self.clock() + self.seconds

    def timeout(self) -> float:
        """Seconds the next search may take (0: the budget is spent)."""
        return max(0.0, min(self.per_search, self.deadline - self.clock()))


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> Compiled | None:
    try:
        return compile_screen(pattern)
    except ScreenPatternError:
        return None  # parse_policy refuses these; a Policy built by hand just skips them


def screen_hits(
    policy: Policy, passages: tuple[Passage, ...], budget: ScreenBudget | None = None
) -> ScreenHits:
    """Every (screen, passage) match, in policy order. A screen that times out is dropped for
    the rest of the document (it is pathological there); when the check's budget is spent,
    screening stops. Either way ``cut_short`` says what was not screened."""
    budget = budget or ScreenBudget()
    screens = [
        (order, section.id, pattern, regex)
        for order, (section, pattern) in enumerate(
            (section, pattern) for section in policy.sections for pattern in section.screens
        )
        if (regex := _compiled(pattern)) is not None
    ]
    found: list[tuple[int, int, ScreenHit]] = []
    problems: list[str] = []
    dropped: set[int] = set()
    # Passage by passage, so each passage's views are built once for all of its screens.
    for index, passage in enumerate(passages):
        for order, section_id, pattern, regex in screens:
            if order in dropped:
                continue
            timeout = budget.timeout()
            if timeout <= 0:
                problems.append(_spent(budget, policy, section_id, passage.id))
                return _result(found, problems)
            try:
                quote = _search(regex, passage.text, timeout)
            except TimeoutError:
                dropped.add(order)
                problems.append(
                    f"screen /{pattern}/ of {policy.id} {section_id} took over "
                    f"{timeout:.2f} s on passage {passage.id} and was stopped there"
                )
                continue
            if quote:
                found.append((order, index, ScreenHit(section_id, passage, quote)))
    return _result(found, problems)


def _result(found: list[tuple[int, int, ScreenHit]], problems: list[str]) -> ScreenHits:
    return ScreenHits(
        tuple(hit for *_, hit in sorted(found, key=lambda f: f[:2])), "; ".join(problems)
    )


def _search(regex: Compiled, text: str, timeout: float) -> str:
    """The original words of the first match in the normalised or folded view, or ""."""
    normal, folded = screen_views(text)
    for view in (normal,) if folded.text == normal.text else (normal, folded):
        match = regex.search(view.text, timeout=timeout)
        if match and match.group(0).strip():
            return view.quote(match.start(), match.end())
    return ""


def _spent(budget: ScreenBudget, policy: Policy, section: str, passage: str) -> str:
    return (
        f"the screen time of {budget.seconds:g} s for this check was used up at {policy.id} "
        f"{section}, passage {passage}"
    )


def has_screens(policy: Policy) -> bool:
    return any(section.screens for section in policy.sections)
