"""The tables and the metrics record a report shows, built from results (no printing).

Every number a report states passes through :func:`metrics`, which is what ``metrics.json``
holds, so a figure in a paper can be traced to its run.
"""

from __future__ import annotations

import html
from pathlib import Path

import pandas as pd

from negtrend.analysis.stats import MEASURES, PhaseComparison, verdict
from negtrend.data.calendar import Election
from negtrend.data.paths import source_label
from negtrend.data.series import SeriesResult
from negtrend.jsonable import jsonable


def choose_categories(categories: list[str] | None, labels: dict | None,
                      classifier: str | None) -> list[str] | None:
    """The categories a report compares: those asked for, else the pre-assigned labels, else
    the classifier's, else None (every category in counts; all items for posts)."""
    if categories:
        return list(categories)
    if labels:
        from negtrend.data import labels as label_rules

        return list(label_rules.parse_rules(labels))
    if classifier:
        from negtrend.tagging import classify

        return classify.backend_categories(classifier)
    return None


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


SUMMARY_LABELS = {
    "en": ["source", "kind", "rows read", "rows kept", "rows quarantined (see quarantine.csv)",
           "quarantine reasons", "kept + quarantined == read", "encoding", "encoding note",
           "rows not usable at this frequency", "reasons", "rows used in the series",
           "dates in the data", "series", "exposure"],
    "id": ["sumber", "jenis", "baris dibaca", "baris dipakai",
           "baris dikarantina (lihat quarantine.csv)", "alasan karantina",
           "dipakai + dikarantina == dibaca", "pengodean", "catatan pengodean",
           "baris tak terpakai pada frekuensi ini", "alasan", "baris dipakai dalam deret",
           "tanggal dalam data", "deret", "eksposur"],
}
EXPOSURE_TEXT = {
    "en": {"total": "items collected per period (total)",
           "days": "observed days only (collection volume unknown)"},
    "id": {"total": "item yang dikumpulkan per periode (total)",
           "days": "hanya hari pengamatan (volume pengumpulan tidak diketahui)"},
}


def summary_table(summary: dict, lang: str = "en") -> pd.DataFrame:
    """The data accounting as an item/value table."""
    periods = {"en": "periods", "id": "periode"}[lang]
    values = [
        summary["source"], summary["kind"], summary["n_read"], summary["n_kept"],
        summary["n_quarantined"], _reasons(summary.get("quarantine_reasons", {})),
        summary["accounting_ok"], summary.get("encoding") or "n/a",
        summary.get("encoding_note") or "", summary["rows_not_usable_at_freq"],
        _reasons(summary["not_usable_reasons"]), summary["rows_used"],
        f"{summary.get('date_min')} .. {summary.get('date_max')}",
        f"{summary['periods']} {periods} ({summary['freq']}), "
        f"{summary['first_period']} .. {summary['last_period']}",
        EXPOSURE_TEXT[lang]["total" if summary["exposure"] == "total" else "days"],
    ]
    frame = pd.DataFrame({"item": SUMMARY_LABELS[lang], "value": values})
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


def figure_title(election: Election, data: str, measure: str, lang: str = "en") -> str:
    from negtrend.analysis.effect import MEASURE_NAMES

    around = {"en": "around", "id": "di sekitar"}[lang]
    return f"{source_label(data)} {around} {election.id}: {MEASURE_NAMES[lang][measure]}"


INTRO = {
    "en": ("negtrend trend report",
           "Rendered by negtrend report from a notebook template. Every number below is also in "
           "metrics.json; the parameters, input hashes, package versions and git commit are in "
           "run.json."),
    "id": ("Laporan tren negtrend",
           "Dibuat oleh negtrend report dari templat notebook. Setiap angka di bawah juga ada di "
           "metrics.json; parameter, hash masukan, versi paket, dan commit git ada di "
           "run.json."),
}


