"""Routes for the people who take over conversations (roles `agent`, `advisor`, `admin`): the
queue, claiming, replying, internal notes, transfer, resolve and knowledge drafts.

A claimed conversation is written to only by the person who claimed it, and by admins: others get
409 `already_claimed` on every write."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request
from pydantic import BaseModel, Field

from agent.language import reply_language
from agent.masking import mask_personal_data
from server import escalation_flow, handoff_package, handoffs, person_messages, turns
from server.api.schemas import ErrorOut, MessageOut
from server.auth import Principal, principal_from_request
from server.errors import ApiError
from server.storage import repository as repo
from server.storage.models import Client, Handoff, KnowledgeDraft

router = APIRouter(prefix="/v1/agent", tags=["agent"])
_ERRORS = {code: {"model": ErrorOut} for code in (401, 403, 404, 409, 422)}
STAFF = ("agent", "advisor", "admin")
MAX_TEXT = 4000


def staff_only(principal: Principal = Depends(principal_from_request)) -> Principal:
    if principal.role not in STAFF:
        raise ApiError(403, "forbidden", "This route is for agents, advisors and admins.")
    return principal


class QueueItem(BaseModel):
    handoff_id: int
    conversation_id: str
    queue: str
    tier: str
    reason: str
    status: str = Field(description="waiting or claimed")
    claimed_by: str | None
    waited_seconds: int
    target_seconds: int
    overdue: bool = Field(description="Waiting longer than the tier's target response time.")
    priority: float
    emotion: dict | None = Field(description="The client's latest emotion.")
    preview: str = Field(description="The client's latest message (masked), shortened.")


class QueueOut(BaseModel):
    waiting: list[QueueItem] = Field(description="Most urgent first.")
    mine: list[QueueItem] = Field(description="Conversations the caller has claimed.")


class TextIn(BaseModel):
    text: str = Field(description="1–4,000 characters.")


class TransferIn(BaseModel):
    queue: str


class DraftIn(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    body: str | None = Field(
        default=None, description="Default: the person's replies in this conversation."
    )


class DraftOut(BaseModel):
    id: int
    conversation_id: str
    title: str
    body: str
    status: str


class HandoffView(BaseModel):
    id: int
    queue: str
    status: str
    reason: str
    claimed_by: str | None
    transfers: int


class ConversationView(BaseModel):
    conversation_id: str
    owner: str
    handoff: HandoffView | None
    package: dict | None = Field(
        description="Summary, turns with intent and emotion, what the Assistant tried, cited "
        "articles, interventions, profile and a suggested first reply."
    )
    messages: list[MessageOut] = Field(description="Oldest first, internal notes included.")


class SentOut(BaseModel):
    message: MessageOut
    masked: list[str] = Field(description="Kinds of personal data masked before sending.")


@router.get("/queue", response_model=QueueOut, responses=_ERRORS)
def queue(
    request: Request,
    principal: Principal = Depends(staff_only),
    name: str | None = Query(default=None, alias="queue", description="One queue only."),
):
    """Waiting conversations of the queues the caller's role may take, and the caller's own."""
    services = request.app.state.services
    book = services.queues
    names = book.visible_to(principal.role)
    if name is not None:
        if name not in book.queues:
            raise ApiError(404, "queue_not_found", "No such queue.")
        if name not in names:
            raise ApiError(403, "forbidden", "Your role does not take this queue.")
        names = [name]
    with services.sessions() as session:
        moment = handoffs.now()
        waiting = [_item(session, book, h, moment) for h in handoffs.waiting(session, book, names)]
        mine = [
            _item(session, book, h, moment)
            for h in session.query(Handoff)
            .filter(Handoff.status == "claimed", Handoff.claimed_by == principal.id)
            .order_by(Handoff.claimed_at)
        ]
    return {"waiting": waiting, "mine": mine}


def _item(session, book, handoff: Handoff, moment) -> dict:
    waited = (moment - handoff.requested_at).total_seconds()
    latest = repo.latest_client_message(session, handoff.conversation_id)
    return {
        "handoff_id": handoff.id,
        "conversation_id": handoff.conversation_id,
        "queue": handoff.queue,
        "tier": handoff.tier,
        "reason": handoff.reason,
        "status": handoff.status,
        "claimed_by": handoff.claimed_by,
        "waited_seconds": int(waited),
        "target_seconds": book.target(handoff.tier),
        "overdue": waited > book.target(handoff.tier),
        "priority": round(book.priority(handoff, moment), 3),
        "emotion": latest.emotion if latest else None,
        "preview": latest.text[:80] if latest else "",
    }


@router.get("/conversations/{conversation_id}", response_model=ConversationView, responses=_ERRORS)
def conversation(conversation_id: str, request: Request, principal=Depends(staff_only)):
    """The conversation with its hand-off package, built afresh from the stored messages; the
    model's summary (when a model is configured) is written again only when the client has said
    something new."""
    services = request.app.state.services
    with services.sessions() as session:
        found = repo.get_conversation(session, conversation_id)
        if found is None:
            raise ApiError(404, "conversation_not_found", "No such conversation.")
        handoff = handoffs.latest_handoff(session, conversation_id)
        package = None
        if handoff is not None:
            package = handoff_package.build(session, services, handoff)
        messages = repo.list_messages(session, conversation_id, 200, include_notes=True)
        owner = found.owner
    if handoff is not None:
        package = handoff_package.with_model_summary(services, package, handoff.package)
        if package != handoff.package:
            with services.sessions() as session:
                session.get(Handoff, handoff.id).package = package
                session.commit()
    return {
        "conversation_id": conversation_id,
        "owner": owner,
        "handoff": _handoff_view(handoff),
        "package": package,
        "messages": [turns.message_view(m) for m in messages],
    }


def _handoff_view(handoff: Handoff | None) -> dict | None:
    if handoff is None:
        return None
    return {
        "id": handoff.id,
        "queue": handoff.queue,
        "status": handoff.status,
        "reason": handoff.reason,
        "claimed_by": handoff.claimed_by,
        "transfers": handoff.transfers,
    }


def _done(session, principal: Principal, action: str, handoff: Handoff, **detail) -> dict:
    """Audits a person's action on a hand-off, commits, and gives the hand-off's new state."""
    repo.record_audit(
        session,
        principal.role,
        principal.id,
        action,
        handoff.conversation_id,
        handoff_id=handoff.id,
        **detail,
    )
    session.commit()
    session.refresh(handoff)
    return _handoff_view(handoff)


def _active(session, conversation_id: str) -> Handoff:
    if repo.get_conversation(session, conversation_id) is None:
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    handoff = handoffs.active_handoff(session, conversation_id)
    if handoff is None:
        raise ApiError(409, "not_handed_off", "This conversation is not waiting for a person.")
    return handoff


def _owned(session, conversation_id: str, principal: Principal) -> Handoff:
    handoff = _active(session, conversation_id)
    if handoff.status != "claimed":
        raise ApiError(409, "not_claimed", "Claim the conversation before acting on it.")
    _refuse_if_anothers(handoff, principal)
    return handoff


def _not_anothers(session, conversation_id: str, principal: Principal) -> None:
    """For writes that need no claim of their own (notes, drafts): the conversation exists and
    nobody else holds it."""
    if repo.get_conversation(session, conversation_id) is None:
        raise ApiError(404, "conversation_not_found", "No such conversation.")
    handoff = handoffs.active_handoff(session, conversation_id)
    if handoff is not None and handoff.status == "claimed":
        _refuse_if_anothers(handoff, principal)


def _refuse_if_anothers(handoff: Handoff, principal: Principal) -> None:
    # Once a person has taken a conversation, only they write to it, so the client and the
    # record hear one voice; admins supervise and may step in.
    if handoff.claimed_by != principal.id and principal.role != "admin":
        raise ApiError(409, "already_claimed", "Someone else has taken this conversation.")


def _language(session, conversation_id: str) -> str:
    latest = repo.latest_client_message(session, conversation_id)
    return reply_language(latest.text) if latest else "zh"


@router.post(
    "/conversations/{conversation_id}/claim", response_model=HandoffView, responses=_ERRORS
)
def claim(conversation_id: str, request: Request, principal=Depends(staff_only)):
    """Takes a waiting conversation; the client is told a person has joined."""
    services = request.app.state.services
    with services.sessions() as session:
        handoff = _active(session, conversation_id)
        if not services.queues.may_take(principal.role, handoff.queue):
            raise ApiError(403, "forbidden", "Your role does not take this queue.")
        if handoff.status == "claimed":
            if handoff.claimed_by == principal.id:
                return _handoff_view(handoff)
            raise ApiError(409, "already_claimed", "Someone else has taken this conversation.")
        # Only one of two racing claims changes the row: the other sees no row updated.
        updated = (
            session.query(Handoff)
            .filter(Handoff.id == handoff.id, Handoff.status == "waiting")
            .update(
                {
                    "status": "claimed",
                    "claimed_by": principal.id,
                    "claimed_role": principal.role,
                    "claimed_at": handoffs.now(),
                }
            )
        )
        if updated != 1:
            session.rollback()
            raise ApiError(409, "already_claimed", "Someone else has taken this conversation.")
        repo.get_conversation(session, conversation_id).owner = "person"
        language = _language(session, conversation_id)
        escalation_flow.add_notice(
            session,
            services,
            conversation_id,
            "joined",
            language,
            queue=services.queues.display_name(handoff.queue, language),
        )
        return _done(session, principal, "handoff_claimed", handoff)


@router.post("/conversations/{conversation_id}/messages", response_model=SentOut, responses=_ERRORS)
def send(conversation_id: str, body: TextIn, request: Request, principal=Depends(staff_only)):
    """A message to the client, who sees it live. It passes the compliance filter like every
    reply: personal data is masked, and a message that breaks a rule is refused (422)."""
    services = request.app.state.services
    text = turns.check_text(body.text, MAX_TEXT)
    with services.sessions() as session:
        handoff = _owned(session, conversation_id, principal)
        client = session.get(Client, handoff.client_id)
        language = reply_language(text)
        checked = person_messages.review(
            services, text, language, client.risk_level if client else None
        )
        if checked.text is None:
            _refuse_blocked(session, conversation_id, principal, checked)
        message = repo.add_message(
            session,
            conversation_id,
            "advisor" if principal.role == "advisor" else "agent",
            checked.text,
            "sent",
            annotations={"by": principal.id, "handoff_id": handoff.id},
        )
        person_messages.record(session, conversation_id, message.id, principal, checked)
        if handoff.first_reply_at is None:
            handoff.first_reply_at = handoffs.now()
        repo.record_audit(
            session,
            principal.role,
            principal.id,
            "person_message",
            conversation_id,
            message_id=message.id,
            masked=list(checked.masked),
        )
        session.commit()
        return {"message": turns.message_view(message), "masked": list(checked.masked)}


def _refuse_blocked(session, conversation_id: str, principal: Principal, checked) -> None:
    """Records a refused message's interventions and audit event (never its text), then 422."""
    person_messages.record(session, conversation_id, None, principal, checked)
    repo.record_audit(
        session,
        principal.role,
        principal.id,
        "person_message_blocked",
        conversation_id,
        rules=checked.broken,
    )
    session.commit()
    raise ApiError(
        422,
        "message_blocked",
        "The message breaks a compliance rule (such as promising returns or naming a "
        f"security to buy) and was not sent; rephrase it. Rules: {', '.join(checked.broken)}.",
    )


