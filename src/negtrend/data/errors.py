"""The error the data readers raise for a problem with a whole file."""

from __future__ import annotations

from negtrend.errors import NegtrendError


class LoadError(NegtrendError, ValueError):
    """A whole-file problem: the message names the file, the column and what was expected."""
