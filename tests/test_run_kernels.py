"""A run's kernel is launched before papermill is imported and stopped without waiting for its
teardown (negtrend.run.kernels); the HTML exporter is made once and warmed up. Neither may
change what a report holds (the end-to-end page and notebook are checked in test_runner and
test_browser)."""

import base64
import time
from pathlib import Path

import nbformat
import pytest

from negtrend.run import kernels, runner

pytestmark = pytest.mark.slow

KERNEL = "negtrend"


def notebook_with_outputs() -> nbformat.NotebookNode:
    """What an executed report holds: markdown, HTML, a figure, text, an error."""
    png = base64.b64encode(bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")).decode()
    code = nbformat.v4.new_code_cell("x", execution_count=1, outputs=[
        nbformat.v4.new_output("display_data", {"text/html": "<h2>Résumé &amp; <em>x</em></h2>",
                                                "text/plain": "x"}),
        nbformat.v4.new_output("display_data", {"image/png": png, "text/plain": "<Figure>"}),
        nbformat.v4.new_output("stream", name="stderr", text="a warning\n"),
        nbformat.v4.new_output("error", ename="ValueError", evalue="bad <value>",
                               traceback=["ValueError: bad <value>"]),
    ])
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Title — é"),
                                               code])
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL,
                                       "language": "python"}
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def test_the_warmed_up_exporter_renders_a_page_as_a_fresh_exporter_does(tmp_path):
    import jinja2
    from nbconvert import HTMLExporter

    path = tmp_path / "executed.ipynb"
    nbformat.write(notebook_with_outputs(), path)
    runner._html_exporter.cache_clear()
    first = runner.export_html(path, tmp_path / "a.html").read_bytes()
    again = runner.export_html(path, tmp_path / "b.html").read_bytes()  # the same exporter
    fresh = HTMLExporter(template_name="lab", template_file="negtrend_report.html.j2",
                         extra_loaders=[jinja2.DictLoader(
                             {"negtrend_report.html.j2": runner._REPORT_TEMPLATE})],
                         exclude_input=True, exclude_input_prompt=True,
                         exclude_output_prompt=True)
    body, _ = fresh.from_notebook_node(nbformat.read(path, as_version=4))
    assert first == again == body.encode("utf-8")
    assert b"bad &lt;value&gt;" in first and runner.REPORT_CSP.encode() in first


def _process(kernel):
    return kernel.manager.provisioner.process


def test_a_finished_run_stops_its_kernel_cleanly_and_quickly(tmp_path):
    kernel = kernels.launch(KERNEL, tmp_path)
    process = _process(kernel)
    connection = kernel.manager.connection_file
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
        "import os, pandas\nframes = [pandas.DataFrame({'a': range(1000)}) for _ in range(300)]"
        "\nprint(os.getcwd())")])
    notebook.metadata["kernelspec"] = {"name": KERNEL, "display_name": KERNEL,
                                       "language": "python"}
    source = tmp_path / "in.ipynb"
    nbformat.write(notebook, source)
    try:
        runner._papermill().execute_notebook(
            str(source), str(tmp_path / "out.ipynb"), kernel_name=KERNEL, cwd=str(tmp_path),
            progress_bar=False, km=kernel.manager)
    finally:
        began = time.monotonic()
        kernel.stop(finished=True)
        took = time.monotonic() - began
    assert process.poll() is not None  # exited, and not waited on for its teardown
    assert took < 5, took
    executed = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert executed.cells[0].outputs[0]["text"].strip() == str(tmp_path)  # the run's folder
    assert executed.cells[0].execution_count == 1  # the silent freeze is not a cell
    assert not kernel.manager.made_clients()[0].channels_running
    assert not Path(connection).exists()
    kernel.stop(finished=True)  # a second stop does nothing


def test_an_abandoned_run_kills_its_busy_kernel(tmp_path):
    from jupyter_client.blocking import BlockingKernelClient

    kernel = kernels.launch(KERNEL, tmp_path)
    process = _process(kernel)
    client = BlockingKernelClient()
    client.load_connection_info(kernel.manager.get_connection_info())
    client.start_channels()
    client.wait_for_ready(timeout=60)
    client.execute("import time; time.sleep(120)")
    time.sleep(0.5)
    client.stop_channels()
    began = time.monotonic()
    kernel.stop(finished=False)
    assert process.poll() is not None
    assert time.monotonic() - began < 10


def test_a_kernel_that_cannot_start_is_a_failed_run_with_its_page(tmp_path, monkeypatch):
    """As before the kernel was launched early: papermill's own attempt fails, the run is
    recorded as failed, its page says why, and no work folder is left."""
    import json

    spec = tmp_path / "jupyter" / "kernels" / "broken"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(tmp_path / "no-such-python"), "-m", "ipykernel_launcher", "-f",
                 "{connection_file}"], "display_name": "broken", "language": "python"}))
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    reports = tmp_path / "reports"
    outcome = runner.run_report({}, template="cross_election", reports_dir=reports,
                                kernel="broken")
    assert outcome.status == "failed" and "no-such-python" in outcome.error
    assert outcome.html.exists()
    assert [p.name for p in reports.iterdir()] == [outcome.run_key]
