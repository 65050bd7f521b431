"""An already tagged Parquet corpus counted by DuckDB alone, at the speed of a hand-written
GROUP BY.

When posts carry their categories as boolean columns (the output of ``negtrend classify``,
or a labelled export) and nothing needs tagging, the scan is one SQL pass per file: DuckDB
counts it per day, keeps the example items and checks its rows, and the files serve as their
own tagged corpus (the entry keeps views of them, not a copy). It runs only when it gives
exactly what the batch scan would: typed timestamps (no text to parse), no DST in the time zone
for naive ones, and no row the checks would quarantine (the same pass counts any row that
might be: a missing timestamp, a year out of range, a text that is blank or could be). If one
exists, nothing has been written and the caller uses the batch scan, which quarantines it with
its reason.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa

from negtrend.corpus import parts, store
from negtrend.corpus.inputs import InputFile
from negtrend.corpus.scan import ScanSettings
from negtrend.data import loading, readers, sample

# a text is "maybe blank" when only these are left: a superset of what the checks strip
_MAYBE_BLANK = r"^[\s\p{Z}\p{Cc}\p{Cf}]*$"


def eligible(files: list[InputFile], mappings: dict, settings: ScanSettings) -> bool:
    """True when every file is Parquet with a typed timestamp, a text column and a boolean
    column per category, and nothing is to be tagged or labelled."""
    if settings.classifier or settings.labels or not settings.categories:
        return False
    for item in files:
        if item.format != "parquet" or item.partitions:
            return False
        schema = readers.parquet_file(item.path).schema_arrow
        names = schema.names
        mapping = mappings[item.number]
        stamp, text = mapping.get("timestamp"), mapping.get("text")
        if stamp not in names or text not in names:
            return False
        kind = schema.field(stamp).type
        if not (pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
            return False
        if _naive(kind) and not _fixed_offset(settings.tz):
            return False
        if not pa.types.is_string(schema.field(text).type) and not pa.types.is_large_string(
                schema.field(text).type):
            return False
        for category in settings.categories:
            if category not in names or not pa.types.is_boolean(schema.field(category).type):
                return False
    return True


def _naive(kind) -> bool:
    return pa.types.is_date(kind) or getattr(kind, "tz", None) is None


def _fixed_offset(tz: str) -> bool:
    """No daylight saving in the zone (WIB, WITA, WIT, UTC): naive local times are never
    shifted, so a date computed by SQL equals the loader's."""
    offsets = {pd.Timestamp(f"20{y:02d}-{m:02d}-01", tz=tz).utcoffset()
               for y in (0, 10, 20, 24) for m in (1, 4, 7, 10)}
    return len(offsets) == 1


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _source(item: InputFile, mapping: dict, settings: ScanSettings, aware: bool) -> str:
    """The file's kept rows as SQL: number, instant, local date, categories, text."""
    stamp = _q(mapping["timestamp"])
    tz = settings.tz.replace("'", "''")
    instant = stamp if aware else f"timezone('{tz}', CAST({stamp} AS TIMESTAMP))"
    local = f"timezone('{tz}', {stamp})" if aware else f"CAST({stamp} AS TIMESTAMP)"
    cats = ", ".join(f"COALESCE({_q(c)}, false) AS {_q(c)}" for c in settings.categories)
    path = str(item.path).replace("'", "''")
    return (f"SELECT CAST({item.number} AS INTEGER) AS _file, "
            f"CAST(file_row_number + 1 AS BIGINT) AS _row, {instant} AS timestamp, "
            f"CAST({local} AS DATE) AS date, {cats}, {_q(mapping['text'])} AS text, "
            f"year({local}) AS local_year "
            f"FROM read_parquet('{path}', file_row_number = true)")


