"""Times in query strings: ISO 8601 with a UTC offset, forgiving the unencoded "+"."""

from __future__ import annotations

import re
from datetime import datetime

from server.errors import ApiError

# A "+" written unencoded in a query string is decoded as a space (form encoding), so
# "10:00:00+08:00" arrives as "10:00:00 08:00". A space can stand there for nothing else: it
# follows a time of day and precedes an HH:MM (or HHMM, HH) offset, so it is read as "+".
_PLUS_DECODED_AS_SPACE = re.compile(
    r"(?P<time>\d{4}-?\d{2}-?\d{2}[T ]\d{2}(?::?\d{2}(?::?\d{2}(?:[.,]\d+)?)?)?)"
    r" (?P<offset>\d{2}(?::?\d{2})?)"
)


def parse_offset_time(raw: str, name: str) -> datetime:
    """The time in `raw`, which must name its offset (`+08:00`, `-05:00` or `Z`): a time
    without one would be read in the server's zone, hours away from what an admin in Beijing
    meant. Raises ApiError 422 `invalid_time` naming the parameter, never echoing the value."""
    written = raw
    unencoded = _PLUS_DECODED_AS_SPACE.fullmatch(raw)
    if unencoded:
        written = f"{unencoded['time']}+{unencoded['offset']}"
    try:
        parsed = datetime.fromisoformat(written)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise ApiError(
            422,
            "invalid_time",
            f"'{name}' must be an ISO 8601 time with its UTC offset, such as "
            "2026-12-05T08:00:00+08:00 or 2026-12-05T00:00:00Z; in a URL write '+' as %2B.",
        )
    return parsed
