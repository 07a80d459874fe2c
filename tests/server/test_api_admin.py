"""Admin routes through the real app and database: the summary's `since` parameter."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))


def _summary(api, query: str):
    return api.client.get(f"/v1/admin/summary?{query}", headers=api.headers("X1", "admin"))


def _stamp(delta: timedelta, zone=BEIJING) -> str:
    return (datetime.now(UTC) + delta).astimezone(zone).replace(microsecond=0).isoformat()


def test_since_with_its_plus_encoded_or_not_means_the_same_instant(api):
    api.say(api.conversation(), "印花税多少")
    for delta, expected in [(timedelta(hours=-1), 1), (timedelta(minutes=30), 0)]:
        stamp = _stamp(delta)  # e.g. 2026-12-05T10:00:00+08:00
        assert "+" in stamp
        spellings = [
            stamp.replace("+", "%2B"),  # encoded, as documented
            stamp,  # unencoded: decoded as a space
            stamp.replace("+", "%20"),  # what the unencoded form becomes
            stamp.replace("+", "%2B").replace(":", "%3A"),
            stamp.replace("+", " ").replace("T", " "),
            stamp.replace("+", "%2B")[:-3] + "00",  # +0800
        ]
        for spelling in spellings:
            response = _summary(api, f"since={spelling}")
            assert response.status_code == 200, (spelling, response.text)
            assert response.json()["conversations"] == expected, spelling


def test_since_with_a_negative_offset_or_z_is_read_as_written(api):
    api.say(api.conversation(), "印花税多少")
    california = timezone(timedelta(hours=-8))
    assert (
        _summary(api, f"since={_stamp(timedelta(hours=-1), california)}").json()["conversations"]
        == 1
    )
    later = _stamp(timedelta(minutes=30), UTC).replace("+00:00", "Z")
    assert _summary(api, f"since={later}").json()["conversations"] == 0


def test_since_that_is_not_a_time_with_an_offset_is_a_clear_error(api):
    for value in [
        "garbage",
        "2026-13-05T10:00:00%2B08:00",  # no 13th month
        "2026-12-05T10:00:00",  # no offset: would be read hours away from what was meant
        "2026-12-05",
        "2026-12-05%2B08:00",  # decoded "2026-12-05 08:00": a naive time, not an offset
        "2026-12-05 08:00",
        "10:00 08:00",
        "",
    ]:
        response = _summary(api, f"since={value}")
        assert response.status_code == 422, (value, response.text)
        error = response.json()["error"]
        assert error["code"] == "invalid_time", value
        assert "since" in error["message"] and "%2B" in error["message"]
        assert "garbage" not in error["message"]
