"""Load posts and counts from CSV, TSV, JSONL, Parquet and XLSX, row by row.

The table is read raw by :mod:`negtrend.data.readers`; here columns are mapped to canonical
names, timestamps are parsed into a time zone (WIB by default) and every row that cannot be used
is quarantined with a reason: nothing is dropped silently, so ``n_kept + n_quarantined ==
n_read`` always holds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from negtrend.data import columns, readers
from negtrend.data.errors import LoadError

DEFAULT_TZ = "Asia/Jakarta"

POSTS_COLUMNS = ("timestamp", "text", "id", "platform", "region", "author")
COUNTS_COLUMNS = ("period_start", "period_end", "date", "category", "count", "total", "source")
COUNTS_OUTPUT = ("period_start", "period_end", "days", "category", "count", "total", "source")
QUARANTINE_COLUMNS = ["_row", "column", "value", "reason_code", "reason", "raw"]

# ISO 8601 accepted by default: a date, optionally " " or "T" and a time, optionally an offset.
_ISO = (r"\d{4}-\d{2}-\d{2}"
        r"(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)?)?")
_OFFSET = r"\d:\d{2}(?::\d{2}(?:\.\d{1,9})?)? ?(?:Z|[+-]\d{2}(?::?\d{2})?)$"
_ISO_HINT = "is not ISO 8601 (e.g. 2024-02-14 or 2024-02-14T10:00:00+07:00)"
# timestamp_format for numbers: seconds or milliseconds since 1970-01-01 UTC
EPOCH_UNITS = {"epoch": "s", "epoch_ms": "ms"}
# datetime64[ns] covers 1677-09-21..2262-04-11; whole years inside that range are safe.
_YEAR_MIN, _YEAR_MAX = 1678, 2261


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
    sheets: tuple[str, ...] | None = None  # the XLSX sheets read; None for other formats
    read_notes: tuple[str, ...] = ()  # how the file was read: columns renamed, ...
    counts: str | None = None  # what the items are, when a format says (e.g. fact_checks)

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
            "sheets": list(self.sheets) if self.sheets is not None else None,
            "read_notes": list(self.read_notes),
            "quarantine_reasons": {str(k): int(v) for k, v in sorted(dict(reasons).items())},
            "date_min": _iso_date(self.data[start].min()) if start in self.data else None,
            "date_max": _iso_date(self.data[end].max()) if end in self.data else None,
            "accounting_ok": self.n_kept + self.n_quarantined == self.n_read,
            **({"counts": self.counts} if self.counts else {}),
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
    failed = pd.concat(parts) if parts else columns.raw_quarantine([]).drop(columns="raw")
    originals = (pd.DataFrame({renamed[c]: _as_text(frame.loc[failed.index, c])
                               for c in fields}, index=failed.index) if len(failed)
                 else pd.DataFrame(columns=[renamed[c] for c in fields], dtype=object))
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


def _read_mapped(path, column_map, allowed: tuple[str, ...], fallbacks: dict[str, str],
                 fmt, encoding, sheet):
    """The raw table (with the records the reader set aside), canonical -> source column,
    and the file's own column names."""
    raw = readers.read_raw(path, fmt=fmt, encoding=encoding, sheet=sheet)
    columns = list(raw.frame.columns)
    mapping = _resolve(path, columns, column_map, allowed, fallbacks)
    return raw, mapping, [c for c in columns if c != "_row"]


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


def _years_outside(values: pd.Series, failed: pd.Series, fmt: str | None) -> pd.Series:
    """For rows that failed to parse, the year when it is a well-formed date or time whose
    year lies outside what negtrend can represent (e.g. 9999); NA elsewhere."""
    years = pd.Series(np.nan, index=values.index)
    if not failed.any():
        return years
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        years[failed] = values[failed].dt.year
    elif fmt:
        years[failed] = values[failed].map(lambda v: _strptime_year(v, fmt))
    else:
        text = values[failed].str.strip()
        shaped = text.str.fullmatch(_ISO).eq(True)
        years[failed] = pd.to_numeric(text.str.slice(0, 4).where(shaped), errors="coerce")
    return years.where(failed & ~years.between(_YEAR_MIN, _YEAR_MAX))


def _strptime_year(value, fmt: str) -> float:
    import datetime as dt

    try:
        return float(dt.datetime.strptime(str(value).strip(), fmt).year)
    except ValueError:
        return np.nan


def _outside(years: pd.Series) -> pd.Series:
    return ("year " + years.astype("int64").astype(str) + f" is outside {_YEAR_MIN}-"
            f"{_YEAR_MAX}, the range negtrend can represent")


def _in_zone(naive: pd.Series, tz: str) -> pd.Series:
    naive = naive.where(_in_range(naive)).dt.as_unit("ns")
    ambiguous = np.zeros(len(naive), dtype=bool)  # the standard-time reading of DST overlaps
    return naive.dt.tz_localize(tz, ambiguous=ambiguous, nonexistent="shift_forward")


