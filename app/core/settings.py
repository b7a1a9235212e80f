"""The app's settings: one typed schema with a version (the file itself is read and written
by ``app.runtime.settings``).

The desktop app edits these through its Settings dialog; nothing else (no QSettings) keeps
preferences. A file from a newer version is refused rather than half-read; unknown keys are
dropped and missing ones take their defaults, so older files keep working.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field, fields, replace
from pathlib import Path
from typing import Any

from app.core.errors import InputError
from app.core.limits import ExtractionLimits
from app.core.types import EFFORTS

SCHEMA_VERSION = 1


def check_server_url(url: str) -> str:
    """An on-prem server's address: http:// or https:// with a host, nothing else (a file://
    "server" would let a local file pose as a model's verdict)."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        parts = None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"the server address must be an http:// or https:// URL, not '{url}'")
    return url


def check_limits(limits: ExtractionLimits) -> ExtractionLimits:
    """Every reading limit finite and more than 0 (nan or inf would switch a limit off)."""
    for name in ("max_file_mb", "max_pages", "max_chars", "timeout_s", "max_memory_mb"):
        value = getattr(limits, name)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise InputError(f"limit {name} must be a number")
        if not math.isfinite(value) or value <= 0:
            raise InputError(f"limit {name} must be a finite number more than 0, not {value}")
    return limits


@dataclass(frozen=True)
class Settings:
    model: str = ""  # an installed model's name; "" = the best installed one
    gpu_layers: int = -1  # -1 = as many as fit (the fit estimate decides)
    context_length: int = 0  # 0 = as large as fits
    threads: int = 0  # 0 = all physical cores
    default_effort: str = "medium"
    default_policies: tuple[str, ...] = ("fin-promo",)
    # An on-prem OpenAI-compatible server instead of a local model ("" = local); its API key
    # is in the keyring, never here.
    server_url: str = ""
    server_model: str = ""
    # Documents in flight at once on that server; 0 = as many as it says it runs at once
    # (llama.cpp's server: its slots; else 4). The local engine always runs one at a time.
    parallel: int = 0
    limits: ExtractionLimits = field(default_factory=ExtractionLimits)
    # The name recorded with every decision and sign-off ("" = the OS user).
    reviewer: str = ""
    # Folders the model scan searches besides LM Studio's, Ollama's and the Hugging Face cache.
    model_folders: tuple[str, ...] = ()

    def validated(self) -> Settings:
        if self.default_effort not in EFFORTS:
            raise InputError(f"default effort must be one of {', '.join(EFFORTS)}")
        if self.server_url and not self.server_model:
            raise InputError("a server needs the model's name on that server")
        if self.server_url:
            check_server_url(self.server_url)
        check_limits(self.limits)
        if len(self.reviewer) > 100 or any(not c.isprintable() for c in self.reviewer):
            raise InputError("the reviewer's name must be one line of at most 100 characters")
        if self.gpu_layers < -1:
            raise InputError("gpu layers must be -1 (auto) or more")
        for name in ("context_length", "threads", "parallel"):
            if getattr(self, name) < 0:
                raise InputError(f"{name.replace('_', ' ')} must be 0 (auto) or more")
        return self


def settings_to_json(settings: Settings) -> dict[str, Any]:
    return {"version": SCHEMA_VERSION, **asdict(settings.validated())}


def settings_from_json(data: object, path: Path) -> Settings:
    """Settings from a parsed file; ``path`` only names the file in errors."""
    if not isinstance(data, dict):
        raise InputError("settings file is not a JSON object; fix or delete it", path=path)
    version = data.get("version", 1)
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise InputError(
            f"settings were written by a newer Safeguard Desk (version {version}); update the app",
            path=path,
        )
    return _from_json(data, path)


def _from_json(data: dict[str, Any], path: Path) -> Settings:
    known = {f.name for f in fields(Settings)}
    values = {k: v for k, v in data.items() if k in known and k != "limits"}
    for name in ("default_policies", "model_folders"):
        if name in values:
            values[name] = tuple(str(v) for v in values[name])
    limit_names = {f.name for f in fields(ExtractionLimits)}
    limits = {k: v for k, v in dict(data.get("limits") or {}).items() if k in limit_names}
    try:
        settings = replace(Settings(), **values, limits=ExtractionLimits(**limits))
        return settings.validated()
    except (TypeError, InputError) as error:
        raise InputError(f"settings file has a bad value ({error})", path=path) from None
