"""Download a catalogue model from the Hugging Face hub (or a mirror), once.

The catalogue lists candidate sources in order (app.models.catalogue.Source). For each, the hub
is asked for the repo's files with their LFS metadata (``HfApi.model_info(files_metadata=True)``,
its paths-info endpoint when a file's metadata is missing): the file is matched by name,
case-insensitively, with every part of a split model; its size and sha256 come from the hub and
must agree with what the catalogue says was published. A repo or file that is not there (or a
repo that refuses us) sends us to the next source; the source used is reported as a progress
event and recorded in the manifest (``repo_id``, ``revision`` = the commit).

The bytes are fetched here with HTTP range requests into ``FILE.part`` beside a small JSON
sidecar, so a download killed half way continues where it stopped, even after the process was
killed. Each finished file is hashed and compared with the hub's sha256 (a mismatch is
quarantined, never installed), then renamed into place; the manifest comes last. The access
token goes to the hub's own origin only, never to the CDN it redirects to.

Only huggingface_hub's public API is used, all of it through app.models.hub_files.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.core.bounded import read_regular_file
from app.core.errors import DownloadFailed, InputError
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress
from app.models.catalogue import real_model_names, sources
from app.models.files import check_disk, hash_file, transfer_event
from app.models.gguf_header import read_header
from app.models.hub_files import (
    STATUS_ERRORS,
    TOKEN_APP,
    TOKEN_CLI,
    TRANSPORT_ERRORS,
    Plan,
    RemoteFile,
    SourceUnusable,
    file_location,
    file_url,
    http_failure,
    hub_headers,
    resolve,
    session,
    unreachable,
)
from app.models.identify import identify
from app.models.installed import Installed, Part, record
from app.runtime.paths import models_dir

CHUNK = 1 << 20


def download(
    name: str,
    entry: dict[str, Any],
    *,
    endpoint: str | None = None,
    token: str | None = None,
    timeout: float = 15.0,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> Installed:
    cancel = cancel or CancelToken()
    endpoint = (endpoint or os.environ.get("HF_ENDPOINT") or "https://huggingface.co").rstrip("/")
    candidates = sources(entry)
    if not candidates:
        raise DownloadFailed(f"'{name}' has no download source in the catalogue")
    refused: list[str] = []
    for source in candidates:
        progress(ProgressEvent("contacting hub", 0, 0, f"{endpoint}: {source.repo_id}"))
        try:
            plan = resolve(source, endpoint, token, timeout)
        except SourceUnusable as why:
            refused.append(f"{source.label}: {why}")
            progress(ProgressEvent("contacting hub", 0, 0, f"{source.label}: {why}"))
            continue
        size = sum(f.size for f in plan.files)
        progress(
            ProgressEvent(
                "source", 0, 0,
                f"using {source.repo_id} ({', '.join(f.path for f in plan.files)}, "
                f"{size / 2**30:.2f} GiB, commit {plan.commit[:12]})",
            )
        )  # fmt: skip
        return _download_plan(name, plan, endpoint, token, timeout, progress, cancel)
    denied = any("access denied" in r for r in refused)
    raise DownloadFailed(
        f"no source of '{name}' could be used on {endpoint}: {'; '.join(refused)}",
        cli_step=TOKEN_CLI if denied else "",
        app_step=TOKEN_APP if denied else "",
    )


def partial_files(name: str, entry: dict[str, Any]) -> tuple[Path, Path]:
    """Where an unfinished download of the entry's first named file waits to be resumed: the
    bytes and their sidecar (the actual name comes from the hub; see ``discard_partial``)."""
    first = sources(entry)[0].file if sources(entry) else f"{name}.gguf"
    target = models_dir() / name / first
    return target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")


def discard_partial(name: str, entry: dict[str, Any]) -> None:
    """Forget every unfinished download of this model (the user cancelled rather than paused),
    whichever source and file names it was for."""
    folder = models_dir() / name
    if folder.is_dir():
        for path in [*folder.glob("*.part"), *folder.glob("*.part.json")]:
            path.unlink(missing_ok=True)


def _download_plan(
    name: str,
    plan: Plan,
    endpoint: str,
    token: str | None,
    timeout: float,
    progress: Progress,
    cancel: CancelToken,
) -> Installed:
    folder = models_dir() / name
    total = sum(f.size for f in plan.files)
    states = []
    for remote in plan.files:
        url = file_url(plan, remote, endpoint)
        location = file_location(
            url, f"{plan.source.repo_id}/{remote.path}", endpoint, token, timeout
        )
        states.append((remote, location, _prepare(folder, remote, plan.source.repo_id)))
    have_all = sum(have for _, _, (_, _, have) in states)
    check_disk(folder, max(total - have_all, 0))
    meter = _Meter(total, time.monotonic())
    finished: list[tuple[Path, str]] = []
    for remote, location, (partial, sidecar, have) in states:
        digest = _hash_existing(partial, have, progress)
        meter.done += have
        try:
            have, digest = _fetch(
                location, hub_headers(token, location, endpoint), partial, have, remote.size,
                digest, timeout, cancel, progress, meter,
            )  # fmt: skip
        except STATUS_ERRORS as error:
            kept = partial.stat().st_size if partial.exists() else 0
            raise http_failure(error, remote.path, endpoint, kept=kept) from None
        except TRANSPORT_ERRORS as error:
            kept = partial.stat().st_size if partial.exists() else 0
            raise unreachable(error, endpoint, kept=kept) from None
        actual = digest.hexdigest()
        if have != remote.size or actual != remote.sha256:
            quarantine = folder / f"{Path(remote.path).name}.quarantined-{int(time.time())}"
            partial.replace(quarantine)
            sidecar.unlink(missing_ok=True)
            raise DownloadFailed(
                f"checksum mismatch: got sha256 {actual[:16]}… ({have} bytes), the hub says "
                f"{remote.sha256[:16]}… ({remote.size} bytes); the file was moved to "
                f"{quarantine} and not installed; run the download again",
                path=folder / Path(remote.path).name,
            )
        finished.append((partial, actual))
    return _install(name, plan, finished)


def _install(name: str, plan: Plan, finished: list[tuple[Path, str]]) -> Installed:
    """Rename the verified parts into place and write the manifest (last: it makes the model)."""
    identity = identify(read_header(finished[0][0]), plan.source.repo_id)
    if name in real_model_names() and not identity.real:  # checked before it takes the name
        for partial, _ in finished:
            partial.replace(partial.with_name(f"{partial.stem}.quarantined-{int(time.time())}"))
            partial.with_name(partial.name + ".json").unlink(missing_ok=True)
        raise DownloadFailed(
            f"{plan.source.label}: {identity.note}; it was not installed as {name}",
            path=finished[0][0].with_suffix(""),
        )
    targets = []
    for partial, digest in finished:
        target = partial.with_name(partial.name.removesuffix(".part"))
        partial.replace(target)
        partial.with_name(partial.name + ".json").unlink(missing_ok=True)
        targets.append((target, digest))
    first = targets[0][0]
    info = read_header(first)
    parts = tuple(Part(t.name, t.stat().st_size, d) for t, d in targets) if len(targets) > 1 else ()
    return record(
        name, first, targets[0][1], "download", info, parts=parts, identity=identity,
        repo_id=plan.source.repo_id, revision=plan.commit,
    )  # fmt: skip


def _prepare(folder: Path, remote: RemoteFile, repo_id: str) -> tuple[Path, Path, int]:
    """The part file, its sidecar, and how many bytes of an earlier attempt can be kept: those
    of the same file (repo, path, sha256, size), whatever commit it was listed at (a new
    commit that only edits the model card must not cost a 12 GB restart)."""
    target = folder / Path(remote.path).name
    partial = target.with_name(target.name + ".part")
    sidecar = target.with_name(target.name + ".part.json")
    state = {"file": f"{repo_id}/{remote.path}", "sha256": remote.sha256, "size": remote.size}
    have = _resumable(partial, sidecar, state)
    folder.mkdir(parents=True, exist_ok=True)
    sidecar.write_text(json.dumps(state), encoding="utf-8")
    return partial, sidecar, have


def _resumable(partial: Path, sidecar: Path, state: dict[str, Any]) -> int:
    """Bytes of an earlier attempt that can be kept: only when it was for the same remote file."""
    try:
        earlier = json.loads(read_regular_file(sidecar, 1024 * 1024, "download state", InputError))
        same = all(earlier.get(k) == state[k] for k in ("file", "sha256", "size"))
    except (InputError, ValueError, AttributeError):
        same = False
    if not same or not partial.exists():
        partial.unlink(missing_ok=True)
        return 0
    have = partial.stat().st_size
    if state["size"] and have > state["size"]:
        partial.unlink()
        return 0
    return have


def _hash_existing(partial: Path, have: int, progress: Progress) -> Any:
    if not have:
        return hashlib.sha256()
    return hash_file(partial, "checking partial download", progress)


@dataclass
class _Meter:
    """Progress over every part: bytes done (resumed ones included) and fetched in this run."""

    total: int
    started: float
    done: int = 0
    fetched: int = 0

    def event(self) -> ProgressEvent:
        base = self.done - self.fetched  # already there: done, but not part of the rate
        return transfer_event("downloading", self.done, self.total, self.started, base)


def _fetch(
    url: str,
    headers: dict[str, str],
    partial: Path,
    have: int,
    size: int,
    digest: Any,
    timeout: float,
    cancel: CancelToken,
    progress: Progress,
    meter: _Meter,
) -> tuple[int, Any]:
    if size and have >= size:
        return have, digest
    request_headers = dict(headers)
    if have:
        request_headers["Range"] = f"bytes={have}-"
    with session().stream(
        "GET", url, headers=request_headers, timeout=timeout, follow_redirects=True
    ) as response:
        if response.status_code >= 400:
            response.read()
            response.raise_for_status()
        if have and response.status_code != 206:  # the server ignored the range: start over
            meter.done -= have
            have, digest = 0, hashlib.sha256()
        with partial.open("ab" if have else "wb") as writer:
            for block in response.iter_bytes(CHUNK):
                cancel.raise_if_cancelled()
                writer.write(block)
                digest.update(block)
                have += len(block)
                meter.done += len(block)
                meter.fetched += len(block)
                progress(meter.event())
    return have, digest
