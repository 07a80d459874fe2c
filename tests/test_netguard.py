"""The test network guard itself: it refuses non-loopback targets before anything is sent."""

import importlib.util
import socket
import sys

import pytest

from tests.conftest import NETGUARD_DIR

spec = importlib.util.spec_from_file_location("guard_under_test", NETGUARD_DIR / "sitecustomize.py")
guard = importlib.util.module_from_spec(spec)
spec.loader.exec_module(guard)


@pytest.mark.parametrize("host", ["192.0.2.1", "10.0.0.1", "2001:db8::1"])
def test_connect_to_other_hosts_is_refused(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock, pytest.raises(guard.NetworkBlockedError):
        guard.check("socket.connect", (sock, (host, 443)))


@pytest.mark.parametrize("host", ["huggingface.co", "openaipublic.blob.core.windows.net"])
def test_name_lookups_of_other_hosts_are_refused(host):
    with pytest.raises(guard.NetworkBlockedError):
        guard.check("socket.getaddrinfo", (host, 443, 0, 0, 0, 0))


@pytest.mark.parametrize("host", ["127.0.0.1", "::1", "localhost", "127.1.2.3"])
def test_loopback_is_allowed(host):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family) as sock:
        guard.check("socket.connect", (sock, (host, 80)))
    guard.check("socket.getaddrinfo", (host, 80, 0, 0, 0, 0))


def test_the_guard_is_active_in_this_process():
    # sys.audit raises the same event a real lookup would, without any lookup taking place.
    with pytest.raises(OSError, match="network blocked"):
        sys.audit("socket.getaddrinfo", "example.invalid", 443, 0, 0, 0)


def test_processes_started_by_tests_load_the_guard():
    import os
    import subprocess

    code = "import sys; sys.audit('socket.getaddrinfo', 'example.invalid', 443, 0, 0, 0)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert result.returncode != 0 and "network blocked" in result.stderr
