"""Chat through any OpenAI-compatible endpoint (OpenAI, DeepSeek, Qwen, vLLM, Ollama), streamed.

Retries with backoff on 429, 5xx and connection failures happen here, and only before the first
piece of text: once a client has seen part of a reply, a retry would start a different one.
"""

from __future__ import annotations

import asyncio
import logging
import random
from concurrent.futures import Future

import openai

from agent.llm import background_loop
from agent.llm.chat import ChatRequest, ChatStream, LlmError

log = logging.getLogger("agent")
MAX_BACKOFF = 4.0


class OpenAIChat:
    """A model behind `base_url`; `start()` returns at once and the reply streams in."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        connect_timeout: float = 3.0,
        read_timeout: float = 30.0,
        max_retries: int = 2,
        backoff: float = 0.5,
    ) -> None:
        self.name = model
        self._base_url = base_url
        self._api_key = api_key or "not-needed"  # local servers want some key, any key
        # openai's own Timeout: from 3.63 the SDK runs on `httpx2` and refuses httpx's class.
        self._timeout = openai.Timeout(read_timeout, connect=connect_timeout)
        self._max_retries = max_retries
        self._backoff = backoff
        self._client: openai.AsyncOpenAI | None = None

    def start(self, request: ChatRequest) -> ChatStream:
        stream = _FutureStream()
        stream.future = background_loop.submit(self._produce(request, stream))
        return stream

    async def _produce(self, request: ChatRequest, stream: ChatStream) -> None:
        for attempt in range(self._max_retries + 1):
            produced = False
            try:
                async for piece in self._pieces(request):
                    produced = True
                    stream.put(piece)
                stream.end()
                return
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the SDK's errors and malformed data alike
                error = _as_llm_error(exc)
                if produced or not _retryable(exc) or attempt == self._max_retries:
                    stream.fail(error)
                    return
                log.warning("LLM call failed (%s); retrying", error.reason)
                await asyncio.sleep(self._delay(attempt, exc))

    async def _pieces(self, request: ChatRequest):
        client = self._client or self._make_client()
        response = await client.chat.completions.create(
            model=self.name,
            messages=[{"role": m.role, "content": m.content} for m in request.messages],
            max_tokens=request.max_tokens,
            temperature=request.temperature,
            stream=True,
        )
        async with response:
            async for chunk in response:
                if chunk.choices and chunk.choices[0].delta.content:
                    yield chunk.choices[0].delta.content

    def _make_client(self) -> openai.AsyncOpenAI:
        # Made inside the loop's thread, where its connections will live.
        self._client = openai.AsyncOpenAI(
            base_url=self._base_url,
            api_key=self._api_key,
            timeout=self._timeout,
            max_retries=0,
        )
        return self._client

    def _delay(self, attempt: int, exc: Exception) -> float:
        retry_after = _retry_after(exc)
        if retry_after is not None:
            return min(retry_after, MAX_BACKOFF)
        return min(self._backoff * 2**attempt, MAX_BACKOFF) * random.uniform(0.8, 1.2)


class _FutureStream(ChatStream):
    future: Future | None = None

    def cancel(self) -> None:
        if self.future is not None:
            self.future.cancel()


def _retryable(exc: Exception) -> bool:
    if isinstance(exc, openai.APIStatusError):
        return exc.status_code == 429 or exc.status_code >= 500
    return isinstance(exc, openai.APIConnectionError)  # includes timeouts


def _as_llm_error(exc: Exception) -> LlmError:
    if isinstance(exc, openai.APIStatusError):
        return LlmError(f"http_{exc.status_code}", f"the model endpoint answered {exc.status_code}")
    if isinstance(exc, openai.APITimeoutError):
        return LlmError("timeout", "the model endpoint timed out")
    if isinstance(exc, openai.APIConnectionError):
        return LlmError("connection", "the model endpoint could not be reached")
    return LlmError("malformed", f"unreadable reply from the model ({type(exc).__name__})")


def _retry_after(exc: Exception) -> float | None:
    response = getattr(exc, "response", None)
    value = response.headers.get("retry-after") if response is not None else None
    try:
        return float(value) if value else None
    except ValueError:
        return None
