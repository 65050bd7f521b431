"""train -> evaluate -> classify with the model -> sample -> evaluate --gold, from the shell."""

import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from negtrend.cli import app

pytestmark = pytest.mark.slow


def labeled(path, n=600, seed=0):
    rng = np.random.default_rng(seed)
    spam = ["slot gacor maxwin hari ini", "depo 10rb wd cepat", "link alternatif login"]
    plain = ["kpu umumkan hasil", "terima kasih infonya", "jalan macet pagi ini"]
    is_spam = rng.random(n) < 0.3
    texts = [f"{rng.choice(spam if s else plain)} {i}" for i, s in enumerate(is_spam)]
    pd.DataFrame({"comment": texts, "label": is_spam.astype(int)}).to_csv(path, index=False)
    return is_spam


def test_the_tagging_commands_chain(tmp_path):
    runner = CliRunner()
    data = tmp_path / "labeled.csv"
    labeled(data)
    model_dir = tmp_path / "model"
    result = runner.invoke(app, ["train", "--data", str(data), "--text-col", "comment",
                                 "--labels", "judi_online=label", "--out", str(model_dir),
                                 "--folds", "3"])
    assert result.exit_code == 0, result.output
    trained = json.loads(result.output)
    assert trained["labels"] == ["judi_online"]
    assert trained["cv"]["scores"][0]["label"] == "judi_online"
    assert trained["cv"]["scores"][0]["f1"] > 0.95
    assert (model_dir / "model.skops").exists()
    from negtrend.tagging import classify

    assert classify.backend_categories(str(model_dir)) == ["judi_online"]  # metadata only

    result = runner.invoke(app, ["evaluate", "--model", str(model_dir), "--data", str(data),
                                 "--text-col", "comment", "--labels", "judi_online=label",
                                 "--folds", "0"])
    assert result.exit_code == 0, result.output
    assert "judi_online" in result.output and "precision" in result.output

    result = runner.invoke(app, ["evaluate", "--backend", "lexicon", "--data", str(data),
                                 "--text-col", "comment", "--labels", "judi_online=label"])
    assert result.exit_code == 0, result.output

    tagged = tmp_path / "tagged.parquet"
    result = runner.invoke(app, ["classify", "--data", str(data), "--map", "text=comment",
                                 "--backend", str(model_dir), "--out", str(tagged),
                                 "--no-progress", "--processes", "2", "--batch-size", "100"])
    assert result.exit_code == 0, result.output
    table = pq.read_table(tagged).to_pandas()
    assert (table["judi_online"] == table["label"].astype(int).astype(bool)).mean() > 0.95
    assert "judi_online_score" in table

    sample = tmp_path / "sample.csv"
    result = runner.invoke(app, ["sample", "--data", str(tagged), "--out", str(sample),
                                 "--per-stratum", "20", "--text-col", "comment"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(sample)
    truth = table.set_index("_row")["label"].astype(int)
    frame["gold_judi_online"] = truth.reindex(frame["_row"]).to_numpy()
    frame.to_csv(sample, index=False)
    result = runner.invoke(app, ["evaluate", "--gold", str(sample)])
    assert result.exit_code == 0, result.output
    assert "judi_online" in result.output


def test_pickled_model_folder_is_refused(tmp_path):
    import pickle

    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "model.pkl").write_bytes(pickle.dumps({"x": 1}))
    data = tmp_path / "posts.csv"
    data.write_text("text\nhalo\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["classify", "--data", str(data), "--backend", str(folder),
                                      "--out", str(tmp_path / "o.parquet"), "--no-progress"])
    assert result.exit_code == 2
    assert "pickle can run code on load" in result.output


def test_train_takes_model_and_normalization_settings_and_refuses_unknown_ones(tmp_path):
    runner = CliRunner()
    data = tmp_path / "labeled.csv"
    labeled(data, n=300)
    slang = tmp_path / "kamus.csv"
    slang.write_text("gacorr,gacor\n", encoding="utf-8")
    model_dir = tmp_path / "model"
    result = runner.invoke(app, ["train", "--data", str(data), "--text-col", "comment",
                                 "--labels", "judi_online=label", "--out", str(model_dir),
                                 "--folds", "0", "--param", "C=3", "--param",
                                 "stack_views=true", "--norm", "slang=true", "--norm",
                                 f"slang_path={slang}"])
    assert result.exit_code == 0, result.output
    saved = json.loads((model_dir / "metadata.json").read_text(encoding="utf-8"))
    metadata = saved["metadata"]
    assert metadata["params"]["C"] == 3 and metadata["params"]["stack_views"] is True
    assert "judi_online" in metadata["stacked"]
    assert saved["norm"]["slang"] is True and saved["norm"]["slang_path"] == str(slang)
    for bad in (["--param", "stack_view=true"], ["--norm", "slangs=true"]):
        result = runner.invoke(app, ["train", "--data", str(data), "--text-col", "comment",
                                     "--labels", "judi_online=label", "--out",
                                     str(tmp_path / "bad"), "--folds", "0", *bad])
        assert result.exit_code != 0
        assert "unknown" in result.output
        assert not (tmp_path / "bad").exists()
