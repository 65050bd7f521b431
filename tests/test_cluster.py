"""The Dask engine (negtrend.corpus.cluster) against the pandas and DuckDB engines on a small
mixed corpus, with a worker killed mid-run, an unreachable scheduler and Dask missing."""

from __future__ import annotations

import gzip
import json
import logging
import os
import sys
import time

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import negtrend
from negtrend.corpus import cluster, engines, store
from negtrend.data import sample, series

pytest.importorskip("distributed")

slow = pytest.mark.slow  # a LocalCluster of two processes starts in a few seconds

CATEGORIES = ["hoaks", "judi_online"]
TEXTS = ["awas hoaks soal pemilu", "situs judi online gacor malam ini", "cuaca cerah hari ini",
         "berita hoaks dan judi online", "rapat warga di balai desa"]
SPAN = ("2024-03-03", "2024-03-08")
BATCH_ROWS = 16  # several batches per file, so quarantine and counts are joined across them


def _corpus(root):
    root.mkdir()
    rows = ["id,timestamp,text"]
    for i in range(70):
        rows.append(f"c{i},2024-03-{1 + i % 9:02d}T{(i * 7) % 24:02d}:15:00Z,{TEXTS[i % 5]}")
    rows[12] = "c11,not a time,awas hoaks"
    rows[30] = "c29,2024-03-04T10:00:00Z,"
    rows[44] = "c43,2024-03-05T10:00:00Z,judi online,extra field"
    (root / "a.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    stamps = pd.date_range("2024-03-02 01:00", periods=95, freq="157min")
    table = pa.table({"id": [f"p{i}" for i in range(95)],
                      "timestamp": pa.array(stamps.to_numpy("datetime64[us]")),
                      "text": [TEXTS[(i * 3) % 5] for i in range(95)]})
    pq.write_table(table, root / "b.parquet", row_group_size=10)
    with gzip.open(root / "c.jsonl.gz", "wt", encoding="utf-8") as handle:
        for i in range(40):
            stamp = f"2024-03-{3 + i % 5:02d}T{i % 24:02d}:00:00+07:00"
            handle.write(json.dumps({"id": f"j{i}", "timestamp": stamp,
                                     "text": TEXTS[(i + 1) % 5]}) + "\n")
    return root


def _settings():
    return engines.settings_for(timezone="Asia/Jakarta", timestamp_format=None,
                                labels_spec=None, classifier="lexicon", categories=CATEGORIES)


def _options(tmp_path, name, **extra):
    return engines.ScaleOptions(cache_dir=str(tmp_path / name), scheduler="local", processes=2,
                                batch_rows=BATCH_ROWS, **extra)


def _streamed(corpus, tmp_path, engine, name, **extra):
    counted, _ = engines.count_corpus(corpus, _settings(), engine=engine,
                                      options=_options(tmp_path, name, **extra))
    return counted


def _summary(counted) -> dict:
    quarantine = pd.read_csv(counted.quarantine_path)
    return {"daily": counted.daily, "n_read": counted.n_read, "n_kept": counted.n_kept,
            "n_quarantined": counted.n_quarantined,
            "reasons": dict(counted.quarantine_reasons), "notes": list(counted.read_notes),
            "quarantine": quarantine[["file", "_row", "reason_code"]],
            "reservoir": counted.reservoir}


def _on_disk(counted, cache) -> dict:
    """What the cache entry's parts hold, counted by DuckDB (not the workers' own sums)."""
    folder = cache / counted.engine["cache_key"]
    return {"daily": store.daily(store.connect(), folder, CATEGORIES, series.ALL_ITEMS),
            "outside": counted.unused_rows(SPAN)}


def _same(got: dict, want: dict) -> None:
    pd.testing.assert_frame_equal(got["daily"], want["daily"])
    pd.testing.assert_frame_equal(got["quarantine"], want["quarantine"])
    pd.testing.assert_frame_equal(got["reservoir"].reset_index(drop=True),
                                  want["reservoir"].reset_index(drop=True))
    for key in ("n_read", "n_kept", "n_quarantined", "reasons", "notes"):
        assert got[key] == want[key], key


def _same_parts(got, got_cache, want, want_cache) -> None:
    """The parts hold every kept row once: a unit run twice replaced its part."""
    on_disk, wanted = _on_disk(got, got_cache), _on_disk(want, want_cache)
    pd.testing.assert_frame_equal(on_disk["daily"], wanted["daily"])
    pd.testing.assert_frame_equal(on_disk["daily"], got.daily)
    pd.testing.assert_frame_equal(on_disk["outside"], wanted["outside"])
    assert len(wanted["outside"]) > 0


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The corpus and what the DuckDB engine makes of it (the reference)."""
    tmp = tmp_path_factory.mktemp("cluster")
    corpus = _corpus(tmp / "corpus")
    return corpus, tmp, _streamed(corpus, tmp, "duckdb", "cache-duckdb")


@slow
def test_dask_matches_pandas_and_duckdb(built, monkeypatch):
    corpus, tmp, reference = built
    monkeypatch.setattr(cluster.scan, "CHUNK_ROWS", 25)
    units, broken = cluster.plan(engines.inputs.expand(corpus), cluster.scan.CHUNK_ROWS)
    assert [u.item.format for u in units].count("parquet") == 4 and not broken
    got = _streamed(corpus, tmp, "dask", "cache-dask")
    want = _summary(reference)
    _same(_summary(got), want)
    _same_parts(got, tmp / "cache-dask", reference, tmp / "cache-duckdb")
    assert want["n_quarantined"] == 3 and want["n_read"] == 70 + 95 + 40
    assert set(want["reasons"]) >= {"bad_timestamp"}
    assert len(want["reservoir"]) > 0
    assert got.engine["name"] == "dask" and reference.engine["name"] == "duckdb"
    assert sorted(got.read_notes) == sorted(reference.read_notes)

    loaded, _ = engines.count_corpus(corpus, _settings(), engine="pandas")
    daily = series.daily_counts(loaded.data, CATEGORIES)
    pd.testing.assert_frame_equal(got.daily, daily)
    assert (loaded.n_read, len(loaded.data), len(loaded.quarantine)) == \
        (got.n_read, got.n_kept, got.n_quarantined)
    assert loaded.quarantine["reason_code"].value_counts().to_dict() == \
        got.quarantine_reasons
    pandas_examples = sample.reservoir(loaded.data, CATEGORIES, 3, 0)
    pd.testing.assert_frame_equal(got.reservoir.reset_index(drop=True),
                                  pandas_examples.reset_index(drop=True))

    entry = tmp / "cache-dask" / got.engine["cache_key"]
    parts = sorted(p.name for p in entry.glob("tagged-*.parquet"))
    assert len(parts) == 2 + 4 and not list(entry.glob(".*"))
    for part in parts:
        assert pq.read_schema(entry / part).equals(engines.scan.tagged_schema(_settings()))
    assert (entry / "quarantine.csv").read_bytes() == \
        reference.quarantine_path.read_bytes()


@slow
def test_a_worker_killed_mid_run_changes_nothing(built, monkeypatch):
    corpus, tmp, reference = built
    marks = tmp / "marks"
    marks.mkdir()
    real = cluster.scan_unit

    def dies_once(unit, *args):
        """The first unit to start kills its worker after writing its part, before it
        reports back: the scheduler must rerun it on a live worker."""
        from negtrend.corpus import cluster as here

        out = here.scan_unit(unit, *args)
        with open(marks / "runs.txt", "a") as log:
            log.write(f"{unit.part} {os.getpid()}\n")
        try:
            fd = os.open(marks / "killed", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        except FileExistsError:
            return out
        os.write(fd, f"{unit.part} {os.getpid()}".encode())
        os.close(fd)
        os._exit(1)

    monkeypatch.setattr(cluster, "scan_unit", dies_once)
    restarts = _Records()
    nanny = logging.getLogger("distributed.nanny")
    nanny.addHandler(restarts)
    try:
        got = _streamed(corpus, tmp, "dask", "cache-killed")
    finally:
        nanny.removeHandler(restarts)
    assert real is not dies_once
    killed_part, pid = (marks / "killed").read_text().split()
    runs = [line.split() for line in (marks / "runs.txt").read_text().splitlines()]
    assert [part for part, _ in runs].count(killed_part) == 2
    assert any(p != pid for part, p in runs if part == killed_part)
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid), 0)
    assert any("Restarting worker" in message for message in restarts.messages)
    _same(_summary(got), _summary(reference))
    _same_parts(got, tmp / "cache-killed", reference, tmp / "cache-duckdb")


class _Records(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _damaged(corpus, folder):
    """The corpus plus two Parquet files damaged after their columns were read: one in a data
    page (found by a worker), one in its footer (found while planning the units)."""
    folder.mkdir()
    for name in ("a.csv", "b.parquet", "c.jsonl.gz"):
        (folder / name).write_bytes((corpus / name).read_bytes())
    table = pq.read_table(corpus / "b.parquet")
    pq.write_table(table, folder / "d.parquet", row_group_size=10, compression="none")
    files = engines.inputs.expand(folder)
    mappings = engines.inputs.mappings(files)
    page = bytearray((folder / "d.parquet").read_bytes())
    page[40:400] = b"\xff" * 360
    (folder / "d.parquet").write_bytes(bytes(page))
    footer = (folder / "b.parquet").read_bytes()
    (folder / "b.parquet").write_bytes(footer[:-200] + b"\0" * 196 + b"PAR1")
    return files, mappings


@slow
def test_keep_going_drops_a_damaged_file_whole(built, tmp_path, monkeypatch):
    corpus, _, reference = built
    monkeypatch.setattr(cluster.scan, "CHUNK_ROWS", 25)
    files, mappings = _damaged(corpus, tmp_path / "damaged")
    with pytest.raises(engines.LoadError, match="b.parquet"):  # before the cluster starts
        cluster.scan_cluster(files, mappings, _settings(), tmp_path, _options(tmp_path, "x"))
    with pytest.raises(engines.LoadError, match="d.parquet") as caught:  # on a worker
        cluster.scan_cluster(files[2:], mappings, _settings(), tmp_path,
                             _options(tmp_path, "x"))
    assert "d.parquet: not a readable Parquet file" in str(caught.value)
    work = tmp_path / "work"
    work.mkdir()
    totals = cluster.scan_cluster(files, mappings, _settings(), work,
                                  _options(tmp_path, "x", keep_going=True))
    assert [f.split(":")[0] for f in totals.failed] == [str(files[1].path), str(files[3].path)]
    assert totals.n_read == 70 + 40
    assert sorted(p.name for p in work.glob("tagged-*")) == [
        "tagged-000000-0000.parquet", "tagged-000002-0000.parquet"]
    assert sorted(p.name for p in work.glob("quarantine-*")) == ["quarantine-000000.csv"]
    daily = pd.read_parquet(work / store.DAILY)
    assert daily["total"].sum() == 70 + 40 - reference.n_quarantined


def test_unreachable_scheduler_is_named_quickly(tmp_path, monkeypatch):
    monkeypatch.setattr(cluster, "CONNECT_SECONDS", 3)
    began = time.monotonic()
    options = engines.ScaleOptions(cache_dir=str(tmp_path), scheduler="tcp://127.0.0.1:9")
    with pytest.raises(store.ScaleError, match=r"tcp://127\.0\.0\.1:9") as caught:
        cluster.scan_cluster([], {}, _settings(), tmp_path, options)
    assert time.monotonic() - began < 20
    assert "within 3 s" in str(caught.value)
    assert "\n" not in str(caught.value)
    with pytest.raises(store.ScaleError, match="not a scheduler address"):
        cluster.scan_cluster([], {}, _settings(), tmp_path,
                             engines.ScaleOptions(scheduler="http://127.0.0.1:9"))


def test_missing_dask_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(store.ScaleError, match=r'pip install "negtrend\[dask\]"'):
        cluster.scan_cluster([], {}, _settings(), tmp_path, _options(tmp_path, "x"))


def test_a_worker_without_the_shared_folders_is_named(tmp_path):
    readable = tmp_path / "posts.csv"
    readable.write_text("id,timestamp,text\n", encoding="utf-8")
    version, problem = cluster.worker_check(str(tmp_path), str(readable))
    assert version == negtrend.__version__ and problem is None
    assert "cannot write" in cluster.worker_check(str(tmp_path / "absent"), str(readable))[1]
    assert "cannot read" in cluster.worker_check(str(tmp_path), str(tmp_path / "no.csv"))[1]
