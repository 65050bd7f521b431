"""Posts or counts -> a regular time series per category, with exposure and election windows.

A series frame has one row per period (index ``period``: the first day of the period) and the
columns ``period_end``, ``days`` (days actually observed in the period), one count column per
category, ``total`` (items collected in the period, the exposure, NaN when unknown) and, once
windows are flagged, ``window``. Missing published figures stay NaN: absent is not zero.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

FREQS = {"D": "day", "W": "week", "M": "month"}
ALL_ITEMS = "all_items"


@dataclass(frozen=True)
class SeriesResult:
    """A series and the input rows that could not be placed at its frequency."""

    frame: pd.DataFrame
    categories: list[str]
    freq: str
    exposure: str  # "total" when collection volume is known, else "days"
    unused: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def has_total(self) -> bool:
        return self.exposure == "total"


def check_freq(freq: str) -> str:
    freq = str(freq).upper()
    if freq not in FREQS:
        raise ValueError(f"freq must be one of {sorted(FREQS)} (day, week, month), got {freq!r}")
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


def from_posts(
    posts: pd.DataFrame,
    freq: str = "D",
    categories: list[str] | None = None,
    complete_feed: bool = True,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> SeriesResult:
    """Count tagged posts per period; ``total`` counts every collected item, tagged or not.

    ``categories`` are boolean columns of ``posts``; without any, the series counts all items.
    With ``complete_feed`` (the collection is believed complete between ``start`` and ``end``,
    default the first and last item) periods without items are real zeros; otherwise they are
    unknown (NaN) and get no observed days.
    """
    freq = check_freq(freq)
    categories = list(categories or [])
    missing = [c for c in categories if c not in posts.columns]
    if missing:
        raise KeyError(f"category column(s) {missing} not in the posts; columns are "
                       f"{list(posts.columns)}")
    dates = pd.to_datetime(posts["date"]).dt.normalize()
    first = pd.Timestamp(start).normalize() if start is not None else dates.min()
    last = pd.Timestamp(end).normalize() if end is not None else dates.max()
    if pd.isna(first) or pd.isna(last):
        raise ValueError("no dated posts to build a series from")
    inside = dates.between(first, last)
    bins = period_start(dates[inside], freq)
    counted = pd.DataFrame({"period": bins.to_numpy()})
    counted["total"] = 1.0
    names = categories or [ALL_ITEMS]
    for name in categories:
        counted[name] = posts.loc[inside, name].astype(bool).to_numpy().astype(float)
    if not categories:
        counted[ALL_ITEMS] = 1.0
    sums = counted.groupby("period")[[*names, "total"]].sum()

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
    if complete_feed:
        frame[[*names, "total"]] = frame[[*names, "total"]].fillna(0.0)
    else:
        empty = frame["total"].isna()
        frame.loc[empty, "days"] = 0
    frame["days"] = frame["days"].astype(int)
    return SeriesResult(frame[["period_end", "obs_start", "obs_end", "days", *names, "total"]],
                        names, freq, "total")


def from_counts(
    counts: pd.DataFrame,
    freq: str = "M",
    categories: list[str] | None = None,
) -> SeriesResult:
    """Place published or pre-aggregated counts on a regular grid.

    A row whose period spans more than one period of ``freq`` (an annual total in a monthly
    series, a cumulative snapshot) cannot be split without inventing numbers: it is set aside
    in ``unused`` with the reason, as is a row overlapping another row of the same category
    (a duplicate or a cumulative figure). Partial periods are kept with their observed days.
    """
    freq = check_freq(freq)
    available = list(dict.fromkeys(counts["category"].astype(str)))
    missing = [c for c in categories or [] if c not in available]
    if missing:
        raise KeyError(f"category {missing} not in the counts; categories are {available}")
    rows = counts[counts["category"].astype(str).isin(categories or available)].copy()
    rows["period"] = period_start(rows["period_start"], freq).to_numpy()
    rows["end_bin"] = period_start(rows["period_end"], freq).to_numpy()
    unused = []
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
        raise ValueError(f"no count rows of {categories or available} fit a {FREQS[freq]}ly "
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
                        unused_frame.drop(columns=drop))


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
    return SeriesResult(frame, series.categories, series.freq, series.exposure, series.unused)


def build_series(
    loaded,
    freq: str = "M",
    categories: list[str] | None = None,
    windows: pd.DataFrame | None = None,
    complete_feed: bool = True,
    min_share: float = 0.5,
) -> SeriesResult:
    """One call from a :class:`negtrend.data.loading.LoadResult` (posts or counts) to a flagged
    series."""
    kind = getattr(loaded, "kind", None)
    data = getattr(loaded, "data", loaded)
    if kind is None:
        kind = "counts" if "count" in data.columns else "posts"
    if kind == "counts":
        result = from_counts(data, freq=freq, categories=categories)
    else:
        result = from_posts(data, freq=freq, categories=categories, complete_feed=complete_feed)
    return flag_windows(result, windows, min_share) if windows is not None else result
