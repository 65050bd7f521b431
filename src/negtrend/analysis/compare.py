"""Election-phase comparisons: counts and rates per window and rate ratios with intervals.

The model is a log-linear count GLM of the period counts on window indicators with an offset
(``engine``): log(total) when collection volume is known (the *share* of collected items), and
log(observed days) always (the *count per day*). Both measures are computed when the volume
is known; the verdict rests on the share then, and on the count per day otherwise. Periods
outside the windows and periods split between windows stay in the fit with their own levels,
so the noise is measured on the whole series.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from negtrend.analysis.effect import (
    EffectResult,
    nan_effect,
    records,
    row_verdict,
)
from negtrend.analysis.engine import (
    CountFit,
    choose_measure,
    fit_count_model,
    fitted_series,
    model_choice,
    result_meta,
    seasonal_terms,
    usable_rows,
    window_design,
    windows_frame,
)
from negtrend.analysis.notes import NOTHING_FITTED, note
from negtrend.data.calendar import WINDOW_ORDER
from negtrend.data.series import SeriesResult
from negtrend.jsonable import jsonable

RATIO_COLUMNS = ["measure", "window", "baseline", "estimate", "ci_low", "ci_high", "p_value",
                 "estimable", "periods_window", "periods_baseline", "method", "dispersion",
                 "df_resid", "log_se", "note"]


@dataclass(frozen=True)
class MeasureFit:
    """The comparison model of one measure: the rows it used, their exposure and the fit."""

    rows: pd.DataFrame
    exposure: pd.Series
    fit: CountFit


@dataclass(frozen=True)
class PhaseComparison:
    """Per-window numbers and rate ratios for one category, plus the measure the verdict uses.

    ``ratios`` has one row per window and measure; its ``method`` and ``note`` columns hold
    notes (how the ratio was fitted, why it could not be), written out by the report layer."""

    category: str
    baseline: str
    alpha: float
    freq: str
    primary_measure: str
    phase_table: pd.DataFrame
    ratios: pd.DataFrame
    notes: list = field(default_factory=list)
    fits: dict = field(default_factory=dict, repr=False, compare=False)  # measure -> MeasureFit

    def primary(self) -> pd.DataFrame:
        return self.ratios[self.ratios["measure"] == self.primary_measure]

    def ratio(self, window: str) -> dict:
        """The primary measure's row for ``window`` (empty when there is none)."""
        rows = self.primary()
        rows = rows[rows["window"] == window]
        return rows.iloc[0].to_dict() if len(rows) else {}

    def as_dict(self) -> dict:
        """What :meth:`to_dict` gives, with notes left as notes (for the report to write)."""
        ratios = self.ratios.copy()
        ratios["verdict"] = [row_verdict(row) for _, row in ratios.iterrows()]
        return {
            "category": self.category,
            "baseline": self.baseline,
            "alpha": self.alpha,
            "freq": self.freq,
            "primary_measure": self.primary_measure,
            "phase_table": records(self.phase_table),
            "ratios": records(ratios),
            "notes": list(self.notes),
        }

    def to_dict(self) -> dict:
        return jsonable(self.as_dict())


def phase_table(series: SeriesResult, category: str) -> pd.DataFrame:
    """Counts, days, volume, count per day and rate per 1,000 collected items, per window."""
    frame = series.frame
    if "window" not in frame:
        raise ValueError("flag the series with election windows first (series.flag_windows)")
    rows = []
    window = frame["window"].to_numpy(dtype=object)
    counts = frame[category].to_numpy(dtype=float, na_value=np.nan)
    known = ~np.isnan(counts)
    days_all = frame["days"].to_numpy()
    totals = frame["total"].to_numpy(dtype=float, na_value=np.nan) if series.has_total else None
    present = set(window)
    for name in [w for w in WINDOW_ORDER if w in present] + ["mixed", "outside"]:
        mask = (window == name) & known
        if not mask.any():
            continue
        index = frame.index[mask]
        count = float(counts[mask].sum())
        days = int(np.nansum(days_all[mask]))  # pandas' sum: missing values skipped
        total = float(np.nansum(totals[mask])) if totals is not None else math.nan
        rows.append({
            "window": name,
            "periods": int(mask.sum()),
            "first_period": index.min().strftime("%Y-%m-%d"),
            "last_period": index.max().strftime("%Y-%m-%d"),
            "days": days,
            "count": count,
            "count_per_day": count / days if days else math.nan,
            "total": total,
            "rate_per_1000": 1000 * count / total if total and total > 0 else math.nan,
        })
    return pd.DataFrame(rows)


