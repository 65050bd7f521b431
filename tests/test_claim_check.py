"""Placebo-in-time, power and the claim verdict, against simulated series with known truth."""

import json
import math

import pandas as pd
import pytest
from typer.testing import CliRunner

from negtrend.analysis import claims, compare, placebo, power, simulate
from negtrend.cli import app
from negtrend.report.words import note_text

pytestmark = pytest.mark.slow


def long_scenario(**effects):
    """A year of quiet time before the election, so placebo dates exist."""
    return simulate.Scenario(start="2022-06-01", before_days=400, campaign_days=70,
                             after_days=60, effects=effects, noise_sd=0.1)


def test_placebo_p_is_small_for_a_real_effect_and_not_for_none():
    strong = simulate.simulate_series(long_scenario(campaign=2.0), seed=1)
    windows = strong.windows.copy()
    # compare the campaign with the 70 days before it; the earlier year is placebo time
    windows.loc[windows["window"] == "before", "start"] = windows.loc[
        windows["window"] == "campaign", "start"].iloc[0] - __import__("pandas").Timedelta(
        days=70)
    result = placebo.placebo(strong.series, windows, "sim")
    assert result.effect["n_placebos"] >= 20
    assert result.method == "placebo" and result.meta["plot"] == "distribution"
    assert result.estimate > 1.6 and result.p_value < 0.1
    null = simulate.simulate_series(long_scenario(), seed=2)
    result = placebo.placebo(null.series, windows, "sim")
    assert result.p_value > 0.1
    assert len(result.table) == result.effect["n_placebos"]
    assert (result.table["estimate"] > 0).all()


def test_minimum_detectable_effect_shrinks_with_more_data():
    few = simulate.Scenario(volume=10, share=0.05, noise_sd=0.05)  # about 0.5 items a day
    many = simulate.Scenario(volume=5000, share=0.05, noise_sd=0.05)
    thin = power.power(simulate.simulate_series(few, seed=3).series, "sim", simulations=40)
    rich = power.power(simulate.simulate_series(many, seed=3).series, "sim", simulations=40)
    assert rich.mde_increase <= 1.25  # 250 items a day: modest changes are detectable
    assert math.isnan(thin.mde_increase) or thin.mde_increase > rich.mde_increase
    assert set(rich.curve.columns) == {"ratio", "power"}
    assert set(rich.curve.columns) == {"ratio", "power"}


def test_claim_verdicts_follow_the_truth():
    windows_of = simulate.windows_for
    down = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.5}), seed=5)
    verdict = claims.check_claim(down.series, "sim", windows_of(simulate.Scenario()),
                                 direction="decrease", power_simulations=20)
    assert verdict["verdict"] == "supported" and verdict["ci_high"] < 1
    opposite = claims.check_claim(down.series, "sim", windows_of(simulate.Scenario()),
                                  direction="increase", power_simulations=20)
    assert opposite["verdict"] == "contradicted"
    flat = simulate.aggregate(simulate.simulate_series(simulate.Scenario(), seed=6), "M")
    verdict = claims.check_claim(flat, "sim", windows_of(simulate.Scenario()),
                                 direction="decrease", power_simulations=20)
    assert verdict["verdict"] == "inconclusive"


def test_claim_command_prints_one_json_object_and_exits_zero():
    result = CliRunner().invoke(app, [
        "claim", "--data", "published:komdigi_ais_hoax_monthly_2024", "--election",
        "pilkada2024", "--category", "hoax_all_categories", "--direction", "decrease"])
    assert result.exit_code == 0, result.output
    verdict = json.loads(result.output)
    for key in ("verdict", "estimate", "ci_low", "ci_high", "p_value", "placebo_p", "mde"):
        assert key in verdict
    assert verdict["verdict"] in {"supported", "contradicted", "inconclusive"}
    includes_one = verdict["ci_low"] <= 1 <= verdict["ci_high"]
    assert (verdict["verdict"] == "inconclusive") or not includes_one


