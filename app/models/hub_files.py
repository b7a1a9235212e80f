"""Ask the hub which file a catalogue source stands for: the repo's file list with LFS metadata
through huggingface_hub's public API, the file matched case-insensitively (with every part of a
split model), its size and sha256 checked against what the catalogue says was published.

A source that cannot be used (no such repo, revision or file, several candidates, a file that
differs from the published one, no checksum) raises ``SourceUnusable`` with the reason, and the
download moves on to the next source; a hub that cannot be reached, or fails, stops it.
"""

from __future__ import annotations

import os

# Every hub call but the metadata and the download is switched off: telemetry, update checks,
# agent-harness probes, implicit tokens, and Xet (its own protocol, which the resumable path does
# not use). huggingface-hub reads these when it is imported, hence before the imports below.
for _name in (
    "HF_HUB_DISABLE_TELEMETRY",
    "HF_HUB_DISABLE_UPDATE_CHECK",
    "HF_HUB_DISABLE_IMPLICIT_TOKEN",
    "HF_HUB_DISABLE_XET",
    "HF_HUB_DISABLE_PROGRESS_BARS",
):
    os.environ.setdefault(_name, "1")

import re  # noqa: E402
from dataclasses import dataclass  # noqa: E402
from pathlib import Path  # noqa: E402
from urllib.parse import urlparse  # noqa: E402