def _convert(aware: pd.Series, tz: str) -> pd.Series:
    return aware.where(_in_range(aware)).dt.as_unit("ns").dt.tz_convert(tz)


def parse_timestamps(values: pd.Series, tz: str = DEFAULT_TZ,
                     timestamp_format: str | None = None) -> pd.Series:
    """Vectorized: offsets and Z are converted into ``tz``; naive and date-only values are
    local times in ``tz``. Unparseable or missing values give NaT."""
    return timestamps_with_offsets(values, tz, timestamp_format)[0]


def _epoch(values: pd.Series, tz: str, unit: str) -> pd.Series:
    """Seconds (or milliseconds) since 1970-01-01 UTC, in ``tz``; anything else NaT."""
    numbers = pd.to_numeric(values, errors="coerce").astype("float64")
    limit = {"s": 9.2e9, "ms": 9.2e12}[unit]  # inside datetime64[ns]
    numbers = numbers.where(np.isfinite(numbers) & (numbers.abs() < limit))
    return _convert(pd.to_datetime(numbers, unit=unit, utc=True), tz)


# Month names as Indonesian and English sources write them, full and short -> month number:
# a format with %b or %B reads "2 Mei 2024", "17 Agustus 2023" or "1 Des 2024" as it reads
# "2 May 2024" (strptime knows only the English names).
MONTH_NAMES = {
    "januari": 1, "january": 1, "jan": 1, "februari": 2, "pebruari": 2, "february": 2,
    "feb": 2, "peb": 2, "maret": 3, "march": 3, "mar": 3, "april": 4, "apr": 4, "mei": 5,
    "may": 5, "juni": 6, "june": 6, "jun": 6, "juli": 7, "july": 7, "jul": 7, "agustus": 8,
    "august": 8, "agu": 8, "agt": 8, "ags": 8, "aug": 8, "september": 9, "sept": 9, "sep": 9,
    "oktober": 10, "october": 10, "okt": 10, "oct": 10, "november": 11, "nopember": 11,
    "nov": 11, "nop": 11, "desember": 12, "december": 12, "des": 12, "dec": 12,
}
_MONTH_WORD = re.compile(r"\b(" + "|".join(sorted(MONTH_NAMES, key=len, reverse=True))
                         + r")\b\.?", re.IGNORECASE)


def english_month_names(text: pd.Series, full: bool) -> pd.Series:
    """Every month name in ``text`` (Indonesian or English, full or short) written as
    strptime's English one: the full name for %B (``full``), the short one for %b."""
    import calendar

    names = calendar.month_name if full else calendar.month_abbr
    return text.str.replace(_MONTH_WORD, lambda m: names[MONTH_NAMES[m.group(1).lower()]],
                            regex=True)


def timestamps_with_offsets(values: pd.Series, tz: str = DEFAULT_TZ,
                            timestamp_format: str | None = None, naive_tz: str | None = None
                            ) -> tuple[pd.Series, pd.Series]:
    """:func:`parse_timestamps`, and which values carried their own offset (the rest were read
    as local times in ``tz``): files of one corpus may differ, and a report says so.
    ``naive_tz``: the zone a source writes its times without an offset in, when a format
    says (GDELT writes UTC); they are then instants, converted to ``tz`` like offsets."""
    out = pd.Series(pd.NaT, index=values.index, dtype=pd.DatetimeTZDtype("ns", tz))
    with_offset = pd.Series(naive_tz is not None, index=values.index)

    def place_naive(naive):
        return _convert(_in_zone(naive, naive_tz), tz) if naive_tz else _in_zone(naive, tz)

    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        aware = getattr(values.dtype, "tz", None) is not None
        with_offset[:] = aware or naive_tz is not None
        return (_convert(values, tz) if aware else place_naive(values)), with_offset
    if timestamp_format in EPOCH_UNITS:
        with_offset[:] = True  # seconds since 1970 UTC: an instant, like a time with offset
        return _epoch(values, tz, EPOCH_UNITS[timestamp_format]), with_offset
    text = values.str.strip()
    present = text.notna() & (text != "")
    if timestamp_format:
        with_zone = "%z" in timestamp_format or "%Z" in timestamp_format
        if "%b" in timestamp_format or "%B" in timestamp_format:
            text = english_month_names(text, full="%B" in timestamp_format)
        parsed = pd.to_datetime(text[present], format=timestamp_format, errors="coerce",
                                utc=with_zone)
        if len(parsed):
            out.loc[present] = _convert(parsed, tz) if with_zone else place_naive(parsed)
        with_offset[present] = with_zone or naive_tz is not None
        return out, with_offset
    candidates = text[present]
    iso = candidates.str.fullmatch(_ISO).eq(True)
    has_offset = iso & candidates.str.contains(_OFFSET).eq(True)
    naive_idx = candidates.index[iso & ~has_offset]
    offset_idx = candidates.index[has_offset]
    if len(naive_idx):
        parsed = pd.to_datetime(text[naive_idx], format="ISO8601", errors="coerce")
        out.loc[naive_idx] = place_naive(parsed)
    if len(offset_idx):
        parsed = pd.to_datetime(text[offset_idx], format="ISO8601", errors="coerce", utc=True)
        out.loc[offset_idx] = _convert(parsed, tz)
    with_offset[offset_idx] = True
    return out, with_offset


