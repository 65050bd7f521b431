import numpy as np
import pandas as pd
import pytest

from negtrend.data import series

from helpers import counts_frame, monthly_counts, windows_frame


def test_monthly_counts_on_a_regular_grid_keep_gaps_as_missing():
    counts = counts_frame([
        ("2019-01-01", "2019-01-31", 10),
        ("2019-02-01", "2019-02-28", 20),
        ("2019-04-01", "2019-04-30", 40),  # March was never published
    ])
    result = series.from_counts(counts, freq="M")
    frame = result.frame
    assert list(frame.index.strftime("%Y-%m")) == ["2019-01", "2019-02", "2019-03", "2019-04"]
    assert frame.loc["2019-02-01", "hoax"] == 20
    assert np.isnan(frame.loc["2019-03-01", "hoax"])  # absent is not zero
    assert list(frame["days"]) == [31, 28, 0, 30]
    assert result.exposure == "days" and not result.has_total
    assert result.unused.empty


def test_rows_coarser_than_the_frequency_or_overlapping_are_set_aside_with_reasons():
    counts = counts_frame([
        ("2019-01-01", "2019-01-31", 10),
        ("2019-01-01", "2019-12-31", 500),  # annual total
        ("2019-02-01", "2019-02-28", 20),
        ("2019-02-01", "2019-02-28", 21),  # a second release of February
        ("2019-03-01", "2019-03-18", 9),  # partial month: kept, 18 observed days
    ])
    result = series.from_counts(counts, freq="M")
    assert sorted(result.unused["reason_code"]) == ["coarser_than_freq", "overlaps_other_row"]
    assert set(result.unused["_row"]) == {2, 4}
    assert result.frame.loc["2019-02-01", "hoax"] == 20
    assert result.frame.loc["2019-03-01", "days"] == 18
    # nothing lost: rows in the series + rows set aside == rows given
    assert len(counts) == 3 + len(result.unused)


def test_totals_carry_exposure_and_unknown_categories_are_named():
    counts = monthly_counts("2020-01-01", [1, 2, 3], totals=[10, 20, 30])
    result = series.from_counts(counts, freq="M")
    assert result.has_total
    assert list(result.frame["total"]) == [10, 20, 30]
    with pytest.raises(KeyError, match="judi"):
        series.from_counts(counts, categories=["judi"])


def posts(dates, hoax):
    frame = pd.DataFrame({"date": pd.to_datetime(dates), "text": "x", "hoaks": hoax})
    return frame


def test_posts_daily_series_zero_fills_a_complete_feed_and_counts_every_item_as_total():
    frame = posts(["2024-01-01", "2024-01-01", "2024-01-03", "2024-01-04"],
                  [True, False, True, False])
    result = series.from_posts(frame, freq="D", categories=["hoaks"])
    assert list(result.frame["hoaks"]) == [1, 0, 1, 0]
    assert list(result.frame["total"]) == [2, 0, 1, 1]  # 2 Jan: nothing collected -> zero
    assert result.has_total


def test_incomplete_feed_leaves_empty_days_unknown():
    frame = posts(["2024-01-01", "2024-01-03"], [True, True])
    result = series.from_posts(frame, freq="D", categories=["hoaks"], complete_feed=False)
    assert np.isnan(result.frame.loc["2024-01-02", "hoaks"])
    assert result.frame.loc["2024-01-02", "days"] == 0


def test_weeks_start_on_monday_and_partial_edges_count_observed_days_only():
    # 2024-01-03 is a Wednesday; 2024-01-09 a Tuesday
    frame = posts(["2024-01-03", "2024-01-07", "2024-01-09"], [True, True, False])
    result = series.from_posts(frame, freq="W", categories=["hoaks"])
    assert list(result.frame.index.strftime("%Y-%m-%d")) == ["2024-01-01", "2024-01-08"]
    assert list(result.frame["days"]) == [5, 2]  # Wed-Sun, Mon-Tue
    assert list(result.frame["hoaks"]) == [2, 0]


def test_posts_without_categories_count_all_items():
    frame = posts(["2024-03-01", "2024-03-15", "2024-04-02"], [True, False, False])
    result = series.from_posts(frame.drop(columns="hoaks"), freq="M")
    assert result.categories == [series.ALL_ITEMS]
    assert list(result.frame[series.ALL_ITEMS]) == [2, 1]


