"""The new readers open no connection: every format is read in the reader child process with the
socket guard installed there (e-mail with attachments, Outlook, HTML with remote images, RTF,
ODT, PowerPoint, Excel)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import docx
import pytest

from app.ingest.isolated import read_isolated
from tests.helpers.mailgen import make_eml, make_msg
from tests.helpers.officegen import docx_bytes, make_odt, make_pptx, make_rtf, make_xlsx

GUARD = Path(__file__).resolve().parent.parent / "helpers" / "socket_guard"


def test_every_new_format_reads_without_a_socket(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, getattr(socket.socket, name))
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)
    log = tmp_path / "socket-attempts.log"
    monkeypatch.setenv("SAFEGUARD_SOCKET_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(GUARD), *sys.path]))
    document = docx.Document()
    document.add_paragraph("Attached terms.")
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><p>Offer</p><img src='https://example.com/track.png'>"
        "<iframe src='https://example.com/x'></iframe></body></html>",
        encoding="utf-8",
    )
    files = [
        make_eml(tmp_path / "a.eml", html="<p>Hi <img src='https://example.com/p.gif'></p>",
                 attachments=[("t.docx", docx_bytes(document))]),
        make_msg(tmp_path / "a.msg", attachments=[("t.docx", docx_bytes(document))]),
        page,
        make_rtf(tmp_path / "a.rtf"),
        make_odt(tmp_path / "a.odt"),
        make_pptx(tmp_path / "a.pptx"),
        make_xlsx(tmp_path / "a.xlsx"),
    ]  # fmt: skip
    for path in files:
        assert read_isolated(path).passages, path
    assert not log.exists(), log.read_text(encoding="utf-8")
