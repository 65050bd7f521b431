"""The one count-model engine every estimator rests on.

Counts are overdispersed and autocorrelated, so the Poisson variance is never trusted alone:

* daily and weekly series with at least :data:`ROBUST_MIN_PERIODS` periods: a count GLM with
  negative binomial working weights (alpha by :func:`moment_alpha`) whose errors come from
  the residuals' own noise, AR(1) plus white noise fitted by REML
  (:mod:`negtrend.analysis.noise_model`), with t degrees of freedom that carry that noise's
  uncertainty (:func:`_robust_fit`; the earlier EWC errors, :func:`ewc_covariance`, remain
  for comparison);
* shorter series (a dozen monthly figures): a negative binomial (NB2) GLM with alpha by
  maximum likelihood (:func:`nb_alpha`; Poisson when it is 0), its variance inflated by the
  Pearson dispersion (never deflated) and Student-t intervals on the residual degrees of
  freedom, so thin data give wide intervals; with no residual degrees of freedom there is no
  interval at all.

Daily series add day-of-week and holiday terms (:func:`seasonal_terms`). Every estimator takes
its usable rows and exposure from :func:`usable_rows`, its choices from :func:`model_choice`,
fits with :func:`fit_count_model` and gets back a :class:`CountFit`.

Speed: placebo dates (and power and claim checks) refit the same series many times, so designs
are built as arrays and framed once, models are fitted on arrays, holiday terms are cached per
run of days, and statsmodels is imported from its GLM and discrete-model modules on the first
fit (not ``statsmodels.api``, which loads much more). The numbers are those of the plain
pandas version: the same arrays, in the same (column-major) layout, reach the same routines.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negtrend.analysis.effect import EffectResult, nan_effect, ratio_effect, t_quantile
from negtrend.analysis.notes import NOTHING_FITTED, Method, Note, note
from negtrend.data.calendar import WINDOW_ORDER, holiday_covariates
from negtrend.data.series import SeriesResult

MEASURES = ("count_per_day", "share")
ROBUST_MIN_PERIODS = 30  # daily/weekly series this long get the autocorrelation-robust fit
DOW_MIN_PERIODS = 14  # daily series this long get day-of-week terms
ALPHA_FLOOR = 1e-6
HOLIDAY_TERMS = ("holiday", "ramadan", "eid_week")


# --- what is fitted ---------------------------------------------------------------------------


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


def usable_rows(frame: pd.DataFrame, category: str, measure: str
                ) -> tuple[pd.DataFrame, pd.Series]:
    """The periods a model can use - a known count and a positive exposure - and that exposure
    (items collected for the share, observed days for the count per day)."""
    rows = frame[frame[category].notna()]
    exposure = rows["total"] if measure == "share" else rows["days"].astype(float)
    keep = exposure > 0
    return rows[keep], exposure[keep].astype(float)


def exposure_scale(measure: str) -> float:
    """Rates are shown per 1,000 collected items (share) or per day (count per day)."""
    return 1000.0 if measure == "share" else 1.0


@dataclass(frozen=True)
class ModelChoice:
    robust: bool  # NB-weighted GLM with EWC errors (long daily/weekly series)
    dow: bool  # day-of-week terms (daily series of two weeks or more)
    holidays: bool  # holiday, Ramadan and Idul Fitri terms (with day-of-week terms)


def model_choice(freq: str, n: int, holidays: bool = True) -> ModelChoice:
    dow = freq == "D" and n >= DOW_MIN_PERIODS
    return ModelChoice(robust=freq in ("D", "W") and n >= ROBUST_MIN_PERIODS, dow=dow,
                       holidays=holidays and dow)


def window_design(frame: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Window indicators against the baseline, plus nuisance levels for the other periods.

    Periods outside every window (one level before the first window, one after the last) and
    each mixed period (its own level) are kept in the fit: they leave the window estimates
    untouched but let the noise be measured on the whole series, not only on the handful of
    periods inside the windows.
    """
    index = frame.index
    window = frame["window"].to_numpy(dtype=object)
    columns = {"const": np.ones(len(frame))}
    present = set(window)
    for name in WINDOW_ORDER:
        if name != baseline and name in present:
            columns[name] = (window == name).astype(float)
    in_window = np.fromiter((value in _WINDOWS for value in window), bool, len(window))
    if in_window.any():
        first, last = index[in_window].min(), index[in_window].max()
        outside = window == "outside"
        for name, mask in (("outside_early", outside & (index < first)),
                           ("outside_late", outside & (index > last))):
            if mask.any():
                columns[name] = mask.astype(float)
    for period in index[window == "mixed"]:
        columns[f"mixed_{period:%Y%m%d}"] = (index == period).astype(float)
    return design_frame(columns, index)


