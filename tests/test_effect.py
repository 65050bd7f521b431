"""EffectResult: the one result object (numbers and notes), written in two languages and
drawn by the report layer; one verdict rule."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from negtrend.analysis import compare, effect, simulate
from negtrend.analysis.its import its
from negtrend.report import plots, words


@pytest.fixture(scope="module")
def simulated():
    scenario = simulate.Scenario(effects={"campaign": 1.5}, volume=2000, noise_sd=0.05)
    return simulate.simulate_series(scenario, seed=11)


def test_compare_periods_recovers_a_known_ratio_and_draws_its_counterfactual(simulated):
    result = compare.compare_periods(simulated.series, "sim", windows=simulated.windows)
    assert result.method == "compare_periods"
    assert result.ci[0] < 1.5 < result.ci[1]
    assert result.outcome == "higher"
    frame = result.series
    campaign = frame["window"] == "campaign"
    # outside the campaign the counterfactual is the fit; inside it is the fit / the ratio
    assert np.allclose(frame.loc[~campaign & (frame["window"] == "before"), "fitted"],
                       frame.loc[~campaign & (frame["window"] == "before"), "counterfactual"])
    ratio = frame.loc[campaign, "fitted"] / frame.loc[campaign, "counterfactual"]
    assert np.allclose(ratio, result.estimate)
    # the fitted share averages the observed one within each window (GLM score equations)
    table = result.table.set_index("window")
    assert table.loc["campaign", "estimate"] == pytest.approx(result.estimate)
    assert "holiday" in words.method_text(result.meta["model"])
    # the method line names the estimator of the errors (issue 16), in both languages
    english = words.method_text(result.meta["model"])
    assert "AR(1) plus white noise fitted by REML" in english and "Satterthwaite" in english
    assert "REML" in words.method_text(result.meta["model"], "id")


def test_summary_is_in_the_language_asked(simulated):
    result = compare.compare_periods(simulated.series, "sim", windows=simulated.windows)
    english, indonesian = words.summary(result, "en"), words.summary(result, "id")
    assert "rate ratio" in english and "higher" in english and "CI" in english
    assert "rasio laju" in indonesian and "lebih tinggi" in indonesian
    for word in ("rate ratio", "higher", "campaign", "Method", "share"):
        assert word not in indonesian
    # decimal comma in Indonesian
    assert words.number(result.estimate, "id") in indonesian
    assert "," in words.number(1.5, "id") and "." not in words.number(1.5, "id")
    with pytest.raises(ValueError, match="lang"):
        words.summary(result, "fr")


def test_to_dict_is_json_safe_and_keeps_full_precision(simulated):
    result = compare.compare_periods(simulated.series, "sim", windows=simulated.windows)
    data = json.loads(json.dumps(result.to_dict(), allow_nan=False))
    assert data["effect"]["estimate"] == result.estimate  # not rounded
    assert data["outcome"] == "higher"
    assert len(data["series"]) == len(result.series)
    assert data["windows"][0]["start"] == simulated.windows["start"].iloc[0].strftime("%Y-%m-%d")
    assert data["meta"]["model"]["model"]["code"] == "fit_ar_noise"  # notes as codes
    assert "versions" not in data["meta"]  # run.json records them, once


def test_plot_returns_a_figure_drawn_on_a_given_axis(simulated):
    result = its(simulated.series, "sim", windows=simulated.windows)
    fig = plots.effect_plot(result)
    assert isinstance(fig, Figure)
    labels = [line.get_label() for line in fig.axes[0].get_lines()]
    assert {"observed", "fitted", "without the election effect"} <= set(labels)
    other = Figure()
    ax = other.add_subplot()
    assert plots.effect_plot(result, ax=ax) is other


def test_one_verdict_rule_and_numbers():
    assert effect.verdict(1.1, 2.0) == "higher"
    assert effect.verdict(0.5, 0.9) == "lower"
    assert effect.verdict(0.5, 1.1) == "inconclusive"
    assert effect.verdict(math.nan, 1.1) == "not estimable"
    assert effect.verdict(1.2, math.inf) == "higher"  # an unbounded interval still excludes 1
    assert effect.verdict(1.1, 2.0, estimable=False) == "not estimable"
    assert effect.row_verdict({"ci_low": 1.1, "ci_high": 2.0, "estimable": True}) == "higher"
    assert words.number(12345.678, "id") == "12.345,68"
    assert words.number(12345.678, "en") == "12,345.68"
    assert words.p_text(0.0001, "id") == "p < 0,001"


def test_its_recovers_a_step_and_not_a_trend():
    step = simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.6}, volume=3000,
                                                      noise_sd=0.05), seed=3)
    result = its(step.series, "sim")
    assert result.method == "its"
    assert result.ci[0] < 1.6 < result.ci[1] and result.outcome == "higher"
    slope = result.table.set_index("term").loc["slope_campaign"]
    assert slope["ci_low"] < 1 < slope["ci_high"]  # a pure step: no slope change
    # a steady trend with no break: a period comparison sees a rise (the campaign's level is
    # higher), ITS sees no break. The comparison's errors take the unmodelled trend for
    # persistent noise (rho at its bound), so its interval is wide, not a false "higher"
    trend = simulate.simulate_series(simulate.Scenario(trend_per_year=1.5, volume=3000,
                                                       noise_sd=0.05), seed=4)
    period = compare.compare_periods(trend.series, "sim")
    assert period.estimate > 1.3 and period.outcome in ("higher", "inconclusive")
    broken = its(trend.series, "sim")
    assert broken.ci[0] < 1 < broken.ci[1]
    assert broken.table.set_index("term").loc["trend", "ci_low"] > 1


def test_its_with_a_second_break_at_voting_day():
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5, "after": 1.0},
                                                     volume=3000, noise_sd=0.05), seed=5)
    result = its(sim.series, "sim", at_voting=True)
    terms = result.table.set_index("term")
    assert {"level_voting", "slope_voting"} <= set(terms.index)
    # back down at voting: the second level change undoes the first
    assert terms.loc["level_voting", "ci_high"] < 1


def test_its_says_why_when_it_cannot_estimate():
    sim = simulate.simulate_series(simulate.Scenario(), seed=6)
    frame = sim.series.frame.copy()
    frame.loc[frame["window"] == "before", "window"] = "outside"
    thin = type(sim.series)(frame, sim.series.categories, sim.series.freq,
                            sim.series.exposure)
    result = its(thin, "sim")
    assert math.isnan(result.estimate) and result.outcome == "not estimable"
    assert result.notes[0].code == "its_too_few"
    assert "baseline periods" in words.note_text(result.notes[0])
    assert isinstance(pd.DataFrame(result.to_dict()["table"]), pd.DataFrame)


def test_student_t_from_scipy_special_is_scipy_stats_t():
    """effect.t_quantile and ratio_effect's p-value use scipy.special (stdtrit, stdtr), which
    is what scipy.stats.t calls: the same numbers, without importing scipy.stats."""
    from scipy import stats

    rng = np.random.default_rng(3)
    for df in [*rng.uniform(0.5, 300, 40), 1, 2, 4, 13, 17, 29, 1e6]:
        for alpha in (0.01, 0.05, 0.1, 0.5):
            assert effect.t_quantile(alpha, df) == float(stats.t.ppf(1 - alpha / 2, df))
        for z in (0.0, 0.3, 1.96, 4.0, 40.0):
            got = effect.ratio_effect(z * 0.1, 0.1, 2.0, df)["p_value"]
            assert got == float(2 * stats.t.sf(abs(z * 0.1 / 0.1), df))
    assert math.isnan(effect.t_quantile(0.05, 0)) and math.isnan(effect.t_quantile(0.05, None))
