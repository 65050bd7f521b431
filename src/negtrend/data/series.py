"""Posts or counts -> a regular time series per category, with exposure and election windows.

A series frame has one row per period (index ``period``: the first day of the period) and the
columns ``period_end``, ``days`` (days actually observed in the period), one count column per
category, ``total`` (items collected in the period, the exposure, NaN when unknown) and, once
windows are flagged, ``window``. Missing published figures stay NaN: absent is not zero.

A series covers an *analysis span*, by default the election's windows plus a margin
(:func:`analysis_span`): a stray date decades away must not stretch a weekly series over
thousands of empty weeks. Rows outside the span are set aside in ``unused`` (reason
``out_of_span``) and counted, never silently kept or dropped. Inside the span, a long stretch
without a single item is a *collection gap* (:func:`collection_gaps`), not a run of zeros,
unless the caller says the feed is complete.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from negtrend.data import precision
from negtrend.data.daily import DailyCounts
from negtrend.data.errors import SeriesError, UnknownCategoryError
from negtrend.data.labels import column_flags

FREQS = {"D": "day", "W": "week", "M": "month"}
ALL_ITEMS = "all_items"
# The default margin around an election's windows: two years either side leaves room for a
# year of seasonality and for placebo dates (a placebo block is the before + campaign windows).
SPAN_MARGIN_DAYS = 730
# A run of empty days is a collection gap when it is at least this long ...
GAP_MIN_DAYS = 7
# ... and a feed of the volume around it would show such a run by chance less often than this
GAP_CHANCE = 1e-3
GAP_CONTEXT_DAYS = 90  # the days either side of a run that give the volume around it


def _no_gaps() -> pd.DataFrame:
    return pd.DataFrame({"start": pd.Series(dtype="datetime64[ns]"),
                         "end": pd.Series(dtype="datetime64[ns]"),
                         "days": pd.Series(dtype="int64")})


@dataclass(frozen=True)
class SeriesResult:
    """A series and the input rows that could not be placed at its frequency."""

    frame: pd.DataFrame
    categories: list[str]
    freq: str
    exposure: str  # "total" when collection volume is known, else "days"
    unused: pd.DataFrame = field(default_factory=pd.DataFrame)
    gaps: pd.DataFrame = field(default_factory=_no_gaps)  # start, end, days: collection gaps
    span: tuple[pd.Timestamp, pd.Timestamp] | None = None  # the analysis span, if one was set

    @property
    def has_total(self) -> bool:
        return self.exposure == "total"


def check_freq(freq: str) -> str:
    freq = str(freq).upper()
    if freq not in FREQS:
        raise SeriesError(f"freq must be one of {sorted(FREQS)} (day, week, month), got {freq!r}")
    return freq


def period_start(dates: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    """First day of the period holding each date (weeks start on Monday)."""
    dates = pd.Series(pd.to_datetime(dates)).dt.normalize()
    if freq == "D":
        return dates
    if freq == "W":
        return dates - pd.to_timedelta(dates.dt.day_of_week, unit="D")
    return dates.dt.to_period("M").dt.start_time


def period_end(starts: pd.Series | pd.DatetimeIndex, freq: str) -> pd.Series:
    starts = pd.Series(pd.to_datetime(starts))
    if freq == "D":
        return starts
    if freq == "W":
        return starts + pd.Timedelta(days=6)
    return starts.dt.to_period("M").dt.end_time.dt.normalize()


def regular_index(first: pd.Timestamp, last: pd.Timestamp, freq: str) -> pd.DatetimeIndex:
    step = {"D": "D", "W": "W-MON", "M": "MS"}[freq]
    return pd.date_range(first, last, freq=step, name="period")


def analysis_span(windows: pd.DataFrame, margin_days: int | None = SPAN_MARGIN_DAYS
                  ) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """The dates a report analyses: the windows' first to last day, ``margin_days`` either
    side; ``None`` (no margin given) means the whole of the data."""
    if margin_days is None:
        return None
    if int(margin_days) < 0:
        raise SeriesError(f"span_margin_days must be 0 or more, got {margin_days}")
    margin = pd.Timedelta(days=int(margin_days))
    return (pd.Timestamp(windows["start"].min()) - margin,
            pd.Timestamp(windows["end"].max()) + margin)


def mark_out_of_span(rows: pd.DataFrame, span) -> pd.DataFrame:
    """``rows`` (with ``date``), all outside ``span``, as ``unused`` rows with the reason."""
    dates = pd.to_datetime(rows["date"])
    return _out_of_span(rows, pd.Series(True, index=rows.index), dates, dates, span)


def _out_of_span(rows: pd.DataFrame, outside: pd.Series, first, last, span) -> pd.DataFrame:
    """The rows outside the span, with where they fall, for ``SeriesResult.unused``."""
    part = rows[outside].copy()
    part["reason_code"] = "out_of_span"
    where = f"outside the analysis span {span[0]:%Y-%m-%d}..{span[1]:%Y-%m-%d}"
    part["reason"] = [f"dated {a:%Y-%m-%d}" + ("" if a == b else f"..{b:%Y-%m-%d}") + f", {where}"
                      for a, b in zip(first[outside], last[outside], strict=True)]
    return part


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Starts and (exclusive) stops of the runs of True in ``mask``."""
    edges = np.diff(np.concatenate([[0], mask.astype(np.int8), [0]]))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def collection_gaps(daily: pd.Series) -> pd.DataFrame:
    """Runs of days without a single item that are too long to be chance: at least
    ``GAP_MIN_DAYS``, and so long that a Poisson feed of the volume around the run would show
    such a run anywhere in the ``n`` days of the series less than ``GAP_CHANCE`` of the time:
    ``n * exp(-v * days) < GAP_CHANCE``, where ``v`` is the lower of the items a day in the
    ``GAP_CONTEXT_DAYS`` before the run and in those after it.

    ``daily`` is the number of items per day, every day from the first to the last item. The
    volume is local because feeds grow and shrink: a week without items in a quiet first year
    can be chance where the same week in a busy year cannot; the lower side is taken so that
    a run where a quiet feed turns busy is not judged by the busy side.
    """
    if daily.empty or daily.sum() <= 0:
        return _no_gaps()
    counts = daily.to_numpy()
    starts, stops = _runs(counts == 0)
    total = np.concatenate([[0], np.cumsum(counts)])
    found = []
    for start, stop in zip(starts, stops, strict=True):
        length = stop - start
        if length < GAP_MIN_DAYS:
            continue
        before, after = max(0, start - GAP_CONTEXT_DAYS), min(len(counts), stop + GAP_CONTEXT_DAYS)
        sides = [(total[start] - total[before]) / (start - before) if start > before else None,
                 (total[after] - total[stop]) / (after - stop) if after > stop else None]
        per_day = min(rate for rate in sides if rate is not None) if any(
            rate is not None for rate in sides) else total[-1] / len(counts)
        if len(counts) * math.exp(-per_day * length) < GAP_CHANCE:
            found.append((start, stop))
    days = daily.index
    return pd.DataFrame({"start": days[[a for a, _ in found]],
                         "end": days[[b - 1 for _, b in found]],
                         "days": np.array([b - a for a, b in found], dtype="int64")})


