"""Templates are committed thin and clean: outputs stripped, one tagged parameters cell whose
names and defaults are the pipeline's, one call into the package, and display cells only."""

import ast
import dataclasses

import nbformat
import pytest

from negtrend.data import paths
from negtrend.run import pipeline, runner

TEMPLATES = sorted(paths.notebooks_dir().glob("*.ipynb"))
MAX_CELL_LINES = 12
# what a display cell may do: show things (display, a table, a figure) and, at most, show or
# hide a section with `if`; everything else (loops, functions, assignments beyond the one call)
# belongs in the package
ALLOWED = (ast.Expr, ast.If, ast.Import, ast.ImportFrom)
PARAMS = {"trend_report": pipeline.ReportParams, "explore": pipeline.ExploreParams}


def code_cells(path):
    return [c for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def is_parameters(cell) -> bool:
    return "parameters" in cell.metadata.get("tags", [])


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_has_no_outputs_and_one_parameters_cell(path):
    for cell in code_cells(path):
        assert cell.outputs == [] and cell.execution_count is None, path.name
    assert sum(is_parameters(c) for c in code_cells(path)) == 1


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_parameters_one_call_and_display_cells(path):
    """No function or class, no loop, one assignment from a call into negtrend (the pipeline),
    then cells that only display a part of its result, each at most a dozen lines."""
    calls = []
    for cell in code_cells(path):
        if is_parameters(cell):
            continue
        lines = [line for line in cell.source.splitlines() if line.strip()
                 and not line.strip().startswith("#")]
        assert len(lines) <= MAX_CELL_LINES, f"{path.name}: a cell of {len(lines)} lines"
        for node in ast.parse(cell.source).body:
            if isinstance(node, ast.Assign):
                calls.append(node)
                continue
            assert isinstance(node, ALLOWED), \
                f"{path.name}: {type(node).__name__} at line {node.lineno}: logic in a template"
            for inner in ast.walk(node):
                assert not isinstance(inner, ast.FunctionDef | ast.Lambda | ast.ClassDef |
                                      ast.For | ast.While | ast.comprehension), \
                    f"{path.name}: {type(inner).__name__} in a display cell"
    assert 1 <= len(calls) <= 2, f"{path.name}: {len(calls)} assignments; expected the one call"
    first = calls[0].value
    assert isinstance(first, ast.Call) and "pipeline" in ast.unparse(first.func), \
        f"{path.name}: the first assignment must be the pipeline call, got {ast.unparse(first)}"


@pytest.mark.parametrize("template", sorted(PARAMS))
def test_parameters_cell_is_the_pipelines_parameters(template):
    """The names and defaults of the parameters cell are those of the pipeline's dataclass, so
    a parameter cannot be added to one and forgotten in the other."""
    declared = runner.template_parameters(template)
    fields = {f.name: f for f in dataclasses.fields(PARAMS[template])}
    assert set(declared) == set(fields)
    defaults = PARAMS[template]()
    for name, info in declared.items():
        assert runner._literal(info.get("default")) == getattr(defaults, name), name


def test_trend_report_declares_the_documented_parameters():
    declared = runner.template_parameters("trend_report")
    for name in ("data", "election", "categories", "freq", "before_days", "after_days",
                 "alpha", "output_dir", "claim", "baseline"):
        assert name in declared


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_is_paired_with_a_percent_script_that_matches_it(path):
    """Review diffs read the .py; it must say what the .ipynb runs (jupytext --sync)."""
    import jupytext

    script = path.with_suffix(".py")
    assert script.exists(), f"{script.name} missing: run jupytext --sync {path}"
    from_script = jupytext.read(script)
    from_notebook = nbformat.read(path, as_version=4)
    assert [(c.cell_type, c.source) for c in from_script.cells] == \
        [(c.cell_type, c.source) for c in from_notebook.cells]
    assert "py:percent" in from_notebook.metadata["jupytext"]["formats"]
