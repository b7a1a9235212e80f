"""A small Hugging Face hub look-alike on 127.0.0.1 for download tests: real HTTP, the hub's
redirect and headers (X-Repo-Commit, X-Linked-Etag = sha256, X-Linked-Size), range requests on
the file URL, and knobs for failures (status codes, hangs, throttling, wrong checksums)."""

from __future__ import annotations

import hashlib
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

COMMIT = "0123456789abcdef0123456789abcdef01234567"


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

    @property
    def sha256(self) -> str:
        return self.advertised_sha256 or hashlib.sha256(self.data).hexdigest()


@dataclass
class FakeHub:
    files: dict[str, HostedFile] = field(default_factory=dict)  # "org/repo/filename"
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

            def _serve(self, body: bool) -> None:
                hub.requests.append((self.command, self.path, dict(self.headers)))
                parts = self.path.split("?")[0].strip("/").split("/")
                if len(parts) == 5 and parts[2] == "resolve":
                    self._resolve(f"{parts[0]}/{parts[1]}/{parts[4]}")
                elif len(parts) >= 2 and parts[0] == "cdn":
                    self._cdn("/".join(parts[1:]), body)
                else:
                    self._plain(404, b"not found")

            def _resolve(self, key: str) -> None:
                hosted = hub.files.get(key)
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
                self.send_header("Location", f"{hub.cdn_url}/cdn/{key}")
                self.send_header("X-Repo-Commit", COMMIT)
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
