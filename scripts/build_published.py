#!/usr/bin/env python
"""Build the bundled published figures (``data/published/``) from the compiled ``figures.csv``.

Usage (from the repository root)::

    python scripts/build_published.py [--source PATH/TO/figures.csv] [--out data/published]

The source is the team's compilation in ``../shared/data/published_figures/figures.csv``
(columns ``series_id,publisher,category,period_start,period_end,value,unit,note,source_url``).
Only its dates, numbers, labels and source URLs are carried over; nothing is computed.

Output, one UTF-8 CSV per series (``<series_id>.csv``) with the columns in ``OUTPUT_COLUMNS``,
plus ``catalog.csv`` with one row per series (categories joined with ";", the distinct
publishers and units of a series joined with " | ", and what the series counts, from
``COUNTS`` below). Two columns are added to the source:

* ``variant``: a short snake_case label naming the release a row comes from, set only for rows
  in a conflict group (two or more rows giving different values for the same quantity and
  period). Empty for every other row.
* ``preferred``: ``true``/``false``. Exactly one row of each conflict group is ``true``; rows
  outside conflict groups are ``true``.

Conflict groups and the preferred row are decided by hand in ``CONFLICTS`` below, each with its
reason. Any group of rows sharing (series_id, category, period_start, period_end) that the table
does not cover stops the build with an error, so a new conflict in the source cannot slip in.
Within one series every conflict group uses the same variant names, so "use variant V" means
"keep rows whose variant is empty or V".

The build is deterministic: rows sorted by period_start (undated rows last), category, variant,
then period_end, value and source URL; "\\n" line endings; minimal quoting.
"""

from __future__ import annotations

import argparse
import calendar
import csv
import re
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_SOURCE = REPO_ROOT / ".." / "shared" / "data" / "published_figures" / "figures.csv"
DEFAULT_OUT = REPO_ROOT / "data" / "published"

SOURCE_COLUMNS = (
    "series_id",
    "publisher",
    "category",
    "period_start",
    "period_end",
    "value",
    "unit",
    "note",
    "source_url",
)
OUTPUT_COLUMNS = (
    "series_id",
    "publisher",
    "category",
    "period_start",
    "period_end",
    "value",
    "unit",
    "variant",
    "preferred",
    "note",
    "source_url",
)
CATALOG_COLUMNS = (
    "series_id",
    "publisher",
    "categories",
    "unit",
    "counts",
    "first_period",
    "last_period",
    "n_rows",
    "n_monthly_rows",
    "has_conflicts",
    "description",
)
CATALOG_NAME = "catalog.csv"

_SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


class BuildError(RuntimeError):
    """The source cannot be turned into the bundle without a human decision."""


# --------------------------------------------------------------------------------------------
# Conflict decisions
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Member:
    """One source row of a conflict group, identified by its period and published value."""

    period_start: str
    period_end: str
    value: str
    variant: str
    preferred: bool


@dataclass(frozen=True)
class ConflictGroup:
    series_id: str
    category: str
    label: str
    reason: str
    members: tuple[Member, ...]


_APR_2019_REASON = (
    "Prefer 501 (revised): the later Kominfo compilation (quoted by iNews 2023 and Databoks "
    "3 Dec 2019) is the source of the May-Sep 2019 values in this series, so the default series "
    "comes from one release. 486 is the first release of 2 May 2019, two days after month end."
)
_JUDOL_ANNUAL_REASON = (
    "Prefer the Kominfo Instagram series (via RMOL, 1 Jul 2024): it is the later compilation and "
    "the one that continues to 2022, 2023 and Jan-Apr 2024, so the default annual series comes "
    "from one release. Johnny Plate's figures (JPNN/Antara, Aug 2022) differ by 10 to 4,997."
)
_TIKTOK_GOOGLE_REASON = (
    "Not a disagreement: two platforms share one category and period in Kominfo's claim of "
    "19 Mar 2024. Prefer the TikTok figure because this series is about TikTok; the Google/"
    "YouTube figure is the other variant."
)

