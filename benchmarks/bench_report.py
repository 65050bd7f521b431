"""Reports in seconds (issue 13): the whole commands, timed as a user runs them.

    .venv/bin/python benchmarks/bench_report.py --repeat 5 --before a6364ff --out bench.json
    .venv/bin/python benchmarks/bench_report.py --repeat 1 --only monthly claim   # a quick check

Each case is a fresh process per repeat (kernel start included), with a fresh ``--reports-dir``
every time, so nothing is reused except, where a case says so, the tagged-corpus cache
(``NEGTREND_CACHE``, warmed by one untimed run of the same code). The median of ``--repeat``
runs is reported, with the best and worst.

Cases (and the targets of issue 13):

- ``monthly``: ``negtrend report`` on the bundled published series
  ``published:kominfo_ais_hoax_monthly``, pemilu2019, ``--freq M`` (5 s);
- ``daily``: ``negtrend report --freq D`` on a generated corpus of ``--rows`` posts (1 M)
  that is already tagged, so nothing is tagged: a Parquet file with a boolean ``hoaks``
  column (``--engine auto`` reads it with pandas: nothing is cached), and the same posts as a
  CSV whose ``tag`` column is mapped with ``--label hoaks=tag:HOAKS`` (auto: DuckDB, through
  the cache), as a first run (an empty cache) and as a cache hit (10 s). The table names the
  engine and the cache state that each run's run.json records;
- ``claim``: ``negtrend claim`` of komdigi_2024_11_pilkada on
  ``published:komdigi_ais_hoax_monthly_2024`` (3 s);
- ``sweep``: ``negtrend sweep params/demo_sweep.yaml --jobs 2`` (7 runs) (40 s).

The corpus: posts of 80-120 characters (about 100) in everyday Indonesian social-media
register, timestamps over 2023-06..2024-06 (Asia/Jakarta), 5 % hoaxes, 7 % during the
pemilu2024 campaign; seeded, generated once into ``--work``; nothing is committed.

``--before REV`` runs every command also with the code of git revision REV, in the same run and
interleaved with the current code (before, after, before, after, ...), from a worktree of REV
(``git worktree add --detach``) put first on ``PYTHONPATH``: the same venv runs the old package,
its templates, config and sweep file. Which code ran is checked, not assumed: the command's
``negtrend.__file__`` and the kernel's (the kernel inherits the environment) must both lie in
the worktree (or in this checkout for the current code), and each report's run.json names
its commit.

Prints a markdown table and the machine (CPU, cores, load average before starting, date);
``--out`` writes everything, every single time included, as JSON.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
NEGTREND = str(BIN / "negtrend")

# --- the generated corpus -----------------------------------------------------------------------

PLACES = ["Jakarta", "Bekasi", "Depok", "Bogor", "Bandung", "Surabaya", "Medan", "Makassar",
          "Semarang", "Palembang", "Solo", "Yogya", "Malang", "Padang", "Pontianak", "Kupang"]
SUBJECTS = ["warga", "emak-emak", "pedagang pasar", "ojol", "mahasiswa", "guru honorer",
            "pak RT", "anak muda", "petani", "nelayan", "buruh pabrik", "netizen"]
TOPICS = ["harga beras", "harga cabai", "BBM", "macet", "banjir", "debat capres", "TPS",
          "bansos", "kampanye", "quick count", "hasil survei", "baliho caleg", "serangan fajar",
          "daftar pemilih", "logistik pemilu", "sembako murah", "jalan rusak", "listrik padam"]
VERBS = ["ngeluh soal", "lagi ramai bahas", "bingung sama", "kecewa dengan", "senang lihat",
         "mempertanyakan", "ikut antre", "gak habis pikir soal", "akhirnya dapat info",
         "masih nunggu kabar"]
TAILS = ["beneran gak sih?", "semoga cepat beres.", "parah banget wkwk", "mohon info ya gan",
         "cek dulu sebelum share!", "sudah biasa begini.", "kapan selesainya?", "mantap lah",
         "viral di grup WA keluarga", "jangan lupa nyoblos ya", "ayo kawal suara kita",
         "tolong diluruskan min"]
HOAX_OPENERS = ["BEREDAR KABAR", "Viral!", "Info A1:", "Sebarkan!", "Katanya", "Breaking:"]
HOAX_CLAIMS = ["surat suara sudah dicoblos duluan di gudang", "KPU ganti hasil pakai aplikasi",
               "bansos dicabut kalau pilih nomor lain", "TPS dipindah diam-diam malam ini",
               "chip di tinta pemilu bikin sakit", "pemilu ditunda sampai tahun depan",
               "ribuan WNA dapat KTP buat nyoblos", "kotak suara kardus bakal diganti"]
HASHTAGS = ["#Pemilu2024", "#PemiluDamai", "#CekFakta", "#Pilpres2024", "#KawalSuara", ""]
CAMPAIGN = ("2023-11-28", "2024-02-10")  # pemilu2024 (config/elections.yaml)


def generate_corpus(rows: int, folder: Path, seed: int = 0) -> dict[str, Path]:
    """``posts_<rows>.parquet`` (typed timestamps, boolean ``hoaks``) and ``posts_<rows>.csv``
    (local time as text, ``tag`` HOAKS/BENAR): the same posts. Generated once."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    folder.mkdir(parents=True, exist_ok=True)
    out = {"parquet": folder / f"posts_{rows}.parquet", "csv": folder / f"posts_{rows}.csv"}
    if all(path.exists() for path in out.values()):
        return out
    rng = np.random.default_rng(seed)
    start = np.datetime64("2023-06-01T00:00:00", "s")
    days = int((np.datetime64("2024-07-01") - np.datetime64("2023-06-01")).astype(int))
    seconds = np.sort(rng.integers(0, days * 86400, size=rows))
    local = start + seconds.astype("timedelta64[s]")  # Asia/Jakarta wall time
    in_campaign = (local >= np.datetime64(CAMPAIGN[0])) & \
        (local < np.datetime64(CAMPAIGN[1]) + np.timedelta64(1, "D"))
    hoax = rng.random(rows) < np.where(in_campaign, 0.07, 0.05)

    def pick(options, size):
        return np.array(options, dtype=object)[rng.integers(0, len(options), size=size)]

    n = rows
    place, subject, topic, verb, tail, tag = (pick(PLACES, n), pick(SUBJECTS, n),
                                              pick(TOPICS, n), pick(VERBS, n), pick(TAILS, n),
                                              pick(HASHTAGS, n))
    opener, claim = pick(HOAX_OPENERS, n), pick(HOAX_CLAIMS, n)
    texts = []
    for i in range(n):
        if hoax[i]:
            text = f"{opener[i]} {claim[i]} di {place[i]}, {tail[i]}"
        else:
            text = f"{subject[i].capitalize()} {place[i]} {verb[i]} {topic[i]}, {tail[i]}"
        if len(text) < 72:  # a second clause, to the register's usual length
            j = (i + 7) % n
            text = f"{text} Kata {subject[j]}: {tail[(i + 5) % n]}"
        texts.append(f"{text} {tag[i]}".strip()[:120])
    text = pa.array(texts, pa.string())
    utc = pa.array(local - np.timedelta64(7, "h"), pa.timestamp("s")).cast(
        pa.timestamp("s", tz="UTC"))
    platform_ = pa.array(pick(["twitter", "facebook", "tiktok", "instagram", "youtube"], n)
                         .astype(str))
    table = pa.table({"id": pa.array(np.arange(rows)), "timestamp": utc, "text": text,
                      "platform": platform_, "hoaks": pa.array(hoax)})
    pq.write_table(table, out["parquet"], compression="zstd", row_group_size=1_000_000)
    csv_table = pa.table({
        "id": table["id"],
        "published": pc.strftime(pa.array(local, pa.timestamp("s")), "%Y-%m-%d %H:%M:%S"),
        "text": text, "platform": platform_,
        "tag": pa.array(np.where(hoax, "HOAKS", "BENAR").astype(str))})
    pacsv.write_csv(csv_table, out["csv"])
    return out


