"""Every parameter value a run can be checked for before a notebook kernel starts.

A typo in an election, a frequency, a category, a label rule or a column name is the user's
error, raised here (a ``NegtrendError``) before any run folder or index entry exists, so a
rejected report costs a second, not a kernel and a failed run. What only a full read of the
data can tell (a timestamp that does not parse) is left to the run.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from negtrend.corpus.options import ENGINES, is_memory_size
from negtrend.errors import NegtrendError

KINDS = ("auto", "posts", "counts")


class ParameterError(NegtrendError, ValueError):
    """Parameters that do not match the template, or values that cannot work; raised before
    anything runs."""


def check_values(params: dict) -> None:
    """Raise the error of the first parameter value that cannot work: names (election,
    windows, frequency, language, claim, kind, time zone, classifier), numbers and switches,
    then what the data can be checked for: the column map against the file's header, every
    label rule against its columns, and every category against what the data can count."""
    _check_names(params)
    _check_numbers(params)
    if params.get("data"):
        _check_data(params)


def _stamp(path: Path) -> tuple:
    try:
        stat = path.stat()
    except OSError:
        return (str(path), None)
    return (str(path), stat.st_size, stat.st_mtime_ns)


@functools.lru_cache(maxsize=256)
def _passed(check, value, stamp: tuple) -> bool:
    check(value)  # raises for a bad value; only a value that passed is remembered
    return True


def _check_once(check, value, config: Path) -> None:
    """``check(value)``, done once per value while the config file it reads is unchanged: a
    sweep of hundreds of runs reads elections.yaml once, not once a run."""
    _passed(check, value, _stamp(config))


def _check_names(params: dict) -> None:
    from negtrend.data import calendar, claims, paths, series
    from negtrend.report import lang as languages

    for name in ("election", "compare_election"):
        if params.get(name):
            _check_once(calendar.get_election, params[name], calendar.default_path())
    for name in ("baseline", "window"):
        if params.get(name) is not None and params[name] not in calendar.WINDOW_ORDER:
            raise ParameterError(f"{name}: expected one of {calendar.WINDOW_ORDER}, "
                                 f"got {params[name]!r}")
    try:
        if params.get("freq") is not None:
            series.check_freq(params["freq"])
        if params.get("lang") is not None:
            languages.get(params["lang"])
    except ValueError as exc:
        raise ParameterError(str(exc)) from None
    if params.get("claim"):
        _check_once(claims.get_claim, params["claim"], paths.config_dir() / "claims.yaml")
    if params.get("kind") is not None and params["kind"] not in KINDS:
        raise ParameterError(f"kind: expected one of {KINDS}, got {params['kind']!r}")
    if params.get("timezone") is not None:
        _check_timezone(params["timezone"])
    if params.get("classifier"):
        _classifier_categories(str(params["classifier"]))


def _check_timezone(zone) -> None:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(str(zone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ParameterError(f"timezone: unknown time zone {zone!r} (e.g. Asia/Jakarta, "
                             "Asia/Makassar, UTC)") from None


@functools.lru_cache(maxsize=16)
def _classifier_categories(spec: str) -> tuple[str, ...]:
    """The categories a classifier tags (lexicon or a saved model); ClassifyError if neither."""
    from negtrend.tagging import classify

    return tuple(classify.backend_categories(spec))


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


POWER_METHODS = ("auto", "analytic", "simulate")  # analysis.power.METHODS (kept light here)

# name -> (test of an accepted value, what is expected); None passes where it means "default"
NUMBERS = {
    "alpha": (lambda v: _is_number(v) and 0 < v < 1, "a number between 0 and 1"),
    "min_share": (lambda v: _is_number(v) and 0 < v <= 1, "a number in (0, 1]"),
    "before_days": (lambda v: v is None or (_is_int(v) and v >= 1), "a whole number >= 1"),
    "after_days": (lambda v: v is None or (_is_int(v) and v >= 1), "a whole number >= 1"),
    "span_margin_days": (lambda v: v is None or (_is_int(v) and v >= 0),
                         "a whole number >= 0, or null"),
    "placebo_step": (lambda v: v is None or (_is_int(v) and v >= 1), "a whole number >= 1"),
    "power_simulations": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "power_method": (lambda v: v in POWER_METHODS, "one of " + ", ".join(POWER_METHODS)),
    "examples_per_window": (lambda v: _is_int(v) and v >= 0, "a whole number >= 0"),
    "seed": (_is_int, "a whole number"),
    "complete_feed": (lambda v: v is None or isinstance(v, bool), "true, false or null"),
    "its_at_voting": (lambda v: isinstance(v, bool), "true or false"),
    "keep_going": (lambda v: isinstance(v, bool), "true or false"),
    "engine": (lambda v: v in ENGINES, "one of " + ", ".join(ENGINES)),
    "scheduler": (lambda v: v is None or v == "local" or (isinstance(v, str) and "://" in v),
                  "null, 'local' or an address such as tcp://HOST:8786"),
    "memory_limit": (lambda v: v is None or is_memory_size(v),
                     "null or a size such as 512MB or 2GB"),
    "categories": (lambda v: isinstance(v, list) and all(isinstance(c, str) and c for c in v),
                   "a list of category names"),
}


def _check_numbers(params: dict) -> None:
    for name, (accepted, expected) in NUMBERS.items():
        if name in params and not accepted(params[name]):
            raise ParameterError(f"{name}: expected {expected}, got {params[name]!r}")
    _check_tagging_error(params.get("tagging_error"))


def _check_tagging_error(stated) -> None:
    """category -> {"precision": p, "recall": r, ...} with p and r in (0, 1]."""
    if not stated:
        return
    if not isinstance(stated, dict):
        raise ParameterError(f"tagging_error: expected category -> {{precision, recall}}, "
                             f"got {stated!r}")
    for category, rates in stated.items():
        for key in ("precision", "recall"):
            value = rates.get(key) if isinstance(rates, dict) else None
            if not (_is_number(value) and 0 < value <= 1):
                raise ParameterError(f"tagging_error for '{category}': {key} must be a number "
                                     f"in (0, 1], got {value!r}")


@dataclass(frozen=True)
class DataShape:
    """What a source offers before it is loaded: its kind, its columns and, for counts, its
    categories."""

    kind: str
    columns: tuple[str, ...]
    categories: tuple[str, ...] = ()


def data_shape(data: str, kind: str = "auto", column_map: tuple = (),
               variant: str | None = None, sheet: str | int | None = None) -> DataShape:
    """The source's kind and header; counts are read (they are small) for their categories.
    Cached by the file's size and time, so a sweep of many runs over one file reads it once."""
    # published:SERIES, or a file that is gone, has no size (the read below says so)
    return _data_shape(data, _stamp(Path(data)), kind, column_map, variant, sheet)


