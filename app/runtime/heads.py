"""The signed head of each store's audit log, kept outside the database.

A head signed inside the database catches entries cut off the end, but not a deleted log, a
truncated database or a database replaced by another (older) copy: those carry their own,
consistent head. So after every commit the store also writes its head (entry count and last
hash, HMAC-signed with the installation's audit key) to ``<data dir>/secrets/audit-heads/
<store id>.json`` (0600, in a 0700 folder), and ``audit verify`` compares: "the store has 0
entries but this installation signed 42".

A head is looked up by the store's id (a store that was moved keeps its head), else by the
store's path (a database replaced by another keeps its old path). Heads can be deleted but not
forged or rolled forward without the key; a deleted head is itself detected (a store whose log
carries row hashes always has one).
"""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.canonical import canonical_json
from app.core.errors import AuditKeyError, StoreTampered
from app.runtime.files import atomic_write, private_dir
from app.runtime.paths import data_dir

MAX_HEAD_BYTES = 64 * 1024


def heads_dir() -> Path:
    return data_dir() / "secrets" / "audit-heads"


@dataclass(frozen=True)
class AuditHead:
    store_id: str
    path: str  # the store's path when the head was written
    entries: int
    hash: str


class HeadFile:
    """This installation's signed heads, one file per store."""

    def __init__(self, key: bytes, folder: Path | None = None) -> None:
        self.key = key
        self.folder = folder or heads_dir()

    def _sign(self, head: AuditHead) -> str:
        body = canonical_json([head.store_id, head.path, head.entries, head.hash])
        return hmac.new(self.key, body.encode("utf-8"), hashlib.sha256).hexdigest()

    def file_of(self, store_id: str) -> Path:
        return self.folder / f"{store_id}.json"

    def save(self, head: AuditHead) -> None:
        private_dir(self.folder)
        data = {
            "store": head.store_id,
            "path": head.path,
            "entries": head.entries,
            "hash": head.hash,
            "hmac": self._sign(head),
        }
        atomic_write(self.file_of(head.store_id), json.dumps(data) + "\n", private=True)

    def load(self, store_id: str, path: Path) -> AuditHead | None:
        """The head of this store: by id, else the head last written for this path."""
        own = self.file_of(store_id)
        if own.exists():
            return self._read(own)
        where = str(path.resolve())
        for candidate in self._files():
            head = self._read(candidate)
            if head.path == where:
                return head
        return None

    def signed_before(self) -> bool:
        """Whether this installation ever signed a head (so its key existed)."""
        return any(True for _ in self._files())

    def _files(self) -> list[Path]:
        try:
            return sorted(p for p in self.folder.iterdir() if p.suffix == ".json")
        except OSError:
            return []

    def _read(self, file: Path) -> AuditHead:
        raw = read_regular_file(file, MAX_HEAD_BYTES, "audit head", StoreTampered)
        try:
            data = json.loads(raw)
            head = AuditHead(
                str(data["store"]), str(data["path"]), int(data["entries"]), str(data["hash"])
            )
            signature = str(data["hmac"])
        except (ValueError, KeyError, TypeError):
            raise StoreTampered(
                "the audit head kept outside the store is damaged; run 'safeguard-desk audit "
                "verify'",
                path=file,
            ) from None
        if not hmac.compare_digest(self._sign(head), signature):
            raise AuditKeyError(
                "this audit head is not signed with this installation's audit key: the key was "
                "changed or replaced (restore the original key from a backup), or the file was "
                "edited",
                path=file,
            )
        return head
