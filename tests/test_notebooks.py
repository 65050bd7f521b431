"""Templates are committed thin and clean: outputs stripped, a tagged parameters cell."""

import nbformat
import pytest

from negtrend.data import paths
from negtrend.run import runner

TEMPLATES = sorted(paths.notebooks_dir().glob("*.ipynb"))


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_template_has_no_outputs_and_no_function_definitions(path):
    notebook = nbformat.read(path, as_version=4)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, path.name
            assert "def " not in cell.source and "class " not in cell.source
    tagged = [c for c in notebook.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(tagged) == 1


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
