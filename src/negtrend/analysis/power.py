"""Power and the minimum detectable effect, so a null result is read correctly.

"No significant change" from twelve noisy monthly figures says little; the minimum detectable
rate ratio (MDE) says how large a change these data could have shown: the smallest ratio
detected (interval excluding 1 in the right direction) with probability ``target``.

Two ways to get it:

* **analytic** (the default): the comparison's own standard error of the log ratio and its
  degrees of freedom. The estimate over its estimated error is noncentral t; the error is
  rescaled to each ratio tried by the model's working variance (a fall to half the baseline
  leaves fewer items, so a noisier estimate), and corrected for the bias of plugging an
  estimated error into the noncentrality (:func:`inverse_error_bias`). Milliseconds, and it
  inherits the fit's robustness to autocorrelation.
* **simulate**: keep the observed design - the periods in the baseline and in the phase, their
  exposures, the level and the overdispersion measured on the series - inject a rate ratio,
  and refit with the same method, ``simulations`` times per ratio. Seconds to minutes; it
  draws independent noise.

``auto`` uses the analytic answer unless the approximation is unreliable (too few degrees of
freedom, too few items expected in a window, no standard error), and then simulates, saying
why. ``benchmarks/validate_stats.py`` compares the two with the rejection rates they predict.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from negtrend.analysis.compare import PhaseComparison, compare_phases, window_ratio
from negtrend.analysis.engine import moment_alpha, usable_rows
from negtrend.analysis.notes import Note, note
from negtrend.data.series import SeriesResult
from negtrend.jsonable import jsonable

METHODS = ("auto", "analytic", "simulate")
RATIOS = (0.1, 0.25, 0.33, 0.5, 0.6, 0.7, 0.8, 0.9, 1.1, 1.25, 1.5, 1.75, 2.0, 3.0, 4.0, 10.0)
MIN_DF = 5  # fewer t degrees of freedom: the noncentral t of an estimated error is unreliable
MIN_EXPECTED = 10  # fewer items expected in the phase or baseline: the log ratio is not normal


@dataclass(frozen=True)
class PowerResult:
    mde_increase: float  # smallest ratio > 1 detected with the target power (NaN: none tried)
    mde_decrease: float  # largest ratio < 1 detected with the target power
    target: float
    simulations: int
    alpha_nb: float
    curve: pd.DataFrame  # ratio, power
    method: str = "simulate"  # analytic | simulate | none (nothing to compute power from)
    notes: tuple = ()  # how it was got (a Note), and why it was simulated when auto fell back

    @property
    def computed(self) -> bool:
        return self.method != "none"

    def to_dict(self) -> dict:
        return jsonable({"mde_increase": self.mde_increase, "mde_decrease": self.mde_decrease,
                         "target": self.target, "method": self.method,
                         "simulations": self.simulations, "nb_alpha": self.alpha_nb,
                         "notes": [n.to_dict() for n in self.notes],
                         "curve": self.curve[["ratio", "power"]].astype(float).to_dict(
                             orient="records")})


def _overdispersion(counts, exposure, in_phase) -> tuple[float, float]:
    """Baseline rate, and NB alpha by the engine's moment estimator around each group's own
    rate (the means the simulation draws around)."""
    rates = [counts[group].sum() / exposure[group].sum() for group in (~in_phase, in_phase)]
    mu = exposure * np.where(in_phase, rates[1], rates[0])
    return rates[0], moment_alpha(counts, mu, n_params=2)


def _walk(downs, ups, rows, target):
    """Yield ratios outward from 1; a direction stops once a ratio reaches the target."""
    for direction in (downs, ups):
        for ratio in direction:
            yield ratio
            if rows and rows[-1]["power"] >= target:
                break


def _not_computed(target: float) -> PowerResult:
    """Nothing to compute power from (none asked for, nothing to compare, a series of zeros)."""
    return PowerResult(math.nan, math.nan, target, 0, math.nan,
                       pd.DataFrame({"ratio": [], "power": []}), method="none")


def power(
    series: SeriesResult,
    category: str,
    phase: str = "campaign",
    baseline: str = "before",
    ratios: tuple[float, ...] = RATIOS,
    simulations: int = 100,
    target: float = 0.8,
    alpha: float = 0.05,
    seed: int = 0,
    method: str = "auto",
    comparison: PhaseComparison | None = None,
) -> PowerResult:
    """Power on a grid of ratios and the minimum detectable rate ratio in each direction (NaN
    when no ratio within a tenth to tenfold reaches the target: even that large a change could
    be missed). ``method``: auto, analytic or simulate (module docstring); ``simulations`` 0
    computes no power at all. ``comparison``: the ``compare_phases`` result for this category,
    baseline and alpha, when the caller has it."""
    if method not in METHODS:
        raise ValueError(f"power method must be one of {list(METHODS)}, got {method!r}")
    if comparison is None:
        comparison = compare_phases(series, category, baseline=baseline, alpha=alpha)
    part, exposure = usable_rows(series.frame, category, comparison.primary_measure)
    in_phase = (part["window"] == phase).to_numpy()
    in_baseline = part["window"].eq(baseline).to_numpy()
    if simulations <= 0 or not in_phase.any() or in_phase.all() or not in_baseline.any():
        return _not_computed(target)
    if part[category].astype(float)[in_phase | in_baseline].sum() == 0:
        return _not_computed(target)  # nothing to scale: no change in zeros can be detected
    fallback = None
    if method != "simulate":
        analytic, fallback = _analytic(comparison, phase, baseline, ratios, target, alpha)
        if analytic is not None and (method == "analytic" or fallback is None):
            return analytic if fallback is None else dataclasses.replace(
                analytic, notes=(*analytic.notes, fallback))
    simulated = _simulate(series, category, phase, baseline, ratios, simulations, target,
                          alpha, seed, comparison)
    if fallback is not None:
        return dataclasses.replace(simulated, notes=(*simulated.notes, fallback))
    return simulated


# --- analytic ------------------------------------------------------------------------------


def _phase_variance(design: np.ndarray, mu: np.ndarray, nb_alpha: float, column: int) -> float:
    """Model-based variance of one coefficient, ``[(X' W X)^-1]_jj`` with the NB2 working
    weights ``mu / (1 + alpha mu)`` (Poisson when alpha is 0)."""
    weights = mu / (1.0 + nb_alpha * mu)
    information = design.T @ (design * weights[:, None])
    return float(np.linalg.pinv(information)[column, column])


def detection_probability(log_ratio: float, log_se: float, df: float, alpha: float) -> float:
    """Probability that the interval excludes 1 on the side of ``log_ratio``: the estimate over
    its estimated error is noncentral t with ``df`` degrees of freedom and noncentrality
    ``log_ratio / log_se`` (normal when df is infinite). scipy.special, not scipy.stats, so a
    report's kernel does not import the whole of scipy.stats for it."""
    from scipy import special

    shift = log_ratio / log_se
    if not math.isfinite(df):
        return float(special.ndtr(abs(shift) - special.ndtri(1 - alpha / 2)))
    critical = float(special.stdtrit(df, 1 - alpha / 2))
    if shift >= 0:
        return float(1.0 - special.nctdtr(df, shift, critical))
    return float(special.nctdtr(df, shift, -critical))


def inverse_error_bias(df: float) -> float:
    """E[sigma / s] for an error s estimated on ``df`` degrees of freedom (s^2 / sigma^2 ~
    chi^2_df / df): sqrt(df / 2) Gamma((df - 1) / 2) / Gamma(df / 2), above 1 (1.11 at 8 df,
    1.06 at 13). Plugging the estimated error into the noncentrality overstates the
    noncentrality by this factor on average, so the error is multiplied by it first."""
    from scipy import special

    if not math.isfinite(df) or df <= 1:
        return 1.0
    return math.exp(0.5 * math.log(df / 2) + special.gammaln((df - 1) / 2)
                    - special.gammaln(df / 2))


def _analytic(comparison: PhaseComparison, phase: str, baseline: str, ratios, target: float,
              alpha: float) -> tuple[PowerResult | None, Note | None]:
    """(the analytic result, or None when it cannot be computed; the note saying why it should
    be simulated instead, or None when the approximation holds)."""
    row = comparison.ratio(phase)
    fitted = comparison.fits.get(comparison.primary_measure)
    log_se = float(row.get("log_se", math.nan)) if row else math.nan
    df = float(row["df_resid"]) if row and row.get("df_resid") is not None else math.nan
    if fitted is None or phase not in fitted.fit.design or not math.isfinite(log_se) \
            or log_se <= 0 or not math.isfinite(df):
        return None, note("power_fallback_fit", window=phase)
    fit = fitted.fit
    design = fit.design.to_numpy(float)
    column = list(fit.design.columns).index(phase)
    exposure = fitted.exposure.to_numpy(float)
    nb_alpha = fit.nb_alpha if math.isfinite(fit.nb_alpha) and fit.nb_alpha > 0 else 0.0
    mu_fitted = fit.rates().to_numpy() * exposure
    mu_null = fit.rates(zeroed=(phase,)).to_numpy() * exposure  # the phase at baseline level
    in_phase = design[:, column] == 1
    reference = _phase_variance(design, mu_fitted, nb_alpha, column)
    # the true error, estimated without the 1/s bias. The earlier robust errors (EWC, no
    # fitted noise) were the larger of the EWC and the quasi-likelihood error, the latter on
    # n - k degrees of freedom, so they varied far less than chi^2 on the EWC's few df and
    # needed no correction (validated: docs/validation.md, "Power: analytic against
    # simulated"); errors from a fitted noise vary as their Satterthwaite df say
    uncorrected = fit.robust and fit.noise is None
    sigma = log_se * (1.0 if uncorrected else inverse_error_bias(df))

    def probability(ratio: float) -> float:
        mu = mu_null * np.where(in_phase, ratio, 1.0)
        scaled = sigma * math.sqrt(_phase_variance(design, mu, nb_alpha, column) / reference)
        return detection_probability(math.log(ratio), scaled, df, alpha)

    curve = pd.DataFrame({"ratio": sorted(ratios)})
    curve["power"] = [probability(r) for r in curve["ratio"]]
    result = PowerResult(_detectable(probability, target, up=True),
                         _detectable(probability, target, up=False), target, 0, nb_alpha,
                         curve, method="analytic",
                         notes=(note("power_analytic", df=df),))
    in_base = (fitted.rows["window"] == baseline).to_numpy()
    expected = {phase: float(mu_null[in_phase].sum()), baseline: float(mu_null[in_base].sum())}
    if df < MIN_DF:
        return result, note("power_fallback_df", df=df, minimum=MIN_DF)
    window, fewest = min(expected.items(), key=lambda item: item[1])
    if fewest < MIN_EXPECTED:
        return result, note("power_fallback_counts", expected=fewest, window=window,
                            minimum=MIN_EXPECTED)
    return result, None


def _detectable(probability, target: float, up: bool, steps: int = 200) -> float:
    """The ratio nearest 1 (up to tenfold either way) detected with probability ``target``:
    the first crossing walking out from 1 on a fine log grid, then refined by bisection."""
    limit = math.log(10.0) if up else -math.log(10.0)
    previous = 0.0
    for log_ratio in np.linspace(0.0, limit, steps + 1)[1:]:
        if probability(math.exp(log_ratio)) >= target:
            low, high = previous, float(log_ratio)  # below and at the target
            for _ in range(40):
                middle = (low + high) / 2
                low, high = (low, middle) if probability(math.exp(middle)) >= target \
                    else (middle, high)
            return float(math.exp(high))
        previous = float(log_ratio)
    return math.nan


# --- simulated -----------------------------------------------------------------------------


def _simulate(series: SeriesResult, category: str, phase: str, baseline: str, ratios,
              simulations: int, target: float, alpha: float, seed: int,
              comparison: PhaseComparison) -> PowerResult:
    """Power by refitting ``simulations`` series per ratio drawn around the observed design."""
    part, exposure = usable_rows(series.frame, category, comparison.primary_measure)
    exposure = exposure.to_numpy()
    counts = part[category].astype(float).to_numpy()
    in_phase = (part["window"] == phase).to_numpy()
    compared = part["window"].isin([phase, baseline]).to_numpy()
    rate, alpha_nb = _overdispersion(counts[compared], exposure[compared], in_phase[compared])
    if rate == 0:  # nothing to scale: no change in a series of zeros can be detected
        return _not_computed(target)
    rng = np.random.default_rng(seed)
    template = series.frame.loc[part.index].copy()
    rows = []
    # walk away from 1 in each direction and stop at the first ratio with enough power
    downs = sorted((r for r in ratios if r < 1), reverse=True)
    ups = sorted(r for r in ratios if r > 1)
    for ratio in _walk(downs, ups, rows, target):
        mean = rate * exposure * np.where(in_phase, ratio, 1.0)
        detected = 0
        for _ in range(simulations):
            draw = mean * (rng.gamma(1 / alpha_nb, alpha_nb, len(mean)) if alpha_nb > 0 else 1)
            simulated = template.copy()
            simulated[category] = rng.poisson(draw).astype(float)
            row = window_ratio(SeriesResult(simulated, series.categories, series.freq,
                                            series.exposure), category, phase,
                               baseline=baseline, alpha=alpha)
            if not row or not bool(row["estimable"]):
                continue
            low, high = float(row["ci_low"]), float(row["ci_high"])
            detected += (low > 1) if ratio > 1 else (high < 1)
        rows.append({"ratio": ratio, "power": detected / simulations})
    curve = pd.DataFrame(rows).sort_values("ratio").reset_index(drop=True)
    up = curve[(curve["ratio"] > 1) & (curve["power"] >= target)]["ratio"]
    down = curve[(curve["ratio"] < 1) & (curve["power"] >= target)]["ratio"]
    return PowerResult(float(up.min()) if len(up) else math.nan,
                       float(down.max()) if len(down) else math.nan,
                       target, simulations, alpha_nb, curve, method="simulate",
                       notes=(note("power_simulated", simulations=simulations),))