def _gap_days(gaps: pd.DataFrame, first, last, freq: str) -> pd.Series:
    """Days of collection gaps in each period (index: period start)."""
    days = pd.date_range(first, last, freq="D")
    in_gap = np.zeros(len(days), dtype=bool)
    for row in gaps.itertuples():
        in_gap |= (days >= row.start) & (days <= row.end)
    return pd.Series(in_gap.astype(int), index=period_start(pd.Series(days), freq)
                     ).groupby(level=0).sum()


def from_posts(
    posts: pd.DataFrame,
    freq: str = "D",
    categories: list[str] | None = None,
    complete_feed: bool | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    span: tuple | None = None,
) -> SeriesResult:
    """Count tagged posts per period; ``total`` counts every collected item, tagged or not.

    ``categories`` are boolean columns of ``posts``; without any, the series counts all items.
    Posts dated outside ``span`` go to ``unused``. The series runs from ``start`` to ``end``
    (default: the first and last post inside the span). Days without items are real zeros
    when ``complete_feed`` is True; unknown (the period gets no observed days) when False;
    by default (None) zeros, except in collection gaps (:func:`collection_gaps`), which are
    unknown and listed in ``gaps``.
    """
    categories = list(categories or [])
    missing = [c for c in categories if c not in posts.columns]
    if missing:
        raise UnknownCategoryError(f"category column(s) {missing} not in the posts; columns are "
                          f"{list(posts.columns)}")
    dates = pd.to_datetime(posts["date"]).dt.normalize()
    if dates.isna().all():
        raise SeriesError(NO_DATED_POSTS)
    parts = []
    if precision.COLUMN in posts.columns:
        coarse = pd.Series(precision.too_coarse(posts[precision.COLUMN], freq),
                           index=posts.index)
        if coarse.any():
            parts.append(_coarse(posts[coarse].drop(columns=categories), freq))
            posts, dates = posts[~coarse], dates[~coarse]
    if span is not None:
        outside = ~dates.between(span[0], span[1])
        if outside.any():
            parts.append(_out_of_span(posts.drop(columns=categories), outside, dates, dates,
                                      span))
    unused = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if not len(posts):
        raise SeriesError(f"every post's timestamp is coarser than a {FREQS[freq]} (set aside "
                          "as coarse_timestamp); count them at a coarser frequency")
    return from_daily(daily_counts(posts, categories), freq, categories, complete_feed,
                      start, end, span, unused)


