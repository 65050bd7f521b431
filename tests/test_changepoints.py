import json

import numpy as np
import pandas as pd
import pytest

from negtrend.analysis import simulate
from negtrend.analysis.changepoints import changepoints
from negtrend.data.series import flag_windows, from_counts
from negtrend.report.plots import effect_plot
from negtrend.report.words import note_text, summary

from helpers import monthly_counts, windows_frame


def notes_of(result):
    return [note_text(note) for note in result.notes]


def _sim(effect, seed, **kwargs):
    effects = {"campaign": effect, "quiet": effect} if effect != 1 else {}
    return simulate.simulate_series(simulate.Scenario(effects=effects, **kwargs), seed=seed)


@pytest.mark.parametrize("seed", [3, 11])
def test_strong_step_at_campaign_start_is_found_near_the_boundary(seed):
    sim = _sim(2.0, seed)
    result = changepoints(sim.series, "sim", windows=sim.windows)
    assert result.method == "changepoints"
    assert len(result.table) >= 1
    assert abs(result.effect["days_from_campaign_start"]) <= 4
    assert 1.6 < result.estimate < 2.5
    row = result.table.loc[result.table["days_from_campaign_start"].abs().idxmin()]
    assert row["nearest_boundary"] == "campaign start"
    assert row["ratio"] == pytest.approx(row["rate_after"] / row["rate_before"])
    # descriptive: no interval, and said so
    assert np.isnan(result.ci[0]) and np.isnan(result.p_value)
    assert any("descriptive" in note for note in notes_of(result))
    assert result.outcome == "descriptive"
    assert "descriptive, without an interval" in summary(result, "en")
    # the fitted line is piecewise constant with one level per segment
    assert result.series["fitted"].nunique() == len(result.table) + 1
    assert {"observed", "fitted", "window"} <= set(result.series.columns)


def test_flat_series_yields_no_or_few_breaks():
    counts = [len(changepoints(_sim(1.0, seed).series, "sim").table) for seed in range(6)]
    assert max(counts) <= 2
    assert sum(counts) <= 3


def test_no_break_gives_nan_effect_and_a_note():
    sim = _sim(1.0, 0)
    result = changepoints(sim.series, "sim", windows=sim.windows)
    assert result.table.empty
    assert np.isnan(result.estimate)
    assert [note.code for note in result.notes] == ["cp_no_break", "cp_deseasoned"]
    assert result.outcome == "not estimable"
    assert "n/a" in summary(result, "en")


def test_penalty_override_changes_the_number_of_breaks():
    sim = _sim(1.5, 5)
    default = changepoints(sim.series, "sim", windows=sim.windows)
    tiny = changepoints(sim.series, "sim", windows=sim.windows, penalty=0.05)
    huge = changepoints(sim.series, "sim", windows=sim.windows, penalty=1e6)
    assert len(tiny.table) > len(default.table) > len(huge.table) == 0
    assert tiny.meta["penalty"] == 0.05
    assert tiny.meta["penalty_rule"].code == "cp_rule_given"
    assert note_text(default.meta["penalty_rule"]).startswith("BIC-type")


def test_binseg_finds_the_same_step():
    sim = _sim(2.0, 3)
    result = changepoints(sim.series, "sim", windows=sim.windows, method="binseg")
    assert abs(result.effect["days_from_campaign_start"]) <= 7
    with pytest.raises(ValueError, match="method"):
        changepoints(sim.series, "sim", method="dynp")


def test_weekly_series_and_flags_without_windows():
    sim = _sim(2.0, 3)
    weekly = simulate.aggregate(sim, "W")
    result = changepoints(weekly, "sim")  # boundaries from the window flags
    assert abs(result.effect["days_from_campaign_start"]) <= 14
    assert any("window flags" in note for note in notes_of(result))


def test_monthly_dozen_points_does_not_crash():
    values = [120, 130, 110, 125, 140, 300, 320, 310, 150, 140, 135, 130]
    series = from_counts(monthly_counts("2018-01-01", values))
    windows = windows_frame({"before": ("2018-03-01", "2018-05-31"),
                             "campaign": ("2018-06-01", "2018-08-31"),
                             "quiet": ("2018-09-01", "2018-09-03"),
                             "voting": ("2018-09-04", "2018-09-04"),
                             "after": ("2018-09-05", "2018-11-30")})
    series = flag_windows(series, windows)
    result = changepoints(series, "hoax", windows=windows)
    assert result.effect["measure"] == "count_per_day"
    assert len(result.series) == 12
    if len(result.table):
        assert np.isfinite(result.estimate)
    json.dumps(result.to_dict())
    # three points cannot be split into two segments of two
    short = from_counts(monthly_counts("2018-01-01", [5, 9, 7]))
    few = changepoints(short, "hoax")
    assert few.table.empty and np.isnan(few.estimate)
    assert any("too few" in note for note in notes_of(few))


def test_summary_id_and_to_dict_are_json_safe():
    sim = _sim(2.0, 3)
    result = changepoints(sim.series, "sim", windows=sim.windows)
    text = summary(result, "id")
    assert "rasio laju di titik perubahan" in text and "Catatan" in text
    payload = json.dumps(result.to_dict())
    back = json.loads(payload)
    assert back["method"] == "changepoints"
    assert back["table"][0]["break"] == f"{result.table['break'].iloc[0]:%Y-%m-%d}"
    assert back["meta"]["penalty"] > 0
    effect_plot(result)


def test_zero_periods_and_bad_arguments():
    sim = _sim(1.0, 2)
    frame = sim.series.frame.copy()
    frame.iloc[:10, frame.columns.get_loc("sim")] = 0.0  # empty days stay finite
    series = type(sim.series)(frame, ["sim"], "D", "total")
    result = changepoints(series, "sim", measure="count_per_day")
    assert np.isfinite(result.series["fitted"]).all()
    with pytest.raises(KeyError, match="nope"):
        changepoints(series, "nope")
    with pytest.raises(ValueError, match="penalty"):
        changepoints(series, "sim", penalty=-1)
    counts_only = from_counts(monthly_counts("2018-01-01", [1, 2, 3, 4]))
    with pytest.raises(ValueError, match="total"):
        changepoints(counts_only, "hoax", measure="share")
    assert isinstance(result.series.index, pd.DatetimeIndex)


def test_pelt_gives_ruptures_breaks():
    """changepoints.pelt is ruptures' Pelt (jump 1, the l2 cost) step for step: the same
    breaks on noise, steps and integer signals full of tied costs, for every minimum size."""
    import ruptures

    from negtrend.analysis.changepoints import _cost_l2, pelt

    rng = np.random.default_rng(0)
    checked = 0
    for trial in range(160):
        n, min_size = int(rng.integers(4, 200)), int(rng.integers(1, 9))
        if n < 2 * min_size:
            continue
        signal = [rng.normal(size=n), rng.integers(0, 3, n).astype(float),
                  np.repeat(rng.normal(size=n // 5 + 1) * 3, 5)[:n] + rng.normal(size=n) / 10,
                  (np.arange(n) >= n // 2).astype(float)][trial % 4]
        for pen in (1e-9, 0.1, 1.0, 5.0, 50.0):
            cost = _cost_l2()()
            cost.min_size = min_size
            expected = ruptures.Pelt(custom_cost=cost, min_size=min_size, jump=1).fit(
                signal.reshape(-1, 1)).predict(pen=pen)
            assert pelt(signal, pen, min_size) == expected, (trial, n, min_size, pen)
            checked += 1
    assert checked > 500
