"""The compliance filter the service calls: every reply out, every client message in."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from agent.compliance.checks import LeakDetector
from agent.compliance.inputs import InputChecker
from agent.compliance.matching import Folder
from agent.compliance.review import Reviewer
from agent.compliance.rules import RuleBook
from agent.compliance.sentences import split_sentences
from agent.compliance.stream import StreamGuard
from agent.compliance.types import FilterResult, Intervention, ReplyContext


class ComplianceFilter:
    """Checks replies (whole or streamed) and client messages against the rule book."""

    def __init__(
        self,
        book: RuleBook,
        protected_texts: Iterable[str] = (),
        allowed_texts: Iterable[str] = (),
    ) -> None:
        folder = Folder(book.aliases)
        leaks = LeakDetector(list(protected_texts), _said_by_filter(book) + list(allowed_texts))
        self._reviewer = Reviewer(book, folder, leaks)
        self._inputs = InputChecker(book, folder)
        self.book = book

    @classmethod
    def load(
        cls,
        rules_dir: Path | None = None,
        protected_texts: Iterable[str] = (),
        allowed_texts: Iterable[str] = (),
    ) -> ComplianceFilter:
        """Loads the rules from `rules_dir` (default knowledge/compliance).

        `protected_texts` are texts the Assistant must never repeat, such as its system prompt;
        `allowed_texts` are wordings the prompt tells the model to use, which may be repeated."""
        return cls(RuleBook.load(rules_dir), protected_texts, allowed_texts)

    def check_reply(self, text: str, context: ReplyContext) -> FilterResult:
        """The reply as it may be sent, with what was done to it."""
        review = self._reviewer.start(context)
        for sentence in split_sentences(text):
            review.add(sentence)
            if review.blocked:
                break
        return review.finish()

    def stream_guard(self, context: ReplyContext) -> StreamGuard:
        """A guard that releases a streamed reply one checked sentence at a time."""
        return StreamGuard(self._reviewer.start(context))

    def check_input(
        self, client_turns: list[str], language: str = "zh"
    ) -> tuple[Intervention, ...]:
        """Interventions for the current client message (the last of `client_turns`).

        Both languages' rules apply whatever `language` is: clients mix them."""
        return self._inputs.check(list(client_turns))

    def check_passage(self, text: str) -> tuple[Intervention, ...]:
        """Instructions hidden in a knowledge-base passage ("忽略之前的指令…") before the model
        reads it. Passages are data: the lead may drop or quote-mark a flagged one; the output
        check still catches whatever a poisoned passage makes the model say."""
        return tuple(i for i in self._inputs.check([text]) if i.category != "personal_data")


def _said_by_filter(book: RuleBook) -> list[str]:
    texts = []
    for group in ("disclosures", "templates", "safe_replies"):
        for entry in book.messages[group].values():
            texts += [v for k, v in entry.items() if k in ("zh", "en")]
    return texts
