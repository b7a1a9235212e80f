"""Per-file options of a check: each encrypted PDF with its own password (the app asks for
each), a text file read with the encoding the user chose; the others as detected."""

from __future__ import annotations

from pathlib import Path

from app.core.errors import PasswordRequired
from app.ingest import read_document
from app.services.checking import CheckOptions, CheckRequest, FileOptions, run_checks
from app.services.policies import library
from app.services.stores import open_store
from tests.helpers.app_ui import scripted_engine
from tests.helpers.pdfgen import encrypted_pdf


def test_each_file_has_its_own_password_and_encoding(tmp_path: Path) -> None:
    first = encrypted_pdf(tmp_path / "first.pdf", [["Guaranteed returns."]], "one")
    second = encrypted_pdf(tmp_path / "second.pdf", [["No risk at all."]], "two")
    third = encrypted_pdf(tmp_path / "third.pdf", [["Act tonight."]], "three")
    legacy = tmp_path / "legacy.txt"
    legacy.write_bytes("Café crème for everyone.".encode("cp1252"))
    request = CheckRequest(
        policies=(library().resolve("fin-promo"),),
        password="three",  # the command line's one password: for files without their own
        files={
            first: FileOptions(password="one"),
            second: FileOptions(password="two"),
            legacy: FileOptions(encoding="cp1252"),
        },
        options=CheckOptions(recheck=False),
    )
    store = open_store(tmp_path / "store.db")
    try:
        done = run_checks([first, second, third, legacy], request, store, scripted_engine)
    finally:
        store.close()
    assert done.errors == [] and len(done.run_ids) == 4
    texts = [
        o.checked.report["document"]["passages"][0]["text"] for o in done.outcomes if o.checked
    ]
    assert texts == [
        "Guaranteed returns.",
        "No risk at all.",
        "Act tonight.",
        "Café crème for everyone.",
    ]
    assert done.outcomes[3].checked and done.outcomes[3].checked.report["document"]["encoding"] == {
        "name": "cp1252",
        "guessed": False,
    }


def test_a_wrong_password_is_that_files_error_only(tmp_path: Path) -> None:
    locked = encrypted_pdf(tmp_path / "locked.pdf", [["Terms."]], "right")
    try:
        read_document(locked, "wrong")
    except PasswordRequired as error:
        assert "wrong password" in str(error)
    else:
        raise AssertionError("a wrong password opened the file")
    text = tmp_path / "notes.txt"
    text.write_text("Plain notes.", encoding="utf-8")
    request = CheckRequest(
        policies=(library().resolve("fin-promo"),),
        files={locked: FileOptions(password="wrong")},
        options=CheckOptions(recheck=False),
    )
    store = open_store(tmp_path / "store.db")
    try:
        done = run_checks([locked, text], request, store, scripted_engine)
    finally:
        store.close()
    assert [type(e).__name__ for e in done.errors] == ["PasswordRequired"]
    assert len(done.run_ids) == 1
