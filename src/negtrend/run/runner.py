"""Run notebook templates with papermill into ``reports/<run_key>/`` and keep a record.

Each run folder holds ``executed.ipynb``, ``report.html`` (no code cells), ``figures/``,
``metrics.json`` (written by the notebook) and ``run.json`` (resolved parameters, input hashes,
package versions, git commit, process id, status). Parameters and their values are checked
before a kernel starts (``negtrend.run.checks``); a run that fails keeps its notebook and HTML
with the error visible, and reports ``failed``. A run works in ``.<run_key>.tmp-<pid>/`` and
replaces ``<run_key>/`` only when it finishes; stopped by Ctrl-C or SIGTERM, it records
``interrupted`` there and the previous report stays as it was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import glob
import hashlib
import html
import json
import os
import platform
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from negtrend.data import paths
from negtrend.errors import NegtrendError
from negtrend.jsonable import jsonable
from negtrend.provenance import package_versions
from negtrend.run import DEFAULT_KERNEL
from negtrend.run.checks import ParameterError, check_values

if TYPE_CHECKING:
    from negtrend.run.kernels import RunKernel

RUNNER_OWNED = ("output_dir",)
PACKAGES = ("negtrend", "pandas", "numpy", "statsmodels", "scipy", "matplotlib", "pyarrow",
            "papermill", "nbconvert", "pyyaml")


class KernelMissingError(NegtrendError, RuntimeError):
    """The Jupyter kernel the runner was asked to use is not installed."""


@dataclass(frozen=True)
class RunOutcome:
    run_key: str
    folder: Path
    status: str  # "ok" | "failed"
    error: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    @property
    def html(self) -> Path:
        return self.folder / "report.html"


def template_path(template: str | Path) -> Path:
    path = Path(template)
    if path.suffix != ".ipynb":
        path = paths.notebooks_dir() / f"{template}.ipynb"
    if not path.exists():
        raise ParameterError(f"notebook template not found: {path}")
    return path


def template_parameters(template: str | Path) -> dict[str, dict]:
    """The names and defaults (as source text) declared in the template's ``parameters`` cell,
    as ``papermill.inspect_notebook`` gives them, read without importing papermill (which
    takes longer than the rest of a run's checks): the first cell tagged ``parameters``, each
    assignment of a name in it. {} when no cell is tagged."""
    import ast

    path = template_path(template)
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook.get("cells", [])
    except (ValueError, AttributeError) as exc:
        raise ParameterError(f"{path} is not a notebook: {exc}") from None
    cell = next((cell for cell in cells
                 if "parameters" in (cell.get("metadata") or {}).get("tags", [])), None)
    if cell is None:
        return {}
    source = cell.get("source", "")
    source = "".join(source) if isinstance(source, list) else str(source)
    try:
        tree = ast.parse(source)
    except SyntaxError as exc:
        raise ParameterError(f"the parameters cell of {path.name} is not valid Python: "
                             f"{exc}") from None
    lines = source.splitlines()
    declared = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1:
            target, annotation = node.targets[0], None
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            target, annotation = node.target, ast.unparse(node.annotation)
        else:
            continue
        if not isinstance(target, ast.Name):
            continue
        comment = lines[node.end_lineno - 1][node.end_col_offset:].strip()
        declared[target.id] = {
            "name": target.id,
            "inferred_type_name": str(annotation),
            "default": ast.get_source_segment(source, node.value),
            "help": comment.lstrip("#").strip(),
        }
    return declared


def validate_parameters(template: str | Path, params: dict, declared: dict | None = None
                        ) -> dict:
    """Reject unknown names; return the template defaults overlaid with ``params``
    (``declared``: the template's parameters, when the caller has read them already)."""
    declared = template_parameters(template) if declared is None else declared
    if not declared:
        raise ParameterError(f"{template_path(template)} has no cell tagged 'parameters'")
    unknown = sorted(set(params) - set(declared))
    if unknown:
        raise ParameterError(
            f"unknown parameter(s) {unknown} for {template_path(template).name}; "
            f"it accepts: {sorted(declared)}")
    resolved = {}
    for name, info in declared.items():
        if name in params:
            resolved[name] = params[name]
        else:
            resolved[name] = _literal(info.get("default"))
    return resolved


def _literal(source: str | None):
    """Evaluate a default from the parameters cell, which papermill gives as source text."""
    import ast

    if source is None:
        return None
    try:
        return ast.literal_eval(source)
    except (ValueError, SyntaxError):
        return source


def _slug(text: str) -> str:
    text = str(text).split(":", 1)[-1]
    text = Path(text).stem if "/" in text or "." in text else text
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()[:40] or "data"


def run_key(template: str, params: dict) -> str:
    """Deterministic: the same template and parameters always give the same folder name."""
    significant = {k: v for k, v in sorted(params.items()) if k not in RUNNER_OWNED}
    digest = hashlib.sha256(
        json.dumps([str(template), significant], sort_keys=True, default=str).encode()
    ).hexdigest()[:8]
    stem = Path(str(template)).stem
    if stem == "trend_report":
        parts = [_slug(params.get("election") or stem), _slug(params.get("data", "data"))]
    else:  # explore, cross_election, ...: named by the template first
        parts = [_slug(stem), params.get("election") and _slug(params["election"]),
                 params.get("data") and _slug(params["data"])]
    parts += [str(params.get("freq", "")).lower(), digest]
    return "__".join(p for p in parts if p)


def sha256_file(path: str | Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def input_files(params: dict) -> list[Path]:
    """Files a run reads, for hashing: the data file or the bundled published table."""
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data import published

    data = params.get("data")
    if not data:
        return []
    if str(data).startswith(published.PREFIX):
        return [published.published_path(str(data)[len(published.PREFIX):])]
    if corpus_inputs.is_corpus(str(data)):
        return [item.path for item in corpus_inputs.expand(str(data))]
    path = Path(str(data))
    return [path] if path.exists() else []


HASH_SHA256_UP_TO = 256 * 1024 * 1024


def _input_record(path: Path) -> dict:
    """An input's path, size and sha256; beyond 256 MB the hash is the corpus cache's, which
    is remembered by size, time and inode (a 10 GB corpus is not re-read for every run)."""
    size = path.stat().st_size
    if size <= HASH_SHA256_UP_TO:
        return {"path": str(path), "bytes": size, "sha256": sha256_file(path)}
    from negtrend.corpus import cache

    return {"path": str(path), "bytes": size, "sha256": cache.content_hashes([path])[0]}


def environment() -> dict:
    versions = package_versions(PACKAGES)
    return {"python": versions.pop("python"), "platform": platform.platform(),
            "packages": versions}


def git_commit(root: Path | None = None) -> str | None:
    root = root or paths.project_root()
    try:
        out = subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                             text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=root, capture_output=True, text=True, timeout=10).stdout
        return out + ("+dirty" if dirty.strip() else "")
    except (OSError, subprocess.SubprocessError):
        return None


def check_kernel(kernel: str) -> None:
    from jupyter_client.kernelspec import KernelSpecManager

    if kernel not in KernelSpecManager().find_kernel_specs():
        raise KernelMissingError(
            f"Jupyter kernel '{kernel}' is not installed. Run `make install` (it registers it "
            f"with `{sys.executable} -m ipykernel install --sys-prefix --name {kernel}`).")


# The lab template without its scripts (require.js, MathJax and mermaid from a CDN: a page that
# fails offline, and MathJax would typeset `$...$` in corpus text), and with a policy that lets
# no script run at all, so markup that slipped into an output would stay inert.
REPORT_CSP = "script-src 'none'; object-src 'none'; base-uri 'none'; form-action 'none'"
_REPORT_TEMPLATE = (
    "{%- extends 'index.html.j2' -%}\n"
    "{%- block html_head_js -%}\n"
    f'<meta http-equiv="Content-Security-Policy" content="{REPORT_CSP}">\n'
    "{%- endblock html_head_js -%}\n"
    "{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}\n"
    "{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}\n"
)


def export_html(notebook: Path, target: Path) -> Path:
    """HTML without code cells or scripts; outputs, markdown and any error stay visible."""
    exporter = _html_exporter()
    import nbformat

    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


@functools.cache
def _html_exporter():
    """The report's HTMLExporter, made once per process and warmed up on a small notebook, so
    that its templates are compiled and its validators and selectors built before the report
    needs them (most of a first export's time). An exporter renders a notebook the same way
    however many it rendered before (a test checks it); a sweep's worker reuses it."""
    _without_iri_checker()
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="negtrend_report.html.j2",
                            extra_loaders=[jinja2.DictLoader(
                                {"negtrend_report.html.j2": _REPORT_TEMPLATE})],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    exporter.from_notebook_node(nbformat.reads(json.dumps(_WARM_UP), as_version=4))
    return exporter


# what a report holds: markdown, HTML and a figure, printed text, an error
_WARM_UP = {
    "nbformat": 4, "nbformat_minor": 5,
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"},
                 "language_info": {"name": "python"}},
    "cells": [
        {"cell_type": "markdown", "id": "warm-1", "metadata": {},
         "source": "# *a* `b` &amp; \u00e9"},
        {"cell_type": "code", "id": "warm-2", "metadata": {"tags": ["t"]}, "execution_count": 1,
         "source": "x", "outputs": [
             {"output_type": "display_data", "metadata": {},
              "data": {"text/html": "<p>a &amp; \u2014 \u00e9</p>", "text/plain": "a"}},
             {"output_type": "display_data", "metadata": {},
              "data": {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}},
             {"output_type": "stream", "name": "stderr", "text": "w\n"},
             {"output_type": "error", "ename": "E", "evalue": "e", "traceback": ["E: e"]}]},
    ],
}


def _papermill():
    """papermill, imported without jsonschema's IRI checker (``_without_iri_checker``)."""
    _without_iri_checker()
    import papermill

    return papermill


def _without_iri_checker() -> None:
    """Import jsonschema without its optional IRI format checker.

    nbformat (so papermill and nbconvert) imports jsonschema, whose ``_format`` imports
    ``rfc3987_syntax`` when installed (jupyter-events asks for it), and that module compiles 38
    Earley grammars on import: about 1.1 s, most of a run's time outside the kernel. Notebook
    schemas use no ``iri`` format, so the checker is never used here. While jsonschema is first
    imported, ``rfc3987_syntax`` is marked missing (jsonschema skips the checker, as it does
    when the package is absent), then unmarked: importing it later works as usual. Nothing is
    done when jsonschema is already imported."""
    import sys

    if "jsonschema" in sys.modules or "rfc3987_syntax" in sys.modules:
        return
    sys.modules["rfc3987_syntax"] = None  # type: ignore[assignment]
    try:
        import jsonschema  # noqa: F401
    except ImportError:
        pass  # whoever needs it says what is missing
    finally:
        if sys.modules.get("rfc3987_syntax", False) is None:
            del sys.modules["rfc3987_syntax"]


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                               allow_nan=False, default=str) + "\n", encoding="utf-8")
    return path


