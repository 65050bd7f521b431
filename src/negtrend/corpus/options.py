"""The names and values the engines accept, importable without pandas or DuckDB: the
parameter checks that run before a kernel starts (``run.checks``) and the engines themselves
use the same ones."""

from __future__ import annotations

import re

ENGINES = ("auto", "pandas", "duckdb", "dask")
_MEMORY_SIZE = re.compile(r"\s*\d+(\.\d+)?\s*[KMGT]?i?B\s*", re.IGNORECASE)


def is_memory_size(value) -> bool:
    """A size DuckDB takes as a memory limit: 512MB, 2GB, 1.5 GiB."""
    return isinstance(value, str) and _MEMORY_SIZE.fullmatch(value) is not None
