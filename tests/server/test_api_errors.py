"""Every error has one JSON shape with a stable code, and says nothing it should not."""

import warnings
from collections import Counter

import pytest

from server.app import create_app
from server.auth import issue_token
from server.settings import Settings


def _assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "request_id"}
    assert body["error"]["code"] == code
    assert body["error"]["request_id"] == response.headers["x-request-id"]
    return body["error"]


def test_bad_json(api):
    conversation = api.conversation()
    response = api.post_raw(conversation, b'{"text": "hi"')
    _assert_error(response, 400, "invalid_json")


def test_missing_text_field(api):
    conversation = api.conversation()
    response = api.client.post(
        f"/v1/conversations/{conversation}/messages", json={"txt": "hi"}, headers=api.headers()
    )
    _assert_error(response, 422, "invalid_request")


def test_text_of_the_wrong_type(api):
    response = api.client.post(
        f"/v1/conversations/{api.conversation()}/messages", json={"text": 42}, headers=api.headers()
    )
    _assert_error(response, 422, "invalid_request")


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "\u200b\u200d",
        "\u3000",
        "\u0000",
        "\u200e\u200f\u202a",
        "\u3164",
        "\u2800",
    ],
)
def test_empty_text(api, text):
    _assert_error(api.say(api.conversation(), text), 422, "empty_text")


def test_text_over_4000_characters(api):
    conversation = api.conversation()
    _assert_error(api.say(conversation, "转" * 4001), 413, "text_too_long")
    assert api.say(conversation, "转" * 4000).status_code == 200


def test_huge_body_is_refused_before_parsing(api):
    response = api.post_raw(api.conversation(), b"x" * 200_000)
    _assert_error(response, 413, "payload_too_large")


def test_unknown_conversation(api):
    _assert_error(
        api.say("00000000-0000-0000-0000-000000000000", "你好"), 404, "conversation_not_found"
    )
    response = api.client.get("/v1/conversations/nope/messages", headers=api.headers())
    _assert_error(response, 404, "conversation_not_found")


def test_another_clients_conversation_looks_unknown(api):
    conversation = api.conversation("C001")
    _assert_error(api.say(conversation, "你好", sub="C002"), 404, "conversation_not_found")
    response = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers("C002")
    )
    _assert_error(response, 404, "conversation_not_found")


def test_missing_token(api):
    _assert_error(api.client.post("/v1/conversations"), 401, "missing_token")


@pytest.mark.parametrize("header", ["Bearer", "Bearer not-a-jwt", "Basic abc", "Token x.y.z"])
def test_malformed_token(api, header):
    response = api.client.post("/v1/conversations", headers={"Authorization": header})
    _assert_error(response, 401, "invalid_token")
    assert response.headers["www-authenticate"] == "Bearer"


def test_token_signed_with_another_secret(api):
    forged = issue_token("another-secret-that-is-long-enough-for-hs256", "C001", "client", 5)
    response = api.client.post("/v1/conversations", headers={"Authorization": f"Bearer {forged}"})
    _assert_error(response, 401, "invalid_token")


def test_expired_token(api):
    expired = issue_token(api.settings.signing_secret(), "C001", "client", -1)
    response = api.client.post("/v1/conversations", headers={"Authorization": f"Bearer {expired}"})
    _assert_error(response, 401, "token_expired")


def test_staff_may_read_but_not_post_as_the_client(api):
    conversation = api.conversation("C001")
    listed = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers("A01", "agent")
    )
    assert listed.status_code == 200
    _assert_error(
        api.client.post(
            f"/v1/conversations/{conversation}/messages",
            json={"text": "x"},
            headers=api.headers("A01", "agent"),
        ),
        403,
        "forbidden",
    )
    _assert_error(
        api.client.post("/v1/conversations", headers=api.headers("A01", "agent")), 403, "forbidden"
    )


def test_unknown_route_and_wrong_method(api):
    _assert_error(api.client.get("/v1/nothing-here"), 404, "not_found")
    _assert_error(api.client.put("/v1/conversations"), 405, "method_not_allowed")


def test_errors_do_not_echo_client_text(api):
    secret = "我的身份证11010519491231002X"
    error = _assert_error(api.say("missing", secret), 404, "conversation_not_found")
    assert "11010519491231002X" not in error["message"]


def test_health_and_readiness(api):
    assert api.client.get("/healthz").json() == {"status": "ok"}
    ready = api.client.get("/readyz").json()
    assert ready["status"] == "ready"
    assert ready["checks"] == {"database": True, "knowledge_base": True}


def test_openapi_documents_the_endpoints(api):
    spec = api.client.get("/openapi.json").json()
    assert {
        "/v1/conversations",
        "/v1/conversations/{conversation_id}/messages",
        "/healthz",
        "/readyz",
    } <= set(spec["paths"])


