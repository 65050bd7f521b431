"""Collection-tool export formats read as they are: presets in ``config/formats/<name>.yaml``.

A preset is declarative; this module is the one code path for all of them. It says which
columns identify the format (``identify``: every one must be in the header or JSON keys),
the column map to canonical names (``columns``), how timestamps are written
(``timestamp_format``), the column that identifies an item twice listed (``dedupe``), label
rules (``labels``, as in :mod:`negtrend.data.labels`), columns a file lacks but the loader
needs (``constants``, e.g. a category for a single count series), for counts in long form the
category whose rows hold every period's total (``exposure_category``), the kind (``posts`` or
``counts``) and, where it is not what posts or counts usually are, what the data count
(``counts``: a key of the report's ``FINDING.counted``, e.g. ``fact_checks``), and a caveat
for the data table (``note``), and the column of a relative time the timestamp was computed
from (``relative_time``: its unit is the item's precision, :mod:`negtrend.data.precision`).

:func:`plan` turns a preset, forced or detected from the header, into the options the loader
already has (column map, timestamp format, label rules, kind); :func:`finish` sets aside
duplicate items (quarantined with the reason ``duplicate_id``) and says in the reading notes
which format was read. Adding a format is one YAML file and one fixture.
"""

from __future__ import annotations

import dataclasses
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from negtrend.data import loading, paths, precision
from negtrend.data.errors import LoadError

FIELDS = ("description", "kind", "identify", "columns", "timestamp_format", "dedupe", "labels",
          "constants", "exposure_category", "counts", "note", "relative_time", "names",
          "first_field", "separator", "quoting", "timezone", "derive")
SEPARATORS = {"comma": "csv", "tab": "tsv", "semicolon": "ssv"}  # -> the reader's format


@dataclass(frozen=True)
class Preset:
    name: str
    description: str
    kind: str  # posts | counts
    identify: tuple[str, ...]
    columns: dict = field(default_factory=dict)  # canonical -> source column
    timestamp_format: str | None = None
    dedupe: str | None = None  # a source column
    labels: dict = field(default_factory=dict)  # category -> rule
    constants: dict = field(default_factory=dict)  # canonical -> value for every row
    exposure_category: str | None = None  # counts: the category whose rows are the others' total
    counts: str | None = None  # what the data count, for the report's finding
    note: str | None = None  # a caveat the data table shows (e.g. coarse timestamps)
    relative_time: str | None = None  # the column of the phrase ('3 weeks ago') the timestamp
    # was computed from: its unit is each item's precision (data.precision)
    names: tuple[str, ...] = ()  # the columns of a file written without a header row
    first_field: str | None = None  # a regular expression a headerless file's first field fits
    separator: str | None = None  # comma | tab | semicolon, whatever the file's name says
    quoting: bool = True  # False: quotes are ordinary characters (GDELT)
    timezone: str | None = None  # the zone of times written without an offset (else local)
    derive: dict = field(default_factory=dict)  # column -> {from, pattern[, number]}

    def layout(self):
        """How the reader splits this format's file written without a header row."""
        from negtrend.data import readers

        return readers.Layout(SEPARATORS[self.separator or "tab"], tuple(self.names),
                              self.quoting)

    def unquoted(self, path, fmt):
        """``fmt``, or for a file split by this format's own separator where quotes mean
        nothing (GDELT's tabs), the layout that says so; a quoted export (BigQuery's CSV)
        stays as it is."""
        from negtrend.data import readers

        if self.quoting or not self.separator or isinstance(fmt, readers.Layout):
            return fmt
        base = fmt if fmt in SEPARATORS.values() else readers.infer_format(path)
        if base != SEPARATORS[self.separator]:
            return fmt
        return readers.Layout(base, None, quoting=False)


def formats_dir() -> Path:
    return paths.config_dir() / "formats"


