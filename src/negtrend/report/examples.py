"""Example items behind a number: a few tagged posts per category and window, and why each was
tagged, so a reader can see what was counted.

Texts come from corpora and may hold anything, markup and bidi controls included;
``examples_html`` escapes every value (:func:`negtrend.report.html.escape`), so they are shown
as text and never run or reorder the page.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from negtrend.data import sample
from negtrend.data.calendar import WINDOW_ORDER
from negtrend.report import lang as languages
from negtrend.report.html import escape

COLUMNS = ["category", "window", "date", "text", "why"]
MAX_CHARS = 280


def window_of(dates: pd.Series, windows: pd.DataFrame) -> pd.Series:
    """The election window each date falls in ('outside' when none)."""
    days = pd.to_datetime(dates)
    if days.dt.tz is not None:
        days = days.dt.tz_localize(None)
    out = pd.Series("outside", index=dates.index, dtype=object)
    for row in windows.itertuples():
        out[(days >= row.start) & (days <= row.end)] = row.window
    return out


def example_items(data: pd.DataFrame, categories: list[str], windows: pd.DataFrame,
                  per_window: int = 3, seed: int = 0, why=None, lang: str = "en"
                  ) -> pd.DataFrame:
    """Up to ``per_window`` tagged posts per category and window, drawn reproducibly (the
    lowest seeded priorities, :mod:`negtrend.data.sample`), from posts in memory.

    ``why(text, category) -> str`` explains a tag (e.g. the lexicon terms that fired); without
    it the reason is the label column itself.
    """
    if "text" not in data or "date" not in data:
        return pd.DataFrame(columns=COLUMNS)
    if "_row" not in data:
        data = data.assign(_row=np.arange(1, len(data) + 1))
    kept = sample.reservoir(data, categories, per_window, seed)
    return from_reservoir(kept, categories, windows, per_window, why, lang)


def from_reservoir(kept: pd.DataFrame, categories: list[str], windows: pd.DataFrame,
                   per_window: int = 3, why=None, lang: str = "en") -> pd.DataFrame:
    """The examples of each category and window from a corpus's reservoir (the bottom-k per
    category and day that every engine keeps): the same items however the corpus was read."""
    label_reason = languages.get(lang).EXAMPLES["label"]
    where = window_of(kept["date"], windows) if len(kept) else pd.Series(dtype=object)
    rows = []
    for category in categories:
        tagged = kept[kept["category"] == category]
        for window in [*WINDOW_ORDER, "outside"]:
            part = tagged[where.loc[tagged.index] == window]
            if part.empty:
                continue
            for item in sample.lowest(part, per_window).itertuples():
                text = "" if pd.isna(item.text) else str(item.text)
                rows.append({
                    "category": category,
                    "window": window,
                    "date": pd.Timestamp(item.date).strftime("%Y-%m-%d"),
                    "text": text[:MAX_CHARS] + ("…" if len(text) > MAX_CHARS else ""),
                    "why": why(text, category) if why else label_reason.format(
                        category=category),
                })
    return pd.DataFrame(rows, columns=COLUMNS)


def lexicon_reason(backend, lang: str = "en"):
    """A ``why`` function for the lexicon backend: the terms that fired, with their file:line."""

    no_term = languages.get(lang).EXAMPLES["no_term"]

    def why(text: str, category: str) -> str:
        hits = [hit for hit in backend.explain(text) if hit["category"] == category]
        if not hits:
            return no_term
        return "; ".join(f"'{hit['text'].strip()}' ← {_entry_name(hit)} "
                         f"({Path(hit['file']).name}:{hit['line']})" for hit in hits[:5])

    return why


def _entry_name(hit: dict) -> str:
    """A term by its value; a long pattern by its kind (the file:line points to it)."""
    value = str(hit["value"])
    return value if len(value) <= 30 else str(hit["kind"])


def examples_html(frame: pd.DataFrame, lang: str = "en") -> str:
    """The examples as an HTML table; every cell escaped."""
    words = languages.get(lang)
    if frame.empty:
        return f"<p>{escape(words.EXAMPLES['empty'])}</p>"
    headers = words.EXAMPLES["headers"]
    head = "".join(f"<th>{escape(headers[c])}</th>" for c in COLUMNS)
    body = []
    for _, row in frame.iterrows():
        values = dict(row)
        values["window"] = words.WINDOWS.get(values["window"], values["window"])
        body.append("<tr>" + "".join(f"<td>{escape(str(values[c]))}</td>"
                                     for c in COLUMNS) + "</tr>")
    return (f'<table class="negtrend-examples"><thead><tr>{head}</tr></thead><tbody>'
            + "".join(body) + "</tbody></table>")
