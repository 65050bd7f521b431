"""Validate negtrend's statistics by simulation and on real data; writes docs/validation.md.

    .venv/bin/python benchmarks/validate_stats.py               # 500 series per scenario
    .venv/bin/python benchmarks/validate_stats.py --quick       # smoke run (40 per scenario)
    .venv/bin/python benchmarks/validate_stats.py --sims 200 --workers 2 --out /tmp/v.md
    # only the calibrated-noise scenario, merged into the existing docs/validation.md
    .venv/bin/python benchmarks/validate_stats.py --only power_1.2_calibrated --workers 1
    # analytic against simulated power (benchmarks/power_check.py), merged likewise
    .venv/bin/python benchmarks/validate_stats.py --power --sims 200 --mde-series 10

Simulated daily series (``negtrend.simulate``) have a known campaign rate ratio: a baseline of
60-90 days, a campaign of 60-75 days (then a 3-day quiet period, voting day and 30-60 days
after), AR(1) log-share noise with rho 0.5, negative binomial overdispersion, a weekly pattern,
holiday and Ramadan terms, and a collection volume that varies from day to day (and, in one
scenario, rises in the campaign). Each estimator is run on every series:

* ``compare_periods`` (the package's rate ratio; for daily data an NB-weighted count GLM with
  bias-corrected EWC errors),
* ``its`` (segmented regression; the level change at the campaign start),
* ``check_claim`` (a false or true "decrease" claim; ``power_simulations=0``),
* the naive approaches: a Welch t-test on the daily counts, and a plain Poisson GLM (same
  design and offset as ``compare_periods``, model-based errors, no correction).

Monthly series of 12-14 points are the same daily process summed to months, without the
collection volume (published figures have none). The real-data section runs the published
Kominfo/Komdigi monthly figures and the TurnBackHoax fact-check titles
(``../shared/data``; skipped when absent).

Every series has its own seed, ``numpy.random.SeedSequence([seed, scenario_id, i])``, so any
single series can be re-drawn; results do not depend on the number of workers.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import math
import multiprocessing as mp
import os
import platform
import re
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats as sps

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SEED = 20241127
ALPHA = 0.05
START_MIN = pd.Timestamp("2016-01-04")  # series start anywhere in 2016..2023, so holidays,
START_SPAN_DAYS = 2900  # Ramadan and weekdays fall differently in every series


# --------------------------------------------------------------------------------- scenarios
@dataclass(frozen=True)
class Spec:
    """One simulation scenario; every series draws its own lengths, dates, volume and share."""

    id: int  # part of every series' seed; never renumber
    name: str
    label: str
    freq: str = "D"
    ratio: float = 1.0  # true rate ratio of the share in campaign and quiet (a step)
    mean: tuple = (10.0, 500.0)  # category items per day: fixed (a, a) or log-uniform (lo, hi)
    volume_campaign: float = 1.0  # collection volume in the campaign, relative to before
    placebo_days: tuple = (0, 0)  # placebo time before the baseline, beyond one block (uniform)
    months: tuple = (12, 14)  # monthly scenarios: series length in months
    claim: str = "decrease"
    sims_share: float = 1.0  # share of --sims run (the placebo scenario is 20x as costly)
    noise_sd: float | None = None  # AR(1) log-share noise; None: the simulate.Scenario default
    ar: float | None = None
    shift: float = 1.0  # a level shift of the share inside the baseline (ratio), 30-70% in


DAILY = [
    Spec(1, "null", "no effect, volume 10-500 items/day"),
    Spec(2, "null_volume_up", "no effect on the share; collection volume x1.5 in the campaign",
         volume_campaign=1.5),
    Spec(3, "null_placebo", "no effect, 21-29 placebo dates before the baseline",
         placebo_days=(140, 196)),
    Spec(4, "decrease_0.8", "true ratio 0.8 (a step), volume 10-500 items/day", ratio=0.8),
    Spec(5, "power_1.2", "true ratio 1.2 (a step) at 200 items/day", ratio=1.2,
         mean=(200.0, 200.0)),
]
MONTHLY = [
    Spec(11, "monthly_null", "monthly, no effect", freq="M", mean=(1.0, 20.0)),
    Spec(12, "monthly_0.8", "monthly, true ratio 0.8 (moderate)", freq="M", ratio=0.8,
         mean=(1.0, 20.0)),
    Spec(13, "monthly_0.5", "monthly, true ratio 0.5 (large)", freq="M", ratio=0.5,
         mean=(1.0, 20.0)),
]
# Context, not a target: power_1.2 with the log-share noise measured on real daily series by
# benchmarks/calibrate_noise.py (median AR(1) innovation sd over its 6 series 0.462, rounded to
# 0.45; its rho estimates, 0.04-0.95, are not robust, so rho stays 0.5). NB alpha 0.05 stays
# on top, as in every scenario.
CALIBRATED_NOISE_SD = 0.45
CALIBRATED = [
    Spec(6, "power_1.2_calibrated", "as power_1.2, log-share noise sd 0.45 (measured)",
         ratio=1.2, mean=(200.0, 200.0), noise_sd=CALIBRATED_NOISE_SD),
    Spec(7, "power_1.2_quieter", "as power_1.2, log-share noise sd 0.10 (quieter than the "
         "default)", ratio=1.2, mean=(200.0, 200.0), noise_sd=0.10),
]
# Issue 16: daily scenarios at the noise of real data, fixed (2026-12-03, commit of this line)
# before any estimator was compared on them; coverage must be 93-97% in each, false alarms
# <= 6%, false "supported" claims <= 5%.
NOISE = [
    Spec(8, "null_real_noise", "no effect, log-share noise sd 0.46, rho 0.5 (measured on real "
         "daily series)", noise_sd=0.46, ar=0.5),
    Spec(9, "null_rho_0.8", "no effect, log-share noise rho 0.8 (sd 0.15)", ar=0.8),
    Spec(10, "null_level_shift", "no effect in the campaign; the share rises x1.3 30-70% into "
         "the baseline and stays (the truth is the ratio to the baseline's mean log level)",
         shift=1.3),
]
SPECS = {spec.name: spec for spec in DAILY + CALIBRATED + NOISE + MONTHLY}


def series_rng(seed: int, spec: Spec, index: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence([seed, spec.id, index]))


def draw_scenario(spec: Spec, rng: np.random.Generator):
    """The simulate.Scenario of one series: random lengths, start, volume and share."""
    from negtrend.analysis import simulate

    before = int(rng.integers(60, 91))
    campaign = int(rng.integers(60, 76))
    after = int(rng.integers(30, 61))
    low, high = spec.mean
    mean = float(np.exp(rng.uniform(np.log(low), np.log(high)))) if high > low else float(low)
    share = float(rng.uniform(0.02, 0.2))
    start = START_MIN + pd.Timedelta(days=int(rng.integers(0, START_SPAN_DAYS)))
    lead = 0
    if spec.placebo_days[1] > 0:  # one whole before+campaign block, then weekly steps
        lead = before + campaign + int(rng.integers(spec.placebo_days[0],
                                                    spec.placebo_days[1] + 1))
    if spec.freq == "M":
        # whole months: the series starts on the 1st and ends on a month's last day
        start = start.to_period("M").start_time
        months = int(rng.integers(spec.months[0], spec.months[1] + 1))
        end = (start + pd.DateOffset(months=months)) - pd.Timedelta(days=1)
        total_days = (end - start).days + 1
        lead = total_days - (before + campaign + 4 + after)
        lead = int(rng.integers(max(lead - 45, 0), lead + 1))  # the windows fall anywhere
        after = total_days - (lead + before + campaign + 4)
    effects = {"campaign": spec.ratio, "quiet": spec.ratio} if spec.ratio != 1 else {}
    noise = {key: value for key, value in (("noise_sd", spec.noise_sd), ("ar", spec.ar))
             if value is not None}
    if spec.shift != 1.0:
        noise.update(baseline_shift=spec.shift,
                     shift_day=int(round(before * rng.uniform(0.3, 0.7))))
    return simulate.Scenario(
        start=f"{start:%Y-%m-%d}", lead_days=lead, before_days=before, campaign_days=campaign,
        after_days=after, share=share, volume=mean / share, effects=effects,
        volume_campaign=spec.volume_campaign, **noise)


# ------------------------------------------------------------------------------- estimators
def _interval(row_or_effect: dict, truth: float) -> dict:
    low, high = row_or_effect.get("ci_low"), row_or_effect.get("ci_high")
    p_value = row_or_effect.get("p_value")
    ok = low is not None and high is not None and math.isfinite(low) and math.isfinite(high)
    return {
        "est": float(row_or_effect.get("estimate", math.nan)),
        "covered": float(low <= truth <= high) if ok else math.nan,
        "reject": float(p_value < ALPHA) if p_value is not None and math.isfinite(p_value)
        else math.nan,
        "width": float(math.log(high / low)) if ok else math.nan,
        "verdict": ("not estimable" if not ok else "higher" if low > 1 else
                    "lower" if high < 1 else "inconclusive"),
    }


def naive_t(frame: pd.DataFrame, category: str, truth: float) -> dict:
    """Welch t-test of the campaign's counts per period against the baseline's, with the
    ratio of means and a delta-method interval on the log scale. No exposure, no seasonality,
    no autocorrelation: what a spreadsheet would do."""
    per = frame[category] / frame["days"]
    before = per[frame["window"] == "before"].to_numpy(float)
    campaign = per[frame["window"] == "campaign"].to_numpy(float)
    if len(before) < 2 or len(campaign) < 2 or before.mean() <= 0 or campaign.mean() <= 0:
        return {"est": math.nan, "covered": math.nan, "reject": math.nan, "width": math.nan,
                "verdict": "not estimable"}
    test = sps.ttest_ind(campaign, before, equal_var=False)
    ratio = campaign.mean() / before.mean()
    var_c = campaign.var(ddof=1) / len(campaign) / campaign.mean() ** 2
    var_b = before.var(ddof=1) / len(before) / before.mean() ** 2
    se = math.sqrt(var_c + var_b)
    df = (var_c + var_b) ** 2 / (var_c**2 / (len(campaign) - 1) + var_b**2 / (len(before) - 1))
    q = sps.t.ppf(1 - ALPHA / 2, df) if se > 0 else math.nan
    return _interval({"estimate": ratio, "ci_low": ratio * math.exp(-q * se),
                      "ci_high": ratio * math.exp(q * se), "p_value": float(test.pvalue)}, truth)


def naive_poisson(fit, category: str, truth: float) -> dict:
    """Plain Poisson GLM: the design and offset of ``compare_periods`` (its ``MeasureFit``),
    model-based errors and normal intervals, no overdispersion or autocorrelation correction."""
    import statsmodels.api as sm

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        plain = sm.GLM(fit.rows[category].astype(float), fit.fit.design,
                       family=sm.families.Poisson(),
                       offset=np.log(fit.exposure.astype(float))).fit()
    beta, se = float(plain.params["campaign"]), float(plain.bse["campaign"])
    q = sps.norm.ppf(1 - ALPHA / 2)
    return _interval({"estimate": math.exp(beta), "ci_low": math.exp(beta - q * se),
                      "ci_high": math.exp(beta + q * se),
                      "p_value": float(2 * sps.norm.sf(abs(beta / se)))}, truth)


def monthly_without_volume(sim):
    """The simulated days summed to months, with the volume dropped (as published figures)."""
    from negtrend.analysis import simulate
    from negtrend.data.series import SeriesResult

    monthly = simulate.aggregate(sim, "M")
    frame = monthly.frame.copy()
    frame["total"] = np.nan
    return SeriesResult(frame, monthly.categories, "M", "days")


def has_placebo_time(spec: Spec) -> bool:
    return spec.freq != "D" or spec.placebo_days[1] > 0


def evaluate(task: tuple) -> dict:
    """Every estimator on one simulated series: (scenario name, index, base seed[, errors of
    the robust daily fit, ``engine.ERRORS``]) -> numbers.

    ``compare_phases`` is fitted once; its primary campaign row is what ``compare_periods``
    reports, and its count-per-day row is the measure without exposure. Where the series has no
    time outside the windows (no placebo dates), ``check_claim``'s verdict is the comparison's
    outcome read against the claim (``claims.assess``; the test suite checks that this equals
    ``check_claim``), which saves a second fit; elsewhere ``check_claim`` itself is run."""
    from negtrend.analysis import engine

    name, index, seed, errors = task if len(task) == 4 else (*task, engine.ROBUST_ERRORS)
    default, engine.ROBUST_ERRORS = engine.ROBUST_ERRORS, errors
    try:
        return {**_evaluate(name, index, seed), "errors": errors}
    finally:
        engine.ROBUST_ERRORS = default


def _evaluate(name: str, index: int, seed: int) -> dict:
    from negtrend.analysis import claims, compare, its, simulate
    from negtrend.analysis.effect import row_verdict
    from negtrend.report.words import method_text

    spec = SPECS[name]
    rng = series_rng(seed, spec, index)
    scenario = draw_scenario(spec, rng)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sim = simulate.simulate_series(scenario, seed=int(rng.integers(2**31)))
        series = sim.series if spec.freq == "D" else monthly_without_volume(sim)
        # the share ratio (also the count ratio unless volume moves); with a level shift in
        # the baseline, the ratio to the baseline's mean log level (simulate.shift_truth)
        truth = float(sim.truth["effects"]["campaign"])
        out = {"scenario": name, "index": index, "truth": truth,
               "mean_per_day": scenario.volume * scenario.share,
               "periods": len(series.frame)}
        comparison = compare.compare_phases(series, "sim")
        ratios = comparison.ratios.set_index(["measure", "window"])
        row = ratios.loc[(comparison.primary_measure, "campaign")].to_dict()
        out.update({f"cp_{k}": v for k, v in _interval(row, truth).items()})
        out["cp_model"] = method_text(row["method"]).split(";")[0]
        out["cp_df"] = float(row["df_resid"]) if row.get("df_resid") is not None else math.nan
        if series.has_total:
            counted = ratios.loc[("count_per_day", "campaign")].to_dict()
            count_truth = truth * spec.volume_campaign
            out.update({f"count_{k}": v for k, v in _interval(counted, count_truth).items()})
            out["count_excludes_share_truth"] = float(
                not counted["ci_low"] <= truth <= counted["ci_high"])
        level = its.its(series, "sim")
        out.update({f"its_{k}": v for k, v in _interval(level.effect, truth).items()})
        if has_placebo_time(spec):
            check = claims.check_claim(series, "sim", sim.windows, direction=spec.claim,
                                       power_simulations=0)
            out.update(claim=check["verdict"], placebo_p=check["placebo_p"],
                       n_placebos=check["n_placebos"])
        else:
            outcome = row_verdict(row)
            verdict = claims.assess(spec.claim, outcome)
            out.update(claim="inconclusive" if verdict == "not estimable" else verdict,
                       placebo_p=math.nan, n_placebos=0)
        out.update({f"t_{k}": v for k, v in naive_t(series.frame, "sim", truth).items()})
        fit = comparison.fits[comparison.primary_measure]
        out.update({f"pois_{k}": v for k, v in naive_poisson(fit, "sim", truth).items()})
    return out


def run_simulations(sims: int, seed: int, workers: int, specs=None, progress=True,
                    errors: str | None = None) -> pd.DataFrame:
    """``sims`` series of each scenario through ``evaluate``; ``errors``: the robust daily
    fit's errors (default: the engine's)."""
    from negtrend.analysis import engine

    specs = specs or DAILY + CALIBRATED + NOISE + MONTHLY
    errors = errors or engine.ROBUST_ERRORS
    tasks = [(spec.name, i, seed, errors) for spec in specs
             for i in range(max(int(round(sims * spec.sims_share)), 1))]
    rows = []
    started = time.time()
    if workers > 1:
        with mp.get_context("spawn").Pool(workers, initializer=_quiet) as pool:
            for k, row in enumerate(pool.imap_unordered(evaluate, tasks, chunksize=4), 1):
                rows.append(row)
                if progress and k % 100 == 0:
                    print(f"  {k}/{len(tasks)} series, {time.time() - started:.0f}s",
                          file=sys.stderr, flush=True)
    else:
        _quiet()
        rows = [evaluate(task) for task in tasks]
    return pd.DataFrame(rows).sort_values(["scenario", "index"]).reset_index(drop=True)


def _quiet():
    warnings.simplefilter("ignore")
    os.environ.setdefault("OMP_NUM_THREADS", "1")


# ----------------------------------------------------------------------------- summarising
def rate(values: pd.Series) -> tuple[float, float, int]:
    """Mean of a 0/1 column (NaN left out), its Monte-Carlo standard error and n."""
    values = pd.to_numeric(values, errors="coerce").dropna()
    n = len(values)
    if not n:
        return math.nan, math.nan, 0
    p = float(values.mean())
    return p, math.sqrt(p * (1 - p) / n), n


def pct(values: pd.Series, se: bool = True) -> str:
    p, err, n = rate(values)
    if not n:
        return "–"
    return f"{100 * p:.1f} ± {100 * err:.1f}" if se else f"{100 * p:.1f}"


def share_of(values: pd.Series, label: str) -> float:
    return float((values == label).mean()) if len(values) else math.nan


def efficient_bound(spec: Spec, seed: int, indices) -> tuple[float, float]:
    """(mean power, median sd) of the best test these series allow: the GLS estimate of the
    campaign step on the log scale, with the same nuisance terms as ``compare_periods``
    (day of week, holidays, Ramadan, Idul Fitri week, the other windows), by a z-test that
    knows every noise parameter (the AR(1) log-share noise, the NB and Poisson variance).
    No test that must estimate its own variance under autocorrelation of unknown form can
    beat it: an upper bound on power, not a target."""
    from negtrend.analysis import engine, simulate

    if spec.ratio == 1 or spec.freq != "D":
        return math.nan, math.nan
    powers, sds = [], []
    shift = abs(math.log(spec.ratio))
    for index in indices:
        scenario = draw_scenario(spec, series_rng(seed, spec, int(index)))
        window_of = simulate.day_windows(scenario)
        window_of = window_of[window_of != "outside"]
        window = window_of.to_numpy()
        n = len(window)
        step = np.isin(window, ["campaign", "quiet"]).astype(float)  # the same true effect
        design = pd.DataFrame({"const": 1.0, "step": step}, index=window_of.index)
        for other in ("voting", "after"):
            design[other] = (window == other).astype(float)
        design = engine.seasonal_terms(design, use_dow=True, use_holidays=True).to_numpy(float)
        mean = scenario.volume * scenario.share * np.where(
            step > 0, spec.ratio * scenario.volume_campaign, 1.0)
        lag = np.abs(np.subtract.outer(np.arange(n), np.arange(n)))
        cov = (scenario.noise_sd**2 / (1 - scenario.ar**2) * scenario.ar**lag
               + np.diag(scenario.nb_alpha + 1 / mean))
        information = design.T @ np.linalg.solve(cov, design)
        sd = math.sqrt(np.linalg.inv(information)[1, 1])
        sds.append(sd)
        powers.append(two_sided_power(shift / sd))
    return float(np.mean(powers)), float(np.median(sds))


def two_sided_power(shift, df=np.inf):
    """Power of the two-sided test at ``ALPHA`` when the estimate sits ``shift`` standard
    errors from the null: t on ``df`` degrees of freedom, z when they are infinite."""
    q = sps.t.ppf(1 - ALPHA / 2, df)
    return sps.nct.sf(q, df, shift) + sps.nct.cdf(-q, df, shift)


def df_price(part: pd.DataFrame, shift: float, ratio: float) -> tuple[float, float]:
    """(median t df of the campaign row, mean power of a t-test on each series' df at the
    oracle's noncentrality ``shift``); NaN where the run has no df (older CSVs)."""
    if "cp_df" not in part:
        return math.nan, math.nan
    dfs = part["cp_df"].astype(float).fillna(np.inf).to_numpy()  # no df recorded: z
    median = float(np.median(dfs))
    if ratio == 1 or not math.isfinite(shift):
        return median, math.nan
    return median, float(np.mean(two_sided_power(shift, dfs)))


def summarise(results: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    rows = []
    for name, part in results.groupby("scenario", sort=False):
        spec = SPECS[name]
        row = {"scenario": name, "label": spec.label, "n": len(part), "truth": spec.ratio,
               "claim_is_true": (spec.ratio < 1) == (spec.claim == "decrease")
               and spec.ratio != 1}
        for key in ("cp", "its", "t", "pois"):
            row[f"{key}_cover"], row[f"{key}_cover_se"], _ = rate(part[f"{key}_covered"])
            row[f"{key}_reject"], row[f"{key}_reject_se"], _ = rate(part[f"{key}_reject"])
            row[f"{key}_median_est"] = float(part[f"{key}_est"].median())
        row["cp_detect_right_way"] = float(
            ((part["cp_verdict"] == "higher") if spec.ratio > 1 else
             (part["cp_verdict"] == "lower")).mean()) if spec.ratio != 1 else math.nan
        row["cp_median_width"] = float(np.exp(part["cp_width"].median()))
        # the power a z-test would have if it knew the true sampling sd of the estimate (the
        # Monte-Carlo sd): what these data allow at this alpha, with no noise in the error
        spread = float(np.log(part["cp_est"].astype(float)).std())
        shift = abs(math.log(spec.ratio)) / spread if spread > 0 else math.nan
        row["oracle_power"] = float(two_sided_power(shift)) if spec.ratio != 1 else math.nan
        row["sd_log_est"] = spread
        # the same test with each series' own t df: what studentizing by an estimated
        # variance on those df costs the oracle (the df price of measuring the noise)
        row["cp_median_df"], row["df_price_power"] = df_price(part, shift, spec.ratio)
        # the first 200 series: the bound is exact per series, so this only samples the
        # scenario's lengths and dates (and keeps the rendering to seconds)
        row["bound_power"], row["bound_sd"] = efficient_bound(spec, seed,
                                                              part["index"].iloc[:200])
        for verdict in ("supported", "contradicted", "inconclusive", "not estimable"):
            row[f"claim_{verdict}"] = share_of(part["claim"], verdict)
        for verdict in ("higher", "lower", "inconclusive", "not estimable"):
            row[f"cp_{verdict}"] = share_of(part["cp_verdict"], verdict)
        row["placebos_median"] = float(part["n_placebos"].median())
        row["placebo_p_defined"] = float(part["placebo_p"].notna().mean())
        if "count_excludes_share_truth" in part and part["count_est"].notna().any():
            row["count_wrong"] = float(part["count_excludes_share_truth"].mean())
            row["count_median_est"] = float(part["count_est"].median())
            row["count_cover"] = rate(part["count_covered"])[0]
        rows.append(row)
    return pd.DataFrame(rows).set_index("scenario")


def targets(summary: pd.DataFrame) -> list[dict]:
    """The issue's requirements, each with the value found and whether it is met."""
    rows = []

    def add(requirement, scenario, value, low, high, se=None):
        if se is None:  # a share of series: its binomial Monte-Carlo error
            n = summary.loc[scenario, "n"]
            se = math.sqrt(value * (1 - value) / n) if n else math.nan
        met = (low is None or value >= low) and (high is None or value <= high)
        margin = 2 * se if math.isfinite(se) else 0.0
        near = (low is None or value + margin >= low) and (high is None or value - margin <= high)
        rows.append({"requirement": requirement, "scenario": scenario, "value": value,
                     "se": se, "target": _band(low, high), "met": bool(met),
                     "near": bool(near)})

    for name in [s.name for s in DAILY + NOISE]:
        if name in summary.index:
            s = summary.loc[name]
            add("95% CI covers the true ratio (compare_periods)", name, s["cp_cover"], .93, .97,
                s["cp_cover_se"])
    for name in ("null_real_noise", "null_rho_0.8"):
        if name in summary.index:
            s = summary.loc[name]
            add("rejects at alpha 0.05 with no effect (compare_periods)", name, s["cp_reject"],
                None, .06, s["cp_reject_se"])
    for name in [s.name for s in NOISE]:
        if name in summary.index:
            add("false 'decrease' claim supported (check_claim)", name,
                summary.loc[name, "claim_supported"], None, .05)
    for name in ("null", "null_volume_up", "null_placebo"):
        if name in summary.index:
            s = summary.loc[name]
            add("rejects at alpha 0.05 with no effect (compare_periods)", name, s["cp_reject"],
                None, .06, s["cp_reject_se"])
            add("rejects at alpha 0.05 with no effect (its level change)", name,
                s["its_reject"], None, .06, s["its_reject_se"])
            add("false 'decrease' claim supported (check_claim)", name,
                s["claim_supported"], None, .05)
    if "power_1.2" in summary.index:
        s = summary.loc["power_1.2"]
        add("power at ratio 1.2, 200 items/day (compare_periods)", "power_1.2",
            s["cp_detect_right_way"], .80, None)
        if math.isfinite(s["bound_power"]):
            add("power at ratio 1.2 within 3 points of efficient_bound (issue 16)",
                "power_1.2", s["cp_detect_right_way"], s["bound_power"] - .03, None)
        add("false 'decrease' claim supported (check_claim)", "power_1.2",
            s["claim_supported"], None, .05)
    for name in [s.name for s in MONTHLY]:
        if name in summary.index:
            s = summary.loc[name]
            add("monthly: 95% CI coverage >= 90% (compare_periods)", name, s["cp_cover"],
                .90, None, s["cp_cover_se"])
    for name, low, high in (("monthly_null", .90, None), ("monthly_0.8", .50, None)):
        if name in summary.index:
            s = summary.loc[name]
            add("monthly: claim verdict 'inconclusive' (no / moderate effect)", name,
                s["claim_inconclusive"], low, high)
    return rows


def _band(low, high) -> str:
    if low is not None and high is not None:
        return f"{100 * low:.0f}–{100 * high:.0f}%"
    return f"≥ {100 * low:.0f}%" if low is not None else f"≤ {100 * high:.0f}%"


# ------------------------------------------------------------------------------- real data
@dataclass(frozen=True)
class RealCase:
    name: str
    data: str  # published:SERIES or a path under ../shared/data
    election: str
    category: str
    freq: str = "M"
    baseline: str = "before"
    direction: str = "decrease"
    claim: str | None = None  # a claim id in config/claims.yaml
    column_map: str | None = None
    labels: str | None = None
    power_simulations: int = 0
    placebo_step: int | None = None


POWER_SIMS = 50  # MDE for the cases of the named claim only (each costs ~10^3 refits)
TBH = "turnbackhoax_titles_2015_2021/turnbackhoax_titles_2015_2021.csv"


def real_cases() -> list[RealCase]:
    cases = [
        RealCase("Kominfo AIS hoaxes, Pemilu 2019", "published:kominfo_ais_hoax_monthly",
                 "pemilu2019", "hoax_all_categories"),
        RealCase("Kominfo AIS hoaxes, Pemilu 2019 (baseline: after)",
                 "published:kominfo_ais_hoax_monthly", "pemilu2019", "hoax_all_categories",
                 baseline="after"),
    ]
    for election in ("pilkada2024", "pemilu2024"):
        cases.append(RealCase(f"Komdigi AIS hoaxes 2024, {election}",
                              "published:komdigi_ais_hoax_monthly_2024", election,
                              "hoax_all_categories", claim="komdigi_2024_11_pilkada",
                              power_simulations=POWER_SIMS))
        # the Aug-Nov 2024 figures of the ministry's release include Pilkada hoaxes
        category = "hoax_election_incl_pilkada" if election == "pilkada2024" else \
            "hoax_election"
        cases.append(RealCase(f"Kominfo/Komdigi election-hoax issues, {election}",
                              "published:kominfo_pemilu_hoax_issues_monthly", election,
                              category, claim="komdigi_2024_11_pilkada",
                              power_simulations=POWER_SIMS))
    cases.append(RealCase("Komdigi AIS hoaxes 2024, pemilu2024 (baseline: after)",
                          "published:komdigi_ais_hoax_monthly_2024", "pemilu2024",
                          "hoax_all_categories", baseline="after"))
    for election in ("pilkada2017", "pilkada2018", "pemilu2019", "pilkada2020"):
        cases.append(RealCase(f"TurnBackHoax fact-checks (all titles), {election}", TBH,
                              election, "all_items", freq="W",
                              column_map="text=title,timestamp=date"))
        cases.append(RealCase(f"TurnBackHoax hoax verdicts (share of titles), {election}", TBH,
                              election, "hoaks", freq="W",
                              column_map="text=title,timestamp=date",
                              labels="map:turnbackhoax"))
    return cases


def run_real_case(case: RealCase, shared: Path | None) -> dict:
    """Estimate, interval, placebo p and verdict for one real series."""
    from negtrend.analysis import claims
    from negtrend.data import calendar, labels, series, sources
    from negtrend.report.records import check_record

    warnings.simplefilter("ignore")
    started = time.time()
    if case.data.startswith("published:"):
        loaded = sources.load_source(case.data)
        source = case.data
    else:
        if shared is None:
            return {}
        loaded = sources.load_source(shared / case.data, column_map=case.column_map)
        source = f"../shared/data/{case.data}"
    if case.labels:
        loaded = labels.apply_to_result(loaded, case.labels)
    direction, phase, baseline = case.direction, "campaign", case.baseline
    if case.claim:
        claim = claims.get_claim(case.claim)
        direction, phase = claim.direction, claim.phase
        baseline = case.baseline if case.baseline != "before" else claim.baseline
    windows = calendar.windows(case.election)
    categories = [] if case.category == "all_items" else [case.category]
    built = series.build_series(loaded, freq=case.freq, categories=categories or None,
                                windows=windows)
    arguments = {"direction": direction, "phase": phase, "baseline": baseline, "alpha": ALPHA,
                 "placebo_step": case.placebo_step, "seed": 0}
    extra_note = ""
    try:
        check = claims.check_claim(built, case.category, windows,
                                   power_simulations=case.power_simulations, **arguments)
    except ValueError as exc:  # the power simulation fails on an empty baseline
        if not case.power_simulations:
            raise
        check = claims.check_claim(built, case.category, windows, power_simulations=0,
                                   **arguments)
        extra_note = f"the power simulation failed ({type(exc).__name__}: {exc})"
    check = check_record(check)  # notes and method written out in English
    frame = built.frame
    counts = frame.groupby("window")[case.category].count()
    return {
        "case": case.name, "source": source, "election": case.election,
        "category": case.category, "freq": case.freq, "claim": case.claim or "",
        "direction": direction, "phase": phase, "baseline": baseline,
        "measure": check["measure"], "periods_baseline": int(counts.get(baseline, 0)),
        "periods_phase": int(counts.get(phase, 0)), "estimate": check["estimate"],
        "ci_low": check["ci_low"], "ci_high": check["ci_high"], "p_value": check["p_value"],
        "placebo_p": check["placebo_p"], "n_placebos": check["n_placebos"],
        "verdict": check["verdict"], "mde": check["mde"],
        "mde_other": check["mde_other_direction"], "method": check["method"],
        "notes": "; ".join([*check["notes"], *([extra_note] if extra_note else [])]),
        "seconds": time.time() - started,
    }


def _real_task(args):
    case, shared = args
    try:
        return run_real_case(case, shared)
    except Exception as exc:  # noqa: BLE001 - reported in the document, never hidden
        return {"case": case.name, "error": f"{type(exc).__name__}: {exc}"}


def run_real(workers: int, quick: bool) -> tuple[list[dict], str]:
    from negtrend.data import paths

    shared = paths.shared_data_dir()
    cases = real_cases()
    if shared is None:
        cases = [c for c in cases if c.data.startswith("published:")]
        note = "../shared/data is absent: the TurnBackHoax cases were skipped."
    else:
        note = f"../shared/data found at {shared}."
    if quick:
        cases = [dataclasses.replace(c, power_simulations=0) for c in cases]
    tasks = [(case, shared) for case in cases]
    if workers > 1:
        with mp.get_context("spawn").Pool(workers, initializer=_quiet) as pool:
            rows = pool.map(_real_task, tasks, chunksize=1)
    else:
        rows = [_real_task(task) for task in tasks]
    return [r for r in rows if r], note


# -------------------------------------------------------------------------------- document
def fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{value:.{digits}f}"


def p100(value) -> str:
    return "–" if value is None or not math.isfinite(value) else f"{100 * value:.1f}"


def summary_table(rows: list[dict]) -> list[str]:
    """One line per requirement: the range found over its scenarios, the target, and whether
    every scenario met it (with the misses named)."""
    lines = ["| requirement | scenarios | found | target | met |", "|---|---:|---|---|---|"]
    for requirement in dict.fromkeys(row["requirement"] for row in rows):
        part = [row for row in rows if row["requirement"] == requirement]
        low, high = min(r["value"] for r in part), max(r["value"] for r in part)
        found = f"{100 * low:.1f}%" + (f"–{100 * high:.1f}%" if high > low else "")
        missed = [f"`{r['scenario']}`" for r in part if not r["met"]]
        met = "yes" if not missed else f"**no** ({', '.join(missed)})"
        lines.append(f"| {requirement} | {len(part)} | {found} | {part[0]['target']} | {met} |")
    return lines


def render(summary: pd.DataFrame, results: pd.DataFrame, real: list[dict], real_note: str,
           header: dict, earlier_summary: pd.DataFrame | None = None,
           earlier: pd.DataFrame | None = None) -> str:
    lines = ["# Validation of the statistics", "",
             "Generated by `benchmarks/validate_stats.py`; do not edit by hand. Each requirement "
             "over the scenarios it was checked in (details in *Targets* below):", ""]
    lines += summary_table(targets(summary))
    lines += [""] + [f"- {key}: {value}" for key, value in header.items()]
    lines += ["", "## Targets", "",
              "The requirements of issue 4 and what the simulation found (± is the Monte-Carlo "
              "standard error). *Met* compares the point estimate with the target; the last "
              "column says whether the target lies within two Monte-Carlo standard errors of "
              "it (a miss there is a real miss, not simulation noise). The share of "
              "'inconclusive' monthly verdicts has no target in the issue beyond 'unless the "
              "effect is large'; the bands used here (≥ 90% with no effect, a majority at a "
              "ratio of 0.8) are this document's reading.", "",
              "| requirement | scenario | found | target | met | target within 2 s.e. |",
              "|---|---|---|---|---|---|"]
    for row in targets(summary):
        se = f" ± {100 * row['se']:.1f}" if math.isfinite(row["se"]) else ""
        lines.append(f"| {row['requirement']} | `{row['scenario']}` | "
                     f"{100 * row['value']:.1f}%{se} | {row['target']} | "
                     f"{'yes' if row['met'] else '**MISSED**'} | "
                     f"{'yes' if row['near'] else 'no'} |")
    lines += ["", "## Findings", "", findings(summary)]
    lines += ["", "## Daily series", "", SIMULATION_TEXT, "",
              "Coverage of the 95% interval and rejection rate at alpha 0.05 (percent, ± Monte-"
              "Carlo standard error). For scenarios with an effect, *rejects* is the power (the "
              "interval excludes 1, either way).", "",
              "| scenario | n | true ratio | compare_periods cover | compare_periods rejects | "
              "its cover | its rejects | naive t cover | naive t rejects | plain Poisson cover "
              "| plain Poisson rejects |", "|---|---|---|---|---|---|---|---|---|---|---|"]
    daily = [s.name for s in DAILY + NOISE if s.name in summary.index]
    for name in daily:
        s = summary.loc[name]
        part = results[results["scenario"] == name]
        lines.append(
            f"| `{name}` ({SPECS[name].label}) | {s['n']} | {s['truth']:g} | "
            f"{pct(part['cp_covered'])} | {pct(part['cp_reject'])} | "
            f"{pct(part['its_covered'])} | {pct(part['its_reject'])} | "
            f"{pct(part['t_covered'])} | {pct(part['t_reject'])} | "
            f"{pct(part['pois_covered'])} | {pct(part['pois_reject'])} |")
    for name in daily:
        s = summary.loc[name]
        if math.isfinite(s["oracle_power"]):
            lines.append(f"\n`{name}`: the estimates' Monte-Carlo sd on the log scale is "
                         f"{s['sd_log_est']:.3f}; a z-test that knew this sd exactly would "
                         f"detect the effect in {p100(s['oracle_power'])}% of series (the "
                         "ceiling for any test of this estimate at alpha 0.05); "
                         f"`compare_periods` detects it in {p100(s['cp_detect_right_way'])}%."
                         + (f" The bound for any test on these series (`efficient_bound`: "
                            f"GLS on the log scale, every noise parameter known) is "
                            f"{p100(s['bound_power'])}% (median sd {s['bound_sd']:.3f})."
                            if math.isfinite(s.get("bound_power", math.nan)) else ""))
    lines += ["", "Claim check (`check_claim`, direction *decrease*, `power_simulations=0`): "
              "share of verdicts (percent), and the placebo dates available.", "",
              "| scenario | claim true? | supported | contradicted | inconclusive | "
              "median placebos | placebo p defined |", "|---|---|---|---|---|---|---|"]
    for name in daily:
        s = summary.loc[name]
        lines.append(f"| `{name}` | {'yes' if s['claim_is_true'] else 'no'} | "
                     f"{p100(s['claim_supported'])} | {p100(s['claim_contradicted'])} | "
                     f"{p100(s['claim_inconclusive'])} | {s['placebos_median']:.0f} | "
                     f"{p100(s['placebo_p_defined'])} |")
    lines += ["", "Point estimates (median over series; the truth is the share ratio) and the "
              "median interval width (upper / lower bound):", "",
              "| scenario | compare_periods | its level | naive t (raw counts) | plain Poisson | "
              "CI width |", "|---|---|---|---|---|---|"]
    for name in daily:
        s = summary.loc[name]
        lines.append(f"| `{name}` | {fmt(s['cp_median_est'], 3)} | "
                     f"{fmt(s['its_median_est'], 3)} | {fmt(s['t_median_est'], 3)} | "
                     f"{fmt(s['pois_median_est'], 3)} | {fmt(s['cp_median_width'], 3)} |")
    lines += errors_section(summary, results, earlier_summary, earlier)
    if "null_volume_up" in summary.index:
        s = summary.loc["null_volume_up"]
        lines += ["", VOLUME_TEXT.format(
            count_est=fmt(s["count_median_est"], 3), count_wrong=p100(s["count_wrong"]),
            count_cover=p100(s["count_cover"]), t_reject=p100(s["t_reject"]),
            cp_reject=p100(s["cp_reject"]))]
    monthly = [s.name for s in MONTHLY if s.name in summary.index]
    if monthly:
        lines += ["", "## Monthly series (12–14 points)", "", MONTHLY_TEXT, "",
                  "| scenario | n | true ratio | cover | rejects | its cover | its rejects | "
                  "plain Poisson cover | naive t cover | CI width |",
                  "|---|---|---|---|---|---|---|---|---|---|"]
        for name in monthly:
            s = summary.loc[name]
            part = results[results["scenario"] == name]
            lines.append(
                f"| `{name}` | {s['n']} | {s['truth']:g} | {pct(part['cp_covered'])} | "
                f"{pct(part['cp_reject'])} | {pct(part['its_covered'])} | "
                f"{pct(part['its_reject'])} | {pct(part['pois_covered'])} | "
                f"{pct(part['t_covered'])} | {fmt(s['cp_median_width'], 2)} |")
        lines += ["", "Verdicts (percent of series): the comparison's own outcome and the claim "
                  "check for a *decrease* claim.", "",
                  "| scenario | lower | higher | inconclusive | not estimable | claim supported "
                  "| claim contradicted | claim inconclusive | median placebos |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for name in monthly:
            s = summary.loc[name]
            lines.append(
                f"| `{name}` | {p100(s['cp_lower'])} | {p100(s['cp_higher'])} | "
                f"{p100(s['cp_inconclusive'])} | {p100(s['cp_not estimable'])} | "
                f"{p100(s['claim_supported'])} | {p100(s['claim_contradicted'])} | "
                f"{p100(s['claim_inconclusive'])} | {s['placebos_median']:.0f} |")
    if any(spec.name in summary.index for spec in CALIBRATED):
        lines += calibrated_section(summary, results, "the run recorded in the header above")
    lines += ["", "## Real data", "", real_note, "", REAL_TEXT, "",
              "| case | measure (freq) | baseline → phase (periods) | estimate | 95% CI | p | "
              "placebo p (n) | verdict | MDE |", "|---|---|---|---|---|---|---|---|---|"]
    for row in real:
        if "error" in row:
            lines.append(f"| {row['case']} | error: {row['error']} | | | | | | | |")
            continue
        claim = f" — claim `{row['claim']}`" if row["claim"] else ""
        mde = fmt(row["mde"]) if row["mde"] is not None else "–"
        lines.append(
            f"| {row['case']}{claim} | {row['measure']} ({row['freq']}) | {row['baseline']} "
            f"({row['periods_baseline']}) → {row['phase']} ({row['periods_phase']}) | "
            f"{fmt(row['estimate'])} | {fmt(row['ci_low'])}–{fmt(row['ci_high'])} | "
            f"{fmt(row['p_value'], 3)} | {fmt(row['placebo_p'])} ({row['n_placebos']}) | "
            f"{row['verdict']} ({row['direction']}) | {mde} |")
    lines += ["", "Sources, methods and notes per case:", ""]
    for row in real:
        if "error" in row:
            continue
        lines.append(f"- **{row['case']}**: `{row['source']}`, category `{row['category']}`; "
                     f"{row['method'] or 'no model fitted'}."
                     + (f" Notes: {row['notes']}." if row["notes"] else ""))
    lines += ["", "## Reproduce", "",
              "The full run (simulations, then the real data; about 15–20 minutes on 2 cores):",
              "", "```\n.venv/bin/python benchmarks/validate_stats.py --csv series.csv\n```", "",
              "The sections merged later (calibrated noise; analytic against simulated power, "
              "about 8 minutes) are rerun by `--only power_1.2_calibrated,power_1.2_quieter` "
              "and `--power --sims 200 --mde-series 8`; each says how it was made.", "",
              "This document was written by:", "", f"```\n{header['command']}\n```", ""]
    return "\n".join(lines)


ERRORS_TEXT = """\
Issue 16 asked for errors that keep their coverage at the noise of real daily series. Three
daily scenarios were fixed first (commit 21da1ce, 2026-12-03, before any estimator was compared
on them): `null_real_noise` (no effect, log-share noise sd 0.46 and rho 0.5, as
`benchmarks/calibrate_noise.py` measured on real daily series), `null_rho_0.8` (rho 0.8) and
`null_level_shift` (the share rises x1.3 30-70% into the baseline and stays; the truth is the
ratio to the baseline's mean log level). The default was then chosen on those three and on the
daily scenarios above, by the rule the issue set: coverage 93-97% everywhere, false alarms at
most 6%, false "supported" claims at most 5%, then power.

**The errors now used** (`engine.ROBUST_ERRORS = "ar_noise"`): the point estimate is the same
NB-weighted count GLM as before; the residuals' noise is fitted as AR(1) plus white noise on the
log scale by REML (`negtrend.analysis.noise_model`, O(n) per likelihood evaluation); each
coefficient's variance is the sandwich under that fitted noise, and its t degrees of freedom
carry the uncertainty of the fitted noise (Satterthwaite: twice the squared variance over the
variance of its estimate, from the REML information of the noise parameters, as Kenward and
Roger do for mixed models). A noise that is mostly white gives many degrees of freedom; a
persistent one, whose long-run variance rests on few effective observations, gives few.
**The earlier errors** (`"ewc"`): the bias-corrected equal-weighted-cosine sandwich with t on
0.4 T^(2/3) cosines, never below the quasi-likelihood error. Both are run below on the same
series (same seeds); the earlier one is kept in the engine for this comparison."""

# (errors tried, cover null_real_noise, cover null_rho_0.8, cover null_level_shift,
# power power_1.2), percent over the first 200 series of each scenario
SEARCH_ROWS = [
    ("EWC, bias-corrected (the earlier default)", 91.0, 90.5, 96.0, 71.5),
    ("GLS under an AR(1) + white noise fitted by moments, prewhitened EWC (0.4 T^(2/3) "
     "cosines), quasi-likelihood floor", 92.0, 92.0, 96.5, 69.5),
    ("the same with 1.17 T^(2/3) cosines (for whitened scores) and the floor only for short "
     "windows", 89.5, 86.5, 93.5, 78.0),
    ("GLS under the moment-fitted noise, model-based errors", 85.0, 84.0, 92.0, 82.0),
    ("GLS under the REML-fitted noise, model-based errors", 89.0, 87.5, 92.0, 72.5),
    ("GLS under the REML-fitted noise, prewhitened EWC, floor", 93.0, 93.5, 96.5, 62.0),
    ("NB GLM, variance under the REML noise, t on the residual df", 90.0, 89.5, 93.5, 70.5),
    ("NB GLM, EWC with bias factor and Satterthwaite df under the REML noise, "
     "quasi-likelihood floor", 92.0, 95.5, 96.5, 63.0),
    ("the same with the REML-noise variance as floor", 96.0, 96.5, 97.0, 54.5),
    ("**NB GLM, variance under the REML noise, Satterthwaite df (chosen)**", 92.0, 95.0, 95.0,
     64.0),
]


def search_table() -> str:
    lines = ["| errors tried | `null_real_noise` cover | `null_rho_0.8` cover | "
             "`null_level_shift` cover | `power_1.2` power |", "|---|---|---|---|---|"]
    lines += [f"| {name} | " + " | ".join(f"{v:.1f}" for v in values) + " |"
              for name, *values in SEARCH_ROWS]
    return "\n".join(lines)


SEARCH_TEXT = """\
How the default was found (exploratory runs on the first 200 series of each scenario, same
seeds; the prototypes were not kept, so these rows are a record, not a reproducible result;
the two estimators kept are compared on 500 series in the table above):

{table}

Two things stand out. GLS under the fitted noise did not help: its estimate varied more than
the NB GLM's (Monte-Carlo sd 0.162 against 0.133 at rho 0.8, 0.072 against 0.068 at
`power_1.2`); for window indicators, which are long steps, the unweighted estimate is nearly
efficient (Grenander's condition), and an estimated weighting only adds noise. And every
variant that detected the 1.2 step in 69% of series or more covered less than 93% at rho 0.8
or at the real-data noise: in these runs the power of the earlier errors came with intervals
too narrow where noise persists. That is a trade-off measured over the ten variants tried, not
a proof that no feasible test does better."""


def errors_section(summary: pd.DataFrame, results: pd.DataFrame,
                   earlier_summary: pd.DataFrame | None, earlier: pd.DataFrame | None
                   ) -> list[str]:
    """Issue 16: the errors now used beside the earlier EWC errors on the same series."""
    lines = ["", "## Errors at the noise of real data (issue 16)", "", ERRORS_TEXT, ""]
    if earlier_summary is None or earlier is None or not len(earlier):
        return lines + ["(The side-by-side run was skipped: --no-compare.)", "",
                        SEARCH_TEXT.format(table=search_table())]
    lines += ["Coverage, false alarms, false \"supported\" claims and power, percent ± "
              "Monte-Carlo standard error; *median df*: the t degrees of freedom of the "
              "campaign row; *width*: median interval width, upper / lower bound.", "",
              "| scenario | n | cover: AR noise | cover: EWC | rejects: AR noise | rejects: "
              "EWC | false supported: AR noise | false supported: EWC | width: AR noise | "
              "width: EWC | median df: AR noise | median df: EWC |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for spec in DAILY + NOISE:
        name = spec.name
        if name not in summary.index or name not in earlier_summary.index:
            continue
        new, old = (frame[frame["scenario"] == name] for frame in (results, earlier))
        now, then = summary.loc[name], earlier_summary.loc[name]
        supported = ("–", "–") if now["claim_is_true"] else (
            p100(now["claim_supported"]), p100(then["claim_supported"]))
        lines.append(
            f"| `{name}` | {now['n']} | {pct(new['cp_covered'])} | {pct(old['cp_covered'])} | "
            f"{pct(new['cp_reject'])} | {pct(old['cp_reject'])} | {supported[0]} | "
            f"{supported[1]} | {fmt(now['cp_median_width'], 3)} | "
            f"{fmt(then['cp_median_width'], 3)} | {fmt(now['cp_median_df'], 0)} | "
            f"{fmt(then['cp_median_df'], 0)} |")
    if "power_1.2" in summary.index and "power_1.2" in earlier_summary.index:
        now, then = summary.loc["power_1.2"], earlier_summary.loc["power_1.2"]
        lines += ["", f"**Power** at a ratio of 1.2 and 200 items a day (`power_1.2`): "
                  f"{p100(now['cp_detect_right_way'])}% with the errors now used, "
                  f"{p100(then['cp_detect_right_way'])}% with the earlier ones, on the same "
                  f"series; the bound (`efficient_bound`) is {p100(now['bound_power'])}% and "
                  f"a z-test that knew the estimate's Monte-Carlo sd "
                  f"({now['sd_log_est']:.3f}) would reach {p100(now['oracle_power'])}%. The "
                  f"issue's target, within 3 points of the bound, is "
                  + ("met." if now["cp_detect_right_way"] >= now["bound_power"] - 0.03 else
                     "**not met**.")]
        if math.isfinite(now["df_price_power"]):
            short = now["bound_power"] - now["oracle_power"]
            lines += ["", DF_PRICE_TEXT.format(
                df=fmt(now["cp_median_df"], 0), price=p100(now["df_price_power"]),
                observed=p100(now["cp_detect_right_way"]), oracle=p100(now["oracle_power"]),
                bound=p100(now["bound_power"]), cover=p100(now["cp_cover"]),
                gap=p100(now["oracle_power"] - now["cp_detect_right_way"]),
                df_part=p100(now["oracle_power"] - now["df_price_power"]),
                rest=p100(now["df_price_power"] - now["cp_detect_right_way"]),
                estimate=(f"the estimate loses {p100(short)} points to the bound (it is not "
                          "GLS)" if short > 0.02 else "the estimate is about as good as the "
                          "bound's (within the Monte-Carlo error)"))]
    return lines + ["", SEARCH_TEXT.format(table=search_table())]


DF_PRICE_TEXT = """\
**Why the power stops short of the bound.** A z-test that knew the estimate's sd reaches
{oracle}%, against {bound}% for GLS with every noise parameter known: {estimate}. What a
feasible test cannot have is that sd: it must be estimated from the same series, and with
persistent noise the long-run variance rests on few effective observations. The errors now
used carry that uncertainty as t degrees of freedom (median {df} here). A t-test with each
series' own df, at the noncentrality the Monte-Carlo sd gives, detects the effect in {price}%
of series: {df_part} of the {gap} points between the oracle and the test ({observed}%) are the
price of those df. The other {rest} points are intervals a little wider than the oracle's at
this noise (they cover {cover}% of true ratios here): the fitted noise's variance and its
Satterthwaite df err on the safe side where the noise is mild, the side the scenarios with
persistent noise need. The df come from the REML information of the noise parameters, the
asymptotic (Cramér-Rao) limit on how precisely any estimate of them, and so of the long-run
variance, can be made from this series; a studentized test with more df would claim
precision the data do not hold, and every variant tried that detected the effect more often
covered less than 93% where the noise persists (table below). This is an asymptotic argument
backed by these measurements, not a proof over every conceivable test: a test that borrowed
the noise's persistence from outside the series (other categories, other years) could do
better."""


CAL_BEGIN, CAL_END = "<!-- calibrated:begin -->", "<!-- calibrated:end -->"


def noise_rows() -> tuple[list[dict], dict]:
    """The real-data noise estimates of benchmarks/calibrate_noise.py (empty when the data
    are absent)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import calibrate_noise

    if not calibrate_noise.SHARED.exists():
        return [], calibrate_noise.summary([])
    rows = calibrate_noise.run()
    return rows, calibrate_noise.summary(rows)


def calibrated_section(summary: pd.DataFrame, results: pd.DataFrame, provenance: str
                       ) -> list[str]:
    """Power at the noise measured on real series, beside the default (context only)."""
    rows, med = noise_rows()
    lines = ["", CAL_BEGIN, "", "## Power at measured noise levels (context, not a target)", "",
             CALIBRATED_TEXT, ""]
    if rows:
        lines += ["| series | span | days | mean count/day | Poisson var | extra var | rho | "
                  "innovation sd | stationary sd |", "|---|---|---|---|---|---|---|---|---|"]
        for r in rows:
            lines.append(
                f"| {r['series']} | {r['span']} | {r['days']} | {r['mean_per_day']:.1f} | "
                f"{r['var_poisson']:.3f} | {r['var_extra']:.3f} | {r['rho']:.2f} | "
                f"{r['innovation_sd']:.3f} | {r['stationary_sd']:.3f} |")
        rhos = [r["rho"] for r in rows if math.isfinite(r["rho"])]
        lines += ["", f"Median over the {med['n_series']} series: innovation sd "
                  f"{med['median_innovation_sd']:.3f}, stationary sd "
                  f"{med['median_stationary_sd']:.3f}, rho {med['median_rho']:.2f} (range "
                  f"{min(rhos):.2f}–{max(rhos):.2f}, not robust enough to use; rho stays 0.5). "
                  f"The scenario uses the median innovation sd rounded to "
                  f"{CALIBRATED_NOISE_SD:g}; the default is 0.15 (stationary sd 0.173).", ""]
    else:
        lines += ["The real series (../shared/data) were absent: no noise estimates.", ""]
    lines += [f"Source of the simulated numbers below: {provenance}.", "",
              "| scenario | n | log-share noise: rho, innovation sd | compare_periods cover | "
              "power (compare_periods, right direction) | MC sd of log estimate | oracle "
              "ceiling | bound for any test |", "|---|---|---|---|---|---|---|---|"]
    notes = []
    for name in ("power_1.2", *[spec.name for spec in CALIBRATED]):
        if name not in summary.index:
            continue
        s, spec = summary.loc[name], SPECS[name]
        part = results[results["scenario"] == name]
        power, se, _ = rate(part["cp_verdict"] == "higher")
        lines.append(
            f"| `{name}` | {s['n']} | {spec.ar if spec.ar is not None else 0.5:g}, "
            f"{spec.noise_sd if spec.noise_sd is not None else 0.15:g} | "
            f"{pct(part['cp_covered'])} | {100 * power:.1f} ± {100 * se:.1f} | "
            f"{s['sd_log_est']:.3f} | {100 * s['oracle_power']:.1f} | "
            f"{100 * s['bound_power']:.1f} |")
        if power > s["oracle_power"] + 2 * se:
            notes.append(
                f"In `{name}` the power ({100 * power:.1f}%) lies above the ceiling "
                f"({100 * s['oracle_power']:.1f}%): the test is not stronger than the oracle, "
                f"its interval is too narrow at this noise level (coverage "
                f"{pct(part['cp_covered'])}%, against 95%), so part of these detections likely "
                "come from the too-narrow interval.")
    for note in notes:
        lines += ["", note]
    sizes = ", ".join(f"{r['mean_per_day']:.1f}" for r in rows) or "–"
    lines += ["", CALIBRATED_AFTER.format(sizes=sizes), "", CAL_END]
    return lines


MERGED_NOTE = ("- merged later: the section \"Power at measured noise levels\" comes from a "
               "separate `--only` run; its own source line says how (the command above did "
               "not produce it)")


def merge_section(path: Path, section: list[str]) -> None:
    """Put the calibrated section into an existing document: replace it where it is, else
    insert it before the real-data section; say so in the header."""
    text = path.read_text(encoding="utf-8")
    if MERGED_NOTE not in text and "\n- run time: " in text:
        head, rest = text.split("\n- run time: ", 1)
        line, rest = rest.split("\n", 1)
        text = f"{head}\n- run time: {line}\n{MERGED_NOTE}\n{rest}"
    path.write_text(put_block(text, section, CAL_BEGIN, CAL_END), encoding="utf-8")


def put_block(text: str, section: list[str], begin: str, end: str) -> str:
    """``text`` with the block between the ``begin`` and ``end`` markers replaced by
    ``section`` (which carries the markers), or, the first time, the section put before the
    real-data section."""
    block = "\n".join(section).strip("\n")
    if begin in text and end in text:
        head, rest = text.split(begin, 1)
        return head + block + rest.split(end, 1)[1]
    if "\n## Real data" in text:
        head, rest = text.split("\n## Real data", 1)
        return head.rstrip("\n") + "\n\n" + block + "\n\n## Real data" + rest
    return text.rstrip("\n") + "\n\n" + block + "\n"


CALIBRATED_TEXT = """\
The issue's power target (ratio 1.2 at 200 items a day, ≥ 80%) is judged on `power_1.2` in the
targets table above, with the noise of the `simulate.Scenario` defaults (AR(1) log-share
innovations sd 0.15, rho 0.5, NB alpha 0.05). The issue names the form of the noise (AR(1),
rho 0.5, negative binomial) but not its size, so this section shows the same test at two other
noise levels, one measured on real daily series and one quieter than the default, each beside
the bound for any test (`efficient_bound`: GLS on the log scale with every noise parameter
known). None of this changes the verdict on the target.
`benchmarks/calibrate_noise.py` (method and caveats in its docstring) fits to each real daily
series a Poisson GLM with day-of-week terms and a natural cubic spline of time (one df per 30
days), takes the residual log rate log(y + 0.5) minus its exact Poisson mean, subtracts the
exact Poisson variance, and reads an AR(1) off what is left by the method of moments (lag-1
autocovariance / extra variance = rho; innovation sd = sqrt(extra variance × (1 − rho²))).
Series: TurnBackHoax fact-check titles per day, YouTube comments per day, and the share of
labelled gambling ("judol") comments among the day's comments (the quantity the simulation's
log-share noise stands for)."""

CALIBRATED_AFTER = """\
`power_1.2_calibrated` (scenario id 6) and `power_1.2_quieter` (id 7; series i uses
numpy.random.SeedSequence([seed, id, i])) are `power_1.2` with only the innovation sd changed
(0.45 and 0.10); every other setting, NB alpha 0.05 included, is the same. The oracle ceiling is
the power of a z-test that knows the estimate's Monte-Carlo sd; the bound is that of the best
estimate with every noise parameter known. Caveats: the measured noise is, if anything, an upper
bound for a share at 200 items a day: the AR(1) here takes all the extra-Poisson variance, while
the scenario still adds NB alpha 0.05 on top; the count series carry the variation of the
volume, which a share divides out; and the series are few and small (mean items a day: {sizes};
comments cluster by video), so at a few items a day the extra variance is a small difference of
larger numbers. What the measurement does show is that the default noise of 0.15 is not
pessimistic for these sources: at their noise level a ratio of 1.2 over 60–75 days is detected
far less often, by any test."""


def findings(summary: pd.DataFrame) -> str:
    """The findings, written from the numbers of this run (so a rerun cannot leave them
    stale); only the reading of the real-data cases is fixed text."""
    def get(name, key):
        return summary.loc[name, key] if name in summary.index else math.nan

    def p1(value):
        return "–" if not math.isfinite(value) else f"{100 * value:.1f}%"

    def span(names, key):
        values = [get(n, key) for n in names if n in summary.index]
        values = [v for v in values if math.isfinite(v)]
        return "–" if not values else (f"{100 * min(values):.1f}–{100 * max(values):.1f}%")

    daily = [spec.name for spec in DAILY if spec.name in summary.index]
    items = []
    items.append(
        f"- **Coverage** of the 95% interval of `compare_periods` is {span(daily, 'cp_cover')} "
        f"in the {len(daily)} daily scenarios (500 series each unless the header says "
        f"otherwise); `its` covers the level change in {span(daily, 'its_cover')}.")
    items.append(
        f"- **False alarms** with no effect: `compare_periods` rejects in "
        f"{p1(get('null', 'cp_reject'))} (base), {p1(get('null_volume_up', 'cp_reject'))} "
        f"(collection volume ×1.5 in the campaign) and {p1(get('null_placebo', 'cp_reject'))} "
        f"(with placebo time); `its` in {p1(get('null', 'its_reject'))}, "
        f"{p1(get('null_volume_up', 'its_reject'))} and {p1(get('null_placebo', 'its_reject'))}"
        ". The robust daily fit weights days by the negative binomial variance (alpha by "
        "moments) rather than by volume; before that, the volume-up scenario rejected in "
        "6.6% (`compare_periods`) and 7.8% (`its`). At the noise of real daily series "
        "(`null_real_noise`) `compare_periods` rejects in "
        f"{p1(get('null_real_noise', 'cp_reject'))} and at rho 0.8 in "
        f"{p1(get('null_rho_0.8', 'cp_reject'))} (the section on issue 16 compares the "
        "earlier errors).")
    items.append(
        f"- **Claim check.** A false \"decrease\" claim is supported in "
        f"{p1(get('null', 'claim_supported'))} (no effect), "
        f"{p1(get('null_volume_up', 'claim_supported'))} (volume up), "
        f"{p1(get('null_placebo', 'claim_supported'))} (with placebo dates) and "
        f"{p1(get('power_1.2', 'claim_supported'))} (a true increase) of series; a true "
        f"decrease of 0.8 is supported in {p1(get('decrease_0.8', 'claim_supported'))}.")
    power = get("power_1.2", "cp_detect_right_way")
    items.append(
        f"- **Power** at a ratio of 1.2 and 200 items a day is {p1(power)}"
        + (" (target ≥ 80%: **missed**)" if power < 0.8 else " (target ≥ 80%: met)")
        + (". No test can reach 80% on these series" if get("power_1.2", "bound_power") < 0.8
           else ". A test knowing every noise parameter could reach 80% here")
        + f": the estimate's own sd "
        f"({get('power_1.2', 'sd_log_est'):.3f} on the log scale) caps a test that knew it at "
        f"{p1(get('power_1.2', 'oracle_power'))}, and even the best estimate there is - GLS on "
        f"the log scale with every noise parameter known and the same seasonal and holiday "
        f"terms estimated (`efficient_bound`) - reaches {p1(get('power_1.2', 'bound_power'))}. "
        "A feasible test must also estimate its variance from the series, whose noise "
        "persists, and that costs the rest (the section on issue 16 measures the trade-off "
        "with coverage). The simulated noise "
        "(AR(1) log-share innovations of sd 0.15 on top of NB alpha 0.05, the "
        "`simulate.Scenario` defaults; real daily series are noisier, see below) was not "
        "changed to pass; the section on measured noise shows the same test at other noise "
        "levels.")
    monthly = [spec.name for spec in MONTHLY if spec.name in summary.index]
    items.append(
        f"- **Monthly series** (12–14 points): coverage {span(monthly, 'cp_cover')}; the "
        f"comparison is inconclusive in {p1(get('monthly_null', 'cp_inconclusive'))} of series "
        f"with no effect and {p1(get('monthly_0.8', 'cp_inconclusive'))} at a ratio of 0.8, "
        f"and finds the decrease at 0.5 in {p1(get('monthly_0.5', 'cp_lower'))}. A decrease "
        f"claim is supported in {p1(get('monthly_null', 'claim_supported'))}, "
        f"{p1(get('monthly_0.8', 'claim_supported'))} and "
        f"{p1(get('monthly_0.5', 'claim_supported'))} of series at ratios 1, 0.8 and 0.5: with "
        f"a median of {get('monthly_null', 'placebos_median'):.0f} placebo dates, fewer than "
        "the 19 a permutation p needs to fall below 0.05, the placebo check is reported but "
        "does not veto (`claims.placebo_minimum`).")
    items.append(
        f"- **Naive approaches.** A t-test on daily counts rejects "
        f"{p1(get('null', 't_reject'))} of no-effect series (autocorrelation) and "
        f"{p1(get('null_volume_up', 't_reject'))} when only the volume rises; a plain Poisson "
        f"GLM with the same design rejects {p1(get('null', 'pois_reject'))} (coverage "
        f"{p1(get('null', 'pois_cover'))}), and on monthly figures covers only "
        f"{span(monthly, 'pois_cover')}.")
    items.append(
        "- **Real data** (read from the table below; this item is fixed text): the ministry's "
        "November 2024 claim is checked by name on both of its series around Pilkada 2024 "
        "(and around Pemilu 2024, where the bundled 2024 series has no baseline months). Around "
        "Pemilu 2019 the Kominfo series starts in August 2018, so its two baseline months are "
        "the series' own start-up (25 items in August) and a large ratio there says little.")
    return "\n".join(items)


SIMULATION_TEXT = """\
Each series: baseline U{60..90} days, campaign U{60..75} days, quiet 3 days, voting day,
after U{30..60} days; start date uniform over 2016–2023 (holidays, Ramadan and the weekly
pattern of `negtrend.simulate` apply); the category's mean is log-uniform over the stated range
of items per day, its share of collected items U(0.02, 0.2), so the collection volume is
mean / share; log-share noise AR(1) with rho 0.5 and innovation sd 0.15; negative binomial
counts (alpha 0.05); day-to-day volume AR(1) (rho 0.6, log sd 0.2). Effects are steps on the
share in the campaign and quiet period. `compare_periods` uses the share of collected items
(the primary measure when volume is known); the naive t-test compares raw daily counts; the
plain Poisson GLM has the same design and offset as `compare_periods` but model-based errors.
`null_placebo` puts one before+campaign block plus 140–196 days of placebo time before the
baseline (21–29 placebo dates at the 7-day step), so that the claim check's placebo rule
(placebo p below alpha) is exercised and can be met (each series needs 22–30 extra refits).
In the other daily scenarios there is no placebo
time outside the windows, and the claim verdict rests on the interval alone (the verdict
`check_claim` gives then, computed from the same fit; `tests/test_validate_stats.py` checks
the two agree)."""

VOLUME_TEXT = """\
**Collection volume rising in the campaign** (`null_volume_up`, no effect on the share, volume
×1.5): the count per day (the measure without exposure) has a median ratio of {count_est} and
excludes the true share ratio of 1 in {count_wrong}% of series (its own target, the count
ratio 1.5, is covered in {count_cover}%); the naive t-test on raw daily counts "finds" a change
in {t_reject}% of series. The share measure rejects in {cp_reject}%."""

MONTHLY_TEXT = """\
The daily process above, 12–14 whole months long with the windows placed anywhere inside, summed
to months. The collection volume is dropped (published figures have none), so the measure is the
count per day and day-to-day volume changes are part of the noise. Category mean log-uniform
over 1–20 items per day (30–600 a month, the range of the published Kominfo/Komdigi series).
`compare_periods` uses the negative binomial GLM with Pearson scale and t intervals; the claim
check uses placebo dates where the months outside the windows allow (step 30 days)."""

REAL_TEXT = """\
Each case runs `check_claim` (direction *decrease*, the form of the ministry's claims, unless a
claim id is named; the comparison's measure and method are those of `compare_periods`). The
placebo p is the share of placebo dates whose ratio is at least as far from 1 (placebo step: 7
days for the weekly TurnBackHoax series, 30 for monthly). TurnBackHoax titles are counted per
week (Monday weeks, as `negtrend report --freq W` does): a daily series of 2,100 days with
100+ placebo refits per case was too slow for this run. MDE: the minimum detectable ratio in
the claimed direction with 80% power (50 simulations; computed for the cases of the named claim
only, "–" where not computed or where no ratio on the grid reaches 80%: even a tenfold change
could be missed). A "supported" verdict needs the interval to exclude 1 in the
claimed direction and, where 19 or more placebo dates exist, placebo p below 0.05;
"contradicted" needs the same the other way."""


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=500, help="series per scenario")
    parser.add_argument("--quick", action="store_true", help="smoke run: 40 series, no MDE")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "validation.md")
    parser.add_argument("--csv", type=Path, default=None,
                        help="also write the per-series results here")
    parser.add_argument("--no-real", action="store_true", help="skip the real-data section")
    parser.add_argument("--no-compare", action="store_true",
                        help="skip the side-by-side run of the daily scenarios with the earlier "
                        "EWC errors")
    parser.add_argument("--from-csv", type=Path, default=None,
                        help="re-render from the per-series results of an earlier run (--csv)")
    parser.add_argument("--sim-note", default="",
                        help="with --from-csv: how and when those series were simulated")
    parser.add_argument("--only", default=None,
                        help="run only these scenarios (comma-separated; now only "
                        + ", ".join(s.name for s in CALIBRATED) + ") and merge their section "
                        "into the existing --out document, leaving the rest of it as it is")
    parser.add_argument("--power", action="store_true",
                        help="only the analytic-versus-simulated power check "
                        "(benchmarks/power_check.py), merged into the existing --out document")
    parser.add_argument("--mde-series", type=int, default=10,
                        help="with --power: series per scenario whose MDE is also simulated")
    parser.add_argument("--power-simulations", type=int, default=100,
                        help="with --power: simulations per ratio for the simulated MDE")
    args = parser.parse_args(argv)
    sims = 40 if args.quick and args.sims == 500 else args.sims
    started = time.time()
    if args.power:
        return run_power(args, sims, argv)
    if args.only:
        return run_only(args, sims, argv)
    from negtrend.analysis import engine

    if args.from_csv:
        # "null" is a scenario name, not a missing value
        every = pd.read_csv(args.from_csv, keep_default_na=False, na_values=[""])
        if "errors" not in every:
            every["errors"] = engine.ROBUST_ERRORS
        results = every[every["errors"] == engine.ROBUST_ERRORS].reset_index(drop=True)
        earlier = every[every["errors"] != engine.ROBUST_ERRORS].reset_index(drop=True)
        sims = int(results.groupby("scenario").size().max())
    else:
        print(f"simulating {sims} series per scenario on {args.workers} workers",
              file=sys.stderr)
        results = run_simulations(sims, args.seed, args.workers)
        earlier = pd.DataFrame()
        if not args.no_compare:
            print("the daily scenarios again with the earlier EWC errors", file=sys.stderr)
            earlier = run_simulations(sims, args.seed, args.workers, specs=DAILY + NOISE,
                                      errors="ewc")
        if args.csv:  # before rendering: a rendering error must not lose the simulations
            pd.concat([results, earlier], ignore_index=True).to_csv(args.csv, index=False)
    summary = summarise(results, args.seed)
    earlier_summary = summarise(earlier, args.seed) if len(earlier) else None
    simulated = time.time() - started
    real, note = ([], "Skipped (--no-real).") if args.no_real else run_real(args.workers,
                                                                              args.quick)
    elapsed = time.time() - started
    command = "python benchmarks/validate_stats.py " + " ".join(argv or sys.argv[1:])
    import negtrend

    header = {
        "date": dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "machine": f"{platform.platform()}, {platform.processor() or platform.machine()}, "
                   f"{os.cpu_count()} CPUs; Python {platform.python_version()}",
        "negtrend": getattr(negtrend, "__version__", "?"),
        "command": command.strip(),
        "seeds": f"base seed {args.seed}; series i of scenario k uses "
                 f"numpy.random.SeedSequence([{args.seed}, k, i]) (scenario ids: "
                 + ", ".join(f"{s.name}={s.id}" for s in DAILY + CALIBRATED + NOISE + MONTHLY)
                 + ")",
        "simulations": f"{sims} series per scenario ({SPECS['null_placebo'].name}: "
                       f"{int(round(sims * SPECS['null_placebo'].sims_share))}), "
                       f"{len(results)} in all",
        "workers": args.workers,
        "run time": f"{elapsed / 60:.1f} min ({simulated / 60:.1f} min simulating)",
    }
    if args.from_csv:
        header["run time"] = (f"{elapsed / 60:.1f} min for this rendering and the real data; "
                              f"simulations read from {args.from_csv.name}: {args.sim_note}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(render(summary, results, real, note, header,
                               earlier_summary=earlier_summary, earlier=earlier),
                        encoding="utf-8")
    print(f"wrote {args.out} in {elapsed / 60:.1f} min", file=sys.stderr)
    for row in targets(summary):
        print(f"{'ok ' if row['met'] else 'MISSED'} {row['requirement']} [{row['scenario']}]: "
              f"{100 * row['value']:.1f}% (target {row['target']})", file=sys.stderr)
    return 0


def separate_run(argv, details: str) -> str:
    """Where a section merged into the document came from: date, command, machine, details."""
    command = "python benchmarks/validate_stats.py " + " ".join(argv or sys.argv[1:])
    stamp = dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z")
    return (f"a separate run merged into this document ({stamp}; command "
            f"`{command.strip()}`; {platform.platform()}, {os.cpu_count()} CPUs, Python "
            f"{platform.python_version()}; {details}")


def run_power(args, sims: int, argv) -> int:
    """Analytic against simulated power on the scenarios' own series (power_check.py)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import power_check

    if not args.out.exists():
        print(f"{args.out} does not exist; run the full validation first", file=sys.stderr)
        return 2
    started = time.time()
    results = power_check.run(sims, args.mde_series, args.power_simulations, args.seed,
                              args.workers)
    summary = power_check.summarise(results)
    provenance = separate_run(argv, (
        f"base seed {args.seed}; {sims} series per scenario, the MDE simulated on the first "
        f"{args.mde_series} with {args.power_simulations} simulations per ratio; "
        f"{args.workers} worker(s); {(time.time() - started) / 60:.1f} min)"))
    text = args.out.read_text(encoding="utf-8")
    args.out.write_text(put_block(text, power_check.section(summary, provenance),
                                  power_check.BEGIN, power_check.END), encoding="utf-8")
    if args.csv:
        results.to_csv(args.csv, index=False)
    print(summary.round(3).to_string(), file=sys.stderr)
    return 0


def run_only(args, sims: int, argv) -> int:
    """Simulate only the named (calibrated) scenarios and merge their section into --out."""
    names = [name.strip() for name in args.only.split(",") if name.strip()]
    allowed = {spec.name for spec in CALIBRATED}
    if not names or not set(names) <= allowed:
        print(f"--only takes {', '.join(sorted(allowed))}", file=sys.stderr)
        return 2
    if not args.out.exists():
        print(f"{args.out} does not exist; run the full validation first", file=sys.stderr)
        return 2
    started = time.time()
    specs = [SPECS[name] for name in names]
    print(f"simulating {sims} series of {', '.join(names)} on {args.workers} workers",
          file=sys.stderr)
    results = run_simulations(sims, args.seed, args.workers, specs=specs)
    summary = summarise(results, args.seed)
    elapsed = time.time() - started
    provenance = separate_run(argv, (
        f"base seed {args.seed}; {sims} series of {', '.join(names)}; {args.workers} "
        f"worker(s); {elapsed / 60:.1f} min). The `power_1.2` row is copied from the full run "
        "recorded in the header (not rerun here; nothing else in the document was rerun)"))
    section = calibrated_section(summary, results, provenance)
    if "power_1.2" not in summary.index:  # the default row: read it from the document itself
        section = _default_row_from_document(section, args.out)
    merge_section(args.out, section)
    if args.csv:
        results.to_csv(args.csv, index=False)
    for name in names:
        power, se, n = rate(results.loc[results["scenario"] == name, "cp_verdict"] == "higher")
        print(f"{name}: power {100 * power:.1f} ± {100 * se:.1f}% (n {n}); merged into "
              f"{args.out} in {elapsed / 60:.1f} min", file=sys.stderr)
    return 0


def _default_row_from_document(section: list[str], path: Path) -> list[str]:
    """Add the `power_1.2` row (from the full run recorded in the document) to the table."""
    text = path.read_text(encoding="utf-8")
    row = next((line for line in text.splitlines() if line.startswith("| `power_1.2` (")), None)
    ceiling = next((line for line in text.splitlines() if line.startswith("`power_1.2`: the")),
                   None)
    target = next((line for line in text.splitlines() if line.startswith("| power at ratio 1.2")
                   and "`power_1.2` |" in line), None)
    if row is None or ceiling is None or target is None:
        return section
    cells = [c.strip() for c in row.strip("|").split("|")]
    power = [c.strip() for c in target.strip("|").split("|")][2].replace("%", "")
    sd = re.search(r"log scale is ([0-9.]+)", ceiling)
    oracle = re.search(r"detect the effect in ([0-9.]+)%", ceiling)
    bound = re.search(r"GLS on the log scale, every noise parameter known\) is ([0-9.]+)%",
                      ceiling)
    default = (f"| `power_1.2` | {cells[1]} | 0.5, 0.15 | {cells[3]} | {power} | "
               f"{sd.group(1) if sd else '–'} | {oracle.group(1) if oracle else '–'} | "
               f"{bound.group(1) if bound else '–'} |")
    at = next(i for i, line in enumerate(section) if line.startswith("| scenario | n | log-"))
    return section[:at + 2] + [default] + section[at + 2:]


if __name__ == "__main__":
    sys.exit(main())
