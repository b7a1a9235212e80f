from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from app.core.pipeline import check_document
from app.inference.scripted import ScriptedEngine
from app.report.json_report import SCHEMA_ID, build_report, write_json
from tests.helpers.paths import ROOT
from tests.helpers.scripted import DOCUMENT, POLICY, finding

SCHEMA = json.loads((ROOT / "app" / "report" / "report-v1.schema.json").read_text())


def test_report_follows_schema_v1(tmp_path: Path) -> None:
    recordings = tmp_path / "recorded.jsonl"
    recordings.write_text(
        json.dumps(
            {
                "analysis": "P1 promises a guaranteed return.",
                "final": {"verdict": "violation", "findings": [finding()]},
            }
        )
        + "\n",
        encoding="utf-8",
    )
    engine = ScriptedEngine.from_file(recordings)
    result = check_document(DOCUMENT, [POLICY], engine, effort="low")
    report = build_report(result, engine.info, timings={"ingest_s": 0.5, **result.timings})
    jsonschema.validate(report, SCHEMA)
    assert report["schema"] == SCHEMA_ID
    assert "notice" not in report
    assert report["verdict"] == "violation"
    (policy,) = report["policies"]
    assert (policy["id"], policy["version"], policy["sha256"]) == (
        POLICY.id,
        "2.1.0",
        POLICY.sha256,
    )
    assert policy["title"] == POLICY.title and set(policy["sections"]) == {"HR-1", "HR-2"}
    (item,) = report["findings"]
    assert item["quote_verified"] is True and item["location"] == {"line": 1}
    assert report["reasoning"] == [
        {"policy": POLICY.id, "effort": "low", "text": "P1 promises a guaranteed return."}
    ]
    assert report["timings"]["ingest_s"] == 0.5
    out = tmp_path / "sub" / "r.json"
    write_json(report, out)
    assert json.loads(out.read_text(encoding="utf-8")) == report
    assert list(out.parent.iterdir()) == [out]  # no partial file left behind
