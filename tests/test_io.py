"""negtrend.io: formats, encodings, timestamps, column maps and quarantine accounting."""

import csv
import datetime as dt
import json

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negtrend.data import loading, readers

WIB = "Asia/Jakarta"


def wib(text, tz=WIB):
    return pd.Timestamp(text, tz=tz)


def quarantined(result):
    """[(_row, reason_code), ...] in source order."""
    return list(zip(result.quarantine["_row"], result.quarantine["reason_code"], strict=True))


def assert_accounting(result):
    assert result.n_kept + result.n_quarantined == result.n_read
    assert result.summary()["accounting_ok"] is True


# --- parse_column_map ----------------------------------------------------------------------


def test_parse_column_map_string_dict_and_none():
    assert loading.parse_column_map("text=title,timestamp=date") == {"text": "title",
                                                                     "timestamp": "date"}
    assert loading.parse_column_map(" text = Judul Artikel , ") == {"text": "Judul Artikel"}
    assert loading.parse_column_map({"count": "jumlah"}) == {"count": "jumlah"}
    assert loading.parse_column_map(None) == {}
    assert loading.parse_column_map("") == {}


@pytest.mark.parametrize("spec, piece", [
    ("text=title,timestamp", "timestamp"),
    ("text=", "text="),
    ("=title", "=title"),
    ("text=a,text=b", "text"),
])
def test_parse_column_map_malformed_names_the_piece(spec, piece):
    with pytest.raises(loading.LoadError, match=piece):
        loading.parse_column_map(spec)


# --- the same posts in every format --------------------------------------------------------

POSTS = [
    {"id": "1", "timestamp": "2024-02-14T10:00:00+07:00", "text": "halo semua"},
    {"id": "2", "timestamp": "2024-02-13T20:00:00Z", "text": "Café “kutip” – naïve"},
    {"id": "3", "timestamp": "2024-02-14", "text": "koma, dan\nbaris baru"},
    {"id": "4", "timestamp": "", "text": "tanpa waktu"},
    {"id": "5", "timestamp": "2024-02-15 08:30", "text": "   "},
    {"id": "6", "timestamp": "2024-02-15 23:30", "text": "malam"},
]


def write_posts(path, fmt):
    frame = pd.DataFrame(POSTS)
    if fmt in ("csv", "tsv"):
        with open(path, "w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, delimiter="," if fmt == "csv" else "\t")
            writer.writerow(frame.columns)
            writer.writerows(frame.itertuples(index=False))
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in POSTS),
                        encoding="utf-8")
    elif fmt == "parquet":
        pq.write_table(pa.table({k: [p[k] for p in POSTS] for k in POSTS[0]}), path)
    else:
        frame.to_excel(path, index=False)
    return path


@pytest.fixture
def posts_by_format(tmp_path):
    suffixes = {"csv": ".csv", "tsv": ".tsv", "jsonl": ".jsonl", "parquet": ".parquet",
                "xlsx": ".xlsx"}
    return {fmt: loading.read_posts(write_posts(tmp_path / f"posts{sfx}", fmt))
            for fmt, sfx in suffixes.items()}


def test_csv_posts_kept_rows_and_timestamps(posts_by_format):
    result = posts_by_format["csv"]
    data = result.data
    assert list(data.columns[:4]) == ["_row", "timestamp", "date", "text"]
    assert "id" in data.columns
    assert data["_row"].tolist() == [1, 2, 3, 6]
    assert data["timestamp"].tolist() == [
        wib("2024-02-14 10:00"), wib("2024-02-14 03:00"), wib("2024-02-14 00:00"),
        wib("2024-02-15 23:30")]
    assert str(data["timestamp"].dtype) == "datetime64[ns, Asia/Jakarta]"
    assert str(data["date"].dtype) == "datetime64[ns]"
    assert data["date"].tolist() == [pd.Timestamp("2024-02-14")] * 3 + [pd.Timestamp("2024-02-15")]
    assert data["text"].iloc[2] == "koma, dan\nbaris baru"
    assert quarantined(result) == [(4, "missing_timestamp"), (5, "missing_text")]
    assert_accounting(result)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "parquet", "xlsx"])
def test_every_format_gives_the_same_kept_rows(posts_by_format, fmt):
    columns = ["_row", "timestamp", "date", "text", "id"]
    expected = posts_by_format["csv"]
    got = posts_by_format[fmt]
    pd.testing.assert_frame_equal(got.data[columns], expected.data[columns], check_dtype=False)
    assert got.data["timestamp"].dtype == expected.data["timestamp"].dtype
    assert quarantined(got) == quarantined(expected)
    assert got.n_read == 6
    assert (got.encoding is None) == (fmt in ("parquet", "xlsx"))


def test_fmt_overrides_the_suffix(tmp_path):
    path = write_posts(tmp_path / "posts.dat", "tsv")
    assert loading.read_posts(path, fmt="tsv").data["_row"].tolist() == [1, 2, 3, 6]
    with pytest.raises(loading.LoadError, match="unknown format"):
        loading.read_posts(path)


# --- timestamps ----------------------------------------------------------------------------


