"""XLSX workbooks read as raw text columns, one sheet or all of them, never a silent choice
of the first of several."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from negtrend.data.columns import clean_names, concat_batches, text_dtype
from negtrend.data.errors import LoadError

ALL_SHEETS = "*"
"""``sheet=ALL_SHEETS`` reads every sheet of a workbook, with ``sheet`` and ``sheet_row``."""


def open_workbook(path: Path):
    """An open ``pandas.ExcelFile``, or a LoadError naming the file."""
    try:
        return pd.ExcelFile(path)
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        raise
    except ImportError as err:
        raise LoadError(f"{path}: cannot read this spreadsheet format ({err}); "
                        "save it as .xlsx") from None
    except Exception as err:  # noqa: BLE001 - openpyxl and zipfile raise many types
        raise LoadError(f"{path}: not a readable XLSX workbook ({type(err).__name__}: {err})"
                        ) from None


def chosen_sheets(path: Path, names: list[str], sheet) -> list[str]:
    """The sheets to read. With no sheet named, a workbook of one sheet is read; one of
    several is an error listing them, never a silent choice of the first."""
    if sheet == ALL_SHEETS:
        return list(names)
    if sheet is None:
        if len(names) == 1:
            return list(names)
        raise LoadError(f"{path}: the workbook has {len(names)} sheets {names}; name one "
                        f"(sheet=NAME, --sheet NAME) or read them all with sheet='*'")
    if sheet in names:
        return [sheet]
    if isinstance(sheet, str) and sheet.isdigit():  # "0" from a command line: an index
        sheet = int(sheet)
    if isinstance(sheet, int) and not isinstance(sheet, bool) and 0 <= sheet < len(names):
        return [names[sheet]]
    raise LoadError(f"{path}: no sheet {sheet!r}; sheets: {names}")


def _sheet_frame(book, path: Path, name: str) -> tuple[pd.DataFrame, int, list[str]]:
    """(frame, rows in the sheet counting empty ones, notes); cells as text, dates as ISO
    strings; fully empty rows are skipped, not counted."""
    try:
        frame = pd.read_excel(book, sheet_name=name, dtype=str)
    except Exception as err:  # noqa: BLE001 - openpyxl raises many types on damaged sheets
        raise LoadError(f"{path}: cannot read sheet {name!r} ({type(err).__name__}: {err})"
                        ) from None
    columns, notes = clean_names(list(frame.columns))
    frame.columns = columns
    size = len(frame)
    frame.insert(0, "_row", np.arange(1, size + 1, dtype=np.int64))
    frame = frame[frame.drop(columns="_row").notna().any(axis=1)].reset_index(drop=True)
    for column in columns:
        text = frame[column].astype(text_dtype())
        frame[column] = text.mask(text == "")
    return frame, size, notes


def read_xlsx(path: Path, sheet) -> tuple[pd.DataFrame, tuple[str, ...], list[str]]:
    """One sheet as it is; with ``sheet=ALL_SHEETS`` every sheet, stacked sheet after sheet,
    with the columns ``sheet`` and ``sheet_row`` (the record number within the sheet) and a
    ``_row`` that keeps counting across sheets, so it stays unique."""
    with open_workbook(path) as book:
        names = chosen_sheets(path, book.sheet_names, sheet)
        parts = [(name, *_sheet_frame(book, path, name)) for name in names]
    notes = [f"sheet {name!r}: {note}" for name, _, _, found in parts for note in found]
    if sheet != ALL_SHEETS:
        return parts[0][1], tuple(names), notes
    frames, offset = [], 0
    for name, frame, size, _ in parts:
        meta = pd.DataFrame({"_row": frame["_row"] + offset,
                             "sheet": pd.Series(name, index=frame.index, dtype=text_dtype()),
                             "sheet_row": frame["_row"].astype(str).astype(text_dtype())},
                            index=frame.index)
        data = frame.drop(columns="_row")
        data.columns = clean_names(["sheet", "sheet_row", *data.columns])[0][2:]
        frames.append(pd.concat([meta, data], axis=1))
        offset += size
    return concat_batches(frames), tuple(names), notes


def sheet_columns(path: Path, sheet) -> list[str]:
    """The columns :func:`read_xlsx` would give, from the sheets' header rows only."""
    with open_workbook(path) as book:
        names = chosen_sheets(path, book.sheet_names, sheet)
        heads = [pd.read_excel(book, sheet_name=name, nrows=0).columns for name in names]
    extra = ["sheet", "sheet_row"] if sheet == ALL_SHEETS else []
    return extra + list(dict.fromkeys(c for head in heads for c in clean_names(list(head))[0]))
