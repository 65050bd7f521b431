"""Reproducible example items at any scale: bottom-k sampling by a seeded hash.

Every kept post gets a priority, a 64-bit hash of (seed, file number, record number). The ``k``
posts of lowest priority in a set are a uniform sample of it without replacement, and the
bottom-k of a union is the bottom-k of the members' bottom-k sets. So a corpus streamed batch
by batch, file by file or on a cluster keeps only the ``k`` lowest per category and day (a few
thousand rows), and the examples of any window are drawn from those exactly as if from every
post in it: the same items whatever the engine, batch size or order of the files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COLUMNS = ["category", "date", "_file", "_row", "priority", "text"]
_M1, _M2 = np.uint64(0xBF58476D1CE4E5B9), np.uint64(0x94D049BB133111EB)


def priority(seed: int, files, rows) -> np.ndarray:
    """splitmix64 of (seed, file, row): independent of how the corpus was split or ordered."""
    with np.errstate(over="ignore"):
        x = (np.asarray(rows, dtype=np.int64).astype(np.uint64) * np.uint64(0x9E3779B97F4A7C15)
             ^ (np.asarray(files, dtype=np.int64).astype(np.uint64) << np.uint64(40))
             ^ (np.uint64(int(seed) & 0xFFFFFFFF) * np.uint64(0xD1B54A32D192ED69)))
        x ^= x >> np.uint64(30)
        x *= _M1
        x ^= x >> np.uint64(27)
        x *= _M2
        x ^= x >> np.uint64(31)
    return x


def empty() -> pd.DataFrame:
    return pd.DataFrame({"category": pd.Series(dtype=object),
                         "date": pd.Series(dtype="datetime64[ns]"),
                         "_file": pd.Series(dtype="int64"), "_row": pd.Series(dtype="int64"),
                         "priority": pd.Series(dtype="uint64"), "text": pd.Series(dtype=object)})


def reservoir(posts: pd.DataFrame, categories: list[str], k: int, seed: int,
              file_number: int | np.ndarray = 0) -> pd.DataFrame:
    """The ``k`` lowest-priority tagged posts per category and day of ``posts`` (columns
    ``date``, ``_row``, ``text`` and the boolean categories)."""
    if k <= 0 or not len(posts) or "text" not in posts:
        return empty()
    files = np.broadcast_to(np.asarray(posts.get("_file", file_number), dtype=np.int64),
                            (len(posts),))
    rows = posts["_row"].to_numpy()
    days = posts["date"].to_numpy("datetime64[ns]")
    parts = []
    for category in categories:
        if category not in posts:
            continue
        tagged = np.flatnonzero(posts[category].to_numpy(dtype=bool, na_value=False))
        if not len(tagged):
            continue
        chosen = _lowest_per_day(days[tagged], priority(seed, files[tagged], rows[tagged]), k)
        at = tagged[chosen]
        parts.append(pd.DataFrame({
            "category": category, "date": days[at], "_file": files[at], "_row": rows[at],
            "priority": priority(seed, files[at], rows[at]),
            "text": posts["text"].iloc[at].astype(object).to_numpy()}))
    # each part is already the bottom-k of its category per day: joining them is enough
    return pd.concat(parts, ignore_index=True)[COLUMNS] if parts else empty()


def _lowest_per_day(days: np.ndarray, keys: np.ndarray, k: int) -> np.ndarray:
    """Positions of the ``k`` lowest keys of each day (numpy: a batch has few tagged rows per
    day, and this runs once per category and batch)."""
    order = np.lexsort((keys, days))
    sorted_days = days[order]
    starts = np.flatnonzero(np.r_[True, sorted_days[1:] != sorted_days[:-1]])
    rank = np.arange(len(order)) - np.repeat(starts, np.diff(np.r_[starts, len(order)]))
    return order[rank < k]


def merge(parts: list[pd.DataFrame], k: int) -> pd.DataFrame:
    """Reservoirs of parts of a corpus -> the corpus's reservoir (bottom-k per category, day)."""
    parts = [p for p in parts if len(p)]
    if not parts:
        return empty()
    joined = pd.concat(parts, ignore_index=True).sort_values(
        ["category", "date", "priority"], kind="stable")
    kept = joined.groupby(["category", "date"], sort=False).head(k)
    return kept.reset_index(drop=True)[COLUMNS]


def lowest(candidates: pd.DataFrame, k: int) -> pd.DataFrame:
    """The ``k`` lowest-priority rows of ``candidates``, in source order (file, row)."""
    chosen = candidates.sort_values("priority", kind="stable").head(k)
    return chosen.sort_values(["_file", "_row"], kind="stable")
