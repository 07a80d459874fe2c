"""Cutting replies into sentences, the unit every output rule is checked on.

The same cutter serves whole replies and streams, so a reply filtered at once and the same reply
streamed in pieces come out alike. A sentence keeps its end mark, any closing quotes after it and
the whitespace that follows, so joining the sentences gives back the reply exactly.
"""

from __future__ import annotations

import re

_ENDS = set("。！？!?；;\n…")
_CLOSERS = set("”’」』）)\"'")
_SPACES = set(" \t\r\n\u3000")
_MARKS = re.compile(r"[。！？!?；;\n….]")


def split_sentences(text: str) -> list[str]:
    """Every complete sentence of `text`, then the unfinished rest (if any) as the last item."""
    sentences, rest = take_sentences(text)
    return sentences + ([rest] if rest else [])


def take_sentences(buffer: str) -> tuple[list[str], str]:
    """The sentences of `buffer` known to be complete, and the text still open.

    A sentence is complete only once a character after its ending has arrived, because a closing
    quote, more end marks or a digit (3.5) may still follow."""
    sentences: list[str] = []
    start = 0
    for mark in _MARKS.finditer(buffer):
        if mark.start() < start:
            continue  # an end mark already swallowed into the previous sentence's tail
        end = _sentence_end(buffer, mark.start())
        if end is None:
            continue
        if end >= len(buffer):
            break
        sentences.append(buffer[start:end])
        start = end
    return sentences, buffer[start:]


def _sentence_end(text: str, i: int) -> int | None:
    """If a sentence ends at position i, the index just past its trailing marks and spaces."""
    ch = text[i]
    if ch == ".":
        after = text[i + 1 : i + 2]
        if after == "" or not after.isspace():
            # "3.5", "e.g." or the end of what has arrived so far: no boundary yet.
            return len(text) if after == "" else None
    elif ch not in _ENDS:
        return None
    j = i + 1
    while j < len(text) and (text[j] in _ENDS or text[j] in _CLOSERS):
        j += 1
    while j < len(text) and text[j] in _SPACES:
        j += 1
    return j
