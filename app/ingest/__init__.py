"""Turn a file into a Document of located passages. The format is decided by the file's bytes,
not its name: a mislabelled file is read as what it is (RTF, HTML or an e-mail saved as .txt)
or refused with a clear reason, instead of being parsed as the wrong thing.

Readers other than PDF, DOCX and text are imported when a file needs them: the reader child
process then loads only the parsers it uses."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

from app.core.documents import Document
from app.core.errors import CorruptDocument, InputError, TooLarge, UnsupportedFormat
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import pdf, text, word
from app.ingest.pdf import PageDone
from app.ingest.sniff import KIND_NAMES, looks_like_mail, sniff

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
SUFFIXES = {
    ".pdf": "application/pdf",
    ".docx": DOCX,
    ".doc": "application/msword",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".html": "text/html",
    ".htm": "text/html",
    ".xhtml": "application/xhtml+xml",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
}
# For messages: what Safeguard Desk reads (the CLI and the app may show it).
FORMAT_NAMES = (
    "PDF, Word (DOCX, DOC), OpenDocument text (ODT), RTF, HTML, e-mail (EML, MSG), "
    "PowerPoint (PPTX), Excel (XLSX), TXT and Markdown"
)
# The content kind (app.ingest.sniff) each name promises, and how messages call the format.
_EXPECTS = {
    ".pdf": ("pdf", "PDF"),
    ".docx": ("docx", "DOCX"),
    ".doc": ("doc", "Word .doc"),
    ".odt": ("odt", "ODT"),
    ".rtf": ("rtf", "RTF"),
    ".pptx": ("pptx", "PPTX"),
    ".xlsx": ("xlsx", "XLSX"),
    ".eml": ("mime", "e-mail (.eml)"),
    ".msg": ("msg", "Outlook .msg"),
    ".html": ("html", "HTML"),
    ".htm": ("html", "HTML"),
    ".xhtml": ("html", "HTML"),
    ".txt": ("text", "text"),
    ".md": ("text", "Markdown"),
    ".markdown": ("text", "Markdown"),
}
# Read as what it is, with a warning: content of these kinds under these names.
_READ_AS_IS = {
    "text": {"rtf", "html", "mime"},  # saved from a mail client or a browser as .txt
    "doc": {"rtf", "docx"},  # Word and other programs save RTF or DOCX under .doc
    "docx": {"doc"},
    "html": {"text", "mime"},  # an HTML fragment has no <html> tag; MHT-like pages
}
_CONTENT_MEDIA = {"rtf": "application/rtf", "html": "text/html", "mime": "message/rfc822"}
MAX_PART_DEPTH = 3  # e-mail in e-mail in e-mail: deeper attachments are listed as unread


def supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_document(
    path: Path,
    password: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    on_page: PageDone = lambda done, total: None,
    encoding: str | None = None,
) -> Document:
    """Read a file of any supported format in this process. Raises a DocumentError naming
    the file. ``app.ingest.isolated`` runs this in a child process that can be killed.
    ``encoding``: decode a text file with this one instead of detecting it (the user's choice
    after a wrong guess; other formats say their own encoding)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type '{suffix or '(none)'}'; Safeguard Desk reads {FORMAT_NAMES}",
            path=path,
        )
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            raise TooLarge(
                f"{size / 2**20:.0f} MB, more than the {limits.max_file_mb} MB limit; "
                "raise it in Settings (or --max-file-mb) if this is expected",
                path=path,
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", path=path) from None
    except IsADirectoryError:
        raise InputError("is a folder, not a file", path=path) from None
    except OSError as error:
        raise InputError(f"cannot read file: {error.strerror}", path=path) from None
    if not data:
        raise CorruptDocument("file is empty", path=path)
    return read_data(path, suffix, data, password, limits, on_page, encoding=encoding)


def read_data(
    path: Path,
    suffix: str,
    data: bytes,
    password: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    on_page: PageDone = lambda done, total: None,
    depth: int = 0,
    encoding: str | None = None,
) -> Document:
    """Read bytes named ``suffix`` (a file, or an e-mail's attachment at ``depth``)."""
    sha256 = hashlib.sha256(data).hexdigest()
    kind, warning = _choose(path, suffix, data)
    media_type = SUFFIXES[suffix] if kind == _EXPECTS[suffix][0] else _media(kind)
    if kind == "text":
        document = text.read_text(path, data, sha256, media_type, limits, encoding=encoding)
    else:
        document = _read(path, kind, data, sha256, media_type, password, limits, on_page, depth)
    if warning:
        document = dataclasses.replace(document, warnings=(warning, *document.warnings))
    return document


def classify(path: Path, head: bytes) -> tuple[str, str]:
    """A quick look (the app's document list): the reader the file's first bytes call for and
    the warning reading would give, or the DocumentError reading would refuse it with. ZIP and
    OLE packages are only told apart by reading them, so here they pass as what their name
    says; the full read still checks them."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type '{suffix or '(none)'}'; Safeguard Desk reads {FORMAT_NAMES}",
            path=path,
        )
    return _choose(path, suffix, head)


def _choose(path: Path, suffix: str, data: bytes) -> tuple[str, str]:
    """The kind of reader for these bytes, and a warning when it is not the one the name
    promised; or a one-line refusal saying what the content is."""
    kind = sniff(data)
    expected, label = _EXPECTS[suffix]
    if kind == expected:
        return kind, ""
    if expected == "mime" and kind == "text" and looks_like_mail(data[:8192], strict=False):
        return "mime", ""
    if kind in ("zip", "cfb") and expected in ("docx", "odt", "pptx", "xlsx", "doc", "msg"):
        return expected, ""  # a damaged package: its own reader says what is wrong with it
    if kind == "encrypted":
        raise CorruptDocument(
            f"password-protected (encrypted) {'Word document' if 'doc' in expected else 'file'}"
            ", or an old binary Office file; remove the password and try again",
            path=path,
        )
    if kind in _READ_AS_IS.get(expected, set()):
        return kind, f"named {suffix} but the content is {KIND_NAMES[kind]}: read as such"
    if expected == "mime" and kind == "text":
        raise CorruptDocument(
            "not an e-mail message: it does not start with mail headers (From:, To:, ...)",
            path=path,
        )
    if expected in ("text", "html", "mime"):
        raise CorruptDocument(
            f"named {suffix} but is {KIND_NAMES[kind]}; rename it with the right extension",
            path=path,
        )
    raise CorruptDocument(f"not a valid {label} file: the content is {KIND_NAMES[kind]}", path=path)


def _media(kind: str) -> str:
    if kind in _CONTENT_MEDIA:
        return _CONTENT_MEDIA[kind]
    return next(SUFFIXES[s] for s, (k, _) in _EXPECTS.items() if k == kind)


def _read(
    path: Path,
    kind: str,
    data: bytes,
    sha256: str,
    media_type: str,
    password: str | None,
    limits: ExtractionLimits,
    on_page: PageDone,
    depth: int,
) -> Document:
    if kind == "pdf":
        return pdf.read_pdf(path, data, sha256, password, limits, on_page)
    if kind == "docx":
        return word.read_docx(path, data, sha256, limits)
    if kind == "text":
        return text.read_text(path, data, sha256, media_type, limits)
    if kind in ("mime", "msg"):
        from app.ingest import email_reader, msg_reader

        def read_part(name: str, part: bytes) -> Document:
            return _read_part(path, name, part, limits, depth + 1)

        reader = email_reader.read_eml if kind == "mime" else msg_reader.read_msg
        return reader(path, data, sha256, limits, read_part, depth < MAX_PART_DEPTH)
    if kind == "html":
        from app.ingest import html

        return html.read_html(path, data, sha256, media_type, limits)
    if kind == "rtf":
        from app.ingest import rtf

        return rtf.read_rtf(path, data, sha256, media_type, limits)
    if kind == "odt":
        from app.ingest import odt

        return odt.read_odt(path, data, sha256, limits)
    if kind == "pptx":
        from app.ingest import pptx

        return pptx.read_pptx(path, data, sha256, limits)
    if kind == "xlsx":
        from app.ingest import xlsx

        return xlsx.read_xlsx(path, data, sha256, limits)
    if kind == "doc":
        from app.ingest import legacy_doc

        return legacy_doc.read_doc(path, data, sha256, limits)
    raise UnsupportedFormat(f"cannot read {KIND_NAMES[kind]}", path=path)


def _read_part(
    path: Path, name: str, data: bytes, limits: ExtractionLimits, depth: int
) -> Document:
    """An attachment, read by the reader its name and bytes call for. Raises a DocumentError
    whose ``detail`` the caller records as why the part was not read."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormat(f"unsupported file type '{suffix or '(none)'}'", path=path)
    if len(data) > limits.max_file_bytes:
        raise TooLarge(
            f"{len(data) / 2**20:.0f} MB, more than the {limits.max_file_mb} MB limit", path=path
        )
    if not data:
        raise CorruptDocument("empty", path=path)
    return read_data(path, suffix, data, None, limits, depth=depth)