@router.post("/conversations/{conversation_id}/notes", response_model=MessageOut, responses=_ERRORS)
def note(conversation_id: str, body: TextIn, request: Request, principal=Depends(staff_only)):
    """An internal note: seen by staff only, never by the client or the Assistant."""
    services = request.app.state.services
    text = turns.check_text(body.text, MAX_TEXT)
    with services.sessions() as session:
        _not_anothers(session, conversation_id, principal)
        message = repo.add_message(
            session,
            conversation_id,
            "note",
            mask_personal_data(text).text,
            "internal",
            annotations={"by": principal.id},
        )
        session.commit()
        return turns.message_view(message)


@router.post(
    "/conversations/{conversation_id}/transfer", response_model=HandoffView, responses=_ERRORS
)
def transfer(
    conversation_id: str, body: TransferIn, request: Request, principal=Depends(staff_only)
):
    """Back to waiting, in another queue; the client is told the new place."""
    services = request.app.state.services
    book = services.queues
    if body.queue not in book.queues:
        raise ApiError(404, "queue_not_found", "No such queue.")
    with services.sessions() as session:
        handoff = _active(session, conversation_id)
        if principal.role != "admin":  # a person moves only what they have taken
            handoff = _owned(session, conversation_id, principal)
        if handoff.queue == body.queue:
            raise ApiError(409, "same_queue", "The conversation is already in that queue.")
        handoff.queue, handoff.status = body.queue, "waiting"
        handoff.claimed_by = handoff.claimed_role = handoff.claimed_at = None
        handoff.transfers += 1
        repo.get_conversation(session, conversation_id).owner = "queue"
        session.flush()
        language = _language(session, conversation_id)
        place = handoffs.place(session, book, handoff, language)
        escalation_flow.place_notice(
            session, services, conversation_id, "transferred", place, language
        )
        return _done(session, principal, "handoff_transferred", handoff, queue=body.queue)


