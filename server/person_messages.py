"""A person's message to a client: masked, checked by the compliance filter like the Assistant's
replies, and what the rules did recorded with who wrote it.

A person's words are never replaced behind their back: a message a rule would block or rewrite is
refused and they rephrase; the refusal is recorded as a block. An intervention keeps the rule and a
fixed detail, never the text, so a refused message leaves no copy of itself.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy.orm import Session

from agent.compliance.types import Intervention, ReplyContext
from agent.masking import mask_personal_data
from server.auth import Principal
from server.services import Services
from server.storage import repository as repo

# The output rule that masks personal data. The text is masked before the filter reads it, so the
# filter never sees the data and the masking is recorded here under that rule's id.
PERSONAL_DATA_RULE = "out-personal-data"


@dataclass(frozen=True)
class PersonMessage:
    """A person's text after masking and the compliance filter."""

    text: str | None
    """What may reach the client; None when a rule refused it."""
    masked: tuple[str, ...]
    """Kinds of personal data masked ("mobile", "id_card"…)."""
    interventions: tuple[Intervention, ...]

    @property
    def broken(self) -> list[str]:
        """The rules that refused the message, for the person to read."""
        return sorted({i.rule_id for i in self.interventions if i.action == "block"})


def review(services: Services, text: str, language: str, risk_level: str | None) -> PersonMessage:
    """`text` as it may reach a client, with every intervention on the way."""
    masked = mask_personal_data(text)
    found = [
        Intervention(PERSONAL_DATA_RULE, "personal_data", "mask", "output", kind)
        for kind in masked.kinds
    ]
    if services.compliance is None:
        return PersonMessage(masked.text, masked.kinds, tuple(found))

    context = ReplyContext(language=language, client_risk_level=risk_level)
    result = services.compliance.check_reply(masked.text, context)
    refusing = [i for i in result.interventions if i.action in ("block", "rewrite")]
    if result.blocked or refusing:
        found += [replace(i, action="block") for i in refusing]
        return PersonMessage(None, masked.kinds, _unique(found))
    return PersonMessage(result.text, masked.kinds, _unique(found + list(result.interventions)))


def record(
    session: Session,
    conversation_id: str,
    message_id: int | None,
    principal: Principal,
    checked: PersonMessage,
) -> None:
    """Stores the interventions against the sent message (none when refused), naming the person
    by role and staff id."""
    repo.record_interventions(
        session,
        conversation_id,
        None,
        message_id,
        checked.interventions,
        actor=(principal.role, principal.id),
    )


def _unique(found: list[Intervention]) -> tuple[Intervention, ...]:
    return tuple({(i.rule_id, i.action, i.detail): i for i in found}.values())
