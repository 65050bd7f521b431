"""The bundled published figures (``data/published/``), with a choice between conflicting values.

Where two sources published different values for the same period both are bundled; one is
marked ``preferred``. Loading keeps the preferred rows unless the caller names a ``variant``;
the rows not chosen are quarantined with the reason, so the accounting still adds up.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from negtrend.data import loading, paths

PREFIX = "published:"


def catalog() -> pd.DataFrame:
    """One row per bundled series: publisher, categories, unit, coverage, description."""
    return pd.read_csv(paths.published_dir() / "catalog.csv", dtype=str, keep_default_na=False)


def series_counts(source: str) -> str | None:
    """What a ``published:SERIES`` source counts, from the catalog's ``counts`` column:
    ``takedowns``, ``fact_checks``, ``monitoring``, ``complaints`` or ``share`` (the build
    script's ``COUNTS`` documents them); None for any other source or an unknown series."""
    spec = str(source)
    if not spec.startswith(PREFIX):
        return None
    table = catalog()
    found = table.loc[table["series_id"] == spec[len(PREFIX):], "counts"]
    return str(found.iloc[0]) if len(found) and found.iloc[0] else None


def published_path(series_id: str) -> Path:
    path = paths.published_dir() / f"{series_id}.csv"
    if not path.exists():
        known = ", ".join(catalog()["series_id"])
        raise loading.LoadError(f"no bundled published series '{series_id}'; known: {known}")
    return path


def variants(series_id: str) -> list[str]:
    table = pd.read_csv(published_path(series_id), dtype=str, keep_default_na=False)
    return sorted(v for v in set(table["variant"]) if v)


def load_published(series_id: str, variant: str | None = None) -> loading.LoadResult:
    """Read one bundled series as counts; conflicting rows resolved by ``variant``."""
    path = published_path(series_id)
    loaded = loading.read_counts(path)
    data = loaded.data
    available = sorted(v for v in set(data["variant"].fillna("").astype(str)) if v)
    if variant:
        if variant not in available:
            raise loading.LoadError(f"{path}: variant '{variant}' not in series '{series_id}'; "
                                    f"available: {available or 'none (no conflicts)'}")
        keep = data["variant"].fillna("").astype(str).isin(["", variant])
        reason = f"another release of the same figure; variant '{variant}' was chosen"
    else:
        keep = data["preferred"].fillna("").astype(str).str.lower().isin(["true", "1"])
        reason = "another release of the same figure; the preferred value was used " \
                 "(choose with variant=...)"
    set_aside = data[~keep]
    extra = pd.DataFrame({
        "_row": set_aside["_row"].to_numpy(),
        "column": "variant",
        "value": set_aside["variant"].fillna("").astype(str).to_numpy(),
        "reason_code": "other_variant",
        "reason": reason,
    })
    quarantine = pd.concat([loaded.quarantine, extra], ignore_index=True)
    result = dataclasses.replace(loaded, data=data[keep].reset_index(drop=True),
                                 quarantine=quarantine, source=PREFIX + series_id)
    assert result.n_kept + result.n_quarantined == result.n_read
    return result