def corpus_facts(paths: dict[str, Path]) -> dict:
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    table = pq.read_table(paths["parquet"], columns=["text", "hoaks"])
    lengths = pc.utf8_length(table["text"])
    return {"rows": table.num_rows,
            "mean_text_chars": round(pc.mean(lengths).as_py(), 1),
            "min_text_chars": pc.min(lengths).as_py(), "max_text_chars": pc.max(lengths).as_py(),
            "hoaks_share": round(pc.mean(table["hoaks"].cast("int8")).as_py(), 4),
            "megabytes": {fmt: round(path.stat().st_size / 1e6, 1)
                          for fmt, path in paths.items()}}


# --- the code versions --------------------------------------------------------------------------


@dataclass
class Version:
    name: str  # "before" | "after"
    root: Path  # the checkout whose src/ runs
    env: dict
    commit: str = ""
    checked: dict = field(default_factory=dict)


def git(*args: str, cwd: Path = ROOT) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout.strip()


def worktree(rev: str, folder: Path) -> Path:
    """A worktree of ``rev`` (reused when it is already there at that commit)."""
    commit = git("rev-parse", f"{rev}^{{commit}}")
    if folder.exists():
        if git("rev-parse", "HEAD", cwd=folder) == commit:
            return folder
        raise SystemExit(f"{folder} holds another commit; remove it (git worktree remove)")
    git("worktree", "add", "--detach", str(folder), commit)
    return folder


