"""Figures that return a matplotlib ``Figure``; election windows shaded; one quiet theme.

Every figure is drawn under :data:`THEME` (one ``rcParams`` dict, applied with
:func:`theme`), uses ``matplotlib.figure.Figure`` (no pyplot global state), carries a caption
(:func:`caption_of`) and is written as PNG and SVG with that caption by :func:`save_figure`.

Readable in grayscale and for colour-blind readers: colour is never the only code.

* series (categories) differ by line style *and* marker, on top of Okabe-Ito colours;
* election windows differ by hatching or by grey level, and are named in the legend;
* the verdict in a forest plot is given by marker shape and fill (filled triangle up: higher,
  filled triangle down: lower, open circle: inconclusive, cross: not estimable).
"""

from __future__ import annotations

import html
import math
import re
import textwrap
from contextlib import contextmanager
from pathlib import Path

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedLocator, FuncFormatter, MaxNLocator, NullLocator

from negtrend.analysis.effect import EffectResult, verdict
from negtrend.data.paths import file_stem
from negtrend.data.series import SeriesResult
from negtrend.report import words

THEME = {
    "font.size": 9,
    "axes.titlesize": 11,
    "axes.titlelocation": "left",
    "axes.labelsize": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.grid.axis": "y",
    "axes.axisbelow": True,
    "grid.color": "#cccccc",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 8,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "hatch.linewidth": 0.6,
    "lines.linewidth": 1.4,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "savefig.dpi": 150,
    "svg.fonttype": "none",  # text stays text in the SVG: searchable, read by screen readers
    "svg.hashsalt": "negtrend",  # stable ids: the same figure gives the same SVG
}

WINDOW_STYLE = {
    "before": {"color": "#d9d9d9", "hatch": None},
    "campaign": {"color": "#fdb863", "hatch": "//"},
    "quiet": {"color": "#b2abd2", "hatch": ".."},
    "voting": {"color": "#5e3c99", "hatch": None},
    "after": {"color": "#e6f5d0", "hatch": "\\\\"},
}
WINDOW_ALPHA = 0.45
HATCH_EDGE = "#555555"
# Okabe-Ito colours, each with its own line style and marker
LINE_COLORS = ["#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"]
LINE_STYLES = ["-", "--", "-.", ":", (0, (6, 2, 1, 2, 1, 2)), (0, (1, 3))]
MARKERS = ["o", "s", "^", "D", "v", "P"]
VERDICT_STYLE = {
    "higher": {"marker": "^", "color": "#D55E00", "facecolor": "#D55E00", "text": "higher"},
    "lower": {"marker": "v", "color": "#0072B2", "facecolor": "#0072B2", "text": "lower"},
    "inconclusive": {"marker": "o", "color": "#000000", "facecolor": "white",
                     "text": "inconclusive (interval includes 1)"},
    "not estimable": {"marker": "x", "color": "#777777", "facecolor": "#777777",
                      "text": "not estimable"},
}
MEASURE_AXIS = {"share": "per 1,000 collected items", "count_per_day": "items per day"}
# rate ratios a log axis may mark, finest first: the finest ladder that puts at most
# RATIO_TICKS_MAX ticks in view is used; a range too narrow for three gets evenly spaced ticks
_RATIO_LADDERS = (
    [0.01, 0.02, 0.05, 0.1, 0.2, 0.25, 0.33, 0.5, 0.67, 0.8, 1, 1.25, 1.5, 2, 3, 4, 5, 10, 20,
     50, 100],
    [m * 10.0 ** k for k in range(-4, 5) for m in (1, 2, 5)],
    [10.0 ** k for k in range(-9, 10)],
)
RATIO_TICKS_MAX = 9


@contextmanager
def theme():
    """The one place the look is set: ``with theme(): ...`` draws under :data:`THEME`."""
    with matplotlib.rc_context(THEME):
        yield


def series_style(i: int) -> dict:
    """Colour, line style and marker of the ``i``-th series; no two of the first six share a
    line style or a marker, so they stay apart without colour."""
    return {"color": LINE_COLORS[i % len(LINE_COLORS)],
            "linestyle": LINE_STYLES[i % len(LINE_STYLES)],
            "marker": MARKERS[i % len(MARKERS)]}


