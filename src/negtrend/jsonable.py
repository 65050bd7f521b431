"""One conversion of results to JSON-safe values: numpy scalars to Python, NaN/inf to null."""

from __future__ import annotations

import math

import numpy as np


def jsonable(value):
    """Recursively: dicts, lists, tuples and arrays walked; numpy scalars unwrapped; non-finite
    floats become None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
