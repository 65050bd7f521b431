"""The data stage at scale: ``negtrend count`` (scan -> quarantine -> tag -> count -> write the
daily series) on generated corpora of 1 M, 10 M and 100 M posts, timed as a user runs it,
with the peak memory of all its processes (PSS, sampled every 0.2 s), beside anchors measured
in the same run: a hand-written DuckDB GROUP BY on the same file, and the tagger alone.

The corpus: unique posts of 60-120 characters (about 90), 5 % with negative content (some of
it obfuscated), timestamps over 2023-06..2025-12; Parquet (typed timestamps) and CSV (ISO
text). Generated on the fly into --work; nothing is committed. Not run by the tests. Usage:

    .venv/bin/python benchmarks/bench_scale.py --rows 1000000 10000000 --formats parquet csv
    .venv/bin/python benchmarks/bench_scale.py --rows 100000000 --formats parquet

Prints markdown rows; record them in docs/benchmarks.md ("Scale").
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

WORDS = ["yang", "dan", "di", "ini", "itu", "ada", "warga", "kota", "jalan", "pasar", "harga",
         "beras", "rapat", "debat", "suara", "calon", "partai", "kampanye", "pemilu", "kabar",
         "hari", "besok", "minggu", "acara", "sekolah", "rumah", "sakit", "kantor", "desa",
         "lurah", "camat", "bupati", "gubernur", "presiden", "menteri", "rakyat", "petani",
         "nelayan", "buruh"]
NEGATIVE = ["awas hoaks", "berita bohong", "slot gacor maxwin", "sl0t g4cor depo", "judi online",
            "situs togel", "penipuan undian", "fitnah calon", "link bokep", "kafir laknat"]
BLOCK = 1_000_000


def block_texts(rng, n: int, first_id: int) -> pa.Array:
    """n unique texts of 60-120 characters (about 90): words, 5 % negative phrases (some
    obfuscated), a unique number."""
    words = np.array(WORDS, dtype=object)
    picks = words[rng.integers(0, len(words), size=(n, 16))]
    lengths = rng.integers(10, 17, size=n)
    texts = [" ".join(row[:k]) for row, k in zip(picks, lengths, strict=True)]
    negative = np.flatnonzero(rng.random(n) < 0.05)
    for i in negative:
        texts[i] = NEGATIVE[i % len(NEGATIVE)] + " " + texts[i]
    ids = pa.array(np.arange(first_id, first_id + n).astype(str))
    out = pc.binary_join_element_wise(pa.array(texts), ids, " #")
    return pc.utf8_slice_codeunits(out, 0, 120)


def generate(rows: int, folder: Path, formats: list[str], seed: int = 0) -> dict[str, Path]:
    """The corpus as Parquet and/or CSV, written block by block (memory stays small)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = {fmt: folder / f"posts_{rows}.{fmt}" for fmt in formats}
    if all(p.exists() for p in paths.values()):
        return paths
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-06-01T00:00:00", "s")
    writers = {}
    try:
        for first in range(0, rows, BLOCK):
            n = min(BLOCK, rows - first)
            seconds = rng.integers(0, 940 * 86400, size=n)
            stamps = pa.array(start + seconds.astype("timedelta64[s]"), pa.timestamp("s"))
            table = pa.table({"id": pa.array(np.arange(first, first + n)),
                              "timestamp": stamps.cast(pa.timestamp("s", tz="UTC")),
                              "text": block_texts(rng, n, first)})
            if "parquet" in paths:
                if "parquet" not in writers:  # (setdefault would open, and empty, it again)
                    writers["parquet"] = pq.ParquetWriter(paths["parquet"], table.schema,
                                                          compression="zstd")
                writers["parquet"].write_table(table, row_group_size=BLOCK)
            if "csv" in paths:
                text = table.set_column(1, "timestamp", pc.strftime(
                    table["timestamp"], "%Y-%m-%dT%H:%M:%SZ"))
                if "csv" not in writers:
                    writers["csv"] = pacsv.CSVWriter(paths["csv"], text.schema)
                writers["csv"].write_table(text)
    finally:
        for writer in writers.values():
            writer.close()
    return paths


def text_megabytes(path: Path) -> float:
    """MB of post text in the corpus (UTF-8), read from the Parquet twin or the CSV."""
    twin = path.with_suffix(".parquet")
    handle = pq.ParquetFile(twin)
    total = 0
    for batch in handle.iter_batches(columns=["text"], batch_size=BLOCK):
        total += pc.sum(pc.binary_length(batch.column(0))).as_py()
    return total / 1e6


def pss_of_tree(pid: int) -> int:
    import psutil

    try:
        parent = psutil.Process(pid)
        procs = [parent, *parent.children(recursive=True)]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        with contextlib.suppress(psutil.NoSuchProcess, psutil.AccessDenied):
            total += proc.memory_full_info().pss
    return total


def timed(command: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Wall time, peak PSS of the process tree, stdout."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            env={**os.environ, **(env or {})})
    peak = [0]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], pss_of_tree(proc.pid))
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, _ = proc.communicate()
    done.set()
    thread.join()
    if proc.returncode:
        raise RuntimeError(f"{command} exited {proc.returncode}")
    return time.perf_counter() - began, peak[0], out.decode()


