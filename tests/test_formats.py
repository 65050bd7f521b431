"""Collection-tool export formats read as they are (issue 14): every preset of config/formats/
detected from its fixture's header, read with the right rows, zone, labels and duplicates set
aside; --preset forcing one; a header no preset matches named with the closest presets."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from negtrend.cli import app
from negtrend.corpus import inputs as corpus_inputs
from negtrend.data import formats, loading, paths
from negtrend.data.errors import LoadError
from negtrend.report import finding
from negtrend.run import checks, pipeline

FIXTURES = paths.project_root() / "tests" / "data" / "formats"


def fixture(name: str) -> str:
    return str(FIXTURES / name)


def reasons(loaded) -> list[tuple[int, str]]:
    return list(zip(loaded.quarantine["_row"], loaded.quarantine["reason_code"], strict=True))


def test_every_preset_has_a_fixture_and_loads():
    known = formats.presets()
    assert {"tweet-harvest", "turnbackhoax", "mediacloud-stories", "mediacloud-counts",
            "gdelt-timeline"} <= set(known)
    for name, preset in known.items():
        assert list(FIXTURES.glob(f"{name}.*")), name
        assert preset.kind in ("posts", "counts")


@pytest.mark.parametrize("name", ["tweet-harvest.csv", "turnbackhoax.csv",
                                  "mediacloud-stories.csv", "mediacloud-counts.csv",
                                  "gdelt-timeline.csv", "youtube-comments.jsonl",
                                  "telegram.json"])
def test_each_fixture_is_detected_and_the_note_says_so(name):
    loaded = pipeline.prepare(fixture(name)).loaded
    assert f"read as the {name.split('.')[0]} format" in " ".join(loaded.read_notes)
    assert "detected from its columns" in " ".join(loaded.read_notes)
    assert loaded.n_kept + loaded.n_quarantined == loaded.n_read
    assert loaded.summary()["read_notes"] == list(loaded.read_notes)


def test_tweet_harvest_times_in_wib_duplicates_once_bad_dates_named():
    loaded = pipeline.prepare(fixture("tweet-harvest.csv")).loaded
    assert loaded.kind == "posts" and loaded.n_read == 8 and loaded.n_kept == 6
    assert reasons(loaded) == [(3, "duplicate_id"), (6, "bad_timestamp")]
    first = loaded.data.iloc[0]
    # Wed Jan 03 10:00:00 +0000 2024 is 17:00 in Jakarta
    assert first["timestamp"] == pd.Timestamp("2024-01-03 17:00", tz="Asia/Jakarta")
    assert first["text"] == "Debat capres malam ini seru sekali"
    assert first["id"] == "1742000000000000001" and first["author"] == "warga_a"
    # 20:30 UTC on 3 January is already 4 January in Jakarta
    assert loaded.data.iloc[1]["date"] == pd.Timestamp("2024-01-04")
    bad = loaded.quarantine.set_index("_row").loc[6, "reason"]
    assert "column 'created_at'" in bad and "2024-01-18 kemarin" in bad
    duplicate = loaded.quarantine.set_index("_row").loc[3, "reason"]
    assert "id_str '1742000000000000001' already read in record 1" in duplicate
    assert loaded.data["id"].is_unique


def test_turnbackhoax_labels_from_the_verdict_tag_and_says_it_counts_fact_checks():
    prepared = pipeline.prepare(fixture("turnbackhoax.csv"))
    loaded = prepared.loaded
    assert prepared.categories == ["hoaks"] and prepared.tagging == "labels"
    assert reasons(loaded) == [(4, "duplicate_id"), (8, "bad_timestamp")]
    by_id = loaded.data.set_index("id")
    assert by_id["hoaks"].to_dict() == {"101": True, "102": True, "103": False, "104": True,
                                        "105": True, "106": False}
    assert by_id.loc["101", "timestamp"] == pd.Timestamp("2024-01-02", tz="Asia/Jakarta")
    assert loaded.summary()["counts"] == "fact_checks"
    line = finding.counted_line(loaded.source, "posts", "labels", "en", "fact_checks")
    assert "checking effort, not how much such content circulated" in line


def test_youtube_comments_epoch_seconds_replies_and_a_coarse_time_note():
    loaded = pipeline.prepare(fixture("youtube-comments.jsonl")).loaded
    assert loaded.n_kept == 7
    assert reasons(loaded) == [(4, "duplicate_id"), (5, "bad_timestamp")]
    by_id = loaded.data.set_index("id")
    # 1705752000 s is 2024-01-20 12:00 UTC, 19:00 in Jakarta; a reply's cid holds a dot
    assert by_id.loc["UgxA1", "timestamp"] == pd.Timestamp("2024-01-20 19:00",
                                                           tz="Asia/Jakarta")
    assert by_id.loc["UgxA1.9bR2", "author"] == "@warga_b"
    bad = loaded.quarantine.set_index("_row").loc[5, "reason"]
    assert "column 'time_parsed'" in bad and "not a number of seconds since 1970" in bad
    assert any("relative time" in note for note in loaded.read_notes)
    # each comment is as precise as its phrase: English, Indonesian (edited), or unreadable
    assert by_id["timestamp_precision"].to_dict() == {
        "UgxA1": "month", "UgxA1.9bR2": "week", "UgxC3": "week", "UgxE5": "day",
        "UgxF6": "hour", "UgxG7": "day", "UgxH8": "unknown"}


@pytest.mark.parametrize("freq,counted,coarse", [
    ("D", {"UgxF6"}, 6),  # only the comment dated to the hour can be placed in a day
    ("W", {"UgxF6", "UgxE5", "UgxG7"}, 4),  # day-precise comments fit a week
    ("M", {"UgxF6", "UgxE5", "UgxG7", "UgxA1.9bR2", "UgxC3"}, 2),  # a month's is too coarse
])
def test_youtube_comments_coarser_than_the_frequency_are_set_aside(freq, counted, coarse):
    prepared = pipeline.prepare(fixture("youtube-comments.jsonl"))
    series = pipeline.election_series(prepared, "pemilu2024", freq=freq).series
    unused = series.unused
    assert (unused["reason_code"] == "coarse_timestamp").sum() == coarse
    assert int(series.frame["total"].sum()) == len(counted)
    kept = set(prepared.loaded.data["id"]) - set(unused["id"])
    assert kept == counted
    reason = unused.set_index("id").loc["UgxA1", "reason"]
    assert reason.startswith("timestamp precise only to a month, too coarse to place in one")
    unknown = unused.set_index("id").loc["UgxH8", "reason"]
    assert unknown.startswith("timestamp of unknown precision")


def test_mediacloud_stories_titles_as_text_and_a_blank_date_quarantined():
    loaded = pipeline.prepare(fixture("mediacloud-stories.csv")).loaded
    assert loaded.n_kept == 4
    assert reasons(loaded) == [(4, "duplicate_id"), (6, "missing_timestamp")]
    assert list(loaded.data["platform"]) == ["kompas.com", "detik.com", "tempo.co",
                                             "antaranews.com"]
    assert loaded.data.iloc[0]["text"] == "KPU tetapkan jadwal debat capres"


@pytest.mark.parametrize("name,category,first_total", [
    ("mediacloud-counts", "stories", 38100.0),
    ("gdelt-timeline", "Article Count", 86500.0),
])
def test_count_presets_keep_the_exposure(name, category, first_total):
    prepared = pipeline.prepare(fixture(f"{name}.csv"))
    loaded = prepared.loaded
    assert loaded.kind == "counts" and prepared.tagging == "counts"
    assert set(loaded.data["category"]) == {category}
    assert loaded.data.iloc[0]["total"] == first_total
    assert loaded.data["total"].notna().all()
    assert loaded.summary()["counts"] == "news"
    built = pipeline.election_series(prepared, "pemilu2024", freq="W")
    assert built.series.exposure  # the share measure: matching items out of all collected


def test_gdelt_total_rows_become_the_exposure_of_their_date():
    loaded = pipeline.prepare(fixture("gdelt-timeline.csv")).loaded
    # 599 rows in the file: 299 totals, 300 counts; a total is not a row of its own
    assert loaded.n_read == 300 and loaded.n_kept == 299
    codes = loaded.quarantine["reason_code"].value_counts().to_dict()
    assert codes == {"missing_total": 1}
    assert any(note.startswith("299 'Total Monitored Articles' rows read as the exposure")
               for note in loaded.read_notes)
    missing = loaded.quarantine.set_index("reason_code").loc["missing_total"]
    assert missing["_row"] == 81
    assert "no 'Total Monitored Articles' row for 2023-10-11" in missing["reason"]


def test_mediacloud_counts_bad_count_is_quarantined():
    loaded = pipeline.prepare(fixture("mediacloud-counts.csv")).loaded
    assert reasons(loaded) == [(301, "bad_count")]
    assert loaded.quarantine.iloc[0]["reason"] == "count 'abc' is not a non-negative number"


def test_preset_forces_a_format_and_a_map_wins_over_it(tmp_path):
    # a tweet-harvest file with the identifying columns renamed is not detected ...
    frame = pd.read_csv(fixture("tweet-harvest.csv"), dtype=str)
    path = tmp_path / "tweets.csv"
    frame.rename(columns={"tweet_url": "url"}).to_csv(path, index=False)
    with pytest.raises(LoadError, match="closest presets: tweet-harvest \\(missing tweet_url\\)"):
        pipeline.prepare(str(path))
    # ... but --preset reads it
    loaded = pipeline.prepare(str(path), preset="tweet-harvest").loaded
    assert "as asked (preset)" in " ".join(loaded.read_notes)
    assert loaded.n_kept == 6
    # the caller's map and format win: the author from another column
    loaded = pipeline.prepare(str(path), preset="tweet-harvest",
                              column_map={"author": "location"}).loaded
    assert loaded.data.iloc[0]["author"] == "Jakarta"


def test_a_preset_that_does_not_fit_names_the_missing_columns():
    with pytest.raises(LoadError, match="preset 'turnbackhoax' reads columns .*CONTENT"):
        pipeline.prepare(fixture("tweet-harvest.csv"), preset="turnbackhoax")
    with pytest.raises(LoadError, match="unknown preset 'tiktok'; known presets: .*tweet-harvest"):
        pipeline.prepare(fixture("tweet-harvest.csv"), preset="tiktok")


def test_a_near_miss_lists_the_columns_found_and_the_closest_presets(tmp_path):
    path = tmp_path / "stories.csv"
    path.write_text("id,media_name,title,url\n1,kompas.com,Judul,https://x\n", encoding="utf-8")
    with pytest.raises(LoadError) as caught:
        pipeline.prepare(str(path))
    message = str(caught.value)
    assert "columns found: ['id', 'media_name', 'title', 'url']" in message
    assert "closest presets: mediacloud-stories (missing media_url, publish_date, " in message
    assert "pass --preset NAME, or --map" in message


def test_a_standard_file_is_not_taken_for_a_preset(tmp_path):
    path = tmp_path / "posts.csv"
    path.write_text("timestamp,text\n2024-01-03,halo\n", encoding="utf-8")
    assert corpus_inputs.format_plan(str(path)) is None
    assert corpus_inputs.format_plan(str(path), column_map={"text": "text"}) is None


def test_the_checks_name_a_bad_preset_before_a_kernel_starts():
    base = {"data": fixture("tweet-harvest.csv"), "election": "pemilu2024", "freq": "W"}
    checks.check_values({**base, "preset": "tweet-harvest"})
    with pytest.raises(checks.ParameterError, match="unknown preset 'nope'"):
        checks.check_values({**base, "preset": "nope"})
    with pytest.raises(checks.ParameterError, match="preset 'turnbackhoax' reads columns"):
        checks.check_values({**base, "preset": "turnbackhoax"})
    # a count preset's categories are checked as counts' categories
    counts = {**base, "data": fixture("mediacloud-counts.csv"), "categories": ["stories"]}
    checks.check_values(counts)
    with pytest.raises(checks.ParameterError, match="category \\['hoaks'\\]"):
        checks.check_values({**counts, "categories": ["hoaks"]})


def test_claim_check_reads_a_preset():
    record = pipeline.claim_check(fixture("mediacloud-counts.csv"), "pemilu2024", "stories",
                                  direction="increase", freq="W", power_simulations=0)
    assert record["kind"] == "counts"
    assert json.dumps(record)


def _report(data: str, reports, *extra) -> dict:
    done = subprocess.run(
        [sys.executable, "-m", "negtrend.cli", "report", "--data", data,
         "--election", "pemilu2024", "--freq", "W", "--reports-dir", str(reports),
         "-p", "power_simulations=0", *extra],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    folder = next(p for p in reports.iterdir() if (p / "metrics.json").exists())
    return json.loads((folder / "metrics.json").read_text(encoding="utf-8"))


@pytest.mark.slow
def test_report_from_media_cloud_counts_uses_the_exposure(tmp_path):
    metrics = _report(fixture("mediacloud-counts.csv"), tmp_path)
    text = json.dumps(metrics)
    assert "read as the mediacloud-counts format" in text
    assert "out of all stories the platform" in text


@pytest.mark.slow
def test_report_from_turnbackhoax_says_it_counts_fact_checks(tmp_path):
    metrics = _report(fixture("turnbackhoax.csv"), tmp_path, "--preset", "turnbackhoax")
    text = json.dumps(metrics)
    assert "read as the turnbackhoax format" in text
    assert "checking effort, not how much such content circulated" in text


@pytest.mark.slow
def test_report_from_tweet_harvest_posts(tmp_path):
    metrics = _report(fixture("tweet-harvest.csv"), tmp_path)
    text = json.dumps(metrics)
    assert "read as the tweet-harvest format" in text
    assert "repeated listings of an item (same id_str)" in text


@pytest.mark.slow
def test_report_from_youtube_comments_counts_only_the_comments_a_week_can_place(tmp_path):
    metrics = _report(fixture("youtube-comments.jsonl"), tmp_path)
    data = metrics["data"]
    assert data["not_usable_reasons"] == {"coarse_timestamp": 4}
    assert data["rows_used"] == 3  # hour- and day-precise comments
    page = next(tmp_path.glob("*/report.html")).read_text(encoding="utf-8")
    assert "coarse_timestamp: 4" in page


@pytest.mark.slow
def test_report_from_media_cloud_stories_and_a_gdelt_timeline(tmp_path):
    stories = _report(fixture("mediacloud-stories.csv"), tmp_path / "stories")
    assert "read as the mediacloud-stories format" in json.dumps(stories)
    timeline = _report(fixture("gdelt-timeline.csv"), tmp_path / "gdelt")
    assert timeline["data"]["n_read"] == 300  # the 299 totals are exposure, not rows
    assert timeline["data"]["quarantine_reasons"] == {"missing_total": 1}
    assert "out of all" in json.dumps(timeline)  # the share measure


def test_claim_and_classify_take_a_preset(tmp_path):
    done = CliRunner().invoke(app, [
        "claim", "--data", fixture("mediacloud-counts.csv"), "--election", "pemilu2024",
        "--category", "stories", "--direction", "increase", "--freq", "W",
        "--preset", "mediacloud-counts", "--power-simulations", "0"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["kind"] == "counts"
    out = tmp_path / "tagged.parquet"
    done = CliRunner().invoke(app, ["classify", "--data", fixture("tweet-harvest.csv"),
                                    "--out", str(out), "--preset", "tweet-harvest",
                                    "--processes", "1", "--no-progress"])
    assert done.exit_code == 0, done.output
    assert len(pd.read_parquet(out)) == 8


def test_an_unknown_preset_is_one_line_and_exit_2():
    done = CliRunner().invoke(app, [
        "claim", "--data", fixture("tweet-harvest.csv"), "--election", "pemilu2024",
        "--category", "hoaks", "--preset", "tiktok"])
    assert done.exit_code == 2
    assert "unknown preset 'tiktok'; known presets:" in done.output


def _count(name: str, out) -> dict:
    """`negtrend count` on a fixture: its JSON summary."""
    done = CliRunner().invoke(app, ["count", "--data", fixture(name), "--out", str(out),
                                    "--no-progress"])
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def test_count_reads_a_preset_whole_with_its_labels_and_duplicates(tmp_path):
    out = tmp_path / "tbh.csv"
    summary = _count("turnbackhoax.csv", out)
    assert summary["n_kept"] == 6 and summary["quarantine_reasons"] == {
        "bad_timestamp": 1, "duplicate_id": 1}
    daily = pd.read_csv(out)
    assert list(daily.columns) == ["date", "hoaks", "total"]
    assert daily["hoaks"].sum() == 4 and daily["total"].sum() == 6
    done = CliRunner().invoke(app, ["count", "--data", fixture("mediacloud-counts.csv"),
                                    "--out", str(tmp_path / "mc.csv"), "--no-progress"])
    assert done.exit_code == 2
    assert "already holds counts per period" in done.output


def test_count_per_day_quarantines_comments_a_day_cannot_place(tmp_path):
    out = tmp_path / "yt.csv"
    summary = _count("youtube-comments.jsonl", out)
    assert summary["quarantine_reasons"] == {"bad_timestamp": 1, "coarse_timestamp": 6,
                                             "duplicate_id": 1}
    assert summary["n_kept"] == 1 and summary["accounting_ok"]
    assert pd.read_csv(out)["total"].sum() == 1
    quarantine = pd.read_csv(out.with_suffix(".quarantine.csv"))
    row = quarantine.set_index("_row").loc[8]  # '2 hari yang lalu (diedit)'
    assert row["reason"] == ("timestamp precise only to a day, too coarse to place in one "
                             "day (countable at freq W)")


def test_an_older_tweet_harvest_with_semicolons_and_fewer_columns():
    path = fixture("tweet-harvest-semicolon.csv")
    loaded = pipeline.prepare(path).loaded
    assert "fields separated by semicolons" in loaded.read_notes
    assert "read as the tweet-harvest format" in " ".join(loaded.read_notes)
    assert loaded.n_kept == 6 and reasons(loaded) == [(3, "duplicate_id"), (6, "bad_timestamp")]
    assert loaded.data.iloc[1]["timestamp"] == pd.Timestamp("2024-01-04 03:30",
                                                            tz="Asia/Jakarta")
    checks.check_values({"data": path, "election": "pemilu2024", "freq": "W",
                         "preset": "tweet-harvest"})


def test_a_bad_count_in_a_preset_names_the_file_column(tmp_path):
    path = tmp_path / "timeline.csv"
    path.write_text("Date,Series,Value\n2024-01-01,Article Count,12\n"
                    "2024-01-01,Total Monitored Articles,9000\n2024-01-02,Article Count,n/a\n"
                    "2024-01-02,Total Monitored Articles,9100\n", encoding="utf-8")
    loaded = pipeline.prepare(str(path)).loaded
    bad = loaded.quarantine.set_index("reason_code").loc["bad_count"]
    assert bad["reason"] == "count (column 'Value') 'n/a' is not a non-negative number"
    assert loaded.n_kept == 1 and loaded.data.iloc[0]["total"] == 9000


def test_indonesian_month_names_are_read_with_a_month_name_format(tmp_path):
    """TurnBackHoax writes dates like '2 Mei 2024' and '17 Agu 2024': strptime knows only
    English month names, so without the translation these rows would be quarantined."""
    lines = (FIXTURES / "turnbackhoax.csv").read_text(encoding="utf-8").splitlines()
    header, first = lines[0], lines[1]
    rows = [first.replace("2 Jan 2024", date).replace(",101", f",{200 + i}")
            for i, date in enumerate(["2 Mei 2024", "17 Agu 2024", "3 Okt 2024",
                                      "1 Des 2024", "9 Agt. 2024"])]
    path = tmp_path / "turnbackhoax.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    loaded = pipeline.prepare(str(path)).loaded
    assert loaded.n_quarantined == 0 and loaded.n_kept == 5
    assert sorted(loaded.data["timestamp"].dt.strftime("%Y-%m-%d")) == [
        "2024-05-02", "2024-08-09", "2024-08-17", "2024-10-03", "2024-12-01"]
    full = loading.parse_timestamps(pd.Series(["17 Agustus 2024", "1 Desember 2023"]),
                                    timestamp_format="%d %B %Y")
    assert full.dt.strftime("%Y-%m-%d").tolist() == ["2024-08-17", "2023-12-01"]


def test_a_folder_of_tweet_harvest_scrapes_old_and_new_counts_each_tweet_once(tmp_path):
    folder = tmp_path / "scrapes"
    folder.mkdir()
    for name in ("tweet-harvest.csv", "tweet-harvest-semicolon.csv"):
        (folder / name).write_bytes(Path(fixture(name)).read_bytes())
    corpus = pipeline.prepare(str(folder)).loaded
    one = pipeline.prepare(fixture("tweet-harvest.csv")).loaded
    other = pipeline.prepare(fixture("tweet-harvest-semicolon.csv")).loaded
    ids = set(one.data["id"]) | set(other.data["id"])
    assert sorted(corpus.data["id"]) == sorted(ids)  # each tweet once, whichever file
    across = len(one.data) + len(other.data) - len(ids)
    assert across > 0
    assert (corpus.quarantine["reason_code"] == "duplicate_id").sum() == \
        across + (one.quarantine["reason_code"] == "duplicate_id").sum() + \
        (other.quarantine["reason_code"] == "duplicate_id").sum()
    assert corpus.n_kept + corpus.n_quarantined == corpus.n_read == one.n_read + other.n_read
    assert "tweet-harvest-semicolon.csv" in " ".join(corpus.quarantine["file"])
