"""Turn a file into a Document of located passages. The format is decided by the file's bytes,
not its name, so a mislabelled file gets a clear error instead of a confusing parse failure."""

from __future__ import annotations

import hashlib
from pathlib import Path

from app.core.documents import Document
from app.core.errors import CorruptDocument, InputError, UnsupportedFormat
from app.ingest import pdf, text, word

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


def read_document(path: Path, password: str | None = None) -> Document:
    """Read a PDF, DOCX, TXT or Markdown file. Raises a DocumentError naming the file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise UnsupportedFormat(
            f"unsupported file type '{suffix or '(none)'}'; Safeguard Desk reads "
            "PDF, DOCX, TXT and Markdown",
            path=path,
        )
    try:
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
        return pdf.read_pdf(path, data, sha256, password)
    if suffix == ".docx":
        if kind == "cfb":
            raise CorruptDocument(
                "password-protected (encrypted) Word document, or an old binary .doc file; "
                "remove the password or save it as .docx and try again",
                path=path,
            )
        _expect(kind, "zip", path, "DOCX")
        return word.read_docx(path, data, sha256)
    if kind in ("pdf", "zip", "cfb"):
        raise CorruptDocument(
            f"named {suffix} but is {_KIND_NAMES[kind]}; rename it with the right extension",
            path=path,
        )
    return text.read_text(path, data, sha256, media_type)


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
