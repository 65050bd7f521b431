"""The one pipeline: data in, every number and figure of a report out.

``prepare`` runs the data stage (load -> label rules -> tag -> quarantine accounting);
``election_series`` builds one election's flagged series from it; ``trend_report``, ``explore``
and ``cross_election`` do the whole of what their notebook templates show, and return one
object holding it, so the notebooks only display parts of it; ``claim_check`` is what
``negtrend claim`` prints. Every step is a plain function of the layers below (data ->
tagging -> analysis -> report).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from negtrend.analysis import changepoints, claims, event_study, its, placebo, power
from negtrend.analysis.compare import (
    ElectionView,
    PhaseComparison,
    adjust_across_categories,
    compare_election,
    compare_phases,
)
from negtrend.analysis.tagging_error import corrected_shares
from negtrend.corpus import engines, formatted
from negtrend.corpus import inputs as corpus_inputs
from negtrend.data import calendar, labels, loading, paths, readers, sources, taxonomy
from negtrend.data.claims import Claim, get_claim
from negtrend.data.daily import DailyCounts
from negtrend.data.series import SPAN_MARGIN_DAYS, SeriesResult, analysis_span, build_series

# plots (matplotlib), explore and cross_election are imported where they are used, so a
# claim check or a data stage loads no plotting library
from negtrend.report import examples, finding, records, sentences, tables
from negtrend.report.words import figure_title
from negtrend.run.runner import record_engine, record_metrics
from negtrend.tagging import classify

# --- parameters -----------------------------------------------------------------------------


@dataclass(frozen=True)
class DataParams:
    """What every template reads: the source, how to load and tag it, the election and its
    windows, the comparison settings. Field names, defaults and meaning are those of the
    templates' ``parameters`` cells (a test keeps them equal)."""

    data: str | None = "published:kominfo_ais_hoax_monthly"  # a path, or published:SERIES
    kind: str = "auto"  # auto | posts | counts
    sheet: str | int | None = None  # XLSX: the sheet to read, or "*" for all
    column_map: dict = field(default_factory=dict)  # canonical -> source column
    preset: str | None = None  # a format of config/formats/ (None: detected from the header)
    labels: dict = field(default_factory=dict)  # pre-assigned labels, category -> rule
    classifier: str | None = None  # "lexicon", or the folder of a trained model
    variant: str | None = None  # for published series with conflicting releases
    timezone: str = "Asia/Jakarta"
    timestamp_format: str | None = None
    election: str = "pemilu2019"
    categories: list = field(default_factory=list)  # empty: every category in the data
    freq: str = "M"  # D | W | M
    complete_feed: bool | None = None  # posts: None finds collection gaps; True: all zeros
    span_margin_days: int | None = SPAN_MARGIN_DAYS  # the windows +- this; None: all data
    before_days: int | None = None  # None: as long as the campaign
    after_days: int | None = None  # None: as long as the campaign
    baseline: str = "before"
    min_share: float = 0.5  # a period belongs to a window holding more than this share
    alpha: float = 0.05
    claim: str | None = None  # a claim id from config/claims.yaml
    lang: str = "en"  # the language of headings and sentences (report/lang/*.yaml)
    examples_per_window: int = 3  # example items per category and window (posts only)
    seed: int = 0
    engine: str = "auto"  # auto | pandas | duckdb | dask (posts: how the corpus is read)
    scheduler: str | None = None  # dask: tcp://HOST:PORT, or "local" for a LocalCluster
    memory_limit: str | None = None  # duckdb: e.g. "2GB" (default 1GB)
    spill_dir: str | None = None  # duckdb: where to spill beyond the memory limit
    keep_going: bool = False  # a corpus file that cannot be read is named and skipped
    output_dir: str | None = None  # set by the runner; None: a folder under reports/

    @classmethod
    def from_namespace(cls, namespace: dict):
        """The parameters found in ``namespace`` (a notebook's ``globals()``), defaults for
        the rest: what a template passes after papermill has injected its values."""
        names = {f.name for f in dataclasses.fields(cls)}
        return cls(**{name: value for name, value in namespace.items() if name in names})


