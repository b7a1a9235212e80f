"""Import a GGUF file as an installed model: copied (hashing as it goes, renamed into place
only when complete) or linked in place (hashed once). A split model is given by its first part
and brings all its parts. What the file is (app.models.identify) is recorded with it, and a file
that is not gpt-oss may not take the name of the real model."""

from __future__ import annotations

import hashlib
import re
import time
from pathlib import Path

from app.core.errors import InputError, ModelUnavailable
from app.core.progress import CancelToken, Progress, no_progress
from app.models.files import CHUNK, check_disk, hash_file, transfer_event
from app.models.gguf_header import read_header
from app.models.identify import Identity, identify, split_part
from app.models.installed import Installed, Part, load_installed, record
from app.runtime.paths import models_dir

_SPLIT_NAME = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)


def import_file(
    source: Path,
    name: str | None = None,
    *,
    link: bool = False,
    expected_sha256: str | None = None,
    hint: str = "",
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Installed:
    """``hint``: where the file was found (a scan's label), for identification."""
    cancel = cancel or CancelToken()
    info = read_header(source)  # refuses non-GGUF and truncated files before any copying
    identity = identify(info, hint)
    part, count = split_part(info)
    if part > 1:
        raise InputError(identity.note, path=source)
    paths = split_parts(source, count)
    name, expected_sha256 = _name_for(source, name, identity, expected_sha256)
    existing = load_installed(name)
    if existing is not None and (existing.linked or link):
        raise InputError(
            f"a model named '{name}' is already installed; remove it first or choose another name",
            path=source,
        )
    hashes = _link(paths, cancel, progress) if link else _copy(paths, name, cancel, progress)
    sha256 = hashes[0][1]
    if expected_sha256 and sha256 != expected_sha256:
        if not link:
            for copied, _ in hashes:
                copied.unlink(missing_ok=True)
        raise ModelUnavailable(
            f"checksum mismatch: sha256 {sha256[:16]}… but {expected_sha256[:16]}… was expected "
            f"for '{name}'; the file is damaged or a different build",
            path=source,
        )
    if not link:
        renamed = []
        for copied, digest in hashes:
            target = copied.with_name(copied.name.removesuffix(".part"))
            copied.replace(target)
            renamed.append((target, digest))
        hashes = renamed
        info = read_header(hashes[0][0])
    parts = _parts(hashes, link) if count > 1 else ()
    source_kind = "link" if link else "import"
    return record(
        name, hashes[0][0], sha256, source_kind, info, parts=parts, linked=link, identity=identity
    )


def split_parts(first: Path, count: int) -> list[Path]:
    """The files of a split model, from its first part's name (all must exist)."""
    if count <= 1:
        return [first]
    match = _SPLIT_NAME.match(first.name)
    if match is None:
        raise InputError(f"a {count}-part model without part numbers in its name", path=first)
    stem, width = match.group("stem"), match.group("count")
    paths = [
        first.with_name(f"{stem}-{n:05d}-of-{width}{first.suffix}") for n in range(1, count + 1)
    ]
    for number, path in enumerate(paths, start=1):
        if not path.is_file():
            raise InputError(f"part {number} of {count} is missing ({path.name})", path=first)
    return paths


def _name_for(
    source: Path, name: str | None, identity: Identity, expected: str | None
) -> tuple[str, str | None]:
    from app.models.catalogue import catalogue_match, real_model_names

    if name is None:
        match = catalogue_match(source.name) if identity.real else None
        if match is not None:
            name, known = match
            expected = expected or known.sha256 or None
        else:
            split = _SPLIT_NAME.match(source.name)
            name = split.group("stem") if split else source.stem
    if name in real_model_names() and not identity.real:
        raise InputError(f"{identity.note}; it cannot be installed as {name}", path=source)
    return name, expected


def _copy(
    paths: list[Path], name: str, cancel: CancelToken, progress: Progress
) -> list[tuple[Path, str]]:
    """Copy every part to ``NAME.part`` in the model's folder, hashing as it goes."""
    folder = models_dir() / name
    total = sum(p.stat().st_size for p in paths)
    check_disk(folder, total)
    done, started = 0, time.monotonic()
    copied: list[tuple[Path, str]] = []
    partial: Path | None = None
    try:
        for path in paths:
            partial = folder / f"{path.name}.part"
            digest = hashlib.sha256()
            with path.open("rb") as reader, partial.open("wb") as writer:
                while block := reader.read(CHUNK):
                    cancel.raise_if_cancelled()
                    writer.write(block)
                    digest.update(block)
                    done += len(block)
                    progress(transfer_event("copying", done, total, started))
            copied.append((partial, digest.hexdigest()))
    except BaseException:
        for leftover, _ in copied:
            leftover.unlink(missing_ok=True)  # a local copy is cheap to redo; never keep half
        if partial is not None:
            partial.unlink(missing_ok=True)
        raise
    return copied


def _link(paths: list[Path], cancel: CancelToken, progress: Progress) -> list[tuple[Path, str]]:
    total = sum(p.stat().st_size for p in paths)
    done, hashes = 0, []
    for path in paths:
        digest = hash_file(path, "hashing", progress, cancel, base=done, total=total)
        hashes.append((path, digest.hexdigest()))
        done += path.stat().st_size
    return hashes


def _parts(hashes: list[tuple[Path, str]], linked: bool) -> tuple[Part, ...]:
    parts = []
    for path, digest in hashes:
        stat = path.stat()
        parts.append(
            Part(
                str(path.absolute()) if linked else path.name,
                stat.st_size,
                digest,
                stat.st_mtime_ns if linked else 0,
            )
        )
    return tuple(parts)
