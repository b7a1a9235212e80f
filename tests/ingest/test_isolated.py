"""The child-process reader: limits hold, errors keep their class, progress and cancel work."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from app.core.errors import Cancelled, CorruptDocument, PasswordRequired, TooLarge
from app.core.limits import ExtractionLimits
from app.core.progress import CancelToken, ProgressEvent
from app.ingest import read_document
from app.ingest.isolated import read_isolated
from app.services.stores import open_store
from tests.helpers.paths import ROOT
from tests.helpers.pdfgen import write_pdf


def book(path: Path, pages: int) -> Path:
    return write_pdf(path, [[f"Page {n}: the fund guarantees returns."] * 30 for n in range(pages)])


def test_same_document_as_in_process_with_page_progress(tmp_path: Path) -> None:
    path = book(tmp_path / "book.pdf", 40)
    events: list[ProgressEvent] = []
    document = read_isolated(path, progress=events.append)
    assert document == read_document(path)
    pages = [(e.done, e.total) for e in events if e.total]
    assert pages[-1] == (40, 40) and pages == sorted(pages)


def test_errors_keep_their_class_and_name_the_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(CorruptDocument) as caught:
        read_isolated(broken)
    assert str(caught.value).startswith(f"{broken}: damaged or invalid PDF")
    assert caught.value.path == broken


def test_file_size_and_page_limits(tmp_path: Path) -> None:
    path = book(tmp_path / "book.pdf", 12)
    with pytest.raises(TooLarge, match="12 pages, more than the limit of 10"):
        read_isolated(path, limits=ExtractionLimits(max_pages=10))
    big = tmp_path / "big.txt"
    big.write_bytes(b"word " * 300_000)
    with pytest.raises(TooLarge, match="more than the 1 MB limit"):
        read_isolated(big, limits=ExtractionLimits(max_file_mb=1))
    with pytest.raises(TooLarge, match="characters of text, more than the limit of 1,000"):
        read_isolated(big, limits=ExtractionLimits(max_chars=1000))


def test_a_slow_file_is_stopped_at_the_timeout(tmp_path: Path) -> None:
    path = book(tmp_path / "slow.pdf", 600)
    with pytest.raises(TooLarge, match=r"took longer than 0 s and was stopped"):
        read_isolated(path, limits=ExtractionLimits(timeout_s=0.2))


def test_memory_limit_is_a_clear_error(tmp_path: Path) -> None:
    path = book(tmp_path / "book.pdf", 50)
    # Depending on where the child runs out, it says so itself or dies and the parent says so.
    with pytest.raises((TooLarge, CorruptDocument), match="the 60 MB memory limit"):
        read_isolated(path, limits=ExtractionLimits(max_memory_mb=60))


def test_cancel_kills_the_reader(tmp_path: Path) -> None:
    path = book(tmp_path / "long.pdf", 600)
    token = CancelToken()
    threading.Timer(0.5, token.cancel).start()
    with pytest.raises(Cancelled):
        read_isolated(path, cancel=token)


def test_password_reaches_the_child(tmp_path: Path) -> None:
    from pypdf import PdfReader, PdfWriter

    plain = book(tmp_path / "plain.pdf", 1)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password="ünïcode", owner_password="owner", algorithm="AES-256")
    locked = tmp_path / "locked.pdf"
    writer.write(locked)
    with pytest.raises(PasswordRequired):
        read_isolated(locked)
    assert "guarantees returns" in read_isolated(locked, "ünïcode").passages[0].text


def _children(pid: int) -> list[int]:
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in state


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_during_ingest_leaves_a_clean_store_and_no_orphan(
    tmp_path: Path, no_keyring: None
) -> None:
    path = book(tmp_path / "huge.pdf", 3000)
    db = tmp_path / "s.sqlite3"
    process = subprocess.Popen(
        [sys.executable, "-m", "app", "check", str(path), "--policy", "fin-promo",
         "--model", "smoke-gemma3-270m", "--db", str(db), "--quiet", "--max-pages", "5000"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    readers: list[int] = []
    while not readers and time.monotonic() < deadline:
        time.sleep(0.2)
        readers = _children(process.pid)
    assert readers, "the reader child process never started"
    time.sleep(0.5)
    process.send_signal(signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in readers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(_alive(pid) for pid in readers)  # the reader died with the app
    store = open_store(db)
    assert store.recovered == []  # nothing had started: nothing to mark incomplete
    assert store.db.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 0
    assert store.verify_audit().intact
    store.close()