def _coarse(rows: pd.DataFrame, freq: str) -> pd.DataFrame:
    """Posts whose timestamps are too coarse for ``freq``, for ``SeriesResult.unused``."""
    part = rows.copy()
    part["reason_code"] = precision.REASON_CODE
    part["reason"] = part[precision.COLUMN].map(
        {unit: precision.reason(unit, freq) for unit in part[precision.COLUMN].unique()})
    return part


NO_DATED_POSTS = ("no dated posts to build a series from (every row was quarantined, or the "
                  "data are empty)")


def daily_counts(posts: pd.DataFrame, categories: list[str]) -> pd.DataFrame:
    """Posts per local day (index ``date``): one count column per category (all items when
    there are none) and ``total``, all int64. What every engine reduces a corpus to."""
    dates = pd.to_datetime(posts["date"]).dt.normalize()
    names = list(categories) or [ALL_ITEMS]
    counted = pd.DataFrame({"date": dates.to_numpy()})
    for name in categories:
        counted[name] = column_flags(posts, name).astype(np.int64)
    if not categories:
        counted[ALL_ITEMS] = 1
    counted["total"] = 1
    daily = counted.groupby("date")[[*names, "total"]].sum().astype(np.int64)
    return daily.sort_index()


def from_daily(
    daily: pd.DataFrame,
    freq: str = "D",
    categories: list[str] | None = None,
    complete_feed: bool | None = None,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    span: tuple | None = None,
    unused: pd.DataFrame | None = None,
) -> SeriesResult:
    """:func:`from_posts` from posts already counted per day (:func:`daily_counts`); days
    outside ``span`` are left out (their rows, if listed, come as ``unused``)."""
    freq = check_freq(freq)
    categories = list(categories or [])
    names = categories or [ALL_ITEMS]
    missing = [c for c in names if c not in daily.columns]
    if missing:
        raise UnknownCategoryError(f"category column(s) {missing} not in the posts; columns are "
                                   f"{[c for c in daily.columns if c != 'total']}")
    if daily.empty:
        raise SeriesError(NO_DATED_POSTS)
    if span is not None:
        days = pd.DatetimeIndex(daily.index)
        inside = (days >= span[0]) & (days <= span[1])
        if not inside.any():
            raise SeriesError(_nothing_in_span("dated posts", pd.Series(days), span))
        daily = daily[inside]
    first = pd.Timestamp(start).normalize() if start is not None else daily.index.min()
    last = pd.Timestamp(end).normalize() if end is not None else daily.index.max()
    daily = daily[(daily.index >= first) & (daily.index <= last)]
    counted = daily[[*names, "total"]].astype(float)
    sums = counted.groupby(period_start(pd.Series(counted.index), freq).to_numpy()).sum()

    index = regular_index(period_start(pd.Series([first]), freq).iloc[0], last, freq)
    frame = sums.reindex(index)
    frame.index.name = "period"
    ends = period_end(pd.Series(index), freq).to_numpy()
    frame.insert(0, "period_end", ends)
    observed_start = np.maximum(index.to_numpy(), np.datetime64(first, "ns"))
    observed_end = np.minimum(ends, np.datetime64(last, "ns"))
    frame.insert(1, "obs_start", observed_start)
    frame.insert(2, "obs_end", observed_end)
    frame.insert(3, "days", ((observed_end - observed_start) / np.timedelta64(1, "D") + 1))
    gaps = _no_gaps()
    if complete_feed is False:
        frame.loc[frame["total"].isna(), "days"] = 0
        gaps = _empty_periods(frame)
    else:
        frame[[*names, "total"]] = frame[[*names, "total"]].fillna(0.0)
    if complete_feed is None:
        per_day = daily["total"].reindex(pd.date_range(first, last), fill_value=0)
        gaps = collection_gaps(per_day)
        if len(gaps):
            frame["days"] -= _gap_days(gaps, first, last, freq).reindex(index, fill_value=0)
            frame.loc[frame["days"] <= 0, [*names, "total"]] = np.nan
    frame["days"] = frame["days"].clip(lower=0).astype(int)
    return SeriesResult(frame[["period_end", "obs_start", "obs_end", "days", *names, "total"]],
                        names, freq, "total", pd.DataFrame() if unused is None else unused,
                        gaps, span)


