"""Sweeps: many reports from one YAML file, run in parallel processes.

A sweep file names a template, parameters shared by every run (``defaults``), a ``grid`` whose
cartesian product gives the runs, and optional explicit extra ``runs``::

    name: demo                      # optional; default: the file name
    template: trend_report          # optional
    defaults: {freq: M}
    grid:
      election: [pemilu2019, pemilu2024]
      data: [published:kominfo_ais_hoax_monthly]
      categories: [[hoaks]]         # each element is one value; or category: [hoaks, ...]
    runs:
      - {election: pilkada2024, data: published:komdigi_ais_hoax_monthly_2024,
         claim: komdigi_2024_11_pilkada}

Keys are the template's parameters (``negtrend report`` option names ``category``, ``map`` and
``label`` are accepted for ``categories``, ``column_map`` and ``labels``). The whole file is
checked before anything runs; every error names the file, the entry and the field. Runs are keyed
by :func:`negtrend.runner.run_key`, so a run that appears twice runs once, and running the same
file again on the same data rewrites the same folders with the same ``metrics.json``.
"""

from __future__ import annotations

import itertools
import math
import multiprocessing
import os
import re
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from negtrend.data import paths
from negtrend.errors import NegtrendError
from negtrend.report import index_page
from negtrend.report.text_table import text_table
from negtrend.run import DEFAULT_MAX_RUNS, runner

TOP_LEVEL_KEYS = ("name", "description", "template", "defaults", "grid", "runs")
ALIASES = {"category": "categories", "map": "column_map", "label": "labels"}


class SweepError(NegtrendError, ValueError):
    """A sweep file that cannot run; raised before any run starts, listing every problem."""

    def __init__(self, errors: list[str]):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


@dataclass(frozen=True)
class PlannedRun:
    run_key: str
    origin: str  # where in the file the run comes from, e.g. "grid run 2" or "runs[0]"
    params: dict  # normalized parameters, as passed to runner.run_report


@dataclass
class Sweep:
    name: str
    path: Path
    template: str  # absolute path of the notebook template
    runs: list[PlannedRun]
    duplicates: list[dict] = field(default_factory=list)  # {origin, run_key, same_as}


@dataclass(frozen=True)
class RunResult:
    run: PlannedRun
    status: str  # "ok" | "failed"
    seconds: float
    error: str | None = None
    folder: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == "ok"


@dataclass
class SweepResult:
    sweep: Sweep
    results: list[RunResult]
    summary_path: Path
    index_path: Path
    log_path: Path

    @property
    def failed(self) -> list[RunResult]:
        return [r for r in self.results if not r.ok]

    @property
    def ok(self) -> bool:
        return not self.failed


# --- reading and checking a sweep file ----------------------------------------------------------


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", str(text)).strip("-.") or "sweep"


def _describe(params: dict) -> str:
    shown = [f"{k}={params[k]}" for k in ("election", "data", "categories") if k in params]
    return f" ({', '.join(shown)})" if shown else ""


def _resolve_data_path(text: str) -> Path | None:
    """A data file relative to the current folder or, failing that, the project root."""
    path = Path(text).expanduser()
    for candidate in ([path] if path.is_absolute() else [path, paths.project_root() / path]):
        if candidate.is_file():
            return candidate.resolve()
    return None


def _normalize_value(name: str, value):
    """Check one parameter value; return it as the template expects it. Raises ValueError."""
    from negtrend.analysis import claims
    from negtrend.data import calendar, labels, loading, published

    if name == "election":
        if not isinstance(value, str):
            raise ValueError(f"expected an election id (text), got {value!r}")
        calendar.get_election(value)
        return value
    if name == "data":
        if not isinstance(value, str) or not value:
            raise ValueError(f"expected a file path or published:SERIES, got {value!r}")
        if value.startswith(published.PREFIX):
            published.published_path(value[len(published.PREFIX):])
            return value
        resolved = _resolve_data_path(value)
        if resolved is None:
            looked = sorted({str(Path.cwd()), str(paths.project_root())})
            raise ValueError(f"data file not found: {value} (looked in {' and '.join(looked)})")
        return str(resolved)
    if name == "claim":
        if value is not None:
            claims.get_claim(str(value))
        return value
    if name == "categories":
        if value is None:
            return []
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list) or not all(isinstance(c, str) and c for c in items):
            raise ValueError(f"expected a category or a list of categories, got {value!r}")
        return list(items)
    if name == "freq":
        if not isinstance(value, str):
            raise ValueError(f"expected D, W or M, got {value!r}")
        return value.upper()
    if name == "column_map":
        return loading.parse_column_map(value)
    if name == "labels":
        return labels.parse_rules(value)
    return value


