"""The check pipeline: triage -> reason per policy (or all policies in one pass) -> validate.

Layers, cheapest first:
1. **Triage** (code): text that tries to steer the reviewer becomes its own finding; a policy's
   screens mark passages. With effort ``auto``, windows holding a screened passage are reasoned
   over at high effort and the rest at low. "Triage only" skips the model altogether.
2. **Reasoning** (the model), per window of passages. A low-effort answer that is unusable,
   ``needs_review``, unsure (a finding under 0.5 confidence) or that contradicts triage is
   re-run at high effort; both answers are kept for the audit.
3. **Human** review, afterwards, of every finding.
A re-check of a new draft sends only the changed passages to the model (``recheck``).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, replace

from app.core.citations import citation_key
from app.core.documents import Document, Passage
from app.core.engine import Engine, EngineResult, JudgeRequest, TokenCallback
from app.core.errors import UsageError
from app.core.policy import Policy
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.core.prompt import build_combined_request, build_request
from app.core.recheck import PreviousCheck, split
from app.core.results import (
    CheckedFinding,
    CheckResult,
    PolicyResult,
    engine_notes,
    worst_verdict,
)
from app.core.screens import ScreenBudget, ScreenHits, screen_hits
from app.core.triage import triage_hits
from app.core.triage_results import triage_finding, triage_only_result
from app.core.types import CHECK_EFFORTS, POLICY_MODES, CheckEffort, Effort, ModelVerdict, Verdict
from app.core.validation import validate
from app.core.verdict import VerdictFormatError, parse_verdict
from app.core.windows import plan_passage_windows, reserved_tokens, too_long

_RequestMaker = Callable[[tuple[Passage, ...], Effort], JudgeRequest]
UNSURE = 0.5  # a low-effort finding below this confidence is re-run at high effort

__all__ = ["CheckResult", "CheckedFinding", "PolicyResult", "check_document", "worst_verdict"]


def check_document(
    document: Document,
    policies: list[Policy],
    engine: Engine,
    *,
    effort: str = "medium",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_text: TokenCallback | None = None,
    answer_budget: int | None = None,  # None: the engine's reserve for the effort
    escalate: bool = True,
    triage_only: bool = False,
    policy_mode: str = "separate",
    previous: dict[str, PreviousCheck] | None = None,
) -> CheckResult:
    if effort not in CHECK_EFFORTS:
        raise UsageError(f"effort must be one of {', '.join(CHECK_EFFORTS)}, not '{effort}'")
    if policy_mode not in POLICY_MODES:
        raise UsageError(f"policy mode must be one of {', '.join(POLICY_MODES)}")
    cancel = cancel or CancelToken()
    triage_started = time.perf_counter()
    flagged = tuple(triage_finding(hit) for hit in triage_hits(document))
    triage_s = time.perf_counter() - triage_started
    started = time.perf_counter()
    run = _Run(document, engine, effort, answer_budget, escalate, progress, cancel, on_text)
    sections = [s for p in policies for s in p.section_ids]
    combined = (
        policy_mode == "combined"
        and len(policies) > 1
        and not triage_only
        and not previous
        and len(sections) == len(set(sections))  # clashing ids cannot be told apart
    )
    if combined:
        results = run.combined(policies)
    else:
        results = []
        for number, policy in enumerate(policies, start=1):
            cancel.raise_if_cancelled()
            progress(ProgressEvent("reasoning", number - 1, len(policies), f"policy {policy.id}"))
            prior = (previous or {}).get(policy.id)
            results.append(run.policy(policy, prior, triage_only))
            progress(
                ProgressEvent("checking citations", number, len(policies), f"policy {policy.id}")
            )
    progress(ProgressEvent("reasoning", len(policies), len(policies), "done"))
    return CheckResult(
        document=document,
        effort=effort,
        policy_results=tuple(results),
        timings={"reason_s": round(time.perf_counter() - started, 3), "triage_s": triage_s},
        triage_findings=flagged,
    )


class _Run:
    """One document's reasoning: the settings every policy's pass shares."""

    def __init__(
        self,
        document: Document,
        engine: Engine,
        effort: CheckEffort,
        answer_budget: int | None,
        escalate: bool,
        progress: Progress,
        cancel: CancelToken,
        on_text: TokenCallback | None,
    ) -> None:
        self.document, self.engine, self.effort = document, engine, effort
        self.answer_budget, self.escalate = answer_budget, escalate
        self.progress, self.cancel, self.on_text = progress, cancel, on_text
        self.budget = ScreenBudget()  # one screen-time budget for the whole check

    def policy(
        self, policy: Policy, previous: PreviousCheck | None, triage_only: bool
    ) -> PolicyResult:
        if triage_only:  # screens over every passage: nothing is carried without a model
            return triage_only_result(
                policy, screen_hits(policy, self.document.passages, self.budget)
            )
        passages, carried = (
            split(self.document, policy.id, previous) if previous else (self.document.passages, ())
        )
        hits = screen_hits(policy, passages, self.budget)
        if previous and not passages:  # nothing changed: the earlier answer stands
            verdict: Verdict = previous.verdict if carried else "compliant"
            return PolicyResult(
                policy, verdict, carried, "", "", "", (), passages_judged=0,
                without_findings=previous.without_findings, judged=previous.judged,
            )  # fmt: skip
        used, every, escalations = self._reason(
            passages, hits, lambda window, level: build_request(policy, window, level), policy.id
        )
        result = validate(policy, self.document, tuple(used))
        findings = _merge(result.findings, carried)
        verdict, without, judged = result.verdict, result.without_findings, result.judged
        if carried and previous is not None:  # the carried part keeps the earlier judgment
            verdict = worst_verdict([verdict, previous.verdict])
            without = worst_verdict([without, previous.without_findings])
            judged = judged and previous.judged
        return replace(
            result,
            verdict=verdict,
            without_findings=without,
            judged=judged,
            findings=findings,
            reasoning="\n\n".join(o.analysis for o in every if o.analysis),
            engine_results=tuple(every),
            escalations=tuple(escalations),
            passages_judged=len(passages) if previous else -1,
            notes=engine_notes(every),
        )

    def combined(self, policies: list[Policy]) -> list[PolicyResult]:
        """All policies in one pass; each policy then gets the findings that cite its sections."""
        self.progress(ProgressEvent("reasoning", 0, 1, ", ".join(p.id for p in policies)))
        screened = [screen_hits(p, self.document.passages, self.budget) for p in policies]
        hits = ScreenHits(
            tuple(h for s in screened for h in s),
            "; ".join(s.cut_short for s in screened if s.cut_short),
        )
        used, every, escalations = self._reason(
            self.document.passages,
            hits,
            lambda window, level: build_combined_request(policies, window, level),
            "+".join(p.id for p in policies),
        )
        results = []
        for number, policy in enumerate(policies):
            own = tuple(_only_policy(output, policy) for output in used)
            result = validate(policy, self.document, own)
            results.append(
                replace(
                    result,
                    reasoning="\n\n".join(o.analysis for o in every if o.analysis),
                    # the shared requests are counted once, with the first policy
                    engine_results=tuple(every) if number == 0 else (),
                    escalations=tuple(escalations),
                    notes=engine_notes(every),
                )
            )
        return results

    def _reason(
        self,
        passages: tuple[Passage, ...],
        hits: ScreenHits,
        request_for: _RequestMaker,
        label: str,
    ) -> tuple[list[EngineResult], list[EngineResult], list[str]]:
        # Planned at the effort asked (auto: high, where screened windows go), keeping the
        # engine's whole reasoning budget for it plus the answer free in the context. A low
        # answer re-run at high gets the room there is; the engine notes a cut budget.
        planning_effort: Effort = "high" if self.effort == "auto" else self.effort
        reserve = reserved_tokens(self.engine, planning_effort, self.answer_budget)
        windows = plan_passage_windows(
            passages,
            lambda window: self.engine.count_tokens(request_for(window, planning_effort)),
            self.engine.info.n_ctx - reserve,
            lambda passage: too_long(
                passage, f"policy '{label}'", self.engine, reserve, self.document
            ),
        )
        used: list[EngineResult] = []
        every: list[EngineResult] = []
        escalations: list[str] = []
        screened_ids = hits.passage_ids
        if hits.cut_short and self.effort == "auto":
            # unscreened passages might have matched: none of them is sent at low effort
            screened_ids = {p.id for p in passages}
            escalations.append(f"screens cut short ({hits.cut_short}): every part at high effort")
        for index, window in enumerate(windows, start=1):
            if len(windows) > 1:
                self.progress(
                    ProgressEvent("reasoning", 0, 0, f"{label}, part {index} of {len(windows)}")
                )
            screened = screened_ids & {p.id for p in window}
            level: Effort = (
                self.effort if self.effort != "auto" else ("high" if screened else "low")
            )
            output = self.engine.judge(request_for(window, level), self.cancel, self.on_text)
            every.append(output)
            doubt = _doubt(output, bool(screened)) if self.escalate and level == "low" else ""
            if doubt:
                ids = f"{window[0].id}–{window[-1].id}" if len(window) > 1 else window[0].id
                escalations.append(f"{ids}: {doubt}; re-run at high effort")
                self.progress(ProgressEvent("reasoning", 0, 0, f"{label}: escalated ({doubt})"))
                output = self.engine.judge(request_for(window, "high"), self.cancel, self.on_text)
                every.append(output)
            used.append(output)
        return used, every, escalations


def _doubt(output: EngineResult, screened: bool) -> str:
    """Why a low-effort answer should be re-run at high effort ("" when it can stand)."""
    try:
        parsed = parse_verdict(output.final)
    except VerdictFormatError:
        return "the answer was not a valid verdict"
    if parsed.verdict == "needs_review":
        return "the model was not sure (needs_review)"
    if any(f.confidence < UNSURE for f in parsed.findings):
        return f"a finding below {UNSURE:.0%} confidence"
    if screened and parsed.verdict == "compliant":
        return "triage screens matched but the model found nothing"
    return ""


def _only_policy(output: EngineResult, policy: Policy) -> EngineResult:
    """A combined answer cut down to one policy's findings (and that policy's verdict)."""
    try:
        parsed = parse_verdict(output.final)
    except VerdictFormatError:
        return output  # validate() reports the unusable answer for every policy
    own = [f for f in parsed.findings if f.section in policy.section_ids]
    verdict: ModelVerdict
    if own:
        verdict = "violation" if parsed.verdict == "compliant" else parsed.verdict
    else:
        verdict = (
            "needs_review"
            if parsed.verdict == "needs_review" and not parsed.findings
            else ("compliant")
        )
    final = json.dumps({"verdict": verdict, "findings": [asdict(f) for f in own]})
    return replace(output, final=final)


def _merge(
    found: tuple[CheckedFinding, ...], carried: tuple[CheckedFinding, ...]
) -> tuple[CheckedFinding, ...]:
    """New findings first; a carried finding the model raised again is kept once (the new)."""
    seen = {citation_key(f.finding) for f in found}
    kept = [f for f in carried if citation_key(f.finding) not in seen]
    return found + tuple(kept)