def subheading_html(text: str) -> str:
    return f"<h3>{html.escape(str(text))}</h3>"


def intro_html(lang: str = "en") -> str:
    title, body = INTRO[lang]
    return f"<h1>{html.escape(title)}</h1><p>{html.escape(body)}</p>"


def ratio_frame(comparison: PhaseComparison) -> pd.DataFrame:
    """The ratio table as a reader wants it: measure, window, ratio, interval, p, verdict."""
    frame = comparison.ratios.copy()
    frame["verdict"] = [verdict(row) for _, row in frame.iterrows()]
    frame["measure"] = frame["measure"].map(MEASURES)
    frame["primary"] = comparison.ratios["measure"] == comparison.primary_measure
    columns = ["measure", "primary", "window", "baseline", "estimate", "ci_low", "ci_high",
               "p_value", "verdict", "periods_window", "periods_baseline", "method", "note"]
    return frame[columns].set_index(["measure", "window"])


def metrics(summary: dict, windows: pd.DataFrame, election: Election,
            comparisons: list[PhaseComparison], figures: dict, output_dir: Path,
            claim=None, claim_comparisons: list[PhaseComparison] | None = None,
            lang: str = "en", effects: dict | None = None,
            adjusted: pd.DataFrame | None = None, claim_checks: dict | None = None,
            limitations: list[str] | None = None, corrected: dict | None = None) -> dict:
    """The whole record of a report's numbers; deterministic for the same inputs.

    ``effects`` maps category -> {name: EffectResult or PowerResult} (ITS, placebo,
    changepoints, power); each is stored with its ``to_dict()``.
    """
    from negtrend.report import text

    output_dir = Path(output_dir)
    records = []
    for comparison in comparisons:
        record = comparison.to_dict()
        for row in record["ratios"]:
            row["verdict"] = verdict(row)
        record["sentences"] = text.comparison_sentences(comparison, lang)
        records.append(record)
    claim_record = None
    if claim is not None:
        claim_record = {
            "id": claim.id, "direction": claim.direction, "phase": claim.phase,
            "baseline": claim.baseline, "source": claim.source,
            "assessments": [
                {k: v for k, v in item.items() if k != "row"}
                | {"estimate": (item["row"] or {}).get("estimate"),
                   "ci_low": (item["row"] or {}).get("ci_low"),
                   "ci_high": (item["row"] or {}).get("ci_high"),
                   "p_value": (item["row"] or {}).get("p_value")}
                for item in text.claim_assessments(claim, claim_comparisons or [], claim_checks)
            ],
            "sentences": text.claim_sentences(claim, claim_comparisons or [], lang,
                                              claim_checks),
        }
    return jsonable({
        "lang": lang,
        "election": {"id": election.id, "name": election.name},
        "claim": claim_record,
        "windows": window_frame(windows).reset_index().to_dict(orient="records"),
        "data": summary,
        "comparisons": records,
        "adjusted_across_categories": ([] if adjusted is None
                                       else adjusted.to_dict(orient="records")),
        "effects": {category: {name: result.to_dict() for name, result in found.items()
                               if result is not None}
                    for category, found in (effects or {}).items()},
        "limitations": list(limitations or []),
        "tagging_error": {category: table.to_dict(orient="records")
                          for category, table in (corrected or {}).items()},
        "figures": sorted(str(Path(p).relative_to(output_dir)) for paths in figures.values()
                          for p in paths),
    })


def tagging_kind(kind: str, labels: dict | None, classifier: str | None) -> str:
    """How items came to be counted: published counts, source labels, lexicon, model or none."""
    if kind == "counts":
        return "counts"
    if classifier:
        return "lexicon" if classifier == "lexicon" else "model"
    return "labels" if labels else "none"


def section_html(name: str, lang: str = "en") -> str:
    from negtrend.report import text

    return f"<h2>{html.escape(text.section(name, lang))}</h2>"