_WINDOWS = frozenset(WINDOW_ORDER)


def design_frame(columns: dict, index: pd.Index) -> pd.DataFrame:
    """A design from its columns (name -> array): floats in one column-major block, the
    layout pandas gives a design built column by column, so the fit sees the same array
    whichever way the design was built."""
    values = np.empty((len(index), len(columns)), order="F")
    for i, column in enumerate(columns.values()):
        values[:, i] = column
    return pd.DataFrame(values, index=index, columns=list(columns), copy=False)


def seasonal_terms(design: pd.DataFrame, use_dow: bool, use_holidays: bool) -> pd.DataFrame:
    """Day-of-week indicators (Monday is the reference; a weekday absent from the rows gets no
    column) and holiday terms for daily data."""
    if not (use_dow or use_holidays):
        return design
    columns = dict(zip(design.columns, design.to_numpy(float).T, strict=True))
    if use_dow:
        dow = design.index.day_of_week.to_numpy()
        for day in range(1, 7):
            on = dow == day
            if on.any():
                columns[f"dow{day}"] = on.astype(float)
    if use_holidays:
        _add_holidays(columns, design.index)
    return design_frame(columns, design.index)


def add_holidays(design: pd.DataFrame, days: pd.DatetimeIndex) -> pd.DataFrame:
    """Public holiday, Ramadan and Idul Fitri week indicators (daily data), each kept only if it
    varies and is not already spanned by the other terms (a holiday term must never stand in
    for a window)."""
    columns = dict(zip(design.columns, design.to_numpy(float).T, strict=True))
    _add_holidays(columns, days)
    return design_frame(columns, design.index)


def _add_holidays(columns: dict, days: pd.DatetimeIndex) -> None:
    names, values = _holiday_columns(str(days.dtype), days.asi8.tobytes())
    for name, column in zip(names, values.T, strict=True):
        if column.min() == column.max():
            continue
        candidate = np.column_stack([*columns.values(), column])
        if np.linalg.matrix_rank(candidate) == candidate.shape[1]:
            columns[name] = column


@functools.lru_cache(maxsize=64)
def _holiday_columns(dtype: str, stamps: bytes) -> tuple[tuple[str, ...], np.ndarray]:
    """The holiday covariates of these days as floats (cached: placebo dates, power and claim
    checks fit the same days again and again)."""
    days = pd.DatetimeIndex(np.frombuffer(stamps, dtype=np.int64).view(dtype))
    covariates = holiday_covariates(days.min(), days.max()).reindex(days, fill_value=False)
    values = covariates.to_numpy(float)
    values.flags.writeable = False
    return tuple(covariates.columns), values


# --- overdispersion and autocorrelation-robust errors ------------------------------------------