def _ratio_rows(series: SeriesResult, category: str, measure: str, baseline: str,
                alpha: float, holidays: bool = True, only: str | None = None
                ) -> tuple[list[dict], MeasureFit | None]:
    """One row per window against the baseline for one measure (or for the window ``only``),
    and the fit behind them."""
    frame = series.frame
    usable, exposure = usable_rows(frame, category, measure)
    window = usable["window"].to_numpy(dtype=object)
    present = set(window)
    compared = [w for w in WINDOW_ORDER if w != baseline and w in present
                and only in (None, w)]
    in_base = window == baseline
    if not in_base.any():
        reason = note("baseline_empty", freq=series.freq, baseline=baseline,
                      first=f"{frame.index.min():%Y-%m-%d}",
                      last=f"{frame['period_end'].max():%Y-%m-%d}")
        return [_empty_row(measure, w, baseline, reason) for w in compared], None
    counts = usable[category].to_numpy(dtype=float, na_value=np.nan)
    if counts.sum() == 0:
        return [_empty_row(measure, w, baseline, note("no_items_series")) for w in compared], None
    choice = model_choice(series.freq, len(usable), holidays)
    design = seasonal_terms(window_design(usable, baseline), choice.dow, choice.holidays)
    fit = fit_count_model(counts, design, np.log(exposure.to_numpy(float)), choice.robust)
    method = fit.method()
    base_items = counts[in_base].sum()
    rows = []
    for name in compared:
        in_window = window == name
        row = {"measure": measure, "window": name, "baseline": baseline,
               "periods_window": int(in_window.sum()), "periods_baseline": int(in_base.sum()),
               "method": method, "dispersion": fit.dispersion, "df_resid": fit.df_of(name),
               "note": None}
        window_items = counts[in_window].sum()
        if window_items == 0 or base_items == 0:
            empty_side = name if window_items == 0 else baseline
            row.update(nan_effect(), log_se=math.nan, estimable=False,
                       note=note("no_items_window", window=empty_side))
        else:
            effect = fit.ratio(name, alpha)
            if math.isfinite(effect["p_value"]):
                row.update(effect, estimable=True)
            else:
                row.update(nan_effect(), estimate=effect["estimate"], log_se=math.nan,
                           estimable=False, note=note("no_residual_df"))
        rows.append(row)
    return rows, MeasureFit(usable, exposure, fit)


def _empty_row(measure, window, baseline, reason) -> dict:
    return {"measure": measure, "window": window, "baseline": baseline, "periods_window": 0,
            "periods_baseline": 0, "method": NOTHING_FITTED, "dispersion": math.nan,
            "df_resid": None, **nan_effect(), "log_se": math.nan, "estimable": False,
            "note": reason}


def primary_measure(series: SeriesResult, category: str) -> str:
    """The measure a comparison's verdict rests on: the share of collected items when the
    collection volume is known (and the category is not every item), else the count per day."""
    return "share" if series.has_total and category != "all_items" else "count_per_day"


def _check(series: SeriesResult, category: str, baseline: str, alpha: float) -> None:
    if category not in series.categories:
        raise KeyError(f"category {category!r} not in the series; have {series.categories}")
    if baseline not in WINDOW_ORDER:
        raise ValueError(f"baseline must be one of {WINDOW_ORDER}, got {baseline!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")


def window_ratio(
    series: SeriesResult,
    category: str,
    window: str,
    baseline: str = "before",
    alpha: float = 0.05,
    measure: str | None = None,
    holidays: bool = True,
) -> dict:
    """The ratio row of one window against ``baseline`` - what
    ``compare_phases(...).ratio(window)`` gives for the primary measure (or ``measure``) -
    fitting that measure alone and building no phase table: for placebo dates, power and
    claim checks, which need one ratio many times. Empty when the window has no row."""
    _check(series, category, baseline, alpha)
    measure = measure or primary_measure(series, category)
    rows, _ = _ratio_rows(series, category, measure, baseline, alpha, holidays, only=window)
    return {column: rows[0].get(column, math.nan) for column in RATIO_COLUMNS} if rows else {}


def compare_phases(
    series: SeriesResult,
    category: str,
    baseline: str = "before",
    alpha: float = 0.05,
    holidays: bool = True,
) -> PhaseComparison:
    """Compare every election window with ``baseline`` for one category.

    Both measures are computed when collection volume is known; the verdict rests on the share
    of collected items then, and on the count per day otherwise (see ``primary_measure``).
    One window's ratio alone is cheaper from :func:`window_ratio`.
    """
    _check(series, category, baseline, alpha)
    is_share_meaningful = primary_measure(series, category) == "share"
    measures = ["count_per_day", *(["share"] if is_share_meaningful else [])]
    rows, fits = [], {}
    for measure in measures:
        measure_rows, fit = _ratio_rows(series, category, measure, baseline, alpha, holidays)
        if fit is not None:
            fits[measure] = fit
        rows += measure_rows
    ratios = pd.DataFrame(rows).reindex(columns=RATIO_COLUMNS)
    table = phase_table(series, category)
    missing = [w for w in WINDOW_ORDER if w not in set(table.get("window", []))]
    notes = [note("windows_not_covered", freq=series.freq, windows=missing)] if missing else []
    return PhaseComparison(
        category=category,
        baseline=baseline,
        alpha=alpha,
        freq=series.freq,
        primary_measure="share" if is_share_meaningful else "count_per_day",
        phase_table=table,
        ratios=ratios,
        notes=notes,
        fits=fits,
    )


