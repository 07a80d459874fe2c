"""Routes for compliance staff and administrators (role `admin`)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy import select

from server import service_metrics
from server.api.ids import cursor_query
from server.api.offset_times import parse_offset_time
from server.api.schemas import ErrorOut
from server.auth import Principal, principal_from_request
from server.errors import ApiError
from server.storage import repository as repo
from server.storage.models import KnowledgeDraft

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
    actor_role: str | None = Field(
        description="agent, advisor or admin when a person wrote the message; else null."
    )
    actor_id: str | None = Field(description="That person's staff id.")


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
    before: int | None = cursor_query("Only those older than this id."),
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
                "actor_role": r.actor_role,
                "actor_id": r.actor_id,
            }
            for r in rows
        ],
        "next_before": rows[-1].id if more and rows else None,
    }


class SummaryOut(BaseModel):
    conversations: int = Field(description="Conversations with at least one client message.")
    escalated_conversations: int
    escalation_rate: float | None
    containment: float | None = Field(description="Share handled by the Assistant alone.")
    first_contact_resolution: float | None
    handoffs_by_reason: dict[str, int]
    handoffs_open: int
    median_wait_to_claim_seconds: float | None
    ratings: int
    csat: float | None = Field(description="Share of ratings averaging 4 or more of 5.")
    mean_rating: dict[str, float | None]


@router.get("/summary", response_model=SummaryOut, responses=_ERRORS)
def service_summary(
    request: Request,
    _admin: Principal = Depends(admin_only),
    since: str | None = Query(
        default=None,
        description="Only conversations active since this ISO 8601 time with its offset, "
        "e.g. 2026-12-05T08:00:00%2B08:00 (an unencoded '+' is accepted too).",
    ),
):
    """CSAT, escalation rate, containment and first-contact resolution (definitions in
    `server/service_metrics.py` and the README)."""
    start = None if since is None else parse_offset_time(since, "since")
    services = request.app.state.services
    with services.sessions() as session:
        return service_metrics.summary(session, start)


class DraftOut(BaseModel):
    id: int
    conversation_id: str
    title: str
    body: str
    created_by: str
    status: str
    created_at: str


@router.get("/knowledge-drafts", response_model=list[DraftOut], responses=_ERRORS)
def knowledge_drafts(
    request: Request,
    _admin: Principal = Depends(admin_only),
    limit: int = Query(default=50, ge=1, le=200),
):
    """Resolutions saved as draft articles, newest first, for the knowledge team."""
    services = request.app.state.services
    with services.sessions() as session:
        rows = session.scalars(
            select(KnowledgeDraft).order_by(KnowledgeDraft.id.desc()).limit(limit)
        ).all()
        return [
            {
                "id": d.id,
                "conversation_id": d.conversation_id,
                "title": d.title,
                "body": d.body,
                "created_by": d.created_by,
                "status": d.status,
                "created_at": d.created_at.isoformat(),
            }
            for d in rows
        ]
