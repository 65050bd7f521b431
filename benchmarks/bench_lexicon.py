"""Throughput of the lexicon tagger on one core, before and after the token path for words
and phrases, on generated Indonesian posts of about 90 and about 300 bytes.

"before" is ``LexiconTagger._reference_scores`` (every entry through Hyperscan, a Python
callback per match; the path ``score_array`` took until words and phrases became tokens);
"after" is ``score_array``. Both are timed alone (normalized text given) and with
``normalize_array`` in front, which is what ``classify.LexiconBackend.tag`` runs. The run
checks that both paths give identical scores.

Not run by the tests. Usage:
    .venv/bin/python benchmarks/bench_lexicon.py [--rows 300000] [--batch 100000]
Prints a markdown table: posts/s and MB of text/s by this process's CPU time, best of
--repeat runs (on a shared machine the fairer "per core" figure), and posts/s by wall clock.
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from negtrend.tagging import lexicon

PLAIN = ["terima kasih infonya min", "kapan jadwal debat capres berikutnya", "mantap videonya",
         "kpu umumkan hasil rekapitulasi suara", "semoga pemilu berjalan damai",
         "harga beras naik lagi di pasar", "lucu banget anaknya wkwk", "jalan macet parah pagi ini",
         "ayo datang ke tps tanggal 14 februari", "berita ini hoaks jangan disebar",
         "Main bola sore ini seru banget 😂", "Kang Dede masak apa hari ini?",
         "bonus akhir tahun cair juga alhamdulillah", "menang tipis 2-1 tadi malam",
         "semangat terus bang, sehat selalu 🙏", "yg bilang ini editan kurang piknik",
         "warga bandung antusias ikut kampanye partai di lapangan",
         "anies, prabowo dan ganjar hadir di acara itu", "cek fakta: kabar itu tidak benar",
         "rakyat kecil tetap susah cari kerja di jakarta", "hati-hati penipuan lewat whatsapp"]
SPAM = ["𝐒𝐋𝐎𝐓 𝐆𝐀𝐂𝐎𝐑 hari ini maxwin", "main di hoki88 pasti jp", "s l o t g a c o r depo 10rb",
        "g4c0r parah wd cepat cek bio", "link alternatif totomacau4d login", "sl0t m4xw1n 🔥🔥",
        "Rezeki gak ada putusnya makasi 𝐊𝐘𝐓4𝐃", "P U L A U W I N tempat kabur dari kenyataan",
        "[S]LOT g@cor cuma di situs judi terpercaya", "dasar tukang bohong, otak udang"]


def make_posts(rows: int, length: int, seed: int = 0, spam_share: float = 0.05) -> pa.Array:
    """Posts of at least ``length`` bytes: plain sentences, and in ``spam_share`` of the posts
    one spam sentence (gambling, leetspeak, styled or spaced letters, insults) among them;
    each ends with a random number so none repeat exactly."""
    rng = np.random.default_rng(seed)
    posts = []
    for spam in rng.random(rows) < spam_share:
        parts = [SPAM[rng.integers(len(SPAM))]] if spam else []
        while sum(len(p.encode()) + 1 for p in parts) < length:
            parts.insert(rng.integers(len(parts) + 1), PLAIN[rng.integers(len(PLAIN))])
        posts.append(" ".join(parts) + f" #{rng.integers(100_000)}")
    return pa.array(posts, pa.string())


def best_seconds(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds of the fastest of ``repeat`` runs."""
    wall = cpu = float("inf")
    for _ in range(repeat):
        start, start_cpu = time.perf_counter(), time.process_time()
        fn()
        wall = min(wall, time.perf_counter() - start)
        cpu = min(cpu, time.process_time() - start_cpu)
    return wall, cpu


def batches(values: pa.Array, size: int) -> list[pa.Array]:
    return [values.slice(i, size) for i in range(0, len(values), size)]


def check_identical(tagger: lexicon.LexiconTagger, texts: pa.Array) -> None:
    """The two paths must agree on every score; a benchmark of a wrong answer is worthless."""
    normalized = tagger.normalize_array(texts)
    before = tagger._reference_scores(texts, normalized)
    after = tagger.score_array(texts, normalized)
    for category in tagger.categories:
        if not np.array_equal(before[category], after[category]):
            raise SystemExit(f"scores differ for {category}")


def rows_for(tagger: lexicon.LexiconTagger, label: str, texts: pa.Array, batch: int,
             repeat: int) -> list[str]:
    """Table rows for one corpus: before and after, scoring alone and with normalization."""
    raw_parts = batches(texts, batch)
    norm_parts = [tagger.normalize_array(part) for part in raw_parts]
    megabytes = pc.sum(pc.binary_length(texts)).as_py() / 1e6
    average = megabytes * 1e6 / len(texts)
    paths = {"before": tagger._reference_scores, "after": tagger.score_array}
    out = []
    for step in ("score_array (normalized given)", "normalize_array + score_array"):
        for name, score in paths.items():
            if step.startswith("normalize"):
                def run(score=score):
                    for raw in raw_parts:
                        score(raw, tagger.normalize_array(raw))
            else:
                def run(score=score):
                    for raw, norm in zip(raw_parts, norm_parts, strict=True):
                        score(raw, norm)
            wall, cpu = best_seconds(run, repeat)
            out.append(f"| {label}, {average:.0f} B | {step} | {name} | {len(texts) / cpu:,.0f} | "
                       f"{megabytes / cpu:,.1f} | {len(texts) / wall:,.0f} |")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=300_000)
    parser.add_argument("--batch", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spam-share", type=float, default=0.05)
    args = parser.parse_args()

    tagger = lexicon.LexiconTagger()
    corpora = {f"short {1 - args.spam_share:.0%} clean": make_posts(args.rows, 80, 0,
                                                                     args.spam_share),
               f"long {1 - args.spam_share:.0%} clean": make_posts(args.rows, 290, 1,
                                                                    args.spam_share)}
    print(f"{args.rows:,} generated posts per corpus, batches of {args.batch:,}, 1 core, "
          f"{len(tagger.entries)} entries in {len(tagger.categories)} categories, "
          f"hyperscan {'on' if tagger.use_hyperscan else 'off'}, "
          f"Python {platform.python_version()}, {platform.machine()}\n")
    print("| corpus, mean text length | step | path | posts/s (CPU) | MB/s (CPU) "
          "| posts/s (wall) |")
    print("|---|---|---|---:|---:|---:|")
    for label, texts in corpora.items():
        check_identical(tagger, texts)
        for row in rows_for(tagger, label, texts, args.batch, args.repeat):
            print(row)
    fired = tagger.tag_array(corpora[next(iter(corpora))])
    print("\nshare of short posts tagged: " + ", ".join(
        f"{c} {np.mean(v):.1%}" for c, v in fired.items()))


if __name__ == "__main__":
    main()
