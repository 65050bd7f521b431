"""The bundled published figures (data/published/) are complete, well formed and faithful.

The numbers checked here are quoted in ../shared/data/published_figures/SOURCES.md. When the
shared folder is present, the bundle is also compared row for row with its source figures.csv.
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from collections import Counter, defaultdict
from datetime import date
from pathlib import Path

import pandas as pd
import pytest

REPO = Path(__file__).resolve().parents[1]
PUBLISHED = REPO / "data" / "published"
SCRIPT = REPO / "scripts" / "build_published.py"

OUTPUT_COLUMNS = [
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
]
SOURCE_COLUMNS = [c for c in OUTPUT_COLUMNS if c not in ("variant", "preferred")]
CATALOG_COLUMNS = [
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
]
SNAKE = re.compile(r"^[a-z][a-z0-9_]*$")


def _load_module(name: str, path: Path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _shared_data_dir() -> Path | None:
    try:
        from negtrend.data import paths
    except Exception:  # the package may be mid-edit or not installed; paths.py stands alone
        paths = _load_module("_negtrend_paths_for_tests", REPO / "src" / "negtrend" / "paths.py")
    return paths.shared_data_dir()


build_published = _load_module("build_published", SCRIPT)


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _series_files() -> list[Path]:
    return sorted(p for p in PUBLISHED.glob("*.csv") if p.name != "catalog.csv")


def _all_rows() -> list[dict[str, str]]:
    return [row for path in _series_files() for row in _read(path)]


def _rows(series_id: str) -> list[dict[str, str]]:
    return _read(PUBLISHED / f"{series_id}.csv")


def _values(series_id: str, start: str, end: str, category: str | None = None) -> list[str]:
    return sorted(
        (
            r["value"]
            for r in _rows(series_id)
            if r["period_start"] == start
            and r["period_end"] == end
            and (category is None or r["category"] == category)
        ),
        key=float,
    )


def _key(row: dict[str, str]) -> tuple[str, str, str, str]:
    return row["series_id"], row["category"], row["period_start"], row["period_end"]


# ---------------------------------------------------------------------------- format


def test_bundle_exists():
    assert (PUBLISHED / "catalog.csv").is_file()
    assert len(_series_files()) >= 20


@pytest.mark.parametrize("path", _series_files(), ids=lambda p: p.stem)
def test_series_file_format(path):
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # raises if not UTF-8
    assert not text.startswith("\ufeff"), "no BOM"
    assert "\r" not in text, "line endings must be \\n"
    assert text.endswith("\n")
    assert text.split("\n", 1)[0] == ",".join(OUTPUT_COLUMNS)
    rows = _read(path)
    assert rows, "empty series file"
    for row in rows:
        assert None not in row and None not in row.values(), f"ragged row {row}"
        assert row["series_id"] == path.stem
        for column in ("publisher", "category", "value", "unit", "source_url"):
            assert row[column].strip(), f"empty {column}: {row}"
        assert row["source_url"].startswith(("http://", "https://"))
        assert row["preferred"] in ("true", "false")
        assert row["variant"] == "" or SNAKE.match(row["variant"])
        if row["variant"] == "":
            assert row["preferred"] == "true", "rows outside conflicts are preferred"


def test_values_parse_as_numbers():
    for path in _series_files():
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        assert list(frame.columns) == OUTPUT_COLUMNS
        numbers = pd.to_numeric(frame["value"], errors="raise")
        assert numbers.notna().all(), path.name
        assert (numbers >= 0).all(), path.name


def test_period_dates_are_iso():
    for row in _all_rows():
        for column in ("period_start", "period_end"):
            if row[column]:
                assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", row[column]), row
                date.fromisoformat(row[column])
        if row["period_start"] and row["period_end"]:
            assert row["period_start"] <= row["period_end"], row


def test_point_in_time_rows_are_kept():
    undated = [_key(r) + (r["value"],) for r in _all_rows() if r["period_start"] == ""]
    assert len(undated) == 9
    assert ("youtube_indonesia_removals", "all_policy_violations", "", "2023-03-31", "350000") in (
        undated
    )


def test_rows_are_sorted():
    for path in _series_files():
        rows = _read(path)
        keys = [
            (r["period_start"] == "", r["period_start"], r["category"], r["variant"]) for r in rows
        ]
        assert keys == sorted(keys), path.name


# ---------------------------------------------------------------------------- conflicts


def test_each_conflict_group_has_exactly_one_preferred_row():
    by_key = defaultdict(list)
    for row in _all_rows():
        by_key[_key(row)].append(row)
    for key, rows in by_key.items():
        if len(rows) > 1:
            assert sum(r["preferred"] == "true" for r in rows) == 1, key
            assert all(r["variant"] for r in rows), key
            assert len({r["variant"] for r in rows}) == len(rows), key

    declared = 0
    for group in build_published.CONFLICTS:
        flags = []
        for member in group.members:
            match = [
                r
                for r in _rows(group.series_id)
                if _key(r)
                == (group.series_id, group.category, member.period_start, member.period_end)
                and r["value"] == member.value
            ]
            assert len(match) == 1, (group.label, member)
            assert match[0]["variant"] == member.variant
            flags.append(match[0]["preferred"] == "true")
        assert sum(flags) == 1, group.label
        declared += len(group.members)
    assert sum(r["preferred"] == "false" for r in _all_rows()) == len(build_published.CONFLICTS)
    assert sum(bool(r["variant"]) for r in _all_rows()) == declared


def test_choosing_any_variant_gives_one_value_per_period():
    """The loader's contract: variant V keeps rows whose variant is "" or V."""
    by_series = defaultdict(list)
    for row in _all_rows():
        by_series[row["series_id"]].append(row)
    for series_id, rows in by_series.items():
        variants = {r["variant"] for r in rows if r["variant"]}
        for variant in variants:
            chosen = [r for r in rows if r["variant"] in ("", variant)]
            keys = Counter(_key(r) for r in chosen)
            assert max(keys.values()) == 1, (series_id, variant)
        preferred = Counter(_key(r) for r in rows if r["preferred"] == "true")
        assert max(preferred.values()) == 1, series_id


