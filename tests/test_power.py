"""Power and the minimum detectable effect: the analytic default against known truth, the
simulation it replaces, and the fallback when the approximation is unreliable."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from negtrend.analysis import compare, power, simulate
from negtrend.data.series import SeriesResult
from negtrend.report import sentences

ALPHA = 0.05


def test_detection_probability_is_the_size_at_no_change_and_grows_with_the_change():
    for df in (4.0, 13.0, math.inf):
        at_one = power.detection_probability(0.0, 0.1, df, ALPHA)
        assert at_one == pytest.approx(ALPHA / 2, abs=1e-9)
        values = [power.detection_probability(math.log(r), 0.1, df, ALPHA)
                  for r in (1.05, 1.1, 1.2, 1.4)]
        assert values == sorted(values) and values[-1] > 0.7
        # a fall is detected as often as a rise of the same size on the log scale
        assert power.detection_probability(-math.log(1.2), 0.1, df, ALPHA) == pytest.approx(
            power.detection_probability(math.log(1.2), 0.1, df, ALPHA))
    # the known normal case: shift of z_(1-alpha/2) + z_0.8 standard errors gives 80%
    shift = 1.959964 + 0.841621
    assert power.detection_probability(0.1 * shift, 0.1, math.inf, ALPHA) == pytest.approx(
        0.8, abs=1e-4)


def _iid_series(seed: int, ratio: float = 1.0, volume: float = 2000.0):
    """Daily series with independent noise (no autocorrelation), a step in the campaign."""
    scenario = simulate.Scenario(effects={"campaign": ratio, "quiet": ratio} if ratio != 1
                                 else {}, ar=0.0, noise_sd=0.05, volume_sd=0.1,
                                 volume=volume, share=0.05)
    return simulate.simulate_series(scenario, seed=seed).series


def test_the_mde_is_where_the_analytic_power_reaches_the_target():
    series = _iid_series(1)
    result = power.power(series, "sim", method="analytic")
    assert result.method == "analytic" and result.computed
    assert [n.code for n in result.notes] == ["power_analytic"]
    assert result.mde_decrease < 1 < result.mde_increase
    at = power.power(series, "sim", method="analytic",
                     ratios=(result.mde_decrease, result.mde_increase))
    assert at.curve["power"].tolist() == pytest.approx([0.8, 0.8], abs=1e-4)
    # a quarter of the volume: fewer items, a noisier estimate, a larger detectable change
    thin = power.power(_iid_series(1, volume=500.0), "sim", method="analytic")
    assert thin.mde_increase > result.mde_increase
    assert thin.mde_decrease < result.mde_decrease


@pytest.mark.slow
def test_analytic_power_predicts_how_often_the_change_is_detected():
    """Known truth: a ratio of 1.15 on independent noise. The power each series predicts for
    itself, averaged, matches the share of series whose interval excludes 1 (a wrong error,
    a normal instead of t, or no rescaling would miss by far more than the tolerance)."""
    predicted, detected = [], []
    for seed in range(120):
        series = _iid_series(seed, ratio=1.15, volume=600.0)
        comparison = compare.compare_phases(series, "sim")
        row = comparison.ratio("campaign")
        detected.append(row["ci_low"] > 1)
        result = power.power(series, "sim", method="analytic", ratios=(1.15,),
                             comparison=comparison)
        predicted.append(float(result.curve["power"].iloc[0]))
    observed = np.mean(detected)
    se = math.sqrt(observed * (1 - observed) / len(detected))
    assert 0.2 < observed < 0.95  # the check is informative: not at the floor or ceiling
    assert abs(np.mean(predicted) - observed) < max(3 * se, 0.08)


@pytest.mark.slow
def test_analytic_mde_agrees_with_the_simulated_one_on_independent_noise():
    """Where the simulation's noise model is the truth (independent negative binomial
    counts), the two methods give the same MDE within 10% (the simulation on a fine grid)."""
    series = _iid_series(3)
    analytic = power.power(series, "sim", method="analytic")
    grid = tuple(np.round(np.exp(np.linspace(-0.5, 0.5, 41)), 4))
    simulated = power.power(series, "sim", method="simulate", simulations=80, ratios=grid,
                            seed=7)
    curve = simulated.curve
    for up, mde in ((True, analytic.mde_increase), (False, analytic.mde_decrease)):
        side = curve[curve["ratio"] > 1] if up else curve[curve["ratio"] < 1]
        reached = side[side["power"] >= 0.8]["ratio"]
        crossing = reached.min() if up else reached.max()
        assert abs(math.log(mde) - math.log(crossing)) < 0.1 * abs(math.log(crossing)) + 0.02


def _monthly(counts: list[float], windows: list[str]) -> SeriesResult:
    index = pd.date_range("2023-01-01", periods=len(counts), freq="MS")
    frame = pd.DataFrame({"sim": counts, "window": windows,
                          "period_end": index + pd.offsets.MonthEnd(0),
                          "days": index.days_in_month}, index=index)
    frame.index.name = "period"
    return SeriesResult(frame, ["sim"], "M", "days")


def test_few_degrees_of_freedom_fall_back_to_simulation_and_say_so():
    series = _monthly([30, 41, 35, 52, 47, 38, 44], ["before"] * 3 + ["campaign"] * 2
                      + ["after"] * 2)
    comparison = compare.compare_phases(series, "sim")
    assert comparison.ratio("campaign")["df_resid"] < power.MIN_DF
    auto = power.power(series, "sim", simulations=20, method="auto", ratios=(0.5, 2.0))
    assert auto.method == "simulate" and auto.simulations == 20
    assert [n.code for n in auto.notes] == ["power_simulated", "power_fallback_df"]
    forced = power.power(series, "sim", method="analytic")
    assert forced.method == "analytic" and "power_fallback_df" in [n.code for n in forced.notes]
    text = sentences.power_how(auto.notes)
    assert "simulat" in text and "degrees of freedom" in text


def test_few_items_expected_fall_back_to_simulation():
    series = _monthly([2, 1, 3, 0, 2, 1, 2, 3, 1, 2, 2, 1, 3, 2],
                      ["outside"] * 4 + ["before"] * 3 + ["campaign"] * 3 + ["after"] * 4)
    auto = power.power(series, "sim", simulations=10, ratios=(0.5, 2.0))
    codes = [n.code for n in auto.notes]
    assert auto.method == "simulate" and "power_fallback_counts" in codes
    fallback = next(n for n in auto.notes if n.code == "power_fallback_counts")
    assert fallback.params["expected"] < power.MIN_EXPECTED


def test_no_power_asked_or_nothing_to_compare_is_not_computed():
    series = _iid_series(2)
    assert not power.power(series, "sim", simulations=0).computed
    with pytest.raises(ValueError, match="power method"):
        power.power(series, "sim", method="bootstrap")
