"""The explore workbench's views (notebooks/explore.ipynb): two elections side by side,
example items on demand (a widget callback), and the numbers on screen as files."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from negtrend.analysis.compare import ElectionView
from negtrend.jsonable import jsonable
from negtrend.report import examples
from negtrend.report.records import comparison_record, relative_figures


def side_by_side(first: ElectionView, second: ElectionView) -> pd.DataFrame:
    """The two elections' rate ratios in one table, one row per category and window."""
    table = pd.concat([first.ratios(), second.ratios()], ignore_index=True)
    return table.pivot_table(index=["category", "window"], columns="election",
                             values=["estimate", "ci_low", "ci_high"], aggfunc="first",
                             sort=False)


def example_view(data: pd.DataFrame, windows: pd.DataFrame, category: str, window: str,
                 per_window: int = 5, seed: int = 0, why=None, lang: str = "en"):
    """Example items for one category and window, as escaped HTML (a widget callback)."""
    from IPython.display import HTML

    items = examples.example_items(data, [category], windows, per_window=per_window,
                                   seed=seed, why=why, lang=lang)
    return HTML(examples.examples_html(items[items["window"] == window], lang))


def drilldown(widgets, data: pd.DataFrame, view: ElectionView, seed: int, why, lang: str):
    """An ipywidgets control over :func:`example_view`: pick a category, a window and how
    many examples to show."""
    return widgets.interactive(
        example_view, data=widgets.fixed(data), windows=widgets.fixed(view.windows),
        category=view.series.categories, window=list(view.windows["window"]),
        per_window=widgets.IntSlider(5, 1, 20), seed=widgets.fixed(seed),
        why=widgets.fixed(why), lang=widgets.fixed(lang))


def export_views(folder: str | Path, views: list[ElectionView]) -> list[Path]:
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
    json_path.write_text(json.dumps(jsonable(record), indent=2, sort_keys=True) + "\n",
                         encoding="utf-8")
    return [*written, json_path]


def view_record(view: ElectionView) -> dict:
    """A view in the shape of a report's metrics.json (what plots.forest_rows reads)."""
    return {"election": {"id": view.election.id, "name": view.election.name},
            "comparisons": [comparison_record(c) for c in view.comparisons]}


def explore_metrics(view_records: list[dict], items: pd.DataFrame, exported: list[Path],
                    folder: str | Path) -> dict:
    """What an explore run recorded: each election's comparisons (``view_record``), the
    examples shown and the files exported."""
    return jsonable({
        "views": view_records,
        "examples": items.to_dict(orient="records") if len(items) else [],
        "exported": relative_figures({"exported": exported}, folder),
    })


def optional_widgets():
    """ipywidgets when installed (the drill-down gets controls), else None."""
    try:
        import ipywidgets
    except ImportError:
        return None
    return ipywidgets
