"""Read a table as raw text columns: CSV/TSV (exact record numbers), JSONL, Parquet, XLSX.

Every column comes back as text (missing -> NA) with ``_row``, the source record number;
records that cannot even be split are returned as a raw quarantine, never dropped.
"""

from __future__ import annotations

import csv
import gc
import json
from pathlib import Path

import numpy as np
import pandas as pd

from negtrend.data.encoding import choose_encoding
from negtrend.data.errors import LoadError

_FORMATS = {
    "csv": "csv", "txt": "csv", "tsv": "tsv", "tab": "tsv",
    "jsonl": "jsonl", "ndjson": "jsonl", "json": "jsonl",
    "parquet": "parquet", "pq": "parquet", "xlsx": "xlsx", "xls": "xlsx",
}
_BOMS = ("\ufeff", "ï»¿")


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


def raw_quarantine(rows: list[tuple[int, str, str, str]]) -> pd.DataFrame:
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
    return _frame(_clean_names(header), rows, numbers), raw_quarantine(raw_q)


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
    return _frame(_clean_names(keys), rows, numbers), raw_quarantine(bad)


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
        return _read_parquet(path), raw_quarantine([]), None, ""
    if kind == "xlsx":
        return _read_xlsx(path, sheet), raw_quarantine([]), None, ""
    used, errors, note = choose_encoding(path, encoding)
    if kind == "jsonl":
        frame, raw_q = _read_jsonl(path, used, errors)
    else:
        frame, raw_q = _read_delimited(path, "\t" if kind == "tsv" else ",", used, errors)
    return frame, raw_q, used, note


def peek_columns(path: str | Path) -> list[str]:
    """Column names without reading the whole file."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        return list(pq.read_schema(path).names)
    if suffix in {".xlsx", ".xls"}:
        return [str(c) for c in pd.read_excel(path, nrows=0).columns]
    if suffix in {".jsonl", ".ndjson", ".json"}:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.strip():
                    try:
                        return list(json.loads(line))
                    except (ValueError, TypeError):
                        return []
        return []
    sep = "\t" if suffix in {".tsv", ".tab"} else ","
    header = pd.read_csv(path, nrows=0, sep=sep, encoding="latin-1")
    return _clean_names(list(header.columns))
