import numpy as np
import pandas as pd

from negtrend.analysis import simulate
from negtrend.data import calendar


def test_holiday_covariates_leave_election_days_out():
    covariates = calendar.holiday_covariates("2024-01-01", "2024-12-31")
    assert not covariates.loc["2024-02-14", "holiday"]  # Pemilu voting day
    assert not covariates.loc["2024-11-27", "holiday"]  # Pilkada voting day
    assert covariates.loc["2024-08-17", "holiday"]  # Independence Day
    assert covariates.loc["2024-04-10", "eid_week"]
    ramadan = covariates.index[covariates["ramadan"]]
    assert ramadan.min() == pd.Timestamp("2024-03-11") and len(ramadan) == 30


def test_simulated_series_carries_its_truth_and_is_reproducible():
    scenario = simulate.Scenario(effects={"campaign": 1.5}, volume_campaign=0.8)
    one = simulate.simulate_series(scenario, seed=4)
    two = simulate.simulate_series(scenario, seed=4)
    pd.testing.assert_frame_equal(one.series.frame, two.series.frame)
    assert one.truth["effects"]["campaign"] == 1.5
    assert one.truth["count_effects"]["campaign"] == 1.5 * 0.8
    frame = one.series.frame
    assert (frame["sim"] <= frame["total"]).all()
    assert list(one.windows["days"]) == [75, 70, 3, 1, 60]
    assert (frame["window"] == "voting").sum() == 1


def test_simulated_effect_shows_in_the_raw_shares():
    scenario = simulate.Scenario(effects={"campaign": 2.0}, noise_sd=0.05, nb_alpha=0.0)
    frame = simulate.simulate_series(scenario, seed=1).series.frame
    share = frame.groupby("window")["sim"].sum() / frame.groupby("window")["total"].sum()
    assert 1.7 < share["campaign"] / share["before"] < 2.3


def test_corpus_rows_add_up_to_the_series():
    posts, sim = simulate.simulate_corpus(simulate.Scenario(volume=30), seed=2)
    frame = sim.series.frame
    assert len(posts) == int(frame["total"].sum())
    assert int(posts["hoaks"].sum()) == int(frame["sim"].sum())
    assert str(posts["timestamp"].dt.tz) == "Asia/Jakarta"
    daily = posts.groupby("date")["hoaks"].sum()
    assert np.array_equal(daily.reindex(frame.index, fill_value=0).to_numpy(),
                          frame["sim"].to_numpy())


def test_monthly_aggregate_sums_the_days():
    sim = simulate.simulate_series(simulate.Scenario(), seed=3)
    monthly = simulate.aggregate(sim, "M")
    assert monthly.frame["sim"].sum() == sim.series.frame["sim"].sum()
    assert monthly.frame["days"].sum() == len(sim.series.frame)
    assert "window" in monthly.frame
