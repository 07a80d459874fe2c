"""Start-up time and resident memory of `anxin serve`.

    .venv/bin/python benchmarks/service_footprint.py [--conversations 100]

Indexes the shipped articles into a fresh data directory first (not timed), then starts the
service as a newcomer would, times start-up to a 200 from /readyz, holds the given number of
conversations (two questions each) through the HTTP API, and reads the process's resident memory
(VmRSS, and the peak VmHWM) from /proc. Talks only to 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
QUESTIONS = [
    "科创板开户需要什么条件？",
    "转账几点能转",
    "印花税怎么收",
    "港股通開通條件是什麼",
    "密码输错被锁了怎么办",
    "打新中签了怎么缴款",
    "两融开通要多少资产",
    "你们能帮我买美股期权吗",
]


def rss_kib(pid: int) -> dict[str, int]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0])
    return fields


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        env = {**os.environ, "ANXIN_DATA_DIR": directory, "ANXIN_PORT": "18731"}
        subprocess.run(
            [str(BIN / "anxin"), "kb", "index"], env=env, check=True, capture_output=True
        )
        token = subprocess.run(
            [str(BIN / "anxin"), "token", "--sub", "C001"],
            env=env,
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
        started = time.perf_counter()
        server = subprocess.Popen(
            [str(BIN / "anxin"), "serve"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            url = "http://127.0.0.1:18731"
            while True:
                try:
                    if httpx.get(f"{url}/readyz", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.perf_counter() - started > 120:
                    raise TimeoutError("service not ready in 120 s")
                time.sleep(0.05)
            startup = time.perf_counter() - started
            memory_ready = rss_kib(server.pid)
            headers = {"Authorization": f"Bearer {token}"}
            turn_ms = []
            with httpx.Client(base_url=url, headers=headers, timeout=30) as client:
                for n in range(args.conversations):
                    conversation = client.post("/v1/conversations").json()["id"]
                    for question in (
                        QUESTIONS[n % len(QUESTIONS)],
                        QUESTIONS[(n + 3) % len(QUESTIONS)],
                    ):
                        t = time.perf_counter()
                        client.post(
                            f"/v1/conversations/{conversation}/messages", json={"text": question}
                        ).raise_for_status()
                        turn_ms.append((time.perf_counter() - t) * 1000)
            memory_after = rss_kib(server.pid)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(10)
    turn_ms.sort()
    result = {
        "benchmark": "service_footprint",
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count()},
        "startup_to_ready_seconds": round(startup, 2),
        "rss_ready_mib": round(memory_ready["VmRSS"] / 1024, 1),
        "conversations": args.conversations,
        "turns": len(turn_ms),
        "rss_after_mib": round(memory_after["VmRSS"] / 1024, 1),
        "peak_rss_mib": round(memory_after["VmHWM"] / 1024, 1),
        "http_turn_ms_p50": round(turn_ms[len(turn_ms) // 2], 1),
        "http_turn_ms_p95": round(turn_ms[int(len(turn_ms) * 0.95)], 1),
    }
    out = Path("benchmarks/results/service_footprint.json")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