def _preset(path: Path) -> Preset:
    spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    unknown = sorted(set(spec) - set(FIELDS))
    if unknown:
        raise LoadError(f"{path}: unknown preset fields {unknown}; known: {list(FIELDS)}")
    kind = spec.get("kind", "posts")
    if kind not in ("posts", "counts"):
        raise LoadError(f"{path}: kind must be posts or counts, got {kind!r}")
    if not spec.get("identify"):
        raise LoadError(f"{path}: a preset needs 'identify', the columns that identify it")
    if spec.get("separator") and spec["separator"] not in SEPARATORS:
        raise LoadError(f"{path}: separator must be one of {list(SEPARATORS)}, got "
                        f"{spec['separator']!r}")
    if bool(spec.get("names")) != bool(spec.get("first_field")):
        raise LoadError(f"{path}: a headerless layout needs both 'names' and 'first_field'")
    for name, rule in (spec.get("derive") or {}).items():
        if not isinstance(rule, dict) or not {"from", "pattern"} <= set(rule):
            raise LoadError(f"{path}: derive.{name} needs 'from' (a column) and 'pattern' (a "
                            "regular expression whose first group is the value)")
    return Preset(name=path.stem, description=str(spec.get("description", path.stem)),
                  kind=kind, identify=tuple(str(c) for c in spec["identify"]),
                  columns={str(k): str(v) for k, v in (spec.get("columns") or {}).items()},
                  timestamp_format=spec.get("timestamp_format"), dedupe=spec.get("dedupe"),
                  labels=dict(spec.get("labels") or {}),
                  constants={str(k): str(v) for k, v in (spec.get("constants") or {}).items()},
                  exposure_category=spec.get("exposure_category"), counts=spec.get("counts"),
                  note=spec.get("note"), relative_time=spec.get("relative_time"),
                  names=tuple(str(c) for c in spec.get("names") or ()),
                  first_field=spec.get("first_field"), separator=spec.get("separator"),
                  quoting=bool(spec.get("quoting", True)), timezone=spec.get("timezone"),
                  derive=dict(spec.get("derive") or {}))


def presets() -> dict[str, Preset]:
    """Every preset under ``config/formats/``, by name (each file parsed again only when it
    changes: a corpus asks once per file)."""
    return {path.stem: _cached_preset(path, path.stat().st_mtime_ns)
            for path in sorted(formats_dir().glob("*.yaml"))}


@functools.lru_cache(maxsize=256)
def _cached_preset(path: Path, mtime_ns: int) -> Preset:
    return _preset(path)


def get_preset(name: str) -> Preset:
    known = presets()
    if name not in known:
        raise LoadError(f"unknown preset '{name}'; known presets: {', '.join(known)}")
    return known[name]


def _matched(preset: Preset, columns: list[str]) -> list[str]:
    have = set(columns)
    return [c for c in preset.identify if c in have]


def detect(columns: list[str]) -> Preset | None:
    """The preset all of whose identifying columns are in ``columns`` (the one naming most
    of them when several do), else None."""
    found = [p for p in presets().values() if len(_matched(p, columns)) == len(p.identify)]
    return max(found, key=lambda p: len(p.identify)) if found else None


def closest(columns: list[str], n: int = 3) -> list[tuple[Preset, list[str]]]:
    """Up to ``n`` presets sharing most identifying columns with ``columns``, each with the
    identifying columns missing (presets sharing none are left out)."""
    scored = [(len(_matched(p, columns)) / len(p.identify), p) for p in presets().values()]
    ranked = sorted((s for s in scored if s[0] > 0), key=lambda s: -s[0])[:n]
    return [(p, [c for c in p.identify if c not in set(columns)]) for _, p in ranked]


def text_column(preset: str | None, column_map=None) -> str:
    """The column holding the text: the map's, else the preset's, else ``text``."""
    mapping = loading.parse_column_map(column_map)
    if "text" in mapping:
        return mapping["text"]
    return get_preset(preset).columns.get("text", "text") if preset else "text"


@dataclass(frozen=True)
class Plan:
    """How a preset has the loader read a file: the options it already has."""

    preset: Preset
    detected: bool  # True: from the header; False: asked for (--preset)
    column_map: dict
    timestamp_format: str | None
    labels: dict
    kind: str
    fmt: object = None  # how the reader splits the file, when not as its name says: a
    # format (ssv, telegram) or a readers.Layout (headerless, unquoted)

    def note(self) -> str:
        how = ("as asked (preset)" if not self.detected else "detected from its first record"
               if getattr(self.fmt, "names", None) else "detected from its columns")
        return f"read as the {self.preset.name} format ({self.preset.description}; {how})"


def _standard(columns: list[str]) -> bool:
    """The header already has what the loader reads without a map (a timestamp or date, or
    count periods)."""
    return bool({"timestamp", "date", "period_start"} & set(columns))


def unmatched_message(path, columns: list[str]) -> str:
    lines = [f"{path}: no timestamp or date column, no column map, and no preset matches; "
             f"columns found: {columns}"]
    near = closest(columns)
    if near:
        lines.append("closest presets: " + "; ".join(
            f"{p.name} (missing {', '.join(missing) or 'nothing'})" for p, missing in near))
    lines.append("pass --preset NAME, or --map (e.g. timestamp=published_at,text=title)")
    return "; ".join(lines)


