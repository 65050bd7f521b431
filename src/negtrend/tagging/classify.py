"""Tag posts with negative-content categories, in memory or streamed over a whole corpus.

Two backends behind one interface: the transparent lexicon (``negtrend.lexicon``) and a
trained scikit-learn model (``negtrend.model``). At corpus scale the input is read as Arrow
record batches and written batch by batch, so memory does not grow with the corpus; batches
are tagged in worker processes (one per core by default) with a bounded number in flight.
Every input row reaches the output; a row that cannot be tagged (no text) keeps null
categories and a reason, and is also written to the quarantine file.
"""

from __future__ import annotations

import collections
import multiprocessing as mp
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from negtrend.data import loading, readers
from negtrend.data.encoding import choose_encoding
from negtrend.errors import NegtrendError

REASON_COLUMN = "_reason"
ROW_COLUMN = "_row"


class ClassifyError(NegtrendError, ValueError):
    """A whole-input problem: missing text column, unknown backend, unreadable file."""


@dataclass(frozen=True)
class TagResult:
    """Booleans per category, and scores when the backend has them (aligned with the input)."""

    tags: dict[str, np.ndarray]
    scores: dict[str, np.ndarray] | None = None


class LexiconBackend:
    """The default: term lists and obfuscation rules from ``config/lexicons``."""

    name = "lexicon"

    def __init__(self, categories: list[str] | None = None, folder: str | Path | None = None,
                 norm=None):
        from negtrend.tagging import lexicon, textnorm

        self._textnorm = textnorm
        self.norm = norm or textnorm.DEFAULT
        self.tagger = lexicon.LexiconTagger(lexicon.load_lexicons(folder, categories),
                                            norm=self.norm)
        self.categories = list(self.tagger.categories)

    def tag(self, texts: pa.Array) -> TagResult:
        normalized = self._textnorm.normalize_array(texts, self.norm)
        scores = self.tagger.score_array(texts, normalized)
        threshold = self.tagger.threshold
        tags = {c: np.asarray(scores[c]) >= threshold for c in self.categories}
        return TagResult(tags, {c: np.asarray(scores[c], dtype=np.float32)
                                for c in self.categories})

    def explain(self, text: str) -> list[dict]:
        return self.tagger.explain(text)


class ModelBackend:
    """A trained model saved with ``negtrend train`` (a skops file; pickles are refused)."""

    name = "model"

    def __init__(self, folder: str | Path):
        from negtrend.tagging import model

        self.folder = Path(folder)
        self.model = model.load(self.folder)
        self.categories = list(self.model.labels)

    def tag(self, texts: pa.Array) -> TagResult:
        values = pd.Series(texts.to_pylist(), dtype=object).fillna("")
        scores = self.model.predict_scores(values)
        tags = {c: scores[c].to_numpy() >= self.model.thresholds[c] for c in self.categories}
        return TagResult(tags, {c: scores[c].to_numpy(np.float32) for c in self.categories})


def make_backend(spec: str, categories: list[str] | None = None, norm=None):
    """``"lexicon"`` or the folder of a saved model; ``norm`` (a textnorm.NormConfig) changes
    the lexicon's normalization, e.g. to measure what it costs."""
    if spec == "lexicon":
        return LexiconBackend(categories, norm=norm)
    if Path(spec).is_dir():
        return ModelBackend(spec)
    raise ClassifyError(f"backend must be 'lexicon' or the folder of a saved model, got {spec!r}")


def backend_categories(spec: str) -> list[str]:
    """The categories a backend tags, read from its files without building it."""
    if spec == "lexicon":
        from negtrend.tagging import lexicon

        return list(lexicon.load_lexicons())
    if Path(spec).is_dir():
        from negtrend.tagging import model

        return model.saved_labels(spec)
    raise ClassifyError(f"backend must be 'lexicon' or the folder of a saved model, got {spec!r}")


def _empty_text(texts: pa.Array) -> np.ndarray:
    stripped = pc.utf8_trim_whitespace(texts.cast(pa.string()))
    return np.asarray(pc.fill_null(pc.equal(pc.utf8_length(stripped), 0), True))


