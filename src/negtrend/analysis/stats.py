"""Election-phase comparisons: counts and rates per window and rate ratios with intervals.

The model is a log-linear count GLM of the period counts on window indicators with an offset:
log(total) when collection volume is known (the *share* of collected items), and log(observed
days) always (the *count per day*). Counts are overdispersed and autocorrelated, so the Poisson
variance is never trusted on its own:

* daily and weekly series with at least 30 periods use a count GLM with negative binomial
  working weights (:func:`_robust_fit`) and equal-weighted-cosine (EWC) standard errors with
  t inference, robust to both overdispersion and autocorrelation (see
  :func:`ewc_covariance`), never smaller than the quasi-likelihood error (a sandwich is
  blind to the noise of a window of one or three days); daily series add day-of-week terms;
* shorter series (a dozen monthly figures) use a negative binomial (NB2) GLM, whose variance
  grows with the square of the mean as published counts spanning 25 to 500 a month do, with
  the overdispersion alpha by maximum likelihood (Poisson when alpha is 0); its variance is
  further inflated by the Pearson dispersion (never deflated) to absorb the small-sample bias
  of alpha, and intervals use Student-t quantiles with the residual degrees of freedom, so
  thin data give wide intervals;
* with no residual degrees of freedom the noise cannot be measured at all: the ratio is given
  but no interval, and the verdict is "not estimable".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats as sps

from negtrend.analysis.effect import EffectResult, comparison_labels, exp_ratio
from negtrend.data.calendar import WINDOW_ORDER
from negtrend.data.series import SeriesResult
from negtrend.jsonable import jsonable

MEASURES = {
    "count_per_day": "count per day",
    "share": "share of collected items",
}
ROBUST_MIN_PERIODS = 30
ALPHA_FLOOR = 1e-6


def choose_measure(series: SeriesResult, category: str, measure: str | None = None,
                   has_total: bool | None = None) -> str:
    """The measure an estimator rests on: the one asked for (checked), else the share of
    collected items when the collection volume is known, else the count per day."""
    has_total = series.has_total if has_total is None else has_total
    measure = measure or ("share" if has_total and category != "all_items"
                          else "count_per_day")
    if measure not in MEASURES:
        raise ValueError(f"measure must be one of {list(MEASURES)}, got {measure!r}")
    if measure == "share" and not has_total:
        raise ValueError("measure 'share' needs the collection volume (a total column); use "
                         "measure='count_per_day'")
    return measure


@dataclass(frozen=True)
class PhaseComparison:
    """Per-window numbers and rate ratios for one category, plus the measure the verdict uses."""

    category: str
    baseline: str
    alpha: float
    freq: str
    primary_measure: str
    phase_table: pd.DataFrame
    ratios: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    fits: dict = field(default_factory=dict, repr=False, compare=False)  # measure -> Fit

    def primary(self) -> pd.DataFrame:
        return self.ratios[self.ratios["measure"] == self.primary_measure]

    def to_dict(self) -> dict:
        return {
            "category": self.category,
            "baseline": self.baseline,
            "alpha": self.alpha,
            "freq": self.freq,
            "primary_measure": self.primary_measure,
            "phase_table": _records(self.phase_table),
            "ratios": _records(self.ratios),
            "notes": list(self.notes),
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    return jsonable(frame.to_dict(orient="records"))


def phase_table(series: SeriesResult, category: str) -> pd.DataFrame:
    """Counts, days, volume, count per day and rate per 1,000 collected items, per window."""
    frame = series.frame
    if "window" not in frame:
        raise ValueError("flag the series with election windows first (series.flag_windows)")
    rows = []
    present = [w for w in WINDOW_ORDER if w in set(frame["window"])]
    for window in [*present, "mixed", "outside"]:
        part = frame[(frame["window"] == window) & frame[category].notna()]
        if part.empty:
            continue
        count = float(part[category].sum())
        days = int(part["days"].sum())
        total = float(part["total"].sum()) if series.has_total else math.nan
        rows.append({
            "window": window,
            "periods": len(part),
            "first_period": part.index.min().strftime("%Y-%m-%d"),
            "last_period": part.index.max().strftime("%Y-%m-%d"),
            "days": days,
            "count": count,
            "count_per_day": count / days if days else math.nan,
            "total": total,
            "rate_per_1000": 1000 * count / total if total and total > 0 else math.nan,
        })
    return pd.DataFrame(rows)


def _design(frame: pd.DataFrame, windows: list[str], baseline: str, use_dow: bool,
            use_holidays: bool = False) -> pd.DataFrame:
    """Window indicators against the baseline, plus nuisance levels for the other periods.

    Periods outside every window (one level before the first window, one after the last) and
    each mixed period (its own level) are kept in the fit: they leave the window estimates
    untouched but let the noise be measured on the whole series, not only on the handful of
    periods inside the windows.
    """
    design = pd.DataFrame({"const": 1.0}, index=frame.index)
    for window in windows:
        if window != baseline:
            design[window] = (frame["window"] == window).astype(float)
    in_window = frame["window"].isin(WINDOW_ORDER)
    if in_window.any():
        first, last = frame.index[in_window].min(), frame.index[in_window].max()
        outside = frame["window"] == "outside"
        for name, mask in (("outside_early", outside & (frame.index < first)),
                           ("outside_late", outside & (frame.index > last))):
            if mask.any():
                design[name] = mask.astype(float)
    for period in frame.index[frame["window"] == "mixed"]:
        design[f"mixed_{period:%Y%m%d}"] = (frame.index == period).astype(float)
    return seasonal_terms(design, use_dow, use_holidays)


def seasonal_terms(design: pd.DataFrame, use_dow: bool, use_holidays: bool) -> pd.DataFrame:
    """Day-of-week indicators (Monday is the reference) and holiday terms for daily data."""
    if use_dow:
        dow = pd.Series(design.index.day_of_week, index=design.index)
        for day in range(1, 7):
            design[f"dow{day}"] = (dow == day).astype(float)
    if use_holidays:
        design = add_holidays(design, design.index)
    return design


def add_holidays(design: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Public holiday, Ramadan and Idul Fitri week indicators (daily data), each kept only if it
    varies and is not already spanned by the other terms (a holiday term must never stand in
    for a window)."""
    from negtrend.data.calendar import holiday_covariates  # cached per span in calendar

    covariates = holiday_covariates(days.min(), days.max()).reindex(days, fill_value=False)
    for name in covariates.columns:
        column = covariates[name].astype(float).to_numpy()
        if column.min() == column.max():
            continue
        candidate = design.assign(**{name: column})
        if np.linalg.matrix_rank(candidate.to_numpy()) == candidate.shape[1]:
            design = candidate
    return design


