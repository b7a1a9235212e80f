from __future__ import annotations

import json

import pytest

from app.core.verdict import VerdictFormatError, parse_verdict, verdict_schema

FINDING = {
    "section": "FP-1",
    "passage": "P1",
    "quote": "guaranteed",
    "severity": "HIGH",
    "confidence": 1.7,
    "rationale": "promises",
    "remediation": "remove",
}


def test_parses_and_clamps() -> None:
    verdict = parse_verdict(json.dumps({"verdict": "violation", "findings": [FINDING]}))
    assert verdict.verdict == "violation"
    (found,) = verdict.findings
    assert found.severity == "high"
    assert found.confidence == 1.0


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("{", "not JSON"),
        ("[]", "not a JSON object"),
        ('{"verdict": "maybe", "findings": []}', "is not one of"),
        ('{"verdict": "violation", "findings": {}}', "not a list"),
        (
            json.dumps({"verdict": "violation", "findings": [FINDING | {"severity": "x"}]}),
            "severity",
        ),
        (json.dumps({"verdict": "violation", "findings": [FINDING | {"quote": 3}]}), "quote"),
        (
            json.dumps({"verdict": "violation", "findings": [FINDING | {"confidence": "hi"}]}),
            "confidence",
        ),
    ],
)
def test_rejects_malformed(text: str, reason: str) -> None:
    with pytest.raises(VerdictFormatError, match=reason):
        parse_verdict(text)


def test_schema_enumerates_ids() -> None:
    schema = verdict_schema(("FP-1", "FP-2"), ("P1", "P2"))
    finding = schema["properties"]["findings"]["items"]["properties"]
    assert finding["section"] == {"enum": ["FP-1", "FP-2"]}
    assert finding["passage"] == {"enum": ["P1", "P2"]}
    assert schema["properties"]["verdict"]["enum"] == ["violation", "compliant", "needs_review"]


def test_a_raw_line_break_inside_a_string_is_still_a_verdict() -> None:
    text = (
        '{"verdict": "violation", "findings": [{"section": "FP-1", "passage": "P1", '
        '"quote": "guaranteed", "severity": "high", "confidence": 0.9, '
        '"rationale": "a promise\n\tof returns", "remediation": "drop it"}]}'
    )
    assert "\n" in text  # a real control character, as the grammar lets through
    verdict = parse_verdict(text)
    assert verdict.findings[0].rationale == "a promise\n\tof returns"
