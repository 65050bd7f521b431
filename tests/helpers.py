"""Small builders of loader-shaped frames, so tests of later steps do not depend on files."""

import numpy as np
import pandas as pd


def counts_frame(rows, category="hoax"):
    """rows: (period_start, period_end, count[, total]) tuples -> a read_counts-shaped frame."""
    records = []
    for i, row in enumerate(rows, start=1):
        start, end, count = pd.Timestamp(row[0]), pd.Timestamp(row[1]), float(row[2])
        total = float(row[3]) if len(row) > 3 else np.nan
        records.append({"_row": i, "period_start": start, "period_end": end,
                        "days": (end - start).days + 1, "category": category, "count": count,
                        "total": total, "source": ""})
    return pd.DataFrame(records)


def monthly_counts(first, values, category="hoax", totals=None):
    starts = pd.date_range(first, periods=len(values), freq="MS")
    ends = starts + pd.offsets.MonthEnd(0)
    totals = totals if totals is not None else [None] * len(values)
    rows = [(s, e, v) if t is None else (s, e, v, t)
            for s, e, v, t in zip(starts, ends, values, totals, strict=True)]
    return counts_frame(rows, category)


def windows_frame(spans):
    """spans: {window: (start, end)} -> a calendar.windows-shaped frame."""
    return pd.DataFrame([
        {"window": w, "start": pd.Timestamp(s), "end": pd.Timestamp(e),
         "days": (pd.Timestamp(e) - pd.Timestamp(s)).days + 1}
        for w, (s, e) in spans.items()
    ])
