"""Every engine gives the same counts, quarantine and examples; the cache is never stale.

The corpus (about 200k rows) is made here: a CSV with UTC offsets and bad rows, a gzipped
JSONL, and a Parquet file with naive local times in several row groups, so the engines meet
several files, two time-zone rules and every quarantine path.
"""

from __future__ import annotations

import gzip
import json
import shutil

import numpy as np
import pandas as pd
import pytest

from negtrend.corpus import cache, engines, inputs
from negtrend.corpus.engines import ScaleOptions
from negtrend.data import calendar, loading, series
from negtrend.data.daily import DailyCounts
from negtrend.data.errors import LoadError
from negtrend.errors import NegtrendError
from negtrend.report import examples

WORDS = ["yang", "dan", "di", "ini", "itu", "kabar", "warga", "kota", "jalan", "pasar", "harga",
         "beras", "rapat", "debat", "suara", "calon", "partai"]
NEGATIVE = ["ini hoaks jangan percaya", "situs judi slot gacor maxwin", "berita bohong hoax",
            "link sl0t g4cor deposit pulsa", "fitnah terhadap calon"]
CATEGORIES = ["hoaks", "judi_online"]


def _texts(rng, n: int, start: int) -> list[str]:
    words = rng.choice(WORDS, size=(n, 9))
    texts = [" ".join(row) + f" #{start + i}" for i, row in enumerate(words)]
    for i in np.flatnonzero(rng.random(n) < 0.05):
        texts[i] = NEGATIVE[i % len(NEGATIVE)] + " " + texts[i]
    return texts


def _stamps(rng, n: int) -> pd.DatetimeIndex:
    hours = rng.integers(0, 900 * 24, n)  # 2023-06 .. 2025-12, around pemilu2024
    return pd.Timestamp("2023-06-01") + pd.to_timedelta(hours, unit="h")


def write_corpus(folder, rows_per_file: int = 66_000, seed: int = 1):
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    n = rows_per_file
    a = pd.DataFrame({"created": _stamps(rng, n).strftime("%Y-%m-%dT%H:%M:%SZ"),
                      "body": _texts(rng, n, 0), "platform": "x"})
    a.loc[10, "created"] = "kemarin sore"  # bad_timestamp
    a.loc[11, "body"] = "   "  # missing_text
    a.loc[12, "created"] = ""  # missing_timestamp
    a.loc[13, "created"] = "9999-01-01"  # timestamp_out_of_range
    a.loc[14, "created"] = "1985-06-01T00:00:00Z"  # kept, far outside the span
    text = a.to_csv(index=False)
    lines = text.splitlines(keepends=True)
    lines.insert(20, "2024-01-01T00:00:00Z,too,many,fields\n")  # bad_fields
    (folder / "a_x.csv").write_text("".join(lines), encoding="utf-8")
    b = pd.DataFrame({"created": _stamps(rng, n).strftime("%Y-%m-%d %H:%M:%S"),
                      "body": _texts(rng, n, n), "platform": "youtube"})
    b.to_parquet(folder / "b_youtube.parquet", row_group_size=10_000)
    c = pd.DataFrame({"created": _stamps(rng, n).strftime("%Y-%m-%dT%H:%M:%S+07:00"),
                      "body": _texts(rng, n, 2 * n)})
    with gzip.open(folder / "c_telegram.jsonl.gz", "wt", encoding="utf-8") as handle:
        for i, record in enumerate(c.to_dict(orient="records")):
            handle.write("{not json\n" if i == 50 else json.dumps(record) + "\n")
    return folder


