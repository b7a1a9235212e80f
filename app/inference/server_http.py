"""The HTTP side of the server engine: one connection per request, closed by Cancel, and the
faults a shared server produces sorted into what is worth another try.

``http.client`` rather than ``urllib``: Cancel must stop a request that is blocked waiting for
the server (queued behind other users' requests, or the server hung), and only a socket we hold
can be shut down from the cancelling thread. A shared server under load answers 429/503 or drops
connections; those are retried with exponential backoff and jitter (``RetryPolicy``), honouring
``Retry-After``; the caller decides when to give up.
"""

from __future__ import annotations

import email.utils
import http.client
import json
import logging
import random
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from app.core.progress import CancelToken

log = logging.getLogger(__name__)
RETRY_STATUSES = {429, 502, 503, 504}  # busy, or a proxy in front of a restarting server


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to wait for a server that is busy or dropped the connection."""

    attempts: int = 5  # tries per request, the first included
    base_s: float = 1.0  # the first wait; doubled each time
    cap_s: float = 30.0  # no single wait longer than this (Retry-After aside)
    max_retry_after_s: float = 120.0  # a longer Retry-After is cut to this

    def delay(self, attempt: int, retry_after: float | None, rng: random.Random) -> float:
        """The wait before try ``attempt + 1`` (``attempt`` counts from 0). Jitter spreads the
        retries of the N requests in flight so they do not hit the server together again."""
        if retry_after is not None:
            return min(retry_after, self.max_retry_after_s) + rng.uniform(0, self.base_s / 4)
        step = min(self.cap_s, self.base_s * 2**attempt)
        return rng.uniform(step / 2, step)


class Retryable(Exception):
    """One try failed in a way another try may not: ``reason`` for the user, ``retry_after``
    the server's own wait (seconds), ``refused``: no connection at all (the server is down)."""

    def __init__(self, reason: str, retry_after: float | None = None, refused: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.refused = refused


class TimedOut(Exception):
    """No byte within the timeout: not retried (another try would wait as long again)."""


DROPPED = (
    ConnectionResetError,
    ConnectionAbortedError,
    BrokenPipeError,
    http.client.RemoteDisconnected,
    http.client.IncompleteRead,
)


@contextmanager
def post(
    url: str, body: bytes, headers: dict[str, str], timeout_s: float, cancel: CancelToken
) -> Iterator[http.client.HTTPResponse]:
    """The response to a POST, its status not yet looked at except for the retryable ones
    (raised as ``Retryable``). Cancel shuts the socket down, which wakes a blocked read."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout_s)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    remove = cancel.on_cancel(lambda: _abort(connection))
    try:
        try:
            connection.connect()
        except OSError as error:  # refused, reset in the backlog of a dying server, no route
            cancel.raise_if_cancelled()
            reason = error.strerror or _name(error)
            raise Retryable(f"cannot connect ({reason})", refused=True) from None
        cancel.raise_if_cancelled()  # cancelled while connecting: the hook found no socket yet
        try:
            connection.request("POST", target, body, headers)
            response = connection.getresponse()
        except TimeoutError:
            raise TimedOut(f"no answer within {timeout_s:.0f} s") from None
        except DROPPED as error:
            cancel.raise_if_cancelled()
            raise Retryable(f"connection dropped ({_name(error)})") from None
        if response.status in RETRY_STATUSES:
            wait = retry_after(response.getheader("Retry-After"))
            response.read(4096)  # so the connection closes cleanly
            raise Retryable(f"HTTP {response.status} {response.reason}".strip(), wait)
        yield response
    finally:
        remove()
        connection.close()


def read_line(response: http.client.HTTPResponse, limit: int, cancel: CancelToken) -> bytes:
    """The next line of a streamed answer (b"" at its end); a dropped connection is
    ``Retryable``, a cancelled one ``Cancelled``."""
    try:
        line = response.readline(limit)
    except TimeoutError:
        cancel.raise_if_cancelled()
        raise TimedOut("the server stopped sending in the middle of its answer") from None
    except (*DROPPED, OSError) as error:
        cancel.raise_if_cancelled()
        raise Retryable(f"connection dropped mid-answer ({_name(error)})") from None
    cancel.raise_if_cancelled()  # between chunks; a shut-down socket reads as b""
    return line


def stream_events(
    response: http.client.HTTPResponse, limit: int, cancel: CancelToken
) -> Iterator[dict[str, Any]]:
    """The events of a streamed answer: server-sent events (``data: {...}``) or newline-
    delimited JSON (Ollama's native API). A stream that ends without its end marker
    (``[DONE]``, a ``finish_reason``, Ollama's ``done``) was cut off: ``Retryable``, never
    taken for a short answer."""
    ended = False
    while raw := read_line(response, limit, cancel):
        line = raw.decode("utf-8", errors="replace").strip()
        if line.startswith("data:"):
            data = line[len("data:") :].strip()
        elif line.startswith("{"):
            data = line
        else:
            continue
        if data == "[DONE]":
            return
        try:
            event = json.loads(data)
        except ValueError:
            log.info("ignoring a malformed event from the server: %r", data[:200])
            continue
        if isinstance(event, dict):
            ended = ended or _closes_answer(event)
            yield event
    if not ended:
        raise Retryable("the answer stopped before its end (connection dropped)")


def _closes_answer(event: dict[str, Any]) -> bool:
    if event.get("done") is True:
        return True
    return any(
        isinstance(choice, dict) and choice.get("finish_reason")
        for choice in event.get("choices") or []
    )


def get_json_field(url: str, api_key: str, timeout_s: float, name: str) -> object:
    """One field of a small JSON document (a server's ``/props``), or None when the server
    does not have it; never raises."""
    parts = urlsplit(url)
    kind = http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    connection = kind(parts.hostname or "", parts.port, timeout=timeout_s)
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    try:
        connection.request("GET", parts.path or "/", headers=headers)
        response = connection.getresponse()
        if response.status != 200:
            return None
        data = json.loads(response.read(1 << 20))
    except (OSError, http.client.HTTPException, ValueError):
        return None
    finally:
        connection.close()
    return data.get(name) if isinstance(data, dict) else None


def retry_after(value: str | None) -> float | None:
    """``Retry-After`` in seconds: a number, or an HTTP date; None when absent or unreadable."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _abort(connection: http.client.HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with suppress(OSError):  # already closed
            sock.shutdown(socket.SHUT_RDWR)


def _name(error: BaseException) -> str:
    return type(error).__name__
