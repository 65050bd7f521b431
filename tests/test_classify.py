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
    assert not table.loc[table["title"] == "", "pemilu"].notna().any()


def test_explain_names_the_terms_that_fired():
    from typer.testing import CliRunner

    from negtrend.cli import app

    result = CliRunner().invoke(app, ["explain", "𝐒𝐋𝐎𝐓 𝐆𝐀𝐂𝐎𝐑 hari ini, depo 10rb wd cepat"])
    assert result.exit_code == 0, result.output
    hits = __import__("json").loads(result.output)
    assert any(h["category"] == "judi_online" and h["fired"] for h in hits)
