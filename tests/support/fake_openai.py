"""A fake OpenAI-compatible server on 127.0.0.1, run in a background thread.

It speaks the real wire protocol (JSON and server-sent events), so the real `openai` client is
what gets tested. It serves `/v1/embeddings` (deterministic vectors from character bigrams) and
`/v1/chat/completions`, answering from a queue of scripted `Script`s; with the queue empty it
answers from the prompt's first numbered passage and cites it as [1].
"""

from __future__ import annotations

import asyncio
import json
import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, StreamingResponse

from tests.support.embedders import HashingEmbedder
from tests.support.servers import free_port

_PASSAGE = re.compile(r"^\[1\][^\n]*\n(.+?)(?:\n\[2\]|\n\n|$)", re.M | re.S)


@dataclass
class Script:
    """One scripted answer to a chat request."""

    content: str | list[str] = ""
    """The answer, or the exact chunks to stream."""
    status: int = 200
    """An HTTP error status to answer with instead (429, 500...)."""
    retry_after: float | None = None
    """`Retry-After` header sent with an error status."""
    first_delay: float = 0.0
    """Seconds before the first byte of the answer."""
    chunk_delay: float = 0.0
    """Seconds between streamed chunks."""
    stall_after: int | None = None
    """Stream this many chunks, then go silent with the connection open."""
    malformed_at: int | None = None
    """Send a chunk that is not JSON at this position."""
    reasoning: str | None = None
    """Streamed first as `reasoning_content`, the way reasoning models send their thinking."""


@dataclass
class ChatLog:
    """What the fake saw: requests, and streams the client abandoned."""

    requests: list[dict] = field(default_factory=list)
    disconnects: list[float] = field(default_factory=list)


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.chat = ChatLog()
        self.scripts: deque[Script] = deque()
        self.fail_next: int = 0  # answer this many embedding requests with HTTP 500
        self._embedder = HashingEmbedder()
        self.app = FastAPI()
        self.app.post("/v1/embeddings")(self._embeddings)
        self.app.post("/v1/chat/completions")(self._chat)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

    def script(self, *scripts: Script | str) -> None:
        """Queues answers for the next chat requests, in order."""
        for item in scripts:
            self.scripts.append(Script(item) if isinstance(item, str) else item)

    async def _embeddings(self, request: Request):
        body = await request.json()
        self.requests.append(
            {"path": "/v1/embeddings", "body": body, "auth": request.headers.get("authorization")}
        )
        if self.fail_next:
            self.fail_next -= 1
            return JSONResponse({"error": {"message": "boom", "type": "server_error"}}, 500)
        texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
        vectors = self._embedder.embed_queries(texts)
        data = [
            {"object": "embedding", "index": i, "embedding": v.tolist()}
            for i, v in reversed(list(enumerate(vectors)))
        ]  # out of order, as servers may
        return {
            "object": "list",
            "model": body["model"],
            "data": data,
            "usage": {"prompt_tokens": 0, "total_tokens": 0},
        }

    async def _chat(self, request: Request):
        body = await request.json()
        self.chat.requests.append({"body": body, "auth": request.headers.get("authorization")})
        script = self.scripts.popleft() if self.scripts else Script(_grounded_default(body))
        if script.first_delay:
            await asyncio.sleep(script.first_delay)
        if script.status != 200:
            headers = {"retry-after": str(script.retry_after)} if script.retry_after else None
            error = {"error": {"message": "scripted failure", "type": "server_error"}}
            return JSONResponse(error, script.status, headers=headers)
        if not body.get("stream"):
            return _completion(body, _joined(script.content))
        return StreamingResponse(self._stream(body, script), media_type="text/event-stream")

    async def _stream(self, body: dict, script: Script):
        chunks = script.content if isinstance(script.content, list) else _pieces(script.content)
        try:
            if script.reasoning:
                yield _sse(
                    _chunk(body, {"role": "assistant", "reasoning_content": script.reasoning})
                )
            for n, piece in enumerate(chunks):
                if script.stall_after is not None and n == script.stall_after:
                    await asyncio.sleep(3600)  # silent, connection open, until the client leaves
                if script.malformed_at == n:
                    yield "data: {not json\n\n"
                yield _sse(_chunk(body, {"content": piece}))
                if script.chunk_delay:
                    await asyncio.sleep(script.chunk_delay)
            yield _sse(_chunk(body, {}, finish="stop"))
            yield "data: [DONE]\n\n"
        except asyncio.CancelledError:
            self.chat.disconnects.append(time.monotonic())
            raise

    def __enter__(self) -> FakeOpenAI:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline:
                raise TimeoutError("fake OpenAI server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc) -> None:
        self._server.should_exit = True
        self._thread.join(5)


def _grounded_default(body: dict) -> str:
    """An answer built from passage [1] of the prompt, citing it, like a well-behaved model."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    match = _PASSAGE.search(prompt)
    if not match:
        return "OK"
    return f"根据资料，{match.group(1).strip()[:80]}[1]"


def _joined(content: str | list[str]) -> str:
    return content if isinstance(content, str) else "".join(content)


def _pieces(text: str, size: int = 7) -> list[str]:
    return [text[i : i + size] for i in range(0, len(text), size)] or [""]


def _chunk(body: dict, delta: dict, finish: str | None = None) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion.chunk",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def _sse(payload: dict) -> str:
    return f"data: {json.dumps(payload, ensure_ascii=False)}\n\n"


def _completion(body: dict, text: str) -> dict:
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
            }
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }
