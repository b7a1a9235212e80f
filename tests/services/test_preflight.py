"""The quick look at a file when it is added to a check: one status, never an exception, and
bounded (a large file is not read whole)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.core.limits import ExtractionLimits
from app.services import preflight
from app.services.preflight import inspect_file, password_opens, preview_text
from tests.helpers.pdfgen import encrypted_pdf, write_pdf

FLYER = "Café crème, guaranteed 11% a year.\n\nNo risk to your capital: déjà vu.\n"


def test_statuses_of_good_and_bad_files(tmp_path: Path) -> None:
    text = tmp_path / "notes.txt"
    text.write_text(FLYER, encoding="utf-8")
    empty = tmp_path / "empty.md"
    empty.touch()
    pdf_as_text = tmp_path / "scan.txt"
    pdf_as_text.write_bytes(write_pdf(tmp_path / "real.pdf", [["Hello"]]).read_bytes())
    unknown = tmp_path / "notes.xyz"
    unknown.write_text("x", encoding="utf-8")
    folder = tmp_path / "folder.pdf"
    folder.mkdir()
    big = tmp_path / "big.txt"
    big.write_bytes(b"a" * (2 * 2**20))
    statuses = {
        path.name: inspect_file(path, ExtractionLimits(max_file_mb=1))
        for path in (text, empty, pdf_as_text, unknown, folder, big, tmp_path / "gone.pdf")
    }
    assert statuses["notes.txt"].state == "ready"
    assert statuses["notes.txt"].message == f"text, {len(FLYER.encode())} bytes"
    assert statuses["notes.txt"].encoding == "utf-8"
    assert statuses["empty.md"].message == "the file is empty"
    assert "named .txt but is a PDF; rename it" in statuses["scan.txt"].message
    assert "unsupported file type '.xyz'" in statuses["notes.xyz"].message
    assert statuses["folder.pdf"].message == "is a folder, not a file"
    assert statuses["big.txt"].message.startswith("2 MB, more than the 1 MB limit")
    assert statuses["gone.pdf"].message == "file not found"
    for name in ("empty.md", "scan.txt", "notes.xyz", "folder.pdf", "big.txt", "gone.pdf"):
        assert statuses[name].state == "error", name


def test_a_mislabelled_mail_is_read_as_such_and_says_so(tmp_path: Path) -> None:
    mail = tmp_path / "offer.txt"
    mail.write_text(
        "From: a@example.com\nTo: b@example.com\nSubject: Offer\nDate: Mon, 1 Jan 2024\n\nHi\n",
        encoding="utf-8",
    )
    status = inspect_file(mail)
    assert status.state == "ready" and status.kind == "mime"
    assert "named .txt but the content is an e-mail message (MIME): read as such" in status.message


def test_an_encrypted_pdf_needs_its_password(tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path / "locked.pdf", [["Terms apply."]], "s3cret")
    status = inspect_file(locked)
    assert status.state == "password" and "encrypted, a password is needed" in status.message
    assert not password_opens(locked, "wrong")
    assert password_opens(locked, "s3cret")
    open_one = encrypted_pdf(tmp_path / "restricted.pdf", [["Terms apply."]], "")
    assert inspect_file(open_one).state == "ready"  # a user password of "": opens as in a viewer
    assert "opens without a password" in inspect_file(open_one).message


def test_a_legacy_code_page_is_a_guess_to_confirm(tmp_path: Path) -> None:
    legacy = tmp_path / "flyer.txt"
    legacy.write_bytes(FLYER.encode("cp1252") * 20)
    status = inspect_file(legacy)
    assert status.state == "encoding" and not status.encoding.startswith("utf")
    assert "a legacy code page" in status.message
    assert preview_text(legacy, "cp1252").startswith("Café crème")
    assert preview_text(legacy, "nope") == "(unknown encoding 'nope')"


def test_the_look_is_bounded_and_a_cut_utf8_character_is_not_a_legacy_guess(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(preflight, "HEAD_BYTES", 1000)
    long = tmp_path / "long.md"
    long.write_bytes(("é" * 499).encode() + b"x" + "é".encode() + b"a" * 100_000)
    reads: list[int] = []
    original = Path.open

    def counting_open(self: Path, *args: object, **kwargs: object) -> object:
        file = original(self, *args, **kwargs)  # type: ignore[call-overload]
        read = file.read
        file.read = lambda size=-1: reads.append(size) or read(size)  # type: ignore[method-assign]
        return file

    monkeypatch.setattr(Path, "open", counting_open)
    status = inspect_file(long)
    assert status.state == "ready" and status.encoding == "utf-8"
    assert reads == [1000, 1000]  # the head and the tail, never the whole file
