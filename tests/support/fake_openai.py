"""A fake OpenAI-compatible server on 127.0.0.1, run in a background thread.

It speaks the real wire protocol, so the real `openai` client is what gets tested. For now it
serves `/v1/embeddings` (deterministic vectors from character bigrams); later issues add chat.
"""

from __future__ import annotations

import threading
import time

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from tests.support.embedders import HashingEmbedder
from tests.support.servers import free_port


class FakeOpenAI:
    def __init__(self) -> None:
        self.requests: list[dict] = []
        self.fail_next: int = 0  # answer this many requests with HTTP 500
        self._embedder = HashingEmbedder()
        self.app = FastAPI()
        self.app.post("/v1/embeddings")(self._embeddings)
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._server = uvicorn.Server(
            uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning")
        )
        self._thread = threading.Thread(target=self._server.run, daemon=True)

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
