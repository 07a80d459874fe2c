"""Liveness and readiness."""

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

router = APIRouter(tags=["health"])

# One route per method: a route serving GET and HEAD together gives both operations the same
# OpenAPI operation id, which code generators and API gateways reject.


@router.get("/healthz", operation_id="healthz")
@router.head("/healthz", operation_id="healthz_head")
def healthz():
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz", operation_id="readyz")
@router.head("/readyz", operation_id="readyz_head")
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
