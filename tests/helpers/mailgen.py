"""Build e-mail test files: .eml with the standard library, Outlook .msg with extract-msg's
OLE writer (no Outlook needed; extract-msg is GPL, so it is a dev-only tool: the app reads .msg
with olefile, app.ingest._mapi). The .msg holds the streams [MS-OXMSG] names: message class,
subject, body, sender, recipients, transport headers, attachments, attached Outlook items."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import io
import struct
from email.message import EmailMessage
from pathlib import Path

import olefile  # type: ignore[import-untyped]
from extract_msg.ole_writer import OleWriter

Attachments = list[tuple[str, bytes]]


def make_eml(
    path: Path,
    body: str = "Please find the spring terms attached.\n\nWe guarantee returns.",
    html: str | None = None,
    attachments: Attachments = (),  # type: ignore[assignment]
    subject: str = "Spring offer",
) -> Path:
    message = EmailMessage()
    message["From"] = "Ann Sender <ann@example.com>"
    message["To"] = "Bob Reader <bob@example.com>"
    message["Date"] = "Tue, 03 Mar 2026 10:00:00 +0000"
    message["Subject"] = subject
    message.set_content(body)
    if html is not None:
        message.add_alternative(html, subtype="html")
    for name, data in attachments:
        if name.endswith(".eml"):  # an attached message travels as message/rfc822, unencoded
            inner = email.message_from_bytes(data, policy=email.policy.default)
            message.add_attachment(inner, filename=name)
            continue
        maintype, subtype = _type(name)
        message.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    path.write_bytes(message.as_bytes())
    return path


def _type(name: str) -> tuple[str, str]:
    suffix = Path(name).suffix.lower()
    return {
        ".pdf": ("application", "pdf"),
        ".txt": ("text", "plain"),
        ".png": ("image", "png"),
        ".eml": ("message", "rfc822"),
    }.get(suffix, ("application", "octet-stream"))


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _properties(entries: list[tuple[int, int]], top: bytes) -> bytes:
    """A __properties_version1.0 stream: its header, then PT_LONG entries (tag, value)."""
    body = b"".join(struct.pack("<IIq", tag, 6, value) for tag, value in entries)
    return top + body


_EPOCH = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)  # FILETIME counts 100 ns steps from it
SENT = int((dt.datetime(2026, 3, 3, 10, tzinfo=dt.timezone.utc) - _EPOCH).total_seconds()) * 10**7


def make_msg(
    path: Path,
    body: str = "Please find the spring terms attached.\r\n\r\nWe guarantee returns.",
    attachments: Attachments = (),  # type: ignore[assignment]
    subject: str = "Spring offer",
    rtf_body: bytes | None = None,
    transport_headers: bool = True,
) -> Path:
    """``rtf_body``: the message has only Outlook's compressed RTF body, no plain text. An
    attachment named ``*.msg`` is attached as an Outlook item (an embedded message), as Outlook
    does with a dragged-in e-mail. ``transport_headers=False``: no internet headers (a draft, or
    a message that never left Exchange): sender, recipients and date are properties only."""
    writer = OleWriter()
    strings = {
        "001A": "IPM.Note",
        "0037": subject,
        "1000": body,
        "0C1A": "Ann Sender",
        "0C1F": "ann@example.com",
        "0E04": "Bob Reader",
        "007D": (
            "From: Ann Sender <ann@example.com>\r\nTo: Bob Reader <bob@example.com>\r\n"
            f"Date: Tue, 03 Mar 2026 10:00:00 +0000\r\nSubject: {subject}\r\n\r\n"
        ),
    }
    if not transport_headers:
        del strings["007D"]
    if rtf_body is not None:
        import compressed_rtf  # type: ignore[import-untyped]

        del strings["1000"]
        writer.addEntry("__substg1.0_10090102", compressed_rtf.compress(rtf_body))
    for prop, text in strings.items():
        writer.addEntry(f"__substg1.0_{prop}001F", _utf16(text))
    top = struct.pack("<8sIIII8s", b"", 1, len(attachments), 1, len(attachments), b"")
    sent = [(0x00390040, SENT)]  # PR_CLIENT_SUBMIT_TIME
    writer.addEntry("__properties_version1.0", _properties([] if transport_headers else sent, top))
    writer.addEntry("__nameid_version1.0", storage=True)
    for stream in ("00020102", "00030102", "00040102"):
        writer.addEntry(f"__nameid_version1.0/__substg1.0_{stream}", b"")
    recipient = "__recip_version1.0_#00000000"
    writer.addEntry(recipient, storage=True)
    writer.addEntry(
        f"{recipient}/__properties_version1.0", _properties([(0x0C150003, 1)], b"\0" * 8)
    )
    writer.addEntry(f"{recipient}/__substg1.0_3001001F", _utf16("Bob Reader"))
    writer.addEntry(f"{recipient}/__substg1.0_39FE001F", _utf16("bob@example.com"))
    for number, (name, data) in enumerate(attachments):
        folder = f"__attach_version1.0_#{number:08X}"
        writer.addEntry(folder, storage=True)
        if name.endswith(".msg"):
            method = (0x37050003, 5)  # PR_ATTACH_METHOD: ATTACH_EMBEDDED_MSG
            writer.addEntry(f"{folder}/__properties_version1.0", _properties([method], b"\0" * 8))
            writer.addEntry(f"{folder}/__substg1.0_3001001F", _utf16(name[: -len(".msg")]))
            _embed(writer, f"{folder}/__substg1.0_3701000D", data)
            continue
        method = (0x37050003, 1)  # PR_ATTACH_METHOD: ATTACH_BY_VALUE
        writer.addEntry(f"{folder}/__properties_version1.0", _properties([method], b"\0" * 8))
        writer.addEntry(f"{folder}/__substg1.0_3707001F", _utf16(name))
        writer.addEntry(f"{folder}/__substg1.0_3704001F", _utf16(name[:12]))
        writer.addEntry(f"{folder}/__substg1.0_37010102", data)
    writer.write(str(path))
    return path


def _embed(writer: OleWriter, folder: str, msg: bytes) -> None:
    """Copy a .msg's storages and streams under ``folder``, as [MS-OXMSG] 2.2.2.1 stores an
    attached item: no named-property map of its own, and a 24-byte properties header."""
    writer.addEntry(folder, storage=True)
    with olefile.OleFileIO(io.BytesIO(msg)) as ole:
        entries = [
            e for e in ole.listdir(streams=True, storages=True) if e[0] != "__nameid_version1.0"
        ]
        for entry in sorted(entries, key=len):
            name = "/".join(entry)
            if ole.get_type(name) == olefile.STGTY_STORAGE:
                writer.addEntry(f"{folder}/{name}", storage=True)
                continue
            data = ole.openstream(name).read()
            if name == "__properties_version1.0":
                data = data[:24] + data[32:]
            writer.addEntry(f"{folder}/{name}", data)
