"""Assembling what the model reads: numbered sources, approved guidance, history and the question,
under a token budget counted with tiktoken.

Over budget, the oldest history goes first, then the weakest sources, then the last source is
shortened: the sources are what the answer must rest on, the history only helps to read it. A
question longer than a share of the budget keeps its beginning and its end.
"""

from __future__ import annotations

from dataclasses import dataclass

from agent.llm import tokens
from agent.llm.chat import ChatMessage
from agent.types import HistoryTurn
from knowledge.retrieval import ArticleHit
from prompts.registry import Template

MAX_SOURCES = 3
PASSAGES_PER_SOURCE = 3
# Articles scoring far below the best one are left out: they would invite citing the wrong thing.
SOURCE_SCORE_RATIO = 0.6
HISTORY_CHARS = 300  # an earlier message is shortened to this before it is counted
# The question may take at most this share of the budget (its middle is left out beyond it), so
# that a very long message still leaves room for the sources and the budget holds.
QUESTION_SHARE = 0.4


@dataclass(frozen=True)
class Source:
    number: int
    article_id: str
    title: str
    text: str


@dataclass(frozen=True)
class Context:
    messages: tuple[ChatMessage, ...]
    sources: tuple[Source, ...]
    history_turns: int
    prompt_tokens: int


def choose_sources(articles: list[ArticleHit]) -> list[Source]:
    """The strongest articles, each with its best passages in the order the article has them."""
    if not articles:
        return []
    top = articles[0].score
    chosen = [a for a in articles if a.score >= top * SOURCE_SCORE_RATIO][:MAX_SOURCES]
    sources = []
    for number, hit in enumerate(chosen, start=1):
        passages = sorted(hit.passages[:PASSAGES_PER_SOURCE], key=lambda p: p.chunk.position)
        text = "\n".join(_passage_text(p.chunk.heading, p.chunk.text) for p in passages)
        sources.append(Source(number, hit.article_id, hit.title, text))
    return sources


def build_context(
    template: Template,
    language: str,
    question: str,
    sources: list[Source],
    history: list[HistoryTurn],
    guidance: str | None,
    budget: int,
) -> Context:
    """The chat messages for one answer, trimmed to `budget` tokens."""
    system = template.render("system", language)
    question = tokens.keep_ends(question, int(budget * QUESTION_SHARE))
    history = list(history)
    sources = list(sources)
    while True:
        user = _user_message(template, language, question, sources, history, guidance)
        used = tokens.count(system) + tokens.count(user)
        if used <= budget:
            break
        if history:
            history.pop(0)
        elif len(sources) > 1:
            sources.pop()
        else:
            sources = _shorten(sources, used - budget)
            if not sources or not sources[0].text:
                break
    messages = (ChatMessage("system", system), ChatMessage("user", user))
    return Context(messages, tuple(sources), len(history), used)


def _user_message(template, language, question, sources, history, guidance) -> str:
    rendered_sources = "\n\n".join(
        template.render("source", language, n=str(s.number), title=s.title, text=s.text)
        for s in sources
    )
    turns = "\n".join(_turn(template, language, t) for t in history)
    return template.render(
        "user",
        language,
        sources=rendered_sources,
        guidance=template.render("guidance", language, text=guidance) if guidance else "",
        history=template.render("history", language, turns=turns) if history else "",
        question=question,
    )


def _turn(template: Template, language: str, turn: HistoryTurn) -> str:
    key = "turn_client" if turn.role == "client" else "turn_assistant"
    text = turn.text if len(turn.text) <= HISTORY_CHARS else turn.text[:HISTORY_CHARS] + "…"
    return template.render(key, language, text=text)


def _passage_text(heading: str, text: str) -> str:
    return f"【{heading}】{text}" if heading else text


def _shorten(sources: list[Source], excess_tokens: int) -> list[Source]:
    only = sources[0]
    keep = max(tokens.count(only.text) - excess_tokens - 8, 0)
    return [Source(only.number, only.article_id, only.title, tokens.truncate(only.text, keep))]
