"""Labelled training files: texts and boolean label columns.

Reading files is the data layer's job, so the command line, the benchmarks and the tests share
this reader; the model only ever sees texts and a boolean frame.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from negtrend.data.errors import LoadError
from negtrend.data.labels import FALSE_WORDS, TRUE_WORDS, LabelError


def parse_label_specs(specs) -> dict[str, list[str]]:
    """``["HS", "sara=HS_Religion|HS_Race"]`` -> {"HS": ["HS"], "sara": [...]}."""
    items = [specs] if isinstance(specs, str) else list(specs)
    out: dict[str, list[str]] = {}
    for item in items:
        name, sep, cols = str(item).partition("=")
        columns = [c.strip() for c in (cols if sep else name).split("|")]
        name = name.strip()
        if not name or not all(columns):
            raise LabelError(f"label spec {item!r}: expected COL or NAME=COL1|COL2")
        if name in out:
            raise LabelError(f"label {name!r} given twice")
        out[name] = columns
    if not out:
        raise LabelError("no labels given")
    return out


def _parse_bool_column(values: pd.Series, rows: pd.Series, column: str, path) -> np.ndarray:
    text = values.astype(object).where(values.notna(), "").map(lambda v: str(v).strip().lower())
    good = text.isin(TRUE_WORDS | FALSE_WORDS)  # a blank is an error: every row needs a label
    if not good.all():
        first = int(np.flatnonzero(~good.to_numpy())[0])
        raise LoadError(f"{path}: row {int(rows.iloc[first])}, column {column!r}: value "
                         f"{values.iloc[first]!r} is not a label (use 1/0, true/false, yes/no)")
    return text.isin(TRUE_WORDS).to_numpy()


def read_labeled(path, text_col: str, label_specs) -> tuple[pd.Series, pd.DataFrame]:
    """Texts and boolean labels from a labelled file (any format ``readers.read_table`` reads).

    ``NAME=COL1|COL2`` is true where any of the columns is; rows with empty text are dropped and
    counted in ``labels.attrs`` (with the source row numbers), as are unreadable records. Both
    results are indexed by the source row number (``_row``).
    """
    from negtrend.data import readers  # when used: importing the model package loads no reader

    specs = parse_label_specs(label_specs)
    frame, raw_q, encoding, note = readers.read_table(path)
    needed = [text_col, *(c for cols in specs.values() for c in cols)]
    missing = [c for c in dict.fromkeys(needed) if c not in frame.columns]
    if missing:
        available = [c for c in frame.columns if c != "_row"]
        raise LoadError(f"{path}: no column(s) {missing}; columns are {available}")
    text = frame[text_col]
    empty = (text.isna() | (text.astype(object).fillna("").map(str).str.strip() == "")).to_numpy()
    kept = frame.loc[~empty]
    rows = kept["_row"]
    parsed = {c: _parse_bool_column(kept[c], rows, c, path) for c in dict.fromkeys(needed[1:])}
    labels = pd.DataFrame({name: np.logical_or.reduce([parsed[c] for c in cols])
                           for name, cols in specs.items()}, index=rows.to_numpy())
    labels.index.name = "_row"
    texts = pd.Series(kept[text_col].astype(object).to_numpy(), index=labels.index, name=text_col)
    labels.attrs = {
        "source": str(path), "encoding": encoding, "encoding_note": note,
        "rows_read": len(frame) + len(raw_q), "rows_kept": len(kept),
        "dropped_empty_text": int(empty.sum()),
        "dropped_rows": frame.loc[empty, "_row"].astype(int).tolist(),
        "unreadable_records": len(raw_q), "specs": specs,
    }
    return texts, labels
