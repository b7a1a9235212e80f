"""The OpenAI-compatible server engine against a real server: ``python -m llama_cpp.server``
serving the smoke model on 127.0.0.1 (extra ``llama-cpp-python[server]``)."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.documents import Passage
from app.core.errors import Cancelled, ModelUnavailable
from app.core.policy import load_policy
from app.core.progress import CancelToken
from app.core.prompt import build_request
from app.core.verdict import parse_verdict
from app.inference.server_engine import ServerEngine, ServerSettings
from tests.helpers.paths import ROOT

pytest.importorskip("uvicorn", reason="needs the extra llama-cpp-python[server]")
pytestmark = [pytest.mark.llama, pytest.mark.timeout(600)]
KEY = "on-prem-key-123"
POLICY = load_policy(ROOT / "policies" / "fin-promo" / "policy.md")
PASSAGES = (
    Passage("P1", "Earn a guaranteed 11% a year with zero risk to your capital.", {"line": 1}),
    Passage("P2", "Call us today.", {"line": 3}),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="module")
def server(smoke_model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    log = (tmp_path_factory.mktemp("server") / "server.log").open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "llama_cpp.server", "--model", str(smoke_model_path),
         "--chat_format", "gemma", "--n_ctx", "4096", "--n_threads", "2", "--host",
         "127.0.0.1", "--port", str(port), "--api_key", KEY],
        stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            request = urllib.request.Request(
                f"{base}/v1/models", headers={"Authorization": f"Bearer {KEY}"}
            )
            with urllib.request.urlopen(request, timeout=2):
                break
        except OSError:
            if process.poll() is not None:
                pytest.fail("llama_cpp.server exited; see its log")
            time.sleep(0.5)
    else:
        pytest.fail("llama_cpp.server did not start in 120 s")
    yield base
    process.terminate()
    process.wait(10)
    log.close()


def engine(base: str, key: str = KEY) -> ServerEngine:
    short = {"low": 48, "medium": 48, "high": 48}  # the smoke model only proves the path
    return ServerEngine(
        ServerSettings(
            base, "smoke", api_key=key, n_ctx=4096, answer_tokens=400, reasoning_tokens=short
        )
    )


def test_two_phase_verdict_from_the_server(server: str) -> None:
    streamed: list[tuple[str, str]] = []
    served = engine(server)
    result = served.judge(
        build_request(POLICY, PASSAGES, "low"), CancelToken(), lambda c, t: streamed.append((c, t))
    )
    verdict = parse_verdict(result.final)  # valid JSON within the schema: structured output
    assert verdict.verdict in ("violation", "compliant", "needs_review")
    assert all(f.section in POLICY.section_ids for f in verdict.findings)
    assert result.analysis  # the reasoning phase is kept for auditors
    assert {c for c, _ in streamed} == {"analysis", "final"}
    assert result.prompt_tokens > 300 and result.completion_tokens > 0
    assert served._format == "json_object"  # llama-cpp-python's server refused json_schema
    assert json.loads(result.final) == json.loads("".join(t for c, t in streamed if c == "final"))


def test_cancel_stops_between_chunks(server: str) -> None:
    token = CancelToken()
    seen: list[str] = []

    def cancel_soon(channel: str, text: str) -> None:
        seen.append(text)
        if len(seen) == 3:
            token.cancel()

    with pytest.raises(Cancelled):
        engine(server).judge(build_request(POLICY, PASSAGES, "low"), token, cancel_soon)
    assert len(seen) == 3


def test_wrong_key_and_unreachable_server_say_what_to_do(server: str) -> None:
    with pytest.raises(ModelUnavailable, match="refused the API key"):
        engine(server, key="wrong").judge(build_request(POLICY, PASSAGES, "low"), CancelToken())
    with pytest.raises(ModelUnavailable, match="cannot reach the server"):
        engine(f"http://127.0.0.1:{_free_port()}").judge(
            build_request(POLICY, PASSAGES, "low"), CancelToken()
        )


def test_check_through_the_server_from_the_command_line(server: str, tmp_path: Path) -> None:
    from app import cli
    from app.runtime.secrets import SERVER_KEY, set_secret

    set_secret(SERVER_KEY, KEY)  # the key lives in the keyring, never on the command line
    draft = tmp_path / "draft.md"
    draft.write_text("Earn a guaranteed 11% a year.\n\nCall us today.\n", encoding="utf-8")
    out = tmp_path / "report.json"
    code = cli.main(
        ["check", str(draft), "--policy", "fin-promo", "--server", server, "--server-model",
         "smoke", "--n-ctx", "4096", "--effort", "low", "--out", str(out), "--quiet"]
    )  # fmt: skip
    assert code in (0, 1)
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["model"]["engine"] == f"openai-compatible server {server}/v1"
    assert report["model"]["name"] == "smoke"
    assert KEY not in out.read_text(encoding="utf-8")
