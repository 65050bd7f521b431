"""Read a table as raw text columns: CSV/TSV and JSONL (streamed in batches), Parquet, XLSX.

Every column comes back as text (missing -> NA) with ``_row``, the source record number (1 =
the first data record; for JSONL the line number). Records that cannot be used as they stand
are returned as a raw quarantine with a reason code, never dropped:

- ``bad_fields``: a CSV/TSV record with more or fewer fields than the header;
- ``bad_json``: a JSONL line that is not valid JSON, or not a JSON object;
- ``field_too_large``: a field longer than ``max_field`` characters (default
  :data:`MAX_FIELD_CHARS`); the rest of the file is read;
- ``unterminated_quote``: the last CSV/TSV record opens a quote that the file never closes
  (a truncated file, or a quote left open).

CSV, TSV and JSONL may be compressed (``.gz``, ``.bz2``, ``.zst``); they are decompressed as a
stream. :func:`open_table` hands a table out in batches (``negtrend classify`` streams them);
:func:`read_raw` and :func:`read_table` join the batches (reports and claims).
"""

from __future__ import annotations

import codecs
import csv
import gc
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from negtrend.data import arrowcsv
from negtrend.data.columns import (
    arrays_frame,
    clean_names,
    concat_batches,
    raw_quarantine,
    text_dtype,
    text_frame,
)
from negtrend.data.encoding import choose_encoding, compression_of, decode_head, open_bytes
from negtrend.data.errors import LoadError
from negtrend.data.workbooks import read_xlsx, sheet_columns

_FORMATS = {
    "csv": "csv", "txt": "csv", "tsv": "tsv", "tab": "tsv",
    "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl",
    "parquet": "parquet", "pq": "parquet", "xlsx": "xlsx", "xls": "xlsx",
    "ssv": "ssv",  # semicolon-separated (what a spreadsheet in an Indonesian locale writes)
    "telegram": "telegram",  # a Telegram Desktop result.json (data.telegram), streamed
}
_DELIMITERS = {"csv": ",", "tsv": "\t", "ssv": ";"}
_MAGIC = {b"\x1f\x8b": "gzip", b"\x28\xb5\x2f\xfd": "zstd"}

MAX_FIELD_CHARS = 1 << 20
"""A field longer than this (1,048,576 characters) is quarantined as ``field_too_large``."""
RUNAWAY_FACTOR = 16
"""A CSV field past ``RUNAWAY_FACTOR * max_field`` characters stops the read: at that size it
is almost surely a quote left open swallowing the file, and holding it would exhaust memory."""
BATCH_ROWS = 100_000
_RAW_LIMIT = 10_000
_PEEK_BYTES = 1 << 20
_PEEK_LINES = 1000


@dataclass(frozen=True)
class Layout:
    """A delimited text read as a collection tool writes it rather than as its name says
    (given as ``fmt``): the delimiter's format (csv, tsv, ssv), whether quotes mean anything
    (GDELT's tab-separated files have none, and a field may begin with one), and the column
    names of a file that has no header row."""

    format: str
    names: tuple[str, ...] | None = None
    quoting: bool = True


def infer_format(path: str | Path, fmt: str | Layout | None = None) -> str:
    """csv | tsv | jsonl | parquet | xlsx, from ``fmt`` or the suffix under any compression
    suffix (``posts.csv.gz`` is csv)."""
    if isinstance(fmt, Layout):
        return fmt.format
    path = Path(path)
    compressed = compression_of(path)
    key = (fmt or (path.with_suffix("") if compressed else path).suffix).lower().lstrip(".")
    if key not in _FORMATS:
        raise LoadError(f"{path}: unknown format '{key}'; expected one of "
                        f"{sorted(set(_FORMATS))}, optionally compressed (.gz, .bz2, .zst)")
    kind = _FORMATS[key]
    if compressed and kind in ("parquet", "xlsx"):
        raise LoadError(f"{path}: a {compressed}-compressed {kind} file cannot be read; "
                        f"decompress it ({kind} files are compressed inside already)")
    return kind


