"""Turn a file into a Document of located passages. The format is decided by the file's bytes,
not its name, so a mislabelled file gets a clear error instead of a confusing parse failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.documents import Document
from app.core.errors import CorruptDocument, InputError, TooLarge, UnsupportedFormat
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import pdf, text, word
from app.ingest.pdf import PageDone

SUFFIXES = {
    ".pdf": "application/pdf",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".txt": "text/plain",
    ".md": "text/markdown",
    ".markdown": "text/markdown",
}
_CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # OLE compound file: .doc, or an encrypted .docx
_KIND_NAMES = {"pdf": "a PDF", "zip": "a ZIP/Office file", "cfb": "an OLE (legacy Office) file"}


def supported(path: Path) -> bool:
    return path.suffix.lower() in SUFFIXES


def read_document(
    path: Path,
    password: str | None = None,
    limits: ExtractionLimits = DEFAULT_LIMITS,
    on_page: PageDone = lambda done, total: None,
) -> Document:
    """Read a PDF, DOCX, TXT or Markdown file in this process. Raises a DocumentError naming
    the file. ``app.ingest.isolated`` runs this in a child process that can be killed."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type '{suffix or '(none)'}'; Safeguard Desk reads "
            "PDF, DOCX, TXT and Markdown",
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
    sha256 = hashlib.sha256(data).hexdigest()
    kind = _sniff(data)
    media_type = SUFFIXES[suffix]
    if suffix == ".pdf":
        _expect(kind, "pdf", path, "PDF")
        return pdf.read_pdf(path, data, sha256, password, limits, on_page)
    if suffix == ".docx":
        if kind == "cfb":
            raise CorruptDocument(
                "password-protected (encrypted) Word document, or an old binary .doc file; "
                "remove the password or save it as .docx and try again",
                path=path,
            )
        _expect(kind, "zip", path, "DOCX")
        return word.read_docx(path, data, sha256, limits)
    if kind in ("pdf", "zip", "cfb"):
        raise CorruptDocument(
            f"named {suffix} but is {_KIND_NAMES[kind]}; rename it with the right extension",
            path=path,
        )
    return text.read_text(path, data, sha256, media_type, limits)


def _sniff(data: bytes) -> str:
    head = data[:1024]
    if b"%PDF-" in head:
        return "pdf"
    if data.startswith(b"PK\x03\x04") or data.startswith(b"PK\x05\x06"):
        return "zip"
    if data.startswith(_CFB_MAGIC):
        return "cfb"
    return "other"


def _expect(kind: str, wanted: str, path: Path, label: str) -> None:
    if kind == wanted:
        return
    actual = _KIND_NAMES.get(kind, "not a known document format (text or unknown data)")
    raise CorruptDocument(f"not a valid {label} file: the content is {actual}", path=path)