def record_metrics(metrics: dict, output_dir: str | Path) -> Path:
    """Called by a template: every number the report states, as JSON (NaN becomes null)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_json(jsonable(metrics), folder / "metrics.json")


ENGINE_RECORD = "engine.json"


def record_engine(engine: dict, output_dir: str | Path) -> Path:
    """Called by the pipeline: which engine read the data, whether the cache was hit, how
    long it took. Kept out of metrics.json, which must be the same on every rerun."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_json(jsonable(engine), folder / ENGINE_RECORD)


def resolve_data(data) -> str:
    """An absolute path (the notebook runs in the report folder), or a known published series;
    anything else is a ParameterError before the run starts."""
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data import loading, published

    text = str(data)
    if text.startswith(published.PREFIX):
        try:
            published.published_path(text[len(published.PREFIX):])
        except loading.LoadError as exc:
            raise ParameterError(str(exc)) from None
        return text
    path = Path(text).expanduser()
    if corpus_inputs.is_corpus(str(path)):  # a folder or a glob: absolute, with its files
        absolute = str(path.resolve()) if path.is_dir() else os.path.abspath(str(path))
        try:
            corpus_inputs.expand(absolute)
        except loading.LoadError as exc:
            raise ParameterError(str(exc)) from None
        return absolute
    if not path.is_file():
        raise ParameterError(f"data file not found: {text} (looked in {Path.cwd()})")
    return str(path.resolve())


