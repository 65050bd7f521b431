"""Figures that return a matplotlib ``Figure``; election windows shaded; one quiet theme.

Shading uses grey levels plus hatching and text labels, so the windows stay readable in
grayscale and for colour-blind readers.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.dates as mdates
import pandas as pd
from matplotlib.figure import Figure

from negtrend.series import SeriesResult

WINDOW_STYLE = {
    "before": {"color": "#d9d9d9", "hatch": None},
    "campaign": {"color": "#fdb863", "hatch": "//"},
    "quiet": {"color": "#b2abd2", "hatch": ".."},
    "voting": {"color": "#5e3c99", "hatch": None},
    "after": {"color": "#e6f5d0", "hatch": "\\\\"},
}
LINE_COLORS = ["#000000", "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#56B4E9"]
LINE_STYLES = ["-", "--", "-.", ":"]
MARKERS = ["o", "s", "^", "D", "v", "P"]


def _shade(ax, windows: pd.DataFrame) -> None:
    for row in windows.itertuples():
        style = WINDOW_STYLE.get(row.window, {"color": "#eeeeee", "hatch": None})
        ax.axvspan(row.start, row.end + pd.Timedelta(days=1), color=style["color"], alpha=0.45,
                   hatch=style["hatch"], linewidth=0, zorder=0, label=f"window: {row.window}")


def trend(
    series: SeriesResult,
    windows: pd.DataFrame | None = None,
    categories: list[str] | None = None,
    measure: str = "count_per_day",
    title: str | None = None,
) -> Figure:
    """Count per day (or share of collected items) per period, with election windows shaded.

    Counts per *day* rather than raw period totals, so a 28-day February or a partial month is
    not mistaken for a fall.
    """
    categories = categories or series.categories
    frame = focus(series.frame, windows)
    # Figure() rather than pyplot: no global state, no backend choice, nothing to close.
    fig = Figure(figsize=(9, 4.2), layout="constrained")
    ax = fig.add_subplot()
    if windows is not None:
        _shade(ax, windows)
    for i, name in enumerate(categories):
        if measure == "share":
            values = 1000 * frame[name] / frame["total"].where(frame["total"] > 0)
        else:
            values = frame[name] / frame["days"].where(frame["days"] > 0)
        midpoints = frame.index + (pd.to_datetime(frame["period_end"]) - frame.index) / 2
        ax.plot(midpoints, values, color=LINE_COLORS[i % len(LINE_COLORS)],
                linestyle=LINE_STYLES[i % len(LINE_STYLES)], marker=MARKERS[i % len(MARKERS)],
                markersize=4 if series.freq == "D" else 6, linewidth=1.4, label=name)
    ax.set_ylabel("per 1,000 collected items" if measure == "share" else "items per day")
    ax.set_ylim(bottom=0)
    _date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    return fig


def _date_axis(ax) -> None:
    ax.xaxis.set_major_locator(mdates.AutoDateLocator())
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(ax.xaxis.get_major_locator()))
    ax.grid(axis="y", color="#cccccc", linewidth=0.6)
    ax.spines[["top", "right"]].set_visible(False)


def effect_series(ax, frame: pd.DataFrame, windows: pd.DataFrame | None, title: str = ""
                  ) -> None:
    """Observed rate as points, the fitted rate as a line, the counterfactual (no election
    effect) dashed: the gap between the last two is the estimated effect."""
    if windows is not None and len(windows):
        _shade(ax, windows)
    if len(frame):
        ax.plot(frame.index, frame["observed"], linestyle="none", marker="o", markersize=3,
                color="#555555", label="observed")
        if "fitted" in frame:
            ax.plot(frame.index, frame["fitted"], color=LINE_COLORS[1], linewidth=1.4,
                    label="fitted")
        if "counterfactual" in frame:
            ax.plot(frame.index, frame["counterfactual"], color=LINE_COLORS[2], linewidth=1.4,
                    linestyle="--", label="without the election effect")
    ax.set_ylim(bottom=0)
    _date_axis(ax)
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=8)
    if title:
        ax.set_title(title, fontsize=10, loc="left")


def distribution(ax, estimates, real: float, label: str = "") -> None:
    """Placebo estimates as a histogram (log scale) with the real estimate marked."""
    import numpy as np

    values = np.asarray(estimates, float)
    values = values[np.isfinite(values) & (values > 0)]
    if len(values):
        ax.hist(np.log(values), bins=min(30, max(5, len(values) // 3)), color="#bbbbbb",
                edgecolor="#555555", label="placebo dates")
    if real and np.isfinite(real) and real > 0:
        ax.axvline(np.log(real), color=LINE_COLORS[2], linewidth=2, linestyle="--",
                   label="real election")
    ticks = ax.get_xticks()
    ax.set_xticks(ticks, [f"{np.exp(t):.2g}" for t in ticks])
    ax.set_xlabel("rate ratio (log scale)")
    ax.set_ylabel("placebo dates")
    ax.spines[["top", "right"]].set_visible(False)
    ax.legend(frameon=False, fontsize=8)
    if label:
        ax.set_title(label, fontsize=10, loc="left")


def focus(frame: pd.DataFrame, windows: pd.DataFrame | None, margin: float = 0.25
          ) -> pd.DataFrame:
    """The periods around the windows (their span plus ``margin`` of it on each side), so a
    corpus covering many years does not shrink the election to a sliver."""
    if windows is None or frame.empty:
        return frame
    first, last = windows["start"].min(), windows["end"].max()
    pad = (last - first) * margin
    near = (frame.index >= first - pad) & (pd.to_datetime(frame["period_end"]) <= last + pad)
    return frame[near] if near.any() else frame


def save_figure(fig: Figure, folder: str | Path, name: str, formats=("png", "svg")) -> list[Path]:
    """Write the figure in each format under ``folder``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for fmt in formats:
        path = folder / f"{name}.{fmt}"
        fig.savefig(path, dpi=150, metadata={"Date": None} if fmt == "svg" else None)
        written.append(path)
    return written
