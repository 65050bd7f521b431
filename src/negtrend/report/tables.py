"""The tables a report shows, built from results: data accounting, windows, ratios,
tagging-error corrections."""

from __future__ import annotations

import pandas as pd

from negtrend.analysis.compare import PhaseComparison
from negtrend.analysis.effect import row_verdict
from negtrend.data.series import SeriesResult
from negtrend.report import lang as languages
from negtrend.report.words import method_text, note_text


def data_summary(loaded, series: SeriesResult) -> dict:
    """Rows read, kept and set aside (at loading and at this frequency), and the date span."""
    summary = dict(loaded.summary())
    unused = series.unused
    summary.update(
        freq=series.freq,
        exposure=series.exposure,
        categories=list(series.categories),
        periods=len(series.frame),
        first_period=series.frame.index.min().strftime("%Y-%m-%d"),
        last_period=series.frame.index.max().strftime("%Y-%m-%d"),
        rows_not_usable_at_freq=len(unused),
        not_usable_reasons=(unused["reason_code"].value_counts().to_dict()
                            if len(unused) else {}),
        rows_used=int(loaded.n_kept - len(unused)) if loaded.kind == "counts"
        else int(loaded.n_kept),
    )
    return summary


def summary_table(summary: dict, lang: str = "en") -> pd.DataFrame:
    """The data accounting as an item/value table."""
    words = languages.get(lang)
    values = [
        summary["source"], summary["kind"], summary["n_read"], summary["n_kept"],
        summary["n_quarantined"], _reasons(summary.get("quarantine_reasons", {})),
        summary["accounting_ok"], summary.get("encoding") or words.NOT_AVAILABLE,
        summary.get("encoding_note") or "", summary["rows_not_usable_at_freq"],
        _reasons(summary["not_usable_reasons"]), summary["rows_used"],
        f"{summary.get('date_min')} .. {summary.get('date_max')}",
        f"{summary['periods']} {words.PERIODS} ({summary['freq']}), "
        f"{summary['first_period']} .. {summary['last_period']}",
        words.EXPOSURE["total" if summary["exposure"] == "total" else "days"],
    ]
    frame = pd.DataFrame({"item": words.SUMMARY_LABELS, "value": values})
    return frame.astype({"value": str}).set_index("item")


def _reasons(reasons: dict) -> str:
    return ", ".join(f"{k}: {v}" for k, v in reasons.items()) or "none"


def window_frame(windows: pd.DataFrame) -> pd.DataFrame:
    out = windows.copy()
    out["start"] = out["start"].dt.strftime("%Y-%m-%d")
    out["end"] = out["end"].dt.strftime("%Y-%m-%d")
    return out.set_index("window")


def figure_measures(series: SeriesResult) -> list[str]:
    """Counts per day always; the share of collected items too when volume is known."""
    if series.has_total and series.categories != ["all_items"]:
        return ["count_per_day", "share"]
    return ["count_per_day"]


def ratio_frame(comparison: PhaseComparison, lang: str = "en") -> pd.DataFrame:
    """The ratio table as a reader wants it: measure, window, ratio, interval, p, verdict."""
    words = languages.get(lang)
    frame = comparison.ratios.copy()
    frame["verdict"] = [row_verdict(row) for _, row in frame.iterrows()]
    frame["measure"] = frame["measure"].map(words.MEASURES)
    frame["primary"] = comparison.ratios["measure"] == comparison.primary_measure
    frame["method"] = [method_text(m, lang) for m in frame["method"]]
    frame["note"] = [note_text(n, lang) for n in frame["note"]]
    columns = ["measure", "primary", "window", "baseline", "estimate", "ci_low", "ci_high",
               "p_value", "verdict", "periods_window", "periods_baseline", "method", "note"]
    return frame[columns].set_index(["measure", "window"])


def file_table(files: list, folder) -> pd.DataFrame:
    """The files a run wrote, relative to its folder."""
    from pathlib import Path

    return pd.DataFrame({"file": [str(Path(p).relative_to(folder)) for p in files]})