def _raw_text(lines: list[str]) -> str:
    """A record's source text for the quarantine file, cut at ``_RAW_LIMIT`` characters."""
    text = "".join(lines).rstrip("\r\n")
    if len(text) <= _RAW_LIMIT:
        return text
    return f"{text[:_RAW_LIMIT]}... [cut; {len(text):,} characters in all]"


def _lines(first: int, last: int) -> str:
    return f"line {first}" if first == last else f"lines {first}-{last}"


class _Pending:
    """The batch being built: usable rows with their record numbers, and set-aside records."""

    def __init__(self, names: list[str]):
        self.names = names
        self.rows: list[list] = []
        self.numbers: list[int] = []
        self.bad: list[tuple] = []

    def __len__(self) -> int:
        return len(self.numbers) + len(self.bad)

    def flush(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        out = text_frame(self.names, self.rows, self.numbers), raw_quarantine(self.bad)
        self.rows.clear()
        self.numbers.clear()
        self.bad.clear()
        return out


def _tap(handle, taken: list[str]):
    """The lines of ``handle``, each also appended to ``taken`` (the current record's text)."""
    append = taken.append
    for line in handle:
        append(line)
        yield line


class _Parsing:
    """Process-wide settings while a batch is parsed, put back while the caller holds it: the
    csv module's field limit (ours: the runaway ceiling) and the cyclic GC, off (millions of
    small lists, none cyclic, make it the bottleneck)."""

    def __init__(self, field_limit: int):
        self.field_limit = field_limit
        self.gc_was_on = gc.isenabled()
        self.saved_limit = csv.field_size_limit()

    def pause(self) -> None:
        self.saved_limit = csv.field_size_limit(self.field_limit)
        gc.disable()

    def resume(self) -> None:
        csv.field_size_limit(self.saved_limit)
        if self.gc_was_on:
            gc.enable()


class TableStream:
    """One table opened for reading: its format, encoding (and the note saying why), columns,
    sheets, notes on renamed columns, and its rows in batches.

    ``batches()`` yields ``(frame, raw_quarantine)`` pairs: the frame holds ``_row`` and text
    columns, the raw quarantine the records of that stretch that could not be used.
    """

    def __init__(self, path: str | Path, *, fmt: str | Layout | None = None,
                 encoding: str | None = None, sheet: str | int | None = None,
                 max_field: int = MAX_FIELD_CHARS):
        self.path = Path(path)
        self.format = infer_format(self.path, fmt)
        self.layout = fmt if isinstance(fmt, Layout) else Layout(self.format)
        self.max_field = max_field
        self.encoding: str | None = None
        self.encoding_note = ""
        self.sheets: tuple[str, ...] | None = None
        self.notes: list[str] = []
        self._errors = "strict"
        self._whole: pd.DataFrame | None = None
        self._columns: list[str] | None = None
        self._raw_keys: list[str] | None = None
        self._parquet = None
        if self.format == "parquet":
            self._parquet = parquet_file(self.path)
            self._columns, self.notes = clean_names(self._parquet.schema_arrow.names)
        elif self.format == "xlsx":
            self._whole, self.sheets, self.notes = read_xlsx(self.path, sheet)
        elif self.format == "telegram":
            from negtrend.data import telegram

            self._columns, self.encoding = list(telegram.RAW_COLUMNS), "utf-8"
        else:
            _refuse_hidden_compression(self.path)
            self.encoding, self._errors, self.encoding_note = choose_encoding(self.path,
                                                                              encoding)

    @property
    def columns(self) -> list[str]:
        """The column names (without ``_row``); for JSONL every key of the file (one pass)."""
        if self._columns is None:
            if self._whole is not None:
                self._columns = [c for c in self._whole.columns if c != "_row"]
            elif self.format == "jsonl":
                self._columns = clean_names(self._all_keys())[0]
            elif self.layout.names:
                self._columns = list(self.layout.names)
            else:
                with self._text() as handle:
                    self._columns, self.notes = _header_names(
                        handle, self.format, self.path, self.max_field * RUNAWAY_FACTOR)
        return self._columns

    def batches(self, batch_size: int = BATCH_ROWS, *, fixed_columns: bool = False
                ) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
        """Batches of about ``batch_size`` records; the last one is yielded even when empty.
        ``fixed_columns``: every JSONL batch has all the file's keys (one extra pass), as a
        Parquet writer needs; otherwise keys are added as they first appear."""
        if self._whole is not None:
            return _slices(self._whole, batch_size)
        if self._parquet is not None:
            return parquet_batches(self._parquet, self.path, batch_size)
        if self.format == "telegram":
            from negtrend.data import telegram

            return telegram.raw_batches(self.path, batch_size)
        if self.format == "jsonl":
            return self._jsonl_batches(batch_size, self._all_keys() if fixed_columns else None)
        return self._delimited_batches(batch_size)

    def _all_keys(self) -> list[str]:
        """Every JSON key of the file, in order of first appearance (a pass of its own)."""
        if self._raw_keys is None:
            with self._text() as handle:
                self._raw_keys = _keys_of_lines(handle)
        return self._raw_keys

    def _text(self):
        return io.TextIOWrapper(open_bytes(self.path), encoding=self.encoding,
                                errors=self._errors, newline="")

    def _delimited_batches(self, batch_size: int):
        """csv module over the decoded text: exact record numbers, multi-line quoted fields,
        oversized fields set aside; the record text is kept for the quarantine. A file that
        Arrow splits exactly as the csv module does is split by Arrow (data.arrowcsv)."""
        header = self._arrow_header()
        if header is not None:
            names, self.notes = clean_names(header)
            for first, arrays in arrowcsv.batches(
                    lambda: open_bytes(self.path), len(header), _DELIMITERS[self.format],
                    batch_size, str(self.path), not self.layout.names, self.layout.quoting):
                yield arrays_frame(names, arrays, first), raw_quarantine([])
            return
        parsing = _Parsing(self.max_field * RUNAWAY_FACTOR)
        with self._text() as handle:
            taken: list[str] = []
            reader = csv.reader(_tap(handle, taken), delimiter=_DELIMITERS[self.format],
                                quoting=csv.QUOTE_MINIMAL if self.layout.quoting
                                else csv.QUOTE_NONE)
            parsing.pause()
            try:
                header = list(self.layout.names or _header(reader, self.path))
                taken.clear()
                names, self.notes = clean_names(header)
                pending = _Pending(names)
                for batch in self._split(reader, taken, pending, batch_size):
                    parsing.resume()
                    yield batch
                    parsing.pause()
            finally:
                parsing.resume()

    def _arrow_header(self) -> list[str] | None:
        """The header (or the layout's names), when Arrow may split this file
        (data.arrowcsv): valid UTF-8, the header on the first line, quotes where RFC 4180
        puts them (or none that mean anything, and no NUL byte), every record of the header's
        width and no field too large. None: the csv module splits it."""
        if self._errors != "strict" or codecs.lookup(self.encoding).name != "utf-8":
            return None
        delimiter = _DELIMITERS[self.format]
        quoting = self.layout.quoting
        if self.layout.names:
            header = list(self.layout.names)
        else:
            header = self._first_line_header(delimiter)
            if header is None:
                return None
        with open_bytes(self.path) as stream:
            if not (arrowcsv.plain_quoting(stream, delimiter) if quoting
                    else arrowcsv.no_nul(stream)):
                return None
        if not arrowcsv.fits(lambda: open_bytes(self.path), len(header), delimiter,
                             self.max_field, not self.layout.names, quoting):
            return None
        return header

    def _first_line_header(self, delimiter: str) -> list[str] | None:
        """The header when it is the file's first line (else None)."""
        parsing = _Parsing(self.max_field * RUNAWAY_FACTOR)
        with self._text() as handle:
            taken: list[str] = []
            reader = csv.reader(_tap(handle, taken), delimiter=delimiter)
            parsing.pause()
            try:
                header = _header(reader, self.path)
            finally:
                parsing.resume()
            if reader.line_num != 1 or len(taken) != 1:
                return None
        return header

    def _split(self, reader, taken: list[str], pending: _Pending, batch_size: int):
        """Records into ``pending``; a full batch is handed out before the next record joins,
        so the last record is still pending when the file ends (see _close_last)."""
        width, limit = len(pending.names), self.max_field
        rows, numbers, bad = pending.rows, pending.numbers, pending.bad
        number = done = count = 0  # count: records in the pending batch
        record: list[str] = []
        try:
            for record in reader:
                if done:
                    del taken[:done]  # the previous record's lines
                done = len(taken)
                if not record:
                    continue
                number += 1
                if count >= batch_size:
                    yield pending.flush()
                    count = 0
                count += 1
                if len(record) != width:
                    bad.append(self._bad_fields(number, record, taken, reader.line_num, width))
                elif (len(taken) == 1 and len(taken[0]) <= limit) or \
                        max(map(len, record)) <= limit:
                    rows.append(record)
                    numbers.append(number)
                else:
                    bad.append(_too_large(number, record, pending.names, taken, limit))
        except csv.Error as err:
            first = reader.line_num - (len(taken) - done) + 1
            raise LoadError(
                f"{self.path}: cannot split record {number + 1} (from line {first}): {err}; "
                f"is a quote left open? (fields over {limit:,} characters are set aside as "
                "field_too_large; this one runs on much further)") from None
        if record:
            self._close_last(record, number, taken, reader.line_num, pending)
        yield pending.flush()

    def _bad_fields(self, number: int, record: list[str], taken: list[str], last: int,
                    width: int) -> tuple:
        first = last - len(taken) + 1
        return (number, "bad_fields", f"has {len(record)} fields, expected {width} "
                f"({_lines(first, last)})", _raw_text(taken))

    def _close_last(self, record: list[str], number: int, taken: list[str], last: int,
                    pending: _Pending) -> None:
        """A last record whose quote never closes is incomplete: set it aside."""
        if not self.layout.quoting or not _quote_left_open(taken, record,
                                                           _DELIMITERS[self.format]):
            return
        if pending.numbers and pending.numbers[-1] == number:
            pending.rows.pop()
            pending.numbers.pop()
        else:
            pending.bad.pop()
        first = last - len(taken) + 1
        pending.bad.append((number, "unterminated_quote", (
            f"a quote opened in this record ({_lines(first, last)}) is never closed: the record "
            "runs to the end of the file (a truncated file, or a quote left open?)"),
            _raw_text(taken)))

    def _jsonl_batches(self, batch_size: int, keys: list[str] | None):
        """One JSON object per line; ``_row`` is the line number; blank lines are no record."""
        known = _Keys(keys)
        records: list[dict] = []
        numbers: list[int] = []
        bad: list[tuple] = []
        seen_content = False
        with self._text() as handle:
            for number, line in enumerate(handle, start=1):
                text = line.strip().lstrip("\ufeff") if number == 1 else line.strip()
                if not text:
                    continue
                if not seen_content and text.startswith("["):
                    raise LoadError(f"{self.path}: looks like a JSON array; expected JSON Lines "
                                    "(one object per line)")
                seen_content = True
                if len(records) + len(bad) >= batch_size:
                    yield known.frame(records, numbers), raw_quarantine(bad)
                    records, numbers, bad = [], [], []
                obj, problem = _json_object(text, self.max_field)
                if problem:
                    bad.append((number, *problem[:2], _raw_text([line]), *problem[2:]))
                    continue
                known.add(obj)
                records.append(obj)
                numbers.append(number)
        self.notes = known.notes()
        yield known.frame(records, numbers), raw_quarantine(bad)


def _header(reader, path: Path) -> list[str]:
    """The first non-empty record: the column names."""
    try:
        header = next((r for r in reader if r), None)
    except csv.Error as err:
        raise LoadError(f"{path}: cannot split the header ({err}); expected a line of column "
                        "names") from None
    if header is None:
        raise LoadError(f"{path}: file is empty; expected a header line")
    return header


def _header_names(handle, kind: str, path: Path, field_limit: int
                  ) -> tuple[list[str], list[str]]:
    """The cleaned column names of a delimited text (and notes on renamed ones)."""
    parsing = _Parsing(field_limit)
    parsing.pause()
    try:
        return clean_names(_header(csv.reader(handle, delimiter=_DELIMITERS[kind]), path))
    finally:
        parsing.resume()


def _too_large(number: int, record: list[str], names: list[str], taken: list[str],
               limit: int) -> tuple:
    index = max(range(len(record)), key=lambda i: len(record[i]))
    return (number, "field_too_large", f"field '{names[index]}' has {len(record[index]):,} "
            f"characters, over the limit of {limit:,}", _raw_text(taken), names[index])


def _json_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _json_object(text: str, max_field: int) -> tuple[dict | None, tuple | None]:
    """(object, None), or (None, (reason_code, reason[, column])) for a line not usable."""
    try:
        obj = json.loads(text)
    except ValueError as err:
        msg = getattr(err, "msg", str(err))
        column = f" (column {err.colno})" if hasattr(err, "colno") else ""
        return None, ("bad_json", f"line is not valid JSON: {msg}{column}")
    except RecursionError:
        return None, ("bad_json", "line nests arrays or objects too deeply to read")
    if not isinstance(obj, dict):
        return None, ("bad_json", f"line is a JSON {type(obj).__name__}, expected an object")
    if len(text) > max_field:
        sizes = {k: len(_json_text(v) or "") for k, v in obj.items()}
        key = max(sizes, key=sizes.get, default=None)
        if key is not None and sizes[key] > max_field:
            return None, ("field_too_large", f"field '{key}' has {sizes[key]:,} characters, "
                          f"over the limit of {max_field:,}", key)
    return obj, None


class _Keys:
    """JSON keys in order of first appearance and their cleaned column names."""

    def __init__(self, keys: list[str] | None):
        self.fixed = keys is not None
        self.raw: list[str] = list(keys or [])
        self.seen = set(self.raw)

    def add(self, obj: dict) -> None:
        if self.fixed:
            return
        for key in obj:
            if key not in self.seen:
                self.seen.add(key)
                self.raw.append(key)

    def notes(self) -> list[str]:
        return clean_names(self.raw)[1]

    def frame(self, records: list[dict], numbers: list[int]) -> pd.DataFrame:
        rows = [[_json_text(rec.get(k)) for k in self.raw] for rec in records]
        return text_frame(clean_names(self.raw)[0], rows, numbers)


def _keys_of_lines(lines, limit: int | None = None) -> list[str]:
    """Keys of the JSON objects among ``lines`` (at most ``limit`` of them), in order of first
    appearance; lines that are not JSON objects are skipped."""
    keys: dict = {}
    seen = 0
    for line in lines:
        text = line.strip().lstrip("\ufeff")
        if not text:
            continue
        try:
            obj = json.loads(text)
        except ValueError:
            continue
        if isinstance(obj, dict):
            keys.update(dict.fromkeys(obj))
            seen += 1
            if limit is not None and seen >= limit:
                break
    return list(keys)


def _quote_left_open(taken: list[str], record: list[str], delimiter: str) -> bool:
    """Whether the last record only ended because the file did: parsed again with one more
    line after it, a closed record comes out the same, an open quote swallows that line."""
    text = "".join(taken)
    probe = text + ("" if text.endswith(("\n", "\r")) else "\n") + "\x1f\n"
    again = next(csv.reader(io.StringIO(probe, newline=""), delimiter=delimiter), None)
    return again != record


def _refuse_hidden_compression(path: Path) -> None:
    """A compressed file without its suffix would be decoded as garbage text: say so."""
    if compression_of(path) or not path.is_file():
        return
    with open(path, "rb") as handle:
        head = handle.read(4)
    for magic, codec in _MAGIC.items():
        if head.startswith(magic):
            suffix = {"gzip": ".gz", "zstd": ".zst"}[codec]
            raise LoadError(f"{path}: the file is {codec}-compressed but its name does not say "
                            f"so; name it {path.name}{suffix}")


def _slices(frame: pd.DataFrame, batch_size: int):
    empty = raw_quarantine([])
    for start in range(0, len(frame), batch_size):
        yield frame.iloc[start:start + batch_size].reset_index(drop=True), empty
    if not len(frame):
        yield frame, empty


# --- Parquet and XLSX: read whole --------------------------------------------------------


def parquet_file(path: str | Path):
    """``pyarrow.parquet.ParquetFile``, or a LoadError naming the file (an empty or damaged
    file raises ArrowInvalid, which names nothing)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        return pq.ParquetFile(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except (pa.ArrowException, OSError) as err:
        size = Path(path).stat().st_size
        raise LoadError(f"{path}: not a readable Parquet file ({size:,} bytes: {err}); "
                        "expected a Parquet file") from None


def parquet_batches(handle, path: Path, batch_size: int = BATCH_ROWS, *, row_groups=None,
                    first_row: int = 1) -> Iterator[tuple[pd.DataFrame, pd.DataFrame]]:
    """Parquet in batches of text columns with ``_row`` (numbered from ``first_row``, the
    number of the first row of the first row group read); the last batch may be empty."""
    import pyarrow as pa

    names = clean_names(handle.schema_arrow.names)[0]
    empty = raw_quarantine([])
    row = first_row
    try:
        for batch in handle.iter_batches(batch_size=batch_size, row_groups=row_groups,
                                         use_threads=False):
            frame = parquet_frame(batch, row)
            row += len(frame)
            yield frame, empty
    except (pa.ArrowException, OSError) as err:
        raise LoadError(f"{path}: not a readable Parquet file ({err})") from None
    if row == first_row:
        yield text_frame(names, [], []), empty


def parquet_frame(batch, first_row: int) -> pd.DataFrame:
    """A Parquet batch as the reader's frame: ``_row`` numbered from ``first_row``, columns
    named as the reader names them; temporal columns stay typed, everything else becomes text
    (Arrow casts, nulls kept)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    names = clean_names(batch.schema.names)[0]
    arrays = []
    for column in batch.columns:
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            arrays.append(column)
            continue
        try:
            arrays.append(pc.cast(column, pa.string()))
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            values = [_json_text(v) for v in column.to_pylist()]
            arrays.append(pa.array(values, type=pa.string()))
    frame = pa.Table.from_arrays(arrays, names=names).to_pandas(date_as_object=False)
    for name in names:
        if not pd.api.types.is_datetime64_any_dtype(frame[name].dtype):
            text = frame[name].astype(text_dtype())
            frame[name] = text.mask(text == "")
    frame.insert(0, "_row", np.arange(first_row, first_row + len(frame), dtype=np.int64))
    return frame


# --- whole tables ------------------------------------------------------------------------


@dataclass(frozen=True)
class RawTable:
    """A whole table read raw: text columns with ``_row``, the records set aside, how it was
    decoded, which sheets were read (XLSX) and notes on renamed columns."""

    frame: pd.DataFrame
    quarantine: pd.DataFrame
    encoding: str | None
    encoding_note: str
    sheets: tuple[str, ...] | None = None
    notes: tuple[str, ...] = ()


def open_table(path: str | Path, *, fmt: str | Layout | None = None, encoding: str | None = None,
               sheet: str | int | None = None, max_field: int = MAX_FIELD_CHARS
               ) -> TableStream:
    """A :class:`TableStream`: the encoding is chosen now, the rows are read batch by batch."""
    return TableStream(path, fmt=fmt, encoding=encoding, sheet=sheet, max_field=max_field)


def read_raw(path: str | Path, *, fmt: str | Layout | None = None, encoding: str | None = None,
             sheet: str | int | None = None, max_field: int = MAX_FIELD_CHARS) -> RawTable:
    """The whole table: every batch of :func:`open_table` joined."""
    stream = open_table(path, fmt=fmt, encoding=encoding, sheet=sheet, max_field=max_field)
    frames, quarantines = [], []
    for frame, raw_q in stream.batches():
        frames.append(frame)
        if len(raw_q):
            quarantines.append(raw_q)
    quarantine = pd.concat(quarantines, ignore_index=True) if quarantines else \
        raw_quarantine([])
    return RawTable(concat_batches(frames), quarantine, stream.encoding, stream.encoding_note,
                    stream.sheets, tuple(stream.notes))


def read_table(path: str | Path, *, fmt: str | Layout | None = None, encoding: str | None = None,
               sheet: str | int | None = None,
               ) -> tuple[pd.DataFrame, pd.DataFrame, str | None, str]:
    """Raw read: every column as text (missing -> NA) plus ``_row``, the source record number.

    Returns ``(frame, raw_quarantine, encoding_used, encoding_note)``; raw_quarantine holds
    records the reader set aside (``bad_fields``, ``bad_json``, ``field_too_large``,
    ``unterminated_quote``). :func:`read_raw` also says which sheets were read.
    """
    table = read_raw(path, fmt=fmt, encoding=encoding, sheet=sheet)
    return table.frame, table.quarantine, table.encoding, table.encoding_note


def peek_columns(path: str | Path, *, fmt: str | Layout | None = None, encoding: str | None = None,
                 sheet: str | int | None = None) -> list[str]:
    """Column names from the head of the file, decoded (and decompressed) as the reader would:
    the CSV header, or the keys of the first JSON objects (lines that are not are skipped).
    A workbook is read as :func:`read_table` would read it: several sheets with none named
    are the same error; ``sheet='*'`` adds the ``sheet`` and ``sheet_row`` columns."""
    path = Path(path)
    kind = infer_format(path, fmt)
    if isinstance(fmt, Layout) and fmt.names:
        return list(fmt.names)
    if kind == "parquet":
        return clean_names(parquet_file(path).schema_arrow.names)[0]
    if kind == "xlsx":
        return sheet_columns(path, sheet)
    if kind == "telegram":
        from negtrend.data import telegram

        return list(telegram.RAW_COLUMNS)
    _refuse_hidden_compression(path)
    with open_bytes(path) as handle:
        head = handle.read(_PEEK_BYTES)
        complete = not handle.read(1)
    text = decode_head(head, encoding, complete=complete)
    if kind == "jsonl":
        return clean_names(_keys_of_lines(io.StringIO(text), _PEEK_LINES))[0]
    return _header_names(io.StringIO(text, newline=""), kind, path,
                         MAX_FIELD_CHARS * RUNAWAY_FACTOR)[0]


def delimiter(fmt: str) -> str:
    """The field delimiter of a delimited format (csv, tsv, ssv)."""
    return _DELIMITERS[fmt]


def first_line(path: str | Path, encoding: str | None = None) -> str:
    """The first line of a text file, decompressed and decoded as the reader would ("" for
    an empty file): what tells a headerless file's layout."""
    path = Path(path)
    _refuse_hidden_compression(path)
    head = b""
    with open_bytes(path) as handle:  # read up to the first line break, not a whole peek
        while len(head) < _PEEK_BYTES and (chunk := handle.read(1 << 16)):
            head += chunk
            if b"\n" in chunk:
                break
        complete = not chunk or not handle.read(1)
    text = decode_head(head, encoding, complete=complete).lstrip("\ufeff")
    return text.splitlines()[0] if text else ""
