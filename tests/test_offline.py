"""Nothing phones home and no secret leaks: once a model is installed, a full check and a
report export open no connection that leaves the machine — in this process or in the reader
child processes — and a planted hub token appears in no log, store, setting or report."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.runtime import secrets
from app.runtime.paths import data_dir
from tests.helpers.network import guard_everything

PLANTED = "hf_PlantedSecretToken0123456789abcdef"


def files_holding(secret: str, *roots: Path, skip: Path) -> list[Path]:
    found = []
    for root in roots:
        for path in [root] if root.is_file() else root.rglob("*"):
            if path.is_file() and path != skip and secret.encode() in path.read_bytes():
                found.append(path)
    return found


@pytest.mark.llama
def test_a_full_check_and_export_open_no_socket_and_leak_no_token(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_keyring: None
) -> None:
    from app import cli

    attempts = guard_everything(tmp_path, monkeypatch)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    secrets.set_token(PLANTED)  # no keyring here: the 0600 fallback file holds it
    draft = tmp_path / "draft.md"
    draft.write_text("Earn a guaranteed 12% a year.\n\nCall us today.\n", encoding="utf-8")
    out, pdf = tmp_path / "report.json", tmp_path / "report.pdf"
    code = cli.main(
        [
            "check", str(draft), "--policy", "fin-promo", "--model", "smoke-gemma3-270m",
            "--effort", "low", "--out", str(out), "--pdf", str(pdf), "--quiet",
        ]
    )  # fmt: skip
    assert code in (0, 1)
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "safeguard-desk/report/v1"
    assert pdf.read_bytes().startswith(b"%PDF")
    assert not attempts.exists(), attempts.read_text(encoding="utf-8")
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # and the hub library, if loaded, stays offline
    token_file = secrets.fallback_file(secrets.HUB_TOKEN)
    assert token_file.exists()
    assert files_holding(PLANTED, data_dir(), out, pdf, skip=token_file) == []


def test_the_guard_itself_catches_a_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    attempts = guard_everything(tmp_path, monkeypatch)
    with pytest.raises(OSError, match="network access attempted"):
        socket.create_connection(("192.0.2.1", 443), timeout=1)  # TEST-NET: never routed
    child = (
        "import socket\ntry:\n socket.create_connection(('192.0.2.1', 80), timeout=1)\n"
        "except OSError as e:\n print(e)\n"
    )
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True)
    assert "network access attempted" in result.stdout
    assert len(attempts.read_text(encoding="utf-8").splitlines()) == 2