def test_windows_are_assigned_by_majority_of_observed_days():
    counts = monthly_counts("2018-08-01", [25, 27, 53, 63, 75])  # Aug..Dec 2018
    spans = {"before": ("2018-08-15", "2018-09-22"), "campaign": ("2018-09-23", "2018-11-10"),
             "quiet": ("2018-11-11", "2018-11-13"), "voting": ("2018-11-14", "2018-11-14"),
             "after": ("2018-11-15", "2018-11-30")}
    flagged = series.flag_windows(series.from_counts(counts), windows_frame(spans))
    # Aug: 17/31 before -> before; Sep: 22/30 before; Oct: all campaign;
    # Nov: 10 campaign, 3 quiet, 1 voting, 16 after -> after (16/30 > 0.5); Dec: outside
    assert list(flagged.frame["window"]) == ["before", "before", "campaign", "after", "outside"]
    strict = series.flag_windows(series.from_counts(counts), windows_frame(spans), min_share=1)
    assert list(strict.frame["window"]) == ["mixed", "mixed", "campaign", "mixed", "outside"]


def test_flag_windows_uses_observed_days_of_a_partial_month():
    counts = counts_frame([("2024-11-01", "2024-11-18", 4)])
    spans = {"campaign": ("2024-09-25", "2024-11-23"), "after": ("2024-11-28", "2024-12-31")}
    flagged = series.flag_windows(series.from_counts(counts), windows_frame(spans))
    assert flagged.frame["window"].iloc[0] == "campaign"


def test_bad_frequency_is_rejected():
    with pytest.raises(ValueError, match="freq"):
        series.check_freq("Q")


# --- the analysis span and collection gaps (issue 11, item 1) ------------------------------


def daily_feed(seed: int, per_day: float, days: int, start="2023-08-01", hole=None):
    """Posts from a Poisson feed, about a third tagged; ``hole`` = (first, last) day offsets
    with nothing collected."""
    rng = np.random.default_rng(seed)
    per = rng.poisson(per_day, days)
    if hole:  # with an item on the days either side, so the true gap is known exactly
        per[hole[0]:hole[1] + 1] = 0
        per[[hole[0] - 1, hole[1] + 1]] = np.maximum(per[[hole[0] - 1, hole[1] + 1]], 1)
    dates = np.repeat(pd.date_range(start, periods=days).to_numpy(), per)
    return posts(dates, rng.random(len(dates)) < 0.3)


def test_stray_dates_outside_the_span_are_set_aside_named_and_change_nothing():
    clean = daily_feed(1, 3.0, 240)
    stray = pd.concat([clean, posts(["1985-06-01", "2100-01-01"], [True, False])],
                      ignore_index=True)
    span = (pd.Timestamp("2021-09-14"), pd.Timestamp("2026-04-29"))
    for freq in ("D", "W", "M"):
        kept = series.from_posts(clean, freq=freq, categories=["hoaks"], span=span)
        both = series.from_posts(stray, freq=freq, categories=["hoaks"], span=span)
        pd.testing.assert_frame_equal(kept.frame, both.frame)  # the stray rows change nothing
        assert list(both.unused["reason_code"]) == ["out_of_span", "out_of_span"]
        assert "dated 1985-06-01, outside the analysis span 2021-09-14..2026-04-29" \
            in both.unused["reason"].iloc[0]
    # without a span the stray rows stretch the series over a century
    assert len(series.from_posts(stray, freq="W", categories=["hoaks"]).frame) > 5000


def test_the_default_span_is_the_windows_plus_the_stated_margin():
    windows = windows_frame({"before": ("2023-09-14", "2023-11-27"),
                             "after": ("2024-02-15", "2024-04-29")})
    start, end = series.analysis_span(windows, 730)
    assert (start, end) == (pd.Timestamp("2021-09-14"), pd.Timestamp("2026-04-29"))
    assert series.analysis_span(windows, None) is None
    with pytest.raises(series.SeriesError, match="span_margin_days"):
        series.analysis_span(windows, -1)


