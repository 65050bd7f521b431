"""Trained classifier backend: TF-IDF (word + character n-grams) and a linear multi-label model.

A researcher must be able to retrain, measure and inspect the tagger, so everything here is
plain data in, plain data out: ``train`` returns a frozen ``TrainedModel`` that knows its
labels, per-label thresholds (tuned by inner cross-validation on the training data only), the
text normalization it was trained with and where its data came from. ``cross_validate`` gives
honest out-of-sample scores (duplicate texts never straddle folds). A label whose positives lie
inside another label's (e.g. SARA hate speech inside hate speech) is detected on the training
data and scored as P(parent) * P(label | parent) (``nested_parents``). ``nb_scale`` may be a grid,
chosen per label by the same inner CV that tunes the thresholds. ``stack_views`` (off by default)
also fits each un-nested label on the word and the char block alone and combines the three by a
logistic regression on their inner out-of-fold logits, folded back into one plain logistic
regression per label (``_stack_views``, ``_fold_stacks``). Models are stored with skops,
and ``load`` refuses pickles and any type that ``build_pipeline`` does not produce. Prediction
computes the char n-gram block word by word (``features``), identical to sklearn's output but
several times faster, since corpora are scored by the million.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
import time
import warnings
from array import array
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
import skops.io as sio
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict
from sklearn.multiclass import OneVsRestClassifier, _ConstantPredictor
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.preprocessing import normalize as row_normalize
from sklearn.svm import LinearSVC

from negtrend.data.labeled import parse_label_specs, read_labeled  # noqa: F401 (moved)
from negtrend.tagging import textnorm

MODEL_FILE = "model.skops"
METADATA_FILE = "metadata.json"
FORMAT = "negtrend-model"
FORMAT_VERSION = 2  # 2: metadata.json may hold "parents" (nested labels)
INNER_FOLDS = 3
PICKLE_SUFFIXES = {".pkl", ".pickle"}
PICKLE_MESSAGE = "pickle can run code on load; negtrend only loads skops files"

DEFAULT_PARAMS: dict = {
    "word_ngram": (1, 2),
    "word_min_df": 2,
    "word_max_features": 200_000,
    "char_ngram": (2, 5),
    "char_min_df": 2,
    "char_max_features": 300_000,
    "classifier": "logreg",  # or "svm" (LinearSVC + sigmoid calibration; needs >= 5 per class)
    "C": 1.0,  # with nb_scale 1 (NB-LR), chosen by 5-fold CV; see benchmarks/quality_model.py
    # NB-LR (Wang & Manning 2012): weight of a logistic regression fitted per label on features
    # scaled by that label's naive-Bayes log-count ratio, interpolated with the plain one
    # (0 = plain LR, 1 = NB-LR only). Folded into plain LogisticRegression weights after fitting,
    # so a saved model holds no extra types. Ignored by "svm". A list of values is a grid: each
    # label takes the value whose inner-CV out-of-fold F1 is best (training part only; ties ->
    # the value nearest 1), recorded in metadata["nb_scale"]. Default: 0.5 or 1 per label (on
    # the hate-speech set HS and SARA take 0.5, Abusive 1; see docs/benchmarks.md).
    "nb_scale": (0.5, 1.0),
    "nb_alpha": 1.0,  # add-alpha smoothing of the log-count ratio
    "class_weight": "balanced",
    # Nested labels: a label whose positives lie (almost) all inside another label's positives
    # (share >= nest_containment) is scored as P(parent) * P(label | parent), the conditional
    # model fitted on the parent's positive rows only (``nested_parents``). None: never.
    "nest_containment": 0.95,
    # Stacked views: each un-nested label is also fitted on every feature block alone (word
    # n-grams only, char n-grams only; same nb_scale grid, chosen per view), and a logistic
    # regression on the logits of the inner out-of-fold scores of [all features, each view]
    # combines them (``_stack_views``). Logits of linear models on one feature vector add up to
    # a linear model, so the stack is folded into that label's plain LogisticRegression weights:
    # same saved types, same prediction cost. Costs about twice the training time.
    "stack_views": False,
    "max_iter": 2000,
    "random_state": None,  # train() sets it from its seed unless given here
}
CLASSIFIERS = ("logreg", "svm")
STACK_FOLDS = 5  # cross_val_predict folds of the view stacker, for its threshold
SVM_MIN_CLASS = 5  # calibration's 3 folds inside each inner training part need 3 of each class
NEST_MIN_ROWS = 20  # a nested label needs this many positives and negatives among the parent's


class ModelLoadError(ValueError):
    """A model file that negtrend will not load (pickle, unexpected types, missing parts)."""


# --- normalization -------------------------------------------------------------------------


def norm_config(norm=None) -> textnorm.NormConfig:
    """None -> textnorm.DEFAULT; a NormConfig as is; a dict of its fields -> NormConfig."""
    if norm is None:
        return textnorm.DEFAULT
    if isinstance(norm, textnorm.NormConfig):
        return norm
    if isinstance(norm, dict):
        known = {f.name for f in dataclasses.fields(textnorm.NormConfig)}
        unknown = sorted(set(norm) - known)
        if unknown:
            raise ValueError(f"unknown normalization settings {unknown}; known: {sorted(known)}")
        return textnorm.NormConfig(**norm)
    raise TypeError(f"norm must be None, a NormConfig or a dict, not {type(norm).__name__}")


def norm_dict(norm=None) -> dict:
    """The NormConfig as JSON-able data, so a saved model can re-create it exactly."""
    data = dataclasses.asdict(norm_config(norm))
    return {k: (str(v) if isinstance(v, Path) else v) for k, v in data.items()}


def _as_text_list(texts) -> list:
    """Any sequence of texts -> list of str; missing values become "" (callers quarantine them)."""
    values = texts.tolist() if hasattr(texts, "tolist") else list(texts)
    return ["" if v is None or (isinstance(v, float) and np.isnan(v)) else str(v) for v in values]


def normalize_texts(texts, norm=None) -> list[str]:
    """The exact preprocessing a model applies before its vectorizers."""
    array = textnorm.normalize_array(_as_text_list(texts), norm_config(norm))
    return ["" if v is None else v for v in array.to_pylist()]


# --- pipeline ------------------------------------------------------------------------------


def resolve_params(params: dict | None = None) -> dict:
    """Defaults overridden by ``params``; unknown names are an error (typos must not pass)."""
    params = dict(params or {})
    unknown = sorted(set(params) - set(DEFAULT_PARAMS))
    if unknown:
        raise ValueError(f"unknown model parameters {unknown}; known: {sorted(DEFAULT_PARAMS)}")
    out = {**DEFAULT_PARAMS, **params}
    for key in ("word_ngram", "char_ngram"):
        out[key] = tuple(int(n) for n in out[key])
    if out["classifier"] not in CLASSIFIERS:
        raise ValueError(f"classifier must be one of {CLASSIFIERS}, not {out['classifier']!r}")
    out["nb_scale"] = _nb_scale_param(out["nb_scale"])
    if not isinstance(out["stack_views"], bool):
        raise ValueError(f"stack_views must be true or false, not {out['stack_views']!r}")
    if out["stack_views"] and out["classifier"] != "logreg":
        raise ValueError("stack_views needs classifier 'logreg' (it folds logistic regressions)")
    share = out["nest_containment"]
    if share is not None and not 0.5 < float(share) <= 1.0:
        raise ValueError(f"nest_containment must be None or in (0.5, 1], not {share!r}")
    return out


def _nb_scale_param(value):
    """A number in [0, 1] as float; several (list or tuple) as a sorted tuple of floats."""
    many = isinstance(value, list | tuple)
    values = sorted({float(v) for v in value}) if many else [float(value)]
    if not values or not all(0.0 <= v <= 1.0 for v in values):
        raise ValueError(f"nb_scale must be a number in [0, 1] or a list of them, not {value!r}")
    return tuple(values) if many else values[0]


def nb_scale_grid(params: dict) -> tuple:
    """The ``nb_scale`` candidates of resolved params: a number is a grid of one."""
    value = params["nb_scale"]
    return value if isinstance(value, tuple) else (value,)


def _vectorizer(analyzer: str, ngram: tuple, min_df, max_features) -> TfidfVectorizer:
    return TfidfVectorizer(analyzer=analyzer, ngram_range=ngram, min_df=min_df,
                           max_features=max_features, sublinear_tf=True, lowercase=False,
                           dtype=np.float32)


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


def _fast_char_ok(step) -> bool:
    """Whether ``_char_wb_tfidf`` reproduces this vectorizer's ``transform`` exactly."""
    return (isinstance(step, TfidfVectorizer) and step.analyzer == "char_wb"
            and not step.lowercase and step.preprocessor is None and step.strip_accents is None
            and step.input == "content" and not step.binary and step.use_idf
            and hasattr(step, "vocabulary_"))


