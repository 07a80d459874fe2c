"""A calibrated linear classifier over precomputed features: a linear SVM with sigmoid
calibration (fitted once on all data, calibrated on cross-validated scores), so that
probabilities can drive thresholds and prediction costs one sparse product."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.calibration import CalibratedClassifierCV
from sklearn.svm import LinearSVC


class LinearClassifier:
    """Multi-class over a feature matrix; `ranked` returns (label, probability) best first."""

    def __init__(self, c: float = 0.5, calibration_folds: int = 3) -> None:
        self._c = c
        self._folds = calibration_folds
        self.labels: list[str] = []

    def fit(self, features: sp.csr_matrix, labels: list[str]) -> LinearClassifier:
        svm = LinearSVC(C=self._c, class_weight="balanced")
        model = CalibratedClassifierCV(svm, cv=self._folds, method="sigmoid", ensemble=False)
        model.fit(features, labels)
        # Prediction happens once per turn for several models: keep the SVM's weights and the
        # sigmoid parameters as plain arrays, so it costs one sparse product instead of
        # sklearn's per-class loop (the arithmetic is that of CalibratedClassifierCV).
        calibrated = model.calibrated_classifiers_[0]
        self.labels = [str(label) for label in model.classes_]
        self._weights = np.asarray(calibrated.estimator.coef_, dtype=np.float64).T
        self._intercept = np.asarray(calibrated.estimator.intercept_, dtype=np.float64)
        self._slopes = np.array([c.a_ for c in calibrated.calibrators], dtype=np.float64)
        self._offsets = np.array([c.b_ for c in calibrated.calibrators], dtype=np.float64)
        return self

    def probabilities(self, features: sp.csr_matrix) -> np.ndarray:
        """Rows of class probabilities, columns in `labels` order."""
        if not self.labels:
            raise RuntimeError("the classifier has not been trained")
        scores = np.asarray(features @ self._weights) + self._intercept
        calibrated = 1.0 / (1.0 + np.exp(scores * self._slopes + self._offsets))
        if calibrated.shape[1] == 1:  # binary: the one score is the second label's
            return np.hstack([1.0 - calibrated, calibrated])
        totals = calibrated.sum(axis=1, keepdims=True)
        safe = np.where(totals > 0, totals, 1.0)
        return np.where(totals > 0, calibrated / safe, 1.0 / calibrated.shape[1])

    def ranked(self, features: sp.csr_matrix, top: int = 3) -> list[tuple[str, float]]:
        row = self.probabilities(features)[0]
        order = np.argsort(-row)[:top]
        return [(self.labels[i], float(row[i])) for i in order]

    def probability_of(self, features: sp.csr_matrix, label: str) -> float:
        if label not in self.labels:
            return 0.0
        return float(self.probabilities(features)[0][self.labels.index(label)])
