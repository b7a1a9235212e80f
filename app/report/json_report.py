"""The JSON report, schema ``safeguard-desk/report/v1`` (DESIGN.md; report-v1.schema.json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.core.clock import utc_now
from app.core.engine import EngineInfo
from app.core.pipeline import CheckResult
from app.runtime.files import atomic_write

SCHEMA_ID = "safeguard-desk/report/v1"


def build_report(
    result: CheckResult,
    engine: EngineInfo,
    *,
    timings: dict[str, float],
    notice: str = "",
) -> dict[str, Any]:
    outputs = result.engine_results
    prompt_tokens = sum(o.prompt_tokens for o in outputs)
    completion_tokens = sum(o.completion_tokens for o in outputs)
    evaluated = sum(o.prompt_tokens_evaluated for o in outputs)
    report: dict[str, Any] = {}
    if notice:
        report["notice"] = notice  # first key: the first thing a reader sees
    report.update(
        {
            "schema": SCHEMA_ID,
            "created_at": utc_now(),
            "document": result.document.to_json(),
            "policies": [
                r.policy.to_json()
                | {"title": r.policy.title, "sections": {s.id: s.text for s in r.policy.sections}}
                for r in result.policy_results
            ],
            "model": {
                "name": engine.name,
                "file_sha256": engine.file_sha256,
                "engine": engine.engine,
                # what the user was told about the model ("" for gpt-oss-safeguard): a base
                # gpt-oss, or a model that can only run smoke checks
                "note": engine.note,
                "settings": {
                    "effort": result.effort,
                    "n_ctx": engine.n_ctx,
                    "seed": engine.seed,
                    "temperature": engine.temperature,
                    # None: not sent (a server's own default); 1.0 / 0 / 0.0: no cut
                    "top_p": engine.top_p,
                    "top_k": engine.top_k,
                    "min_p": engine.min_p,
                    # reasoning tokens allowed per effort and the answer's (window planning
                    # keeps them free in the context)
                    "budget": {
                        "low": engine.budget.low,
                        "medium": engine.budget.medium,
                        "high": engine.budget.high,
                        "answer": engine.budget.answer,
                    },
                },
            },
            "verdict": result.verdict,
            "findings": [f.to_json() for f in result.findings],
            "reasoning": [
                {"policy": r.policy.id, "effort": result.effort, "text": r.reasoning}
                for r in result.policy_results
            ],
            "policy_verdicts": [
                {
                    "policy": r.policy.id,
                    "verdict": r.verdict,
                    "indeterminate": r.indeterminate,
                    "raw_final": r.raw_final,
                    "escalations": list(r.escalations),
                    # a re-check: how many passages the model saw again (None: all of them)
                    "passages_judged": None if r.passages_judged < 0 else r.passages_judged,
                    "carried_over": sum(1 for f in r.findings if f.carried_from),
                    # what the reviewed verdict falls back on when every finding is rejected
                    "without_findings": r.without_findings,
                    "judged": r.judged,
                    # the engine's notes: a reasoning budget hit, an empty final answer
                    "notes": list(r.notes),
                }
                for r in result.policy_results
            ],
            "warnings": list(result.document.warnings),
            "timings": {
                "ingest_s": round(timings.get("ingest_s", 0.0), 3),
                "triage_s": round(timings.get("triage_s", 0.0), 3),
                "reason_s": round(timings.get("reason_s", 0.0), 3),
                "prompt_tokens": prompt_tokens,
                "completion_tokens": completion_tokens,
                "prompt_tokens_evaluated": evaluated,
            },
        }
    )
    return report


def write_json(report: dict[str, Any], path: Path) -> None:
    """Written atomically: a crash mid-write never leaves half a report behind."""
    atomic_write(path, json.dumps(report, ensure_ascii=False, indent=2) + "\n")
