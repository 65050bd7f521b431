"""A day of GDELT GKG 2.1 files read as GDELT publishes them (issue 14): time, throughput and
peak memory of the whole `negtrend count` command, beside a hand-written pandas reader.

    .venv/bin/python benchmarks/bench_gkg.py                       # 96 files x 1,500 records
    .venv/bin/python benchmarks/bench_gkg.py --files 8 --records 500

Generates ``--files`` zipped 15-minute files (``YYYYMMDDHHMMSS.gkg.csv.zip``: tab-separated,
no header, 27 fields) of ``--records`` article records each, with fields as wide as real
ones (GCAM about 2,000 characters, themes, locations and names a few hundred: about 4 KB a
record), then measures in a fresh process each:

- ``negtrend count --data DIR --label ... --out ...`` as a user runs it (detects the format,
  reads every file, derives tone and title, labels by theme and tone, de-duplicates across
  files, counts per day, writes counts and quarantine);
- anchor: the hand-written reader a researcher would write with pandas: ``read_csv`` of each
  zip (tab, no header, no quoting, only the 5 columns needed), theme and tone tests, one
  count per day. It checks nothing, quarantines nothing and de-duplicates nothing.

Peak memory is the child's ``ru_maxrss``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import subprocess
import sys
import time
import zipfile
from datetime import datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
THEMES = ["ELECTION", "TAX_FNCACT_PRESIDENT", "ECON_INFLATION", "LEADER", "GENERAL_GOVERNMENT",
          "ELECTION_FRAUD", "MEDIA_MSM", "WB_696_PUBLIC_SECTOR", "EPU_POLICY", "CORRUPTION"]
OUTLETS = ["kompas.com", "detik.com", "tempo.co", "antaranews.com", "cnnindonesia.com",
           "tribunnews.com", "liputan6.com", "okezone.com"]
WORDS = ["pemilu", "kpu", "bawaslu", "suara", "capres", "debat", "harga", "beras", "banjir",
         "hoaks", "kampanye", "presiden", "menteri", "rupiah", "warga", "kota"]


def generate(folder: Path, files: int, records: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    start = datetime(2024, 2, 14)
    raw_bytes = serial = 0
    for number in range(files):
        batch = (start + timedelta(minutes=15 * number)).strftime("%Y%m%d%H%M%S")
        lines = []
        for _ in range(records):
            serial += 1
            themes = rng.sample(THEMES, rng.randint(2, 7))
            outlet = rng.choice(OUTLETS)
            tone = round(rng.uniform(-9, 4), 2)
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 12)))
            fields = [
                f"{batch}-{serial}", batch, "1", outlet, f"https://www.{outlet}/read/{serial}",
                "", "", ";".join(themes) + ";",
                ";".join(f"{t},{rng.randrange(10, 5000)}" for t in themes) + ";",
                "1#Indonesia#ID#ID##-5#120#ID", ";".join(
                    f"4#Jakarta, Jakarta Raya, Indonesia#ID#ID04#{rng.randrange(1, 99)}#-6.2#"
                    f"106.8#-2679757#{rng.randrange(10, 5000)}" for _ in range(3)),
                "joko widodo;prabowo subianto", "Joko Widodo,120;Prabowo Subianto,480", "kpu",
                "KPU,60", f"{tone},2.1,{2.1 - tone},4.2,21.3,0.8,{rng.randrange(150, 900)}",
                "", ",".join(f"c{rng.randrange(1, 24)}.{rng.randrange(1, 9)}:"
                             f"{rng.randrange(1, 40)}" for _ in range(260)),
                f"https://img.{outlet}/{serial}.jpg", "", "", "", "",
                "Joko Widodo,120;Prabowo Subianto,480;Komisi Pemilihan Umum,60", "", "",
                f"<PAGE_TITLE>{title}</PAGE_TITLE><PAGE_AUTHORS>Redaksi</PAGE_AUTHORS>"]
            lines.append("\t".join(fields))
        text = ("\n".join(lines) + "\n").encode("utf-8")
        raw_bytes += len(text)
        with zipfile.ZipFile(folder / f"{batch}.gkg.csv.zip", "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(f"{batch}.gkg.csv", text)
    zipped = sum(p.stat().st_size for p in folder.glob("*.zip"))
    return {"files": files, "records": files * records, "raw_bytes": raw_bytes,
            "zipped_bytes": zipped}


ANCHOR = r"""
import sys, glob
import pandas as pd
parts = []
for path in sorted(glob.glob(sys.argv[1] + "/*.gkg.csv.zip")):
    frame = pd.read_csv(path, sep="\t", header=None, quoting=3, dtype=str,
                        usecols=[1, 4, 8, 15, 26], names=list(range(27)))
    day = pd.to_datetime(frame[1], format="%Y%m%d%H%M%S", utc=True).dt.tz_convert(
        "Asia/Jakarta").dt.normalize()
    election = frame[8].fillna("").str.contains(r"(?:^|;)ELECTION,", regex=True)
    tone = pd.to_numeric(frame[15].str.split(",", n=1).str[0], errors="coerce")
    parts.append(pd.DataFrame({"date": day, "pemilu": election,
                               "negatif": election & (tone < -5), "total": 1}))
daily = pd.concat(parts).groupby("date").sum()
print(int(daily["total"].sum()))
"""


WRAPPER = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:]); "
           "print('peak_kb', resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "
           "file=sys.stderr); sys.exit(done.returncode)")


def measure(argv: list[str]) -> dict:
    """Seconds and the peak resident memory of ``argv`` run in a fresh wrapper process (so
    one measurement's peak cannot hide another's)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", WRAPPER, *argv], capture_output=True,
                          text=True, cwd=ROOT)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(done.stderr)
    peak_kb = int(done.stderr.strip().splitlines()[-1].split()[-1])
    return {"seconds": round(seconds, 2), "peak_rss_mb": round(peak_kb / 1024, 1),
            "stdout": done.stdout}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--files", type=int, default=96)
    parser.add_argument("--records", type=int, default=1500)
    parser.add_argument("--folder", type=Path, default=Path("/tmp/negtrend_bench_gkg"))
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    folder = args.folder / f"{args.files}x{args.records}"
    info_path = folder.with_suffix(".json")  # beside the corpus, not in it
    if info_path.exists():
        info = json.loads(info_path.read_text())
    else:
        info = generate(folder, args.files, args.records)
        info_path.write_text(json.dumps(info))
    python = str(ROOT / ".venv" / "bin" / "python")
    anchor = measure([python, "-c", ANCHOR, str(folder)])
    negtrend = measure([python, "-m", "negtrend.cli", "count", "--data", str(folder),
                        "--label", "pemilu=V2Themes@ELECTION",
                        "--label", "negatif=V2Themes@ELECTION && tone<-5",
                        "--out", str(folder.parent / "counts.csv"), "--no-progress"])
    summary = json.loads(negtrend.pop("stdout"))
    anchor.pop("stdout")
    mb = info["raw_bytes"] / 1e6
    result = {
        "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
        "date": time.strftime("%Y-%m-%d"), "input": info,
        "negtrend_count": {**negtrend, "records_per_s": round(info["records"]
                                                               / negtrend["seconds"]),
                           "mb_per_s": round(mb / negtrend["seconds"], 1),
                           "n_kept": summary["n_kept"], "n_read": summary["n_read"]},
        "anchor_pandas": {**anchor, "records_per_s": round(info["records"] / anchor["seconds"]),
                          "mb_per_s": round(mb / anchor["seconds"], 1)},
    }
    text = json.dumps(result, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n")


if __name__ == "__main__":
    sys.exit(main())