CONFLICTS: tuple[ConflictGroup, ...] = (
    ConflictGroup(
        "kominfo_ais_hoax_monthly",
        "hoax_all_categories",
        "April 2019: 486 (first release) vs 501 (revised)",
        _APR_2019_REASON,
        (
            Member("2019-04-01", "2019-04-30", "486", "first_release", False),
            Member("2019-04-01", "2019-04-30", "501", "revised", True),
        ),
    ),
    ConflictGroup(
        "kominfo_judol_takedown_annual",
        "online_gambling",
        "2017-2018 combined 84,494 (Instagram) vs 2018 84,484 (Johnny Plate)",
        _JUDOL_ANNUAL_REASON
        + " The periods differ (2017-2018 vs 2018) but the near-identical values suggest one "
        "count labelled differently.",
        (
            Member("2017-01-01", "2018-12-31", "84494", "kominfo_instagram", True),
            Member("2018-01-01", "2018-12-31", "84484", "johnny_plate_2022", False),
        ),
    ),
    ConflictGroup(
        "kominfo_judol_takedown_annual",
        "online_gambling",
        "2019: 73,309 (Instagram) vs 78,306 (Johnny Plate)",
        _JUDOL_ANNUAL_REASON,
        (
            Member("2019-01-01", "2019-12-31", "73309", "kominfo_instagram", True),
            Member("2019-01-01", "2019-12-31", "78306", "johnny_plate_2022", False),
        ),
    ),
    ConflictGroup(
        "kominfo_judol_takedown_annual",
        "online_gambling",
        "2020: 80,316 (Instagram) vs 80,305 (Johnny Plate)",
        _JUDOL_ANNUAL_REASON,
        (
            Member("2020-01-01", "2020-12-31", "80316", "kominfo_instagram", True),
            Member("2020-01-01", "2020-12-31", "80305", "johnny_plate_2022", False),
        ),
    ),
    ConflictGroup(
        "kominfo_judol_takedown_annual",
        "online_gambling",
        "2021: 204,963 (Instagram) vs 204,917 (Johnny Plate)",
        _JUDOL_ANNUAL_REASON,
        (
            Member("2021-01-01", "2021-12-31", "204963", "kominfo_instagram", True),
            Member("2021-01-01", "2021-12-31", "204917", "johnny_plate_2022", False),
        ),
    ),
    ConflictGroup(
        "tiktok_pemilu2024_enforcement",
        "hoax_election_self_takedown",
        "17 Jul 2023-19 Mar 2024: TikTok 10.8 M vs Google/YouTube ~2 M (as claimed by Kominfo)",
        _TIKTOK_GOOGLE_REASON,
        (
            Member("2023-07-17", "2024-03-19", "10800000", "tiktok", True),
            Member("2023-07-17", "2024-03-19", "2000000", "google_youtube", False),
        ),
    ),
)


# --------------------------------------------------------------------------------------------
# One-line descriptions for the catalog (written from SOURCES.md)
# --------------------------------------------------------------------------------------------