def caption_of(fig: Figure) -> str | None:
    """The caption a figure function attached to ``fig`` (what :func:`save_figure` writes)."""
    return getattr(fig, "negtrend_caption", None)


def set_caption(fig: Figure, caption: str) -> Figure:
    fig.negtrend_caption = " ".join(str(caption).split())
    return fig


def _wrap(title: str, width: int = 90) -> str:
    """Long titles (an effect's label) on several lines rather than cut at the edge."""
    return textwrap.fill(str(title), width) if title else ""


def _style_axes(ax) -> None:
    ax.spines[["top", "right"]].set_visible(False)
    ax.set_axisbelow(True)


def _shade_span(ax, window: str, x0, x1, label: bool = True) -> None:
    style = WINDOW_STYLE.get(window, {"color": "#eeeeee", "hatch": None})
    # facecolor carries the grey level, the darker edge colour draws the hatching
    ax.axvspan(x0, x1, facecolor=style["color"], edgecolor=HATCH_EDGE, alpha=WINDOW_ALPHA,
               hatch=style["hatch"], linewidth=0, zorder=0,
               label=f"window: {window}" if label else "_nolegend_")


def _shade(ax, windows: pd.DataFrame) -> None:
    for row in windows.itertuples():
        _shade_span(ax, row.window, row.start, row.end + pd.Timedelta(days=1))


def _windows_text(windows: pd.DataFrame | None) -> str:
    if windows is None or not len(windows):
        return ""
    parts = []
    for row in windows.itertuples():
        style = WINDOW_STYLE.get(row.window, {"hatch": None})
        look = {None: "plain", "//": "hatched /", "..": "dotted", "\\\\": "hatched \\"}.get(
            style["hatch"], "hatched")
        parts.append(f"{row.window} {pd.Timestamp(row.start):%Y-%m-%d} to "
                     f"{pd.Timestamp(row.end):%Y-%m-%d} ({look})")
    return "Shaded bands mark the election windows: " + "; ".join(parts) + "."


def _rates(frame: pd.DataFrame, name: str, measure: str) -> pd.Series:
    if measure == "share":
        return 1000 * frame[name] / frame["total"].where(frame["total"] > 0)
    return frame[name] / frame["days"].where(frame["days"] > 0)


def _midpoints(frame: pd.DataFrame):
    return frame.index + (pd.to_datetime(frame["period_end"]) - frame.index) / 2


def trend(
    series: SeriesResult,
    windows: pd.DataFrame | None = None,
    categories: list[str] | None = None,
    measure: str = "count_per_day",
    title: str | None = None,
) -> Figure:
    """Count per day (or share of collected items) per period, with election windows shaded.

    Counts per *day* rather than raw period totals, so a 28-day February or a partial month is
    not mistaken for a fall. The whole series is drawn, and the windows wherever they lie.
    """
    categories = categories or series.categories
    frame = series.frame
    with theme():
        # Figure() rather than pyplot: no global state, no backend choice, nothing to close.
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        ax = fig.add_subplot()
        if windows is not None:
            _shade(ax, windows)
        for i, name in enumerate(categories):
            ax.plot(_midpoints(frame), _rates(frame, name, measure), **series_style(i),
                    markersize=4 if series.freq == "D" else 6, linewidth=1.4, label=name)
        ax.set_ylabel(MEASURE_AXIS.get(measure, measure))
        ax.set_ylim(bottom=0)
        _date_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        if title:
            ax.set_title(_wrap(title), fontsize=11, loc="left")
    return set_caption(fig, f"{title + '. ' if title else ''}"
                            f"{MEASURE_AXIS.get(measure, measure).capitalize()} by period "
                            f"for {', '.join(map(str, categories))}; each category has its own "
                            f"line style and marker. {_windows_text(windows)}")


