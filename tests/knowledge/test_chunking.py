from knowledge.articles import Article
from knowledge.chunking import MAX_CHUNK_CHARS, chunk_article, split_sections, split_sentences

BODY = """# 标题

开头一句。

## 条件
第一条。第二条！第三条？

## 办理
在App中辦理。
"""


def test_sections_follow_second_level_headings():
    sections = split_sections(BODY)
    assert [h for h, _ in sections] == ["", "条件", "办理"]


def test_long_sections_split_at_sentence_ends_within_the_limit():
    text = "这是一个比较长的句子，用来测试切分。" * 40
    pieces = split_sentences(text)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_CHUNK_CHARS for p in pieces)
    assert "".join(pieces) == text
    assert all(p.endswith("。") for p in pieces)


def test_line_breaks_inside_a_section_survive():
    pieces = split_sentences("- 第一条。\n- 第二条。")
    assert pieces == ["- 第一条。\n- 第二条。"]


def test_chunks_are_normalised_and_carry_their_heading_and_questions():
    article = Article(id="a", title="T", body=BODY, questions=("怎麼辦理", "How?"))
    chunks = chunk_article(article)
    passages = [c for c in chunks if not c.is_question]
    questions = [c for c in chunks if c.is_question]
    assert [c.heading for c in passages] == ["", "条件", "办理"]
    assert "办理" in passages[-1].text  # traditional 辦 normalised
    assert passages[1].search_text.startswith("T｜条件")
    assert [q.text for q in questions] == ["怎么办理", "How?"]
    assert len({c.id for c in chunks}) == len(chunks)