def ewc_covariance(design: np.ndarray, scores: np.ndarray, weights: np.ndarray
                   ) -> tuple[np.ndarray, int]:
    """Equal-weighted cosine (EWC) sandwich covariance of GLM coefficients.

    ``scores`` are the per-period estimating-equation terms (n x k) and ``weights`` the GLM
    working weights of the bread ``X' W X``. Robust to overdispersion and to autocorrelation of
    unknown form, with ``B = 0.4 T^(2/3)`` cosine terms and Student-t inference on ``B``
    degrees of freedom, following Lazarus, Lewis, Stock and Watson (2018, "HAR inference:
    recommendations for practice"). Newey-West with the textbook bandwidth rejects far too often
    on autocorrelated daily counts with a step (the election window); EWC keeps the size near
    nominal. Returns (covariance, B).
    """
    n = len(scores)
    terms = max(int(math.floor(0.4 * n ** (2 / 3))), 1)
    t = (np.arange(n) + 0.5) / n
    basis = np.sqrt(2.0 / n) * np.cos(np.pi * np.outer(np.arange(1, terms + 1), t))
    projected = basis @ scores  # terms x k
    long_run = projected.T @ projected / terms  # long-run variance of n^(-1/2) sum of scores
    bread = np.linalg.inv(design.T @ (design * weights[:, None]))
    cov = bread @ (n * long_run) @ bread
    inflate = np.sqrt(ewc_bias_factors(design, weights, bread, basis))
    return cov * np.outer(inflate, inflate), terms


