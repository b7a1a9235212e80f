"""A small Hugging Face hub look-alike on 127.0.0.1 for download tests: real HTTP, and the layouts
huggingface_hub really reads (from its source, 2.x):

- ``GET /api/models/{repo}[/revision/{rev}][?blobs=true]``: ``HfApi.model_info`` — the repo's JSON
  with ``sha`` (the commit) and ``siblings`` (``rfilename``, and with ``blobs``: ``blobId``,
  ``size``, ``lfs`` = ``{sha256, size, pointerSize}``);
- ``GET /api/models/{repo}/tree/{rev}[/{path}]``: ``list_repo_tree`` / ``list_repo_files`` —
  entries ``{type, oid, size, path, lfs: {oid, size, pointerSize}}``;
- ``POST /api/models/{repo}/paths-info/{rev}`` (form ``paths``, ``expand``): ``get_paths_info``;
- ``HEAD|GET /{repo}/resolve/{rev}/{path}``: the redirect to the CDN (another origin) with
  ``X-Repo-Commit``, ``X-Linked-Etag`` (the sha256) and ``X-Linked-Size``;
- the CDN URL itself, with range requests.

Errors carry the hub's ``X-Error-Code`` (RepoNotFound, RevisionNotFound, EntryNotFound,
GatedRepo), which huggingface_hub turns into its typed errors. Knobs for failures: status codes
per file or per repo, hangs, throttling, wrong checksums, listings without LFS metadata."""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

