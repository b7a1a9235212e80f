"""E-mail (.eml, MIME) via the standard library's ``email`` package. A message becomes:
a headers summary ``{"part": "headers"}`` (From, To, Cc, Date, Subject); the body
``{"part": "body", ...}`` (the plain-text version, or the HTML one turned to text; when both exist
and the HTML says more, it is read too as ``"body (HTML version)"``); then each attachment read
as its own document by the same readers, ``{"part": "attachment spring.docx", ...its own keys}``.
An attachment that cannot be read (unsupported type, damaged, too large, nested too deep, over
the count) is an unread part of the coverage, never dropped. The .msg reader shares this."""

from __future__ import annotations

import base64
import email
import email.policy
import quopri
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage, Message
from pathlib import Path

from app.core.documents import Coverage, Document, Unread, number_passages
from app.core.errors import CorruptDocument, DocumentError, NoTextLayer
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest._common import PARSER_ERRORS, check_chars, reason
from app.ingest._parts import IMAGE, Block, blocks_of, nested, under
from app.ingest.html import html_blocks
from app.ingest.text import paragraphs

ReadPart = Callable[[str, bytes], Document]  # name, bytes -> Document; raises DocumentError
MAX_ATTACHMENTS = 100
_SUMMARY = ("From", "To", "Cc", "Date", "Subject")
_BY_TYPE = {
    "text/plain": ".txt",
    "text/html": ".html",
    "message/rfc822": ".eml",
    "application/pdf": ".pdf",
    "application/rtf": ".rtf",
    "text/rtf": ".rtf",
}
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f]")
_WORD = re.compile(r"\w+")


@dataclass
class Attachment:
    name: str  # file name as the sender gave it (made safe to show)
    data: Callable[[], bytes]  # decoded lazily: an attachment over the count is never decoded
    inline_image: bool = False


@dataclass
class Mail:
    headers: dict[str, str]
    plain: str
    html: str
    attachments: list[Attachment]


def read_eml(
    path: Path,
    data: bytes,
    sha256: str,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    read_part: ReadPart | None = None,
    read_attachments: bool = True,
) -> Document:
    try:
        message = email.message_from_bytes(data, policy=email.policy.default)
        mail = _parse(message)
    except PARSER_ERRORS as error:
        raise CorruptDocument(
            f"not a readable e-mail message ({reason(error)})", path=path
        ) from None
    return mail_document(path, sha256, "message/rfc822", mail, limits, read_part, read_attachments)


def mail_document(
    path: Path,
    sha256: str,
    media_type: str,
    mail: Mail,
    limits: ExtractionLimits,
    read_part: ReadPart | None,
    read_attachments: bool,
) -> Document:
    """Headers, body and attachments of a parsed message (e-mail or Outlook .msg)."""
    summary = "\n".join(f"{k}: {v}" for k, v in mail.headers.items() if v.strip())
    blocks: list[Block] = [(summary, {"part": "headers"})] if summary else []
    warnings: list[str] = []
    blocks.extend(_body(mail, warnings))
    unread: list[Unread] = []
    names: set[str] = set()
    for number, attachment in enumerate(mail.attachments, start=1):
        part = _unique(f"attachment {attachment.name}", names)
        why = ""
        if not read_attachments or read_part is None:
            why = "attached inside an attachment nested too deep; not read"
        elif number > MAX_ATTACHMENTS:
            why = f"more than {MAX_ATTACHMENTS} attachments; not read"
        elif attachment.inline_image:
            why = IMAGE
        if why:
            unread.append(Unread({"part": part}, why))
            continue
        assert read_part is not None
        try:
            inner = read_part(attachment.name, attachment.data())
        except DocumentError as error:
            unread.append(Unread({"part": part}, error.detail))
            continue
        except PARSER_ERRORS as error:  # a payload that will not decode
            unread.append(Unread({"part": part}, f"could not be decoded ({reason(error)})"))
            continue
        more, missed, notes = nested(part, inner)
        blocks.extend(more)
        unread.extend(missed)
        warnings.extend(notes)
    check_chars(blocks, limits, path)
    passages = number_passages(blocks)
    if not passages:
        raise NoTextLayer("contains no text (no headers, body or readable attachment)", path=path)
    return Document(
        path, sha256, media_type, 1, passages, tuple(warnings), Coverage(unread=tuple(unread))
    )


def _body(mail: Mail, warnings: list[str]) -> list[Block]:
    blocks: list[Block] = []
    if mail.plain.strip():
        for text, location in paragraphs(mail.plain):
            blocks.extend(blocks_of(text, {"part": "body", **location}))
    if mail.html.strip():
        html, _ = html_blocks(mail.html, skip_cid=True)
        if not blocks:
            return [(text, under("body", location)) for text, location in html]
        plain_words = set(_WORD.findall(mail.plain.lower()))
        extra = {w for text, _ in html for w in _WORD.findall(text.lower())} - plain_words
        if len(extra) > 3:  # not just a link or a signature's formatting: the versions differ
            warnings.append(
                "the HTML version of the body has words the plain-text version lacks; both read"
            )
            blocks.extend((text, under("body (HTML version)", loc)) for text, loc in html)
    return blocks


def _unique(name: str, seen: set[str]) -> str:
    candidate, count = name, 1
    while candidate in seen:
        count += 1
        candidate = f"{name} ({count})"
    seen.add(candidate)
    return candidate


def safe_name(name: str | None, fallback: str) -> str:
    """A sender-chosen file name fit to show and to choose a reader by: no folders, no
    control characters, not endless."""
    cleaned = _UNSAFE_NAME.sub("", (name or "").replace("\\", "/").rsplit("/", 1)[-1]).strip()
    return cleaned[:120] or fallback


def _parse(message: Message) -> Mail:
    headers = {key: " ".join(str(message.get(key, "")).split()) for key in _SUMMARY}
    assert isinstance(message, EmailMessage)
    plain_part = message.get_body(("plain",))
    html_part = message.get_body(("html",))
    body_parts = [p for p in (plain_part, html_part) if p is not None]
    attachments = []
    for number, part in enumerate(_leaves(message), start=1):
        if any(part is body for body in body_parts):
            continue
        content_type = part.get_content_type()
        fallback = f"part {number}{_BY_TYPE.get(content_type, '')}"
        name = safe_name(part.get_filename(), fallback)
        if "." not in name and content_type in _BY_TYPE:
            name += _BY_TYPE[content_type]
        attachments.append(Attachment(name, _payload(part), part.get_content_maintype() == "image"))
    return Mail(headers, _content(plain_part), _content(html_part), attachments)


def _leaves(part: Message) -> Iterator[Message]:
    """Every non-multipart part; an attached message (message/rfc822) is one leaf."""
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        for sub in part.get_payload():
            assert isinstance(sub, Message)
            yield from _leaves(sub)
    else:
        yield part


def _content(part: Message | None) -> str:
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    return content if isinstance(content, str) else ""


def _payload(part: Message) -> Callable[[], bytes]:
    def decoded() -> bytes:
        if part.get_content_type() == "message/rfc822":
            inner = part.get_payload(0)
            assert isinstance(inner, Message)
            raw = inner.as_bytes(policy=email.policy.default)
            # Some mailers encode an attached message (RFC 2046 forbids it): undo that.
            encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
            if encoding == "base64":
                return base64.b64decode(raw)
            if encoding == "quoted-printable":
                return quopri.decodestring(raw)
            return raw
        payload = part.get_payload(decode=True)
        return payload if isinstance(payload, bytes) else b""

    return decoded