def negtrend_count(path: Path, out: Path, cache: Path, classifier: bool, engine: str):
    exe = str(Path(sys.executable).with_name("negtrend"))
    command = [exe, "count", "--data", str(path), "--out", str(out), "--engine", engine,
               "--no-progress"]
    command += ["--classifier", "lexicon"] if classifier else ["--category", "flag"]
    return timed(command, {"NEGTREND_CACHE": str(cache)})


def duckdb_anchor(path: Path, check_text: bool = False) -> tuple[float, int]:
    """A hand-written DuckDB count per day and flag on the same file, as a command; with
    ``check_text``, also counting blank texts, the floor for any count that checks them."""
    blank = (", COUNT(*) FILTER (WHERE text IS NULL OR regexp_matches(text, "
             "'^[\\s\\p{Z}\\p{Cc}\\p{Cf}]*$')) AS blank") if check_text else ""
    sql = (f"SELECT CAST(timezone('Asia/Jakarta', timestamp) AS DATE) AS date, "
           f"SUM(CAST(flag AS BIGINT)) AS flag, COUNT(*) AS total{blank} "
           f"FROM read_parquet('{path}') GROUP BY 1 ORDER BY 1")
    code = ("import duckdb,sys; c=duckdb.connect(); c.execute(\"SET memory_limit='1GB'\"); "
            f"print(len(c.execute({sql!r}).df()))")
    seconds, peak, _ = timed([sys.executable, "-c", code])
    return seconds, peak


def tagged_twin(path: Path) -> Path:
    """The corpus with a boolean ``flag`` column instead of tagging: an already tagged corpus."""
    twin = path.with_name(path.stem + "_tagged.parquet")
    if twin.exists():
        return twin
    handle = pq.ParquetFile(path)
    writer = None
    for batch in handle.iter_batches(batch_size=BLOCK):
        text = batch.column(batch.schema.get_field_index("text"))
        flag = pc.match_substring_regex(text, "hoaks|bohong|gacor|judi")
        table = pa.Table.from_batches([batch]).append_column("flag", flag)
        writer = writer or pq.ParquetWriter(twin, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=BLOCK)
    writer.close()
    return twin


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000])
    parser.add_argument("--formats", nargs="+", default=["parquet"])
    parser.add_argument("--work", type=Path, default=Path("/tmp/negtrend-scale"))
    parser.add_argument("--engines", nargs="+", default=["duckdb"])
    parser.add_argument("--skip-tagged", action="store_true")
    parser.add_argument("--only-tagged", action="store_true")
    args = parser.parse_args()
    print("| rows | input | text MB | engine | run | seconds | posts/s | MB text/s | "
          "peak PSS MB |")
    print("|---:|---|---:|---|---|---:|---:|---:|---:|")
    for rows in args.rows:
        began = time.perf_counter()
        paths = generate(rows, args.work, sorted(set(args.formats) | {"parquet"}))
        print(f"<!-- generated {rows:,} rows in {time.perf_counter() - began:.0f} s -->",
              flush=True)
        megabytes = text_megabytes(paths["parquet"])
        for fmt in [] if args.only_tagged else args.formats:
            path = paths[fmt]
            size = path.stat().st_size / 1e6
            for engine in args.engines:
                cache = args.work / f"cache-{engine}-{rows}-{fmt}"
                subprocess.run(["rm", "-rf", str(cache)], check=True)
                for run in ("first (tags)", "rerun (cache)"):
                    seconds, peak, out = negtrend_count(path, args.work / "out.csv", cache,
                                                        True, engine)
                    kept = json.loads(out)["n_kept"]
                    print(f"| {rows:,} | {fmt} {size:,.0f} MB | {megabytes:,.0f} | {engine} | "
                          f"{run} | {seconds:.1f} | {kept / seconds:,.0f} | "
                          f"{megabytes / seconds:.1f} | {peak / 1e6:,.0f} |", flush=True)
                    if engine == "pandas":
                        break
        if args.skip_tagged:
            continue
        twin = tagged_twin(paths["parquet"])
        cache = args.work / f"cache-tagged-{rows}"
        subprocess.run(["rm", "-rf", str(cache)], check=True)
        seconds, peak, out = negtrend_count(twin, args.work / "out.csv", cache, False, "duckdb")
        print(f"| {rows:,} | tagged parquet | {megabytes:,.0f} | duckdb | count a label column "
              f"| {seconds:.1f} | {rows / seconds:,.0f} | {megabytes / seconds:.1f} | "
              f"{peak / 1e6:,.0f} |", flush=True)
        for check_text in (False, True):
            seconds, peak = duckdb_anchor(twin, check_text)
            what = "+ blank-text check" if check_text else "by hand"
            print(f"| {rows:,} | tagged parquet | {megabytes:,.0f} | anchor: DuckDB GROUP BY "
                  f"{what} | - | {seconds:.1f} | {rows / seconds:,.0f} | "
                  f"{megabytes / seconds:.1f} | {peak / 1e6:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
