"""The PDF audit report: cover (document, policies, model, settings, reviewer), summary, then one
side-by-side block per finding — document passage | policy clause | rationale and fix | reviewer
decision — and an optional auditor appendix with the model's reasoning. The report's JSON is
attached to the PDF, and its sha256 is printed in every footer, so ``report verify`` can check
the file against the audit log."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from pypdf import PdfReader, PdfWriter
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import (
    KeepTogether,
    PageBreak,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from app.core.canonical import canonical_sha256
from app.core.triage import MANIPULATION_POLICY, TRIAGE_TITLES
from app.report.fonts import BOLD, REGULAR, markup, register
from app.runtime.files import atomic_write

ATTACHMENT = "report.json"
SEVERITY_COLOURS = {"critical": "#8b0000", "high": "#c0392b", "medium": "#d35400", "low": "#7f8c8d"}
VERDICT_COLOURS = {"violation": "#c0392b", "needs_review": "#d35400", "compliant": "#1e8449"}


def _styles() -> dict[str, ParagraphStyle]:
    register()
    base = ParagraphStyle("base", fontName=REGULAR, fontSize=8.5, leading=11)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=7.5, leading=9.5),
        "hash": ParagraphStyle("hash", parent=base, fontSize=6.6, leading=9),
        "title": ParagraphStyle(
            "title", parent=base, fontName=BOLD, fontSize=18, leading=22, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2", parent=base, fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4
        ),
        "notice": ParagraphStyle(
            "notice",
            parent=base,
            fontName=BOLD,
            fontSize=10,
            textColor=colors.HexColor("#b03a2e"),
            spaceAfter=6,
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=8, leading=10),
        "head": ParagraphStyle("head", parent=base, fontName=BOLD, fontSize=8, leading=10),
    }


def build_pdf(review: dict[str, Any], target: Path, *, reasoning: bool = False) -> str:
    """Write the report; returns the sha256 of its attached JSON (also printed in the footer)."""
    pdf_bytes, digest = render_pdf(review, reasoning=reasoning)
    atomic_write(target, pdf_bytes, what="PDF report")
    return digest


def render_pdf(review: dict[str, Any], *, reasoning: bool = False) -> tuple[bytes, str]:
    """The report's bytes, and the sha256 of its attached JSON (also printed in the footer)."""
    digest = canonical_sha256(review)
    styles = _styles()
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
    story = _cover(review, styles) + _findings(review, styles)
    if reasoning:
        story += _appendix(review, styles)
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


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(markup(text), style)


