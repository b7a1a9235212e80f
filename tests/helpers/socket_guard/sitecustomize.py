"""Loaded by every Python process started with this folder on PYTHONPATH (the reader child
processes included): records and refuses any connection or name lookup that leaves the machine.
Attempts are appended to the file named by SAFEGUARD_SOCKET_LOG."""

from __future__ import annotations

import ipaddress
import os
import socket

_LOCAL = {"127.0.0.1", "::1", "localhost", "0.0.0.0"}


def _record(what: object) -> None:
    with open(os.environ["SAFEGUARD_SOCKET_LOG"], "a", encoding="utf-8") as log:
        log.write(f"{os.getpid()} {what!r}\n")


def _host(address: object) -> str:
    if isinstance(address, tuple) and address:
        return str(address[0])
    return str(address)  # a Unix socket path


def _is_ip(host: object) -> bool:
    """An address literal needs no name lookup; connecting to it is caught by connect."""
    try:
        ipaddress.ip_address(host.decode() if isinstance(host, bytes) else str(host))
    except ValueError:
        return False
    return True


def install() -> None:
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_getaddrinfo = socket.getaddrinfo

    def connect(self: socket.socket, address: object) -> None:
        if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOCAL:
            _record(address)
            raise OSError(f"network access attempted: {address!r}")
        real_connect(self, address)  # type: ignore[arg-type]

    def connect_ex(self: socket.socket, address: object) -> int:
        if self.family in (socket.AF_INET, socket.AF_INET6) and _host(address) not in _LOCAL:
            _record(address)
            return 111
        return real_connect_ex(self, address)  # type: ignore[arg-type]

    def getaddrinfo(host: object, *args: object, **kwargs: object) -> object:
        if host is not None and str(host) not in _LOCAL and not _is_ip(host):
            _record(("lookup", host))
            raise socket.gaierror(f"name lookup attempted: {host!r}")
        return real_getaddrinfo(host, *args, **kwargs)  # type: ignore[arg-type]

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo  # type: ignore[assignment]


if os.environ.get("SAFEGUARD_SOCKET_LOG"):
    install()
