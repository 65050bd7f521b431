"""Choices made by inner cross-validation on the training rows only.

Per label: the decision threshold, the ``nb_scale`` of a grid, and (``stack_views``) the weights
that combine the all-features model with word-only and char-only models, folded back into one
plain logistic regression (``_stack_views``, ``_fold_stacks``). Held-out rows are never used, so
``cross_validate`` stays honest.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold, cross_val_predict

from negtrend.tagging.model.estimators import _blend, _fit_parts, _fit_quietly, _label_scores
from negtrend.tagging.model.folds import stratified_folds

INNER_FOLDS = 3
STACK_FOLDS = 5  # cross_val_predict folds of the view stacker, for its threshold


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