def _grid(rows: list[list[Any]], widths: list[float], header: bool = False) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1 if header else 0)
    commands = [
        ("GRID", (0, 0), (-1, -1), 0.4, colors.HexColor("#bbbbbb")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    if header:
        commands.append(("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")))
    table.setStyle(TableStyle(commands))
    return table


def _cover(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = []
    if review.get("notice"):
        story.append(_p(review["notice"], s["notice"]))
    doc, model = review["document"], review["model"]
    settings = model["settings"]
    verdict = review["verdict"]
    story.append(Paragraph("Compliance audit report", s["title"]))
    story.append(
        Paragraph(
            f'Verdict: <font color="{VERDICT_COLOURS.get(verdict, "#000000")}"><b>'
            f"{verdict.replace('_', ' ').upper()}</b></font>",
            s["h2"],
        )
    )
    info = [
        ("Document", Path(doc["path"]).name),
        ("Path", doc["path"]),
        ("Document sha256", doc["sha256"]),
        ("Type", f"{doc['media_type']}, {doc['pages']} page(s), {len(doc['passages'])} passages"),
        ("Checked", review["created_at"]),
        ("Run", str(review.get("run", {}).get("id", "—"))),
        ("Model", model["name"]),
        ("Model file sha256", model["file_sha256"]),
        (
            "Engine and settings",
            f"{model['engine']}; effort {settings['effort']}, n_ctx "
            f"{settings['n_ctx']}, seed {settings['seed']}, temperature "
            f"{settings['temperature']}",
        ),
        ("Reviewer", review.get("review", {}).get("reviewer", "—")),
        ("Report exported", review.get("review", {}).get("exported_at", "—")),
    ]
    story.append(
        _grid([[_p(k, s["head"]), _p(v, s["cell"])] for k, v in info], [42 * mm, 138 * mm])
    )
    story.append(Paragraph("Policies", s["h2"]))
    rows = [[_p(h, s["head"]) for h in ("Policy", "Version", "sha256")]]
    rows += [
        [
            _p(f"{p['id']} — {p.get('title', '')}", s["cell"]),
            _p(p["version"], s["cell"]),
            _p(p["sha256"], s["hash"]),
        ]
        for p in review["policies"]
    ]
    story.append(_grid(rows, [64 * mm, 16 * mm, 100 * mm], header=True))
    story.append(Paragraph("Summary", s["h2"]))
    findings = review["findings"]
    decisions = review.get("review", {}).get("decisions", [None] * len(findings))
    by_severity = Counter(f["severity"] for f in findings)
    decided = Counter(d["decision"] for d in decisions if d)
    unverified = sum(1 for f in findings if not f["quote_verified"])
    summary = [
        (
            "Findings",
            f"{len(findings)} — "
            + ", ".join(
                f"{by_severity[name]} {name}" for name in ("critical", "high", "medium", "low")
            ),
        ),
        (
            "Unverified quotes",
            f"{unverified} (the quoted words were not found in the cited passage)",
        ),
        (
            "Reviewed",
            f"{sum(decided.values())} of {len(findings)} — {decided['accept']} accepted, "
            f"{decided['reject']} rejected, {decided['amend']} amended",
        ),
    ]
    for entry in review.get("policy_verdicts", []):
        if entry.get("indeterminate"):
            summary.append((f"{entry['policy']}: needs review", entry["indeterminate"]))
    story.append(
        _grid([[_p(k, s["head"]), _p(v, s["cell"])] for k, v in summary], [42 * mm, 138 * mm])
    )
    return story


def _findings(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    findings = review["findings"]
    if not findings:
        return [Paragraph("Findings", s["h2"]), _p("No findings.", s["base"])]
    passages = {p["id"]: p for p in review["document"]["passages"]}
    clauses = {
        (p["id"], sid): text
        for p in review["policies"]
        for sid, text in p.get("sections", {}).items()
    }
    decisions = review.get("review", {}).get("decisions", [None] * len(findings))
    story: list[Any] = [PageBreak(), Paragraph("Findings", s["h2"])]
    for number, (finding, decision) in enumerate(zip(findings, decisions, strict=False), start=1):
        colour = SEVERITY_COLOURS.get(finding["severity"], "#000000")
        where = ", ".join(f"{k} {v}" for k, v in finding["location"].items()) or "unknown place"
        flag = (
            ""
            if finding["quote_verified"]
            else ' <font color="#b03a2e"><b>UNVERIFIED QUOTE</b></font>'
        )
        title = Paragraph(
            f'{number}. <font color="{colour}"><b>{finding["severity"].upper()}</b></font> '
            f"{markup(finding['policy'])} {markup(finding['section'])} — passage "
            f"{markup(finding['passage'])} ({markup(where)}), confidence "
            f"{finding['confidence']:.2f}{flag}",
            s["head"],
        )
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
            [passage_cell, Spacer(1, 3), _p(f"Quote: “{finding['quote']}”", s["small"])],
            _clause_cell(clause, s),
            [
                _p(finding["rationale"] or "—", s["cell"]),
                Spacer(1, 3),
                _p("Fix: " + (finding["remediation"] or "—"), s["cell"]),
            ],
            _decision_cell(decision, s),
        ]
        head = [
            _p(h, s["head"])
            for h in ("Document passage", "Policy clause", "Rationale and fix", "Reviewer")
        ]
        table = _grid([head, row], [52 * mm, 48 * mm, 48 * mm, 32 * mm], header=True)
        story.append(KeepTogether([title, Spacer(1, 2), table, Spacer(1, 8)]))
    return story


def _decision_cell(decision: dict[str, Any] | None, s: dict[str, ParagraphStyle]) -> list[Any]:
    if not decision:
        return [_p("Not reviewed", s["cell"])]
    when = decision["decided_at"].replace("T", " ")[:16] + " UTC"
    lines = [f"{decision['decision'].upper()} by {decision['reviewer']}", when]
    if decision.get("amended"):
        lines.append("Amended: " + ", ".join(f"{k} = {v}" for k, v in decision["amended"].items()))
    if decision.get("note"):
        lines.append(f"Note: {decision['note']}")
    return [_p(line, s["cell"]) for line in lines]


def _clause_cell(clause: str, s: dict[str, ParagraphStyle]) -> list[Any]:
    heading, _, body = clause.removeprefix("## ").partition("\n")
    return [_p(heading, s["head"]), _p(unwrap(body) or "", s["cell"])]


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
        _p("Model-generated justification, kept for audit; it is not ground truth.", s["small"]),
    ]
    for entry in review.get("reasoning", []):
        story.append(Paragraph(markup(f"{entry['policy']} (effort {entry['effort']})"), s["head"]))
        story.append(_p(entry["text"] or "(no reasoning recorded)", s["small"]))
        story.append(Spacer(1, 6))
    return story
