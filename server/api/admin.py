"""Routes for compliance staff and administrators (role `admin`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from server.api.schemas import ErrorOut
from server.auth import Principal, principal_from_request
from server.errors import ApiError
from server.storage import repository as repo

router = APIRouter(prefix="/v1/admin", tags=["admin"])
_ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 422, 503)}


class InterventionOut(BaseModel):
    id: int
    at: str
    conversation_id: str
    message_id: int | None = Field(description="The client message (input) or the reply.")
    rule_id: str
    category: str
    action: str = Field(description="mask, disclose, rewrite or block")
    where: str = Field(description="input or output")
    detail: str | None


class InterventionsOut(BaseModel):
    interventions: list[InterventionOut]
    next_before: int | None = Field(description="Pass as `before` for the next (older) page.")


def admin_only(principal: Principal = Depends(principal_from_request)) -> Principal:
    if principal.role != "admin":
        raise ApiError(403, "forbidden", "This route is for administrators.")
    return principal


@router.get("/interventions", response_model=InterventionsOut, responses=_ERRORS)
def list_interventions(
    request: Request,
    _admin: Principal = Depends(admin_only),
    limit: int = Query(default=100, ge=1, le=500, description="How many, at most."),
    before: int | None = Query(default=None, ge=1, description="Only those older than this id."),
    conversation_id: str | None = Query(default=None, max_length=36),
    rule_id: str | None = Query(default=None, max_length=80),
):
    """Every compliance intervention, newest first, optionally for one conversation or rule."""
    services = request.app.state.services
    with services.sessions() as session:
        rows = repo.list_interventions(session, limit + 1, before, conversation_id, rule_id)
    more = len(rows) > limit
    rows = rows[:limit]
    return {
        "interventions": [
            {
                "id": r.id,
                "at": r.at.isoformat(),
                "conversation_id": r.conversation_id,
                "message_id": r.message_id,
                "rule_id": r.rule_id,
                "category": r.category,
                "action": r.action,
                "where": r.where,
                "detail": r.detail,
            }
            for r in rows
        ],
        "next_before": rows[-1].id if more and rows else None,
    }
