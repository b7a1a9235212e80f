"""Find GGUF models already on this computer, so a user who has gpt-oss-safeguard in LM Studio,
Ollama or a Hugging Face cache links it instead of downloading 12 GB again.

Where it looks: LM Studio's models folders (``~/.lmstudio/models``, ``~/.cache/lm-studio/models``),
Ollama's store (``$OLLAMA_MODELS`` or ``~/.ollama/models``: the manifests of
``library/gpt-oss-safeguard`` and ``library/gpt-oss`` name their model blob), the Hugging Face
cache (``$HF_HUB_CACHE``, ``$HF_HOME/hub``, ``~/.cache/huggingface/hub``) and folders given.

Bounded: of each file only the GGUF header is read (app.models.gguf_header caps it), folder walks
stop at a depth and an entry count, manifests over 1 MB are not read, and nothing is hashed (a
checksum the store already names, Ollama's blob digest or the cache's blob name, is passed on).
Entries that cannot be read are listed with the reason, never silently dropped.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from app.core.bounded import read_regular_file
from app.core.errors import InputError, SafeguardError
from app.models.catalogue import DEFAULT_MODEL
from app.models.gguf_header import read_header
from app.models.identify import Identity, identify, split_part
from app.models.importing import split_parts

Origin = Literal["lmstudio", "ollama", "hf-cache", "folder"]
MAX_DEPTH = 6
MAX_ENTRIES = 20_000  # per folder tree
MAX_MANIFEST = 2**20
OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
OLLAMA_LIBRARIES = ("gpt-oss-safeguard", "gpt-oss")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)


@dataclass(frozen=True)
class Found:
    path: Path  # the file to load (a split model's first part)
    origin: Origin
    where: str  # for people: "LM Studio: lmstudio-community/gpt-oss-safeguard-20b-GGUF"
    size: int  # all parts
    architecture: str
    quantization: str
    context_length: int
    identity: Identity
    parts: tuple[Path, ...]
    sha256: str = ""  # known without hashing (Ollama's digest, the HF cache's blob name)
    suggested_name: str = ""

    def to_dict(self) -> dict[str, object]:
        return {
            "path": str(self.path),
            "origin": self.origin,
            "where": self.where,
            "size": self.size,
            "architecture": self.architecture,
            "quantization": self.quantization,
            "context_length": self.context_length,
            **{k: v for k, v in self.identity.to_dict().items() if k != "architecture"},
            "parts": [str(p) for p in self.parts],
            "sha256": self.sha256,
            "suggested_name": self.suggested_name,
        }


@dataclass(frozen=True)
class Skipped:
    path: Path
    reason: str


@dataclass
class ScanResult:
    found: list[Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    searched: list[Path] = field(default_factory=list)  # the places that exist and were read

    def to_dict(self) -> dict[str, object]:
        return {
            "found": [f.to_dict() for f in self.found],
            "skipped": [{"path": str(s.path), "reason": s.reason} for s in self.skipped],
            "searched": [str(p) for p in self.searched],
        }


def scan(
    extra: Sequence[Path] = (),
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> ScanResult:
    """Every GGUF model found. ``home``/``environ``: the user's (tests give their own); the
    system-wide Ollama store is searched only for the real home."""
    env = os.environ if environ is None else environ
    system = home is None
    home = home or Path.home()
    result = ScanResult()
    seen: set[Path] = set()
    for root in (home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"):
        for path in _walk(root, result):
            _add(result, seen, path, "lmstudio", f"LM Studio: {_relative_parent(path, root)}")
    ollama = [Path(env["OLLAMA_MODELS"])] if env.get("OLLAMA_MODELS") else []
    ollama.append(home / ".ollama" / "models")
    if system:
        ollama.append(Path("/usr/share/ollama/.ollama/models"))  # Linux service install
    for root in ollama:
        _scan_ollama(root, result, seen)
    _scan_hf_cache(_hf_cache(home, env), result, seen)
    for folder in extra:
        if not folder.is_dir():
            result.skipped.append(Skipped(folder, "not a folder"))
            continue
        for path in _walk(folder, result):
            _add(result, seen, path, "folder", f"folder {folder}")
    return result


def _hf_cache(home: Path, env: Mapping[str, str]) -> Path:
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"])
    if env.get("HF_HOME"):
        return Path(env["HF_HOME"]) / "hub"
    cache = Path(env["XDG_CACHE_HOME"]) if env.get("XDG_CACHE_HOME") else home / ".cache"
    return cache / "huggingface" / "hub"


def _walk(root: Path, result: ScanResult) -> Iterator[Path]:
    """GGUF files under ``root`` (a split model by its first part), depth- and count-bounded;
    links to folders are not followed (no loops)."""
    if not root.is_dir():
        return
    result.searched.append(root)
    budget = MAX_ENTRIES
    pending = [(root, 0)]
    while pending:
        folder, depth = pending.pop()
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as error:
            result.skipped.append(Skipped(folder, f"cannot list: {error.strerror or error}"))
            continue
        for entry in entries:
            budget -= 1
            if budget < 0:
                result.skipped.append(Skipped(root, f"stopped after {MAX_ENTRIES} entries"))
                return
            path = Path(entry.path)
            if entry.is_dir(follow_symlinks=False):
                if depth + 1 < MAX_DEPTH:
                    pending.append((path, depth + 1))
            elif entry.name.lower().endswith(".gguf"):
                split = _SPLIT.match(entry.name)
                if split is None or int(split.group("no")) == 1:
                    yield path
                elif not _first_part(path).exists():
                    result.skipped.append(Skipped(path, "a part of a split model without part 1"))


def _first_part(path: Path) -> Path:
    split = _SPLIT.match(path.name)
    assert split is not None
    return path.with_name(f"{split.group('stem')}-00001-of-{split.group('count')}{path.suffix}")


def _scan_ollama(root: Path, result: ScanResult, seen: set[Path]) -> None:
    library = root / "manifests" / "registry.ollama.ai" / "library"
    if not library.is_dir():
        return
    result.searched.append(root)
    for model in OLLAMA_LIBRARIES:
        folder = library / model
        if not folder.is_dir():
            continue
        for manifest in sorted(p for p in folder.iterdir() if p.is_file()):
            tag = f"{model}:{manifest.name}"
            blob, digest, problem = _ollama_blob(root, manifest)
            if blob is None:
                result.skipped.append(Skipped(manifest, problem))
                continue
            _add(result, seen, blob, "ollama", f"Ollama: {tag}", hint=tag, sha256=digest)


def _ollama_blob(root: Path, manifest: Path) -> tuple[Path | None, str, str]:
    """The model blob a manifest names, its sha256, or why there is none."""
    try:
        if manifest.stat().st_size > MAX_MANIFEST:
            return None, "", "manifest larger than 1 MB: not an Ollama manifest"
        # a regular file only: a FIFO named like a manifest must not hang the scan
        data = json.loads(read_regular_file(manifest, MAX_MANIFEST, "manifest", InputError))
        layers = [layer for layer in data.get("layers", []) if isinstance(layer, dict)]
    except (OSError, InputError, ValueError, AttributeError) as error:
        return None, "", f"unreadable manifest ({type(error).__name__})"
    digests = [
        str(la.get("digest", "")) for la in layers if la.get("mediaType") == OLLAMA_MODEL_LAYER
    ]
    if not digests or not digests[0].startswith("sha256:"):
        return None, "", f"the manifest names no {OLLAMA_MODEL_LAYER} layer"
    digest = digests[0].removeprefix("sha256:")
    blob = root / "blobs" / f"sha256-{digest}"
    if not blob.is_file():
        return None, "", f"the manifest's model blob {blob.name} is missing"
    return blob, digest if _SHA256.match(digest) else "", ""


def _scan_hf_cache(cache: Path, result: ScanResult, seen: set[Path]) -> None:
    if not cache.is_dir():
        return
    from app.models.hub_files import scan_cache  # only here: the hub client is slow to import

    try:
        info = scan_cache(cache)
    except (OSError, ValueError) as error:
        result.skipped.append(Skipped(cache, f"cannot read the cache ({type(error).__name__})"))
        return
    result.searched.append(cache)
    for warning in info.warnings:
        result.skipped.append(Skipped(cache, f"a damaged cache entry: {warning}"))
    files = []
    for repo in info.repos:
        if repo.repo_type != "model":
            continue
        for revision in repo.revisions:
            for cached in revision.files:
                split = _SPLIT.match(cached.file_name)
                first = split is None or int(split.group("no")) == 1
                if cached.file_name.lower().endswith(".gguf") and first:
                    files.append((str(cached.file_path), cached, repo.repo_id))
    for _, cached, repo_id in sorted(files, key=lambda f: f[0]):
        digest = cached.blob_path.name if _SHA256.match(cached.blob_path.name) else ""
        _add(result, seen, cached.file_path, "hf-cache", f"Hugging Face cache: {repo_id}",
             hint=repo_id, sha256=digest)  # fmt: skip


def _add(
    result: ScanResult,
    seen: set[Path],
    path: Path,
    origin: Origin,
    where: str,
    *,
    hint: str = "",
    sha256: str = "",
) -> None:
    try:
        real = path.resolve()
        if real in seen:
            return  # the same file seen through another place (a link)
        seen.add(real)
        info = read_header(path)
        identity = identify(info, hint or where)
        _, count = split_part(info)
        parts = tuple(split_parts(path, count))
        size = sum(p.stat().st_size for p in parts)
    except (SafeguardError, OSError) as error:
        reason = getattr(error, "detail", None) or str(error)
        result.skipped.append(Skipped(path, reason))
        return
    result.found.append(
        Found(path, origin, where, size, info.architecture, info.quantization,
              info.context_length, identity, parts, sha256 if count == 1 else "",
              _suggest(path, identity, hint))
    )  # fmt: skip


def _suggest(path: Path, identity: Identity, hint: str) -> str:
    """A name to install it under: the catalogue's for the safeguard model, else a slug."""
    if identity.kind == "safeguard":
        return DEFAULT_MODEL
    split = _SPLIT.match(path.name)
    base = hint or (split.group("stem") if split else path.stem)
    return re.sub(r"[^a-z0-9.]+", "-", base.lower()).strip("-") or "model"


def _relative_parent(path: Path, root: Path) -> str:
    try:
        return path.parent.relative_to(root).as_posix() or path.name
    except ValueError:
        return str(path.parent)