COMMIT = "0123456789abcdef0123456789abcdef01234567"
_CODES = {401: "RepoNotFound", 404: "RepoNotFound", 403: "GatedRepo"}


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients that hang up (timeouts, killed downloads) are part of the tests."""


@dataclass
class HostedFile:
    data: bytes
    status: int = 200  # e.g. 401, 404, 500 on the resolve URL
    cdn_status: int = 200  # failure of the download URL itself
    advertised_sha256: str | None = None  # None: the real one
    hang: bool = False  # never answer the resolve request
    delay_per_chunk: float = 0.0  # throttle the download
    chunk: int = 64 * 1024
    lfs: bool = True  # stored with LFS (model files are; README.md is not)

    @property
    def sha256(self) -> str:
        return self.advertised_sha256 or hashlib.sha256(self.data).hexdigest()

    def entry(self, path: str) -> dict[str, Any]:
        """The tree / paths-info form of this file."""
        item: dict[str, Any] = {
            "type": "file",
            "oid": hashlib.sha1(self.data).hexdigest(),
            "size": len(self.data),
            "path": path,
        }
        if self.lfs:
            item["lfs"] = {"oid": self.sha256, "size": len(self.data), "pointerSize": 135}
        return item


@dataclass
class FakeHub:
    files: dict[str, HostedFile] = field(default_factory=dict)  # "org/repo/path/in/repo"
    repo_status: dict[str, int] = field(default_factory=dict)  # "org/repo" -> 401/403/404/500
    listing_lfs: bool = True  # False: model_info's siblings lack LFS metadata (a thin mirror)
    commit: str = COMMIT  # the repos' head (change it to model a new commit)
    requests: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    server: QuietServer | None = None
    cdn: QuietServer | None = None  # another origin, as the hub's CDN is

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def cdn_url(self) -> str:
        assert self.cdn is not None
        host, port = self.cdn.server_address[:2]
        return f"http://{host}:{port}"

    def repo_files(self, repo: str) -> dict[str, HostedFile]:
        prefix = repo + "/"
        return {k[len(prefix) :]: v for k, v in self.files.items() if k.startswith(prefix)}

    def start(self) -> FakeHub:
        hub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_HEAD(self) -> None:
                self._serve(body=False)

            def do_GET(self) -> None:
                self._serve(body=True)

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self._form = parse_qs(self.rfile.read(length).decode())
                self._serve(body=True)

            def _serve(self, body: bool) -> None:
                hub.requests.append((self.command, self.path, dict(self.headers)))
                split = urlsplit(self.path)
                query = parse_qs(split.query)
                parts = [unquote(p) for p in split.path.strip("/").split("/")]
                if parts[:2] == ["api", "models"] and len(parts) == 4:  # model_info, no revision
                    self._api(f"{parts[2]}/{parts[3]}", "revision", "main", [], query)
                elif parts[:2] == ["api", "models"] and len(parts) >= 6:
                    self._api(f"{parts[2]}/{parts[3]}", parts[4], parts[5], parts[6:], query)
                elif len(parts) >= 5 and parts[2] == "resolve":
                    self._resolve(f"{parts[0]}/{parts[1]}", parts[3], "/".join(parts[4:]))
                elif len(parts) >= 2 and parts[0] == "cdn":
                    self._cdn("/".join(parts[1:]), body)
                else:
                    self._plain(404, b"not found")

            def _repo_refused(self, repo: str, revision: str) -> bool:
                status = hub.repo_status.get(repo)
                if status is None and not hub.repo_files(repo):
                    status = 404
                if status is not None:
                    code = _CODES.get(status)
                    self._plain(status, b"refused", {"X-Error-Code": code} if code else {})
                    return True
                if revision not in ("main", hub.commit):
                    self._plain(404, b"no such revision", {"X-Error-Code": "RevisionNotFound"})
                    return True
                return False

            def _api(
                self, repo: str, kind: str, revision: str, rest: list[str], query: dict[str, Any]
            ) -> None:
                if self._repo_refused(repo, revision):
                    return
                hosted = hub.repo_files(repo)
                if kind == "revision":
                    blobs = query.get("blobs", ["false"])[0].lower() == "true"
                    siblings = []
                    for path, item in sorted(hosted.items()):
                        sibling: dict[str, Any] = {"rfilename": path}
                        if blobs:
                            entry = item.entry(path)
                            sibling |= {"blobId": entry["oid"], "size": entry["size"]}
                            if item.lfs and hub.listing_lfs:
                                sibling["lfs"] = {"sha256": item.sha256, "size": len(item.data),
                                                  "pointerSize": 135}  # fmt: skip
                        siblings.append(sibling)
                    info = {"_id": "0" * 24, "id": repo, "modelId": repo,
                            "author": repo.split("/")[0], "sha": hub.commit, "private": False,
                            "gated": False, "disabled": False, "library_name": "gguf",
                            "tags": ["gguf"], "siblings": siblings}  # fmt: skip
                    self._json(info)
                elif kind == "tree":
                    folder = "/".join(rest)
                    self._json([i.entry(p) for p, i in sorted(hosted.items())
                                if p.startswith(folder)])  # fmt: skip
                elif kind == "paths-info" and self.command == "POST":
                    wanted = getattr(self, "_form", {}).get("paths", [])
                    self._json([hosted[p].entry(p) for p in wanted if p in hosted])
                else:
                    self._plain(404, b"not found")

            def _resolve(self, repo: str, revision: str, path: str) -> None:
                hosted = hub.files.get(f"{repo}/{path}")
                if self._repo_refused(repo, revision):
                    return
                if hosted is None:
                    self._plain(404, b"Entry not found", {"X-Error-Code": "EntryNotFound"})
                    return
                if hosted.hang:
                    time.sleep(60)
                    return
                if hosted.status != 200:
                    self._plain(hosted.status, b"refused")
                    return
                self.send_response(302)
                self.send_header("Location", f"{hub.cdn_url}/cdn/{repo}/{path}")
                self.send_header("X-Repo-Commit", hub.commit)
                self.send_header("X-Linked-Etag", f'"{hosted.sha256}"')
                self.send_header("X-Linked-Size", str(len(hosted.data)))
                self.send_header("ETag", '"pointer-etag"')
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _cdn(self, key: str, body: bool) -> None:
                hosted = hub.files[key]
                if hosted.cdn_status != 200:
                    self._plain(hosted.cdn_status, b"cdn failure")
                    return
                start = 0
                ranged = self.headers.get("Range", "")
                if ranged.startswith("bytes="):
                    start = int(ranged[6:].split("-")[0])
                if start >= len(hosted.data) and hosted.data:
                    self._plain(416, b"")
                    return
                self.send_response(206 if start else 200)
                self.send_header("Content-Length", str(len(hosted.data) - start))
                self.send_header("ETag", f'"{hosted.sha256}"')
                self.send_header("Accept-Ranges", "bytes")
                if start:
                    self.send_header(
                        "Content-Range", f"bytes {start}-{len(hosted.data) - 1}/{len(hosted.data)}"
                    )
                self.end_headers()
                if not body:
                    return
                try:
                    for offset in range(start, len(hosted.data), hosted.chunk):
                        self.wfile.write(hosted.data[offset : offset + hosted.chunk])
                        if hosted.delay_per_chunk:
                            time.sleep(hosted.delay_per_chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _json(self, value: Any) -> None:
                text = json.dumps(value).encode()
                self._plain(200, text, {"Content-Type": "application/json"})

            def _plain(
                self, status: int, text: bytes, headers: dict[str, str] | None = None
            ) -> None:
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(text)))
                self.end_headers()
                self.wfile.write(text)

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.cdn = QuietServer(("127.0.0.1", 0), Handler)
        for server in (self.server, self.cdn):
            threading.Thread(target=server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        for server in (self.server, self.cdn):
            if server is not None:
                server.shutdown()
                server.server_close()

    def paths(self) -> list[str]:
        return [path for _, path, _ in self.requests]

    def api_paths(self) -> list[str]:
        """Requests to the hub (not its CDN), without query strings."""
        return [urlsplit(p).path for p in self.paths() if not p.startswith("/cdn/")]
