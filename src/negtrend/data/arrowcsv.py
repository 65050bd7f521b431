"""CSV/TSV split by Arrow's parser, for files that it splits exactly as the csv module does.

:class:`negtrend.data.readers.TableStream` reads delimited text with Python's csv module, a
record at a time, keeping each record's source lines for the quarantine: exact, and about
3.5 s for a million posts, most of a report's data stage. Most files need none of that care:
every record has the header's number of fields, no field is too large, and every quote is
where RFC 4180 puts it. Such a file is split here by Arrow's CSV parser instead (about four
times faster), into the same frames: the same columns, text, missing values, record numbers
and batches. Anything else is read by the csv module, as before.

Where the two parsers could differ, the file is left to the csv module; this is decided
before any batch is handed out, by two passes over the file:

1. :func:`plain_quoting`, on the bytes: no NUL byte; every quote opens a field (after a
   delimiter, a line break or the start of the file), closes one (before a delimiter, a line
   break or the end of the file), or is doubled inside a quoted field; no quote is left open
   at the end. (The csv module, not strict, and Arrow read misplaced quotes differently.)
2. :func:`fits`, Arrow's parse itself: every record has the header's number of fields (the
   csv module would quarantine the others as ``bad_fields``) and no field is longer than
   ``max_field`` characters (``field_too_large``).

The caller also requires the header to be the file's first line and the text to be valid
UTF-8 (the encoding chosen is UTF-8, strict). Blank lines are skipped by both parsers and
numbered by neither; quoted fields may hold line breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

from negtrend.data.errors import LoadError

CHUNK = 1 << 24  # bytes examined at a time by plain_quoting
BLOCK = 1 << 22  # Arrow's block size
_QUOTE = ord('"')


def plain_quoting(stream, delimiter: str) -> bool:
    """Whether every quote of ``stream`` (binary) sits where RFC 4180 puts it, no byte is NUL
    and no quote is left open at the end; ``delimiter`` is one ASCII character."""
    edge = np.zeros(256, bool)  # bytes that may stand beside a field's quote
    edge[[ord(delimiter), ord("\n"), ord("\r")]] = True
    inside = False  # in a quoted field at the start of the block
    previous = ord("\n")  # the byte before the block (the start of the file is a line start)
    closed_at_end = False  # the block before ended with a closing quote
    while block := stream.read(CHUNK):
        data = np.frombuffer(block, np.uint8)
        if closed_at_end and not (edge[data[0]] or data[0] == _QUOTE):
            return False
        if not data.all():  # a NUL byte
            return False
        quotes = np.flatnonzero(data == _QUOTE)
        if len(quotes):
            opens = (np.arange(len(quotes)) % 2 == 0) != inside
            before = data[np.maximum(quotes - 1, 0)]
            if quotes[0] == 0:
                before[0] = previous
            opening = before[opens]
            if not np.all(edge[opening] | (opening == _QUOTE)):
                return False
            within = quotes + 1 < len(data)
            closing = data[quotes[~opens & within] + 1]
            if not np.all(edge[closing] | (closing == _QUOTE)):
                return False
            closed_at_end = bool(not opens[-1] and not within[-1])
            inside = inside != (len(quotes) % 2 == 1)
        else:
            closed_at_end = False
        previous = int(data[-1])
    return not inside


def no_nul(stream) -> bool:
    """Whether ``stream`` (binary) holds no NUL byte: what an unquoted file must meet for
    Arrow to split it as the csv module does."""
    while block := stream.read(CHUNK):
        if not np.frombuffer(block, np.uint8).all():
            return False
    return True


def _reader(stream, width: int, delimiter: str, invalid: list, header: bool = True,
            quoting: bool = True):
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"f{i}" for i in range(width)]

    def skip(row) -> str:
        invalid.append(row.number)
        return "skip"

    return pacsv.open_csv(
        stream,
        read_options=pacsv.ReadOptions(skip_rows=1 if header else 0, column_names=names,
                                       block_size=BLOCK),
        parse_options=pacsv.ParseOptions(
            delimiter=delimiter, quote_char='"' if quoting else False, double_quote=quoting,
            escape_char=False, newlines_in_values=quoting, ignore_empty_lines=True,
            invalid_row_handler=skip),
        convert_options=pacsv.ConvertOptions(
            column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False,
            quoted_strings_can_be_null=False, check_utf8=True))


def fits(open_stream: Callable, width: int, delimiter: str, max_field: int,
         header: bool = True, quoting: bool = True) -> bool:
    """Whether Arrow splits every record after the first line (every line: no ``header``)
    into ``width`` fields of at most ``max_field`` characters (``open_stream()``: a fresh
    binary stream of the file; ``quoting``: False where quotes are ordinary characters)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    invalid: list = []
    try:
        with open_stream() as stream:
            for batch in _reader(stream, width, delimiter, invalid, header, quoting):
                if invalid:
                    return False
                for column in batch.columns:
                    if len(column) and pc.max(pc.binary_length(column)).as_py() > max_field \
                            and pc.max(pc.utf8_length(column)).as_py() > max_field:
                        return False
    except (pa.ArrowException, OSError, UnicodeError):
        return False
    return not invalid


def batches(open_stream: Callable, width: int, delimiter: str, batch_size: int, name: str,
            header: bool = True, quoting: bool = True) -> Iterator[tuple[int, list]]:
    """``(first record number, [one string array per column])`` for every ``batch_size``
    records, the last with the rest (empty only when the file has no record), as the csv
    module's reader hands them out. Call only for a file that :func:`fits`."""
    import pyarrow as pa

    held: list = []  # record batches not yet handed out
    count = 0  # records in ``held``
    first = 1

    def take(n: int) -> list:
        """The first ``n`` held records, one (chunked) array per column."""
        nonlocal count
        out = []
        while n:
            batch = held[0]
            if batch.num_rows <= n:
                out.append(held.pop(0))
                n -= batch.num_rows
                count -= batch.num_rows
            else:
                out.append(batch.slice(0, n))
                held[0] = batch.slice(n)
                count -= n
                n = 0
        return pa.Table.from_batches(out, schema=schema).columns

    invalid: list = []
    with open_stream() as stream:
        reader = _reader(stream, width, delimiter, invalid, header, quoting)
        schema = reader.schema
        for batch in reader:
            held.append(batch)
            count += batch.num_rows
            while count > batch_size:  # a record follows: this batch is full
                yield first, take(batch_size)
                first += batch_size
    if invalid:  # the file changed since it was checked
        raise LoadError(f"{name}: the file changed while it was read")
    columns = take(count) if count else [pa.array([], pa.string()) for _ in schema]
    yield first, columns
