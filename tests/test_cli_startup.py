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


NOTEBOOK_LIBRARIES = ("papermill", "nbformat", "nbconvert", "nbclient", "jupyter_client",
                      "jsonschema")


def _loaded_after(code: str, names) -> list[str]:
    probe = (f"import sys\n{code}\n"
             f"print(sorted({{n.split('.')[0] for n in sys.modules}} & set({tuple(names)!r})))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    return eval(out.strip().splitlines()[-1])  # noqa: S307 - our own printed list


def test_the_runner_imports_no_notebook_or_statistics_library():
    """The report command reads its template's parameters and checks every value before it
    needs papermill, and the pipeline (which imports the runner) never loads Jupyter."""
    code = ("from negtrend.cli import app\nfrom negtrend.run import runner\n"
            "runner.template_parameters('trend_report')")
    assert _loaded_after(code, NOTEBOOK_LIBRARIES + HEAVY[:3]) == []


@pytest.mark.parametrize("template", ["trend_report", "explore", "cross_election"])
def test_template_parameters_are_read_as_papermill_reads_them(template):
    import papermill

    from negtrend.run import runner

    path = runner.template_path(template)
    ours = runner.template_parameters(template)
    theirs = dict(papermill.inspect_notebook(str(path)))
    assert list(ours) == list(theirs)
    for name, info in theirs.items():
        assert runner._literal(ours[name]["default"]) == runner._literal(info["default"]), name
        assert ours[name]["help"] == info["help"], name
        assert ours[name]["inferred_type_name"] == info["inferred_type_name"], name


def test_template_parameters_of_a_cell_that_is_not_python_is_a_parameter_error(tmp_path):
    import json

    from negtrend.run import checks, runner

    path = tmp_path / "broken.ipynb"
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "a = (",
                                           "metadata": {"tags": ["parameters"]}}]}))
    with pytest.raises(checks.ParameterError, match="not valid Python"):
        runner.template_parameters(path)
    path.write_text(json.dumps({"cells": [{"cell_type": "code", "source": "a = 1",
                                           "metadata": {}}]}))
    assert runner.template_parameters(path) == {}


def test_papermill_is_imported_without_the_iri_checker_which_still_imports_afterwards():
    """jsonschema's optional IRI checker (rfc3987_syntax, ~1 s to import) is skipped while the
    runner imports papermill, and left importable as usual."""
    code = ("import importlib.util, sys\nfrom negtrend.run import runner\n"
            "runner._papermill()\n"
            "assert 'papermill' in sys.modules and 'jsonschema' in sys.modules\n"
            "assert 'rfc3987_syntax' not in sys.modules, sys.modules.get('rfc3987_syntax')\n"
            "if importlib.util.find_spec('rfc3987_syntax'):\n"
            "    import rfc3987_syntax\n"
            "    assert rfc3987_syntax.is_valid_syntax('iri', 'https://example.org/a')\n"
            "print('OK')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.strip() == "OK", out.stderr