def _check_entry(entry: dict, where: str, declared: dict, errors: list[str], *,
                 grid: bool = False) -> dict:
    """Check the keys (and values) of one mapping of parameters; return it normalized.

    With ``grid``, every value is a list of alternatives and each alternative is checked."""
    normalized: dict = {}
    for key, value in entry.items():
        name = ALIASES.get(str(key), str(key))
        spot = f"{where}, field '{key}'"
        if name in runner.RUNNER_OWNED:
            errors.append(f"{spot}: set by the runner, not by a sweep")
            continue
        if name not in declared:
            accepted = sorted(set(declared) - set(runner.RUNNER_OWNED))
            errors.append(f"{spot}: unknown parameter; expected one of {accepted} "
                          f"(or {sorted(ALIASES)})")
            continue
        if name in normalized:
            errors.append(f"{spot}: given twice (as '{name}' and an alias of it)")
            continue
        if grid:
            if not isinstance(value, list) or not value:
                errors.append(f"{spot}: expected a non-empty list of values to sweep over, "
                              f"got {value!r}")
                continue
            values = []
            for i, item in enumerate(value):
                try:
                    values.append(_normalize_value(name, item))
                except (ValueError, KeyError) as exc:
                    errors.append(f"{where}, field '{key}'[{i}]: {exc}")
            normalized[name] = values
        else:
            try:
                normalized[name] = _normalize_value(name, value)
            except (ValueError, KeyError) as exc:
                errors.append(f"{spot}: {exc}")
    return normalized


def expand(defaults: dict, grid: dict | None, runs: list[dict]) -> list[tuple[str, dict]]:
    """(origin, parameters) for every run: the grid's cartesian product, then the extra runs,
    each laid over ``defaults``. Grid order: the first key varies slowest."""
    expanded = []
    if grid is not None:
        names = list(grid)
        for n, combo in enumerate(itertools.product(*(grid[k] for k in names)), start=1):
            expanded.append((f"grid run {n}", {**defaults, **dict(zip(names, combo, strict=True))}))
    for j, extra in enumerate(runs):
        expanded.append((f"runs[{j}]", {**defaults, **extra}))
    return expanded


def _read_yaml(path: Path):
    where = str(path)
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SweepError([f"{where}: not UTF-8 text ({exc.reason} at byte {exc.start}); save "
                          "the file as UTF-8"]) from None
    except OSError as exc:
        raise SweepError([f"{where}: cannot read: {exc}"]) from None
    except yaml.YAMLError as exc:
        raise SweepError([f"{where}: not valid YAML: {exc}"]) from None


def grid_size(grid: dict | None, runs: list) -> int:
    """How many runs a grid and its extra runs make, counted without making them."""
    return (math.prod(len(values) for values in grid.values()) if grid else 0) + len(runs)


def _raw_axes(raw: dict) -> tuple[dict | None, list]:
    """The grid and extra runs as written (a single value is one value), for counting."""
    grid, runs = raw.get("grid"), raw.get("runs")
    axes = {name: values if isinstance(values, list) else [values]
            for name, values in grid.items()} if isinstance(grid, dict) else None
    return axes, runs if isinstance(runs, list) else []


def _size_error(where: str, grid: dict | None, runs: list, max_runs: int) -> str | None:
    size = grid_size(grid, runs)
    if size <= max_runs:
        return None
    axes = " x ".join(f"{name} ({len(values)})" for name, values in (grid or {}).items())
    extra = f" + {len(runs)} extra run(s)" if runs else ""
    return (f"{where}: grid: {size:,} runs ({axes or 'no grid'}{extra}), more than the limit of "
            f"{max_runs:,}; shrink the grid, or raise the limit with --max-runs {size}")


