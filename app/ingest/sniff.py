"""What a file is, from its bytes: the reader is chosen by content, so a mislabelled file is read
as what it is or refused with a clear reason, never parsed as the wrong thing (RTF control words
or MIME headers turned into passages)."""

from __future__ import annotations

import io
import re
import zipfile

from app.ingest._parts import ZIP_ERRORS

CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .doc, .msg, encrypted OOXML
_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
# A PDF object header such as "12 0 obj": a real PDF has them, a note about PDFs does not.
_PDF_OBJECT = re.compile(rb"\d+\s+\d+\s+obj\b")
_HEADER_LINE = re.compile(rb"([!-9;-~]+):")  # an RFC 5322 field name: printable, no colon
_MAIL_HEADERS = {
    b"from",
    b"to",
    b"cc",
    b"date",
    b"subject",
    b"message-id",
    b"mime-version",
    b"received",
    b"return-path",
    b"content-type",
    b"reply-to",
    b"delivered-to",
    b"sender",
}
_HTML_START = re.compile(rb"<(!doctype\s+html|html[\s>]|head[\s>]|body[\s>])", re.IGNORECASE)
_LEADING_NOISE = re.compile(rb"(\s+|<\?xml[^>]*\?>|<!--.*?-->)", re.DOTALL)

# kind -> how a message names it
KIND_NAMES = {
    "pdf": "a PDF",
    "docx": "a ZIP/Office file (a Word document)",
    "xlsx": "a ZIP/Office file (an Excel workbook)",
    "pptx": "a ZIP/Office file (a PowerPoint presentation)",
    "odt": "a ZIP/Office file (an OpenDocument text)",
    "zip": "a ZIP/Office file",
    "doc": "an OLE (legacy Office) file (a Word .doc)",
    "msg": "an OLE (legacy Office) file (an Outlook message)",
    "encrypted": "an OLE (legacy Office) file (a password-protected Office document)",
    "cfb": "an OLE (legacy Office) file",
    "rtf": "RTF",
    "html": "HTML",
    "mime": "an e-mail message (MIME)",
    "text": "text or unknown data",
}


def sniff(data: bytes) -> str:
    """One of the keys of KIND_NAMES."""
    if _is_pdf(data):
        return "pdf"
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data)
    if data.startswith(CFB_MAGIC):
        return _cfb_kind(data)
    head = _strip_bom(data[:8192])
    stripped = head.lstrip()
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    if _is_html(stripped):
        return "html"
    if looks_like_mail(head, strict=True):
        return "mime"
    return "text"


def _is_pdf(data: bytes) -> bool:
    if data.startswith(b"%PDF-"):
        return True
    # Readers accept a header anywhere in the first KB (after junk a mail gateway added); a
    # text that merely mentions "%PDF-1.7" has no PDF objects after it.
    at = data.find(b"%PDF-", 0, 1024)
    return at >= 0 and _PDF_OBJECT.search(data, at, at + 65536) is not None


def _strip_bom(head: bytes) -> bytes:
    for bom in _BOMS:
        if head.startswith(bom):
            return head[len(bom) :]
    return head


def _is_html(stripped: bytes) -> bool:
    # Skip an XML declaration and comments; the document must then open as HTML (a Markdown or
    # text file with a few tags in it is not an HTML page).
    at = 0
    while match := _LEADING_NOISE.match(stripped, at):
        if match.end() == at:
            break
        at = match.end()
    return _HTML_START.match(stripped, at) is not None


def looks_like_mail(head: bytes, strict: bool) -> bool:
    """The first block (up to the first blank line) is all header fields. Strict (a file named
    .txt): it names the sender and at least two other mail headers, or MIME-Version. Lenient (a
    file named .eml): any known mail header."""
    block = head.replace(b"\r\n", b"\n").split(b"\n\n", 1)[0]
    names: set[bytes] = set()
    for number, line in enumerate(block.split(b"\n")):
        if line[:1] in (b" ", b"\t") and number:
            continue  # a folded header line
        match = _HEADER_LINE.match(line)
        if match is None:
            return False
        names.add(match.group(1).lower())
    known = names & _MAIL_HEADERS
    if not strict:
        return bool(known)
    return b"mime-version" in names or (b"from" in names and len(known) >= 3)


def _zip_kind(data: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as package:
            names = set(package.namelist())
            mimetype = package.read("mimetype")[:100] if "mimetype" in names else b""
    except ZIP_ERRORS:
        return "zip"
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    if "ppt/presentation.xml" in names:
        return "pptx"
    if mimetype.strip() == b"application/vnd.oasis.opendocument.text":
        return "odt"
    return "zip"


def _cfb_kind(data: bytes) -> str:
    import olefile  # type: ignore[import-untyped]

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            streams = {"/".join(entry) for entry in ole.listdir(streams=True, storages=True)}
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return "cfb"
    if "EncryptedPackage" in streams:
        return "encrypted"
    if "WordDocument" in streams:
        return "doc"
    if any(name.startswith("__substg1.0_") for name in streams):
        return "msg"
    return "cfb"
