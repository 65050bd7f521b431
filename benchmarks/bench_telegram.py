"""A Telegram export of 2 GB, streamed (issue 14): time, throughput and peak memory.

    .venv/bin/python benchmarks/bench_telegram.py                 # 2048 MB, generated once
    .venv/bin/python benchmarks/bench_telegram.py --mb 200 --anchor-mb 200

Generates a one-chat ``result.json`` of about ``--mb`` MB (messages of 60-180 characters in
everyday Indonesian register, a fifth of them as lists of text pieces, one in fifty a service
message), then reads it in a fresh process per measurement and reports the peak resident
memory of that process (``ru_maxrss``):

- ``data.telegram.raw_batches`` (batches of 100,000 messages: what the table reader hands the
  loader for the ``telegram`` format);
- anchor, the floor of any streaming reader: ijson's events alone, no message built;
- anchor, what a plain reader does: ``json.load`` of a ``--anchor-mb`` file (the whole
  export in memory), to show the memory a 2 GB export would need without streaming.
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
from pathlib import Path

WORDS = ["hoaks", "pemilu", "suara", "tps", "caleg", "kampanye", "relawan", "kabar", "bohong",
         "cek", "fakta", "sudah", "dibantah", "jangan", "percaya", "info", "resmi", "kpu",
         "bawaslu", "warga", "desa", "kota", "besok", "hari", "ini", "coblos", "nomor", "urut",
         "debat", "capres", "cawapres", "quick", "count", "survei", "hasil"]


def generate(path: Path, megabytes: int, seed: int = 0) -> dict:
    rng = random.Random(seed)
    target = megabytes * 1024 * 1024
    written = messages = 0
    start = 1704067200
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"name": "Kanal Bench", "type": "public_channel", "id": 1, "messages": [\n')
        while written < target:
            text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(10, 30)))
            kind = "service" if rng.random() < 0.02 else "message"
            body = text if rng.random() < 0.8 else [text[:20], {"type": "bold",
                                                                   "text": text[20:]}]
            record = {"id": messages, "type": kind, "date": "2024-01-01T00:00:00",
                      "date_unixtime": str(start + messages * 7), "from": "Admin",
                      "from_id": "channel1", "text": body, "text_entities": []}
            line = ("," if messages else "") + json.dumps(record, ensure_ascii=False) + "\n"
            out.write(line)
            written += len(line.encode("utf-8"))
            messages += 1
        out.write("]}\n")
    return {"messages": messages, "bytes": path.stat().st_size}


READERS = {
    "telegram.raw_batches": """
from negtrend.data import telegram
counts = telegram.Counts()
rows = sum(len(f) + len(q) for f, q in telegram.raw_batches(PATH, 100_000, counts))
result = {"rows": rows, "service": counts.service}
""",
    "ijson events only": """
import ijson
with open(PATH, "rb") as handle:
    result = {"events": sum(1 for _ in ijson.parse(handle))}
""",
    "json.load": """
import json
with open(PATH, encoding="utf-8") as handle:
    result = {"rows": len(json.load(handle)["messages"])}
""",
}


def measure(name: str, path: Path) -> dict:
    code = ("import json, resource, time\nPATH = " + repr(str(path)) + "\nstarted = "
            "time.perf_counter()\n" + READERS[name] + "\nresult['seconds'] = "
            "time.perf_counter() - started\nresult['peak_mb'] = resource.getrusage("
            "resource.RUSAGE_SELF).ru_maxrss / 1024\nprint(json.dumps(result))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=2048)
    parser.add_argument("--anchor-mb", type=int, default=200)
    parser.add_argument("--work", type=Path, default=Path("/tmp/negtrend-bench/telegram"))
    args = parser.parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores; "
          f"{platform.platform()}; load average {os.getloadavg()}; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}")
    big = args.work / f"result_{args.mb}mb.json"
    small = args.work / f"result_{args.anchor_mb}mb.json"
    for path, size in ((big, args.mb), (small, args.anchor_mb)):
        if not path.exists():
            made = generate(path, size)
            print(f"generated {path.name}: {made['messages']:,} messages, "
                  f"{made['bytes'] / 2**20:,.0f} MB")
    print("| reader | file | messages | seconds | messages/s | MB/s | peak RSS (MB) |")
    print("|---|---|---:|---:|---:|---:|---:|")
    for name, path in (("telegram.raw_batches", big), ("ijson events only", big),
                       ("telegram.raw_batches", small), ("json.load", small)):
        got = measure(name, path)
        megabytes = path.stat().st_size / 2**20
        rows = got.get("rows")
        count = f"{rows:,}" if rows is not None else "–"
        rate = f"{rows / got['seconds']:,.0f}" if rows else "–"
        print(f"| {name} | {megabytes:,.0f} MB | {count} | {got['seconds']:.1f} | {rate} | "
              f"{megabytes / got['seconds']:.0f} | {got['peak_mb']:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
