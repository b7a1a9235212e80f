"""A quick look at a file when it is added to a check (the app's document list): does it
exist, is it within the size limit, what is it by its bytes, does it need a password, was its
text encoding only guessed. Bounded: at most ``HEAD_BYTES`` from each end of the file, except
an encrypted PDF, which pypdf opens (within the size limit) to try its password. Nothing here
reads the document's text; the check does that, in its child process.

Each file gets one status line instead of an error dialog after the run."""

from __future__ import annotations

import codecs
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from app.core.errors import DocumentError, PasswordRequired, SafeguardError
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import classify
from app.ingest.sniff import KIND_NAMES
from app.ingest.text import decode_text

HEAD_BYTES = 256 * 1024
PREVIEW_CHARS = 4000
FileState = Literal["ready", "password", "encoding", "error"]
# For the encoding choice: what legacy text files are usually written in, most common first.
ENCODINGS = (
    "utf-8",
    "cp1252",
    "iso-8859-1",
    "iso-8859-15",
    "cp1250",
    "iso-8859-2",
    "cp1251",
    "koi8-r",
    "cp1253",
    "cp1254",
    "cp1257",
    "mac-roman",
    "cp437",
    "cp850",
    "shift_jis",
    "euc-jp",
    "gb18030",
    "big5",
    "euc-kr",
    "utf-16",
)
_FORMATS = {
    "pdf": "PDF",
    "docx": "Word document",
    "doc": "Word .doc",
    "odt": "OpenDocument text",
    "rtf": "RTF",
    "pptx": "PowerPoint",
    "xlsx": "Excel workbook",
    "mime": "e-mail",
    "msg": "Outlook message",
    "html": "HTML",
    "text": "text",
}


@dataclass(frozen=True)
class FileStatus:
    path: Path
    state: FileState  # ready; needs a password; encoding was guessed; cannot be checked
    message: str  # one line for the list: "PDF, 2.1 MB", "file not found", ...
    kind: str = ""  # the reader's kind (app.ingest.sniff), "" when unknown
    size: int = 0
    encoding: str = ""  # a text file's encoding as detected (the guess, for "encoding")


def inspect_file(path: Path, limits: ExtractionLimits = DEFAULT_LIMITS) -> FileStatus:
    """The file's status; never raises for a bad file (its status says what is wrong)."""
    try:
        return _inspect(Path(path), limits)
    except SafeguardError as error:
        return FileStatus(Path(path), "error", error.detail)


def _inspect(path: Path, limits: ExtractionLimits) -> FileStatus:
    try:
        size = path.stat().st_size
        if path.is_dir():
            return FileStatus(path, "error", "is a folder, not a file")
        if size > limits.max_file_bytes:
            return FileStatus(
                path, "error",
                f"{size / 2**20:.0f} MB, more than the {limits.max_file_mb} MB limit "
                "(Settings can raise it)",
                size=size,
            )  # fmt: skip
        if size == 0:
            return FileStatus(path, "error", "the file is empty", size=size)
        head, tail = _ends(path, size)
    except FileNotFoundError:
        return FileStatus(path, "error", "file not found")
    except OSError as error:
        return FileStatus(path, "error", f"cannot read file: {error.strerror or error}")
    kind, warning = classify(path, head)
    described = f"{_FORMATS.get(kind, KIND_NAMES.get(kind, kind))}, {_size(size)}"
    if warning:
        described += f" ({warning})"
    if kind == "pdf" and (b"/Encrypt" in head or b"/Encrypt" in tail):
        if not password_opens(path, None, limits):
            return FileStatus(
                path, "password", f"{described}: encrypted, a password is needed", kind, size
            )
        described += ", encrypted (opens without a password)"
    if kind == "text":
        encoding = _text_encoding(path, head, size)
        if not encoding.startswith("utf"):
            return FileStatus(
                path, "encoding",
                f"{described}: encoding guessed as {encoding} (a legacy code page); "
                "choose another if the text looks wrong",
                kind, size, encoding,
            )  # fmt: skip
        return FileStatus(path, "ready", described, kind, size, encoding)
    return FileStatus(path, "ready", described, kind, size)


def _ends(path: Path, size: int) -> tuple[bytes, bytes]:
    with path.open("rb") as file:
        head = file.read(HEAD_BYTES)
        if size <= HEAD_BYTES:
            return head, b""
        file.seek(max(HEAD_BYTES, size - HEAD_BYTES), os.SEEK_SET)
        return head, file.read(HEAD_BYTES)


def _size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 2**20:
        return f"{size / 1024:.0f} KB"
    return f"{size / 2**20:.1f} MB"


def _text_encoding(path: Path, head: bytes, size: int) -> str:
    if size > len(head):
        # The sample may end inside a UTF-8 character: an incremental decoder allows that.
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
            return "utf-8"
        except UnicodeDecodeError:
            pass
    try:
        return decode_text(head, path)[1]
    except DocumentError:
        return "utf-8"  # binary-looking: the full read says what it is


def password_opens(
    path: Path, password: str | None, limits: ExtractionLimits = DEFAULT_LIMITS
) -> bool:
    """Whether the PDF opens with ``password`` (None: without one). Reads the file (within the
    size limit) to try it; the password is not kept."""
    from app.ingest.pdf_objects import PARSE_ERRORS, open_pdf

    try:
        if path.stat().st_size > limits.max_file_bytes:
            return False
        open_pdf(path, path.read_bytes(), password)
    except PasswordRequired:
        return False
    except (OSError, DocumentError):
        return True  # not a password problem: the check reports what it is
    except PARSE_ERRORS:
        return True
    return True


def preview_text(path: Path, encoding: str, chars: int = PREVIEW_CHARS) -> str:
    """The start of a text file decoded with ``encoding``, to judge a choice by eye."""
    with Path(path).open("rb") as file:
        head = file.read(HEAD_BYTES)
    try:
        decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    except LookupError:
        return f"(unknown encoding '{encoding}')"
    return decoder.decode(head, final=False)[:chars]
