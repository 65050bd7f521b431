"""Interrupted time series: level and slope change at the campaign start (and at voting day).

A period comparison asks whether the campaign's average differs from the baseline's; a
segmented regression asks whether the series *broke* when the campaign began - a jump in level
and a change in slope, against the trend the series was already on. The count model and its
error rules are the shared engine's (``engine.fit_count_model``), with day-of-week and holiday
terms for daily data and the exposure as offset. The counterfactual is the pre-campaign trend
carried forward.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from negtrend.analysis import engine
from negtrend.analysis.effect import EffectResult, t_quantile
from negtrend.analysis.notes import note
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
    measure = engine.choose_measure(series, category, measure)
    wanted = PRE + CAMPAIGN_ON + (VOTING_ON if at_voting else ())
    usable, exposure = engine.usable_rows(frame[frame["window"].isin(wanted)], category, measure)
    pre = usable[usable["window"].isin(PRE)]
    post = usable[usable["window"].isin(CAMPAIGN_ON)]
    spec = {"at_voting": at_voting, "alpha": alpha, "measure": measure}
    if usable[category].sum() == 0:
        return _not_estimable(series, category, windows, spec, note("no_items_series"))
    if len(pre) < 2 or len(post) < 1:
        return _not_estimable(series, category, windows, spec,
                              note("its_too_few", pre=len(pre), post=len(post)))

    choice = engine.model_choice(series.freq, len(usable), holidays)
    design = engine.seasonal_terms(_design(usable, at_voting), choice.dow, choice.holidays)
    y = usable[category].astype(float)
    fit = engine.fit_count_model(y, design, np.log(exposure), choice.robust)
    terms = ["level_campaign", "slope_campaign"] + (
        ["level_voting", "slope_voting"] if at_voting and "level_voting" in design else [])
    table = pd.DataFrame([_term_row(fit, name, alpha) for name in ["trend", *terms]])
    headline = table.set_index("term").loc["level_campaign"].to_dict()
    effect = {key: headline[key] for key in ("estimate", "ci_low", "ci_high", "p_value",
                                             "log_se")}
    effect.update(df=fit.df_of("level_campaign"), alpha=alpha, scale="level change",
                  measure=measure,
                  slope_change_per_30_days=table.set_index("term").loc["slope_campaign",
                                                                       "estimate"])
    no_interval = not np.isfinite(t_quantile(alpha, fit.df_of("level_campaign")))
    return EffectResult(
        method="its",
        category=category,
        windows=engine.windows_frame(series, windows),
        effect=effect,
        table=table,
        series=engine.fitted_series(fit, usable, exposure, category, measure, tuple(terms)),
        meta=engine.result_meta(series, {**spec, "holidays": holidays, "slope_days": SLOPE_DAYS},
                         fit.method(), n=len(usable), dispersion=fit.dispersion),
        notes=(note("no_interval"),) if no_interval else (),
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


def _term_row(fit, name: str, alpha: float) -> dict:
    return {"term": name, **fit.ratio(name, alpha),
            "unit": "rate ratio" if name.startswith("level") else
            f"rate ratio per {SLOPE_DAYS} days"}


def _not_estimable(series, category, windows, spec, reason) -> EffectResult:
    return engine.not_estimable("its", series, category, engine.windows_frame(series, windows),
                                spec, [reason], "level change")