def one_column_posts(tmp_path, stamps, name="posts.csv"):
    path = tmp_path / name
    lines = ["timestamp,text"] + [f"{s},t{i}" for i, s in enumerate(stamps)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_naive_offset_z_and_date_only_timestamps(tmp_path):
    stamps = ["2024-02-14 23:30", "2024-02-14T10:00:00+07:00", "2024-02-13T20:00:00Z",
              "2024-02-14", "2024-02-14T23:30:00-05:00", "2024-02-14T10:00:00.250+0700",
              "2024-02-14T10:15"]
    data = loading.read_posts(one_column_posts(tmp_path, stamps)).data
    assert data["timestamp"].tolist() == [
        wib("2024-02-14 23:30"), wib("2024-02-14 10:00"), wib("2024-02-14 03:00"),
        wib("2024-02-14 00:00"), wib("2024-02-15 11:30"), wib("2024-02-14 10:00:00.250"),
        wib("2024-02-14 10:15")]
    assert data["date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2024-02-14", "2024-02-14", "2024-02-14", "2024-02-14", "2024-02-15", "2024-02-14",
        "2024-02-14"]


def test_given_zone_changes_localisation_and_local_date(tmp_path):
    stamps = ["2024-02-14 23:30", "2024-02-14T02:00:00+07:00", "2024-02-14"]
    data = loading.read_posts(one_column_posts(tmp_path, stamps), tz="UTC").data
    assert data["timestamp"].tolist() == [wib("2024-02-14 23:30", "UTC"),
                                          wib("2024-02-13 19:00", "UTC"),
                                          wib("2024-02-14 00:00", "UTC")]
    assert data["date"].dt.strftime("%Y-%m-%d").tolist() == ["2024-02-14", "2024-02-13",
                                                             "2024-02-14"]
    with pytest.raises(loading.LoadError, match="time zone"):
        loading.read_posts(one_column_posts(tmp_path, stamps), tz="Mars/Olympus")


def test_non_iso_timestamp_is_quarantined_with_a_hint(tmp_path):
    result = loading.read_posts(one_column_posts(tmp_path, ["11/12/25 5:44", "2024-02-14"]))
    assert quarantined(result) == [(1, "bad_timestamp")]
    row = result.quarantine.iloc[0]
    assert row["column"] == "timestamp"
    assert row["value"] == "11/12/25 5:44"
    assert row["reason"] == ("timestamp (column 'timestamp') '11/12/25 5:44' is not ISO 8601 "
                             "(e.g. 2024-02-14 or 2024-02-14T10:00:00+07:00); pass "
                             "timestamp_format")


def test_timestamp_format(tmp_path):
    path = one_column_posts(tmp_path, ["11/9/25 1:11", "11/12/25 15:44", "0", "2025-11-09"])
    result = loading.read_posts(path, timestamp_format="%m/%d/%y %H:%M")
    assert result.data["timestamp"].tolist() == [wib("2025-11-09 01:11"),
                                                 wib("2025-11-12 15:44")]
    assert quarantined(result) == [(3, "bad_timestamp"), (4, "bad_timestamp")]
    assert "'%m/%d/%y %H:%M'" in result.quarantine["reason"].iloc[0]


def test_impossible_and_out_of_range_dates_are_bad_not_crashes(tmp_path):
    result = loading.read_posts(one_column_posts(tmp_path, ["2024-02-30", "9999-01-01",
                                                            "2024-02-29", "1200-05-01T10:00Z"]))
    assert quarantined(result) == [(1, "bad_timestamp"), (2, "timestamp_out_of_range"),
                                   (4, "timestamp_out_of_range")]
    assert result.data["date"].tolist() == [pd.Timestamp("2024-02-29")]
    reasons = result.quarantine.set_index("_row")["reason"]
    assert "not ISO 8601" in reasons[1]
    assert "year 9999 is outside 1678-2261" in reasons[2] and "ISO" not in reasons[2]
    assert "year 1200" in reasons[4]


def test_year_9999_with_a_timestamp_format_and_in_typed_columns(tmp_path):
    path = one_column_posts(tmp_path, ["14/02/9999", "14/02/2024", "31/02/2024"])
    result = loading.read_posts(path, timestamp_format="%d/%m/%Y")
    assert quarantined(result) == [(1, "timestamp_out_of_range"), (3, "bad_timestamp")]
    typed = tmp_path / "typed.parquet"
    pq.write_table(pa.table({"timestamp": pa.array([dt.datetime(9999, 1, 1),
                                                    dt.datetime(2024, 1, 1)]),
                             "text": ["a", "b"]}), typed)
    assert quarantined(loading.read_posts(typed)) == [(1, "timestamp_out_of_range")]


def test_counts_dates_in_year_9999_have_their_own_reason(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("category,period_start,period_end,date,count\n"
                    "hoaks,2024-01-01,9999-01-31,,3\n"
                    "hoaks,,,9999-12-31,4\n"
                    "hoaks,,,2024-13-01,4\n"
                    "hoaks,,,2024-02-01,5\n", encoding="utf-8")
    result = loading.read_counts(path)
    assert quarantined(result) == [(1, "date_out_of_range"), (2, "date_out_of_range"),
                                   (3, "bad_date")]
    q = result.quarantine.set_index("_row")
    assert q.loc[1, "column"] == "period_end" and "year 9999" in q.loc[1, "reason"]
    assert "not an ISO date" in q.loc[3, "reason"]
    assert result.data["_row"].tolist() == [4]


def test_typed_parquet_datetimes_localised_or_converted(tmp_path):
    path = tmp_path / "typed.parquet"
    pq.write_table(pa.table({
        "naive": pa.array([dt.datetime(2024, 2, 14, 10, 0), None]),
        "aware": pa.array([dt.datetime(2024, 2, 13, 20, 0), None], pa.timestamp("us", "UTC")),
        "day": pa.array([dt.date(2024, 2, 14), None]),
        "n": pa.array([3, None]),
        "text": ["a", "b"],
    }), path)
    frame, _, encoding, _ = readers.read_table(path)
    assert encoding is None
    assert frame["n"].tolist()[0] == "3" and pd.isna(frame["n"].iloc[1])
    expected = {"naive": wib("2024-02-14 10:00"), "aware": wib("2024-02-14 03:00"),
                "day": wib("2024-02-14 00:00")}
    for column, stamp in expected.items():
        result = loading.read_posts(path, column_map={"timestamp": column})
        assert result.data["timestamp"].tolist() == [stamp]
        assert quarantined(result) == [(2, "missing_timestamp")]


def test_xlsx_datetime_cells_and_sheet_choice(tmp_path):
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"x": [1]}).to_excel(writer, sheet_name="notes", index=False)
        pd.DataFrame({"when": [pd.Timestamp("2024-02-14 10:00"), pd.Timestamp("2024-02-15")],
                      "text": ["a", "b"]}).to_excel(writer, sheet_name="posts", index=False)
    result = loading.read_posts(path, sheet="posts", column_map={"timestamp": "when"})
    assert result.data["timestamp"].tolist() == [wib("2024-02-14 10:00"), wib("2024-02-15")]
    with pytest.raises(loading.LoadError, match="notes"):
        loading.read_posts(path, sheet="missing", column_map={"timestamp": "when"})


