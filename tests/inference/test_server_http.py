"""The server engine's transport: backoff with jitter and Retry-After, a stream cut off half way
taken for what it is (a dropped connection, never a short answer), retries that give up with
the reason, a wrong address said at once, and Cancel waking a request the server sits on."""

from __future__ import annotations

import email.utils
import json
import random
import threading
import time

import pytest

from app.core.documents import Passage
from app.core.errors import Cancelled, ModelUnavailable, ServerFault
from app.core.policy import load_policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.inference.server_engine import ServerEngine, ServerSettings
from app.inference.server_http import RetryPolicy, retry_after
from tests.helpers.busy_server import BusyServer, free_port
from tests.helpers.paths import ROOT

POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")
REQUEST = build_request(
    POLICY, (Passage("P1", "Earn a guaranteed 9% a year.", {"line": 1}),), "low"
)
FAST = RetryPolicy(attempts=3, base_s=0.01, cap_s=0.05)


def engine(url: str, retry: RetryPolicy = FAST) -> ServerEngine:
    return ServerEngine(ServerSettings(url, "stub", retry=retry, timeout_s=30))


def test_backoff_doubles_with_jitter_up_to_its_cap_and_honours_retry_after() -> None:
    policy, rng = RetryPolicy(base_s=1.0, cap_s=8.0), random.Random(7)
    for attempt, step in enumerate([1, 2, 4, 8, 8, 8]):
        waits = [policy.delay(attempt, None, rng) for _ in range(200)]
        assert all(step / 2 <= wait <= step for wait in waits)
        assert len({round(wait, 3) for wait in waits}) > 100  # spread, not in lockstep
    assert 3.0 <= policy.delay(0, 3.0, rng) <= 3.25  # the server's own wait, a little jitter
    assert policy.delay(0, 10_000.0, rng) <= policy.max_retry_after_s + 0.25


def test_retry_after_in_seconds_or_as_an_http_date() -> None:
    assert retry_after("7") == 7.0
    assert retry_after(None) is None and retry_after("soon") is None
    later = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 25 <= (retry_after(later) or 0) <= 31


def test_an_answer_cut_off_half_way_is_asked_again_never_taken_as_it_was(
    servers: list[BusyServer],
) -> None:
    server = BusyServer(drop_at=2).start()  # the verdict's stream stops in the middle
    servers.append(server)
    result = engine(server.url).judge(REQUEST, CancelToken())
    assert json.loads(result.final)["verdict"] == "violation"  # the whole answer, second try
    assert server.faults["dropped"] == 1 and server.requests == 3


def test_busy_answers_are_retried_then_given_up_with_the_reason(
    servers: list[BusyServer],
) -> None:
    server = BusyServer(fail_every=2, retry_after="0").start()  # every second request 503/429
    servers.append(server)
    assert json.loads(engine(server.url).judge(REQUEST, CancelToken()).final)["findings"]
    always = BusyServer(always_busy="guaranteed").start()
    servers.append(always)
    with pytest.raises(ServerFault, match=r"kept failing \(HTTP 503 Service Unavailable; 3 tries"):
        engine(always.url).judge(REQUEST, CancelToken())
    assert always.faults["503"] == 3


def test_a_wrong_address_is_said_at_once_a_server_gone_after_answering_is_retried(
    servers: list[BusyServer],
) -> None:
    started = time.monotonic()
    with pytest.raises(ModelUnavailable, match="cannot reach the server"):
        engine(f"http://127.0.0.1:{free_port()}", RetryPolicy()).judge(REQUEST, CancelToken())
    assert time.monotonic() - started < 2  # no backoff for a server never reached
    server = BusyServer(die_at=2, back_after_s=None).start()
    servers.append(server)
    with pytest.raises(ModelUnavailable, match="stopped answering .* 3 tries"):
        engine(server.url).judge(REQUEST, CancelToken())


def test_cancel_wakes_a_request_the_server_sits_on(servers: list[BusyServer]) -> None:
    server = BusyServer(hang_s=60).start()  # queued behind other users: nothing comes back
    servers.append(server)
    token = CancelToken()
    threading.Timer(0.5, token.cancel).start()
    started = time.monotonic()
    with pytest.raises(Cancelled):
        engine(server.url).judge(REQUEST, token)
    assert time.monotonic() - started < 3  # not the 30 s timeout, not the server's 60 s


def test_slots_come_from_the_servers_props(servers: list[BusyServer]) -> None:
    llama = BusyServer(slots=3).start()
    vllm = BusyServer(slots=None).start()  # vLLM has no /props
    servers.extend([llama, vllm])
    assert engine(llama.url).slots() == 3
    assert engine(f"{llama.url}/v1").slots() == 3
    assert engine(vllm.url).slots() is None
    assert engine(f"http://127.0.0.1:{free_port()}").slots() is None
