"""One result object for every estimator: ``EffectResult``, and the one verdict rule.

Period comparison, interrupted time series, event study, placebo-in-time, changepoints and
difference-in-differences all answer "how big was the change and how sure are we?", so they
return the same frozen object: the method, the windows it used, the headline effect (estimate,
interval, p), a tidy table, the observed / fitted / counterfactual series, the metadata needed
to reproduce it and its notes. It holds numbers and codes only: the report layer writes it in
words (``negtrend.report.words.summary``) and draws it (``negtrend.report.plots.effect_plot``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import pandas as pd
from scipy import special

from negtrend.jsonable import jsonable

VERDICTS = ("higher", "lower", "inconclusive", "not estimable")


def verdict(ci_low, ci_high, estimable: bool = True) -> str:
    """'higher' or 'lower' when the interval excludes 1 that way, 'inconclusive' when it holds
    1, 'not estimable' when there is no interval (or the estimate was flagged not estimable)."""
    if not estimable or ci_low is None or ci_high is None:
        return "not estimable"
    if math.isnan(ci_low) or math.isnan(ci_high):
        return "not estimable"
    if ci_low > 1:
        return "higher"
    if ci_high < 1:
        return "lower"
    return "inconclusive"


def row_verdict(row) -> str:
    """The verdict of a ratio row (a dict or a table row with ci_low, ci_high, estimable)."""
    return verdict(row.get("ci_low"), row.get("ci_high"), bool(row.get("estimable", True)))


def exp_ratio(log_value: float) -> float:
    """exp() that saturates to infinity instead of raising: a period with no items can drive a
    log coefficient and its error far past what a float holds."""
    return math.exp(log_value) if log_value < 700 else math.inf


def t_quantile(alpha: float, df) -> float:
    """The two-sided Student-t quantile, NaN when there are no degrees of freedom.

    Student's t comes from ``scipy.special`` (``stdtrit``, ``stdtr``: what ``scipy.stats.t``
    calls for its quantile and tail), so the analysis does not load all of ``scipy.stats``."""
    return float(special.stdtrit(df, 1 - alpha / 2)) if df and df > 0 else math.nan


def ratio_effect(log_estimate: float, se: float, quantile: float, df) -> dict:
    """Rate ratio, interval and two-sided t p-value from a log coefficient and its standard
    error; no interval or p when the error or the quantile is not a usable number."""
    if math.isfinite(se) and se > 0 and math.isfinite(quantile):
        p_value = float(2 * special.stdtr(df, -abs(log_estimate / se)))
        low, high = exp_ratio(log_estimate - quantile * se), exp_ratio(log_estimate + quantile * se)
    else:
        p_value = low = high = math.nan
    return {"estimate": exp_ratio(log_estimate), "ci_low": low, "ci_high": high,
            "p_value": p_value, "log_se": se}


def nan_effect() -> dict:
    return {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan, "p_value": math.nan}


@dataclass(frozen=True)
class EffectResult:
    """A frozen estimate with everything needed to read, reproduce and draw it.

    ``effect`` holds ``estimate``, ``ci_low``, ``ci_high``, ``p_value``, ``alpha`` and
    ``scale`` (a code for what the estimate is, e.g. "rate ratio"), plus what was compared
    (``phase``, ``baseline``, ``measure``). ``series`` is indexed by period with ``observed``
    and, where the method has them, ``fitted`` and ``counterfactual`` (rates per unit of
    exposure) and ``window``. ``meta["model"]`` and ``notes`` are :class:`~.notes.Note` s.
    """

    method: str
    category: str
    windows: pd.DataFrame
    effect: dict
    table: pd.DataFrame = field(default_factory=pd.DataFrame)
    series: pd.DataFrame = field(default_factory=pd.DataFrame)
    meta: dict = field(default_factory=dict)
    notes: tuple = ()

    @property
    def estimate(self) -> float:
        return self.effect.get("estimate", math.nan)

    @property
    def ci(self) -> tuple[float, float]:
        return self.effect.get("ci_low", math.nan), self.effect.get("ci_high", math.nan)

    @property
    def p_value(self) -> float:
        return self.effect.get("p_value", math.nan)

    @property
    def outcome(self) -> str:
        """From the interval, unless the method states its own (placebo: unusual/typical)."""
        return self.effect.get("outcome") or verdict(*self.ci)

    def as_dict(self) -> dict:
        """What :meth:`to_dict` gives, with notes left as notes (for the report to write)."""
        windows = self.windows.copy()
        for column in ("start", "end"):
            if column in windows:
                windows[column] = pd.to_datetime(windows[column]).dt.strftime("%Y-%m-%d")
        series = self.series.copy()
        if len(series):
            series.index = pd.to_datetime(series.index).strftime("%Y-%m-%d")
            series = series.reset_index(names="period")
        return {
            "method": self.method,
            "category": self.category,
            "effect": dict(self.effect),
            "outcome": self.outcome,
            "windows": windows.to_dict(orient="records"),
            "table": records(self.table),
            "series": series.to_dict(orient="records"),
            "meta": dict(self.meta),
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict:
        """Every number at full precision, notes as codes; NaN and infinity become null."""
        return jsonable(self.as_dict())


def records(frame: pd.DataFrame | None) -> list[dict]:
    """A table as JSON-ready rows, dates as ISO days."""
    if frame is None or not len(frame):
        return []
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    return frame.to_dict(orient="records")
