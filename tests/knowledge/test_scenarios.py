"""The shipped scenarios: complete, bilingual, faithful to their articles, safe to send."""

import re

import pytest

from knowledge.articles import load_articles, load_policy
from knowledge.scenarios import SCENARIOS_DIR, ScenarioError, load_scenarios

SCENARIOS = load_scenarios()
BY_ID = {s.id: s for s in SCENARIOS}
ARTICLES = {a.id: a for a in load_articles()}
HIGH_FREQUENCY = [
    "account-opening",
    "password-reset",
    "transfer-failed",
    "order-not-filled",
    "commission-enquiry",
    "commission-adjustment",
    "ipo-payment",
    "margin-call-warning",
    "star-market-permission",
    "chinext-permission",
    "risk-reassessment",
    "statement-request",
    "app-crash",
    "app-login-failure",
    "market-crash-anxiety",
    "complaint",
]
NEEDS_RISK_REMINDER = [
    "ipo-payment",
    "margin-call-warning",
    "star-market-permission",
    "chinext-permission",
    "stock-connect-permission",
    "buying-above-risk-level",
    "market-crash-anxiety",
]
_CJK = re.compile(r"[\u4e00-\u9fff]")
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_QUOTED = re.compile(r"「[^」]*」|'[^']*'")


def _texts(scenario, language):
    text = scenario.text(language)
    return [text.title, text.opening, *text.steps, *text.follow_up, text.risk_reminder or ""]


def _numbers(text: str) -> set[str]:
    found = {n.replace(",", "") for n in _NUMBER.findall(text)}
    # Articles write 50万; English texts write 500,000.
    found |= {str(int(float(n)) * 10000) for n in re.findall(r"(\d+(?:\.\d+)?)万", text)}
    return found


def test_at_least_22_scenarios_covering_the_high_frequency_cases():
    assert len(SCENARIOS) >= 22
    assert set(HIGH_FREQUENCY) <= set(BY_ID)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_every_scenario_is_complete_in_both_languages(scenario):
    assert len(scenario.examples) >= 6
    assert any(_CJK.search(e) for e in scenario.examples)
    assert any(not _CJK.search(e) for e in scenario.examples)
    for language in ("zh", "en"):
        text = scenario.text(language)
        assert text.title and text.opening and text.steps and text.follow_up
        assert bool(text.risk_reminder) == scenario.risk_reminder


@pytest.mark.parametrize("scenario_id", NEEDS_RISK_REMINDER)
def test_risky_cases_carry_a_risk_reminder(scenario_id):
    scenario = BY_ID[scenario_id]
    assert scenario.risk_reminder
    assert "风险" in scenario.zh.risk_reminder and "risk" in scenario.en.risk_reminder.lower()


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_policy_values_are_filled_and_english_is_english(scenario):
    for language in ("zh", "en"):
        for piece in _texts(scenario, language):
            assert "{{" not in piece and "}}" not in piece
    for piece in _texts(scenario, "en"):
        assert not _CJK.search(piece), piece


def test_policy_values_reach_the_scenario_text():
    policy = load_policy()
    assert policy["transfer_hours"] in " ".join(_texts(BY_ID["transfer-failed"], "zh"))
    assert policy["margin_closeout_ratio"] in BY_ID["margin-call-warning"].zh.steps[0]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_no_number_that_its_articles_do_not_contain(scenario):
    source = " ".join(ARTICLES[a].body for a in scenario.articles)
    allowed = _numbers(source)
    for language in ("zh", "en"):
        for piece in _texts(scenario, language):
            invented = _numbers(piece) - allowed
            assert not invented, f"{scenario.id} [{language}] {sorted(invented)} in: {piece}"


_ASKS_FOR_SECRET = re.compile(
    r"请(?!不|勿)[^。；，]{0,4}(提供|告诉|发送|发给)[^。；，]{0,6}(密码|验证码)"
    r"|\b(send|give|tell)\s+(us|me)\b[^.]{0,20}\b(password|code)",
    re.I,
)
_PROMISES = re.compile(
    r"保本|保收益|保证收益|稳赚|包赚|包赔|无风险|零风险|一定会涨|必涨|会反弹|(?<!不)(?<!不能)建议(您)?(买入|卖出|持有)"
    r"|guarantee|risk-free|will (rise|recover|bounce)|sure to rise|you should (buy|sell|hold)",
    re.I,
)


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_no_scenario_asks_for_secrets_or_promises_returns(scenario):
    for language in ("zh", "en"):
        for piece in _texts(scenario, language):
            assert not _ASKS_FOR_SECRET.search(piece), piece
            # Quoting a scam's words to warn about them is allowed.
            assert not _PROMISES.search(_QUOTED.sub("", piece)), piece