def _word_ngram_ids(word: str, vocab: dict, lo: int, hi: int) -> array:
    """Vocabulary ids of one word's char_wb n-grams, as sklearn's analyzer makes them."""
    padded = f" {word} "
    size, grams = len(padded), []
    for n in range(lo, hi + 1):
        if size <= n:  # sklearn counts a short padded word once, whole
            grams.append(padded)
            break
        grams += [padded[i:i + n] for i in range(size - n + 1)]
    return array("i", [i for i in map(vocab.get, grams) if i is not None])


def _char_wb_tfidf(step: TfidfVectorizer, docs: list[str]) -> sp.csr_matrix:
    """``step.transform(docs)`` computed word by word with a per-call cache.

    char_wb n-grams never cross a word boundary, so each distinct word is analysed once per
    call; that makes prediction several times faster than sklearn's per-document loop.
    """
    vocab, (lo, hi) = step.vocabulary_, step.ngram_range
    cache: dict[str, array] = {}
    indices = array("i")
    indptr = [0]
    for doc in docs:
        for word in doc.split():
            ids = cache.get(word)
            if ids is None:
                ids = cache[word] = _word_ngram_ids(word, vocab, lo, hi)
            indices.extend(ids)
        indptr.append(len(indices))
    X = sp.csr_matrix((np.ones(len(indices), dtype=step.dtype), np.frombuffer(indices, np.intc),
                       np.asarray(indptr, np.int64)), shape=(len(docs), len(vocab)))
    X.sum_duplicates()
    if step.sublinear_tf:
        np.log(X.data, X.data)
        X.data += 1.0
    X.data *= step.idf_[X.indices]
    return row_normalize(X, norm=step.norm, copy=False) if step.norm else X