def header(path, sheet=None, preset: str | None = None) -> tuple[list[str], object]:
    """The file's columns, and how the reader must split it when not as its name says: a
    ``.csv`` whose only column holds semicolons or tabs is read as such (a spreadsheet in an
    Indonesian locale writes semicolons, GDELT tabs), and a text whose first line fits a
    headerless format (``names`` and ``first_field``; the one ``preset`` names, else any) is
    read with that format's names (a :class:`negtrend.data.readers.Layout`)."""
    from negtrend.data import readers

    kind = readers.infer_format(path)
    if Path(path).suffix.lower() == ".json" and kind == "jsonl":
        from negtrend.data import telegram

        if telegram.is_export(path):  # one JSON document, not lines: streamed by its reader
            return list(telegram.RAW_COLUMNS), "telegram"
    if kind in ("csv", "tsv"):
        headerless = _headerless(path, [get_preset(preset)] if preset else
                                 list(presets().values()))
        if headerless is not None:
            return list(headerless.names), headerless
    columns = readers.peek_columns(path, sheet=sheet)
    if len(columns) == 1 and kind == "csv":
        for mark, fmt in ((";", "ssv"), ("\t", "tsv")):
            if mark in columns[0]:
                return readers.peek_columns(path, fmt=fmt), fmt
    return columns, None


def _headerless(path, candidates: list[Preset]):
    """The layout of the first candidate whose headerless form the file's first line fits."""
    from negtrend.data import readers

    candidates = [p for p in candidates if p.names]
    if not candidates:
        return None
    line = readers.first_line(path)
    for candidate in candidates:
        layout = candidate.layout()
        fields = line.rstrip("\r\n").split(readers.delimiter(layout.format))
        if len(fields) == len(candidate.names) and re.match(candidate.first_field, fields[0]):
            return layout
    return None


def plan(path, columns: list[str], *, preset: str | None = None, column_map=None,
         timestamp_format: str | None = None, labels_spec=None, kind: str = "auto",
         fmt: str | None = None) -> Plan | None:
    """The preset to read ``path`` with: the one asked for, else (with no column map) the one
    its header matches, else None. A header that matches none and that the loader cannot read
    without a map is an error naming the columns found and the closest presets. The caller's
    column map, timestamp format and label rules win over the preset's."""
    user_map = loading.parse_column_map(column_map)
    if preset:
        chosen, detected = get_preset(preset), False
        needed = [c for c in chosen.columns.values() if c not in user_map.values()]
        missing = [c for c in needed if c not in columns]
        if missing:
            raise LoadError(f"{path}: preset '{preset}' reads columns {missing}, which are not "
                            f"in the file; columns found: {columns}")
    elif user_map:
        return None
    else:
        chosen, detected = detect(columns), True
        if chosen is None:
            if _standard(columns):
                return None
            raise LoadError(unmatched_message(path, columns))
    fmt = chosen.unquoted(path, fmt)
    mapping = {c: s for c, s in chosen.columns.items()
               if c not in user_map and s not in user_map.values()}
    from negtrend.data import labels as label_rules

    rules = {**chosen.labels, **label_rules.parse_rules(labels_spec)}
    return Plan(chosen, detected, {**mapping, **user_map},
                timestamp_format or chosen.timestamp_format, rules,
                chosen.kind if kind == "auto" else kind, fmt)


def finish(loaded: loading.LoadResult, how: Plan, column_map: dict | None = None
           ) -> loading.LoadResult:
    """Duplicates of the preset's ``dedupe`` column set aside (the first kept, the others
    quarantined as ``duplicate_id``), the reading note added, what the data count recorded."""
    data, quarantine = loaded.data, loaded.quarantine
    notes = [how.note()] + ([how.preset.note] if how.preset.note else [])
    if how.fmt == "ssv":
        notes.append("fields separated by semicolons")
    if getattr(how.fmt, "names", None):
        notes.append(f"no header row: columns named as the format lists them "
                     f"({len(how.fmt.names)})")
    data = _derived(data, how.preset.derive)
    phrase = how.preset.relative_time
    if phrase and loaded.kind == "posts" and phrase in data.columns:
        data = data.assign(**{precision.COLUMN: precision.relative_units(data[phrase])})
    n_read = loaded.n_read
    key = how.preset.dedupe
    if key:
        mapping = column_map if column_map is not None else how.column_map
        canon = {s: c for c, s in mapping.items()}.get(key, key)
        if canon in data.columns:
            data, extra = set_aside_duplicates(data, key, canon)
            if len(extra):
                quarantine = pd.concat([quarantine, extra], ignore_index=True)
                quarantine = quarantine.sort_values("_row", kind="stable").reset_index(
                    drop=True)
                notes.append(duplicates_note(len(extra), key))
    if how.preset.exposure_category and loaded.kind == "counts":
        data, quarantine, n_totals, note = _exposure_rows(data, quarantine,
                                                          how.preset.exposure_category)
        n_read -= n_totals  # a total is the exposure of other rows, not a row of its own
        notes.append(note)
    result = dataclasses.replace(loaded, data=data, quarantine=quarantine, n_read=n_read,
                                 read_notes=tuple(loaded.read_notes) + tuple(notes),
                                 counts=how.preset.counts)
    assert result.n_kept + result.n_quarantined == result.n_read
    return result


