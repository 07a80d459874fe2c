"""One asyncio loop in a daemon thread, where the async HTTP clients of the LLM backends live.

Running the requests there lets a synchronous turn cancel one at once: cancelling the task closes
its connection, so the provider stops generating (and billing) within moments.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Coroutine
from concurrent.futures import Future

_lock = threading.Lock()
_loop: asyncio.AbstractEventLoop | None = None


def submit(coroutine: Coroutine) -> Future:
    """Schedules `coroutine` on the shared loop; cancel the returned future to cancel it."""
    return asyncio.run_coroutine_threadsafe(coroutine, _shared_loop())


def _shared_loop() -> asyncio.AbstractEventLoop:
    global _loop
    with _lock:
        if _loop is None or _loop.is_closed():
            _loop = asyncio.new_event_loop()
            threading.Thread(target=_loop.run_forever, name="anxin-llm", daemon=True).start()
        return _loop
