"""The verdict the model must produce, its JSON schema (which becomes the grammar), and parsing."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, cast

from app.core.types import MODEL_VERDICTS, SEVERITIES, ModelVerdict, Severity

VERDICTS = MODEL_VERDICTS  # what the model may answer (checks add not_assessed)


@dataclass(frozen=True)
class Finding:
    section: str
    passage: str
    quote: str
    severity: Severity
    confidence: float
    rationale: str
    remediation: str


@dataclass(frozen=True)
class Verdict:
    verdict: ModelVerdict
    findings: tuple[Finding, ...]


class VerdictFormatError(ValueError):
    """The final message is not a verdict; the pipeline turns this into an indeterminate result."""


def verdict_schema(
    section_ids: tuple[str, ...] = (), passage_ids: tuple[str, ...] = (), max_findings: int = 8
) -> dict[str, Any]:
    """JSON schema of the final message; ids, when given, are enumerated so citations can only
    name things that exist (quotes are still checked by code, see citations.py)."""
    section: dict[str, Any] = {"type": "string"}
    if section_ids:
        section = {"enum": list(section_ids)}
    passage: dict[str, Any] = {"type": "string"}
    if passage_ids:
        passage = {"enum": list(passage_ids)}
    finding = {
        "type": "object",
        "properties": {
            "section": section,
            "passage": passage,
            "quote": {"type": "string", "maxLength": 300},
            "severity": {"enum": list(SEVERITIES)},
            "confidence": {"type": "number"},
            "rationale": {"type": "string", "maxLength": 600},
            "remediation": {"type": "string", "maxLength": 400},
        },
        "required": [
            "section",
            "passage",
            "quote",
            "severity",
            "confidence",
            "rationale",
            "remediation",
        ],
        "additionalProperties": False,
    }
    return {
        "type": "object",
        "properties": {
            "verdict": {"enum": list(VERDICTS)},
            "findings": {"type": "array", "items": finding, "maxItems": max_findings},
        },
        "required": ["verdict", "findings"],
        "additionalProperties": False,
    }


def parse_verdict(text: str) -> Verdict:
    """Parse and validate a final message. Raises VerdictFormatError with a reason."""
    if not text.strip():  # e.g. a server that put nothing in the final channel
        raise VerdictFormatError("the answer is empty")
    try:
        # strict=False: llama.cpp's JSON grammar lets a raw line break or tab into a string,
        # which strict JSON refuses; such an answer is still the verdict the model gave.
        data = json.loads(text, strict=False)
    except json.JSONDecodeError as error:
        raise VerdictFormatError(f"not JSON ({error.msg} at char {error.pos})") from None
    if not isinstance(data, dict):
        raise VerdictFormatError("not a JSON object")
    verdict = data.get("verdict")
    if verdict not in VERDICTS:
        raise VerdictFormatError(f"verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    raw_findings = data.get("findings", [])
    if not isinstance(raw_findings, list):
        raise VerdictFormatError("findings is not a list")
    return Verdict(
        cast(ModelVerdict, verdict),
        tuple(_finding(item, n) for n, item in enumerate(raw_findings, 1)),
    )


def _finding(item: object, number: int) -> Finding:
    if not isinstance(item, dict):
        raise VerdictFormatError(f"finding {number} is not an object")

    def text(key: str) -> str:
        value = item.get(key, "")
        if not isinstance(value, str):
            raise VerdictFormatError(f"finding {number}: {key} is not a string")
        return value.strip()

    severity = text("severity").lower()
    if severity not in SEVERITIES:
        raise VerdictFormatError(f"finding {number}: severity {severity!r} is unknown")
    confidence = item.get("confidence", 0.5)
    if isinstance(confidence, bool) or not isinstance(confidence, int | float):
        raise VerdictFormatError(f"finding {number}: confidence is not a number")
    return Finding(
        section=text("section"),
        passage=text("passage"),
        quote=text("quote"),
        severity=severity,
        confidence=min(1.0, max(0.0, float(confidence))),
        rationale=text("rationale"),
        remediation=text("remediation"),
    )
