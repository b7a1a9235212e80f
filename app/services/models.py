"""The model manager's use cases, shared by ``model list`` / ``model scan`` and Tools ▸ Models:
every catalogue and installed model with what it is, whether it can be used, the fit estimate
for this machine and whether it is the active one; models found on this computer; making one
active. What a load would do comes from ``app.services.engines`` (one fit estimate, one choice
of model), so the list shows the figures a check will use."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from app.core.errors import ModelUnavailable, SafeguardError
from app.core.settings import Settings
from app.models import installed as store
from app.models.catalogue import ModelRef, catalogue, resolve_model
from app.models.fit import FitEstimate, Gpu, detect_gpu, estimate_for_entry
from app.models.gguf_header import read_header
from app.models.identify import identify
from app.models.scan import Found, ScanResult, scan
from app.services.engines import EngineConfig, ModelChoice, choose_model, fit_for

SMOKE_NOTE = "the smoke-test model: its verdicts are meaningless (it proves the pipeline runs)"
State = Literal["installed", "linked", "package", "not installed", "unusable"]


@dataclass(frozen=True)
class ModelRow:
    name: str
    title: str  # the catalogue's, or what the file is ("imported gemma3 file")
    state: State
    kind: str  # app.models.identify.ModelKind; "" when not installed (not known yet)
    label: str  # short: "gpt-oss-safeguard", "gpt-oss (base)", "gemma3"
    note: str  # what the user must be told about the file ("" for the safeguard model)
    problem: str  # why an installed model cannot be used now ("" when it can)
    size: int  # bytes on disk, or about what a download takes
    quantization: str
    sha256: str  # recorded at install ("" when not installed or not recorded)
    path: Path | None
    linked: bool
    fit: FitEstimate | None  # what a load would use on this machine
    active: bool  # the model a check uses now
    removable: bool
    downloadable: bool

    @property
    def usable(self) -> bool:
        return self.state in ("installed", "linked", "package")


@dataclass(frozen=True)
class FoundModel:
    found: Found
    installed_as: str  # the installed model this file already is ("" when none)


def active_name(settings: Settings) -> str:
    """The model a check would use now ("" when there is none): ``choose_model``'s answer."""
    try:
        chosen = choose_model(ModelChoice(), settings, EngineConfig.from_settings(settings))
    except SafeguardError:
        return ""
    return chosen.ref.name


def model_rows(settings: Settings, gpu: Gpu | None = None, *, fit: bool = True) -> list[ModelRow]:
    """The catalogue's models, then the other installed ones, each with its fit (``gpu``: the
    machine's, looked up when not given)."""
    gpu = gpu if gpu is not None or not fit else detect_gpu()
    config = EngineConfig.from_settings(settings)
    active = active_name(settings)
    entries = catalogue()
    items = {item.name: (item, problem) for item, problem in store.list_all()}
    rows = [
        _catalogue_row(name, entry, items.get(name), config, gpu if fit else None, fit, active)
        for name, entry in entries.items()
    ]
    for name, (item, problem) in items.items():
        if name not in entries:
            rows.append(_installed_row(item, problem, name, config, gpu, fit, active))
    return rows


