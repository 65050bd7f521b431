"""CSV/TSV files that Arrow may split (data.arrowcsv) give exactly the frames, notes and
quarantine of the csv module's reader; every other file is left to the csv module.

Each file is read twice, with the Arrow path and with it turned off, and the two must agree to
the byte: generated files with every shape of field (quotes, doubled quotes, delimiters and
line breaks inside quotes, CRLF, blank lines, unicode, empty and long fields), and malformed
ones (stray quotes, records of the wrong width, a quote left open, NUL bytes, a blank first
line, a field too large, invalid UTF-8)."""

import csv
import io
import random

import pandas as pd
import pytest

from negtrend.data import arrowcsv, readers

PIECES = ["a", "kata", "Résumé", "🇮🇩 hoaks", " spasi ", ",", ";", '"', '""', "\n", "\r\n",
          "\r", "\t", "", "x" * 50, "0", "NaN", "null", "-", "'", "\\", "#"]


def read(path, batch_size, arrow: bool, **kwargs):
    stream = readers.open_table(path, **kwargs)
    if not arrow:
        stream._arrow_header = lambda: None
    out = [(frame, quarantine) for frame, quarantine in stream.batches(batch_size)]
    return out, stream.notes, stream.encoding


def used_arrow(path, **kwargs) -> bool:
    return readers.open_table(path, **kwargs)._arrow_header() is not None


def assert_same(path, batch_size=3, **kwargs):
    fast, fast_notes, fast_encoding = read(path, batch_size, True, **kwargs)
    slow, slow_notes, slow_encoding = read(path, batch_size, False, **kwargs)
    assert (fast_notes, fast_encoding) == (slow_notes, slow_encoding)
    assert len(fast) == len(slow)
    for (frame_a, quarantine_a), (frame_b, quarantine_b) in zip(fast, slow, strict=True):
        pd.testing.assert_frame_equal(frame_a, frame_b, check_exact=True)
        pd.testing.assert_frame_equal(quarantine_a, quarantine_b, check_exact=True)


def random_rows(rng: random.Random, width: int, n: int) -> list[list[str]]:
    return [["".join(rng.choice(PIECES) for _ in range(rng.randint(0, 3))) for _ in range(width)]
            for _ in range(n)]


def write(rows, header, delimiter=",", quoting=csv.QUOTE_MINIMAL, newline="\n") -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


