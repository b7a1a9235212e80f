"""Every file of the shared corpus gives what its manifest promises: a correct extraction, or a
one-line error of our own that names the file and the problem. Read through the child process
the app uses, so the limits are part of the test."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from app.core.errors import (
    CorruptDocument,
    DocumentError,
    GarbledText,
    NoTextLayer,
    PasswordRequired,
)
from app.ingest.isolated import read_isolated
from tests.helpers.paths import CORPUS

DOCS = CORPUS / "docs"
OK = "ok"
# file -> (OK, text that must be in the extraction) or (error class, words the message must
# hold); a password, where one is given, is tried as a second case.
EXPECTED: dict[str, tuple[object, str]] = {
    "pysf__libreoffice-writer-password.pdf": (PasswordRequired, "password required"),
    "pypdf__r6-user-password.pdf": (PasswordRequired, "password required"),
    "pypdf__r6-owner-password.pdf": (OK, "pdf encryption test"),
    "pdfjs__issue6010_2.pdf": (PasswordRequired, "password required"),
    "pdfminer__dmca.pdf": (OK, "Digital Millennium Copyright Act"),
    # Scans: read by OCR now (they used to be refused with "OCR is not part of this tool").
    "ocrmypdf__c02-22.pdf": (OK, "went tip-toeing along a path"),
    "ocrmypdf__linn.pdf": (OK, "The LinnSequencer is a state-of-the-art composition"),
    "ocrmypdf__linn.txt": (OK, "LinnSequencer"),
    "ocrmypdf__rotated_skew.pdf": (OK, "32 Track MIDI Sequence Recorder"),
    "pypdf__Seige_of_Vicksburg_Sample_OCR.pdf": (OK, "VICKSBURG"),
    "pysf__multicolumn.pdf": (OK, "Two-Column Document"),
    "pdfjs__tracemonkey.pdf": (OK, "Trace-based Just-in-Time"),
    "pysf__habibi.pdf": (OK, "habibi"),
    "pdfjs__ArabicCIDTrueType.pdf": (OK, "انواع الخطوط العربية"),
    "pypdf__multilang.pdf": (OK, "Привет, мир"),
    "pdfminer__jo.pdf": (OK, "みんなのおのおののなかのすべてですから"),
    "pdfminer__kampo.pdf": (OK, "第十三条第一項中"),
    "pdfjs__XiaoBiaoSong.pdf": (GarbledText, "garbled"),
    "pdfminer__zen_of_python_corrupted.pdf": (OK, "Beautiful is better than ugly"),
    "pdfjs__xref_command_missing.pdf": (OK, "Reduced test-case"),
    "ocrmypdf__invalid.pdf": (CorruptDocument, "damaged or invalid PDF"),
    "pysf__unreadablemetadata.pdf": (OK, "Rotary Potentiometer"),
    "pdfjs__bomb_giant.pdf": (OK, "GIANT JBIG2 BOMB"),
    "pdfjs__freeculture.pdf": (OK, "Free Culture"),
    "pdfminer__i1040nr.pdf": (OK, "Nonresident Alien"),
    "pdfminer__f1040nr.pdf": (OK, "Nonresident Alien Income Tax Return"),
    "pdfjs__prefilled_f1040.pdf": (OK, "Department of the Treasury"),
    "pdfjs__xfa_issue14315.pdf": (NoTextLayer, "XFA form"),
    "pdfjs__empty.pdf": (NoTextLayer, "contains no text"),
    "docx4j__Docx4j_GettingStarted.docx": (OK, "What is docx4j?"),
    "poi__stress023.docx": (OK, "ACCESSORY DWELLING UNITS"),
    "pydocx__comments-rich-para.docx": (OK, "Comment by"),
    "mammoth__footnotes.docx": (OK, "A tachyon walks into a bar."),
    "docx4j__odd_even_different_first_page.docx": (OK, "odd/even headers/footers"),
    "poi__Numbering.docx": (OK, "Level 4"),
    "pydocx__having-images.docx": (NoTextLayer, "contains no text"),
    "pydocx__tbl-having-tables.docx": (NoTextLayer, "empty tables"),
    "mammoth__text-box.docx": (OK, "Datum plane"),
    "mammoth__strict-format.docx": (CorruptDocument, "Strict Open XML"),
    "docx4j__arabic_align.docx": (OK, "المدينة"),
    "docx4j__Docx4j_Russian.docx": (OK, "Начало Работы"),
    "poi__bug53475-password-is-pass.docx": (CorruptDocument, "password-protected"),
    "poi__clusterfuzz-POIXWPFFuzzer-4791943399604224.docx": (CorruptDocument, "damaged DOCX"),
    "poi__crash-517626e8.docx": (CorruptDocument, "damaged DOCX"),
    "poi__delins.docx": (OK, "Tika can be"),
    "chardet__hebrew_cp1255_ude_he2.txt": (OK, "העברית היא שפה"),
    "chardet__nobom-utf16le.txt": (OK, "DateTime,Bid,Ask"),
    "chardet__bom-utf-16-le.srt.txt": (OK, "About 2 months ago"),
    "chardet__shiftjis_gutenberg_ude_4.txt": (OK, "マルチン・ルターの小信仰問答書"),
}
PASSWORDS = {
    "pysf__libreoffice-writer-password.pdf": ("openpassword", "Lorem ipsum"),
    "pypdf__r6-user-password.pdf": ("asdfzxcv", "pdf encryption test password: asdfzxcv"),
    "pdfjs__issue6010_2.pdf": ("æøå", "Issue 6010"),
}


def manifest_names() -> list[str]:
    path = DOCS / "manifest.tsv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return [row["file"] for row in csv.DictReader(handle, delimiter="\t")]


def _text(path: Path, password: str | None = None) -> str:
    """The passages' text with whitespace runs made single spaces (line breaks differ)."""
    return " ".join(" ".join(p.text for p in read_isolated(path, password).passages).split())


def test_every_manifest_file_has_an_expectation() -> None:
    names = manifest_names()
    if not names:
        pytest.skip(f"corpus not present at {DOCS}")
    assert sorted(names) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_manifest_file(name: str) -> None:
    path = DOCS / name
    if not path.exists():
        pytest.skip(f"corpus file not present: {path}")
    outcome, words = EXPECTED[name]
    if outcome == OK:
        assert words in _text(path)
        return
    assert isinstance(outcome, type) and issubclass(outcome, DocumentError)
    with pytest.raises(DocumentError) as caught:
        read_isolated(path)
    assert type(caught.value) is outcome
    message = str(caught.value)
    assert "\n" not in message and message.startswith(str(path)) and words in message


@pytest.mark.parametrize("name", sorted(PASSWORDS))
def test_manifest_file_with_its_password(name: str) -> None:
    path = DOCS / name
    if not path.exists():
        pytest.skip(f"corpus file not present: {path}")
    password, words = PASSWORDS[name]
    assert words in _text(path, password)
    with pytest.raises(PasswordRequired, match="wrong password"):
        read_isolated(path, "not-the-password")