def test_known_conflict_decisions():
    apr = {
        r["value"]: r
        for r in _rows("kominfo_ais_hoax_monthly")
        if r["period_start"] == "2019-04-01"
    }
    assert set(apr) == {"486", "501"}
    assert (apr["486"]["variant"], apr["486"]["preferred"]) == ("first_release", "false")
    assert (apr["501"]["variant"], apr["501"]["preferred"]) == ("revised", "true")

    judol = _rows("kominfo_judol_takedown_annual")
    for value, pair in [
        ("84494", ("kominfo_instagram", "true")),
        ("84484", ("johnny_plate_2022", "false")),
        ("73309", ("kominfo_instagram", "true")),
        ("78306", ("johnny_plate_2022", "false")),
        ("80316", ("kominfo_instagram", "true")),
        ("80305", ("johnny_plate_2022", "false")),
        ("204963", ("kominfo_instagram", "true")),
        ("204917", ("johnny_plate_2022", "false")),
    ]:
        (row,) = [r for r in judol if r["value"] == value]
        assert (row["variant"], row["preferred"]) == pair


# ---------------------------------------------------------------------------- catalog


def test_catalog_matches_files():
    path = PUBLISHED / "catalog.csv"
    text = path.read_text(encoding="utf-8")
    assert "\r" not in text
    assert text.split("\n", 1)[0] == ",".join(CATALOG_COLUMNS)
    catalog = {r["series_id"]: r for r in _read(path)}
    assert set(catalog) == {p.stem for p in _series_files()}
    for series_id, entry in catalog.items():
        rows = _rows(series_id)
        assert int(entry["n_rows"]) == len(rows), series_id
        monthly = sum(
            build_published.is_full_month(r["period_start"], r["period_end"]) for r in rows
        )
        assert int(entry["n_monthly_rows"]) == monthly, series_id
        assert entry["categories"].split(";") == sorted({r["category"] for r in rows})
        assert entry["has_conflicts"] == ("true" if any(r["variant"] for r in rows) else "false")
        dates = [d for r in rows for d in (r["period_start"], r["period_end"]) if d]
        assert entry["first_period"] == min(dates), series_id
        assert entry["last_period"] == max(dates), series_id
        assert entry["description"].strip() and "\n" not in entry["description"]
        assert entry["counts"] in build_published.COUNT_KINDS, series_id
    assert catalog["kominfo_ais_hoax_monthly"]["n_monthly_rows"] == "16"
    assert catalog["komdigi_ais_hoax_monthly_2024"]["n_monthly_rows"] == "12"
    # what a series counts: enforcement and fact-checking effort, never circulation
    assert catalog["kominfo_komdigi_judol_takedown_monthly"]["counts"] == "takedowns"
    assert catalog["mafindo_hoax_monthly"]["counts"] == "fact_checks"
    assert catalog["komdigi_pilkada2024_sentiment"]["counts"] == "share"