@dataclass(frozen=True)
class ReportParams(DataParams):
    """``notebooks/trend_report.ipynb``: the data parameters and the estimators' settings."""

    its_at_voting: bool = False  # interrupted time series: a second break at voting day
    placebo_step: int | None = None  # days between placebo dates; None: 7 or 30
    power_method: str = "auto"  # auto | analytic | simulate: how the minimum detectable effect
    # is got (auto: analytic, simulated where the approximation is unreliable)
    power_simulations: int = 100  # simulations per ratio when simulated; 0: no power at all
    tagging_error: dict = field(default_factory=dict)  # category -> precision and recall


SAMPLE_MAP = {"text": "title", "timestamp": "published"}
"""The bundled sample corpus's columns (data/sample)."""


@dataclass(frozen=True)
class ExploreParams(DataParams):
    """``notebooks/explore.ipynb``: a corpus (the bundled sample by default), tagged by the
    lexicon, weekly, against two elections."""

    data: str | None = None  # None: the bundled sample corpus
    column_map: dict = field(default_factory=dict)  # {}: SAMPLE_MAP for the bundled sample
    classifier: str | None = "lexicon"
    election: str = "pemilu2024"
    compare_election: str | None = "pilkada2024"  # shown side by side; None to skip
    categories: list = field(default_factory=lambda: ["hoaks", "pemilu"])
    freq: str = "W"


# --- the data stage ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Prepared:
    """Loaded rows with their label and tag columns (or, from a streaming engine, posts
    counted per day), the categories to count, how items came to be counted (``tagging``:
    counts, labels, lexicon, model or none) and the engine that read them."""

    loaded: loading.LoadResult | DailyCounts
    categories: list[str] | None
    tagging: str
    engine: dict = field(default_factory=lambda: {"name": "pandas"})


def prepare(data, *, kind: str = "auto", column_map=None, labels_spec=None,
            classifier: str | None = None, categories: list[str] | None = None,
            variant: str | None = None, timezone: str = loading.DEFAULT_TZ,
            timestamp_format: str | None = None, sheet: str | int | None = None,
            engine: str = "auto", scale: engines.ScaleOptions | None = None, seed: int = 0,
            examples_per_window: int = 3, preset: str | None = None) -> Prepared:
    """Load a source, apply label rules and tag posts' text: everything before counting.
    Posts (one file, a glob or a folder) go through ``engine`` (:mod:`negtrend.corpus`);
    published series, count tables and workbooks are read whole, and so are files in a
    collection tool's format (``preset``, or detected from the header: :mod:`data.formats`,
    :mod:`corpus.formatted`)."""
    engines.check_engine(engine)
    if kind not in ("auto", "posts", "counts"):
        raise loading.LoadError(f"kind must be auto, posts or counts, got {kind!r}")
    how = corpus_inputs.format_plan(data, preset=preset, column_map=column_map,
                                    labels_spec=labels_spec, timestamp_format=timestamp_format,
                                    kind=kind, sheet=sheet)
    if how is not None:
        loaded = formatted.read(data, how, tz=timezone, sheet=sheet, engine=engine)
        if classifier and loaded.kind == "posts":
            loaded = classify.tag_posts(loaded, classifier, categories or None)
        return Prepared(loaded, choose_categories(categories, how.labels, classifier),
                        tagging_kind(loaded.kind, how.labels, classifier))
    if _read_whole(data, kind, column_map, sheet):
        loaded = sources.load_source(data, kind=kind, column_map=column_map, tz=timezone,
                                     timestamp_format=timestamp_format, variant=variant,
                                     sheet=sheet)
        if labels_spec:
            loaded = labels.apply_to_result(loaded, labels_spec)
        if classifier and loaded.kind == "posts":
            loaded = classify.tag_posts(loaded, classifier, categories or None)
        return Prepared(loaded, choose_categories(categories, labels_spec, classifier),
                        tagging_kind(loaded.kind, labels_spec, classifier))
    if variant:
        raise loading.LoadError(f"{data}: variant applies only to published:SERIES sources")
    settings = engines.settings_for(timezone=timezone, timestamp_format=timestamp_format,
                                    labels_spec=labels_spec, classifier=classifier,
                                    categories=categories, seed=seed,
                                    examples=examples_per_window)
    loaded, used = engines.count_corpus(data, settings, engine=engine, column_map=column_map,
                                        options=scale)
    return Prepared(loaded, list(settings.categories) or None,
                    tagging_kind("posts", labels_spec, classifier), used)