def scan_sql(files: list[InputFile], mappings: dict, settings: ScanSettings, work: Path,
             options) -> parts.Totals | None:
    """Count each file per day, keep its examples and check it in one pass of SQL; None when
    some row would be quarantined (the batch scan must then read the corpus). The files are
    their own tagged corpus: the entry keeps a view of them (``views.json``), not a copy."""
    con = store.connect(options.memory_limit, options.spill_dir)
    con.create_function("negtrend_priority", _priority_udf(settings.seed),
                        ["BIGINT", "BIGINT"], "UBIGINT", type="arrow")
    totals, dailies, views = parts.Totals(), [], []
    for item in files:
        schema = readers.parquet_file(item.path).schema_arrow
        aware = not _naive(schema.field(mappings[item.number]["timestamp"]).type)
        source = _source(item, mappings[item.number], settings, aware)
        frame = store.run_query(con, _one_pass(source, settings))
        if frame["unsure"].sum():
            return None
        n = int(frame["total"].sum())
        dailies.append(frame)
        views.append(_view(source, settings))
        totals.add(_file_totals(item, frame, settings, n, aware), settings.examples)
    store.write_views(work, views)
    _daily(dailies, settings).to_parquet(work / store.DAILY)
    return totals


def _one_pass(source: str, settings: ScanSettings) -> str:
    """Per local day: the rows, each category's count and k lowest-priority examples, and
    how many rows the checks might quarantine."""
    k = int(settings.examples)
    sums = [f"SUM(CAST({_q(c)} AS BIGINT)) AS {_q('n:' + c)}" for c in settings.categories]
    kept = [f"min_by(struct_pack(_file := _file, _row := _row, priority := priority, "
            f"text := text), priority, {k}) FILTER (WHERE {_q(c)}) AS {_q('ex:' + c)}"
            for c in settings.categories]
    any_tag = " OR ".join(_q(c) for c in settings.categories)
    return (f"SELECT date, COUNT(*) AS total, {', '.join(sums)}, "
            f"COUNT(*) FILTER (WHERE timestamp IS NULL OR text IS NULL "
            f"OR local_year NOT BETWEEN 1678 AND 2261 "
            f"OR regexp_matches(text, '{_MAYBE_BLANK}')) AS unsure, {', '.join(kept)} "
            f"FROM (SELECT *, CASE WHEN {any_tag} THEN negtrend_priority(_file, _row) END "
            f"AS priority FROM ({source})) GROUP BY date")


def _view(source: str, settings: ScanSettings) -> str:
    columns = ", ".join(["_file", "_row", "timestamp", "date",
                         *(_q(c) for c in settings.categories)])
    return f"SELECT {columns} FROM ({source})"


def _daily(frames: list[pd.DataFrame], settings: ScanSettings) -> pd.DataFrame:
    """Every file's counts per day summed: the frame ``store.daily`` gives."""
    names = {f"n:{c}": c for c in settings.categories}
    joined = pd.concat([f[["date", *names, "total"]] for f in frames], ignore_index=True)
    daily = joined.rename(columns=names).groupby("date").sum().sort_index()
    daily.index = pd.DatetimeIndex(pd.to_datetime(daily.index), name="date").astype(
        "datetime64[ns]")
    return daily[[*settings.categories, "total"]].astype("int64")


def _file_totals(item: InputFile, frame: pd.DataFrame, settings: ScanSettings, n: int,
                 aware: bool) -> parts.Totals:
    kept = []
    for category in settings.categories:
        rows = [dict(found, category=category, date=day)
                for day, items in zip(frame["date"], frame[f"ex:{category}"], strict=True)
                if isinstance(items, list | np.ndarray) for found in items]
        if rows:
            part = pd.DataFrame(rows)
            part["date"] = pd.to_datetime(part["date"]).astype("datetime64[ns]")
            part["_file"] = part["_file"].astype("int64")
            part["priority"] = part["priority"].astype("uint64")
            part["text"] = part["text"].astype(object)
            kept.append(part[sample.COLUMNS])
    rule = loading.timestamp_rule(n if aware else 0, 0 if aware else n, settings.tz)
    return parts.Totals(n_read=n, reservoirs=[sample.merge(kept, settings.examples)],
                        notes=item.notes(rule),
                        reasons=Counter())


def _priority_udf(seed: int):
    def negtrend_priority(files, rows):
        return pa.array(sample.priority(seed, files.to_numpy(zero_copy_only=False),
                                        rows.to_numpy(zero_copy_only=False)), pa.uint64())

    return negtrend_priority