def _checked_parts(raw: dict, where: str, declared: dict, errors: list[str]):
    """defaults, grid and extra runs of a sweep file, each checked and normalized."""
    defaults = raw.get("defaults") or {}
    if not isinstance(defaults, dict):
        errors.append(f"{where}: defaults: expected a mapping of parameters, got {defaults!r}")
        defaults = {}
    defaults = _check_entry(defaults, f"{where}: defaults", declared, errors)
    grid = raw.get("grid")
    if grid is not None and not isinstance(grid, dict):
        errors.append(f"{where}: grid: expected a mapping of parameter -> list of values, "
                      f"got {grid!r}")
        grid = None
    if grid is not None:
        grid = _check_entry(grid, f"{where}: grid", declared, errors, grid=True)
    runs = raw.get("runs") or []
    if not isinstance(runs, list):
        errors.append(f"{where}: runs: expected a list of mappings of parameters, got {runs!r}")
        runs = []
    checked_runs = []
    for j, extra in enumerate(runs):
        if not isinstance(extra, dict):
            errors.append(f"{where}: runs[{j}]: expected a mapping of parameters, got {extra!r}")
            continue
        checked_runs.append(_check_entry(extra, f"{where}: runs[{j}]", declared, errors))
    if grid is None and not runs:
        errors.append(f"{where}: nothing to run; give 'grid:' and/or 'runs:'")
    return defaults, grid, checked_runs


def _template(raw: dict, where: str, errors: list[str]) -> tuple[Path, dict]:
    try:
        template = runner.template_path(raw.get("template") or "trend_report")
        declared = runner.template_parameters(template)
    except runner.ParameterError as exc:
        raise SweepError(errors + [f"{where}, field 'template': {exc}"]) from None
    if not declared:
        raise SweepError(errors + [f"{where}, field 'template': {template} has no cell tagged "
                                   "'parameters'"])
    return template, declared


