"""Raw tables as text columns: clean column names, the reader's quarantine frame, text
arrays and frames, and batches joined. Shared by every reader (delimited, JSON, Parquet,
workbooks), so report and classify see the same columns and the same missing values."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

_BOMS = ("\ufeff", "ï»¿")
_SURROGATES = re.compile("[\ud800-\udfff]")


def clean_names(names: list) -> tuple[list[str], list[str]]:
    """Strip whitespace and a (mojibake) BOM; name blanks ``Unnamed: i`` and repeats
    ``name.1`` as pandas does, so that report and classify see the same columns.

    Returns the names and notes saying which repeated names were renamed.
    """
    cleaned = [valid_text(str(n)).strip() for n in names]
    if cleaned:
        first = cleaned[0]
        for bom in _BOMS:
            first = first.removeprefix(bom)
        cleaned[0] = first.strip()
    seen = {"_row"}
    out, renamed = [], {}
    for i, name in enumerate(cleaned):
        name = name or f"Unnamed: {i}"
        candidate, k = name, 0
        while candidate in seen:
            k += 1
            candidate = f"{name}.{k}"
        seen.add(candidate)
        out.append(candidate)
        if candidate != name:
            renamed.setdefault(name, []).append(candidate)
    notes = [f"column '_row' was renamed {new[0]!r}: negtrend numbers records in '_row'"
             if name == "_row" else
             f"column '{name}' appears {len(new) + 1} times; the repeats were renamed "
             f"{', '.join(repr(n) for n in new)}" for name, new in renamed.items()]
    return out, notes


def raw_quarantine(rows: list[tuple]) -> pd.DataFrame:
    """Records set aside by the reader: (record number, reason_code, reason, raw text[,
    column])."""
    return pd.DataFrame({
        "_row": pd.Series([r[0] for r in rows], dtype="int64"),
        "column": pd.Series([r[4] if len(r) > 4 else "" for r in rows], dtype=object),
        "value": pd.Series([""] * len(rows), dtype=object),
        "reason_code": pd.Series([r[1] for r in rows], dtype=object),
        "reason": pd.Series([r[2] for r in rows], dtype=object),
        "raw": pd.Series([r[3] for r in rows], dtype=object),
    })


def valid_text(text: str) -> str:
    """``text`` with lone surrogates (a JSON escape such as \\ud800 makes them) as U+FFFD:
    Arrow and Parquet hold only valid UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return _SURROGATES.sub("\ufffd", text)
    return text


def text_array(values):
    """An Arrow string array, "" as null."""
    import pyarrow as pa

    try:
        text = pa.array(values, pa.string())
    except (UnicodeEncodeError, pa.ArrowException):
        text = pa.array([v if v is None else valid_text(v) for v in values], pa.string())
    return _blank_as_null(text)


def _blank_as_null(text):
    import pyarrow as pa
    import pyarrow.compute as pc

    return pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text)


def text_dtype():
    """pandas 3's default string dtype when it exists, else object."""
    return "str" if int(pd.__version__.split(".")[0]) >= 3 else object


def text_frame(names: list[str], rows: list[list], numbers: list[int]) -> pd.DataFrame:
    """Text columns from equal-length rows, "" as missing, plus the record number ``_row``
    (built through Arrow: twice as fast as object arrays, and pandas 3 keeps Arrow strings)."""
    import pyarrow as pa

    columns = list(zip(*rows, strict=True)) if rows else [()] * len(names)
    return _frame(names, pa.array(np.asarray(numbers, dtype=np.int64)),
                  [text_array(values) for values in columns])


def arrays_frame(names: list[str], arrays: list, first: int) -> pd.DataFrame:
    """:func:`text_frame`'s frame from Arrow string arrays (one per column) of records
    numbered from ``first``: the same columns, dtypes and missing values."""
    import pyarrow as pa

    count = len(arrays[0]) if arrays else 0
    return _frame(names, pa.array(np.arange(first, first + count, dtype=np.int64)),
                  [_blank_as_null(array) for array in arrays])


def _frame(names: list[str], numbers, arrays: list) -> pd.DataFrame:
    import pyarrow as pa

    frame = pa.Table.from_arrays([numbers, *arrays], names=["_row", *names]).to_pandas()
    text = text_dtype()
    for name in names:
        if frame[name].dtype != text:
            frame[name] = frame[name].astype(text)
    return frame


def concat_batches(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """Batches joined; a column missing from some batch (a JSON key that appears late) is NA
    there, and every column but ``_row`` (and typed dates) stays text."""
    if len(frames) == 1:
        return frames[0]
    frame = pd.concat(frames, ignore_index=True)
    frame["_row"] = frame["_row"].astype("int64")
    text = text_dtype()
    for name in frame.columns:
        dtype = frame[name].dtype
        if name != "_row" and not pd.api.types.is_datetime64_any_dtype(dtype) and dtype != text:
            frame[name] = frame[name].astype(object).where(frame[name].notna(), None).astype(text)
    return frame