def test_readme_documents_every_series_and_variant():
    readme = (REPO / "data" / "README.md").read_text(encoding="utf-8")
    for path in _series_files():
        assert f"`{path.stem}`" in readme, path.stem
    for row in _all_rows():
        if row["variant"]:
            assert f"`{row['variant']}`" in readme, row["variant"]


# ---------------------------------------------------------------------------- published numbers

SPOT_CHECKS = [
    # series_id, period_start, period_end, value   (quoted in SOURCES.md)
    ("kominfo_ais_hoax_monthly", "2018-08-01", "2018-08-31", "25"),
    ("kominfo_ais_hoax_monthly", "2019-03-01", "2019-03-31", "453"),
    ("kominfo_ais_hoax_monthly", "2019-09-01", "2019-09-30", "280"),
    ("kominfo_ais_hoax_monthly", "2019-11-01", "2019-11-30", "260"),
    ("komdigi_ais_hoax_monthly_2024", "2024-01-01", "2024-01-31", "143"),
    ("komdigi_ais_hoax_monthly_2024", "2024-02-01", "2024-02-29", "131"),
    ("komdigi_ais_hoax_monthly_2024", "2024-10-01", "2024-10-31", "215"),
    ("komdigi_ais_hoax_monthly_2024", "2024-12-01", "2024-12-31", "141"),
    ("kominfo_pemilu_hoax_issues_monthly", "2023-10-01", "2023-10-31", "23"),
    ("kominfo_pemilu_hoax_issues_monthly", "2023-11-01", "2023-11-30", "52"),
    ("kominfo_pemilu_hoax_issues_monthly", "2024-01-01", "2024-01-31", "38"),
    ("kominfo_pemilu_hoax_issues_monthly", "2023-10-01", "2024-02-29", "200"),
    ("kominfo_pemilu_hoax_issues_monthly", "2024-08-01", "2024-08-31", "7"),
    ("kominfo_pemilu_hoax_issues_monthly", "2024-09-01", "2024-09-30", "3"),
    ("kominfo_pemilu_hoax_issues_monthly", "2024-10-01", "2024-10-31", "8"),
    ("kominfo_pemilu_hoax_issues_monthly", "2024-11-01", "2024-11-18", "4"),
    ("kominfo_pemilu_hoax_issues_monthly", "2023-01-01", "2024-11-18", "379"),
    (
        "bawaslu_pemilu2024_internet_content_violations_cumulative",
        "2023-11-28",
        "2024-02-10",
        "355",
    ),
    ("bawaslu_pilkada2024_internet_content_violations", "2024-09-25", "2024-11-23", "279"),
    ("mafindo_hoax_monthly", "2024-03-01", "2024-03-31", "394"),
    ("mafindo_hoax_annual", "2018-01-01", "2019-01-31", "977"),
    ("kominfo_komdigi_judol_takedown_monthly", "2024-11-01", "2024-11-30", "250475"),
    ("kominfo_komdigi_judol_takedown_monthly", "2024-10-20", "2024-10-31", "187297"),
    ("kominfo_judol_takedown_annual", "2023-01-01", "2023-12-31", "999537"),
    ("kominfo_ais_hoax_cumulative", "2018-08-01", "2019-11-30", "3901"),
]


@pytest.mark.parametrize(("series_id", "start", "end", "value"), SPOT_CHECKS)
def test_published_number(series_id, start, end, value):
    assert _values(series_id, start, end) == [value]


def test_both_april_2019_values_present():
    assert _values("kominfo_ais_hoax_monthly", "2019-04-01", "2019-04-30") == ["486", "501"]


def test_monthly_values_add_up_to_published_totals():
    monthly_2024 = [
        int(r["value"])
        for r in _rows("komdigi_ais_hoax_monthly_2024")
        if r["category"] == "hoax_all_categories"
        and build_published.is_full_month(r["period_start"], r["period_end"])
    ]
    assert len(monthly_2024) == 12
    assert sum(monthly_2024) == 1923  # "Total 1,923" (Batamtoday, 10 Jan 2025)
    issues = [
        int(r["value"])
        for r in _rows("kominfo_pemilu_hoax_issues_monthly")
        if r["category"] == "hoax_election"
        and build_published.is_full_month(r["period_start"], r["period_end"])
    ]
    assert sum(issues) == 230  # Kompas: 230 issues 1 Jan 2023 - 31 Jan 2024
    pemilu2019 = [int(r["value"]) for r in _rows("kominfo_pemilu2019_hoax_monthly")]
    assert sum(pemilu2019) == 62  # detik, 2 Jan 2019


