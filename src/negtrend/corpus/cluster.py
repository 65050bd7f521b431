"""The Dask engine: the streaming engine's per-file work spread over a Dask cluster.

A corpus is cut into units (a text file whole, a Parquet file in chunks of row groups). Each
unit runs on a worker: it reads its own batches, checks, labels and tags them
(:func:`negtrend.corpus.scan.process`) and writes one tagged Parquet part into the cache build
folder, so the workers need the input files and that folder at the same path (shared storage).
Only small things come back: the unit's counts per day, its quarantined rows, its example
reservoir and its row counts. The client adds them up file by file, so the cache folder ends
up as the local engine leaves it (parts, one quarantine file per input file) plus
``daily.parquet``.

A part is written under a temporary name and moved into place, and its name depends only on
the unit, so a unit run again after a worker died replaces its part instead of adding one.
This module does not import :mod:`negtrend.corpus.engines` (which imports it).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from negtrend.corpus import parts, scan, store
from negtrend.corpus.inputs import InputFile
from negtrend.corpus.scan import ScanSettings
from negtrend.corpus.store import ScaleError
from negtrend.data import loading, readers, sample, series
from negtrend.data.errors import LoadError
from negtrend.errors import NegtrendError

CONNECT_SECONDS = 10  # how long a scheduler (and its first worker) may take to answer
LOCAL_WORKERS = 2
INSTALL = 'pip install "negtrend[dask]"'


@dataclass(frozen=True)
class Unit:
    """One task: a text file whole, or a chunk of whole row groups of a Parquet file."""

    item: InputFile
    chunk: int = 0
    groups: tuple | None = None
    first_row: int = 1

    @property
    def part(self) -> str:
        return f"tagged-{self.item.number:06d}-{self.chunk:04d}.parquet"


@dataclass(frozen=True, eq=False)
class UnitOut:
    """What a unit sends back: small, whatever the size of its part."""

    daily: pd.DataFrame
    quarantine: list  # one frame per batch with quarantined rows, in record order
    reservoir: pd.DataFrame
    n_read: int
    n_offset: int
    n_local: int
    encoding: str | None


def plan(files: list[InputFile], chunk_rows: int = scan.CHUNK_ROWS
         ) -> tuple[list[Unit], dict[int, Exception]]:
    """The units of a corpus in file then record order, and the files whose Parquet
    metadata could not be read (their error), which have no units."""
    units, broken = [], {}
    for item in files:
        if item.format != "parquet":
            units.append(Unit(item))
            continue
        try:
            chunks = scan.parquet_chunks(item, chunk_rows)
        except (LoadError, OSError) as err:
            broken[item.number] = err
            continue
        units += [Unit(item, number, tuple(groups), first)
                  for number, (groups, first) in enumerate(chunks)]
    return units, broken


# --- on a worker -------------------------------------------------------------------------------


def scan_unit(unit: Unit, mapping: dict, settings: ScanSettings, work: str,
              batch_rows: int) -> UnitOut:
    """Scan one unit on a worker and write its part; returns only the small results."""
    target = Path(work) / unit.part
    temporary = target.with_name(f".{unit.part}.{uuid.uuid4().hex}.tmp")
    stream, batches = _batches(unit, batch_rows)
    dated, quarantine, reservoirs = [], [], []
    counts = Counter()
    try:
        with pq.ParquetWriter(temporary, scan.tagged_schema(settings),
                              compression="zstd") as writer:
            for frame, raw_q in batches:
                out = scan.process(frame, raw_q, unit.item, mapping, settings)
                if out.tagged.num_rows:
                    writer.write_table(out.tagged)
                    dated.append(out.tagged.select(["date", *settings.categories]))
                if len(out.quarantine):
                    quarantine.append(out.quarantine)
                reservoirs.append(out.reservoir)
                counts.update(n_read=out.n_read, n_offset=out.n_offset, n_local=out.n_local)
        os.replace(temporary, target)
    finally:
        temporary.unlink(missing_ok=True)
    days = [day_counts(pa.concat_tables(dated), settings.categories)] if dated else []
    return UnitOut(add_days(days, settings.categories), quarantine,
                   sample.merge(reservoirs, settings.examples),
                   counts["n_read"], counts["n_offset"], counts["n_local"],
                   stream.encoding if stream is not None else None)


def _batches(unit: Unit, batch_rows: int):
    """The unit's raw batches, and the text stream (whose encoding is known once read)."""
    if unit.groups is not None:
        return None, scan.raw_batches(unit.item, batch_rows, list(unit.groups), unit.first_row)
    stream = readers.open_table(unit.item.path)
    return stream, stream.batches(batch_rows)


