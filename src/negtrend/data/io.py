"""Read posts and counts from CSV, TSV, JSONL, Parquet and XLSX.

Columns are mapped to canonical names, timestamps are parsed into a time zone (WIB by default)
and every row that cannot be used is quarantined with a reason: nothing is dropped silently,
so ``n_kept + n_quarantined == n_read`` always holds.
"""

from __future__ import annotations

import codecs
import csv
import gc
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

DEFAULT_TZ = "Asia/Jakarta"

POSTS_COLUMNS = ("timestamp", "text", "id", "platform", "region", "author")
COUNTS_COLUMNS = ("period_start", "period_end", "date", "category", "count", "total", "source")
COUNTS_OUTPUT = ("period_start", "period_end", "days", "category", "count", "total", "source")
QUARANTINE_COLUMNS = ["_row", "column", "value", "reason_code", "reason", "raw"]

_FORMATS = {
    "csv": "csv", "txt": "csv", "tsv": "tsv", "tab": "tsv",
    "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl",
    "parquet": "parquet", "pq": "parquet", "xlsx": "xlsx", "xls": "xlsx",
}
_CHUNK = 1 << 20
_SAMPLE = 1 << 19
_BOMS = ("\ufeff", "ï»¿")
# ISO 8601 accepted by default: a date, optionally " " or "T" and a time, optionally an offset.
_ISO = (r"\d{4}-\d{2}-\d{2}"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d{1,9})?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_ISO_HINT = "is not ISO 8601 (e.g. 2024-02-14 or 2024-02-14T10:00:00+07:00)"
# datetime64[ns] covers 1677-09-21..2262-04-11; whole years inside that range are safe.
_YEAR_MIN, _YEAR_MAX = 1678, 2261


class LoadError(ValueError):
    """A whole-file problem: the message names the file, the column and what was expected."""


@dataclass(frozen=True, eq=False)
class LoadResult:
    """Kept rows, quarantined rows and where they came from."""

    data: pd.DataFrame
    quarantine: pd.DataFrame
    source: str
    kind: str
    n_read: int
    encoding: str | None
    encoding_note: str

    @property
    def n_kept(self) -> int:
        return len(self.data)

    @property
    def n_quarantined(self) -> int:
        return len(self.quarantine)

    def summary(self) -> dict:
        """JSON-safe counts and date range, for run metadata and reports."""
        reasons = self.quarantine["reason_code"].value_counts() if self.n_quarantined else {}
        start, end = ("date", "date") if self.kind == "posts" else ("period_start", "period_end")
        return {
            "source": self.source,
            "kind": self.kind,
            "n_read": int(self.n_read),
            "n_kept": int(self.n_kept),
            "n_quarantined": int(self.n_quarantined),
            "encoding": self.encoding,
            "encoding_note": self.encoding_note,
            "quarantine_reasons": {str(k): int(v) for k, v in sorted(dict(reasons).items())},
            "date_min": _iso_date(self.data[start].min()) if start in self.data else None,
            "date_max": _iso_date(self.data[end].max()) if end in self.data else None,
            "accounting_ok": self.n_kept + self.n_quarantined == self.n_read,
        }


def _iso_date(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).date().isoformat()


# --- column maps ---------------------------------------------------------------------------


def parse_column_map(spec: str | dict | None) -> dict[str, str]:
    """``"text=title,timestamp=date"`` -> ``{"text": "title", "timestamp": "date"}``."""
    if spec is None:
        return {}
    if isinstance(spec, dict):
        pairs = list(spec.items())
    elif isinstance(spec, str):
        pairs = []
        for piece in spec.split(","):
            if not piece.strip():
                continue
            if "=" not in piece:
                raise LoadError(f"column map piece '{piece.strip()}' is not canonical=source "
                                f"(e.g. text=title)")
            pairs.append(tuple(piece.split("=", 1)))
    else:
        raise LoadError(f"column map must be a string or dict, got {type(spec).__name__}")
    mapping: dict[str, str] = {}
    for key, value in pairs:
        if not isinstance(key, str) or not isinstance(value, str):
            raise LoadError(f"column map entry {key!r}: {value!r} must map a name to a name")
        canon, source = key.strip(), value.strip()
        if not canon or not source:
            raise LoadError(f"column map piece '{key}={value}' needs a name on both sides")
        if canon in mapping:
            raise LoadError(f"column map names '{canon}' twice")
        mapping[canon] = source
    return mapping


