from knowledge.lexical import LexicalIndex, tokenize


def test_domain_words_stay_whole():
    tokens = tokenize("两融和港股通怎么开通，融资融券呢")
    for word in ("两融", "港股通", "融资融券"):
        assert word in tokens


def test_traditional_and_full_width_queries_tokenise_like_simplified():
    assert tokenize("港股通開通") == tokenize("港股通开通")
    assert tokenize("ＥＴＦ") == tokenize("etf")


def test_stopwords_and_punctuation_are_dropped():
    tokens = tokenize("请问，我的账户怎么办？")
    assert "我" not in tokens and "，" not in tokens and "账户" in tokens


def test_bm25_ranks_the_document_with_the_rare_term_first():
    index = LexicalIndex(
        ["transfer", "ipo", "margin"],
        ["银证转账的时间和到账", "新股申购打新的规则和中签缴款", "融资融券两融开通条件"],
    )
    assert index.search("两融怎么开")[0][0] == "margin"
    assert index.search("打新中签")[0][0] == "ipo"
    assert index.search("天气预报") == []


def test_unseen_terms_get_the_highest_idf():
    index = LexicalIndex(["a", "b"], ["转账", "转账 时间"])
    assert index.idf("比特币") > index.idf("时间") > index.idf("转账")
