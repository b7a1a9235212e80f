"""Installed models: one folder per model under the models dir, holding a ``manifest.json``
(sha256, size, source, header facts, what the file is) and, unless the model is *linked*, the
GGUF file itself (all parts of a split model). A copied file only becomes a model by an atomic
rename after it was completely written and hashed, so a half file is never taken for a model.

A linked model stays where it was found (LM Studio's folder, Ollama's blob store, a share): it
is hashed once, and its size and mtime are recorded; a linked file that is missing or changed
is reported, never used, until ``verify`` hashes it again. Removing it deletes our manifest only.
"""

from __future__ import annotations

import contextlib
import json
import shutil
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from app.core.bounded import read_regular_file
from app.core.clock import utc_now
from app.core.errors import InputError, ModelUnavailable
from app.core.progress import CancelToken, Progress, no_progress
from app.models.files import check_disk as check_disk  # re-exported: callers import it here
from app.models.files import file_sha256 as file_sha256
from app.models.files import forget_sha256, hash_file, remember_sha256
from app.models.gguf_header import GgufInfo
from app.models.identify import Identity, identify
from app.runtime.files import atomic_write
from app.runtime.paths import models_dir

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class Part:
    """One file of a split model (the first is the one llama.cpp is given)."""

    file: str  # a name in the model's folder, or an absolute path when linked
    size: int
    sha256: str
    mtime_ns: int = 0


SMALL_FILE_BYTES = 1024 * 1024  # a manifest or a checksum memo is a few hundred bytes


@dataclass(frozen=True)
class Installed:
    name: str
    file: str  # the (first) file: a name in the model's folder, or an absolute path if linked
    sha256: str  # of that file
    size: int  # all parts together
    source: str  # "download" | "import" | "link"
    installed_at: str
    architecture: str = ""
    parameters: int = 0
    quantization: str = ""
    context_length: int = 0
    repo_id: str = ""
    revision: str = ""
    linked: bool = False
    mtime_ns: int = 0  # a linked file's mtime when it was hashed
    parts: tuple[Part, ...] = ()  # every part, the first included; () for a single file
    kind: str = ""  # identify.ModelKind; "" in manifests written before it existed
    note: str = ""  # identify's note: what the user must be told about this file

    @property
    def path(self) -> Path:
        return self._resolve(self.file)

    @property
    def part_paths(self) -> tuple[Path, ...]:
        return tuple(self._resolve(p.file) for p in self.parts) or (self.path,)

    def _resolve(self, file: str) -> Path:
        return Path(file) if self.linked else models_dir() / self.name / file


def manifest_path(name: str) -> Path:
    return models_dir() / name / MANIFEST


def load_installed(name: str) -> Installed | None:
    try:
        # bounded: a FIFO or a device in the models folder is not read
        raw = read_regular_file(manifest_path(name), SMALL_FILE_BYTES, "manifest", InputError)
        data = json.loads(raw)
        known = {f.name for f in fields(Installed)}
        data = {k: v for k, v in data.items() if k in known}  # a newer manifest's extra keys
        data["parts"] = tuple(Part(**p) for p in data.get("parts") or ())
        return Installed(**data)
    except (InputError, ValueError, TypeError, AttributeError):
        return None


def install_problem(item: Installed) -> str:
    """Why an installed model cannot be used as it stands ("" when it can)."""
    parts = item.parts or (Part(item.file, item.size, item.sha256, item.mtime_ns),)
    for part, path in zip(parts, item.part_paths, strict=True):
        try:
            stat = path.stat()
        except OSError:
            return f"its file {path} is missing" + (" (it was linked, not copied)" * item.linked)
        if item.linked and (stat.st_size != part.size or stat.st_mtime_ns != part.mtime_ns):
            return f"the linked file {path} changed since it was imported (size or time differ)"
    return ""


def list_all() -> list[tuple[Installed, str]]:
    """Every installed model with its problem ("" when usable), for the model manager."""
    root = models_dir()
    if not root.is_dir():
        return []
    found = [load_installed(folder.name) for folder in sorted(root.iterdir()) if folder.is_dir()]
    return [(item, install_problem(item)) for item in found if item is not None]


