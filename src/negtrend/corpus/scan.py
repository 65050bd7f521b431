"""One batch of a corpus, from raw rows to tagged rows: the work every engine shares.

A batch is checked as :func:`negtrend.data.loading.read_posts` checks a whole table (the same
quarantine reasons and record numbers), labelled by the report's label rules, tagged by its
classifier, and reduced to the tagged columns (file and record number, timestamp, local date,
one boolean per category) plus the batch's reservoir of example items.
Workers call :func:`process` in their own process; only these small results travel back.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from negtrend.corpus.inputs import InputFile
from negtrend.data import columns, labels, loading, readers, sample
from negtrend.data.errors import UnknownCategoryError
from negtrend.errors import NegtrendError
from negtrend.tagging import classify

QUARANTINE_COLUMNS = ["file", *loading.QUARANTINE_COLUMNS, "fields"]
CHUNK_ROWS = 1_000_000  # Parquet rows a cluster worker reads by itself in one unit


@dataclass(frozen=True)
class ScanSettings:
    """Everything a worker needs to turn raw rows into tagged rows (picklable)."""

    tz: str = loading.DEFAULT_TZ
    timestamp_format: str | None = None
    labels: dict = field(default_factory=dict)  # category -> rule (parsed)
    classifier: str | None = None
    tag_categories: tuple | None = None  # the classifier's categories to load
    categories: tuple = ()  # the boolean columns kept (empty: all items are counted)
    seed: int = 0
    examples: int = 3  # example items kept per category and day (the reservoir's k)
    tagger: str | None = None  # a fingerprint of the tagger's files (cache.tagger_fingerprint)

    def cache_fields(self) -> dict:
        """What the tagged rows depend on (the reservoir's seed and k are kept apart)."""
        return {"tz": self.tz, "timestamp_format": self.timestamp_format,
                "labels": self.labels, "classifier": self.classifier,
                "tag_categories": list(self.tag_categories or []),
                "categories": list(self.categories), "tagger": self.tagger}


@dataclass(frozen=True, eq=False)
class BatchOut:
    tagged: pa.Table
    quarantine: pd.DataFrame
    reservoir: pd.DataFrame
    n_read: int
    n_offset: int
    n_local: int


_BACKENDS: dict = {}


def backend_for(settings: ScanSettings):
    """The classifier, built once per process and version of its files (a lexicon edited in
    a notebook session is a new tagger)."""
    if not settings.classifier:
        return None
    key = (settings.classifier, settings.tag_categories, settings.tagger)
    if key not in _BACKENDS:
        _BACKENDS[key] = classify.make_backend(
            settings.classifier, list(settings.tag_categories) if settings.tag_categories
            else None)
    return _BACKENDS[key]


def process(frame: pd.DataFrame, raw_q: pd.DataFrame, item: InputFile, mapping: dict,
            settings: ScanSettings) -> BatchOut:
    """Check, label, tag and reduce one batch of ``item``."""
    for key, value in item.partitions.items():
        if key not in frame:
            frame[key] = value
    checked = loading.check_posts(frame, raw_q, mapping, tz=settings.tz,
                                  timestamp_format=settings.timestamp_format)
    data = process_checked(checked.data, item, settings)
    return BatchOut(tagged_table(data, settings), quarantine_rows(checked.quarantine, item),
                    sample.reservoir(data, list(settings.categories), settings.examples,
                                     settings.seed),
                    checked.n_read, checked.n_offset, checked.n_local)


def process_checked(data: pd.DataFrame, item: InputFile, settings: ScanSettings
                    ) -> pd.DataFrame:
    """Kept rows with their label and tag columns and ``_file``: the step after the checks,
    shared by the in-memory engine."""
    try:
        if settings.labels:
            data = labels.apply_rules(data, settings.labels)
        if settings.classifier:
            found = classify.tag_texts(backend_for(settings), data["text"])
            for name in settings.categories:
                data[name] = found.tags[name]
        else:  # columns of the data (or of the label rules), read as true/false
            missing = [c for c in settings.categories if c not in data]
            if missing:
                raise UnknownCategoryError(f"category column(s) {missing} not in the posts; "
                                           f"columns are {list(data.columns)}")
            for name in settings.categories:
                data[name] = labels.column_flags(data, name)
    except NegtrendError as err:
        raise type(err)(f"{item.path}: {err}") from None
    data["_file"] = item.number
    return data


def concat_outs(outs: list[BatchOut], k: int) -> BatchOut:
    """Several batches' results as one (a worker's Parquet chunk)."""
    tables = [o.tagged for o in outs]
    return BatchOut(pa.concat_tables(tables) if len(tables) > 1 else tables[0],
                    pd.concat([o.quarantine for o in outs], ignore_index=True),
                    sample.merge([o.reservoir for o in outs], k),
                    sum(o.n_read for o in outs), sum(o.n_offset for o in outs),
                    sum(o.n_local for o in outs))


def arrow_frame(batch: pa.RecordBatch, first_row: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A Parquet batch as the reader's text frame with ``_row`` (numbered from
    ``first_row``), and an empty raw quarantine (Parquet rows are never ragged)."""
    return readers.parquet_frame(batch, first_row), columns.raw_quarantine([])


def raw_batches(item: InputFile, batch_size: int, row_groups=None, first_row: int = 1):
    """The raw batches of one file (Parquet: of the given row groups)."""
    if item.format == "parquet":
        handle = readers.parquet_file(item.path)
        return readers.parquet_batches(handle, item.path, batch_size, row_groups=row_groups,
                                       first_row=first_row)
    return readers.open_table(item.path).batches(batch_size)


def parquet_chunks(item: InputFile, rows_per_chunk: int) -> list[tuple[list[int], int]]:
    """A Parquet file as chunks of whole row groups (about ``rows_per_chunk`` rows each), with
    the number of each chunk's first row: the units a worker reads by itself."""
    meta = readers.parquet_file(item.path).metadata
    chunks, current, first, row = [], [], 1, 1
    size = 0
    for group in range(meta.num_row_groups):
        if current and size >= rows_per_chunk:
            chunks.append((current, first))
            current, first, size = [], row, 0
        current.append(group)
        n = meta.row_group(group).num_rows
        size += n
        row += n
    if current or not chunks:
        chunks.append((current, first))
    return chunks


def tagged_schema(settings: ScanSettings) -> pa.Schema:
    fields = [pa.field("_file", pa.int32()), pa.field("_row", pa.int64()),
              pa.field("timestamp", pa.timestamp("us", tz="UTC")), pa.field("date", pa.date32())]
    fields += [pa.field(name, pa.bool_()) for name in settings.categories]
    return pa.schema(fields)


def tagged_table(data: pd.DataFrame, settings: ScanSettings) -> pa.Table:
    """The tagged columns of kept rows, in a schema fixed for the whole corpus."""
    schema = tagged_schema(settings)
    n = len(data)
    if not n:
        return schema.empty_table()
    stamps = data["timestamp"].dt.tz_convert("UTC").dt.tz_localize(None)
    arrays = [pa.array(data["_file"].to_numpy(np.int32)),
              pa.array(data["_row"].to_numpy(np.int64)),
              pa.array(stamps.to_numpy("datetime64[us]")).cast(schema.field("timestamp").type),
              pa.array(data["date"].to_numpy("datetime64[D]"), pa.date32())]
    for name in settings.categories:
        arrays.append(pa.array(data[name].fillna(False).astype(bool).to_numpy()))
    return pa.Table.from_arrays(arrays, schema=schema)


def quarantine_rows(quarantine: pd.DataFrame, item: InputFile) -> pd.DataFrame:
    """The loader's quarantine in one shape for every file of a corpus: the file, the
    standard columns, and the record's own fields as one JSON object."""
    if not len(quarantine):
        return pd.DataFrame(columns=QUARANTINE_COLUMNS)
    own = [c for c in quarantine.columns if c not in loading.QUARANTINE_COLUMNS]
    out = quarantine.reindex(columns=loading.QUARANTINE_COLUMNS).copy()
    out.insert(0, "file", item.name)
    records = quarantine[own].astype(object).where(quarantine[own].notna(), None)
    out["fields"] = [json.dumps(dict(zip(own, values, strict=True)), ensure_ascii=False,
                                default=str)
                     for values in records.itertuples(index=False, name=None)]
    return out