def _read_whole(data, kind: str, column_map, sheet) -> bool:
    """Published series, count tables and workbooks are small and read whole; posts stream."""
    spec = str(data)
    if spec.startswith("published:") or kind == "counts" or sheet is not None:
        return True
    if corpus_inputs.is_corpus(spec):
        return False
    if not Path(spec).is_file() or readers.infer_format(spec) == "xlsx":
        return True
    return kind == "auto" and sources.detect_kind(
        spec, loading.parse_column_map(column_map)) == "counts"


def scale_options(params: DataParams) -> engines.ScaleOptions:
    """The streaming engines' settings; a scan shows its progress in an interactive session
    (a rendered run, whose runner sets output_dir, would only print it into the page)."""
    progress = params.output_dir is None
    return engines.ScaleOptions(memory_limit=params.memory_limit, spill_dir=params.spill_dir,
                                scheduler=params.scheduler, keep_going=params.keep_going,
                                progress=progress)


def choose_categories(categories: list[str] | None, labels_spec, classifier: str | None
                      ) -> list[str] | None:
    """The categories a report compares: those asked for, else the pre-assigned labels, else
    the classifier's, else None (every category in counts; all items for posts)."""
    if categories:
        return list(categories)
    if labels_spec:
        return list(labels.parse_rules(labels_spec))
    if classifier:
        return classify.backend_categories(classifier)
    return None


def tagging_kind(kind: str, labels_spec, classifier: str | None) -> str:
    """How items came to be counted: published counts, source labels, lexicon, model or none."""
    if kind == "counts":
        return "counts"
    if classifier:
        return "lexicon" if classifier == "lexicon" else "model"
    return "labels" if labels_spec else "none"


@dataclass(frozen=True)
class ElectionSeries:
    election: calendar.Election
    windows: pd.DataFrame
    series: SeriesResult


def election_series(prepared: Prepared, election: str, *, freq: str = "M",
                    before_days: int | None = None, after_days: int | None = None,
                    complete_feed: bool | None = None, min_share: float = 0.5,
                    span_margin_days: int | None = SPAN_MARGIN_DAYS) -> ElectionSeries:
    """One election's windows and the prepared data as a series flagged with them, over the
    windows plus ``span_margin_days`` either side (rows outside are counted as unused)."""
    info = calendar.get_election(election)
    windows = calendar.windows(info, before_days=before_days, after_days=after_days)
    series = build_series(prepared.loaded, freq=freq, categories=prepared.categories,
                          windows=windows, complete_feed=complete_feed, min_share=min_share,
                          span=analysis_span(windows, span_margin_days))
    return ElectionSeries(info, windows, series)


def _prepare_params(params: ReportParams) -> Prepared:
    return prepare(params.data, kind=params.kind, column_map=params.column_map,
                   preset=params.preset, labels_spec=params.labels, classifier=params.classifier,
                   categories=params.categories, variant=params.variant,
                   timezone=params.timezone, timestamp_format=params.timestamp_format,
                   sheet=params.sheet, engine=params.engine, scale=scale_options(params),
                   seed=params.seed, examples_per_window=params.examples_per_window)


def _series_params(prepared: Prepared, params: ReportParams, election: str) -> ElectionSeries:
    return election_series(prepared, election, freq=params.freq,
                           before_days=params.before_days, after_days=params.after_days,
                           complete_feed=params.complete_feed, min_share=params.min_share,
                           span_margin_days=params.span_margin_days)


def _output_dir(output_dir, interactive: str) -> Path:
    """The run folder the runner set, else a folder under reports/ for interactive use."""
    out = Path(output_dir) if output_dir else paths.reports_dir() / interactive
    out.mkdir(parents=True, exist_ok=True)
    return out


