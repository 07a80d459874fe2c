"""Holding a streamed reply back sentence by sentence, so no violating sentence leaves the server.

    guard = compliance.stream_guard(context)
    for delta in model_stream:
        for piece in guard.feed(delta):
            send(piece)                      # whole, checked sentences only
        if guard.blocked:
            break                            # stop reading the model
    result = guard.finish()
    send(result.text if result.blocked else guard.tail)

After a block, pieces already released stay sent; `finish().text` is the safe reply.
"""

from __future__ import annotations

from agent.compliance.review import ReplyReview
from agent.compliance.sentences import take_sentences
from agent.compliance.types import FilterResult


class StreamGuard:
    """Releases a streamed reply one checked sentence at a time."""

    def __init__(self, review: ReplyReview) -> None:
        self._review = review
        self._buffer = ""
        self._result: FilterResult | None = None
        self.released: list[str] = []
        """Every piece `feed` has returned so far, in order."""
        self.tail = ""
        """After `finish`: the rest of the filtered reply that `feed` has not released."""

    @property
    def blocked(self) -> bool:
        """True once a sentence was blocked; the caller stops reading the model."""
        return self._review.blocked

    def feed(self, delta: str, whole: bool = False) -> list[str]:
        """Takes the next piece of model output; returns the pieces now safe to send. With
        `whole`, the piece is known to end a sentence and is checked at once; otherwise the last
        sentence waits for the next piece (a closing quote or more end marks may follow)."""
        if self.blocked or self._result is not None:
            return []
        self._buffer += delta
        sentences, self._buffer = take_sentences(self._buffer)
        if whole and self._buffer:
            sentences, self._buffer = [*sentences, self._buffer], ""
        out: list[str] = []
        for sentence in sentences:
            piece = self._review.add(sentence)
            if self.blocked:
                break
            if piece:
                out.append(piece)
        self.released += out
        return out

    def finish(self) -> FilterResult:
        """Checks what is left, appends the disclosure, and returns the complete filtered reply."""
        if self._result is not None:
            return self._result
        if self._buffer and not self.blocked:
            self._review.add(self._buffer)
        self._buffer = ""
        self._result = self._review.finish()
        sent = "".join(self.released)
        if self._result.blocked:
            self.tail = self._result.text
        else:
            # What was released is always a prefix of the filtered reply.
            self.tail = self._result.text[len(sent) :]
        return self._result
