"""The PDF report's first page: both verdicts (the model's first, the reviewed one) and the
sign-off, the parts of the document no one read, what was checked with what, and a summary
counted on the reviewed state (rejected findings apart, amended severities as amended)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph

from app.core.documents import unread_place
from app.core.review import reviewed_severity, signoff_line
from app.report.fonts import markup
from app.report.pdf_parts import grid, para, verdict_markup

SEVERITY_NAMES = ("critical", "high", "medium", "low")


def cover(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    story: list[Any] = []
    if review.get("notice"):
        story.append(para(review["notice"], s["notice"]))
    reviewed = review.get("review", {})
    story.append(Paragraph("Compliance audit report", s["title"]))
    story.append(Paragraph(verdict_markup("Model verdict", review["verdict"]), s["verdict"]))
    if "verdict" in reviewed:
        counts = reviewed.get("counts", {})
        done = f"{reviewed.get('reviewed', 0)} of {reviewed.get('total', 0)} findings reviewed"
        if counts.get("carried"):
            done += f", {counts['carried']} decided on an earlier run"
        story.append(
            Paragraph(
                verdict_markup("Reviewed verdict", reviewed["verdict"]) + f" ({markup(done)})",
                s["verdict"],
            )
        )
        signoff = reviewed.get("signoff")
        story.append(para(f"Sign-off: {signoff_line(signoff)}", s["verdict"]))
        if signoff and signoff.get("note"):
            story.append(para(f"Sign-off note: {signoff['note']}", s["base"]))
    story += _unread(review, s)
    story.append(_info(review, s))
    story.append(Paragraph("Policies", s["h2"]))
    rows = [[para(h, s["head"]) for h in ("Policy", "Version", "sha256")]]
    rows += [
        [
            para(f"{p['id']} — {p.get('title', '')}", s["cell"]),
            para(p["version"], s["cell"]),
            para(p["sha256"], s["hash"]),
        ]
        for p in review["policies"]
    ]
    story.append(grid(rows, [64 * mm, 16 * mm, 100 * mm], header=True))
    story.append(Paragraph("Summary", s["h2"]))
    story.append(
        grid([[para(k, s["head"]), para(v, s["cell"])] for k, v in summary(review)],
             [42 * mm, 138 * mm])
    )  # fmt: skip
    return story


def _unread(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> list[Any]:
    """A line per part no one read (trust rule 2): the verdicts above do not cover them."""
    unread = review["document"].get("coverage", {}).get("unread", [])
    lines = []
    for part in unread:
        lines.append(para(f"Not read: {unread_place(part)} — {part.get('why', '')}", s["warning"]))
    if lines:
        lines.insert(
            0,
            para(
                f"{len(unread)} part(s) of the document were not read; no verdict covers them:",
                s["warning"],
            ),
        )
    return lines


def _info(review: dict[str, Any], s: dict[str, ParagraphStyle]) -> Any:
    doc, model = review["document"], review["model"]
    settings = model["settings"]
    reviewed = review.get("review", {})
    info = [
        ("Document", Path(doc["path"]).name),
        ("Path", doc["path"]),
        ("Document sha256", doc["sha256"]),
        ("Type", f"{doc['media_type']}, {doc['pages']} page(s), {len(doc['passages'])} passages"),
        ("Checked", review["created_at"]),
        ("Run", str(review.get("run", {}).get("id", "—"))),
        ("Model", model["name"] + (f" — {model['note']}" if model.get("note") else "")),
        ("Model file sha256", model["file_sha256"]),
        ("Engine and settings", _settings_text(model["engine"], settings)),
        ("Exported by", reviewed.get("reviewer", "—")),
        ("Report exported", reviewed.get("exported_at", "—")),
    ]
    return grid([[para(k, s["head"]), para(v, s["cell"])] for k, v in info], [42 * mm, 138 * mm])


def _settings_text(engine: str, settings: dict[str, Any]) -> str:
    sampling = ", ".join(
        f"{key.replace('_', '-')} {settings[key]}"
        for key in ("top_p", "top_k", "min_p")
        if settings.get(key) is not None  # None: the server's own default, not sent
    )
    budget = settings.get("budget")
    reasoning = (
        f"; reasoning up to {budget['low']}/{budget['medium']}/{budget['high']} tokens "
        f"(low/medium/high), answer {budget['answer']}"
        if budget and budget.get("high")
        else ""
    )
    return (
        f"{engine}; effort {settings['effort']}, n_ctx {settings['n_ctx']}, seed "
        f"{settings['seed']}, temperature {settings['temperature']}"
        + (f", {sampling}" if sampling else "")
        + reasoning
    )


def summary(review: dict[str, Any]) -> list[tuple[str, str]]:
    findings = review["findings"]
    decisions = review.get("review", {}).get("decisions") or [None] * len(findings)
    raised = Counter(f["severity"] for f in findings)
    kinds = Counter(d["decision"] if d else None for d in decisions)
    standing = Counter(
        reviewed_severity(f["severity"], d.get("amended") if d else None)
        for f, d in zip(findings, decisions, strict=False)
        if not (d and d["decision"] == "reject")
    )
    unverified = sum(1 for f in findings if not f["quote_verified"])
    rows = [
        ("Findings raised", f"{len(findings)} — " + _by_severity(raised)),
        (
            "After review",
            f"{sum(standing.values())} standing — {_by_severity(standing)} (amended severities "
            f"as amended); {kinds['reject']} rejected, not counted",
        ),
        (
            "Reviewed",
            f"{len(findings) - kinds[None]} of {len(findings)} — {kinds['accept']} accepted, "
            f"{kinds['reject']} rejected, {kinds['amend']} amended, {kinds[None]} not reviewed",
        ),
        (
            "Unverified quotes",
            f"{unverified} (the quoted words were not found in the cited passage)",
        ),
    ]
    per_policy = {p["policy"]: p for p in review.get("review", {}).get("policies", [])}
    for entry in review.get("policy_verdicts", []):
        words = entry["verdict"].replace("_", " ")
        reviewed = per_policy.get(entry["policy"], {}).get("reviewed_verdict")
        text = f"model: {words}" + (f"; reviewed: {reviewed.replace('_', ' ')}" if reviewed else "")
        if entry.get("indeterminate"):
            text += f" — {entry['indeterminate']}"
        for note in entry.get("notes", []):  # e.g. reasoning that stopped at its budget
            text += f"; note: {note}"
        rows.append((entry["policy"], text))
    return rows


def _by_severity(counts: Counter[Any]) -> str:
    return ", ".join(f"{counts[name]} {name}" for name in SEVERITY_NAMES)