def test_no_row_inside_the_span_is_an_error_naming_the_span_and_the_data():
    frame = posts(["1999-01-01", "1999-03-01"], [True, False])
    span = (pd.Timestamp("2021-09-14"), pd.Timestamp("2026-04-29"))
    with pytest.raises(series.SeriesError, match=r"2021-09-14\.\.2026-04-29.*1999-01-01\.\."
                                                 r"1999-03-01"):
        series.from_posts(frame, freq="D", categories=["hoaks"], span=span)


def test_counts_outside_the_span_are_set_aside_too():
    counts = monthly_counts("2018-01-01", [5, 6, 7, 8])
    span = (pd.Timestamp("2018-02-01"), pd.Timestamp("2018-03-31"))
    result = series.from_counts(counts, span=span)
    assert list(result.frame.index.strftime("%Y-%m")) == ["2018-02", "2018-03"]
    assert list(result.unused["reason_code"]) == ["out_of_span", "out_of_span"]
    assert len(result.frame) + len(result.unused) == len(counts)


def test_a_long_empty_stretch_is_a_collection_gap_not_zeros():
    feed = daily_feed(2, 4.0, 300, hole=(100, 159))  # 60 days without an item
    result = series.from_posts(feed, freq="D", categories=["hoaks"])
    gap = result.gaps.iloc[0]
    assert (gap["start"], gap["end"], gap["days"]) == (
        pd.Timestamp("2023-11-09"), pd.Timestamp("2024-01-07"), 60)
    inside = result.frame.loc["2023-11-09":"2024-01-07"]
    assert inside["hoaks"].isna().all() and (inside["days"] == 0).all()
    weekly = series.from_posts(feed, freq="W", categories=["hoaks"])
    # the week of 2023-11-06 (Mon) has 3 collected days before the gap starts on Thursday
    assert weekly.frame.loc["2023-11-06", "days"] == 3
    assert weekly.frame.loc["2023-11-13":"2024-01-01", "hoaks"].isna().all()
    # the caller who knows the feed was complete keeps the zeros
    complete = series.from_posts(feed, freq="D", categories=["hoaks"], complete_feed=True)
    assert complete.gaps.empty and (complete.frame.loc["2023-11-09":"2024-01-07",
                                                       "hoaks"] == 0).all()


def test_collection_gaps_are_rarely_found_in_feeds_without_one():
    # known truth: homogeneous Poisson feeds, from sparse to busy, have no gap; the rule
    # allows a false gap anywhere in a series in fewer than 1 in 1,000 series
    found = 0
    for seed in range(300):
        per_day = [0.1, 0.3, 1.0, 5.0][seed % 4]
        daily = pd.Series(np.random.default_rng(seed).poisson(per_day, 365),
                          index=pd.date_range("2023-01-01", periods=365))
        found += len(series.collection_gaps(daily)) > 0
    assert found <= 3
    # and a short hole in a busy feed is found, a short one in a sparse feed is not
    busy = pd.Series(np.random.default_rng(9).poisson(20.0, 100),
                     index=pd.date_range("2023-01-01", periods=100))
    busy.iloc[40:47] = 0
    assert list(series.collection_gaps(busy)["days"]) == [7]
    sparse = pd.Series(np.random.default_rng(9).poisson(0.5, 100) + 0,
                       index=busy.index)
    sparse.iloc[40:47] = 0
    assert series.collection_gaps(sparse).empty


def test_the_gap_rule_uses_the_volume_around_a_run_so_a_growing_feed_has_no_false_gaps():
    # known truth: a feed that grows from 0.4 to 12 items a day has no gap in its quiet year;
    # a 10-day hole in its busy year is one (the overall average would judge both wrongly)
    found = 0
    for seed in range(100):
        rng = np.random.default_rng(seed)
        daily = pd.Series(np.concatenate([rng.poisson(0.4, 365), rng.poisson(12.0, 365)]),
                          index=pd.date_range("2022-01-01", periods=730))
        found += len(series.collection_gaps(daily)) > 0
        if seed == 0:
            holed = daily.copy()
            holed.iloc[500:510] = 0
            [gap] = series.collection_gaps(holed).itertuples()
            assert (gap.start, gap.days) == (daily.index[500], 10)
    assert found <= 1
