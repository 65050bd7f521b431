"""One base for every error a user can cause: ``NegtrendError``.

Bad input, parameters or files raise a subclass that names the file, row, column or option and
what was expected (``LoadError``, ``CalendarError``, ``ClaimError``, ...). The command line
catches the base alone: it prints the message and exits 2, with no traceback. Anything else
is a bug and keeps its traceback.
"""

from __future__ import annotations


class NegtrendError(Exception):
    """A user error: the message says what is wrong and what was expected."""
