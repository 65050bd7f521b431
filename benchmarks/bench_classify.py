"""Throughput and peak memory of the whole classify step: Parquet -> normalize -> all
categories -> Parquet, on a generated corpus.

Not run by the tests. Usage:
    .venv/bin/python benchmarks/bench_classify.py --rows 2000000 [--rows-big 10000000]
Prints a markdown table; record it in docs/benchmarks.md. Peak RSS is the largest sum of the
proportional set size (PSS: shared pages split between the processes that share them, so
forked workers are not counted twice) of this process and its workers, sampled every 50 ms.
"""

from __future__ import annotations

import argparse
import platform
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import psutil
import pyarrow as pa
import pyarrow.parquet as pq

from negtrend.tagging import classify, textnorm

PLAIN = ["terima kasih infonya min", "kapan jadwal debat capres berikutnya", "mantap videonya",
         "kpu umumkan hasil rekapitulasi suara", "semoga pemilu berjalan damai",
         "harga beras naik lagi di pasar", "lucu banget anaknya wkwk", "jalan macet parah pagi ini",
         "ayo datang ke tps tanggal 14 februari", "berita ini hoaks jangan disebar"]
SPAM = ["𝐒𝐋𝐎𝐓 𝐆𝐀𝐂𝐎𝐑 hari ini maxwin", "main di hoki88 pasti jp", "s l o t g a c o r depo 10rb",
        "g4c0r parah wd cepat cek bio", "link alternatif totomacau4d login", "sl0t m4xw1n 🔥🔥"]


def make_corpus(path: Path, rows: int, seed: int = 0, chunk: int = 1_000_000) -> None:
    """Short posts, about 10% gambling spam (half of it obfuscated), written in row groups."""
    rng = np.random.default_rng(seed)
    plain, spam = np.array(PLAIN, dtype=object), np.array(SPAM, dtype=object)
    writer = None
    for start in range(0, rows, chunk):
        n = min(chunk, rows - start)
        is_spam = rng.random(n) < 0.10
        texts = np.where(is_spam, spam[rng.integers(0, len(spam), n)],
                         plain[rng.integers(0, len(plain), n)])
        suffix = rng.integers(0, 1000, n).astype(str)
        texts = np.char.add(np.char.add(texts.astype(str), " #"), suffix)
        table = pa.table({"id": np.arange(start, start + n), "text": pa.array(texts.tolist())})
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table, row_group_size=100_000)
    writer.close()


class PeakMemory:
    """Polls the PSS of this process plus its children."""

    def __init__(self):
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        me = psutil.Process()
        while not self._stop.is_set():
            try:
                total = me.memory_full_info().pss + sum(
                    c.memory_full_info().pss for c in me.children(recursive=True))
            except psutil.Error:
                total = 0
            self.peak = max(self.peak, total)
            time.sleep(0.1)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def run(source: Path, processes: int, norm) -> tuple[float, float, int]:
    with tempfile.TemporaryDirectory() as folder, PeakMemory() as memory:
        result = classify.classify_file(source, Path(folder) / "out.parquet", "lexicon",
                                        processes=processes, norm=norm)
    assert result.accounting_ok
    return result.posts_per_second, memory.peak / 2**20, result.positives["judi_online"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--rows-big", type=int, default=0, help="also a memory run this size")
    args = parser.parse_args()
    off = textnorm.NormConfig(**{f: False for f in textnorm.NormConfig.__dataclass_fields__
                                 if f != "slang_path"})
    print(f"machine: {platform.machine()}, {psutil.cpu_count()} cores, "
          f"{psutil.virtual_memory().total / 2**30:.0f} GiB; python {platform.python_version()}")
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / "corpus.parquet"
        make_corpus(source, args.rows)
        print(f"corpus: {args.rows:,} posts, {source.stat().st_size / 1e6:.0f} MB Parquet\n")
        print("| posts | processes | normalization | posts/s | peak PSS (MB) | judi_online |")
        print("|---:|---:|---|---:|---:|---:|")
        for processes in (1, 2):
            for label, norm in (("on (default)", None), ("off", off)):
                rate, peak, hits = run(source, processes, norm)
                print(f"| {args.rows:,} | {processes} | {label} | {rate:,.0f} | {peak:,.0f} "
                      f"| {hits:,} |")
        if args.rows_big:
            big = Path(folder) / "big.parquet"
            make_corpus(big, args.rows_big, seed=1)
            rate, peak, hits = run(big, 2, None)
            print(f"| {args.rows_big:,} | 2 | on (default) | {rate:,.0f} | {peak:,.0f} "
                  f"| {hits:,} |")


if __name__ == "__main__":
    main()