DESCRIPTIONS: dict[str, str] = {
    "kominfo_ais_hoax_monthly": (
        "Kominfo AIS all-category hoax contents, monthly Aug 2018-Sep 2019 + Nov 2019 "
        "(Oct 2019 not found); Apr 2019 revised (486 -> 501)"
    ),
    "kominfo_ais_political_hoax": (
        "Kominfo AIS political/election subsets of the all-category hoax count: political "
        "Mar 2019 (130 of 453) and Apr 2019 (209 of the first-release 486), Pemilu-related "
        "Jan 2019 (81 of 175)"
    ),
    "kominfo_pemilu2019_hoax_monthly": (
        "Kominfo AIS hoax contents related to Pileg/Pilpres 2019, monthly Aug-Dec 2018 "
        "(total 62); a much smaller subset than the all-category series"
    ),
    "kominfo_ais_hoax_cumulative": (
        "Kominfo AIS all-category hoax contents, cumulative from Aug 2018 at six end dates "
        "(Feb 2019-Dec 2023); the Apr 2019 cumulative 1,731 does not equal the monthly sum"
    ),
    "kominfo_ais_hoax_monthly_2023": (
        "Kominfo AIS all-category hoaxes 2023: Jan-Mar, May, Jun monthly (Apr not published), "
        "Q1 2022 comparison and 2023 total 1,615 (same release also says 1,528 issues); "
        "units mix issues and contents"
    ),
    "komdigi_ais_hoax_monthly_2024": (
        "Komdigi AIS all-category hoax contents, monthly Jan-Dec 2024 (low Feb 131, peak Oct "
        "215) plus 2024 totals (all 1,923; political 237); monthly political split not published"
    ),
    "kominfo_pemilu_hoax_issues_monthly": (
        "Kominfo/Komdigi election hoax issues (isu): monthly Jan 2023-Jan 2024, Oct 2023-Feb 2024 "
        "block (200), monthly Aug-18 Nov 2024 incl. Pilkada, 2022 and cumulative totals; no "
        "monthly values Feb-Jul 2024; the series behind the Nov 2024 claim"
    ),
    "kominfo_pemilu2024_hoax_content": (
        "Kominfo cumulative Pemilu 2024 election-hoax issue and content counts over windows "
        "from 2023 to Mar 2024, and Kominfo's Pemilu 2019 comparison (714); bases differ by row"
    ),
    "kominfo_pilkada2020_hoax": (
        "Kominfo Pilkada 2020 hoax issues: 38 for 1 Sep-18 Nov 2020 and 47 up to 7 Dec 2020 "
        "(start date not stated)"
    ),
    "bawaslu_pemilu2024_internet_content_violations_cumulative": (
        "Bawaslu cumulative violating internet contents (mostly hate speech; some SARA, hoax) in "
        "the Pemilu 2024 campaign from 28 Nov 2023, snapshots at four dates to 10 Feb 2024"
    ),
    "bawaslu_pilkada2024_internet_content_violations": (
        "Bawaslu suspected violating contents in the Pilkada 2024 campaign: national 279 "
        "(25 Sep-23 Nov 2024) and West Java only 14 (first 22 days)"
    ),
    "mafindo_hoax_annual": (
        "Mafindo fact-checked hoaxes, annual and part-year totals 2018-2025; Jan-Sep 2023 1,731 "
        "conflicts with ~1,200 for Jan-Oct 2023 (not final); one undated Pemilu 2019 count"
    ),
    "mafindo_hoax_monthly": (
        "Mafindo hoaxes in scattered months 2018-2025 (Jul-Sep 2018, Jan 2019, Feb 2023, "
        "Mar-Jun 2024, Nov 2024, Jan and Jul 2025), a Nov 2023 fortnight and an undated study"
    ),
    "kominfo_negative_content_complaints_annual": (
        "Kominfo public complaints (aduan) about negative content, annual 2016, 2017 and 2019, "
        "plus a 2018 social-media figure of unclear scope (annual or cumulative)"
    ),
    "kominfo_negative_content_handled": (
        "Kominfo negative contents handled/blocked across categories over differing windows "
        "(to end-2018, Aug 2018-Sep 2021, 2022 websites, porn 2016-Sep 2023, H1 2025 requests)"
    ),
    "kominfo_judol_takedown_annual": (
        "Kominfo online-gambling contents blocked, annual 2017-2023 and Jan-Apr 2024 (Instagram "
        "via RMOL), with Johnny Plate's Aug 2022 alternative for 2018-2021 (differs slightly)"
    ),
    "kominfo_komdigi_judol_takedown_monthly": (
        "Kominfo/Komdigi online-gambling contents blocked/handled, monthly 17 Jul-Dec 2023, "
        "Jun 2024 and 20 Oct 2024-3 Sep 2025 (edge months partial); Jan-May, Jul-Sep 2024 missing"
    ),
    "komdigi_judol_takedown_snapshots": (
        "Kominfo/Komdigi online-gambling takedowns over irregular and cumulative windows "
        "2016-2025; mutually inconsistent in places (>7.9 M since 2016 vs ~5.2 M since 2017)"
    ),
    "tiktok_pemilu2024_enforcement": (
        "TikTok's own Pemilu 2024 removals and labels (28 Nov 2023-15 Feb 2024) and Kominfo's "
        "far larger claimed TikTok (10.8 M) and Google/YouTube (~2 M) election-hoax takedowns"
    ),
    "tiktok_indonesia_videos_removed": (
        "TikTok videos removed in Indonesia for any policy violation, four half-year/quarter "
        "points H2 2020-Q2 2023 (transparency reports via media); not election-specific"
    ),
    "youtube_indonesia_removals": (
        "YouTube contents removed in Indonesia, >350,000 'hingga kuartal I-2023' (quarterly or "
        "cumulative unclear; no period start)"
    ),
    "komdigi_pilkada2024_sentiment": (
        "Komdigi share of neutral online conversation about Pilkada 2024 (75 percent, data as of "
        "25 Oct 2024); a percentage, not a count"
    ),
}


