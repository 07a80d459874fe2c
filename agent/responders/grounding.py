"""Checking that a model's answer rests on the sources it was given, sentence by sentence.

An answer is released to the client only once it has cited a source; a sentence citing a number
that was not given means the model is making things up, and the whole answer is dropped.
"""

from __future__ import annotations

import re

from agent.citation_markers import MARKER, cited_numbers

# A full stop ends an English sentence, but not a list number ("1. 打开App").
_SENTENCE_END = re.compile(r"[。！？；!?;\n]|(?<!\d)\.(?=\s)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")


class UngroundedError(Exception):
    """The answer cites a source it was not given, or none at all."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason  # cites_unknown_source | cites_nothing | unsupported_figure


class GroundedRelease:
    """Feed model text in; get back the sentences that may be shown, in order."""

    def __init__(self, source_count: int, known_text: str | None = None) -> None:
        self._count = source_count
        # Figures are where a model's invention costs most (50万 becomes 5万): with `known_text`
        # (the sources and the question), every number in the answer must appear there.
        self._known = known_text
        self._buffer = ""  # the unfinished sentence
        self._held: list[str] = []  # finished sentences waiting for the first citation
        self.cited: list[int] = []  # source numbers in order of first citation
        self.text = ""  # everything released so far

    def feed(self, piece: str) -> list[str]:
        self._buffer += piece
        sentences = []
        while match := _SENTENCE_END.search(self._buffer):
            sentences.append(self._buffer[: match.end()])
            self._buffer = self._buffer[match.end() :]
        return self._accept(sentences)

    def finish(self) -> list[str]:
        """The rest; raises UngroundedError when the whole answer cited nothing."""
        rest, self._buffer = self._buffer, ""
        released = self._accept([rest] if rest.strip() else [])
        if not self.cited:
            raise UngroundedError("cites_nothing")
        return released

    def _accept(self, sentences: list[str]) -> list[str]:
        for sentence in sentences:
            numbers = cited_numbers(sentence)
            if any(n < 1 or n > self._count for n in numbers):
                raise UngroundedError("cites_unknown_source")
            if self._known is not None and not self._figures_known(sentence):
                raise UngroundedError("unsupported_figure")
            self.cited += [n for n in numbers if n not in self.cited]
        self._held += sentences
        if not self.cited:
            return []
        released, self._held = self._held, []
        self.text += "".join(released)
        return released

    def _figures_known(self, sentence: str) -> bool:
        for figure in _NUMBER.findall(MARKER.sub("", sentence)):
            if not re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d|\.\d)", self._known):
                return False
        return True
