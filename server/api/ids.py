"""Integer ids and cursors sent in paths, queries and headers, kept within what the database holds.

Every id column is an SQLAlchemy `Integer`, which PostgreSQL stores in 32 bits, so no stored id
exceeds `MAX_ID`. Larger numbers are refused here rather than handed to the driver: SQLite raises
OverflowError past 64 bits, which would otherwise surface as a 500.
"""

from __future__ import annotations

from fastapi import Query

MAX_ID = 2**31 - 1


def cursor_query(description: str, minimum: int = 1):
    """An optional id cursor in the query string (`before`, `after`): out of range is a 422."""
    return Query(default=None, ge=minimum, le=MAX_ID, description=description)


def may_exist(record_id: int) -> bool:
    """Whether a stored row could have this id; callers answer others as an unknown id."""
    return 1 <= record_id <= MAX_ID


def header_cursor(value: str | None) -> int | None:
    """A cursor from a header such as `Last-Event-ID`: plain ASCII digits within range, else None
    (a header the service cannot use is ignored, as browsers resend it unasked)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > len(str(MAX_ID)):
        return None
    cursor = int(value)
    return cursor if cursor <= MAX_ID else None
