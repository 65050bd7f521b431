"""Random corruptions of valid files (truncation, byte flips, stray delimiters, quotes and line
breaks, huge fields, the wrong encoding, damaged compression) never crash a reader and never
lose or double-count a record.

For every reader each corrupted file either loads - kept + quarantined == read, every
quarantined record carries its source record number (an int >= 1), no number is both kept
and quarantined - or is refused with a NegtrendError that names the file. ``classify`` must
also number its rows exactly as the loader does. Deterministic (derandomized), a few seconds.
"""

from __future__ import annotations

import csv
import gzip
import io
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from negtrend.data import loading, readers
from negtrend.errors import NegtrendError
from negtrend.tagging import classify

SETTINGS = settings(max_examples=25, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture,
                                           HealthCheck.too_slow, HealthCheck.data_too_large])

POSTS = [
    {"id": str(i), "timestamp": f"2024-02-{1 + i:02d}T10:{i:02d}:00+07:00", "text": text}
    for i, text in enumerate([
        "halo semua", "Café “kutip” – naïve", "koma, dan\nbaris baru", 'kata "kutip" di sini',
        "slot gacor maxwin", "kpu umumkan hasil", "tab\tdi dalam", "emoji 🔥 dan ñ",
        "", "baris\r\nwindows", "biasa saja", "akhir"])
]
COUNTS = [
    {"category": ["hoaks", "judi online", "sara"][i % 3], "date": f"2024-01-{1 + i:02d}",
     "count": str(i * 7), "note": ["bulanan", "“resmi”", "a, b"][i % 3]}
    for i in range(12)
]
PIECES = [b",", b"\t", b'"', b'""', b"\n", b"\r", b"\r\n", b"{", b"}", b"\x00", b"\xff",
          b"\xc3", b'","', b'"\n', b"\\"]
HUGE = readers.MAX_FIELD_CHARS + 1000

corruption = st.one_of(
    st.tuples(st.just("truncate"), st.floats(0, 1)),
    st.tuples(st.just("flip"), st.floats(0, 1), st.integers(1, 255)),
    st.tuples(st.just("insert"), st.floats(0, 1), st.sampled_from(PIECES)),
    st.tuples(st.just("delete"), st.floats(0, 1), st.integers(1, 40)),
    st.tuples(st.just("huge"), st.floats(0, 1), st.sampled_from([b"x", b'"x', b"x\n"])),
    st.tuples(st.just("encode"), st.sampled_from(["utf-16", "utf-16-le", "cp1252"])),
)


def serialize(rows: list[dict], fmt: str) -> bytes:
    if fmt == "jsonl":
        return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), delimiter="\t" if fmt == "tsv"
                            else ",", lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def corrupt(data: bytes, operations) -> bytes:
    for op, *args in operations:
        at = int(args[0] * len(data)) if op != "encode" else 0
        if op == "truncate":
            data = data[:at]
        elif op == "flip" and data:
            at = min(at, len(data) - 1)
            data = data[:at] + bytes([data[at] ^ args[1]]) + data[at + 1:]
        elif op == "insert":
            data = data[:at] + args[1] + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + args[1]:]
        elif op == "huge":
            data = data[:at] + args[1] * 1 + b"y" * HUGE + data[at:]
        elif op == "encode":
            data = data.decode("utf-8", "replace").encode(args[0], "replace")
    return data


def write(tmp_path, name: str, data: bytes, compress_after=None):
    path = tmp_path / name
    if name.endswith(".gz"):
        data = gzip.compress(data, mtime=0)
        if compress_after:  # damage the compressed bytes themselves
            data = corrupt(data, compress_after)
    path.write_bytes(data)
    return path


def assert_refusal_names_file(err: Exception, path) -> None:
    assert path.name in str(err), f"error does not name the file: {err}"


def assert_accounted(result: loading.LoadResult) -> None:
    kept, quarantined = result.data["_row"], result.quarantine["_row"]
    assert result.n_kept + result.n_quarantined == result.n_read
    assert quarantined.map(lambda v: isinstance(v, int | np.integer) and v >= 1).all()
    assert kept.is_unique and quarantined.is_unique
    assert not set(kept) & set(quarantined), "a record is both kept and quarantined"
    assert (result.quarantine["reason_code"] != "").all()


def check_load(path, kind: str) -> None:
    load = loading.read_posts if kind == "posts" else loading.read_counts
    try:
        result = load(path)
    except NegtrendError as err:
        assert_refusal_names_file(err, path)
        return
    assert_accounted(result)


FORMATS = {"csv": "data.csv", "tsv": "data.tsv", "jsonl": "data.jsonl", "csv.gz": "data.csv.gz"}


@pytest.mark.parametrize("kind", ["posts", "counts"])
@pytest.mark.parametrize("fmt", list(FORMATS))
@SETTINGS
@given(operations=st.lists(corruption, min_size=1, max_size=3))
def test_loaders_survive_corruption_and_account_for_every_record(tmp_path, fmt, kind,
                                                                 operations):
    rows = POSTS if kind == "posts" else COUNTS
    data = corrupt(serialize(rows, fmt.removesuffix(".gz")), operations)
    check_load(write(tmp_path, FORMATS[fmt], data), kind)


@SETTINGS
@given(operations=st.lists(corruption, min_size=1, max_size=2))
def test_damaged_gzip_stream_is_refused_naming_the_file(tmp_path, operations):
    path = write(tmp_path, "data.csv.gz", serialize(POSTS, "csv"), compress_after=operations)
    check_load(path, "posts")


class WordBackend:
    """A stand-in backend, so the property is about reading, not tagging."""

    name = "fake"
    categories = ["pemilu"]

    def tag(self, texts):
        values = [t or "" for t in texts.to_pylist()]
        tags = {"pemilu": np.array(["kpu" in v for v in values])}
        return classify.TagResult(tags, {"pemilu": tags["pemilu"].astype(np.float32)})


@pytest.mark.parametrize("fmt", list(FORMATS))
@SETTINGS
@given(operations=st.lists(corruption, min_size=1, max_size=3))
def test_classify_survives_corruption_and_numbers_rows_as_the_loader(tmp_path, fmt,
                                                                     operations):
    path = write(tmp_path, FORMATS[fmt],
                 corrupt(serialize(POSTS, fmt.removesuffix(".gz")), operations))
    out = tmp_path / "tagged.parquet"
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(classify, "make_backend", lambda *a, **k: WordBackend())
        try:
            result = classify.classify_file(path, out, "fake", processes=1, batch_size=4)
        except NegtrendError as err:
            assert_refusal_names_file(err, path)
            return
    assert result.accounting_ok
    tagged = pq.read_table(out).to_pandas()
    quarantine = pd.read_csv(out.with_suffix(".quarantine.csv"), dtype={"reason_code": str})
    assert quarantine["_row"].map(lambda v: isinstance(v, int | np.integer) and v >= 1).all()
    set_aside = quarantine.loc[quarantine["reason_code"] != "missing_text", "_row"]
    assert len(tagged) + len(set_aside) == result.n_read
    assert not set(tagged["_row"]) & set(set_aside)
    frame, raw_q, _, _ = readers.read_table(path)  # the loader's numbering
    assert tagged["_row"].tolist() == frame["_row"].tolist()
    assert sorted(set_aside) == sorted(raw_q["_row"])