KERNEL_PROBE = """
import json, sys
from jupyter_client.manager import KernelManager
import negtrend
km = KernelManager(kernel_name=sys.argv[1])
km.start_kernel()
kc = km.client(); kc.start_channels(); kc.wait_for_ready(timeout=120)
seen = []
kc.execute_interactive("import negtrend; print(negtrend.__file__)", timeout=120,
                       output_hook=lambda m: seen.append(m["content"].get("text", "")))
kc.stop_channels(); km.shutdown_kernel(now=True)
print(json.dumps({"command": negtrend.__file__, "kernel": "".join(seen).strip()}))
"""


def check_version(version: Version, kernel: str) -> None:
    """The package that the command and the kernel import must be this version's."""
    out = subprocess.run([sys.executable, "-c", KERNEL_PROBE, kernel], env=version.env,
                         capture_output=True, text=True, check=True).stdout
    seen = json.loads(out.strip().splitlines()[-1])
    expected = str(version.root / "src" / "negtrend")
    for where, path in seen.items():
        if not path.startswith(expected):
            raise SystemExit(f"{version.name}: the {where} imports {path}, not {expected}")
    version.checked = seen


def versions(before: str | None, work: Path) -> list[Version]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    status = git("status", "--porcelain", "--untracked-files=no")
    found = [Version("after", ROOT, env, git("rev-parse", "HEAD") + ("+dirty" if status else ""))]
    if before:
        tree = worktree(before, work / f"before-{git('rev-parse', '--short', before)}")
        found.insert(0, Version("before", tree, {**env, "PYTHONPATH": str(tree / "src")},
                                git("rev-parse", "HEAD", cwd=tree)))
    return found


# --- the cases ----------------------------------------------------------------------------------


@dataclass
class Case:
    key: str
    command: str  # as shown in the table
    input: str
    target_s: float
    args: list[str]  # after `negtrend`; {reports} and {root} are filled in per run
    cache: str = "none"  # none | fresh (an empty cache) | warm (hit: warmed untimed first)


def cases(selected: list[str], corpus: dict[str, Path] | None, facts: dict | None,
          freq: str) -> list[Case]:
    found = []
    if "monthly" in selected:
        found.append(Case(
            "monthly", "negtrend report (monthly published series)",
            "published:kominfo_ais_hoax_monthly, pemilu2019, M", 5.0,
            ["report", "--data", "published:kominfo_ais_hoax_monthly", "--election",
             "pemilu2019", "--freq", "M", "--reports-dir", "{reports}"]))
    if "daily" in selected and corpus:
        rows = f"{facts['rows']:,} posts, mean {facts['mean_text_chars']} chars"
        parquet = ["report", "--data", str(corpus["parquet"]), "--election", "pemilu2024",
                   "--freq", freq, "--category", "hoaks", "--reports-dir", "{reports}"]
        csv = ["report", "--data", str(corpus["csv"]), "--election", "pemilu2024",
               "--freq", freq, "--map", "text=text,timestamp=published",
               "--label", "hoaks=tag:HOAKS", "--reports-dir", "{reports}"]
        mb = facts["megabytes"]
        found.append(Case(
            "daily_parquet", "negtrend report (tagged corpus)",
            f"Parquet {mb['parquet']} MB, boolean hoaks column; {rows}; {freq}", 10.0,
            parquet, "fresh"))
        for cache, label in (("fresh", "first run"), ("warm", "cache hit")):
            found.append(Case(
                f"daily_csv_{cache}", f"negtrend report (labelled corpus, {label})",
                f"CSV {mb['csv']} MB, --label hoaks=tag:HOAKS; {rows}; {freq}", 10.0,
                csv, cache))
    if "claim" in selected:
        found.append(Case(
            "claim", "negtrend claim komdigi_2024_11_pilkada",
            "published:komdigi_ais_hoax_monthly_2024, pilkada2024, hoax_all_categories, M",
            3.0, ["claim", "--data", "published:komdigi_ais_hoax_monthly_2024", "--election",
                  "pilkada2024", "--category", "hoax_all_categories", "--direction",
                  "decrease", "--phase", "campaign", "--baseline", "before", "--no-progress"]))
    if "sweep" in selected:
        found.append(Case(
            "sweep", "negtrend sweep params/demo_sweep.yaml --jobs 2",
            "7 runs (published series and the bundled sample corpus)", 40.0,
            ["sweep", "{root}/params/demo_sweep.yaml", "--jobs", "2", "--reports-dir",
             "{reports}", "--no-progress"]))
    return found


