"""The rule book: every rule's own examples, the filter's own words, and malformed rule files."""

import re
import shutil
from pathlib import Path

import pytest

from agent.compliance import ComplianceFilter, ReplyContext, RuleBook, RuleError
from agent.compliance.rules import RULES_DIR
from agent.compliance.speed import guarded

BOOK = RuleBook.load()
PATTERN_RULES = [r for r in BOOK.output_rules if r.check is None]
SUITABILITY = next(r for r in BOOK.output_rules if r.check == "suitability")


@pytest.fixture(scope="module")
def compliance():
    return ComplianceFilter(BOOK)


def _fired(result):
    return {i.rule_id for i in result.interventions}


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in PATTERN_RULES for t in r.examples["trigger"]],
)
def test_each_trigger_example_fires_its_rule(compliance, rule_id, text):
    assert rule_id in _fired(compliance.check_reply(text, ReplyContext()))


@pytest.mark.parametrize(
    ("rule_id", "text"),
    [(r.id, t) for r in BOOK.output_rules for t in r.examples.get("pass", [])],
)
def test_each_pass_example_goes_through_untouched(compliance, rule_id, text):
    context = ReplyContext(client_risk_level="C2", product_risk_levels=("R4",))
    result = compliance.check_reply(text, context)
    assert not result.changed, (rule_id, _fired(result))
    assert result.text == text


@pytest.mark.parametrize("text", SUITABILITY.examples["trigger"])
def test_suitability_examples_fire_only_above_the_clients_level(compliance, text):
    low = compliance.check_reply(text, ReplyContext(client_risk_level="C2"))
    high = compliance.check_reply(text, ReplyContext(client_risk_level="C5"))
    assert SUITABILITY.id in _fired(low)
    assert not high.changed


def _filter_words():
    for group in ("disclosures", "templates", "safe_replies"):
        for key, entry in BOOK.messages[group].items():
            for language in ("zh", "en"):
                yield f"{group}.{key}.{language}", language, entry[language]


@pytest.mark.parametrize(("name", "language", "text"), list(_filter_words()))
def test_the_filters_own_words_pass_every_rule(compliance, name, language, text):
    for level in (None, "C1", "C3"):
        context = ReplyContext(
            language=language, client_risk_level=level, product_risk_levels=("R5",)
        )
        result = compliance.check_reply(text, context)
        assert result.interventions == () and result.text == text, (name, level)


def test_the_safe_reply_offers_a_person_through_the_app_and_no_command():
    for language in ("zh", "en"):
        text = BOOK.message("safe_replies", "blocked", language)
        assert "「我的—联系客服」" in text
        assert "转人工" not in text


def test_every_rule_has_a_category_severity_and_known_language():
    for rule in BOOK.output_rules + BOOK.input_rules:
        assert rule.category and rule.severity
        assert set(rule.languages) <= {"zh", "en"}


def _copy_rules(tmp_path: Path) -> Path:
    target = tmp_path / "compliance"
    shutil.copytree(RULES_DIR, target)
    return target


def test_a_rule_without_trigger_examples_is_refused(tmp_path):
    rules = _copy_rules(tmp_path)
    path = rules / "output-rules.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "      trigger:\n        - 这款理财保本保息",
            "      xtrigger:\n        - 这款理财保本保息",
            1,
        ),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="out-promise-principal-or-returns.*examples.trigger"):
        RuleBook.load(rules)


def test_a_bad_pattern_names_the_rule(tmp_path):
    rules = _copy_rules(tmp_path)
    path = rules / "output-rules.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("'刚性兑付|刚兑'", "'刚性兑付(|刚兑'", 1), encoding="utf-8")
    with pytest.raises(RuleError, match="out-promise-principal-or-returns: bad zh pattern"):
        RuleBook.load(rules)


def test_an_unknown_template_or_missing_file_is_refused(tmp_path):
    rules = _copy_rules(tmp_path)
    path = rules / "output-rules.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("template: no_urging", "template: no_such"),
        encoding="utf-8",
    )
    with pytest.raises(RuleError, match="no_such"):
        RuleBook.load(rules)
    (rules / "aliases.yaml").unlink()
    with pytest.raises(RuleError, match="aliases.yaml"):
        RuleBook.load(rules)


@pytest.mark.parametrize(
    "pattern",
    [
        r"(?<![确担])保本(?![人次])|(您|你)?的?保息",
        r"\d{6}\S{0,6}(值得|可以)买",
        r"(一定|肯定)(会|能)?(赚|涨)|x?",
        r"(?<![a-z0-9])(?:(i|we) (would )?recommend)(?![a-z])",
    ],
)
def test_the_first_character_guard_changes_no_match(pattern):
    guarded_pattern = re.compile(guarded(pattern))
    plain = re.compile(pattern)
    texts = [
        "这款产品保本",
        "确保本人",
        "您的保息",
        "600519现在值得买",
        "一定会涨",
        "we recommend",
        "x",
    ]
    for text in texts:
        found = guarded_pattern.search(text)
        expected = plain.search(text)
        assert (found and found.span()) == (expected and expected.span()), (pattern, text)
