"""The ``negtrend`` command: parse, call the package, print. No logic of its own.

Every user error is a ``NegtrendError``: the command group prints its message after
``error:`` and exits 2, with no traceback. Heavy modules are imported inside the commands
that need them, so ``negtrend --help`` and ``negtrend elections`` start fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from typer.core import TyperGroup

from negtrend.errors import NegtrendError
from negtrend.run import DEFAULT_KERNEL, DEFAULT_MAX_RUNS


class _Commands(TyperGroup):
    """Runs a command; a user error (or a file that cannot be read or written) becomes one line
    on stderr and exit code 2."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (NegtrendError, OSError) as exc:  # a file missing or unreadable is the user's
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:  # Ctrl-C or SIGTERM: a run records itself as interrupted
            typer.echo("interrupted", err=True)
            raise typer.Exit(130) from None


app = typer.Typer(cls=_Commands, add_completion=False, no_args_is_help=True,
                  help="Test claims that negative online content rose or fell around elections.")


SHEET_HELP = "XLSX: the sheet to read (name or 0-based index), or '*' for all of them"
DATA_HELP = ("a file, a glob ('posts/*.csv.gz') or a folder of CSV/TSV/JSONL/Parquet (plain, "
             ".gz or .zst; hive partitions become columns), or published:SERIES")
Engine = Annotated[str, typer.Option(
    help="auto | pandas | duckdb | dask: how a posts corpus is read (see docs/scale.md)")]
Scheduler = Annotated[str | None, typer.Option(
    help="dask: tcp://HOST:PORT of a running scheduler, or 'local' for a LocalCluster")]
MemoryLimit = Annotated[str | None, typer.Option(
    help="duckdb: memory limit, e.g. 2GB (default 1GB)")]
SpillDir = Annotated[str | None, typer.Option(
    help="duckdb: folder to spill to; dask --scheduler local: the workers' local folder")]
KeepGoing = Annotated[bool, typer.Option(
    "--keep-going", help="a corpus file that cannot be read is named and skipped")]
Preset = Annotated[str | None, typer.Option(
    help="a collection tool's export format (config/formats/), e.g. tweet-harvest, "
         "turnbackhoax, mediacloud-counts; default: detected from the file's columns")]


@app.command()
def elections(
    config: Annotated[Path | None, typer.Option(help="elections YAML (default config/)")] = None,
    sources: Annotated[bool, typer.Option("--sources", help="include each date's source")] = False,
) -> None:
    """Print every election phase with its dates (and sources with --sources)."""
    from negtrend.data import calendar
    from negtrend.report.text_table import text_table

    rows = calendar.phase_rows(calendar.load_elections(config))
    columns = ["election_id", "phase", "start_date", "end_date", "days", "election_name"]
    typer.echo(text_table(rows, columns + (["source"] if sources else [])))


@app.command("published")
def published_series() -> None:
    """List the bundled published series (use them as --data published:SERIES)."""
    from negtrend.data import published

    table = published.catalog()
    typer.echo(table[["series_id", "categories", "first_period", "last_period", "n_rows"]]
               .to_string(index=False))


def _parse_param(items: list[str]) -> dict:
    params = {}
    for item in items:
        name, sep, raw = item.partition("=")
        if not sep:
            raise typer.BadParameter(f"{item!r}: expected NAME=VALUE (VALUE as JSON or text)")
        try:
            params[name] = json.loads(raw)
        except ValueError:
            params[name] = raw
    return params


