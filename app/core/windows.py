"""Long documents: split the passages into windows whose prompts fit the context."""

from __future__ import annotations

from collections.abc import Callable

from app.core.documents import Document, Passage, format_location
from app.core.engine import Engine
from app.core.errors import PromptTooLong
from app.core.policy import Policy
from app.core.prompt import build_request
from app.core.types import Effort

WINDOW_OVERLAP = 1  # passages repeated at the start of the next window


def plan_windows(
    document: Document,
    policy: Policy,
    engine: Engine,
    effort: Effort,
    answer_budget: int | None = None,
) -> list[tuple[Passage, ...]]:
    """``answer_budget``: tokens kept free for what the model writes; None: the engine's own
    reserve for this effort (its reasoning budget plus the answer)."""
    reserve = reserved_tokens(engine, effort, answer_budget)
    return plan_passage_windows(
        document.passages,
        lambda window: engine.count_tokens(build_request(policy, window, effort)),
        engine.info.n_ctx - reserve,
        lambda passage: too_long(passage, f"policy '{policy.id}'", engine, reserve, document),
    )


def reserved_tokens(engine: Engine, effort: Effort, answer_budget: int | None) -> int:
    """What window planning keeps free in the context: one number, from the engine."""
    return engine.info.budget.reserve(effort) if answer_budget is None else answer_budget


def too_long(
    passage: Passage, what: str, engine: Engine, reserve: int, document: Document
) -> PromptTooLong:
    return PromptTooLong(
        f"passage {passage.id} ({format_location(passage.location)}) with {what} does not fit "
        f"the model's context of {engine.info.n_ctx} tokens with {reserve} kept for its "
        "reasoning and answer; use a larger context length, a lower effort or a shorter policy",
        path=document.path,
    )


def plan_passage_windows(
    passages: tuple[Passage, ...],
    cost: Callable[[tuple[Passage, ...]], int],
    limit: int,
    too_long: Callable[[Passage], Exception],
) -> list[tuple[Passage, ...]]:
    """Split the passages into groups whose prompts fit the context window. Consecutive windows
    share ``WINDOW_OVERLAP`` passages, so a finding that needs the passage before it for context
    is not lost at a boundary; the same citation from two windows is kept once (``_validate``).

    Token counts are exact but not free (a whole prompt is rendered and tokenized), so window
    sizes are first estimated from the average passage cost, then checked and adjusted: a few
    counts per window instead of one per passage.
    """
    if not passages:
        return []
    total = cost(passages)
    if total <= limit:
        return [passages]
    base = cost(())
    per_passage = max(1.0, (total - base) / max(len(passages), 1))
    windows: list[tuple[Passage, ...]] = []
    start = 0
    while start < len(passages):
        size = max(1, min(len(passages) - start, int((limit - base) / per_passage)))
        while size > 1 and cost(passages[start : start + size]) > limit:
            size = max(1, int(size * 0.8))
        if size == 1 and cost(passages[start : start + 1]) > limit:
            raise too_long(passages[start])
        for _ in range(8):  # take up room the estimate left unused
            step = max(1, size // 10)
            if start + size + step > len(passages):
                break
            if cost(passages[start : start + size + step]) > limit:
                break
            size += step
        windows.append(passages[start : start + size])
        if start + size >= len(passages):
            break
        start += size - WINDOW_OVERLAP if size > WINDOW_OVERLAP else size
    return windows
