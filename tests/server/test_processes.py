"""The service as a newcomer runs it: real `anxin serve` processes on 127.0.0.1."""

import os
import subprocess

import httpx

from tests.support.servers import BIN, free_port, start, start_chroma, stop, wait_for


def _serve(data_dir, database_url, tmp_path, name, **extra):
    port = free_port()
    env = {
        "ANXIN_DATA_DIR": str(data_dir),
        "ANXIN_DATABASE_URL": database_url,
        "ANXIN_PORT": str(port),
        **extra,
    }
    process = start([str(BIN / "anxin"), "serve"], env, tmp_path / f"{name}.log")
    return process, f"http://127.0.0.1:{port}"


def _ask(url, conversation, text, headers, timeout=30):
    """Posts one client message and returns the whole response."""
    return httpx.post(
        f"{url}/v1/conversations/{conversation}/messages",
        timeout=timeout,
        json={"text": text},
        headers=headers,
    )


def _token(data_dir, sub="C001"):
    out = subprocess.run(
        [str(BIN / "anxin"), "token", "--role", "client", "--sub", sub],
        env={**os.environ, "ANXIN_DATA_DIR": str(data_dir)},
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def test_two_processes_serve_one_conversation(data_dir_with_index, database_url, tmp_path):
    a, url_a = _serve(data_dir_with_index, database_url, tmp_path, "a")
    b, url_b = _serve(data_dir_with_index, database_url, tmp_path, "b")
    try:
        wait_for(f"{url_a}/readyz", 90)
        wait_for(f"{url_b}/readyz", 90)
        headers = {"Authorization": f"Bearer {_token(data_dir_with_index)}"}
        conversation = httpx.post(f"{url_a}/v1/conversations", headers=headers).json()["id"]

        first = httpx.post(
            f"{url_b}/v1/conversations/{conversation}/messages",
            timeout=30,
            json={"text": "科创板开户需要什么条件？"},
            headers={**headers, "Idempotency-Key": "same"},
        )
        retried = httpx.post(
            f"{url_a}/v1/conversations/{conversation}/messages",
            timeout=30,
            json={"text": "科创板开户需要什么条件？"},
            headers={**headers, "Idempotency-Key": "same"},
        )
        assert first.status_code == 200 and first.json() == retried.json()
        reply = first.json()["reply"]
        assert "50万" in reply["text"] and "24个月" in reply["text"]
        assert reply["citations"][0]["article_id"] == "star-market-permission"

        _ask(url_a, conversation, "港股通開通條件是什麼", headers, timeout=30)
        listed = httpx.get(
            f"{url_b}/v1/conversations/{conversation}/messages", headers=headers
        ).json()["messages"]
        assert [m["role"] for m in listed] == ["client", "assistant"] * 2
    finally:
        stop(a)
        stop(b)


def test_vector_store_outage_degrades_but_keeps_the_message(tmp_path):
    chroma, chroma_url = start_chroma(tmp_path / "chroma", tmp_path / "chroma.log")
    database_url = f"sqlite:///{tmp_path / 'svc.db'}"
    server, url = _serve(
        tmp_path / "svc", database_url, tmp_path, "svc", ANXIN_CHROMA_URL=chroma_url
    )
    try:
        wait_for(f"{url}/readyz", 240)  # first start indexes every article into the server
        headers = {"Authorization": f"Bearer {_token(tmp_path / 'svc')}"}
        conversation = httpx.post(f"{url}/v1/conversations", headers=headers).json()["id"]
        ok = _ask(url, conversation, "印花税怎么收", headers, timeout=30).json()["reply"]
        assert ok["status"] == "answered"

        stop(chroma)
        degraded = _ask(url, conversation, "两融开通条件是什么", headers, timeout=60)
        assert degraded.status_code == 200
        assert degraded.json()["reply"]["status"] == "degraded"
        assert "暂时无法查询" in degraded.json()["reply"]["text"]
        assert httpx.get(f"{url}/readyz").status_code == 503

        listed = httpx.get(
            f"{url}/v1/conversations/{conversation}/messages", headers=headers
        ).json()["messages"]
        assert [m["text"] for m in listed if m["role"] == "client"] == [
            "印花税怎么收",
            "两融开通条件是什么",
        ]
        log = (tmp_path / "svc.log").read_text()
        assert "WARNING" in log and "两融" not in log
    finally:
        stop(server)
        stop(chroma)


def test_knowledge_base_loads_when_the_chroma_server_starts_late(tmp_path):
    port = free_port()
    server, url = _serve(
        tmp_path / "late",
        f"sqlite:///{tmp_path / 'late.db'}",
        tmp_path,
        "late",
        ANXIN_CHROMA_URL=f"http://127.0.0.1:{port}",
        ANXIN_KB_RETRY_SECONDS="1",
    )
    chroma = None
    try:
        wait_for(f"{url}/healthz", 60)
        assert httpx.get(f"{url}/readyz").status_code == 503
        headers = {"Authorization": f"Bearer {_token(tmp_path / 'late')}"}
        conversation = httpx.post(f"{url}/v1/conversations", headers=headers).json()["id"]
        early = _ask(url, conversation, "印花税怎么收", headers, timeout=30).json()["reply"]
        assert early["status"] == "degraded"

        chroma, _ = start_chroma(tmp_path / "chroma", tmp_path / "chroma.log", port=port)
        wait_for(f"{url}/readyz", 240)
        late = _ask(url, conversation, "印花税怎么收", headers, timeout=30).json()["reply"]
        assert late["status"] == "answered"
        assert late["citations"][0]["article_id"] == "stamp-duty"
    finally:
        stop(server)
        if chroma is not None:
            stop(chroma)
