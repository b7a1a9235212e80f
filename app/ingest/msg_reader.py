"""Outlook .msg via extract-msg: the same passages as an .eml (headers summary, body, each
attachment read as its own part), see app.ingest.email_reader. A message whose only body is
Outlook's compressed RTF is read through striprtf; an attached Outlook item is written back to
.msg bytes and read like any attachment (so nesting is bounded in one place)."""

from __future__ import annotations

import io
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.documents import Document
from app.core.errors import CorruptDocument
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, reason
from app.ingest.email_reader import Attachment, Mail, ReadPart, mail_document, safe_name

log = logging.getLogger(__name__)
MEDIA_TYPE = "application/vnd.ms-outlook"


def read_msg(
    path: Path,
    data: bytes,
    sha256: str,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    read_part: ReadPart | None = None,
    read_attachments: bool = True,
) -> Document:
    import extract_msg  # heavy (oletools, RTF parsers): only when a .msg is read
    from extract_msg.exceptions import ExMsgBaseException

    errors: tuple[type[BaseException], ...] = (
        *PARSER_ERRORS,
        ExMsgBaseException,
        NotImplementedError,
    )
    try:
        message = extract_msg.openMsg(data, strict=False, delayAttachments=False)
        try:
            mail = _mail(message, errors)
        finally:
            message.close()
    except errors as error:
        raise CorruptDocument(
            f"not a readable Outlook message ({reason(error)})", path=path
        ) from None
    return mail_document(path, sha256, MEDIA_TYPE, mail, limits, read_part, read_attachments)


def _mail(message: Any, errors: tuple[type[BaseException], ...]) -> Mail:
    fields = (("From", "sender"), ("To", "to"), ("Cc", "cc"), ("Date", "date"))
    headers = {label: _text(_attribute(message, key, errors)) for label, key in fields}
    headers["Subject"] = _text(_attribute(message, "subject", errors))
    if not headers["Date"]:  # Outlook keeps the sent date in the transport headers too
        header = _guarded(lambda: message.header, errors)
        headers["Date"] = _text(header.get("Date", "") if header is not None else "")
    plain = _text_keep_lines(_guarded(lambda: message.body, errors))
    html = ""
    raw_html = _guarded(lambda: message.getStream("__substg1.0_10130102"), errors)
    if isinstance(raw_html, bytes):
        html = raw_html.decode("utf-8", errors="replace")
    if not plain and not html:
        plain = _rtf_body(message, errors)
    attachments = [
        _attachment(number, item, errors)
        for number, item in enumerate(getattr(message, "attachments", []) or [], start=1)
    ]
    return Mail(headers, plain, html, attachments)


def _attachment(number: int, item: Any, errors: tuple[type[BaseException], ...]) -> Attachment:
    from extract_msg.enums import AttachmentType

    kind = getattr(item, "type", None)
    name = safe_name(
        _guarded(lambda: item.longFilename or item.shortFilename or item.displayName, errors),
        f"part {number}",
    )
    if kind is AttachmentType.MSG:
        if not name.lower().endswith(".msg"):
            name += ".msg"
        return Attachment(name, lambda: _embedded_msg(item))
    if kind is not AttachmentType.DATA:
        return Attachment(name, lambda: _refuse(f"an Outlook attachment of type {kind}"))
    mimetype = str(_guarded(lambda: item.mimetype, errors) or "")
    return Attachment(name, lambda: item.data or b"", mimetype.startswith("image/"))


def _embedded_msg(item: Any) -> bytes:
    from extract_msg.ole_writer import OleWriter

    writer = OleWriter()
    writer.fromMsg(item.data)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def _refuse(what: str) -> bytes:
    raise ValueError(f"{what} is not read")


def _rtf_body(message: Any, errors: tuple[type[BaseException], ...]) -> str:
    rtf = _guarded(lambda: message.rtfBody, errors)
    if not isinstance(rtf, bytes) or not rtf:
        return ""
    from striprtf.striprtf import rtf_to_text

    text = _guarded(
        lambda: rtf_to_text(rtf.decode("latin-1"), errors="replace"),  # type: ignore[no-untyped-call]
        errors,
    )
    return text if isinstance(text, str) else ""


def _guarded(get: Callable[[], object], errors: tuple[type[BaseException], ...]) -> Any:
    """A property extract-msg computes on access: a damaged one is logged and left empty
    rather than losing the whole message."""
    try:
        return get()
    except errors:
        log.info("extract-msg could not read a property", exc_info=True)
        return None


def _attribute(message: Any, key: str, errors: tuple[type[BaseException], ...]) -> Any:
    return _guarded(lambda: getattr(message, key), errors)


def _text(value: object) -> str:
    return " ".join(str(value or "").split())


def _text_keep_lines(value: object) -> str:
    return str(value or "").replace("\r\n", "\n").replace("\x00", "")
