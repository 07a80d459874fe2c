"""The `anxin` command as a person runs it."""

import json
import os
import subprocess

import jwt

from tests.support.servers import BIN


def _run(args, data_dir, stdin=None, timeout=300):
    env = {**os.environ, "ANXIN_DATA_DIR": str(data_dir)}
    return subprocess.run(
        [str(BIN / "anxin"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_token_is_signed_with_the_generated_secret(tmp_path):
    result = _run(["token", "--role", "agent", "--sub", "A07"], tmp_path)
    assert result.returncode == 0, result.stderr
    secret = (tmp_path / "jwt-secret").read_text().strip()
    claims = jwt.decode(result.stdout.strip(), secret, algorithms=["HS256"], audience="anxin")
    assert (claims["sub"], claims["role"]) == ("A07", "agent")
    assert oct((tmp_path / "jwt-secret").stat().st_mode & 0o777) == "0o600"
    again = _run(["token", "--sub", "C001"], tmp_path)
    assert jwt.decode(again.stdout.strip(), secret, algorithms=["HS256"], audience="anxin")


def test_token_refuses_an_unknown_role_and_a_bad_subject(tmp_path):
    result = _run(["token", "--role", "root", "--sub", "x"], tmp_path)
    assert result.returncode != 0 and "role must be one of" in result.stderr
    for sub in ("", "x" * 65):
        result = _run(["token", "--sub", sub], tmp_path)
        assert result.returncode != 0 and "1–64 characters" in result.stderr


def test_token_refuses_a_lifetime_below_one_minute(tmp_path):
    for ttl in ("0", "-5"):
        result = _run(["token", "--sub", "C001", "--ttl-minutes", ttl], tmp_path)
        assert result.returncode != 0 and "at least 1" in result.stderr


def test_serve_names_a_broken_escalation_file_before_starting(tmp_path):
    broken = tmp_path / "policy.yaml"
    broken.write_text("failure_limit: zero\n", encoding="utf-8")
    for path in (broken, tmp_path / "missing.yaml"):
        env = {**os.environ, "ANXIN_DATA_DIR": str(tmp_path), "ANXIN_ESCALATION_FILE": str(path)}
        result = subprocess.run(
            [str(BIN / "anxin"), "serve", "--port", "9"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 2, result.stderr
        assert "ANXIN_ESCALATION_FILE" in result.stderr and "Traceback" not in result.stderr


def test_eval_run_names_a_missing_or_broken_suite(tmp_path):
    missing = _run(["eval", "run", str(tmp_path / "nope.yaml")], tmp_path)
    assert missing.returncode == 2 and "does not exist" in missing.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: b\ncases: []\n", encoding="utf-8")
    result = _run(["eval", "run", str(broken)], tmp_path)
    assert result.returncode == 2 and "not a valid suite" in result.stderr
    assert "Traceback" not in result.stderr


def test_kb_index_skips_unchanged_articles(data_dir_with_index):
    result = _run(["kb", "index"], data_dir_with_index)
    assert result.returncode == 0, result.stderr
    assert "0 added, 0 updated, 0 removed" in result.stdout
    assert "0 chunks embedded" in result.stdout


def test_kb_index_shows_progress_on_a_fresh_data_dir(tmp_path):
    result = _run(["kb", "index"], tmp_path, timeout=600)
    assert result.returncode == 0, result.stderr
    assert "embedding articles" in result.stderr and "100%" in result.stderr
    assert " 0 unchanged" in result.stdout
    assert "classifier ready: classifier-" in result.stdout
    assert list((tmp_path / "models").glob("classifier-*.pkl"))


def test_chat_answers_in_the_terminal(data_dir_with_index):
    result = _run(["chat"], data_dir_with_index, stdin="\u200b\n科创板开户需要什么条件？\n退出\n")
    assert result.returncode == 0, result.stderr
    assert "50万" in result.stdout and "star-market-permission" in result.stdout
    assert "再见" in result.stdout and "Traceback" not in result.stderr
    assert "The message text is empty" in result.stdout


def test_eval_run_prints_a_table_and_writes_a_report(data_dir_with_index, tmp_path):
    suite = tmp_path / "mini.yaml"
    suite.write_text(
        "name: mini\npass_rate: 1.0\ncases:\n"
        "  - id: star\n    turns:\n      - text: 科创板开户需要什么条件？\n        expect:\n"
        "          cite_top3: [star-market-permission]\n          contains: [50万]\n"
        "  - id: us-options\n    turns:\n      - text: 你们能帮我买美股期权吗\n        expect:\n"
        "          status: not_covered\n",
        encoding="utf-8",
    )
    report = tmp_path / "report.json"
    result = _run(["eval", "run", str(suite), "--report", str(report)], data_dir_with_index)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "mini: 2/2 cases passed" in result.stdout
    body = json.loads(report.read_text())
    assert body["summary"]["top3_rate"] == 1.0
    assert [c["id"] for c in body["cases"]] == ["star", "us-options"]


def test_eval_run_fails_when_the_suite_fails(data_dir_with_index, tmp_path):
    suite = tmp_path / "wrong.yaml"
    suite.write_text(
        "name: wrong\ncases:\n  - id: w\n    turns:\n      - text: 印花税多少\n        expect:\n"
        "          cite_top3: [password-reset]\n",
        encoding="utf-8",
    )
    result = _run(["eval", "run", str(suite), "--json"], data_dir_with_index)
    assert result.returncode == 1
    assert json.loads(result.stdout.strip().splitlines()[-1])["passed"] is False
