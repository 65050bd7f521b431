import csv
import datetime as dt

import pandas as pd
import pytest
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.data import calendar

NINE = ["pileg2014", "pilpres2014", "pemilu2019", "pemilu2024", "pilkada2015", "pilkada2017",
        "pilkada2018", "pilkada2020", "pilkada2024"]

VALID = """
elections:
  test2030:
    name: "Test election"
    level: local
    phases:
      campaign: {start: "2030-01-01", end: "2030-01-31", source: "made up"}
      quiet: {start: "2030-02-01", end: "2030-02-03", source: "made up"}
      voting: {start: "2030-02-04", end: "2030-02-04", source: "made up"}
"""


def write(tmp_path, text):
    path = tmp_path / "elections.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_bundled_calendar_has_the_nine_elections_with_sources():
    elections = calendar.load_elections()
    assert list(elections) == NINE
    for election in elections.values():
        assert set(calendar.REQUIRED_PHASES) <= set(election.phases)
        assert all(phase.source.strip() for phase in election.phases.values())


def test_bundled_calendar_matches_the_compiled_csv(shared_data):
    with open(shared_data / "election_calendar" / "calendar.csv", encoding="utf-8") as handle:
        expected = {(r["election_id"], r["phase"]): (r["start_date"], r["end_date"], r["source"])
                    for r in csv.DictReader(handle)}
    table = calendar.elections_table()
    got = {(r.election_id, r.phase): (r.start_date, r.end_date, r.source)
           for r in table.itertuples()}
    assert got == expected


def test_cli_elections_prints_every_date(shared_data):
    result = CliRunner().invoke(app, ["elections"])
    assert result.exit_code == 0, result.output
    with open(shared_data / "election_calendar" / "calendar.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    lines = result.output.splitlines()
    for row in rows:
        assert any(row["election_id"] in line and row["phase"] in line
                   and row["start_date"] in line and row["end_date"] in line
                   for line in lines), row
    assert len(lines) == len(rows) + 2  # header, rule, one line per phase


def test_user_adds_an_election_by_editing_yaml(tmp_path):
    elections = calendar.load_elections(write(tmp_path, VALID))
    assert elections["test2030"].voting_day == dt.date(2030, 2, 4)


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ('end: "2030-01-31"', 'end: "2030-31-01"', "phases.campaign.end"),
        ('end: "2030-01-31"', 'end: "31/01/2030"', "expected an ISO date"),
        ('quiet: {start: "2030-02-01"', 'quiet: {start: "2030-01-20"', "must not overlap"),
        ('voting: {start: "2030-02-04", end: "2030-02-04"',
         'voting: {start: "2030-02-04", end: "2030-02-02"', "phases.voting.end"),
        ('      quiet: {start: "2030-02-01", end: "2030-02-03", source: "made up"}\n', "",
         "phases.quiet"),
        ('source: "made up"}\n      quiet', 'source: ""}\n      quiet', "phases.campaign.source"),
        ("      voting:", "      count:", "unknown phase"),
    ],
)
def test_malformed_calendar_names_election_and_field(tmp_path, old, new, expected):
    assert old in VALID
    with pytest.raises(calendar.CalendarError) as info:
        calendar.load_elections(write(tmp_path, VALID.replace(old, new, 1)))
    message = str(info.value)
    assert "test2030" in message
    assert expected in message
    assert str(tmp_path / "elections.yaml") in message


def test_recap_may_start_on_voting_day_but_not_before(tmp_path):
    ok = VALID + '      recap_announcement: {start: "2030-02-04", end: "2030-02-10", source: x}\n'
    assert "recap_announcement" in calendar.load_elections(write(tmp_path, ok))["test2030"].phases
    bad = VALID + '      recap_announcement: {start: "2030-02-03", end: "2030-02-10", source: x}\n'
    with pytest.raises(calendar.CalendarError, match="before voting day"):
        calendar.load_elections(write(tmp_path, bad))


def test_not_yaml_is_a_clear_error(tmp_path):
    with pytest.raises(calendar.CalendarError, match="not valid YAML"):
        calendar.load_elections(write(tmp_path, "elections: [unclosed"))


def test_default_windows_mirror_the_campaign(tmp_path):
    election = calendar.load_elections(write(tmp_path, VALID))["test2030"]
    table = calendar.windows(election).set_index("window")
    assert list(table.index) == ["before", "campaign", "quiet", "voting", "after"]
    assert table.loc["before", "days"] == table.loc["campaign", "days"] == 31
    assert table.loc["before", "end"] == pd.Timestamp("2029-12-31")
    assert table.loc["before", "start"] == pd.Timestamp("2029-12-01")
    assert table.loc["after", "start"] == pd.Timestamp("2030-02-05")
    assert table.loc["after", "days"] == 31


def test_window_lengths_are_configurable_in_call_and_yaml(tmp_path):
    election = calendar.load_elections(write(tmp_path, VALID))["test2030"]
    table = calendar.windows(election, before_days=10, after_days=3).set_index("window")
    assert table.loc["before", "start"] == pd.Timestamp("2029-12-22")
    assert table.loc["after", "end"] == pd.Timestamp("2030-02-07")
    configured = VALID.replace("elections:", "windows: {before_days: 5}\nelections:")
    election = calendar.load_elections(write(tmp_path, configured))["test2030"]
    assert calendar.windows(election).set_index("window").loc["before", "days"] == 5


def test_pemilu2019_windows_from_the_bundled_calendar():
    table = calendar.windows("pemilu2019").set_index("window")
    assert table.loc["campaign", "start"] == pd.Timestamp("2018-09-23")
    assert table.loc["before", "end"] == pd.Timestamp("2018-09-22")
    assert table.loc["before", "days"] == table.loc["campaign", "days"] == 203
    assert table.loc["voting", "start"] == pd.Timestamp("2019-04-17")
    assert table.loc["after", "start"] == pd.Timestamp("2019-04-18")


def test_unknown_election_lists_the_known_ones():
    with pytest.raises(calendar.CalendarError, match="pemilu2019"):
        calendar.get_election("pemilu2099")