def ewc_bias_factors(design: np.ndarray, weights: np.ndarray, bread: np.ndarray,
                     basis: np.ndarray) -> np.ndarray:
    """Per coefficient, how much the EWC variance understates the truth because it is computed
    from residuals; the covariance is scaled up by it (never down).

    Residuals sum to zero against every column of the design, so within each window the low
    cosines - nearly constant over a 70-day window - lose most of what they would have
    measured, and the variance of a window effect comes out about a fifth too small. The factor
    is exact for independent noise with the GLM's working variance ``1 / weights`` (in the
    spirit of Bell and McCaffrey's bias-reduced cluster errors): the true variance of the
    estimate over the expected EWC value, computed from the design and weights alone.
    """
    n, terms = len(weights), basis.shape[0]
    contrast = (design @ bread) * weights[:, None]  # n x k: beta_hat - beta = contrast' eps
    variance = 1.0 / weights
    true = np.einsum("tk,t,tk->k", contrast, variance, contrast)
    expected = np.zeros(design.shape[1])
    for cosine in basis:
        h = cosine[:, None] * contrast  # n x k
        # M' h with M = I - X bread X' W: the residual maker of the weighted fit
        kept = h - weights[:, None] * (design @ (bread @ (design.T @ h)))
        expected += np.einsum("tk,t,tk->k", kept, variance, kept)
    expected *= n / terms
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(expected > 0, true / expected, 1.0)
    return np.maximum(factor, 1.0)


def moment_alpha(y: np.ndarray, mu: np.ndarray) -> float:
    """NB2 overdispersion by the method of moments (Cameron and Trivedi's auxiliary regression
    of (y - mu)^2 - y on mu^2, no intercept); 0 when the counts are not overdispersed.

    Used only to weight the robust fit, whose errors come from the sandwich, so a rough alpha
    costs efficiency, never validity."""
    denominator = float(np.sum(mu**2))
    if denominator <= 0:
        return 0.0
    return max(float(np.sum((y - mu) ** 2 - y)) / denominator, 0.0)


def nb_alpha(y, design, offset) -> float:
    """Negative binomial (NB2) overdispersion by maximum likelihood; 0 when data are Poisson.

    Returns NaN when the likelihood cannot be maximised (too few points for the parameters).
    """
    import warnings

    if len(y) <= design.shape[1] + 1:
        return math.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = sm.NegativeBinomial(y, design, offset=offset, loglike_method="nb2").fit(
                disp=0, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return math.nan
    alpha = float(fit.params.iloc[-1])
    if not math.isfinite(alpha):
        return math.nan
    return alpha if alpha > ALPHA_FLOOR else 0.0


def fit_count_model(y, design, offset, robust_time: bool):
    """Coefficients, standard errors, t degrees of freedom, dispersion and a method label.

    ``robust_time``: NB-weighted GLM with EWC errors (long daily/weekly series); otherwise NB2 GLM
    with Pearson inflation (short series). Shared by every count-model estimator."""
    import warnings

    if robust_time:
        return _robust_fit(y, design, offset)
    alpha = nb_alpha(y, design, offset)
    is_nb = bool(alpha and alpha > 0)
    family = sm.families.NegativeBinomial(alpha=alpha) if is_nb else sm.families.Poisson()
    if is_nb:
        label = f"negative binomial GLM (NB2 alpha {alpha:.3g}; Pearson scale, t intervals)"
    elif alpha == 0:
        label = "quasi-Poisson GLM (NB alpha 0; Pearson scale, t intervals)"
    else:
        label = "quasi-Poisson GLM (NB alpha not estimable; Pearson scale, t intervals)"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, design, family=family, offset=offset).fit()
    df_resid = int(model.df_resid) - (1 if is_nb else 0)
    dispersion = float(model.pearson_chi2 / df_resid) if df_resid > 0 else math.nan
    inflate = math.sqrt(max(dispersion, 1.0)) if df_resid > 0 else math.nan
    return model.params, model.bse * inflate, df_resid, dispersion, label


