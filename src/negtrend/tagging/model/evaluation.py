"""Honest scores: a model on held-out rows, and k-fold cross-validation of ``train``.

Every fold's thresholds and settings are tuned on its training part only, and texts that
normalize to the same string never straddle folds, so the scores are out-of-sample.
"""

from __future__ import annotations

import time

import numpy as np
import pandas as pd

from negtrend.data.labels import LabelError
from negtrend.jsonable import jsonable
from negtrend.tagging.model.featurize import _as_text_list, norm_dict, normalize_texts
from negtrend.tagging.model.folds import stratified_folds
from negtrend.tagging.model.params import resolve_params
from negtrend.tagging.model.training import TrainedModel, _label_matrix, train


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
        raise LabelError(f"the model has no labels {missing}; it has {model.labels}")
    truth = pd.DataFrame(_label_matrix(labels, len(raw)).astype(bool),
                         columns=[str(c) for c in labels.columns])
    predicted = model.predict(raw)
    return scores_table(truth, predicted)


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
        "seconds": round(seconds, 2), "norm": norm_dict(norm), "params": jsonable(
            resolve_params({"random_state": seed, **(params or {})})),
        "per_fold": stacked.reset_index().to_dict(orient="records"),
    }
    return out
