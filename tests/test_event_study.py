"""Event study: week-by-week effects relative to voting day, checked against simulated truth."""

import json
import math

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure

from negtrend.analysis import simulate
from negtrend.analysis.event_study import event_study
from negtrend.data import calendar
from negtrend.data.series import SeriesResult
from negtrend.report import plots
from negtrend.report.words import method_text, note_text, summary


def voting_day(sim):
    return sim.windows.set_index("window").loc["voting", "start"]


def covers(part: pd.DataFrame, value: float) -> np.ndarray:
    return ((part["ci_low"] < value) & (value < part["ci_high"])).to_numpy()


@pytest.fixture(scope="module")
def campaign_sims():
    return [simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5}), seed=seed)
            for seed in (11, 12, 13, 14)]


def test_campaign_weeks_cover_the_true_effect_and_earlier_weeks_cover_one(campaign_sims):
    campaign, earlier, after, headline = [], [], [], []
    for sim in campaign_sims:
        # reference: the first five weeks of the baseline; the other baseline weeks are
        # estimated, and must look like no effect
        result = event_study(sim.series, "sim", voting_day(sim), reference=range(-21, -16))
        table = result.table
        assert table["week"].tolist() == list(range(-21, 9))  # one row per relative week
        assert table.loc[table["reference"], "week"].tolist() == list(range(-21, -16))
        assert (table.loc[table["reference"], "estimate"] == 1).all()
        campaign.extend(covers(table[table["headline"]], 1.5))
        earlier.extend(covers(table[~table["reference"] & (table["week"] < -11)], 1.0))
        after.extend(covers(table[table["week"] >= 1], 1.0))
        headline.append(result.ci[0] < 1.5 < result.ci[1])
    assert np.mean(campaign) >= 0.8
    assert np.mean(earlier) >= 0.8
    assert np.mean(after) >= 0.8
    assert sum(headline) >= 3


@pytest.mark.slow
def test_single_week_intervals_are_not_widened_twice():
    """Errors from the fitted noise already carry the days' shared noise: scaling them again
    by the weekly dispersion (and capping the df at the reference weeks) over-covered, 98-100%
    of single weeks in this simulation instead of about 96%."""
    hits, inflations = [], []
    for seed in range(1000, 1030):
        sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5}), seed=seed)
        result = event_study(sim.series, "sim", voting_day(sim), reference=range(-21, -16))
        table = result.table
        hits.extend(covers(table[table["headline"]], 1.5))
        hits.extend(covers(table[~table["reference"] & ~table["headline"]
                                 & ((table["week"] < -11) | (table["week"] >= 1))], 1.0))
        inflations.append(result.meta["weekly_inflation"])
    assert inflations == [1.0] * len(inflations)
    assert 0.92 <= np.mean(hits) <= 0.985


def test_default_reference_is_the_weeks_before_the_campaign(campaign_sims):
    sim = campaign_sims[0]
    result = event_study(sim.series, "sim", voting_day(sim))
    assert result.method == "event_study" and result.meta["plot"] == "event_study"
    table = result.table.set_index("week")
    before = sim.windows.set_index("window").loc["before"]
    campaign = sim.windows.set_index("window").loc["campaign"]
    reference = table[table["reference"]]
    assert (reference["start"] >= before["start"]).all()
    assert (reference["end"] < campaign["start"]).all()
    # the headline is the mean over the full campaign weeks
    full = table[(table["start"] >= campaign["start"]) & (table["end"] <= campaign["end"])]
    assert result.effect["headline"] == "campaign weeks"
    assert result.effect["headline_weeks"] == full.index.tolist() == table.index[
        table["headline"]].tolist()
    assert result.ci[0] < 1.5 < result.ci[1] and result.outcome == "higher"
    # week 0 holds voting day and the six days after it (daily data)
    assert table.loc[0, "start"] == voting_day(sim)
    assert table.loc[-1, "end"] == voting_day(sim) - pd.Timedelta(days=1)
    assert "day-of-week" in method_text(result.meta["model"])
    assert "higher" in summary(result, "en") and "lebih tinggi" in summary(result, "id")
    json.dumps(result.to_dict(), allow_nan=False)


def test_weekly_series(campaign_sims):
    sim = campaign_sims[1]
    weekly = simulate.aggregate(sim, "W")
    result = event_study(weekly, "sim", voting_day(sim), windows=sim.windows)
    table = result.table.set_index("week")
    monday = voting_day(sim) - pd.Timedelta(days=voting_day(sim).day_of_week)
    assert table.loc[0, "start"] == monday  # week 0 is the calendar week holding voting day
    assert (table["periods"] == 1).all()
    assert result.ci[0] < 1.5 < result.ci[1]
    assert np.mean(covers(table[table["headline"]], 1.5)) >= 0.7


def test_monthly_data_is_refused_with_the_reason(campaign_sims):
    monthly = simulate.aggregate(campaign_sims[0], "M")
    with pytest.raises(ValueError, match="daily or weekly data"):
        event_study(monthly, "sim", voting_day(campaign_sims[0]))


