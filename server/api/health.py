"""Liveness and readiness."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])


@router.api_route("/healthz", methods=["GET", "HEAD"], operation_id="healthz")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@router.api_route("/readyz", methods=["GET", "HEAD"], operation_id="readyz")
def readyz(request: Request):
    """Ready to answer: the database answers and the knowledge base is loaded."""
    services = request.app.state.services
    assistant = services.assistant
    checks = {
        "database": services.database_ok(),
        "knowledge_base": services.ready
        and assistant is not None
        and assistant.knowledge_reachable(),
    }
    body = {"status": "ready" if all(checks.values()) else "not_ready", "checks": checks}
    if services.index_error:
        body["knowledge_base_error"] = services.index_error
    return JSONResponse(body, status_code=200 if all(checks.values()) else 503)
