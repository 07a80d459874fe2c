"""The offline responder: answers by quoting the best-matching article sections, with citations.

It never composes facts of its own. When retrieval is not confident, it says plainly that the
question is not covered and offers a person, rather than quoting something beside the point.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.types import Citation, ReplyStatus
from knowledge.retrieval import ArticleHit, RetrievalResult
from prompts.registry import Template

MAX_QUOTE_CHARS = 420
# Another article is offered as related reading only when its best passage scores close to the
# top one; far weaker matches would only distract.
RELATED_SCORE_RATIO = 0.85
MAX_CITATIONS = 3


@dataclass(frozen=True)
class Draft:
    text: str
    citations: list[Citation]
    status: ReplyStatus
    template: str


class OfflineResponder:
    """Builds replies from passages alone; needs no model and no network."""

    def __init__(self, template: Template, min_confidence: float) -> None:
        self._template = template
        self._min_confidence = min_confidence

    def respond(
        self, retrieval: RetrievalResult, language: str, person_coming: bool = False
    ) -> Draft:
        """Quotes the best article; "not covered" when there is none or it is not trusted. With
        `person_coming` (the conversation is being handed to a person), the reply says so instead
        of asking the client to reply "转人工"."""
        if not retrieval.articles or retrieval.confidence < self._min_confidence:
            return self.not_covered(language, person_coming=person_coming)
        top = retrieval.articles[0]
        related = _related(top, retrieval.articles)
        citations = [Citation(top.article_id, top.title, 1)]
        citations += [Citation(a.article_id, a.title, n) for n, a in enumerate(related, start=2)]
        parts = [self._template.render("answer", language, title=top.title, body=_quote(top))]
        if len(citations) > 1:
            items = self._items(citations[1:], language)
            parts.append(self._template.render("related", language, items=items))
        closing = "closing_person_coming" if person_coming else "closing"
        parts.append(self._template.render(closing, language))
        return Draft("\n\n".join(parts), citations, "answered", self._template.ref)

    def person_coming(self, language: str) -> str:
        """The line that tells the client a person is taking the conversation over."""
        return self._template.render("closing_person_coming", language)

    def sources(self, citations: list[Citation], language: str) -> str:
        """The line naming the articles behind an approved scenario reply, with their markers,
        so that every citation a reply carries is marked in its text."""
        return self._template.render("sources", language, items=self._items(citations, language))

    def _items(self, citations: list[Citation], language: str) -> str:
        separator = "、" if language == "zh" else ", "
        return separator.join(
            self._template.render("related_item", language, title=c.title, n=str(c.ref))
            for c in citations
        )

    def small_talk(self, route: str, language: str) -> Draft:
        """The approved reply to a greeting or a thank-you."""
        return Draft(self._template.render(route, language), [], "answered", self._template.ref)

    def unavailable(self, language: str) -> Draft:
        """The reply when the knowledge base cannot be searched right now."""
        return Draft(
            self._template.render("unavailable", language), [], "degraded", self._template.ref
        )

    def refused(self, language: str, again: bool = False) -> Draft:
        """The reply to a request the Assistant must not fulfil; a person is offered."""
        key = "refused_again" if again else "refused"
        return Draft(self._template.render(key, language), [], "blocked", self._template.ref)

    def not_covered(
        self,
        language: str,
        again: bool = False,
        person_coming: bool = False,
        did_not_help: bool = False,
    ) -> Draft:
        """Honest "not covered"; `again` words it differently when the previous reply said the
        same, so a client never gets one fallback twice in a row. A message that only says the
        last answer did not help (`did_not_help`) is asked what is still unsolved."""
        key = "not_covered_again" if again else "not_covered"
        if did_not_help and not again:
            key = "did_not_help"
        if person_coming:
            key = "not_covered_person_coming"
        return Draft(self._template.render(key, language), [], "not_covered", self._template.ref)

    def handoff(self, reason: str | None, language: str) -> Draft:
        """The reply that hands the conversation to a person: on request, or after failures."""
        key = "handoff_failures" if reason == "failures" else "handoff_requested"
        return Draft(self._template.render(key, language), [], "handed_off", self._template.ref)


def _quote(hit: ArticleHit) -> str:
    """The article's best passage, plus its second best if both fit, in article order so the
    quote reads as the article does."""
    if not hit.passages:
        return ""
    chosen = [hit.passages[0]]
    if len(hit.passages) > 1:
        runner_up = hit.passages[1]
        if len(chosen[0].chunk.text) + len(runner_up.chunk.text) <= MAX_QUOTE_CHARS:
            chosen.append(runner_up)
    chosen.sort(key=lambda p: p.chunk.position)
    lines = []
    for i, passage in enumerate(chosen):
        heading = passage.chunk.heading
        new_heading = heading and (i == 0 or heading != chosen[i - 1].chunk.heading)
        lines.append(f"【{heading}】{passage.chunk.text}" if new_heading else passage.chunk.text)
    return "\n".join(lines)


def _related(top: ArticleHit, hits: list[ArticleHit]) -> list[ArticleHit]:
    """Other articles whose fused score comes close to the top one."""
    return [h for h in hits[1:] if h.score >= top.score * RELATED_SCORE_RATIO][: MAX_CITATIONS - 1]
