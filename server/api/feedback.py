"""The client's side of hand-offs: where they are in the queue, a thumbs-down on a reply (a failed
turn for the escalation policy), and the rating of a resolved hand-off."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field, StrictBool, StrictInt
from sqlalchemy.exc import IntegrityError

from agent.language import reply_language
from agent.masking import mask_personal_data
from server import escalation_flow, handoffs, turns
from server.api.ids import may_exist
from server.api.schemas import ErrorOut, HandoffOut
from server.auth import Principal, principal_from_request
from server.errors import ApiError
from server.storage import repository as repo
from server.storage.models import Feedback, Message

router = APIRouter(prefix="/v1/conversations", tags=["conversations"])
_ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}


class HandoffStateOut(BaseModel):
    handoff: HandoffOut | None = Field(description="The latest hand-off; null if none.")
    can_rate: bool = Field(description="A resolved hand-off is waiting for the client's rating.")


class RatingIn(BaseModel):
    helpful: StrictBool


class RatingOut(BaseModel):
    message_id: int
    helpful: bool
    failure_streak: int = Field(description="Failed turns in a row, this thumbs-down included.")
    handoff: HandoffOut | None = Field(description="Set when this thumbs-down handed off.")


class FeedbackIn(BaseModel):
    speed: StrictInt = Field(ge=1, le=5)
    resolution: StrictInt = Field(ge=1, le=5)
    attitude: StrictInt = Field(ge=1, le=5)
    comment: str | None = Field(default=None, max_length=1000)


class FeedbackOut(BaseModel):
    id: int
    handoff_id: int


def _client_conversation(services, principal: Principal, conversation_id: str):
    conversation = turns.visible_conversation(services, principal, conversation_id)
    if not principal.is_client:
        raise ApiError(403, "forbidden", "Only the conversation's client can do this.")
    return conversation


@router.get("/{conversation_id}/handoff", response_model=HandoffStateOut, responses=_ERRORS)
def handoff_state(
    conversation_id: str, request: Request, principal: Principal = Depends(principal_from_request)
):
    """Whether a person has the conversation, and the client's place in the queue."""
    services = request.app.state.services
    turns.visible_conversation(services, principal, conversation_id)
    with services.sessions() as session:
        handoff = handoffs.latest_handoff(session, conversation_id)
        if handoff is None:
            return {"handoff": None, "can_rate": False}
        latest = repo.latest_client_message(session, conversation_id)
        language = reply_language(latest.text) if latest else "zh"
        rated = session.query(Feedback).filter(Feedback.handoff_id == handoff.id).count()
        return {
            "handoff": handoffs.place(session, services.queues, handoff, language),
            "can_rate": handoff.status == "resolved" and not rated,
        }


@router.post(
    "/{conversation_id}/messages/{message_id}/rating", response_model=RatingOut, responses=_ERRORS
)
def rate_reply(
    conversation_id: str,
    message_id: int,
    body: RatingIn,
    request: Request,
    principal: Principal = Depends(principal_from_request),
):
    """Thumbs up or down on one of the Assistant's replies. A thumbs-down is a failed turn: the
    third failure in a row hands the conversation to a person."""
    services = request.app.state.services
    _client_conversation(services, principal, conversation_id)
    with services.sessions() as session:
        message = session.get(Message, message_id) if may_exist(message_id) else None
        if message is None or message.conversation_id != conversation_id:
            raise ApiError(404, "message_not_found", "No such message in this conversation.")
        if message.role != "assistant":
            raise ApiError(422, "not_a_reply", "Only the Assistant's replies can be rated.")
        previous = (message.annotations or {}).get("rating")
        message.annotations = {**(message.annotations or {}), "rating": body.helpful}
        conversation = repo.get_conversation(session, conversation_id)
        place = None
        if body.helpful and previous is False and conversation.owner == "assistant":
            conversation.failure_count = max(0, conversation.failure_count - 1)  # changed mind
        if not body.helpful and previous is not False and conversation.owner == "assistant":
            conversation.failure_count += 1
            if conversation.failure_count >= services.escalation.failure_limit:
                language = reply_language(message.text)
                _, place = escalation_flow.escalate(
                    session, services, conversation, "failures", "service", language
                )
        repo.record_audit(
            session,
            "client",
            principal.id,
            "reply_rated",
            conversation_id,
            message_id=message_id,
            helpful=body.helpful,
        )
        streak = conversation.failure_count
        session.commit()
        return {
            "message_id": message_id,
            "helpful": body.helpful,
            "failure_streak": streak,
            "handoff": place,
        }


@router.post(
    "/{conversation_id}/feedback", response_model=FeedbackOut, status_code=201, responses=_ERRORS
)
def rate_handoff(
    conversation_id: str,
    body: FeedbackIn,
    request: Request,
    principal: Principal = Depends(principal_from_request),
):
    """The client's rating (1–5) of the person's speed, resolution and attitude, once per
    resolved hand-off. The comment is stored masked."""
    services = request.app.state.services
    _client_conversation(services, principal, conversation_id)
    with services.sessions() as session:
        handoff = handoffs.latest_handoff(session, conversation_id)
        if handoff is None or handoff.status != "resolved":
            raise ApiError(409, "nothing_to_rate", "There is no resolved hand-off to rate.")
        if session.query(Feedback).filter(Feedback.handoff_id == handoff.id).count():
            raise ApiError(409, "already_rated", "This hand-off has already been rated.")
        comment = mask_personal_data(body.comment).text.strip() if body.comment else None
        row = Feedback(
            conversation_id=conversation_id,
            handoff_id=handoff.id,
            speed=body.speed,
            resolution=body.resolution,
            attitude=body.attitude,
            comment=comment or None,
        )
        session.add(row)
        repo.record_audit(
            session,
            "client",
            principal.id,
            "handoff_rated",
            conversation_id,
            handoff_id=handoff.id,
        )
        try:
            session.commit()
        except IntegrityError as exc:  # a second rating raced this one and won
            session.rollback()
            raise ApiError(409, "already_rated", "This hand-off has already been rated.") from exc
        return {"id": row.id, "handoff_id": handoff.id}
