"""Nothing phones home: once a model is installed, a full check opens no socket."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

import pytest


@pytest.mark.llama
def test_a_full_check_opens_no_socket(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from app import cli

    attempts: list[object] = []

    def refuse(self: socket.socket, address: object) -> None:
        attempts.append(address)
        raise OSError("network access attempted during an offline check")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    draft = tmp_path / "draft.md"
    draft.write_text("Earn a guaranteed 12% a year.\n\nCall us today.\n", encoding="utf-8")
    out = tmp_path / "report.json"
    code = cli.main(
        [
            "check",
            str(draft),
            "--policy",
            "fin-promo",
            "--model",
            "smoke-gemma3-270m",
            "--effort",
            "low",
            "--out",
            str(out),
            "--quiet",
        ]
    )
    assert code in (0, 1)
    assert json.loads(out.read_text(encoding="utf-8"))["schema"] == "safeguard-desk/report/v1"
    assert attempts == []
    assert os.environ.get("HF_HUB_OFFLINE") == "1"  # and the hub library, if loaded, stays offline
