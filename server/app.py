"""The FastAPI application: middleware, error handlers, routes, and start-up."""

from __future__ import annotations

import logging
import threading
import time
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request

from server.api import conversations, health
from server.errors import error_body, install_error_handlers
from server.services import Services, build_services
from server.settings import Settings

log = logging.getLogger("server")
MAX_BODY_BYTES = 64 * 1024


def create_app(settings: Settings | None = None, services: Services | None = None) -> FastAPI:
    """Builds the app. The knowledge base loads in a background thread; `/readyz` says when."""
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.services = services or build_services(settings)
        stop = threading.Event()
        if app.state.services.assistant is None:
            loader = app.state.services.load_assistant_until_ready
            threading.Thread(target=loader, args=(stop,), name="kb-loader", daemon=True).start()
        yield
        stop.set()
        app.state.services.engine.dispose()

    app = FastAPI(
        title="Anxin",
        version="0.1.0",
        description="安心 — customer-support assistant for securities brokerages.",
        lifespan=lifespan,
    )
    install_error_handlers(app)
    app.middleware("http")(_request_context)
    app.include_router(health.router)
    app.include_router(conversations.router)
    return app


async def _request_context(request: Request, call_next):
    """Gives every request an id, refuses oversized bodies, and logs one line per request."""
    request_id = request.headers.get("x-request-id", "")[:64] or uuid.uuid4().hex[:16]
    request.state.request_id = request_id
    started = time.perf_counter()
    length = request.headers.get("content-length")
    if length and length.isdigit() and int(length) > MAX_BODY_BYTES:
        from fastapi.responses import JSONResponse

        response = JSONResponse(
            error_body(request, "payload_too_large", "The request body is too large."), 413
        )
    else:
        response = await call_next(request)
    response.headers["X-Request-ID"] = request_id
    log.info(
        "%s %s %d %.1fms",
        request.method,
        request.url.path,
        response.status_code,
        (time.perf_counter() - started) * 1000,
        extra={"request_id": request_id},
    )
    return response