def found_models(
    settings: Settings,
    extra: Sequence[Path] = (),
    *,
    home: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> tuple[list[FoundModel], ScanResult]:
    """Models on this computer (LM Studio, Ollama, the Hugging Face cache, Settings' folders
    and ``extra``), each with the installed model it already is. ``home``/``environ``: the
    user's (tests give their own, see ``scan``)."""
    folders = [Path(f).expanduser() for f in settings.model_folders] + list(extra)
    result = scan(list(dict.fromkeys(folders)), home=home, environ=environ)
    by_path: dict[Path, str] = {}
    by_sha: dict[str, str] = {}
    for item, _ in store.list_all():
        for path in item.part_paths[:1]:
            by_path[_real(path)] = item.name
        by_sha[item.sha256] = item.name
    found = [
        FoundModel(f, by_path.get(_real(f.path)) or (by_sha.get(f.sha256, "") if f.sha256 else ""))
        for f in result.found
    ]
    return found, result


def make_active(settings: Settings, name: str) -> tuple[Settings, str]:
    """Settings with ``name`` as the model checks use, and what to tell the user about it (a
    model that is not gpt-oss-safeguard). Raises ModelUnavailable when it cannot be used."""
    ref = resolve_model(name)
    note = ref.note or _file_note(ref)
    return replace(settings, model=name), note


def _catalogue_row(
    name: str,
    entry: dict[str, Any],
    recorded: tuple[store.Installed, str] | None,
    config: EngineConfig,
    gpu: Gpu | None,
    fit: bool,
    active: str,
) -> ModelRow:
    title = str(entry.get("title", name))
    downloadable = bool(entry.get("sources") or entry.get("repo_id"))
    if recorded is not None:
        row = _installed_row(*recorded, name, config, gpu, fit, active)
        return replace(row, title=title, downloadable=downloadable)
    if entry.get("python_package"):
        # Described from the catalogue: resolving it would assemble its file (250 MB) first.
        estimate = estimate_for_entry(entry, gpu) if fit and "shape" in entry else None
        return ModelRow(
            name, title, "package", "other", "gemma3 (smoke tests only)", SMOKE_NOTE, "",
            int(entry.get("approx_bytes", 0)), "", "", None, False, estimate, name == active,
            False, False,
        )  # fmt: skip
    try:
        ref = resolve_model(name)
    except ModelUnavailable:
        estimate = estimate_for_entry(entry, gpu) if fit and "shape" in entry else None
        label = "gpt-oss-safeguard" if entry.get("architecture") == "gpt-oss" else ""
        return ModelRow(
            name, title, "not installed", "", label, "", "", int(entry.get("approx_bytes", 0)),
            "", "", None, False, estimate, False, False, downloadable,
        )  # fmt: skip
    # a file put into the model's folder by hand (no manifest)
    return _file_row(
        ref, title, "installed", config, gpu, fit, active,
        removable=True, downloadable=downloadable,
    )  # fmt: skip


def _installed_row(
    item: store.Installed,
    problem: str,
    name: str,
    config: EngineConfig,
    gpu: Gpu | None,
    fit: bool,
    active: str,
) -> ModelRow:
    estimate = None
    if fit and not problem:
        try:
            estimate = fit_for(resolve_model(name), config, gpu)
        except SafeguardError:
            estimate = None  # the row says what is wrong; no estimate for a file we cannot read
    label = item.architecture if item.kind == "other" else _kind_label(item.kind)
    return ModelRow(
        name=name,
        title=f"imported {item.architecture} file" + (" (linked)" if item.linked else ""),
        state="unusable" if problem else ("linked" if item.linked else "installed"),
        kind=item.kind,
        label=label,
        note=item.note,
        problem=problem,
        size=item.size,
        quantization=item.quantization,
        sha256=item.sha256,
        path=item.path,
        linked=item.linked,
        fit=estimate,
        active=name == active,
        removable=True,
        downloadable=False,
    )


def _file_row(
    ref: ModelRef,
    title: str,
    state: State,
    config: EngineConfig,
    gpu: Gpu | None,
    fit: bool,
    active: str,
    *,
    removable: bool,
    downloadable: bool,
) -> ModelRow:
    info = read_header(ref.path)
    identity = identify(info, ref.name)
    return ModelRow(
        ref.name, title, state, identity.kind, identity.label, identity.note, "",
        ref.path.stat().st_size, info.quantization, "", ref.path, False,
        fit_for(ref, config, gpu, info) if fit else None, ref.name == active,
        removable, downloadable,
    )  # fmt: skip


def _file_note(ref: ModelRef) -> str:
    if ref.smoke:
        return SMOKE_NOTE
    return identify(read_header(ref.path), ref.name).note


def _kind_label(kind: str) -> str:
    return {
        "safeguard": "gpt-oss-safeguard",
        "base": "gpt-oss (base)",
        "unsure": "gpt-oss (could not tell which)",
    }.get(kind, kind or "unknown")


def _real(path: Path) -> Path:
    try:
        return path.resolve()
    except OSError:
        return path
