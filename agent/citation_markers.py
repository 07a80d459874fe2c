"""The citation markers a model puts in a grounded answer, in every spelling models use.

[1], [1][2], [1, 2], [1，2], the full-width 【1】 ［1］ ［１］, the tortoise-shell 〔1〕,
ranges [1-2] and footnotes [^1]. Parentheses are not markers: "（1）" numbers a list in Chinese
text. One grammar for the grounding check (which sources an answer cites) and for the compliance
rules (which read the answer without them).
"""

from __future__ import annotations

import re

_NUMBERS = r"\d{1,2}(?:\s*(?:[,，、]|[-–~～])\s*\d{1,2})*"
MARKER = re.compile(rf"[\[【［〔]\s*\^?\s*({_NUMBERS})\s*[\]】］〕]")
_SEPARATOR = re.compile(r"\s*([,，、]|[-–~～])\s*")
# A range wider than this is not a citation of every source in it ("[1-99]" is a typo or worse).
MAX_RANGE = 9


def cited_numbers(text: str) -> list[int]:
    """Every source number the markers in `text` cite, in order; a range cites each number in it."""
    numbers: list[int] = []
    for match in MARKER.finditer(text):
        parts = _SEPARATOR.split(match.group(1).strip())
        numbers.append(int(parts[0]))
        for separator, value in zip(parts[1::2], parts[2::2], strict=True):
            last, current = numbers[-1], int(value)
            if separator in ",，、" or not last < current <= last + MAX_RANGE:
                numbers.append(current)
            else:
                numbers += range(last + 1, current + 1)
    return numbers