@app.command()
def report(
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    election: Annotated[str, typer.Option(help="election id, see `negtrend elections`")],
    category: Annotated[list[str] | None, typer.Option(
        help="category to compare (repeat); default: all")] = None,
    freq: Annotated[str, typer.Option(help="D, W or M")] = "M",
    map: Annotated[str | None, typer.Option(
        "--map", help="column mapping, e.g. text=title,timestamp=date")] = None,
    preset: Preset = None,
    kind: Annotated[str, typer.Option(help="auto, posts or counts")] = "auto",
    sheet: Annotated[str | None, typer.Option(help=SHEET_HELP)] = None,
    label: Annotated[list[str] | None, typer.Option(
        help="pre-assigned label rule CATEGORY=RULE, e.g. hoaks=tag:SALAH|HOAX (repeat)")] = None,
    classifier: Annotated[str | None, typer.Option(
        help="tag the posts' text: lexicon, or a trained model folder")] = None,
    variant: Annotated[str | None, typer.Option(
        help="for published series with conflicting releases: which release to use")] = None,
    timezone: Annotated[str, typer.Option(help="zone for naive timestamps")] = "Asia/Jakarta",
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format")] = None,
    before_days: Annotated[int | None, typer.Option(help="baseline length in days")] = None,
    after_days: Annotated[int | None, typer.Option(help="after-window length in days")] = None,
    baseline: Annotated[str, typer.Option(help="window the others are compared with")] = "before",
    alpha: Annotated[float, typer.Option(help="1 - confidence level")] = 0.05,
    claim: Annotated[str | None, typer.Option(
        help="a claim id from config/claims.yaml to test, e.g. komdigi_2024_11_pilkada")] = None,
    engine: Engine = "auto",
    scheduler: Scheduler = None,
    memory_limit: MemoryLimit = None,
    spill_dir: SpillDir = None,
    keep_going: KeepGoing = False,
    param: Annotated[list[str] | None, typer.Option(
        "--param", "-p", help="any other template parameter NAME=VALUE (repeat)")] = None,
    template: Annotated[str, typer.Option(help="notebook template name or path")] = "trend_report",
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
    kernel: Annotated[str, typer.Option(help="Jupyter kernel")] = DEFAULT_KERNEL,
) -> None:
    """Render a trend report into reports/<run_key>/ and print its folder."""
    from negtrend.data import labels, loading
    from negtrend.run import runner

    params = {
        "data": data,
        "election": election,
        "categories": list(category or []),
        "freq": freq.upper(),
        "column_map": loading.parse_column_map(map),
        "kind": kind,
        "sheet": sheet,
        "labels": labels.parse_rules(label),
        "classifier": classifier,
        "variant": variant,
        "timezone": timezone,
        "timestamp_format": timestamp_format,
        "before_days": before_days,
        "after_days": after_days,
        "baseline": baseline,
        "alpha": alpha,
        "claim": claim,
        "engine": engine,
        "scheduler": scheduler,
        "memory_limit": memory_limit,
        "spill_dir": spill_dir,
        "keep_going": keep_going,
        **({"preset": preset} if preset else {}),
    }
    params.update(_parse_param(param or []))
    outcome = runner.run_report(params, template=template, reports_dir=reports_dir,
                                kernel=kernel)
    _report_outcome(outcome, "report")


def loading_map(spec: str | None) -> dict:
    from negtrend.data import loading

    return loading.parse_column_map(spec)


def _report_outcome(outcome, what: str) -> None:
    typer.echo(str(outcome.html))
    if not outcome.ok:
        typer.echo(f"{what} FAILED: {outcome.error}\n  see {outcome.html}", err=True)
        raise typer.Exit(1)


def _fail(message: str, code: int = 2):
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _echo_json(data) -> None:
    typer.echo(json.dumps(data, indent=2, ensure_ascii=False, default=str))


