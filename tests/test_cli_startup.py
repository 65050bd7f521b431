"""`negtrend --help` and `negtrend elections` load no plotting, statistics, machine learning or
notebook library (the package's API is imported lazily), so the command starts fast; the
start-up time itself is measured in docs/benchmarks.md, not here."""

import subprocess
import sys

import pytest

HEAVY = ("matplotlib", "statsmodels", "sklearn", "IPython", "pandas", "scipy")
PROBE = """
import sys
from negtrend.cli import app
sys.argv = ["negtrend", *{args!r}]
try:
    app()
except SystemExit:
    pass
loaded = sorted({{name.split(".")[0] for name in sys.modules}} & set({heavy!r}))
print("LOADED", ",".join(loaded))
"""


@pytest.mark.parametrize("args", [["--help"], ["elections"], ["elections", "--sources"]])
def test_light_commands_import_no_heavy_library(args):
    out = subprocess.run([sys.executable, "-c", PROBE.format(args=args, heavy=HEAVY)],
                         capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("LOADED"))
    assert line == "LOADED ", line


def test_import_negtrend_is_lazy():
    code = ("import sys, negtrend as nt; assert callable(nt.build_series); "
            f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({HEAVY!r})))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert "matplotlib" not in out and "statsmodels" not in out and "sklearn" not in out