# --- encodings -----------------------------------------------------------------------------

CP1252_TEXT = "Café déjà vu – “kutip” naïve"


def test_cp1252_file_is_decoded_with_the_right_characters(tmp_path):
    body = "timestamp,text\n2024-02-14,halo\n2024-02-15," + CP1252_TEXT + "\n"
    raw = body.encode("cp1252")
    path = tmp_path / "legacy.csv"
    path.write_bytes(raw)
    result = loading.read_posts(path)
    assert result.data["text"].tolist() == ["halo", CP1252_TEXT]
    assert result.encoding == "cp1252"
    offset = raw.index("é".encode("cp1252"))
    assert result.encoding_note.startswith(f"not valid UTF-8 (first bad byte at offset {offset})")
    assert "cp1252" in result.encoding_note
    assert result.summary()["encoding_note"] == result.encoding_note


def test_stray_byte_cp1252_cannot_decode_falls_back_to_latin1(tmp_path):
    path = tmp_path / "stray.csv"
    path.write_bytes("timestamp,text\n2024-02-14,Café naïve\n".encode("cp1252")
                     + b"2024-02-15,stray \x81 byte\n")
    result = loading.read_posts(path)
    assert result.encoding == "latin-1"
    assert result.data["text"].tolist() == ["Café naïve", "stray \x81 byte"]
    assert "0x81" in result.encoding_note
    assert_accounting(result)


def test_utf8_file_with_one_stray_byte_does_not_crash(tmp_path):
    path = tmp_path / "mostly_utf8.csv"
    path.write_bytes(b"timestamp,text\n2024-02-14,ok\n2024-02-15,caf\xe9\n")
    result = loading.read_posts(path)
    assert result.data["text"].tolist() == ["ok", "café"]
    assert result.encoding in ("cp1252", "latin-1")


def test_declared_encoding_is_honoured_even_for_valid_utf8(tmp_path):
    path = tmp_path / "utf8.csv"
    path.write_bytes("timestamp,text\n2024-02-14,café\n".encode())
    assert loading.read_posts(path).data["text"].tolist() == ["café"]
    declared = loading.read_posts(path, encoding="latin-1")
    assert declared.data["text"].tolist() == ["cafÃ©"]
    assert declared.encoding == "latin-1"
    assert "declared" in declared.encoding_note


