"""Write data/sample/posts_pemilu2024.csv: a small synthetic post corpus with known effects.

Deterministic (fixed seed). From August 2023 to December 2024, about 12 items are collected per
day (fewer at weekends); each is a hoax with probability 0.20, raised to 0.30 during the Pemilu
2024 campaign (28 Nov 2023 - 10 Feb 2024): the true rate ratio of the hoax *share* is 1.5, while
collection volume also rises by 30% during that campaign, so counts rise by about 1.95. Around
Pilkada 2024 (campaign 25 Sep - 23 Nov 2024) nothing changes: the true ratio is 1.0, so the
two elections can be compared side by side. A few rows are broken on purpose (empty text,
unparseable or missing timestamps) to show the quarantine.

Usage: python scripts/make_sample.py [--out data/sample/posts_pemilu2024.csv]
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

import numpy as np
import pandas as pd

CAMPAIGN = (pd.Timestamp("2023-11-28"), pd.Timestamp("2024-02-10"))
HOAX_WORDS = ["[SALAH] Video", "[HOAKS] Foto", "[SALAH] Pesan berantai", "[HOAKS] Akun"]
OTHER_WORDS = ["[BENAR] Jadwal", "[KLARIFIKASI] Berita", "[EDUKASI] Cara cek", "[BENAR] Data"]
TOPICS = ["surat suara tercoblos", "KPU", "quick count", "TPS", "kampanye di Jakarta",
          "bansos", "capres", "debat capres"]


def make(seed: int = 2024) -> list[list[str]]:
    rng = np.random.default_rng(seed)
    rows = []
    for day in pd.date_range("2023-08-01", "2024-12-31", freq="D"):
        in_campaign = CAMPAIGN[0] <= day <= CAMPAIGN[1]
        volume = 12 * (0.6 if day.day_of_week >= 5 else 1.0) * (1.3 if in_campaign else 1.0)
        for _ in range(rng.poisson(volume)):
            is_hoax = rng.random() < (0.30 if in_campaign else 0.20)
            head = rng.choice(HOAX_WORDS if is_hoax else OTHER_WORDS)
            tag = head[1:head.index("]")]
            stamp = day + pd.Timedelta(seconds=int(rng.integers(0, 86400)))
            rows.append([f"{head} {rng.choice(TOPICS)}", stamp.strftime("%Y-%m-%d %H:%M:%S"),
                         tag, str(rng.choice(["facebook", "x", "tiktok", "whatsapp"]))])
    rows.insert(10, ["", "2023-08-02 09:00:00", "SALAH", "x"])  # empty text
    rows.insert(20, ["[SALAH] Tanggal rusak", "32/13/2023", "SALAH", "x"])  # bad timestamp
    rows.insert(30, ["[BENAR] Tanpa tanggal", "", "BENAR", "x"])  # missing timestamp
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="data/sample/posts_pemilu2024.csv")
    args = parser.parse_args()
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["title", "published", "tag", "platform"])
        writer.writerows(make())


if __name__ == "__main__":
    main()
