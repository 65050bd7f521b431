"""A whole report over a corpus folder, as a user runs it, on two engines: the same numbers,
and the run records which engine read the data."""

from __future__ import annotations

import json

import pytest
from tests.test_engines import write_corpus
from typer.testing import CliRunner

from negtrend.cli import app

pytestmark = pytest.mark.slow


def report(data, engine, reports, cache):
    result = CliRunner().invoke(app, [
        "report", "--data", str(data), "--election", "pemilu2024", "--freq", "W",
        "--map", "timestamp=created,text=body", "--classifier", "lexicon",
        "--category", "hoaks", "--category", "judi_online", "--engine", engine,
        "-p", "power_simulations=0", "--reports-dir", str(reports)],
        env={"NEGTREND_CACHE": str(cache)})
    assert result.exit_code == 0, result.output
    folder = next(p for p in reports.iterdir() if p.is_dir() and not p.name.startswith("."))
    return folder


def test_a_report_over_a_corpus_folder_is_the_same_on_pandas_and_duckdb(tmp_path):
    data = write_corpus(tmp_path / "posts", rows_per_file=20_000)
    runs = {engine: report(data, engine, tmp_path / engine, tmp_path / "cache")
            for engine in ("pandas", "duckdb")}
    metrics = {e: json.loads((f / "metrics.json").read_text()) for e, f in runs.items()}
    records = {e: json.loads((f / "run.json").read_text()) for e, f in runs.items()}
    for engine in runs:
        assert records[engine]["status"] == "ok"
        assert records[engine]["engine"]["name"] == engine
        assert metrics[engine]["data"]["engine"]["name"] == engine
        assert len(records[engine]["inputs"]) == 3  # every file of the corpus is hashed
    a, b = metrics["pandas"], metrics["duckdb"]
    for key in ("n_read", "n_kept", "n_quarantined", "quarantine_reasons", "rows_used",
                "out_of_span", "periods", "gaps"):
        assert a["data"][key] == b["data"][key], key
    assert a["comparisons"] == b["comparisons"]
    assert a["effects"] == b["effects"]
    quarantined = (runs["duckdb"] / "quarantine.csv").read_text(encoding="utf-8")
    assert quarantined.count("\n") == 1 + b["data"]["n_quarantined"]  # header + one line a row
    assert "a_x.csv" in quarantined and "bad_timestamp" in quarantined
    shown = [sorted(set(_example_texts(f))) for f in runs.values()]
    assert shown[0] == shown[1] and len(shown[0]) >= 6


def _example_texts(folder):
    import re

    page = (folder / "report.html").read_text(encoding="utf-8")
    return re.findall(r"<td>([^<]*#\d+)</td>", page)


def test_a_rerun_from_the_cache_writes_the_same_metrics_and_says_it_hit(tmp_path):
    data = write_corpus(tmp_path / "posts", rows_per_file=5_000)
    folder = report(data, "duckdb", tmp_path / "r", tmp_path / "cache")
    first = (folder / "metrics.json").read_bytes()
    assert json.loads((folder / "run.json").read_text())["engine"]["cache"] == "built"
    folder = report(data, "duckdb", tmp_path / "r", tmp_path / "cache")
    assert (folder / "metrics.json").read_bytes() == first  # no timing, no cache state in it
    assert json.loads((folder / "run.json").read_text())["engine"]["cache"] == "hit"
    assert json.loads((folder / "engine.json").read_text())["cache"] == "hit"
