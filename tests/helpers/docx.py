"""A small DOCX with body paragraphs, a table, a header and a footer."""

from __future__ import annotations

from pathlib import Path

import docx


def make_docx(path: Path) -> Path:
    document = docx.Document()
    document.add_paragraph("First clause: we guarantee returns.")  # paragraph 1
    document.add_paragraph("")  # paragraph 2, empty: counted, not emitted
    table = document.add_table(rows=2, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Fee", "Amount"
    table.cell(1, 0).text, table.cell(1, 1).text = "Entry", "5%"
    document.add_paragraph("Third paragraph after the table.")  # paragraph 3
    section = document.sections[0]
    section.header.paragraphs[0].text = "CONFIDENTIAL DRAFT"
    section.footer.paragraphs[0].text = "Page footer text"
    document.save(path)
    return path