def _check_tz(path, tz: str) -> None:
    try:
        pd.Timestamp("2000-01-01").tz_localize(tz)
    except Exception:  # noqa: BLE001 - pytz/zoneinfo raise different types
        raise LoadError(f"{path}: unknown time zone '{tz}'; expected an IANA name such as "
                        f"{DEFAULT_TZ} or UTC") from None


def read_posts(path, *, column_map=None, tz=DEFAULT_TZ, encoding=None, fmt=None, sheet=None,
               timestamp_format=None, require_text=True, naive_tz=None) -> LoadResult:
    """Posts with ``timestamp`` (aware, in ``tz``), local ``date`` and ``text``; bad rows
    quarantined (missing_timestamp, bad_timestamp, timestamp_out_of_range, missing_text, and
    the reader's bad_fields, bad_json, field_too_large, unterminated_quote). ``sheet``: an
    XLSX sheet's name or index, or ``"*"`` for all (see ``readers``)."""
    _check_tz(path, tz)
    raw, mapping, available = _read_mapped(path, column_map, POSTS_COLUMNS,
                                           {"timestamp": "date"}, fmt, encoding, sheet)
    check_posts_mapping(path, mapping, available, require_text)
    checked = check_posts(raw.frame, raw.quarantine, mapping, tz=tz,
                          timestamp_format=timestamp_format, require_text=require_text,
                          naive_tz=naive_tz)
    _check_accounting(checked.data, checked.quarantine, checked.n_read, path)
    return LoadResult(data=checked.data, quarantine=checked.quarantine, source=str(path),
                      kind="posts", n_read=checked.n_read, encoding=raw.encoding,
                      encoding_note=raw.encoding_note, sheets=raw.sheets,
                      read_notes=raw.notes + timestamp_rule(checked.n_offset,
                                                            checked.n_local, tz, naive_tz))


def posts_mapping(path, columns: list[str], column_map=None, require_text: bool = True
                  ) -> dict[str, str]:
    """canonical -> source column for posts, checked: a timestamp (and text) column exists."""
    available = [c for c in columns if c != "_row"]
    mapping = _resolve(path, available, column_map, POSTS_COLUMNS, {"timestamp": "date"})
    check_posts_mapping(path, mapping, available, require_text)
    return mapping


def check_posts_mapping(path, mapping: dict[str, str], available: list[str],
                        require_text: bool) -> None:
    if "timestamp" not in mapping:
        raise LoadError(f"{path}: no timestamp column: expected 'timestamp' or 'date', or map "
                        f"one (e.g. timestamp=published_at); available columns: {available}")
    if require_text and "text" not in mapping:
        raise LoadError(f"{path}: no text column: expected 'text', or map one (e.g. text=title);"
                        f" available columns: {available}")


def timestamp_rule(n_offset: int, n_local: int, tz: str, naive_tz: str | None = None
                   ) -> tuple[str, ...]:
    """How a file's timestamps were placed in ``tz``, for the report's data table."""
    notes = []
    if n_offset and naive_tz:
        notes.append(f"{n_offset:,} timestamps, written in {naive_tz} as the format says, "
                     f"were converted to {tz}")
    elif n_offset:
        notes.append(f"{n_offset:,} timestamps carried an offset and were converted to {tz}")
    if n_local:
        notes.append(f"{n_local:,} timestamps had no offset and were read as local time in {tz}")
    return tuple(notes)


@dataclass(frozen=True, eq=False)
class CheckedPosts:
    """One batch (or a whole table) of posts after the row checks, and how its timestamps
    were read (``n_offset`` with an offset of their own, ``n_local`` as local times)."""

    data: pd.DataFrame
    quarantine: pd.DataFrame
    n_read: int
    n_offset: int
    n_local: int


