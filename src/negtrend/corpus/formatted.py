"""A file, or a corpus of files, in a collection tool's format (:mod:`negtrend.data.formats`),
read in memory.

A corpus of such files (a folder of tweet-harvest scrapes, a day of GDELT's 15-minute GKG
files) is read file by file as one file is, and joined: each file keeps its own layout (an
older tweet-harvest's semicolons), its rows are numbered within it (``_file`` says which),
its quarantine names it, and an item listed in two files is counted once. A file's heavy
columns that nothing downstream reads (GDELT's GCAM, locations, names) are dropped as soon as
it is read, so memory holds the posts, not the files.
"""

from __future__ import annotations

import dataclasses
import re

import pandas as pd

from negtrend.corpus import inputs, scan
from negtrend.data import formats, loading, precision
from negtrend.data.errors import LoadError


def read(data, how: formats.Plan, *, tz: str = loading.DEFAULT_TZ, sheet=None,
         engine: str = "auto") -> loading.LoadResult:
    """``data`` (one file, a glob or a folder) read as ``how`` says, in memory: on the pandas
    engine (``auto`` picks it; the streaming engines read posts in negtrend's own columns)."""
    if engine not in ("auto", "pandas"):
        raise LoadError(f"{data}: a file in the {how.preset.name} format is read by the pandas "
                        f"engine, not {engine}; for the streaming engines give a --map (and "
                        "--timestamp-format) instead of the format")
    if not inputs.is_corpus(data):
        return formats.read(data, how, tz=tz, sheet=sheet)
    files = inputs.expand(data)
    parts, quarantines, notes, encodings, n_read = [], [], [], set(), 0
    for item in files:
        loaded = formats.read(item.path, file_plan(item.path, how), tz=tz)
        kept = _slim(loaded.data, how)
        for key, value in item.partitions.items():
            if key not in kept:
                kept[key] = value
        kept["_file"] = item.number
        parts.append(kept)
        quarantines.append(scan.quarantine_rows(loaded.quarantine, item))
        notes.extend(loaded.read_notes)
        encodings.add(loaded.encoding)
        n_read += loaded.n_read
    joined = pd.concat(parts, ignore_index=True)
    quarantine = pd.concat(quarantines, ignore_index=True)
    joined, quarantine, repeated = _across_files(joined, quarantine, how, files)
    summary = [f"{len(files):,} files read as the {how.preset.name} format "
               f"({how.preset.description})", *merge_notes(notes)]
    if repeated:
        summary.append(f"{repeated:,} items listed in more than one file (same "
                       f"{how.preset.dedupe}) set aside: each counted once")
    result = loading.LoadResult(data=joined, quarantine=quarantine, source=str(data),
                                kind=how.kind, n_read=n_read,
                                encoding=inputs.one_encoding(encodings),
                                encoding_note="", read_notes=tuple(summary),
                                counts=how.preset.counts)
    assert result.n_kept + result.n_quarantined == result.n_read
    return result


def file_plan(path, how: formats.Plan) -> formats.Plan:
    """``how`` for one file of the corpus: the same format, map and rules, split as this file
    is (with or without a header, commas or semicolons); a file that lacks a column the format
    reads is named with the columns it has."""
    columns, fmt = formats.header(path, None, how.preset.name)
    missing = [c for c in how.column_map.values() if c not in columns]
    if missing:
        raise LoadError(f"{path}: read as the {how.preset.name} format with the rest of the "
                        f"corpus, but it lacks columns {missing}; columns found: {columns}")
    return dataclasses.replace(how, fmt=how.preset.unquoted(path, fmt))


def _slim(data: pd.DataFrame, how: formats.Plan) -> pd.DataFrame:
    """The columns a report reads: negtrend's own, the labels, the precision, what the format
    derives and the column that identifies an item."""
    mapping = {source: canon for canon, source in how.column_map.items()}
    keep = {"_row", "timestamp", "date", *loading.POSTS_COLUMNS, *how.labels,
            precision.COLUMN, *how.preset.derive,
            mapping.get(how.preset.dedupe or "", how.preset.dedupe)}
    return data[[c for c in data.columns if c in keep]].copy()


def _across_files(data: pd.DataFrame, quarantine: pd.DataFrame, how: formats.Plan, files):
    """Items listed in more than one file: the first kept, the others quarantined."""
    key = how.preset.dedupe
    mapping = {source: canon for canon, source in how.column_map.items()}
    column = mapping.get(key, key) if key else None
    if not column or column not in data.columns:
        return data, quarantine, 0
    names = {item.number: item.name for item in files}
    places = data["_file"].map(names) + " record " + data["_row"].astype(str)
    data, extra = formats.set_aside_duplicates(data, key, column, places)
    if not len(extra):
        return data, quarantine, 0
    extra.insert(0, "file", extra.pop("_file").map(names))
    extra = extra.reindex(columns=scan.QUARANTINE_COLUMNS)
    extra["fields"] = "{}"
    return data, pd.concat([quarantine, extra], ignore_index=True), len(extra)


_COUNT = re.compile(r"^(\d[\d,]*) ")


def merge_notes(notes) -> list[str]:
    """Each file's reading notes once: notes that differ only in the number they open with
    ("139 timestamps ...") become one with the numbers added up."""
    totals: dict[str, int] = {}
    for note in notes:
        found = _COUNT.match(note)
        text = _COUNT.sub("{n} ", note) if found else note
        totals[text] = totals.get(text, 0) + (int(found.group(1).replace(",", "")) if found
                                              else 0)
    return [text.replace("{n}", f"{n:,}", 1) if "{n}" in text else text
            for text, n in totals.items()]