def features(union: FeatureUnion, docs: list[str]):
    """``union.transform(docs)``, with the char_wb block computed by ``_char_wb_tfidf``."""
    steps = [step for _, step in union.transformer_list]
    if union.transformer_weights or any(isinstance(s, str) for s in steps):
        return union.transform(docs)
    blocks = [_char_wb_tfidf(s, docs) if _fast_char_ok(s) else s.transform(docs) for s in steps]
    return sp.hstack(blocks).tocsr()


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


def _fit_conditional(estimator, X, y: np.ndarray):
    """One label's plain estimator fitted on the parent's positive rows (NB-LR by ``_fit_parts``).

    An inner training part where the label is constant among those rows gets one-vs-rest's
    constant predictor; ``train`` only nests labels with ``NEST_MIN_ROWS`` of each class, so a
    saved model never holds one.
    """
    if y.min() == y.max():
        return _ConstantPredictor().fit(X, np.unique(y))  # as one-vs-rest makes it
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


# --- the model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainedModel:
    """A fitted pipeline with its labels, thresholds, normalization and provenance."""

    pipeline: Pipeline
    labels: list[str]
    thresholds: dict[str, float]
    norm: dict
    metadata: dict = field(default_factory=dict)
    parents: dict[str, str] = field(default_factory=dict)  # nested label -> parent label

    def predict_scores(self, texts) -> pd.DataFrame:
        """One probability column per label; a Series input keeps its index."""
        index = texts.index if isinstance(texts, pd.Series) else None
        normed = normalize_texts(texts, self.norm)
        if not normed:
            return pd.DataFrame({label: pd.Series(dtype=float) for label in self.labels})
        X = features(self.pipeline.named_steps["features"], normed)
        scores = _label_scores(self.pipeline.named_steps["clf"], X, len(self.labels))
        if self.parents:
            scores = chain_scores(scores, self._parent_columns())
        return pd.DataFrame(scores, columns=list(self.labels), index=index)

    def _parent_columns(self) -> dict[int, int]:
        return {self.labels.index(c): self.labels.index(p) for c, p in self.parents.items()}

    def predict(self, texts) -> pd.DataFrame:
        """One bool column per label: score >= that label's threshold."""
        return self.to_bool(self.predict_scores(texts))

    def to_bool(self, scores: pd.DataFrame) -> pd.DataFrame:
        """Apply the thresholds to scores already computed (avoids scoring twice)."""
        return pd.DataFrame({label: scores[label].to_numpy() >= self.thresholds[label]
                             for label in self.labels}, index=scores.index)


def _label_matrix(labels: pd.DataFrame, n: int) -> np.ndarray:
    """Labels as a 0/1 uint8 matrix; anything but booleans or 0/1 is an error."""
    if not isinstance(labels, pd.DataFrame) or labels.shape[1] == 0:
        raise ValueError("labels must be a DataFrame with one boolean column per label")
    if len(labels) != n:
        raise ValueError(f"{n} texts but {len(labels)} label rows")
    if len(set(map(str, labels.columns))) != labels.shape[1]:
        raise ValueError(f"duplicate label names: {list(labels.columns)}")
    for col in labels.columns:
        values = labels[col]
        if values.isna().any() or not values.isin([0, 1, True, False]).all():
            raise ValueError(f"label column {col!r} must hold only booleans or 0/1")
    return labels.astype(bool).to_numpy().astype(np.uint8)