def test_market_crash_scenario_is_calm_and_predicts_nothing():
    scenario = BY_ID["market-crash-anxiety"]
    assert scenario.intents == ("market_distress",)
    zh = " ".join(_texts(scenario, "zh"))
    assert "持牌投资顾问" in zh and "不能判断涨跌" in zh
    assert not re.search(r"抄底|加仓|割肉|止损|会涨|会跌", _QUOTED.sub("", zh))
    en = " ".join(_texts(scenario, "en")).lower()
    assert "licensed investment adviser" in en and "cannot judge" in en


def test_examples_and_near_misses_do_not_contradict_each_other():
    owner = {}
    for scenario in SCENARIOS:
        for example in scenario.examples:
            assert owner.setdefault(example, scenario.id) == scenario.id, example
    for scenario in SCENARIOS:
        for near in scenario.near_misses:
            assert near not in owner, f"{scenario.id}: near miss '{near}' is an example elsewhere"


def test_every_scenario_cites_articles_that_serve_its_intents():
    for scenario in SCENARIOS:
        assert scenario.articles and all(a in ARTICLES for a in scenario.articles)


# Broken files: each mistake is reported with the file's name and what to fix.

GOOD = (SCENARIOS_DIR / "password-reset.yaml").read_text(encoding="utf-8")


def _broken(tmp_path, name, text):
    (tmp_path / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("id: password-reset", "id: other"), "must match the file name"),
        (("intents: [password_unlock]", "intents: [nope]"), "not in catalogue.yaml"),
        (("articles: [password-reset]", "articles: [no-such-article]"), "do not exist"),
        (("risk_reminder: false", "risk_reminder: true"), "risk_reminder text"),
        (("risk_reminder: false", "risk_reminder: maybe"), "true or false"),
        (("{client_name}，别着急", "{account_no}，别着急"), "unknown slots"),
        (("打开{{app_name}}", "打开{{no_such_key}}"), "not in policy.yaml"),
        (("打开{{app_name}}", "打开{{margin_closeout_ratio}}"), "not used by its articles"),
        (("examples:", "colour: red\nexamples:"), "unknown keys"),
        (("  title: 重置交易密码或资金密码\n", ""), "needs 'title'"),
        (("zh:\n", "zh: [\n"), "not valid YAML"),
    ],
)
def test_a_broken_scenario_file_is_a_clear_error(tmp_path, change, message):
    old, new = change
    assert old in GOOD
    directory = _broken(tmp_path, "password-reset", GOOD.replace(old, new, 1))
    with pytest.raises(ScenarioError, match=re.escape(message)) as caught:
        load_scenarios(directory)
    assert str(caught.value).startswith("password-reset.yaml")


def test_too_few_or_monolingual_examples_are_rejected(tmp_path):
    text = re.sub(r"examples:\n(  - .*\n)+", "examples: [a, b, c]\n", GOOD)
    with pytest.raises(ScenarioError, match="at least 6 examples"):
        load_scenarios(_broken(tmp_path, "password-reset", text))
    chinese_only = re.sub(r"  - \"?[A-Za-z].*\n", "", GOOD.split("near_misses:")[0])
    text = chinese_only + "near_misses:" + GOOD.split("near_misses:")[1]
    with pytest.raises(ScenarioError, match="both Chinese and English"):
        load_scenarios(_broken(tmp_path, "password-reset", text))


def test_a_missing_language_is_named(tmp_path):
    directory = _broken(tmp_path, "password-reset", GOOD.split("\nen:")[0] + "\n")
    with pytest.raises(ScenarioError, match=re.escape("needs ['en']")):
        load_scenarios(directory)


def test_an_empty_directory_is_a_clear_error(tmp_path):
    with pytest.raises(ScenarioError, match="no scenario files"):
        load_scenarios(tmp_path)
