"""Synthetic series and corpora with known effects: the ground truth for validating ``stats``.

A simulated daily series is built from a log-rate with a trend, a weekly pattern, holiday and
Ramadan terms, AR(1) noise and window effects; the collection volume (items collected per day)
varies on its own; counts are negative binomial around volume x share. Every ingredient is
returned with the data, so a test can ask whether an estimator recovers what was put in.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from negtrend.data import calendar
from negtrend.data.series import SeriesResult, flag_windows

WEEKLY = (0.05, 0.03, 0.0, 0.0, 0.02, -0.08, -0.12)  # Monday..Sunday, log scale


@dataclass(frozen=True)
class Scenario:
    """Everything that shapes one simulated series. Effects are rate ratios on the *share*."""

    start: str = "2023-06-01"
    lead_days: int = 0  # days outside every window before the baseline (placebo time)
    before_days: int = 75
    campaign_days: int = 70
    after_days: int = 60
    share: float = 0.05  # baseline share of collected items in the category
    volume: float = 400.0  # mean items collected per day
    volume_sd: float = 0.25  # log-scale sd of day-to-day volume (AR(1), rho 0.6)
    volume_campaign: float = 1.0  # collection rises or falls in the campaign (ratio)
    effects: dict = field(default_factory=dict)  # window -> true rate ratio of the share
    trend_per_year: float = 0.0  # log-scale drift of the share
    weekly: tuple = WEEKLY
    holiday_effect: float = -0.15  # log-scale effect of a public holiday on the share
    ramadan_effect: float = 0.05
    ar: float = 0.5  # AR(1) coefficient of the log-share noise
    noise_sd: float = 0.15  # innovation sd of the AR(1) log-share noise
    nb_alpha: float = 0.05  # extra negative binomial overdispersion of the counts
    baseline_shift: float = 1.0  # the share jumps by this ratio ``shift_day`` days into the
    shift_day: int = 0  # baseline and stays there (a level shift inside the baseline)


@dataclass(frozen=True)
class Simulated:
    series: SeriesResult  # a daily series flagged with its windows, category "sim"
    windows: pd.DataFrame
    truth: dict  # the scenario, and the true effects per window
    components: pd.DataFrame  # log share, noise, volume, expected count, per day


def windows_for(scenario: Scenario) -> pd.DataFrame:
    """before | campaign | quiet (3 days) | voting (1 day) | after, from the scenario lengths;
    ``before`` starts ``lead_days`` after the series does."""
    start = pd.Timestamp(scenario.start) + pd.Timedelta(days=scenario.lead_days)
    spans = []
    cursor = start
    for name, length in (("before", scenario.before_days), ("campaign", scenario.campaign_days),
                         ("quiet", 3), ("voting", 1), ("after", scenario.after_days)):
        spans.append({"window": name, "start": cursor,
                      "end": cursor + pd.Timedelta(days=length - 1), "days": length})
        cursor += pd.Timedelta(days=length)
    return pd.DataFrame(spans)


def day_windows(scenario: Scenario) -> pd.Series:
    """The window of every simulated day ('outside' before the baseline), indexed by day."""
    windows = windows_for(scenario)
    days = pd.date_range(pd.Timestamp(scenario.start), windows["end"].max(), freq="D",
                         name="period")
    window_of = pd.Series("outside", index=days, dtype=object)
    for row in windows.itertuples():
        window_of[(days >= row.start) & (days <= row.end)] = row.window
    return window_of


def _ar1(rng, n: int, rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) with innovation sd ``sd``."""
    out = np.empty(n)
    out[0] = rng.normal(0, sd / np.sqrt(max(1 - rho**2, 1e-9)))
    shocks = rng.normal(0, sd, n)
    for i in range(1, n):
        out[i] = rho * out[i - 1] + shocks[i]
    return out


def shift_truth(scenario: Scenario, effects: dict) -> dict:
    """The true window ratios against the baseline when the share shifts inside it: the
    baseline's mean log level is the shift times the share of baseline days after it, and
    every later window sits at the shifted level (the estimand of a log-linear model with one
    level for the baseline)."""
    if scenario.baseline_shift == 1.0:
        return effects
    after = max(scenario.before_days - scenario.shift_day, 0) / scenario.before_days
    lift = math.exp(math.log(scenario.baseline_shift) * (1 - after))
    return {w: (r if w == "before" else r * lift) for w, r in effects.items()}