def _nothing_in_span(what: str, dates: pd.Series, span: tuple) -> str:
    return (f"no {what} inside the analysis span {span[0]:%Y-%m-%d}..{span[1]:%Y-%m-%d} "
            f"(the election's windows plus the margin); the data runs "
            f"{dates.min():%Y-%m-%d}..{dates.max():%Y-%m-%d}. Choose another election or a "
            "larger span_margin_days")


def _empty_periods(frame: pd.DataFrame) -> pd.DataFrame:
    """Runs of periods with no observed days, as gaps (start of the first, end of the last)."""
    starts, stops = _runs((frame["days"] <= 0).to_numpy())
    if not len(starts):
        return _no_gaps()
    first_day = frame.index[starts]
    last_day = pd.to_datetime(frame["period_end"].to_numpy()[stops - 1])
    return pd.DataFrame({"start": first_day, "end": last_day,
                         "days": ((last_day - first_day).days + 1).astype("int64")})


def from_counts(
    counts: pd.DataFrame,
    freq: str = "M",
    categories: list[str] | None = None,
    span: tuple | None = None,
) -> SeriesResult:
    """Place published or pre-aggregated counts on a regular grid.

    A row whose period spans more than one period of ``freq`` (an annual total in a monthly
    series, a cumulative snapshot) cannot be split without inventing numbers: it is set aside
    in ``unused`` with the reason, as is a row overlapping another row of the same category
    (a duplicate or a cumulative figure) and a row wholly outside ``span``. Partial periods
    are kept with their observed days; runs of periods without a figure are listed in
    ``gaps`` (they stay NaN: absent is not zero).
    """
    freq = check_freq(freq)
    available = list(dict.fromkeys(counts["category"].astype(str)))
    missing = [c for c in categories or [] if c not in available]
    if missing:
        raise UnknownCategoryError(f"category {missing} not in the counts; categories are "
                                   f"{available}")
    rows = counts[counts["category"].astype(str).isin(categories or available)].copy()
    unused = []
    if span is not None:
        outside = (rows["period_end"] < span[0]) | (rows["period_start"] > span[1])
        if outside.all() and len(rows):
            raise SeriesError(_nothing_in_span(
                f"count rows of {list(dict.fromkeys(rows['category'].astype(str)))}",
                rows["period_start"], span))
        if outside.any():
            unused.append(_out_of_span(rows, outside, rows["period_start"], rows["period_end"],
                                       span))
        rows = rows[~outside]
    rows["period"] = period_start(rows["period_start"], freq).to_numpy()
    rows["end_bin"] = period_start(rows["period_end"], freq).to_numpy()
    coarse = rows["period"] != rows["end_bin"]
    if coarse.any():
        part = rows[coarse].copy()
        part["reason_code"] = "coarser_than_freq"
        part["reason"] = [
            f"period {s:%Y-%m-%d}..{e:%Y-%m-%d} spans more than one {FREQS[freq]}; "
            "it cannot be placed in a single period without splitting it"
            for s, e in zip(part["period_start"], part["period_end"], strict=True)
        ]
        unused.append(part)
    rows = rows[~coarse].sort_values(["category", "period_start", "period_end"], kind="stable")
    overlapping = _overlaps(rows)
    if overlapping.any():
        part = rows[overlapping].copy()
        part["reason_code"] = "overlaps_other_row"
        part["reason"] = "period overlaps another row of the same category (duplicate, " \
                         "revision or cumulative figure); the first row was kept"
        unused.append(part)
    rows = rows[~overlapping]
    if rows.empty:
        raise SeriesError(f"no count rows of {categories or available} fit a {FREQS[freq]}ly "
                         "series; try a coarser freq")
    # by default, the categories that have at least one usable row at this frequency
    categories = list(categories or dict.fromkeys(rows["category"].astype(str)))

    has_total = rows["total"].notna().all() if "total" in rows else False
    grouped = rows.groupby(["period", "category"])
    agg = grouped.agg(count=("count", "sum"), total=("total", "sum"), days=("days", "sum"),
                      obs_start=("period_start", "min"), obs_end=("period_end", "max"))
    wide = agg["count"].unstack("category")
    index = regular_index(wide.index.min(), wide.index.max(), freq)
    frame = pd.DataFrame(index=index)
    frame["period_end"] = period_end(pd.Series(index), freq).to_numpy()
    per_period = agg.groupby(level="period")
    frame["obs_start"] = per_period["obs_start"].min().reindex(index)
    frame["obs_end"] = per_period["obs_end"].max().reindex(index)
    frame["days"] = per_period["days"].max().reindex(index).fillna(0).astype(int)
    for name in categories:
        frame[name] = wide[name].reindex(index) if name in wide else np.nan
    if has_total:
        frame["total"] = per_period["total"].max().reindex(index)
    else:
        frame["total"] = np.nan
    unused_frame = pd.concat(unused, ignore_index=True) if unused else pd.DataFrame()
    drop = [c for c in ("period", "end_bin") if c in unused_frame]
    return SeriesResult(frame, categories, freq, "total" if has_total else "days",
                        unused_frame.drop(columns=drop), _empty_periods(frame), span)


