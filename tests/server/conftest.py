"""An API client on the real app: real database (SQLite, and PostgreSQL when configured) and the
real index of the shipped articles."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.auth import issue_token
from server.settings import Settings


class Api:
    def __init__(self, client: TestClient, settings: Settings) -> None:
        self.client = client
        self.settings = settings

    def token(self, sub: str = "C001", role: str = "client", ttl: int = 60) -> str:
        return issue_token(self.settings.signing_secret(), sub, role, ttl)

    def headers(self, sub: str = "C001", role: str = "client", **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(sub, role)}", **extra}

    def conversation(self, sub: str = "C001") -> str:
        response = self.client.post("/v1/conversations", headers=self.headers(sub))
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def post_raw(self, conversation_id: str, content, sub: str = "C001"):
        """Posts a body exactly as given, declared as JSON."""
        return self.client.post(
            f"/v1/conversations/{conversation_id}/messages",
            content=content,
            headers=self.headers(sub, **{"Content-Type": "application/json"}),
        )

    def say(self, conversation_id: str, text: str, sub: str = "C001", **headers: str):
        return self.client.post(
            f"/v1/conversations/{conversation_id}/messages",
            json={"text": text},
            headers=self.headers(sub, **headers),
        )


@contextmanager
def running_api(settings: Settings) -> Iterator[Api]:
    """The real app in a TestClient, once its knowledge base is ready."""
    with TestClient(create_app(settings)) as client:
        deadline = time.monotonic() + 60
        while client.get("/readyz").status_code != 200:
            assert time.monotonic() < deadline, client.get("/readyz").json()
            time.sleep(0.1)
        yield Api(client, settings)


def sse_events(body: str) -> list[tuple[str, dict]]:
    """(event name, data) of every named server-sent event; comments are skipped."""
    found = []
    for block in body.strip().split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in lines:
            found.append((lines["event"], json.loads(lines["data"])))
    return found


@pytest.fixture
def api(data_dir_with_index, database_url):
    with running_api(Settings(data_dir=data_dir_with_index, database_url=database_url)) as ready:
        yield ready
