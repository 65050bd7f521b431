"""negtrend: test claims that negative online content rose or fell around elections.

``import negtrend as nt`` gives the public API; library functions return values and never print.
"""

from negtrend import (
    calendar,
    changepoints,
    claims,
    classify,
    did,
    event_study,
    examples,
    explore,
    io,
    its,
    labels,
    paths,
    placebo,
    plots,
    power,
    published,
    reporting,
    runner,
    series,
    simulate,
    stats,
    taxonomy,
    text,
    textnorm,
    validation,
)
from negtrend.calendar import Election, get_election, load_elections, windows
from negtrend.effect import EffectResult
from negtrend.io import LoadResult, read_counts, read_posts
from negtrend.published import load_published
from negtrend.series import SeriesResult, build_series
from negtrend.sources import load_source
from negtrend.stats import PhaseComparison, compare_periods, compare_phases

__version__ = "0.1.0"

__all__ = [
    "EffectResult",
    "Election",
    "LoadResult",
    "PhaseComparison",
    "SeriesResult",
    "build_series",
    "calendar",
    "changepoints",
    "claims",
    "classify",
    "compare_periods",
    "compare_phases",
    "did",
    "event_study",
    "examples",
    "explore",
    "get_election",
    "io",
    "its",
    "labels",
    "load_elections",
    "load_published",
    "load_source",
    "paths",
    "placebo",
    "plots",
    "power",
    "published",
    "read_counts",
    "read_posts",
    "reporting",
    "runner",
    "series",
    "simulate",
    "stats",
    "taxonomy",
    "text",
    "textnorm",
    "validation",
    "windows",
]
