"""Removing reasoning blocks (`<think>…</think>`) from streamed model text.

Reasoning models (DeepSeek-R1, Qwen3 and others) may write their thinking inline. It is never
shown to a client: it can contain guesses that the answer itself was careful not to make.
"""

from __future__ import annotations

_OPEN, _CLOSE = "<think>", "</think>"


class ReasoningFilter:
    """Feed pieces in; get back only the text outside reasoning blocks, tags split or not."""

    def __init__(self) -> None:
        self._pending = ""  # text that may be the start of a tag
        self._inside = False

    def feed(self, piece: str) -> str:
        text, out = self._pending + piece, []
        self._pending = ""
        while text:
            tag = _CLOSE if self._inside else _OPEN
            at = text.find(tag)
            if at >= 0:
                if not self._inside:
                    out.append(text[:at])
                text, self._inside = text[at + len(tag) :], not self._inside
                continue
            keep = _partial_tag_length(text, tag)
            if not self._inside:
                out.append(text[: len(text) - keep])
            self._pending = text[len(text) - keep :] if keep else ""
            break
        return "".join(out)

    def finish(self) -> str:
        """What is left at the end: an unclosed block is dropped, a lone '<thi' is text."""
        rest, self._pending = self._pending, ""
        return "" if self._inside else rest


def _partial_tag_length(text: str, tag: str) -> int:
    """Length of the longest end of `text` that is a beginning of `tag`."""
    for size in range(min(len(tag) - 1, len(text)), 0, -1):
        if text.endswith(tag[:size]):
            return size
    return 0
