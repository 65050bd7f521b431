"""Choose an engine and run the data stage on it: a corpus in, counts per day out.

``pandas`` reads everything into memory (a ``LoadResult``: every post, so the interactive
drill-down works); ``duckdb`` streams batches through worker processes into the tagged-corpus
cache and counts with SQL; ``dask`` does the per-file work on a cluster
(:mod:`negtrend.corpus.cluster`). ``auto`` picks pandas below :data:`AUTO_BYTES` of input and
DuckDB above (the crossing measured in docs/benchmarks.md).
"""

from __future__ import annotations

import collections
import dataclasses
import errno
import multiprocessing as mp
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa

from negtrend.corpus import cache, formatted, inputs, parts, scan, sqlscan, store
from negtrend.corpus.inputs import InputFile
from negtrend.corpus.options import ENGINES
from negtrend.corpus.scan import ScanSettings
from negtrend.data import labels, loading, precision, sample, sources
from negtrend.data.daily import DailyCounts
from negtrend.data.errors import LoadError
from negtrend.data.series import ALL_ITEMS, daily_counts
from negtrend.errors import NegtrendError
from negtrend.tagging import classify

AUTO_BYTES = 32 * 1024 * 1024
"""``auto`` streams (DuckDB) from this much input on: see docs/benchmarks.md, "Engines"."""
BATCH_ROWS = 65_536
GROUP_ROWS = 2_000_000  # Parquet row groups up to this size are read by the workers


class EngineError(NegtrendError, ValueError):
    """An unknown engine, or an engine that cannot run here."""


@dataclass(frozen=True)
class ScaleOptions:
    """How the streaming engines run: the cache, memory, spill folder, workers, cluster."""

    cache: bool = True
    cache_dir: str | None = None
    memory_limit: str | None = None
    spill_dir: str | None = None
    processes: int | None = None
    scheduler: str | None = None  # dask: tcp://HOST:PORT or "local"
    keep_going: bool = False  # a file that cannot be read is skipped (and named), not fatal
    progress: bool = False
    batch_rows: int = BATCH_ROWS


def check_engine(engine: str) -> str:
    engine = str(engine or "auto").lower()
    if engine not in ENGINES:
        raise EngineError(f"engine must be one of {', '.join(ENGINES)}, got {engine!r}")
    return engine


def choose(engine: str, files: list[InputFile]) -> str:
    """The engine to run: the one asked for, or for ``auto`` pandas up to ``AUTO_BYTES`` of
    input (XLSX always pandas) and DuckDB beyond."""
    engine = check_engine(engine)
    if engine != "auto":
        return engine
    if any(f.format == "xlsx" for f in files):
        return "pandas"
    return "duckdb" if inputs.total_bytes(files) >= AUTO_BYTES else "pandas"


def settings_for(*, timezone: str, timestamp_format, labels_spec, classifier, categories,
                 seed: int = 0, examples: int = 3) -> ScanSettings:
    """The scan settings of a report: which categories are tagged and counted."""
    rules = labels.parse_rules(labels_spec) if labels_spec else {}
    if categories:
        counted = list(categories)
    elif rules:
        counted = list(rules)
    elif classifier:
        counted = classify.backend_categories(classifier)
    else:
        counted = []
    return ScanSettings(tz=timezone, timestamp_format=timestamp_format, labels=rules,
                        classifier=classifier,
                        tag_categories=tuple(categories) if categories else None,
                        categories=tuple(counted), seed=int(seed),
                        examples=int(examples), tagger=cache.tagger_fingerprint(classifier))


# --- pandas: everything in memory -----------------------------------------------------------


def load_pandas(files: list[InputFile], mappings: dict, settings: ScanSettings, source: str,
                column_map=None, failed: list | None = None) -> loading.LoadResult:
    """Every file read whole and checked, labelled and tagged as the streaming engines do;
    several files are joined with ``_file`` (their number) and a ``file`` quarantine column.
    A file that cannot be read stops the load, or with ``failed`` (a list) is named there."""
    results = []
    for item in files:
        try:
            loaded = sources.load_source(item.path, kind="posts", column_map=column_map,
                                         tz=settings.tz,
                                         timestamp_format=settings.timestamp_format)
        except (LoadError, OSError) as err:
            if failed is None:
                raise
            failed.append(str(err))
            continue
        data = loaded.data
        for key, value in item.partitions.items():
            if key not in data:
                data[key] = value
        out = scan.process_checked(data, item, settings)
        results.append((item, loaded, out))
    if not results:
        raise LoadError(f"{source}: no file could be read: {'; '.join(failed or [])}")
    if len(files) == 1 and not files[0].in_corpus:
        item, loaded, data = results[0]
        return dataclasses.replace(loaded, data=data)
    data = pd.concat([data for _, _, data in results], ignore_index=True)
    quarantine = pd.concat([scan.quarantine_rows(loaded.quarantine, item)
                            for item, loaded, _ in results], ignore_index=True)
    notes = tuple(note for item, loaded, _ in results for note in item.notes(loaded.read_notes))
    return loading.LoadResult(data=data, quarantine=quarantine, source=source, kind="posts",
                              n_read=sum(loaded.n_read for _, loaded, _ in results),
                              encoding=inputs.one_encoding(
                                  {loaded.encoding for _, loaded, _ in results}),
                              encoding_note="", read_notes=notes)