@functools.lru_cache(maxsize=64)
def _data_shape(data: str, version, kind: str, column_map: tuple,
                variant: str | None, sheet: str | int | None) -> DataShape:
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data import published, readers, sources

    mapping = dict(column_map)
    if corpus_inputs.is_corpus(data):
        return _corpus_shape(data, mapping)
    is_published = data.startswith(published.PREFIX)
    path = (published.published_path(data[len(published.PREFIX):]) if is_published
            else Path(data))
    columns = tuple(readers.peek_columns(path, sheet=sheet))
    if not is_published:
        _check_column_map(mapping, columns, data)
    if kind == "auto":
        kind = "counts" if is_published else sources.detect_kind(path, mapping, sheet=sheet)
    if kind != "counts":
        return DataShape(kind, columns)
    loaded = sources.load_source(data, kind="counts", column_map=mapping or None,
                                 variant=variant, sheet=sheet)
    found = loaded.data["category"].astype(str) if len(loaded.data) else []
    return DataShape(kind, columns, tuple(dict.fromkeys(found)))


def _corpus_shape(data: str, mapping: dict) -> DataShape:
    """A glob or folder of posts: every file's header is checked against the column map (a
    file lacking a mapped column is named), and the columns are those of all files."""
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data.loading import LoadError

    files = corpus_inputs.expand(data)
    try:
        corpus_inputs.mappings(files, mapping or None)
    except LoadError as exc:
        raise ParameterError(str(exc)) from None
    columns = {name for item in files for name in
               [*corpus_inputs.readers.peek_columns(item.path), *item.partitions]}
    return DataShape("posts", tuple(sorted(columns)))


