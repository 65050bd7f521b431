"""Throughput of ``classify`` on a text corpus (CSV, or gzip/zstd CSV, or JSONL): how much the
reader costs next to the tagging. A generated corpus of short posts (about 140 characters).

Not run by the tests. Usage:
    .venv/bin/python benchmarks/bench_classify_csv.py --rows 1000000 [--suffix .csv.gz]
Prints one markdown row per process count; record it in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import gzip
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from negtrend.data import readers
from negtrend.tagging import classify

PHRASES = ["kpu umumkan hasil rekapitulasi suara", "pemilu berjalan damai", "harga beras naik",
           "slot gacor maxwin depo wd cepat", "hoaks jangan disebar", "capres debat",
           "tps februari", "terima kasih infonya min", "lucu banget anaknya", "jalan macet parah"]
WORDS = [word for phrase in PHRASES for word in phrase.split()]


def make_rows(rows: int, seed: int = 0):
    """(id, timestamp, text) with texts of about 140 characters."""
    rng = np.random.default_rng(seed)
    vocabulary = np.array(WORDS, dtype=object)
    picks = rng.integers(0, len(vocabulary), size=(rows, 22))
    for i in range(rows):
        text = " ".join(vocabulary[picks[i]])[:140]
        yield str(i), f"2024-02-{1 + i % 28:02d}T10:00:00+07:00", text


def write_corpus(path: Path, rows: int) -> None:
    """CSV or JSONL by suffix, compressed by a .gz or .zst suffix."""
    buffer = io.StringIO()
    if readers.infer_format(path) == "jsonl":
        for id_, stamp, text in make_rows(rows):
            buffer.write(json.dumps({"id": id_, "timestamp": stamp, "text": text}) + "\n")
    else:
        writer = csv.writer(buffer)
        writer.writerow(["id", "timestamp", "text"])
        writer.writerows(make_rows(rows))
    data = buffer.getvalue().encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, compresslevel=6)
    elif path.suffix == ".zst":
        import pyarrow as pa

        data = pa.Codec("zstd").compress(data, asbytes=True)
    path.write_bytes(data)


def text_megabytes(rows: int) -> float:
    """MB of post text (UTF-8) in the corpus: tagging cost grows with it."""
    return sum(len(text.encode("utf-8")) for _, _, text in make_rows(rows)) / 1e6


def anchors(source: Path, rows: int) -> list[tuple[str, float]]:
    """Reading alone, in the same run: pyarrow's multithreaded CSV reader (the fastest library
    reader, which cannot give exact record numbers after a broken row), negtrend's reader,
    and tagging alone on texts already in memory (one process)."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    timed = []
    if readers.infer_format(source) == "csv" and source.suffix == ".csv":
        began = time.perf_counter()
        table = pacsv.read_csv(source, convert_options=pacsv.ConvertOptions(
            column_types={"id": pa.string(), "timestamp": pa.string(), "text": pa.string()}))
        timed.append(("pyarrow.csv.read_csv (read only, all cores)", time.perf_counter() - began))
        texts = table.column("text").combine_chunks()
    began = time.perf_counter()
    raw = readers.read_raw(source)
    timed.append(("negtrend readers.read_raw (read only, 1 core)", time.perf_counter() - began))
    if readers.infer_format(source) != "csv" or source.suffix != ".csv":
        texts = pa.array(raw.frame["text"].tolist(), type=pa.string())
    backend = classify.make_backend("lexicon")
    began = time.perf_counter()
    for start in range(0, rows, 100_000):
        classify.tag_texts(backend, texts.slice(start, 100_000))
    timed.append(("lexicon tagging alone (texts in memory, 1 core)", time.perf_counter() - began))
    return timed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--suffix", default=".csv")
    parser.add_argument("--processes", type=int, nargs="*", default=[1, 2])
    parser.add_argument("--corpus", type=Path, help="write the corpus here once and reuse it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        source = args.corpus or Path(folder) / f"corpus{args.suffix}"
        if not source.exists():
            write_corpus(source, args.rows)
        megabytes = text_megabytes(args.rows)
        print(f"corpus: {args.rows:,} posts, {source.stat().st_size / 1e6:.0f} MB {args.suffix}, "
              f"{megabytes:.0f} MB of text ({megabytes * 1e6 / args.rows:.0f} bytes a post)\n")
        print("| step | processes | seconds | posts/s | MB of text/s | CPU seconds |")
        print("|---|---:|---:|---:|---:|---:|")
        for name, seconds in anchors(source, args.rows):
            print(f"| {name} | | {seconds:.1f} | {args.rows / seconds:,.0f} "
                  f"| {megabytes / seconds:.1f} | |")
        for processes in args.processes:
            began, cpu = time.perf_counter(), _cpu_seconds()
            result = classify.classify_file(source, Path(folder) / "out.parquet", "lexicon",
                                            processes=processes)
            seconds, cpu = time.perf_counter() - began, _cpu_seconds() - cpu
            assert result.accounting_ok and result.n_read == args.rows
            print(f"| classify_file {source.name} | {processes} | {seconds:.1f} "
                  f"| {args.rows / seconds:,.0f} | {megabytes / seconds:.1f} | {cpu:.1f} |")
        began = time.perf_counter()
        subprocess.run([sys.executable, "-m", "negtrend.cli", "classify", "--data", str(source),
                        "--out", str(Path(folder) / "cli.parquet"), "--no-progress"],
                       check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - began
        print(f"| `negtrend classify` (whole command, start-up included) | 2 | {seconds:.1f} "
              f"| {args.rows / seconds:,.0f} | {megabytes / seconds:.1f} | |")


def _cpu_seconds() -> float:
    """User + system time of this process and its finished children (the pool's workers):
    steadier than the wall clock on a machine shared with other work."""
    import resource

    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