def test_declared_encoding_for_a_legacy_file(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes(("timestamp,text\n2024-02-14," + CP1252_TEXT + "\n").encode("cp1252"))
    result = loading.read_posts(path, encoding="cp1252")
    assert result.data["text"].tolist() == [CP1252_TEXT]
    assert result.encoding_note.endswith("decoded as cp1252 (declared)")


def test_wrong_declared_encoding_replaces_instead_of_crashing(tmp_path):
    path = tmp_path / "legacy.csv"
    path.write_bytes("timestamp,text\n2024-02-14,café\n".encode("cp1252"))
    result = loading.read_posts(path, encoding="ascii")
    assert result.data["text"].tolist() == ["caf\ufffd"]
    assert "U+FFFD" in result.encoding_note
    with pytest.raises(loading.LoadError, match="unknown encoding 'klingon'"):
        loading.read_posts(path, encoding="klingon")


@pytest.mark.parametrize("bom", [b"\xef\xbb\xbf", "ï»¿".encode()])
def test_bom_and_mojibake_bom_are_stripped_from_the_header(tmp_path, bom):
    path = tmp_path / "bom.csv"
    path.write_bytes(bom + b" timestamp ,text\n2024-02-14,a\n")
    frame, _, _, _ = readers.read_table(path)
    assert list(frame.columns) == ["_row", "timestamp", "text"]
    assert loading.read_posts(path).n_kept == 1


# --- quarantine ----------------------------------------------------------------------------

BROKEN_CSV = (
    "id,timestamp,text\n"
    "1,2024-02-14 10:00,ok one\n"
    "2,2024-02-14 11:00,too,many,fields\n"
    "3,,no time\n"
    "4,kemarin sore,garbage time\n"
    "5,2024-02-14 12:00,\n"
    '6,2024-02-14 13:00,"multi\nline, quoted"\n'
    "7,2024-02-14\n"
    "\n"
    "8,2024-02-30 10:00,impossible date\n"
    "9,2024-02-15T09:00:00+07:00,ok last\n"
)


def test_broken_csv_quarantines_exact_rows_with_reasons(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    result = loading.read_posts(path)
    assert result.n_read == 9
    assert result.data["_row"].tolist() == [1, 6, 9]
    assert result.data["id"].tolist() == ["1", "6", "9"]
    assert result.data["text"].iloc[1] == "multi\nline, quoted"
    assert quarantined(result) == [(2, "bad_fields"), (3, "missing_timestamp"),
                                   (4, "bad_timestamp"), (5, "missing_text"),
                                   (7, "bad_fields"), (8, "bad_timestamp")]
    assert_accounting(result)
    q = result.quarantine.set_index("_row")
    assert list(result.quarantine.columns[:6]) == loading.QUARANTINE_COLUMNS
    assert q.loc[2, "reason"] == "has 5 fields, expected 3 (line 3)"
    assert q.loc[2, "raw"] == "2,2024-02-14 11:00,too,many,fields"
    assert q.loc[7, "reason"] == "has 2 fields, expected 3 (line 9)"  # after a 2-line record
    assert (q.loc[4, "column"], q.loc[4, "value"]) == ("timestamp", "kemarin sore")
    assert (q.loc[4, "id"], q.loc[4, "text"]) == ("4", "garbage time")
    assert q.loc[5, "column"] == "text"
    assert q.loc[3, "value"] == ""
    assert result.summary()["quarantine_reasons"] == {
        "bad_fields": 2, "bad_timestamp": 2, "missing_text": 1, "missing_timestamp": 1}


def test_quarantined_bad_fields_row_spanning_lines_keeps_its_raw_text(tmp_path):
    path = tmp_path / "span.csv"
    path.write_text('timestamp,text\n2024-02-14,"two\nlines",extra\n2024-02-15,ok\n',
                    encoding="utf-8")
    result = loading.read_posts(path)
    assert quarantined(result) == [(1, "bad_fields")]
    assert result.quarantine["raw"].iloc[0] == '2024-02-14,"two\nlines",extra'
    assert result.data["_row"].tolist() == [2]


def test_broken_jsonl_lines(tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text(
        '{"timestamp": "2024-02-14", "text": "a"}\n'
        "not json\n"
        "\n"
        "[1, 2]\n"
        '{"timestamp": "2024-02-14T10:00:00Z", "text": "b", "n": 3, "tags": ["x"]}\n'
        '{"timestamp": null, "text": "c"}\n'
        '"just a string"\n', encoding="utf-8")
    result = loading.read_posts(path)
    assert result.n_read == 6  # the blank line is not a record
    assert result.data["_row"].tolist() == [1, 5]
    assert result.data["n"].tolist()[1] == "3"
    assert result.data["tags"].tolist()[1] == '["x"]'
    assert quarantined(result) == [(2, "bad_json"), (4, "bad_json"), (6, "missing_timestamp"),
                                   (7, "bad_json")]
    q = result.quarantine.set_index("_row")
    assert q.loc[2, "raw"] == "not json"
    assert "object" in q.loc[4, "reason"]
    assert_accounting(result)


def test_json_array_file_is_a_whole_file_error(tmp_path):
    path = tmp_path / "array.json"
    path.write_text('[\n{"timestamp": "2024-02-14", "text": "a"}\n]\n', encoding="utf-8")
    with pytest.raises(loading.LoadError, match="JSON Lines"):
        loading.read_posts(path)


def test_write_quarantine_round_trip(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    result = loading.read_posts(path)
    out = loading.write_quarantine(result, tmp_path / "out" / "quarantine.csv")
    back = pd.read_csv(out, dtype=str, keep_default_na=False, encoding="utf-8")
    assert back["_row"].astype(int).tolist() == result.quarantine["_row"].tolist()
    assert back["reason_code"].tolist() == result.quarantine["reason_code"].tolist()
    assert back["reason"].tolist() == result.quarantine["reason"].tolist()
    assert back.set_index("_row").loc["2", "raw"] == "2,2024-02-14 11:00,too,many,fields"


def test_write_quarantine_when_empty_writes_a_header(tmp_path):
    path = one_column_posts(tmp_path, ["2024-02-14"])
    result = loading.read_posts(path)
    assert result.n_quarantined == 0
    out = loading.write_quarantine(result, tmp_path / "q.csv")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("_row,column,value,reason_code,reason,raw")


def test_summary_is_json_safe(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    summary = loading.read_posts(path).summary()
    again = json.loads(json.dumps(summary))
    assert again["date_min"] == "2024-02-14"
    assert again["date_max"] == "2024-02-15"
    assert (again["n_read"], again["n_kept"], again["n_quarantined"]) == (9, 3, 6)
    assert again["kind"] == "posts" and again["encoding"] == "utf-8"


# --- column maps and whole-file errors -----------------------------------------------------


def test_mapping_renames_and_keeps_other_columns(tmp_path):
    path = tmp_path / "news.csv"
    path.write_text("tanggal,judul,date,url\n2024-02-14,hoaks,kemarin,http://x\n",
                    encoding="utf-8")
    data = loading.read_posts(path, column_map="timestamp=tanggal,text=judul").data
    assert list(data.columns) == ["_row", "timestamp", "date", "text", "date_input", "url"]
    assert data["date_input"].tolist() == ["kemarin"]
    assert data["url"].tolist() == ["http://x"]


def test_date_column_is_used_when_there_is_no_timestamp(tmp_path):
    path = tmp_path / "dates.csv"
    path.write_text("date,text\n2019-04-17,a\n", encoding="utf-8")
    assert loading.read_posts(path).data["timestamp"].tolist() == [wib("2019-04-17")]


def test_missing_mapped_column_raises_naming_file_and_column(tmp_path):
    path = tmp_path / "posts_file.csv"
    path.write_text("tanggal,judul\n2024-02-14,a\n", encoding="utf-8")
    with pytest.raises(loading.LoadError) as err:
        loading.read_posts(path, column_map={"timestamp": "tanggal", "text": "title"})
    message = str(err.value)
    assert "posts_file.csv" in message
    assert "'title'" in message
    assert "judul" in message  # lists what is available


def test_no_timestamp_column_is_a_whole_file_error(tmp_path):
    path = tmp_path / "no_time.csv"
    path.write_text("text,label\na,1\nb,0\n", encoding="utf-8")
    with pytest.raises(loading.LoadError, match="no_time.csv.*timestamp"):
        loading.read_posts(path)
    with pytest.raises(loading.LoadError, match="cannot map"):
        loading.read_posts(path, column_map={"txt": "text"})


def test_require_text_false_keeps_rows_without_text(tmp_path):
    path = tmp_path / "no_text.csv"
    path.write_text("timestamp,n\n2024-02-14,1\n2024-02-15,\n", encoding="utf-8")
    with pytest.raises(loading.LoadError, match="text"):
        loading.read_posts(path)
    result = loading.read_posts(path, require_text=False)
    assert result.n_kept == 2 and "text" not in result.data.columns


def test_header_only_and_empty_files(tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("timestamp,text\n", encoding="utf-8")
    result = loading.read_posts(path)
    assert (result.n_read, result.n_kept, result.n_quarantined) == (0, 0, 0)
    assert result.summary()["date_min"] is None
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    with pytest.raises(loading.LoadError, match="empty"):
        loading.read_posts(empty)


# --- counts --------------------------------------------------------------------------------

COUNTS_CSV = (
    "category,period_start,period_end,date,count,total,source,note\n"
    "hoax,2024-01-01,2024-01-31,,10,100,kominfo,monthly\n"
    "hoax,,,2024-02-14,5,,,daily\n"
    "hoax,,,,3,,,nothing\n"
    "hoax,2024-02-01,2024-01-01,,3,,,reversed\n"
    "hoax,2024-13-01,2024-12-31,,3,,,bad date\n"
    ",2024-01-01,2024-01-31,,3,,,no category\n"
    "judol,2024-01-01,2024-01-31,,,,,no count\n"
    "judol,2024-01-01,2024-01-31,,-4,,,negative\n"
    "judol,2024-01-01,2024-01-31,,banyak,,,garbage\n"
    "judol,2024-01-01,2024-01-31,,7,lots,,bad total\n"
    "judol,2024-01-01,2024-03-31,,12345678901234,,,big\n"
)


def test_counts_periods_dates_and_every_reason(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text(COUNTS_CSV, encoding="utf-8")
    result = loading.read_counts(path)
    data = result.data
    assert list(data.columns) == ["_row", "period_start", "period_end", "days", "category",
                                  "count", "total", "source", "note"]
    assert data["_row"].tolist() == [1, 2, 11]
    assert data["period_start"].tolist() == [pd.Timestamp(d) for d in
                                             ("2024-01-01", "2024-02-14", "2024-01-01")]
    assert data["period_end"].tolist() == [pd.Timestamp(d) for d in
                                           ("2024-01-31", "2024-02-14", "2024-03-31")]
    assert data["days"].tolist() == [31, 1, 91]
    assert str(data["period_start"].dtype) == "datetime64[ns]"
    assert str(data["days"].dtype) == "int64"
    assert str(data["count"].dtype) == "float64"
    assert data["count"].tolist() == [10.0, 5.0, 12345678901234.0]
    assert data["total"].iloc[0] == 100.0 and pd.isna(data["total"].iloc[1])
    assert data["source"].tolist() == ["kominfo", "", ""]
    assert quarantined(result) == [
        (3, "missing_period"), (4, "period_reversed"), (5, "bad_date"),
        (6, "missing_category"), (7, "missing_count"), (8, "bad_count"), (9, "bad_count"),
        (10, "bad_total")]
    q = result.quarantine.set_index("_row")
    assert "'2024-13-01'" in q.loc[5, "reason"]
    assert "'-4'" in q.loc[8, "reason"] and "'banyak'" in q.loc[9, "reason"]
    assert q.loc[10, "value"] == "lots"
    assert q.loc[4, "reason"] == "period_end 2024-01-01 is before period_start 2024-02-01"
    assert_accounting(result)
    assert result.summary()["date_min"] == "2024-01-01"
    assert result.summary()["date_max"] == "2024-03-31"


def test_counts_value_column_and_mapping(tmp_path):
    path = tmp_path / "published.csv"
    path.write_text("date,category,value,unit\n2024-02-14,hoax,7,items\n", encoding="utf-8")
    data = loading.read_counts(path).data
    assert data["count"].tolist() == [7.0]
    assert data["unit"].tolist() == ["items"]
    assert "value" not in data.columns
    mapped = tmp_path / "mapped.jsonl"
    mapped.write_text('{"tanggal": "2024-02-14", "jenis": "judol", "jumlah": 12}\n',
                      encoding="utf-8")
    data = loading.read_counts(mapped, column_map="date=tanggal,category=jenis,count=jumlah").data
    assert (data["category"].iloc[0], data["count"].iloc[0], data["days"].iloc[0]) == \
        ("judol", 12.0, 1)


def test_counts_without_period_columns_is_a_whole_file_error(tmp_path):
    path = tmp_path / "undated.csv"
    path.write_text("category,count\nhoax,3\n", encoding="utf-8")
    with pytest.raises(loading.LoadError, match="undated.csv.*period_start"):
        loading.read_counts(path)


# --- performance ---------------------------------------------------------------------------


def test_reads_many_short_rows_quickly(tmp_path):
    import time

    path = tmp_path / "many.csv"
    rows = "".join(f"{i},2024-02-{1 + i % 28:02d}T{i % 24:02d}:00:00,post {i}\n"
                   for i in range(200_000))
    path.write_text("id,timestamp,text\n" + rows, encoding="utf-8")
    start = time.perf_counter()
    result = loading.read_posts(path)
    elapsed = time.perf_counter() - start
    assert result.n_kept == 200_000
    assert elapsed < 5.0  # about 0.5 s here; generous for slow CI machines


# --- the team's real files (skipped when ../shared/data is absent) --------------------------


@pytest.mark.shared
def test_real_re_dataset_not_utf8_all_records_read(shared_data):
    path = shared_data / "ibrohim_budi_2019_hate_abusive" / "re_dataset.csv"
    frame, raw_q, encoding, note = readers.read_table(path)
    assert len(frame) + len(raw_q) == 13169
    assert encoding in ("cp1252", "latin-1")
    assert note.startswith("not valid UTF-8")
    assert frame.columns[1] == "Tweet" and frame["_row"].iloc[-1] == 13169


@pytest.mark.shared
def test_real_kamusalay_no_crash(shared_data):
    path = shared_data / "ibrohim_budi_2019_hate_abusive" / "new_kamusalay.csv"
    frame, raw_q, encoding, note = readers.read_table(path)
    assert len(frame) + len(raw_q) >= 15000
    assert encoding != "utf-8" and "not valid UTF-8" in note


@pytest.mark.shared
def test_real_youtube_comments(shared_data):
    path = shared_data / "youtube_judol_comments_2013_2025" / "labeled_comments.csv"
    result = loading.read_posts(path, column_map={"text": "comment_text",
                                                  "timestamp": "published_at"},
                           timestamp_format="%m/%d/%y %H:%M")
    assert_accounting(result)
    assert "video_id" in result.data.columns
    assert result.n_kept > 18000
    reasons = set(result.quarantine["reason_code"])
    assert result.n_quarantined > 0
    assert reasons <= {"bad_timestamp", "bad_fields", "missing_timestamp", "missing_text"}
    assert result.data["date"].min() >= pd.Timestamp("2013-01-01")
    assert result.data["date"].max() <= pd.Timestamp("2025-12-31")


@pytest.mark.shared
def test_real_turnbackhoax_csv(shared_data):
    path = shared_data / "turnbackhoax_titles_2015_2021" / "turnbackhoax_titles_2015_2021.csv"
    result = loading.read_posts(path, column_map={"text": "title", "timestamp": "date"})
    assert result.n_read == 6975
    assert quarantined(result) == [(result.quarantine["_row"].iloc[0], "missing_text")]
    summary = result.summary()
    assert (summary["date_min"], summary["date_max"]) == ("2015-07-31", "2021-04-25")
    assert_accounting(result)


@pytest.mark.shared
def test_real_turnbackhoax_xlsx(shared_data):
    folder = shared_data / "turnbackhoax_titles_2015_2021"
    path = folder / "Scrapping Result (Heading and Link).xlsx"
    frame, raw_q, encoding, _ = readers.read_table(path)
    assert len(frame) == 6975 and len(raw_q) == 0
    assert [c for c in frame.columns if c != "_row"] == ["Header", "Link"]
    assert encoding is None


def test_fractional_counts_are_quarantined_not_misread(tmp_path):
    path = tmp_path / "counts.csv"
    path.write_text("date,category,count\n2024-01-01,hoaks,1.234\n2024-01-02,hoaks,12\n",
                    encoding="utf-8")
    result = loading.read_counts(path)
    assert list(result.data["count"]) == [12.0]
    [reason] = result.quarantine["reason"]
    assert result.quarantine["reason_code"].tolist() == ["bad_count"]
    assert "1.234" in reason and "whole number" in reason


# --- hostile and careless input (issue 11) -------------------------------------------------


def test_a_huge_field_is_quarantined_and_the_rest_of_the_file_kept(tmp_path):
    path = tmp_path / "huge.csv"
    big = "y" * (readers.MAX_FIELD_CHARS + 100)
    path.write_text("timestamp,text\n2024-01-01,a\n"
                    f"2024-01-02,{'x' * 200_000}\n"  # over csv's default 131,072: kept
                    f'2024-01-03,"{big}\nstill the same field"\n'
                    "2024-01-04,d\n", encoding="utf-8")
    result = loading.read_posts(path)
    assert result.data["_row"].tolist() == [1, 2, 4]
    assert len(result.data["text"].iloc[1]) == 200_000
    assert quarantined(result) == [(3, "field_too_large")]
    q = result.quarantine.iloc[0]
    size = len(big) + len("\nstill the same field")
    assert q["column"] == "text"
    assert f"{size:,} characters" in q["reason"] and f"{readers.MAX_FIELD_CHARS:,}" in q["reason"]
    assert len(q["raw"]) < 20_000 and q["raw"].startswith("2024-01-03,")  # cut, not all of it
    assert_accounting(result)


def test_a_huge_json_value_is_quarantined_too(tmp_path):
    path = tmp_path / "huge.jsonl"
    lines = [{"timestamp": "2024-01-01", "text": "a"},
             {"timestamp": "2024-01-02", "text": "z" * (readers.MAX_FIELD_CHARS + 1)},
             {"timestamp": "2024-01-03", "text": "c"}]
    path.write_text("".join(json.dumps(x) + "\n" for x in lines), encoding="utf-8")
    result = loading.read_posts(path)
    assert quarantined(result) == [(2, "field_too_large")]
    assert result.quarantine["column"].iloc[0] == "text"
    assert result.data["_row"].tolist() == [1, 3]


def test_a_quote_left_open_at_the_end_is_quarantined_naming_its_lines(tmp_path):
    path = tmp_path / "open.csv"
    path.write_text('timestamp,text\n2024-01-01,a\n2024-01-02,"never closed\n2024-01-03,c\n',
                    encoding="utf-8")
    result = loading.read_posts(path)
    assert result.data["_row"].tolist() == [1]
    assert quarantined(result) == [(2, "unterminated_quote")]
    assert "lines 3-4" in result.quarantine["reason"].iloc[0]
    closed = tmp_path / "closed.csv"
    closed.write_text('timestamp,text\n2024-01-01,"two\nlines"', encoding="utf-8")
    assert loading.read_posts(closed).data["text"].tolist() == ["two\nlines"]


def test_a_runaway_quote_is_a_clear_error_naming_record_and_line(tmp_path):
    path = tmp_path / "runaway.csv"
    path.write_text('timestamp,text\n2024-01-01,a\n2024-01-02,"open\n' + "z,\n" * 2000,
                    encoding="utf-8")
    with pytest.raises(loading.LoadError) as err:
        readers.read_raw(path, max_field=100)
    message = str(err.value)
    assert "runaway.csv" in message and "record 2" in message and "line 3" in message
    assert "quote left open" in message


def test_batches_keep_record_numbers_across_their_boundaries(tmp_path):
    path = tmp_path / "broken.csv"
    path.write_text(BROKEN_CSV, encoding="utf-8")
    whole, raw_q, _, _ = readers.read_table(path)
    parts = list(readers.open_table(path).batches(2))
    assert len(parts) > 3
    assert pd.concat([f for f, _ in parts])["_row"].tolist() == whole["_row"].tolist()
    assert pd.concat([q for _, q in parts])["_row"].tolist() == raw_q["_row"].tolist() == [2, 7]
    late = tmp_path / "late.jsonl"
    late.write_text('{"a": "1"}\n{"a": "2"}\n{"a": "3", "b": "x"}\n', encoding="utf-8")
    growing = [f.columns.tolist() for f, _ in readers.open_table(late).batches(2)]
    assert growing == [["_row", "a"], ["_row", "a", "b"]]
    fixed = [f.columns.tolist() for f, _ in readers.open_table(late).batches(2,
                                                                             fixed_columns=True)]
    assert fixed == [["_row", "a", "b"]] * 2
    assert readers.read_table(late)[0]["b"].tolist()[2] == "x"


def compress(data: bytes, codec: str) -> bytes:
    import bz2
    import gzip

    if codec == ".gz":
        return gzip.compress(data)
    if codec == ".bz2":
        return bz2.compress(data)
    return pa.Codec("zstd").compress(data, asbytes=True)


@pytest.mark.parametrize("codec", [".gz", ".bz2", ".zst"])
@pytest.mark.parametrize("fmt", ["csv", "tsv", "jsonl"])
def test_compressed_files_read_like_plain_ones(tmp_path, fmt, codec):
    plain = write_posts(tmp_path / f"posts.{fmt}", fmt)
    packed = tmp_path / f"posts.{fmt}{codec}"
    packed.write_bytes(compress(plain.read_bytes(), codec))
    assert readers.infer_format(packed) == fmt
    expected, got = loading.read_posts(plain), loading.read_posts(packed)
    pd.testing.assert_frame_equal(got.data, expected.data)
    assert quarantined(got) == quarantined(expected) and got.n_read == 6


def test_compressed_legacy_encoding_is_detected_on_the_decompressed_bytes(tmp_path):
    body = ("timestamp,text\n" + "2024-02-14,halo\n" * 40000 + "2024-02-15," + CP1252_TEXT
            + "\n").encode("cp1252")
    path = tmp_path / "legacy.csv.gz"
    path.write_bytes(compress(body, ".gz"))
    result = loading.read_posts(path)
    assert result.encoding == "cp1252" and result.data["text"].iloc[-1] == CP1252_TEXT


def test_damaged_or_unnamed_compression_is_an_error_naming_the_file(tmp_path):
    good = compress(b"timestamp,text\n" + b"2024-02-14,halo\n" * 1000, ".gz")
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(good[: len(good) // 2])
    with pytest.raises(loading.LoadError, match="cut.csv.gz: cannot decompress"):
        loading.read_posts(cut)
    hidden = tmp_path / "hidden.csv"
    hidden.write_bytes(good)
    with pytest.raises(loading.LoadError, match="hidden.csv: .*gzip.*name it hidden.csv.gz"):
        loading.read_posts(hidden)
    with pytest.raises(loading.LoadError, match="posts.parquet.gz: .*decompress it"):
        readers.infer_format(tmp_path / "posts.parquet.gz")


COUNTS_ROWS = "category,date,count\nhoaks,2024-01-01,3\nhoaks,2024-01-02,4\n"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_counts_csv_is_taken_for_counts(tmp_path, codec):
    from negtrend.data import sources

    path = tmp_path / "counts.csv"
    path.write_bytes(COUNTS_ROWS.encode(codec))
    assert readers.peek_columns(path) == ["category", "date", "count"]
    result = sources.load_source(path)
    assert result.kind == "counts" and result.data["count"].tolist() == [3.0, 4.0]
    assert codec.split("-le")[0].split("-be")[0] in result.encoding_note


def test_counts_jsonl_with_a_broken_first_line_is_taken_for_counts(tmp_path):
    from negtrend.data import sources

    path = tmp_path / "counts.jsonl.gz"
    path.write_bytes(compress(b'{"category": "hoaks", "da\n'
                              b'{"category": "hoaks", "date": "2024-01-01", "count": 3}\n', ".gz"))
    assert sources.detect_kind(path) == "counts"
    result = sources.load_source(path)
    assert result.kind == "counts" and quarantined(result) == [(1, "bad_json")]


def two_sheet_book(path):
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame({"timestamp": ["2024-01-01", None, "2024-01-03"],
                      "text": ["a", None, "c"]}).to_excel(writer, sheet_name="jan", index=False)
        pd.DataFrame({"timestamp": ["2024-02-01"], "text": ["d"]}).to_excel(
            writer, sheet_name="feb", index=False)
    return path


def test_xlsx_with_several_sheets_never_drops_one_silently(tmp_path):
    path = two_sheet_book(tmp_path / "book.xlsx")
    with pytest.raises(loading.LoadError, match=r"book.xlsx: the workbook has 2 sheets "
                                                r"\['jan', 'feb'\].*sheet='\*'"):
        loading.read_posts(path)
    feb = loading.read_posts(path, sheet="feb")
    assert feb.data["text"].tolist() == ["d"] and feb.summary()["sheets"] == ["feb"]
    assert loading.read_posts(path, sheet=1).data["text"].tolist() == ["d"]
    both = loading.read_posts(path, sheet="*")
    assert both.summary()["sheets"] == ["jan", "feb"]
    data = both.data
    assert data["text"].tolist() == ["a", "c", "d"]
    assert data["sheet"].tolist() == ["jan", "jan", "feb"]
    assert data["sheet_row"].tolist() == ["1", "3", "1"]  # each sheet's own record number
    assert data["_row"].tolist() == [1, 3, 4]  # unique: sheet after sheet (jan has 3 rows)
    # peeking at the header follows the same rule, so a report is refused before it starts
    with pytest.raises(loading.LoadError, match="the workbook has 2 sheets"):
        readers.peek_columns(path)
    assert readers.peek_columns(path, sheet="*") == ["sheet", "sheet_row", "timestamp", "text"]
    assert loading.read_posts(path, sheet="1").data["text"].tolist() == ["d"]  # CLI: a string


def test_an_empty_file_and_a_zero_byte_parquet_are_errors_naming_the_file(tmp_path):
    from negtrend.data import sources

    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    parquet = tmp_path / "empty.parquet"
    parquet.write_bytes(b"")
    for call in (loading.read_posts, readers.peek_columns, sources.load_source):
        with pytest.raises(loading.LoadError, match="empty.csv: file is empty; expected a "
                                                    "header line"):
            call(empty)
        with pytest.raises(loading.LoadError, match="empty.parquet: not a readable Parquet "
                                                    "file.*expected a Parquet file"):
            call(parquet)


def test_duplicate_column_names_are_renamed_with_a_note(tmp_path):
    path = tmp_path / "dup.csv"
    path.write_text("timestamp,text,text,_row\n2024-01-01,first,second,9\n", encoding="utf-8")
    result = loading.read_posts(path)
    assert result.data["text"].tolist() == ["first"]  # the first of the two is 'text'
    assert result.data["text.1"].tolist() == ["second"]
    assert result.data["_row.1"].tolist() == ["9"] and result.data["_row"].tolist() == [1]
    notes = result.summary()["read_notes"]
    assert any("'text' appears 2 times" in n and "'text.1'" in n for n in notes)
    assert any("'_row' was renamed '_row.1'" in n for n in notes)
