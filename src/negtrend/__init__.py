"""negtrend: test claims that negative online content rose or fell around elections.

``import negtrend as nt`` gives the public API; library functions return values and never print.
"""

from negtrend import (
    calendar,
    claims,
    classify,
    io,
    labels,
    paths,
    plots,
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
from negtrend.io import LoadResult, read_counts, read_posts
from negtrend.published import load_published
from negtrend.series import SeriesResult, build_series
from negtrend.sources import load_source
from negtrend.stats import PhaseComparison, compare_phases

__version__ = "0.1.0"

__all__ = [
    "Election",
    "LoadResult",
    "PhaseComparison",
    "SeriesResult",
    "build_series",
    "calendar",
    "claims",
    "classify",
    "compare_phases",
    "get_election",
    "io",
    "labels",
    "load_elections",
    "load_published",
    "load_source",
    "paths",
    "plots",
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