def load_sweep(path: str | Path, max_runs: int = DEFAULT_MAX_RUNS) -> Sweep:
    """Read and check a sweep file; raise SweepError listing every problem, before any run.

    The grid is counted before it is expanded: more than ``max_runs`` runs is refused."""
    path = Path(path)
    where = str(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise SweepError([f"{where}: expected a mapping with keys {list(TOP_LEVEL_KEYS)}"])
    errors = [f"{where}: unknown key '{key}'; expected one of {list(TOP_LEVEL_KEYS)}"
              for key in raw if key not in TOP_LEVEL_KEYS]
    too_big = _size_error(where, *_raw_axes(raw), max_runs)
    if too_big:  # before the template is read: refusing a million runs takes no time
        raise SweepError([*errors, too_big])
    template, declared = _template(raw, where, errors)
    defaults, grid, runs = _checked_parts(raw, where, declared, errors)
    if errors:
        raise SweepError(errors)
    planned, duplicates = _plan(where, template, declared, expand(defaults, grid, runs))
    name = _slug(raw.get("name") or path.stem)
    return Sweep(name, path, str(template.resolve()), planned, duplicates)


def _check_run(template: Path, declared: dict, params: dict) -> dict:
    """One run's parameters as the runner will see them, with every value checked."""
    resolved = runner.validate_parameters(template, params, declared=declared)
    if resolved.get("data") is not None:
        resolved["data"] = runner.resolve_data(resolved["data"])
    runner.check_values(resolved)
    return resolved


def _plan(where: str, template: Path, declared: dict, expanded: list[tuple[str, dict]]):
    """The distinct runs (keyed as the runner keys them) and the duplicates; SweepError
    listing every run whose values cannot work."""
    errors: list[str] = []
    planned: dict[str, PlannedRun] = {}
    duplicates = []
    for origin, params in expanded:
        try:
            resolved = _check_run(template, declared, params)
        except (ValueError, KeyError, NegtrendError) as exc:
            errors.append(f"{where}: {origin}{_describe(params)}: {exc}")
            continue
        key = runner.run_key(template.stem, resolved)
        if key in planned:
            duplicates.append({"origin": origin, "run_key": key,
                               "same_as": planned[key].origin})
            continue
        planned[key] = PlannedRun(key, origin, params)
    if errors:
        raise SweepError(errors)
    return list(planned.values()), duplicates


# --- running ------------------------------------------------------------------------------------


def _quiet_worker(log_path: str) -> None:
    """Send a worker's (and its kernels') stdout and stderr to the sweep log, so the kernels'
    start-up chatter does not break the parent's progress bar."""
    log = os.open(log_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    os.dup2(log, 1)
    os.dup2(log, 2)
    os.close(log)


def _execute(run: PlannedRun, template: str, reports_dir: str, kernel: str) -> RunResult:
    """One run in a worker process; a failure becomes a result, never an exception."""
    began = time.monotonic()
    try:
        outcome = runner.run_report(dict(run.params), template=template,
                                    reports_dir=reports_dir, kernel=kernel)
        status, error, folder = outcome.status, outcome.error, str(outcome.folder)
        if outcome.run_key != run.run_key:  # the planned key must be the runner's
            status, error = "failed", (f"run key {outcome.run_key} differs from the planned "
                                       f"{run.run_key}")
    except Exception as exc:  # noqa: BLE001 - keep going: report every failure at the end
        status, error, folder = "failed", f"{type(exc).__name__}: {exc}", None
    return RunResult(run, status, round(time.monotonic() - began, 1), error, folder)


def run_sweep(sweep: Sweep, jobs: int = 1, reports_dir: str | Path | None = None,
              kernel: str = runner.DEFAULT_KERNEL, progress: bool = True) -> SweepResult:
    """Run every planned run, ``jobs`` at a time in worker processes, with one progress bar;
    write ``sweep-<name>.json`` and the index. Raises only for a missing kernel.

    The workers' own output (kernel warnings, a crashed worker's traceback) goes to
    ``sweep-<name>.log``."""
    from tqdm import tqdm

    runner.check_kernel(kernel)
    folder = paths.reports_dir(reports_dir).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    log_path = folder / f"sweep-{sweep.name}.log"
    log_path.write_text("", encoding="utf-8")
    results: dict[str, RunResult] = {}
    workers = max(1, min(int(jobs), len(sweep.runs)))
    bar = tqdm(total=len(sweep.runs), desc=f"sweep {sweep.name}", unit="run",
               disable=not progress, file=sys.stderr, dynamic_ncols=True)
    # spawn: the parent has threads (tqdm's monitor), which fork would copy in a broken state
    with ProcessPoolExecutor(max_workers=workers,
                             mp_context=multiprocessing.get_context("spawn"),
                             initializer=_quiet_worker, initargs=(str(log_path),)) as pool:
        futures = {pool.submit(_execute, run, sweep.template, str(folder), kernel): run
                   for run in sweep.runs}
        try:
            for future in as_completed(futures):
                run = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # noqa: BLE001 - a worker died
                    result = RunResult(run, "failed", 0.0, f"{type(exc).__name__}: {exc}")
                results[run.run_key] = result
                bar.update(1)
                failed = sum(not r.ok for r in results.values())
                if failed:
                    bar.set_postfix_str(f"{failed} failed")
        except KeyboardInterrupt:
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        finally:
            bar.close()
    ordered = [results[run.run_key] for run in sweep.runs]
    summary_path = write_summary(sweep, ordered, folder, jobs=workers)
    index_path = index_page.write_index(folder)
    return SweepResult(sweep, ordered, summary_path, index_path, log_path)


# --- reporting ----------------------------------------------------------------------------------


def first_line(text: str | None, limit: int = 100) -> str:
    line = (text or "").strip().splitlines()[0] if (text or "").strip() else ""
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _categories(params: dict) -> str:
    """What a run compares: the categories asked for, else the labels' (as the report does)."""
    chosen = list(params.get("categories") or []) or list(params.get("labels") or {})
    if chosen:
        return ", ".join(chosen)
    return f"classifier {params['classifier']}" if params.get("classifier") else "all"


def _row(result: RunResult) -> dict:
    params = result.run.params
    return {
        "run_key": result.run.run_key,
        "election": str(params.get("election", "")),
        "data": paths.source_label(params.get("data", "")),
        "categories": _categories(params),
        "status": result.status,
        "seconds": f"{result.seconds:.1f}",
        "error": first_line(result.error),
    }


def summary_table(results: list[RunResult]) -> str:
    """A plain-text table: run key, election, data, categories, status, seconds, error."""
    return text_table([_row(r) for r in results],
                      ["run_key", "election", "data", "categories", "status", "seconds",
                       "error"])


def write_summary(sweep: Sweep, results: list[RunResult], reports_dir: Path,
                  jobs: int = 1) -> Path:
    """``<reports>/sweep-<name>.json``: every run's key, origin, parameters, status, time."""
    record = {
        "sweep": sweep.name,
        "file": str(sweep.path),
        "template": Path(sweep.template).name,
        "jobs": jobs,
        "n_runs": len(results),
        "n_ok": sum(r.ok for r in results),
        "n_failed": sum(not r.ok for r in results),
        "duplicates": sweep.duplicates,
        "runs": [
            {"run_key": r.run.run_key, "origin": r.run.origin, "parameters": r.run.params,
             "status": r.status, "seconds": r.seconds, "error": r.error,
             "report": f"{r.run.run_key}/report.html" if r.folder else None}
            for r in results
        ],
    }
    return runner.write_json(record, Path(reports_dir) / f"sweep-{sweep.name}.json")
