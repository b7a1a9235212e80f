"""Old binary Word files (.doc) through LibreOffice: ``soffice --headless --convert-to docx`` in a
private temporary folder (its own profile, a copy of the bytes: nothing is written beside the
user's file), bounded by a timeout, then read as DOCX, so locations are DOCX locations. Without
LibreOffice the file is refused with a message naming the program to install."""

from __future__ import annotations

import dataclasses
import io
import os
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

from app.core.documents import Document
from app.core.errors import CorruptDocument, PasswordRequired, TooLarge, UnsupportedFormat
from app.core.limits import DEFAULT_LIMITS, ExtractionLimits
from app.ingest import word

MEDIA_TYPE = "application/msword"
CONVERT_TIMEOUT_S = 120.0  # a .doc LibreOffice cannot convert in two minutes is not coming
_KNOWN_PLACES = (
    "/usr/bin/soffice",
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
    r"C:\Program Files\LibreOffice\program\soffice.exe",
    r"C:\Program Files (x86)\LibreOffice\program\soffice.exe",
)


def soffice() -> str | None:
    """LibreOffice's command-line program, if installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    return next((place for place in _KNOWN_PLACES if Path(place).is_file()), None)


def read_doc(
    path: Path, data: bytes, sha256: str, limits: ExtractionLimits = DEFAULT_LIMITS
) -> Document:
    if _encrypted(data):
        raise PasswordRequired(
            "password-protected Word .doc; remove the password in Word and try again", path=path
        )
    program = soffice()
    if program is None:
        raise UnsupportedFormat(
            "old Word .doc files are read through LibreOffice, which is not installed (no "
            "'soffice' program found); install LibreOffice, or save the file as .docx in Word",
            path=path,
        )
    timeout = min(CONVERT_TIMEOUT_S, limits.timeout_s)
    with tempfile.TemporaryDirectory(prefix="safeguard-doc-") as folder:
        converted = _convert(program, Path(folder), data, timeout, path)
        document = word.read_docx(path, converted, sha256, limits)
    note = "old Word .doc format: converted to .docx by LibreOffice to be read"
    return dataclasses.replace(document, media_type=MEDIA_TYPE, warnings=(*document.warnings, note))


def _convert(program: str, folder: Path, data: bytes, timeout: float, path: Path) -> bytes:
    source = folder / "input.doc"
    source.write_bytes(data)
    out = folder / "out"
    command = [
        program,
        "--headless",
        "--norestore",
        "--nolockcheck",
        f"-env:UserInstallation={(folder / 'profile').as_uri()}",
        "--convert-to",
        "docx",
        "--outdir",
        str(out),
        str(source),
    ]
    # Its own process group, so that on a timeout soffice.bin dies with the launcher script.
    own_group = {"start_new_session": True} if sys.platform != "win32" else {}
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        **own_group,  # type: ignore[call-overload]
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill(process)
        raise TooLarge(
            f"LibreOffice took longer than {timeout:.0f} s to convert the .doc and was stopped",
            path=path,
        ) from None
    result = out / "input.docx"
    if process.returncode != 0 or not result.is_file():
        said = " ".join(output.decode("utf-8", "replace").split())[-160:]
        message = f"LibreOffice could not convert this .doc (damaged, or not a Word file?) {said}"
        raise CorruptDocument(message.strip(), path=path)
    return result.read_bytes()


def _kill(process: subprocess.Popen[bytes]) -> None:
    try:
        if sys.platform != "win32":
            os.killpg(process.pid, signal.SIGKILL)
        else:
            process.kill()
    except (ProcessLookupError, PermissionError):
        pass
    process.wait(5)


def _encrypted(data: bytes) -> bool:
    """The File Information Block's fEncrypted bit ([MS-DOC] 2.5.2): LibreOffice would wait for
    a password nobody can type in headless mode."""
    import olefile  # type: ignore[import-untyped]

    try:
        with olefile.OleFileIO(io.BytesIO(data)) as ole:
            fib = ole.openstream("WordDocument").read(12)
    except (OSError, ValueError, IndexError, KeyError, TypeError):
        return False
    return len(fib) >= 12 and bool(int.from_bytes(fib[10:12], "little") & 0x0100)
