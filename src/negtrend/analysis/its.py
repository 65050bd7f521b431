"""Interrupted time series: level and slope change at the campaign start (and at voting day).

A period comparison asks whether the campaign's average differs from the baseline's; a
segmented regression asks whether the series *broke* when the campaign began - a jump in level
and a change in slope, against the trend the series was already on. The same count model and
error rules as ``stats.compare_phases`` are used (NB-weighted GLM with EWC errors for long
daily/weekly series, negative binomial with Pearson scale and t intervals for short ones), with
day-of-week and holiday terms for daily data and the exposure as offset. The counterfactual is
the pre-campaign trend carried forward.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats as sps

from negtrend.analysis.effect import LANGS, WINDOW_NAMES, EffectResult, ratio_effect
from negtrend.analysis.stats import (
    ROBUST_MIN_PERIODS,
    choose_measure,
    fit_count_model,
    result_meta,
    seasonal_terms,
    windows_frame,
)
from negtrend.data.series import SeriesResult

SLOPE_DAYS = 30  # slopes are reported as the rate ratio per 30 days
PRE = ("before",)
CAMPAIGN_ON = ("campaign", "quiet")
VOTING_ON = ("voting", "after")


def its(
    series: SeriesResult,
    category: str,
    at_voting: bool = False,
    alpha: float = 0.05,
    measure: str | None = None,
    holidays: bool = True,
    windows: pd.DataFrame | None = None,
) -> EffectResult:
    """Segmented regression on the periods from the baseline's start to the campaign's end
    (to the end of ``after`` when ``at_voting``): trend, level change and slope change at the
    campaign start, optionally a second level and slope change at voting day.

    The headline effect is the level change at the campaign start as a rate ratio; the table
    gives every term with its interval. Mixed periods (straddling a boundary) are left out.
    """
    frame = series.frame
    if category not in series.categories:
        raise KeyError(f"category {category!r} not in the series; have {series.categories}")
    if "window" not in frame:
        raise ValueError("flag the series with election windows first (series.flag_windows)")
    measure = choose_measure(series, category, measure)
    wanted = PRE + CAMPAIGN_ON + (VOTING_ON if at_voting else ())
    usable = frame[frame["window"].isin(wanted) & frame[category].notna()]
    exposure = usable["total"] if measure == "share" else usable["days"].astype(float)
    usable, exposure = usable[exposure > 0], exposure[exposure > 0]
    pre = usable[usable["window"].isin(PRE)]
    post = usable[usable["window"].isin(CAMPAIGN_ON)]
    labels = _labels(measure, at_voting)
    if usable[category].sum() == 0:
        return _not_estimable(series, category, windows, labels, alpha, measure, at_voting,
                              "no items at all in the series; a ratio is not defined")
    if len(pre) < 2 or len(post) < 1:
        return _not_estimable(series, category, windows, labels, alpha, measure, at_voting,
                              f"needs at least two baseline periods and one campaign period; "
                              f"have {len(pre)} and {len(post)}")

    design = _design(usable, at_voting)
    robust = series.freq in ("D", "W") and len(usable) >= ROBUST_MIN_PERIODS
    use_dow = series.freq == "D" and len(usable) >= 14
    design = seasonal_terms(design, use_dow, holidays and use_dow)
    y = usable[category].astype(float)
    params, bse, df, dispersion, method = fit_count_model(y, design, np.log(exposure), robust)
    if use_dow:
        method += "; day-of-week" + (" and holiday" if "holiday" in design else "") + " terms"
    quantile = sps.t.ppf(1 - alpha / 2, df) if df and df > 0 else math.nan
    terms = ["level_campaign", "slope_campaign"] + (
        ["level_voting", "slope_voting"] if at_voting and "level_voting" in design else [])
    rows = [_term_row(name, params, bse, quantile, df) for name in ["trend", *terms]]
    table = pd.DataFrame(rows)
    headline = table.set_index("term").loc["level_campaign"].to_dict()

    scale = 1000 if measure == "share" else 1
    linear = design.to_numpy(float) @ params.reindex(design.columns).to_numpy()
    counterfactual = design.copy()
    counterfactual[terms] = 0.0
    base_linear = counterfactual.to_numpy(float) @ params.reindex(design.columns).to_numpy()
    fitted = pd.DataFrame({
        "observed": scale * y / exposure,
        "fitted": scale * np.exp(linear),
        "counterfactual": scale * np.exp(base_linear),
        "window": usable["window"],
    }, index=usable.index)
    effect = {key: headline[key] for key in ("estimate", "ci_low", "ci_high", "p_value",
                                             "log_se")}
    effect.update(df=df, alpha=alpha, scale="level change", measure=measure,
                  slope_change_per_30_days=table.set_index("term").loc["slope_campaign",
                                                                       "estimate"])
    notes = []
    if not math.isfinite(quantile):
        notes.append("too few periods to measure the noise, so no interval can be given")
    return EffectResult(
        method="its",
        category=category,
        windows=windows_frame(series, windows),
        effect=effect,
        labels=labels,
        table=table,
        series=fitted,
        meta={**result_meta(series, {"at_voting": at_voting, "alpha": alpha, "measure": measure,
                               "holidays": holidays, "slope_days": SLOPE_DAYS},
                      method, n=len(usable)), "dispersion": dispersion},
        notes=tuple(notes),
    )


def _design(usable: pd.DataFrame, at_voting: bool) -> pd.DataFrame:
    """Trend (per 30 days, centred at the campaign start), level and slope steps."""
    midpoint = usable.index + (pd.to_datetime(usable["period_end"]) - usable.index) / 2
    campaign_start = usable.index[usable["window"].isin(CAMPAIGN_ON)].min()
    t = np.asarray((midpoint - campaign_start).dt.days, float) / SLOPE_DAYS
    on = usable["window"].isin(CAMPAIGN_ON + (VOTING_ON if at_voting else ())).to_numpy(float)
    design = pd.DataFrame({"const": 1.0, "trend": t, "level_campaign": on,
                           "slope_campaign": on * t}, index=usable.index)
    voting = usable["window"].isin(VOTING_ON)
    if at_voting and voting.any() and (~voting).any():
        voting_start = usable.index[voting].min()
        tv = np.asarray((midpoint - voting_start).dt.days, float) / SLOPE_DAYS
        design["level_voting"] = voting.to_numpy(float)
        design["slope_voting"] = voting.to_numpy(float) * tv
    return design


def _term_row(name: str, params, bse, quantile: float, df) -> dict:
    return {"term": name, **ratio_effect(float(params[name]), float(bse[name]), quantile, df),
            "unit": "rate ratio" if name.startswith("level") else
            f"rate ratio per {SLOPE_DAYS} days"}


def _labels(measure: str, at_voting: bool) -> dict:
    from negtrend.analysis.effect import MEASURE_NAMES

    head = {"en": "level change at the campaign start", "id": "perubahan tingkat saat "
            "kampanye dimulai"}
    extra = {"en": f" (second break at {WINDOW_NAMES['en']['voting']})",
             "id": f" (titik kedua pada {WINDOW_NAMES['id']['voting']})"}
    return {lang: head[lang] + (extra[lang] if at_voting else "") + ": "
            + MEASURE_NAMES[lang][measure] for lang in LANGS}


def _not_estimable(series, category, windows, labels, alpha, measure, at_voting, reason):
    nan = math.nan
    return EffectResult(
        method="its", category=category, windows=windows_frame(series, windows),
        effect={"estimate": nan, "ci_low": nan, "ci_high": nan, "p_value": nan,
                "alpha": alpha, "scale": "level change", "measure": measure},
        labels=labels,
        meta=result_meta(series, {"at_voting": at_voting, "alpha": alpha, "measure": measure}, "",
                   n=0),
        notes=(reason,),
    )