def _best_f1_threshold(scores: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """The cut between adjacent distinct scores that maximises F1 -> (threshold, F1)."""
    positives = int(truth.sum())
    if positives == 0:
        return 0.5, 0.0
    order = np.argsort(-scores, kind="stable")
    s, t = scores[order], truth[order].astype(np.int64)
    tp = np.cumsum(t)
    k = np.arange(1, len(s) + 1)
    cut = np.r_[s[1:] < s[:-1], True]  # only cut where the score changes
    f1 = np.where(cut, 2 * tp / (k + positives), -1.0)
    best = int(np.argmax(f1))
    below = s[best + 1] if best + 1 < len(s) else 0.0
    threshold = float(np.clip((s[best] + below) / 2, 1e-6, 1 - 1e-6))
    return threshold, float(f1[best])


def _inner_thresholds(clf, X, Y: np.ndarray, labels: list[str], seed: int,
                      nb: tuple = ((0.0,), 1.0), parents: dict | None = None,
                      blocks: list | None = None) -> tuple:
    """Thresholds (and ``nb_scale`` per label) from out-of-fold scores on the training data only.

    ``nb`` is (candidate nb_scale values, nb_alpha). Each inner fold fits the plain and NB-LR
    weights once and scores every blend of them, so several candidates cost little more than
    one. Per label the candidate with the best out-of-fold F1 wins (ties: the one nearest 1,
    i.e. NB-LR); a nested label is scored chained on its parent's chosen blend, parents first.
    A label with fewer than ``INNER_FOLDS`` positives (or negatives) keeps 0.5 and the candidate
    nearest 1: its out-of-fold scores would rest on folds that never saw it. Nested labels
    (``parents``, by column) are fitted and chained in each inner fold exactly as in the final
    model. ``blocks`` (column slices of X, one per feature view) stacks the views of every
    un-nested label (``_stack_views``); its thresholds (and those of labels nested under it)
    are then tuned on the stacked out-of-fold scores. Returns (thresholds, info, nb_scale per
    label column, stacks: {label column: (view nb_scales, stacker weights, stacker intercept)}).
    """
    grid, alpha = nb
    grid = sorted({float(b) for b in grid}, key=lambda b: (abs(1.0 - b), -b))  # preferred first
    parents = parents or {}
    rare = np.minimum(Y.sum(axis=0), len(Y) - Y.sum(axis=0)) < INNER_FOLDS
    oof = np.zeros((len(grid), *Y.shape), dtype=np.float64)  # unchained, per candidate
    stacked = [j for j in range(Y.shape[1]) if blocks and j not in parents and not rare[j]]
    views = np.zeros((len(blocks or ()), len(grid), len(Y), len(stacked)), dtype=np.float64)
    if not rare.all():  # one-vs-rest copes with a label missing from an inner training part
        folds = stratified_folds(Y, INNER_FOLDS, seed)
        view_X = [sp.csr_matrix(X[:, block]) for block in blocks] if stacked else []
        for k in range(INNER_FOLDS):
            test = folds == k
            model = clone(clf)
            parts = _fit_parts(model, X[~test], Y[~test], max(grid) > 0, alpha, parents)
            for g, beta in enumerate(grid):
                _blend(model, parts, np.full(Y.shape[1], beta))
                oof[g][test] = _label_scores(model, X[test], Y.shape[1])
            for v, Xv in enumerate(view_X):
                model = clone(clf)
                parts = _fit_parts(model, Xv[~test], Y[~test][:, stacked], max(grid) > 0, alpha,
                                   None)
                for g, beta in enumerate(grid):
                    _blend(model, parts, np.full(len(stacked), beta))
                    views[v, g][test] = _label_scores(model, Xv[test], len(stacked))
    thresholds, info, chosen = {}, {}, np.full(Y.shape[1], grid[0])
    stacks: dict[int, tuple] = {}
    chained = np.zeros(Y.shape, dtype=np.float64)
    for j in _parents_first(Y.shape[1], parents):
        label = labels[j]
        candidates = [oof[g][:, j] * (chained[:, parents[j]] if j in parents else 1.0)
                      for g in range(len(grid))]
        if rare[j]:
            thresholds[label] = 0.5
            info[label] = {"source": f"default 0.5 (fewer than {INNER_FOLDS} of a class)"}
            chained[:, j] = candidates[0]
            continue
        found = [_best_f1_threshold(c, Y[:, j]) for c in candidates]
        best = max(range(len(grid)), key=lambda g: (found[g][1], -g))  # ties: earlier (nearer 1)
        chosen[j], chained[:, j] = grid[best], candidates[best]
        thresholds[label], f1 = found[best]
        info[label] = {"source": f"inner {INNER_FOLDS}-fold CV", "oof_f1": round(f1, 4)}
        if len(grid) > 1:
            info[label]["nb_scale_oof_f1"] = {str(b): round(found[g][1], 4)
                                              for g, b in enumerate(grid)}
        if j in stacked:
            view_oof = views[:, :, :, stacked.index(j)]
            stacks[j], chained[:, j] = _stack_views(chained[:, j], view_oof, Y[:, j], grid, seed)
            thresholds[label], f1 = _best_f1_threshold(chained[:, j], Y[:, j])
            info[label]["stacked_oof_f1"] = round(f1, 4)
    return ({n: thresholds[n] for n in labels}, {n: info[n] for n in labels}, chosen,
            stacks)


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(p, 1e-12, 1 - 1e-12)
    return np.log(p) - np.log1p(-p)


def _stack_views(joint: np.ndarray, views: np.ndarray, y: np.ndarray, grid: list,
                 seed: int) -> tuple:
    """One label's view stacker, from out-of-fold scores of the training part only.

    ``joint`` holds the all-features model's scores, ``views`` (view, nb_scale candidate, row)
    each view's; every view takes the candidate with the best out-of-fold F1 (ties: the earlier,
    nearer 1). A logistic regression (C=1) on the logits [joint, view 1, ...] is the stacker;
    its own ``STACK_FOLDS``-fold out-of-fold scores are returned to tune the threshold on.
    Returns ((view nb_scales, stacker weights, stacker intercept), stacked out-of-fold scores).
    """
    picked, columns = [], [joint]
    for per_candidate in views:
        found = [_best_f1_threshold(s, y)[1] for s in per_candidate]
        best = max(range(len(grid)), key=lambda g: (found[g], -g))
        picked.append(grid[best])
        columns.append(per_candidate[best])
    F = _logit(np.column_stack(columns))
    stacker = LogisticRegression(C=1.0, max_iter=1000)
    smallest = int(min(y.sum(), len(y) - y.sum()))  # >= INNER_FOLDS: rare labels are not stacked
    cv = StratifiedKFold(min(STACK_FOLDS, smallest), shuffle=True, random_state=seed)
    scores = cross_val_predict(stacker, F, y, cv=cv, method="predict_proba")[:, 1]
    stacker.fit(F, y)
    return (tuple(picked), stacker.coef_[0].copy(), float(stacker.intercept_[0])), scores


def _fold_stacks(clf, X, Y: np.ndarray, blocks: list, stacks: dict, nb_alpha: float) -> None:
    """Fit each stacked label's view models on all rows and fold the stacker into its weights.

    The stacker scores sigmoid(a0 * z + sum_v a_v * z_v + b) with z = w . x + c the fitted
    label's logit and z_v = w_v . x[block v] + c_v each view's, which is the plain logistic
    regression with weights a0 * w + sum_v a_v * w_v (zero outside block v) and intercept
    a0 * c + sum_v a_v * c_v + b: the saved estimator stays a LogisticRegression.
    """
    columns = sorted(stacks)
    if not columns:
        return
    fitted = []
    for v, block in enumerate(blocks):
        model = clone(clf)
        betas = [stacks[j][0][v] for j in columns]
        fitted.append(_fit_quietly(model, X[:, block], Y[:, columns], betas, nb_alpha))
    for i, j in enumerate(columns):
        est = clf.estimators_[j]
        _, weights, bias = stacks[j]
        coef = weights[0] * est.coef_
        intercept = weights[0] * est.intercept_ + bias
        for v, block in enumerate(blocks):
            view = fitted[v].estimators_[i]
            coef[:, block] += weights[v + 1] * view.coef_
            intercept = intercept + weights[v + 1] * view.intercept_
        est.coef_, est.intercept_ = coef, intercept


def feature_blocks(union: FeatureUnion) -> list[slice]:
    """The column range of each fitted vectorizer of ``union`` in its output."""
    sizes = [len(step.vocabulary_) for _, step in union.transformer_list]
    bounds = np.cumsum([0, *sizes])
    return [slice(int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:], strict=True)]


