"""Download a catalogue model from the Hugging Face hub (or a mirror), once.

huggingface-hub resolves the file (its URL, size, commit and sha256, which the hub sends as the
linked ETag of LFS files); the bytes are fetched here with HTTP range requests into ``NAME.part``
beside a small JSON sidecar, so a download killed half way continues where it stopped, even after
the process was killed. The finished file is hashed, compared with the hub's sha256 (a mismatch is
quarantined, never installed), and renamed into place.

Every hub call but the download itself is switched off: telemetry, update checks, agent-harness
probes, implicit tokens, and Xet (its own protocol, which this resumable path does not use).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

for _name in (
    "HF_HUB_DISABLE_TELEMETRY",
    "HF_HUB_DISABLE_UPDATE_CHECK",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "HF_HUB_DISABLE_XET",
    "HF_HUB_DISABLE_PROGRESS_BARS",
):
    os.environ.setdefault(_name, "1")

import httpx2  # noqa: E402 -- huggingface-hub reads the switches above when it is imported
from huggingface_hub import get_hf_file_metadata, hf_hub_url  # noqa: E402
from huggingface_hub.errors import HfHubHTTPError  # noqa: E402
from huggingface_hub.utils import _headers, _http  # noqa: E402

from app.core.bounded import read_regular_file  # noqa: E402
from app.core.errors import DownloadFailed, InputError  # noqa: E402
from app.core.progress import CancelToken, Progress, ProgressEvent, no_progress  # noqa: E402
from app.models.gguf_header import read_header  # noqa: E402
from app.models.installed import (  # noqa: E402
    Installed,
    check_disk,
    hash_file,
    record,
    transfer_event,
)
from app.runtime.paths import models_dir  # noqa: E402

CHUNK = 1 << 20
SHA256 = re.compile(r"^[0-9a-f]{64}$")


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
    repo_id, filename = entry["repo_id"], entry["filename"]
    revision = entry.get("revision") or "main"
    url = hf_hub_url(repo_id, filename, revision=revision, endpoint=endpoint)
    progress(ProgressEvent("contacting hub", 0, 0, endpoint))
    try:
        meta = get_hf_file_metadata(url, token=token or False, timeout=timeout, endpoint=endpoint)
    except HfHubHTTPError as error:
        raise _http_failure(error, f"{repo_id}/{filename}", endpoint) from None
    except httpx2.HTTPError as error:
        raise _unreachable(error, endpoint) from None
    expected = (meta.etag or "").strip('"').lower()
    expected = expected if SHA256.match(expected) else (entry.get("sha256") or "")
    size = meta.size or 0
    folder = models_dir() / name
    target = folder / filename
    partial, sidecar = partial_files(name, entry)
    state = {
        "url": url,
        "etag": meta.etag,
        "size": size,
        "sha256": expected,
        "commit": meta.commit_hash,
    }
    have = _resumable(partial, sidecar, state)
    check_disk(folder, max(size - have, 0))
    sidecar.write_text(json.dumps(state), encoding="utf-8")
    digest = _hash_existing(partial, have, progress)
    headers = _headers.build_hf_headers(token=token or False)
    headers["Accept-Encoding"] = "identity"
    if _origin(meta.location) != _origin(endpoint):
        headers.pop(
            "authorization", None
        )  # a signed CDN URL needs no token: never send it off the hub
        headers.pop("Authorization", None)
    started = time.monotonic()
    try:
        have, digest = _fetch(
            meta.location, headers, partial, have, size, digest, timeout, cancel, progress, started
        )
    except (HfHubHTTPError, httpx2.HTTPStatusError) as error:
        kept = partial.stat().st_size if partial.exists() else 0
        raise _http_failure(error, f"{repo_id}/{filename}", endpoint, kept=kept) from None
    except httpx2.HTTPError as error:
        kept = partial.stat().st_size if partial.exists() else 0
        raise _unreachable(error, endpoint, kept=kept) from None
    actual = digest.hexdigest()
    if (size and have != size) or (expected and actual != expected):
        quarantine = target.with_name(f"{target.name}.quarantined-{int(time.time())}")
        partial.replace(quarantine)
        sidecar.unlink(missing_ok=True)
        raise DownloadFailed(
            f"checksum mismatch: got sha256 {actual[:16]}… ({have} bytes), the hub says "
            f"{expected[:16] or '?'}… ({size} bytes); the file was moved to {quarantine} and "
            "not installed; run the download again",
            path=target,
        )
    partial.replace(target)
    sidecar.unlink(missing_ok=True)
    return record(
        name,
        target,
        actual,
        "download",
        read_header(target),
        repo_id=repo_id,
        revision=meta.commit_hash or revision,
    )


def partial_files(name: str, entry: dict[str, Any]) -> tuple[Path, Path]:
    """Where an unfinished download waits to be resumed: the bytes and their sidecar."""
    target = models_dir() / name / entry["filename"]
    return target.with_name(target.name + ".part"), target.with_name(target.name + ".part.json")


def discard_partial(name: str, entry: dict[str, Any]) -> None:
    """Forget an unfinished download (the user cancelled it rather than pausing)."""
    for path in partial_files(name, entry):
        path.unlink(missing_ok=True)


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = urlparse(url)
    return parsed.scheme, (parsed.hostname or "").lower(), parsed.port


def _resumable(partial: Path, sidecar: Path, state: dict[str, Any]) -> int:
    """Bytes of an earlier attempt that can be kept: only when it was for the same remote file."""
    try:
        earlier = json.loads(read_regular_file(sidecar, 1024 * 1024, "download state", InputError))
        same = all(earlier.get(k) == state[k] for k in ("url", "etag", "size"))
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
    started: float,
) -> tuple[int, Any]:
    if size and have >= size:
        return have, digest
    request_headers = dict(headers)
    if have:
        request_headers["Range"] = f"bytes={have}-"
    client = _http.get_session()
    with client.stream(
        "GET", url, headers=request_headers, timeout=timeout, follow_redirects=True
    ) as response:
        if response.status_code >= 400:
            response.read()
            response.raise_for_status()
        if have and response.status_code != 206:  # the server ignored the range: start over
            have = 0
            digest = hashlib.sha256()
        mode = "ab" if have else "wb"
        base = have
        with partial.open(mode) as writer:
            for block in response.iter_bytes(CHUNK):
                cancel.raise_if_cancelled()
                writer.write(block)
                digest.update(block)
                have += len(block)
                progress(transfer_event("downloading", have, size, started, base))
    return have, digest


def _http_failure(
    error: HfHubHTTPError | httpx2.HTTPStatusError, what: str, endpoint: str, kept: int = 0
) -> DownloadFailed:
    status = error.response.status_code if error.response is not None else 0
    keep = f"; the partial download ({kept / 2**20:.0f} MB) is kept" if kept else ""
    if status in (401, 403):
        return DownloadFailed(
            f"access denied by {endpoint} (HTTP {status}) for {what}: store an "
            f"access token with 'safeguard-desk model token'{keep}"
        )
    if status == 404:
        return DownloadFailed(
            f"{what} was not found on {endpoint} (HTTP 404); the catalogue "
            f"entry may be out of date{keep}"
        )
    return DownloadFailed(f"{endpoint} answered HTTP {status} for {what}; try again later{keep}")


def _unreachable(error: Exception, endpoint: str, kept: int = 0) -> DownloadFailed:
    keep = (
        f"; the partial download ({kept / 2**20:.0f} MB) is kept, run the same command to resume"
        if kept
        else ""
    )
    reason = "timed out" if isinstance(error, httpx2.TimeoutException) else "connection failed"
    return DownloadFailed(
        f"cannot reach {endpoint} ({reason}: {type(error).__name__}){keep}; "
        "on an offline machine, import the file with 'safeguard-desk model "
        "import FILE'"
    )
