"""The classifier: a one-vs-rest linear model per label, NB-LR blends and nested labels.

Everything fitted here ends as plain one-vs-rest LogisticRegression (or calibrated LinearSVC)
weights, so a saved model holds only the types ``build_pipeline`` makes. NB-LR (``nb_scale``) is
folded into those weights; a label whose positives lie inside another label's (e.g. SARA hate
speech inside hate speech) is scored as P(parent) * P(label | parent) (``nested_parents``,
``chain_scores``).
"""

from __future__ import annotations

import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import BaseEstimator, clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.linear_model import LogisticRegression
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.svm import LinearSVC

from negtrend.tagging.model.featurize import _vectorizer
from negtrend.tagging.model.params import resolve_params

NEST_MIN_ROWS = 20  # a nested label needs this many positives and negatives among the parent's


def _classifier(p: dict):
    if p["classifier"] == "svm":
        svm = LinearSVC(C=p["C"], class_weight=p["class_weight"], max_iter=p["max_iter"],
                        random_state=p["random_state"])
        return OneVsRestClassifier(CalibratedClassifierCV(svm, method="sigmoid", cv=3))
    return OneVsRestClassifier(LogisticRegression(
        C=p["C"], class_weight=p["class_weight"], max_iter=p["max_iter"], solver="liblinear",
        random_state=p["random_state"]))


def build_pipeline(**params) -> Pipeline:
    """Word (1-2) and char_wb (2-5) TF-IDF side by side, then a one-vs-rest linear model.

    ``train`` fits the logistic regressions as NB-LR by default (``nb_scale``; ``_fit_parts``)
    and refits a nested label's estimator on its parent's positive rows (``nest_containment``).

    Lowercasing is left to ``textnorm`` so the model sees exactly what the normalizer made.
    """
    p = resolve_params(params)
    features = FeatureUnion([
        ("word", _vectorizer("word", p["word_ngram"], p["word_min_df"], p["word_max_features"])),
        ("char", _vectorizer("char_wb", p["char_ngram"], p["char_min_df"],
                             p["char_max_features"])),
    ])
    return Pipeline([("features", features), ("clf", _classifier(p))])


def _label_scores(clf, X, n_labels: int) -> np.ndarray:
    """(n, n_labels) probabilities; one-vs-rest on a single label returns both classes."""
    proba = np.asarray(clf.predict_proba(X), dtype=np.float64)
    if n_labels == 1 and proba.shape[1] == 2:
        proba = proba[:, 1:]
    return proba


def _fit_quietly(clf, X, Y: np.ndarray, nb_scale=0.0, nb_alpha: float = 1.0,
                 parents: dict | None = None):
    """Fit, hiding one-vs-rest's warning for a label absent from one inner fold.

    ``nb_scale`` (one number, or one per label column) > 0 blends each label's
    LogisticRegression with NB-LR (see ``_fit_parts``), so the fitted object is still a plain
    one-vs-rest of LogisticRegression. ``parents`` ({label column: parent column}) refits each
    nested label's estimator on the parent's positive rows only, so it scores P(label | parent)
    (see ``chain_scores``).
    """
    betas = np.broadcast_to(np.asarray(nb_scale, dtype=np.float64), (Y.shape[1],))
    parts = _fit_parts(clf, X, Y, betas > 0, nb_alpha, parents)
    _blend(clf, parts, betas)
    return clf


def _fit_parts(clf, X, Y: np.ndarray, nb, nb_alpha: float, parents: dict | None) -> list:
    """Fit the plain one-vs-rest (nested labels on their parent's rows) and an NB-LR for each
    label column where ``nb`` (one bool per column) is true.

    Returns per label None or (NB-LR coef folded onto X, NB-LR intercept, plain coef, plain
    intercept), for ``_blend``.

    LR on (x * r) scores w . (x * r) + b = (w * r) . x + b, so NB-LR is a plain linear model on
    x; ``_blend`` mixes it with the plain one, which the estimators still hold.
    """
    y = Y[:, 0] if Y.shape[1] == 1 else Y
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Label not .* is present in all training")
        clf.fit(X, y)
    parents = parents or {}
    for child, parent in parents.items():
        rows = np.flatnonzero(Y[:, parent] == 1)
        clf.estimators_[child] = _fit_conditional(clf.estimator, X[rows], Y[rows, child])
    parts: list = [None] * Y.shape[1]
    nb = np.broadcast_to(np.asarray(nb, dtype=bool), (Y.shape[1],))
    if not nb.any() or not isinstance(clf.estimator, LogisticRegression):
        return parts
    X = sp.csr_matrix(X)
    flat = [j for j in range(Y.shape[1]) if j not in parents and nb[j]]
    ratios = dict(zip(flat, nb_log_ratios(X, Y[:, flat], nb_alpha), strict=True))
    for j, est in enumerate(clf.estimators_):
        if not nb[j] or not isinstance(est, LogisticRegression):  # constant: label absent
            continue
        rows = np.flatnonzero(Y[:, parents[j]] == 1) if j in parents else slice(None)
        Xj, yj = X[rows], Y[rows, j]
        r = ratios[j] if j not in parents else nb_log_ratios(Xj, yj[:, None], nb_alpha)[0]
        nb_est = clone(est).fit(sp.csr_matrix(Xj.multiply(r)), yj)
        parts[j] = (nb_est.coef_ * r, nb_est.intercept_, est.coef_, est.intercept_)
    return parts