def tag_texts(backend, texts: pa.Array | list | pd.Series) -> TagResult:
    """Tag an in-memory batch; empty or null texts get False (callers quarantine them)."""
    if isinstance(texts, pd.Series):
        texts = pa.array(texts.astype(object).where(texts.notna(), None), type=pa.string())
    elif not isinstance(texts, pa.Array | pa.ChunkedArray):
        texts = pa.array(list(texts), type=pa.string())
    if isinstance(texts, pa.ChunkedArray):
        texts = texts.combine_chunks()
    result = backend.tag(texts.cast(pa.string()))
    empty = _empty_text(texts)
    if empty.any():
        for name in result.tags:
            result.tags[name] = np.where(empty, False, result.tags[name])
    return result


def tag_posts(loaded: loading.LoadResult, backend_spec: str, categories: list[str] | None = None
              ) -> loading.LoadResult:
    """Add one boolean column per category to loaded posts (the in-memory path for reports)."""
    import dataclasses

    backend = make_backend(backend_spec, categories)
    result = tag_texts(backend, loaded.data["text"])
    data = loaded.data.copy()
    for name in backend.categories:
        data[name] = result.tags[name]
    return dataclasses.replace(loaded, data=data)


# --- corpus scale ------------------------------------------------------------------------

@dataclass
class ClassifyResult:
    input: str
    output: str
    backend: str
    categories: list[str]
    n_read: int = 0
    n_tagged: int = 0
    n_quarantined: int = 0
    positives: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    processes: int = 1
    quarantine_path: str | None = None

    @property
    def accounting_ok(self) -> bool:
        return self.n_tagged + self.n_quarantined == self.n_read

    @property
    def posts_per_second(self) -> float:
        return self.n_read / self.seconds if self.seconds else float("nan")

    def summary(self) -> dict:
        return {
            "input": self.input, "output": self.output, "backend": self.backend,
            "categories": self.categories, "n_read": self.n_read, "n_tagged": self.n_tagged,
            "n_quarantined": self.n_quarantined, "accounting_ok": self.accounting_ok,
            "positives": self.positives, "seconds": round(self.seconds, 3),
            "posts_per_second": round(self.posts_per_second),
            "processes": self.processes, "quarantine": self.quarantine_path,
        }


def iter_batches(path: str | Path, batch_size: int, text_column: str, encoding: str | None
                 ) -> tuple[int | None, collections.abc.Iterator[pa.RecordBatch], list[dict]]:
    """(row count if known, batches, raw rows that could not be split). Streams Parquet and
    CSV/TSV; other formats are read whole (they are small in practice) and sliced."""
    path = Path(path)
    fmt = readers.infer_format(path)
    bad_rows: list[dict] = []
    if fmt == "parquet":
        handle = pq.ParquetFile(path)
        if text_column not in handle.schema_arrow.names:
            raise ClassifyError(f"{path}: no text column '{text_column}'; columns are "
                                f"{handle.schema_arrow.names} (map one with --map text=COL)")
        return handle.metadata.num_rows, handle.iter_batches(batch_size=batch_size), bad_rows
    if fmt in ("csv", "tsv"):
        import pyarrow.csv as pacsv

        chosen, _, _ = choose_encoding(path, encoding)
        python_codec = chosen.lower().replace("_", "-")
        names = _csv_header(path, python_codec, "\t" if fmt == "tsv" else ",")
        if text_column not in names:
            raise ClassifyError(f"{path}: no text column '{text_column}'; columns are {names} "
                                "(map one with --map text=COL)")

        def on_invalid(row) -> str:
            bad_rows.append({"line": row.number, "reason": (
                f"has {row.actual_columns} fields, expected {row.expected_columns}"),
                "raw": row.text[:500]})
            return "skip"

        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(encoding=python_codec, block_size=16 << 20),
            parse_options=pacsv.ParseOptions(delimiter="\t" if fmt == "tsv" else ",",
                                             newlines_in_values=True,
                                             invalid_row_handler=on_invalid),
            convert_options=pacsv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                strings_can_be_null=False),
        )
        return None, _rebatch(reader, batch_size), bad_rows
    frame, raw_quarantine, _, _ = readers.read_table(path, fmt=fmt, encoding=encoding)
    for row in raw_quarantine.to_dict("records"):
        bad_rows.append({"line": int(row["_row"]), "reason": row["reason"],
                         "raw": str(row.get("raw", ""))})
    if text_column not in frame.columns:
        raise ClassifyError(f"{path}: no text column '{text_column}'; columns are "
                            f"{[c for c in frame.columns if c != '_row']}")
    table = pa.Table.from_pandas(frame.drop(columns="_row"), preserve_index=False)
    return table.num_rows, iter(table.to_batches(max_chunksize=batch_size)), bad_rows