def _why(classifier: str | None, lang: str):
    """How an example's tag is explained: the lexicon terms that fired, or (None) the label."""
    if classifier != "lexicon":
        return None
    return examples.lexicon_reason(classify.make_backend("lexicon"), lang)


def _examples(prepared: Prepared, classifier, categories, windows, per_window, seed, lang
              ) -> pd.DataFrame:
    """Example items per category and window, with why each was tagged (posts only)."""
    if prepared.loaded.kind != "posts":
        return pd.DataFrame(columns=examples.COLUMNS)
    if isinstance(prepared.loaded, DailyCounts):
        return examples.from_reservoir(prepared.loaded.reservoir, categories, windows,
                                       per_window, _why(classifier, lang), lang)
    return examples.example_items(prepared.loaded.data, categories, windows,
                                  per_window=per_window, seed=seed, why=_why(classifier, lang),
                                  lang=lang)


# --- the trend report -------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendReport:
    """Everything a trend report states: the data accounting, the comparisons, each
    estimator's result per category, the claim check, examples, corrections, limitations,
    the figures written and the metrics record (``metrics.json``)."""

    params: ReportParams
    output_dir: Path
    prepared: Prepared
    election: calendar.Election
    windows: pd.DataFrame
    series: SeriesResult
    summary: dict
    comparisons: list[PhaseComparison]
    adjusted: pd.DataFrame
    effects: dict  # category -> {"its", "event_study", "placebo", "changepoints", "power"}
    claim: Claim | None
    claim_comparisons: list[PhaseComparison] | None
    claim_checks: dict | None
    examples: pd.DataFrame
    corrected: dict  # category -> corrected-share table
    limitations: list[str]
    figures: dict  # name -> paths written
    metrics: dict
    finding: list[str] = field(default_factory=list)  # the opening sentences, headline first

    @property
    def lang(self) -> str:
        return self.params.lang


def trend_report(params: ReportParams) -> TrendReport:
    """Load, tag, count, compare, model, check the claim, draw and record: a whole report.

    Writes ``quarantine.csv``, ``figures/`` (with ``thumbnail.png`` for the index page) and
    ``metrics.json`` into ``params.output_dir``.
    """
    out = _output_dir(params.output_dir, "interactive")
    prepared = _prepare_params(params)
    engines.write_quarantine(prepared.loaded, out / "quarantine.csv")
    record_engine(prepared.engine, out)
    built = _series_params(prepared, params, params.election)
    series, windows = built.series, built.windows
    write_unused(series, out / "unused.csv")
    summary = tables.data_summary(prepared.loaded, series, prepared.engine)
    figures = _trend_figures(series, windows, built.election, params, out)
    comparisons = [compare_phases(series, category, baseline=params.baseline,
                                  alpha=params.alpha) for category in series.categories]
    figures.update(_thumbnail(series, windows, comparisons, out))
    effects = {comparison.category: _effects(series, comparison, built, params)
               for comparison in comparisons}
    figures.update(_effect_figures(effects, params.lang, out))
    claim, claim_comparisons, claim_checks = _claim(series, windows, comparisons, effects,
                                                    params)
    corrected = {}
    if params.tagging_error and series.has_total:
        corrected = {c.category: corrected_shares(c, params.tagging_error[c.category],
                                                  params.alpha)
                     for c in comparisons if c.category in params.tagging_error}
    about = about_categories(series.categories, params.lang)
    limits = sentences.limitations(summary, prepared.tagging,
                                   {c: found.get("power") for c, found in effects.items()},
                                   params.lang, corrected=corrected, about=about)
    items = _examples(prepared, params.classifier, series.categories, windows,
                      params.examples_per_window, params.seed, params.lang)
    adjusted = adjust_across_categories(comparisons)
    opening = finding.finding(summary, comparisons, effects, prepared.tagging, params.lang,
                              claim=claim, claim_comparisons=claim_comparisons,
                              claim_checks=claim_checks)
    metrics = records.trend_metrics(
        summary, windows, built.election, comparisons, figures, out, claim=claim,
        claim_comparisons=claim_comparisons, lang=params.lang, effects=effects,
        adjusted=adjusted, claim_checks=claim_checks, limitations=limits, corrected=corrected,
        finding=opening, categories=about)
    record_metrics(metrics, out)
    return TrendReport(params, out, prepared, built.election, windows, series, summary,
                       comparisons, adjusted, effects, claim, claim_comparisons, claim_checks,
                       items, corrected, limits, figures, metrics, opening)