def list_installed(*, real_only: bool = False) -> list[Installed]:
    """The installed models that can be used now; ``real_only``: only gpt-oss ones (what may
    stand in for the default model: a gemma file can only run smoke checks)."""
    usable = [item for item, problem in list_all() if not problem]
    return [item for item in usable if item.kind != "other"] if real_only else usable


def record(
    name: str,
    path: Path,
    sha256: str,
    source: str,
    info: GgufInfo,
    *,
    parts: tuple[Part, ...] = (),
    linked: bool = False,
    identity: Identity | None = None,
    repo_id: str = "",
    revision: str = "",
) -> Installed:
    """Write the manifest that makes ``path`` (already complete and hashed) a model."""
    identity = identity or identify(info)
    stat = path.stat()
    item = Installed(
        name=name,
        file=str(path.absolute()) if linked else path.name,
        sha256=sha256,
        size=sum(p.size for p in parts) if parts else stat.st_size,
        source=source,
        installed_at=utc_now(),
        architecture=info.architecture,
        parameters=info.parameters,
        quantization=info.quantization,
        context_length=info.context_length,
        repo_id=repo_id,
        revision=revision,
        linked=linked,
        mtime_ns=stat.st_mtime_ns if linked else 0,
        parts=parts,
        kind=identity.kind,
        note=identity.note,
    )
    atomic_write(manifest_path(name), json.dumps(asdict(item), indent=2) + "\n", private=True)
    remember_sha256(path, sha256)
    return item


def import_model(
    source: Path,
    name: str | None = None,
    *,
    link: bool = False,
    expected_sha256: str | None = None,
    hint: str = "",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Installed:
    """Install a GGUF file: copied into the models dir (default; a USB stick may go away), or,
    with ``link``, registered where it is (see app.models.importing)."""
    from app.models.importing import import_file

    return import_file(
        source, name, link=link, expected_sha256=expected_sha256, hint=hint,
        progress=progress, cancel=cancel,
    )  # fmt: skip


def verify(name: str, progress: Progress = no_progress) -> Installed:
    """Hash the model's files again. A linked file whose size or mtime changed but whose bytes
    did not is accepted again (its new size and mtime are recorded)."""
    item = load_installed(name)
    if item is None:
        raise ModelUnavailable(f"model '{name}' is not installed")
    parts = item.parts or (Part(item.file, item.size, item.sha256, item.mtime_ns),)
    for part, path in zip(parts, item.part_paths, strict=True):
        if not path.is_file():
            raise ModelUnavailable(f"model '{name}': {install_problem(item)}", path=path)
        actual = hash_file(path, "verifying", progress).hexdigest()
        if actual != part.sha256:
            raise ModelUnavailable(
                f"checksum mismatch: the file changed or is damaged (sha256 {actual[:16]}…, "
                f"recorded {part.sha256[:16]}…); download or import it again",
                path=path,
            )
        remember_sha256(path, actual)
    if item.linked and install_problem(item):
        item = _restat(item)
        atomic_write(manifest_path(name), json.dumps(asdict(item), indent=2) + "\n")
    return item


def _restat(item: Installed) -> Installed:
    """The item with its linked files' current sizes and mtimes (their bytes were checked)."""
    stat = item.path.stat()
    parts = tuple(
        replace(p, size=path.stat().st_size, mtime_ns=path.stat().st_mtime_ns)
        for p, path in zip(item.parts, item.part_paths if item.parts else (), strict=True)
    )
    size = sum(p.size for p in parts) if parts else stat.st_size
    return replace(item, mtime_ns=stat.st_mtime_ns, size=size, parts=parts)


def remove(name: str) -> Path:
    """Uninstall. A copied model's folder goes; a linked model loses only our manifest (and our
    remembered checksums): the file it points to is never touched."""
    folder = models_dir() / name
    # a name, never a path: "model remove .." must not delete the data folder
    if not name or name in (".", "..") or Path(name).name != name or "\\" in name:
        raise ModelUnavailable(f"'{name}' is not a model name")
    item = load_installed(name)
    if item is None and not folder.is_dir():
        raise ModelUnavailable(f"model '{name}' is not installed")
    if item is not None and item.linked:
        for path in item.part_paths:
            forget_sha256(path)
        manifest_path(name).unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            folder.rmdir()  # only when empty: nothing of anyone else's is deleted
        return folder
    shutil.rmtree(folder)
    return folder
