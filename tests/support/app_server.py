"""Running our real app under uvicorn in a thread on 127.0.0.1, for tests that need a real HTTP
connection (a client that disconnects mid-stream cannot be faked with TestClient)."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import uvicorn

from tests.support.servers import free_port, wait_for


@contextmanager
def serving(app, ready_path: str = "/readyz", timeout: float = 120.0):
    """Yields the base URL once `ready_path` answers 200; stops the server afterwards."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 10
        while not server.started:
            assert time.monotonic() < deadline, "uvicorn did not start"
            time.sleep(0.02)
        wait_for(base + ready_path, timeout)
        yield base
    finally:
        server.should_exit = True
        thread.join(10)