def _blend(clf, parts: list, betas) -> None:
    """Set each label's weights to (1 - beta) * plain + beta * NB-LR (beta per label)."""
    for j, part in enumerate(parts):
        if part is None:
            continue
        est = clf.estimators_[j]
        nb_coef, nb_intercept, coef, intercept = part
        beta = float(betas[j])
        est.coef_ = (1 - beta) * coef + beta * nb_coef
        est.intercept_ = (1 - beta) * intercept + beta * nb_intercept


class ConstantScore(BaseEstimator):
    """A label's estimator where its training rows hold one class only: that class, for sure.

    Answers as scikit-learn's one-vs-rest does for a label absent from its training data
    (probability 0 or 1 on every row; ``predict`` and ``decision_function`` give the class), so
    scores are unchanged, without importing its private class. Only inner folds hold one:
    ``train`` refuses one-class labels and nests a label only with ``NEST_MIN_ROWS`` of each
    class, so a saved model never does, and ``load`` refuses it like any type outside
    ``allowed_types``.
    """

    def fit(self, X, y):
        self.y_ = np.unique(y)
        if len(self.y_) != 1:
            raise ValueError(f"ConstantScore needs one class, got {self.y_.tolist()}")
        return self

    def predict_proba(self, X) -> np.ndarray:
        y = self.y_.astype(np.float64)
        return np.repeat([np.hstack([1 - y, y])], X.shape[0], axis=0)

    def decision_function(self, X) -> np.ndarray:
        return np.repeat(self.y_, X.shape[0])

    def predict(self, X) -> np.ndarray:
        return np.repeat(self.y_, X.shape[0])


def _fit_conditional(estimator, X, y: np.ndarray):
    """One label's plain estimator fitted on the parent's positive rows (NB-LR by ``_fit_parts``).

    An inner training part where the label is constant among those rows gets a
    ``ConstantScore``; ``train`` only nests labels with ``NEST_MIN_ROWS`` of each class, so a
    saved model never holds one.
    """
    if y.min() == y.max():
        return ConstantScore().fit(X, y)
    return clone(estimator).fit(X, y)


def chain_scores(scores: np.ndarray, parents: dict) -> np.ndarray:
    """Scores with each nested label's P(label | parent) multiplied by its parent's score.

    ``parents`` maps label columns to parent columns; a parent that is itself nested is
    resolved first, so chains A > B > C give P(A) * P(B | A) * P(C | B).
    """
    out = np.array(scores, dtype=np.float64, copy=True)
    done: set[int] = set()

    def resolve(j: int, seen: tuple = ()) -> None:
        if j in done or j not in parents:
            return
        if j in seen:
            raise ValueError(f"nested labels form a cycle through column {j}")
        resolve(parents[j], (*seen, j))
        out[:, j] *= out[:, parents[j]]
        done.add(j)

    for j in parents:
        resolve(j)
    return out


def nested_parents(Y: np.ndarray, labels: list[str], containment: float | None = 0.95,
                   min_rows: int = NEST_MIN_ROWS) -> dict[str, dict]:
    """Labels whose positives lie (almost) inside another label's positives -> their parent.

    For each label B, a candidate parent A has more positives than B, holds at least
    ``containment`` of B's positives, and leaves ``min_rows`` of each B class among its own
    positives (so P(B | A) can be learnt and tuned). Of several candidates the tightest (fewest
    positives) wins. Uses only the given (training) rows. Returns {B: {"parent": A, "share":
    ..., "parent_rows": ...}}.
    """
    if containment is None:
        return {}
    Y = np.asarray(Y, dtype=np.int64).reshape(len(Y), -1)
    positives = Y.sum(axis=0)
    both = Y.T @ Y  # both[a, b]: rows positive for a and b
    out = {}
    for b, child in enumerate(labels):
        best = None
        for a in range(len(labels)):
            if a == b or positives[a] <= positives[b] or positives[b] == 0:
                continue
            share = both[a, b] / positives[b]
            inside, outside = both[a, b], positives[a] - both[a, b]
            if share + 1e-12 < containment or min(inside, outside) < min_rows:
                continue
            if best is None or positives[a] < positives[best]:
                best = a
        if best is not None:
            out[child] = {"parent": labels[best],
                          "share": round(float(both[best, b] / positives[b]), 4),
                          "parent_rows": int(positives[best])}
    return out


def nb_log_ratios(X, Y: np.ndarray, alpha: float = 1.0) -> np.ndarray:
    """(n_labels, n_features) log-count ratios r = log((p/|p|) / (q/|q|)) on binarized X."""
    Xb = sp.csr_matrix(X, dtype=np.float64, copy=True)
    Xb.data[:] = 1.0
    Y = np.asarray(Y, dtype=np.float64).reshape(len(Y), -1)
    pos = np.asarray((sp.csr_matrix(Y.T) @ Xb).todense()) + alpha
    neg = np.asarray(Xb.sum(axis=0)).ravel()[None, :] - pos + 2 * alpha
    return (np.log(pos / pos.sum(axis=1, keepdims=True))
            - np.log(neg / neg.sum(axis=1, keepdims=True)))
