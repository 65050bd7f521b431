"""The tagged corpus on disk (Parquet parts) and what DuckDB computes from it out of core:
posts per day and category, and the rows outside an analysis span."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from negtrend.corpus.options import is_memory_size
from negtrend.errors import NegtrendError

DEFAULT_MEMORY_LIMIT = "1GB"
PARTS = "tagged-*.parquet"
DAILY = "daily.parquet"  # an entry's counts per day, kept: what every later run reads


class ScaleError(NegtrendError, RuntimeError):
    """The engine ran out of a resource (memory, spill space) or could not start."""


def connect(memory_limit: str | None = None, spill_dir: str | Path | None = None,
            threads: int | None = None):
    """A DuckDB connection held to ``memory_limit`` that spills to ``spill_dir``."""
    import duckdb

    con = duckdb.connect()
    try:
        con.execute(f"SET memory_limit = '{_size(memory_limit or DEFAULT_MEMORY_LIMIT)}'")
        if spill_dir:
            Path(spill_dir).mkdir(parents=True, exist_ok=True)
            con.execute(f"SET temp_directory = '{_quoted(Path(spill_dir))}'")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = false")
    except duckdb.Error as err:
        raise ScaleError(f"DuckDB settings refused ({err}); check --memory-limit "
                         "(e.g. 2GB) and --spill-dir") from None
    return con


def _size(value: str) -> str:
    if not is_memory_size(value):
        raise ScaleError(f"memory limit {value!r} is not a size such as 512MB or 2GB "
                         "(--memory-limit)")
    return str(value).strip().upper().replace(" ", "")


def _quoted(path: Path) -> str:
    return str(path).replace("'", "''")


VIEWS = "views.json"


def write_views(folder: Path, views: list[str]) -> None:
    """An entry whose files are their own tagged corpus keeps SQL views of them."""
    (Path(folder) / VIEWS).write_text(json.dumps(views), encoding="utf-8")


def _tagged(folder: Path) -> str:
    """The entry's tagged rows as a FROM clause: its Parquet parts, or its views."""
    views = Path(folder) / VIEWS
    if views.exists():
        return "(" + " UNION ALL ".join(json.loads(views.read_text(encoding="utf-8"))) + ")"
    return f"read_parquet('{_quoted(Path(folder) / PARTS)}')"


def run_query(con, sql: str, params=None) -> pd.DataFrame:
    """A query's result, with DuckDB's resource errors turned into ones that name the
    setting to change."""
    import duckdb

    try:
        return con.execute(sql, params or []).df()
    except duckdb.OutOfMemoryException as err:
        raise ScaleError(f"DuckDB ran out of memory ({str(err).splitlines()[0]}); raise "
                         "--memory-limit or give --spill-dir a folder with free space") from None
    except duckdb.IOException as err:
        raise ScaleError(f"DuckDB could not write its spill files ({str(err).splitlines()[0]}); "
                         "give --spill-dir a folder with free space") from None


def daily(con, folder: Path, categories: list[str], all_items: str) -> pd.DataFrame:
    """Posts per local day: one count per category (or ``all_items``) and the total."""
    sums = [f'SUM(CAST("{c}" AS BIGINT)) AS "{c}"' for c in categories] or \
        [f'COUNT(*) AS "{all_items}"']
    sql = (f"SELECT date, {', '.join(sums)}, COUNT(*) AS total "
           f"FROM {_tagged(folder)} GROUP BY date ORDER BY date")
    frame = run_query(con, sql)
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame = frame.set_index("date")
    return frame.astype("int64")


def rows_outside(con, folder: Path, span, files: list[str]) -> pd.DataFrame:
    """The kept rows dated outside ``span``: file, record number and date."""
    sql = (f"SELECT _file, _row, date FROM {_tagged(folder)} "
           "WHERE date < ? OR date > ? ORDER BY _file, _row")
    frame = run_query(con, sql, [pd.Timestamp(span[0]).date(), pd.Timestamp(span[1]).date()])
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    frame.insert(0, "file", [files[i] for i in frame["_file"]])
    return frame
