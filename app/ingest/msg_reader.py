"""Outlook .msg, read from its compound file with olefile (app.ingest._mapi): the same passages
as an .eml (headers summary, body, each attachment read as its own part), see
app.ingest.email_reader. A message whose only body is Outlook's compressed RTF is decompressed
(compressed-rtf) and read through striprtf; an attached Outlook item is handed on as a .msg of its
own and read like any attachment (so nesting is bounded in one place, app.ingest.read_data).

What the message itself says is read whole or not at all: a property stream that is there but
cannot be read refuses the file with a one-line CorruptDocument, because a body left out in
silence would be checked as if it were the whole message. An attachment that cannot be read is
an unread part of the coverage, like any other."""

from __future__ import annotations

import email.header
import email.parser
import email.policy
import email.utils
import io
from pathlib import Path

from app.core.documents import Document
from app.core.errors import CorruptDocument, TooLarge, UnsupportedFormat
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, reason
from app.ingest._mapi import (
    ATTACHMENT,
    BINARY,
    EMBEDDED,
    LONG,
    RECIPIENT,
    SUB_HEADER,
    MapiObject,
    as_own_file,
    codec,
)
from app.ingest.email_reader import Attachment, Mail, ReadPart, mail_document, safe_name

MEDIA_TYPE = "application/vnd.ms-outlook"
MAX_RECIPIENTS = 500  # the headers summary names at most this many per field, then a count
# PR_ATTACH_METHOD values ([MS-OXCMSG] 2.2.2.9) that carry no file to read.
_NOT_A_FILE = {
    2: "a link to a file, not the file itself",
    3: "a link to a file, not the file itself",
    4: "a link to a file, not the file itself",
    6: "an embedded OLE object",
    7: "a link to a file on the web, not the file itself",
}
_ATTACH_OLE = 6
_TO, _CC = 1, 2  # PR_RECIPIENT_TYPE
_UNSENT = 0x8  # PR_MESSAGE_FLAGS: MSGFLAG_UNSENT, a draft has no sent date


def read_msg(
    path: Path,
    data: bytes,
    sha256: str,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    read_part: ReadPart | None = None,
    read_attachments: bool = True,
) -> Document:
    import olefile  # type: ignore[import-untyped]

    try:
        # A BytesIO, never the bytes: olefile takes bytes under 1536 long for a file name.
        # DEFECT_INCORRECT: a broken sector chain is an error, not a stream read short or empty.
        ole = olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)
    except PARSER_ERRORS as error:
        raise CorruptDocument(
            f"not a readable Outlook message ({reason(error)})", path=path
        ) from None
    with ole:  # open while the attachments are read: each is decoded only when its turn comes
        try:
            mail = _mail(MapiObject(ole), data, path, limits)
        except PARSER_ERRORS as error:
            raise CorruptDocument(
                f"not a readable Outlook message ({reason(error)})", path=path
            ) from None
        return mail_document(path, sha256, MEDIA_TYPE, mail, limits, read_part, read_attachments)


def _mail(message: MapiObject, data: bytes, path: Path, limits: ExtractionLimits) -> Mail:
    sent = _transport_headers(message.text(0x007D))  # PR_TRANSPORT_MESSAGE_HEADERS
    headers = {
        "From": sent.get("From") or _sender(message),
        "To": sent.get("To") or _recipients(message, _TO) or message.text(0x0E04),
        "Cc": sent.get("Cc") or _recipients(message, _CC) or message.text(0x0E03),
        "Date": sent.get("Date") or _sent_date(message),
        "Subject": message.text(0x0037),
    }
    plain = _text_keep_lines(message.text(0x1000))  # PR_BODY
    html = _html(message)
    if not plain and not html:
        plain = _rtf_body(message, path, limits)
    attachments = [
        _attachment(number, message, folder, data, path)
        for number, folder in enumerate(message.children(ATTACHMENT), start=1)
    ]
    return Mail({key: _text(value) for key, value in headers.items()}, plain, html, attachments)


def _transport_headers(text: str) -> dict[str, str]:
    """The headers the message travelled with, RFC 2047 words decoded; Outlook's own prefix
    line dropped."""
    prefix = "Microsoft Mail Internet Headers Version 2.0"
    if text.startswith(prefix):
        text = text[len(prefix) :].lstrip()
    parsed = email.parser.HeaderParser(policy=email.policy.compat32).parsestr(text)
    found = {}
    for key in ("From", "To", "Cc", "Date"):
        value = str(parsed.get(key) or "")
        try:
            found[key] = str(email.header.make_header(email.header.decode_header(value)))
        except (ValueError, LookupError):  # an unknown charset or a broken encoded word
            found[key] = value
    return found