def test_voting_day_from_an_election_an_id_or_a_date():
    # a simulated series laid on the 2024 calendar: campaign 28 Nov 2023 .. 10 Feb 2024
    scenario = simulate.Scenario(start="2023-09-14", before_days=75, campaign_days=75,
                                 effects={"campaign": 1.3})
    sim = simulate.simulate_series(scenario, seed=5)
    election = calendar.get_election("pemilu2024")
    assert voting_day(sim) == pd.Timestamp(election.voting_day)
    by_id = event_study(sim.series, "sim", "pemilu2024")
    by_date = event_study(sim.series, "sim", "2024-02-14")
    assert by_id.effect["voting_day"] == by_date.effect["voting_day"] == "2024-02-14"
    assert by_id.estimate == pytest.approx(by_date.estimate)
    # an unflagged series takes the election's windows from the calendar
    frame = sim.series.frame.drop(columns=[c for c in sim.series.frame if c == "window"
                                           or c.startswith("share_")])
    bare = SeriesResult(frame, ["sim"], "D", "total")
    from_calendar = event_study(bare, "sim", election)
    assert set(from_calendar.windows["window"]) == set(calendar.WINDOW_ORDER)
    assert from_calendar.estimate == pytest.approx(by_id.estimate, rel=0.02)
    # a bare voting day has no windows: the reference weeks must be given
    with pytest.raises(ValueError, match="needs the election windows"):
        event_study(bare, "sim", "2024-02-14")
    explicit = event_study(bare, "sim", "2024-02-14", reference=range(-22, -12))
    assert explicit.effect["headline"] == "weeks before voting"
    assert explicit.notes[0].code == "event_headline"
    assert "no full campaign week" in note_text(explicit.notes[0])


def test_bad_reference_and_too_little_data(campaign_sims):
    sim = campaign_sims[0]
    with pytest.raises(ValueError, match="reference"):
        event_study(sim.series, "sim", voting_day(sim), reference="campaign")
    with pytest.raises(KeyError):
        event_study(sim.series, "nope", voting_day(sim))
    empty = event_study(sim.series, "sim", voting_day(sim), reference=[-60])
    assert math.isnan(empty.estimate) and empty.outcome == "not estimable"
    assert "reference" in note_text(empty.notes[0])
    assert isinstance(plots.event_study_plot(empty), Figure)


def test_event_study_draws(campaign_sims):
    sim = campaign_sims[0]
    result = event_study(sim.series, "sim", voting_day(sim), weeks_after=4)
    assert result.table["week"].max() == 4
    fig = plots.event_study_plot(result)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    labels = {line.get_label() for line in ax.get_lines()}
    assert {"reference weeks (= 1)", "voting day"} <= labels
    assert ax.get_yscale() == "log"
    other = Figure()
    axis = other.add_subplot()
    plots.event_study_axes(axis, result.table, result.windows, title="x")
    assert axis.get_title(loc="left") == "x"


def test_a_week_without_items_is_not_estimable_instead_of_an_overflow():
    """Sparse corpora have empty weeks; their coefficient runs off to -inf (seen on real
    YouTube comments), which must give an open interval, not a crash."""
    sim = simulate.simulate_series(simulate.Scenario(effects={"campaign": 1.5}), seed=3)
    frame = sim.series.frame.copy()
    voting = sim.windows.set_index("window").loc["voting", "start"]
    empty = (frame.index >= voting - pd.Timedelta(days=21)) & (
        frame.index < voting - pd.Timedelta(days=14))
    frame.loc[empty, "sim"] = 0.0
    sparse = SeriesResult(frame, sim.series.categories, sim.series.freq, sim.series.exposure)
    result = event_study(sparse, "sim", voting, windows=sim.windows)
    week = result.table.set_index("week").loc[-3]
    assert week["estimate"] < 1e-3
    assert not (math.isfinite(week["ci_low"]) and math.isfinite(week["ci_high"])
                and week["ci_high"] < 1e3)  # no finite, confident interval from zero counts
    json.dumps(result.to_dict())


@pytest.mark.parametrize("freq", ["D", "W"])
def test_a_category_without_items_is_not_estimable_instead_of_a_crash(freq):
    """A lexicon report counts every category, and some are never found in a corpus; the
    fit's first guess was log(0) and statsmodels raised, taking the whole report down."""
    sim = simulate.simulate_series(simulate.Scenario(), seed=4)
    frame = simulate.aggregate(sim, freq).frame.copy()
    frame["sim"] = 0.0
    series = SeriesResult(frame, ["sim"], freq, "total")
    result = event_study(series, "sim", voting_day(sim), windows=sim.windows)
    assert math.isnan(result.estimate) and result.outcome == "not estimable"
    assert [note.code for note in result.notes] == ["no_items_series"]
    assert result.table.empty
    json.dumps(result.to_dict())
