"""Refusing oversized request bodies, whether or not they announce their length.

A `Content-Length` over the limit is refused before anything is read (see `server.app`); a
chunked body is read up to the limit here and refused as soon as it passes it, before any route
sees it."""

from __future__ import annotations

import json

MAX_BODY_BYTES = 64 * 1024
_BODYLESS = {"GET", "HEAD", "OPTIONS", "DELETE"}


class BodySizeLimit:
    """ASGI middleware: buffers bodies up to `limit` bytes and answers 413 beyond that."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["method"] in _BODYLESS:
            return await self.app(scope, receive, send)
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return await self.app(scope, _replay(message, receive), send)
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > self.limit:
                return await _refuse(scope, send)
        await self.app(scope, _replay({"type": "http.request", "body": body}, receive), send)


def _replay(first: dict, receive):
    sent = False

    async def replayed():
        nonlocal sent
        if not sent:
            sent = True
            return first
        return await receive()

    return replayed


async def _refuse(scope, send) -> None:
    request_id = (scope.get("state") or {}).get("request_id")
    payload = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": "The request body is too large.",
                "request_id": request_id,
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": payload})
