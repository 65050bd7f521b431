"""The error the data readers raise for a problem with a whole file."""

from __future__ import annotations

from negtrend.errors import NegtrendError


class LoadError(NegtrendError, ValueError):
    """A whole-file problem: the message names the file, the column and what was expected."""


class SeriesError(NegtrendError, ValueError):
    """The data cannot make a series as asked: a bad frequency, or nothing inside the span."""


class UnknownCategoryError(SeriesError, KeyError):
    """A category asked for is not in the data (a KeyError too, for code that looks one up)."""

    __str__ = Exception.__str__  # the message as written, not KeyError's quoted repr