# --- the streaming engine ---------------------------------------------------------------------


def _work(task):
    """A worker's task: a batch read by the main process (text formats: parsed rows; Parquet:
    one Arrow IPC message, the batch's own bytes only), checked, labelled, tagged and reduced
    here."""
    item, mapping, settings, payload = task
    if payload[0] == "group":  # a whole row group, read here: no text crosses a pipe
        _, group, first_row, batch_rows = payload
        return scan.concat_outs([scan.process(frame, raw_q, item, mapping, settings)
                                 for frame, raw_q in scan.raw_batches(item, batch_rows, [group],
                                                                      first_row)],
                                settings.examples)
    if payload[0] == "ipc":
        batch = pa.ipc.open_stream(payload[1]).read_next_batch()
        frame, raw_q = scan.arrow_frame(batch, payload[2])
    else:
        frame, raw_q = payload[1], payload[2]
    return scan.process(frame, raw_q, item, mapping, settings)


def _file_tasks(item: InputFile, mapping: dict, settings: ScanSettings, batch_rows: int,
                encodings: set, processes: int = 1):
    if item.format == "parquet":
        yield from _parquet_tasks(item, mapping, settings, batch_rows, processes)
        return
    stream = loading.readers.open_table(item.path)
    for frame, raw_q in stream.batches(batch_rows):
        yield (item, mapping, settings, ("batch", frame, raw_q))
    encodings.add(stream.encoding)


def _parquet_tasks(item: InputFile, mapping: dict, settings: ScanSettings, batch_rows: int,
                   processes: int):
    """Parquet with enough row groups of modest size: one task per row group, read by the
    worker. Otherwise the main process reads a row group at a time (``iter_batches`` holds on
    to memory as it goes, about 7 bytes a row here) and sends batches as IPC messages (a
    pickled slice carries its whole row group's buffers: 84 MB for 64k rows of a 1M-row
    group)."""
    handle = loading.readers.parquet_file(item.path)
    meta = handle.metadata
    sizes = [meta.row_group(g).num_rows for g in range(meta.num_row_groups)]
    if len(sizes) >= 2 * processes and max(sizes) <= GROUP_ROWS:
        row = 1
        for group, size in enumerate(sizes):
            yield (item, mapping, settings, ("group", group, row, batch_rows))
            row += size
        return
    row = 1
    for group in range(meta.num_row_groups):
        try:
            table = handle.read_row_group(group, use_threads=False)
        except (pa.ArrowException, OSError) as err:
            raise LoadError(f"{item.path}: not a readable Parquet file (row group {group}: "
                            f"{err})") from None
        for batch in table.to_batches(max_chunksize=batch_rows):
            yield (item, mapping, settings, ("ipc", _ipc(batch), row))
            row += batch.num_rows
        del table
    if row == 1:
        yield (item, mapping, settings, ("ipc", _ipc(_empty_batch(handle)), 1))


def _ipc(batch: pa.RecordBatch) -> pa.Buffer:
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, batch.schema) as writer:
        writer.write_batch(batch)
    return sink.getvalue()


def _empty_batch(handle) -> pa.RecordBatch:
    schema = handle.schema_arrow
    return pa.RecordBatch.from_arrays([pa.array([], f.type) for f in schema], schema=schema)


def scan_local(files: list[InputFile], mappings: dict, settings: ScanSettings, work: Path,
               options: ScaleOptions) -> parts.Totals:
    """Stream every file through a pool of worker processes into ``work``: one tagged Parquet
    part and one quarantine file per input file. At most two tasks per process are in
    flight, so memory does not grow with the corpus."""
    processes = max(1, options.processes or os.cpu_count() or 1)
    totals = parts.Totals()
    bar = _progress(files, options.progress)
    pool = mp.get_context("fork" if hasattr(os, "fork") else "spawn").Pool(processes) \
        if processes > 1 else None
    try:
        for item in files:
            current = parts.FileScan(item, work, settings)
            try:
                in_flight: collections.deque = collections.deque()
                for task in _file_tasks(item, mappings[item.number], settings,
                                        options.batch_rows, current.totals.encodings,
                                        processes):
                    in_flight.append(pool.apply_async(_work, (task,)) if pool
                                     else classify.Done(_work(task)))
                    while in_flight and (len(in_flight) >= 2 * processes
                                         or in_flight[0].ready()):
                        _take(current, in_flight.popleft().get(), bar)
                while in_flight:
                    _take(current, in_flight.popleft().get(), bar)
                totals.add(current.finish(), settings.examples)
            except (LoadError, OSError) as err:
                if not options.keep_going:
                    raise
                current.abandon(err)
                totals.failed += current.totals.failed
    finally:
        if pool:
            pool.terminate()
            pool.join()
        bar.close()
    return totals


