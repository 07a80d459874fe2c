"""The local classifiers' text features: words, characters and the sound (pinyin) block."""

import numpy as np

from agent.classify.features import TextFeatures
from agent.classify.linear import LinearClassifier

# Characters only: none of these spells a word in pinyin.
_EXAMPLES = [
    ("港股通怎么开通", "stock_connect"),
    ("港股通开通条件是什么", "stock_connect"),
    ("开港股通要多少资产", "stock_connect"),
    ("港股通交易时间", "stock_connect"),
    ("我要销户", "account_cancellation"),
    ("销户需要什么材料", "account_cancellation"),
    ("怎么注销账户", "account_cancellation"),
    ("销户要多久", "account_cancellation"),
    ("密码忘了怎么找回", "password_unlock"),
    ("交易密码被锁了", "password_unlock"),
    ("忘记密码怎么重置", "password_unlock"),
    ("密码输错几次会锁", "password_unlock"),
]


def _train(sound_weight: float):
    texts, labels = [t for t, _ in _EXAMPLES], [label for _, label in _EXAMPLES]
    features = TextFeatures(sound_weight=sound_weight).fit(texts)
    model = LinearClassifier(calibration_folds=2).fit(features.transform(texts, None), labels)
    return lambda text: model.ranked(features.transform([text], None), top=1)[0][0]


def test_typed_pinyin_and_same_sound_characters_are_read_through_the_sound_block():
    predict = _train(sound_weight=1.5)
    assert predict("ganggutong zenme kaitong") == "stock_connect"
    assert predict("xiaohu") == "account_cancellation"
    assert predict("mima wangle") == "password_unlock"
    assert predict("我想消户") == "account_cancellation"  # 消 for 销


def test_without_the_block_pinyin_shares_nothing_with_the_examples():
    features = TextFeatures(sound_weight=0.0).fit([t for t, _ in _EXAMPLES])
    # Only the blank that character n-grams put around every word.
    assert features.transform(["ganggutong zenme kaitong"], None).nnz <= 1
    with_block = TextFeatures(sound_weight=1.5).fit([t for t, _ in _EXAMPLES])
    assert with_block.transform(["ganggutong zenme kaitong"], None).nnz > 20


def test_both_forms_share_every_column_but_the_sound_block():
    features = TextFeatures(sound_weight=1.5).fit([t for t, _ in _EXAMPLES])
    vectors = np.full((1, 4), 0.5, dtype=np.float32)
    with_sound, without = features.transform_both(["港股通 开通"], vectors)
    assert with_sound.shape[1] > without.shape[1]
    width = without.shape[1]
    assert np.allclose(with_sound[:, :width].toarray(), without.toarray())
    assert with_sound[:, width:].nnz > 0
    assert (features.transform(["港股通 开通"], vectors, sound=False) != without).nnz == 0
    # The dense embedding is in both, at its weight.
    assert np.allclose(without.toarray()[0, -4:], 0.5 * features.dense_weight)


def test_sound_weight_zero_gives_one_form():
    features = TextFeatures(sound_weight=0.0).fit([t for t, _ in _EXAMPLES])
    with_sound, without = features.transform_both(["港股通"], None)
    assert (with_sound != without).nnz == 0


def _texts_of(path):
    import yaml

    return [e["text"] for e in yaml.safe_load(path.read_text(encoding="utf-8"))["examples"]]


def test_one_text_gets_the_same_rows_as_a_batch():
    from pathlib import Path

    data = Path(__file__).resolve().parents[2] / "evals" / "data"
    texts = _texts_of(data / "intents-test.yaml") + _texts_of(data / "emotions-test.yaml")
    features = TextFeatures().fit(texts[::2])  # every other text: unknown words on the rest
    rng = np.random.default_rng(0)
    extra = ["", "   ", "？！😱", "ＡＢＣ 開戶", "zhuǎnzhàng shibai", "x" * 3000]
    for text in texts + extra:
        vector = rng.normal(size=(1, 8)).astype(np.float32)
        vector[0, 3] = 0.0  # an exact zero is left out of the sparse row, as scipy does
        for vectors in (vector, None):
            batch_with, batch_without = features.transform_both(
                [text, "港股通"], (None if vectors is None else np.vstack([vectors, vectors]))
            )
            one_with, one_without = features.transform_both([text], vectors)
            for one, batch in ((one_with, batch_with[0]), (one_without, batch_without[0])):
                assert one.shape == batch.shape, text
                assert np.allclose(one.toarray(), batch.toarray(), rtol=1e-12, atol=0), text
                assert one.nnz == batch.nnz, text


def test_the_emotion_rows_carry_the_embedding_at_the_emotion_weight_and_nothing_else_changes():
    from agent.classify.local import EMOTION_DENSE_WEIGHT, emotion_rows

    features = TextFeatures(sound_weight=1.5).fit([t for t, _ in _EXAMPLES])
    vectors = np.full((2, 4), 0.5, dtype=np.float32)
    _, without = features.transform_both(["港股通 开通", "销户"], vectors)
    rows = emotion_rows(features, without, EMOTION_DENSE_WEIGHT)
    start = features.dense_start()
    assert start == without.shape[1] - 4
    assert np.allclose(rows.toarray()[:, :start], without.toarray()[:, :start])
    assert np.allclose(rows.toarray()[:, start:], 0.5 * EMOTION_DENSE_WEIGHT)
    assert np.allclose(without.toarray()[:, start:], 0.5 * features.dense_weight)  # not in place
    # One text's row, as a turn computes it, gets the same.
    _, one = features.transform_both(["销户"], vectors[:1])
    assert np.allclose(
        emotion_rows(features, one, EMOTION_DENSE_WEIGHT).toarray(), rows.toarray()[1]
    )
    # At the shared weight (a model saved before the emotion model had its own) nothing changes.
    assert emotion_rows(features, without, features.dense_weight) is without
