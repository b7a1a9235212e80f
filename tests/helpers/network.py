"""The socket guard for tests: any connection attempt, in this process or a Python child, is
refused and logged."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

GUARD = Path(__file__).parent / "socket_guard"


def guard_everything(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Guard this process and every Python process it starts; return the attempts log. The
    real socket functions are put back when the test ends."""
    for name in ("connect", "connect_ex"):
        monkeypatch.setattr(socket.socket, name, getattr(socket.socket, name))
    monkeypatch.setattr(socket, "getaddrinfo", socket.getaddrinfo)
    log = tmp_path / "socket-attempts.log"
    monkeypatch.setenv("SAFEGUARD_SOCKET_LOG", str(log))
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(GUARD), *sys.path]))
    sys.path.insert(0, str(GUARD))
    try:
        import sitecustomize  # type: ignore[import-not-found]

        sitecustomize.install()
    finally:
        sys.path.remove(str(GUARD))
    return log
