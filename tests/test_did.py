import json

import numpy as np
import pandas as pd
import pytest

from negtrend.analysis import simulate
from negtrend.analysis.did import did, series_by_region
from negtrend.data.series import SeriesResult, flag_windows
from negtrend.report.plots import effect_plot
from negtrend.report.words import method_text, summary


def _pair(seed, rr_treated, rr_control, common_sd=0.15, own_sd=0.06, freq="D"):
    """Election and other regions sharing common shocks (one AR(1) noise and weekly pattern),
    each with its own small AR(1) noise, volume and NB counts; true campaign ratios given."""
    windows = simulate.windows_for(simulate.Scenario())
    days = pd.date_range(windows["start"].min(), windows["end"].max(), freq="D",
                         name="period")
    rng = np.random.default_rng(seed)
    n = len(days)
    campaign = windows.set_index("window").loc["campaign"]
    on = ((days >= campaign["start"]) & (days <= campaign["end"])).astype(float)
    common = (simulate._ar1(rng, n, 0.5, common_sd)
              + np.asarray(simulate.WEEKLY)[days.day_of_week])
    pair = []
    for ratio in (rr_treated, rr_control):
        log_share = np.log(0.05) + common + simulate._ar1(rng, n, 0.5, own_sd) + np.log(ratio) * on
        total = rng.poisson(400 * np.exp(simulate._ar1(rng, n, 0.6, 0.2))).astype(float)
        counts = rng.poisson(total * np.exp(log_share) * rng.gamma(50, 1 / 50, n))
        frame = pd.DataFrame({"period_end": days, "obs_start": days, "obs_end": days,
                              "days": 1, "sim": counts.astype(float), "total": total},
                             index=days)
        series = SeriesResult(frame, ["sim"], "D", "total")
        if freq != "D":
            series = _aggregate(series, freq)
        pair.append(flag_windows(series, windows))
    return pair[0], pair[1], windows


def _aggregate(series, freq):
    from negtrend.data.series import period_end, period_start

    frame = series.frame
    bins = period_start(pd.Series(frame.index, index=frame.index), freq).to_numpy()
    grouped = frame[["sim", "total", "days"]].groupby(bins).sum()
    grouped.index.name = "period"
    grouped["period_end"] = period_end(pd.Series(grouped.index), freq).to_numpy()
    grouped["obs_start"] = frame.index.to_series().groupby(bins).min().to_numpy()
    grouped["obs_end"] = frame.index.to_series().groupby(bins).max().to_numpy()
    return SeriesResult(grouped, ["sim"], freq, "total")


def test_campaign_effect_only_in_election_regions_is_recovered():
    treated, control, windows = _pair(4, 1.5, 1.0)
    result = did(treated, control, "sim", windows=windows)
    assert result.method == "did"
    assert result.effect["scale"] == "ratio of rate ratios"
    low, high = result.ci
    assert low <= 1.5 <= high
    assert low > 1
    assert result.outcome == "higher"
    table = result.table.set_index("group")
    assert list(table.index) == ["election regions", "other regions",
                                 "difference-in-differences"]
    assert table.loc["election regions", "ci_low"] <= 1.5 <= table.loc["election regions",
                                                                       "ci_high"]
    assert table.loc["other regions", "ci_low"] <= 1.0 <= table.loc["other regions", "ci_high"]
    assert table.loc["difference-in-differences", "estimate"] == pytest.approx(result.estimate)
    # series: treated observed / fitted / counterfactual; the counterfactual removes the DiD
    series = result.series
    assert {"observed", "fitted", "counterfactual", "window"} <= set(series.columns)
    in_campaign = series["window"] == "campaign"
    ratio = series.loc[in_campaign, "fitted"] / series.loc[in_campaign, "counterfactual"]
    assert np.allclose(ratio, result.estimate)
    assert np.allclose(series.loc[~in_campaign, "fitted"],
                       series.loc[~in_campaign, "counterfactual"])
    assert "EWC" in method_text(result.meta["model"])


def test_common_shock_cancels():
    treated, control, windows = _pair(4, 1.3, 1.3)
    result = did(treated, control, "sim", windows=windows, group_ratios=False)
    low, high = result.ci
    assert low <= 1 <= high
    assert result.outcome == "inconclusive"
    # each group on its own does see the common rise
    own = did(treated, control, "sim", group_ratios=True).table.set_index("group")
    assert own.loc["election regions", "ci_low"] > 1
    assert own.loc["other regions", "ci_low"] > 1