def check_posts(frame: pd.DataFrame, raw_q: pd.DataFrame, mapping: dict[str, str], *,
                tz: str = DEFAULT_TZ, timestamp_format: str | None = None,
                require_text: bool = True, naive_tz: str | None = None) -> CheckedPosts:
    """The row checks of :func:`read_posts` on a raw table or one batch of it: rows kept with
    canonical columns, ``timestamp`` and local ``date``; failures quarantined with a reason."""
    n_read = len(frame) + len(raw_q)
    ts_src = mapping["timestamp"]
    stamps, with_offset = timestamps_with_offsets(frame[ts_src], tz, timestamp_format,
                                                  naive_tz)
    missing_ts = _blank(frame[ts_src])
    bad_ts = ~missing_ts & stamps.isna()
    years = _years_outside(frame[ts_src], bad_ts, timestamp_format)
    far = years.notna()
    hint = (f"does not match timestamp_format '{timestamp_format}'" if timestamp_format
            else f"{_ISO_HINT}; pass timestamp_format")
    if timestamp_format in EPOCH_UNITS:
        unit = "seconds" if EPOCH_UNITS[timestamp_format] == "s" else "milliseconds"
        hint = f"is not a number of {unit} since 1970 (timestamp_format '{timestamp_format}')"
    parts = [
        _failure(frame, missing_ts, "timestamp", frame[ts_src], "missing_timestamp",
                 f"timestamp (column '{ts_src}') is empty"),
        _failure(frame, bad_ts & ~far, "timestamp", frame[ts_src], "bad_timestamp",
                 f"timestamp (column '{ts_src}') '"
                 + _quote(frame.loc[bad_ts & ~far, ts_src]) + "' " + hint),
        _failure(frame, far, "timestamp", frame[ts_src], "timestamp_out_of_range",
                 "timestamp '" + _quote(frame.loc[far, ts_src]) + "': " + _outside(years[far])),
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
    n_offset = int(with_offset[keep].sum())
    return CheckedPosts(data, _collect_quarantine(frame, parts, raw_q), n_read, n_offset,
                        int(keep.sum()) - n_offset)


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


def _date_failures(frame: pd.DataFrame, bad: pd.Series, canon: str, raw: pd.Series
                   ) -> list[pd.DataFrame]:
    """A date that failed: not an ISO date (bad_date), or one whose year negtrend cannot
    represent (date_out_of_range), which is a different fix."""
    years = _years_outside(raw, bad, None)
    far = years.notna()
    return [
        _failure(frame, bad & ~far, canon, raw, "bad_date",
                 f"{canon} '" + _quote(raw) + "' is not an ISO date (e.g. 2024-02-14)"),
        _failure(frame, far, canon, raw, "date_out_of_range",
                 f"{canon} '" + _quote(raw[far]) + "': " + _outside(years[far])),
    ]


def _empty_column(frame: pd.DataFrame) -> pd.Series:
    return pd.Series(None, index=frame.index, dtype=object)


def read_counts(path, *, column_map=None, encoding=None, fmt=None, sheet=None,
                constants: dict | None = None) -> LoadResult:
    """Published or pre-aggregated counts per period and category; bad rows quarantined
    (missing_period, bad_date, date_out_of_range, period_reversed, missing_category,
    missing_count, bad_count, bad_total, and the reader's codes as for posts).
    ``constants``: canonical -> value for a column the file lacks (e.g. the category of a
    file holding one series); a column the file has or the map names wins."""
    raw, mapping, available = _read_mapped(path, column_map, COUNTS_COLUMNS,
                                           {"count": "value"}, fmt, encoding, sheet)
    frame, raw_q = raw.frame, raw.quarantine
    for canon, value in (constants or {}).items():
        if canon in COUNTS_COLUMNS and canon not in mapping:
            name = f"_{canon}_constant"
            frame = frame.assign(**{name: str(value)})
            mapping[canon] = name
    n_read = len(frame) + len(raw_q)
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

    def bad_number(raw: pd.Series, canon: str) -> pd.Series:
        named = f" (column '{mapping[canon]}')" if mapping.get(canon, canon) != canon else ""
        return f"{canon}{named} '" + _quote(raw) + "' is not a non-negative number"

    period_cols = [c for c in ("period_start", "period_end", "date") if c in mapping]
    got = pd.Series("", index=frame.index)
    for name in period_cols:
        got = got + (", " if name != period_cols[0] else "") + f"{name} '" + _quote(col(name)) + "'"
    parts = [
        _failure(frame, missing_period, period_cols[0], col(period_cols[0]), "missing_period",
                 "needs period_start and period_end, or date; got " + got),
        *_date_failures(frame, bad_start, "period_start", start_raw),
        *_date_failures(frame, bad_end, "period_end", end_raw),
        *_date_failures(frame, bad_day, "date", date_raw),
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
                      n_read=n_read, encoding=raw.encoding, encoding_note=raw.encoding_note,
                      sheets=raw.sheets, read_notes=raw.notes)


def write_quarantine(result: LoadResult, path) -> Path:
    """The quarantine as UTF-8 CSV (header only when nothing was quarantined)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    result.quarantine.to_csv(path, index=False, encoding="utf-8")
    return path