def _check_column_map(mapping: dict, columns: tuple, data: str) -> None:
    for canonical, source in mapping.items():
        if source not in columns:
            raise ParameterError(f"column map: '{source}' (mapped to '{canonical}') is not a "
                                 f"column of {data}; columns are {sorted(columns)}")


def _check_data(params: dict) -> None:
    """The column map, label rules and categories against the data's header (and, for counts,
    its categories)."""
    from negtrend.data import labels, loading, published

    data = str(params["data"])
    variant = params.get("variant")
    if variant and not data.startswith(published.PREFIX):
        raise ParameterError(f"variant applies only to published:SERIES sources, not {data}")
    if variant:
        known = published.variants(data[len(published.PREFIX):])
        if variant not in known:
            raise ParameterError(f"field 'variant': '{variant}' not in {data}; "
                                 f"available: {known or 'none (no conflicts)'}")
    mapping = loading.parse_column_map(params.get("column_map"))
    how = _format_plan(data, params, mapping)
    if how is not None:
        shape, rules = _preset_shape(data, how, params.get("sheet")), how.labels
    else:
        shape = data_shape(data, params.get("kind") or "auto", tuple(sorted(mapping.items())),
                           variant, params.get("sheet"))
        rules = labels.parse_rules(params.get("labels"))
    available = sorted(set(shape.columns) | set(mapping) | {"date", "timestamp"})
    if rules:
        labels.check_columns(rules, available, data)
    _check_categories(list(params.get("categories") or []), shape, rules,
                      params.get("classifier"), data)


def _format_plan(data: str, params: dict, mapping: dict):
    """A single file in a collection tool's format (``preset``, or detected from its header):
    how it will be read (``corpus.inputs.format_plan``, as the report will); an unknown
    preset, or a header no preset and no map can read, is named here."""
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data import formats
    from negtrend.data.loading import LoadError

    preset = params.get("preset")
    try:
        if preset:
            formats.get_preset(str(preset))
        return corpus_inputs.format_plan(
            data, preset=preset, column_map=mapping,
            timestamp_format=params.get("timestamp_format"), labels_spec=params.get("labels"),
            kind=params.get("kind") or "auto", sheet=params.get("sheet"))
    except LoadError as exc:
        raise ParameterError(str(exc)) from None


def _preset_shape(data: str, how, sheet) -> DataShape:
    from negtrend.corpus import inputs as corpus_inputs
    from negtrend.data import readers, sources

    # the (first) file's columns and those the format derives from them (GDELT's tone), which
    # label rules may read too
    first = corpus_inputs.expand(data)[0].path if corpus_inputs.is_corpus(data) else data
    columns = tuple(readers.peek_columns(first, sheet=sheet, fmt=how.fmt)) + tuple(
        how.preset.derive)
    if how.kind != "counts":
        return DataShape("posts", columns)
    loaded = sources.load_source(data, kind="counts", column_map=how.column_map, sheet=sheet,
                                 constants=how.preset.constants, fmt=how.fmt)
    found = loaded.data["category"].astype(str) if len(loaded.data) else []
    return DataShape("counts", columns, tuple(dict.fromkeys(found)))


def _check_categories(categories: list[str], shape: DataShape, rules: dict, classifier,
                      data: str) -> None:
    """Counts: each category is one of the data's. Posts: each is a label rule's, the
    classifier's, or a (boolean) column of the file."""
    if not categories:
        return
    if shape.kind == "counts":
        known, where = list(shape.categories), f"the categories of {data}"
    else:
        tagged = list(_classifier_categories(str(classifier))) if classifier else []
        known = list(dict.fromkeys([*rules, *tagged, *shape.columns]))
        where = ("the label rules, the classifier's categories or the columns of " + data)
    missing = [c for c in categories if c not in known]
    if missing:
        raise ParameterError(f"category {missing} is not among {where}; known: "
                             f"{', '.join(known) or 'none'}")
