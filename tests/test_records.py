"""The metrics record: every number the sentences state, valid JSON, byte-identical reruns."""

import json

import pandas as pd

from negtrend.analysis import compare
from negtrend.analysis.effect import row_verdict
from negtrend.data import calendar, series
from negtrend.report import html, records, tables, words
from negtrend.run import runner

from helpers import monthly_counts, windows_frame


def test_sentences_are_escaped_so_corpus_text_cannot_run():
    page = html.sentences_html(['<script>alert(1)</script> & <img src=x onerror=alert(2)>'])
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page and "&amp;" in page


def test_metrics_hold_the_numbers_the_sentences_state_and_are_valid_json(tmp_path):
    counts = monthly_counts("2020-01-01", [10, 14, 12, 30, 36, 33])
    spans = {"before": ("2020-01-01", "2020-03-31"), "campaign": ("2020-04-01", "2020-06-30")}
    flagged = series.flag_windows(series.from_counts(counts), windows_frame(spans))
    comparison = compare.compare_phases(flagged, "hoax")
    election = calendar.Election("e", "An election", "local", "ID", {})

    class Loaded:
        kind = "counts"
        n_kept = 6

        def summary(self):
            return {"source": "x", "kind": "counts", "n_read": 6, "n_kept": 6,
                    "n_quarantined": 0, "accounting_ok": True}

    summary = tables.data_summary(Loaded(), flagged)
    assert summary["rows_used"] == 6 and summary["periods"] == 6
    record = records.trend_metrics(summary, windows_frame(spans), election, [comparison], {},
                                   tmp_path)
    path = runner.record_metrics(record, tmp_path)
    saved = json.loads(path.read_text())
    row = next(r for r in saved["comparisons"][0]["ratios"] if r["window"] == "campaign")
    assert f"{row['estimate']:.2f} times" in " ".join(saved["comparisons"][0]["sentences"])
    assert row["verdict"] == row_verdict(row)
    # notes and the method line are written out in English, not left as codes
    assert row["method"].startswith("negative binomial GLM") or "Poisson" in row["method"]
    assert row["note"] == ""
    # deterministic: the same inputs give byte-identical metrics
    again = runner.record_metrics(record, tmp_path / "again")
    assert again.read_bytes() == path.read_bytes()
    assert words.number(float("nan")) == "n/a"
    assert isinstance(pd.Timestamp(saved["windows"][0]["start"]), pd.Timestamp)
