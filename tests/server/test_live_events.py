"""Live events across processes: two `anxin serve` processes on one database; a person's reply
posted to one reaches a client whose events stream is connected to the other."""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time

import httpx

from tests.support.servers import BIN, free_port, start, stop, wait_for


def _serve(data_dir, database_url, tmp_path, name):
    port = free_port()
    env = {
        "ANXIN_DATA_DIR": str(data_dir),
        "ANXIN_DATABASE_URL": database_url,
        "ANXIN_PORT": str(port),
        "ANXIN_EVENTS_POLL_SECONDS": "0.2",
        "ANXIN_STREAM_HEARTBEAT": "1",
    }
    process = start([str(BIN / "anxin"), "serve"], env, tmp_path / f"{name}.log")
    return process, f"http://127.0.0.1:{port}"


def _token(data_dir, sub, role):
    out = subprocess.run(
        [str(BIN / "anxin"), "token", "--role", role, "--sub", sub],
        env={**os.environ, "ANXIN_DATA_DIR": str(data_dir)},
        check=True,
        capture_output=True,
        text=True,
    )
    return {"Authorization": f"Bearer {out.stdout.strip()}"}


class EventReader:
    """Reads one events stream in a thread and keeps every `message` event."""

    def __init__(self, url: str, headers: dict, after: int | None = None) -> None:
        self.messages: list[dict] = []
        self.comments = 0
        self.connected = threading.Event()
        self._stop = threading.Event()
        params = {"after": after} if after is not None else {}
        self._thread = threading.Thread(target=self._run, args=(url, headers, params), daemon=True)
        self._thread.start()

    def _run(self, url, headers, params):
        with httpx.stream("GET", url, headers=headers, params=params, timeout=30) as response:
            self.status = response.status_code
            self.headers = response.headers
            for line in response.iter_lines():
                if line.startswith(":"):
                    self.comments += 1
                    self.connected.set()
                elif line.startswith("data: "):
                    self.messages.append(json.loads(line[6:]))
                if self._stop.is_set():
                    return

    def wait_for(self, predicate, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.messages:
                if predicate(message):
                    return message
            time.sleep(0.05)
        raise AssertionError(f"no matching event in {self.messages}")

    def close(self) -> None:
        self._stop.set()  # the next keep-alive comment ends the read loop
        self._thread.join(timeout=5)


def test_a_persons_reply_on_one_process_reaches_a_client_on_the_other(
    data_dir_with_index, database_url, tmp_path
):
    a, url_a = _serve(data_dir_with_index, database_url, tmp_path, "a")
    b, url_b = _serve(data_dir_with_index, database_url, tmp_path, "b")
    reader = None
    try:
        wait_for(f"{url_a}/readyz", 90)
        wait_for(f"{url_b}/readyz", 90)
        client = _token(data_dir_with_index, "C002", "client")
        agent = _token(data_dir_with_index, "A001", "agent")
        conversation = httpx.post(f"{url_a}/v1/conversations", headers=client).json()["id"]

        reader = EventReader(f"{url_b}/v1/conversations/{conversation}/events", client)
        assert reader.connected.wait(10)
        assert reader.status == 200 and reader.headers["x-accel-buffering"] == "no"

        turn = httpx.post(
            f"{url_a}/v1/conversations/{conversation}/messages",
            json={"text": "转人工"},
            headers=client,
            timeout=30,
        ).json()
        assert turn["handoff"]["queue"] == "service"  # C002: growth tier, service skill
        reader.wait_for(lambda m: m.get("notice") == "queued")

        claimed = httpx.post(f"{url_a}/v1/agent/conversations/{conversation}/claim", headers=agent)
        assert claimed.status_code == 200, claimed.text
        sent_at = time.monotonic()
        sent = httpx.post(
            f"{url_a}/v1/agent/conversations/{conversation}/messages",
            json={"text": "您好，我是人工客服小王，马上为您处理。"},
            headers=agent,
        )
        assert sent.status_code == 200, sent.text
        httpx.post(
            f"{url_a}/v1/agent/conversations/{conversation}/notes",
            json={"text": "内部备注：客户是成长型客户"},
            headers=agent,
        )
        seen = reader.wait_for(lambda m: m["role"] == "agent")
        assert seen["text"] == "您好，我是人工客服小王，马上为您处理。"
        assert time.monotonic() - sent_at < 5
        roles = [m["role"] for m in reader.messages]
        assert "note" not in roles  # staff notes never reach a client
        assert roles[:3] == ["client", "assistant", "system"]

        # Resuming after the last seen id misses nothing and repeats nothing.
        last = reader.messages[-1]["id"]
        reader.close()
        resumed = EventReader(
            f"{url_b}/v1/conversations/{conversation}/events", client, after=last - 1
        )
        assert resumed.wait_for(lambda m: m["id"] == last)["role"] == "agent"
        resumed.close()

        other = _token(data_dir_with_index, "C003", "client")
        refused = httpx.get(f"{url_b}/v1/conversations/{conversation}/events", headers=other)
        assert refused.status_code == 404
    finally:
        stop(a)
        stop(b)


def test_a_last_event_id_no_message_can_have_is_ignored_and_the_stream_lives(
    data_dir_with_index, database_url, tmp_path
):
    server, url = _serve(data_dir_with_index, database_url, tmp_path, "single")
    readers = []
    try:
        wait_for(f"{url}/readyz", 90)
        client = _token(data_dir_with_index, "C002", "client")
        conversation = httpx.post(f"{url}/v1/conversations", headers=client).json()["id"]
        events = f"{url}/v1/conversations/{conversation}/events"
        # Past any stored id, and a digit Python's int() refuses ("²".isdigit() is True; headers
        # are read as Latin-1).
        for value in ("9" * 23, str(2**63), "²".encode("latin-1")):
            readers.append(EventReader(events, {**client, "Last-Event-ID": value}))
            assert readers[-1].connected.wait(10)
            assert readers[-1].status == 200
        httpx.post(
            f"{url}/v1/conversations/{conversation}/messages",
            json={"text": "你好"},
            headers=client,
            timeout=30,
        )
        for reader in readers:  # treated as no header: messages from now on arrive
            assert reader.wait_for(lambda m: m["role"] == "client")["text"] == "你好"
    finally:
        for reader in readers:
            reader.close()
        stop(server)
