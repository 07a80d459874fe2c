"""A first-character guard for rule patterns, so scanning a sentence stays cheap.

Python's regex engine tries every alternative of a pattern at every position of the text. A
pattern made of dozens of alternatives that start with groups or look-behinds is slow to scan,
although it can only start at a handful of characters. `guarded` computes that set and puts a
one-character look-ahead in front, which fails at once almost everywhere.
"""

from __future__ import annotations

import re

try:  # Python 3.11+
    from re import _constants as c
    from re import _parser as parser
except ImportError:  # pragma: no cover - older Pythons keep the old module names
    import sre_constants as c  # type: ignore[no-redef]
    import sre_parse as parser  # type: ignore[no-redef]

_ZERO_WIDTH = {c.ASSERT, c.ASSERT_NOT, c.AT}
_REPEATS = {c.MAX_REPEAT, c.MIN_REPEAT, getattr(c, "POSSESSIVE_REPEAT", c.MAX_REPEAT)}
_MAX_RANGE = 400


def guarded(pattern: str) -> str:
    """`pattern` with a look-ahead for its possible first characters, when those are knowable."""
    try:
        chars, nullable = _first(parser.parse(pattern).data)
    except (re.error, RecursionError):
        return pattern
    if chars is None or nullable or not chars:
        return pattern
    klass = "".join(re.escape(ch) for ch in sorted(chars))
    return f"(?=[{klass}])(?:{pattern})"


def _first(items) -> tuple[set[str] | None, bool]:
    """The characters a sequence can start with (None: any), and whether it can match empty."""
    chars: set[str] = set()
    for op, av in items:
        if op in _ZERO_WIDTH:
            continue
        found, nullable = _first_op(op, av)
        if found is None:
            return None, False
        chars |= found
        if not nullable:
            return chars, False
    return chars, True


def _first_op(op, av) -> tuple[set[str] | None, bool]:
    if op is c.LITERAL:
        return {chr(av)}, False
    if op is c.IN:
        return _class_chars(av), False
    if op is c.BRANCH:
        chars: set[str] = set()
        nullable = False
        for branch in av[1]:
            found, empty = _first(branch.data)
            if found is None:
                return None, False
            chars |= found
            nullable = nullable or empty
        return chars, nullable
    if op is c.SUBPATTERN:
        return _first(av[3].data)
    if op in _REPEATS:
        found, empty = _first(av[2].data)
        return found, av[0] == 0 or empty
    return None, False


def _class_chars(items) -> set[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is c.LITERAL:
            chars.add(chr(av))
        elif op is c.RANGE and av[1] - av[0] <= _MAX_RANGE:
            chars |= {chr(i) for i in range(av[0], av[1] + 1)}
        elif op is c.CATEGORY and av is c.CATEGORY_DIGIT:
            # \d also matches other scripts' digits; folded text has only these.
            chars |= set("0123456789")
        else:
            return None
    return chars
