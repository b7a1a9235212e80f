"""The closed vocabularies of Safeguard Desk, in one place. Each ``Literal`` has its tuple of
values beside it (for argparse choices, JSON-schema enums and validation), derived from the
type so the two cannot drift apart."""

from __future__ import annotations

from typing import Literal, get_args

# What the model's final message may say (the grammar's enum).
ModelVerdict = Literal["violation", "compliant", "needs_review"]
# What a policy or a whole check may say: ``not_assessed`` means nothing was judged
# (triage only, screens that matched nothing, no usable answer) and never counts as compliant.
Verdict = Literal["violation", "compliant", "needs_review", "not_assessed"]
Severity = Literal["low", "medium", "high", "critical"]
Effort = Literal["low", "medium", "high"]
CheckEffort = Literal["low", "medium", "high", "auto"]  # auto: high where screens match
PolicyMode = Literal["separate", "combined"]
Layer = Literal["triage", "model", "reviewer"]  # which layer raised a finding
RunStatus = Literal["running", "complete", "incomplete", "failed"]
DecisionKind = Literal["accept", "reject", "amend", "reset"]  # reset undoes by a new entry
SignoffOutcome = Literal["approve", "changes-required", "reject"]

MODEL_VERDICTS: tuple[ModelVerdict, ...] = get_args(ModelVerdict)
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)
SEVERITIES: tuple[Severity, ...] = get_args(Severity)
SEVERITY_RANK: dict[str, int] = {name: rank for rank, name in enumerate(SEVERITIES)}
EFFORTS: tuple[Effort, ...] = get_args(Effort)
CHECK_EFFORTS: tuple[CheckEffort, ...] = get_args(CheckEffort)
POLICY_MODES: tuple[PolicyMode, ...] = get_args(PolicyMode)
LAYERS: tuple[Layer, ...] = get_args(Layer)
RUN_STATUSES: tuple[RunStatus, ...] = get_args(RunStatus)
DECISION_KINDS: tuple[DecisionKind, ...] = get_args(DecisionKind)
SIGNOFF_OUTCOMES: tuple[SignoffOutcome, ...] = get_args(SignoffOutcome)
# What ``review decide`` records: every kind; "reset" undoes by a new entry (undecided again).
REVIEW_DECISIONS: tuple[DecisionKind, ...] = DECISION_KINDS
