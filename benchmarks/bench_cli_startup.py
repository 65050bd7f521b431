"""Start-up time of the command line, as a user runs it (issue 10).

    .venv/bin/python benchmarks/bench_cli_startup.py --runs 20

Times whole commands in fresh processes (median and best of ``--runs``), with anchors in the
same run: the bare interpreter, the interpreter importing typer (what any typer command pays)
and importing pandas (what the command paid before its imports were made lazy). Also lists the
heavy libraries each command loads.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent
HEAVY = ("pandas", "numpy", "matplotlib", "statsmodels", "sklearn", "scipy", "IPython")
COMMANDS = {
    "python -c pass (anchor)": [sys.executable, "-c", "pass"],
    "python -c 'import typer' (anchor)": [sys.executable, "-c", "import typer"],
    "python -c 'import pandas' (anchor)": [sys.executable, "-c", "import pandas"],
    "negtrend --help": [str(BIN / "negtrend"), "--help"],
    "negtrend elections": [str(BIN / "negtrend"), "elections"],
    "python -c 'import negtrend'": [sys.executable, "-c", "import negtrend"],
}
PROBE = ("import sys; from negtrend.cli import app; sys.argv = ['negtrend', *{args!r}]\n"
         "try:\n    app()\nexcept SystemExit:\n    pass\n"
         "print(sorted({{m.split('.')[0] for m in sys.modules}} & set({heavy!r})))")


def seconds(command: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True)
        times.append(time.perf_counter() - began)
    return times


def loaded(args: list[str]) -> str:
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
                         capture_output=True, text=True, check=True).stdout.strip()
    return out.splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=20)
    runs = parser.parse_args().runs
    print(f"machine: {platform.platform()}, {os.cpu_count()} CPUs; Python "
          f"{platform.python_version()}; load average {os.getloadavg()[0]:.2f}")
    print(f"{runs} runs each, fresh process per run\n")
    print("| command | median (s) | best (s) | heavy libraries loaded |")
    print("|---|---:|---:|---|")
    for name, command in COMMANDS.items():
        times = seconds(command, runs)
        heavy = ""
        if name.startswith("negtrend"):
            heavy = loaded(command[1:])
        print(f"| `{name}` | {statistics.median(times):.3f} | {min(times):.3f} | {heavy} |")


if __name__ == "__main__":
    main()
