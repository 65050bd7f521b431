"""The interactive workbench's building blocks (notebooks/explore.ipynb): a corpus view per
election, example items on demand, two elections side by side, and an export of the numbers
on screen. Notebooks stay thin, so widget callbacks are these functions, not notebook code.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from IPython.display import HTML

from negtrend.analysis import stats
from negtrend.analysis.effect import check_lang
from negtrend.data import calendar, series
from negtrend.jsonable import jsonable
from negtrend.report import examples


@dataclass(frozen=True)
class ElectionView:
    """One election's windows, series and period comparisons for a loaded corpus."""

    election: calendar.Election
    windows: pd.DataFrame
    series: series.SeriesResult
    comparisons: list

    def ratios(self) -> pd.DataFrame:
        """Campaign, quiet, voting and after against the baseline, primary measure."""
        frames = []
        for comparison in self.comparisons:
            primary = comparison.primary().copy()
            primary.insert(0, "category", comparison.category)
            primary.insert(0, "election", self.election.id)
            frames.append(primary)
        columns = ["election", "category", "measure", "window", "baseline", "estimate",
                   "ci_low", "ci_high", "p_value"]
        if not frames:
            return pd.DataFrame(columns=[*columns, "verdict"])
        table = pd.concat(frames, ignore_index=True)[columns]
        table["verdict"] = [stats.verdict(row) for _, row in
                            pd.concat(frames, ignore_index=True).iterrows()]
        return table


def election_view(loaded, election_id: str, categories: list[str] | None, freq: str = "W",
                  before_days: int | None = None, after_days: int | None = None,
                  baseline: str = "before", alpha: float = 0.05, complete_feed: bool = True,
                  min_share: float = 0.5) -> ElectionView:
    """Windows, series (restricted to the election's span) and comparisons for one election."""
    election = calendar.get_election(election_id)
    windows = calendar.windows(election, before_days=before_days, after_days=after_days)
    built = series.build_series(loaded, freq=freq, categories=categories, windows=windows,
                                complete_feed=complete_feed, min_share=min_share)
    comparisons = []
    for category in built.categories:
        try:
            comparisons.append(stats.compare_phases(built, category, baseline=baseline,
                                                    alpha=alpha))
        except ValueError:  # e.g. the corpus does not reach this election
            continue
    return ElectionView(election, windows, built, comparisons)


def side_by_side(first: ElectionView, second: ElectionView) -> pd.DataFrame:
    """The two elections' rate ratios in one table, one row per category and window."""
    table = pd.concat([first.ratios(), second.ratios()], ignore_index=True)
    return table.pivot_table(index=["category", "window"], columns="election",
                             values=["estimate", "ci_low", "ci_high"], aggfunc="first",
                             sort=False)


def example_view(data: pd.DataFrame, windows: pd.DataFrame, category: str, window: str,
                 per_window: int = 5, seed: int = 0, why=None, lang: str = "en") -> HTML:
    """Example items for one category and window, as escaped HTML (a widget callback)."""
    check_lang(lang)
    items = examples.example_items(data, [category], windows, per_window=per_window,
                                   seed=seed, why=why, lang=lang)
    return HTML(examples.examples_html(items[items["window"] == window], lang))


def export_view(folder: str | Path, views: list[ElectionView]) -> list[Path]:
    """The numbers on screen as files: per election, the series (CSV) and the ratios (CSV),
    and everything in one JSON. Returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written, record = [], {}
    for view in views:
        key = view.election.id
        series_path = folder / f"series_{key}_{view.series.freq}.csv"
        view.series.frame.to_csv(series_path, date_format="%Y-%m-%d")
        ratios_path = folder / f"ratios_{key}.csv"
        view.ratios().to_csv(ratios_path, index=False)
        written += [series_path, ratios_path]
        record[key] = {"freq": view.series.freq,
                       "ratios": view.ratios().to_dict(orient="records")}
    json_path = folder / "view.json"
    import json

    json_path.write_text(json.dumps(jsonable(record), indent=2, sort_keys=True) + "\n",
                         encoding="utf-8")
    return [*written, json_path]


def as_metrics(view: ElectionView) -> dict:
    """The view in the shape of a report's metrics.json (what plots.forest_rows reads)."""
    records = []
    for comparison in view.comparisons:
        record = comparison.to_dict()
        for row in record["ratios"]:
            row["verdict"] = stats.verdict(row)
        records.append(record)
    return {"election": {"id": view.election.id, "name": view.election.name},
            "comparisons": records}


def metrics(views: list[ElectionView], items: pd.DataFrame, exported: list[Path],
            folder: str | Path) -> dict:
    """What an explore run recorded: each election's comparisons, the examples shown and the
    files exported."""
    folder = Path(folder)
    return jsonable({
        "views": [as_metrics(view) for view in views],
        "examples": items.to_dict(orient="records") if len(items) else [],
        "exported": sorted(str(Path(p).relative_to(folder)) for p in exported),
    })


def optional_widgets():
    """ipywidgets when installed (the drill-down gets controls), else None."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets
