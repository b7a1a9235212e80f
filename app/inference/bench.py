"""``safeguard-desk bench``: what this machine does with a model, measured in one run.

Three measurements on the real llama.cpp engine, with a 10-passage document and a bundled
~600-token policy:
- **naive**: the loop a first attempt writes — one request per passage, the policy re-sent each
  time, a fresh context for each;
- **ours**: the pipeline — the passages of a document in one request (windows only when they do
  not fit), the shared system + policy prefix evaluated once and reused by llama.cpp;
- **overhead**: our token loop against bare llama-cpp-python on the same prompt and budget.
Prompt tokens are those llama.cpp actually evaluated, reported by the engine. Ratios come from
this one run; nothing is compared with figures taken elsewhere.
"""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from app.core.documents import Document, Passage
from app.core.pipeline import check_document
from app.core.policy import Policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.core.types import Effort
from app.inference.llama_engine import LlamaCppEngine, LlamaSettings

PASSAGES = (
    "Northwind Growth Bond: put your savings to work with a fixed-term bond from Northwind.",
    "Earn a guaranteed 11% a year with zero risk to your capital, paid every quarter.",
    "Last year our best investors turned £10,000 into £19,500. You could be next.",
    "This offer closes at midnight tonight. Only five places remain, so call us now.",
    "The bond is issued by Northwind Capital Ltd and held for five years.",
    "Interest is paid into any UK bank account you name when you apply.",
    "Past performance is not a reliable indicator of future results.",
    "Early withdrawal is possible after two years with a fee of 2% of the amount.",
    "Northwind Capital Ltd is authorised and regulated by the Financial Conduct Authority.",
    "Call 0117 000 0000, Monday to Friday, 9am to 5pm, or visit our Bristol office.",
)
BENCH_REASONING = 48  # tokens of reasoning per request: the same small budget on both sides
BENCH_ANSWER = 160  # tokens for the verdict JSON
OVERHEAD_TOKENS = 64


def bench_document() -> Document:
    passages = tuple(
        Passage(f"P{number}", text, {"line": 2 * number - 1})
        for number, text in enumerate(PASSAGES, start=1)
    )
    return Document(Path("bench-flyer.md"), "0" * 64, "text/markdown", 1, passages)


def run_bench(
    settings: LlamaSettings,
    policy: Policy,
    effort: Effort = "low",
    second_policy: Policy | None = None,
) -> dict[str, Any]:
    budget = {name: BENCH_REASONING for name in ("low", "medium", "high")}
    engine = LlamaCppEngine(replace(settings, reasoning_tokens=budget, answer_tokens=BENCH_ANSWER))
    try:
        return _measure(engine, settings, policy, effort, second_policy)
    finally:
        engine.close()


