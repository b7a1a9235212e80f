"""A loopback stand-in for OpenAI-compatible chat servers, answering the way each kind really
does: vLLM (``reasoning`` deltas), llama.cpp's server (``reasoning_content``), Ollama's native API
(newline-delimited JSON with ``message.thinking``), or one whole non-streamed message; and the
known failure of gpt-oss behind some servers with structured output: an empty final ``content``.
It records every request body."""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

REASONING = "The flyer promises a guaranteed return; that breaks FP-1."


@dataclass
class StubServer:
    field_name: str = "reasoning"  # where reasoning goes: reasoning | reasoning_content | thinking
    mode: str = "sse"  # sse | whole | ndjson
    final: str = ""  # the verdict JSON the final phase writes
    empty_final: bool = False  # the final phase writes its text into reasoning, content ""
    also_under: str = ""  # send the reasoning under a second name too (vLLM's transition)
    cut_first: bool = False  # phase 1 ends at max_tokens (finish_reason / done_reason "length")
    bodies: list[dict[str, Any]] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}"

    def _parts(self, body: dict[str, Any]) -> tuple[str, str]:
        """(reasoning, content) for this request: phase 1 reasons, phase 2 answers."""
        if "response_format" not in body:
            return REASONING, ""
        if self.empty_final:
            return self.final, ""  # the verdict ends up in the wrong field
        return "", self.final

    def _message(self, reasoning: str, content: str) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": content}
        if reasoning:
            message[self.field_name] = reasoning
            if self.also_under:
                message[self.also_under] = reasoning
        return message

    def start(self) -> StubServer:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                stub.bodies.append(body)
                reasoning, content = stub._parts(body)
                why = "length" if stub.cut_first and "response_format" not in body else "stop"
                if stub.mode == "whole":
                    self._send("application/json", json.dumps({
                        "choices": [{"index": 0, "message": stub._message(reasoning, content),
                                     "finish_reason": why}],
                        "usage": {"prompt_tokens": 100, "completion_tokens": 20},
                    }).encode())  # fmt: skip
                    return
                halves = [(reasoning[:20], content[:10]), (reasoning[20:], content[10:])]
                if stub.mode == "ndjson":
                    lines = [json.dumps({"message": stub._message(r, c), "done": False})
                             for r, c in halves]  # fmt: skip
                    lines.append(json.dumps({"message": {"role": "assistant", "content": ""},
                                             "done": True, "done_reason": why,
                                             "prompt_eval_count": 90,
                                             "eval_count": 12}))  # fmt: skip
                    self._send("application/x-ndjson", "\n".join(lines).encode() + b"\n")
                    return
                events = [{"choices": [{"index": 0, "delta": stub._message(r, c)}]}
                          for r, c in halves]  # fmt: skip
                events[-1]["choices"][0]["finish_reason"] = why
                events.append({"choices": [], "usage": {"prompt_tokens": 80,
                                                        "completion_tokens": 10}})  # fmt: skip
                text = "".join(f"data: {json.dumps(e)}\n\n" for e in events) + "data: [DONE]\n\n"
                self._send("text/event-stream", text.encode())

            def _send(self, kind: str, data: bytes) -> None:
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
