"""Outlook .msg beyond what it shares with .eml (tests/ingest/test_email.py): attached Outlook
items read as parts of their own and bounded like any nested message, headers built from the
message's properties when it has no internet headers, a damaged stream refused in one line."""

from __future__ import annotations

import io
from pathlib import Path

import olefile  # type: ignore[import-untyped]
import pytest

from app.core.errors import CorruptDocument
from app.ingest import read_document
from tests.helpers.mailgen import make_msg


def test_an_attached_outlook_item_is_read_as_its_own_part(tmp_path: Path) -> None:
    inner = make_msg(
        tmp_path / "inner.msg",
        body="Inner body text.",
        subject="Forwarded terms",
        attachments=[("note.txt", b"Fees are 2% a year.")],
    ).read_bytes()
    outer = make_msg(tmp_path / "outer.msg", body="Forwarding.", attachments=[("fwd.msg", inner)])
    result = read_document(outer)
    got = {p.text: p.location for p in result.passages}
    assert got["Forwarding."] == {"part": "body", "line": 1}
    assert got["Inner body text."] == {"part": "attachment fwd.msg > body", "line": 1}
    assert got["Fees are 2% a year."] == {
        "part": "attachment fwd.msg > attachment note.txt",
        "line": 1,
    }
    (headers,) = [t for t, loc in got.items() if loc == {"part": "attachment fwd.msg > headers"}]
    assert "Subject: Forwarded terms" in headers and "From: Ann Sender" in headers
    assert result.coverage.unread == ()


def test_attached_outlook_items_are_bounded_like_any_nested_message(tmp_path: Path) -> None:
    data = make_msg(tmp_path / "0.msg", body="Deepest.").read_bytes()
    for level in range(1, 6):
        data = make_msg(tmp_path / f"{level}.msg", body=f"Level {level}.",
                        attachments=[(f"m{level}.msg", data)]).read_bytes()  # fmt: skip
    result = read_document(tmp_path / "5.msg")
    texts = {p.text for p in result.passages}
    assert "Level 2." in texts and not any("Deepest." in t or "Level 1." in t for t in texts)
    (unread,) = result.coverage.unread
    assert "nested too deep" in unread.why and unread.where["part"].count(">") == 3
    assert unread.where["part"].endswith("attachment m2.msg")


def test_without_internet_headers_the_properties_say_who_and_when(tmp_path: Path) -> None:
    path = make_msg(tmp_path / "draft.msg", transport_headers=False)
    headers = read_document(path).passages[0]
    assert headers.location == {"part": "headers"}
    assert headers.text.splitlines() == [
        "From: Ann Sender <ann@example.com>",
        "To: Bob Reader <bob@example.com>",
        "Date: Tue, 03 Mar 2026 10:00:00 +0000",
        "Subject: Spring offer",
    ]


def test_a_damaged_body_stream_refuses_the_file_in_one_line(tmp_path: Path) -> None:
    """A body that cannot be read is not left out in silence: the file is refused."""
    body = "Unreadable body. " * 400  # over 4 KB: its own sectors, past the end once cut
    data = make_msg(tmp_path / "ok.msg", body=body).read_bytes()
    broken = tmp_path / "cut.msg"
    broken.write_bytes(data[: len(data) - 2048])
    with olefile.OleFileIO(io.BytesIO(broken.read_bytes())) as ole:  # the rest still opens
        assert ole.exists("__substg1.0_1000001F") and ole.exists("__substg1.0_0037001F")
    with pytest.raises(
        CorruptDocument, match=r"^\S*cut.msg: not a readable Outlook message \("
    ) as caught:
        read_document(broken)
    assert "\n" not in str(caught.value)