def _measure(
    engine: LlamaCppEngine,
    settings: LlamaSettings,
    policy: Policy,
    effort: Effort = "low",
    second_policy: Policy | None = None,
) -> dict[str, Any]:
    document = bench_document()
    cancel = CancelToken()

    naive = {"prompt_tokens": 0, "completion_tokens": 0, "wall_s": 0.0, "requests": 0}
    started = time.perf_counter()
    for passage in document.passages:
        engine.forget_cache()  # a fresh context per request: nothing is reused
        result = engine.judge(build_request(policy, (passage,), effort), cancel)
        naive["prompt_tokens"] += result.prompt_tokens_evaluated
        naive["completion_tokens"] += result.completion_tokens
        naive["requests"] += 1
    naive["wall_s"] = round(time.perf_counter() - started, 3)

    engine.forget_cache()
    started = time.perf_counter()
    checked = check_document(
        document, [policy], engine, effort=effort, cancel=cancel, escalate=False
    )  # no escalation: the naive loop has none either
    outputs = checked.engine_results
    ours = {
        "prompt_tokens": sum(o.prompt_tokens_evaluated for o in outputs),
        "completion_tokens": sum(o.completion_tokens for o in outputs),
        "wall_s": round(time.perf_counter() - started, 3),
        "requests": len(outputs),
    }
    # The next document of a batch with the same policy: only what follows the shared
    # system + policy prefix is evaluated again.
    second = replace(
        document, path=Path("bench-flyer-2.md"),
        passages=tuple(replace(p, text=p.text.replace("Northwind", "Southwind"))
                       for p in document.passages),
    )  # fmt: skip
    again = check_document(second, [policy], engine, effort=effort, cancel=cancel, escalate=False)
    next_outputs = again.engine_results
    ours["next_document_prompt_tokens"] = sum(o.prompt_tokens_evaluated for o in next_outputs)
    ours["next_document_prompt_tokens_total"] = sum(o.prompt_tokens for o in next_outputs)

    prompt = engine.prompt_ids(build_request(policy, document.passages, effort))
    # Alternate the two and keep each one's best of three: a busy machine slows whichever
    # happens to run at that moment, and the best run is the closest to what the code costs.
    our_rates, bare_rates = [], []
    for _ in range(3):
        tokens, seconds = engine.timed_generation(prompt, OVERHEAD_TOKENS)
        our_rates.append(tokens / seconds)
        tokens, seconds = _bare(engine, prompt, settings)
        bare_rates.append(tokens / seconds)
    our_rate, bare_rate = max(our_rates), max(bare_rates)
    multi = (
        _multi_policy(engine, document, [policy, second_policy], effort) if second_policy else {}
    )
    return {
        "model": settings.name,
        "effort": effort,
        "passages": len(document.passages),
        "policy": f"{policy.id} {policy.version}",
        "naive": naive,
        "ours": ours,
        "prompt_tokens_ratio": round(naive["prompt_tokens"] / max(ours["prompt_tokens"], 1), 2),
        "wall_ratio": round(naive["wall_s"] / max(ours["wall_s"], 1e-9), 2),
        "overhead": round(our_rate / bare_rate, 3),
        "overhead_detail": {
            "ours_tokens_per_s": round(our_rate, 1),
            "bare_tokens_per_s": round(bare_rate, 1),
            "prompt_tokens": len(prompt),
            "generated_tokens_max": OVERHEAD_TOKENS,
        },
        "multi_policy": multi,
        "goals": {
            "prompt_tokens_ratio>=3": naive["prompt_tokens"] >= 3 * ours["prompt_tokens"],
            "wall_ratio>=2": naive["wall_s"] >= 2 * ours["wall_s"],
            "overhead>=0.95": our_rate >= 0.95 * bare_rate,
        },
    }


def _multi_policy(
    engine: LlamaCppEngine, document: Document, policies: list[Policy], effort: Effort
) -> dict[str, Any]:
    """The policy-mode trade-off: one pass per policy, or both policies in one pass."""
    figures: dict[str, Any] = {}
    for mode in ("separate", "combined"):
        engine.forget_cache()
        started = time.perf_counter()
        result = check_document(
            document, policies, engine, effort=effort, escalate=False, policy_mode=mode
        )
        outputs = result.engine_results
        figures[mode] = {
            "requests": len(outputs),
            "prompt_tokens": sum(o.prompt_tokens_evaluated for o in outputs),
            "completion_tokens": sum(o.completion_tokens for o in outputs),
            "wall_s": round(time.perf_counter() - started, 3),
            "findings": len(result.findings),
        }
    separate, combined = figures["separate"], figures["combined"]
    figures["policies"] = [p.id for p in policies]
    figures["prompt_tokens_ratio"] = round(
        separate["prompt_tokens"] / max(combined["prompt_tokens"], 1), 2
    )
    figures["wall_ratio"] = round(separate["wall_s"] / max(combined["wall_s"], 1e-9), 2)
    return figures


def _bare(engine: LlamaCppEngine, prompt: list[int], settings: LlamaSettings) -> tuple[int, float]:
    """The same prompt and budget through llama-cpp-python's own completion call."""
    llama = engine.llama
    engine.forget_cache()
    started = time.perf_counter()
    output: Any = llama.create_completion(
        prompt,  # token ids are accepted as the prompt
        max_tokens=OVERHEAD_TOKENS,
        temperature=settings.temperature,
        top_k=40,
        top_p=0.95,
        min_p=0.05,
        repeat_penalty=1.0,
        seed=settings.seed,
    )
    elapsed = time.perf_counter() - started
    engine.forget_cache()
    return len(prompt) + int(output["usage"]["completion_tokens"]), elapsed