def about_categories(categories, lang: str = "en") -> dict:
    """For each category of the taxonomy among ``categories``: its label, what a text tagger
    finds under it when that differs (hoaks), and the lexicon's measured quality for it."""
    known = taxonomy.load_categories()
    quality = taxonomy.tagger_quality("lexicon")
    return {c: {"kind": known[c].kind, "of": known[c].of, "label": known[c].label(lang),
                "text_label": known[c].text_label(lang), "measured": quality.get(c, [])}
            for c in categories if c in known}


def write_unused(series: SeriesResult, path: Path) -> Path:
    """The rows loaded but left out of the series (outside the span, coarser than the
    frequency, overlapping), each with its reason: nothing is dropped without a trace."""
    columns = ["_row", "reason_code", "reason"]
    unused = series.unused
    rest = [c for c in unused.columns if c not in columns] if len(unused) else []
    frame = unused[columns + rest] if len(unused) else pd.DataFrame(columns=columns)
    frame.to_csv(path, index=False, encoding="utf-8")
    return path


def _trend_figures(series, windows, election, params: ReportParams, out: Path) -> dict:
    from negtrend.report import plots
    figures = {}
    for measure in tables.figure_measures(series):
        fig = plots.trend(series, windows, measure=measure,
                          title=figure_title(election, params.data, measure, params.lang))
        figures[measure] = plots.save_figure(fig, out / "figures", f"trend_{measure}")
    return figures


def _thumbnail(series: SeriesResult, windows: pd.DataFrame, comparisons: list[PhaseComparison],
               out: Path) -> dict:
    """``figures/thumbnail.png``: the primary measure at a glance, for the index page."""
    from negtrend.report import plots
    measure = comparisons[0].primary_measure if comparisons else "count_per_day"
    fig = plots.thumbnail(series, windows, measure=measure)
    return {"thumbnail": plots.save_figure(fig, out / "figures", "thumbnail", formats=("png",))}


def _effects(series: SeriesResult, comparison, built: ElectionSeries,
             params: ReportParams) -> dict:
    """Every estimator of the report on one category (``comparison``: its phase comparison
    against the report's baseline)."""
    category = comparison.category
    found = {"its": its.its(series, category, at_voting=params.its_at_voting,
                            alpha=params.alpha, windows=built.windows)}
    if params.freq in ("D", "W"):
        found["event_study"] = event_study.event_study(series, category, built.election,
                                                       alpha=params.alpha,
                                                       windows=built.windows)
    found["placebo"] = placebo.placebo(series, built.windows, category,
                                       baseline=params.baseline, step=params.placebo_step,
                                       min_share=params.min_share, alpha=params.alpha)
    found["changepoints"] = changepoints.changepoints(series, category, windows=built.windows)
    found["power"] = power.power(series, category, baseline=params.baseline, alpha=params.alpha,
                                 simulations=params.power_simulations, seed=params.seed,
                                 method=params.power_method, comparison=comparison)
    return found


def effect_has_figure(name: str, result) -> bool:
    """ITS draws its series; the event study and placebo draw their tables, when not empty."""
    if name == "its":
        return bool(len(result.series))
    return name in ("event_study", "placebo") and bool(len(result.table))


def _effect_figures(effects: dict, lang: str, out: Path) -> dict:
    from negtrend.report import plots
    figures = {}
    for category, found in effects.items():
        for name, result in found.items():
            if effect_has_figure(name, result):
                figures[f"{name}_{category}"] = plots.save_figure(
                    plots.effect_plot(result, lang=lang), out / "figures", f"{name}_{category}")
    return figures


