"""Every HTTP error in one JSON shape:

    {"error": {"code": "conversation_not_found", "message": "...", "request_id": "..."}}

`code` is stable and documented in the README; `message` is for people and never carries client
text, model output, stack traces or internal paths.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = logging.getLogger("server")

_STATUS_CODES = {
    400: "invalid_json",  # Starlette's only 400 here: a body that cannot be decoded
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_request",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}


class ApiError(Exception):
    """An error the API reports to the caller, with its HTTP status and stable code."""

    def __init__(self, status: int, code: str, message: str, headers: dict | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers


def error_body(request: Request, code: str, message: str) -> dict:
    request_id = getattr(request.state, "request_id", None)
    return {"error": {"code": code, "message": message, "request_id": request_id}}


def _respond(request: Request, status: int, code: str, message: str, headers=None) -> JSONResponse:
    return JSONResponse(error_body(request, code, message), status_code=status, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(request: Request, exc: ApiError):
        return _respond(request, exc.status, exc.code, exc.message, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError):
        errors = exc.errors()
        if any(e.get("type") == "json_invalid" for e in errors):
            return _respond(request, 400, "invalid_json", "The request body is not valid JSON.")
        fields = sorted({".".join(str(p) for p in e.get("loc", ())[1:]) or "body" for e in errors})
        return _respond(
            request, 422, "invalid_request", f"Invalid or missing fields: {', '.join(fields)}."
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        code = _STATUS_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else "HTTP error."
        if exc.status_code == 404:
            message = "No such resource."
        elif exc.status_code == 400:
            message = "The request body is not valid JSON."
        return _respond(request, exc.status_code, code, message, getattr(exc, "headers", None))

    @app.exception_handler(DBAPIError)
    async def _storage(request: Request, exc: DBAPIError):
        # The message could not be stored, so the client must send it again (with the same
        # Idempotency-Key); 503 tells its app to retry rather than give up.
        log.error(
            "storage unavailable: %s",
            type(exc.orig).__name__ if exc.orig else "DBAPIError",
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        return _respond(
            request,
            503,
            "storage_unavailable",
            "Messages cannot be stored right now; please retry shortly.",
            {"Retry-After": "5"},
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.error(
            "unhandled %s on %s %s",
            type(exc).__name__,
            request.method,
            request.url.path,
            extra={"request_id": getattr(request.state, "request_id", None)},
        )
        return _respond(request, 500, "internal_error", "Something went wrong on our side.")
