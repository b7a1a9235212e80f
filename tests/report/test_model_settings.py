"""What the reports say about the model: its note, every sampling setting, the reasoning budget,
and when reasoning hit that budget (JSON, the CLI summary, the PDF cover)."""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import jsonschema
from pypdf import PdfReader

from app.cli.output import print_result
from app.core.engine import TokenBudget
from app.core.pipeline import check_document
from app.inference.scripted import Recording, ScriptedEngine
from app.report.json_report import build_report
from app.services.exports import export_pdf
from app.services.stores import open_store
from tests.helpers.paths import ROOT
from tests.helpers.scripted import DOCUMENT, POLICY, finding

SCHEMA = json.loads((ROOT / "app" / "report" / "report-v1.schema.json").read_text())
BUDGET = TokenBudget(low=1024, medium=4096, high=8192, answer=1024)
NOTE = "reasoning stopped at the 4096-token budget of medium effort"
BASE = "this is the base gpt-oss model, not the gpt-oss-safeguard fine-tune"


def checked() -> tuple[object, dict[str, object], ScriptedEngine]:
    verdict = {"verdict": "violation", "findings": [finding()]}
    scripted = ScriptedEngine([Recording("why", json.dumps(verdict))], budget=BUDGET, notes=(NOTE,))
    info = replace(
        scripted.info, name="gpt-oss-20b", temperature=1.0, top_p=1.0, top_k=0, min_p=0.0,
        note=BASE,
    )  # fmt: skip
    result = check_document(DOCUMENT, [POLICY], scripted, effort="medium")
    return result, build_report(result, info, timings=result.timings), scripted


def test_the_json_report_records_sampling_budget_note_and_budget_hits() -> None:
    _, report, _ = checked()
    jsonschema.validate(report, SCHEMA)
    model = report["model"]
    assert isinstance(model, dict)
    assert model["name"] == "gpt-oss-20b" and model["note"] == BASE
    settings = model["settings"]
    assert (settings["temperature"], settings["top_p"], settings["top_k"], settings["min_p"]) == (
        1.0, 1.0, 0, 0.0,
    )  # fmt: skip
    assert settings["budget"] == {"low": 1024, "medium": 4096, "high": 8192, "answer": 1024}
    (verdict,) = report["policy_verdicts"]  # type: ignore[misc]
    assert verdict["notes"] == [NOTE]


def test_the_cli_summary_says_when_reasoning_hit_its_budget() -> None:
    result, _, _ = checked()
    out = io.StringIO()
    print_result(result, out)  # type: ignore[arg-type]
    assert f"  {POLICY.id}: note: {NOTE}\n" in out.getvalue()


def test_the_pdf_cover_names_the_model_its_note_settings_and_the_budget_hit(
    tmp_path: Path, no_keyring: None
) -> None:
    result, report, scripted = checked()
    store = open_store(tmp_path / "s.sqlite3")
    info = replace(scripted.info, name="gpt-oss-20b", top_p=1.0, top_k=0, min_p=0.0, note=BASE)
    run_id = store.start_run(DOCUMENT, [POLICY], info, "medium")
    report["run"] = {"id": run_id}
    store.finish_run(run_id, result, report)  # type: ignore[arg-type]
    target = tmp_path / "report.pdf"
    export_pdf(store, run_id, target, reasoning=False)
    store.close()
    text = " ".join(PdfReader(target).pages[0].extract_text().split())
    assert f"gpt-oss-20b — {BASE}" in text
    assert "temperature 1.0, top-p 1.0, top-k 0, min-p 0.0" in text
    assert "reasoning up to 1024/4096/8192 tokens (low/medium/high), answer 1024" in text
    assert f"note: {NOTE}" in text