MAP = {"timestamp": "created", "text": "body"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    return write_corpus(tmp_path_factory.mktemp("corpus") / "posts")


def settings(**changes):
    base = dict(timezone="Asia/Jakarta", timestamp_format=None, labels_spec=None,
                classifier="lexicon", categories=CATEGORIES, seed=3, examples=3)
    return engines.settings_for(**{**base, **changes})


def run(data, engine, cache_dir, **options):
    loaded, used = engines.count_corpus(str(data), settings(), engine=engine, column_map=MAP,
                                        options=ScaleOptions(cache_dir=str(cache_dir),
                                                             **options))
    return loaded, used


def daily_of(loaded) -> pd.DataFrame:
    if isinstance(loaded, DailyCounts):
        return loaded.daily
    return series.daily_counts(loaded.data, CATEGORIES)


def quarantine_of(loaded, tmp_path) -> pd.DataFrame:
    if isinstance(loaded, DailyCounts):
        frame = pd.read_csv(loaded.write_quarantine(tmp_path / "q.csv"), dtype=str)
    else:
        frame = loaded.quarantine.astype(str)
    return frame[["file", "_row", "reason_code"]].astype(str).reset_index(drop=True)


def examples_of(loaded) -> pd.DataFrame:
    info = calendar.get_election("pemilu2024")
    windows = calendar.windows(info)
    if isinstance(loaded, DailyCounts):
        return examples.from_reservoir(loaded.reservoir, CATEGORIES, windows, 3)
    return examples.example_items(loaded.data, CATEGORIES, windows, 3, seed=3)


def election_series(loaded):
    windows = calendar.windows(calendar.get_election("pemilu2024"))
    return series.build_series(loaded, freq="W", categories=CATEGORIES, windows=windows,
                               span=series.analysis_span(windows))


@pytest.fixture(scope="module")
def by_engine(corpus, tmp_path_factory):
    folder = tmp_path_factory.mktemp("cache")
    return {name: run(corpus, name, folder / name, processes=2)[0]
            for name in ("pandas", "duckdb")}


def test_every_engine_counts_the_same(by_engine, tmp_path):
    pandas, duck = by_engine["pandas"], by_engine["duckdb"]
    assert isinstance(duck, DailyCounts) and not isinstance(pandas, DailyCounts)
    pd.testing.assert_frame_equal(daily_of(pandas), daily_of(duck))
    assert pandas.n_read == duck.n_read == 3 * 66_000 + 1  # + the ragged record
    assert pandas.n_kept == duck.n_kept
    assert pandas.n_kept + pandas.n_quarantined == pandas.n_read
    assert pandas.summary()["quarantine_reasons"] == duck.summary()["quarantine_reasons"] == {
        "bad_fields": 1, "bad_json": 1, "bad_timestamp": 1, "missing_text": 1,
        "missing_timestamp": 1, "timestamp_out_of_range": 1}
    pd.testing.assert_frame_equal(quarantine_of(pandas, tmp_path), quarantine_of(duck, tmp_path))
    assert daily_of(duck)[CATEGORIES].sum().min() > 500  # the tagger really ran


def test_every_engine_gives_the_same_series_unused_rows_and_examples(by_engine):
    pandas, duck = by_engine["pandas"], by_engine["duckdb"]
    a, b = election_series(pandas), election_series(duck)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    pd.testing.assert_frame_equal(a.gaps, b.gaps)
    assert len(a.unused) == len(b.unused) >= 1  # the 1985 post is outside the span
    assert list(a.unused["_row"]) == list(b.unused["_row"])
    assert list(a.unused["reason"]) == list(b.unused["reason"])
    ex_a, ex_b = examples_of(pandas), examples_of(duck)
    assert len(ex_a) == 2 * 5 * 3 - 0 or len(ex_a) >= 20
    pd.testing.assert_frame_equal(ex_a, ex_b)


def test_each_files_time_zone_rule_is_stated(by_engine):
    for loaded in by_engine.values():
        notes = " | ".join(loaded.summary()["read_notes"])
        assert "a_x.csv: 65,996 timestamps carried an offset" in notes
        assert "b_youtube.parquet: 66,000 timestamps had no offset and were read as local " \
               "time in Asia/Jakarta" in notes
        assert "c_telegram.jsonl.gz: 65,999 timestamps carried an offset" in notes


def test_examples_do_not_depend_on_how_the_corpus_was_split(corpus, tmp_path, monkeypatch):
    """Bottom-k by a seeded hash: batches of 5,000 rows or of 65,536, one process or two,
    Parquet row groups read by the workers or sent by the main process, give the same
    counts and reservoir, and the reservoir differs with the seed."""
    large, _ = run(corpus, "duckdb", tmp_path / "c2", processes=2)
    monkeypatch.setattr(engines, "GROUP_ROWS", 0)  # every Parquet batch sent as IPC
    small, _ = run(corpus, "duckdb", tmp_path / "c1", processes=1, batch_rows=5_000)
    pd.testing.assert_frame_equal(small.reservoir, large.reservoir)
    pd.testing.assert_frame_equal(small.daily, large.daily)
    other, _ = engines.count_corpus(str(corpus), settings(seed=4), engine="duckdb",
                                    column_map=MAP,
                                    options=ScaleOptions(cache_dir=str(tmp_path / "c1")))
    assert not other.reservoir["_row"].equals(small.reservoir["_row"])


def test_the_cache_is_reused_and_never_stale(tmp_path):
    data = write_corpus(tmp_path / "posts", rows_per_file=3_000)
    store = tmp_path / "cache"
    first, used = run(data, "duckdb", store)
    assert used["cache"] == "built"
    again, used = run(data, "duckdb", store)
    assert used["cache"] == "hit" and used["cache_key"] == first.engine["cache_key"]
    pd.testing.assert_frame_equal(first.daily, again.daily)
    (data / "b_youtube.parquet").touch()  # touched, same bytes: still a hit
    assert run(data, "duckdb", store)[1]["cache"] == "hit"
    frame = pd.read_parquet(data / "b_youtube.parquet")
    frame.loc[0, "body"] = "ini hoaks " + frame.loc[0, "body"]
    frame.to_parquet(data / "b_youtube.parquet", row_group_size=1_000)
    changed, used = run(data, "duckdb", store)
    assert used["cache"] == "built" and used["cache_key"] != first.engine["cache_key"]
    assert changed.daily["hoaks"].sum() == first.daily["hoaks"].sum() + 1
    assert [e["state"] for e in cache.entries(store)].count("complete") == 2
    assert cache.clear(store) >= 2 and not [e for e in cache.entries(store)
                                            if e["state"] == "complete"]


def test_a_changed_lexicon_is_a_new_cache_entry(tmp_path, monkeypatch):
    from negtrend.data import paths

    config = tmp_path / "config"
    shutil.copytree(paths.config_dir(), config)
    monkeypatch.setenv("NEGTREND_CONFIG", str(config))
    data = write_corpus(tmp_path / "posts", rows_per_file=2_000)
    before, used = run(data, "duckdb", tmp_path / "cache")
    with open(config / "lexicons" / "hoaks.txt", "a", encoding="utf-8") as handle:
        handle.write("\nharga beras\n")
    after, used_after = run(data, "duckdb", tmp_path / "cache")
    assert used_after["cache"] == "built" and used_after["cache_key"] != used["cache_key"]
    assert after.daily["hoaks"].sum() > before.daily["hoaks"].sum()


def test_an_interrupted_scan_leaves_nothing_a_later_run_would_trust(tmp_path, monkeypatch):
    data = write_corpus(tmp_path / "posts", rows_per_file=3_000)
    calls = {"n": 0}
    original = engines.scan.process

    def interrupted(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return original(*args, **kwargs)

    monkeypatch.setattr(engines.scan, "process", interrupted)
    with pytest.raises(KeyboardInterrupt):
        run(data, "duckdb", tmp_path / "cache", processes=1, batch_rows=1_000)
    assert not cache.entries(tmp_path / "cache")  # neither an entry nor its build folder
    monkeypatch.setattr(engines.scan, "process", original)
    loaded, used = run(data, "duckdb", tmp_path / "cache", processes=1)
    assert used["cache"] == "built" and loaded.n_kept + loaded.n_quarantined == loaded.n_read


def test_hive_partitions_become_columns_and_globs_pick_files(tmp_path):
    for platform in ("x", "tiktok"):
        folder = tmp_path / "posts" / f"platform={platform}"
        folder.mkdir(parents=True)
        pd.DataFrame({"timestamp": ["2024-01-02 10:00", "2024-01-03 11:00"],
                      "text": ["ini hoaks", "biasa saja"]}).to_csv(folder / "part.csv",
                                                                   index=False)
    files = inputs.expand(tmp_path / "posts")
    assert [f.partitions for f in files] == [{"platform": "tiktok"}, {"platform": "x"}]
    assert len(inputs.expand(str(tmp_path / "posts" / "platform=x" / "*.csv"))) == 1
    loaded, _ = engines.count_corpus(str(tmp_path / "posts"), settings(), engine="pandas")
    assert sorted(loaded.data["platform"]) == ["tiktok", "tiktok", "x", "x"]
    duck, _ = engines.count_corpus(str(tmp_path / "posts"), settings(), engine="duckdb",
                                   options=ScaleOptions(cache_dir=str(tmp_path / "c")))
    assert duck.daily["hoaks"].sum() == 2 and duck.n_kept == 4


def test_a_file_with_another_schema_is_named_before_any_work(tmp_path):
    data = write_corpus(tmp_path / "posts", rows_per_file=500)
    pd.DataFrame({"created": ["2024-01-01"], "message": ["x"]}).to_csv(
        data / "d_other.csv", index=False)
    with pytest.raises(LoadError, match=r"d_other\.csv.*'body'"):
        run(data, "duckdb", tmp_path / "cache")
    assert not (tmp_path / "cache").exists() or not cache.entries(tmp_path / "cache")


def test_a_corrupt_file_stops_the_run_or_is_skipped_with_keep_going(tmp_path):
    data = write_corpus(tmp_path / "posts", rows_per_file=2_000)
    good = run(data, "duckdb", tmp_path / "c0")[0]
    whole = (data / "c_telegram.jsonl.gz").read_bytes()
    (data / "c_telegram.jsonl.gz").write_bytes(whole[: len(whole) // 2])  # truncated gzip
    with pytest.raises(LoadError, match=r"c_telegram\.jsonl\.gz"):
        run(data, "duckdb", tmp_path / "c1")
    loaded, used = run(data, "duckdb", tmp_path / "c2", keep_going=True)
    assert len(used["files_failed"]) == 1 and "c_telegram.jsonl.gz" in used["files_failed"][0]
    assert any(note.startswith("left out (--keep-going)") and "c_telegram" in note
               for note in loaded.summary()["read_notes"])  # the data table says so
    assert loaded.n_read == good.n_read - 2_000  # the whole file is left out, nothing else
    assert loaded.n_kept + loaded.n_quarantined == loaded.n_read


def test_auto_picks_pandas_for_small_input_and_duckdb_beyond_the_threshold(tmp_path,
                                                                          monkeypatch):
    data = write_corpus(tmp_path / "posts", rows_per_file=200)
    files = inputs.expand(data)
    assert engines.choose("auto", files) == "pandas"
    monkeypatch.setattr(engines, "AUTO_BYTES", 1)
    assert engines.choose("auto", files) == "duckdb"
    with pytest.raises(engines.EngineError, match="engine must be one of"):
        engines.choose("spark", files)


def test_a_bad_memory_limit_names_the_setting(tmp_path):
    from negtrend.corpus import store

    with pytest.raises(store.ScaleError, match="--memory-limit"):
        store.connect("lots")


def test_single_file_pandas_keeps_its_quarantine_shape(tmp_path):
    path = tmp_path / "p.csv"
    pd.DataFrame({"timestamp": ["2024-01-01", "x"], "text": ["a", "b"]}).to_csv(path,
                                                                               index=False)
    loaded, used = engines.count_corpus(str(path), settings(), engine="pandas")
    assert isinstance(loaded, loading.LoadResult) and used["name"] == "pandas"
    assert list(loaded.quarantine["_row"]) == [2]


def test_a_label_column_is_read_as_true_false_words_on_every_engine(tmp_path):
    """A column holding "false" or "0" is not tagged (it once counted as true: any non-empty
    text did), and a value that is not a true/false word is an error naming the record."""
    path = tmp_path / "labelled.csv"
    pd.DataFrame({"timestamp": ["2024-01-01", "2024-01-02", "2024-01-03", "2024-01-04"],
                  "text": ["a", "b", "c", "d"],
                  "hoaks": ["false", "true", "0", "ya"]}).to_csv(path, index=False)
    plain = engines.settings_for(timezone="Asia/Jakarta", timestamp_format=None,
                                 labels_spec=None, classifier=None, categories=["hoaks"])
    for engine in ("pandas", "duckdb"):
        loaded, _ = engines.count_corpus(str(path), plain, engine=engine,
                                         options=ScaleOptions(cache_dir=str(tmp_path / "c")))
        assert list(daily_of_columns(loaded, ["hoaks"])["hoaks"]) == [0, 1, 0, 1]
    path.write_text("timestamp,text,hoaks\n2024-01-01,a,maybe\n", encoding="utf-8")
    for engine in ("pandas", "duckdb"):
        with pytest.raises(NegtrendError, match="not boolean: record 1 holds 'maybe'"):
            engines.count_corpus(str(path), plain, engine=engine,
                                 options=ScaleOptions(cache_dir=str(tmp_path / "c")))


def daily_of_columns(loaded, categories):
    if isinstance(loaded, DailyCounts):
        return loaded.daily
    return series.daily_counts(loaded.data, categories)


def test_new_tagging_code_is_a_new_cache_entry(tmp_path, monkeypatch):
    data = write_corpus(tmp_path / "posts", rows_per_file=500)
    first = run(data, "duckdb", tmp_path / "cache")[1]
    monkeypatch.setattr(cache, "code_fingerprint", lambda: "an upgraded tagger")
    second = run(data, "duckdb", tmp_path / "cache")[1]
    assert second["cache"] == "built" and second["cache_key"] != first["cache_key"]


def tagged_corpus(folder, n: int = 30_000, blank_at: int | None = None):
    """Already tagged Parquet: typed timestamps (UTC-aware in one file, naive in the other)
    and boolean category columns, as ``negtrend classify`` writes them."""
    rng = np.random.default_rng(5)
    folder.mkdir(parents=True, exist_ok=True)
    for name, aware in (("aware.parquet", True), ("naive.parquet", False)):
        stamps = _stamps(rng, n)
        frame = pd.DataFrame({"ts": stamps.tz_localize("UTC") if aware else stamps,
                              "text": _texts(rng, n, 0),
                              "hoaks": rng.random(n) < 0.05,
                              "judi_online": rng.random(n) < 0.02})
        frame["hoaks"] = frame["hoaks"].astype("boolean")
        frame.loc[3, "hoaks"] = pd.NA  # a missing flag is not tagged
        if blank_at is not None and not aware:
            frame.loc[blank_at, "text"] = " \u3000 "
        frame.to_parquet(folder / name, row_group_size=7_000)
    return folder


def test_an_already_tagged_parquet_corpus_is_counted_by_sql_exactly_as_by_batches(tmp_path):
    data = tagged_corpus(tmp_path / "tagged")
    plain = engines.settings_for(timezone="Asia/Jakarta", timestamp_format=None,
                                 labels_spec=None, classifier=None, categories=CATEGORIES,
                                 seed=2, examples=3)
    fast, used = engines.count_corpus(str(data), plain, engine="duckdb",
                                      column_map={"timestamp": "ts"},
                                      options=ScaleOptions(cache_dir=str(tmp_path / "c")))
    assert used["scan"] == "sql"
    slow, _ = engines.count_corpus(str(data), plain, engine="pandas",
                                   column_map={"timestamp": "ts"})
    pd.testing.assert_frame_equal(fast.daily, series.daily_counts(slow.data, CATEGORIES))
    assert fast.summary()["read_notes"] == slow.summary()["read_notes"]
    assert fast.n_read == slow.n_read == 60_000 and fast.n_quarantined == 0
    windows = calendar.windows(calendar.get_election("pemilu2024"))
    pd.testing.assert_frame_equal(
        examples.from_reservoir(fast.reservoir, CATEGORIES, windows, 3),
        examples.example_items(slow.data, CATEGORIES, windows, 3, seed=2))


def test_a_row_to_quarantine_sends_a_tagged_corpus_through_the_batch_scan(tmp_path):
    data = tagged_corpus(tmp_path / "tagged", n=5_000, blank_at=7)
    plain = engines.settings_for(timezone="Asia/Jakarta", timestamp_format=None,
                                 labels_spec=None, classifier=None, categories=CATEGORIES)
    loaded, used = engines.count_corpus(str(data), plain, engine="duckdb",
                                        column_map={"timestamp": "ts"},
                                        options=ScaleOptions(cache_dir=str(tmp_path / "c")))
    assert used["scan"] == "batches (a row to quarantine)"
    assert loaded.summary()["quarantine_reasons"] == {"missing_text": 1}
    assert loaded.n_kept + loaded.n_quarantined == loaded.n_read == 10_000


def test_a_full_disk_names_the_setting_and_leaves_no_entry(tmp_path, monkeypatch):
    import errno

    from negtrend.corpus import parts, store

    data = write_corpus(tmp_path / "posts", rows_per_file=500)

    def full(self, out):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(parts.FileScan, "add", full)
    with pytest.raises(store.ScaleError, match="NEGTREND_CACHE"):
        run(data, "duckdb", tmp_path / "cache", processes=1)
    assert not [e for e in cache.entries(tmp_path / "cache") if e["state"] == "complete"]
    assert not list((tmp_path / "cache").glob(".*tmp*"))


def test_a_memory_limit_too_small_is_a_clear_error_naming_the_setting():
    from negtrend.corpus import store

    con = store.connect("1MB")
    with pytest.raises(store.ScaleError, match=r"raise --memory-limit"):
        store.run_query(con, "SELECT i % 100000 AS g, string_agg(i::VARCHAR, ',') "
                             "FROM range(3000000) t(i) GROUP BY g ORDER BY g")


def _count_in_a_process(args):
    data, store = args
    return run(data, "duckdb", store, processes=1)[1]["cache"]


def test_parallel_runs_over_one_corpus_tag_it_once(tmp_path):
    """A sweep's runs start together: one builds the entry, the others wait and read it."""
    import multiprocessing as mp

    data = write_corpus(tmp_path / "posts", rows_per_file=4_000)
    with mp.get_context("spawn").Pool(3) as pool:
        states = pool.map(_count_in_a_process, [(data, tmp_path / "cache")] * 3)
    assert sorted(states) == ["built", "hit", "hit"]
    assert len([e for e in cache.entries(tmp_path / "cache") if e["state"] == "complete"]) == 1


REAL_CORPORA = {
    "youtube comments, lexicon": (
        "youtube_judol_comments_2013_2025/labeled_comments.csv",
        {"text": "comment_text", "timestamp": "published_at"},
        dict(timestamp_format="%m/%d/%y %H:%M", labels_spec=None, classifier="lexicon",
             categories=["judi_online"])),
    "turnbackhoax titles, label rule": (
        "turnbackhoax_titles_2015_2021/turnbackhoax_titles_2015_2021.csv",
        {"text": "title", "timestamp": "date"},
        dict(timestamp_format=None, classifier=None, categories=None,
             labels_spec="hoaks=tag:SALAH|HOAX|HOAKS|DISINFORMASI|MISINFORMASI|FITNAH|FALSE")),
}


@pytest.mark.shared
@pytest.mark.parametrize("name", list(REAL_CORPORA))
def test_real_corpora_count_the_same_on_pandas_and_duckdb(name, shared_data, tmp_path):
    """The bundled real posts (YouTube comments tagged by the lexicon; TurnBackHoax titles
    labelled by their verdict tag) give the same counts, quarantine and examples whichever
    engine reads them."""
    relative, column_map, chosen = REAL_CORPORA[name]
    real = engines.settings_for(timezone="Asia/Jakarta", seed=0, examples=3, **chosen)
    found = {engine: engines.count_corpus(
        str(shared_data / relative), real, engine=engine, column_map=column_map,
        options=ScaleOptions(cache_dir=str(tmp_path / "c")))[0]
        for engine in ("pandas", "duckdb")}
    pandas, duck = found["pandas"], found["duckdb"]
    categories = list(real.categories)
    pd.testing.assert_frame_equal(series.daily_counts(pandas.data, categories), duck.daily)
    assert duck.daily[categories].to_numpy().sum() > 0  # something was tagged
    for key in ("n_read", "n_kept", "n_quarantined", "quarantine_reasons", "read_notes"):
        assert pandas.summary()[key] == duck.summary()[key], key
    assert list(pandas.quarantine["_row"]) == list(
        pd.read_csv(duck.write_quarantine(tmp_path / "q.csv"))["_row"])
    windows = calendar.windows(calendar.get_election("pilkada2024"))
    pd.testing.assert_frame_equal(
        examples.example_items(pandas.data, categories, windows, 3, seed=0),
        examples.from_reservoir(duck.reservoir, categories, windows, 3))
