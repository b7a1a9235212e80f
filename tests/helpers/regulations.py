"""Generated regulations for the structure and drafting tests: EU style (chapters, articles with
numbered paragraphs, points (a) and sub-points (i)), US style (§ sections with (a)(1)(i)(A)),
a FINRA-style rule, and a long regulation for the split rule; written as text, PDF or DOCX."""

from __future__ import annotations

from pathlib import Path

from app.core.documents import Passage
from tests.helpers.pdfgen import write_pdf

EU = """Model Regulation on Fair Marketing (MRFM)
CHAPTER I
General provisions
Article 1
Subject matter
This Regulation lays down rules for marketing communications.
Article 2
Definitions
For the purposes of this Regulation:
(1) 'marketing communication' means any message that promotes a product to consumers;
(2) 'consumer' means a natural person acting outside a trade;
(3) 'total cost' means all fees and interest a consumer pays.
CHAPTER II
Fair marketing
Article 3
Clear identification
1. A marketing communication shall be clearly identifiable as such.
2. The name of the firm shall appear in every marketing communication.
Article 4
Cost disclosure
1. Where a marketing communication states a price, it shall state the total cost.
2. The total cost shall be:
(a) shown as prominently as any other price;
(b) expressed as:
(i) an amount in euro; and
(ii) a percentage of the amount borrowed.
3. Member States shall ensure that the competent authorities monitor compliance.
Article 5
Prohibited claims
A marketing communication shall not describe a product as free of risk.
CHAPTER III
Final provisions
Article 6
Entry into force
This Regulation shall enter into force on the twentieth day following its publication."""

US = """Model Code for Credit Advertising
§ 10 Scope.
This part applies to advertisements for consumer credit.
§ 11 Definitions.
Advertisement means a commercial message that promotes credit.
§ 12 Required disclosures.
(a) General rule. An advertisement shall state the annual percentage rate.
(b) Triggering terms. If an advertisement states a payment amount, it must also state:
(1) the number of payments;
(2) the period of repayment; and
(3) for a variable rate:
(i) that the rate may increase; and
(ii) the index the rate follows, which shall be:
(A) published; and
(B) outside the creditor's control.
§ 13 Prohibited practices.
(a) No advertisement may state that credit is guaranteed."""

FINRA = """FINRA Rule Book
Rule 2210. Communications with the Public
(d) Content Standards
(1) General Standards
(A) All member communications must be fair and balanced.
(B) No member may make any false, exaggerated or misleading claim in a communication."""


def long_regulation(chapters: int = 3, articles: int = 6, paragraphs: int = 2) -> str:
    """A regulation long enough to need several policies: each article holds binding
    paragraphs of about 45 tokens each."""
    lines = ["Model Regulation on Long Disclosures (MRLD)"]
    number = 0
    for chapter in range(1, chapters + 1):
        lines += [f"CHAPTER {'I' * chapter}", f"Topic {chapter}"]
        for _ in range(articles):
            number += 1
            lines += [f"Article {number}", f"Duty {number}"]
            for paragraph in range(1, paragraphs + 1):
                lines.append(
                    f"{paragraph}. A firm shall state in each advertisement for product "
                    f"{number}.{paragraph} the fee it charges, the period the fee covers, the "
                    "total amount a consumer pays over that period and the name of the lender "
                    "who provides the credit."
                )
    return "\n".join(lines)


def write_text(path: Path, text: str) -> Path:
    path.write_text(text + "\n", encoding="utf-8")
    return path


def write_regulation_pdf(path: Path, text: str, lines_per_page: int = 45) -> Path:
    lines = text.split("\n")
    pages = [lines[i : i + lines_per_page] for i in range(0, len(lines), lines_per_page)]
    return write_pdf(path, pages)


def write_regulation_docx(path: Path, text: str) -> Path:
    """One paragraph per line; headings get Word's heading styles, as an author would."""
    import docx

    document = docx.Document()
    for line in text.split("\n"):
        if line.startswith(("CHAPTER", "Article", "§", "Rule")):
            document.add_heading(line, level=2)
        else:
            document.add_paragraph(line)
    document.save(str(path))
    return path


def passages(text: str, per_block: int = 1000) -> list[Passage]:
    """The text as one passage per ``per_block`` lines (readers group lines differently)."""
    lines = text.split("\n")
    return [
        Passage(f"P{n + 1}", "\n".join(lines[i : i + per_block]), {"line": i + 1})
        for n, i in enumerate(range(0, len(lines), per_block))
    ]