def _take(current: parts.FileScan, out: scan.BatchOut, bar) -> None:
    current.add(out)
    bar.update(out.n_read)


def _progress(files: list[InputFile], enabled: bool):
    from tqdm.auto import tqdm

    total = None
    if files and all(f.format == "parquet" for f in files):
        total = sum(loading.readers.parquet_file(f.path).metadata.num_rows for f in files)
    return tqdm(total=total, unit="rows", unit_scale=True, disable=not enabled,
                desc="scan", mininterval=1.0)


# --- the data stage on any engine -----------------------------------------------------------


def count_corpus(data, settings: ScanSettings, *, engine: str = "auto", column_map=None,
                 options: ScaleOptions | None = None):
    """The data stage for posts: a ``LoadResult`` (pandas) or ``DailyCounts`` (streaming)."""
    options = options or ScaleOptions()
    files = inputs.expand(data)
    unreadable: list = []
    mappings = inputs.mappings(files, column_map,
                               unreadable=unreadable if options.keep_going else None)
    if unreadable:
        files = [f for f in files if f.number in mappings]
        if not files:
            raise LoadError(f"{data}: no file could be read: {unreadable[0][1]}")
    chosen = choose(engine, files)
    began = time.perf_counter()
    if chosen == "pandas":
        failed = [err for _, err in unreadable]
        loaded = load_pandas(files, mappings, settings, str(data), column_map,
                             failed if options.keep_going else None)
        return _noting_failed(loaded, failed), {
            "name": "pandas", "asked": engine, "seconds": round(time.perf_counter() - began, 3),
            "files": len(files), "files_failed": failed}
    counted = streamed(files, mappings, settings, str(data), chosen, options)
    counted.engine["asked"] = engine  # auto, when auto chose the streaming engine
    counted.engine["files_failed"] = [err for _, err in unreadable] + \
        counted.engine["files_failed"]
    return _noting_failed(counted, counted.engine["files_failed"]), counted.engine


def _noting_failed(loaded, failed: list[str]):
    """The files left out with --keep-going, named in the read notes (the data table)."""
    if not failed:
        return loaded
    return dataclasses.replace(loaded, read_notes=tuple(loaded.read_notes) + tuple(
        f"left out (--keep-going), nothing counted from it: {error}" for error in failed))


def streamed(files, mappings, settings: ScanSettings, source: str, engine: str,
             options: ScaleOptions) -> DailyCounts:
    """Count from the cache entry of this corpus and tagger, building it first if needed."""
    began = time.perf_counter()
    root = cache.cache_dir(options.cache_dir)
    root.mkdir(parents=True, exist_ok=True)
    key, described = cache.entry_key(files, mappings, settings.cache_fields(), root)
    reservoir_name = f"reservoir-s{settings.seed}-k{settings.examples}.parquet"
    with cache.locked(root, key):
        entry = cache.find(root, key) if options.cache else None
        hit = entry is not None and (entry.folder / reservoir_name).exists()
        if not hit:
            entry = _build(files, mappings, settings, source, engine, options, root, key,
                           described, reservoir_name)
    manifest = entry.manifest
    con = store.connect(options.memory_limit, options.spill_dir)
    daily = read_daily(entry.folder / store.DAILY)
    names = [str(f.path) for f in files]
    return DailyCounts(
        daily=daily, categories=list(settings.categories), source=source,
        n_read=manifest["n_read"], n_quarantined=manifest["n_quarantined"],
        quarantine_reasons=manifest["quarantine_reasons"],
        reservoir=_read_reservoir(entry.folder / reservoir_name),
        quarantine_path=entry.folder / "quarantine.csv",
        rows_outside=lambda span: store.rows_outside(con, entry.folder, span, names),
        encoding=manifest.get("encoding"), read_notes=tuple(manifest["notes"]),
        engine={"name": engine, "asked": engine, "cache": "hit" if hit else "built",
                "cache_key": key, "seconds": round(time.perf_counter() - began, 3),
                "scan_seconds": manifest["scan_seconds"], "scan": manifest.get("scan"),
                "files": len(files),
                "files_failed": manifest["files_failed"],
                "memory_limit": options.memory_limit or store.DEFAULT_MEMORY_LIMIT})


