"""The MAPI properties of an Outlook .msg, read straight from its compound file (MS-CFB) with
olefile. The stream names are those of [MS-OXMSG] 2.1-2.4: a variable-length property is the
stream ``__substg1.0_IIIITTTT`` (property id, type); a fixed-size one is a 16-byte entry of the
object's ``__properties_version1.0`` stream after a header whose size depends on the object.

Variable-length properties are found by their stream's name, not through the properties stream:
files written by tools that leave the properties stream incomplete still read (python-oxmsg,
which goes by the properties stream only, reads nothing of such files; extract-msg, GPL, read
them by name too)."""

from __future__ import annotations

import codecs
import datetime as dt
import struct
from typing import Any

STRING, STRING8, BINARY, LONG, SYSTIME = 0x001F, 0x001E, 0x0102, 0x0003, 0x0040
PROPERTIES = "__properties_version1.0"
ATTACHMENT, RECIPIENT = "__attach_version1.0_#", "__recip_version1.0_#"
EMBEDDED = "__substg1.0_3701000D"  # PR_ATTACH_DATA_OBJ: an attached message, or an OLE object
# [MS-OXMSG] 2.4.1: the header before the property entries of each kind of object.
TOP_HEADER, EMBEDDED_HEADER, SUB_HEADER = 32, 24, 8
_ENTRY = struct.Struct("<IIQ")  # tag (type | id << 16), flags, value
_FILETIME_ORIGIN = dt.datetime(1601, 1, 1, tzinfo=dt.timezone.utc)
# Code pages whose Python codec is not simply "cp<number>" ([MS-OXCMSG] PidTagMessageCodepage).
_CODEPAGES = {
    65001: "utf-8",
    1200: "utf-16-le",
    20127: "ascii",
    20866: "koi8-r",
    21866: "koi8-u",
    50220: "iso2022_jp",
    51932: "euc_jp",
    51949: "euc_kr",
    52936: "hz",
    54936: "gb18030",
    **{28590 + n: f"iso8859-{n}" for n in range(1, 16)},
}


def codec(codepage: int | None, default: str) -> str:
    """Python's codec for a Windows code page; ``default`` when unknown."""
    if codepage is None:
        return default
    name = _CODEPAGES.get(codepage, f"cp{codepage}")
    try:
        return codecs.lookup(name).name
    except LookupError:
        return default


class MapiObject:
    """One object of a .msg (the message, a recipient, an attachment), as a folder of an open
    olefile.OleFileIO. Reads raise what olefile raises on damage (OSError and the like): the
    caller decides whether that loses the whole message or only one attachment."""

    def __init__(
        self, ole: Any, folder: str = "", header: int | None = None, string8: str = "cp1252"
    ) -> None:
        """``header``: the size of the properties header; None for the message at the root."""
        self.ole = ole
        self.folder = folder
        properties = self._stream(PROPERTIES) or b""
        self._entries = _entries(properties, _root_header(properties) if header is None else header)
        codepage = self.fixed(0x3FFD, LONG)  # PR_MESSAGE_CODEPAGE: the 8-bit strings' code page
        self.string8 = codec(codepage, string8)

    def text(self, prop: int) -> str:
        """A string property: Unicode (PT_UNICODE) or 8-bit in the message's code page."""
        raw = self._stream(_name(prop, STRING))
        if raw is not None:
            return raw.decode("utf-16-le", errors="replace").rstrip("\x00")
        raw = self._stream(_name(prop, STRING8))
        if raw is not None:
            return raw.decode(self.string8, errors="replace").rstrip("\x00")
        return ""

    def binary(self, prop: int) -> bytes | None:
        return self._stream(_name(prop, BINARY))

    def has(self, name: str) -> bool:
        return bool(self.ole.exists(self._path(name)))

    def fixed(self, prop: int, kind: int) -> int | None:
        """A fixed-size property's value (PT_LONG, PT_SYSTIME...) from the properties stream."""
        return self._entries.get((prop << 16) | kind)

    def time(self, prop: int) -> dt.datetime | None:
        value = self.fixed(prop, SYSTIME)
        if not value:
            return None
        try:  # a FILETIME: 100-nanosecond steps since 1601
            return _FILETIME_ORIGIN + dt.timedelta(microseconds=value // 10)
        except OverflowError:
            return None

    def children(self, prefix: str) -> list[str]:
        """The sub-objects (recipients, attachments) in their stored order. Not capped here: the
        directory's size bounds them, and callers list what they do not read."""
        parts = self._parts()
        depth = len(parts)
        names = {
            entry[depth]
            for entry in self.ole.listdir(streams=False, storages=True)
            if len(entry) == depth + 1
            and entry[:depth] == parts
            and entry[depth].startswith(prefix)
        }
        return [self._path(name) for name in sorted(names)]

    def _stream(self, name: str) -> bytes | None:
        path = self._path(name)
        if not self.ole.exists(path) or self.ole.get_type(path) != 2:  # 2: STGTY_STREAM
            return None
        with self.ole.openstream(path) as stream:
            data: bytes = stream.read()
        return data

    def _path(self, name: str) -> str:
        return f"{self.folder}/{name}" if self.folder else name

    def _parts(self) -> list[str]:
        return self.folder.split("/") if self.folder else []


def _root_header(properties: bytes) -> int:
    """The properties header of the message at a file's root: 32 bytes for a message saved as a
    file, 24 for an attached one ([MS-OXMSG] 2.4.1.1-2); the entries after it are 16 bytes each,
    so the length alone tells them apart (an attached item re-rooted by ``as_own_file``)."""
    return EMBEDDED_HEADER if len(properties) % 16 == 8 else TOP_HEADER


def as_own_file(ole: Any, data: bytes, folder: str) -> bytes:
    """An attached Outlook item as a .msg of its own: the same compound file with the root
    entry's child pointer ([MS-CFB] 2.6.1, at 0x4C) moved to the item's storage, so the item's
    streams are the root's. Nothing is rewritten or copied out (olefile cannot write new files),
    and the mini stream the small streams live in belongs to the root entry, which stays. The
    result is no bigger than the message it came from, and reading it again goes through the
    same nesting bound as any attachment."""
    entry = ole.root
    for name in folder.split("/"):
        entry = entry.kids_dict[name.lower()]
    offset = (ole.first_dir_sector + 1) * ole.sectorsize + 0x4C
    patched = bytearray(data)
    patched[offset : offset + 4] = struct.pack("<I", entry.sid_child)
    return bytes(patched)


def _name(prop: int, kind: int) -> str:
    return f"__substg1.0_{prop:04X}{kind:04X}"


def _entries(stream: bytes, header: int) -> dict[int, int]:
    """Tag -> value of the fixed-size entries (the value's low bytes, as [MS-OXMSG] 2.4.2.1)."""
    body = stream[header:]
    usable = len(body) - len(body) % _ENTRY.size
    entries: dict[int, int] = {}
    for tag, _flags, value in _ENTRY.iter_unpack(body[:usable]):
        kind = tag & 0xFFFF
        entries[tag] = value & 0xFFFFFFFF if kind == LONG else value
    return entries