def _csv_header(path: Path, codec: str, delimiter: str) -> list[str]:
    import csv

    with open(path, encoding=codec, errors="replace", newline="") as handle:
        header = next(csv.reader(handle, delimiter=delimiter), [])
    return [name.replace("\ufeff", "").replace("ï»¿", "").strip() for name in header]


def _rebatch(reader, batch_size: int):
    """CSV blocks come in whatever size the reader likes; hand out batch_size rows."""
    pending: list[pa.RecordBatch] = []
    count = 0
    for batch in reader:
        pending.append(batch)
        count += batch.num_rows
        while count >= batch_size:
            table = pa.Table.from_batches(pending)
            head, tail = table.slice(0, batch_size), table.slice(batch_size)
            yield from head.combine_chunks().to_batches()
            pending = tail.combine_chunks().to_batches() if tail.num_rows else []
            count = tail.num_rows
    if count:
        yield from pa.Table.from_batches(pending).combine_chunks().to_batches()


_WORKER_BACKEND = None


def _init_worker(spec: str, categories: list[str] | None, norm) -> None:
    global _WORKER_BACKEND
    _WORKER_BACKEND = make_backend(spec, categories, norm)


@dataclass(frozen=True)
class _Task:
    """One unit of work: a batch in hand, or Parquet row groups the worker reads itself (so
    decoding runs in parallel and only results travel between processes)."""

    first_row: int
    text_column: str
    with_scores: bool
    batch: pa.RecordBatch | None = None
    path: str | None = None
    row_group: int | None = None


def _run_task(task: _Task, backend=None):
    backend = backend or _WORKER_BACKEND
    batch = task.batch
    if batch is None:
        table = pq.ParquetFile(task.path).read_row_group(task.row_group)
        batch = table.combine_chunks().to_batches()[0] if table.num_rows else \
            pa.RecordBatch.from_pylist([], schema=table.schema)
    texts = batch.column(task.text_column).cast(pa.string())
    tagged = tag_texts(backend, texts)
    return _assemble(batch, tagged, backend.categories, task.text_column, task.first_row,
                     task.with_scores)


def _tasks(source: Path, batch_size: int, text_column: str, encoding: str | None,
           with_scores: bool) -> tuple[int | None, collections.abc.Iterator[_Task], list[dict]]:
    """Parquet with modest row groups: one task per row group; anything else: batches."""
    if readers.infer_format(source) == "parquet":
        meta = pq.ParquetFile(source).metadata
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        if groups and max(groups) <= 4 * batch_size:
            if text_column not in pq.read_schema(source).names:
                raise ClassifyError(f"{source}: no text column '{text_column}'; columns are "
                                    f"{pq.read_schema(source).names} (map one with --map)")
            firsts = np.concatenate([[1], 1 + np.cumsum(groups)[:-1]]).astype(int)
            tasks = (_Task(int(first), text_column, with_scores, path=str(source), row_group=i)
                     for i, first in enumerate(firsts))
            return meta.num_rows, tasks, []
    total, batches, bad_rows = iter_batches(source, batch_size, text_column, encoding)

    def from_batches():
        first = 1
        for batch in batches:
            yield _Task(first, text_column, with_scores, batch=batch)
            first += batch.num_rows

    return total, from_batches(), bad_rows