def test_coverage_and_false_alarms_over_repeated_simulations():
    # the regions differ by their own autocorrelated noise: binomial errors alone would
    # cover ~60% and alarm ~8 times in 20; EWC errors must not
    runs = 40
    covered = alarms = 0
    for seed in range(runs):
        treated, control, _ = _pair(1000 + seed, 1.5, 1.5 if seed % 2 else 1.0, own_sd=0.25)
        truth = 1.0 if seed % 2 else 1.5
        low, high = did(treated, control, "sim", group_ratios=False).ci
        covered += low <= truth <= high
        alarms += truth == 1.0 and not low <= 1 <= high
    assert covered / runs >= 0.85
    assert alarms <= 3  # of 20 null runs, nominal 1


def test_weekly_and_monthly_series():
    weekly_t, weekly_c, _ = _pair(4, 1.5, 1.0, freq="W")
    weekly = did(weekly_t, weekly_c, "sim", group_ratios=False)
    assert weekly.ci[0] <= 1.5 <= weekly.ci[1]
    monthly_t, monthly_c, _ = _pair(4, 1.5, 1.0, freq="M")
    thin = did(monthly_t, monthly_c, "sim")  # seven months: the short-series fallback
    assert "quasi-binomial errors (Pearson" in method_text(thin.meta["model"])
    assert 0 < thin.effect["df"] < 7
    low, high = thin.ci
    assert np.isfinite(low) and low <= 1.5 <= high
    assert high / low > weekly.ci[1] / weekly.ci[0] * 0.5
    json.dumps(thin.to_dict())
    assert "rasio dari rasio laju" in summary(thin, "id")


def test_summary_and_to_dict():
    treated, control, windows = _pair(4, 1.5, 1.0)
    result = did(treated, control, "sim", windows=windows, group_ratios=False)
    assert "rasio dari rasio laju" in summary(result, "id")
    assert "election regions vs other regions" in summary(result, "en")
    back = json.loads(json.dumps(result.to_dict()))
    assert back["effect"]["estimate"] == pytest.approx(result.estimate)
    effect_plot(result)


def _tagged_posts():
    posts_t, _ = simulate.simulate_corpus(simulate.Scenario(
        volume=120, share=0.1, effects={"campaign": 1.6}, noise_sd=0.05), seed=7)
    posts_c, sim = simulate.simulate_corpus(simulate.Scenario(
        volume=120, share=0.1, noise_sd=0.05), seed=8)
    rng = np.random.default_rng(0)
    posts_t["region"] = rng.choice(["Jawa Barat", " jawa tengah", "Sumatera Utara"],
                                   len(posts_t))
    posts_c["region"] = rng.choice(["DKI Jakarta", "Bali", "Aceh"], len(posts_c))
    posts = pd.concat([posts_t, posts_c], ignore_index=True)
    posts.loc[:4, "region"] = None
    return posts, sim.windows


def test_series_by_region_from_tagged_posts():
    posts, windows = _tagged_posts()
    treated, control = series_by_region(
        posts, "region", ["Jawa Barat", "Jawa Tengah", "Sumatera Utara"], categories=["hoaks"],
        freq="D", windows=windows)
    assert treated.frame.index.equals(control.frame.index)
    kept = treated.frame["total"].sum() + control.frame["total"].sum()
    assert kept + len(treated.unused) == len(posts)
    assert set(treated.unused["reason_code"]) == {"region_missing"}
    result = did(treated, control, "hoaks", group_ratios=False)
    low, high = result.ci
    assert low <= 1.6 <= high and low > 1


def test_series_by_region_errors_name_the_column_and_values():
    posts, _ = _tagged_posts()
    with pytest.raises(KeyError, match=r"'provinsi'.*Jawa Barat"):
        series_by_region(posts, "provinsi", ["Jawa Barat"], categories=["hoaks"])
    with pytest.raises(ValueError, match=r"no post has 'region' in the election regions "
                                         r"\['Papua'\].*bali"):
        series_by_region(posts, "region", ["Papua"], categories=["hoaks"])
    with pytest.raises(ValueError, match="nothing to compare"):
        series_by_region(posts, "region", ["Jawa Barat", "Jawa Tengah", "Sumatera Utara",
                                           "DKI Jakarta", "Bali", "Aceh"],
                         categories=["hoaks"])


def test_did_argument_errors():
    treated, control, windows = _pair(4, 1.5, 1.0)
    with pytest.raises(KeyError, match="nope"):
        did(treated, control, "nope")
    with pytest.raises(ValueError, match="phase"):
        did(treated, control, "sim", phase="campaign", baseline="campaign")
    unflagged = SeriesResult(control.frame.drop(columns="window"), ["sim"], "D", "total")
    with pytest.raises(ValueError, match="flag the control"):
        did(treated, unflagged, "sim")
    with pytest.raises(ValueError, match="frequency"):
        did(treated, _aggregate(unflagged, "W"), "sim")