def run_once(case: Case, version: Version, scratch: Path, caches: dict) -> dict:
    """One timed command in a fresh reports folder (removed afterwards)."""
    reports = Path(tempfile.mkdtemp(prefix=f"{case.key}-{version.name}-", dir=scratch))
    env = dict(version.env)
    if case.cache == "fresh":
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    elif case.cache == "warm":
        cache = caches[(case.key, version.name)]
    else:
        cache = Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))  # touched by nothing
    env["NEGTREND_CACHE"] = str(cache)
    args = [a.replace("{reports}", str(reports)).replace("{root}", str(version.root))
            for a in case.args]
    began = time.perf_counter()
    proc = subprocess.run([NEGTREND, *args], env=env, cwd=scratch, capture_output=True,
                          text=True)
    seconds = time.perf_counter() - began
    result = {"seconds": round(seconds, 3), "exit": proc.returncode}
    if proc.returncode:
        result["stderr"] = proc.stderr[-2000:]
    records = [json.loads(p.read_text()) for p in reports.glob("*/run.json")]
    if records:
        result["run_json_commit"] = sorted({r.get("git_commit") or "?" for r in records})
        engines = [r["engine"] for r in records if r.get("engine")]
        if engines:  # which engine read the data, and whether the cache was hit
            result["engine"] = {k: engines[0].get(k) for k in ("name", "scan", "cache",
                                                                "seconds")}
    shutil.rmtree(reports, ignore_errors=True)
    if case.cache != "warm":
        shutil.rmtree(cache, ignore_errors=True)
    return result


def warm_cache(case: Case, version: Version, scratch: Path) -> Path:
    cache = Path(tempfile.mkdtemp(prefix=f"cache-{case.key}-{version.name}-", dir=scratch))
    warm = Case(case.key, case.command, case.input, case.target_s, case.args, "none")
    env = {**version.env}
    reports = Path(tempfile.mkdtemp(dir=scratch))
    args = [a.replace("{reports}", str(reports)) for a in warm.args]
    subprocess.run([NEGTREND, *args], env={**env, "NEGTREND_CACHE": str(cache)}, cwd=scratch,
                   capture_output=True, check=True)
    shutil.rmtree(reports, ignore_errors=True)
    return cache


# --- the machine and the table ------------------------------------------------------------------


def machine() -> dict:
    model = "?"
    with open("/proc/cpuinfo", encoding="utf-8") as handle:
        for line in handle:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {"cpu": model, "cores": os.cpu_count(), "platform": platform.platform(),
            "python": platform.python_version(),
            "date": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "load_average_before": [round(x, 2) for x in os.getloadavg()]}


def seconds_cell(times: list[float]) -> str:
    if not times:
        return "-"
    median = statistics.median(times)
    if len(times) == 1:
        return f"{median:.1f}"
    return f"{median:.1f} ({min(times):.1f}-{max(times):.1f})"


