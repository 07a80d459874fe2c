"""The hand-off package: what a person taking over reads first.

A summary (by the model when one is configured, extractive otherwise), the intent and emotion of
every client turn, what the Assistant tried and why it failed, the articles it cited, compliance
interventions, the client's profile, and a suggested first reply that has passed the compliance
filter. Client text in it is as stored: normalised and masked.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from sqlalchemy.orm import Session

from agent.language import reply_language
from server import person_messages
from server.services import Services
from server.storage import repository as repo
from server.storage.models import Client, Handoff, Message

log = logging.getLogger("server")
SUMMARY_SECONDS = 10.0
_FAILED = ("not_covered", "blocked", "degraded")
_PREVIEW_CHARS = 60


def build(session: Session, services: Services, handoff: Handoff) -> dict[str, Any]:
    messages = [
        m
        for m in repo.list_messages(session, handoff.conversation_id, 200)
        if m.role in ("client", "assistant")
    ]
    client = session.get(Client, handoff.client_id)
    clients = [m for m in messages if m.role == "client"]
    language = reply_language(clients[-1].text) if clients else "zh"
    turns = [_turn(m) for m in clients]
    tried = [_attempt(m) for m in messages if m.role == "assistant"]
    cited = _cited(messages)
    package = {
        "reason": handoff.reason,
        "language": language,
        "profile": {
            "tier": client.tier if client else "basic",
            "risk_level": client.risk_level if client else None,
        },
        "turns": turns,
        "tried": tried,
        "cited_articles": cited,
        "interventions": [
            {"rule_id": i.rule_id, "action": i.action, "where": i.where}
            for i in repo.list_interventions(session, 50, conversation_id=handoff.conversation_id)
        ],
        "summary": _extractive(turns, tried, handoff.reason, language),
        "summary_by": "extractive",
        "upto": clients[-1].id if clients else 0,
    }
    package["suggested_reply"] = suggested_reply(services, handoff, package, language)
    return package


def _turn(message: Message) -> dict[str, Any]:
    emotion = message.emotion or {}
    return {
        "message_id": message.id,
        "text": message.text,
        "intent": message.intent,
        "emotion": emotion.get("label"),
        "intensity": emotion.get("intensity"),
        "flags": emotion.get("flags", []),
    }


def _attempt(message: Message) -> dict[str, Any]:
    notes = message.annotations or {}
    escalation = notes.get("escalation") or {}
    return {
        "message_id": message.id,
        "status": message.status,
        "route": notes.get("route"),
        "responder": notes.get("responder"),
        "articles": [c["article_id"] for c in message.citations or []],
        "main_title": (message.citations or [{}])[0].get("title"),
        "failure": escalation.get("failure")
        or ("blocked" if message.status == "blocked" else None),
    }


def _cited(messages: list[Message]) -> list[dict[str, str]]:
    seen: dict[str, str] = {}
    for message in messages:
        for citation in message.citations or []:
            seen.setdefault(citation["article_id"], citation["title"])
    return [{"article_id": a, "title": t} for a, t in seen.items()]


_REASONS = {
    "zh": {
        "requested": "客户要求转人工",
        "failures": "智能客服连续多次未能解决",
        "crisis": "客户可能处于危机中，请优先关怀",
        "fraud": "疑似诈骗或账户被盗",
        "regulator_threat": "客户表示要向监管或媒体投诉",
        "strong_emotion": "客户情绪强烈",
        "advisor_topic": "需要持牌投资顾问解答",
    },
    "en": {
        "requested": "the client asked for a person",
        "failures": "the assistant failed several times in a row",
        "crisis": "the client may be in crisis: care first",
        "fraud": "possible fraud or account takeover",
        "regulator_threat": "the client threatens to go to the regulator or the media",
        "strong_emotion": "the client is very upset",
        "advisor_topic": "needs a licensed investment advisor",
    },
}


def _extractive(turns: list[dict], tried: list[dict], reason: str, language: str) -> str:
    """First and latest client messages, the strongest emotion, what failed and why."""
    if not turns:
        return _REASONS[language].get(reason, reason)
    first, last = turns[0]["text"][:_PREVIEW_CHARS], turns[-1]["text"][:_PREVIEW_CHARS]
    strongest = max(turns, key=lambda t: t["intensity"] or 0)
    failures = [t["failure"] for t in tried if t["failure"]]
    answered = sum(1 for t in tried if t["status"] == "answered")
    why = _REASONS[language].get(reason, reason)
    if language == "en":
        asked = f"First: {first}" + (f" / latest: {last}" if len(turns) > 1 else "")
        mood = f"mood: {strongest['emotion'] or 'unknown'} ({strongest['intensity'] or 0}/3)"
        tries = f"assistant answered {answered}, failed {len(failures)} ({', '.join(failures)})"
        return f"{asked}. {mood}; {tries}; hand-off: {why}."
    asked = f"客户首先问：{first}" + (f"；最近说：{last}" if len(turns) > 1 else "")
    mood = f"情绪：{strongest['emotion'] or '未知'}（强度{strongest['intensity'] or 0}/3）"
    tries = f"智能客服回答{answered}次，未解决{len(failures)}次（{'、'.join(failures) or '无'}）"
    return f"{asked}。{mood}；{tries}；转人工原因：{why}。"


def suggested_reply(services: Services, handoff: Handoff, package: dict, language: str) -> str:
    """An approved opening line, checked by the compliance filter like every reply. In a crisis it
    cares for the client first. Otherwise it names the main article of the Assistant's latest cited
    answer (not a "see also") as the topic, or none: it never quotes the client, whose first words
    may be "转人工" or their despair."""
    queue = services.queues.display_name(handoff.queue, language)
    main = [t["main_title"] for t in package["tried"] if t.get("main_title")]
    notices = services.prompts.get("handoff_notice")
    if handoff.reason == "crisis":
        text = notices.render("suggested_reply_crisis", language, queue=queue)
    elif main:
        text = notices.render("suggested_reply", language, queue=queue, topic=main[-1])
    else:
        text = notices.render("suggested_reply_general", language, queue=queue)
    checked, _broken = checked_for_client(
        services, text, language, package["profile"]["risk_level"]
    )
    return checked


def checked_for_client(
    services: Services, text: str, language: str, risk_level: str | None
) -> tuple[str | None, list[str]]:
    """A person's text as it may reach a client (see `person_messages.review`); None, and the
    rules broken, when a rule would block or rewrite it."""
    checked = person_messages.review(services, text, language, risk_level)
    return checked.text, checked.broken


def with_model_summary(services: Services, package: dict, cached: dict | None) -> dict:
    """The package with the model's summary when a model is configured and answers in time; the
    extractive one stays otherwise. A summary already written for the same client messages is
    reused. The model sees stored (masked) text only."""
    if cached and cached.get("summary_by") == "llm" and cached.get("upto") == package["upto"]:
        return {**package, "summary": cached["summary"], "summary_by": "llm"}
    summarizer = services.summarizer
    if summarizer is None:
        return package
    started = time.monotonic()
    summary = summarizer.summarise(
        package["turns"],
        package["tried"],
        package["reason"],
        package["language"],
        started + SUMMARY_SECONDS,
    )
    if not summary:
        return package
    return {**package, "summary": summary, "summary_by": "llm"}
