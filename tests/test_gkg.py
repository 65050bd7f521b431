"""GDELT GKG 2.1 files read as GDELT publishes them: tab-separated, no header, no quoting,
times in UTC, themes and tone as packed lists that label rules can read."""

import csv
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from negtrend.data import formats, labels
from negtrend.run import pipeline

FIXTURE = Path(__file__).parent / "data" / "formats" / "gdelt-gkg.csv"
RULES = ["pemilu=V2Themes@ELECTION", "curang=Themes@ELECTION_FRAUD",
         "negatif=V2Themes@ELECTION && tone<-5"]


def _records() -> list[list[str]]:
    """The fixture split by hand: the oracle the loader is checked against."""
    return [line.rstrip("\n").split("\t")
            for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def _usable(records):
    """Records of 27 fields with a 14-digit DATE, each article (URL) once."""
    seen, kept = set(), []
    for fields in records:
        if len(fields) != 27 or len(fields[1]) != 14 or fields[4] in seen:
            continue
        seen.add(fields[4])
        kept.append(fields)
    return kept


def test_a_headerless_gkg_file_is_detected_and_its_odd_records_set_aside():
    loaded = pipeline.prepare(str(FIXTURE)).loaded
    assert "read as the gdelt-gkg format (GDELT GKG 2.1 article records; detected from its " \
        "first record)" in loaded.read_notes
    assert loaded.n_read == len(_records())
    codes = loaded.quarantine.set_index("_row")["reason_code"].to_dict()
    assert codes == {12: "duplicate_id", 32: "bad_fields", 42: "bad_timestamp"}
    assert "has 26 fields, expected 27" in loaded.quarantine.set_index("_row").loc[32, "reason"]
    assert loaded.n_kept == len(_usable(_records()))


def test_gkg_times_are_utc_titles_come_from_extras_and_quotes_are_plain_text():
    data = pipeline.prepare(str(FIXTURE)).loaded.data.set_index("_row")
    first = _records()[0]
    utc = pd.Timestamp(pd.to_datetime(first[1], format="%Y%m%d%H%M%S"), tz="UTC")
    assert data.loc[1, "timestamp"] == utc.tz_convert("Asia/Jakarta")
    assert data.loc[1, "date"] == pd.Timestamp("2024-01-02")  # 20:30 UTC is the next day here
    assert data.loc[1, "platform"] == first[3]
    assert data.loc[22, "text"] == '"Surat suara" tercoblos? Ini faktanya'
    assert data.loc[22, "Quotations"] == '"Kami netral" kata ketua KPU'
    assert pd.isna(data.loc[52, "text"])  # no PAGE_TITLE: an article still, without a title
    assert data.loc[1, "tone"] == float(first[15].split(",")[0])


def test_theme_and_tone_rules_count_what_the_packed_fields_say():
    loaded = pipeline.prepare(str(FIXTURE), labels_spec=RULES).loaded
    kept = _usable(_records())
    election = [f for f in kept if "ELECTION" in [c.split(",")[0] for c in f[8].split(";")]]
    fraud = [f for f in kept if "ELECTION_FRAUD" in f[7].split(";")]
    negative = [f for f in election if float(f[15].split(",")[0]) < -5]
    assert 0 < len(negative) < len(election) < len(kept)
    assert int(loaded.data["pemilu"].sum()) == len(election)
    assert int(loaded.data["curang"].sum()) == len(fraud)
    assert int(loaded.data["negatif"].sum()) == len(negative)


def test_label_rules_on_code_lists_numbers_and_conjunctions():
    frame = pd.DataFrame({"_row": [1, 2, 3, 4],
                          "codes": ["ELECTION,12;TAX_X,4;", "election_fraud,9", None,
                                    "ELECTIONS,1"],
                          "tone": ["-6.2", "1.5", "not a number", "-10"]})
    rules = labels.parse_rules(["a=codes@ELECTION|ELECTION_FRAUD", "b=tone<-5",
                                "c=codes@ELECTION && tone<=-6.2", "d=tone>=1.5"])
    out = labels.apply_rules(frame, rules)
    assert list(out["a"]) == [True, True, False, False]  # ELECTIONS is another code
    assert list(out["b"]) == [True, False, False, True]  # not a number: false
    assert list(out["c"]) == [True, False, False, False]
    assert list(out["d"]) == [False, True, False, False]
    assert labels.rule_columns(rules)["c"] == ["codes", "tone"]
    with pytest.raises(labels.LabelError, match="expected COLUMN<NUMBER"):
        labels.apply_rules(frame, labels.parse_rules(["e=tone<low"]))


def test_a_zipped_gkg_file_reads_as_the_plain_one(tmp_path):
    archive = tmp_path / "20240214000000.gkg.csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(FIXTURE, "20240214000000.gkg.csv")
    plain = pipeline.prepare(str(FIXTURE)).loaded
    zipped = pipeline.prepare(str(archive)).loaded
    pd.testing.assert_frame_equal(plain.data, zipped.data)
    assert zipped.quarantine["reason_code"].tolist() == plain.quarantine["reason_code"].tolist()
    two = tmp_path / "two.csv.zip"
    with zipfile.ZipFile(two, "w") as handle:
        handle.write(FIXTURE, "a.csv")
        handle.write(FIXTURE, "b.csv")
    with pytest.raises(Exception, match="must hold exactly one file; it holds 2"):
        pipeline.prepare(str(two))


def test_a_gkg_export_with_a_header_is_detected_by_its_columns(tmp_path):
    names = list(formats.get_preset("gdelt-gkg").names)
    rows = [r for r in _records() if len(r) == 27]
    quoted = tmp_path / "bigquery.csv"  # a BigQuery export: commas, quotes, a header
    with open(quoted, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(names)
        writer.writerows(rows)
    tabs = tmp_path / "with_header.csv"  # GDELT's own layout under a header line
    tabs.write_text("\t".join(names) + "\n" + "\n".join("\t".join(r) for r in rows) + "\n",
                    encoding="utf-8")
    expected = pipeline.prepare(str(FIXTURE)).loaded.data["text"].tolist()
    for path in (quoted, tabs):
        loaded = pipeline.prepare(str(path)).loaded
        assert "detected from its columns" in " ".join(loaded.read_notes)
        assert loaded.data["text"].tolist() == expected


def test_a_forced_gkg_preset_on_a_file_that_is_not_one_names_what_is_missing(tmp_path):
    other = tmp_path / "posts.csv"
    other.write_text("timestamp,text\n2024-01-01,halo\n", encoding="utf-8")
    with pytest.raises(Exception, match="preset 'gdelt-gkg' reads columns"):
        pipeline.prepare(str(other), preset="gdelt-gkg")


@pytest.mark.slow
def test_report_from_gkg_articles_labelled_by_theme_and_tone(tmp_path):
    done = subprocess.run(
        [sys.executable, "-m", "negtrend.cli", "report", "--data", str(FIXTURE),
         "--election", "pemilu2024", "--freq", "W", "--reports-dir", str(tmp_path),
         "-p", "power_simulations=0", *[a for rule in RULES for a in ("--label", rule)]],
        capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    folder = next(p for p in tmp_path.iterdir() if (p / "metrics.json").exists())
    metrics = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["data"]["categories"] == ["pemilu", "curang", "negatif"]
    assert metrics["data"]["exposure"] == "total"  # a share of all articles in the file
    assert metrics["data"]["quarantine_reasons"] == {"bad_fields": 1, "bad_timestamp": 1,
                                                     "duplicate_id": 1}
    assert "read as the gdelt-gkg format" in json.dumps(metrics)


def _split_into_files(folder: Path) -> list[Path]:
    """The fixture cut into three files as GDELT publishes them (the last one zipped); the
    article repeated at record 12 (first read at record 11) ends up in another file."""
    lines = FIXTURE.read_text(encoding="utf-8").splitlines(keepends=True)
    folder.mkdir()
    paths = []
    for number, (start, stop) in enumerate(((0, 11), (11, 80), (80, len(lines)))):
        path = folder / f"2024010{number + 1}000000.gkg.csv"
        path.write_text("".join(lines[start:stop]), encoding="utf-8")
        paths.append(path)
    zipped = paths[-1].with_name(paths[-1].name + ".zip")
    with zipfile.ZipFile(zipped, "w", zipfile.ZIP_DEFLATED) as handle:
        handle.write(paths[-1], paths[-1].name)
    paths[-1].unlink()
    return [*paths[:-1], zipped]


def test_a_folder_of_gkg_files_reads_as_the_one_file_and_counts_an_article_once(tmp_path):
    _split_into_files(tmp_path / "gkg")
    whole = pipeline.prepare(str(FIXTURE), labels_spec=RULES).loaded
    corpus = pipeline.prepare(str(tmp_path / "gkg"), labels_spec=RULES).loaded
    assert corpus.n_read == whole.n_read and corpus.n_kept == whole.n_kept
    for name in ("pemilu", "curang", "negatif"):
        assert int(corpus.data[name].sum()) == int(whole.data[name].sum())
    assert sorted(corpus.data["timestamp"]) == sorted(whole.data["timestamp"])
    # the quarantine names each record's file and its record number there
    where = corpus.quarantine.set_index("reason_code")
    assert where.loc["duplicate_id", "file"].endswith("20240102000000.gkg.csv")
    assert where.loc["duplicate_id", "_row"] == 1
    assert "20240101000000.gkg.csv record 11" in where.loc["duplicate_id", "reason"]
    assert where.loc["bad_fields", "file"].endswith("20240102000000.gkg.csv")
    assert where.loc["bad_fields", "_row"] == 32 - 11
    notes = corpus.read_notes
    assert notes[0] == "3 files read as the gdelt-gkg format (GDELT GKG 2.1 article records)"
    converted = [n for n in notes if "written in UTC" in n]
    assert converted == [f"{corpus.n_kept + 1:,} timestamps, written in UTC as the format "
                         "says, were converted to Asia/Jakarta"]  # +1: the repeat, set aside
    assert "1 items listed in more than one file (same DocumentIdentifier) set aside: each " \
        "counted once" in notes
    assert "GCAM" not in corpus.data.columns  # heavy columns are dropped as files are read
    assert {"tone", "text", "platform", "_file"} <= set(corpus.data.columns)


def test_a_corpus_takes_its_first_files_format_and_names_a_file_that_is_not_one(tmp_path):
    folder = tmp_path / "mixed"
    _split_into_files(folder)
    (folder / "zz_posts.csv").write_text("timestamp,text\n2024-01-01,halo\n", encoding="utf-8")
    with pytest.raises(Exception, match=r"zz_posts.csv: the corpus is read as the gdelt-gkg "
                                         r"format .* lacks columns"):
        pipeline.prepare(str(folder))


def test_a_format_runs_on_the_pandas_engine_only(tmp_path):
    _split_into_files(tmp_path / "gkg")
    with pytest.raises(Exception, match="read by the pandas engine, not duckdb"):
        pipeline.prepare(str(tmp_path / "gkg"), engine="duckdb")