def classify_file(
    source: str | Path,
    output: str | Path,
    backend: str = "lexicon",
    *,
    categories: list[str] | None = None,
    text_column: str = "text",
    encoding: str | None = None,
    batch_size: int = 100_000,
    processes: int | None = None,
    scores: bool = True,
    quarantine_path: str | Path | None = None,
    progress: bool = False,
    norm=None,
) -> ClassifyResult:
    """Stream ``source`` through a backend into a Parquet file with one column per category.

    All input columns are kept; ``_row`` numbers the records (1 = first); ``_reason`` says why
    a row was not tagged. ``processes`` defaults to the number of cores; at most two tasks
    per process are in flight, so memory stays flat however long the corpus is.
    """
    began = time.perf_counter()
    processes = max(1, processes or os.cpu_count() or 1)
    source, output = Path(source), Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    quarantine_path = Path(quarantine_path or output.with_suffix(".quarantine.csv"))
    probe = make_backend(backend, categories, norm)
    result = ClassifyResult(str(source), str(output), backend, list(probe.categories),
                            processes=processes, quarantine_path=str(quarantine_path))
    result.positives = dict.fromkeys(probe.categories, 0)
    total, tasks, bad_rows = _tasks(source, batch_size, text_column, encoding, scores)
    bar = _progress(total, progress)
    writer = None
    quarantined: list[pd.DataFrame] = []
    pool = None
    try:
        if processes > 1:
            pool = mp.get_context("fork" if hasattr(os, "fork") else "spawn").Pool(
                processes, initializer=_init_worker, initargs=(backend, categories, norm))
        in_flight: collections.deque = collections.deque()

        def drain(block: bool) -> None:
            nonlocal writer
            while in_flight and (block or in_flight[0].ready()):
                out, bad = in_flight.popleft().get()
                writer = writer or pq.ParquetWriter(output, out.schema, compression="snappy")
                writer.write_batch(out)
                _count(result, out, probe.categories, bad)
                if len(bad):
                    quarantined.append(bad)
                bar.update(out.num_rows)

        for task in tasks:
            in_flight.append(pool.apply_async(_run_task, (task,)) if pool
                             else _Done(_run_task(task, probe)))
            drain(block=len(in_flight) >= 2 * processes)
        drain(block=True)
    finally:
        if pool:
            pool.close()
            pool.join()
        if writer:
            writer.close()
        bar.close()
    if writer is None:  # an empty input still gets a valid (empty) output file
        pq.write_table(pa.table({ROW_COLUMN: pa.array([], pa.int64())}), output)
    raw_bad = pd.DataFrame(bad_rows)
    if len(raw_bad):
        raw_bad = raw_bad.rename(columns={"line": "line_in_file"})
        raw_bad["reason_code"] = "bad_fields"
        quarantined.append(raw_bad)
        result.n_read += len(raw_bad)
        result.n_quarantined += len(raw_bad)
    _write_quarantine(quarantined, quarantine_path)
    result.seconds = time.perf_counter() - began
    assert result.accounting_ok, result.summary()
    return result


class _Done:
    """Stands in for an AsyncResult when tagging in-process."""

    def __init__(self, value):
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self):
        return self.value


def _assemble(batch: pa.RecordBatch, tagged: TagResult, categories: list[str],
              text_column: str, first_row: int, with_scores: bool):
    """The output batch (input columns + _row + categories [+ scores] + _reason) and the rows
    to quarantine."""
    n = batch.num_rows
    empty = _empty_text(batch.column(text_column))
    columns = {name: batch.column(name) for name in batch.schema.names}
    columns[ROW_COLUMN] = pa.array(np.arange(first_row, first_row + n, dtype=np.int64))
    for name in categories:
        columns[name] = pa.array(tagged.tags[name], mask=empty, type=pa.bool_())
        if with_scores and tagged.scores is not None:
            columns[f"{name}_score"] = pa.array(tagged.scores[name], mask=empty,
                                                type=pa.float32())
    reasons = np.where(empty, "missing_text", None)
    columns[REASON_COLUMN] = pa.array(reasons, type=pa.string())
    out = pa.RecordBatch.from_pydict(columns)
    bad = pd.DataFrame()
    if empty.any():
        rows = np.flatnonzero(empty)
        bad = pd.DataFrame({ROW_COLUMN: rows + first_row, "column": "text",
                            "reason_code": "missing_text",
                            "reason": "text is empty; nothing to classify"})
    return out, bad


def _count(result: ClassifyResult, out: pa.RecordBatch, categories, bad: pd.DataFrame) -> None:
    result.n_read += out.num_rows
    result.n_quarantined += len(bad)
    result.n_tagged += out.num_rows - len(bad)
    for name in categories:
        result.positives[name] += int(pc.sum(out.column(name)).as_py() or 0)


def _write_quarantine(parts: list[pd.DataFrame], path: Path) -> None:
    columns = [ROW_COLUMN, "line_in_file", "column", "reason_code", "reason", "raw"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    frame.reindex(columns=columns).to_csv(path, index=False)


def _progress(total: int | None, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="posts", unit_scale=True, disable=not enabled,
                desc="classify", mininterval=0.5)
