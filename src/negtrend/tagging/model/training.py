"""``train``: fit and tune a model on labelled rows; ``TrainedModel`` scores new texts.

A trained model is frozen plain data (pipeline, labels, thresholds, normalization, provenance)
so a researcher can retrain, inspect and reproduce it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline

from negtrend.provenance import package_versions
from negtrend.tagging.model.estimators import (
    _fit_quietly,
    _label_scores,
    build_pipeline,
    chain_scores,
    nested_parents,
)
from negtrend.tagging.model.featurize import (
    _as_text_list,
    feature_blocks,
    features,
    norm_dict,
    normalize_texts,
)
from negtrend.tagging.model.params import nb_scale_grid, resolve_params
from negtrend.tagging.model.tuning import _fold_stacks, _inner_thresholds

SVM_MIN_CLASS = 5  # calibration's 3 folds inside each inner training part need 3 of each class
# the package versions recorded in every trained model's metadata
VERSION_PACKAGES = ("negtrend", "scikit-learn", "skops", "numpy", "scipy", "pandas", "pyarrow")


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
        "versions": package_versions(VERSION_PACKAGES),
        "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "train_seconds": round(time.perf_counter() - started, 2),
    }
    return TrainedModel(pipeline=pipeline, labels=names, thresholds=thresholds, norm=config,
                        metadata=meta, parents={c: v["parent"] for c, v in nested.items()})
