"""The cheap layout signals that send a page to the second extractor."""

from __future__ import annotations

from app.ingest.pdf_layout import glued_words, has_prose_columns, interleaved_columns


def test_glued_words() -> None:
    assert glued_words("Thisagreementsetsoutthetermsonwhichtheadviseracts " * 5)
    prose = (
        "Die Datenschutzgrundverordnungsbehörde prüft jeden Vertrag sorgfältig, bevor die "
        "Bank ihn unterschreibt, und sie verlangt, dass jede Klausel verständlich ist. "
    ) * 5
    assert not glued_words(prose)  # one long compound a sentence is German, not glue
    assert not glued_words("Short.")


def _rows(order: list[tuple[float, float]]) -> bytes:
    return b"".join(b"BT 1 0 0 1 %.1f %.1f Tm (text) Tj ET\n" % xy for xy in order)


def test_rows_drawn_across_columns_are_interleaved() -> None:
    rows = [(x, 700 - 13 * row) for row in range(10) for x in (60, 310)]
    assert interleaved_columns(_rows(rows), 595)


def test_columns_drawn_one_after_the_other_are_not() -> None:
    left = [(60, 700 - 13 * row) for row in range(10)]
    right = [(310, 700 - 13 * row) for row in range(10)]
    assert not interleaved_columns(_rows(left + right), 595)


def test_relative_moves_are_followed() -> None:
    content = b"BT 60 700 Td (a) Tj 250 0 Td (b) Tj -250 -13 Td (c) Tj ET\n" * 10
    assert interleaved_columns(content, 595)


def test_prose_columns_in_pdfminer_text() -> None:
    assert has_prose_columns("one\ntwo\nthree\n\nfour\nfive\nsix")
    assert not has_prose_columns("Name:\n\nAda\n\nDate:\n\n2026")
