"""Careless and hostile input that reaches the report (issue 11): stray dates, names that are
not file names, label rules that cannot work, and text that would hide or reorder the page."""

import json
import re

import numpy as np
import pandas as pd
import pytest

from negtrend.data import labels, paths
from negtrend.report import examples, index_page, sections
from negtrend.report.html import escape, visible
from negtrend.run import pipeline, runner

BIDI_AND_NUL = "harga \u202eakul ini\u202c murah\x00 \u2067isolate\u2069"


def stray_corpus(folder, seed=1):
    """400 posts Aug 2023 - Mar 2024 (the issue's reproduction), and a copy with two rows
    dated 1985-06-01 and 2100-01-01."""
    rng = np.random.default_rng(seed)
    days = pd.date_range("2023-08-01", "2024-03-31")
    stamps = pd.Series(rng.choice(days, 400)) + pd.to_timedelta(rng.integers(0, 86400, 400),
                                                                unit="s")
    clean = pd.DataFrame({"title": [f"post {i}" for i in range(400)],
                          "date": stamps.dt.strftime("%Y-%m-%dT%H:%M:%S"),
                          "tag": rng.choice(["HOAKS", "", ""], 400)})
    stray = pd.concat([clean, pd.DataFrame({"title": ["old", "future"],
                                            "date": ["1985-06-01", "2100-01-01"],
                                            "tag": ["HOAKS", ""]})], ignore_index=True)
    clean.to_csv(folder / "clean.csv", index=False)
    stray.to_csv(folder / "stray.csv", index=False)
    return folder / "clean.csv", folder / "stray.csv"


def weekly_view(path, **extra):
    prepared = pipeline.prepare(str(path), column_map={"text": "title", "timestamp": "date"},
                                labels_spec={"hoaks": "tag:HOAKS"})
    return prepared, pipeline.election_series(prepared, "pemilu2024", freq="W", **extra)


def test_stray_timestamps_neither_stretch_the_series_nor_move_the_estimate(tmp_path):
    from negtrend.analysis.compare import compare_phases
    from negtrend.report import tables

    clean, stray = stray_corpus(tmp_path)
    _, kept = weekly_view(clean)
    prepared, both = weekly_view(stray)
    assert len(both.series.frame) == len(kept.series.frame) < 40  # not 5,980 weeks
    ratio = {name: compare_phases(built.series, "hoaks").ratio("campaign")
             for name, built in (("clean", kept), ("stray", both))}
    assert ratio["clean"]["estimate"] == ratio["stray"]["estimate"]
    assert ratio["clean"]["ci_low"] == ratio["stray"]["ci_low"]
    # counted and named, not silently dropped
    summary = tables.data_summary(prepared.loaded, both.series)
    assert summary["out_of_span"] == {
        "before": {"n": 1, "first": "1985-06-01", "last": "1985-06-01"},
        "after": {"n": 1, "first": "2100-01-01", "last": "2100-01-01"}}
    assert summary["rows_used"] == 400 and summary["n_kept"] == 402
    table = tables.summary_table(summary).to_dict()["value"]
    assert any("1985-06-01" in str(v) and "2100-01-01" in str(v) for v in table.values())
    written = pd.read_csv(pipeline.write_unused(both.series, tmp_path / "unused.csv"))
    assert written["_row"].tolist() == [401, 402]  # the source records, with their reason
    assert written["reason_code"].tolist() == ["out_of_span", "out_of_span"]
    # the span is a stated choice: no margin means all the data, stray rows and all
    _, everything = weekly_view(stray, span_margin_days=None)
    assert len(everything.series.frame) > 5000


def test_a_stray_date_inside_the_span_opens_a_collection_gap_not_zeros(tmp_path):
    from negtrend.report import sentences, tables

    clean, _ = stray_corpus(tmp_path)
    frame = pd.read_csv(clean)
    frame.loc[len(frame)] = ["early", "2022-10-03", "HOAKS"]  # inside the 730-day margin
    frame.to_csv(tmp_path / "early.csv", index=False)
    prepared, built = weekly_view(tmp_path / "early.csv")
    [gap] = built.series.gaps.itertuples()
    assert gap.start == pd.Timestamp("2022-10-04") and gap.end < pd.Timestamp("2023-08-08")
    assert built.series.frame.loc["2022-10-10":"2023-07-24", "hoaks"].isna().all()
    summary = tables.data_summary(prepared.loaded, built.series)
    lines = sentences.limitations(summary, "labels", {})
    assert any("Collection gaps" in line and "2022-10-04" in line for line in lines)