def _overlaps(rows: pd.DataFrame) -> pd.Series:
    """True for a row that starts on or before the end of an earlier row of its category."""
    previous_end = rows.groupby("category")["period_end"].transform(
        lambda ends: ends.shift().cummax())
    return (rows["period_start"] <= previous_end).fillna(False).astype(bool)


def flag_windows(series: SeriesResult, windows: pd.DataFrame, min_share: float = 0.5
                 ) -> SeriesResult:
    """Label each period with the window holding more than ``min_share`` of its observed days.

    A period split between windows with no majority is ``mixed``; one outside every window is
    ``outside``. Both stay in the figures and are left out of the comparisons. At monthly
    frequency the 3-day quiet period and voting day never hold a majority, and say so.
    """
    if not 0 < min_share <= 1:
        raise ValueError(f"min_share must be in (0, 1], got {min_share}")
    frame = series.frame.copy()
    starts = pd.to_datetime(frame["obs_start"]).fillna(pd.Series(frame.index, frame.index))
    ends = pd.to_datetime(frame["obs_end"]).fillna(pd.to_datetime(frame["period_end"]))
    span = (ends - starts).dt.days + 1
    labels = pd.Series("outside", index=frame.index, dtype=object)
    best = pd.Series(0.0, index=frame.index)
    touched = pd.Series(False, index=frame.index)
    for row in windows.itertuples():
        overlap_start = starts.where(starts > row.start, row.start)
        overlap_end = ends.where(ends < row.end, row.end)
        overlap = ((overlap_end - overlap_start).dt.days + 1).clip(lower=0)
        share = overlap / span
        frame[f"share_{row.window}"] = share.round(4)
        touched |= share > 0
        wins = (share > min_share) | ((min_share == 1) & (share >= 1))
        labels[wins & (share > best)] = row.window
        best = best.where(~(wins & (share > best)), share)
    labels[(labels == "outside") & touched] = "mixed"
    frame["window"] = labels
    return dataclasses.replace(series, frame=frame)


def _unused_outside(loaded: DailyCounts, span) -> pd.DataFrame | None:
    rows = loaded.unused_rows(span) if span is not None else pd.DataFrame()
    return mark_out_of_span(rows, span) if len(rows) else None


def build_series(
    loaded,
    freq: str = "M",
    categories: list[str] | None = None,
    windows: pd.DataFrame | None = None,
    complete_feed: bool | None = None,
    min_share: float = 0.5,
    span: tuple | None = None,
) -> SeriesResult:
    """One call from a :class:`negtrend.data.loading.LoadResult` (posts or counts) to a flagged
    series over ``span`` (see :func:`analysis_span`; None: the whole of the data)."""
    kind = getattr(loaded, "kind", None)
    data = getattr(loaded, "data", loaded)
    if kind is None and isinstance(data, pd.DataFrame):
        kind = "counts" if "count" in data.columns else "posts"
    if kind == "counts":
        result = from_counts(data, freq=freq, categories=categories, span=span)
    elif isinstance(loaded, DailyCounts):
        result = from_daily(loaded.daily, freq=freq, categories=categories,
                            complete_feed=complete_feed, span=span,
                            unused=_unused_outside(loaded, span))
    else:
        result = from_posts(data, freq=freq, categories=categories, complete_feed=complete_feed,
                            span=span)
    return flag_windows(result, windows, min_share) if windows is not None else result