def moment_alpha(y: np.ndarray, mu: np.ndarray, n_params: int = 0) -> float:
    """NB2 overdispersion by the method of moments (Cameron and Trivedi's auxiliary regression
    of (y - mu)^2 - y on mu^2, no intercept); 0 when the counts are not overdispersed.

    The one moment estimator: it weights the robust fit (whose errors come from the sandwich,
    so a rough alpha costs efficiency, never validity) and sets the noise of power
    simulations. ``n_params``: the means ``mu`` were fitted with that many parameters, so the
    squared residuals are scaled by n / (n - n_params) (a few monthly points lose a third of
    their spread to two fitted rates)."""
    denominator = float(np.sum(mu**2))
    if denominator <= 0 or len(y) <= n_params:
        return 0.0
    correction = len(y) / (len(y) - n_params) if n_params else 1.0
    return max(float(np.sum(correction * (y - mu) ** 2 - y)) / denominator, 0.0)


def nb_alpha(y, design, offset) -> float:
    """Negative binomial (NB2) overdispersion by maximum likelihood, jointly with the mean
    model of a short series; 0 when data are Poisson, NaN when the likelihood cannot be
    maximised (too few points for the parameters)."""
    if len(y) <= design.shape[1] + 1:
        return math.nan
    from statsmodels.discrete.discrete_model import NegativeBinomial

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            fit = NegativeBinomial(np.asarray(y, float), _matrix(design),
                                   offset=np.asarray(offset, float),
                                   loglike_method="nb2").fit(disp=0, maxiter=200)
        except (np.linalg.LinAlgError, ValueError):
            return math.nan
    alpha = float(np.asarray(fit.params)[-1])
    if not math.isfinite(alpha):
        return math.nan
    return alpha if alpha > ALPHA_FLOOR else 0.0


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


# --- the fit ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CountFit:
    """A fitted log-linear count model: coefficients and errors on the log scale, the t degrees
    of freedom, the Pearson dispersion and how it was fitted."""

    design: pd.DataFrame
    params: pd.Series
    bse: pd.Series
    df: float  # t degrees of freedom (EWC terms, or residual df); NaN: no interval
    dispersion: float  # Pearson chi-square / residual df, as reported
    nb_alpha: float  # NB2 overdispersion used (0: Poisson; NaN: not estimable)
    robust: bool
    dfs: pd.Series | None = None  # t degrees of freedom per coefficient, where they differ
    noise: object = None  # the fitted noise_model.NoiseModel behind the errors, if any

    def df_of(self, name: str) -> float:
        """The t degrees of freedom of coefficient ``name``."""
        return float(self.dfs[name]) if self.dfs is not None else self.df

    def ratio(self, name: str, alpha: float) -> dict:
        """Rate ratio, interval and p-value of coefficient ``name``."""
        df = self.df_of(name)
        return ratio_effect(float(self.params[name]), float(self.bse[name]),
                            t_quantile(alpha, df), df)

    def rates(self, zeroed: tuple = (), scale: float = 1.0) -> pd.Series:
        """Fitted rate per unit of exposure (times ``scale``), with the ``zeroed`` design
        columns set to 0 - the counterfactual without those effects."""
        design = self.design.to_numpy(float, copy=True)  # column-major, as pandas holds it
        columns = list(self.design.columns)
        for column in zeroed:
            if column in columns:
                design[:, columns.index(column)] = 0.0
        linear = design @ self.params.reindex(self.design.columns).to_numpy()
        return pd.Series(scale * np.exp(linear), index=self.design.index)

    def method(self, *extra: Note) -> Method:
        """How the numbers were got: the model, its seasonal terms, any extras."""
        if self.robust and self.noise is not None:
            head = note("fit_ar_noise", nb_alpha=self.nb_alpha, phi=self.noise.phi,
                        ar_sd=math.sqrt(self.noise.ar_var), white_sd=math.sqrt(self.noise.white))
        elif self.robust:
            head = (note("fit_robust_nb", nb_alpha=self.nb_alpha, df=self.df)
                    if self.nb_alpha > 0 else note("fit_robust_poisson", df=self.df))
        elif self.nb_alpha > 0:
            head = note("fit_nb2", nb_alpha=self.nb_alpha)
        elif self.nb_alpha == 0:
            head = note("fit_quasi_poisson")
        else:
            head = note("fit_quasi_poisson_no_alpha")
        return Method(head, (*seasonal_notes(self.design), *extra))


