"""An engine that replays recorded model outputs: exact, fast tests of parsing, citation checks,
reports and the UI. It stands in for the model only; every path that talks to llama.cpp has its
own test on the real engine."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from app.core.engine import (
    NO_BUDGET,
    EngineInfo,
    EngineResult,
    JudgeRequest,
    TokenBudget,
    TokenCallback,
)
from app.core.progress import CancelToken


@dataclass(frozen=True)
class Recording:
    analysis: str
    final: str


class ScriptedEngine:
    """Replays recordings in order (the last one repeats); remembers the requests it got."""

    def __init__(
        self,
        recordings: Iterable[Recording],
        *,
        n_ctx: int = 32768,
        budget: TokenBudget = NO_BUDGET,
        notes: tuple[str, ...] = (),
    ) -> None:
        """``budget``: the reasoning/answer tokens window planning reserves (as a real engine
        declares them); ``notes``: what every answer reports (e.g. a reasoning budget hit)."""
        self._recordings = list(recordings)
        if not self._recordings:
            raise ValueError("a scripted engine needs at least one recording")
        self._n_ctx = n_ctx
        self._budget = budget
        self._notes = notes
        self.requests: list[JudgeRequest] = []

    @classmethod
    def from_file(cls, path: Path) -> ScriptedEngine:
        """A JSON-lines file of {"analysis": ..., "final": ...} (final: a string or an object)."""
        recordings = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                item = json.loads(line)
                final = item["final"]
                recordings.append(
                    Recording(
                        item.get("analysis", ""),
                        final if isinstance(final, str) else json.dumps(final),
                    )
                )
        return cls(recordings)

    @property
    def info(self) -> EngineInfo:
        return EngineInfo(
            "scripted", "0" * 64, "scripted", self._n_ctx, 0, 0.0, budget=self._budget
        )

    def close(self) -> None:
        pass  # nothing held

    def count_tokens(self, request: JudgeRequest) -> int:
        # A rough, deterministic count (about 4 characters a token) is all a replay needs.
        return (len(request.policy_text) + len(request.content)) // 4 + 16

    def judge(
        self, request: JudgeRequest, cancel: CancelToken, on_text: TokenCallback | None = None
    ) -> EngineResult:
        cancel.raise_if_cancelled()
        recording = self._recordings[min(len(self.requests), len(self._recordings) - 1)]
        self.requests.append(request)
        if on_text:
            on_text("analysis", recording.analysis)
            on_text("final", recording.final)
        prompt = self.count_tokens(request)
        completion = (len(recording.analysis) + len(recording.final)) // 4
        return EngineResult(
            recording.analysis, recording.final, prompt, completion, prompt, notes=self._notes
        )
