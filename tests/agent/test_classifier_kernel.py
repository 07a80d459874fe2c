"""The kernel SVM over embeddings and its blend with the linear model, on synthetic vectors."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.svm import SVC

from agent.classify.blend import BlendedClassifier, in_scope_lead
from agent.classify.kernel import KernelClassifier


def _clusters(classes: int, per_class: int, noise: float, seed: int = 0):
    """Unit vectors scattered around one random centre per class, with string labels."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(classes, 24))
    rows = np.repeat(centres, per_class, axis=0)
    rows += rng.normal(scale=noise, size=rows.shape)
    rows /= np.linalg.norm(rows, axis=1, keepdims=True)
    labels = [f"c{i:02d}" for i in range(classes) for _ in range(per_class)]
    return rows, labels


@pytest.mark.parametrize("classes", [2, 3, 12])
def test_probabilities_are_distributions_that_follow_the_svm(classes):
    vectors, labels = _clusters(classes, 30, noise=0.9)
    model = KernelClassifier(gamma=2.0).fit(vectors[::2], labels[::2])
    probabilities = model.probabilities(vectors[1::2])

    assert model.labels == sorted(set(labels))
    assert probabilities.shape == (len(vectors[1::2]), classes)
    assert np.allclose(probabilities.sum(axis=1), 1.0) and (probabilities >= 0).all()
    svm = SVC(C=10.0, kernel="rbf", gamma=2.0).fit(vectors[::2], labels[::2])
    ours = np.array(model.labels)[probabilities.argmax(axis=1)]
    # Coupled probabilities and libsvm's votes may part on a near tie, never more.
    assert (ours == svm.predict(vectors[1::2])).mean() >= 0.95


def test_a_clear_case_is_confident_and_right():
    vectors, labels = _clusters(5, 20, noise=0.2)
    model = KernelClassifier().fit(vectors, labels)
    row = model.probabilities(vectors[:1])[0]
    assert model.labels[int(row.argmax())] == labels[0] and row.max() > 0.8


def test_one_vector_or_a_batch_give_the_same_rows():
    vectors, labels = _clusters(4, 10, noise=0.5)
    model = KernelClassifier().fit(vectors, labels)
    batch = model.probabilities(vectors[:3])
    assert np.allclose(model.probabilities(vectors[1]), batch[1:2])


def test_untrained_model_says_so():
    with pytest.raises(RuntimeError, match="not been trained"):
        KernelClassifier().probabilities(np.zeros((1, 4)))


def test_blend_averages_the_two_models_and_falls_back_without_embeddings():
    vectors, labels = _clusters(6, 20, noise=0.7)
    features = sp.csr_matrix(np.hstack([vectors, np.abs(vectors)]))
    blend = BlendedClassifier(kernel_weight=0.7).fit(features, vectors, labels)
    linear = blend._linear.probabilities(features[:5])
    kernel = blend._kernel.probabilities(vectors[:5])

    assert np.allclose(blend.probabilities(features[:5], vectors[:5]), 0.3 * linear + 0.7 * kernel)
    assert np.allclose(blend.probabilities(features[:5], None), linear)


def test_in_scope_lead_weighs_the_best_intent_against_out_of_scope():
    labels = ["a", "b", "out_of_scope"]
    rows = np.array([[0.6, 0.1, 0.3], [0.2, 0.3, 0.5], [0.1, 0.9, 0.0]])
    best, lead = in_scope_lead(rows, labels)
    assert list(best) == ["a", "b", "b"]
    assert np.allclose(lead, [0.3, -0.2, 0.9])
    # Without an out-of-scope class the lead is the best probability itself.
    assert np.allclose(in_scope_lead(rows[:, :2], labels[:2])[1], [0.6, 0.3, 0.9])
