"""Elections, their phases, and the comparison windows derived from them.

The calendar is data: ``config/elections.yaml``. Adding an election is a YAML edit. Loading
validates every date and the order of phases so that a typo fails loudly, naming the election
and the field, instead of silently shifting a window.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from negtrend.data import paths
from negtrend.errors import NegtrendError

if TYPE_CHECKING:  # pandas is imported where it is used: `negtrend elections` needs none
    import pandas as pd

REQUIRED_PHASES = ("campaign", "quiet", "voting")
OPTIONAL_PHASES = ("recap_announcement",)
WINDOW_ORDER = ("before", "campaign", "quiet", "voting", "after")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class CalendarError(NegtrendError, ValueError):
    """A malformed elections file; the message names the file, election and field."""


@dataclass(frozen=True)
class Phase:
    name: str
    start: dt.date
    end: dt.date
    source: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Election:
    id: str
    name: str
    level: str
    country: str
    phases: dict[str, Phase]
    before_days: int | None = None
    after_days: int | None = None
    extra: dict = field(default_factory=dict)

    @property
    def campaign(self) -> Phase:
        return self.phases["campaign"]

    @property
    def voting_day(self) -> dt.date:
        return self.phases["voting"].start


def default_path() -> Path:
    return paths.config_dir() / "elections.yaml"


def load_elections(path: str | Path | None = None) -> dict[str, Election]:
    """Read and validate the elections file; returns elections keyed by id, in file order."""
    path = Path(path) if path is not None else default_path()
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CalendarError(f"{path}: elections file not found") from None
    except yaml.YAMLError as exc:
        raise CalendarError(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(raw, dict) or not isinstance(raw.get("elections"), dict):
        raise CalendarError(f"{path}: expected a mapping with an 'elections:' mapping at the top")
    defaults = raw.get("windows") or {}
    before = _optional_days(defaults, "before_days", path, "windows")
    after = _optional_days(defaults, "after_days", path, "windows")
    elections = {}
    for election_id, entry in raw["elections"].items():
        elections[str(election_id)] = _parse_election(str(election_id), entry, path, before, after)
    return elections


def get_election(election_id: str, path: str | Path | None = None) -> Election:
    elections = load_elections(path)
    if election_id not in elections:
        known = ", ".join(elections)
        raise CalendarError(f"unknown election '{election_id}'; known: {known}")
    return elections[election_id]


def _where(path: Path, election_id: str, field_name: str) -> str:
    return f"{path}: election '{election_id}', field '{field_name}'"


def _optional_days(block: dict, key: str, path: Path, where: str) -> int | None:
    value = block.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise CalendarError(f"{path}: {where}.{key}: expected a positive whole number of days "
                            f"or null, got {value!r}")
    return value


def _parse_date(value, path: Path, election_id: str, field_name: str) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    text = str(value).strip() if value is not None else ""
    if not _ISO_DATE.match(text):
        raise CalendarError(f"{_where(path, election_id, field_name)}: expected an ISO date "
                            f"YYYY-MM-DD, got {value!r}")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CalendarError(f"{_where(path, election_id, field_name)}: {text!r} is not a real "
                            "calendar date") from None


def _parse_election(election_id, entry, path, before_days, after_days) -> Election:
    if not isinstance(entry, dict):
        raise CalendarError(f"{_where(path, election_id, '.')}: expected a mapping")
    for key in ("name", "phases"):
        if not entry.get(key):
            raise CalendarError(f"{_where(path, election_id, key)}: required field is missing")
    raw_phases = entry["phases"]
    if not isinstance(raw_phases, dict):
        raise CalendarError(f"{_where(path, election_id, 'phases')}: expected a mapping")
    unknown = set(raw_phases) - set(REQUIRED_PHASES) - set(OPTIONAL_PHASES)
    if unknown:
        raise CalendarError(f"{_where(path, election_id, 'phases')}: unknown phase(s) "
                            f"{sorted(unknown)}; expected {REQUIRED_PHASES + OPTIONAL_PHASES}")
    phases = {}
    for name in REQUIRED_PHASES + OPTIONAL_PHASES:
        if name not in raw_phases:
            if name in REQUIRED_PHASES:
                raise CalendarError(f"{_where(path, election_id, 'phases.' + name)}: "
                                    "required phase is missing")
            continue
        phases[name] = _parse_phase(name, raw_phases[name], path, election_id)
    _check_order(phases, path, election_id)
    windows = entry.get("windows") or {}
    return Election(
        id=election_id,
        name=str(entry["name"]),
        level=str(entry.get("level", "")),
        country=str(entry.get("country", "")),
        phases=phases,
        before_days=_optional_days(windows, "before_days", path, election_id) or before_days,
        after_days=_optional_days(windows, "after_days", path, election_id) or after_days,
        extra={k: v for k, v in entry.items()
               if k not in {"name", "level", "country", "phases", "windows"}},
    )


def _parse_phase(name, raw, path, election_id) -> Phase:
    where = f"phases.{name}"
    if not isinstance(raw, dict):
        raise CalendarError(f"{_where(path, election_id, where)}: expected start, end, source")
    for key in ("start", "end", "source"):
        if raw.get(key) in (None, ""):
            raise CalendarError(f"{_where(path, election_id, where + '.' + key)}: "
                                "required field is missing")
    start = _parse_date(raw["start"], path, election_id, where + ".start")
    end = _parse_date(raw["end"], path, election_id, where + ".end")
    if end < start:
        raise CalendarError(f"{_where(path, election_id, where + '.end')}: end {end} is before "
                            f"start {start}")
    return Phase(name, start, end, str(raw["source"]))


def _check_order(phases: dict[str, Phase], path: Path, election_id: str) -> None:
    """Campaign, quiet and voting follow each other without overlap; the recap of results may
    begin on voting day (Pilkada counts start that evening) but never before it."""
    sequence = [phases[name] for name in REQUIRED_PHASES]
    for earlier, later in zip(sequence, sequence[1:], strict=False):
        if later.start <= earlier.end:
            raise CalendarError(
                f"{_where(path, election_id, 'phases.' + later.name + '.start')}: "
                f"{later.name} starts {later.start}, which is not after {earlier.name} ends "
                f"{earlier.end} (phases must be in order and must not overlap)")
    recap = phases.get("recap_announcement")
    if recap is not None and recap.start < phases["voting"].start:
        raise CalendarError(
            f"{_where(path, election_id, 'phases.recap_announcement.start')}: "
            f"recap starts {recap.start}, before voting day {phases['voting'].start}")


def phase_rows(elections: dict[str, Election] | None = None) -> list[dict]:
    """One row per election phase, in the layout of the compiled calendar.csv."""
    elections = load_elections() if elections is None else elections
    return [
        {
            "election_id": e.id,
            "election_name": e.name,
            "level": e.level,
            "phase": p.name,
            "start_date": p.start.isoformat(),
            "end_date": p.end.isoformat(),
            "days": p.days,
            "source": p.source,
        }
        for e in elections.values()
        for p in e.phases.values()
    ]


def elections_table(elections: dict[str, Election] | None = None) -> pd.DataFrame:
    """:func:`phase_rows` as a table."""
    import pandas as pd

    return pd.DataFrame(phase_rows(elections))


def windows(
    election: Election | str,
    before_days: int | None = None,
    after_days: int | None = None,
) -> pd.DataFrame:
    """Comparison windows: before, campaign, quiet, voting, after (inclusive dates).

    ``before`` ends the day before the campaign and, by default, is as long as the campaign,
    so both windows see the same number of weekdays and paydays. ``after`` starts the day after
    voting, by default also as long as the campaign. The recap period sits inside ``after``.
    """
    import pandas as pd

    if isinstance(election, str):
        election = get_election(election)
    campaign = election.campaign
    before_days = before_days or election.before_days or campaign.days
    after_days = after_days or election.after_days or campaign.days
    for label, value in (("before_days", before_days), ("after_days", after_days)):
        if value < 1:
            raise ValueError(f"{label} must be at least 1 day, got {value}")
    voting = election.phases["voting"]
    quiet = election.phases["quiet"]
    one = dt.timedelta(days=1)
    spans = {
        "before": (campaign.start - dt.timedelta(days=before_days), campaign.start - one),
        "campaign": (campaign.start, campaign.end),
        "quiet": (quiet.start, quiet.end),
        "voting": (voting.start, voting.end),
        "after": (voting.end + one, voting.end + dt.timedelta(days=after_days)),
    }
    frame = pd.DataFrame(
        [
            {"window": name, "start": pd.Timestamp(start), "end": pd.Timestamp(end),
             "days": (end - start).days + 1}
            for name, (start, end) in spans.items()
        ]
    )
    frame.attrs["election"] = election.id
    return frame


ELECTION_HOLIDAY_WORDS = ("election",)


def holiday_covariates(start, end, country: str = "ID") -> pd.DataFrame:
    """Daily indicators of what shakes online volume: public holidays, Ramadan, and the Idul
    Fitri week (mudik), from the ``holidays`` package.

    Election days, which the package lists as holidays, are left out: they are what is being
    measured, and a holiday term on voting day would absorb the effect. (Cached: power and
    placebo refit the same span hundreds of times.)
    """
    import pandas as pd

    return _holiday_covariates(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(),
                               country).copy()


@functools.lru_cache(maxsize=64)
def _holiday_covariates(start: pd.Timestamp, end: pd.Timestamp, country: str) -> pd.DataFrame:
    import holidays as holiday_tables
    import pandas as pd

    days = pd.date_range(pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize(),
                         freq="D", name="date")
    years = list(range(days.min().year - 1, days.max().year + 2))
    table = holiday_tables.country_holidays(country, years=years, language="en_US")
    named = {pd.Timestamp(day): name for day, name in table.items()
             if not any(word in name.lower() for word in ELECTION_HOLIDAY_WORDS)}
    eid = sorted(day for day, name in named.items()
                 if "eid al-fitr" in name.lower() and "second" not in name.lower())
    ramadan = pd.Series(False, index=days)
    eid_week = pd.Series(False, index=days)
    for day in eid:
        ramadan |= (days >= day - pd.Timedelta(days=30)) & (days < day)
        eid_week |= (days >= day - pd.Timedelta(days=3)) & (days <= day + pd.Timedelta(days=3))
    return pd.DataFrame({
        "holiday": days.isin(list(named)),
        "ramadan": ramadan.to_numpy(),
        "eid_week": eid_week.to_numpy(),
    }, index=days)