def run_report(
    params: dict,
    template: str = "trend_report",
    reports_dir: str | Path | None = None,
    kernel: str = DEFAULT_KERNEL,
) -> RunOutcome:
    """Validate, execute and render one report; never raises for a failure inside the notebook.

    Everything is checked before a kernel starts; a rejected run leaves no folder. The run
    works in a hidden sibling folder that replaces ``<run_key>/`` only when it finishes, so an
    interrupted rerun (Ctrl-C, SIGTERM) leaves the last finished report intact; its own
    folder keeps a ``run.json`` saying ``interrupted``, and KeyboardInterrupt is raised again.
    """
    source = template_path(template)
    resolved = validate_parameters(source, params)
    if resolved.get("data") is not None:  # None: the template's own default source
        resolved["data"] = resolve_data(resolved["data"])
    check_values(resolved)
    check_kernel(kernel)
    key = run_key(source.stem, resolved)
    reports = paths.reports_dir(reports_dir)
    final = reports / key
    work = work_folder(reports, key)
    resolved["output_dir"] = str(work.resolve())
    kernel_process = _launch(kernel, work)  # boots while the run is recorded
    try:
        record = _start_record(key, source, resolved, kernel)
    except BaseException:
        if kernel_process is not None:
            kernel_process.stop(finished=False)
        raise
    write_json(record, work / "run.json")
    began = time.monotonic()
    try:
        with _signals_interrupt():
            error = _execute(source, work, resolved, kernel, kernel_process)
    except KeyboardInterrupt as exc:
        with _signals_deferred():
            _finish(record, work, "interrupted", f"interrupted ({exc or 'SIGINT'})", began)
        raise KeyboardInterrupt(str(exc)) from None
    with _signals_deferred():
        _finish(record, work, "failed" if error else "ok", error, began)
        record["parameters"]["output_dir"] = str(final.resolve())
        write_json(record, work / "run.json")
        publish(work, final)
    return RunOutcome(key, final, record["status"], error)