def _robust_fit(y, design: pd.DataFrame, offset):
    """NB2-weighted GLM with EWC errors, for long daily or weekly series.

    Poisson weights (proportional to the expected count) trust busy days far more than quiet
    ones, but when most of the noise is multiplicative - a day's share moves by a few percent
    whatever the volume - a busy day is barely more informative, so those weights waste
    information and let the score variance jump with the collection volume (a campaign with
    half again as many items collected). NB2 working weights ``mu / (1 + alpha mu)``, with
    alpha by moments from the Poisson fit and refitted twice, fix both; the errors still come
    from the EWC sandwich, so a wrong alpha cannot make them wrong.
    """
    import warnings

    y_arr = np.asarray(y, float)
    x = design.to_numpy(float)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = sm.GLM(y, design, family=sm.families.Poisson(), offset=offset).fit()
        alpha = 0.0  # always the alpha that ``model`` was fitted with
        for _ in range(2):
            estimate = moment_alpha(y_arr, np.asarray(model.mu, float))
            if estimate <= ALPHA_FLOOR:
                break
            alpha = estimate
            model = sm.GLM(y, design, family=sm.families.NegativeBinomial(alpha=alpha),
                           offset=offset).fit()
    mu = np.asarray(model.mu, float)
    shrink = 1.0 / (1.0 + alpha * mu)
    cov, terms = ewc_covariance(x, x * ((y_arr - mu) * shrink)[:, None], mu * shrink)
    df_resid = max(int(model.df_resid), 1)
    # A sandwich cannot see the noise of a coefficient resting on one or a few periods
    # (voting day: the fit is exact there, the residual zero); the quasi-likelihood error
    # can. Each coefficient takes the larger of the two.
    scale = float(np.sum((y_arr - mu) ** 2 * shrink / mu) / df_resid)
    quasi = model.bse * math.sqrt(max(scale, 1.0))
    bse = np.maximum(pd.Series(np.sqrt(np.clip(np.diag(cov), 0, None)),
                               index=design.columns), quasi)
    dispersion = float(np.sum((y_arr - mu) ** 2 / mu) / df_resid)  # Poisson scale, as reported
    weights = (f"negative binomial weights (NB2 alpha {alpha:.3g} by moments)" if alpha > 0
               else "Poisson weights")
    return model.params, bse, terms, dispersion, \
        f"count GLM with {weights}, EWC autocorrelation-robust errors or quasi-likelihood " \
        f"where larger (t with {terms} df)"


@dataclass(frozen=True)
class Fit:
    """What a fitted comparison model needs to draw itself: rows used, design, coefficients."""

    frame: pd.DataFrame
    design: pd.DataFrame
    params: pd.Series
    exposure: pd.Series
    method: str

    def rates(self, measure: str, zeroed: tuple = ()) -> pd.Series:
        """Fitted rate per unit of exposure (per 1,000 items for the share, per day for the
        count), with the ``zeroed`` design columns set to 0 - the counterfactual."""
        design = self.design.copy()
        for column in zeroed:
            if column in design:
                design[column] = 0.0
        rate = np.exp(design.to_numpy(float) @ self.params.reindex(design.columns).to_numpy())
        return pd.Series(rate * (1000 if measure == "share" else 1), index=self.frame.index)