def test_a_category_name_that_is_not_a_file_name_gets_a_slug_and_keeps_its_name(tmp_path):
    names = ["hoaks/disinformasi", "hoaks-disinformasi", "<img src=x onerror=alert(1)>judi",
             "../../etc/passwd", "hoaks"]
    stems = [paths.file_stem(name) for name in names]
    assert len(set(stems)) == len(names)  # no collisions
    for stem in stems:
        assert "/" not in stem and "<" not in stem and ">" not in stem and ".." not in stem
    assert paths.file_stem("hoaks") == "hoaks"  # plain names keep their file names

    rng = np.random.default_rng(0)
    months = pd.date_range("2017-01-01", "2020-12-01", freq="MS")
    rows = [{"period_start": m.date(), "period_end": (m + pd.offsets.MonthEnd(0)).date(),
             "category": name, "count": int(rng.poisson(50))}
            for name in names[:3] for m in months]
    pd.DataFrame(rows).to_csv(tmp_path / "counts.csv", index=False)
    report = pipeline.trend_report(pipeline.ReportParams(
        data=str(tmp_path / "counts.csv"), election="pemilu2019", power_simulations=5,
        output_dir=str(tmp_path / "out")))
    written = list((tmp_path / "out" / "figures").iterdir())
    assert len(written) > 6 and all(p.parent == tmp_path / "out" / "figures" for p in written)
    metrics = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert sorted(c["category"] for c in metrics["comparisons"]) == sorted(names[:3])
    assert set(report.series.categories) == set(names[:3])


def test_label_errors_name_the_source_record_and_the_rule():
    data = pd.DataFrame({"_row": [7, 9, 12], "flag": ["1", "maybe", "perhaps"]})
    with pytest.raises(labels.LabelError, match=r"record 9 holds 'maybe' \(1 more rows"):
        labels.apply_rules(data, {"hoaks": "flag"})
    with pytest.raises(labels.LabelError, match=r"hoaks=title~\(pemilu.*not a valid regular"):
        labels.rule_columns(labels.parse_rules("hoaks=title~(pemilu"))


def test_bidi_controls_and_nul_are_shown_not_obeyed_and_exports_keep_them(tmp_path):
    shown = visible(BIDI_AND_NUL + " \ud800")  # and a lone surrogate, as JSON can carry
    for hidden in ("\u202e", "\u202c", "\x00", "\u2067", "\u2069", "\ud800"):
        assert hidden not in shown
    assert "[U+202E]" in shown and "[U+0000]" in shown and "[U+D800]" in shown
    shown.encode("utf-8")
    assert visible("plain teks, tab\tand\nnewline") == "plain teks, tab\tand\nnewline"
    assert escape("<b>\u202e</b>") == "&lt;b&gt;[U+202E]&lt;/b&gt;"

    windows = pd.DataFrame({"window": ["campaign"], "start": [pd.Timestamp("2024-01-01")],
                            "end": [pd.Timestamp("2024-02-01")]})
    posts = pd.DataFrame({"date": [pd.Timestamp("2024-01-05")], "text": [BIDI_AND_NUL],
                          "hoaks": [True]})
    items = examples.example_items(posts, ["hoaks"], windows)
    assert items.loc[0, "text"] == BIDI_AND_NUL  # the data keep the original
    page = examples.examples_html(items)
    assert "\u202e" not in page and "\x00" not in page and "[U+202E]" in page
    [table] = sections._table(pd.DataFrame({"text": [BIDI_AND_NUL]},
                                           index=pd.Index([BIDI_AND_NUL], name="x"))),
    assert "\u202e" not in table.to_html() and "[U+202E]" in table.index[0]