def _claim(series, windows, comparisons, effects, params: ReportParams):
    """(claim, its comparisons, its check per category) when the report names a claim."""
    if not params.claim:
        return None, None, None
    claim = get_claim(params.claim)
    claim_comparisons = comparisons if claim.baseline == params.baseline else [
        compare_phases(series, category, baseline=claim.baseline, alpha=params.alpha)
        for category in series.categories]
    same = claim.phase == "campaign" and claim.baseline == params.baseline
    checks = {comparison.category: claims.check_claim(
        series, comparison.category, windows, direction=claim.direction, phase=claim.phase,
        baseline=claim.baseline, alpha=params.alpha, placebo_step=params.placebo_step,
        power_simulations=params.power_simulations, power_method=params.power_method,
        seed=params.seed, placebo_result=effects[comparison.category]["placebo"] if same else None,
        power_result=effects[comparison.category]["power"] if same else None,
        comparison=comparison) for comparison in claim_comparisons}
    return claim, claim_comparisons, checks


# --- the explore workbench --------------------------------------------------------------------


@dataclass(frozen=True)
class Exploration:
    """What the explore notebook shows: one view per election, examples, figures, the claim
    check table, the exported files and the metrics record."""

    params: ExploreParams
    output_dir: Path
    prepared: Prepared
    views: list[ElectionView]
    examples: pd.DataFrame
    figures: dict
    claim_checks: pd.DataFrame | None
    exported: list[Path]
    metrics: dict

    @property
    def view(self) -> ElectionView:
        return self.views[0]

    def drilldown(self) -> list:
        """Example items on demand (category, window, how many), as an ipywidgets control in
        an interactive session on posts; nothing in a rendered run (no kernel behind it) or
        without ipywidgets."""
        from negtrend.report import explore as explore_views
        widgets = explore_views.optional_widgets()
        if widgets is None or self.params.output_dir is not None \
                or not isinstance(self.prepared.loaded, loading.LoadResult) \
                or self.prepared.loaded.kind != "posts":
            return []
        return [explore_views.drilldown(widgets, self.prepared.loaded.data, self.view,
                                        self.params.seed,
                                        _why(self.params.classifier, self.params.lang),
                                        self.params.lang)]


def explore(params: ExploreParams) -> Exploration:
    """A corpus against one or two elections: series per category, rate ratios, examples,
    a side-by-side forest plot, an optional claim check, and an export of the numbers."""
    from negtrend.report import explore as explore_views
    from negtrend.report import plots
    out = _output_dir(params.output_dir, "explore")
    if params.data is None:  # the bundled sample, with its own column names
        params = dataclasses.replace(params, data=str(paths.sample_corpus()),
                                     column_map=params.column_map or SAMPLE_MAP)
    prepared = _prepare_params(params)
    record_engine(prepared.engine, out)
    views = [_view(prepared, params, params.election)]
    if params.compare_election:
        views.append(_view(prepared, params, params.compare_election))
    view = views[0]
    figures = {}
    for measure in tables.figure_measures(view.series):
        fig = plots.small_multiples(view.series, view.windows, measure=measure,
                                    title=figure_title(view.election, params.data, measure,
                                                       params.lang))
        figures[measure] = plots.save_figure(fig, out / "figures", f"categories_{measure}")
    items = _examples(prepared, params.classifier, view.series.categories, view.windows,
                      params.examples_per_window, params.seed, params.lang)
    view_records = [explore_views.view_record(v) for v in views]
    if len(views) > 1:
        rows = plots.forest_rows(view_records)
        figures["side_by_side"] = plots.save_figure(plots.forest(rows), out / "figures",
                                                    "side_by_side")
    checks = _explore_claim(view, params) if params.claim else None
    exported = explore_views.export_views(out / "export", views)
    metrics = explore_views.explore_metrics(view_records, items, exported, out)
    record_metrics(metrics, out)
    return Exploration(params, out, prepared, views, items, figures, checks, exported, metrics)


def _view(prepared: Prepared, params: ExploreParams, election: str) -> ElectionView:
    built = _series_params(prepared, params, election)
    return compare_election(built.election, built.windows, built.series,
                            baseline=params.baseline, alpha=params.alpha)


