"""Which software produced a number: Python and package versions, recorded with every result."""

from __future__ import annotations

import functools
import platform
from importlib import metadata

STATS_PACKAGES = ("negtrend", "numpy", "pandas", "scipy", "statsmodels", "ruptures")


def package_versions(names=STATS_PACKAGES) -> dict:
    """Installed version of each package (None when it is not installed), and Python's."""
    return dict(_versions(tuple(names)))


@functools.lru_cache(maxsize=8)
def _versions(names: tuple) -> tuple:
    """Read once per process: simulations build thousands of results."""
    versions = {"python": platform.python_version()}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = None
    return tuple(versions.items())
