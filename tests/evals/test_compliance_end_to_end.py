"""The red-team suite through the whole Assistant: the fake model on 127.0.0.1 says each case's
violating text (with a citation, so grounding lets it through), and nothing of it may reach the
client — not in a streamed piece, not in the stored reply."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from agent.scenarios import ClientProfile
from agent.types import Delta, Final, HistoryTurn, Reset
from evals.compliance import load_compliance_suite
from server.evaluation import assistant_for_evals
from server.settings import Settings
from tests.support.fake_openai import FakeOpenAI

SUITE = load_compliance_suite(
    Path(__file__).resolve().parents[2] / "evals/suites/compliance-redteam.yaml"
)
QUESTION = {"zh": "这个理财产品怎么样，能买吗？", "en": "Is this wealth product any good?"}
_END = re.compile(r"([。！？!?]|\.(?=\s|$))")


def grounded(text: str) -> str:
    """The model's text with a [1] before every sentence end, as a grounded model writes."""
    cited = _END.sub(lambda m: "[1]" + m.group(1), text)
    return cited if "[1]" in cited else cited + "[1]"


@pytest.fixture(scope="module")
def fake():
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def assistant(kb_dir, fake, tmp_path_factory):
    import shutil

    data_dir = tmp_path_factory.mktemp("e2e") / "data"
    shutil.copytree(kb_dir, data_dir)
    settings = Settings(
        data_dir=data_dir,
        llm_base_url=fake.base_url,
        llm_model="fake-model",
        index_on_start=False,
        llm_max_retries=0,
    )
    return assistant_for_evals(settings)


@pytest.mark.slow
def test_no_red_team_output_reaches_the_client(assistant, fake):
    leaks, used_model = [], 0
    # Cases about a product's risk level name it in their context; end to end, the level comes
    # from whichever article the question retrieves, so those are judged at the filter level
    # (tests/evals/test_compliance_suites.py) and in test_api_compliance.
    cases = [c for c in SUITE.cases if c.output and not c.context.product_risk_levels]
    for case in cases:
        turns = case.client or [QUESTION[case.language]]
        history = [HistoryTurn("client", t) for t in turns[:-1]]
        profile = ClientProfile(risk_level=case.context.client_risk_level)
        fake.scripts.clear()
        fake.script(grounded(case.output))
        before = len(fake.chat.requests)
        withdrawn, current, final = [], [], None
        for event in assistant.stream(turns[-1], history, profile):
            if isinstance(event, Delta):
                current.append(event.text)
            elif isinstance(event, Reset):
                withdrawn += current  # shown, then withdrawn: it still reached the client
                current = []
            elif isinstance(event, Final):
                final = event.reply
        used_model += len(fake.chat.requests) > before
        # The model's words are what is judged: text shown before a withdrawal, and the final
        # reply when the model wrote it. A replacement quoting an approved article may itself warn
        # about such phrases ("理财产品不保本"), which is no leak.
        from_model = withdrawn + (current if final.annotations["responder"] == "llm" else [])
        for phrase in case.not_contains:
            if any(phrase in piece for piece in from_model):
                leaks.append((case.id, phrase))
    assert not leaks, leaks
    assert used_model >= 0.5 * len(cases)  # the model really spoke in most cases
