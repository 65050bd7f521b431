"""How precise a timestamp is, and whether that is precise enough to count it in a period.

Some exports compute a timestamp from a relative phrase: youtube-comment-downloader turns
"3 weeks ago" into seconds since 1970, so the number looks exact but the comment may have
been written on any of seven days. Such an item is only as precise as the phrase's unit. A
series that counts by day cannot place a comment known to the week: counting it in one day
would put it in a period it may not belong to. The series sets it aside as
``coarse_timestamp`` (:func:`negtrend.data.series.from_posts`), and the data table says how
many; at a coarser frequency the same item is counted.

An item's precision travels in the ``timestamp_precision`` column, a unit of :data:`UNITS`
(or ``unknown``: a phrase that cannot be read is not precise to anything).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

COLUMN = "timestamp_precision"
UNKNOWN = "unknown"

UNITS = {"second": 1 / 86400, "minute": 1 / 1440, "hour": 1 / 24, "day": 1.0, "week": 7.0,
         "month": 30.0, "year": 365.0}
"""Each unit's length in days."""

FREQ_DAYS = {"D": 1.0, "W": 7.0, "M": 28.0}
"""The shortest length of each frequency's period, in days."""
PERIODS = {"D": "day", "W": "week", "M": "month"}

REASON_CODE = "coarse_timestamp"

_WORDS = {  # English as the tool writes it; Indonesian as YouTube writes it in id
    "second": "second|sec|detik", "minute": "minute|min|menit", "hour": "hour|jam",
    "day": "day|hari", "week": "week|minggu", "month": "month|bulan", "year": "year|tahun",
}
_UNIT_OF = {word: unit for unit, words in _WORDS.items() for word in words.split("|")}
_RELATIVE = re.compile(
    r"^\s*(?:\d+|an?|se)\s*(" + "|".join(sorted(_UNIT_OF, key=len, reverse=True))
    + r")s?\s+(?:ago|yang\s+lalu|lalu)\b", re.IGNORECASE)
_NOW = re.compile(r"^\s*(?:just\s+now|baru\s+saja)\b", re.IGNORECASE)


def relative_unit(phrase) -> str:
    """The unit a relative time is given in: ``"3 weeks ago"`` -> ``week``, ``"2 tahun yang
    lalu (diedit)"`` -> ``year``, ``"just now"`` -> ``second``; ``unknown`` otherwise."""
    if not isinstance(phrase, str):
        return UNKNOWN
    if _NOW.match(phrase):
        return "second"
    found = _RELATIVE.match(phrase)
    return _UNIT_OF[found.group(1).lower()] if found else UNKNOWN


def relative_units(phrases: pd.Series) -> pd.Series:
    """:func:`relative_unit` of each phrase (computed once per distinct phrase)."""
    distinct = {value: relative_unit(value) for value in phrases.dropna().unique()}
    return phrases.map(distinct).fillna(UNKNOWN).astype(object)


def too_coarse(precision: pd.Series, freq: str) -> np.ndarray:
    """True where an item's precision is a unit as long as the frequency's period or longer
    (or unknown): it could belong to the period before or after the one its timestamp says."""
    days = precision.map(UNITS).astype(float).to_numpy()
    return np.isnan(days) | (days >= FREQ_DAYS[freq])


def finest_freq(unit: str) -> str | None:
    """The finest frequency that can count an item of this precision (None: none can)."""
    days = UNITS.get(unit)
    if days is None:
        return None
    usable = [freq for freq, length in FREQ_DAYS.items() if days < length]
    return min(usable, key=FREQ_DAYS.get) if usable else None


def reason(unit: str, freq: str) -> str:
    """Why an item of this precision is not counted at ``freq``."""
    finer = finest_freq(unit)
    known = (f"timestamp precise only to a {unit}" if unit != UNKNOWN
             else "timestamp of unknown precision")
    return (f"{known}, too coarse to place in one {PERIODS[freq]}"
            + (f" (countable at freq {finer})" if finer else ""))


def set_aside(loaded, freq: str):
    """A :class:`~negtrend.data.loading.LoadResult` whose posts too coarse for ``freq`` are
    quarantined (``coarse_timestamp``): for a table of counts per day that a later series
    may read at any frequency (``negtrend count``)."""
    import dataclasses

    data = loaded.data
    if COLUMN not in data.columns:
        return loaded
    coarse = too_coarse(data[COLUMN], freq)
    if not coarse.any():
        return loaded
    rows = data[coarse]
    extra = pd.DataFrame({"_row": rows["_row"].astype("int64").to_numpy(), "column": COLUMN,
                          "value": rows[COLUMN].to_numpy(), "reason_code": REASON_CODE,
                          "reason": [reason(unit, freq) for unit in rows[COLUMN]]})
    quarantine = pd.concat([loaded.quarantine, extra], ignore_index=True)
    quarantine = quarantine.sort_values("_row", kind="stable").reset_index(drop=True)
    return dataclasses.replace(loaded, data=data[~coarse].reset_index(drop=True),
                               quarantine=quarantine)
