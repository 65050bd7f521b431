"""Run notebook templates with papermill into ``reports/<run_key>/`` and keep a record.

Each run folder holds ``executed.ipynb``, ``report.html`` (no code cells), ``figures/``,
``metrics.json`` (written by the notebook) and ``run.json`` (resolved parameters, input hashes,
package versions, git commit, status). Parameters are checked against the template's tagged
``parameters`` cell before anything runs; a run that fails keeps its notebook and HTML with the
error visible, and reports ``failed``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import platform
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from negtrend.data import paths
from negtrend.errors import NegtrendError
from negtrend.jsonable import jsonable
from negtrend.provenance import package_versions
from negtrend.run import DEFAULT_KERNEL

RUNNER_OWNED = ("output_dir",)
PACKAGES = ("negtrend", "pandas", "numpy", "statsmodels", "scipy", "matplotlib", "pyarrow",
            "papermill", "nbconvert", "pyyaml")


class ParameterError(NegtrendError, ValueError):
    """Parameters that do not match the template; raised before anything runs."""


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
    """The names, defaults and types declared in the template's ``parameters`` cell."""
    import papermill

    return dict(papermill.inspect_notebook(str(template_path(template))))


def validate_parameters(template: str | Path, params: dict) -> dict:
    """Reject unknown names; return the template defaults overlaid with ``params``."""
    declared = template_parameters(template)
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
    from negtrend.data import published

    data = params.get("data")
    if not data:
        return []
    if str(data).startswith(published.PREFIX):
        return [published.published_path(str(data)[len(published.PREFIX):])]
    path = Path(str(data))
    return [path] if path.exists() else []


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
    import jinja2
    import nbformat
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(template_name="lab", template_file="negtrend_report.html.j2",
                            extra_loaders=[jinja2.DictLoader(
                                {"negtrend_report.html.j2": _REPORT_TEMPLATE})],
                            exclude_input=True, exclude_input_prompt=True,
                            exclude_output_prompt=True)
    body, _ = exporter.from_notebook_node(nbformat.read(notebook, as_version=4))
    target.write_text(body, encoding="utf-8")
    return target


def write_json(data: dict, path: Path) -> Path:
    path.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False,
                               allow_nan=False, default=str) + "\n", encoding="utf-8")
    return path


def record_metrics(metrics: dict, output_dir: str | Path) -> Path:
    """Called by a template: every number the report states, as JSON (NaN becomes null)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return write_json(jsonable(metrics), folder / "metrics.json")


def resolve_data(data) -> str:
    """An absolute path (the notebook runs in the report folder), or a known published series;
    anything else is a ParameterError before the run starts."""
    from negtrend.data import loading, published

    text = str(data)
    if text.startswith(published.PREFIX):
        try:
            published.published_path(text[len(published.PREFIX):])
        except loading.LoadError as exc:
            raise ParameterError(str(exc)) from None
        return text
    path = Path(text).expanduser()
    if not path.is_file():
        raise ParameterError(f"data file not found: {text} (looked in {Path.cwd()})")
    return str(path.resolve())


def check_values(params: dict) -> None:
    """Everything a parameter's value can be checked for before a kernel starts: the election,
    frequency, windows, language and claim exist, alpha is a probability, and every label rule
    names a column of the data. Raises the error of the thing that is wrong."""
    from negtrend.data import calendar, claims, labels, series, sources
    from negtrend.data.calendar import WINDOW_ORDER
    from negtrend.report import lang as languages

    if params.get("election"):
        calendar.get_election(params["election"])
    for name in ("baseline", "window"):
        if params.get(name) is not None and params[name] not in WINDOW_ORDER:
            raise ParameterError(f"{name}: expected one of {WINDOW_ORDER}, got {params[name]!r}")
    try:
        if params.get("freq") is not None:
            series.check_freq(params["freq"])
        if params.get("lang") is not None:
            languages.get(params["lang"])
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    alpha = params.get("alpha")
    if alpha is not None and not (isinstance(alpha, int | float) and 0 < alpha < 1):
        raise ParameterError(f"alpha: expected a number between 0 and 1, got {alpha!r}")
    if params.get("claim"):
        claims.get_claim(params["claim"])
    rules = labels.parse_rules(params.get("labels"))
    if rules and params.get("data"):
        available = sources.available_columns(params["data"], params.get("column_map"))
        labels.check_columns(rules, available, params["data"])


def run_report(
    params: dict,
    template: str = "trend_report",
    reports_dir: str | Path | None = None,
    kernel: str = DEFAULT_KERNEL,
) -> RunOutcome:
    """Validate, execute and render one report; never raises for a failure inside the notebook."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    source = template_path(template)
    resolved = validate_parameters(source, params)
    if resolved.get("data") is not None:  # None: the template's own default source
        resolved["data"] = resolve_data(resolved["data"])
    check_values(resolved)
    check_kernel(kernel)
    key = run_key(source.stem, resolved)
    folder = paths.reports_dir(reports_dir) / key
    folder.mkdir(parents=True, exist_ok=True)
    resolved["output_dir"] = str(folder.resolve())
    executed = folder / "executed.ipynb"
    record = {
        "run_key": key,
        "template": source.name,
        "template_sha256": sha256_file(source),
        "parameters": resolved,
        "inputs": [{"path": str(p), "sha256": sha256_file(p)} for p in input_files(resolved)],
        "environment": environment(),
        "git_commit": git_commit(),
        "kernel": kernel,
        "started": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "status": "running",
    }
    write_json(record, folder / "run.json")
    began = time.monotonic()
    error = None
    try:
        papermill.execute_notebook(str(source), str(executed), parameters=resolved,
                                   kernel_name=kernel, cwd=str(folder), progress_bar=False,
                                   log_output=False)
    except PapermillExecutionError as exc:
        error = f"{exc.ename}: {exc.evalue}"
    except Exception as exc:  # the kernel died or the notebook could not be written
        error = f"{type(exc).__name__}: {exc}"
    if executed.exists():
        export_html(executed, folder / "report.html")
    else:
        (folder / "report.html").write_text(
            f"<html><body><h1>Run failed before executing</h1><pre>{html.escape(error or '')}"
            "</pre></body></html>", encoding="utf-8")
    record.update(
        status="failed" if error else "ok",
        error=error,
        finished=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        duration_s=round(time.monotonic() - began, 2),
        outputs=sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()),
    )
    write_json(record, folder / "run.json")
    return RunOutcome(key, folder, record["status"], error)
