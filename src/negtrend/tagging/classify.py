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

from negtrend.data import columns, loading, readers
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
        self.tagger = lexicon.LexiconTagger(
            lexicon.load_lexicons(folder, lexicon.with_partners(categories, folder)),
            norm=self.norm)
        self.categories = list(categories) if categories else list(self.tagger.categories)

    def tag(self, texts: pa.Array) -> TagResult:
        normalized = self._textnorm.normalize_array(texts, self.norm)
        scores = self.tagger.score_array(texts, normalized)
        tags = self.tagger.tags_from_scores(scores)
        return TagResult({c: tags[c] for c in self.categories},
                         {c: np.asarray(scores[c], dtype=np.float32) for c in self.categories})

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
        return TagResult(keep_apart(tags), {c: scores[c].to_numpy(np.float32)
                                            for c in self.categories})


def keep_apart(tags: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """A model trained on a category and on talk about it (a mention category, where labels
    for both exist) counts a post as one or the other, as the lexicon does: the thing wins."""
    from negtrend.data import taxonomy
    from negtrend.tagging import lexicon

    return lexicon.keep_apart(tags, taxonomy.mentions())


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
    encoding: str | None = None
    encoding_note: str = ""
    read_notes: list[str] = field(default_factory=list)

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
            "encoding": self.encoding, "encoding_note": self.encoding_note,
            "read_notes": self.read_notes,
        }


@dataclass
class _Input:
    """An input opened for streaming: its batches (each with ``_row``, the source record
    number, except Parquet's, numbered in order), the records the reader set aside so far
    (filled while the batches are read), how it was decoded and notes on renamed columns."""

    total: int | None
    batches: collections.abc.Iterator[pa.RecordBatch]
    set_aside: list[pd.DataFrame]
    stream: readers.TableStream | None = None
    notes: list[str] = field(default_factory=list)


def _require_text(path: Path, text_column: str, names: list[str]) -> None:
    if text_column not in names:
        raise ClassifyError(f"{path}: no text column '{text_column}'; columns are {names} "
                            "(map one with --map text=COL)")


def open_input(path: str | Path, batch_size: int, text_column: str, encoding: str | None,
               sheet: str | int | None = None) -> _Input:
    """Parquet through pyarrow's own batches; CSV, TSV and JSONL (plain or compressed) through
    the data layer's streaming reader, so ``_row`` and the reasons a record is set aside are
    those of ``negtrend report``; XLSX read whole and sliced."""
    path = Path(path)
    if readers.infer_format(path) == "parquet":
        handle = readers.parquet_file(path)
        names, notes = columns.clean_names(handle.schema_arrow.names)
        _require_text(path, text_column, names)
        return _Input(handle.metadata.num_rows, handle.iter_batches(batch_size=batch_size), [],
                      notes=notes)
    stream = readers.open_table(path, encoding=encoding, sheet=sheet)
    _require_text(path, text_column, stream.columns)
    set_aside: list[pd.DataFrame] = []

    def batches():
        for frame, raw_q in stream.batches(batch_size, fixed_columns=True):
            if len(raw_q):
                set_aside.append(raw_q)
            if len(frame):
                yield _record_batch(frame)

    return _Input(None, batches(), set_aside, stream)


def _record_batch(frame: pd.DataFrame) -> pa.RecordBatch:
    """A reader's frame as Arrow: ``_row`` int64, text columns string (NA -> null)."""
    arrays, names = [], []
    for name in frame.columns:
        values = frame[name]
        if name == ROW_COLUMN:
            arrays.append(pa.array(values.to_numpy(np.int64), pa.int64()))
        elif pd.api.types.is_datetime64_any_dtype(values.dtype):
            arrays.append(pa.array(values))
        else:
            arrays.append(pa.array(values, type=pa.string(), from_pandas=True))
        if isinstance(arrays[-1], pa.ChunkedArray):
            arrays[-1] = arrays[-1].combine_chunks()
        names.append(name)
    return pa.RecordBatch.from_arrays(arrays, names=names)


def _unique_names(batch: pa.RecordBatch) -> pa.RecordBatch:
    """Parquet columns named as the reader names them (repeats ``name.1``; a ``_row`` of the
    input becomes ``_row.1``), so the output keeps every column and has one ``_row``."""
    names = columns.clean_names(batch.schema.names)[0]
    return batch if names == batch.schema.names else batch.rename_columns(names)


_WORKER_BACKEND = None


def _init_worker(spec: str, categories: list[str] | None, norm) -> None:
    global _WORKER_BACKEND
    _WORKER_BACKEND = make_backend(spec, categories, norm)


@dataclass(frozen=True)
class _Task:
    """One unit of work: a batch in hand, or Parquet row groups the worker reads itself (so
    decoding runs in parallel and only results travel between processes). A batch from the
    streaming reader carries ``_row``; Parquet rows are numbered from ``first_row``."""

    first_row: int
    text_column: str
    with_scores: bool
    batch: pa.RecordBatch | None = None
    path: str | None = None
    row_group: int | None = None
    numbered: bool = False


def _run_task(task: _Task, backend=None):
    backend = backend or _WORKER_BACKEND
    batch = task.batch
    if batch is None:
        table = pq.ParquetFile(task.path).read_row_group(task.row_group)
        batch = table.combine_chunks().to_batches()[0] if table.num_rows else \
            pa.RecordBatch.from_pylist([], schema=table.schema)
    if task.numbered:
        rows = batch.column(ROW_COLUMN).to_numpy()
        batch = batch.drop_columns([ROW_COLUMN])
    else:
        batch = _unique_names(batch)
        rows = np.arange(task.first_row, task.first_row + batch.num_rows, dtype=np.int64)
    texts = batch.column(task.text_column).cast(pa.string())
    tagged = tag_texts(backend, texts)
    return _assemble(batch, tagged, backend.categories, task.text_column, rows,
                     task.with_scores)


