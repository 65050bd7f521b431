"""Across elections: the rate ratios of earlier trend-report runs, read from their recorded
metrics only (nothing is recomputed), for a forest plot and a verdict table."""

from __future__ import annotations

import pandas as pd

from negtrend.data.paths import source_label
from negtrend.report import plots
from negtrend.report.index_page import load_runs

REPORT_TEMPLATE = "trend_report.ipynb"


def trend_runs(reports_dir) -> list[dict]:
    """Finished trend-report runs under ``reports_dir`` with their metrics (nothing else is
    read: the cross-election view is built from recorded numbers only)."""
    return [run for run in load_runs(reports_dir)
            if run.get("template") == REPORT_TEMPLATE and run.get("status") == "ok"
            and run["metrics"].get("comparisons")]


def cross_election_rows(records: list[dict], window: str = "campaign") -> pd.DataFrame:
    """One row per run x category: the ``window`` rate ratio on each run's primary measure,
    with its interval, verdict, data source and run folder; ordered by election then data."""
    frames = []
    for record in records:
        rows = plots.forest_rows(record["metrics"], window=window)
        data = source_label(record.get("parameters", {}).get("data", ""))
        rows["data"] = data
        rows["run"] = record["folder"]
        rows["label"] = rows["election"] + " · " + rows["category"] + " · " + data
        frames.append(rows)
    if not frames:
        return plots.forest_rows([], window=window).assign(data=[], run=[])
    table = pd.concat(frames, ignore_index=True)
    return table.sort_values(["election", "data", "category"], kind="stable").reset_index(
        drop=True)
