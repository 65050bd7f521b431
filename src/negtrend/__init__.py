"""negtrend: test claims that negative online content rose or fell around elections.

``import negtrend as nt`` gives the public API; library functions return values and never print.
"""

from negtrend import calendar, io, paths, series, stats
from negtrend.calendar import Election, load_elections, windows
from negtrend.io import LoadResult, load_source, read_counts, read_posts
from negtrend.series import build_series
from negtrend.stats import compare_phases

__version__ = "0.1.0"

__all__ = [
    "Election",
    "LoadResult",
    "build_series",
    "calendar",
    "compare_phases",
    "io",
    "load_elections",
    "load_source",
    "paths",
    "read_counts",
    "read_posts",
    "series",
    "stats",
    "windows",
]