def test_the_index_page_neutralizes_bidi_controls(tmp_path):
    run = {"run_key": "r1", "status": "ok", "template": "trend_report.ipynb",
           "parameters": {"data": "x\u202eevil.csv", "election": "pemilu2024\x00"},
           "folder": str(tmp_path / "r1"), "metrics": {}}
    page = index_page.render([run])
    assert "\u202e" not in page and "\x00" not in page and "[U+202E]" in page


@pytest.mark.slow
def test_a_report_on_hostile_text_writes_a_page_without_bidi_controls_or_nul(tmp_path):
    rng = np.random.default_rng(3)
    days = pd.date_range("2023-09-01", "2024-03-31")
    frame = pd.DataFrame({"title": [f"berita {i} " + BIDI_AND_NUL for i in range(300)],
                          "date": pd.Series(rng.choice(days, 300)).dt.strftime("%Y-%m-%d"),
                          "tag": rng.choice(["HOAKS", ""], 300)})
    frame.to_csv(tmp_path / "hostile.csv", index=False)
    outcome = runner.run_report({"data": str(tmp_path / "hostile.csv"),
                                 "column_map": {"text": "title", "timestamp": "date"},
                                 "labels": {"hoaks": "tag:HOAKS"}, "election": "pemilu2024",
                                 "freq": "W", "power_simulations": 5},
                                reports_dir=tmp_path / "reports")
    page = (outcome.folder / "report.html").read_text(encoding="utf-8")
    assert outcome.status == "ok"
    assert "[U+202E]" in page and "\u202e" not in page and "\x00" not in page


def test_a_workbook_of_several_sheets_is_refused_before_a_kernel_unless_a_sheet_is_named(
        tmp_path):
    from typer.testing import CliRunner

    from negtrend.cli import app
    from negtrend.report import tables

    path = tmp_path / "book.xlsx"
    days = pd.date_range("2023-09-01", "2024-03-31", freq="3D").strftime("%Y-%m-%d")
    with pd.ExcelWriter(path) as writer:
        for name, part in (("sept-dec", days[:40]), ("jan-mar", days[40:])):
            pd.DataFrame({"date": part, "text": "berita", "tag": "HOAKS"}).to_excel(
                writer, sheet_name=name, index=False)
    result = CliRunner().invoke(app, ["report", "--data", str(path), "--election", "pemilu2024",
                                      "--label", "hoaks=tag:HOAKS",
                                      "--reports-dir", str(tmp_path / "reports")])
    assert result.exit_code == 2 and "the workbook has 2 sheets" in result.output
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
    runner.check_values({"data": str(path), "sheet": "*", "labels": {"hoaks": "tag:HOAKS"},
                         "election": "pemilu2024"})  # passes: every sheet is read
    prepared = pipeline.prepare(str(path), sheet="*", labels_spec={"hoaks": "tag:HOAKS"})
    built = pipeline.election_series(prepared, "pemilu2024", freq="W")
    table = tables.summary_table(tables.data_summary(prepared.loaded, built.series))
    assert table.loc["sheets read (XLSX)", "value"] == "sept-dec, jan-mar"
    assert prepared.loaded.n_kept == len(days)


def test_power_sentence_never_says_a_fall_to_n_a_times():
    from negtrend.report.sentences import power_sentence

    for lang in ("en", "id"):
        only_up = power_sentence("hoaks", 10.0, float("nan"), 0.8, lang)
        only_down = power_sentence("hoaks", None, 0.6, 0.8, lang)
        both = power_sentence("hoaks", 1.5, 0.6, 0.8, lang)
        for sentence in (only_up, only_down, both):
            assert not re.search(r"\b(n/a|t/a|nan)\b", sentence)
        assert "10" in only_up and ("0.60" in only_down or "0,60" in only_down)
        assert only_up != only_down != both


def test_a_published_variant_that_does_not_exist_is_refused_before_a_kernel():
    params = {"data": "published:kominfo_ais_hoax_monthly", "election": "pemilu2019"}
    runner.check_values({**params, "variant": "revised"})  # a real release passes
    with pytest.raises(runner.ParameterError, match=r"'nope' not in published:kominfo_ais_hoax"
                                                    r"_monthly; available: \['first_release'"):
        runner.check_values({**params, "variant": "nope"})
    with pytest.raises(runner.ParameterError, match="only to published:SERIES"):
        runner.check_values({"data": "posts.csv", "variant": "revised"})
