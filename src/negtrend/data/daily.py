"""A corpus counted per day: what a report needs from posts that do not fit in memory.

An engine that streams a corpus (:mod:`negtrend.corpus`) hands the pipeline a
:class:`DailyCounts` instead of a :class:`negtrend.data.loading.LoadResult`: the counts per
local day and category with the total, the accounting of rows read, kept and quarantined, the
reservoir of example items, where the quarantine file is, and a way to list the rows outside
an analysis span. It answers the questions a ``LoadResult`` answers (``summary()``,
``n_kept``), so the series, the data table and the examples treat both alike.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd


@dataclass(frozen=True, eq=False)
class DailyCounts:
    """Posts counted per day (index ``date``; one int column per category, or ``all_items``,
    and ``total``) with their accounting."""

    daily: pd.DataFrame
    categories: list[str]
    source: str
    n_read: int
    n_quarantined: int
    quarantine_reasons: dict
    reservoir: pd.DataFrame
    quarantine_path: Path | None
    rows_outside: Callable[[tuple], pd.DataFrame] | None = None
    encoding: str | None = None
    encoding_note: str = ""
    read_notes: tuple[str, ...] = ()
    engine: dict = field(default_factory=dict)  # name, cache, seconds, settings
    kind: str = "posts"
    sheets: tuple[str, ...] | None = None

    @property
    def n_kept(self) -> int:
        return int(self.daily["total"].sum()) if len(self.daily) else 0

    def unused_rows(self, span) -> pd.DataFrame:
        """The kept rows dated outside ``span`` (file, record number, date)."""
        if self.rows_outside is None:
            return pd.DataFrame()
        return self.rows_outside(span)

    def summary(self) -> dict:
        """The keys of ``LoadResult.summary()``, plus the engine."""
        dates = self.daily.index
        return {
            "source": self.source, "kind": self.kind, "n_read": int(self.n_read),
            "n_kept": self.n_kept, "n_quarantined": int(self.n_quarantined),
            "encoding": self.encoding, "encoding_note": self.encoding_note,
            "sheets": None, "read_notes": list(self.read_notes),
            "quarantine_reasons": dict(sorted(self.quarantine_reasons.items())),
            "date_min": dates.min().date().isoformat() if len(dates) else None,
            "date_max": dates.max().date().isoformat() if len(dates) else None,
            "accounting_ok": self.n_kept + self.n_quarantined == self.n_read,
            "engine": dict(self.engine),
        }

    def write_quarantine(self, path) -> Path:
        path = Path(path)
        if self.quarantine_path is not None and Path(self.quarantine_path).exists():
            shutil.copyfile(self.quarantine_path, path)
        else:
            path.write_text("", encoding="utf-8")
        return path