def test_derived_numbers_are_not_in_the_data():
    # Oct 2019 (derived 285), Feb 2024 election-hoax issues (derived 40), Apr 2023 (derived 144)
    assert _values("kominfo_ais_hoax_monthly", "2019-10-01", "2019-10-31") == []
    assert _values("kominfo_pemilu_hoax_issues_monthly", "2024-02-01", "2024-02-29") == []
    assert _values("kominfo_ais_hoax_monthly_2023", "2023-04-01", "2023-04-30") == []
    for month in range(3, 8):  # Mar-Jul 2024 election-hoax issues: not found
        start = f"2024-{month:02d}-01"
        assert not [
            r for r in _rows("kominfo_pemilu_hoax_issues_monthly") if r["period_start"] == start
        ]


# ---------------------------------------------------------------------------- the build


def _write_source(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=SOURCE_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({c: row[c] for c in SOURCE_COLUMNS})


def _assert_same_files(built: Path) -> None:
    names = sorted(p.name for p in PUBLISHED.glob("*.csv"))
    assert sorted(p.name for p in built.glob("*.csv")) == names
    for name in names:
        assert (built / name).read_bytes() == (PUBLISHED / name).read_bytes(), name


def test_build_round_trips_the_bundle(tmp_path):
    """Stripping variant/preferred and rebuilding (from rows in any order) gives the same bytes."""
    source = tmp_path / "figures.csv"
    _write_source(source, list(reversed(_all_rows())))
    build_published.build(source, tmp_path / "out")
    _assert_same_files(tmp_path / "out")


def test_build_fails_on_a_conflict_without_decision(tmp_path):
    rows = _all_rows()
    extra = dict(
        next(
            r
            for r in rows
            if r["series_id"] == "komdigi_ais_hoax_monthly_2024"
            and r["period_start"] == "2024-10-01"
        )
    )
    extra["value"] = "216"
    source = tmp_path / "figures.csv"
    _write_source(source, [*rows, extra])
    with pytest.raises(build_published.BuildError, match="without a decision"):
        build_published.build(source, tmp_path / "out")
    assert build_published.main(["--source", str(source), "--out", str(tmp_path / "o")]) == 1


def test_build_fails_when_a_decision_row_is_missing(tmp_path):
    rows = [
        r
        for r in _all_rows()
        if not (r["series_id"] == "kominfo_ais_hoax_monthly" and r["value"] == "486")
    ]
    source = tmp_path / "figures.csv"
    _write_source(source, rows)
    with pytest.raises(build_published.BuildError, match="not in the source"):
        build_published.build(source, tmp_path / "out")


# ---------------------------------------------------------------------------- against ../shared


@pytest.fixture(scope="module")
def shared_figures() -> Path:
    shared = _shared_data_dir()
    if shared is None:
        pytest.skip("../shared/data not present")
    path = shared / "published_figures" / "figures.csv"
    if not path.is_file():
        pytest.skip("published_figures/figures.csv not present")
    return path


@pytest.mark.shared
def test_bundle_equals_source_row_for_row(shared_figures):
    with shared_figures.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == SOURCE_COLUMNS
        source = Counter(tuple(r[c] for c in SOURCE_COLUMNS) for r in reader)
    bundle = Counter(tuple(r[c] for c in SOURCE_COLUMNS) for r in _all_rows())
    assert sum(bundle.values()) == sum(source.values())
    assert bundle - source == Counter(), "rows in the bundle that are not in the source"
    assert source - bundle == Counter(), "rows in the source missing from the bundle"


@pytest.mark.shared
def test_bundle_is_up_to_date_with_the_build(shared_figures, tmp_path):
    assert build_published.main(["--source", str(shared_figures), "--out", str(tmp_path)]) == 0
    _assert_same_files(tmp_path)


@pytest.mark.shared
@pytest.mark.parametrize(
    "quote",
    [
        "Maret (453)",
        "April (501)",
        "486 hoaks di April",
        "Februari (131)",
        "Oktober (215)",
        "7 isu hoaks di Agustus 2024, 3 isu hoaks di September 2024, 8 isu hoaks di Oktober 2024",
        "4 isu hoaks hingga 18 November 2024",
        "total ada 200 isu hoaks",
        "379 temuan isu hoaks",
        "Oktober: 23; November: 52; Desember: 47",
        "Januari: 38 isu",
        "73.309 konten di tahun 2019",
        "2019 78,306",
        "Pada Maret 2024, hoaks yang ditemukan mencapai 394",
        "1–30 November 2024: 250.475",
        "ada 279 konten",
    ],
)
def test_spot_checks_are_quoted_in_sources_md(shared_figures, quote):
    text = (shared_figures.parent / "SOURCES.md").read_text(encoding="utf-8")
    assert quote in text