def day_counts(tagged, categories) -> pd.DataFrame:
    """Tagged rows counted per day, as :func:`negtrend.corpus.store.daily` counts the parts."""
    return series.daily_counts(tagged.select(["date", *categories]).to_pandas(),
                               list(categories))


def add_days(frames: list[pd.DataFrame], categories) -> pd.DataFrame:
    """Counts per day of several parts of a corpus, summed: index ``date`` (datetime64[ns]),
    the categories (or ``all_items``) then ``total``, int64, by date."""
    names = [*(list(categories) or [series.ALL_ITEMS]), "total"]
    frames = [f for f in frames if len(f)]
    if not frames:
        index = pd.DatetimeIndex([], dtype="datetime64[ns]", name="date")
        return pd.DataFrame({n: pd.Series(dtype="int64") for n in names}, index=index)
    summed = pd.concat(frames).groupby(level=0).sum()[names].sort_index().astype("int64")
    summed.index = pd.DatetimeIndex(summed.index).astype("datetime64[ns]").rename("date")
    return summed


def worker_check(work: str, sample_input: str) -> tuple[str, str | None]:
    """A worker's negtrend version and what it lacks to take part (shared storage)."""
    from negtrend import __version__

    if not os.access(work, os.W_OK):
        return __version__, f"cannot write the cache folder {work}"
    if not os.access(sample_input, os.R_OK):
        return __version__, f"cannot read {sample_input}"
    return __version__, None


# --- on the client -----------------------------------------------------------------------------


def scan_cluster(files: list[InputFile], mappings: dict, settings: ScanSettings, work: Path,
                 options) -> parts.Totals:
    """Scan every file on a Dask cluster into ``work``: what ``engines.scan_local`` writes
    and returns, plus the summed counts per day in ``work/daily.parquet``."""
    distributed = import_distributed()
    units, broken = plan(files, scan.CHUNK_ROWS)
    assembly = _Assembly(files, units, settings, Path(work), bool(options.keep_going))
    for item in files:
        if item.number in broken:
            assembly.fail(item, broken[item.number])
    with connect(distributed, options) as client:
        _check_workers(client, Path(work), files)
        futures = {client.submit(scan_unit, unit, mappings[unit.item.number], settings,
                                 str(work), options.batch_rows, pure=False): unit
                   for unit in units}
        bar = _progress(len(units), options.progress)
        try:
            for future in distributed.as_completed(futures):
                assembly.take(futures.pop(future), _outcome(future, distributed))
                bar.update(1)
        except BaseException:
            client.cancel(list(futures))
            raise
        finally:
            bar.close()
    return assembly.finish()


def import_distributed():
    """``distributed``, or a NegtrendError saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise ScaleError(f"the dask engine needs Dask: {INSTALL}") from None
    return distributed


@contextlib.contextmanager
def connect(distributed, options):
    """A client for the run: on a LocalCluster started (and closed) here, or on the scheduler
    at ``options.scheduler``, which must answer within :data:`CONNECT_SECONDS`."""
    address = options.scheduler
    if not address or address == "local":
        with distributed.LocalCluster(n_workers=options.processes or LOCAL_WORKERS,
                                      threads_per_worker=1, processes=True,
                                      dashboard_address=None,
                                      local_directory=options.spill_dir) as local, \
                distributed.Client(local) as client:
            yield client
        return
    try:
        client = distributed.Client(address, timeout=CONNECT_SECONDS)
    except (ValueError, TypeError) as err:
        raise ScaleError(f"--scheduler {address!r} is not a scheduler address ({err}); "
                         "expected tcp://HOST:PORT or 'local'") from None
    except (OSError, TimeoutError):
        raise ScaleError(f"no Dask scheduler answered at {address} within {CONNECT_SECONDS} s; "
                         "check --scheduler (tcp://HOST:8786) and that the scheduler runs"
                         ) from None
    with client:
        yield client


def _check_workers(client, work: Path, files: list[InputFile]) -> None:
    """Fail before any task when a worker could not do its part: none connected, negtrend
    missing or of another version, the inputs or the cache folder not shared."""
    from negtrend import __version__

    try:
        client.wait_for_workers(1, timeout=CONNECT_SECONDS)
        found = client.run(worker_check, str(work), str(files[0].path if files else work))
    except TimeoutError:
        raise ScaleError(f"the Dask scheduler {client.scheduler.address} has no workers "
                         f"(none joined within {CONNECT_SECONDS} s)") from None
    except Exception as err:  # a worker that cannot even unpickle the check
        raise ScaleError(f"the Dask workers cannot run negtrend ({type(err).__name__}: "
                         f"{err}); install negtrend {__version__} on every worker") from None
    for address, (version, problem) in sorted(found.items()):
        if version != __version__:
            raise ScaleError(f"Dask worker {address} has negtrend {version}, this is "
                             f"{__version__}: install the same version on every worker")
        if problem:
            raise ScaleError(f"Dask worker {address} {problem}: the workers need the inputs "
                             "and the cache folder at the same path (shared storage)")


def _outcome(future, distributed):
    """A finished unit's result, or the exception a unit may raise for its file alone."""
    if future.status != "error":
        return future.result()
    error = future.exception()
    if isinstance(error, distributed.KilledWorker):
        raise ScaleError(f"a unit of the corpus took down every worker that ran it ({error}); "
                         "give the workers more memory or lower the batch size") from None
    return error


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, unit="part", disable=not enabled, desc="scan", mininterval=1.0)


