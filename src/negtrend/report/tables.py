"""The tables a report shows, built from results: data accounting, windows, ratios,
tagging-error corrections."""

from __future__ import annotations

import pandas as pd

from negtrend.analysis.compare import PhaseComparison
from negtrend.analysis.effect import row_verdict
from negtrend.data.series import SeriesResult
from negtrend.report import lang as languages
from negtrend.report.words import method_text, note_text

STABLE_ENGINE_FIELDS = ("name", "asked", "scan", "files", "files_failed")


def data_summary(loaded, series: SeriesResult, engine: dict | None = None) -> dict:
    """Rows read, kept and set aside (at loading, outside the analysis span, at this
    frequency), the date span, the collection gaps, and the engine that read the data."""
    summary = dict(loaded.summary())
    used = engine or summary.get("engine") or {"name": "pandas"}
    # what read the data, not how long it took nor whether a cache was hit: the record of a
    # report is the same on every rerun (the run's engine.json and run.json keep the rest)
    summary["engine"] = {key: used[key] for key in STABLE_ENGINE_FIELDS if key in used}
    unused = series.unused
    summary.update(
        analysis_span=None if series.span is None else [_day(d) for d in series.span],
        out_of_span=out_of_span(series),
        gaps=[{"start": _day(g.start), "end": _day(g.end), "days": int(g.days)}
              for g in series.gaps.itertuples()],
        freq=series.freq,
        exposure=series.exposure,
        categories=list(series.categories),
        periods=len(series.frame),
        first_period=series.frame.index.min().strftime("%Y-%m-%d"),
        last_period=series.frame.index.max().strftime("%Y-%m-%d"),
        rows_not_usable_at_freq=len(unused),
        not_usable_reasons=(unused["reason_code"].value_counts().to_dict()
                            if len(unused) else {}),
        rows_used=int(loaded.n_kept - len(unused)),
    )
    return summary


def _day(value) -> str:
    return pd.Timestamp(value).strftime("%Y-%m-%d")


def out_of_span(series: SeriesResult) -> dict:
    """Rows dated before and after the analysis span: how many, and their first and last date
    (so a stray 1985 or 2100 is named, not hidden in a count)."""
    unused = series.unused
    if series.span is None or not len(unused):
        return {}
    rows = unused[unused["reason_code"] == "out_of_span"]
    dates = pd.to_datetime(rows["date"] if "date" in rows else rows["period_start"])
    found = {}
    for side, mask in (("before", dates < series.span[0]), ("after", dates >= series.span[0])):
        if mask.any():
            found[side] = {"n": int(mask.sum()), "first": _day(dates[mask].min()),
                           "last": _day(dates[mask].max())}
    return found


def summary_table(summary: dict, lang: str = "en") -> pd.DataFrame:
    """The data accounting as an item/value table."""
    words = languages.get(lang)
    values = [
        summary["source"], summary["kind"], summary["n_read"], summary["n_kept"],
        summary["n_quarantined"], _reasons(summary.get("quarantine_reasons", {})),
        summary["accounting_ok"], summary.get("encoding") or words.NOT_AVAILABLE,
        summary.get("encoding_note") or "",
        ", ".join(summary["sheets"]) if summary.get("sheets") else words.NOT_AVAILABLE,
        "; ".join(summary.get("read_notes") or []) or words.NONE,
        summary["rows_not_usable_at_freq"],
        _reasons(summary["not_usable_reasons"]), summary["rows_used"],
        f"{summary.get('date_min')} .. {summary.get('date_max')}",
        f"{summary['periods']} {words.PERIODS} ({summary['freq']}), "
        f"{summary['first_period']} .. {summary['last_period']}",
        words.EXPOSURE["total" if summary["exposure"] == "total" else "days"],
        _span(summary.get("analysis_span"), words),
        outside_text(summary.get("out_of_span") or {}, lang),
        gaps_text(summary.get("gaps") or [], lang),
    ]
    frame = pd.DataFrame({"item": words.SUMMARY_LABELS, "value": values})
    return frame.astype({"value": str}).set_index("item")


def _span(span, words) -> str:
    return words.SPAN_ALL_DATA if span is None else f"{span[0]} .. {span[1]}"


def outside_text(outside: dict, lang: str = "en") -> str:
    """'before the span: 1 dated 1985-06-01; after the span: ...' in the report's
    language."""
    words = languages.get(lang)
    parts = []
    for side, found in outside.items():
        dates = found["first"] if found["first"] == found["last"] else \
            f"{found['first']} .. {found['last']}"
        parts.append(words.OUT_OF_SPAN[side].format(n=found["n"], dates=dates))
    return "; ".join(parts) or words.NONE


def gaps_text(gaps: list, lang: str = "en") -> str:
    words = languages.get(lang)
    return "; ".join(words.GAP.format(**gap) for gap in gaps) or words.NONE


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