def small_multiples(
    series: SeriesResult,
    windows: pd.DataFrame | None = None,
    categories: list[str] | None = None,
    measure: str = "count_per_day",
    title: str | None = None,
    ncols: int | None = None,
) -> Figure:
    """One panel per category: a shared time axis, each panel its own y scale (a rare category
    is not flattened by a common one), windows shaded in every panel; the whole series."""
    categories = list(categories or series.categories)
    if not categories:
        raise ValueError("no categories to draw")
    frame = series.frame
    ncols = ncols or (1 if len(categories) <= 3 else 2)
    nrows = math.ceil(len(categories) / ncols)
    with theme():
        fig = Figure(figsize=(9, 0.8 + 2.0 * nrows), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for i, (ax, name) in enumerate(zip(axes, categories, strict=False)):
            if windows is not None:
                _shade(ax, windows)
            ax.plot(_midpoints(frame), _rates(frame, name, measure), **series_style(i),
                    markersize=3 if series.freq == "D" else 5, linewidth=1.2, label=name)
            ax.set_ylim(bottom=0)
            ax.set_title(str(name), fontsize=10, loc="left")
            _date_axis(ax)
        for ax in axes[len(categories):]:
            ax.set_visible(False)
        fig.supylabel(MEASURE_AXIS.get(measure, measure), fontsize=9)
        if windows is not None and len(windows):
            handles, labels = axes[0].get_legend_handles_labels()
            keep = [(h, lab) for h, lab in zip(handles, labels, strict=True)
                    if lab.startswith("window:")]
            fig.legend([h for h, _ in keep], [lab for _, lab in keep], loc="outside lower center",
                       ncols=min(len(keep), 5), frameon=False, fontsize=8)
        if title:
            fig.suptitle(_wrap(title), fontsize=11, x=0.01, ha="left")
    return set_caption(fig, f"{title + '. ' if title else ''}"
                            f"{MEASURE_AXIS.get(measure, measure).capitalize()} by period, one "
                            f"panel per category ({', '.join(map(str, categories))}); the time "
                            f"axis is shared, each panel has its own vertical scale. "
                            f"{_windows_text(windows)}")


class DistinctDateFormatter(mdates.ConciseDateFormatter):
    """Concise date labels that never repeat on the axis: where the concise ones would (a
    monthly axis over more than a year reads Jul, Sep, Nov, 2024, Mar, May, Jul), months carry
    their year and days their month (Jul 2023 ... Jul 2024); failing that, full dates."""

    FULLER = (["%Y", "%b %Y", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
              ["", "%b %Y", "%d %b", "%d %b", "%H:%M", "%H:%M"])

    def _distinct(self, values, labels) -> bool:
        axis = getattr(self._locator, "axis", None)
        low, high = sorted(axis.get_view_interval()) if axis is not None else (-np.inf, np.inf)
        shown = [label for value, label in zip(values, labels, strict=True)
                 if label and low <= value <= high]
        return len(shown) == len(set(shown))

    def format_ticks(self, values):
        labels = super().format_ticks(values)
        if self._distinct(values, labels):
            return labels
        concise = self.formats, self.zero_formats
        self.formats, self.zero_formats = self.FULLER
        try:
            labels = super().format_ticks(values)
        finally:
            self.formats, self.zero_formats = concise
        if self._distinct(values, labels):
            return labels
        return [mdates.num2date(value, tz=self._tz).strftime("%Y-%m-%d %H:%M").removesuffix(
            " 00:00") for value in values]


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(DistinctDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.grid(axis="x", visible=False)
    ax.spines[["top", "right"]].set_visible(False)


def effect_series(ax, frame: pd.DataFrame, windows: pd.DataFrame | None, title: str = ""
                  ) -> None:
    """Observed rate as points, the fitted rate as a line, the counterfactual (no election
    effect) dashed: the gap between the last two is the estimated effect."""
    with theme():
        if windows is not None and len(windows):
            _shade(ax, windows)
        if len(frame):
            ax.plot(frame.index, frame["observed"], linestyle="none", marker="o", markersize=3,
                    color="#555555", label="observed")
            if "fitted" in frame:
                ax.plot(frame.index, frame["fitted"], color=LINE_COLORS[1], linewidth=1.4,
                        label="fitted")
            if "counterfactual" in frame:
                ax.plot(frame.index, frame["counterfactual"], color=LINE_COLORS[2],
                        linewidth=1.4, linestyle="--", label="without the election effect")
        ax.set_ylim(bottom=0)
        _date_axis(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        if title:
            ax.set_title(title, fontsize=10, loc="left")


def distribution(ax, estimates, real: float, label: str = "") -> None:
    """Placebo estimates as a histogram on a log axis (bins of equal width in log ratio) with
    the real estimate marked; the count axis counts whole placebo dates."""
    values = np.asarray(estimates, float)
    values = values[np.isfinite(values) & (values > 0)]
    real_shown = bool(real and np.isfinite(real) and real > 0)
    with theme():
        ax.set_xscale("log")
        logs = np.log(np.append(values, real) if real_shown else values)
        if len(logs):
            low, high = float(logs.min()), float(logs.max())
            pad = max(0.05 * (high - low), 0.005)
            ax.set_xlim(math.exp(low - pad), math.exp(high + pad))
        if len(values):
            low, high = float(np.log(values).min()), float(np.log(values).max())
            if high - low < 1e-3:  # one value (or all equal): a narrow bar around it
                low, high = low - 0.002, high + 0.002
            edges = np.exp(np.linspace(low, high, min(30, max(5, len(values) // 3)) + 1))
            ax.hist(values, bins=edges, color="#bbbbbb", edgecolor="#555555",
                    label="placebo dates")
        if real_shown:
            ax.axvline(real, color=LINE_COLORS[2], linewidth=2, linestyle="--",
                       label="real election")
        if len(logs):
            _ratio_axis(ax.xaxis)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("rate ratio (log scale)")
        ax.set_ylabel("placebo dates")
        _style_axes(ax)
        ax.legend(frameon=False, fontsize=8)
        if label:
            ax.set_title(label, fontsize=10, loc="left")


def effect_plot(result: EffectResult, ax=None, lang: str = "en") -> Figure:
    """A result drawn: observed rate, fitted and counterfactual lines with the windows shaded;
    for methods whose evidence is a distribution (placebo), a histogram with the real estimate
    marked; for an event study, the week-by-week ratios."""
    if ax is None:
        fig = Figure(figsize=(9, 3.8), layout="constrained")
        ax = fig.add_subplot(1, 1, 1)
    else:
        fig = ax.figure
    kind = result.meta.get("plot")
    if kind == "distribution":
        distribution(ax, result.table["estimate"], result.estimate,
                     label=words.label(result, lang))
    elif kind == "event_study":
        event_study_axes(ax, result.table, result.windows, title=words.title(result, lang))
    else:
        effect_series(ax, result.series, result.windows, title=words.title(result, lang))
    return fig


def ratio_ticks(low: float, high: float, most: int = RATIO_TICKS_MAX
                ) -> tuple[list[float], str]:
    """Tick positions for rate ratios between ``low`` and ``high`` on a log axis, and the
    format that labels them all apart: plain ratios (0.5, 1, 2) from the finest ladder that
    puts three to ``most`` ticks in the range; on a range too narrow for that, evenly spaced
    round numbers with as many decimals as their step needs (1.00, 1.05, 1.10)."""
    low, high = min(low, high), max(low, high)
    for ladder in _RATIO_LADDERS:
        ticks = [t for t in ladder if low <= t <= high]
        if len(ticks) <= most:
            break
    else:
        ticks = ticks[::math.ceil(len(ticks) / most)]
    if len(ticks) >= 3:
        return ticks, "{:g}"
    ticks = [float(t) for t in MaxNLocator(nbins=6, steps=[1, 2, 5, 10]).tick_values(
        low, high) if low <= t <= high and t > 0]
    if len(ticks) < 2:
        return ticks, "{:g}"
    step = min(b - a for a, b in zip(ticks, ticks[1:], strict=False))
    decimals = next(d for d in range(12) if all(
        abs(round(t, d) - t) < step * 1e-3 for t in ticks))
    return ticks, f"{{:.{decimals}f}}"


def _ratio_axis(axis) -> None:
    """Plain, distinct tick labels (:func:`ratio_ticks`) on a log axis of rate ratios, over
    the view limits already set; no minor ticks (a log axis labels them on a narrow range)."""
    ticks, fmt = ratio_ticks(*axis.get_view_interval())
    axis.set_major_locator(FixedLocator(ticks))
    axis.set_major_formatter(FuncFormatter(lambda v, _: fmt.format(v)))
    axis.set_minor_locator(NullLocator())


def _finite_range(*columns) -> tuple[float, float]:
    values = np.concatenate([np.asarray(c, float) for c in columns])
    values = values[np.isfinite(values) & (values > 0)]
    if not len(values):
        return 0.5, 2.0
    return float(values.min()), float(values.max())


def verdict_of(row) -> str:
    """The verdict a row states, else the one its interval implies."""
    given = row.get("verdict") if hasattr(row, "get") else None
    if isinstance(given, str) and given in VERDICT_STYLE:
        return given
    return verdict(row.get("ci_low"), row.get("ci_high"))


def forest_rows(records, window: str = "campaign", primary_only: bool = True) -> pd.DataFrame:
    """Rows for :func:`forest` from one or more ``metrics.json`` records (dicts, as loaded):
    one row per election x category for ``window``, the primary measure only by default."""
    if isinstance(records, dict):
        records = [records]
    rows = []
    for record in records:
        election = (record.get("election") or {}).get("id", "")
        for comparison in record.get("comparisons", []):
            for ratio in comparison.get("ratios", []):
                if ratio.get("window") != window:
                    continue
                if primary_only and ratio.get("measure") != comparison.get("primary_measure"):
                    continue
                rows.append({
                    "label": f"{election} · {comparison.get('category')}",
                    "election": election, "category": comparison.get("category"),
                    "measure": ratio.get("measure"), "window": window,
                    "estimate": ratio.get("estimate"), "ci_low": ratio.get("ci_low"),
                    "ci_high": ratio.get("ci_high"),
                    "verdict": ratio.get("verdict") or verdict_of(ratio),
                })
    columns = ["label", "election", "category", "measure", "window", "estimate", "ci_low",
               "ci_high", "verdict"]
    return pd.DataFrame(rows, columns=columns).astype(
        {"estimate": float, "ci_low": float, "ci_high": float})


def forest(
    rows: pd.DataFrame,
    title: str | None = None,
    xlabel: str = "rate ratio (log scale)",
    level: int = 95,
    numbers: bool = True,
) -> Figure:
    """Rate ratios with intervals on a log axis, one row per election x category (top to
    bottom in the order given), a reference line at 1, the verdict as marker shape and fill.

    ``rows``: a DataFrame with ``estimate``, ``ci_low``, ``ci_high`` and ``label`` or
    ``election`` + ``category``; ``verdict`` is computed from the interval when absent
    (see :func:`forest_rows` for ``metrics.json`` records). ``numbers`` prints each ratio and
    interval at the right, so the figure can be read without judging lengths on a log axis.
    """
    rows = pd.DataFrame(rows).reset_index(drop=True)
    for column in ("estimate", "ci_low", "ci_high"):
        if column not in rows:
            raise KeyError(f"forest rows need column {column!r}; have {list(rows.columns)}")
    if "label" not in rows:
        if not {"election", "category"} <= set(rows.columns):
            raise KeyError("forest rows need 'label' or 'election' and 'category'")
        rows["label"] = rows["election"].astype(str) + " · " + rows["category"].astype(str)
    rows["verdict"] = [verdict_of(row) for _, row in rows.iterrows()]
    n = len(rows)
    low, high = _finite_range(rows["ci_low"], rows["ci_high"], rows["estimate"])
    with theme():
        fig = Figure(figsize=(8, 1.1 + 0.32 * max(n, 3)), layout="constrained")
        ax = fig.add_subplot()
        ax.set_xscale("log")
        ax.axvline(1.0, color="#333333", linewidth=1, linestyle="--", zorder=1,
                   label="no change (1)")
        y = np.arange(n)[::-1].astype(float)
        if "election" in rows and rows["election"].nunique() > 1:
            changes = np.flatnonzero(rows["election"].to_numpy()[1:]
                                     != rows["election"].to_numpy()[:-1])
            for i in changes:
                ax.axhline(y[i] - 0.5, color="#999999", linewidth=0.6, zorder=1)
        for i, row in rows.iterrows():
            style = VERDICT_STYLE[row["verdict"]]
            estimate, lo, hi = (float(row[c]) for c in ("estimate", "ci_low", "ci_high"))
            if math.isfinite(lo) and math.isfinite(hi) and lo > 0:
                ax.plot([lo, hi], [y[i], y[i]], color=style["color"], linewidth=1.6, zorder=2,
                        solid_capstyle="butt")
            x = estimate if math.isfinite(estimate) and estimate > 0 else 1.0
            ax.plot([x], [y[i]], linestyle="none", marker=style["marker"], markersize=8,
                    color=style["color"], markerfacecolor=style["facecolor"],
                    markeredgecolor=style["color"], markeredgewidth=1.4, zorder=3,
                    label=f"verdict: {row['verdict']}")
            if numbers:
                text = (f"{estimate:.2f} [{lo:.2f}, {hi:.2f}]" if math.isfinite(lo)
                        and math.isfinite(hi) and math.isfinite(estimate)
                        else ("not estimable" if not math.isfinite(estimate)
                              else f"{estimate:.2f} [no interval]"))
                ax.annotate(text, (1.01, y[i]), xycoords=("axes fraction", "data"),
                            va="center", fontsize=8, annotation_clip=False)
        ax.set_yticks(y, rows["label"].astype(str).tolist())
        ax.set_ylim(-0.7, n - 0.3)
        ax.set_xlim(min(low, 1.0) / 1.15, max(high, 1.0) * 1.15)
        _ratio_axis(ax.xaxis)
        ax.grid(axis="y", visible=False)
        ax.grid(axis="x", color="#dddddd", linewidth=0.6)
        ax.set_xlabel(xlabel)
        ax.tick_params(axis="y", length=0)
        _style_axes(ax)
        handles = [Line2D([], [], linestyle="none", marker=s["marker"], color=s["color"],
                          markerfacecolor=s["facecolor"], markeredgecolor=s["color"],
                          markersize=7, label=s["text"])
                   for v, s in VERDICT_STYLE.items() if v in set(rows["verdict"])]
        if handles:
            fig.legend(handles=handles, loc="outside lower left", ncols=len(handles),
                       frameon=False, fontsize=8)
        if title:
            ax.set_title(_wrap(title), fontsize=11, loc="left")
    shapes = ", ".join(f"{_MARKER_WORDS[s['marker']]}: {s['text']}"
                       for v, s in VERDICT_STYLE.items() if v in set(rows["verdict"]))
    return set_caption(fig, f"{title + '. ' if title else ''}Rate ratios with {level}% "
                            f"intervals on a log scale, one row per election and category; "
                            f"the dashed line at 1 means no change. Marker shape gives the "
                            f"verdict ({shapes}).")


_MARKER_WORDS = {"^": "filled triangle up", "v": "filled triangle down", "o": "open circle",
                 "x": "cross"}


def _week_x(dates, anchor: pd.Timestamp) -> np.ndarray:
    """Relative-week coordinate of dates: week k spans [k - 0.5, k + 0.5)."""
    days = (pd.to_datetime(pd.Series(dates)) - anchor).dt.days.to_numpy(float)
    return days / 7 - 0.5


def event_study_axes(ax, table: pd.DataFrame, windows: pd.DataFrame | None = None,
                     title: str = "") -> None:
    """Rate ratio by week relative to voting day on ``ax``: points with interval bars, the
    reference weeks as open squares at 1, the voting week as a diamond, voting day as a dotted
    line, the election windows shaded. ``table``: an event study's table (columns week, start,
    estimate, ci_low, ci_high, reference)."""
    table = pd.DataFrame(table)
    with theme():
        if not len(table):
            ax.text(0.5, 0.5, "not estimable", transform=ax.transAxes, ha="center")
            _style_axes(ax)
            if title:
                ax.set_title(title, fontsize=10, loc="left")
            return
        first = table.iloc[0]
        anchor = pd.Timestamp(first["start"]) - pd.Timedelta(weeks=int(first["week"]))
        weeks = table["week"].astype(int).to_numpy()
        reference = table.get("reference", pd.Series(False, index=table.index)).astype(bool)
        if windows is not None and len(windows):
            for row in windows.itertuples():
                x0, x1 = _week_x([row.start, pd.Timestamp(row.end) + pd.Timedelta(days=1)],
                                 anchor)
                _shade_span(ax, row.window, x0, x1)
        ax.axhline(1.0, color="#333333", linewidth=1, linestyle="--", zorder=1)
        ref = table[reference]
        if len(ref):
            ax.plot(ref["week"], np.ones(len(ref)), linestyle="none", marker="s", markersize=5,
                    markerfacecolor="white", markeredgecolor="#555555", zorder=3,
                    label="reference weeks (= 1)")
        est = table[~reference]
        for is_voting, part in ((False, est[est["week"] != 0]), (True, est[est["week"] == 0])):
            if not len(part):
                continue
            estimate = part["estimate"].to_numpy(float)
            lower = np.clip(estimate - part["ci_low"].to_numpy(float), 0, None)
            upper = np.clip(part["ci_high"].to_numpy(float) - estimate, 0, None)
            ax.errorbar(part["week"], estimate, yerr=np.vstack([lower, upper]),
                        linestyle="none", marker="D" if is_voting else "o",
                        markersize=7 if is_voting else 5,
                        color="#D55E00" if is_voting else "#000000",
                        markerfacecolor="#D55E00" if is_voting else "#000000",
                        ecolor="#D55E00" if is_voting else "#333333", elinewidth=1.2,
                        capsize=2, zorder=4, label="voting week" if is_voting else
                        "week estimate with interval")
        voting_x = -0.5
        if windows is not None and "voting" in set(windows["window"]):
            start = windows.loc[windows["window"] == "voting", "start"].min()
            voting_x = float(_week_x([start], anchor)[0])
        ax.axvline(voting_x, color="#000000", linestyle=":", linewidth=1.4, zorder=2,
                   label="voting day")
        ax.set_yscale("log")
        low, high = _finite_range(table["ci_low"], table["ci_high"], table["estimate"])
        ax.set_ylim(min(low, 1.0) / 1.1, max(high, 1.0) * 1.1)
        _ratio_axis(ax.yaxis)
        ax.set_xlim(weeks.min() - 0.6, weeks.max() + 0.6)
        step = 1 if len(weeks) <= 16 else (2 if len(weeks) <= 32 else 4)
        ticks = [w for w in range(weeks.min(), weeks.max() + 1) if w % step == 0]
        ax.set_xticks(ticks, [f"{w:+d}" if w else "0" for w in ticks])
        ax.set_xlabel("week relative to voting day (week 0 holds voting day)")
        ax.set_ylabel("rate ratio vs reference weeks (log scale)")
        ax.grid(axis="y", color="#cccccc", linewidth=0.6)
        ax.grid(axis="x", visible=False)
        _style_axes(ax)
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
        if title:
            ax.set_title(_wrap(title, 100), fontsize=10, loc="left")


def event_study_plot(result_or_table, windows: pd.DataFrame | None = None,
                     title: str | None = None, lang: str = "en") -> Figure:
    """The event study as a figure: an ``EffectResult`` from ``event_study`` or its table."""
    table = getattr(result_or_table, "table", result_or_table)
    if windows is None:
        windows = getattr(result_or_table, "windows", None)
    if title is None and isinstance(result_or_table, EffectResult):
        title = words.title(result_or_table, lang)
    alpha = getattr(result_or_table, "effect", {}).get("alpha", 0.05)
    with theme():
        fig = Figure(figsize=(9, 4.2), layout="constrained")
        event_study_axes(fig.add_subplot(), table, windows, title or "")
    return set_caption(fig, f"{title + '. ' if title else ''}Rate ratio by week relative to "
                            f"voting day against the reference weeks (open squares at 1), with "
                            f"{int(round(100 * (1 - alpha)))}% intervals on a log scale; the "
                            f"dotted line marks voting day and the diamond the week holding it. "
                            f"{_windows_text(windows)}")


def _figure_title(fig: Figure, name: str) -> str:
    if fig._suptitle is not None and fig._suptitle.get_text():
        return fig._suptitle.get_text()
    for ax in fig.axes:
        for loc in ("left", "center", "right"):
            if ax.get_title(loc=loc):
                return ax.get_title(loc=loc)
    return name


def _svg_accessible(path: Path, title: str, caption: str) -> None:
    """Put ``<title>`` and ``<desc>`` first inside ``<svg>``: what screen readers announce."""
    text = path.read_text(encoding="utf-8")
    block = (f"\n <title>{html.escape(title, quote=False)}</title>"
             f"\n <desc>{html.escape(caption, quote=False)}</desc>")
    match = re.search(r"<svg\b[^>]*>", text)
    if match is None:
        return
    opening = match.group(0)
    if "role=" not in opening:
        opening = opening[:-1] + ' role="img">'
    path.write_text(text[:match.start()] + opening + block + text[match.end():],
                    encoding="utf-8")


def save_figure(fig: Figure, folder: str | Path, name: str, formats=("png", "svg"),
                caption: str | None = None) -> list[Path]:
    """Write the figure in each format under ``folder``, with its caption; ``name`` may hold
    any label (a category with ``/`` or markup): the file name is :func:`paths.file_stem`.

    The caption (``caption``, else the one the figure function attached, see
    :func:`caption_of`) goes into ``<name>.txt``, into the SVG as ``<title>``/``<desc>`` and
    into the PNG's text metadata. Returns the paths written: one per format, then the caption
    file when there is a caption.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    caption = " ".join(str(caption).split()) if caption is not None else caption_of(fig)
    title = _figure_title(fig, name)
    written = []
    with theme():
        for fmt in formats:
            path = folder / f"{file_stem(name)}.{fmt}"
            metadata = None
            if fmt == "svg":
                metadata = {"Date": None}  # <title> is added below, with <desc>
                if caption:
                    metadata["Description"] = caption
            elif fmt == "png":
                metadata = {"Title": title}
                if caption:
                    metadata["Description"] = caption
            fig.savefig(path, dpi=150, metadata=metadata)
            if fmt == "svg" and caption:
                _svg_accessible(path, title, caption)
            written.append(path)
    if caption:
        path = folder / f"{file_stem(name)}.txt"
        path.write_text(caption + "\n", encoding="utf-8")
        written.append(path)
    return written


THUMBNAIL_SIZE = (240, 90)  # pixels of thumbnail.png at THEME's savefig.dpi


def thumbnail(series: SeriesResult, windows: pd.DataFrame | None = None,
              measure: str = "count_per_day", categories: list[str] | None = None) -> Figure:
    """A trend at a glance (the index page shows it beside a run's finding): ``measure`` per
    period for each category, election windows shaded, no axes, ticks or text; 240x90 px."""
    categories = list(categories or series.categories)
    frame = series.frame
    dpi = THEME["savefig.dpi"]
    with theme():
        fig = Figure(figsize=(THUMBNAIL_SIZE[0] / dpi, THUMBNAIL_SIZE[1] / dpi))
        ax = fig.add_axes((0, 0, 1, 1))
        if windows is not None:
            for row in windows.itertuples():
                _shade_span(ax, row.window, row.start, row.end + pd.Timedelta(days=1),
                            label=False)
        dates, top = _midpoints(frame), 0.0
        for i, name in enumerate(categories):
            style = series_style(i)
            rates = _rates(frame, name, measure)
            ax.plot(dates, rates, color=style["color"], linestyle=style["linestyle"],
                    linewidth=1.2)
            top = max(top, float(np.nanmax(rates.to_numpy(dtype=float), initial=0.0)))
        if len(dates):
            ax.set_xlim(dates.min(), dates.max())
        ax.set_ylim(0, 1.12 * top if top > 0 else 1)  # from zero, the peak not clipped
        ax.set_axis_off()
    return set_caption(fig, f"{MEASURE_AXIS.get(measure, measure).capitalize()} by period for "
                            f"{', '.join(map(str, categories))}, at a glance. "
                            f"{_windows_text(windows)}")