def _parents_first(n_labels: int, parents: dict) -> list[int]:
    """Label columns ordered so that every nested label comes after its parent."""
    order: list[int] = []

    def visit(j: int) -> None:
        if j not in order:
            if j in parents:
                visit(parents[j])
            order.append(j)

    for j in range(n_labels):
        visit(j)
    return order


def _versions() -> dict:
    from negtrend.provenance import package_versions

    return package_versions(("negtrend", "scikit-learn", "skops", "numpy", "scipy", "pandas",
                             "pyarrow"))


def content_sha256(texts: list[str], Y: np.ndarray, labels: list[str]) -> str:
    """A hash of exactly what was trained on, for when the caller has no file hash."""
    digest = hashlib.sha256()
    digest.update("\x1f".join(labels).encode())
    for text in texts:
        digest.update(text.encode("utf-8", "surrogatepass") + b"\x1e")
    digest.update(np.ascontiguousarray(Y).tobytes())
    return digest.hexdigest()


def train(texts, labels: pd.DataFrame, *, norm=None, params=None, tune_thresholds=True,
          seed=0, data_sha256=None) -> TrainedModel:
    """Fit the pipeline on all given rows; thresholds come from inner CV on these rows only.

    The TF-IDF vocabulary is fitted once on the training texts (unsupervised) and shared by the
    inner folds; only the supervised classifier is refitted per inner fold.
    """
    started = time.perf_counter()
    raw = _as_text_list(texts)
    Y = _label_matrix(labels, len(raw))
    names = [str(c) for c in labels.columns]
    positives = Y.sum(axis=0)
    if (positives == 0).any() or (positives == len(Y)).any():
        bad = [n for n, p in zip(names, positives, strict=True) if p in (0, len(Y))]
        raise ValueError(f"labels {bad} have only one class in the training data")
    p = resolve_params({"random_state": seed, **(params or {})})
    smallest = np.minimum(positives, len(Y) - positives)
    if p["classifier"] == "svm" and smallest.min() < SVM_MIN_CLASS:
        rare = [n for n, c in zip(names, smallest, strict=True) if c < SVM_MIN_CLASS]
        raise ValueError(f"classifier 'svm' needs at least {SVM_MIN_CLASS} examples of each class "
                         f"per label; {rare} have fewer (use classifier='logreg')")
    config = norm_dict(norm)
    pipeline = build_pipeline(**p)
    grid = nb_scale_grid(p) if p["classifier"] == "logreg" else (0.0,)
    X = pipeline.named_steps["features"].fit_transform(normalize_texts(raw, config))
    clf = pipeline.named_steps["clf"]
    nested = nested_parents(Y, names, p["nest_containment"])
    parents = {names.index(c): names.index(v["parent"]) for c, v in nested.items()}
    thresholds, inner = ({n: 0.5 for n in names}, {})
    betas = np.full(len(names), min(grid, key=lambda b: (abs(1.0 - b), -b)))  # untuned: nearest 1
    blocks = feature_blocks(pipeline.named_steps["features"]) if p["stack_views"] else None
    stacks: dict = {}
    if tune_thresholds:
        thresholds, inner, betas, stacks = _inner_thresholds(
            clf, X, Y, names, seed, (grid, float(p["nb_alpha"])), parents, blocks=blocks)
    elif blocks:
        raise ValueError("stack_views needs tune_thresholds (the stacker is fitted by inner CV)")
    _fit_quietly(clf, X, Y, betas, float(p["nb_alpha"]), parents)
    _fold_stacks(clf, X, Y, blocks or [], stacks, float(p["nb_alpha"]))
    views = [name for name, _ in pipeline.named_steps["features"].transformer_list]
    meta = {
        "data_sha256": data_sha256 or content_sha256(raw, Y, names),
        "data_sha256_of": "file" if data_sha256 else "texts and labels",
        "n_rows": len(raw),
        "label_counts": {n: int(c) for n, c in zip(names, positives, strict=True)},
        "n_features": int(X.shape[1]),
        "params": {k: list(v) if isinstance(v, tuple) else v for k, v in p.items()},
        "seed": seed,
        "thresholds_from": inner or "fixed 0.5 (tuning off)",
        "nested": nested,
        "nb_scale": {n: float(b) for n, b in zip(names, betas, strict=True)},
        "stacked": {names[j]: {
            "nb_scale": dict(zip(views, map(float, view_betas), strict=True)),
            "weights": dict(zip(["all", *views], map(float, weights), strict=True)),
            "intercept": bias} for j, (view_betas, weights, bias) in sorted(stacks.items())},
        "versions": _versions(),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return TrainedModel(pipeline=pipeline, labels=names, thresholds=thresholds, norm=config,
                        metadata=meta, parents={c: v["parent"] for c, v in nested.items()})


# --- evaluation ----------------------------------------------------------------------------


def scores_table(truth: pd.DataFrame, predicted: pd.DataFrame) -> pd.DataFrame:
    """Precision, recall, F1 and support per label from two boolean frames (0 when undefined)."""
    rows = {}
    for label in truth.columns:
        t = truth[label].to_numpy().astype(bool)
        p = predicted[label].to_numpy().astype(bool)
        tp, fp, fn = int((t & p).sum()), int((~t & p).sum()), int((t & ~p).sum())
        rows[label] = {
            "precision": tp / (tp + fp) if tp + fp else 0.0,
            "recall": tp / (tp + fn) if tp + fn else 0.0,
            "f1": 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0,
            "support": tp + fn, "tp": tp, "fp": fp, "fn": fn, "n": len(t),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "label"
    return table


def evaluate(model: TrainedModel, texts, labels: pd.DataFrame) -> pd.DataFrame:
    """Precision/recall/F1/support per label of ``model`` on the given labelled rows."""
    raw = _as_text_list(texts)
    missing = [c for c in labels.columns if str(c) not in model.labels]
    if missing:
        raise ValueError(f"the model has no labels {missing}; it has {model.labels}")
    truth = pd.DataFrame(_label_matrix(labels, len(raw)).astype(bool),
                         columns=[str(c) for c in labels.columns])
    predicted = model.predict(raw)
    return scores_table(truth, predicted)


def stratified_folds(Y: np.ndarray, folds: int, seed: int = 0, groups=None) -> np.ndarray:
    """Fold number per row by iterative multi-label stratification (Sechidis et al. 2011).

    Rows sharing a ``groups`` value (e.g. the same normalized text) land in the same fold, so a
    duplicate of a test text is never in training. Deterministic for a given seed.
    """
    Y = np.asarray(Y, dtype=np.int64).reshape(len(Y), -1)
    codes = np.arange(len(Y)) if groups is None else pd.factorize(pd.Series(list(groups)))[0]
    n_groups = int(codes.max()) + 1 if len(codes) else 0
    if n_groups < folds:
        raise ValueError(f"{n_groups} distinct rows cannot fill {folds} folds")
    size = np.bincount(codes, minlength=n_groups)
    counts = np.zeros((n_groups, Y.shape[1]), dtype=np.int64)
    np.add.at(counts, codes, Y)
    group_fold = _iterative_assign(counts, size, folds, np.random.default_rng(seed))
    return group_fold[codes]


def _iterative_assign(counts: np.ndarray, size: np.ndarray, folds: int, rng) -> np.ndarray:
    """Assign groups (rarest label first) to the fold that most wants that label."""
    want_total = np.full(folds, size.sum() / folds)
    want_label = np.tile(counts.sum(axis=0) / folds, (folds, 1))
    fold = np.full(len(size), -1)
    order = rng.permutation(len(size))
    left = counts[order] > 0
    while left.any():
        remaining = left.sum(axis=0)
        label = int(np.where(remaining > 0, remaining, np.iinfo(np.int64).max).argmin())
        for pos in np.flatnonzero(left[:, label]):
            g = order[pos]
            f = _pick(want_label[:, label], want_total, rng)
            fold[g] = f
            want_total[f] -= size[g]
            want_label[f] -= counts[g]
            left[pos] = False
    for g in order[fold[order] == -1]:
        f = _pick(want_total, want_total, rng)
        fold[g] = f
        want_total[f] -= size[g]
    return fold


def _pick(primary: np.ndarray, secondary: np.ndarray, rng) -> int:
    best = np.flatnonzero(primary == primary.max())
    if len(best) > 1:
        best = best[secondary[best] == secondary[best].max()]
    return int(best[0] if len(best) == 1 else rng.choice(best))


def cv_folds(texts, labels: pd.DataFrame, *, folds=5, seed=0, norm=None,
             group_duplicates=True) -> np.ndarray:
    """The fixed outer split of ``cross_validate`` (exposed so it can be checked and reused)."""
    raw = _as_text_list(texts)
    Y = _label_matrix(labels, len(raw))
    groups = None
    if group_duplicates:
        groups = [" ".join(t.split()) for t in normalize_texts(raw, norm)]
    return stratified_folds(Y, folds, seed, groups)


def cross_validate(texts, labels: pd.DataFrame, *, folds=5, seed=0, norm=None, params=None,
                   group_duplicates=True) -> pd.DataFrame:
    """Stratified k-fold CV: ``train`` on each training part, scored on its held-out fold only.

    Returns per label the mean precision, recall and F1 over folds, their standard deviations,
    the pooled F1 (all folds' predictions together) and the support. Texts that normalize to the
    same string are kept in one fold unless ``group_duplicates=False``.
    """
    started = time.perf_counter()
    raw = np.array(_as_text_list(texts), dtype=object)
    labels = labels.reset_index(drop=True)
    fold_of = cv_folds(raw, labels, folds=folds, seed=seed, norm=norm,
                       group_duplicates=group_duplicates)
    per_fold, predicted = [], pd.DataFrame(False, index=labels.index, columns=labels.columns)
    nested, nb_scales = [], []
    for k in range(folds):
        test = fold_of == k
        model = train(raw[~test], labels[~test], norm=norm, params=params, seed=seed)
        nested.append(dict(model.parents))
        nb_scales.append(dict(model.metadata["nb_scale"]))
        scores = model.predict_scores(list(raw[test]))
        predicted.loc[test] = model.to_bool(scores).to_numpy()
        table = scores_table(labels[test].astype(bool), model.to_bool(scores))
        table["threshold"] = [model.thresholds[str(c)] for c in table.index]
        table["nb_scale"] = [model.metadata["nb_scale"][str(c)] for c in table.index]
        per_fold.append(table.assign(fold=k))
    out = _summarize(per_fold, labels, predicted, folds, seed, group_duplicates, fold_of,
                     time.perf_counter() - started, norm, params)
    out.attrs["nested"] = nested  # per fold, as detected on its training part
    out.attrs["nb_scale"] = nb_scales  # per fold, label -> nb_scale used (chosen by inner CV)
    return out


def _summarize(per_fold, labels, predicted, folds, seed, grouped, fold_of, seconds, norm,
               params) -> pd.DataFrame:
    stacked = pd.concat(per_fold)
    by = stacked.groupby(level="label", sort=False)
    pooled = scores_table(labels.astype(bool), predicted)
    out = pd.DataFrame({
        "precision": by["precision"].mean(), "recall": by["recall"].mean(),
        "f1": by["f1"].mean(), "f1_sd": by["f1"].std(ddof=1),
        "precision_sd": by["precision"].std(ddof=1), "recall_sd": by["recall"].std(ddof=1),
        "f1_pooled": pooled["f1"], "support": pooled["support"],
        "threshold_mean": by["threshold"].mean(),
    })
    out.index.name = "label"
    out.attrs = {
        "folds": folds, "seed": seed, "n": len(labels), "group_duplicates": grouped,
        "fold_sizes": np.bincount(fold_of, minlength=folds).tolist(),
        "seconds": round(seconds, 2), "norm": norm_dict(norm), "params": _jsonable(
            resolve_params({"random_state": seed, **(params or {})})),
        "per_fold": stacked.reset_index().to_dict(orient="records"),
    }
    return out


# --- save / load ---------------------------------------------------------------------------


def _jsonable(value):
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, Path):
        return str(value)
    return value


def save(model: TrainedModel, folder) -> Path:
    """``folder/model.skops`` (the pipeline) and ``folder/metadata.json`` (everything else)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    sio.dump(model.pipeline, folder / MODEL_FILE)
    info = {"format": FORMAT, "format_version": FORMAT_VERSION, "labels": list(model.labels),
            "thresholds": model.thresholds, "parents": model.parents, "norm": model.norm,
            "metadata": model.metadata}
    text = json.dumps(_jsonable(info), ensure_ascii=False, indent=2)
    (folder / METADATA_FILE).write_text(text + "\n", encoding="utf-8")
    return folder


@functools.cache
def allowed_types() -> frozenset[str]:
    """Every type skops does not trust by default that a ``build_pipeline`` model contains.

    Computed by fitting tiny pipelines of each supported classifier, single- and multi-label.
    """
    texts = ["alpha beta", "beta gamma", "delta epsilon", "epsilon zeta"] * 3
    multi = np.array([[1, 0], [1, 0], [0, 1], [0, 1]] * 3)
    found: set[str] = set()
    for kind in CLASSIFIERS:
        for Y in (multi, multi[:, :1]):
            pipeline = build_pipeline(classifier=kind, word_min_df=1, char_min_df=1)
            _fit_quietly(pipeline, texts, Y)
            found.update(sio.get_untrusted_types(data=sio.dumps(pipeline)))
    return frozenset(found)


def _refuse_pickle(path: Path) -> None:
    if path.suffix.lower() in PICKLE_SUFFIXES:
        raise ModelLoadError(f"{path}: {PICKLE_MESSAGE}")
    with open(path, "rb") as handle:
        if handle.read(1) == b"\x80":
            raise ModelLoadError(f"{path}: {PICKLE_MESSAGE}")


def _model_paths(location) -> tuple[Path, Path]:
    """(model file, metadata file) for a model folder or a path to its model file."""
    path = Path(location)
    if path.is_file():
        _refuse_pickle(path)
        return path, path.parent / METADATA_FILE
    model_file = path / MODEL_FILE
    if not model_file.exists():
        pickles = sorted(p.name for p in path.glob("*") if p.suffix.lower() in PICKLE_SUFFIXES)
        if pickles:
            raise ModelLoadError(f"{path / pickles[0]}: {PICKLE_MESSAGE}")
        raise ModelLoadError(f"{path}: no {MODEL_FILE} here (save one with negtrend.model.save)")
    _refuse_pickle(model_file)
    return model_file, path / METADATA_FILE


def _load_pipeline(model_file: Path) -> Pipeline:
    try:
        untrusted = sio.get_untrusted_types(file=model_file)
    except Exception as exc:  # a corrupt or foreign file: say which and why
        raise ModelLoadError(f"{model_file}: not a readable skops file ({exc})") from exc
    extra = sorted(set(untrusted) - allowed_types())
    if extra:
        raise ModelLoadError(f"{model_file}: refusing to load types that negtrend models do not "
                             f"contain: {', '.join(extra)}")
    pipeline = sio.load(model_file, trusted=list(untrusted))
    steps = getattr(pipeline, "named_steps", {})
    if not isinstance(pipeline, Pipeline) or list(steps) != ["features", "clf"]:
        raise ModelLoadError(f"{model_file}: not a negtrend pipeline (features + clf)")
    return pipeline


def _valid_parents(parents, labels: list) -> bool:
    """Whether ``parents`` maps labels to other labels without a cycle."""
    if not isinstance(parents, dict) or not all(
            isinstance(c, str) and isinstance(p, str) and c in labels and p in labels and c != p
            for c, p in parents.items()):
        return False
    try:
        chain_scores(np.ones((1, len(labels))),
                     {labels.index(c): labels.index(p) for c, p in parents.items()})
    except ValueError:
        return False
    return True


def _read_metadata(path: Path) -> dict:
    try:
        info = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"{path}: cannot read model metadata ({exc})") from exc
    missing = [k for k in ("labels", "thresholds", "norm") if k not in info]
    if info.get("format") != FORMAT or missing:
        raise ModelLoadError(f"{path}: not negtrend model metadata (missing {missing})")
    if not isinstance(info.get("format_version"), int) or info["format_version"] > FORMAT_VERSION:
        raise ModelLoadError(f"{path}: model format version {info.get('format_version')!r}; "
                             f"this negtrend reads up to {FORMAT_VERSION}")
    if set(info["thresholds"]) != set(info["labels"]):
        raise ModelLoadError(f"{path}: thresholds do not match labels")
    if not _valid_parents(info.get("parents", {}), info["labels"]):  # format 1 has none
        raise ModelLoadError(f"{path}: nested labels {info['parents']!r} do not match labels "
                             "(unknown label, self-parent or cycle)")
    try:
        norm_config(info["norm"])
    except (TypeError, ValueError) as exc:
        raise ModelLoadError(f"{path}: {exc}") from exc
    return info


def saved_labels(folder) -> list[str]:
    """The labels of a saved model, from its metadata alone (no pipeline is loaded)."""
    return list(_read_metadata(_model_paths(folder)[1])["labels"])


def load(folder) -> TrainedModel:
    """Load a saved model; pickles and any type beyond ``allowed_types()`` are refused."""
    model_file, meta_file = _model_paths(folder)
    info = _read_metadata(meta_file)
    pipeline = _load_pipeline(model_file)
    return TrainedModel(pipeline=pipeline, labels=list(info["labels"]),
                        thresholds={k: float(v) for k, v in info["thresholds"].items()},
                        norm=dict(info["norm"]), metadata=dict(info.get("metadata", {})),
                        parents=dict(info.get("parents", {})))