def _start_record(key: str, source: Path, resolved: dict, kernel: str) -> dict:
    """run.json while the run works: what runs, on what, and which process (so a run whose
    process died can be told from one still running)."""
    return {
        "run_key": key,
        "template": source.name,
        "template_sha256": sha256_file(source),
        "parameters": dict(resolved),
        "inputs": [_input_record(p) for p in input_files(resolved)],
        "environment": environment(),
        "git_commit": git_commit(),
        "kernel": kernel,
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "status": "running",
    }


def _launch(kernel: str, work: Path) -> RunKernel | None:
    """The run's kernel, launched in ``work``; None when it cannot be (papermill then starts
    it, and fails, as it always did: the run is recorded as failed with the error)."""
    from negtrend.run import kernels  # jupyter_client: not for the pipeline's importers

    try:
        return kernels.launch(kernel, work)
    except Exception:  # noqa: BLE001 - reported by papermill's own attempt
        return None


def _execute(source: Path, work: Path, resolved: dict, kernel_name: str,
             kernel: RunKernel | None) -> str | None:
    """Run the notebook in ``work`` on the run's kernel (launched already: papermill and the
    HTML export are made ready while it boots), then stop the kernel; the error's one-line
    summary, or None."""
    finished = False
    try:
        papermill = _papermill()
        from papermill.exceptions import PapermillExecutionError

        with contextlib.suppress(Exception):  # export_html tries again and reports the error
            _html_exporter()
        try:
            papermill.execute_notebook(
                str(source), str(work / "executed.ipynb"), parameters=resolved,
                kernel_name=kernel_name, cwd=str(work), progress_bar=False, log_output=False,
                km=kernel.manager if kernel is not None else None)
        except PapermillExecutionError as exc:
            if exc.ename == "KeyboardInterrupt":  # Ctrl-C reached the kernel too
                raise KeyboardInterrupt("the kernel was interrupted") from None
            finished = True
            return f"{exc.ename}: {exc.evalue}"
        except Exception as exc:  # noqa: BLE001 - the kernel died or the notebook was not written
            return f"{type(exc).__name__}: {exc}"
        finished = True
        return None
    finally:
        if kernel is not None:
            kernel.stop(finished)


