"""Event study: the election effect week by week, relative to voting day.

A period comparison gives one number for the whole campaign; an event study asks *when* the
series moved: one rate ratio per week relative to voting day (week -k .. +m) against a
reference block of early weeks (by default every full week of the ``before`` window, i.e. all
weeks before the campaign). Flat ratios near 1 before the campaign and a rise during it look
like an election effect; ratios already drifting before the campaign look like a trend.

Weeks are counted from voting day. With daily data, week 0 is voting day and the six days
after it, week -1 the seven days before voting day (the quiet period and the campaign's last
days), and so on; with weekly data (Monday weeks), week 0 is the calendar week holding voting
day. A monthly period spans four or five weeks and cannot be split into weeks, so monthly data
are refused.

The model is the shared count model of ``stats.fit_count_model`` (NB-weighted, with errors
from the fitted AR(1) + white noise for long daily/weekly series, NB2 with Pearson scale and t
intervals for short ones) on the periods of the reference block and of the estimated weeks,
with one indicator per estimated week, day-of-week and holiday terms for daily data, and the
exposure (items collected, or observed
days) as offset. The days of a week share their noise (autocorrelation). Errors from the fitted
noise model see that: in simulations (``simulate.Scenario`` with a campaign effect of 1.5; 60
series, 540 campaign weeks) the 95% intervals of single weeks cover the truth 95.4-97.7% of the
time at the default noise, at the real-data noise (sd 0.46, rho 0.5) and at rho 0.8. Where the
errors do not come from a fitted noise (short daily series, or ``engine.ROBUST_ERRORS = "ewc"``,
whose sandwich cannot resolve a coefficient resting on seven days) they are scaled up when the
Pearson dispersion of *weekly sums* in the reference block exceeds the daily one, with t df
capped at the reference weeks minus one (EWC errors: about 94% instead of 88%). Scaling errors
that already carry the noise would count it twice: 98-100% in the same simulations.

The headline effect is the **geometric mean rate ratio over the full campaign weeks** (weeks
whose seven days all lie inside the campaign window) against the reference block: the
campaign's typical weekly effect, comparable with a period comparison, but robust to a single
odd week. Its interval comes from the same fit, re-parametrised so that one coefficient is the
mean of the campaign-week coefficients (the fit is identical; only the coordinates change).
Without a campaign window the headline falls back to the mean of the estimated weeks before
voting day, and failing those to the voting week; ``effect["headline"]`` says which.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable

import numpy as np
import pandas as pd

from negtrend.analysis import engine
from negtrend.analysis.effect import EffectResult, ratio_effect, t_quantile
from negtrend.analysis.notes import note
from negtrend.data import calendar
from negtrend.data.series import SeriesResult

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
HEADLINES = ("campaign weeks", "weeks before voting", "voting week")
TABLE_COLUMNS = ["week", "start", "end", "phase", "reference", "headline", "periods",
                 "estimate", "ci_low", "ci_high", "p_value", "log_se"]


def week_name(week: int) -> str:
    """The design column of relative week ``week``: 'week_-3', 'week_+0', 'week_+2'."""
    return f"week_{week:+d}"


def event_study(
    series: SeriesResult,
    category: str,
    election_or_voting_day,
    weeks_before: int | None = None,
    weeks_after: int = 8,
    reference: str | int | Iterable[int] = "before",
    alpha: float = 0.05,
    measure: str | None = None,
    windows: pd.DataFrame | None = None,
    holidays: bool = True,
) -> EffectResult:
    """Rate ratio per week relative to voting day, against a reference block of weeks.

    ``election_or_voting_day``: an :class:`~negtrend.data.calendar.Election`, an election id,
    or the voting day itself (a date or an ISO string). ``reference``: ``"before"`` (every week
    lying wholly inside the ``before`` window, or wholly before the campaign when there is no
    ``before`` window), one relative week (e.g. ``-1``) or several. ``weeks_before``: estimate
    the weeks from ``-weeks_before`` on; by default every week from the start of the reference
    block. ``weeks_after``: the last week estimated (week 0 is the week of voting day).
    ``windows``: the election windows (default: those the series was flagged with, else the
    election's from the calendar); they define the reference and campaign weeks and the
    shading of the figure.

    Returns an :class:`~negtrend.analysis.effect.EffectResult` (method ``"event_study"``)
    whose table has one row per relative week (reference weeks at 1 with no interval) and
    whose headline is the geometric mean rate ratio over the full campaign weeks (see the
    module docstring). Raises ``ValueError`` for monthly data: weeks need daily or weekly
    periods.
    """
    if series.freq not in ("D", "W"):
        raise ValueError(
            f"an event study estimates one effect per week relative to voting day, so it needs "
            f"daily or weekly data; this series is {series.freq!r} (monthly), and a month spans "
            "four to five weeks that cannot be separated without inventing numbers. Build the "
            "series with freq='D' or freq='W'.")
    if category not in series.categories:
        raise KeyError(f"category {category!r} not in the series; have {series.categories}")
    if weeks_before is not None and weeks_before < 0:
        raise ValueError(f"weeks_before must be 0 or more, got {weeks_before}")
    measure = engine.choose_measure(series, category, measure)
    voting, election = _voting_day(election_or_voting_day)
    windows = _windows(series, windows, election)
    anchor = voting if series.freq == "D" else voting - pd.Timedelta(days=voting.day_of_week)

    frame, exposure = engine.usable_rows(series.frame, category, measure)
    week_of = pd.Series(((frame.index - anchor).days // 7).astype(int), index=frame.index)
    present = sorted(set(week_of))
    reference_weeks = _reference_weeks(reference, present, anchor, windows)
    lowest = -weeks_before if weeks_before is not None else (
        min(reference_weeks) if reference_weeks else min(present, default=0))
    estimated = [w for w in present if lowest <= w <= weeks_after and w not in reference_weeks]
    spec = {"voting_day": voting.strftime("%Y-%m-%d"), "weeks_before": weeks_before,
            "weeks_after": weeks_after, "reference": _spec_reference(reference),
            "alpha": alpha, "measure": measure, "holidays": holidays}
    used = week_of.isin(set(reference_weeks) | set(estimated))
    n_reference = int(week_of.isin(reference_weeks).sum())
    if n_reference < 1 or not estimated:
        return _not_estimable(series, category, windows, spec, note(
            "event_too_few", reference=n_reference, estimated=len(estimated)))
    frame, exposure, week_of = frame[used], exposure[used], week_of[used]
    if not frame[category].to_numpy(dtype=float, na_value=np.nan).any():
        # a category the tagger never found (a lexicon report's other categories): no rate to
        # compare, and the fit's first guess would be log(0)
        return _not_estimable(series, category, windows, spec, note("no_items_series"))
    spans = _week_spans(anchor, sorted(set(reference_weeks) | set(estimated)), windows)
    headline_weeks, headline = _headline_weeks(spans, estimated)

    weeks = week_of.to_numpy()
    design = engine.design_frame({"const": np.ones(len(frame)),
                                  **{week_name(week): (weeks == week).astype(float)
                                     for week in estimated}}, frame.index)
    choice = engine.model_choice(series.freq, len(frame), holidays)
    design = engine.seasonal_terms(design, choice.dow, choice.holidays)
    y = frame[category].astype(float)
    offset = np.log(exposure)
    fit = engine.fit_count_model(y, design, offset, choice.robust)
    inflate, df = 1.0, min((fit.df_of(week_name(week)) for week in estimated), default=fit.df)
    if series.freq == "D" and fit.noise is None:
        inflate, weekly_df = _weekly_noise(fit, y, offset, week_of, reference_weeks)
        df = min(df, weekly_df)
    bse = fit.bse * inflate
    extra = (note("weekly_inflation", factor=inflate),) if inflate > 1 else ()
    quantile = t_quantile(alpha, df)

    mean_param, mean_bse = _mean_fit(y, design, offset, choice.robust, headline_weeks, fit)
    mean_bse *= inflate if len(headline_weeks) > 1 else 1.0
    effect = ratio_effect(mean_param, mean_bse, quantile, df)
    effect.update(df=df, alpha=alpha, scale="rate ratio", measure=measure, headline=headline,
                  headline_weeks=list(headline_weeks), reference_weeks=list(reference_weeks),
                  voting_day=voting.strftime("%Y-%m-%d"))
    window = frame["window"] if "window" in frame else week_of.map(spans["phase"])
    notes = []
    if not math.isfinite(quantile):
        notes.append(note("no_interval"))
    if headline != "campaign weeks":
        notes.append(note("event_headline", headline=headline))
    return EffectResult(
        method="event_study",
        category=category,
        windows=windows,
        effect=effect,
        table=_week_table(spans, week_of, reference_weeks, headline_weeks, fit.params, bse,
                          quantile, df),
        series=engine.fitted_series(fit, frame.assign(window=window), exposure, category, measure,
                             tuple(week_name(w) for w in estimated), week=week_of),
        meta=engine.result_meta(series, spec, fit.method(*extra), n=len(frame), plot="event_study",
                         dispersion=fit.dispersion, voting_day=spec["voting_day"],
                         weekly_inflation=inflate),
        notes=tuple(notes),
    )


def _week_table(spans, week_of, reference_weeks, headline_weeks, params, bse, quantile, df
                ) -> pd.DataFrame:
    """One row per week: its dates and phase, and its rate ratio (reference weeks at 1)."""
    rows = []
    periods = week_of.value_counts()
    for week, start, end, phase in zip(spans.index, spans["start"], spans["end"],
                                       spans["phase"], strict=True):
        row = {"week": int(week), "start": start, "end": end,
               "phase": phase, "reference": week in reference_weeks,
               "headline": week in headline_weeks, "periods": int(periods.get(week, 0))}
        if week in reference_weeks:
            row.update(estimate=1.0, ci_low=math.nan, ci_high=math.nan, p_value=math.nan,
                       log_se=math.nan)
        else:
            name = week_name(week)
            row.update(ratio_effect(float(params[name]), float(bse[name]), quantile, df))
        rows.append(row)
    return pd.DataFrame(rows)


def _voting_day(value) -> tuple[pd.Timestamp, object]:
    """(voting day, election or None) from an Election, an election id or a date."""
    if isinstance(value, calendar.Election):
        return pd.Timestamp(value.voting_day), value
    if isinstance(value, str) and not _ISO_DATE.match(value.strip()):
        election = calendar.get_election(value)
        return pd.Timestamp(election.voting_day), election
    if isinstance(value, str | dt.date | pd.Timestamp | np.datetime64):
        return pd.Timestamp(value).normalize(), None
    raise TypeError("election_or_voting_day must be an Election, an election id or a date, "
                    f"got {type(value).__name__}")


def _windows(series: SeriesResult, windows, election) -> pd.DataFrame:
    """Windows given > windows the series was flagged with > the election's calendar."""
    if windows is not None or "window" in series.frame or election is None:
        return engine.windows_frame(series, windows)
    return engine.windows_frame(series, calendar.windows(election))


def _window_span(windows: pd.DataFrame, name: str):
    part = windows[windows["window"] == name]
    if part.empty:
        return None
    return pd.Timestamp(part["start"].min()), pd.Timestamp(part["end"].max())


def _reference_weeks(reference, present: list[int], anchor: pd.Timestamp,
                     windows: pd.DataFrame) -> list[int]:
    if isinstance(reference, str):
        if reference != "before":
            raise ValueError(f"reference must be 'before' or relative week number(s), got "
                             f"{reference!r}")
        campaign = _window_span(windows, "campaign")
        if campaign is None:
            raise ValueError("reference='before' needs the election windows (a campaign "
                             "window): pass windows=, an election, or a flagged series - or "
                             "give the reference weeks as numbers, e.g. reference=range(-20, "
                             "-12)")
        before = _window_span(windows, "before")
        first = before[0] if before is not None else pd.Timestamp.min
        return [w for w in present
                if anchor + pd.Timedelta(weeks=w) >= first
                and anchor + pd.Timedelta(weeks=w, days=6) < campaign[0]]
    weeks = [reference] if isinstance(reference, int | np.integer) else list(reference)
    if not weeks or not all(isinstance(w, int | np.integer) for w in weeks):
        raise ValueError(f"reference weeks must be whole numbers, got {reference!r}")
    return sorted(int(w) for w in set(weeks) if w in present)


def _spec_reference(reference):
    if isinstance(reference, str | int | np.integer):
        return reference if isinstance(reference, str) else int(reference)
    return sorted(int(w) for w in reference)


def _week_spans(anchor: pd.Timestamp, weeks: list[int], windows: pd.DataFrame) -> pd.DataFrame:
    """Dates of each relative week and the window holding most of its days."""
    rows = []
    spans = [(row.window, pd.Timestamp(row.start), pd.Timestamp(row.end))
             for row in windows.itertuples()]
    for week in weeks:
        start = anchor + pd.Timedelta(weeks=week)
        end = start + pd.Timedelta(days=6)
        best, phase, full = 0, "outside", set()
        for window, window_start, window_end in spans:
            overlap = (min(end, window_end) - max(start, window_start)).days + 1
            if overlap >= 7:
                full.add(window)
            if overlap > best:
                best, phase = overlap, window
        rows.append({"week": week, "start": start, "end": end,
                     "phase": phase if best > 3 else ("mixed" if best else "outside"),
                     "full": phase if phase in full else None})
    return pd.DataFrame(rows).set_index("week")


def _headline_weeks(spans: pd.DataFrame, estimated: list[int]) -> tuple[list[int], str]:
    campaign = [w for w in estimated if spans.loc[w, "full"] == "campaign"]
    if campaign:
        return campaign, "campaign weeks"
    before_voting = [w for w in estimated if w < 0]
    if before_voting:
        return before_voting, "weeks before voting"
    return ([0] if 0 in estimated else [estimated[0]]), "voting week"


def _weekly_noise(fit, y, offset, week_of, reference_weeks) -> tuple[float, float]:
    """(error inflation, t degrees of freedom) for week effects estimated from daily data.

    A week indicator rests on seven neighbouring days whose noise is correlated; neither the
    daily Pearson dispersion nor the EWC sandwich (which cannot resolve a coefficient resting on
    a few periods) sees that. The Pearson dispersion of *weekly sums* does: it is measured on
    the reference weeks (the estimated weeks fit their sums exactly), and the errors are scaled
    by the square root of its ratio to the daily dispersion when it is larger, with t degrees
    of freedom capped at the number of reference weeks minus one.
    """
    df = fit.df
    mu = np.exp(fit.design.to_numpy(float) @ fit.params.reindex(fit.design.columns).to_numpy()
                + np.asarray(offset, float))
    parts = pd.DataFrame({"y": np.asarray(y, float), "mu": mu, "week": week_of.to_numpy()})
    parts = parts[parts["week"].isin(reference_weeks)].groupby("week")[["y", "mu"]].sum()
    blocks = len(parts) - 1
    if blocks < 1:
        return 1.0, df
    weekly = float((((parts["y"] - parts["mu"]) ** 2) / parts["mu"]).sum() / blocks)
    daily = max(fit.dispersion, 1.0) if math.isfinite(fit.dispersion) else 1.0
    inflate = math.sqrt(max(weekly / daily, 1.0))
    return inflate, (min(df, blocks) if df and df > 0 else df)


def _mean_fit(y, design, offset, robust, weeks, fit) -> tuple[float, float]:
    """Mean of the log rate ratios of ``weeks`` and its standard error.

    The week indicators x_1..x_h are replaced by their sum and the differences x_j - x_1: the
    same column space, so the same fit, but the coefficient of the sum is the mean of the
    week coefficients and its standard error comes straight from the shared engine.
    """
    names = [week_name(w) for w in weeks]
    if len(names) == 1:
        return float(fit.params[names[0]]), float(fit.bse[names[0]])
    columns = dict(zip(design.columns, design.to_numpy(float).T, strict=True))
    weeks = [columns.pop(name) for name in names]
    columns["mean_weeks"] = np.sum(weeks, axis=0)  # indicators: exact in any order
    for name, week in zip(names[1:], weeks[1:], strict=True):
        columns[f"diff_{name}"] = week - weeks[0]
    mean = engine.fit_count_model(y, engine.design_frame(columns, design.index), offset,
                                  robust)
    return float(mean.params["mean_weeks"]), float(mean.bse["mean_weeks"])


def _not_estimable(series, category, windows, spec, reason) -> EffectResult:
    return engine.not_estimable("event_study", series, category, windows, spec, [reason],
                                "rate ratio", ("measure", "voting_day"),
                                table=pd.DataFrame(columns=TABLE_COLUMNS), plot="event_study",
                                voting_day=spec["voting_day"])
