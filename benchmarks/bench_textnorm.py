"""Throughput of textnorm.normalize_array on generated short posts, default config and with
each step off (plus all off, and slang on).

Not run by the tests. Usage:  .venv/bin/python benchmarks/bench_textnorm.py [--rows N]
Prints a markdown table; record it in docs/benchmarks.md. Single process; posts/s is computed
from the process's CPU time (one core), which a busy shared machine disturbs less than wall time.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pyarrow as pa

from negtrend.tagging import textnorm

WORDS = [
    "saya", "kamu", "dia", "kita", "yang", "tidak", "sudah", "belum", "mau", "bisa", "harus",
    "akan", "dengan", "untuk", "dari", "pada", "ini", "itu", "ada", "juga", "lagi", "banget", "aja",
    "gak", "udah", "yg", "bgt", "pemilu", "kampanye", "capres", "cawapres", "pilkada", "debat",
    "suara", "kpu", "bawaslu", "tps", "jakarta", "warga", "berita", "hoaks", "video", "foto",
    "viral", "klaim", "harga", "beras", "pasar", "jalan", "macet", "hujan", "banjir", "sekolah",
    "anak", "ibu", "bapak", "rumah", "kerja", "uang", "makan", "pagi", "malam", "besok", "kemarin",
    "hari", "minggu", "semoga", "damai", "mantap", "keren", "lucu", "terima", "kasih", "min",
    "infonya", "tolong", "cek", "benar", "salah",
]
EMOJI = ["😂", "🙏", "👍", "🔥", "❤️", "😭", "🇮🇩", "💪", "😁", "🤣"]
BRANDS = ["pulauwin", "hoki88", "gacor77", "toto4d", "probet855", "alexis17", "maxwin", "slot"]
SPAM = ["{b} gacor hari ini", "main di {b} pasti jp", "depo 10rb wd {b}", "cek bio {b} maxwin",
        "{b} lagi gacor parah", "link alternatif {b} login", "auto sultan di {b}"]


def _shift(word: str, upper: int, lower: int, digit: int | None = None) -> str:
    out = []
    for c in word:
        if "A" <= c <= "Z":
            out.append(chr(upper + ord(c) - 65))
        elif "a" <= c <= "z":
            out.append(chr(lower + ord(c) - 97))
        elif c.isdigit() and digit is not None:
            out.append(chr(digit + ord(c) - 48))
        else:
            out.append(c)
    return "".join(out)


OBFUSCATE = [
    lambda w: _shift(w.upper(), 0x1D400, 0x1D41A, 0x1D7CE),  # mathematical bold
    lambda w: _shift(w, 0xFF21, 0xFF41, 0xFF10),  # fullwidth
    lambda w: _shift(w.upper(), 0x1F170, 0x1F170),  # negative squared
    lambda w: w.translate(str.maketrans("aeios", "43105")),  # leet
    lambda w: " ".join(w),  # spaced
    lambda w: ".".join(w),  # dotted
    lambda w: f"[{w[0].upper()}]{w[1:]}",  # bracketed
    lambda w: w + w[-1] * 4,  # elongated
    lambda w: "".join(c + "\u0332" for c in w.upper()),  # combining underline
    lambda w: w.translate(str.maketrans("aeop", "аеор")),  # Cyrillic look-alikes
    lambda w: w,
]


def make_post(rng: np.random.Generator) -> str:
    """One short post: plain (with or without emoji), spam, URL, mention or messy spacing."""
    kind = rng.random()
    words = list(rng.choice(WORDS, rng.integers(4, 13)))
    if kind < 0.55:
        return " ".join(words).capitalize() if rng.random() < 0.5 else " ".join(words)
    if kind < 0.70:
        return " ".join(words) + " " + "".join(rng.choice(EMOJI, rng.integers(1, 4)))
    if kind < 0.85:
        brand = OBFUSCATE[rng.integers(len(OBFUSCATE))](str(rng.choice(BRANDS)))
        post = str(rng.choice(SPAM)).format(b=brand)
        return post + (" " + str(rng.choice(EMOJI)) if rng.random() < 0.5 else "")
    if kind < 0.90:
        return " ".join(words[:4]) + f" https://bit.ly/{rng.integers(10**6):x} " + words[-1]
    if kind < 0.95:
        return f"@user{rng.integers(1000)} " + " ".join(words)
    return "  ".join(words[:3]) + "\n" + " ".join(words[3:]) + " "


def make_corpus(rows: int, seed: int = 0, distinct: int = 50_000) -> pa.Array:
    rng = np.random.default_rng(seed)
    pool = pa.array([make_post(rng) for _ in range(distinct)], pa.string())
    return pool.take(pa.array(rng.integers(0, distinct, rows)))


def seconds(texts: pa.Array, config: textnorm.NormConfig, repeats: int) -> tuple[float, float]:
    """Best (CPU seconds, wall seconds) of ``repeats`` runs."""
    cpu = wall = float("inf")
    for _ in range(repeats):
        began, began_cpu = time.perf_counter(), time.process_time()
        textnorm.normalize_array(texts, config)
        cpu = min(cpu, time.process_time() - began_cpu)
        wall = min(wall, time.perf_counter() - began)
    return cpu, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    texts = make_corpus(args.rows)
    textnorm.normalize_array(texts[:1000])  # build the Unicode tables outside the timing
    configs = [("default", textnorm.DEFAULT)]
    configs += [(f"without {step}", textnorm.DEFAULT.without(step))
                for step in textnorm.STEPS if step != "slang"]
    configs += [("all steps off", textnorm.DEFAULT.without(*textnorm.STEPS)),
                ("default + slang", textnorm.NormConfig(slang=True))]
    mean_chars = sum(len(t) for t in texts[:10_000].to_pylist()) / 10_000
    print(f"machine: {platform.processor() or platform.machine()}, python "
          f"{platform.python_version()}, pyarrow {pa.__version__}; {args.rows:,} posts, "
          f"mean {mean_chars:.0f} characters; best of {args.repeats}, one core\n")
    print("| config | CPU s | wall s | posts/s (CPU) |\n|---|---:|---:|---:|")
    for name, config in configs:
        cpu, wall = seconds(texts, config, args.repeats)
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {args.rows / cpu:,.0f} |")


if __name__ == "__main__":
    main()
