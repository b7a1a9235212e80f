"""``safeguard-desk bench --server URL --parallel 1,2,4``: how much faster a batch runs with
several documents in flight on a shared inference server, from one run.

The same documents, policy, engine and seed at every level, in a scratch folder and a scratch
store (the user's store gets nothing). Before the first level every server slot is warmed with
the policy once (a batch of as many documents as the largest level, not counted), so no level
pays for evaluating the policy prefix where another found it cached. Each level is a real
``run_checks`` batch: reading the documents (a child process each), reasoning, citation
checks, storing; documents per minute is what a user's batch would see. Whether every document
got the same findings as at the first level is reported beside the speed: servers do not
promise outputs that are bit-identical when requests share a batch (see the README).
"""

from __future__ import annotations

import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.engine import Engine
from app.core.errors import UsageError
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, no_progress
from app.core.types import CheckEffort
from app.runtime.heads import HeadFile
from app.store.repository import Store

LINES = (
    "Northwind Growth Bond {n}: put your savings to work with a fixed-term bond.",
    "Earn a guaranteed {rate}% a year with zero risk to your capital, paid every quarter.",
    "Last year our best investors turned £10,000 into £{gain},000. You could be next.",
    "This offer closes at midnight tonight. Only {n} places remain, so call us now.",
    "Past performance is not a reliable indicator of future results.",
    "Early withdrawal is possible after two years with a fee of {n}% of the amount.",
    "Northwind Capital Ltd is authorised and regulated by the Financial Conduct Authority.",
    "Call 0117 000 {n:04d}, Monday to Friday, 9am to 5pm, or visit our Bristol office.",
)


def bench_texts(count: int, offset: int = 0) -> list[str]:
    """``count`` short flyers, each a different three of the lines above with its own numbers."""
    texts = []
    for number in range(offset + 1, offset + count + 1):
        picked = [LINES[(number + step * 3) % len(LINES)] for step in range(3)]
        values = {"n": number, "rate": 5 + number % 9, "gain": 12 + number}
        texts.append("\n\n".join(line.format(**values) for line in picked) + "\n")
    return texts


@dataclass(frozen=True)
class Level:
    parallel: int
    wall_s: float
    documents: int  # checked
    failed: int  # the server kept failing them
    findings: dict[str, tuple[str, tuple[tuple[str, str, str], ...]]]  # name -> verdict, findings

    @property
    def per_minute(self) -> float:
        return 60.0 * self.documents / self.wall_s if self.wall_s else 0.0


def bench_engine(url: str, model_name: str) -> Engine:
    """The engine a bench talks to: the server engine a check would use, with its defaults."""
    from app.services.engines import EngineConfig, server_engine

    return server_engine(EngineConfig(server_url=url), model_name)


def parse_levels(text: str) -> list[int]:
    try:
        levels = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        levels = []
    if not levels or any(level < 1 for level in levels):
        raise UsageError(f"--parallel takes counts like 1,2,4 (got '{text}')")
    return sorted(set(levels))


def run_server_bench(
    engine: Engine,
    policy: Policy,
    levels: list[int],
    *,
    documents: int = 8,
    effort: CheckEffort = "low",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    scratch: Path | None = None,
) -> dict[str, Any]:
    """One run: a warm-up, then each level over the same documents; the figures as JSON."""
    from app.services.checking import CheckOptions, CheckRequest, run_checks

    with tempfile.TemporaryDirectory(prefix="safeguard-bench-", dir=scratch) as folder:
        root = Path(folder)
        key = os.urandom(32)  # a throwaway store: its heads stay in the scratch folder too
        store = Store(root / "bench.sqlite3", key, "bench", heads=HeadFile(key, root / "heads"))
        try:
            paths = _write(root / "documents", bench_texts(documents))
            warm = _write(root / "warm-up", bench_texts(max(levels), offset=documents))

            def batch(files: list[Path], parallel: int) -> Level:
                request = CheckRequest(
                    policies=(policy,), effort=effort, model_name=engine.info.name,
                    options=CheckOptions(recheck=False, escalate=False), parallel=parallel,
                )  # fmt: skip
                started = time.perf_counter()
                done = run_checks(
                    files, request, store, lambda: engine, progress=progress, cancel=cancel
                )
                return _level(parallel, time.perf_counter() - started, done.outcomes)

            batch(warm, max(levels))  # every slot holds the policy prefix now
            measured = [batch(paths, level) for level in levels]
        finally:
            store.close()
    return _figures(engine, policy, effort, documents, measured)


def _write(folder: Path, texts: list[str]) -> list[Path]:
    folder.mkdir(parents=True)
    paths = [folder / f"flyer-{number:02d}.md" for number in range(1, len(texts) + 1)]
    for path, text in zip(paths, texts, strict=True):
        path.write_text(text, encoding="utf-8")
    return paths


def _level(parallel: int, wall_s: float, outcomes: list[Any]) -> Level:
    findings = {}
    for outcome in outcomes:
        if outcome.checked is None:
            continue
        result = outcome.checked.result
        findings[outcome.path.name] = (
            result.verdict,
            tuple(
                sorted((f.finding.section, f.finding.passage, f.finding.quote)
                       for f in result.findings)
            ),
        )  # fmt: skip
    failed = sum(1 for outcome in outcomes if outcome.error is not None)
    return Level(parallel, wall_s, len(findings), failed, findings)


def _figures(
    engine: Engine, policy: Policy, effort: str, documents: int, levels: list[Level]
) -> dict[str, Any]:
    first = levels[0]
    return {
        "engine": engine.info.engine,
        "model": engine.info.name,
        "seed": engine.info.seed,
        "temperature": engine.info.temperature,
        "policy": policy.id,
        "effort": effort,
        "documents": documents,
        "baseline": first.parallel,
        "levels": [
            {
                "parallel": level.parallel,
                "wall_s": round(level.wall_s, 2),
                "documents_per_minute": round(level.per_minute, 2),
                "ratio": round(level.per_minute / first.per_minute, 2) if first.per_minute else 0,
                "checked": level.documents,
                "failed": level.failed,
                "same_findings": sum(
                    1 for name, found in level.findings.items() if first.findings.get(name) == found
                ),
            }
            for level in levels
        ],
        "findings": {str(level.parallel): _as_json(level) for level in levels},
    }


def _as_json(level: Level) -> dict[str, Any]:
    return {
        name: {"verdict": verdict, "findings": [list(f) for f in found]}
        for name, (verdict, found) in sorted(level.findings.items())
    }