# --------------------------------------------------------------------------------------------
# What each series counts (the catalog's ``counts`` column): reports say what a change in the
# series can mean. None of these counts how much content circulated; most count the effort of
# the publisher or a platform.
#   takedowns    content blocked, access-cut, handled or removed (enforcement effort)
#   fact_checks  hoaxes identified, verified, clarified or fact-checked (checking effort)
#   monitoring   violations found by a supervisor's monitoring (supervision effort)
#   complaints   complaints received from the public (what people reported)
#   share        a percentage, not a count of items
# --------------------------------------------------------------------------------------------

COUNT_KINDS = ("takedowns", "fact_checks", "monitoring", "complaints", "share")
COUNTS: dict[str, str] = {
    "bawaslu_pemilu2024_internet_content_violations_cumulative": "monitoring",
    "bawaslu_pilkada2024_internet_content_violations": "monitoring",
    "komdigi_ais_hoax_monthly_2024": "fact_checks",
    "komdigi_judol_takedown_snapshots": "takedowns",
    "komdigi_pilkada2024_sentiment": "share",
    "kominfo_ais_hoax_cumulative": "fact_checks",
    "kominfo_ais_hoax_monthly": "fact_checks",
    "kominfo_ais_hoax_monthly_2023": "fact_checks",
    "kominfo_ais_political_hoax": "fact_checks",
    "kominfo_judol_takedown_annual": "takedowns",
    "kominfo_komdigi_judol_takedown_monthly": "takedowns",
    "kominfo_negative_content_complaints_annual": "complaints",
    "kominfo_negative_content_handled": "takedowns",
    "kominfo_pemilu2019_hoax_monthly": "fact_checks",
    "kominfo_pemilu2024_hoax_content": "fact_checks",
    "kominfo_pemilu_hoax_issues_monthly": "fact_checks",
    "kominfo_pilkada2020_hoax": "fact_checks",
    "mafindo_hoax_annual": "fact_checks",
    "mafindo_hoax_monthly": "fact_checks",
    "tiktok_indonesia_videos_removed": "takedowns",
    "tiktok_pemilu2024_enforcement": "takedowns",
    "youtube_indonesia_removals": "takedowns",
}


# --------------------------------------------------------------------------------------------
# Reading and validating
# --------------------------------------------------------------------------------------------


def _check_date(text: str, where: str) -> None:
    if text == "":
        return
    if not _ISO_DATE.match(text):
        raise BuildError(f"{where}: date {text!r} is not ISO YYYY-MM-DD")
    try:
        date.fromisoformat(text)
    except ValueError as exc:
        raise BuildError(f"{where}: date {text!r} is not a valid date") from exc