@dataclass
class _Assembly:
    """The client's side: each file's results kept until its last unit is in, then written
    (quarantine) or dropped (a failed file), and its totals added in file order."""

    files: list
    units: list
    settings: ScanSettings
    work: Path
    keep_going: bool
    pending: dict = field(default_factory=dict)  # file number -> {chunk: outcome}
    done: dict = field(default_factory=dict)  # file number -> Totals
    days: list = field(default_factory=list)

    def __post_init__(self):
        self.expected = Counter(u.item.number for u in self.units)
        self.pending = defaultdict(dict)

    def fail(self, item: InputFile, error: Exception) -> None:
        """A file that failed before any unit ran (its Parquet metadata)."""
        self._check(item, error)
        self.done[item.number] = parts.Totals(failed=[f"{item.path}: {error}"])

    def take(self, unit: Unit, outcome) -> None:
        if isinstance(outcome, BaseException):
            self._check(unit.item, outcome)
        got = self.pending[unit.item.number]
        got[unit.chunk] = outcome
        if len(got) == self.expected[unit.item.number]:
            del self.pending[unit.item.number]
            self.done[unit.item.number] = self._file(unit.item, [got[c] for c in sorted(got)])

    def _check(self, item: InputFile, error: BaseException) -> None:
        """Raise what cannot be skipped, naming the file."""
        if self.keep_going and isinstance(error, (LoadError, OSError)):
            return
        if isinstance(error, NegtrendError):
            if str(item.path) in str(error):
                raise error
            raise type(error)(f"{item.path}: {error}") from None
        if isinstance(error, OSError):
            raise LoadError(f"{item.path}: {error}") from None
        raise error

    def _file(self, item: InputFile, outs: list) -> parts.Totals:
        errors = [o for o in outs if isinstance(o, BaseException)]
        if errors:
            for unit in self.units:
                if unit.item.number == item.number:
                    (self.work / unit.part).unlink(missing_ok=True)
            return parts.Totals(failed=[f"{item.path}: {errors[0]}"])
        totals = parts.Totals(reservoirs=[sample.merge([o.reservoir for o in outs],
                                                       self.settings.examples)],
                              encodings={o.encoding for o in outs if o.encoding})
        quarantine = parts.quarantine_file(self.work, item.number)
        for frame in (f for o in outs for f in o.quarantine):
            frame.to_csv(quarantine, mode="a", index=False, header=not totals.n_quarantined)
            totals.n_quarantined += len(frame)
            totals.reasons.update(frame["reason_code"].tolist())
        totals.n_read = sum(o.n_read for o in outs)
        totals.notes = item.notes(loading.timestamp_rule(
            sum(o.n_offset for o in outs), sum(o.n_local for o in outs), self.settings.tz))
        self.days.append(add_days([o.daily for o in outs], self.settings.categories))
        return totals

    def finish(self) -> parts.Totals:
        """The corpus's totals in file order; the summed days written to ``daily.parquet``."""
        totals = parts.Totals()
        for item in self.files:
            mine = self.done.get(item.number, parts.Totals())
            totals.add(mine, self.settings.examples)
            totals.failed += mine.failed
        add_days(self.days, self.settings.categories).to_parquet(self.work / store.DAILY)
        for stale in self.work.glob(".tagged-*.tmp"):
            stale.unlink(missing_ok=True)
        return totals
