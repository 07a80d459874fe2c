"""The shipped knowledge base: complete, well-formed, and honest about configurable facts."""

import re

import pytest
import yaml

from knowledge.articles import ARTICLES_DIR, KNOWLEDGE_DIR, ArticleError, load_articles, load_policy

CATALOGUE = yaml.safe_load((KNOWLEDGE_DIR / "catalogue.yaml").read_text(encoding="utf-8"))
ARTICLES = load_articles()
BY_ID = {a.id: a for a in ARTICLES}


def test_at_least_45_articles_and_they_match_the_catalogue():
    assert len(ARTICLES) >= 45
    assert {a["id"] for a in CATALOGUE["articles"]} == set(BY_ID)
    for entry in CATALOGUE["articles"]:
        assert BY_ID[entry["id"]].title == entry["title"]


@pytest.mark.parametrize(
    "topic",
    [
        "account-opening",
        "account-cancellation",
        "app-login-problems",
        "password-reset",
        "account-unlock",
        "bank-transfer-hours",
        "trading-hours",
        "t-plus-one",
        "price-limits",
        "order-lot-size",
        "call-auction",
        "order-not-filled",
        "trading-fees",
        "stamp-duty",
        "commission-adjustment",
        "ipo-subscription",
        "ipo-payment",
        "margin-trading-eligibility",
        "star-market-permission",
        "chinext-permission",
        "bse-permission",
        "stock-connect",
        "options-eligibility",
        "funds-basics",
        "risk-assessment",
        "suitability-matching",
        "dividends",
        "dividend-tax",
        "statements",
        "account-security",
        "fraud-warning",
        "complaints",
        "market-volatility",
        "assistant-scope",
    ],
)
def test_every_required_topic_has_an_article(topic):
    assert len(BY_ID[topic].body) > 200


def test_front_matter_is_complete():
    for article in ARTICLES:
        assert article.intents, article.id
        assert len(article.tags) >= 3, article.id
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", article.updated), article.id
        assert len(article.questions) >= 10, article.id


def test_policy_placeholders_are_all_filled_in():
    for article in ARTICLES:
        assert "{{" not in article.body, article.id


def test_policy_values_reach_the_article_text():
    policy = load_policy()
    assert policy["transfer_hours"] in BY_ID["bank-transfer-hours"].body
    assert "bank-transfer-hours" in {a.id for a in ARTICLES if "transfer_hours" in a.policy}


def test_products_and_permissions_carry_a_risk_level():
    for article_id in (
        "margin-trading-eligibility",
        "options-eligibility",
        "stock-connect",
        "star-market-permission",
        "money-market-fund",
    ):
        assert BY_ID[article_id].risk_level in {"R1", "R2", "R3", "R4", "R5"}
    assert BY_ID["money-market-fund"].risk_level == "R1"
    assert BY_ID["password-reset"].risk_level is None


def test_verified_figures_are_stated():
    assert "50万" in BY_ID["star-market-permission"].body
    assert "24个月" in BY_ID["star-market-permission"].body
    assert "0.05%" in BY_ID["stamp-duty"].body
    assert "10万" in BY_ID["chinext-permission"].body


def test_no_article_promises_returns():
    promise = re.compile(r"(稳赚|保证收益|包赚|只赚不赔|保本)")
    warning = re.compile(r"(不得|不会|禁止|诈骗|警惕|不可信|不保证|不承诺|虚假|骗)")
    for article in ARTICLES:
        for section in re.split(r"\n## ", article.body):
            if promise.search(section):
                # Naming such a promise is allowed only in a section that warns against it.
                assert warning.search(section), (article.id, section[:60])


def test_unknown_policy_key_is_a_clear_error(tmp_path):
    (tmp_path / "x-article.md").write_text(
        "---\nid: x-article\ntitle: X\npolicy: [nope]\n---\n# X\n见{{nope}}。\n", encoding="utf-8"
    )
    with pytest.raises(ArticleError, match="not in policy.yaml"):
        load_articles(tmp_path)


def test_undeclared_placeholder_is_a_clear_error(tmp_path):
    (tmp_path / "y-article.md").write_text(
        "---\nid: y-article\ntitle: Y\n---\n# Y\n见{{app_name}}。\n", encoding="utf-8"
    )
    with pytest.raises(ArticleError, match="must list exactly"):
        load_articles(tmp_path)


def test_id_must_match_file_name(tmp_path):
    (tmp_path / "z.md").write_text("---\nid: other\ntitle: Z\n---\n# Z\n正文。\n", encoding="utf-8")
    with pytest.raises(ArticleError, match="must match the file name"):
        load_articles(tmp_path)


def test_articles_directory_is_inside_the_package():
    assert ARTICLES_DIR.parent == KNOWLEDGE_DIR