def read_source(path: Path) -> list[dict[str, str]]:
    """Read and check figures.csv; return its rows as dicts of strings, in file order."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != SOURCE_COLUMNS:
            raise BuildError(
                f"{path}: expected columns {','.join(SOURCE_COLUMNS)}, "
                f"found {','.join(reader.fieldnames or ())}"
            )
        rows = []
        for line_no, raw in enumerate(reader, start=2):
            if None in raw or any(v is None for v in raw.values()):
                raise BuildError(f"{path}:{line_no}: wrong number of fields")
            row = {k: raw[k] for k in SOURCE_COLUMNS}
            where = f"{path}:{line_no}"
            for key in ("series_id", "category"):
                if not _SNAKE.match(row[key]):
                    raise BuildError(f"{where}: {key} {row[key]!r} is not snake_case")
            for key in ("publisher", "unit", "source_url"):
                if not row[key].strip():
                    raise BuildError(f"{where}: empty {key}")
                if "|" in row[key]:
                    raise BuildError(f"{where}: {key} contains '|' (used as catalog separator)")
            if not _NUMBER.match(row["value"]):
                raise BuildError(f"{where}: value {row['value']!r} is not a plain number")
            _check_date(row["period_start"], where)
            _check_date(row["period_end"], where)
            start, end = row["period_start"], row["period_end"]
            if start and end and start > end:
                raise BuildError(f"{where}: period_start after period_end")
            rows.append(row)
    if not rows:
        raise BuildError(f"{path}: no rows")
    return rows


def _identity(row: dict[str, str]) -> tuple[str, str, str, str, str]:
    return (
        row["series_id"],
        row["category"],
        row["period_start"],
        row["period_end"],
        row["value"],
    )


def _key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["series_id"], row["category"], row["period_start"], row["period_end"]


def _check_decisions(groups: Sequence[ConflictGroup]) -> None:
    """The decision table itself must be well formed."""
    variants_by_series: dict[str, set[frozenset[str]]] = defaultdict(set)
    for group in groups:
        if len(group.members) < 2:
            raise BuildError(f"conflict group {group.label!r} needs at least two members")
        if sum(m.preferred for m in group.members) != 1:
            raise BuildError(f"conflict group {group.label!r} must have exactly one preferred row")
        names = [m.variant for m in group.members]
        if len(set(names)) != len(names):
            raise BuildError(f"conflict group {group.label!r} repeats a variant name")
        for name in names:
            if not _SNAKE.match(name):
                raise BuildError(f"conflict group {group.label!r}: variant {name!r} not snake_case")
        if not group.reason.strip():
            raise BuildError(f"conflict group {group.label!r} has no reason")
        variants_by_series[group.series_id].add(frozenset(names))
    for series_id, sets in variants_by_series.items():
        if len(sets) != 1:
            raise BuildError(
                f"{series_id}: conflict groups use different variant names "
                f"{sorted(map(sorted, sets))}; use the same names in every group of a series"
            )


def apply_decisions(
    rows: list[dict[str, str]], groups: Sequence[ConflictGroup] = CONFLICTS
) -> list[dict[str, str]]:
    """Copy ``rows`` adding ``variant`` and ``preferred``; raise on conflicts without a decision."""
    _check_decisions(groups)

    by_identity: dict[tuple[str, ...], int] = {}
    for index, row in enumerate(rows):
        ident = _identity(row)
        if ident in by_identity:
            raise BuildError(
                f"duplicate rows with identical series, category, period and value {ident}; "
                "remove the duplicate from the source or extend the decision table"
            )
        by_identity[ident] = index

    present_series = {row["series_id"] for row in rows}
    decided: dict[int, tuple[int, Member]] = {}
    for group_no, group in enumerate(groups):
        if group.series_id not in present_series:
            continue  # a partial source (e.g. a test fixture) may lack the series
        for member in group.members:
            ident = (
                group.series_id,
                group.category,
                member.period_start,
                member.period_end,
                member.value,
            )
            if ident not in by_identity:
                raise BuildError(
                    f"conflict decision {group.label!r} names a row not in the source: {ident}; "
                    "update CONFLICTS in scripts/build_published.py"
                )
            index = by_identity[ident]
            if index in decided:
                raise BuildError(f"source row {ident} is in two conflict groups")
            decided[index] = (group_no, member)

    by_key: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, row in enumerate(rows):
        by_key[_key(row)].append(index)
    undecided = []
    for key, indexes in by_key.items():
        if len(indexes) < 2:
            continue
        group_ids = {decided[i][0] if i in decided else None for i in indexes}
        if None in group_ids or len(group_ids) != 1:
            values = [rows[i]["value"] for i in indexes]
            undecided.append(f"{key} values {values}")
    if undecided:
        raise BuildError(
            "conflicting rows without a decision (same series, category and period; add a "
            "ConflictGroup to CONFLICTS in scripts/build_published.py):\n  "
            + "\n  ".join(undecided)
        )

    out = []
    for index, row in enumerate(rows):
        new = dict(row)
        if index in decided:
            member = decided[index][1]
            new["variant"] = member.variant
            new["preferred"] = "true" if member.preferred else "false"
        else:
            new["variant"] = ""
            new["preferred"] = "true"
        out.append(new)
    return out


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def _sort_key(row: dict[str, str]) -> tuple:
    return (
        row["period_start"] == "",
        row["period_start"],
        row["category"],
        row["variant"],
        row["period_end"] == "",
        row["period_end"],
        float(row["value"]),
        row["source_url"],
        row["unit"],
        row["note"],
    )


def is_full_month(period_start: str, period_end: str) -> bool:
    """True when the period is exactly one whole calendar month."""
    if not period_start or not period_end:
        return False
    start, end = date.fromisoformat(period_start), date.fromisoformat(period_end)
    last_day = calendar.monthrange(start.year, start.month)[1]
    return start.day == 1 and end == date(start.year, start.month, last_day)


def _unique(values: Iterable[str]) -> list[str]:
    return sorted(set(values))


def catalog_row(series_id: str, rows: list[dict[str, str]]) -> dict[str, str]:
    if series_id not in DESCRIPTIONS:
        raise BuildError(
            f"no description for series {series_id!r}; add one to DESCRIPTIONS in "
            "scripts/build_published.py"
        )
    if COUNTS.get(series_id) not in COUNT_KINDS:
        raise BuildError(
            f"what series {series_id!r} counts is not known; add it to COUNTS in "
            f"scripts/build_published.py (one of {', '.join(COUNT_KINDS)})"
        )
    starts = [r["period_start"] or r["period_end"] for r in rows]
    ends = [r["period_end"] or r["period_start"] for r in rows]
    starts = [d for d in starts if d]
    ends = [d for d in ends if d]
    return {
        "series_id": series_id,
        "publisher": " | ".join(_unique(r["publisher"] for r in rows)),
        "categories": ";".join(_unique(r["category"] for r in rows)),
        "unit": " | ".join(_unique(r["unit"] for r in rows)),
        "counts": COUNTS[series_id],
        "first_period": min(starts) if starts else "",
        "last_period": max(ends) if ends else "",
        "n_rows": str(len(rows)),
        "n_monthly_rows": str(sum(is_full_month(r["period_start"], r["period_end"]) for r in rows)),
        "has_conflicts": "true" if any(r["variant"] for r in rows) else "false",
        "description": DESCRIPTIONS[series_id],
    }


def _write_csv(path: Path, columns: Sequence[str], rows: Iterable[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(
            handle, fieldnames=list(columns), lineterminator="\n", quoting=csv.QUOTE_MINIMAL
        )
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in columns})


def _remove_stale(out_dir: Path, keep: set[str]) -> None:
    """Delete series files listed in a previous catalog that the new build no longer makes."""
    previous = out_dir / CATALOG_NAME
    if not previous.is_file():
        return
    with previous.open(encoding="utf-8", newline="") as handle:
        old_ids = {row["series_id"] for row in csv.DictReader(handle)}
    for sid in sorted(old_ids - keep):
        stale = out_dir / f"{sid}.csv"
        if _SNAKE.match(sid) and stale.is_file():
            stale.unlink()


def build(source: Path, out_dir: Path) -> dict[str, int]:
    """Build every series file and the catalog into ``out_dir``; return rows per series."""
    rows = apply_decisions(read_source(source))
    by_series: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        by_series[row["series_id"]].append(row)

    catalog = [catalog_row(sid, by_series[sid]) for sid in sorted(by_series)]

    out_dir.mkdir(parents=True, exist_ok=True)
    _remove_stale(out_dir, set(by_series))
    for sid in sorted(by_series):
        _write_csv(out_dir / f"{sid}.csv", OUTPUT_COLUMNS, sorted(by_series[sid], key=_sort_key))
    _write_csv(out_dir / CATALOG_NAME, CATALOG_COLUMNS, catalog)
    return {sid: len(by_series[sid]) for sid in sorted(by_series)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="figures.csv")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder")
    args = parser.parse_args(argv)
    if not args.source.is_file():
        print(f"error: source not found: {args.source}", file=sys.stderr)
        return 2
    try:
        counts = build(args.source, args.out)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    for sid, n in counts.items():
        print(f"{n:4d}  {sid}")
    print(f"{sum(counts.values()):4d}  rows in {len(counts)} series -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