@app.command("classify")
def classify_command(
    data: Annotated[Path, typer.Option(help="posts: Parquet, CSV, TSV, JSONL or XLSX")],
    out: Annotated[Path, typer.Option(help="output Parquet (all input columns + categories)")],
    backend: Annotated[str, typer.Option(help="lexicon, or the folder of a trained model")
                       ] = "lexicon",
    map: Annotated[str | None, typer.Option("--map", help="e.g. text=comment_text")] = None,
    preset: Annotated[str | None, typer.Option(
        help="a collection tool's export format (config/formats/): its text column")] = None,
    category: Annotated[list[str] | None, typer.Option(help="limit to these (repeat)")] = None,
    processes: Annotated[int | None, typer.Option(help="default: one per core")] = None,
    batch_size: Annotated[int, typer.Option(help="rows per batch")] = 100_000,
    encoding: Annotated[str | None, typer.Option(help="declared encoding of a text file")
                        ] = None,
    sheet: Annotated[str | None, typer.Option(help=SHEET_HELP)] = None,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Tag every post; stream batches over all cores; print a JSON summary."""
    from negtrend.data import formats
    from negtrend.tagging import classify

    result = classify.classify_file(
        data, out, backend, categories=list(category or []) or None,
        text_column=formats.text_column(preset, map), encoding=encoding,
        batch_size=batch_size, processes=processes, progress=progress, sheet=sheet)
    _echo_json(result.summary())


@app.command()
def explain(
    text: Annotated[str, typer.Argument(help="the text to explain")],
) -> None:
    """Show which lexicon terms fire on a text, on which view, and the category scores."""
    from negtrend.tagging import classify

    _echo_json(classify.LexiconBackend().explain(text))


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="labeled texts (CSV, TSV, JSONL, Parquet, XLSX)")],
    text_col: Annotated[str, typer.Option(help="the text column")],
    labels: Annotated[str, typer.Option(
        help="comma-separated label columns; NAME=COL1|COL2 for any-of, e.g. "
             "HS,Abusive,sara=HS_Religion|HS_Race")],
    out: Annotated[Path, typer.Option(help="folder for model.skops and metadata.json")],
    folds: Annotated[int, typer.Option(help="k for cross-validation scores (0: skip)")] = 5,
    seed: Annotated[int, typer.Option(help="random seed of the split")] = 0,
    param: Annotated[list[str] | None, typer.Option(
        help="model setting NAME=VALUE (repeat; VALUE as JSON), e.g. stack_views=true, "
             "C=3, nb_scale=[0.5,1]; see model.DEFAULT_PARAMS")] = None,
    norm: Annotated[list[str] | None, typer.Option(
        help="normalization setting NAME=VALUE (repeat), e.g. slang=true, "
             "slang_path=kamus.csv; see textnorm.NormConfig")] = None,
) -> None:
    """Train the TF-IDF + linear model; save it safely (skops) with its CV scores."""
    from negtrend.data.labeled import read_labeled
    from negtrend.run.runner import sha256_file
    from negtrend.tagging import model

    params = _parse_param(param or [])
    model.resolve_params(params)  # unknown names and bad values stop here, before any work
    norm_settings = model.norm_dict(_parse_param(norm or []) or None)
    texts, frame = read_labeled(data, text_col, labels.split(","))

    digest = sha256_file(data)
    scores = None
    if folds:
        scores = model.cross_validate(texts, frame, folds=folds, seed=seed, norm=norm_settings,
                                      params=params)
    trained = model.train(texts, frame, seed=seed, data_sha256=digest, norm=norm_settings,
                          params=params)
    if scores is not None:
        trained.metadata["cv"] = {"folds": folds, "seed": seed,
                                  "scores": scores.reset_index().to_dict(orient="records")}
    model.save(trained, out)
    _echo_json({"model": str(out), "labels": trained.labels, "thresholds": trained.thresholds,
                "cv": trained.metadata.get("cv")})


@app.command()
def evaluate(
    model_dir: Annotated[Path | None, typer.Option("--model", help="a trained model folder")
                         ] = None,
    backend: Annotated[str | None, typer.Option(help="'lexicon' to score the lexicon")] = None,
    data: Annotated[Path | None, typer.Option(help="labeled texts")] = None,
    text_col: Annotated[str, typer.Option(help="the text column")] = "text",
    labels: Annotated[str | None, typer.Option(help="as for train; NAME must be a category "
                                                    "when scoring the lexicon")] = None,
    folds: Annotated[int, typer.Option(
        help="with --model: k-fold CV re-training with the model's settings (0: score the "
             "model as it is on --data, a held-out set)")] = 5,
    seed: Annotated[int, typer.Option(help="random seed of the split")] = 0,
    gold: Annotated[Path | None, typer.Option(
        help="an annotated sample from `negtrend sample`")] = None,
) -> None:
    """Precision, recall and F1 per label: CV, held-out data, lexicon, or annotated sample."""
    import pandas as pd

    from negtrend.data.labeled import read_labeled
    from negtrend.tagging import classify, model, validation

    if gold is not None:
        table = validation.evaluate_gold_file(gold)
    elif data is None or labels is None:
        _fail("give --gold FILE, or --data FILE --labels ... with --model DIR or "
              "--backend lexicon")
    else:
        texts, frame = read_labeled(data, text_col, labels.split(","))
        if backend == "lexicon":
            tagged = classify.tag_texts(classify.LexiconBackend(list(frame.columns)), texts)
            table = model.scores_table(frame.astype(bool),
                                       pd.DataFrame(tagged.tags, index=frame.index))
        elif model_dir is not None and folds:
            trained = model.load(model_dir)
            table = model.cross_validate(texts, frame, folds=folds, seed=seed,
                                         norm=trained.norm, params=trained.metadata.get("params"))
        elif model_dir is not None:
            table = model.evaluate(model.load(model_dir), texts, frame)
        else:
            _fail("give --model DIR or --backend lexicon")
    if table.index.name == "label":
        table = table.reset_index()
    typer.echo(table.to_string(index=False))


@app.command()
def sample(
    data: Annotated[Path, typer.Option(help="output of `negtrend classify` (Parquet)")],
    out: Annotated[Path, typer.Option(help="CSV to annotate (fill the gold_* columns)")],
    per_stratum: Annotated[int, typer.Option(help="rows per predicted-category stratum")
                           ] = 100,
    seed: Annotated[int, typer.Option(help="random seed")] = 0,
    text_col: Annotated[str, typer.Option(help="the text column of the tagged file")] = "text",
) -> None:
    """Draw a stratified sample of tagged posts for manual annotation."""
    from negtrend.tagging import validation

    drawn = validation.sample_file(data, out, per_stratum=per_stratum, seed=seed,
                                   text_column=text_col)
    typer.echo(f"{len(drawn)} rows in {drawn['_stratum'].nunique()} strata -> {out}")


@app.command()
def claim(
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    election: Annotated[str, typer.Option(help="election id")],
    category: Annotated[str, typer.Option(help="the category the claim is about")],
    direction: Annotated[str, typer.Option(help="decrease or increase")] = "decrease",
    phase: Annotated[str, typer.Option(help="the window the claim is about")] = "campaign",
    baseline: Annotated[str, typer.Option(help="what it is compared with")] = "before",
    freq: Annotated[str, typer.Option(help="D, W or M")] = "M",
    map: Annotated[str | None, typer.Option("--map", help="column mapping")] = None,
    preset: Preset = None,
    kind: Annotated[str, typer.Option(help="auto, posts or counts")] = "auto",
    sheet: Annotated[str | None, typer.Option(help=SHEET_HELP)] = None,
    label: Annotated[list[str] | None, typer.Option(help="label rule CAT=RULE (repeat)")
                     ] = None,
    classifier: Annotated[str | None, typer.Option(help="lexicon or a model folder")] = None,
    variant: Annotated[str | None, typer.Option(help="published release variant")] = None,
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format")] = None,
    before_days: Annotated[int | None, typer.Option(help="baseline length in days")] = None,
    alpha: Annotated[float, typer.Option(help="1 - confidence level")] = 0.05,
    power_method: Annotated[str, typer.Option(
        help="auto | analytic | simulate: how the MDE is got (auto: analytic, simulated where "
             "the approximation is unreliable)")] = "auto",
    power_simulations: Annotated[int, typer.Option(
        help="simulations per ratio when simulated; 0: no MDE", min=0)] = 100,
    engine: Engine = "auto",
    scheduler: Scheduler = None,
    memory_limit: MemoryLimit = None,
    spill_dir: SpillDir = None,
    keep_going: KeepGoing = False,
    progress: Annotated[bool, typer.Option(help="show the scan's progress")] = True,
) -> None:
    """Test a claim; print one JSON object (verdict, estimate, interval, placebo p, MDE).

    The verdict is supported, contradicted, inconclusive (tested, could not tell) or
    untestable (the phase or baseline window holds no data; "reason" says which, with its
    dates and the data's span). Exits 0 whatever the verdict; 2 for bad input.
    """
    from negtrend.run.checks import POWER_METHODS

    if power_method not in POWER_METHODS:
        raise typer.BadParameter(f"expected one of {', '.join(POWER_METHODS)}, got "
                                 f"{power_method!r}", param_hint="--power-method")
    from negtrend.corpus.engines import ScaleOptions
    from negtrend.run import pipeline

    scale = ScaleOptions(memory_limit=memory_limit, spill_dir=spill_dir, scheduler=scheduler,
                         keep_going=keep_going, progress=progress)
    _echo_json(pipeline.claim_check(
        data, election, category, direction=direction, phase=phase, baseline=baseline,
        freq=freq, kind=kind, column_map=map, labels_spec=label, classifier=classifier,
        variant=variant, timestamp_format=timestamp_format, before_days=before_days,
        alpha=alpha, power_method=power_method, power_simulations=power_simulations,
        sheet=sheet, engine=engine, scale=scale, preset=preset))


@app.command()
def count(
    data: Annotated[str, typer.Option(help=DATA_HELP)],
    out: Annotated[Path, typer.Option(help="CSV of counts per day (the quarantine is written "
                                           "beside it)")],
    category: Annotated[list[str] | None, typer.Option(help="category (repeat)")] = None,
    map: Annotated[str | None, typer.Option("--map", help="column mapping")] = None,
    preset: Preset = None,
    label: Annotated[list[str] | None, typer.Option(help="label rule CAT=RULE (repeat)")
                     ] = None,
    classifier: Annotated[str | None, typer.Option(help="lexicon or a model folder")] = None,
    timezone: Annotated[str, typer.Option(help="zone for naive timestamps")] = "Asia/Jakarta",
    timestamp_format: Annotated[str | None, typer.Option(help="strptime format")] = None,
    engine: Engine = "auto",
    scheduler: Scheduler = None,
    memory_limit: MemoryLimit = None,
    spill_dir: SpillDir = None,
    keep_going: KeepGoing = False,
    processes: Annotated[int | None, typer.Option(help="worker processes (default: cores)")
                         ] = None,
    progress: Annotated[bool, typer.Option(help="show the scan's progress")] = True,
) -> None:
    """The data stage alone: read, quarantine, tag and count posts per day; print a JSON
    summary (rows read, kept, quarantined, engine, time)."""
    from negtrend.corpus import engines

    scale = engines.ScaleOptions(memory_limit=memory_limit, spill_dir=spill_dir,
                                 scheduler=scheduler, keep_going=keep_going, progress=progress,
                                 processes=processes)
    settings = engines.settings_for(timezone=timezone, timestamp_format=timestamp_format,
                                    labels_spec=label, classifier=classifier,
                                    categories=list(category or []) or None)
    _echo_json(engines.count_daily(data, out, settings, engine=engine,
                                   column_map=loading_map(map), options=scale, preset=preset))


cache_app = typer.Typer(cls=_Commands, no_args_is_help=True,
                        help="The tagged-corpus cache (NEGTREND_CACHE, default data/cache).")
app.add_typer(cache_app, name="cache")


@cache_app.command("list")
def cache_list(
    cache_dir: Annotated[Path | None, typer.Option(help="default: NEGTREND_CACHE or "
                                                        "data/cache")] = None,
) -> None:
    """Every cache entry: key, state, size, rows read, source, when built."""
    from negtrend.corpus import cache
    from negtrend.report.text_table import text_table

    found = cache.entries(cache_dir)
    if not found:
        typer.echo(f"no cache entries in {cache.cache_dir(cache_dir)}")
        return
    columns = ["key", "state", "bytes", "n_read", "classifier", "built", "source"]
    typer.echo(text_table([{c: entry.get(c) for c in columns} for entry in found], columns))


@cache_app.command("clear")
def cache_clear(
    key: Annotated[str | None, typer.Option(help="remove only this entry")] = None,
    cache_dir: Annotated[Path | None, typer.Option(help="default: NEGTREND_CACHE or "
                                                        "data/cache")] = None,
) -> None:
    """Remove every cache entry (or one); they are rebuilt when next needed."""
    from negtrend.corpus import cache

    typer.echo(f"removed {cache.clear(cache_dir, key)} entr(y/ies) from "
               f"{cache.cache_dir(cache_dir)}")


@app.command()
def index(
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
) -> None:
    """Write reports/index.html linking every run, and print its path."""
    from negtrend.report import index_page

    typer.echo(str(index_page.write_index(reports_dir)))


@app.command("cross-election")
def cross_election(
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
    window: Annotated[str, typer.Option(help="window compared with each run's baseline")] =
    "campaign",
    lang: Annotated[str, typer.Option(help="en or id")] = "en",
    kernel: Annotated[str, typer.Option(help="Jupyter kernel")] = DEFAULT_KERNEL,
) -> None:
    """Forest plot and verdict table of every earlier trend report (their metrics.json only),
    rendered into reports/<run_key>/; prints the report's path."""
    from negtrend.data import paths
    from negtrend.run import runner

    folder = paths.reports_dir(reports_dir).resolve()
    outcome = runner.run_report({"reports_dir": str(folder), "window": window, "lang": lang},
                                template="cross_election", reports_dir=folder, kernel=kernel)
    _report_outcome(outcome, "cross-election")


@app.command("sweep")
def sweep_command(
    params_file: Annotated[Path, typer.Argument(
        help="sweep YAML: template, defaults, grid, runs (see params/demo_sweep.yaml)")],
    jobs: Annotated[int, typer.Option("--jobs", "-j", min=1, help="runs at a time")] = 1,
    reports_dir: Annotated[Path | None, typer.Option(help="default: reports/")] = None,
    kernel: Annotated[str, typer.Option(help="Jupyter kernel")] = DEFAULT_KERNEL,
    dry_run: Annotated[bool, typer.Option(
        "--dry-run", help="check the file and list the runs; run nothing")] = False,
    max_runs: Annotated[int, typer.Option(
        min=1, help="refuse a sweep of more runs than this (counted before expanding)")
                        ] = DEFAULT_MAX_RUNS,
    progress: Annotated[bool, typer.Option(help="show a progress bar")] = True,
) -> None:
    """Render a grid of reports in parallel; print a summary; exit 1 if any run failed.

    The whole file is checked first (exit 2, nothing runs, if anything is wrong, or if the grid
    makes more than --max-runs runs). A failed run never stops the others. The summary is also
    written to reports/sweep-NAME.json and reports/index.html is regenerated.
    """
    from negtrend.run import sweep

    try:
        planned = sweep.load_sweep(params_file, max_runs=max_runs)
    except sweep.SweepError as exc:
        _fail(f"{len(exc.errors)} problem(s) in the sweep file, nothing was run:\n{exc}")
    if dry_run:
        for run in planned.runs:
            typer.echo(f"{run.run_key}  {run.origin}  {json.dumps(run.params, default=str)}")
        for dup in planned.duplicates:
            typer.echo(f"(duplicate, runs once) {dup['origin']} = {dup['same_as']}")
        typer.echo(f"{len(planned.runs)} run(s)")
        return
    result = sweep.run_sweep(planned, jobs=jobs, reports_dir=reports_dir, kernel=kernel,
                             progress=progress)
    typer.echo(sweep.summary_table(result.results))
    n_failed = len(result.failed)
    typer.echo(f"\n{len(result.results)} run(s): {len(result.results) - n_failed} ok, "
               f"{n_failed} failed"
               + (f"; {len(planned.duplicates)} duplicate(s) run once"
                  if planned.duplicates else ""))
    typer.echo(f"summary: {result.summary_path}")
    typer.echo(f"index: {result.index_path}")
    typer.echo(f"log: {result.log_path}")
    if n_failed:
        raise typer.Exit(1)


fetch_app = typer.Typer(cls=_Commands, no_args_is_help=True,
                        help="Fetch daily counts with their exposure from a news API into a "
                             "counts file for --data.")
app.add_typer(fetch_app, name="fetch")

FetchStart = Annotated[str, typer.Option(help="first day, YYYY-MM-DD")]
FetchEnd = Annotated[str, typer.Option(help="last day, YYYY-MM-DD (inclusive)")]
FetchOut = Annotated[Path, typer.Option(help="counts CSV to write (date, category, count, "
                                             "total, source)")]
FetchCategory = Annotated[str | None, typer.Option(
    help="category name in the file (default: the query, lower case, with underscores)")]
FetchCacheDir = Annotated[Path | None, typer.Option(
    help="where finished chunks are kept (default: NEGTREND_CACHE/fetch or data/cache/fetch)")]
FetchRefresh = Annotated[bool, typer.Option(
    "--refresh", help="fetch every chunk again, ignoring the cache")]


@fetch_app.command("mediacloud")
def fetch_mediacloud(
    query: Annotated[str, typer.Option(help="Media Cloud query, e.g. '\"hoaks\" OR hoax'")],
    collection: Annotated[list[int], typer.Option(help="collection id (repeat)")],
    start: FetchStart,
    end: FetchEnd,
    out: FetchOut,
    category: FetchCategory = None,
    cache_dir: FetchCacheDir = None,
    refresh: FetchRefresh = False,
) -> None:
    """Daily story counts (search/count-over-time) with each day's total stories in the
    collections as the exposure. The API key is read from MEDIACLOUD_API_KEY."""
    from negtrend.data import fetch

    typer.echo(fetch.fetch_mediacloud(query, list(collection), start, end, out,
                                      category=category, cache_dir=cache_dir,
                                      refresh=refresh).line())


@fetch_app.command("gdelt")
def fetch_gdelt(
    query: Annotated[str, typer.Option(help="GDELT DOC query, e.g. 'hoaks'")],
    start: FetchStart,
    end: FetchEnd,
    out: FetchOut,
    theme: Annotated[str | None, typer.Option(help="GKG theme code, e.g. ELECTION")] = None,
    country: Annotated[str | None, typer.Option(
        help="source country (FIPS code or name), e.g. ID")] = None,
    category: FetchCategory = None,
    cache_dir: FetchCacheDir = None,
    refresh: FetchRefresh = False,
) -> None:
    """Daily article counts (DOC 2.0 API, timelinevolraw) with all articles GDELT monitored
    each day as the exposure. The API covers about the last 3 months only; for older dates
    use the bulk GKG files (read as they are: --preset gdelt-gkg). One request every 5 s at
    most."""
    from negtrend.data import fetch

    typer.echo(fetch.fetch_gdelt(query, start, end, out, theme=theme, country=country,
                                 category=category, cache_dir=cache_dir,
                                 refresh=refresh).line())


if __name__ == "__main__":
    app()
