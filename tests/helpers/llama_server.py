"""llama.cpp's own ``llama-server`` for tests: built once from the llama.cpp source that the
pinned llama-cpp-python sdist vendors (installer/_llama_server.sh, cached under
~/.cache/safeguard-desk/llama-server), started on 127.0.0.1 for the smoke GGUF.

The smoke model's GGUF has no chat template; llama-server then needs one named: ``--no-jinja
--chat-template gemma`` uses llama.cpp's built-in Gemma turn format (``<start_of_turn>user``
…), the same one llama-cpp-python's ``chat_format="gemma"`` gives the in-process engine.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers.busy_server import free_port
from tests.helpers.paths import ROOT

BUILD = ROOT / "installer" / "_llama_server.sh"


def llama_server_binary() -> Path:
    """The cached binary, built on first use (about 10 minutes on 2 cores); skips the test
    with the reason when it cannot be built here (no cmake or compiler)."""
    result = subprocess.run(
        ["bash", str(BUILD)], capture_output=True, text=True, timeout=3600, check=False
    )
    if result.returncode == 3:
        pytest.skip(result.stderr.strip().splitlines()[-1])
    if result.returncode != 0:
        pytest.fail(f"building llama-server failed:\n{result.stderr[-3000:]}")
    return Path(result.stdout.strip().splitlines()[-1])


@contextmanager
def running(
    binary: Path, model: Path, log: Path, *, slots: int = 4, ctx_per_slot: int = 4096
) -> Iterator[str]:
    """The server's base URL while it runs; stopped (and waited for) afterwards."""
    port = free_port()
    with log.open("w") as sink:
        process = subprocess.Popen(
            [str(binary), "-m", str(model), "--host", "127.0.0.1", "--port", str(port),
             "--parallel", str(slots), "--ctx-size", str(slots * ctx_per_slot),
             "--threads", "2", "--no-jinja", "--chat-template", "gemma", "--no-webui"],
            stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(url, process, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)


def _wait_ready(url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"llama-server exited ({process.returncode}):\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass  # still loading the model (503) or not listening yet
        time.sleep(0.3)
    pytest.fail("llama-server did not become ready in 120 s")