def set_aside_duplicates(data: pd.DataFrame, key: str, column: str, places=None
                         ) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows whose ``column`` (the source's ``key``) repeats an earlier row's, set aside:
    the rows kept (the first of each) and the quarantine rows (``duplicate_id``), whose reason
    names where the first was read (``places``: each row's place, default ``record N``)."""
    values = data[column].astype("string").str.strip()
    first = ~values.duplicated(keep="first")
    twice = values.notna() & (values != "") & ~first
    if not twice.any():
        return data, pd.DataFrame()
    places = ("record " + data["_row"].astype(str)) if places is None else places
    where = values[twice].map(dict(zip(values[first], places[first], strict=True)))
    extra = pd.DataFrame({
        **({"_file": data.loc[twice, "_file"].to_numpy()} if "_file" in data else {}),
        "_row": data.loc[twice, "_row"].astype("int64").to_numpy(), "column": column,
        "value": values[twice].astype(str).to_numpy(), "reason_code": "duplicate_id",
        "reason": (f"{key} '" + values[twice].astype(str) + "' already read in "
                   + where.astype(str)).to_numpy()}, index=data.index[twice])
    return data.loc[~twice].reset_index(drop=True), extra.reset_index(drop=True)


def duplicates_note(n: int, key: str) -> str:
    return f"{n:,} repeated listings of an item (same {key}) set aside: each item counted once"


def _derived(data: pd.DataFrame, derive: dict) -> pd.DataFrame:
    """Columns taken out of others by a regular expression's first group (a title out of
    GDELT's Extras, a tone out of V2Tone); a row where it does not match gets none, and a
    ``number`` that does not parse is none too."""
    if not derive or not len(data.columns):
        return data
    added = {}
    for name, rule in derive.items():
        if rule["from"] not in data.columns:
            continue
        values = data[rule["from"]].astype("string").str.extract(
            rule["pattern"], flags=re.DOTALL, expand=False)
        added[name] = (pd.to_numeric(values, errors="coerce") if rule.get("number")
                       else values.str.strip().mask(lambda v: v == ""))
    return data.assign(**added)


def _set_aside(rows: pd.DataFrame, column: str, values, code: str, reasons) -> pd.DataFrame:
    return pd.DataFrame({"_row": rows["_row"].astype("int64").to_numpy(), "column": column,
                         "value": values, "reason_code": code, "reason": reasons})


def _exposure_rows(data: pd.DataFrame, quarantine: pd.DataFrame, category: str):
    """Counts in long form: the rows of ``category`` become the ``total`` of the other rows of
    the same period. They are not rows of their own (the caller takes them off the rows read,
    and a note says how many); a row whose period has none is set aside (``missing_total``):
    a count without its exposure cannot be a share."""
    is_total = data["category"] == category
    totals = data[is_total].set_index(["period_start", "period_end"])["count"]
    totals = totals[~totals.index.duplicated(keep="first")]
    rest = data[~is_total].copy()
    keys = pd.MultiIndex.from_frame(rest[["period_start", "period_end"]])
    rest["total"] = totals.reindex(keys).to_numpy()
    missing = rest["total"].isna()
    if missing.any():
        days = rest.loc[missing, "period_start"].dt.strftime("%Y-%m-%d")
        extra = _set_aside(rest[missing], "total", "", "missing_total",
                           (f"no '{category}' row for " + days + ": no exposure").to_numpy())
        quarantine = pd.concat([quarantine, extra], ignore_index=True)
        quarantine = quarantine.sort_values("_row", kind="stable").reset_index(drop=True)
    n_totals = int(is_total.sum())
    note = (f"{n_totals:,} '{category}' rows read as the exposure (total) of the other rows of "
            "their date, not counted as rows")
    return rest[~missing].reset_index(drop=True), quarantine, n_totals, note


def read(path, how: Plan, *, tz: str = loading.DEFAULT_TZ, sheet=None) -> loading.LoadResult:
    """A file read whole as ``how`` says: loaded, duplicates and total rows set aside, the
    preset's and the caller's label rules applied."""
    from negtrend.data import labels, sources

    loaded = sources.load_source(path, kind=how.kind, column_map=how.column_map, tz=tz,
                                 timestamp_format=how.timestamp_format, sheet=sheet,
                                 constants=how.preset.constants, fmt=how.fmt,
                                 naive_tz=how.preset.timezone,
                                 require_text="text" in how.column_map)
    loaded = finish(loaded, how)
    return labels.apply_to_result(loaded, how.labels) if how.labels else loaded
