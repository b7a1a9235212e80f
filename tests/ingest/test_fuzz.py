"""Mutated PDF, DOCX and text bytes: the readers return a Document or raise one of our own
DocumentErrors — never a raw library exception (that would reach the user as 'internal error')."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.core.documents import Document
from app.core.errors import DocumentError
from app.core.limits import ExtractionLimits
from app.ingest import read_document
from tests.helpers.pdfgen import write_pdf


def _pdf_seed(tmp: Path) -> bytes:
    return write_pdf(
        tmp / "seed.pdf", [["Fees are 2% a year.", "Returns are guaranteed."]] * 2
    ).read_bytes()


def _docx_seed() -> bytes:
    document = docx.Document()
    document.add_paragraph("We guarantee returns of 12% a year.")
    table = document.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Fee", "5%"
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TEXT_SEED = "Policy draft\n\nCustomers’ data is shared with partners.\n\nÜber uns: 12 €".encode()

mutations = st.lists(
    st.tuples(st.integers(min_value=0, max_value=2**31), st.integers(min_value=0, max_value=255)),
    max_size=12,
)


def mutate(seed: bytes, changes: list[tuple[int, int]], cut: int | None) -> bytes:
    data = bytearray(seed)
    for position, value in changes:
        data[position % len(data)] = value
    return bytes(data[:cut] if cut else data)


NO_OCR = ExtractionLimits(ocr=False)


def _assert_ours(path: Path, limits: ExtractionLimits = NO_OCR) -> None:
    try:
        result = read_document(path, limits=limits)
    except DocumentError as error:
        assert "\n" not in str(error) and str(error).startswith(str(path))
    else:
        assert isinstance(result, Document) and result.passages


FUZZ = settings(
    max_examples=1500,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    derandomize=True,  # the same examples in CI as here; a failure reproduces
)


@pytest.mark.timeout(300)
@FUZZ
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=1, max_value=2000)))
def test_mutated_pdf(tmp_path: Path, changes: list[tuple[int, int]], cut: int | None) -> None:
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(mutate(_pdf_seed(tmp_path), changes, cut))
    _assert_ours(path)


@pytest.mark.timeout(300)
@settings(FUZZ, max_examples=40)  # OCR takes seconds a page: fewer examples, same rule
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=1, max_value=2000)))
def test_mutated_pdf_with_ocr(
    tmp_path: Path, changes: list[tuple[int, int]], cut: int | None
) -> None:
    path = tmp_path / "fuzz.pdf"
    path.write_bytes(mutate(_pdf_seed(tmp_path), changes, cut))
    _assert_ours(path, ExtractionLimits())


DOCX_SEED = _docx_seed()


@pytest.mark.timeout(300)
@FUZZ
@given(changes=mutations, cut=st.one_of(st.none(), st.integers(min_value=1, max_value=40000)))
def test_mutated_docx(tmp_path: Path, changes: list[tuple[int, int]], cut: int | None) -> None:
    path = tmp_path / "fuzz.docx"
    path.write_bytes(mutate(DOCX_SEED, changes, cut))
    _assert_ours(path)


@pytest.mark.timeout(300)
@FUZZ
@given(data=st.binary(max_size=3000) | st.builds(lambda c: mutate(TEXT_SEED, c, None), mutations))
def test_mutated_or_random_text(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "fuzz.txt"
    path.write_bytes(data)
    _assert_ours(path)