def seasonal_notes(design: pd.DataFrame) -> tuple[Note, ...]:
    if any(name in design for name in HOLIDAY_TERMS):
        return (note("terms_dow_holidays"),)
    if any(f"dow{day}" in design for day in range(1, 7)):
        return (note("terms_dow"),)
    return ()


def _matrix(design) -> np.ndarray:
    """The design as the float array a fit takes (column-major, as pandas holds it)."""
    return design.to_numpy(float) if isinstance(design, pd.DataFrame) else np.asarray(design,
                                                                                      float)


def _glm(y: np.ndarray, x: np.ndarray, offset: np.ndarray, alpha: float | None = None):
    """statsmodels' GLM (Poisson, or NB2 with ``alpha``) fitted on arrays."""
    from statsmodels.genmod import families
    from statsmodels.genmod.generalized_linear_model import GLM

    family = families.Poisson() if alpha is None else families.NegativeBinomial(alpha=alpha)
    return GLM(y, x, family=family, offset=offset).fit()


def fit_count_model(y, design: pd.DataFrame, offset, robust: bool) -> CountFit:
    """Fit ``y`` on ``design`` with ``offset`` (log exposure): the robust fit for long
    daily/weekly series, the NB2 + Pearson fit otherwise (see the module docstring)."""
    y_arr, x = np.asarray(y, float), _matrix(design)
    offset = np.asarray(offset, float)
    if robust:
        return _robust_fit(y_arr, design, x, offset)
    alpha = nb_alpha(y_arr, x, offset)
    is_nb = bool(alpha and alpha > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _glm(y_arr, x, offset, alpha if is_nb else None)
    df_resid = int(model.df_resid) - (1 if is_nb else 0)
    dispersion = float(model.pearson_chi2 / df_resid) if df_resid > 0 else math.nan
    inflate = math.sqrt(max(dispersion, 1.0)) if df_resid > 0 else math.nan
    return CountFit(design, pd.Series(model.params, index=design.columns),
                    pd.Series(model.bse * inflate, index=design.columns), df_resid,
                    dispersion, alpha, robust=False)


ROBUST_ERRORS = "ar_noise"  # how long daily/weekly fits get their errors (see _robust_fit)
ERRORS = ("ar_noise", "ewc")


def _robust_fit(y_arr: np.ndarray, design: pd.DataFrame, x: np.ndarray, offset: np.ndarray,
                errors: str | None = None) -> CountFit:
    """NB2-weighted GLM for long daily or weekly series, with errors that hold under
    persistent noise.

    Poisson weights (proportional to the expected count) trust busy days far more than quiet
    ones, but when most of the noise is multiplicative - a day's share moves by a few percent
    whatever the volume - a busy day is barely more informative, so those weights waste
    information and let the score variance jump with the collection volume (a campaign with
    half again as many items collected). NB2 working weights ``mu / (1 + alpha mu)``, with
    alpha by moments from the Poisson fit and refitted twice, fix both.

    Errors (``errors``, default :data:`ROBUST_ERRORS`):

    * ``ar_noise``: the residuals' noise is fitted as AR(1) plus white noise by REML
      (:mod:`negtrend.analysis.noise_model`); each coefficient's variance is the sandwich under
      that noise and its t degrees of freedom carry the noise's own uncertainty (Satterthwaite).
      At the noise of real daily series (persistent, sd 0.46) and at rho 0.8 its intervals keep
      their coverage, where the EWC's fall to 90-93% (docs/validation.md).
    * ``ewc``: the earlier errors - the bias-corrected equal-weighted-cosine sandwich
      (:func:`ewc_covariance`) with t on the number of cosines, never below the
      quasi-likelihood error; kept for the validation's side-by-side comparison.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = _glm(y_arr, x, offset)
        alpha = 0.0  # always the alpha that ``model`` was fitted with
        for _ in range(2):
            estimate = moment_alpha(y_arr, np.asarray(model.mu, float))
            if estimate <= ALPHA_FLOOR:
                break
            alpha = estimate
            model = _glm(y_arr, x, offset, alpha)
    mu = np.asarray(model.mu, float)
    shrink = 1.0 / (1.0 + alpha * mu)
    df_resid = max(int(model.df_resid), 1)
    dispersion = float(np.sum((y_arr - mu) ** 2 / mu) / df_resid)  # Poisson scale, as reported
    params = pd.Series(model.params, index=design.columns)
    errors = errors or ROBUST_ERRORS
    if errors not in ERRORS:
        raise ValueError(f"errors must be one of {list(ERRORS)}, got {errors!r}")
    if errors == "ar_noise":
        from negtrend.analysis import noise_model

        weighted = x * (mu * shrink)[:, None]
        bread = np.linalg.inv(x.T @ weighted)
        poisson = 1.0 / mu
        noise = noise_model.fit_noise((y_arr - mu) / mu, x, mu, alpha)
        variance = noise_model.coefficient_variances(noise.model, weighted, bread, poisson)
        dfs = noise_model.satterthwaite_df(noise, weighted, bread, poisson, df_resid)
        return CountFit(design, params, pd.Series(np.sqrt(variance), index=design.columns),
                        df_resid, dispersion, alpha, robust=True,
                        dfs=pd.Series(dfs, index=design.columns), noise=noise.model)
    cov, terms = ewc_covariance(x, x * ((y_arr - mu) * shrink)[:, None], mu * shrink)
    # A sandwich cannot see the noise of a coefficient resting on one or a few periods
    # (voting day: the fit is exact there, the residual zero); the quasi-likelihood error
    # can. Each coefficient takes the larger of the two.
    scale = float(np.sum((y_arr - mu) ** 2 * shrink / mu) / df_resid)
    quasi = model.bse * math.sqrt(max(scale, 1.0))
    bse = np.maximum(np.sqrt(np.clip(np.diag(cov), 0, None)), quasi)
    return CountFit(design, params, pd.Series(bse, index=design.columns), terms, dispersion,
                    alpha, robust=True)


# --- what every result carries ---------------------------------------------------------------


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


def result_meta(series: SeriesResult, spec: dict, model: Method = NOTHING_FITTED, n: int = 0,
                **extra) -> dict:
    """What a result needs to be reproduced: the call's settings, the series' frequency and
    exposure, the rows used and how the model was fitted (notes)."""
    return {"spec": spec, "freq": series.freq, "exposure": series.exposure, "n": n,
            "seed": None, "model": model, **extra}


def not_estimable(method: str, series: SeriesResult, category: str, windows: pd.DataFrame,
                  spec: dict, notes, scale: str, effect_keys: tuple = ("measure",),
                  table: pd.DataFrame | None = None, **meta) -> EffectResult:
    """A result with no estimate: the reasons in its notes, the settings (``spec``, of which
    ``effect_keys`` are also stated in the effect) in its meta."""
    effect = {**nan_effect(), "alpha": spec["alpha"], "scale": scale,
              **{key: spec[key] for key in effect_keys}}
    return EffectResult(method, category, windows, effect,
                        table=pd.DataFrame() if table is None else table,
                        meta=result_meta(series, spec, **meta), notes=tuple(notes))


def fitted_series(fit: CountFit, rows: pd.DataFrame, exposure: pd.Series, category: str,
                  measure: str, zeroed: tuple, **extra) -> pd.DataFrame:
    """Observed, fitted and counterfactual rates per period (the fit with the ``zeroed``
    effects switched off), each period's window and any ``extra`` columns."""
    scale = exposure_scale(measure)
    return pd.DataFrame({
        "observed": scale * rows[category].astype(float) / exposure,
        "fitted": fit.rates(scale=scale),
        "counterfactual": fit.rates(zeroed, scale=scale),
        **extra,
        "window": rows.get("window", "outside"),
    }, index=rows.index)