import httpx2  # noqa: E402
from huggingface_hub import (  # noqa: E402
    HfApi,
    HFCacheInfo,
    get_hf_file_metadata,
    get_session,
    hf_hub_url,
    scan_cache_dir,
)
from huggingface_hub.errors import (  # noqa: E402
    GatedRepoError,
    HfHubHTTPError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

# documented public helper (huggingface_hub.utils); mypy misses its lazy re-export
from huggingface_hub.utils import build_hf_headers  # type: ignore[attr-defined]  # noqa: E402

from app.core.errors import DownloadFailed  # noqa: E402
from app.models.catalogue import Source  # noqa: E402

STATUS_ERRORS = (HfHubHTTPError, httpx2.HTTPStatusError)  # an answer that is an error
TRANSPORT_ERRORS = (httpx2.HTTPError, OSError)  # no answer (OSError: offline mode, sockets)

# What to do when the hub refuses access, in each front end's words (ModelUnavailable's steps).
TOKEN_CLI = "store an access token with 'safeguard-desk model token'"
TOKEN_APP = "enter an access token under Download in Tools ▸ Models and press Download again"
_SPLIT = re.compile(r"^(?P<stem>.+)-(?P<no>\d{5})-of-(?P<count>\d{5})\.gguf$", re.IGNORECASE)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


class SourceUnusable(Exception):
    """This source cannot give us the model; the reason is the message."""


@dataclass(frozen=True)
class RemoteFile:
    path: str  # in the repo, as the hub spells it
    size: int
    sha256: str


@dataclass(frozen=True)
class Plan:
    source: Source
    commit: str  # every part comes from this one commit
    files: tuple[RemoteFile, ...]  # a split model's parts in order; the first is loaded


def resolve(source: Source, endpoint: str, token: str | None, timeout: float) -> Plan:
    api = HfApi(endpoint=endpoint, token=token or False)
    try:
        info = api.model_info(
            source.repo_id, revision=source.revision, files_metadata=True, timeout=timeout
        )
        commit = info.sha or source.revision
        listed = {s.rfilename: s for s in info.siblings or []}
        paths = _choose(source, list(listed))
        files = {}
        for path in paths:
            lfs = listed[path].lfs
            if lfs is not None and _SHA256.match(str(lfs.sha256 or "")):
                files[path] = RemoteFile(path, int(lfs.size), str(lfs.sha256))
        missing = [p for p in paths if p not in files]
        if missing:  # a mirror that lists files without their LFS metadata: ask for the paths
            for found in api.get_paths_info(source.repo_id, missing, revision=commit):
                lfs = getattr(found, "lfs", None)
                if lfs is not None and _SHA256.match(str(lfs.sha256 or "")):
                    files[found.path] = RemoteFile(found.path, int(lfs.size), str(lfs.sha256))
    except GatedRepoError:
        raise SourceUnusable("access denied (a gated repo: it needs an access token)") from None
    except RepositoryNotFoundError as error:
        raise SourceUnusable(f"no such repo (HTTP {_status(error)})") from None
    except RevisionNotFoundError:
        raise SourceUnusable(f"no revision '{source.revision}'") from None
    except HfHubHTTPError as error:
        if _status(error) in (401, 403):
            raise SourceUnusable(f"access denied (HTTP {_status(error)})") from None
        raise http_failure(error, source.label, endpoint) from None
    except TRANSPORT_ERRORS as error:
        raise unreachable(error, endpoint) from None
    unchecked = [p for p in paths if p not in files]
    if unchecked:
        raise SourceUnusable(f"the hub publishes no sha256 for {unchecked[0]}")
    chosen = tuple(files[p] for p in paths)
    _check_published(source, chosen)
    return Plan(source, commit, chosen)


def _choose(source: Source, listed: list[str]) -> list[str]:
    """The repo's file(s) for this source: one file, or every part of one split model."""
    matched = [p for p in listed if source.matches(p) and p.lower().endswith(".gguf")]
    exact = [p for p in matched if p.rsplit("/", 1)[-1].casefold() == source.file.casefold()]
    matched = exact or matched
    if not matched:
        raise SourceUnusable(f"no file matching {source.file} in the repo")
    models = {_model_key(p) for p in matched}
    if len(models) > 1:
        raise SourceUnusable(
            f"{len(models)} files match {source.file}; the catalogue must name one"
        )
    stem, count = models.pop()
    if not count:
        return matched
    parts = {
        int(m.group("no")): p
        for p in listed
        if (m := _SPLIT.match(p)) and _model_key(p) == (stem, count)
    }
    numbers = sorted(parts)
    if numbers != list(range(1, int(count) + 1)):
        have = ", ".join(str(n) for n in numbers)
        raise SourceUnusable(f"a {int(count)}-part model with only parts {have} in the repo")
    return [parts[n] for n in numbers]


def _model_key(path: str) -> tuple[str, str]:
    """Which model a file belongs to: its name, or a split model's stem and part count."""
    split = _SPLIT.match(path)
    return (split.group("stem").casefold(), split.group("count")) if split else (path, "")


def _check_published(source: Source, files: tuple[RemoteFile, ...]) -> None:
    """The hub's file must be the one whose size and sha256 the catalogue took from the
    publisher: a re-upload under the same name is a different, unchecked build."""
    size = sum(f.size for f in files)
    if source.bytes and size != source.bytes:
        raise SourceUnusable(f"the hub's file has {size} bytes, the published one {source.bytes}")
    if source.sha256 and len(files) == 1 and files[0].sha256 != source.sha256:
        raise SourceUnusable(
            f"the hub's file has sha256 {files[0].sha256[:16]}…, the published one "
            f"{source.sha256[:16]}…"
        )


def file_url(plan: Plan, remote: RemoteFile, endpoint: str) -> str:
    """The hub's resolve URL of a file at the plan's commit."""
    return hf_hub_url(plan.source.repo_id, remote.path, revision=plan.commit, endpoint=endpoint)


def file_location(url: str, what: str, endpoint: str, token: str | None, timeout: float) -> str:
    """Where the hub sends us for the bytes (its CDN, usually another origin)."""
    try:
        return get_hf_file_metadata(url, token=token or False, timeout=timeout).location
    except HfHubHTTPError as error:
        raise http_failure(error, what, endpoint) from None
    except TRANSPORT_ERRORS as error:
        raise unreachable(error, endpoint) from None


def hub_headers(token: str | None, location: str, endpoint: str) -> dict[str, str]:
    """Request headers for ``location``: the token only when it is the hub's own origin (a
    signed CDN URL needs none: never send it off the hub)."""
    headers = dict(build_hf_headers(token=token or False))
    headers["Accept-Encoding"] = "identity"
    if _origin(location) != _origin(endpoint):
        for key in [k for k in headers if k.lower() == "authorization"]:
            headers.pop(key)
    return headers


def session() -> httpx2.Client:
    return get_session()


def scan_cache(cache: Path) -> HFCacheInfo:
    """The Hugging Face cache's repos and files (local only: nothing is fetched)."""
    return scan_cache_dir(cache)


def _origin(url: str) -> tuple[str, str, int | None]:
    parsed = urlparse(url)
    return parsed.scheme, (parsed.hostname or "").lower(), parsed.port


def _status(error: HfHubHTTPError) -> int:
    return error.response.status_code if error.response is not None else 0


def http_failure(
    error: HfHubHTTPError | httpx2.HTTPStatusError, what: str, endpoint: str, kept: int = 0
) -> DownloadFailed:
    status = error.response.status_code if error.response is not None else 0
    keep = f"; the partial download ({kept / 2**20:.0f} MB) is kept" if kept else ""
    if status in (401, 403):
        return DownloadFailed(
            f"access denied by {endpoint} (HTTP {status}) for {what}{keep}",
            cli_step=TOKEN_CLI,
            app_step=TOKEN_APP,
        )
    if status == 404:
        return DownloadFailed(
            f"{what} was not found on {endpoint} (HTTP 404); the catalogue "
            f"entry may be out of date{keep}"
        )
    return DownloadFailed(f"{endpoint} answered HTTP {status} for {what}; try again later{keep}")


def unreachable(error: Exception, endpoint: str, kept: int = 0) -> DownloadFailed:
    keep = f"; the partial download ({kept / 2**20:.0f} MB) is kept for a resume" if kept else ""
    timed_out = isinstance(error, (httpx2.TimeoutException, TimeoutError))
    reason = "timed out" if timed_out else "connection failed"
    return DownloadFailed(
        f"cannot reach {endpoint} ({reason}: {type(error).__name__}){keep}",
        cli_step=("run the same command to resume; " if kept else "")
        + "on an offline machine, import the file with 'safeguard-desk model import FILE'",
        app_step=("press Download again to resume; " if kept else "")
        + "on an offline machine, import the file with Import… in Tools ▸ Models",
    )
