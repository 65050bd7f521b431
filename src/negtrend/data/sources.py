"""Resolve a data source - a file path or ``published:SERIES`` - to a loaded table."""

from __future__ import annotations

from pathlib import Path

from negtrend.data import loading, published, readers

COUNT_COLUMNS = {"count", "value"}


def detect_kind(path: str | Path, column_map: dict[str, str] | None = None, *,
                encoding: str | None = None, sheet: str | int | None = None) -> str:
    """``counts`` when the table has a category and a count (or value) column, else ``posts``.

    The columns are read as the loader reads them: decompressed, decoded (a UTF-16 header
    too), and for JSONL the keys of the first objects, skipping lines that are not JSON."""
    mapped = set((column_map or {}).keys())
    columns = set(readers.peek_columns(path, encoding=encoding, sheet=sheet)) | mapped
    if "category" in columns and columns & COUNT_COLUMNS:
        return "counts"
    return "posts"


def load_source(
    data: str | Path,
    kind: str = "auto",
    column_map: str | dict | None = None,
    tz: str = loading.DEFAULT_TZ,
    encoding: str | None = None,
    timestamp_format: str | None = None,
    variant: str | None = None,
    require_text: bool = True,
    sheet: str | int | None = None,
    constants: dict | None = None,
    fmt: str | readers.Layout | None = None,
    naive_tz: str | None = None,
) -> loading.LoadResult:
    """Load posts or counts from a path, or a bundled published series. ``sheet``: the XLSX
    sheet to read, or ``"*"`` for all (a workbook of several needs one); ``fmt``: how to read
    the file when not as its name says; ``naive_tz``: the zone of its times written without
    an offset, when not ``tz`` (a format may say)."""
    spec = str(data)
    if spec.startswith(published.PREFIX):
        return published.load_published(spec[len(published.PREFIX):], variant=variant)
    if variant:
        raise loading.LoadError(f"{spec}: variant applies only to published:SERIES sources")
    mapping = loading.parse_column_map(column_map)
    path = Path(spec)
    if not path.exists():
        raise loading.LoadError(f"{spec}: file not found")
    if kind == "auto":
        kind = detect_kind(path, mapping, encoding=encoding, sheet=sheet)
    if kind == "counts":
        return loading.read_counts(path, column_map=mapping, encoding=encoding, sheet=sheet,
                                   constants=constants, fmt=fmt)
    if kind == "posts":
        return loading.read_posts(path, column_map=mapping, tz=tz, encoding=encoding,
                                  timestamp_format=timestamp_format, require_text=require_text,
                                  sheet=sheet, fmt=fmt, naive_tz=naive_tz)
    raise loading.LoadError(f"kind must be auto, posts or counts, got {kind!r}")