def _finish(record: dict, work: Path, status: str, error: str | None, began: float) -> None:
    """Render the HTML (the error stays visible) and close run.json with the outcome."""
    executed = work / "executed.ipynb"
    try:
        if executed.exists():
            export_html(executed, work / "report.html")
        else:
            raise FileNotFoundError(executed)
    except Exception:  # noqa: BLE001 - an unreadable notebook (cut off mid-write) still gets a page
        (work / "report.html").write_text(
            f"<html><body><h1>Run {html.escape(status)} before it could be rendered</h1>"
            f"<pre>{html.escape(error or '')}</pre></body></html>", encoding="utf-8")
    record.update(
        status=status,
        error=error,
        engine=_engine_used(work),
        finished=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - began, 2),
        outputs=sorted(str(p.relative_to(work)) for p in work.rglob("*") if p.is_file()),
    )
    write_json(record, work / "run.json")


def _engine_used(work: Path) -> dict | None:
    """The engine that read the data, as the notebook recorded it (engine.json)."""
    try:
        return json.loads((work / ENGINE_RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


# --- run folders: work aside, then replace -----------------------------------------------------

WORK_MARK = ".tmp-"
OLD_MARK = ".old-"


def work_folder(reports: Path, key: str) -> Path:
    """``<reports>/.<key>.tmp-<pid>/``, fresh; the leftovers of earlier attempts at this key
    whose process is gone are removed first."""
    from negtrend.report.index_page import process_gone

    reports.mkdir(parents=True, exist_ok=True)
    for leftover in reports.glob(f".{glob.escape(key)}{WORK_MARK}*"):
        pid = leftover.name.rsplit(WORK_MARK, 1)[-1]
        if pid.isdigit() and process_gone(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    work = reports / f".{key}{WORK_MARK}{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    return work


def publish(work: Path, final: Path) -> None:
    """Put a finished run in place of the previous one: the old folder is renamed aside, the
    new one renamed in, then the old removed. Whole folders only move: no file of the previous
    report is ever overwritten in place."""
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}{OLD_MARK}{os.getpid()}")
        shutil.rmtree(old, ignore_errors=True)
        os.replace(final, old)
    os.replace(work, final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --- signals ------------------------------------------------------------------------------------

STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM")
                     if hasattr(signal, name))


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(signal.Signals(signum).name)


@contextlib.contextmanager
def _signals_interrupt():
    """SIGINT and SIGTERM become KeyboardInterrupt while a run works (main thread only: other
    threads cannot take signals), so a stopped run can record itself as interrupted."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {number: signal.signal(number, _raise_interrupt) for number in STOP_SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)


@contextlib.contextmanager
def _signals_deferred():
    """Hold SIGINT and SIGTERM while a run's record and folder are written, so a second Ctrl-C
    cannot leave them half done; they are delivered afterwards."""
    if not hasattr(signal, "pthread_sigmask"):
        yield
        return
    blocked = signal.pthread_sigmask(signal.SIG_BLOCK, STOP_SIGNALS)
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
