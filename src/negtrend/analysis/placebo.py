"""Placebo-in-time: the same estimate at fake election dates, as a check that does not trust
the model.

The real windows (before + campaign) are slid, whole, to every position that lies entirely in
time outside the real election windows; at each position the same rate ratio is estimated.
If the real ratio is no further from 1 than most placebo ratios, the "effect" is what this
series does anyway. The permutation p-value counts placebos at least as far from 1 (on the
log scale) as the real estimate: ``(1 + k) / (1 + n)``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math

import numpy as np
import pandas as pd

from negtrend.analysis.compare import primary_measure, window_ratio
from negtrend.analysis.effect import EffectResult
from negtrend.analysis.engine import result_meta, windows_frame
from negtrend.analysis.notes import Method, note
from negtrend.data.series import SeriesResult, flag_windows

CHECKED = ("before", "campaign")


_LABELS: dict = {}  # digest of the periods' dates, the windows, min_share -> period windows
_LABELS_KEPT = 256


def _flagged(series: SeriesResult, windows: pd.DataFrame, min_share: float) -> SeriesResult:
    """``series`` with the ``window`` labels ``flag_windows`` gives it for ``windows``.

    The labels depend on the periods' dates alone, not on any count, and every category of a
    report slides the same windows over the same periods: they are kept, keyed by those dates
    (read afresh at each call, so a changed series is never given stale labels), the windows
    and ``min_share``, and set on the series' own frame."""
    frame = series.frame
    digest = hashlib.blake2b(repr((min_share, tuple(windows["window"]))).encode())
    for values in (frame.index, frame["obs_start"], frame["obs_end"], frame["period_end"],
                   windows["start"], windows["end"]):
        stamps = pd.DatetimeIndex(values)
        digest.update(f"{stamps.dtype} {len(stamps)};".encode())
        digest.update(stamps.asi8.tobytes())
    key = digest.digest()
    labels = _LABELS.get(key)
    if labels is None:
        labels = flag_windows(series, windows, min_share).frame["window"].to_numpy(object)
        if len(_LABELS) >= _LABELS_KEPT:
            _LABELS.clear()
        _LABELS[key] = labels
    window = pd.Series(labels, index=frame.index, dtype=object)
    return dataclasses.replace(series, frame=frame.assign(window=window))


def _ratio(series: SeriesResult, windows: pd.DataFrame, category: str, phase: str,
           baseline: str, min_share: float) -> tuple[float, str]:
    """The estimate ``compare_phases`` gives for ``phase`` (primary measure), with only that
    measure fitted (``compare.window_ratio``), and the measure."""
    flagged = _flagged(series, windows, min_share)
    measure = primary_measure(flagged, category)
    row = window_ratio(flagged, category, phase, baseline=baseline, measure=measure)
    if not row or not bool(row["estimable"]):
        return math.nan, measure
    return float(row["estimate"]), measure


def placebo_positions(series: SeriesResult, windows: pd.DataFrame, step: int | None = None
                      ) -> list[pd.Timestamp]:
    """Start days of the slid before+campaign block that stay clear of the real windows."""
    real = windows.set_index("window")
    block_start = real.loc["before", "start"]
    block_days = int((real.loc["campaign", "end"] - block_start).days) + 1
    busy_start, busy_end = windows["start"].min(), windows["end"].max()
    first = series.frame.index.min()
    last = pd.to_datetime(series.frame["period_end"]).max()
    step = step or {"D": 7, "W": 7, "M": 30}[series.freq]
    starts = []
    day = first
    while day + pd.Timedelta(days=block_days - 1) <= last:
        end = day + pd.Timedelta(days=block_days - 1)
        if end < busy_start or day > busy_end:
            starts.append(day)
        day += pd.Timedelta(days=step)
    return starts


def placebo(
    series: SeriesResult,
    windows: pd.DataFrame,
    category: str,
    phase: str = "campaign",
    baseline: str = "before",
    step: int | None = None,
    min_share: float = 0.5,
    alpha: float = 0.05,
) -> EffectResult:
    """The real estimate, the placebo estimates and the two-sided permutation p-value.

    Returned as an ``EffectResult`` whose ``p_value`` is the permutation p (no interval: the
    placebo distribution *is* the evidence; ``table`` lists it, ``plot`` draws it)."""
    real, measure = _ratio(series, windows, category, phase, baseline, min_share)
    real_start = windows.set_index("window").loc["before", "start"]
    estimates, starts = [], []
    for start in placebo_positions(series, windows, step):
        shifted = windows.copy()
        offset = start - real_start
        shifted["start"] = shifted["start"] + offset
        shifted["end"] = shifted["end"] + offset
        shifted = shifted[shifted["window"].isin(CHECKED)]
        value, _ = _ratio(series, shifted, category, phase, baseline, min_share)
        if math.isfinite(value) and value > 0:
            estimates.append(value)
            starts.append(start)
    values = np.asarray(estimates, float)
    p_value, notes = math.nan, []
    if not len(values):
        notes.append(note("no_placebos"))
    elif math.isfinite(real) and real > 0:
        extreme = int(np.sum(np.abs(np.log(values)) >= abs(math.log(real)) - 1e-12))
        p_value = (1 + extreme) / (1 + len(values))
    if 0 < len(values) < 19:  # below 19 placebos even the most extreme real value has p > 0.05
        notes.append(note("placebo_min_p", n=len(values), min_p=1 / (1 + len(values))))
    outcome = ("not estimable" if not math.isfinite(p_value)
               else "unusual" if p_value < alpha else "typical")
    return EffectResult(
        method="placebo",
        category=category,
        windows=windows_frame(series, windows),
        effect={"estimate": real, "ci_low": math.nan, "ci_high": math.nan,
                "p_value": p_value, "alpha": alpha, "scale": "rate ratio",
                "outcome": outcome,
                "phase": phase, "baseline": baseline, "measure": measure,
                "n_placebos": len(values)},
        table=pd.DataFrame({"start": pd.to_datetime(starts), "estimate": values}),
        meta=result_meta(series, {"phase": phase, "baseline": baseline, "step": step,
                                  "min_share": min_share}, Method(note("placebo_model")),
                         n=len(values), plot="distribution"),
        notes=tuple(notes),
    )