def _ratio_rows(series: SeriesResult, category: str, measure: str, baseline: str,
                alpha: float, holidays: bool = True) -> tuple[list[dict], list[str], Fit | None]:
    frame = series.frame
    usable = frame[frame[category].notna()]
    if measure == "share":
        usable = usable[usable["total"] > 0]
        exposure = usable["total"]
    else:
        usable = usable[usable["days"] > 0]
        exposure = usable["days"].astype(float)
    windows = [w for w in WINDOW_ORDER if w in set(usable["window"])]
    others = [w for w in WINDOW_ORDER if w != baseline]
    notes = []
    base = usable[usable["window"] == baseline]
    if base.empty:
        reason = (f"no {series.freq}-periods fall in the '{baseline}' window; the data cover "
                  f"{frame.index.min():%Y-%m-%d}..{frame['period_end'].max():%Y-%m-%d} "
                  "(a different before_days or baseline may help)")
        return [_empty_row(measure, w, baseline, reason) for w in others
                if w in windows], [], None
    y = usable[category].astype(float)
    if y.sum() == 0:
        reason = "no items at all in the series; a ratio is not defined"
        return [_empty_row(measure, w, baseline, reason) for w in others if w in windows], \
            [], None
    robust_time = series.freq in ("D", "W") and len(usable) >= ROBUST_MIN_PERIODS
    use_dow = series.freq == "D" and len(usable) >= 14
    design = _design(usable, windows, baseline, use_dow, use_holidays=holidays and use_dow)
    params, bse, df_resid, dispersion, method = fit_count_model(y, design, np.log(exposure),
                                                                robust_time)
    if any(name in design for name in ("holiday", "ramadan", "eid_week")):
        method += "; day-of-week and holiday terms"
    elif use_dow:
        method += "; day-of-week terms"
    fit = Fit(usable, design, params, exposure, method)
    rows = []
    for window in others:
        if window not in windows:
            continue
        part = usable[usable["window"] == window]
        row = {
            "measure": measure,
            "window": window,
            "baseline": baseline,
            "periods_window": len(part),
            "periods_baseline": len(base),
            "method": method,
            "dispersion": dispersion,
            "df_resid": df_resid,
            "note": "",
        }
        if part[category].sum() == 0 or base[category].sum() == 0:
            empty_side = window if part[category].sum() == 0 else baseline
            row.update(_nan_effect(), estimable=False,
                       note=f"no items at all in '{empty_side}'; a ratio is not defined")
            rows.append(row)
            continue
        estimate, se = float(params[window]), float(bse[window])
        if not math.isfinite(se):
            row.update(_nan_effect(), estimate=exp_ratio(estimate), estimable=False,
                       note="too few periods to measure the noise (no residual degrees of "
                            "freedom), so no interval can be given")
            rows.append(row)
            continue
        quantile = sps.t.ppf(1 - alpha / 2, df_resid)
        statistic = estimate / se if se > 0 else math.inf
        p_value = 2 * sps.t.sf(abs(statistic), df_resid)
        row.update(
            estimate=exp_ratio(estimate),
            ci_low=exp_ratio(estimate - quantile * se),
            ci_high=exp_ratio(estimate + quantile * se),
            log_se=se,
            p_value=float(p_value),
            estimable=True,
        )
        rows.append(row)
    return rows, notes, fit


def _nan_effect() -> dict:
    return {"estimate": math.nan, "ci_low": math.nan, "ci_high": math.nan,
            "log_se": math.nan, "p_value": math.nan}


