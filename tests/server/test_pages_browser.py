"""The web pages in a real browser: Debian's Chromium, headless, driven by Playwright, against the
real app under uvicorn on 127.0.0.1 with the real index and a real database.

Nothing is downloaded: Playwright is pointed at /usr/bin/chromium. Without that browser the tests
are skipped, unless ANXIN_REQUIRE_BROWSER=1 (as in CI), where a missing browser fails them.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from server.app import create_app
from server.auth import issue_token
from server.settings import Settings
from server.storage.models import Feedback, Handoff, KnowledgeDraft, Message
from tests.support.app_server import serving

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError:  # the dev extra is not installed
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
# Read at import: the clean_env fixture removes every ANXIN_* variable before each test runs.
REQUIRE_BROWSER = os.environ.get("ANXIN_REQUIRE_BROWSER") == "1"
WAIT_MS = 15_000  # the longest wait for anything to appear; an Assistant turn takes ~1 s
CLIENT_HTML = '<img src=x onerror="document.body.dataset.pwned=1">看不到图片'
AGENT_HTML = "<b>加粗</b><script>document.body.dataset.pwned=2</script>"
REPLY = "您好，我是人工客服，已经看到您的问题，马上为您处理。"


@dataclass
class Site:
    base: str
    settings: Settings
    app: object

    def token(self, sub: str, role: str) -> str:
        return issue_token(self.settings.signing_secret(), sub, role, 60)

    def sessions(self):
        return self.app.state.services.sessions()


@pytest.fixture(scope="module")
def browser():
    if sync_playwright is None or not CHROMIUM.exists():
        why = f"needs {CHROMIUM} and the playwright package (the dev extra)"
        if REQUIRE_BROWSER:
            pytest.fail(f"ANXIN_REQUIRE_BROWSER=1 but the browser test {why}")
        pytest.skip(f"the browser test {why}")
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        # Every address but 127.0.0.1 goes to a closed proxy port: the pages must need nothing
        # from outside, and the browser may reach nothing there.
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            headless=True,
            proxy={"server": "http://127.0.0.1:9", "bypass": "127.0.0.1"},
        )
        yield chromium
        chromium.close()


@pytest.fixture
def site(data_dir_with_index, database_url) -> Iterator[Site]:
    settings = Settings(data_dir=data_dir_with_index, database_url=database_url)
    app = create_app(settings)
    with serving(app) as base:
        yield Site(base, settings, app)


@contextmanager
def opened(browser, site: Site, path: str, sub: str, role: str):
    """A page in its own browser context (own sessionStorage), signed in through the fragment.
    Requests to anywhere but our server are collected and must stay empty."""
    context = browser.new_context()
    outside: list[str] = []

    def note_outside(request) -> None:
        if not request.url.startswith(site.base + "/"):
            outside.append(request.url)

    context.on("request", note_outside)
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{site.base}{path}#token={site.token(sub, role)}")
    try:
        yield page
    finally:
        context.close()
    assert outside == []


@pytest.mark.slow
def test_client_escalates_agent_takes_over_live_then_resolves_and_client_rates(browser, site):
    with (
        opened(browser, site, "/chat", "C001", "client") as chat,
        opened(browser, site, "/console", "A001", "agent") as console,
    ):
        # The token was read from the fragment once, then cleared from the address bar.
        assert "token" not in chat.url and "token" not in console.url
        expect(chat.locator("#live-state")).to_have_attribute("data-state", "live")
        expect(chat.locator("#conversation-id")).not_to_be_empty()
        conversation = chat.locator("#conversation-id").inner_text()
        chat.evaluate("window.sameDocument = true")  # gone if the page ever reloads
        expect(console.locator("#waiting")).to_have_text("暂无")  # the queue is polled from here

        _say(chat, "转人工")
        expect(chat.locator('.msg[data-notice="queued"]')).to_contain_text("前面还有0位")
        expect(chat.locator("#handoff-state")).to_have_attribute("data-state", "waiting")
        _say(chat, CLIENT_HTML)
        expect(chat.locator(".msg.client .text").last).to_have_text(CLIENT_HTML)

        item = console.locator(f'#waiting button[data-conversation-id="{conversation}"]')
        expect(item).to_contain_text("要求转人工")
        expect(item).to_contain_text("普通")  # C001 is a basic-tier client
        expect(item.locator(".preview")).to_have_text(CLIENT_HTML)
        expect(item).to_have_attribute("data-overdue", "false")
        _make_overdue(site, conversation)
        expect(item).to_have_attribute("data-overdue", "true")  # at the next poll
        expect(item.locator(".badge.overdue")).to_have_text("超时")
        item.click()
        expect(console.locator("#package-summary")).to_contain_text("客户首先问：转人工")
        expect(console.locator("#reply-input")).to_have_value(re.compile("^您好，我是人工客服"))
        expect(console.locator(".msg.client .text").last).to_have_text(CLIENT_HTML)
        expect(console.locator("#send-reply")).to_be_disabled()  # not claimed yet

        console.click("#claim")
        expect(console.locator("#handoff-line")).to_have_attribute("data-status", "claimed")
        expect(chat.locator('.msg[data-notice="joined"]')).to_be_visible()  # live, no reload
        expect(console.locator("#mine")).to_contain_text(CLIENT_HTML)
        _say(chat, "好的，谢谢")
        expect(console.locator(".msg.client .text").last).to_have_text("好的，谢谢")  # live

        _reply(console, "放心买，这只股票保证收益，稳赚不赔")
        expect(console.locator("#action-error")).to_have_attribute("data-code", "message_blocked")
        expect(console.locator("#action-error")).to_contain_text("合规")
        _reply(console, REPLY)
        expect(chat.locator(".msg.agent .text")).to_have_text(REPLY)
        _reply(console, AGENT_HTML)
        expect(chat.locator(".msg.agent .text").last).to_have_text(AGENT_HTML)

        console.select_option("#transfer-queue", "private")
        console.click("#transfer")
        expect(chat.locator('.msg[data-notice="transferred"]')).to_contain_text("专属客户经理")
        expect(console.locator("#handoff-line")).to_have_attribute("data-status", "waiting")
        expect(console.locator("#handoff-line")).to_contain_text("专属客户经理")
        console.click("#claim")  # an agent also takes the private queue
        expect(console.locator("#handoff-line")).to_have_attribute("data-status", "claimed")
        console.fill("#reply-input", "客户很着急")
        console.click("#add-note")
        expect(console.locator(".msg.note .text")).to_have_text("客户很着急")

        console.click("#resolve")
        expect(chat.locator('.msg[data-notice="returned"]')).to_be_visible()
        expect(chat.locator("#rating")).to_be_visible()
        console.fill("#draft-title", "客户要人工的处理")
        console.click("#save-draft")
        expect(console.locator("#action-done")).to_have_attribute("data-key", "done_draft")
        assert chat.evaluate("window.sameDocument") is True
        for page in (chat, console):  # markup in messages stayed text: nothing was built or run
            assert page.locator("body img, body b, body script").count() == 0
            assert page.evaluate("document.body.dataset.pwned") is None
        assert chat.locator(".msg.note").count() == 0  # notes never reach the client

        for name, score in (("speed", "5"), ("resolution", "4"), ("attitude", "5")):
            chat.select_option(f'#rating-form select[name="{name}"]', score)
        chat.fill('#rating-form textarea[name="comment"]', "很快，谢谢")
        chat.click('#rating-form button[type="submit"]')
        expect(chat.locator("#rating-thanks")).to_be_visible()
        expect(chat.locator("#rating")).to_be_hidden()

        # Back with the Assistant: a cited answer, rated helpful.
        _say(chat, "科创板开户需要什么条件？")
        answer = chat.locator(".msg.assistant").last
        expect(answer.locator('li[data-article="star-market-permission"]')).to_be_visible()
        expect(answer.locator(".text")).to_contain_text("50万")
        answer.locator('button[data-helpful="true"]').click()
        expect(answer.locator('button[data-helpful="true"]')).to_have_attribute(
            "aria-pressed", "true"
        )
        answer_id = int(answer.get_attribute("data-id"))

    with site.sessions() as session:
        ratings = session.query(Feedback).filter(Feedback.conversation_id == conversation).all()
        assert [(r.speed, r.resolution, r.attitude, r.comment) for r in ratings] == [
            (5, 4, 5, "很快，谢谢")
        ]
        assert session.get(Message, answer_id).annotations["rating"] is True
        drafts = session.query(KnowledgeDraft).filter_by(conversation_id=conversation).all()
        assert [(d.title, d.created_by) for d in drafts] == [("客户要人工的处理", "A001")]
        assert REPLY in drafts[0].body


@pytest.mark.slow
def test_a_pasted_token_signs_in_and_english_stays_for_the_tab(browser, site):
    token = site.token("C002", "client")
    context = browser.new_context()
    try:
        chat = context.new_page()
        chat.set_default_timeout(WAIT_MS)
        chat.goto(f"{site.base}/chat?token={token}")  # a token in the query is never read
        expect(chat.locator("#signin")).to_be_visible()
        expect(chat.locator("#chat")).to_be_hidden()
        chat.fill("#token-input", token)
        chat.click('#signin-form button[type="submit"]')
        expect(chat.locator("#who")).to_have_text("客户 C002")
        expect(chat.locator("html")).to_have_attribute("lang", "zh-CN")
        expect(chat.locator("h1")).to_have_text("安心客服")
        expect(chat.locator("#send")).to_have_text("发送")
        expect(chat.locator("#conversation-id")).not_to_be_empty()
        conversation = chat.locator("#conversation-id").inner_text()

        chat.click("#language")
        expect(chat.locator("html")).to_have_attribute("lang", "en")
        expect(chat.locator("h1")).to_have_text("Anxin support")
        expect(chat.locator("#send")).to_have_text("Send")
        expect(chat.locator("#message-input")).to_have_attribute(
            "placeholder", re.compile("^Ask a question")
        )
        _say(chat, "What do I need to open STAR market trading?")
        expect(chat.locator(".msg.assistant .who").last).to_contain_text("Anxin assistant")

        chat.reload()  # the language, the token and the conversation stay for the tab
        expect(chat.locator("h1")).to_have_text("Anxin support")
        expect(chat.locator("#conversation-id")).to_have_text(conversation)
        expect(chat.locator(".msg.client .text").first).to_have_text(
            "What do I need to open STAR market trading?"
        )
        chat.click("#language")
        expect(chat.locator("h1")).to_have_text("安心客服")
    finally:
        context.close()

    with opened(browser, site, "/console", "A001", "agent") as console:
        expect(console.locator("#queue-heading")).to_have_text("排队")
        console.click("#language")
        expect(console.locator("#queue-heading")).to_have_text("Queue")
        expect(console.locator("#transfer-queue option").first).to_have_text("customer service")


def test_pages_carry_a_strict_content_security_policy(tmp_path):
    client = TestClient(create_app(Settings(data_dir=tmp_path)))  # pages need no services
    for path in ("/chat", "/console", "/web/chat.js", "/web/console.js", "/web/style.css"):
        response = client.get(path)
        assert response.status_code == 200, path
        policy = response.headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert response.headers["x-content-type-options"] == "nosniff"
    assert client.get("/web/pages.py").status_code == 404
    assert client.get("/web/..%2Fapp.py").status_code == 404


def _make_overdue(site: Site, conversation: str) -> None:
    """Moves the hand-off's request a year back, past every tier's target response time."""
    with site.sessions() as session:
        row = session.query(Handoff).filter_by(conversation_id=conversation).one()
        row.requested_at = row.requested_at.replace(year=row.requested_at.year - 1)
        session.commit()


def _say(chat, text: str) -> None:
    chat.fill("#message-input", text)
    chat.click("#send")
    expect(chat.locator("#send")).to_be_enabled()  # the turn has finished


def _reply(console, text: str) -> None:
    console.fill("#reply-input", text)
    console.click("#send-reply")
