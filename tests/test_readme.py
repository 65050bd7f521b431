"""The README's Python example runs as written (on the bundled published series)."""

import re

import matplotlib
import pytest

from negtrend.analysis.effect import EffectResult
from negtrend.data import paths

pytestmark = pytest.mark.slow  # power simulations and a whole report


def test_readme_python_example_runs(tmp_path, monkeypatch):
    readme = (paths.project_root() / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```python\n(.*?)```", readme, re.S).group(1)
    block = block.replace('output_dir="reports/mine"', f'output_dir="{tmp_path}"')
    matplotlib.use("Agg")
    namespace = {}
    exec(block, namespace)  # noqa: S102 - the README's own example
    assert isinstance(namespace["result"], EffectResult)
    report = namespace["report"]
    assert report.metrics["comparisons"] and (tmp_path / "metrics.json").exists()
