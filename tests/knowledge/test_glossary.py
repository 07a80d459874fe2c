"""English brokerage terms in Chinese messages are read as our Chinese words."""

import pytest

from knowledge.glossary import in_chinese_terms


@pytest.mark.parametrize(
    ("text", "read"),
    [
        ("请问怎么开通Stock Connect", "请问怎么开通港股通"),
        ("怎么开通stock  connect权限", "怎么开通港股通权限"),  # any case, spaces, next to 权限
        ("stockconnect怎么开", "港股通怎么开"),  # run together
        ("Shanghai-Hong Kong stock connect和深港通区别", "沪港通和深港通区别"),  # longest first
        ("IPO中签了怎么缴款", "新股中签了怎么缴款"),
        ("margin利率多少", "两融利率多少"),
    ],
)
def test_terms_in_a_chinese_message_become_chinese_words(text, read):
    assert in_chinese_terms(text) == read


@pytest.mark.parametrize(
    "text",
    [
        "What is Stock Connect?",  # English is answered in English: left as it is
        "我想observe一下",  # BSE is a whole word only
        "开户margins",  # margin is, too
        "账户里有ETF和app的问题",  # words not in the glossary
    ],
)
def test_other_text_is_left_as_it_is(text):
    assert in_chinese_terms(text) == text
