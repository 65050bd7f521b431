"""Throughput and peak memory of the spine: read posts -> labels -> daily series -> comparison.

Not run by the tests. Usage:  .venv/bin/python benchmarks/bench_load_series.py [--rows N]
Prints a markdown table row per step; record results in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import csv
import platform
import resource
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

import negtrend as nt


def make_corpus(path: Path, rows: int, seed: int = 0) -> None:
    """Short Indonesian-like posts over two years with a verdict tag, written as CSV."""
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-01").value // 10**9
    seconds = rng.integers(0, 2 * 365 * 86400, rows) + start
    tags = rng.choice(["SALAH", "BENAR", "HOAKS", "KLARIFIKASI"], rows, p=[.5, .2, .2, .1])
    words = np.array(["pemilu", "kampanye", "hoaks", "berita", "jakarta", "capres", "video",
                      "viral", "beredar", "foto", "klaim", "warga"])
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "timestamp", "text", "tag"])
        for i in range(rows):
            stamp = pd.Timestamp(int(seconds[i]), unit="s").strftime("%Y-%m-%d %H:%M:%S")
            text = " ".join(words[rng.integers(0, len(words), 6)])
            writer.writerow([i, stamp, text, tags[i]])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "posts.csv"
        make_corpus(path, args.rows)
        size_mb = path.stat().st_size / 1e6
        print(f"machine: {platform.processor() or platform.machine()}, python "
              f"{platform.python_version()}, pandas {pd.__version__}; corpus {args.rows:,} rows, "
              f"{size_mb:.0f} MB\n")
        print("| step | seconds | rows/s | peak RSS (MB) |\n|---|---:|---:|---:|")
        began = time.perf_counter()
        loaded = nt.read_posts(path)
        steps = [("read_posts (CSV, parse, quarantine)", time.perf_counter() - began)]
        assert loaded.n_kept + loaded.n_quarantined == loaded.n_read == args.rows
        print(f"| {steps[-1][0]} | {steps[-1][1]:.2f} | {args.rows / steps[-1][1]:,.0f} "
              f"| {peak_rss_mb():,.0f} |")
        began = time.perf_counter()
        tagged = nt.labels.apply_to_result(loaded, {"hoaks": "tag:SALAH|HOAKS"})
        elapsed = time.perf_counter() - began
        print(f"| labels.apply_to_result | {elapsed:.2f} | {args.rows / elapsed:,.0f} "
              f"| {peak_rss_mb():,.0f} |")
        began = time.perf_counter()
        windows = nt.windows("pemilu2024")
        series = nt.build_series(tagged, freq="D", categories=["hoaks"], windows=windows)
        elapsed = time.perf_counter() - began
        print(f"| build_series (daily, flag windows) | {elapsed:.2f} | {args.rows / elapsed:,.0f} "
              f"| {peak_rss_mb():,.0f} |")
        began = time.perf_counter()
        nt.compare_phases(series, "hoaks")
        elapsed = time.perf_counter() - began
        print(f"| compare_phases ({len(series.frame)} days, both measures) | {elapsed:.2f} | - "
              f"| {peak_rss_mb():,.0f} |")


if __name__ == "__main__":
    main()
