"""Timestamp precision: the unit of a relative time, and what a frequency can count."""

import pandas as pd
import pytest

from negtrend.data import precision


@pytest.mark.parametrize("phrase,unit", [
    ("5 seconds ago", "second"), ("1 minute ago", "minute"), ("12 min ago", "minute"),
    ("3 hours ago", "hour"), ("an hour ago", "hour"), ("2 days ago", "day"),
    ("1 week ago", "week"), ("11 months ago", "month"), ("a year ago", "year"),
    ("2 years ago (edited)", "year"), ("just now", "second"),
    ("5 jam yang lalu", "hour"), ("2 minggu yang lalu", "week"), ("setahun yang lalu", "year"),
    ("3 bulan yang lalu (diedit)", "month"), ("1 menit yang lalu", "minute"),
    ("baru saja", "second"),
    ("vor 3 Tagen", "unknown"), ("", "unknown"), (None, "unknown"), ("yesterday", "unknown"),
])
def test_relative_unit(phrase, unit):
    assert precision.relative_unit(phrase) == unit


def test_an_item_is_too_coarse_when_its_unit_is_as_long_as_the_period():
    units = pd.Series(["hour", "day", "week", "month", "year", "unknown"])
    assert list(precision.too_coarse(units, "D")) == [False, True, True, True, True, True]
    assert list(precision.too_coarse(units, "W")) == [False, False, True, True, True, True]
    assert list(precision.too_coarse(units, "M")) == [False, False, False, True, True, True]


def test_finest_frequency_that_can_count_an_item():
    assert [precision.finest_freq(u) for u in ("hour", "day", "week", "month", "unknown")] == \
        ["D", "W", "M", None, None]
