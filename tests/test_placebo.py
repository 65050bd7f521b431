"""Placebo-in-time, computed the fast way (issue 13): one measure fitted per date, window labels
kept per set of dates, yet the very numbers of flagging the series and comparing its phases at
every date."""

import math

import numpy as np
import pandas as pd
import pytest

from negtrend.analysis import placebo, simulate
from negtrend.analysis.compare import compare_phases
from negtrend.data.series import SeriesResult, flag_windows


def _reference(series, windows, category, phase="campaign", baseline="before", step=None,
               min_share=0.5):
    """The placebo estimates as computed before issue 13: flag_windows and compare_phases at
    every date."""
    def ratio(spans):
        row = compare_phases(flag_windows(series, spans, min_share), category,
                             baseline=baseline).ratio(phase)
        return float(row["estimate"]) if row and bool(row["estimable"]) else math.nan

    real = ratio(windows)
    real_start = windows.set_index("window").loc["before", "start"]
    values = []
    for start in placebo.placebo_positions(series, windows, step):
        shifted = windows.copy()
        shifted["start"] += start - real_start
        shifted["end"] += start - real_start
        value = ratio(shifted[shifted["window"].isin(placebo.CHECKED)])
        if math.isfinite(value) and value > 0:
            values.append(value)
    return real, values


@pytest.fixture(scope="module")
def long_sim():
    scenario = simulate.Scenario(lead_days=240, effects={"campaign": 0.8}, noise_sd=0.2)
    return simulate.simulate_series(scenario, seed=21)


@pytest.mark.parametrize("freq", ["D", "W", "M"])
def test_placebo_estimates_are_those_of_comparing_phases_at_every_date(long_sim, freq):
    series = simulate.aggregate(long_sim, freq)
    result = placebo.placebo(series, long_sim.windows, "sim")
    real, values = _reference(series, long_sim.windows, "sim")
    assert result.estimate == real
    assert result.table["estimate"].tolist() == values
    assert result.effect["n_placebos"] == len(values) > (0 if freq == "M" else 10)


def test_kept_window_labels_follow_the_dates_and_never_the_counts(long_sim):
    """Labels are kept per set of dates: a series with other counts on the same dates reuses
    them (with its own counts), a series on other dates gets its own."""
    series = long_sim.series
    first = placebo.placebo(series, long_sim.windows, "sim")
    frame = series.frame.copy()
    frame["sim"] = np.round(frame["sim"] * 1.5 + np.arange(len(frame)) % 3)
    recounted = SeriesResult(frame, series.categories, series.freq, series.exposure)
    second = placebo.placebo(recounted, long_sim.windows, "sim")
    assert second.table["estimate"].tolist() == _reference(recounted, long_sim.windows,
                                                           "sim")[1]
    assert second.table["estimate"].tolist() != first.table["estimate"].tolist()
    shifted = series.frame.copy()
    shifted.index = shifted.index + pd.Timedelta(days=3)
    for column in ("period_end", "obs_start", "obs_end"):
        shifted[column] = shifted[column] + pd.Timedelta(days=3)
    moved = flag_windows(SeriesResult(shifted, series.categories, series.freq,
                                      series.exposure), long_sim.windows)
    third = placebo.placebo(moved, long_sim.windows, "sim")
    assert third.table["estimate"].tolist() == _reference(moved, long_sim.windows, "sim")[1]