def _tasks(source: Path, batch_size: int, text_column: str, encoding: str | None,
           with_scores: bool, sheet=None) -> tuple[_Input, collections.abc.Iterator[_Task]]:
    """Parquet with modest row groups: one task per row group; anything else: batches."""
    if readers.infer_format(source) == "parquet":
        handle = readers.parquet_file(source)
        meta = handle.metadata
        groups = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
        if groups and max(groups) <= 4 * batch_size:
            names, notes = columns.clean_names(handle.schema_arrow.names)
            _require_text(source, text_column, names)
            firsts = np.concatenate([[1], 1 + np.cumsum(groups)[:-1]]).astype(int)
            tasks = (_Task(int(first), text_column, with_scores, path=str(source), row_group=i)
                     for i, first in enumerate(firsts))
            return _Input(meta.num_rows, iter(()), [], notes=notes), tasks
    opened = open_input(source, batch_size, text_column, encoding, sheet)

    def from_batches():
        first = 1
        for batch in opened.batches:
            yield _Task(first, text_column, with_scores, batch=batch,
                        numbered=opened.stream is not None)
            first += batch.num_rows

    return opened, from_batches()


def classify_file(
    source: str | Path,
    output: str | Path,
    backend: str = "lexicon",
    *,
    categories: list[str] | None = None,
    text_column: str = "text",
    encoding: str | None = None,
    sheet: str | int | None = None,
    batch_size: int = 100_000,
    processes: int | None = None,
    scores: bool = True,
    quarantine_path: str | Path | None = None,
    progress: bool = False,
    norm=None,
) -> ClassifyResult:
    """Stream ``source`` through a backend into a Parquet file with one column per category.

    All input columns are kept; ``_row`` is the source record number, as in ``negtrend
    report``'s quarantine (1 = the first data record; for JSONL the line number), so tags
    join back to the source; ``_reason`` says why a row was not tagged. Records the reader
    set aside (bad_fields, bad_json, field_too_large, unterminated_quote) are not in the
    output but in the quarantine file, with their number. ``processes`` defaults to the
    number of cores; at most two tasks per process are in flight, so memory stays flat.
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
    opened, tasks = _tasks(source, batch_size, text_column, encoding, scores, sheet)
    quarantined = _run_all(tasks, opened.total, result, probe, output,
                           (backend, categories, norm, progress))
    _add_set_aside(result, opened, quarantined)
    _write_quarantine(quarantined, quarantine_path)
    result.seconds = time.perf_counter() - began
    assert result.accounting_ok, result.summary()
    return result


def _run_all(tasks, total: int | None, result: ClassifyResult, probe, output: Path,
             settings: tuple) -> list[pd.DataFrame]:
    """Tag every task (in a pool when there is more than one process), write the output in
    order, count; returns the rows quarantined for want of text."""
    backend, categories, norm, progress = settings
    bar = _progress(total, progress)
    writer = None
    quarantined: list[pd.DataFrame] = []
    pool = None
    try:
        if result.processes > 1:
            pool = mp.get_context("fork" if hasattr(os, "fork") else "spawn").Pool(
                result.processes, initializer=_init_worker, initargs=(backend, categories, norm))
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
                             else Done(_run_task(task, probe)))
            drain(block=len(in_flight) >= 2 * result.processes)
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
    return quarantined


def _add_set_aside(result: ClassifyResult, opened: _Input, quarantined: list) -> None:
    """Records the reader could not use: counted as read and quarantined, with their number;
    and how the input was read."""
    for raw_q in opened.set_aside:
        quarantined.append(raw_q)
        result.n_read += len(raw_q)
        result.n_quarantined += len(raw_q)
    if opened.stream is not None:
        result.encoding = opened.stream.encoding
        result.encoding_note = opened.stream.encoding_note
        result.read_notes = list(opened.stream.notes)
    else:
        result.read_notes = list(opened.notes)


class Done:
    """Stands in for an AsyncResult when tagging in-process."""

    def __init__(self, value):
        self.value = value

    def ready(self) -> bool:
        return True

    def get(self):
        return self.value


def _assemble(batch: pa.RecordBatch, tagged: TagResult, categories: list[str],
              text_column: str, rows: np.ndarray, with_scores: bool):
    """The output batch (input columns + _row + categories [+ scores] + _reason) and the rows
    to quarantine."""
    empty = _empty_text(batch.column(text_column))
    columns = {name: batch.column(name) for name in batch.schema.names}
    columns[ROW_COLUMN] = pa.array(rows, type=pa.int64())
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
        bad = pd.DataFrame({ROW_COLUMN: rows[empty], "column": text_column, "value": "",
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
    """Every quarantined record, by ``_row``: those without text and those the reader set
    aside (with their raw text)."""
    frame = pd.concat([p for p in parts if len(p)], ignore_index=True) \
        if any(len(p) for p in parts) else pd.DataFrame(columns=loading.QUARANTINE_COLUMNS)
    frame = frame.reindex(columns=loading.QUARANTINE_COLUMNS).sort_values(ROW_COLUMN, kind="stable")
    frame.to_csv(path, index=False)


def _progress(total: int | None, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="posts", unit_scale=True, disable=not enabled,
                desc="classify", mininterval=0.5)