def _build(files, mappings, settings, source, engine, options, root, key, described,
           reservoir_name) -> cache.Entry:
    work = cache.building(root, key)
    began = time.perf_counter()
    try:
        path = "batches"
        if engine == "dask":
            from negtrend.corpus import cluster

            totals = cluster.scan_cluster(files, mappings, settings, work, options)
        else:
            totals = None
            if sqlscan.eligible(files, mappings, settings):
                totals = sqlscan.scan_sql(files, mappings, settings, work, options)
                path = "sql" if totals is not None else "batches (a row to quarantine)"
            if totals is None:  # the SQL pass writes nothing before it has checked every file
                totals = scan_local(files, mappings, settings, work, options)
        parts.join_quarantine(work, files)
        if not (work / store.DAILY).exists():  # the cluster and the SQL pass count as they go
            con = store.connect(options.memory_limit, options.spill_dir)
            store.daily(con, work, list(settings.categories), ALL_ITEMS).to_parquet(
                work / store.DAILY)
        kept = sample.merge(totals.reservoirs, settings.examples)
        kept.to_parquet(work / reservoir_name, index=False)
        manifest = {"key": key, "source": source, "built": cache.now(), "engine": engine,
                    "n_read": totals.n_read, "n_quarantined": totals.n_quarantined,
                    "quarantine_reasons": dict(totals.reasons), "notes": totals.notes,
                    "files_failed": totals.failed,
                    "encoding": inputs.one_encoding(totals.encodings),
                    "scan_seconds": round(time.perf_counter() - began, 3), "scan": path,
                    "described": described}
        return cache.publish(work, root, key, manifest)
    except OSError as err:
        shutil.rmtree(work, ignore_errors=True)
        if err.errno == errno.ENOSPC:
            raise store.ScaleError(f"no space left in the cache folder {root} while writing the "
                                   "tagged corpus; free space, or set NEGTREND_CACHE to a "
                                   "folder with room") from None
        raise
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise


def read_daily(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame.index = pd.DatetimeIndex(frame.index, name="date").astype("datetime64[ns]")
    return frame.astype("int64")


def _read_reservoir(path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    if not len(frame):
        return sample.empty()
    frame["date"] = pd.to_datetime(frame["date"]).astype("datetime64[ns]")
    return frame


# --- the data stage alone (negtrend count) ----------------------------------------------------


def write_quarantine(loaded, path: Path) -> Path:
    """The quarantined rows, whichever engine read them."""
    if isinstance(loaded, DailyCounts):
        return loaded.write_quarantine(path)
    return loading.write_quarantine(loaded, path)


def count_daily(data, out, settings: ScanSettings, *, engine: str = "auto", column_map=None,
                options: ScaleOptions | None = None, preset: str | None = None) -> dict:
    """Read, quarantine, tag and count a posts corpus per day; write the counts (CSV) and the
    quarantine beside them; return the accounting and the engine (what ``negtrend count``
    prints). The whole data stage of a report, without the statistics (or their imports).
    Files in a collection tool's format (``preset``, or detected) are read in memory, as
    :func:`inputs.format_plan` says (:mod:`negtrend.corpus.formatted`)."""
    how = inputs.format_plan(data, preset=preset, column_map=column_map,
                             labels_spec=settings.labels,
                             timestamp_format=settings.timestamp_format)
    if how is not None and how.kind != "posts":
        raise LoadError(f"{data}: a {how.preset.name} file already holds counts per period; "
                        f"count reads posts (give the file to report or claim)")
    if how is not None:
        # counts per day: a post not placeable in one day is not counted in one
        loaded = precision.set_aside(formatted.read(data, how, tz=settings.tz,
                                                    engine=engine), "D")
        if settings.classifier:
            loaded = classify.tag_posts(loaded, settings.classifier,
                                        list(settings.tag_categories or []) or None)
        used = {"name": "pandas"}
        categories = list(settings.categories) or list(how.labels)
    else:
        loaded, used = count_corpus(data, settings, engine=engine, column_map=column_map,
                                    options=options)
        categories = list(settings.categories)
    daily = loaded.daily if isinstance(loaded, DailyCounts) else daily_counts(
        loaded.data, categories)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    daily.to_csv(out, date_format="%Y-%m-%d")
    quarantine = write_quarantine(loaded, out.with_suffix(".quarantine.csv"))
    return {**loaded.summary(), "engine": used, "out": str(out), "quarantine": str(quarantine),
            "days": len(daily)}