@pytest.mark.parametrize("seed", range(24))
def test_well_formed_files_are_split_by_arrow_exactly_as_by_the_csv_module(tmp_path, seed):
    rng = random.Random(seed)
    width = rng.randint(1, 5)
    header = [f"col {i}" if i else "ïd" for i in range(width)]
    rows = random_rows(rng, width, rng.randint(0, 40))
    delimiter, suffix = rng.choice([(",", "csv"), ("\t", "tsv")])
    newline = rng.choice(["\n", "\r\n"])  # "\n": a lone "\r" in a field is not quoted,
    # and ends the record for both parsers (so the file is left to the csv module)
    text = write(rows, header, delimiter, rng.choice([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
                 newline)
    if rng.random() < 0.5:  # blank lines between records (not inside a quoted field)
        lines = text.split("\n")
        text = "\n".join(line + ("\n" if rng.random() < 0.2 and not line.endswith("\r")
                                 and line.count('"') % 2 == 0 else "") for line in lines)
    path = tmp_path / f"posts.{suffix}"
    path.write_text(text, encoding="utf-8", newline="")
    if newline == "\r\n":
        assert used_arrow(path)
    assert_same(path, batch_size=rng.choice([1, 2, 3, 7, 100]))


def test_a_clean_file_takes_the_arrow_path_and_batches_fall_as_before(tmp_path):
    path = tmp_path / "posts.csv"
    rows = [[str(i), f"2024-01-{1 + i % 28:02d} 10:00:00", f'teks "{i}", baris\nkedua']
            for i in range(10)]
    path.write_text(write(rows, ["id", "timestamp", "text"]), encoding="utf-8")
    assert used_arrow(path)
    for size in (1, 3, 5, 10, 11):
        assert_same(path, batch_size=size)
    sizes = [len(frame) for frame, _ in readers.open_table(path).batches(5)]
    assert sizes == [5, 5]  # no empty batch after a full one
    (tmp_path / "header.csv").write_text("id,text\n", encoding="utf-8")
    assert used_arrow(tmp_path / "header.csv")
    assert_same(tmp_path / "header.csv")  # one empty batch


def test_compressed_files_too(tmp_path):
    import gzip

    path = tmp_path / "posts.csv.gz"
    rows = random_rows(random.Random(1), 3, 30)
    text = write(rows, ["a", "b", "c"], newline="\r\n")
    path.write_bytes(gzip.compress(text.encode("utf-8")))
    assert used_arrow(path)
    assert_same(path, batch_size=4)


MALFORMED = {
    "stray_quote": 'id,text\n1,ab"c\n2,ok\n',
    "text_after_closing_quote": 'id,text\n1,"ab"c\n2,ok\n',
    "space_before_quote": 'id,text\n1, "ab"\n2,ok\n',
    "quote_left_open": 'id,text\n1,ok\n2,"never closed\n3,more\n',
    "too_many_fields": "id,text\n1,a,b\n2,ok\n",
    "too_few_fields": "id,text\n1\n2,ok\n",
    "whitespace_line": "id,text\n1,a\n   \n2,ok\n",
    "nul_byte": "id,text\n1,a\x00b\n2,ok\n",
    "blank_first_line": "\nid,text\n1,a\n",
    "header_over_two_lines": 'id,"te\nxt"\n1,a\n',
}


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_files_are_left_to_the_csv_module(tmp_path, name):
    path = tmp_path / "posts.csv"
    path.write_bytes(MALFORMED[name].encode("utf-8"))
    assert not used_arrow(path)
    assert_same(path)


def test_a_field_too_large_and_other_encodings_are_left_to_the_csv_module(tmp_path):
    big = tmp_path / "big.csv"
    big.write_text("id,text\n1," + "é" * 30 + "\n2,ok\n", encoding="utf-8")
    assert not used_arrow(big, max_field=20)
    assert used_arrow(big, max_field=30)
    assert_same(big, max_field=20)
    legacy = tmp_path / "legacy.csv"
    legacy.write_bytes("id,text\n1,caf\xe9\n".encode("cp1252"))
    assert not used_arrow(legacy)
    assert_same(legacy)


def test_plain_quoting_across_block_boundaries(monkeypatch):
    monkeypatch.setattr(arrowcsv, "CHUNK", 3)
    good = b'a,"b""c",d\n"e\nf",""\n"x",y'
    assert arrowcsv.plain_quoting(io.BytesIO(good), ",")
    for bad in (b'a,"b"c\n', b'ab"c\n', b'a,"b\n', b'a,"b" \n'):
        assert not arrowcsv.plain_quoting(io.BytesIO(bad), ","), bad
    for size in range(1, 12):
        monkeypatch.setattr(arrowcsv, "CHUNK", size)
        assert arrowcsv.plain_quoting(io.BytesIO(good), ",")
        assert not arrowcsv.plain_quoting(io.BytesIO(b'a,"bc"d,e\n'), ",")


UNQUOTED = ["a", "kata", "Résumé", "🇮🇩 hoaks", " spasi ", ",", ";", '"', '""', '"awal',
            "akhir\"", "", "x" * 50, "0", "NaN", "null", "-", "'", "\\", "#", "<PAGE_TITLE>"]


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("header", [True, False])
def test_unquoted_and_headerless_layouts_split_by_arrow_as_by_the_csv_module(tmp_path, seed,
                                                                           header):
    """GDELT's layout: tabs, no quoting (a field may open or close with a quote), with or
    without a header row; CRLF and blank lines too."""
    rng = random.Random(seed)
    width = rng.randint(1, 6)
    names = tuple(f"c{i}" for i in range(width))
    rows = [["".join(rng.choice(UNQUOTED) for _ in range(rng.randint(0, 3)))
             for _ in range(width)] for _ in range(rng.randint(0, 40))]
    newline = rng.choice(["\n", "\r\n"])
    lines = (["\t".join(names)] if header else []) + ["\t".join(row) for row in rows]
    if rows and rng.random() < 0.3:
        lines.insert(rng.randint(1, len(lines)), "")  # a blank line: no record
    path = tmp_path / "gkg.csv"
    path.write_bytes((newline.join(lines) + newline).encode("utf-8"))
    layout = readers.Layout("tsv", None if header else names, quoting=False)
    assert used_arrow(path, fmt=layout)  # every record of the header's width, no NUL
    assert_same(path, batch_size=rng.randint(1, 7), fmt=layout)


def test_an_unquoted_file_with_a_short_record_is_left_to_the_csv_module(tmp_path):
    path = tmp_path / "gkg.csv"
    path.write_text('a\t"b\tc\nd\te\n', encoding="utf-8")
    layout = readers.Layout("tsv", ("x", "y", "z"), quoting=False)
    assert not used_arrow(path, fmt=layout)
    (frame, quarantine), = [b for b in readers.open_table(path, fmt=layout).batches(10)]
    assert frame["y"].tolist() == ['"b'] and quarantine["reason_code"].tolist() == ["bad_fields"]
