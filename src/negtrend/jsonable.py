"""One conversion of results to JSON-safe values: numpy scalars to Python, NaN/inf to null."""

from __future__ import annotations

import dataclasses
import math

import numpy as np


def jsonable(value):
    """Recursively: dicts, lists, tuples, arrays and dataclasses (e.g. analysis notes) walked;
    numpy scalars unwrapped; non-finite floats become None (JSON has no NaN)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(v) for v in value]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return jsonable({f.name: getattr(value, f.name) for f in dataclasses.fields(value)})
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value
