"""The PDF audit report: cover (``pdf_cover``: both verdicts, sign-off, unread parts, document,
policies, model, settings, summary), then one side-by-side block per finding — document passage |
policy clause | rationale and fix | reviewer decision, accepted / rejected / amended each drawn
differently — and an optional auditor appendix with the model's reasoning. The report's JSON is
attached to the PDF, and its sha256 is printed in every footer, so ``report verify`` can check
the file against the audit log."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, SimpleDocTemplate, Spacer

from app.core.canonical import canonical_sha256
from app.core.review import reviewed_severity
from app.core.triage import MANIPULATION_POLICY, TRIAGE_TITLES
from app.report.fonts import REGULAR, markup
from app.report.pdf_cover import cover
from app.report.pdf_parts import (
    DECISION_COLOURS,
    DECISION_WORDS,
    SEVERITY_COLOURS,
    grid,
    para,
    styles,
)
from app.runtime.files import atomic_write

ATTACHMENT = "report.json"


def build_pdf(review: dict[str, Any], target: Path, *, reasoning: bool = False) -> str:
    """Write the report; returns the sha256 of its attached JSON (also printed in the footer)."""
    pdf_bytes, digest = render_pdf(review, reasoning=reasoning)
    atomic_write(target, pdf_bytes, what="PDF report")
    return digest


def render_pdf(review: dict[str, Any], *, reasoning: bool = False) -> tuple[bytes, str]:
    """The report's bytes, and the sha256 of its attached JSON (also printed in the footer)."""
    digest = canonical_sha256(review)
    s = styles()
    buffer = io.BytesIO()
    document_name = Path(review["document"]["path"]).name

    def footer(canvas: Any, doc: Any) -> None:
        canvas.saveState()
        canvas.setFont(REGULAR, 7)
        canvas.setFillColor(colors.HexColor("#555555"))
        canvas.drawString(15 * mm, 11 * mm, f"Safeguard Desk audit report · {document_name[:80]}")
        canvas.drawRightString(195 * mm, 11 * mm, f"page {doc.page}")
        canvas.drawString(15 * mm, 7.5 * mm, f"report sha256 {digest}")
        canvas.restoreState()

    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=18 * mm,
        title=f"Compliance audit report — {document_name}",
        author="Safeguard Desk",
        subject=f"report sha256 {digest}",
    )
    story = cover(review, s) + _findings(review, s)
    if reasoning:
        story += _appendix(review, s)
    pdf.build(story, onFirstPage=footer, onLaterPages=footer)
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(buffer.getvalue())))
    writer.add_attachment(ATTACHMENT, json.dumps(review, ensure_ascii=False, indent=1).encode())
    pdf_bytes = io.BytesIO()
    writer.write(pdf_bytes)
    return pdf_bytes.getvalue(), digest


def read_attached(source: Path | bytes) -> dict[str, Any]:
    """The report JSON attached to a PDF report (a file, or its bytes already read bounded).
    Raises ValueError when there is none or it is not JSON."""
    reader = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    attached = reader.attachments.get(ATTACHMENT)
    if not attached:
        raise ValueError("no report.json attached (not a Safeguard Desk report?)")
    data = json.loads(attached[0])
    if not isinstance(data, dict):
        raise ValueError("the attached report.json is not a report")
    return data


