"""Changepoints: where did the rate of a category break, and do the breaks line up with the
election calendar?

This is the assumption-light view beside the count models: nothing is told about the windows,
the data say where the level changed, and the result reports how far each detected break lies
from the real phase boundaries (campaign start, quiet start, voting day, start of ``after``).

Choices, each for a reason:

* **Signal**: the log of the rate - the share of collected items (per 1,000) when collection
  volume is known, else the count per day - with a continuity correction of half an item
  (``log((count + 0.5) / exposure)``) so that empty periods stay finite. Election effects are
  multiplicative (rate ratios), and on the log scale the same ratio is the same step whatever
  the level, and the Poisson noise is roughly homoscedastic.
* **Day of week**: daily series (four weeks or more) have their weekly pattern removed first
  (the median, per weekday, of the deviation from a centred 7-day rolling median) so that a
  "Saturday dip" is not read as a series of breaks; the pattern is robust to the breaks
  themselves.
* **Cost**: ruptures' ``"l2"`` (piecewise-constant mean, squared error). On the log rate this
  is the Gaussian mean-shift model the penalty below is calibrated for; a Poisson cost would
  trust the Poisson variance, which overdispersed, autocorrelated counts never satisfy, and
  ``"rbf"`` (kernel) detects changes in the whole distribution and has no interpretable
  penalty scale.
* **Penalty** (BIC-type): ``pen = 2 * sigma_LR^2 * log(n)``. Each break adds two parameters
  (a location and a new mean), hence the factor 2 of BIC, in units of the noise variance
  because the l2 cost is a sum of squares; ``sigma_LR^2`` is the *long-run* variance of the
  noise, because a spurious split of autocorrelated noise gains as much as the long-run
  variance, not the marginal one (with the marginal variance, PELT cuts AR(1) noise into
  pieces). The starting noise scale is the median absolute deviation (MAD) of first
  differences: a level shift spoils only the one difference that straddles it, so the
  estimate is not inflated by the very breaks being sought (a plain standard deviation would
  be). Series of 30 periods or more then estimate the long-run variance on the residuals
  around a first segmentation (so the breaks do not count as noise), with Bartlett weights
  to lag ``n^(1/3)``, and repeat the search until the penalty settles (see
  :func:`_noise_scale`); shorter series assume independent noise. ``penalty`` overrides the
  rule.
* **Search**: PELT (exact for the penalised cost) by default, binary segmentation on request;
  a minimum segment of 7 days, 2 weeks or 2 months. PELT is :func:`pelt`, ruptures' ``Pelt``
  (``jump=1``) step for step - the same candidates in the same order, the same sums, ties and
  pruning, so the same breaks - with each step's candidates costed at once from cumulative
  sums instead of one Python call each (ruptures took most of a daily report's time);
  binary segmentation is ruptures' ``Binseg``, imported only when asked for.

The headline is the break nearest the campaign start as the ratio of the rates of the segments
on either side ("rate ratio at the break"). It is descriptive: there is no interval and no
p-value - segment rates on either side of a break chosen by the data are biased away from 1,
so a naive interval would mislead. Use ``compare_periods``, ``its`` or ``placebo`` to test.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pandas as pd

from negtrend.analysis.effect import EffectResult, nan_effect
from negtrend.analysis.engine import (
    choose_measure,
    exposure_scale,
    result_meta,
    usable_rows,
    windows_frame,
)
from negtrend.analysis.notes import Method, note
from negtrend.data.series import SeriesResult

METHODS = ("pelt", "binseg")
MIN_SIZE = {"D": 7, "W": 2, "M": 2}
PENALTY_FACTOR = 2.0
LONG_RUN_MIN_PERIODS = 30  # shorter series: independent noise assumed
BOUNDARIES = (  # (name, window whose start is the boundary)
    ("campaign start", "campaign"),
    ("quiet start", "quiet"),
    ("voting day", "voting"),
    ("after start", "after"),
)
TABLE_COLUMNS = ["break", "segment_before_start", "rate_before", "rate_after", "ratio",
                 "periods_before", "periods_after", "nearest_boundary", "boundary_date",
                 "days_from_boundary", "days_from_campaign_start"]


def changepoints(
    series: SeriesResult,
    category: str,
    penalty: float | None = None,
    method: str = "pelt",
    measure: str | None = None,
    windows: pd.DataFrame | None = None,
    min_size: int | None = None,
) -> EffectResult:
    """Breaks in the (log) rate of ``category`` found by ruptures, set against the calendar.

    ``series``: a :class:`SeriesResult` (daily, weekly or monthly); ``windows``: the election
    windows (``calendar.windows``) - the exact phase dates; without them the boundaries are
    read from the series' ``window`` flags (to the resolution of one period). ``penalty``
    overrides the BIC-type rule (in squared log-rate units); ``method`` is ``"pelt"`` or
    ``"binseg"``; ``min_size`` is the shortest segment in periods.

    Returns an :class:`EffectResult` with ``method="changepoints"``: ``table`` has one row per
    break (its date - the first period of the new segment -, the pooled rate of the segments
    before and after, their ratio and the signed distance in days to the nearest phase
    boundary), ``series`` the observed rate and the piecewise-constant fitted rate (each
    segment's pooled rate), and the headline effect the ratio at the break nearest the campaign
    start, with no interval (descriptive).
    """
    if category not in series.categories:
        raise KeyError(f"category {category!r} not in the series; have {series.categories}")
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if penalty is not None and not (math.isfinite(penalty) and penalty > 0):
        raise ValueError(f"penalty must be a positive number, got {penalty!r}")
    measure = choose_measure(series, category, measure)
    min_size = int(min_size or MIN_SIZE.get(series.freq, 2))
    if min_size < 1:
        raise ValueError(f"min_size must be at least 1, got {min_size}")

    usable, exposure = usable_rows(series.frame, category, measure)
    count = usable[category].astype(float)
    signal = np.log((count.to_numpy() + 0.5) / exposure.to_numpy())
    deseasoned = series.freq == "D" and len(signal) >= 28
    if deseasoned:
        signal = _remove_weekday(signal, usable.index)
    n = len(signal)

    def search(pen: float) -> list[int]:
        if n < 2 * min_size:
            return []
        if method == "pelt":
            found = pelt(signal, pen, min_size)
        else:
            from ruptures import Binseg

            cost = _cost_l2()()
            cost.min_size = min_size
            found = Binseg(custom_cost=cost, min_size=min_size, jump=1).fit(
                signal.reshape(-1, 1)).predict(pen=pen)
        return [int(b) for b in found if 0 < b < n]

    pen, rule, noise = _penalty(signal, search, penalty)
    breaks = search(pen)
    notes = []
    if n < 2 * min_size:
        notes.append(note("cp_too_short", n=n, freq=series.freq, min_size=min_size))
    bounds = _boundaries(series, windows)
    if windows is None and bounds:
        notes.append(note("cp_bounds_from_flags"))
    scale = exposure_scale(measure)
    table, fitted = _break_table(usable.index, count, exposure, breaks, bounds, scale)
    effect, headline_note = _headline(table, breaks, bounds, measure)
    notes.append(headline_note)
    if deseasoned:
        notes.append(note("cp_deseasoned"))

    observed = pd.Series(scale * count.to_numpy() / exposure.to_numpy(), index=usable.index)
    out = pd.DataFrame({"observed": observed, "fitted": fitted,
                        "window": usable.get("window", "outside")},
                       index=usable.index)
    model = Method(note("cp_model", search=method.upper(), measure=measure, penalty=pen,
                        rule=rule, min_size=min_size, freq_unit=series.freq))
    meta = result_meta(series, {"penalty": penalty, "method": method, "measure": measure,
                                "min_size": min_size}, model, n=n,
                       penalty=pen, penalty_rule=rule, cost="l2",
                       signal="log((count + 0.5) / exposure)" + (", weekday-adjusted"
                                                                if deseasoned else ""),
                       noise={k: float(v) for k, v in noise.items()},
                       boundaries={k: f"{v:%Y-%m-%d}" for k, v in bounds.items()})
    return EffectResult(
        method="changepoints",
        category=category,
        windows=windows_frame(series, windows),
        effect=effect,
        table=table,
        series=out,
        meta=meta,
        notes=tuple(notes),
    )


def _penalty(signal: np.ndarray, search, penalty: float | None):
    """(penalty, the rule that set it as a note, the noise measured) - see the module notes."""
    if penalty is not None:
        return float(penalty), note("cp_rule_given"), {}
    noise = _noise_scale(signal, search)
    if noise["lags"]:
        rule = note("cp_rule_bic", factor=PENALTY_FACTOR, lags=noise["lags"],
                    rounds=noise["rounds"])
    else:
        rule = note("cp_rule_bic_mad", factor=PENALTY_FACTOR, min_periods=LONG_RUN_MIN_PERIODS)
    pen = PENALTY_FACTOR * noise["long_run_variance"] * math.log(max(len(signal), 2))
    if not (math.isfinite(pen) and pen > 0):
        pen = 1e-9  # a noiseless series: any real change is a break
    return pen, rule, noise


def _headline(table: pd.DataFrame, breaks: list[int], bounds: dict, measure: str):
    """The effect (the break nearest the campaign start, descriptive) and the note on it."""
    effect = {**nan_effect(), "alpha": 0.05, "scale": "rate ratio at the break",
              "measure": measure, "n_breaks": len(breaks), "break_date": None,
              "days_from_campaign_start": math.nan, "rate_before": math.nan,
              "rate_after": math.nan}
    if not breaks:
        return effect, note("cp_no_break")
    if "campaign start" not in bounds:
        return effect, note("cp_no_campaign")
    row = table.loc[table["days_from_campaign_start"].abs().idxmin()]
    effect.update(estimate=float(row["ratio"]), break_date=f"{row['break']:%Y-%m-%d}",
                  outcome="descriptive" if math.isfinite(row["ratio"]) else None,
                  days_from_campaign_start=float(row["days_from_campaign_start"]),
                  rate_before=float(row["rate_before"]), rate_after=float(row["rate_after"]))
    days = int(row["days_from_campaign_start"])
    return effect, note("cp_nearest_after" if days >= 0 else "cp_nearest_before",
                        date=f"{row['break']:%Y-%m-%d}", days=abs(days))


def _remove_weekday(signal: np.ndarray, index: pd.DatetimeIndex) -> np.ndarray:
    """Subtract, per weekday, the median deviation from a centred 7-day rolling median."""
    values = pd.Series(signal, index=index)
    local = values.rolling(7, center=True, min_periods=4).median()
    deviation = (values - local).groupby(index.day_of_week).median()
    deviation -= deviation.mean()
    return signal - deviation.reindex(index.day_of_week).fillna(0.0).to_numpy()


def _mad(values: np.ndarray) -> float:
    values = values[np.isfinite(values)]
    if not len(values):
        return math.nan
    return float(1.4826 * np.median(np.abs(values - np.median(values))))


def _noise_scale(signal: np.ndarray, search) -> dict:
    """Robust marginal and long-run variance of the noise around the steps of ``signal``.

    ``v1 = MAD(x[t+1] - x[t])^2 / 2`` is the variance of independent noise, unspoilt by steps
    (a step moves one difference). Series shorter than 30 periods stop there. Longer ones
    are searched with the penalty ``v1`` gives, the noise is measured on the residuals around
    the segment means found (so the breaks do not count as noise) as a Bartlett-weighted
    long-run variance with bandwidth ``n^(1/3)``, and the search is repeated with the new
    penalty until it settles (at most four rounds). Positive autocorrelation raises the
    penalty and removes the breaks it would otherwise create; the long-run variance is never
    taken below a quarter of the residual variance.
    """
    n = len(signal)
    if n < 3:
        return {"variance": math.nan, "long_run_variance": math.nan, "lags": 0, "rounds": 0}
    v1 = _mad(np.diff(signal)) ** 2 / 2
    if n < LONG_RUN_MIN_PERIODS or not v1 > 0:
        return {"variance": v1, "long_run_variance": v1, "lags": 0, "rounds": 0}
    lags = max(2, int(n ** (1 / 3)))
    variance, long_run, rounds = v1, v1, 0
    for rounds in range(1, 5):  # noqa: B007 - the count is reported
        edges = [0, *search(PENALTY_FACTOR * long_run * math.log(n)), n]
        resid = signal.copy()
        for lo, hi in zip(edges[:-1], edges[1:], strict=True):
            resid[lo:hi] -= resid[lo:hi].mean()
        gamma = [float(resid[k:] @ resid[:n - k]) / n for k in range(lags + 1)]
        variance = gamma[0]
        updated = max(gamma[0] + 2 * sum((1 - k / (lags + 1)) * gamma[k]
                                         for k in range(1, lags + 1)), gamma[0] / 4)
        settled = abs(updated - long_run) <= 0.01 * long_run
        long_run = updated
        if settled:
            break
    return {"variance": variance, "long_run_variance": long_run, "lags": lags,
            "rounds": rounds}


def _cumulative(signal: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative sums of the signal and of its squares, each led by a 0 (one column: the sums
    ruptures' l2 cost is made of, computed the same way)."""
    values = np.asarray(signal, float).reshape(len(signal), -1)
    sums = np.vstack([np.zeros(values.shape[1]), np.cumsum(values, axis=0)])
    squares = np.concatenate([[0.0], np.cumsum((values ** 2).sum(axis=1))])
    return sums, squares


def pelt(signal: np.ndarray, pen: float, min_size: int) -> list[int]:
    """PELT with the l2 cost on a 1-d signal: the sorted ends of the optimal segments (the
    last is ``n``).

    ruptures' ``Pelt(custom_cost=l2, min_size=min_size, jump=1).fit(signal).predict(pen)``
    step for step: for each end ``b`` (``min_size .. n``) the candidate starts are the
    admissible points that have a partition (0 and ``min_size`` on), in increasing order; a
    candidate's total is its partition's total plus (cost + pen), summed in the order
    ruptures' ``sum(partition.values())`` adds them; the first smallest wins; candidates whose
    total exceeds the best by more than ``pen`` are pruned. Only the costing is different:
    all candidates of a step at once, from cumulative sums (same operations, same numbers).
    """
    n = len(signal)
    sums, squares = _cumulative(signal)
    sums = sums[:, 0]
    total = np.zeros(n + 1)  # total[t]: the optimal partition of signal[:t], as ruptures sums it
    previous = np.zeros(n + 1, dtype=np.int64)
    admissible = np.zeros(0, dtype=np.int64)
    for end in [*range(min_size, n), n]:
        start = end - min_size
        if start == 0 or start >= min_size:  # 1..min_size-1 have no partition: never kept
            admissible = np.append(admissible, start)
        costs = _l2_costs(sums, squares, admissible, end)
        candidates = total[admissible] + (costs + pen)
        best = int(np.argmin(candidates))
        total[end] = candidates[best]
        previous[end] = admissible[best]
        admissible = admissible[candidates <= total[end] + pen]
    ends, end = [], n
    while end > 0:
        ends.append(end)
        end = int(previous[end])
    return sorted(ends)


def _l2_costs(sums: np.ndarray, squares: np.ndarray, starts: np.ndarray, end: int
              ) -> np.ndarray:
    """The l2 cost of every segment ``[start, end)``: squared deviation from its mean."""
    return (squares[end] - squares[starts]) - (sums[end] - sums[starts]) ** 2 / (end - starts)


@functools.cache
def _cost_l2():
    """ruptures' "l2" cost (squared deviation from the segment mean) from cumulative sums:
    the same numbers as ``CostL2`` in O(1) per segment instead of O(length). For binary
    segmentation; a class made on first use, so ruptures is imported only then."""
    from ruptures.base import BaseCost
    from ruptures.costs import NotEnoughPoints

    class CostL2Cumsum(BaseCost):
        model = "l2_cumsum"

        def __init__(self):
            self.min_size = 1
            self.signal = self.sums = self.squares = None

        def fit(self, signal):
            self.signal = np.asarray(signal, float).reshape(len(signal), -1)  # for its length
            self.sums, self.squares = _cumulative(signal)
            return self

        def error(self, start, end):
            if end - start < self.min_size:
                raise NotEnoughPoints
            total = self.sums[end] - self.sums[start]
            return float(self.squares[end] - self.squares[start]
                         - (total ** 2).sum() / (end - start))

    return CostL2Cumsum


def _boundaries(series: SeriesResult, windows: pd.DataFrame | None) -> dict:
    """{boundary name: date} of the phase starts known from ``windows`` or the series flags."""
    spans = windows_frame(series, windows)
    starts = dict(zip(spans["window"], pd.to_datetime(spans["start"]), strict=True))
    return {name: starts[window] for name, window in BOUNDARIES if window in starts}


def _break_table(index: pd.DatetimeIndex, count: pd.Series, exposure: pd.Series,
                 breaks: list[int], bounds: dict, scale: float
                 ) -> tuple[pd.DataFrame, pd.Series]:
    """One row per break and the piecewise-constant fitted rate (pooled per segment)."""
    edges = [0, *breaks, len(index)]
    counts, exposures = count.to_numpy(float), exposure.to_numpy(float)
    rates, fitted = [], np.empty(len(index))
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        rate = scale * counts[lo:hi].sum() / exposures[lo:hi].sum()
        rates.append(rate)
        fitted[lo:hi] = rate
    rows = []
    for i, position in enumerate(breaks):
        date = index[position]
        before, after = rates[i], rates[i + 1]
        row = {"break": date, "segment_before_start": index[edges[i]],
               "rate_before": before, "rate_after": after,
               "ratio": after / before if before > 0 else math.nan,
               "periods_before": position - edges[i], "periods_after": edges[i + 2] - position,
               "nearest_boundary": None, "boundary_date": pd.NaT,
               "days_from_boundary": math.nan, "days_from_campaign_start": math.nan}
        if bounds:
            name, when = min(bounds.items(), key=lambda item: abs((date - item[1]).days))
            row.update(nearest_boundary=name, boundary_date=when,
                       days_from_boundary=float((date - when).days))
        if "campaign start" in bounds:
            row["days_from_campaign_start"] = float((date - bounds["campaign start"]).days)
        rows.append(row)
    table = pd.DataFrame(rows, columns=TABLE_COLUMNS)
    for column in ("break", "segment_before_start", "boundary_date"):
        table[column] = pd.to_datetime(table[column])
    return table, pd.Series(fitted, index=index)
