"""Streaming classification: every row kept, order kept, memory bounded, both cores used."""

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from negtrend.tagging import classify


class WordBackend:
    """A stand-in backend: a category fires when its word is in the text."""

    name = "fake"
    categories = ["judi_online", "pemilu"]
    words = {"judi_online": "slot", "pemilu": "kpu"}

    def tag(self, texts):
        values = [t or "" for t in texts.to_pylist()]
        tags = {c: np.array([w in v for v in values]) for c, w in self.words.items()}
        return classify.TagResult(tags, {c: t.astype(np.float32) for c, t in tags.items()})


@pytest.fixture
def fake_backend(monkeypatch):
    monkeypatch.setattr(classify, "make_backend",
                        lambda spec, categories=None, norm=None: WordBackend())


def corpus(n):
    texts = [["main slot yuk", "kpu umumkan hasil", "halo semua", "", None][i % 5]
             for i in range(n)]
    return pa.table({"id": np.arange(n), "text": pa.array(texts, pa.string()),
                     "platform": ["x"] * n})


@pytest.mark.parametrize(("processes", "row_group_size"), [(1, None), (2, None), (2, 700)])
def test_every_row_is_kept_in_order_with_reasons(tmp_path, fake_backend, processes,
                                                 row_group_size):
    # one big row group is read in batches by the main process; small row groups are read
    # by the workers themselves: both must give the same output
    source = tmp_path / "posts.parquet"
    pq.write_table(corpus(10_007), source, row_group_size=row_group_size)
    result = classify.classify_file(source, tmp_path / "tagged.parquet", "fake",
                                    batch_size=1000, processes=processes)
    assert result.n_read == 10_007 and result.accounting_ok
    assert result.n_quarantined == 2 * 10_007 // 5 + (1 if 10_007 % 5 > 3 else 0)
    out = pq.read_table(tmp_path / "tagged.parquet").to_pandas()
    assert list(out["id"]) == list(range(10_007))  # order kept across processes
    assert list(out["_row"]) == list(range(1, 10_008))
    assert list(out.columns[:3]) == ["id", "text", "platform"]  # input columns kept
    assert out.loc[0, "judi_online"] and not out.loc[0, "pemilu"]
    assert out.loc[1, "pemilu"]
    empty = out["_reason"] == "missing_text"
    assert empty.sum() == result.n_quarantined
    assert out.loc[empty, "judi_online"].isna().all()
    assert result.positives["judi_online"] == int((out["id"] % 5 == 0).sum())
    quarantine = (tmp_path / "tagged.quarantine.csv").read_text().splitlines()
    assert len(quarantine) == result.n_quarantined + 1
    assert quarantine[1].startswith("4,")  # rows 4 and 5 of each five are empty/null


def test_csv_input_streams_and_broken_lines_are_quarantined(tmp_path, fake_backend):
    source = tmp_path / "posts.csv"
    source.write_text('id,text\n1,main slot\n2,"kpu\nmultiline"\n3,a,b,c\n4,halo\n',
                      encoding="utf-8")
    result = classify.classify_file(source, tmp_path / "out.parquet", "fake", processes=1)
    assert result.n_read == 4 and result.n_quarantined == 1 and result.accounting_ok
    out = pq.read_table(tmp_path / "out.parquet").to_pandas()
    assert list(out["id"]) == ["1", "2", "4"]
    assert out.loc[1, "pemilu"]  # the quoted multi-line text was kept whole
    assert "expected 2" in (tmp_path / "out.quarantine.csv").read_text()


def test_missing_text_column_is_a_clear_error(tmp_path, fake_backend):
    source = tmp_path / "posts.parquet"
    pq.write_table(pa.table({"body": ["x"]}), source)
    with pytest.raises(classify.ClassifyError, match="no text column 'text'.*body"):
        classify.classify_file(source, tmp_path / "out.parquet", "fake")


def test_unknown_backend_is_named():
    with pytest.raises(classify.ClassifyError, match="'lexicon' or the folder"):
        classify.make_backend("bayes")


