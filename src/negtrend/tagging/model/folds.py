"""Fold assignment for the outer and the inner cross-validation.

Positives are rare and labels overlap, so folds are stratified on all labels at once, and
duplicate texts are kept in one fold so that a test text is never also a training text.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


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
