import pytest

from prompts.registry import PromptRegistry, TemplateError


def test_newest_version_is_the_default_and_its_ref_names_it(tmp_path):
    (tmp_path / "greet.v1.yaml").write_text("zh:\n  hi: 你好{name}\n", encoding="utf-8")
    (tmp_path / "greet.v2.yaml").write_text(
        "zh:\n  hi: 您好{name}\nen:\n  hi: Hello {name}\n", encoding="utf-8"
    )
    registry = PromptRegistry(tmp_path)
    assert registry.get("greet").ref == "greet@2"
    assert registry.get("greet", 1).render("hi", "zh", name="张") == "你好张"
    assert registry.get("greet").render("hi", "en", name="Li") == "Hello Li"


def test_unknown_language_falls_back_to_chinese(tmp_path):
    (tmp_path / "greet.v1.yaml").write_text("zh:\n  hi: 你好\n", encoding="utf-8")
    assert PromptRegistry(tmp_path).get("greet").render("hi", "fr") == "你好"


def test_missing_names_versions_and_keys_are_clear_errors(tmp_path):
    (tmp_path / "greet.v1.yaml").write_text("zh:\n  hi: 你好\n", encoding="utf-8")
    registry = PromptRegistry(tmp_path)
    with pytest.raises(TemplateError, match="no template named"):
        registry.get("bye")
    with pytest.raises(TemplateError, match="no version 3"):
        registry.get("greet", 3)
    with pytest.raises(TemplateError, match="has no 'bye'"):
        registry.get("greet").render("bye", "zh")


def test_badly_named_files_are_refused(tmp_path):
    (tmp_path / "Greet.yaml").write_text("zh: {}\n", encoding="utf-8")
    with pytest.raises(TemplateError, match="named <name>.v<N>.yaml"):
        PromptRegistry(tmp_path)


def test_shipped_offline_template_snapshot():
    template = PromptRegistry().get("offline_answer")
    assert template.ref == "offline_answer@6"
    assert template.render("answer", "zh", title="标题", body="正文") == "根据《标题》[1]：\n正文"
    assert set(template.texts) == {"zh", "en"}
    assert set(template.texts["zh"]) == set(template.texts["en"])


@pytest.mark.parametrize("key", ["queued_stay", "waiting_stay", "queued", "waiting"])
def test_queue_notices_that_count_those_ahead_never_say_first(key):
    """Regression (newcomer run): the English crisis notice read "You are first in line …: 3
    ahead of you"."""
    template = PromptRegistry().get("handoff_notice")
    for language in ("zh", "en"):
        text = template.render(key, language, queue="customer service", ahead="3", minutes="5")
        assert "3" in text
        assert "first" not in text.lower() and "第一" not in text, (language, text)