def _explore_claim(view: ElectionView, params: ExploreParams) -> pd.DataFrame:
    claim = get_claim(params.claim)
    checks = {category: records.check_record(claims.check_claim(
        view.series, category, view.windows, direction=claim.direction, phase=claim.phase,
        baseline=claim.baseline, alpha=params.alpha, seed=params.seed))
        for category in view.series.categories}
    return pd.DataFrame(checks).T[["verdict", "estimate", "ci_low", "ci_high", "placebo_p",
                                   "mde"]]


# --- across elections ---------------------------------------------------------------------


@dataclass(frozen=True)
class CrossElection:
    runs: list[dict]
    rows: pd.DataFrame
    figures: dict
    metrics: dict


def cross_election(reports_dir=None, window: str = "campaign", lang: str = "en",
                   output_dir=None) -> CrossElection:
    """The ``window`` rate ratios of every earlier trend report under ``reports_dir``, from
    their metrics.json only, as a table and a forest plot."""
    from negtrend.report import cross_election as across
    from negtrend.report import plots
    out = _output_dir(output_dir, "cross_election")
    runs = across.trend_runs(reports_dir)
    rows = across.cross_election_rows(runs, window)
    figures = {"forest": plots.save_figure(plots.forest(rows), out / "figures",
                                           f"forest_{window}")}
    metrics = records.cross_election_metrics(rows, window, lang, out, figures)
    record_metrics(metrics, out)
    return CrossElection(runs, rows, figures, metrics)


# --- one claim, one JSON (negtrend claim) --------------------------------------------------


def claim_check(data, election: str, category: str, *, direction: str = "decrease",
                phase: str = "campaign", baseline: str = "before", freq: str = "M",
                kind: str = "auto", column_map=None, labels_spec=None,
                classifier: str | None = None, variant: str | None = None,
                timestamp_format: str | None = None, before_days: int | None = None,
                alpha: float = 0.05, power_simulations: int = 100,
                power_method: str = "auto", sheet: str | int | None = None, engine: str = "auto",
                scale: engines.ScaleOptions | None = None, preset: str | None = None) -> dict:
    """Whether ``data`` supports a claim about ``category``: the check's JSON record with the
    data accounting (rows read, quarantined, and set aside as unused at this frequency).

    A claim whose phase or baseline window holds no data gets the verdict ``untestable``
    and a ``reason`` naming the window, its dates and the data's span; a bad direction,
    phase or baseline is a ``ClaimError`` before any data are read."""
    claims.check_claim_spec(direction, phase, baseline)
    prepared = prepare(data, kind=kind, column_map=column_map, labels_spec=labels_spec,
                       classifier=classifier, categories=[category], variant=variant,
                       timestamp_format=timestamp_format, sheet=sheet, engine=engine,
                       scale=scale, preset=preset)
    built = election_series(prepared, election, freq=freq, before_days=before_days)
    check = claims.check_claim(built.series, category, built.windows, direction=direction,
                               phase=phase, baseline=baseline, alpha=alpha,
                               power_simulations=power_simulations,
                               power_method=power_method)
    record = records.check_record(check)
    record.update(data=str(data), election=election, freq=freq.upper(),
                  kind=prepared.loaded.kind)
    record.update(_claim_accounting(tables.data_summary(prepared.loaded, built.series,
                                                        prepared.engine)))
    return record


def _claim_accounting(summary: dict) -> dict:
    """The rows behind a claim check: read, quarantined at loading, and set aside as unused
    at this frequency (duplicate, overlapping or coarser periods), with the reasons."""
    return {"n_read": summary["n_read"], "n_kept": summary["n_kept"],
            "n_quarantined": summary["n_quarantined"],
            "quarantine_reasons": summary.get("quarantine_reasons", {}),
            "n_unused": summary["rows_not_usable_at_freq"],
            "unused_reasons": summary["not_usable_reasons"], "n_used": summary["rows_used"],
            "first_period": summary["first_period"], "last_period": summary["last_period"],
            "engine": summary["engine"]}
