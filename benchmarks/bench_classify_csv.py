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
        print(f"corpus: {args.rows:,} posts, {source.stat().st_size / 1e6:.0f} MB {args.suffix}\n")
        print("| posts | input | processes | seconds | posts/s | CPU seconds |")
        print("|---:|---|---:|---:|---:|---:|")
        for processes in args.processes:
            began, cpu = time.perf_counter(), _cpu_seconds()
            result = classify.classify_file(source, Path(folder) / "out.parquet", "lexicon",
                                            processes=processes)
            seconds, cpu = time.perf_counter() - began, _cpu_seconds() - cpu
            assert result.accounting_ok and result.n_read == args.rows
            print(f"| {args.rows:,} | {source.name} | {processes} | {seconds:.1f} "
                  f"| {args.rows / seconds:,.0f} | {cpu:.1f} |")


def _cpu_seconds() -> float:
    """User + system time of this process and its finished children (the pool's workers):
    steadier than the wall clock on a machine shared with other work."""
    import resource

    own, children = (resource.getrusage(w) for w in (resource.RUSAGE_SELF,
                                                      resource.RUSAGE_CHILDREN))
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


if __name__ == "__main__":
    main()
