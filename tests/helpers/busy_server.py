"""A loopback OpenAI-compatible server that behaves like a shared server under load: it answers
streamed chat requests (reasoning first, then a verdict under structured output), holds up to
``slots`` requests at once and records how many it had in flight, and on request fails the way
busy servers do: every ``fail_every``-th request with 503 or 429 (alternating), a dropped
connection in the middle of an answer, a death (it stops listening) and a restart on the same
port, or a death for good.

The verdict depends only on the document: a passage with "guaranteed" in it is an FP-1
violation quoting that word, anything else is compliant. So any number of retries, in any
order, must give each document the same findings.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REASONING = "Looking for promises of returns the policy forbids."


def verdict_for(content: str) -> dict[str, Any]:
    for line in content.splitlines():
        head, _, text = line.partition(" ")
        ident = head.strip("[]:")
        if ident.startswith("P") and "guaranteed" in text:
            return {
                "verdict": "violation",
                "findings": [
                    {"section": "FP-1", "passage": ident, "quote": "guaranteed",
                     "severity": "high", "confidence": 0.9, "rationale": "a promise",
                     "remediation": "say returns are not guaranteed"}
                ],
            }  # fmt: skip
    return {"verdict": "compliant", "findings": []}


@dataclass
class BusyServer:
    fail_every: int = 0  # 0: never; N: every Nth request answers 503/429
    retry_after: str | None = None  # sent with every 503/429 (None: no header)
    drop_at: int = 0  # this request's answer is cut off half way (0: never)
    die_at: int = 0  # at this request the server dies (stops listening) ...
    back_after_s: float | None = 1.0  # ... and comes back on the same port (None: for good)
    always_busy: str = ""  # a document containing this text always gets 503
    chunk_delay_s: float = 0.02  # time between streamed pieces (makes requests overlap)
    slow_text: str = ""  # a document containing this text streams ten times slower
    hang_s: float = 0.0  # wait this long before answering at all (a server stuck in a queue)
    slots: int | None = 4  # what GET /props says as total_slots (None: 404, like vLLM)
    requests: int = 0
    in_flight: int = 0
    most_in_flight: int = 0
    faults: Counter[str] = field(default_factory=Counter)
    answered: Counter[str] = field(default_factory=Counter)  # final answers per document
    port: int = 0
    _server: ThreadingHTTPServer | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> BusyServer:
        self._listen()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is not None:
            server.shutdown()
            server.server_close()

    def _listen(self) -> None:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/props") and stub.slots is not None:
                    self._send(200, "application/json", json.dumps({"total_slots": stub.slots}))
                else:
                    self._send(404, "application/json", '{"error": "not found"}')

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                with stub._lock:
                    stub.requests += 1
                    number = stub.requests
                content = body["messages"][1]["content"]
                if stub.die_at and number == stub.die_at:
                    stub.faults["died"] += 1
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    threading.Thread(target=stub._die, daemon=True).start()
                    return
                if (stub.always_busy and stub.always_busy in content) or (
                    stub.fail_every and number % stub.fail_every == 0
                ):
                    alternate = stub.fail_every and (number // stub.fail_every) % 2
                    status = 429 if alternate else 503
                    stub.faults[str(status)] += 1
                    headers = {"Retry-After": stub.retry_after} if stub.retry_after else {}
                    self._send(status, "application/json", '{"error": "busy"}', headers)
                    return
                with stub._lock:
                    stub.in_flight += 1
                    stub.most_in_flight = max(stub.most_in_flight, stub.in_flight)
                self.counted = True
                try:
                    time.sleep(stub.hang_s)
                    self._stream(body, content, number)
                finally:
                    self._leave()

            def _leave(self) -> None:
                """Out of the count before the last bytes go: the client may ask again the
                moment it has them."""
                if self.counted:
                    self.counted = False
                    with stub._lock:
                        stub.in_flight -= 1

            def _stream(self, body: dict[str, Any], content: str, number: int) -> None:
                final = "response_format" in body
                text = json.dumps(verdict_for(content)) if final else REASONING
                key = "content" if final else "reasoning_content"
                pieces = [text[i : i + 16] for i in range(0, len(text), 16)]
                delay = stub.chunk_delay_s * (
                    10 if stub.slow_text and stub.slow_text in content else 1
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                for index, piece in enumerate(pieces):
                    if stub.drop_at and number == stub.drop_at and index == len(pieces) // 2:
                        stub.faults["dropped"] += 1
                        self.wfile.flush()
                        self.connection.shutdown(socket.SHUT_RDWR)
                        self.close_connection = True
                        return
                    event = {"choices": [{"index": 0, "delta": {key: piece}}]}
                    self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                    self.wfile.flush()
                    time.sleep(delay)
                done = {"choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}
                usage = {"choices": [], "usage": {"prompt_tokens": 200, "completion_tokens": 9}}
                tail = f"data: {json.dumps(done)}\n\ndata: {json.dumps(usage)}\n\ndata: [DONE]\n\n"
                if final:
                    with stub._lock:
                        stub.answered[_first_passage(content)] += 1
                self._leave()
                self.wfile.write(tail.encode())
                self.wfile.flush()
                self.close_connection = True

            def _send(
                self, status: int, kind: str, text: str, headers: dict[str, str] | None = None
            ) -> None:
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        server = _QuietServer(("127.0.0.1", self.port), Handler)
        server.daemon_threads = True
        self.port = int(server.server_address[1])
        self._server = server
        threading.Thread(target=server.serve_forever, daemon=True).start()

    def _die(self) -> None:
        self.stop()
        if self.back_after_s is not None:
            time.sleep(self.back_after_s)
            self._listen()


def free_port() -> int:
    """A loopback port nobody listens on (for "no server here")."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _QuietServer(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that hung up (Cancel, a test's kill -9) is expected here


def _first_passage(content: str) -> str:
    """The document an answer was for: the text of its first passage."""
    return next((line for line in content.splitlines() if line.startswith("[P")), "")
