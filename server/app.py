"""The FastAPI application: middleware, error handlers, routes, and start-up."""

from __future__ import annotations

import logging
import re
import threading
import time
import uuid
from contextlib import asynccontextmanager

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

from server.api import admin, agent, conversations, events, feedback, health, pages
from server.body_limit import MAX_BODY_BYTES, BodySizeLimit
from server.errors import error_body, install_error_handlers
from server.services import Services, build_services
from server.settings import Settings

log = logging.getLogger("server")
_REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")


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
        # The interactive docs load their scripts from a CDN, which an offline deployment cannot
        # reach; the machine-readable spec stays at /openapi.json.
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, limit=MAX_BODY_BYTES)
    app.middleware("http")(_request_context)
    app.include_router(health.router)
    app.include_router(conversations.router)
    app.include_router(events.router)
    app.include_router(feedback.router)
    app.include_router(agent.router)
    app.include_router(admin.router)
    app.include_router(pages.router)
    return app


async def _request_context(request: Request, call_next):
    """Gives every request an id, refuses bodies that announce an oversized length, and logs one
    line per request. The route's template is logged, never the raw path, which a caller could
    fill with anything."""
    supplied = request.headers.get("x-request-id", "")
    request_id = supplied if _REQUEST_ID.fullmatch(supplied) else uuid.uuid4().hex[:16]
    request.state.request_id = request_id
    started = time.perf_counter()
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        response = JSONResponse(
            error_body(request, "payload_too_large", "The request body is too large."), 413
        )
    else:
        response = await call_next(request)
    response.headers["X-Request-ID"] = request_id
    route = request.scope.get("route")
    log.info(
        "%s %s %d %.1fms",
        request.method,
        getattr(route, "path", "(no route)"),
        response.status_code,
        (time.perf_counter() - started) * 1000,
        extra={"request_id": request_id},
    )
    return response