def test_real_lexicon_on_the_bundled_sample_via_the_cli(tmp_path):
    from typer.testing import CliRunner

    from negtrend.cli import app
    from negtrend.data import paths

    sample = paths.data_dir() / "sample" / "posts_pemilu2024.csv"
    out = tmp_path / "tagged.parquet"
    result = CliRunner().invoke(app, ["classify", "--data", str(sample), "--map", "text=title",
                                      "--out", str(out), "--no-progress", "--batch-size", "500"])
    assert result.exit_code == 0, result.output
    summary = __import__("json").loads(result.output)
    assert summary["n_read"] == 5697 and summary["accounting_ok"]
    assert summary["n_quarantined"] == 1  # the one empty title
    table = pq.read_table(out).to_pandas()
    assert len(table) == 5697 and table["_row"].is_monotonic_increasing
    assert {"hoaks", "judi_online", "pemilu", "hoaks_score"} <= set(table.columns)
    # titles mention KPU, TPS, capres, quick count... the pemilu topic tag fires on those
    mentions = table["title"].str.contains("KPU|TPS|capres|quick count", na=False)
    assert table.loc[mentions, "pemilu"].mean() > 0.95
    empty = table["title"].isna()  # an empty cell is missing, as in `negtrend report`
    assert empty.sum() == 1 and not table.loc[empty, "pemilu"].notna().any()


def test_explain_names_the_terms_that_fired():
    from typer.testing import CliRunner

    from negtrend.cli import app

    result = CliRunner().invoke(app, ["explain", "𝐒𝐋𝐎𝐓 𝐆𝐀𝐂𝐎𝐑 hari ini, depo 10rb wd cepat"])
    assert result.exit_code == 0, result.output
    hits = __import__("json").loads(result.output)
    assert any(h["category"] == "judi_online" and h["fired"] for h in hits)


# --- record numbers, formats and whole-file errors (issue 11) ------------------------------


def classify_and_read(tmp_path, source, **kwargs):
    out = tmp_path / "out.parquet"
    result = classify.classify_file(source, out, "fake", processes=1, **kwargs)
    quarantine = __import__("pandas").read_csv(out.with_suffix(".quarantine.csv"))
    return result, pq.read_table(out).to_pandas(), quarantine


def test_ragged_csv_rows_keep_their_source_record_numbers(tmp_path, fake_backend):
    from negtrend.data import loading

    source = tmp_path / "ragged.csv"
    source.write_text('timestamp,text\n2024-01-01,a\n2024-01-02,b,extra\n2024-01-03,kpu\n'
                      '2024-01-04,"two\nlines"\n2024-01-05,slot\n', encoding="utf-8")
    result, out, quarantine = classify_and_read(tmp_path, source, batch_size=2)
    assert out["_row"].tolist() == [1, 3, 4, 5]  # record 3 is _row 3, not 2
    assert out.set_index("_row").loc[3, "pemilu"]
    loaded = loading.read_posts(source)
    assert out["_row"].tolist() == loaded.data["_row"].tolist()  # the same numbering
    assert quarantine[["_row", "reason_code", "reason"]].values.tolist() == \
        loaded.quarantine[["_row", "reason_code", "reason"]].values.tolist()
    assert quarantine["raw"].tolist() == ["2024-01-02,b,extra"]
    assert result.n_read == 5 and result.accounting_ok


def test_jsonl_rows_are_line_numbers_and_bad_json_is_bad_json(tmp_path, fake_backend):
    source = tmp_path / "posts.jsonl"
    source.write_text('{"text": "a"}\nnot json\n\n{"text": "kpu", "late": 1}\n[1]\n',
                      encoding="utf-8")
    result, out, quarantine = classify_and_read(tmp_path, source, batch_size=1)
    assert out["_row"].tolist() == [1, 4]  # line numbers; the blank line is no record
    assert out["late"].isna().tolist() == [True, False]  # a key first seen late is kept
    assert out["late"].iloc[1] == "1"
    assert quarantine[["_row", "reason_code"]].values.tolist() == [[2, "bad_json"],
                                                                    [5, "bad_json"]]
    assert result.n_read == 4 and result.accounting_ok


