"""Templates are committed thin and clean: outputs stripped, a tagged parameters cell."""

import nbformat
import pytest

from negtrend import paths, runner

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