def test_openapi_operation_ids_are_unique_across_all_routes():
    # Built without starting the app: the document depends on the routes alone.
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # FastAPI only warns about a duplicate operation id
        spec = create_app(Settings()).openapi()
    methods = {"get", "head", "post", "put", "patch", "delete", "options", "trace"}
    ids = Counter(
        operation["operationId"]
        for path in spec["paths"].values()
        for method, operation in path.items()
        if method in methods
    )
    assert [name for name, count in ids.items() if count > 1] == []
    assert {"get", "head"} <= set(spec["paths"]["/healthz"])
    assert {"get", "head"} <= set(spec["paths"]["/readyz"])


def test_database_outage_is_a_503_that_asks_for_a_retry(api):
    if not api.settings.resolved_database_url.startswith("postgresql"):
        pytest.skip("needs a database server that can refuse connections: PostgreSQL")
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    conversation = api.conversation()
    url = make_url(api.settings.resolved_database_url)
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{url.database}" WITH ALLOW_CONNECTIONS false'))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": url.database},
        )
    try:
        response = api.say(conversation, "印花税多少", **{"Idempotency-Key": "outage"})
        error = _assert_error(response, 503, "storage_unavailable")
        assert response.headers["retry-after"] == "5"
        assert "印花税" not in error["message"]
        assert api.client.get("/readyz").status_code == 503
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{url.database}" WITH ALLOW_CONNECTIONS true'))
        admin.dispose()
    retried = api.say(conversation, "印花税多少", **{"Idempotency-Key": "outage"})
    assert retried.status_code == 200 and retried.json()["reply"]["status"] == "answered"


def test_chunked_body_over_the_limit_is_refused(api):
    conversation = api.conversation()
    chunks = (b"x" * 16_384 for _ in range(20))  # no Content-Length: sent chunked
    response = api.post_raw(conversation, chunks)
    _assert_error(response, 413, "payload_too_large")


def test_lone_surrogates_are_dropped_not_a_crash(api):
    conversation = api.conversation()
    response = api.post_raw(conversation, b'{"text": "\\u8f6c\\u8d26\\ud800\\u51e0\\u70b9"}')
    assert response.status_code == 200, response.text
    stored = api.client.get(
        f"/v1/conversations/{conversation}/messages", headers=api.headers()
    ).json()["messages"][0]["text"]
    assert stored == "转账几点"


def test_body_that_is_not_utf8_is_invalid_json(api):
    response = api.post_raw(api.conversation(), b'{"text": "\xff\xfe"}')
    _assert_error(response, 400, "invalid_json")


def test_normalising_cannot_smuggle_in_a_longer_text(api):
    # U+0958 decomposes into two characters under NFC.
    _assert_error(api.say(api.conversation(), "\u0958" * 4000), 413, "text_too_long")


def test_trailing_slash_is_a_json_404_not_a_redirect(api):
    response = api.client.post("/v1/conversations/", headers=api.headers(), follow_redirects=False)
    _assert_error(response, 404, "not_found")


def test_head_on_health_endpoints(api):
    assert api.client.head("/healthz").status_code == 200
    assert api.client.head("/readyz").status_code == 200


def test_request_ids_from_callers_are_used_only_when_plain(api):
    plain = api.client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert plain.headers["x-request-id"] == "abc-123"
    odd = api.client.get("/healthz", headers={"X-Request-ID": "x\tevil line"})
    assert odd.headers["x-request-id"] != "x\tevil line"


# Ids are 32-bit on PostgreSQL; SQLite overflows past 64 bits. None of these can name a row.
_IMPOSSIBLE_IDS = [str(2**31), str(2**63), "9" * 23]


@pytest.mark.parametrize("number", _IMPOSSIBLE_IDS)
@pytest.mark.parametrize(
    "method, path, status, code",
    [
        ("post", "/v1/conversations/{cid}/messages/{n}/rating", 404, "message_not_found"),
        ("get", "/v1/conversations/{cid}/messages?before={n}", 422, "invalid_request"),
        ("get", "/v1/conversations/{cid}/messages?limit={n}", 422, "invalid_request"),
        ("get", "/v1/conversations/{cid}/events?after={n}", 422, "invalid_request"),
        ("get", "/v1/conversations?limit={n}", 422, "invalid_request"),
        ("get", "/v1/admin/interventions?before={n}", 422, "invalid_request"),
        ("get", "/v1/admin/interventions?limit={n}", 422, "invalid_request"),
        ("get", "/v1/admin/knowledge-drafts?limit={n}", 422, "invalid_request"),
    ],
)
def test_integers_beyond_any_stored_id_are_refused_not_a_crash(
    api, method, path, status, code, number
):
    conversation = api.conversation()
    role = ("ops", "admin") if "/admin/" in path else ("C001", "client")
    response = getattr(api.client, method)(
        path.format(cid=conversation, n=number),
        headers=api.headers(*role),
        **({"json": {"helpful": False}} if method == "post" else {}),
    )
    error = _assert_error(response, status, code)
    assert number not in error["message"]