@pytest.mark.parametrize("suffix", [".csv.gz", ".jsonl.zst"])
def test_compressed_input_is_streamed(tmp_path, fake_backend, suffix):
    import gzip
    import json

    rows = [{"id": str(i), "text": ["kpu", "slot", ""][i % 3]} for i in range(50)]
    if suffix == ".csv.gz":
        body = "id,text\n" + "".join(f"{r['id']},{r['text']}\n" for r in rows)
        data = gzip.compress(body.encode())
    else:
        body = "".join(json.dumps(r) + "\n" for r in rows)
        data = pa.Codec("zstd").compress(body.encode(), asbytes=True)
    source = tmp_path / f"posts{suffix}"
    source.write_bytes(data)
    result, out, quarantine = classify_and_read(tmp_path, source, batch_size=7)
    assert out["_row"].tolist() == list(range(1, 51))
    assert out["pemilu"].tolist()[:3] == [True, False, None]
    assert result.n_quarantined == len(quarantine) == 16  # the empty texts


def test_xlsx_sheets_in_classify(tmp_path, fake_backend):
    import pandas as pd

    source = tmp_path / "book.xlsx"
    with pd.ExcelWriter(source) as writer:
        pd.DataFrame({"text": ["kpu", "a"]}).to_excel(writer, sheet_name="one", index=False)
        pd.DataFrame({"text": ["slot"]}).to_excel(writer, sheet_name="two", index=False)
    with pytest.raises(classify.NegtrendError, match="book.xlsx: .*2 sheets"):
        classify_and_read(tmp_path, source)
    result, out, _ = classify_and_read(tmp_path, source, sheet="*")
    assert out[["_row", "sheet", "sheet_row", "text"]].values.tolist() == [
        [1, "one", "1", "kpu"], [2, "one", "2", "a"], [3, "two", "1", "slot"]]


def invoke_classify(source, out):
    from typer.testing import CliRunner

    from negtrend.cli import app

    return CliRunner().invoke(app, ["classify", "--data", str(source), "--out", str(out),
                                    "--no-progress", "--processes", "1"])


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("empty.parquet", b"", "empty.parquet: not a readable Parquet file"),
    ("empty.csv", b"", "empty.csv: file is empty; expected a header line"),
    ("notes.csv", b"title\nx\n", "notes.csv: no text column 'text'"),
])
def test_unreadable_inputs_are_one_line_and_exit_2(tmp_path, name, content, expected):
    source = tmp_path / name
    source.write_bytes(content)
    result = invoke_classify(source, tmp_path / "out.parquet")
    assert result.exit_code == 2, (result.output, result.exception)
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith(f"error: {tmp_path}") and expected in lines[0]


def test_duplicate_column_names_are_renamed_as_report_renames_them(tmp_path):
    import json

    from negtrend.data import loading

    source = tmp_path / "dup.csv"
    source.write_text("timestamp,text,text\n2024-01-01,kpu hari ini,second\n",
                      encoding="utf-8")
    out = tmp_path / "out.parquet"
    result = invoke_classify(source, out)
    assert result.exit_code == 0, result.output
    table = pq.read_table(out).to_pandas()
    assert table[["text", "text.1"]].values.tolist() == [["kpu hari ini", "second"]]
    assert table["pemilu"].tolist() == [True]  # the first 'text' was tagged
    notes = json.loads(result.stdout)["read_notes"]
    column_notes = [n for n in loading.read_posts(source).read_notes if "timestamps" not in n]
    assert notes == column_notes and "text.1" in notes[0]  # the loader adds its time-zone rule


def test_parquet_input_with_its_own_row_column_keeps_it(tmp_path, fake_backend):
    source = tmp_path / "tagged_before.parquet"
    pq.write_table(pa.table({"text": ["kpu", "slot"], "_row": [7, 9]}), source)
    result, out, _ = classify_and_read(tmp_path, source)
    assert out["_row"].tolist() == [1, 2] and out["_row.1"].tolist() == [7, 9]
    assert result.read_notes == ["column '_row' was renamed '_row.1': negtrend numbers "
                                 "records in '_row'"]