# --- encodings -----------------------------------------------------------------------------


def _first_bad_byte(path: Path, encoding: str) -> tuple[int, int] | None:
    """Offset and value of the first byte ``encoding`` cannot decode; streams the file."""
    decoder = codecs.getincrementaldecoder(encoding)()
    pos = 0
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as err:
                return pos - pending + err.start, err.object[err.start]
            pos += len(chunk)
        pending = len(decoder.getstate()[0])
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as err:
            return pos - pending + err.start, err.object[err.start]
    return None


def _detect(path: Path, bad_offset: int) -> tuple[str | None, str]:
    """charset_normalizer on the head plus the bytes around the first bad byte.

    Returns (encoding, "") or (None, why not). Between single-byte code pages the detector's
    pick is a guess (cp1250 or cp775 for plain cp1252 text), so cp1252 is taken when it scores
    as well as the winner, and another single-byte pick is not trusted; multi-byte and UTF-16/32
    detections are.
    """
    import charset_normalizer
    from charset_normalizer.utils import is_multi_byte_encoding

    with open(path, "rb") as handle:
        sample = handle.read(_SAMPLE)
        if bad_offset >= _SAMPLE:
            handle.seek(max(bad_offset - 4096, _SAMPLE))
            sample += b"\n" + handle.read(_SAMPLE // 4)
    matches = charset_normalizer.from_bytes(sample)
    best = matches.best()
    if best is None:
        return None, "detection found no candidate"
    tied = [m for m in matches if m.chaos == best.chaos and m.coherence == best.coherence]
    if any("cp1252" in m.could_be_from_charset for m in tied):
        return "cp1252", ""
    if _is_utf8(best.encoding) or not is_multi_byte_encoding(best.encoding):
        return None, f"detection guessed {best.encoding}, not trusted for single-byte text"
    return best.encoding, ""


def _is_utf8(encoding: str) -> bool:
    return codecs.lookup(encoding).name in {"utf-8", "utf-8-sig"}


def choose_encoding(path: str | Path, declared: str | None = None) -> tuple[str, str, str]:
    """(encoding, errors, note) for a text file: UTF-8, else declared, detected or fallback."""
    path = Path(path)
    if declared:
        try:
            codecs.lookup(declared)
        except LookupError:
            raise LoadError(f"{path}: unknown encoding '{declared}'") from None
    bad = _first_bad_byte(path, "utf-8")
    where = "" if bad is None else f"not valid UTF-8 (first bad byte at offset {bad[0]}); "
    if declared:
        utf8_ok = bad is None and _is_utf8(declared)
        declared_bad = None if utf8_ok else _first_bad_byte(path, declared)
        if declared_bad is not None:
            return declared, "replace", (
                f"{where}decoded as {declared} (declared), but byte 0x{declared_bad[1]:02x} at "
                f"offset {declared_bad[0]} is not valid {declared}; such bytes became U+FFFD")
        if bad is None:
            note = "" if _is_utf8(declared) else \
                f"decoded as {declared} (declared; the file is also valid UTF-8)"
            return declared, "strict", note
        return declared, "strict", f"{where}decoded as {declared} (declared)"
    if bad is None:
        return "utf-8", "strict", ""
    detected, why = _detect(path, bad[0])
    if detected:
        detected_bad = _first_bad_byte(path, detected)
        if detected_bad is None:
            return detected, "strict", f"{where}decoded as {detected} (detected)"
        why = f"detected {detected} cannot decode byte 0x{detected_bad[1]:02x}"
    cp_bad = _first_bad_byte(path, "cp1252")
    if cp_bad is None:
        return "cp1252", "strict", f"{where}decoded as cp1252 (fallback; {why})"
    return "latin-1", "strict", (
        f"{where}decoded as latin-1 (fallback; {why}; cp1252 cannot decode byte "
        f"0x{cp_bad[1]:02x} at offset {cp_bad[0]})")


# --- raw reading ---------------------------------------------------------------------------


def infer_format(path: str | Path, fmt: str | None = None) -> str:
    """csv | tsv | jsonl | parquet | xlsx, from ``fmt`` or the file suffix."""
    key = (fmt or Path(path).suffix).lower().lstrip(".")
    if key not in _FORMATS:
        raise LoadError(f"{path}: unknown format '{key}'; expected one of "
                        f"{sorted(set(_FORMATS))}")
    return _FORMATS[key]


def _clean_names(names: list) -> list[str]:
    """Strip whitespace and a (mojibake) BOM; name blanks and repeats like pandas does."""
    cleaned = [str(n).strip() for n in names]
    if cleaned:
        first = cleaned[0]
        for bom in _BOMS:
            first = first.removeprefix(bom)
        cleaned[0] = first.strip()
    seen = {"_row"}
    out = []
    for i, name in enumerate(cleaned):
        name = name or f"Unnamed: {i}"
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        out.append(candidate)
    return out


def _raw_quarantine(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
    """Rows that could not be split: (record number, reason_code, reason, raw text)."""
    frame = pd.DataFrame(
        {
            "_row": pd.Series([r[0] for r in rows], dtype="int64"),
            "column": pd.Series([""] * len(rows), dtype=object),
            "value": pd.Series([""] * len(rows), dtype=object),
            "reason_code": pd.Series([r[1] for r in rows], dtype=object),
            "reason": pd.Series([r[2] for r in rows], dtype=object),
            "raw": pd.Series([r[3] for r in rows], dtype=object),
        }
    )
    return frame


def _frame(names: list[str], rows: list[list], numbers: list[int]) -> pd.DataFrame:
    """Text columns from equal-length rows, "" as missing, plus the record number ``_row``."""
    table = np.empty((len(rows), len(names)), dtype=object)
    if rows and names:
        table[:] = rows
    data = {"_row": np.asarray(numbers, dtype=np.int64)}
    for i, name in enumerate(names):
        column = pd.Series(table[:, i]).astype(_text_dtype())
        data[name] = column.mask(column == "")
    return pd.DataFrame(data)


def _text_dtype():
    """pandas 3's default string dtype when it exists, else object."""
    return "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def _physical_lines(path: Path, encoding: str, errors: str,
                    spans: list[tuple[int, int]]) -> list[str]:
    """The text of lines ``first..last`` (1-based, inclusive) for each span, in one pass."""
    wanted = {line for first, last in spans for line in range(first, last + 1)}
    found: dict[int, str] = {}
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        for number, line in enumerate(handle, start=1):
            if number in wanted:
                found[number] = line
    return ["".join(found.get(n, "") for n in range(first, last + 1)).rstrip("\r\n")
            for first, last in spans]


def _read_delimited(path: Path, delimiter: str, encoding: str, errors: str):
    """csv module over the decoded text: exact record numbers, multi-line quoted fields."""
    rows: list[list[str]] = []
    numbers: list[int] = []
    bad: list[tuple[int, int, int, int]] = []  # record number, fields, first line, last line
    number = 0
    gc_was_on = gc.isenabled()
    gc.disable()  # millions of small lists make the cyclic GC the bottleneck; none are cyclic
    with open(path, encoding=encoding, errors=errors, newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next((r for r in reader if r), None)
            if header is None:
                raise LoadError(f"{path}: file is empty; expected a header line")
            width = len(header)
            last_line = reader.line_num
            for record in reader:
                if record:
                    number += 1
                    if len(record) == width:
                        rows.append(record)
                        numbers.append(number)
                    else:
                        bad.append((number, len(record), last_line + 1, reader.line_num))
                last_line = reader.line_num
        except csv.Error as err:
            raise LoadError(f"{path}: cannot split record {number + 1} (near line "
                            f"{reader.line_num}): {err}; is a quote left open?") from None
        finally:
            if gc_was_on:
                gc.enable()
    raws = _physical_lines(path, encoding, errors, [(b[2], b[3]) for b in bad]) if bad else []
    raw_q = [(b[0], "bad_fields", f"has {b[1]} fields, expected {width}", raw)
             for b, raw in zip(bad, raws, strict=True)]
    return _frame(_clean_names(header), rows, numbers), _raw_quarantine(raw_q)


def _json_text(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _read_jsonl(path: Path, encoding: str, errors: str):
    records: list[dict] = []
    numbers: list[int] = []
    bad: list[tuple[int, str, str, str]] = []
    seen_content = False
    with open(path, encoding=encoding, errors=errors) as handle:
        for number, line in enumerate(handle, start=1):
            text = line.strip().lstrip("\ufeff") if number == 1 else line.strip()
            if not text:
                continue
            if not seen_content and text.startswith("["):
                raise LoadError(f"{path}: looks like a JSON array; expected JSON Lines "
                                "(one object per line)")
            seen_content = True
            try:
                obj = json.loads(text)
            except ValueError as err:
                bad.append((number, "bad_json", f"line is not valid JSON: {err.msg} "
                                                f"(column {err.colno})", line.rstrip("\r\n")))
                continue
            if not isinstance(obj, dict):
                bad.append((number, "bad_json", f"line is a JSON {type(obj).__name__}, "
                                                "expected an object", line.rstrip("\r\n")))
                continue
            records.append(obj)
            numbers.append(number)
    keys = list(dict.fromkeys(k for rec in records for k in rec))
    rows = [[_json_text(rec.get(k)) for k in keys] for rec in records]
    return _frame(_clean_names(keys), rows, numbers), _raw_quarantine(bad)


def _read_parquet(path: Path) -> pd.DataFrame:
    """Temporal columns stay typed; everything else becomes text (Arrow casts, nulls kept)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as err:
        raise LoadError(f"{path}: not a readable Parquet file: {err}") from None
    arrays = []
    for column in table.columns:
        if pa.types.is_timestamp(column.type) or pa.types.is_date(column.type):
            arrays.append(column)
            continue
        try:
            arrays.append(pc.cast(column, pa.string()))
        except (pa.ArrowNotImplementedError, pa.ArrowInvalid):
            values = [_json_text(v) for v in column.to_pylist()]
            arrays.append(pa.array(values, type=pa.string()))
    names = _clean_names(table.column_names)
    frame = pa.Table.from_arrays(arrays, names=names).to_pandas(date_as_object=False)
    for name in names:
        if not pd.api.types.is_datetime64_any_dtype(frame[name].dtype):
            text = frame[name].astype(_text_dtype())
            frame[name] = text.mask(text == "")
    frame.insert(0, "_row", np.arange(1, len(frame) + 1, dtype=np.int64))
    return frame


def _read_xlsx(path: Path, sheet) -> pd.DataFrame:
    """Cells as text (dates become ISO strings); fully empty rows are skipped, not counted."""
    try:
        frame = pd.read_excel(path, sheet_name=0 if sheet is None else sheet, dtype=str)
    except ImportError as err:
        raise LoadError(f"{path}: cannot read this spreadsheet format ({err}); "
                        "save it as .xlsx") from None
    except (ValueError, IndexError, KeyError) as err:
        try:
            with pd.ExcelFile(path) as book:
                sheets = book.sheet_names
        except Exception:  # noqa: BLE001 - only to improve the message
            sheets = "unknown"
        raise LoadError(f"{path}: cannot read sheet {sheet!r} ({err}); sheets: {sheets}") from None
    frame.columns = _clean_names(list(frame.columns))
    frame.insert(0, "_row", np.arange(1, len(frame) + 1, dtype=np.int64))
    frame = frame[frame.drop(columns="_row").notna().any(axis=1)].reset_index(drop=True)
    for name in [c for c in frame.columns if c != "_row"]:
        text = frame[name].astype(_text_dtype())
        frame[name] = text.mask(text == "")
    return frame


def read_table(path: str | Path, *, fmt: str | None = None, encoding: str | None = None,
               sheet: str | int | None = None,
               ) -> tuple[pd.DataFrame, pd.DataFrame, str | None, str]:
    """Raw read: every column as text (missing -> NA) plus ``_row``, the source record number.

    Returns ``(frame, raw_quarantine, encoding_used, encoding_note)``; raw_quarantine holds
    records that could not even be split (``bad_fields``, ``bad_json``).
    """
    path = Path(path)
    kind = infer_format(path, fmt)
    if kind == "parquet":
        return _read_parquet(path), _raw_quarantine([]), None, ""
    if kind == "xlsx":
        return _read_xlsx(path, sheet), _raw_quarantine([]), None, ""
    used, errors, note = choose_encoding(path, encoding)
    if kind == "jsonl":
        frame, raw_q = _read_jsonl(path, used, errors)
    else:
        frame, raw_q = _read_delimited(path, "\t" if kind == "tsv" else ",", used, errors)
    return frame, raw_q, used, note


# --- shared row checks ---------------------------------------------------------------------


def _blank(values: pd.Series) -> pd.Series:
    """Missing, empty or whitespace-only."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.isna()
    stripped = values.str.strip()
    return stripped.isna() | (stripped == "")


def _as_text(values: pd.Series) -> pd.Series:
    """Text form of any column, NA kept."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        return values.astype(object).where(values.notna(), None).map(
            lambda v: None if v is None else str(v))
    return values.astype(object).where(values.notna(), None)


def _quote(values: pd.Series, limit: int = 80) -> pd.Series:
    text = _as_text(values).fillna("").astype(str)
    long = text.str.len() > limit
    return text.where(~long, text.str.slice(0, limit - 3) + "...")


def _failure(frame: pd.DataFrame, mask: pd.Series, column: str, values: pd.Series | None,
             code: str, reason) -> pd.DataFrame:
    """Quarantine rows for one reason; ``reason`` is a sentence or a Series of them."""
    rows = frame.loc[mask, "_row"]
    value = _as_text(values[mask]).fillna("") if values is not None else ""
    out = pd.DataFrame({"_row": rows.astype("int64"), "column": column, "value": value,
                        "reason_code": code}, index=rows.index)
    out["reason"] = reason.reindex(out.index) if isinstance(reason, pd.Series) else reason
    return out


def _collect_quarantine(frame: pd.DataFrame, parts: list[pd.DataFrame],
                        raw_q: pd.DataFrame) -> pd.DataFrame:
    """Row failures plus their original fields (as text), then raw failures; by ``_row``."""
    fields = [c for c in frame.columns if c != "_row"]
    renamed = {c: (f"{c}_input" if c in QUARANTINE_COLUMNS else c) for c in fields}
    failed = pd.concat(parts) if parts else _raw_quarantine([]).drop(columns="raw")
    originals = pd.DataFrame({renamed[c]: _as_text(frame.loc[failed.index, c]) for c in fields},
                             index=failed.index)
    rows = pd.concat([failed.assign(raw=None), originals], axis=1)
    raw_q = raw_q.reindex(columns=rows.columns)
    combined = pd.concat([df for df in (rows, raw_q) if len(df)] or [rows], ignore_index=True)
    combined = combined.sort_values("_row", kind="stable").reset_index(drop=True)
    combined["_row"] = combined["_row"].astype("int64")
    for name in ("column", "value", "reason_code", "reason"):
        combined[name] = combined[name].fillna("").astype(object)
    return combined


def _check_accounting(data: pd.DataFrame, quarantine: pd.DataFrame, n_read: int, path) -> None:
    """Kept + quarantined must equal read, and no record may appear twice."""
    if len(data) + len(quarantine) != n_read:
        raise AssertionError(f"{path}: kept {len(data)} + quarantined {len(quarantine)} "
                             f"!= read {n_read}")
    if not pd.concat([data["_row"], quarantine["_row"]]).is_unique:
        raise AssertionError(f"{path}: a record is both kept and quarantined")


def _resolve(path, columns: list[str], spec, allowed: tuple[str, ...],
             fallbacks: dict[str, str]) -> dict[str, str]:
    """canonical -> source column: the caller's map, then same-named columns, then fallbacks."""
    mapping = parse_column_map(spec)
    available = [c for c in columns if c != "_row"]
    unknown = [k for k in mapping if k not in allowed]
    if unknown:
        raise LoadError(f"{path}: cannot map {unknown}; canonical columns are {list(allowed)}")
    for canon, source in mapping.items():
        if source not in available:
            raise LoadError(f"{path}: column '{source}' (mapped to '{canon}') not found; "
                            f"available columns: {available}")
    sources = list(mapping.values())
    if len(set(sources)) != len(sources):
        raise LoadError(f"{path}: a source column is mapped twice in {mapping}")
    for canon in allowed:
        if canon not in mapping and canon in available and canon not in mapping.values():
            mapping[canon] = canon
    for canon, source in fallbacks.items():
        if canon not in mapping and source in available and source not in mapping.values():
            mapping[canon] = source
    return mapping


def _renamed(frame: pd.DataFrame, mapping: dict[str, str], reserved: set[str]) -> pd.DataFrame:
    """Mapped columns get canonical names; other columns that would clash get ``_input``."""
    rename = {src: canon for canon, src in mapping.items()}
    taken = set(rename.values()) | reserved
    for col in frame.columns:
        if col not in rename and col != "_row" and col in taken:
            rename[col] = f"{col}_input"
    return frame.rename(columns=rename)


# --- posts ---------------------------------------------------------------------------------


def _in_range(stamps: pd.Series) -> pd.Series:
    return stamps.dt.year.between(_YEAR_MIN, _YEAR_MAX)


def _localize(naive: pd.Series, tz: str) -> pd.Series:
    naive = naive.where(_in_range(naive)).dt.as_unit("ns")
    ambiguous = np.zeros(len(naive), dtype=bool)  # the standard-time reading of DST overlaps
    return naive.dt.tz_localize(tz, ambiguous=ambiguous, nonexistent="shift_forward")


def _convert(aware: pd.Series, tz: str) -> pd.Series:
    return aware.where(_in_range(aware)).dt.as_unit("ns").dt.tz_convert(tz)


def parse_timestamps(values: pd.Series, tz: str = DEFAULT_TZ,
                     timestamp_format: str | None = None) -> pd.Series:
    """Vectorized: offsets and Z are converted into ``tz``; naive and date-only values are
    local times in ``tz``. Unparseable or missing values give NaT."""
    out = pd.Series(pd.NaT, index=values.index, dtype=pd.DatetimeTZDtype("ns", tz))
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        aware = getattr(values.dtype, "tz", None) is not None
        return _convert(values, tz) if aware else _localize(values, tz)
    text = values.str.strip()
    present = text.notna() & (text != "")
    if timestamp_format:
        with_zone = "%z" in timestamp_format or "%Z" in timestamp_format
        parsed = pd.to_datetime(text[present], format=timestamp_format, errors="coerce",
                                utc=with_zone)
        if len(parsed):
            out.loc[present] = _convert(parsed, tz) if with_zone else _localize(parsed, tz)
        return out
    candidates = text[present]
    iso = candidates.str.fullmatch(_ISO).eq(True)
    has_offset = iso & candidates.str.contains(_OFFSET).eq(True)
    naive_idx = candidates.index[iso & ~has_offset]
    offset_idx = candidates.index[has_offset]
    if len(naive_idx):
        parsed = pd.to_datetime(text[naive_idx], format="ISO8601", errors="coerce")
        out.loc[naive_idx] = _localize(parsed, tz)
    if len(offset_idx):
        parsed = pd.to_datetime(text[offset_idx], format="ISO8601", errors="coerce", utc=True)
        out.loc[offset_idx] = _convert(parsed, tz)
    return out


def _check_tz(path, tz: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception:  # noqa: BLE001 - pytz/zoneinfo raise different types
        raise LoadError(f"{path}: unknown time zone '{tz}'; expected an IANA name such as "
                        f"{DEFAULT_TZ} or UTC") from None


def read_posts(path, *, column_map=None, tz=DEFAULT_TZ, encoding=None, fmt=None, sheet=None,
               timestamp_format=None, require_text=True) -> LoadResult:
    """Posts with ``timestamp`` (aware, in ``tz``), local ``date`` and ``text``; bad rows
    quarantined (missing_timestamp, bad_timestamp, missing_text, bad_fields, bad_json)."""
    _check_tz(path, tz)
    frame, raw_q, used, note = read_table(path, fmt=fmt, encoding=encoding, sheet=sheet)
    n_read = len(frame) + len(raw_q)
    columns = list(frame.columns)
    mapping = _resolve(path, columns, column_map, POSTS_COLUMNS, {"timestamp": "date"})
    available = [c for c in columns if c != "_row"]
    if "timestamp" not in mapping:
        raise LoadError(f"{path}: no timestamp column: expected 'timestamp' or 'date', or map "
                        f"one (e.g. timestamp=published_at); available columns: {available}")
    if require_text and "text" not in mapping:
        raise LoadError(f"{path}: no text column: expected 'text', or map one (e.g. text=title);"
                        f" available columns: {available}")
    ts_src = mapping["timestamp"]
    stamps = parse_timestamps(frame[ts_src], tz, timestamp_format)
    missing_ts = _blank(frame[ts_src])
    bad_ts = ~missing_ts & stamps.isna()
    hint = (f"does not match timestamp_format '{timestamp_format}'" if timestamp_format
            else f"{_ISO_HINT}; pass timestamp_format")
    parts = [
        _failure(frame, missing_ts, "timestamp", frame[ts_src], "missing_timestamp",
                 f"timestamp (column '{ts_src}') is empty"),
        _failure(frame, bad_ts, "timestamp", frame[ts_src], "bad_timestamp",
                 "timestamp '" + _quote(frame.loc[bad_ts, ts_src]) + "' " + hint),
    ]
    failed = missing_ts | bad_ts
    if require_text:
        text_src = mapping["text"]
        missing_text = ~failed & _blank(frame[text_src])
        parts.append(_failure(frame, missing_text, "text", frame[text_src], "missing_text",
                              f"text (column '{text_src}') is empty"))
        failed = failed | missing_text
    keep = ~failed
    data = _renamed(frame.loc[keep], mapping, {"timestamp", "date", "text"})
    data["timestamp"] = stamps[keep]
    data["date"] = stamps[keep].dt.tz_localize(None).dt.normalize().astype("datetime64[ns]")
    lead = ["_row", "timestamp", "date"] + (["text"] if "text" in data else [])
    data = data[lead + [c for c in data.columns if c not in lead]].reset_index(drop=True)
    quarantine = _collect_quarantine(frame, parts, raw_q)
    _check_accounting(data, quarantine, n_read, path)
    return LoadResult(data=data, quarantine=quarantine, source=str(path), kind="posts",
                      n_read=n_read, encoding=used, encoding_note=note)


# --- counts --------------------------------------------------------------------------------


def parse_dates(values: pd.Series) -> pd.Series:
    """Calendar dates (naive datetime64[ns], midnight) from ISO dates or date-times; the
    date is taken as written, ignoring any time or offset. Unparseable -> NaT."""
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dtype, "tz", None) is not None:
            values = values.dt.tz_localize(None)
        values = values.where(_in_range(values))
        return values.dt.as_unit("ns").dt.normalize()
    text = values.str.strip()
    valid = text.str.fullmatch(_ISO).eq(True)
    day = text.str.slice(0, 10).where(valid)
    parsed = pd.to_datetime(day, format="%Y-%m-%d", errors="coerce")
    return parsed.where(_in_range(parsed)).astype("datetime64[ns]")


def _numbers(values: pd.Series) -> pd.Series:
    """Finite, non-negative numbers; anything else NaN."""
    text = values.str.strip() if not pd.api.types.is_numeric_dtype(values.dtype) else values
    numbers = pd.to_numeric(text, errors="coerce").astype("float64")
    return numbers.where(np.isfinite(numbers) & (numbers >= 0))


def _empty_column(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(None, index=frame.index, dtype=object)


def read_counts(path, *, column_map=None, encoding=None, fmt=None, sheet=None) -> LoadResult:
    """Published or pre-aggregated counts per period and category; bad rows quarantined
    (missing_period, bad_date, period_reversed, missing_category, missing_count, bad_count,
    bad_total, bad_fields, bad_json)."""
    frame, raw_q, used, note = read_table(path, fmt=fmt, encoding=encoding, sheet=sheet)
    n_read = len(frame) + len(raw_q)
    columns = list(frame.columns)
    mapping = _resolve(path, columns, column_map, COUNTS_COLUMNS, {"count": "value"})
    available = [c for c in columns if c != "_row"]
    for needed, example in (("category", "category=type"), ("count", "count=n")):
        if needed not in mapping:
            raise LoadError(f"{path}: no {needed} column: expected '{needed}'"
                            f"{' or value' if needed == 'count' else ''}, or map one "
                            f"(e.g. {example}); available columns: {available}")
    has_period = "period_start" in mapping and "period_end" in mapping
    if not has_period and "date" not in mapping:
        raise LoadError(f"{path}: no period columns: expected 'period_start' and 'period_end', "
                        f"or 'date'; available columns: {available}")

    def col(canon: str) -> pd.Series:
        return frame[mapping[canon]] if canon in mapping else _empty_column(frame)

    start_raw, end_raw, date_raw = col("period_start"), col("period_end"), col("date")
    use_period = ~_blank(start_raw) & ~_blank(end_raw)
    use_date = ~use_period & ~_blank(date_raw)
    day = parse_dates(date_raw)
    start = parse_dates(start_raw).where(use_period, day)
    end = parse_dates(end_raw).where(use_period, day)

    missing_period = ~use_period & ~use_date
    bad_start = use_period & start.isna()
    bad_end = use_period & ~bad_start & end.isna()
    bad_day = use_date & start.isna()
    reversed_ = ~(missing_period | bad_start | bad_end | bad_day) & (end < start)
    failed = missing_period | bad_start | bad_end | bad_day | reversed_

    category = col("category")
    missing_category = ~failed & _blank(category)
    failed = failed | missing_category
    count_raw = col("count")
    count = _numbers(count_raw)
    missing_count = ~failed & _blank(count_raw)
    bad_count = ~failed & ~missing_count & count.isna()
    # counts are whole numbers: "1.234" is an Indonesian thousands separator, not 1.234 items
    fractional = ~failed & ~missing_count & ~bad_count & (count % 1 != 0)
    failed = failed | missing_count | bad_count | fractional
    total_raw = col("total")
    total = _numbers(total_raw)
    bad_total = ~failed & ~_blank(total_raw) & total.isna()
    failed = failed | bad_total

    def bad_date(raw: pd.Series, canon: str) -> pd.Series:
        return f"{canon} '" + _quote(raw) + "' is not an ISO date (e.g. 2024-02-14)"

    def bad_number(raw: pd.Series, canon: str) -> pd.Series:
        return f"{canon} '" + _quote(raw) + "' is not a non-negative number"

    period_cols = [c for c in ("period_start", "period_end", "date") if c in mapping]
    got = pd.Series("", index=frame.index)
    for name in period_cols:
        got = got + (", " if name != period_cols[0] else "") + f"{name} '" + _quote(col(name)) + "'"
    parts = [
        _failure(frame, missing_period, period_cols[0], col(period_cols[0]), "missing_period",
                 "needs period_start and period_end, or date; got " + got),
        _failure(frame, bad_start, "period_start", start_raw, "bad_date",
                 bad_date(start_raw, "period_start")),
        _failure(frame, bad_end, "period_end", end_raw, "bad_date",
                 bad_date(end_raw, "period_end")),
        _failure(frame, bad_day, "date", date_raw, "bad_date", bad_date(date_raw, "date")),
        _failure(frame, reversed_, "period_end", end_raw.where(use_period, date_raw),
                 "period_reversed",
                 "period_end " + end.dt.strftime("%Y-%m-%d").fillna("")
                 + " is before period_start " + start.dt.strftime("%Y-%m-%d").fillna("")),
        _failure(frame, missing_category, "category", category, "missing_category",
                 f"category (column '{mapping['category']}') is empty"),
        _failure(frame, missing_count, "count", count_raw, "missing_count",
                 f"count (column '{mapping['count']}') is empty"),
        _failure(frame, bad_count, "count", count_raw, "bad_count",
                 bad_number(count_raw, "count")),
        _failure(frame, fractional, "count", count_raw, "bad_count",
                 "count '" + _quote(count_raw) + "' is not a whole number (write 1234, not "
                 "1.234 or 1,234)"),
        _failure(frame, bad_total, "total", total_raw, "bad_total",
                 bad_number(total_raw, "total")),
    ]
    keep = ~failed
    consumed = [mapping[c] for c in COUNTS_COLUMNS if c in mapping]
    rest = _renamed(frame.loc[keep].drop(columns=consumed), {}, set(COUNTS_OUTPUT))
    source = col("source")[keep].astype(object).where(col("source")[keep].notna(), "")
    data = pd.DataFrame({
        "_row": frame.loc[keep, "_row"].astype("int64"),
        "period_start": start[keep],
        "period_end": end[keep],
        "days": ((end[keep] - start[keep]).dt.days + 1).astype("int64"),
        "category": category[keep].astype(object).astype(str).str.strip(),
        "count": count[keep],
        "total": total[keep],
        "source": source.astype(str),
    }, index=frame.index[keep])
    data = pd.concat([data, rest.drop(columns="_row")], axis=1).reset_index(drop=True)
    quarantine = _collect_quarantine(frame, parts, raw_q)
    _check_accounting(data, quarantine, n_read, path)
    return LoadResult(data=data, quarantine=quarantine, source=str(path), kind="counts",
                      n_read=n_read, encoding=used, encoding_note=note)


def write_quarantine(result: LoadResult, path) -> Path:
    """The quarantine as UTF-8 CSV (header only when nothing was quarantined)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.quarantine.to_csv(path, index=False, encoding="utf-8")
    return path