def compare_periods(
    series: SeriesResult,
    category: str,
    phase: str = "campaign",
    baseline: str = "before",
    alpha: float = 0.05,
    measure: str | None = None,
    holidays: bool = True,
    windows: pd.DataFrame | None = None,
) -> EffectResult:
    """Rate ratio of ``phase`` against ``baseline`` as an ``EffectResult``.

    The model is the one of :func:`compare_phases`; the table holds every window's ratio and
    counts, the series the observed, fitted and counterfactual rates (the fit with the
    ``phase`` indicator switched off).
    """
    comparison = compare_phases(series, category, baseline=baseline, alpha=alpha,
                                holidays=holidays)
    measure = choose_measure(series, category, measure or comparison.primary_measure)
    ratios = comparison.ratios[comparison.ratios["measure"] == measure]
    chosen = ratios[ratios["window"] == phase]
    row = chosen.iloc[0].to_dict() if len(chosen) else {}
    effect = {
        "estimate": row.get("estimate", math.nan),
        "ci_low": row.get("ci_low", math.nan),
        "ci_high": row.get("ci_high", math.nan),
        "p_value": row.get("p_value", math.nan),
        "log_se": row.get("log_se", math.nan),
        "df": row.get("df_resid"),
        "alpha": alpha,
        "scale": "rate ratio",
        "phase": phase,
        "baseline": baseline,
        "measure": measure,
    }
    table = comparison.phase_table.merge(ratios.drop(columns=["measure"]), on="window",
                                         how="left")
    fitted = comparison.fits.get(measure)
    notes = list(comparison.notes)
    if not row:
        notes.append(note("no_phase_period", phase=phase))
    elif row.get("note"):
        notes.append(row["note"])
    if fitted is None:
        series_frame = pd.DataFrame(columns=["observed", "fitted", "counterfactual", "window"])
    else:
        series_frame = fitted_series(fitted.fit, fitted.rows, fitted.exposure, category,
                                     measure, (phase,))
    spec = {"phase": phase, "baseline": baseline, "alpha": alpha, "measure": measure,
            "holidays": holidays}
    return EffectResult(
        method="compare_periods",
        category=category,
        windows=windows_frame(series, windows),
        effect=effect,
        table=table,
        series=series_frame,
        meta=result_meta(series, spec, row.get("method", NOTHING_FITTED),
                         n=len(fitted.rows) if fitted else 0),
        notes=tuple(notes),
    )


def adjust_across_categories(comparisons: list[PhaseComparison], window: str = "campaign"
                             ) -> pd.DataFrame:
    """Benjamini-Hochberg adjusted p-values across categories, beside the raw ones.

    Testing six categories at once makes one "significant" change likely by chance; the
    adjusted p-value controls the expected share of false discoveries among the changes
    reported.
    """
    from statsmodels.stats.multitest import multipletests

    rows = []
    for comparison in comparisons:
        primary = comparison.primary()
        primary = primary[(primary["window"] == window) & primary["estimable"].astype(bool)]
        if len(primary):
            row = primary.iloc[0]
            rows.append({"category": comparison.category, "window": window,
                         "estimate": row["estimate"], "p_value": row["p_value"]})
    table = pd.DataFrame(rows, columns=["category", "window", "estimate", "p_value"])
    if len(table):
        table["p_bh"] = multipletests(table["p_value"].to_numpy(), method="fdr_bh")[1]
    else:
        table["p_bh"] = []
    return table


@dataclass(frozen=True)
class ElectionView:
    """One election's windows, series and period comparisons for one corpus."""

    election: object  # negtrend.data.calendar.Election
    windows: pd.DataFrame
    series: SeriesResult
    comparisons: list

    def ratios(self) -> pd.DataFrame:
        """Campaign, quiet, voting and after against the baseline, primary measure."""
        frames = []
        for comparison in self.comparisons:
            primary = comparison.primary().copy()
            primary.insert(0, "category", comparison.category)
            primary.insert(0, "election", self.election.id)
            frames.append(primary)
        columns = ["election", "category", "measure", "window", "baseline", "estimate",
                   "ci_low", "ci_high", "p_value"]
        if not frames:
            return pd.DataFrame(columns=[*columns, "verdict"])
        both = pd.concat(frames, ignore_index=True)
        table = both[columns].copy()
        table["verdict"] = [row_verdict(row) for _, row in both.iterrows()]
        return table


def compare_election(election, windows: pd.DataFrame, series: SeriesResult,
                     baseline: str = "before", alpha: float = 0.05) -> ElectionView:
    """Every category of a flagged series compared across one election's windows."""
    comparisons = []
    for category in series.categories:
        try:
            comparisons.append(compare_phases(series, category, baseline=baseline, alpha=alpha))
        except ValueError:  # e.g. the corpus does not reach this election
            continue
    return ElectionView(election, windows, series, comparisons)
