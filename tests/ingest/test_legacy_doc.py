"""Old binary .doc files through LibreOffice (skipped where it is not installed), and a clear
message naming the program where it is not."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from app.core.errors import PasswordRequired, TooLarge, UnsupportedFormat
from app.ingest import legacy_doc, read_document
from app.ingest.isolated import read_isolated
from tests.helpers.officegen import make_docx

needs_soffice = pytest.mark.skipif(
    legacy_doc.soffice() is None, reason="LibreOffice (soffice) is not installed"
)


@pytest.fixture(scope="module")
def doc_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real binary .doc, written by LibreOffice from a generated DOCX."""
    program = legacy_doc.soffice()
    if program is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    folder = tmp_path_factory.mktemp("doc")
    source = make_docx(folder / "contract.docx")
    subprocess.run(
        [program, "--headless", f"-env:UserInstallation={(folder / 'profile').as_uri()}",
         "--convert-to", "doc", "--outdir", str(folder), str(source)],
        check=True, capture_output=True, timeout=180,
    )  # fmt: skip
    return folder / "contract.doc"


@needs_soffice
def test_doc_is_read_through_libreoffice(doc_file: Path) -> None:
    before = sorted(p.name for p in doc_file.parent.iterdir())
    result = read_isolated(doc_file)  # the reader child's memory limit applies to soffice too
    assert result.media_type == "application/msword"
    texts = [p.text for p in result.passages]
    assert "First clause: we guarantee returns." in texts and "Entry | 5%" in texts
    assert any("converted to .docx by LibreOffice" in w for w in result.warnings)
    assert sorted(p.name for p in doc_file.parent.iterdir()) == before  # nothing written beside it


@needs_soffice
def test_a_doc_named_docx_is_read_as_doc(doc_file: Path, tmp_path: Path) -> None:
    renamed = tmp_path / "contract.docx"
    shutil.copy(doc_file, renamed)
    result = read_document(renamed)
    assert result.warnings[0].startswith("named .docx but the content is an OLE")
    assert "Third paragraph after the table." in [p.text for p in result.passages]


@needs_soffice
def test_conversion_is_bounded_by_a_timeout(
    doc_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(legacy_doc, "CONVERT_TIMEOUT_S", 0.05)
    with pytest.raises(TooLarge, match="contract.doc: LibreOffice took longer than 0 s"):
        read_document(doc_file)


def test_without_libreoffice_the_message_names_the_program(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Any OLE file with a WordDocument stream is a .doc to the sniffer: build one cheaply.
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.addEntry("WordDocument", b"\xec\xa5" + b"\0" * 1000)
    path = tmp_path / "old.doc"
    writer.write(str(path))
    monkeypatch.setattr(legacy_doc, "soffice", lambda: None)
    with pytest.raises(UnsupportedFormat, match=r"old.doc: .*LibreOffice.*'soffice'"):
        read_document(path)


def test_an_encrypted_doc_asks_for_the_password_to_be_removed(tmp_path: Path) -> None:
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    fib = b"\xec\xa5" + b"\0" * 8 + (0x0100).to_bytes(2, "little") + b"\0" * 1000  # fEncrypted
    writer.addEntry("WordDocument", fib)
    path = tmp_path / "locked.doc"
    writer.write(str(path))
    with pytest.raises(PasswordRequired, match="locked.doc: password-protected Word .doc"):
        read_document(path)
