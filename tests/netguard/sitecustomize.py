"""Blocks every connection that would leave this machine, in the test process and in every Python
process the tests start (this directory is put on their PYTHONPATH).

Anxin must never reach the network at run time; with this guard a download attempt (a model, a
tokenizer file, telemetry) fails loudly instead of silently succeeding on a machine that happens
to be online.
"""

import ipaddress
import os
import socket
import sys

_ALLOWED_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost", ""}


class NetworkBlockedError(OSError):
    pass


def _is_local(host) -> bool:
    if host is None:
        return True
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    host = str(host).strip("[]")
    if host in _ALLOWED_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host.split("%")[0])
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def check(event: str, args: tuple) -> None:
    """The audit hook: raises before any packet leaves for a non-loopback address."""
    if event == "socket.connect":
        sock, address = args[0], args[1]
        internet = getattr(sock, "family", None) in (socket.AF_INET, socket.AF_INET6)
        if internet and not _is_local(address[0]):
            raise NetworkBlockedError(f"network blocked in tests: connect to {address[0]}")
    elif event == "socket.getaddrinfo" and not _is_local(args[0]):
        raise NetworkBlockedError(f"network blocked in tests: resolve {args[0]!r}")


if os.environ.get("ANXIN_NETGUARD", "1") != "0" and not getattr(sys, "_anxin_netguard", False):
    sys.addaudithook(check)
    sys._anxin_netguard = True