def sentences_html(sentences: list[str]) -> str:
    """A bulleted list for the notebook; every sentence escaped, so text from a corpus or a
    config file is shown as text and never run as markup."""
    items = "".join(f"<li>{html.escape(s)}</li>" for s in sentences)
    return f'<ul class="negtrend-sentences">{items}</ul>'


def heading_html(election: Election, data: str, lang: str = "en") -> str:
    words = {"en": ("Data", "election id"), "id": ("Data", "id pemilu")}[lang]
    return (f"<h2>{html.escape(election.name)}</h2><p>{words[0]}: "
            f"<code>{html.escape(source_label(data))}</code> &middot; {words[1]} "
            f"<code>{html.escape(election.id)}</code></p>")


# --- across runs (notebooks/cross_election.ipynb) -----------------------------------------

REPORT_TEMPLATE = "trend_report.ipynb"


def trend_runs(reports_dir) -> list[dict]:
    """Finished trend-report runs under ``reports_dir`` with their metrics (nothing else is
    read: the cross-election view is built from recorded numbers only)."""
    from negtrend.run import runner

    return [run for run in runner.load_runs(reports_dir)
            if run.get("template") == REPORT_TEMPLATE and run.get("status") == "ok"
            and run["metrics"].get("comparisons")]


def cross_election_rows(records: list[dict], window: str = "campaign") -> pd.DataFrame:
    """One row per run x category: the ``window`` rate ratio on each run's primary measure,
    with its interval, verdict, data source and run folder; ordered by election then data."""
    from negtrend.report import plots

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


def cross_election_intro_html(runs: int, window: str, lang: str = "en") -> str:
    from negtrend.analysis.effect import WINDOW_NAMES

    name = WINDOW_NAMES[lang].get(window, window)
    text = {"en": (f"Rate ratios ({name} against each run's baseline) from the metrics.json "
                   f"of {runs} earlier report run(s); nothing is recomputed."),
            "id": (f"Rasio laju ({name} dibanding pembanding tiap laporan) dari metrics.json "
                   f"{runs} laporan sebelumnya; tidak ada yang dihitung ulang.")}[lang]
    title = {"en": "Across elections", "id": "Antarpemilu"}[lang]
    return f"<h1>{html.escape(title)}</h1><p>{html.escape(text)}</p>"


def cross_election_metrics(rows: pd.DataFrame, window: str, lang: str, output_dir,
                           figures: dict) -> dict:
    output_dir = Path(output_dir)
    return jsonable({
        "lang": lang,
        "window": window,
        "rows": rows.to_dict(orient="records"),
        "figures": sorted(str(Path(p).relative_to(output_dir)) for paths in figures.values()
                          for p in paths),
    })


def corrected_shares(comparison: PhaseComparison, rates: dict, alpha: float = 0.05
                     ) -> pd.DataFrame:
    """Per window: the tagged share and the share corrected for tagging error (precision and
    recall from an annotated sample, ``negtrend evaluate --gold``, or entered by the user:
    ``{"precision", "recall", "n_precision", "n_recall"}``), with the interval that carries
    the tagger's own uncertainty (``tagging_error.corrected_share``)."""
    from negtrend.analysis.tagging_error import corrected_share

    missing = {"precision", "recall", "n_precision", "n_recall"} - set(rates)
    if missing:
        raise ValueError(f"tagging_error for {comparison.category}: missing {sorted(missing)}")
    rows = []
    for _, row in comparison.phase_table.iterrows():
        if not (row["total"] > 0 and row["count"] > 0):
            continue
        share = corrected_share(int(row["count"]), int(row["total"]), rates["precision"],
                                rates["recall"], rates["n_precision"], rates["n_recall"], alpha)
        rows.append({"window": row["window"], **share.to_dict()})
    return pd.DataFrame(rows, columns=["window", "observed", "corrected", "ci_low", "ci_high",
                                       "naive_ci_low", "naive_ci_high"])