def _findings(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    findings = review["findings"]
    if not findings:
        return [Paragraph("Findings", s["h2"]), para("No findings.", s["base"])]
    passages = {p["id"]: p for p in review["document"]["passages"]}
    clauses = {
        (p["id"], sid): text
        for p in review["policies"]
        for sid, text in p.get("sections", {}).items()
    }
    decisions = review.get("review", {}).get("decisions") or [None] * len(findings)
    story: list[Any] = [PageBreak(), Paragraph("Findings", s["h2"])]
    for number, (finding, decision) in enumerate(zip(findings, decisions, strict=False), start=1):
        passage = passages.get(finding["passage"], {}).get("text", "(passage not found)")
        clause = clauses.get((finding["policy"], finding["section"]), finding["section"])
        if finding["policy"] == MANIPULATION_POLICY:  # raised by code, not by a policy
            title = TRIAGE_TITLES.get(finding["section"], "")
            clause = f"## {finding['section']} {title}\n(built-in triage screen)"
        passage_cell = Paragraph(
            _highlighted(unwrap(passage), finding["quote"] if finding["quote_verified"] else ""),
            s["cell"],
        )
        row = [
            [passage_cell, Spacer(1, 3), para(f"Quote: “{finding['quote']}”", s["small"])],
            _clause_cell(clause, s),
            [
                para(finding["rationale"] or "—", s["cell"]),
                Spacer(1, 3),
                para("Fix: " + (finding["remediation"] or "—"), s["cell"]),
            ],
            _decision_cell(decision, s),
        ]
        head = [
            para(h, s["head"])
            for h in ("Document passage", "Policy clause", "Rationale and fix", "Reviewer")
        ]
        table = grid([head, row], [52 * mm, 48 * mm, 48 * mm, 32 * mm], header=True)
        if decision and decision["decision"] == "reject":  # dropped out: greyed, not hidden
            table.setStyle([("BACKGROUND", (0, 1), (-1, -1), colors.HexColor("#ececec"))])
        title = Paragraph(_finding_title(number, finding, decision), s["head"])
        story.append(KeepTogether([title, Spacer(1, 2), table, Spacer(1, 8)]))
    return story


def _finding_title(number: int, finding: dict[str, Any], decision: dict[str, Any] | None) -> str:
    """'3. [AMENDED] HIGH → LOW fin-promo FP-1 — passage P2 (line 3), confidence 0.80'. The
    severity shown is the one that counts; a rejected finding is struck through."""
    kind = decision["decision"] if decision else None
    severity = reviewed_severity(finding["severity"], decision.get("amended") if decision else None)
    badge = f'<font color="{DECISION_COLOURS[kind]}"><b>[{DECISION_WORDS[kind]}]</b></font>'
    colour = SEVERITY_COLOURS.get(severity, "#000000")
    shown = f'<font color="{colour}"><b>{severity.upper()}</b></font>'
    if severity != finding["severity"]:
        shown = f"<strike>{finding['severity'].upper()}</strike> → {shown}"
    where = ", ".join(f"{k} {v}" for k, v in finding["location"].items()) or "unknown place"
    flag = (
        "" if finding["quote_verified"] else ' <font color="#b03a2e"><b>UNVERIFIED QUOTE</b></font>'
    )
    text = (
        f"{markup(finding['policy'])} {markup(finding['section'])} — passage "
        f"{markup(finding['passage'])} ({markup(where)}), confidence {finding['confidence']:.2f}"
    )
    if kind == "reject":
        text = f'<font color="#888888"><strike>{text}</strike></font>'
    return f"{number}. {badge} {shown} {text}{flag}"


def _decision_cell(decision: dict[str, Any] | None, s: dict[str, ParagraphStyle]) -> list[Any]:
    if not decision:
        return [para("Not reviewed", s["cell"])]
    kind = decision["decision"]
    when = decision["decided_at"].replace("T", " ")[:16] + " UTC"
    head = Paragraph(
        f'<font color="{DECISION_COLOURS[kind]}"><b>{DECISION_WORDS[kind]}</b></font> by '
        f"{markup(decision['reviewer'])}",
        s["cell"],
    )
    lines = [when]
    if decision.get("carried_from_run"):
        lines.append(f"decided on run {decision['carried_from_run']} (carried over)")
    amended = dict(decision.get("amended") or {})
    if amended:
        lines.append("Changed: " + ", ".join(f"{k} → {v}" for k, v in amended.items()))
    if decision.get("note"):
        lines.append(f"Note: {decision['note']}")
    return [head, *(para(line, s["cell"]) for line in lines)]


def _clause_cell(clause: str, s: dict[str, ParagraphStyle]) -> list[Any]:
    heading, _, body = clause.removeprefix("## ").partition("\n")
    return [para(heading, s["head"]), para(unwrap(body) or "", s["cell"])]


def unwrap(text: str) -> str:
    """Join hard-wrapped lines into paragraphs; blank lines stay paragraph breaks."""
    paragraphs = re.split(r"\n\s*\n", text.strip())
    return "\n".join(" ".join(p.split()) for p in paragraphs)


def _highlighted(text: str, quote: str) -> str:
    """Markup of ``text`` with ``quote`` marked (matched ignoring case and whitespace)."""
    words = quote.split()
    if any(unicodedata.bidirectional(char) in ("R", "AL") for char in text):
        words = []  # a highlight would split the line before it is put in visual order
    match = re.search(r"\s+".join(map(re.escape, words)), text, re.IGNORECASE) if words else None
    if match is None:
        return markup(text)
    return (
        markup(text[: match.start()])
        + '<font backColor="#fff2a8"><b>'
        + markup(match.group(0))
        + "</b></font>"
        + markup(text[match.end() :])
    )


def _appendix(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = [
        PageBreak(),
        Paragraph("Auditor appendix: the model's reasoning", s["h2"]),
        para("Model-generated justification, kept for audit; it is not ground truth.", s["small"]),
    ]
    for entry in review.get("reasoning", []):
        story.append(Paragraph(markup(f"{entry['policy']} (effort {entry['effort']})"), s["head"]))
        story.append(para(entry["text"] or "(no reasoning recorded)", s["small"]))
        story.append(Spacer(1, 6))
    return story