def simulate_series(scenario: Scenario = Scenario(), seed: int | None = None) -> Simulated:
    """One daily series with known window effects on the share of collected items."""
    rng = np.random.default_rng(seed)
    windows = windows_for(scenario)
    window_of = day_windows(scenario)
    days = window_of.index
    n = len(days)
    covariates = calendar.holiday_covariates(days.min(), days.max())
    effects = {w: float(scenario.effects.get(w, 1.0)) for w in windows["window"]}
    log_effect = np.log(window_of.map(effects).fillna(1.0).to_numpy(float))
    years = (days - days[0]).days.to_numpy() / 365.25
    weekly = np.asarray(scenario.weekly)[days.day_of_week]
    noise = _ar1(rng, n, scenario.ar, scenario.noise_sd)
    shifted = np.arange(n) >= scenario.lead_days + scenario.shift_day
    log_share = (np.log(scenario.share) + scenario.trend_per_year * years + weekly
                 + scenario.holiday_effect * covariates["holiday"].to_numpy()
                 + scenario.ramadan_effect * covariates["ramadan"].to_numpy()
                 + log_effect + noise + np.log(scenario.baseline_shift) * shifted)
    in_campaign = (window_of == "campaign").to_numpy()
    log_volume = (np.log(scenario.volume) + _ar1(rng, n, 0.6, scenario.volume_sd * 0.8)
                  + np.log(scenario.volume_campaign) * in_campaign)
    total = rng.poisson(np.exp(log_volume)).astype(float)
    expected = total * np.minimum(np.exp(log_share), 1.0)
    counts = _negative_binomial(rng, expected, scenario.nb_alpha)
    counts = np.minimum(counts, total)
    frame = pd.DataFrame({
        "period_end": days, "obs_start": days, "obs_end": days, "days": 1,
        "sim": counts.astype(float), "total": total,
    }, index=days)
    series = flag_windows(SeriesResult(frame, ["sim"], "D", "total"), windows)
    components = pd.DataFrame({"log_share": log_share, "noise": noise, "volume": total,
                               "expected": expected, "window": window_of.to_numpy()},
                              index=days)
    truth = {"scenario": scenario, "effects": shift_truth(scenario, effects),
             "count_effects": {w: effects[w] * (scenario.volume_campaign
                                                if w == "campaign" else 1.0)
                               for w in effects}}
    return Simulated(series, windows, truth, components)


def _negative_binomial(rng, mean: np.ndarray, alpha: float) -> np.ndarray:
    """NB2 draws with variance mean + alpha * mean^2 (Poisson when alpha is 0)."""
    if alpha <= 0:
        return rng.poisson(mean)
    gamma = rng.gamma(1 / alpha, alpha, size=len(mean))
    return rng.poisson(mean * gamma)


def aggregate(simulated: Simulated, freq: str) -> SeriesResult:
    """The same simulated days summed to weeks or months (what published figures look like)."""
    from negtrend.data.series import period_end, period_start

    if freq == "D":
        return simulated.series
    frame = simulated.series.frame
    bins = period_start(pd.Series(frame.index, index=frame.index), freq)
    grouped = frame[["sim", "total", "days"]].groupby(bins.to_numpy()).sum()
    grouped.index.name = "period"
    grouped["period_end"] = period_end(pd.Series(grouped.index), freq).to_numpy()
    grouped["obs_start"] = frame.index.to_series().groupby(bins.to_numpy()).min().to_numpy()
    grouped["obs_end"] = frame.index.to_series().groupby(bins.to_numpy()).max().to_numpy()
    grouped = grouped[["period_end", "obs_start", "obs_end", "days", "sim", "total"]]
    return flag_windows(SeriesResult(grouped, ["sim"], freq, "total"), simulated.windows)


TEMPLATES = {
    True: ["[HOAKS] video {t} beredar", "awas hoaks soal {t}", "[SALAH] foto {t}"],
    False: ["info jadwal {t}", "kabar terbaru {t}", "diskusi tentang {t}"],
}
TOPICS = ["kpu", "tps", "debat capres", "quick count", "bansos", "harga beras", "cuaca"]


def simulate_corpus(scenario: Scenario = Scenario(), seed: int | None = None) -> tuple[
        pd.DataFrame, Simulated]:
    """Post-level data behind a simulated daily series: one row per collected item with a
    timestamp (WIB), a text and the true label ``hoaks`` (the category of the series)."""
    rng = np.random.default_rng(seed)
    simulated = simulate_series(scenario, seed=None if seed is None else seed + 1)
    frame = simulated.series.frame
    days = np.repeat(frame.index.to_numpy(), frame["total"].astype(int).to_numpy())
    positive = np.zeros(len(days), dtype=bool)
    offset = 0
    for count, total in zip(frame["sim"].astype(int), frame["total"].astype(int), strict=True):
        positive[offset:offset + count] = True
        offset += total
    seconds = rng.integers(0, 86400, len(days))
    stamps = (pd.DatetimeIndex(days) + pd.to_timedelta(seconds, unit="s")).tz_localize(
        "Asia/Jakarta")
    topics = np.asarray(TOPICS)[rng.integers(0, len(TOPICS), len(days))]
    texts = [rng.choice(TEMPLATES[bool(p)]).format(t=t) for p, t in zip(positive, topics,
                                                                          strict=True)]
    posts = pd.DataFrame({"timestamp": stamps, "date": pd.DatetimeIndex(days),
                          "text": texts, "hoaks": positive})
    return posts, simulated