def _sender(message: MapiObject) -> str:
    name = message.text(0x0C1A)  # PR_SENDER_NAME
    address = message.text(0x5D01) or message.text(0x0C1F)  # SMTP address, or the native one
    return _person(name, address if "@" in address else "")


def _recipients(message: MapiObject, kind: int) -> str:
    people = []
    folders = message.children(RECIPIENT)
    for folder in folders[:MAX_RECIPIENTS]:
        recipient = MapiObject(message.ole, folder, SUB_HEADER, message.string8)
        if ((recipient.fixed(0x0C15, LONG) or 0) & 0xF) == kind:
            address = recipient.text(0x39FE) or recipient.text(0x3003)  # SMTP, or native
            people.append(_person(recipient.text(0x3001), address))
    if len(folders) > MAX_RECIPIENTS and people:
        people.append(f"and more (over {MAX_RECIPIENTS} recipients, not all listed)")
    return ", ".join(person for person in people if person)


def _person(name: str, address: str) -> str:
    if name and address and name != address:
        return f"{name} <{address}>"
    return name or address


def _sent_date(message: MapiObject) -> str:
    flags = message.fixed(0x0E07, LONG) or 0
    sent = message.time(0x0039)  # PR_CLIENT_SUBMIT_TIME
    return email.utils.format_datetime(sent) if sent and not flags & _UNSENT else ""


def _html(message: MapiObject) -> str:
    raw = message.binary(0x1013)  # PR_HTML: bytes in the message's internet code page
    if raw is not None:
        return raw.decode(codec(message.fixed(0x3FDE, LONG), "utf-8"), errors="replace")
    return message.text(0x1013)  # older messages keep it as a string


def _rtf_body(message: MapiObject, path: Path, limits: ExtractionLimits) -> str:
    compressed = message.binary(0x1009)  # PR_RTF_COMPRESSED
    if not compressed:
        return ""
    declared = int.from_bytes(compressed[4:8], "little")  # [MS-OXRTFCP] 2.1.3.1 RawSize
    # The format cannot expand more than about 8 times: the stream's size bounds the rest.
    if declared > limits.max_file_bytes:
        raise TooLarge(
            f"its RTF body would be {declared / 2**20:.0f} MB, more than the "
            f"{limits.max_file_mb} MB limit",
            path=path,
        )
    from compressed_rtf import decompress  # type: ignore[import-untyped]
    from striprtf.striprtf import rtf_to_text

    try:
        rtf = decompress(compressed)
    except Exception as error:  # compressed-rtf raises a bare Exception on a bad header or CRC
        raise CorruptDocument(f"its RTF body is damaged ({reason(error)})", path=path) from None
    text = rtf_to_text(bytes(rtf).decode("latin-1"), errors="replace")  # type: ignore[no-untyped-call]
    return text if isinstance(text, str) else ""


def _attachment(
    number: int, message: MapiObject, folder: str, data: bytes, path: Path
) -> Attachment:
    try:
        item = MapiObject(message.ole, folder, SUB_HEADER, message.string8)
        name = item.text(0x3707) or item.text(0x3704) or item.text(0x3001)  # long, 8.3, shown
    except PARSER_ERRORS as error:  # this attachment's own streams are damaged: list it
        why = f"damaged ({reason(error)})"
        return Attachment(f"part {number}", lambda: _refuse(why, path))
    name = safe_name(name, f"part {number}")
    method = item.fixed(0x3705, LONG)  # PR_ATTACH_METHOD
    if item.has(EMBEDDED) and method != _ATTACH_OLE:  # an attached e-mail, meeting, contact...
        if not name.lower().endswith(".msg"):
            name += ".msg"
        inner = f"{folder}/{EMBEDDED}"
        return Attachment(name, lambda: as_own_file(message.ole, data, inner))
    if method in _NOT_A_FILE or not item.has(f"__substg1.0_3701{BINARY:04X}"):
        why = _NOT_A_FILE.get(method or 0, "an Outlook attachment without its data")
        return Attachment(name, lambda: _refuse(why, path))
    image = item.text(0x370E).lower().startswith("image/")  # PR_ATTACH_MIME_TAG
    return Attachment(name, lambda: item.binary(0x3701) or b"", image)


def _refuse(what: str, path: Path) -> bytes:
    raise UnsupportedFormat(f"{what}; not read", path=path)


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _text_keep_lines(value: object) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\x00", "")