@router.post(
    "/conversations/{conversation_id}/resolve", response_model=HandoffView, responses=_ERRORS
)
def resolve(conversation_id: str, request: Request, principal=Depends(staff_only)):
    """Ends the person's part: the Assistant answers again and tells the client so."""
    services = request.app.state.services
    with services.sessions() as session:
        handoff = _owned(session, conversation_id, principal)
        handoff.status, handoff.resolved_at = "resolved", handoffs.now()
        conversation = repo.get_conversation(session, conversation_id)
        conversation.owner, conversation.failure_count = "assistant", 0
        escalation_flow.add_notice(
            session, services, conversation_id, "returned", _language(session, conversation_id)
        )
        return _done(session, principal, "handoff_resolved", handoff)


@router.post(
    "/conversations/{conversation_id}/knowledge-draft",
    response_model=DraftOut,
    status_code=201,
    responses=_ERRORS,
)
def knowledge_draft(
    conversation_id: str, body: DraftIn, request: Request, principal=Depends(staff_only)
):
    """Saves a resolution as a draft article for the knowledge team to review; by default its
    body is what the people said to the client in this conversation."""
    services = request.app.state.services
    with services.sessions() as session:
        _not_anothers(session, conversation_id, principal)
        text = body.body
        if text is None:
            said = [
                m.text
                for m in repo.list_messages(session, conversation_id, 200)
                if m.role in ("agent", "advisor")
            ]
            text = "\n\n".join(said)
        text = mask_personal_data(text).text.strip()
        if not text:
            raise ApiError(422, "empty_text", "There is nothing to save: write a body.")
        draft = KnowledgeDraft(
            conversation_id=conversation_id,
            title=mask_personal_data(body.title).text,
            body=text[:20000],
            created_by=principal.id,
            status="draft",
        )
        session.add(draft)
        session.flush()
        repo.record_audit(
            session,
            principal.role,
            principal.id,
            "knowledge_draft_saved",
            conversation_id,
            draft_id=draft.id,
        )
        session.commit()
        return {
            "id": draft.id,
            "conversation_id": conversation_id,
            "title": draft.title,
            "body": draft.body,
            "status": draft.status,
        }
