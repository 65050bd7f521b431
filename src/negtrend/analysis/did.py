"""Difference-in-differences: election regions against regions without an election.

Pilkada 2017 and 2018 were held only in some provinces and regencies, so the rest of the
country is a natural control: news cycles, platform changes, holidays and collection hiccups
hit both, the election only one. The estimate is the **ratio of rate ratios**: the election
regions' ``phase``/``baseline`` rate ratio divided by the other regions'. Above 1, negative
content rose more (or fell less) where there was an election.

Model. The stacked count GLM ``log E[y_gt] = a_t + g*c + g*X_t b + log(exposure_gt)`` -
common period fixed effects ``a_t`` (every shock shared by both groups, day by day), a group
intercept ``c``, and group x window interactions ``b`` (the phase's interaction is the DiD) -
is fitted in its exactly equivalent conditional form: given both groups' counts in a period,
the election regions' count is binomial with ``logit p_t = c + X_t b + log(E_Tt / E_Ct)``
(the Poisson likelihood with period fixed effects profiles to this binomial one, with the same
estimates of ``c`` and ``b``). This needs no hundreds of nuisance parameters, and the score of
each period is already the sum of both groups' scores for that period, which is what the
error model needs:

* daily and weekly series with at least 30 periods: equal-weighted-cosine (EWC) sandwich
  errors on the per-period scores with Student-t inference (Lazarus, Lewis, Stock and Watson
  2018; the same rule and residual bias correction as ``engine.fit_count_model``), robust to
  overdispersion and to
  autocorrelation of the regions' *differential* noise, never smaller than the
  quasi-binomial error;
* shorter series (monthly figures): quasi-binomial errors with the Pearson dispersion (never
  deflated) and t intervals on the residual degrees of freedom - the binomial counterpart of
  the negative binomial / Pearson / t fallback of the single-series models. With no residual
  degrees of freedom there is an estimate but no interval.

Daily series (two weeks or more) add day-of-week terms to the ratio (the groups may differ in
their weekly rhythm); shocks common to both groups, holidays included, are absorbed by the
period effects. Periods outside every window get their own early/late levels (they help
measure the noise and leave the windows' estimates alone); periods split between windows
(``mixed``) carry no information on any window and are left out.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd

from negtrend.analysis.compare import compare_periods
from negtrend.analysis.effect import EffectResult, ratio_effect, t_quantile
from negtrend.analysis.engine import (
    CountFit,
    choose_measure,
    ewc_covariance,
    exposure_scale,
    model_choice,
    not_estimable,
    result_meta,
    seasonal_terms,
    window_design,
    windows_frame,
)
from negtrend.analysis.notes import NOTHING_FITTED, Method, note
from negtrend.data.calendar import WINDOW_ORDER
from negtrend.data.series import SeriesResult, flag_windows, from_posts

GROUPS = ("election regions", "other regions")


def series_by_region(
    posts: pd.DataFrame,
    region_col: str,
    election_regions,
    categories: list[str] | None = None,
    freq: str = "D",
    windows: pd.DataFrame | None = None,
    control_regions=None,
    complete_feed: bool = True,
    start=None,
    end=None,
) -> tuple[SeriesResult, SeriesResult]:
    """Split tagged posts by region into (election regions, other regions) series.

    ``posts``: tagged posts (one boolean column per category, a ``date`` or ``timestamp``
    column, as :func:`negtrend.series.from_posts` takes them) with a ``region_col``;
    ``election_regions``: the region names that held the election (matched ignoring case and
    surrounding spaces); ``control_regions``: the comparison regions (default: every other
    named region). Both series share one grid (from the first to the last dated post, or
    ``start``..``end``) and, with ``windows``, are flagged with the election windows. ``total``
    counts every collected item of the group, so the share is a share within the group.

    Posts without a region (blank or missing) or in neither group are left out of both series
    and listed, with the reason, in each series' ``unused`` frame.
    """
    if region_col not in posts.columns:
        raise KeyError(f"region column {region_col!r} not in the posts; columns are "
                       f"{list(posts.columns)}; expected a column holding region names such as "
                       f"{_sample(election_regions)}")
    wanted = _names(election_regions)
    if not wanted:
        raise ValueError("election_regions is empty; give the names of the regions that held "
                         "the election")
    posts = posts.copy()
    if "date" not in posts.columns:
        if "timestamp" not in posts.columns:
            raise KeyError("posts need a 'date' or 'timestamp' column; columns are "
                           f"{list(posts.columns)}")
        stamps = pd.to_datetime(posts["timestamp"])
        if getattr(stamps.dt, "tz", None) is not None:
            stamps = stamps.dt.tz_localize(None)
        posts["date"] = stamps.dt.normalize()
    region = posts[region_col].astype("string").str.strip().str.casefold()
    known = (region.notna() & (region != "")).fillna(False).astype(bool)
    treated_mask = (known & region.isin(wanted)).fillna(False).astype(bool)
    if control_regions is None:
        control_mask = known & ~treated_mask
    else:
        control_mask = (known & region.isin(_names(control_regions)) & ~treated_mask
                        ).fillna(False).astype(bool)
    found = sorted(region[known].unique().tolist())
    if not treated_mask.any():
        raise ValueError(f"no post has {region_col!r} in the election regions "
                         f"{_sample(election_regions)}; values found in {region_col!r}: "
                         f"{_sample(found)}")
    if not control_mask.any():
        which = (f"the control regions {_sample(control_regions)}" if control_regions
                 is not None else "any other region")
        raise ValueError(f"no post has {region_col!r} in {which}, so there is nothing to "
                         f"compare with; values found in {region_col!r}: {_sample(found)}")
    dates = pd.to_datetime(posts.loc[treated_mask | control_mask, "date"])
    first = pd.Timestamp(start) if start is not None else dates.min()
    last = pd.Timestamp(end) if end is not None else dates.max()
    left = posts[~(treated_mask | control_mask)].copy()
    left["reason_code"] = np.where(known[left.index], "region_not_in_groups", "region_missing")
    left["reason"] = np.where(known[left.index],
                              f"{region_col} is neither an election nor a control region",
                              f"no {region_col}: left out of both series")
    result = []
    for mask in (treated_mask, control_mask):
        built = from_posts(posts[mask], freq=freq, categories=categories,
                           complete_feed=complete_feed, start=first, end=last)
        built = SeriesResult(built.frame, built.categories, built.freq, built.exposure,
                             left.reset_index(drop=True))
        result.append(flag_windows(built, windows) if windows is not None else built)
    return result[0], result[1]


def _names(values) -> set[str]:
    if values is None:
        return set()
    if isinstance(values, str):
        values = [values]
    return {str(v).strip().casefold() for v in values if str(v).strip()}


def _sample(values, limit: int = 8) -> str:
    if values is None:
        return "[]"
    values = [values] if isinstance(values, str) else list(values)
    more = f" ... ({len(values)} in all)" if len(values) > limit else ""
    return "[" + ", ".join(repr(str(v)) for v in values[:limit]) + "]" + more


def did(
    treated: SeriesResult,
    control: SeriesResult,
    category: str,
    phase: str = "campaign",
    baseline: str = "before",
    alpha: float = 0.05,
    measure: str | None = None,
    windows: pd.DataFrame | None = None,
    group_ratios: bool = True,
) -> EffectResult:
    """Ratio of rate ratios, election regions (``treated``) against other regions
    (``control``), of ``phase`` against ``baseline`` for ``category``.

    Both series must share a frequency and be flagged with the same election windows (pass
    ``windows`` to flag them here). ``measure``: "share" (of collected items, the default when
    both have a ``total``) or "count_per_day". With ``group_ratios`` the table also holds each
    group's own rate ratio from :func:`negtrend.stats.compare_periods` (its own model, so the
    two ratios divided are close to, not equal to, the DiD).

    Returns an :class:`EffectResult` (``method="did"``, scale "ratio of rate ratios"); its
    series are the election regions' observed, fitted and counterfactual rates (the fit with
    the group x phase interaction switched off: what the election regions would have seen had
    they moved like the others).
    """
    treated, control = _checked(treated, control, category, phase, baseline, alpha, windows)
    both_total = treated.has_total and control.has_total and category != "all_items"
    measure = choose_measure(treated, category, measure, has_total=both_total)

    data, notes = _stack(treated, control, category, measure)
    spec = {"phase": phase, "baseline": baseline, "alpha": alpha, "measure": measure}
    win = windows_frame(treated, windows)
    reason = _not_estimable_reason(data, treated.freq, phase, baseline)
    if reason is not None:
        return _not_estimable(treated, category, win, spec, [*notes, reason])

    choice = model_choice(treated.freq, len(data), holidays=False)
    design = seasonal_terms(window_design(data, baseline), choice.dow, use_holidays=False)
    fit, prob = _fit(data, design, choice.robust)
    estimate = float(fit.params[phase])
    effect = ratio_effect(estimate, float(fit.bse[phase]), t_quantile(alpha, fit.df), fit.df)
    if not math.isfinite(effect["p_value"]):
        notes.append(note("no_residual_df"))
    effect.update(df=fit.df, alpha=alpha, scale="ratio of rate ratios", phase=phase,
                  baseline=baseline, measure=measure)

    scale = exposure_scale(measure)
    fitted_count = data["n"] * prob
    on = (data["window"] == phase).to_numpy(float)
    series = pd.DataFrame({
        "observed": scale * data["y_t"] / data["e_t"],
        "fitted": scale * fitted_count / data["e_t"],
        "counterfactual": scale * fitted_count * np.exp(-estimate * on) / data["e_t"],
        "window": data["window"],
    }, index=data.index)
    table = _table(treated, control, data, category, phase, baseline, alpha, measure,
                   group_ratios, windows, effect, scale)
    extras = (note("did_terms_dow"),) if choice.dow else ()
    model = Method(note("did_fit_robust" if choice.robust else "did_fit", df=fit.df), extras)
    meta = result_meta(treated, spec | {"group_ratios": group_ratios}, model, n=len(data),
                       dispersion=fit.dispersion, groups=list(GROUPS),
                       periods={"treated": len(treated.frame), "control": len(control.frame),
                                "used": len(data)})
    return EffectResult(
        method="did",
        category=category,
        windows=win,
        effect=effect,
        table=table,
        series=series,
        meta=meta,
        notes=tuple(notes),
    )


def _checked(treated, control, category, phase, baseline, alpha, windows):
    """Both series, flagged with ``windows`` when given; raises for what cannot be compared."""
    for name, part in (("treated", treated), ("control", control)):
        if category not in part.categories:
            raise KeyError(f"category {category!r} not in the {name} series; have "
                           f"{part.categories}")
    if treated.freq != control.freq:
        raise ValueError(f"both series need the same frequency; treated is {treated.freq!r}, "
                         f"control {control.freq!r}")
    for label, value in (("phase", phase), ("baseline", baseline)):
        if value not in WINDOW_ORDER:
            raise ValueError(f"{label} must be one of {WINDOW_ORDER}, got {value!r}")
    if phase == baseline:
        raise ValueError(f"phase and baseline are both {phase!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    if windows is not None:
        treated, control = flag_windows(treated, windows), flag_windows(control, windows)
    for name, part in (("treated", treated), ("control", control)):
        if "window" not in part.frame:
            raise ValueError(f"flag the {name} series with election windows first "
                             "(series.flag_windows) or pass windows=")
    return treated, control


def _not_estimable_reason(data: pd.DataFrame, freq: str, phase: str, baseline: str):
    """Why no ratio of rate ratios can be estimated (a note), or None."""
    present = set(data["window"])
    missing = [w for w in (baseline, phase) if w not in present]
    if missing or data.empty:
        return note("did_no_window", freq=freq, windows_quoted=missing or [phase, baseline])
    for window in (baseline, phase):
        part = data[data["window"] == window]
        for group, column in (("election", "y_t"), ("other", "y_c")):
            if part[column].sum() == 0:
                return note("did_no_items_group", group=group, window=window)
    return None


def _stack(treated: SeriesResult, control: SeriesResult, category: str, measure: str
           ) -> tuple[pd.DataFrame, list[str]]:
    """One row per period usable in both groups: counts, exposures, window."""
    t, c = treated.frame, control.frame
    exposure = "total" if measure == "share" else "days"
    data = pd.DataFrame({
        "y_t": t[category], "e_t": t[exposure], "window": t["window"],
    }).join(pd.DataFrame({"y_c": c[category], "e_c": c[exposure], "window_c": c["window"]}),
            how="inner")
    notes = []
    unmatched = len(t) + len(c) - 2 * len(data)
    if unmatched:
        notes.append(note("did_unmatched", n=unmatched))
    ok = (data[["y_t", "y_c"]].notna().all(axis=1) & (data["e_t"] > 0) & (data["e_c"] > 0))
    disagree = ok & (data["window"] != data["window_c"])
    if disagree.any():
        notes.append(note("did_windows_differ", n=int(disagree.sum())))
    data = data[ok & ~disagree & (data["window"] != "mixed")].copy()
    data[["y_t", "y_c", "e_t", "e_c"]] = data[["y_t", "y_c", "e_t", "e_c"]].astype(float)
    data["n"] = data["y_t"] + data["y_c"]
    empty = data["n"] == 0
    if empty.any():
        notes.append(note("did_empty_periods", n=int(empty.sum())))
    return data[~empty].drop(columns="window_c"), notes


def _fit(data: pd.DataFrame, design: pd.DataFrame, robust: bool):
    """Conditional binomial fit: (CountFit, fitted probability). Long daily/weekly series get
    EWC errors on the per-period scores, never below the quasi-binomial ones; short series
    quasi-binomial errors (Pearson scale, t intervals)."""
    from statsmodels.genmod.families import Binomial
    from statsmodels.genmod.generalized_linear_model import GLM

    endog = data[["y_t", "y_c"]].to_numpy(float)
    offset = np.log(data["e_t"].to_numpy(float)) - np.log(data["e_c"].to_numpy(float))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = GLM(endog, design, family=Binomial(), offset=offset).fit()
    prob = np.asarray(model.mu, float)
    df_resid = int(model.df_resid)
    dispersion = float(model.pearson_chi2 / df_resid) if df_resid > 0 else math.nan
    if robust:
        x = design.to_numpy(float)
        n = data["n"].to_numpy(float)
        scores = x * (data["y_t"].to_numpy(float) - n * prob)[:, None]
        cov, terms = ewc_covariance(x, scores, n * prob * (1 - prob))
        quasi = model.bse * math.sqrt(max(dispersion, 1.0))
        bse = np.maximum(pd.Series(np.sqrt(np.diag(cov)), index=design.columns), quasi)
        return CountFit(design, model.params, bse, terms, dispersion, math.nan, True), prob
    inflate = math.sqrt(max(dispersion, 1.0)) if df_resid > 0 else math.nan
    return CountFit(design, model.params, model.bse * inflate, df_resid, dispersion, math.nan,
                    False), prob


def _table(treated, control, data, category, phase, baseline, alpha, measure, group_ratios,
           windows, effect, scale) -> pd.DataFrame:
    """Each group's pooled rates and rate ratio, and the DiD row."""
    rows = []
    for group, series, y, e in ((GROUPS[0], treated, "y_t", "e_t"),
                                (GROUPS[1], control, "y_c", "e_c")):
        pooled = {w: scale * data.loc[data["window"] == w, y].sum()
                  / data.loc[data["window"] == w, e].sum() for w in (baseline, phase)}
        row = {"group": group, "rate_baseline": pooled[baseline], "rate_phase": pooled[phase],
               "crude_ratio": pooled[phase] / pooled[baseline] if pooled[baseline] else
               math.nan, "estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan,
               "p_value": math.nan, "model": NOTHING_FITTED}
        if group_ratios:
            own = compare_periods(series, category, phase=phase, baseline=baseline,
                                  alpha=alpha, measure=measure, windows=windows)
            row.update(estimate=own.estimate, ci_low=own.ci[0], ci_high=own.ci[1],
                       p_value=own.p_value, model=own.meta.get("model"))
        rows.append(row)
    rows.append({"group": "difference-in-differences",
                 "rate_baseline": math.nan, "rate_phase": math.nan,
                 "crude_ratio": rows[0]["crude_ratio"] / rows[1]["crude_ratio"]
                 if rows[1]["crude_ratio"] else math.nan,
                 "estimate": effect["estimate"], "ci_low": effect["ci_low"],
                 "ci_high": effect["ci_high"], "p_value": effect["p_value"], "model": "did"})
    return pd.DataFrame(rows)


def _not_estimable(treated, category, windows, spec, notes) -> EffectResult:
    return not_estimable("did", treated, category, windows, spec, notes, "ratio of rate ratios",
                         ("phase", "baseline", "measure"))
