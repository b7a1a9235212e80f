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


def test_documents_with_coverage_new_location_keys_and_encoding_follow_the_schema(
    tmp_path: Path,
) -> None:
    from app.core.limits import ExtractionLimits
    from app.ingest import read_document
    from tests.helpers import pdfmake

    schema = {"$defs": SCHEMA["$defs"], **SCHEMA["properties"]["document"]}
    form = pdfmake.form_pdf(tmp_path / "form.pdf", {"name": "Ada"})
    hidden = pdfmake.hidden_text_pdf(tmp_path / "h.pdf", "Visible.", "White words.", "Tiny words.")
    scan = pdfmake.write_pages(tmp_path / "mixed.pdf", [["Text page."], pdfmake.scanned_page([])])
    text = tmp_path / "latin.txt"
    text.write_bytes("Café crème: données conservées.".encode("cp1252"))
    for path in (form, hidden, scan, text):
        document = read_document(path, limits=ExtractionLimits(ocr=False))
        jsonschema.validate(document.to_json(), schema)
    unread = read_document(scan, limits=ExtractionLimits(ocr=False)).to_json()["coverage"]
    assert unread == {
        "pages": 2, "text": [1], "ocr": [],
        "unread": [{"page": 2, "why": "no text layer (scanned?) and OCR is off"}],
    }  # fmt: skip
