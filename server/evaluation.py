"""Building the Assistant in-process for `anxin eval run` (no HTTP, same pipeline)."""

from __future__ import annotations

import time

from agent.pipeline import Assistant
from server.auth import issue_token
from server.services import build_services
from server.settings import Settings


def assistant_for_evals(settings: Settings) -> Assistant:
    services = build_services(settings)
    services.load_assistant()
    if services.assistant is None:
        raise SystemExit(f"knowledge base failed to load: {services.index_error}")
    return services.assistant


class ServiceConversations:
    """Drives conversations through the real app in-process (HTTP API, database, queues): the
    driver of conversation suites such as the escalation suite. One agent (`A-eval`, role
    advisor+service through `admin`) takes every hand-off."""

    def __init__(self, settings: Settings) -> None:
        from fastapi.testclient import TestClient

        from server.app import create_app

        self._settings = settings
        self._client = TestClient(create_app(settings))
        self._conversation: str | None = None
        self._client_id = "C001"
        self._last_reply: int | None = None

    def __enter__(self) -> ServiceConversations:
        self._client.__enter__()
        deadline = time.monotonic() + 300
        while self._client.get("/readyz").status_code != 200:
            if time.monotonic() > deadline:
                raise SystemExit("the knowledge base did not become ready")
            time.sleep(0.2)
        return self

    def __exit__(self, *exc) -> None:
        self._client.__exit__(*exc)

    def _headers(self, sub: str, role: str) -> dict[str, str]:
        token = issue_token(self._settings.signing_secret(), sub, role, 60)
        return {"Authorization": f"Bearer {token}"}

    def start(self, client: str) -> None:
        self._client_id = client
        response = self._client.post("/v1/conversations", headers=self._headers(client, "client"))
        response.raise_for_status()
        self._conversation = response.json()["id"]
        self._last_reply = None

    def say(self, text: str) -> dict:
        response = self._client.post(
            f"/v1/conversations/{self._conversation}/messages",
            json={"text": text},
            headers=self._headers(self._client_id, "client"),
        )
        response.raise_for_status()
        body = response.json()
        if body.get("reply"):
            self._last_reply = body["reply"]["id"]
        return body

    def act(self, action: str, text: str | None = None) -> dict:
        base = f"/v1/agent/conversations/{self._conversation}"
        staff = self._headers("A-eval", "admin")
        if action == "thumbs_down":
            response = self._client.post(
                f"/v1/conversations/{self._conversation}/messages/{self._last_reply}/rating",
                json={"helpful": False},
                headers=self._headers(self._client_id, "client"),
            )
        elif action == "claim":
            response = self._client.post(f"{base}/claim", headers=staff)
        elif action == "agent_reply":
            response = self._client.post(f"{base}/messages", json={"text": text}, headers=staff)
        elif action == "resolve":
            response = self._client.post(f"{base}/resolve", headers=staff)
        else:
            raise ValueError(f"unknown action {action}")
        response.raise_for_status()
        return response.json()