def _empty_row(measure, window, baseline, reason) -> dict:
    return {"measure": measure, "window": window, "baseline": baseline, "periods_window": 0,
            "periods_baseline": 0, "method": "", "dispersion": math.nan, "df_resid": None,
            **_nan_effect(), "estimable": False, "note": reason}


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
    """
    if category not in series.categories:
        raise KeyError(f"category {category!r} not in the series; have {series.categories}")
    if baseline not in WINDOW_ORDER:
        raise ValueError(f"baseline must be one of {WINDOW_ORDER}, got {baseline!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be between 0 and 1, got {alpha}")
    measures = ["count_per_day"]
    is_share_meaningful = series.has_total and category != "all_items"
    if is_share_meaningful:
        measures.append("share")
    rows, notes, fits = [], [], {}
    for measure in measures:
        measure_rows, measure_notes, fit = _ratio_rows(series, category, measure, baseline,
                                                       alpha, holidays)
        if fit is not None:
            fits[measure] = fit
        rows += measure_rows
        notes += [n for n in measure_notes if n not in notes]
    columns = ["measure", "window", "baseline", "estimate", "ci_low", "ci_high", "p_value",
               "estimable", "periods_window", "periods_baseline", "method", "dispersion",
               "df_resid", "log_se", "note"]
    ratios = pd.DataFrame(rows).reindex(columns=columns)
    table = phase_table(series, category)
    missing = [w for w in WINDOW_ORDER if w not in set(table.get("window", []))]
    if missing:
        notes.append(f"no {series.freq}-period is mostly inside: {', '.join(missing)}")
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

    The model is the one of :func:`compare_phases` (a count GLM with exposure offset: NB2 with
    Pearson scale for short series, NB-weighted with EWC errors for long ones, day-of-week and
    holiday terms for daily data); the table holds
    every window's ratio and counts, the series the observed, fitted and counterfactual rates
    (the fit with the ``phase`` indicator switched off).
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
    fit = comparison.fits.get(measure)
    notes = list(comparison.notes)
    if not row:
        notes.append(f"no '{phase}' period to compare")
    elif row.get("note"):
        notes.append(row["note"])
    return EffectResult(
        method="compare_periods",
        category=category,
        windows=windows_frame(series, windows),
        effect=effect,
        labels=comparison_labels(phase, baseline, measure),
        table=table,
        series=_fit_series(fit, category, measure, (phase,)),
        meta=result_meta(series, {"phase": phase, "baseline": baseline, "alpha": alpha,
                            "measure": measure, "holidays": holidays},
                   row.get("method", ""), n=len(fit.frame) if fit else 0),
        notes=tuple(notes),
    )


def windows_frame(series: SeriesResult, windows: pd.DataFrame | None) -> pd.DataFrame:
    """The windows given, or the span of each window's periods in the flagged series."""
    if windows is not None:
        return windows[["window", "start", "end"]].reset_index(drop=True)
    frame = series.frame
    if "window" not in frame:
        return pd.DataFrame(columns=["window", "start", "end"])
    rows = []
    for window in WINDOW_ORDER:
        part = frame[frame["window"] == window]
        if len(part):
            rows.append({"window": window, "start": part.index.min(),
                         "end": pd.to_datetime(part["period_end"]).max()})
    return pd.DataFrame(rows, columns=["window", "start", "end"])


def _fit_series(fit, category: str, measure: str, zeroed: tuple) -> pd.DataFrame:
    """Observed, fitted and counterfactual rates per period, and each period's window."""
    if fit is None:
        return pd.DataFrame(columns=["observed", "fitted", "counterfactual", "window"])
    scale = 1000 if measure == "share" else 1
    return pd.DataFrame({
        "observed": scale * fit.frame[category].astype(float) / fit.exposure,
        "fitted": fit.rates(measure),
        "counterfactual": fit.rates(measure, zeroed),
        "window": fit.frame["window"],
    })


def result_meta(series: SeriesResult, spec: dict, model: str, n: int, seed=None) -> dict:
    from negtrend.provenance import package_versions

    robust = "EWC" in model
    return {
        "spec": spec,
        "freq": series.freq,
        "exposure": series.exposure,
        "n": n,
        "seed": seed,
        "model": model,
        "model_id": ("GLM cacah berbobot binomial negatif dengan galat tahan autokorelasi (EWC) "
                     "atau kuasi-likelihood bila lebih besar" if robust else
                     "GLM binomial negatif atau kuasi-Poisson dengan skala Pearson dan selang t"),
        "versions": package_versions(),
    }


def verdict(row: pd.Series | dict) -> str:
    """'higher', 'lower', 'inconclusive' or 'not estimable' for one ratio row."""
    if not row.get("estimable"):
        return "not estimable"
    if row["ci_low"] > 1:
        return "higher"
    if row["ci_high"] < 1:
        return "lower"
    return "inconclusive"


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
