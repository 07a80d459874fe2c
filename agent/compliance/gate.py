"""Putting every reply of a turn through the compliance filter, as it streams.

The composer's events come in; checked sentences go out. When a sentence is blocked, the model is
stopped, what the client saw of this reply is withdrawn, and the safe reply is sent instead.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import replace

from agent.compliance.filter import ComplianceFilter
from agent.compliance.types import Intervention, ReplyContext
from agent.responders.composer import Composed
from agent.types import Delta, Reset, TurnEvent

# Intents whose replies touch investing: the risk reminder is required on them.
INVESTMENT_INTENTS = frozenset(
    {
        "investment_advice",
        "market_distress",
        "funds_wealth",
        "margin_trading",
        "options",
        "ipo",
        "stock_connect",
        "trading_permission",
    }
)


def reply_context(
    language: str,
    intent: str | None,
    client_risk_level: str | None,
    article_ids: list[str],
    article_risk: dict[str, str],
) -> ReplyContext:
    levels = tuple(article_risk[a] for a in article_ids if article_risk.get(a))
    return ReplyContext(
        language=language,
        client_risk_level=client_risk_level,
        product_risk_levels=levels,
        investment_related=intent in INVESTMENT_INTENTS or bool(levels),
    )


def guarded(
    events: Generator[TurnEvent, None, Composed],
    compliance: ComplianceFilter,
    context: ReplyContext,
    send_safe_reply: bool = True,
) -> Generator[TurnEvent, None, tuple[Composed, tuple[Intervention, ...]]]:
    """Yields the checked reply; returns the composed reply as sent, and the interventions.
    With `send_safe_reply` false, a blocked reply is only withdrawn: the caller has a better
    replacement than the safe reply."""
    guard = compliance.stream_guard(context)
    try:
        while True:
            event = next(events)
            if isinstance(event, Reset):
                guard = compliance.stream_guard(context)  # the withdrawn text no longer counts
                yield event
                continue
            for piece in guard.feed(event.text, whole=event.whole):
                yield Delta(piece)
            if guard.blocked:
                events.close()  # stops the model, if one is writing
                composed = None
                break
    except StopIteration as stop:
        composed = stop.value
    result = guard.finish()
    if result.blocked:
        if guard.released:
            yield Reset()
        if send_safe_reply:
            yield Delta(result.text)
        blocked = Composed(result.text, [], "blocked", "compliance", "compliance:safe_reply")
        return blocked, result.interventions
    if guard.tail:
        yield Delta(guard.tail)
    return replace(composed, text=result.text), result.interventions
