"""A policy, a two-passage document and scripted-engine builders: exact assertions on what the
pipeline does with a model's answers."""

from __future__ import annotations

import json
from pathlib import Path

from app.core.documents import Document, Passage
from app.core.policy import parse_policy
from app.inference.scripted import Recording, ScriptedEngine
from tests.helpers.policies import GOOD

POLICY = parse_policy(GOOD)
DOCUMENT = Document(
    Path("draft.txt"),
    "a" * 64,
    "text/plain",
    1,
    (
        Passage("P1", "We promise a guaranteed return.", {"line": 1}),
        Passage("P2", "Contact us.", {"line": 3}),
    ),
)


def finding(**overrides: object) -> dict[str, object]:
    base = {
        "section": "HR-1",
        "passage": "P1",
        "quote": "guaranteed return",
        "severity": "high",
        "confidence": 0.8,
        "rationale": "a promise",
        "remediation": "drop it",
    }
    return base | overrides


def engine(*finals: object, analysis: str = "thinking") -> ScriptedEngine:
    return ScriptedEngine(
        Recording(analysis, f if isinstance(f, str) else json.dumps(f)) for f in finals
    )


def use_scripted_engine(monkeypatch: object, *finals: object) -> ScriptedEngine:
    """Every engine the command line loads in this test is this scripted one."""
    import pytest

    from app.services import engines

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    scripted = engine(*finals)
    monkeypatch.setattr(engines, "load_engine", lambda model, config, report: scripted)
    return scripted