def table(rows: list[dict], names: list[str]) -> str:
    lines = ["| command | input | " + " | ".join(f"{n} median (s)" for n in names)
             + " | target (s) | met? |",
             "|---|---|" + "---:|" * len(names) + "---:|---|"]
    for row in rows:
        cells = [seconds_cell(row["times"].get(n, [])) for n in names]
        after = row["times"].get("after") or []
        met = "-" if not after else ("yes" if statistics.median(after) <= row["target_s"]
                                     else "no")
        if row.get("failed"):
            met += f" ({row['failed']} failed)"
        engine = next((run["engine"] for runs in row["runs"].values() for run in runs
                       if run.get("engine")), None)
        where = row["input"] + (f"; engine {engine['name']}"
                                + (f", cache {engine['cache']}" if engine.get("cache") else "")
                                if engine else "")
        lines.append(f"| `{row['command']}` | {where} | " + " | ".join(cells)
                     + f" | {row['target_s']:g} | {met} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per case and version")
    parser.add_argument("--before", help="a git revision to time too (e.g. HEAD~3, a6364ff)")
    parser.add_argument("--only", nargs="+", default=["monthly", "daily", "claim", "sweep"],
                        choices=["monthly", "daily", "claim", "sweep"])
    parser.add_argument("--rows", type=int, default=1_000_000, help="posts in the corpus")
    parser.add_argument("--freq", default="D", help="the daily corpus report's frequency")
    parser.add_argument("--work", type=Path, default=Path("/tmp/negtrend-bench"),
                        help="the generated corpus, the worktree, scratch folders")
    parser.add_argument("--kernel", default="negtrend")
    parser.add_argument("--out", type=Path, help="write every time as JSON here")
    args = parser.parse_args()

    info = machine()  # the load average before anything of ours runs
    args.work.mkdir(parents=True, exist_ok=True)
    found = versions(args.before, args.work)
    for version in found:
        check_version(version, args.kernel)
    corpus = facts = None
    if "daily" in args.only:
        began = time.perf_counter()
        corpus = generate_corpus(args.rows, args.work / "corpus")
        facts = corpus_facts(corpus)
        facts["generated_s"] = round(time.perf_counter() - began, 1)
    todo = cases(args.only, corpus, facts, args.freq)
    names = [v.name for v in found]
    print(f"machine: {info['cpu']}, {info['cores']} cores; {info['platform']}; Python "
          f"{info['python']}; {info['date']}; load average before {info['load_average_before']}")
    for version in found:
        print(f"{version.name}: {version.commit} (command and kernel import "
              f"{Path(version.checked['kernel']).parent})")
    if facts:
        print(f"corpus: {facts}")
    print(f"{args.repeat} run(s) per case and version, interleaved; fresh --reports-dir each\n",
          flush=True)

    scratch = Path(tempfile.mkdtemp(prefix="scratch-", dir=args.work))
    rows = []
    try:
        for case in todo:
            caches = {(case.key, v.name): warm_cache(case, v, scratch)
                      for v in found if case.cache == "warm"}
            row = {"key": case.key, "command": case.command, "input": case.input,
                   "target_s": case.target_s, "args": case.args, "cache": case.cache,
                   "times": {}, "runs": {}, "failed": 0}
            for _ in range(args.repeat):
                for version in found:
                    result = run_once(case, version, scratch, caches)
                    row["runs"].setdefault(version.name, []).append(result)
                    if result["exit"] == 0 or case.key == "sweep" and result["exit"] == 1:
                        row["times"].setdefault(version.name, []).append(result["seconds"])
                    if result["exit"]:
                        row["failed"] += 1
                        print(f"  {case.key} {version.name}: exit {result['exit']}\n"
                              f"{result.get('stderr', '')[-600:]}", file=sys.stderr)
            for version in found:
                times = row["times"].get(version.name, [])
                row.setdefault("median_s", {})[version.name] = (
                    round(statistics.median(times), 3) if times else None)
            rows.append(row)
            print(f"  {case.key}: " + ", ".join(
                f"{n} {seconds_cell(row['times'].get(n, []))}" for n in names), flush=True)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    info["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print()
    print(table(rows, names))
    print(f"\nload average after: {info['load_average_after']}")
    if args.out:
        args.out.write_text(json.dumps({
            "machine": info, "repeat": args.repeat, "corpus": facts,
            "versions": [{"name": v.name, "commit": v.commit, "root": str(v.root),
                          "imports": v.checked} for v in found],
            "cases": rows}, indent=2) + "\n", encoding="utf-8")
        print(f"written: {args.out}")


if __name__ == "__main__":
    main()