def test_placebo_p_is_computed_and_bounded_when_few_placebo_dates_fit():
    """Few placebo positions: p is still the permutation p, and its floor is stated."""
    strong = simulate.simulate_series(simulate.Scenario(effects={"campaign": 2.0}, volume=3000,
                                                        noise_sd=0.05, after_days=200), seed=7)
    windows = strong.windows[strong.windows["window"].isin(["before", "campaign"])]
    result = placebo.placebo(strong.series, windows, "sim", step=14)
    n = result.effect["n_placebos"]
    assert 0 < n < 19
    assert (result.table["estimate"] < result.estimate).all()  # the real effect is extreme
    assert result.p_value == __import__("pytest").approx(1 / (1 + n))
    assert result.outcome == "typical"  # p cannot go below 1/(n+1) > 0.05
    assert any("smallest possible p-value" in note_text(note) for note in result.notes)


def test_power_is_undefined_not_a_crash_when_the_baseline_is_empty():
    """Komdigi's 2024 series starts in January: no month before the Pemilu 2024 campaign."""
    import negtrend as nt

    windows = nt.windows(nt.get_election("pemilu2024"))
    built = nt.build_series(nt.load_source("published:komdigi_ais_hoax_monthly_2024"), freq="M",
                            windows=windows)
    result = power.power(built, built.categories[0], simulations=5)
    assert math.isnan(result.mde_increase) and math.isnan(result.mde_decrease)


def test_too_few_placebo_dates_do_not_veto_a_claim_the_interval_supports():
    falling = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.5}, volume=3000,
                                                         noise_sd=0.05, after_days=200), seed=7)
    windows = falling.windows[falling.windows["window"].isin(["before", "campaign"])]
    check = claims.check_claim(falling.series, "sim", windows, direction="decrease",
                               placebo_step=14, power_simulations=0)
    assert 0 < check["n_placebos"] < claims.placebo_minimum(0.05) == 19
    assert check["ci_high"] < 1 and check["verdict"] == "supported"
    assert [note.code for note in check["notes"]] == ["few_placebos", "power_not_computed"]
    assert "too few for the placebo check" in note_text(check["notes"][0])


def test_check_claim_reuses_a_comparison_and_refuses_a_mismatched_one():
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 0.7}), seed=4)
    comparison = compare.compare_phases(sim.series, "sim")
    fresh = claims.check_claim(sim.series, "sim", sim.windows, power_simulations=0)
    reused = claims.check_claim(sim.series, "sim", sim.windows, power_simulations=0,
                                comparison=comparison)
    assert reused == fresh
    with pytest.raises(ValueError, match="baseline 'before'.*'after'"):
        claims.check_claim(sim.series, "sim", sim.windows, baseline="after",
                           power_simulations=0, comparison=comparison)


def test_placebo_check_vetoes_a_contradiction_as_it_vetoes_support():
    """An interval that excludes 1 against the claim is not enough to call it contradicted when
    placebo dates show changes that large are common (here the claimed direction is reversed
    on a real increase, and a scrambled placebo p stands in for a noisy series)."""
    from dataclasses import replace

    strong = simulate.simulate_series(long_scenario(campaign=2.0), seed=1)
    windows = strong.windows.copy()
    windows.loc[windows["window"] == "before", "start"] = windows.loc[
        windows["window"] == "campaign", "start"].iloc[0] - pd.Timedelta(days=70)
    check = placebo.placebo(strong.series, windows, "sim")
    assert check.effect["n_placebos"] >= claims.placebo_minimum(0.05)
    common = replace(check, effect={**check.effect, "p_value": 0.5})
    verdict = claims.check_claim(strong.series, "sim", windows, direction="decrease",
                                 power_simulations=0, placebo_result=common)
    assert verdict["verdict"] == "inconclusive"
    assert any("placebo dates give ratios this far" in note_text(note)
               for note in verdict["notes"])
    agreed = claims.check_claim(strong.series, "sim", windows, direction="decrease",
                                power_simulations=0, placebo_result=check)
    assert agreed["verdict"] == "contradicted"
